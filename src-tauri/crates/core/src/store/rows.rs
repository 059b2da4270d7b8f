//! Row mapping: SQLite rows into the store's types, and the shared SELECT.

use super::{AuditEntry, BalanceReading, Order, OrderEvent, Profile, SqliteStore};
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, CoreResult};
use crate::gateway::GatewayConfig;
use sqlx::Row;
use std::collections::BTreeMap;

macro_rules! order_columns {
    () => {
        "SELECT o.*, p.id AS profile_id, p.name AS profile_name, p.provider AS provider, p.sandbox AS sandbox"
    };
}

pub(super) use order_columns;

pub(super) const ORDER_SELECT: &str = concat!(
    order_columns!(),
    " FROM orders o JOIN profiles p ON p.pk = o.profile_pk"
);

/// Open orders, word for word the WHERE of the partial indexes `orders_open`
/// and `orders_profile_open` (migration 0004): SQLite uses a partial index
/// only for a query that repeats its condition.
/// The second term keeps out the maker-checker statuses (team mode): an
/// order awaiting approval was never sent, a rejected one is final. A term of
/// its own, so the first still matches the partial indexes' WHERE.
pub(crate) const OPEN_ORDERS: &str = " AND o.status NOT IN ('succeeded', 'failed') AND o.status NOT IN ('awaiting_approval', 'rejected')";

/// Form values that have a column of their own (named alike), each with its
/// second source: `payee_name` is the payee's or else the payer's name.
pub(super) const COLUMN_FIELDS: [(&str, Option<&str>); 4] = [
    ("channel", None),
    ("payee_name", Some("payer_name")),
    ("account_no", Some("payer_account_no")),
    ("bank_name", Some("bank_code")),
];

/// `Order::fields` from the stored values and the columns: a column's value
/// under its own key, unless that key was stored, or the column came from
/// its second source (stored, with the same value). The inverse of
/// orders.rs's `stored_fields`; rows written before schema v2 hold every
/// key already.
fn restore_fields<R: Cols>(r: &R) -> CoreResult<BTreeMap<String, String>> {
    let mut fields: BTreeMap<String, String> = json_or_default(r.text("fields")?);
    for (key, second) in COLUMN_FIELDS {
        if let Some(v) = r.text(key)? {
            let from_second = second.is_some_and(|s| fields.get(s) == Some(&v));
            if !fields.contains_key(key) && !from_second {
                fields.insert(key.to_string(), v);
            }
        }
    }
    Ok(fields)
}

pub(super) fn json_or_default<T: serde::de::DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// A result row of either engine (sqlx's SQLite or PostgreSQL row, or the
/// reader's connection for look-ups), read by column name: the one mapping
/// of each entity is written over this. Flags are INTEGER 0/1 on SQLite and
/// BOOLEAN on PostgreSQL; `int` reads both.
pub(crate) trait Cols {
    fn text(&self, col: &str) -> CoreResult<Option<String>>;
    fn int(&self, col: &str) -> CoreResult<Option<i64>>;

    /// A NOT NULL text column.
    fn req_text(&self, col: &str) -> CoreResult<String> {
        need(self.text(col)?, col)
    }
    /// A NOT NULL integer column.
    fn req_int(&self, col: &str) -> CoreResult<i64> {
        need(self.int(col)?, col)
    }
    fn flag(&self, col: &str) -> CoreResult<bool> {
        Ok(self.req_int(col)? != 0)
    }
}

impl Cols for sqlx::sqlite::SqliteRow {
    fn text(&self, col: &str) -> CoreResult<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> CoreResult<Option<i64>> {
        Ok(self.try_get(col)?)
    }
}

fn need<T>(v: Option<T>, col: &str) -> CoreResult<T> {
    v.ok_or_else(|| CoreError::Storage(format!("{col} is NULL")))
}

