//! PostgreSQL rows into the store's types, through the same mapping as
//! SQLite's (`store/rows.rs`): flags are BOOLEAN here, read as 0/1.

use super::super::rows::{order_from, Cols};
use super::super::{Order, Profile};
use crate::domain::ProviderKind;
use crate::error::{CoreError, CoreResult};
use crate::gateway::GatewayConfig;
use sqlx::postgres::PgRow;
use sqlx::Row;

impl Cols for PgRow {
    fn text(&self, col: &str) -> CoreResult<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> CoreResult<Option<i64>> {
        match self.try_get::<Option<i64>, _>(col) {
            Ok(v) => Ok(v),
            Err(e) => match self.try_get::<Option<bool>, _>(col) {
                Ok(b) => Ok(b.map(i64::from)),
                Err(_) => Err(e.into()),
            },
        }
    }
}

pub(super) fn order_from_row(r: &PgRow) -> CoreResult<Order> {
    order_from(r)
}

pub(super) fn profile_from_row(r: &PgRow) -> CoreResult<Profile> {
    let provider: String = r.try_get("provider")?;
    Ok(Profile {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        provider: ProviderKind::parse(&provider)
            .ok_or_else(|| CoreError::Storage(format!("bad provider {provider}")))?,
        gateway: GatewayConfig {
            base_url: r.try_get("base_url")?,
            merchant_id: r.try_get("merchant_id")?,
            app_id: r.try_get("app_id")?,
            operator_id: r.try_get("operator_id")?,
            notify_url: r.try_get("notify_url")?,
            return_url: r.try_get("return_url")?,
        },
        has_reply_secret: r.try_get("has_reply_secret")?,
        sandbox: r.try_get("sandbox")?,
        low_balance_fen: r.try_get("low_balance_fen")?,
        approval_threshold_fen: r.try_get("approval_threshold_fen")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A bind value of a query built at run time.
#[derive(Clone, Debug)]
pub(super) enum Arg {
    Text(String),
    Int(i64),
}

/// Run `sql` (placeholders `$1…`) with `args`, mapping the rows to orders.
pub(super) async fn fetch_orders(
    pool: &sqlx::PgPool,
    sql: &str,
    args: &[Arg],
) -> CoreResult<Vec<Order>> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Arg::Text(t) => q.bind(t.clone()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    let rows = q.fetch_all(pool).await?;
    rows.iter().map(order_from_row).collect()
}
