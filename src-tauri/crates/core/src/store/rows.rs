//! Row mapping: SQLite rows into the store's types, and the shared SELECT.

use super::{Order, Profile, Store};
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, CoreResult};
use sqlx::Row;

macro_rules! order_columns {
    () => {
        "SELECT o.*, p.name AS profile_name, p.provider AS provider, p.sandbox AS sandbox"
    };
}

pub(super) use order_columns;

pub(super) const ORDER_SELECT: &str = concat!(
    order_columns!(),
    " FROM orders o JOIN profiles p ON p.id = o.profile_id"
);

pub(super) fn json_or_default<T: serde::de::DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

pub(super) fn order_from_row(r: &sqlx::sqlite::SqliteRow) -> CoreResult<Order> {
    let provider: String = r.try_get("provider")?;
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let card: Option<String> = r.try_get("card")?;
    Ok(Order {
        id: r.try_get("id")?,
        profile_id: r.try_get("profile_id")?,
        profile: r.try_get("profile_name")?,
        provider: ProviderKind::parse(&provider)
            .ok_or_else(|| CoreError::Storage(format!("bad provider {provider}")))?,
        sandbox: r.try_get::<i64, _>("sandbox")? != 0,
        order_no: r.try_get("order_no")?,
        kind: OrderKind::parse(&kind)
            .ok_or_else(|| CoreError::Storage(format!("bad kind {kind}")))?,
        amount_fen: r.try_get("amount_fen")?,
        channel: r.try_get("channel")?,
        payee_name: r.try_get("payee_name")?,
        account_no: r.try_get("account_no")?,
        bank_name: r.try_get("bank_name")?,
        fields: json_or_default(r.try_get("fields")?),
        status: OrderStatus::parse(&status)
            .ok_or_else(|| CoreError::Storage(format!("bad status {status}")))?,
        provider_status: r.try_get("provider_status")?,
        provider_message: r.try_get("provider_message")?,
        provider_order_id: r.try_get("provider_order_id")?,
        pay_url: r.try_get("pay_url")?,
        card: card.and_then(|c| serde_json::from_str(&c).ok()),
        extra: json_or_default(r.try_get("extra")?),
        message: r.try_get("message")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(super) fn profile_from_row(r: &sqlx::sqlite::SqliteRow) -> CoreResult<Profile> {
    let provider: String = r.try_get("provider")?;
    Ok(Profile {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        provider: ProviderKind::parse(&provider)
            .ok_or_else(|| CoreError::Storage(format!("bad provider {provider}")))?,
        base_url: r.try_get("base_url")?,
        merchant_id: r.try_get("merchant_id")?,
        app_id: r.try_get("app_id")?,
        operator_id: r.try_get("operator_id")?,
        notify_url: r.try_get("notify_url")?,
        return_url: r.try_get("return_url")?,
        has_reply_secret: r.try_get::<i64, _>("has_reply_secret")? != 0,
        sandbox: r.try_get::<i64, _>("sandbox")? != 0,
        low_balance_fen: r.try_get("low_balance_fen")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[derive(Clone)]
pub(super) enum Arg {
    Text(String),
    Int(i64),
}

impl Store {
    pub(super) async fn fetch_orders(&self, sql: &str, args: &[Arg]) -> CoreResult<Vec<Order>> {
        let mut q = sqlx::query(sql);
        for a in args {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(order_from_row).collect()
    }
}