pub(crate) fn order_from<R: Cols>(r: &R) -> CoreResult<Order> {
    let text = |c: &str| r.req_text(c);
    let int = |c: &str| r.req_int(c);
    let provider = text("provider")?;
    let kind = text("kind")?;
    let status = text("status")?;
    Ok(Order {
        id: int("id")?,
        profile_id: text("profile_id")?,
        profile: text("profile_name")?,
        provider: ProviderKind::parse(&provider)
            .ok_or_else(|| CoreError::Storage(format!("bad provider {provider}")))?,
        sandbox: int("sandbox")? != 0,
        order_no: text("order_no")?,
        kind: OrderKind::parse(&kind)
            .ok_or_else(|| CoreError::Storage(format!("bad kind {kind}")))?,
        amount_fen: int("amount_fen")?,
        channel: r.text("channel")?,
        payee_name: r.text("payee_name")?,
        account_no: r.text("account_no")?,
        bank_name: r.text("bank_name")?,
        fields: restore_fields(r)?,
        status: OrderStatus::parse(&status)
            .ok_or_else(|| CoreError::Storage(format!("bad status {status}")))?,
        provider_status: r.text("provider_status")?,
        provider_message: r.text("provider_message")?,
        provider_order_id: r.text("provider_order_id")?,
        pay_url: r.text("pay_url")?,
        card: r.text("card")?.and_then(|c| serde_json::from_str(&c).ok()),
        extra: json_or_default(r.text("extra")?),
        message: r.text("message")?,
        created_by: r.text("created_by")?,
        created_at: int("created_at")?,
        updated_at: int("updated_at")?,
    })
}

pub(super) fn profile_from<R: Cols>(r: &R) -> CoreResult<Profile> {
    let provider = r.req_text("provider")?;
    Ok(Profile {
        id: r.req_text("id")?,
        name: r.req_text("name")?,
        provider: ProviderKind::parse(&provider)
            .ok_or_else(|| CoreError::Storage(format!("bad provider {provider}")))?,
        gateway: GatewayConfig {
            base_url: r.req_text("base_url")?,
            merchant_id: r.req_text("merchant_id")?,
            app_id: r.text("app_id")?,
            operator_id: r.text("operator_id")?,
            notify_url: r.text("notify_url")?,
            return_url: r.text("return_url")?,
        },
        has_reply_secret: r.flag("has_reply_secret")?,
        sandbox: r.flag("sandbox")?,
        low_balance_fen: r.int("low_balance_fen")?,
        approval_threshold_fen: r.int("approval_threshold_fen")?,
        created_at: r.req_int("created_at")?,
        updated_at: r.req_int("updated_at")?,
    })
}

pub(super) fn event_from<R: Cols>(r: &R) -> CoreResult<OrderEvent> {
    let status = r.req_text("status")?;
    Ok(OrderEvent {
        id: r.req_int("id")?,
        order_id: r.req_int("order_id")?,
        at: r.req_int("at")?,
        action: r.req_text("action")?,
        status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Unknown),
        provider_status: r.text("provider_status")?,
        provider_message: r.text("provider_message")?,
        message: r.text("message")?,
        error_code: r.text("error_code")?,
        exchanges: json_or_default(r.text("exchanges")?),
    })
}

pub(super) fn audit_from<R: Cols>(r: &R) -> CoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: r.req_int("id")?,
        at: r.req_int("at")?,
        os_user: r.req_text("os_user")?,
        action: r.req_text("action")?,
        target: r.text("target")?,
        detail: r.text("detail")?,
    })
}

pub(super) fn balance_from<R: Cols>(r: &R) -> CoreResult<BalanceReading> {
    Ok(BalanceReading {
        profile_id: r.req_text("profile_id")?,
        at: r.req_int("at")?,
        balance_fen: r.req_int("balance_fen")?,
        details: json_or_default(r.text("details")?),
    })
}

#[derive(Clone)]
pub(super) enum Arg {
    Text(String),
    Int(i64),
}

impl SqliteStore {
    pub(super) async fn fetch_orders(&self, sql: &str, args: &[Arg]) -> CoreResult<Vec<Order>> {
        let mut q = sqlx::query(sql);
        for a in args {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(order_from).collect()
    }
}

// The store is where sqlx errors arise; their conversion lives here so that
// `error.rs` depends on nothing in the crate.
impl From<sqlx::Error> for CoreError {
    fn from(e: sqlx::Error) -> Self {
        // sqlx errors never carry secrets: secrets are not stored in SQLite.
        CoreError::Storage(crate::tr!("数据库错误：{}", "database error: {}", e))
    }
}

impl From<sqlx::migrate::MigrateError> for CoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        CoreError::Storage(crate::tr!(
            "数据库迁移失败：{}",
            "database migration failed: {}",
            e
        ))
    }
}
