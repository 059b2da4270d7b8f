//! The order store: one SQLite file through sqlx, migrations at open, WAL and a
//! busy timeout so the app and the CLI can write at once.

use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, CoreResult};
use crate::gateway::{CardInfo, Exchange};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

// Kept here so existing `store::now_ms` callers keep compiling; the clock is `crate::time`.
pub use crate::time::{format_time_ms, now_ms, shanghai};

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// One writer at a time within this process. SQLite allows one anyway;
    /// without this, concurrent writers meet in SQLite's busy handler, which
    /// sleeps in steps of up to 100 ms, instead of queueing here. Other
    /// processes (the CLI beside the app) still meet the busy timeout.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub provider: ProviderKind,
    pub base_url: String,
    pub merchant_id: String,
    pub app_id: Option<String>,
    pub operator_id: Option<String>,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
    pub has_reply_secret: bool,
    pub sandbox: bool,
    pub low_balance_fen: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Order {
    pub id: i64,
    pub profile_id: String,
    pub profile: String,
    pub provider: ProviderKind,
    pub sandbox: bool,
    pub order_no: String,
    pub kind: OrderKind,
    pub amount_fen: i64,
    pub channel: Option<String>,
    pub payee_name: Option<String>,
    pub account_no: Option<String>,
    pub bank_name: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub status: OrderStatus,
    pub provider_status: Option<String>,
    pub provider_message: Option<String>,
    pub provider_order_id: Option<String>,
    pub pay_url: Option<String>,
    pub card: Option<CardInfo>,
    pub extra: BTreeMap<String, String>,
    pub message: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderEvent {
    pub id: i64,
    pub order_id: i64,
    pub at: i64,
    pub action: String,
    pub status: OrderStatus,
    pub provider_status: Option<String>,
    pub provider_message: Option<String>,
    pub message: Option<String>,
    pub error_code: Option<String>,
    pub exchanges: Vec<Exchange>,
}

/// A new order row, written before its request leaves.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub profile_id: String,
    pub order_no: String,
    pub kind: OrderKind,
    pub amount_fen: i64,
    pub fields: BTreeMap<String, String>,
    pub status: OrderStatus,
    pub message: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

/// What a gateway said about an order, to be stored.
#[derive(Debug, Clone, Default)]
pub struct OrderUpdate {
    pub status: Option<OrderStatus>,
    pub provider_status: Option<String>,
    pub provider_message: Option<String>,
    pub provider_order_id: Option<String>,
    pub pay_url: Option<String>,
    pub card: Option<CardInfo>,
    pub extra: Option<BTreeMap<String, String>>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderFilter {
    pub profile: Option<String>,
    pub kind: Option<OrderKind>,
    pub status: Option<OrderStatus>,
    /// Unix ms, inclusive.
    pub from_ms: Option<i64>,
    /// Unix ms, exclusive.
    pub to_ms: Option<i64>,
    /// Order number prefix, gateway order id prefix, or payee name prefix.
    pub search: Option<String>,
    /// Keyset cursor: the `(created_at, id)` of the last row of the previous page.
    pub after: Option<(i64, i64)>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderPage {
    pub orders: Vec<Order>,
    /// Cursor for the next page, when there is one.
    pub next: Option<(i64, i64)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BalanceReading {
    pub profile_id: String,
    pub at: i64,
    pub balance_fen: i64,
    pub details: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub os_user: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
}

macro_rules! order_columns {
    () => {
        "SELECT o.*, p.name AS profile_name, p.provider AS provider, p.sandbox AS sandbox"
    };
}

const ORDER_SELECT: &str = concat!(
    order_columns!(),
    " FROM orders o JOIN profiles p ON p.id = o.profile_id"
);

/// Whole orders for the ids `sub` yields, in its order, that pass `filter`,
/// at most a page (binds: `sub`'s, `filter`'s, the limit). The CROSS JOIN keeps
/// the subquery SQLite's outer loop, so reading stops once the page is full.
fn streamed(sub: &str, filter: &str) -> String {
    format!(
        "{} FROM ({sub}) AS m CROSS JOIN orders o ON o.id = m.id JOIN profiles p ON p.id = o.profile_id WHERE 1=1{filter} LIMIT ?",
        order_columns!()
    )
}

/// A search whose prefix matches at most this many rows is answered from the
/// prefix indexes (read them all, keep the filtered, newest first); above it,
/// the history is walked newest first and each row tested, which fills a page
/// within about `limit × total / matches` rows. Either way a page reads a few
/// thousand index entries at most, at any history size.
const SEARCH_CANDIDATES: i64 = 5_000;

/// Characters of an order number in the bucket of migration 0003: our
/// generated numbers' PD + kind + yyMM, a month of one kind.
const ORDER_NO_BUCKET: usize = 7;

/// At most this many buckets are read one by one for a term shorter than a
/// bucket (two kinds × 24 months of generated numbers fit).
const ORDER_NO_BUCKETS_MAX: i64 = 64;

/// Rows of the filtered history a search with many matches tests before it
/// turns to the prefix indexes.
const SEARCH_SCAN: i64 = 2_000;

/// How many rows match the prefix in each column (order number, payee,
/// gateway order id), each counted up to a cap (binds: prefix, cap, three times).
const SEARCH_COUNT: &str = "SELECT (SELECT count(*) FROM (SELECT 1 FROM orders WHERE order_no LIKE ? ESCAPE '\\' LIMIT ?)), (SELECT count(*) FROM (SELECT 1 FROM orders WHERE payee_name LIKE ? ESCAPE '\\' LIMIT ?)), (SELECT count(*) FROM (SELECT 1 FROM orders WHERE provider_order_id IS NOT NULL AND provider_order_id LIKE ? ESCAPE '\\' LIMIT ?))";

fn json_or_default<T: serde::de::DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

fn order_from_row(r: &sqlx::sqlite::SqliteRow) -> CoreResult<Order> {
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

fn profile_from_row(r: &sqlx::sqlite::SqliteRow) -> CoreResult<Profile> {
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

impl Store {
    /// Open (creating if needed) `paydesk.db` in `data_dir` and migrate it.
    pub async fn open(data_dir: &Path) -> CoreResult<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            CoreError::Storage(crate::tr!(
                "无法创建数据目录 {}：{}",
                "cannot create the data directory {}: {}",
                data_dir.display(),
                e
            ))
        })?;
        Store::open_file(&data_dir.join("paydesk.db")).await
    }

    pub async fn open_file(path: &Path) -> CoreResult<Store> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A ping before every query doubles the round trips to SQLite's
            // worker thread; a broken local file shows up on the query itself.
            .test_before_acquire(false)
            .connect_with(opts)
            .await?;
        refuse_newer(&pool).await?;
        migrate(&pool).await?;
        Ok(Store {
            pool,
            writer: Default::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    // ---- profiles

    pub async fn insert_profile(&self, p: &Profile) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        let r = sqlx::query(
            "INSERT INTO profiles (id, name, provider, base_url, merchant_id, app_id, operator_id, notify_url, return_url, has_reply_secret, sandbox, low_balance_fen, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(p.provider.as_str())
        .bind(&p.base_url)
        .bind(&p.merchant_id)
        .bind(&p.app_id)
        .bind(&p.operator_id)
        .bind(&p.notify_url)
        .bind(&p.return_url)
        .bind(p.has_reply_secret as i64)
        .bind(p.sandbox as i64)
        .bind(p.low_balance_fen)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(&self.pool)
        .await;
        profile_write_result(r, &p.name)
    }

    pub async fn update_profile(&self, p: &Profile) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        let r = sqlx::query(
            "UPDATE profiles SET name=?, base_url=?, merchant_id=?, app_id=?, operator_id=?, notify_url=?, return_url=?, has_reply_secret=?, low_balance_fen=?, updated_at=? WHERE id=? AND removed_at IS NULL",
        )
        .bind(&p.name)
        .bind(&p.base_url)
        .bind(&p.merchant_id)
        .bind(&p.app_id)
        .bind(&p.operator_id)
        .bind(&p.notify_url)
        .bind(&p.return_url)
        .bind(p.has_reply_secret as i64)
        .bind(p.low_balance_fen)
        .bind(p.updated_at)
        .bind(&p.id)
        .execute(&self.pool)
        .await;
        profile_write_result(r, &p.name)
    }

    pub async fn profiles(&self) -> CoreResult<Vec<Profile>> {
        let rows =
            sqlx::query("SELECT * FROM profiles WHERE removed_at IS NULL ORDER BY sandbox, name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(profile_from_row).collect()
    }

    /// A live profile by name (or by id).
    pub async fn profile(&self, name_or_id: &str) -> CoreResult<Profile> {
        let row = sqlx::query("SELECT * FROM profiles WHERE removed_at IS NULL AND (name = ? OR id = ?) ORDER BY name = ? DESC LIMIT 1")
            .bind(name_or_id)
            .bind(name_or_id)
            .bind(name_or_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => profile_from_row(&r),
            None => Err(CoreError::NotFound(crate::tr!(
                "没有名为“{}”的商户配置",
                "no profile named “{}”",
                name_or_id
            ))),
        }
    }

    pub async fn remove_profile(&self, id: &str, at: i64) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        sqlx::query("UPDATE profiles SET removed_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- orders

    /// Insert a new order row. `Conflict` if the profile already has the number.
    pub async fn insert_order(&self, o: &NewOrder) -> CoreResult<i64> {
        let _writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let id = insert_order_in(&mut tx, o).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Insert a new order row and its audit-log entry in one transaction, so
    /// neither exists without the other (and a create costs one commit less).
    pub async fn insert_order_audited(
        &self,
        o: &NewOrder,
        os_user: &str,
        action: &str,
        detail: Option<&str>,
    ) -> CoreResult<i64> {
        let _writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let id = insert_order_in(&mut tx, o).await?;
        audit_in(&mut tx, os_user, action, Some(&o.order_no), detail).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Insert many new order rows (each with its `create` event) in one
    /// transaction: all or none. `Conflict` if any number is already taken.
    /// Returns the ids in the order given.
    pub async fn insert_orders_batch(&self, orders: &[NewOrder]) -> CoreResult<Vec<i64>> {
        let _writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(orders.len());
        for o in orders {
            ids.push(insert_order_in(&mut tx, o).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Apply an update and record it as an event (with the masked exchanges).
    pub async fn update_order(
        &self,
        id: i64,
        action: &str,
        u: &OrderUpdate,
        error_code: Option<&str>,
        exchanges: &[Exchange],
        at: i64,
    ) -> CoreResult<Order> {
        let writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let card = u
            .card
            .as_ref()
            .map(|c| serde_json::to_string(c).unwrap_or_default());
        let extra = u
            .extra
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default());
        // RETURNING: one round trip less while holding the write lock.
        let status: String = sqlx::query_scalar(
            "UPDATE orders SET status = COALESCE(?, status), provider_status = COALESCE(?, provider_status), provider_message = COALESCE(?, provider_message), provider_order_id = COALESCE(?, provider_order_id), pay_url = COALESCE(?, pay_url), card = COALESCE(?, card), extra = COALESCE(?, extra), message = ?, updated_at = ? WHERE id = ? RETURNING status",
        )
        .bind(u.status.map(|s| s.as_str()))
        .bind(&u.provider_status)
        .bind(&u.provider_message)
        .bind(&u.provider_order_id)
        .bind(&u.pay_url)
        .bind(card)
        .bind(extra)
        .bind(&u.message)
        .bind(at)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO order_events (order_id, at, action, status, provider_status, provider_message, message, error_code, exchanges) VALUES (?,?,?,?,?,?,?,?,?)")
            .bind(id)
            .bind(at)
            .bind(action)
            .bind(&status)
            .bind(&u.provider_status)
            .bind(&u.provider_message)
            .bind(&u.message)
            .bind(error_code)
            .bind(serde_json::to_string(exchanges).unwrap_or_else(|_| "[]".into()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        drop(writing);
        self.order(id).await
    }

    pub async fn order(&self, id: i64) -> CoreResult<Order> {
        let row = sqlx::query(&format!("{ORDER_SELECT} WHERE o.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => order_from_row(&r),
            None => Err(CoreError::NotFound(crate::tr!(
                "订单不存在",
                "no such order"
            ))),
        }
    }

    /// Orders whose merchant order number or gateway order id is `no`, across
    /// all profiles (or one).
    pub async fn find_orders(&self, no: &str, profile_id: Option<&str>) -> CoreResult<Vec<Order>> {
        let sql = format!(
            // An OR of the two equalities: SQLite probes both indexes (a
            // multi-index OR) without the temp table an IN (… UNION …) needs.
            "{ORDER_SELECT} WHERE (o.order_no = ?1 OR o.provider_order_id = ?1) AND (?2 IS NULL OR o.profile_id = ?2) ORDER BY o.created_at DESC, o.id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(no.trim())
            .bind(profile_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from_row).collect()
    }

    pub async fn open_orders(&self) -> CoreResult<Vec<Order>> {
        let rows = sqlx::query(&format!("{ORDER_SELECT} WHERE o.status NOT IN ('succeeded','failed') ORDER BY o.created_at, o.id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from_row).collect()
    }

    pub async fn list_orders(&self, f: &OrderFilter) -> CoreResult<OrderPage> {
        let limit = f.limit.unwrap_or(50).clamp(1, 1000) as i64;
        // Conditions on `o` (the orders row) that every plan applies.
        let mut cond = String::new();
        let mut args: Vec<Arg> = Vec::new();
        // The time conditions alone, on bare columns: the prefix indexes hold
        // created_at (and the rowid), so a search applies them index-only.
        // The unary `+` keeps the planner on the prefix index: on a time index
        // it would read every row of the period to test the prefix.
        let mut tcond = String::new();
        let mut targs: Vec<Arg> = Vec::new();
        // The same on the order-number bucket index, where created_at follows
        // the bucket and so can bound the range: no `+` there.
        let mut bcond = String::new();
        let row_filters = f.profile.is_some() || f.kind.is_some() || f.status.is_some();
        if let Some(p) = &f.profile {
            let prof = self.profile_any(p).await?;
            cond.push_str(" AND o.profile_id = ?");
            args.push(Arg::Text(prof));
        }
        if let Some(k) = f.kind {
            cond.push_str(" AND o.kind = ?");
            args.push(Arg::Text(k.as_str().into()));
        }
        if let Some(s) = f.status {
            cond.push_str(" AND o.status = ?");
            args.push(Arg::Text(s.as_str().into()));
        }
        if let Some(from) = f.from_ms {
            cond.push_str(" AND o.created_at >= ?");
            args.push(Arg::Int(from));
            tcond.push_str(" AND +created_at >= ?");
            bcond.push_str(" AND created_at >= ?");
            targs.push(Arg::Int(from));
        }
        // One upper time bound: SQLite bounds an index range by only one of
        // two (`< to` and the cursor's `<= at`), so the tighter is kept.
        let after = match (f.to_ms, f.after) {
            (Some(to), Some((at, _))) if to <= at => None,
            (_, after) => after,
        };
        if let (Some(to), None) = (f.to_ms, after) {
            cond.push_str(" AND o.created_at < ?");
            args.push(Arg::Int(to));
            tcond.push_str(" AND +created_at < ?");
            bcond.push_str(" AND created_at < ?");
            targs.push(Arg::Int(to));
        }
        if let Some((at, id)) = after {
            // The first term bounds the index range; the second only breaks
            // ties within one millisecond (an OR alone would scan from the top).
            cond.push_str(" AND o.created_at <= ? AND (o.created_at < ? OR o.id < ?)");
            args.push(Arg::Int(at));
            args.push(Arg::Int(at));
            args.push(Arg::Int(id));
            tcond.push_str(" AND +created_at <= ? AND (created_at < ? OR id < ?)");
            bcond.push_str(" AND created_at <= ? AND (created_at < ? OR id < ?)");
            targs.extend([Arg::Int(at), Arg::Int(at), Arg::Int(id)]);
        }
        let term = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let search = term.map(|q| {
            // A prefix: escape LIKE's wildcards.
            format!(
                "{}%",
                q.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
        // The search plans below stream rows newest first: a CROSS JOIN keeps
        // the time-ordered subquery as SQLite's outer loop, so the LIMIT stops
        // reading after a page (an outer ORDER BY would make SQLite read every
        // candidate row to sort them). The order is restated here.
        let page = |mut orders: Vec<Order>| {
            orders.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
            let next = if orders.len() as i64 > limit {
                orders.truncate(limit as usize);
                orders.last().map(|o| (o.created_at, o.id))
            } else {
                None
            };
            OrderPage { orders, next }
        };
        let Some(pat) = search else {
            let sql = format!(
                "{ORDER_SELECT} WHERE 1=1{cond} ORDER BY o.created_at DESC, o.id DESC LIMIT ?"
            );
            args.push(Arg::Int(limit + 1));
            return Ok(page(self.fetch_orders(&sql, &args).await?));
        };
        let term = term.unwrap_or_default();
        let counts = self.search_counts(&pat).await?;
        let few = counts.iter().sum::<i64>() <= SEARCH_CANDIDATES;
        // Many order numbers but few of the rest: the order numbers can be read
        // newest first from the bucket index (migration 0003).
        let many_numbers =
            counts[0] > SEARCH_CANDIDATES && counts[1] + counts[2] <= SEARCH_CANDIDATES;
        // Then they are read bucket by bucket, newest first, and testing the
        // recent rows first would be wasted. A term of a bucket's length or
        // more names one bucket; a shorter one (`PDP24`, a year) spans several.
        let buckets = match many_numbers {
            false => None,
            true if term.chars().count() >= ORDER_NO_BUCKET => Some(vec![(
                term.chars().take(ORDER_NO_BUCKET).collect(),
                i64::MAX,
            )]),
            true => self.order_no_buckets(term).await?,
        };
        if !few && buckets.is_none() {
            // Many rows match: test the newest SEARCH_SCAN rows of the filtered
            // history, newest first; that fills a page unless the matches are
            // rare there (or bunched elsewhere in time, as order numbers are).
            // The unary `+` keeps the planner off the prefix indexes here.
            let sql = streamed(
                &format!("SELECT o.id FROM orders o WHERE 1=1{cond} ORDER BY o.created_at DESC, o.id DESC LIMIT ?"),
                " AND (+o.order_no LIKE ? ESCAPE '\\' OR +o.payee_name LIKE ? ESCAPE '\\' OR +o.provider_order_id LIKE ? ESCAPE '\\')",
            );
            let mut binds: Vec<Arg> = args.to_vec();
            binds.push(Arg::Int(SEARCH_SCAN));
            binds.extend((0..3).map(|_| Arg::Text(pat.clone())));
            binds.push(Arg::Int(limit + 1));
            let orders = self.fetch_orders(&sql, &binds).await?;
            if orders.len() as i64 > limit {
                return Ok(page(orders));
            }
        }
        // Every match, newest first, from the prefix indexes alone (they hold
        // created_at); rows are read in that order only until the filters have
        // passed a page. Without row filters every match qualifies, so each
        // column needs only its newest page (a top-N sort, not a full one).
        let per_column = if row_filters { -1 } else { limit + 1 };
        let branch = |col: &str| {
            let not_null = if col == "provider_order_id" {
                " AND provider_order_id IS NOT NULL"
            } else {
                ""
            };
            format!("SELECT id, created_at FROM (SELECT id, created_at FROM orders WHERE {col} LIKE ? ESCAPE '\\'{not_null}{tcond} ORDER BY created_at DESC, id DESC LIMIT ?)")
        };
        let union = |branches: &[&str]| {
            let list: Vec<String> = branches.iter().map(|c| branch(c)).collect();
            streamed(
                &format!(
                    "{} ORDER BY created_at DESC, id DESC LIMIT -1",
                    list.join(" UNION ")
                ),
                &cond,
            )
        };
        let binds_for = |n: usize| {
            let mut binds: Vec<Arg> = Vec::new();
            for _ in 0..n {
                binds.push(Arg::Text(pat.clone()));
                binds.extend(targs.iter().cloned());
                binds.push(Arg::Int(per_column));
            }
            binds.extend(args.iter().cloned());
            binds.push(Arg::Int(limit + 1));
            binds
        };
        let Some(mut buckets) = buckets else {
            let sql = union(&["order_no", "payee_name", "provider_order_id"]);
            return Ok(page(self.fetch_orders(&sql, &binds_for(3)).await?));
        };
        // Order numbers bucket by bucket, the bucket with the newest order
        // first, each read newest first only until the filters pass a page
        // (the LIMIT keeps the subquery a co-routine: flattened, SQLite would
        // walk the index oldest first). Buckets whose newest order is older
        // than a full page are never read. A compound SELECT would re-sort
        // the buckets' rows, so the other two columns are one more query and
        // the pages are merged here.
        let sql = streamed(
            &format!("SELECT id, created_at FROM orders INDEXED BY orders_order_no_bucket WHERE substr(order_no, 1, {ORDER_NO_BUCKET}) = ? COLLATE NOCASE AND order_no LIKE ? ESCAPE '\\'{bcond} ORDER BY created_at DESC, id DESC LIMIT -1"),
            &cond,
        );
        buckets.sort_by_key(|(_, newest)| std::cmp::Reverse(*newest));
        let mut orders: Vec<Order> = Vec::new();
        for (b, newest) in buckets {
            if orders.len() as i64 > limit {
                orders.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
                orders.truncate(limit as usize + 1);
                if newest < orders[limit as usize].created_at {
                    break;
                }
            }
            let mut binds = vec![Arg::Text(b), Arg::Text(pat.clone())];
            binds.extend(targs.iter().cloned());
            binds.extend(args.iter().cloned());
            binds.push(Arg::Int(limit + 1));
            orders.extend(self.fetch_orders(&sql, &binds).await?);
        }
        let sql = union(&["payee_name", "provider_order_id"]);
        orders.extend(self.fetch_orders(&sql, &binds_for(2)).await?);
        // A row matching in two columns is one result.
        orders.sort_by_key(|o| o.id);
        orders.dedup_by_key(|o| o.id);
        Ok(page(orders))
    }

    /// The order-number buckets a term shorter than a bucket spans, each with
    /// its newest order's time, in one statement: a recursive query seeks
    /// from bucket to bucket on the index (a skip scan). None when there are
    /// more than `ORDER_NO_BUCKETS_MAX` (a term like `1` in random numbers).
    async fn order_no_buckets(&self, term: &str) -> CoreResult<Option<Vec<(String, i64)>>> {
        let key = format!("substr(order_no, 1, {ORDER_NO_BUCKET})");
        // Every string that starts with the term sorts below term + U+10FFFF.
        let hi = format!("{term}\u{10FFFF}");
        let sql = format!(
            "WITH RECURSIVE b(v) AS (\
               SELECT (SELECT {key} FROM orders INDEXED BY orders_order_no_bucket WHERE {key} >= ?1 COLLATE NOCASE AND {key} < ?2 COLLATE NOCASE ORDER BY {key} COLLATE NOCASE LIMIT 1) \
               UNION ALL \
               SELECT (SELECT {key} FROM orders INDEXED BY orders_order_no_bucket WHERE {key} > b.v COLLATE NOCASE AND {key} < ?2 COLLATE NOCASE ORDER BY {key} COLLATE NOCASE LIMIT 1) FROM b WHERE b.v IS NOT NULL LIMIT ?3) \
             SELECT v, (SELECT max(created_at) FROM orders INDEXED BY orders_order_no_bucket WHERE {key} = b.v COLLATE NOCASE) FROM b WHERE v IS NOT NULL"
        );
        let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
            .bind(term)
            .bind(hi)
            .bind(ORDER_NO_BUCKETS_MAX + 2)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows.len() as i64 <= ORDER_NO_BUCKETS_MAX).then_some(rows))
    }

    async fn fetch_orders(&self, sql: &str, args: &[Arg]) -> CoreResult<Vec<Order>> {
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

    /// Rows matching the search prefix in each column, each counted up to
    /// `SEARCH_CANDIDATES + 1` on the prefix indexes alone.
    async fn search_counts(&self, pat: &str) -> CoreResult<[i64; 3]> {
        let cap = SEARCH_CANDIDATES + 1;
        let (a, b, c): (i64, i64, i64) = sqlx::query_as(SEARCH_COUNT)
            .bind(pat)
            .bind(cap)
            .bind(pat)
            .bind(cap)
            .bind(pat)
            .bind(cap)
            .fetch_one(&self.pool)
            .await?;
        Ok([a, b, c])
    }

    /// Profile id by name or id, including removed ones (history stays findable).
    async fn profile_any(&self, name_or_id: &str) -> CoreResult<String> {
        let id: Option<String> = sqlx::query_scalar("SELECT id FROM profiles WHERE name = ? OR id = ? ORDER BY removed_at IS NULL DESC LIMIT 1")
            .bind(name_or_id)
            .bind(name_or_id)
            .fetch_optional(&self.pool)
            .await?;
        id.ok_or_else(|| {
            CoreError::NotFound(crate::tr!(
                "没有名为“{}”的商户配置",
                "no profile named “{}”",
                name_or_id
            ))
        })
    }

    pub async fn order_events(&self, order_id: i64) -> CoreResult<Vec<OrderEvent>> {
        let rows = sqlx::query("SELECT * FROM order_events WHERE order_id = ? ORDER BY id")
            .bind(order_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                let ex: String = r.try_get("exchanges")?;
                Ok(OrderEvent {
                    id: r.try_get("id")?,
                    order_id: r.try_get("order_id")?,
                    at: r.try_get("at")?,
                    action: r.try_get("action")?,
                    status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Unknown),
                    provider_status: r.try_get("provider_status")?,
                    provider_message: r.try_get("provider_message")?,
                    message: r.try_get("message")?,
                    error_code: r.try_get("error_code")?,
                    exchanges: serde_json::from_str(&ex).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Sum of amounts of a profile's orders of a kind created in [from, to) that
    /// have not failed (for per-day limits).
    pub async fn sum_amount(
        &self,
        profile_id: &str,
        kind: OrderKind,
        from_ms: i64,
        to_ms: i64,
    ) -> CoreResult<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT SUM(amount_fen) FROM orders WHERE profile_id = ? AND kind = ? AND created_at >= ? AND created_at < ? AND status != 'failed'")
            .bind(profile_id)
            .bind(kind.as_str())
            .bind(from_ms)
            .bind(to_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }

    // ---- balances

    pub async fn insert_balance(&self, b: &BalanceReading) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        sqlx::query(
            "INSERT INTO balance_readings (profile_id, at, balance_fen, details) VALUES (?,?,?,?)",
        )
        .bind(&b.profile_id)
        .bind(b.at)
        .bind(b.balance_fen)
        .bind(serde_json::to_string(&b.details).unwrap_or_else(|_| "{}".into()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest readings of a profile, newest first.
    pub async fn balance_history(
        &self,
        profile_id: &str,
        limit: u32,
    ) -> CoreResult<Vec<BalanceReading>> {
        let rows = sqlx::query(
            "SELECT * FROM balance_readings WHERE profile_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(profile_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BalanceReading {
                    profile_id: r.try_get("profile_id")?,
                    at: r.try_get("at")?,
                    balance_fen: r.try_get("balance_fen")?,
                    details: json_or_default(r.try_get("details")?),
                })
            })
            .collect()
    }

    // ---- audit

    pub async fn audit(
        &self,
        os_user: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        let mut conn = self.pool.acquire().await?;
        audit_in(&mut conn, os_user, action, target, detail).await
    }

    pub async fn audit_entries(&self, limit: u32) -> CoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?")
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    os_user: r.try_get("os_user")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    // ---- settings

    pub async fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// An audit-log entry, on the caller's connection (or in its transaction).
async fn audit_in(
    conn: &mut SqliteConnection,
    os_user: &str,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
) -> CoreResult<()> {
    sqlx::query("INSERT INTO audit_log (at, os_user, action, target, detail) VALUES (?,?,?,?,?)")
        .bind(now_ms())
        .bind(os_user)
        .bind(action)
        .bind(target)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

/// The order row and its `create` event, inside the caller's transaction.
async fn insert_order_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    o: &NewOrder,
) -> CoreResult<i64> {
    let fields =
        serde_json::to_string(&o.fields).map_err(|e| CoreError::Internal(e.to_string()))?;
    let r = sqlx::query(
        "INSERT INTO orders (profile_id, order_no, kind, amount_fen, channel, payee_name, account_no, bank_name, fields, status, message, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    )
    .bind(&o.profile_id)
    .bind(&o.order_no)
    .bind(o.kind.as_str())
    .bind(o.amount_fen)
    .bind(o.fields.get("channel"))
    .bind(o.fields.get("payee_name").or(o.fields.get("payer_name")))
    .bind(o.fields.get("account_no").or(o.fields.get("payer_account_no")))
    .bind(o.fields.get("bank_name").or(o.fields.get("bank_code")))
    .bind(&fields)
    .bind(o.status.as_str())
    .bind(&o.message)
    .bind(&o.created_by)
    .bind(o.created_at)
    .bind(o.created_at)
    .execute(&mut **tx)
    .await;
    let id = match r {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Err(CoreError::Conflict(crate::tr!(
                "商户订单号 {} 已存在，不能重复下单",
                "merchant order number {} already exists; an order is never sent twice",
                o.order_no
            )))
        }
        Err(e) => return Err(e.into()),
        Ok(r) => r.last_insert_rowid(),
    };
    sqlx::query(
        "INSERT INTO order_events (order_id, at, action, status, message) VALUES (?,?,?,?,?)",
    )
    .bind(id)
    .bind(o.created_at)
    .bind("create")
    .bind(o.status.as_str())
    .bind(&o.message)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A profile write's result, with a taken name reported as a conflict.
fn profile_write_result(
    r: Result<sqlx::sqlite::SqliteQueryResult, sqlx::Error>,
    name: &str,
) -> CoreResult<()> {
    match r {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            Err(CoreError::Conflict(crate::tr!(
                "已存在名为“{}”的商户配置",
                "a profile named “{}” already exists",
                name
            )))
        }
        Err(e) => Err(e.into()),
        Ok(_) => Ok(()),
    }
}

#[derive(Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

/// Apply pending migrations. When the app and a CLI (or two CLIs) open a new
/// or older database at the same moment, both see a migration as pending and
/// the second one's `CREATE TABLE` fails ("table profiles already exists";
/// found by tests/concurrency.rs). Each migration runs in a transaction, so
/// the loser can simply run again: it then finds the migration applied.
async fn migrate(pool: &SqlitePool) -> CoreResult<()> {
    let mut attempt = 0u64;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 5 => {
                attempt += 1;
                tracing::debug!(error = %e, attempt, "migration raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Refuse a database written by a newer PayDesk: its schema may mean things
/// this version does not know.
async fn refuse_newer(pool: &SqlitePool) -> CoreResult<()> {
    let exists: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await?;
    if exists.is_none() {
        return Ok(());
    }
    let max_db: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?;
    let max_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    if max_db.unwrap_or(0) > max_known {
        return Err(CoreError::Storage(crate::tr!(
            "该数据库由更新版本的 PayDesk 创建（架构版本 {}），请升级 PayDesk 后再打开",
            "this database was written by a newer PayDesk (schema {}); upgrade PayDesk to open it",
            max_db.unwrap_or(0)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(id: &str, name: &str) -> Profile {
        Profile {
            id: id.into(),
            name: name.into(),
            provider: ProviderKind::Jstpay,
            base_url: "http://127.0.0.1:1/jstpay".into(),
            merchant_id: "M".into(),
            app_id: None,
            operator_id: None,
            notify_url: None,
            return_url: None,
            has_reply_secret: false,
            sandbox: false,
            low_balance_fen: None,
            created_at: 1,
            updated_at: 1,
        }
    }

    fn new_order(pid: &str, no: &str, at: i64) -> NewOrder {
        NewOrder {
            profile_id: pid.into(),
            order_no: no.into(),
            kind: OrderKind::Payout,
            amount_fen: 10000,
            fields: [("payee_name".to_string(), "张三".to_string())].into(),
            status: OrderStatus::Unknown,
            message: None,
            created_by: "tester".into(),
            created_at: at,
        }
    }

    #[tokio::test]
    async fn orders_are_unique_per_profile_findable_and_paged() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        assert!(matches!(
            s.insert_profile(&profile("p3", "A")).await,
            Err(CoreError::Conflict(_))
        ));
        let id = s.insert_order(&new_order("p1", "NO1", 100)).await.unwrap();
        assert!(matches!(
            s.insert_order(&new_order("p1", "NO1", 101)).await,
            Err(CoreError::Conflict(_))
        ));
        s.insert_order(&new_order("p2", "NO1", 102)).await.unwrap();
        assert_eq!(s.find_orders("NO1", None).await.unwrap().len(), 2);
        let u = OrderUpdate {
            status: Some(OrderStatus::Pending),
            provider_order_id: Some("GW9".into()),
            ..Default::default()
        };
        let o = s
            .update_order(id, "create", &u, None, &[], 200)
            .await
            .unwrap();
        assert_eq!(o.status, OrderStatus::Pending);
        assert_eq!(s.find_orders("GW9", None).await.unwrap()[0].id, id);
        assert_eq!(s.order_events(id).await.unwrap().len(), 2);
        for i in 0..25 {
            s.insert_order(&new_order("p1", &format!("X{i:02}"), 1000 + i))
                .await
                .unwrap();
        }
        let mut f = OrderFilter {
            profile: Some("A".into()),
            limit: Some(10),
            ..Default::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = s.list_orders(&f).await.unwrap();
            seen.extend(page.orders.iter().map(|o| o.order_no.clone()));
            match page.next {
                Some(c) => f.after = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 26);
        assert_eq!(seen[0], "X24");
        let f = OrderFilter {
            search: Some("X1".into()),
            ..Default::default()
        };
        assert_eq!(s.list_orders(&f).await.unwrap().orders.len(), 10);
        let f = OrderFilter {
            search: Some("张".into()),
            profile: Some("B".into()),
            ..Default::default()
        };
        assert_eq!(s.list_orders(&f).await.unwrap().orders.len(), 1);
    }

    /// Every search plan (few matches, many matches spread over time, many
    /// matches bunched in the past) gives exactly the pages a brute-force
    /// filter of all rows gives, newest first, across keyset pages.
    #[tokio::test]
    async fn search_pages_match_a_brute_force_filter() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        let n = 14_000i64;
        let rows: Vec<NewOrder> = (0..n)
            .map(|i| {
                // The oldest 6,000 orders are numbered OLDTIME… (one bucket
                // of the bucket index), the next 5,500 OLDT006… to OLDT011…
                // (six buckets, interleaved in time), the newest 2,500 NEW…;
                // every 7th payee is 李, every 100th is 司马; times repeat
                // in pairs.
                let no = if i < 6_000 {
                    format!("OLDTIME{i:05}")
                } else if i < n - 2_500 {
                    format!("OLDT{:03}{i:05}", 6 + i % 6)
                } else {
                    format!("NEW{i:05}")
                };
                let mut o = new_order(if i % 3 == 0 { "p2" } else { "p1" }, &no, 1_000 + i / 2);
                // Every 1,000th payee looks like an order number: such rows
                // match a number search in two columns (old ones in both).
                let payee = if i % 1_000 == 1 {
                    "OldTime王"
                } else if i % 100 == 0 {
                    "司马懿"
                } else if i % 7 == 0 {
                    "李四"
                } else {
                    "张三"
                };
                o.fields.insert("payee_name".into(), payee.into());
                if i % 5 == 0 {
                    o.status = OrderStatus::Succeeded;
                }
                o
            })
            .collect();
        for chunk in rows.chunks(1_000) {
            s.insert_orders_batch(chunk).await.unwrap();
        }
        let all = {
            let mut v = Vec::new();
            let mut f = OrderFilter {
                limit: Some(1_000),
                ..Default::default()
            };
            loop {
                let page = s.list_orders(&f).await.unwrap();
                v.extend(page.orders);
                match page.next {
                    Some(c) => f.after = Some(c),
                    None => break,
                }
            }
            v
        };
        assert_eq!(all.len() as i64, n);
        for (search, profile, status, limit) in [
            ("old", None, None, 50),
            ("OLD", Some("B"), Some(OrderStatus::Succeeded), 50),
            ("new0", None, None, 50),
            ("李", None, None, 50),
            ("李", Some("A"), Some(OrderStatus::Succeeded), 50),
            ("司马", None, None, 50),
            ("张", Some("B"), None, 50),
            ("OLDTIME0012", None, None, 50),
            // At least a bucket's length with many matches, all in the past:
            // the bucket index plan (exactly a bucket, longer, any case,
            // with row filters), and a wildcard taken literally.
            ("oldTime", None, None, 50),
            ("OLDTIME0", Some("B"), Some(OrderStatus::Succeeded), 50),
            ("OLDTIME0", Some("A"), None, 50),
            ("oldtime00", None, None, 50),
            ("OLDTIM_", None, None, 50),
            // Shorter than a bucket, many matches over several buckets, all
            // in the past: bucket by bucket, newest bucket first.
            ("oldt", None, None, 50),
            ("OLDT0", None, None, 50),
            ("oldt0", Some("B"), Some(OrderStatus::Succeeded), 50),
            ("OLDT00", Some("A"), None, 50),
            // A page longer than a bucket's share: it takes several buckets.
            ("OLDT0", None, None, 600),
            ("nothing", None, None, 50),
            ("%", None, None, 50),
        ] {
            let expected: Vec<i64> = all
                .iter()
                .filter(|o| {
                    let pre = |v: &Option<String>| {
                        v.as_deref()
                            .is_some_and(|v| v.to_lowercase().starts_with(&search.to_lowercase()))
                    };
                    (pre(&Some(o.order_no.clone())) || pre(&o.payee_name))
                        && profile.is_none_or(|p| o.profile == p)
                        && status.is_none_or(|st| o.status == st)
                })
                .map(|o| o.id)
                .collect();
            let mut got = Vec::new();
            let mut f = OrderFilter {
                search: Some(search.into()),
                profile: profile.map(String::from),
                status,
                limit: Some(limit),
                ..Default::default()
            };
            loop {
                let page = s.list_orders(&f).await.unwrap();
                got.extend(page.orders.iter().map(|o| o.id));
                match page.next {
                    Some(c) => f.after = Some(c),
                    None => break,
                }
            }
            assert_eq!(got, expected, "search {search:?} {profile:?} {status:?}");
        }
    }

    /// A create's audit entry is written with the order or not at all.
    #[tokio::test]
    async fn an_order_and_its_audit_entry_are_one_write() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let id = s
            .insert_order_audited(
                &new_order("p1", "NO1", 100),
                "alice",
                "payout.create",
                Some("A 100.00"),
            )
            .await
            .unwrap();
        assert_eq!(s.order(id).await.unwrap().order_no, "NO1");
        let log = s.audit_entries(10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            (
                log[0].action.as_str(),
                log[0].target.as_deref(),
                log[0].detail.as_deref()
            ),
            ("payout.create", Some("NO1"), Some("A 100.00"))
        );
        // A taken number: no order, and no audit entry claiming one.
        assert!(matches!(
            s.insert_order_audited(&new_order("p1", "NO1", 101), "alice", "payout.create", None)
                .await,
            Err(CoreError::Conflict(_))
        ));
        assert_eq!(s.audit_entries(10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn audit_log_is_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.audit("alice", "profile.add", Some("A"), None)
            .await
            .unwrap();
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(s.pool())
            .await
            .is_err());
        assert!(sqlx::query("UPDATE audit_log SET os_user='x'")
            .execute(s.pool())
            .await
            .is_err());
        assert_eq!(s.audit_entries(10).await.unwrap()[0].os_user, "alice");
    }

    #[tokio::test]
    async fn refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (99999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)")
            .execute(s.pool())
            .await
            .unwrap();
        drop(s);
        assert!(matches!(
            Store::open(dir.path()).await,
            Err(CoreError::Storage(_))
        ));
    }
}
