//! Orders and their events: insert (one, audited, a batch), update, read.

use super::profiles::no_profile;
use super::rows::{event_from, order_from, COLUMN_FIELDS, OPEN_ORDERS, ORDER_SELECT};
use super::sql::{impl_both, sql, Sql};
use super::SqliteStore;
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, CoreResult};
use crate::gateway::{CardInfo, Exchange};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// Takes a failed order back (to `status`): only for a create sent again
    /// under its number because its earlier request provably never left.
    pub reopen: bool,
}

/// One write to an order, the one argument of every order-update entry point
/// (`update_order`, `write_order_update`): what arrived (`update`), recorded
/// as an event of `action` at `at` with its error code and masked exchanges,
/// and with `link` the batch row that takes the order's outcome in the same
/// transaction (with its message, or else the gateway's words).
#[derive(Debug, Clone, Copy)]
pub struct OrderWrite<'a> {
    pub id: i64,
    pub action: &'a str,
    pub update: &'a OrderUpdate,
    pub error_code: Option<&'a str>,
    pub exchanges: &'a [Exchange],
    pub at: i64,
    pub link: Option<(RowLink, Option<&'a str>)>,
}

impl<'a> OrderWrite<'a> {
    /// `update` to order `id` as event `action` at `at`: no error code, no
    /// exchange, no batch row.
    pub fn new(id: i64, action: &'a str, update: &'a OrderUpdate, at: i64) -> Self {
        OrderWrite {
            id,
            action,
            update,
            error_code: None,
            exchanges: &[],
            at,
            link: None,
        }
    }

    pub fn error_code(self, error_code: Option<&'a str>) -> Self {
        OrderWrite { error_code, ..self }
    }

    pub fn exchanges(self, exchanges: &'a [Exchange]) -> Self {
        OrderWrite { exchanges, ..self }
    }

    pub fn link(self, link: Option<(RowLink, Option<&'a str>)>) -> Self {
        OrderWrite { link, ..self }
    }
}

/// The error code of an event whose status met a final order: recorded, not
/// applied.
pub const STATUS_CONFLICT: &str = "status_conflict";

/// The update is refused, named once for every column: a status was asked
/// for (`?1`), the row is final with another status, and this is no reopen
/// (`?2`) of a failed order. A refused update leaves the whole row as it was.
/// The engine evaluates it on the row as it is at the write (PostgreSQL: its
/// newest version, under the row lock), not as the caller read it. The casts
/// give PostgreSQL the parameters' types; SQLite keeps the values as they are.
macro_rules! refused {
    () => {
        "(CAST(?1 AS TEXT) IS NOT NULL AND status IN ('succeeded','failed') AND status <> CAST(?1 AS TEXT) AND NOT (CAST(?2 AS BOOLEAN) AND status = 'failed'))"
    };
}

/// `?1` the status asked for (or NULL), `?2` reopen; the note (`?9`) is
/// replaced only by an update that sets a status and is not refused.
static UPDATE: Sql = sql!(concat!(
    "UPDATE orders SET ",
    "status = CASE WHEN CAST(?1 AS TEXT) IS NULL OR ",
    refused!(),
    " THEN status ELSE CAST(?1 AS TEXT) END, ",
    "provider_status = CASE WHEN ",
    refused!(),
    " THEN provider_status ELSE COALESCE(?3, provider_status) END, ",
    "provider_message = CASE WHEN ",
    refused!(),
    " THEN provider_message ELSE COALESCE(?4, provider_message) END, ",
    "provider_order_id = CASE WHEN ",
    refused!(),
    " THEN provider_order_id ELSE COALESCE(?5, provider_order_id) END, ",
    "pay_url = CASE WHEN ",
    refused!(),
    " THEN pay_url ELSE COALESCE(?6, pay_url) END, ",
    "card = CASE WHEN ",
    refused!(),
    " THEN card ELSE COALESCE(?7, card) END, ",
    "extra = CASE WHEN ",
    refused!(),
    " THEN extra ELSE COALESCE(?8, extra) END, ",
    "message = CASE WHEN CAST(?1 AS TEXT) IS NOT NULL AND NOT ",
    refused!(),
    " THEN ?9 ELSE message END, ",
    "updated_at = CASE WHEN ",
    refused!(),
    " THEN updated_at ELSE ?10 END ",
    "WHERE id = ?11 RETURNING status"
));

static EVENT: Sql = sql!("INSERT INTO order_events (order_id, at, action, status, provider_status, provider_message, message, error_code, exchanges) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");

/// A new order's `create` event (binds: id, at, status, message).
static CREATE_EVENT: Sql = sql!(
    "INSERT INTO order_events (order_id, at, action, status, message) VALUES (?1,?2,'create',?3,?4)"
);

/// `SAME_MERCHANT` in parts, for one order or many: the columns read, then
/// the condition after the new orders' ids.
macro_rules! same_merchant {
    (where) => {
        "p.provider = mp.provider AND p.merchant_id = mp.merchant_id AND p.removed_at IS NULL"
    };
    ($cols:literal) => {
        concat!(
            "SELECT ",
            $cols,
            " FROM orders me JOIN profiles mp ON mp.pk = me.profile_pk \
             JOIN orders o ON o.order_no = me.order_no AND o.profile_pk <> me.profile_pk \
             JOIN profiles p ON p.pk = o.profile_pk"
        )
    };
}

/// The name of another live profile on the same gateway and merchant id that
/// already has the number of order `?1`: the gateway sees one merchant and
/// would take the second as a duplicate. (A removed profile's orders are left
/// to the gateway to judge.)
static SAME_MERCHANT: Sql = sql!(concat!(
    same_merchant!("p.name"),
    " WHERE me.id = ?1 AND ",
    same_merchant!(where),
    " LIMIT 1"
));

/// The batch row's write-ahead mark (migration 0010's `batch_rows`), in the
/// transaction that stores the row's order (`Store::insert_order_claimed`),
/// so a row is `sending` exactly when its order is stored: a queued row
/// becomes `sending` only while its batch is running, in one statement, so a
/// pause or cancel from any desk stops new sends at once and two runners
/// never take the same row. PostgreSQL takes the batch row's share lock, so
/// a pause or cancel waits for the claim or stops it. Binds: at, batch, row.
static CLAIM_ROW: Sql = sql!(
    sqlite: "UPDATE batch_rows SET status = 'sending', updated_at = ?1
         WHERE batch_id = ?2 AND row_no = ?3 AND status = 'queued'
           AND (SELECT state FROM batches WHERE id = ?2) = 'running'",
    pg: "UPDATE batch_rows SET status = 'sending', updated_at = $1
         WHERE batch_id = $2 AND row_no = $3 AND status = 'queued'
           AND EXISTS (SELECT 1 FROM batches WHERE id = $2 AND state = 'running' FOR SHARE)",
);

/// The row takes its order's outcome, inside the caller's transaction (the
/// order's update, `Store::update_order` with a link): the status and gateway id
/// as the order row now holds them, `message` or else the gateway's words.
/// Binds: order id, message, at, batch, row.
static SETTLE_ROW: Sql = sql!(
    sqlite: "UPDATE batch_rows SET order_id = ?1,
             status = (SELECT status FROM orders WHERE id = ?1),
             provider_order_id = COALESCE((SELECT provider_order_id FROM orders WHERE id = ?1), provider_order_id),
             message = COALESCE(?2, (SELECT provider_message FROM orders WHERE id = ?1)),
             updated_at = ?3
         WHERE batch_id = ?4 AND row_no = ?5",
    pg: "UPDATE batch_rows SET order_id = o.id, status = o.status,
             provider_order_id = COALESCE(o.provider_order_id, batch_rows.provider_order_id),
             message = COALESCE($2, o.provider_message), updated_at = $3
         FROM orders o WHERE o.id = $1 AND batch_rows.batch_id = $4 AND batch_rows.row_no = $5",
);

/// A new order (binds: its profile's public id, then `bind_values`).
static INSERT_ONE: Sql = sql!(format!(
    "INSERT INTO orders ({ORDER_INSERT_COLUMNS}) VALUES ((SELECT pk FROM profiles WHERE id = ?1),?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14) RETURNING id"
));

const ORDER_INSERT_COLUMNS: &str = "profile_pk, order_no, kind, amount_fen, channel, payee_name, account_no, bank_name, fields, status, message, created_by, created_at, updated_at";

static PROFILE_PK: Sql = sql!("SELECT pk FROM profiles WHERE id = ?1");

static BY_ID: Sql = sql!(format!("{ORDER_SELECT} WHERE o.id = ?1"));

/// Every open order, oldest first. SQLite: `+`, sorting the few open orders
/// beats walking the whole history on the time index, which the planner
/// would otherwise pick for the order.
static OPEN: Sql = sql!(
    sqlite: open_sql(),
    pg: format!("{ORDER_SELECT} WHERE 1=1{OPEN_ORDERS} ORDER BY o.created_at, o.id"),
);

pub(super) fn open_sql() -> String {
    format!("{ORDER_SELECT} WHERE 1=1{OPEN_ORDERS} ORDER BY +o.created_at, o.id")
}

pub(super) const EVENTS_SQL: &str = "SELECT * FROM order_events WHERE order_id = ?1 ORDER BY id";
static EVENTS: Sql = sql!(EVENTS_SQL);

/// Binds: profile id, kind, from, to. SUM of BIGINT is NUMERIC on
/// PostgreSQL: back to BIGINT (fen).
pub(super) const SUM_SQL: &str = "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM orders WHERE profile_pk = (SELECT pk FROM profiles WHERE id = ?1) AND kind = ?2 AND created_at >= ?3 AND created_at < ?4 AND status <> 'failed'";
static SUM: Sql = sql!(SUM_SQL);

/// Look-up by number (binds: the number, the profile id or NULL). An OR of
/// the two equalities: SQLite probes both indexes (a multi-index OR) without
/// the temp table an IN (… UNION …) needs; PostgreSQL ORs two index probes
/// (a bitmap OR).
pub(super) static FIND: Sql = sql!(
    sqlite: format!("{ORDER_SELECT} WHERE (o.order_no = ?1 OR o.provider_order_id = ?1) AND (?2 IS NULL OR p.id = ?2) ORDER BY o.created_at DESC, o.id DESC"),
    pg: format!("{ORDER_SELECT} WHERE (o.order_no = $1 OR o.provider_order_id = $1) AND ($2::text IS NULL OR p.id = $2::text) ORDER BY o.created_at DESC, o.id DESC"),
);

/// A batch row that moves in the same transaction as its order (batch
/// payouts): claimed (`queued` to `sending`, only while its batch runs) with
/// the order's insert, and given the order's outcome with its update. The
/// row and its order never disagree after a crash, and a row costs two
/// commits, not four.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowLink {
    pub batch_id: i64,
    pub row: u32,
}

/// A user, an action and a detail for the audit log.
pub(super) type AuditNote<'a> = (&'a str, &'a str, Option<&'a str>);

impl_both! {
    /// Insert a new order row. `Conflict` if the profile already has the number.
    pub async fn insert_order(&self, o: &NewOrder) -> CoreResult<i64> {
        Ok(self.insert_one(o, None, None).await?.unwrap_or_default())
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
        Ok(self
            .insert_one(o, Some((os_user, action, detail)), None)
            .await?
            .unwrap_or_default())
    }

    /// `insert_order_audited` that first claims the batch row `link` in the
    /// same transaction: `None` (nothing written) when the row is no longer
    /// queued or its batch no longer runs.
    pub async fn insert_order_claimed(
        &self,
        o: &NewOrder,
        os_user: &str,
        action: &str,
        detail: Option<&str>,
        link: RowLink,
    ) -> CoreResult<Option<i64>> {
        self.insert_one(o, Some((os_user, action, detail)), Some(link))
            .await
    }

    /// Apply an update and record it as an event (with the masked exchanges).
    ///
    /// The row decides, inside the write: a final status (succeeded, failed)
    /// is never replaced, whatever the caller read before deciding (a query
    /// and a callback may both have decided from an old read). Such an update
    /// changes nothing in the row; its event records the status that arrived
    /// with the code `STATUS_CONFLICT`. The order's note is replaced only by
    /// an update that sets a status: one that moves nothing is kept in the
    /// history, not shown as the order's latest word. With `w.link`, the
    /// batch row takes the order's outcome (its status, gateway id, and the
    /// link's message or the gateway's words) in the same transaction.
    pub async fn update_order(&self, w: OrderWrite<'_>) -> CoreResult<Order> {
        self.write_order_update(w).await?;
        self.order(w.id).await
    }

    /// `update_order` without reading the order back: the status the row
    /// has after the write (the callback listener's hot path).
    pub async fn write_order_update(&self, w: OrderWrite<'_>) -> CoreResult<OrderStatus> {
        let OrderWrite {
            id,
            action,
            update: u,
            error_code,
            exchanges,
            at,
            link,
        } = w;
        let _writing = self.writing().await;
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
        let status: Option<String> = sqlx::query_scalar(text(&UPDATE))
            .bind(u.status.map(|s| s.as_str()))
            .bind(u.reopen)
            .bind(&u.provider_status)
            .bind(&u.provider_message)
            .bind(&u.provider_order_id)
            .bind(&u.pay_url)
            .bind(card)
            .bind(extra)
            .bind(&u.message)
            .bind(at)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(status) = status else {
            return Err(no_order());
        };
        // Whatever was asked, the row now has `status`: a status asked for and
        // not taken met a final order.
        let conflict = u.status.filter(|s| s.as_str() != status);
        let (event_status, error_code) = match conflict {
            Some(arrived) => (arrived.as_str(), error_code.or(Some(STATUS_CONFLICT))),
            None => (status.as_str(), error_code),
        };
        sqlx::query(text(&EVENT))
            .bind(id)
            .bind(at)
            .bind(action)
            .bind(event_status)
            .bind(&u.provider_status)
            .bind(&u.provider_message)
            .bind(&u.message)
            .bind(error_code)
            .bind(serde_json::to_string(exchanges).unwrap_or_else(|_| "[]".into()))
            .execute(&mut *tx)
            .await?;
        if let Some((l, message)) = link {
            sqlx::query(text(&SETTLE_ROW))
                .bind(id)
                .bind(message)
                .bind(at)
                .bind(l.batch_id)
                .bind(l.row as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(OrderStatus::parse(&status).unwrap_or(OrderStatus::Unknown))
    }

    pub async fn order(&self, id: i64) -> CoreResult<Order> {
        let row = sqlx::query(text(&BY_ID))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => order_from(&r),
            None => Err(no_order()),
        }
    }

    pub async fn open_orders(&self) -> CoreResult<Vec<Order>> {
        let rows = sqlx::query(text(&OPEN)).fetch_all(&self.pool).await?;
        rows.iter().map(order_from).collect()
    }

    pub async fn order_events(&self, order_id: i64) -> CoreResult<Vec<OrderEvent>> {
        let rows = sqlx::query(text(&EVENTS))
            .bind(order_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(event_from).collect()
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
        let v: Option<i64> = sqlx::query_scalar(text(&SUM))
            .bind(profile_id)
            .bind(kind.as_str())
            .bind(from_ms)
            .bind(to_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }

    /// Claims the batch row `l` (`CLAIM_ROW`) inside the caller's
    /// transaction. False: not claimed.
    pub(super) async fn claim_row_in(conn: &mut Conn, l: RowLink, at: i64) -> CoreResult<bool> {
        let r = sqlx::query(text(&CLAIM_ROW))
            .bind(at)
            .bind(l.batch_id)
            .bind(l.row as i64)
            .execute(conn)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// After a new order's insert, inside its transaction: refused when
    /// another live profile of the same gateway and merchant id holds its
    /// number (`SAME_MERCHANT`); otherwise its `create` event is written.
    pub(super) async fn after_insert_in(conn: &mut Conn, id: i64, o: &NewOrder) -> CoreResult<()> {
        let other: Option<String> = sqlx::query_scalar(text(&SAME_MERCHANT))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(other) = other {
            return Err(same_merchant_taken(&o.order_no, &other));
        }
        sqlx::query(text(&CREATE_EVENT))
            .bind(id)
            .bind(o.created_at)
            .bind(o.status.as_str())
            .bind(&o.message)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Every value of a new order row after its profile key, in
    /// `ORDER_INSERT_COLUMNS` order.
    pub(super) fn bind_values<'q>(
        q: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
        o: &'q NewOrder,
    ) -> CoreResult<sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>> {
        let f = &o.fields;
        let fields = serde_json::to_string(&stored_fields(f))
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(q.bind(&o.order_no)
            .bind(o.kind.as_str())
            .bind(o.amount_fen)
            .bind(f.get("channel"))
            .bind(f.get("payee_name").or(f.get("payer_name")))
            .bind(f.get("account_no").or(f.get("payer_account_no")))
            .bind(f.get("bank_name").or(f.get("bank_code")))
            .bind(fields)
            .bind(o.status.as_str())
            .bind(&o.message)
            .bind(&o.created_by)
            .bind(o.created_at)
            .bind(o.created_at))
    }

    /// Orders and their `create` events, two multi-row statements, inside
    /// the caller's transaction. Returns the ids in the order given. A taken
    /// number is named by the engine (`taken_number`).
    pub(super) async fn insert_rows_in(
        tx: &mut Conn,
        orders: &[NewOrder],
        pks: &HashMap<&str, i64>,
    ) -> CoreResult<Vec<i64>> {
        let sql = format!(
            "INSERT INTO orders ({ORDER_INSERT_COLUMNS}) VALUES {} RETURNING id, profile_pk, order_no",
            Self::placeholders(orders.len(), 14)
        );
        let mut q = sqlx::query(&sql);
        for o in orders {
            q = Self::bind_values(q.bind(pks[o.profile_id.as_str()]), o)?;
        }
        let rows = match q.fetch_all(&mut *tx).await {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                return Err(Self::taken_number(tx, orders, pks, &*d).await)
            }
            r => r?,
        };
        // RETURNING promises no row order: match the rows by (profile, number).
        let mut by_key: HashMap<(i64, String), i64> = HashMap::with_capacity(rows.len());
        for r in &rows {
            by_key.insert((r.try_get(1)?, r.try_get(2)?), r.try_get(0)?);
        }
        let ids: Vec<i64> = orders
            .iter()
            .map(|o| by_key[&(pks[o.profile_id.as_str()], o.order_no.clone())])
            .collect();
        // As a single insert: after the insert, inside its write, so a
        // number another profile of the same merchant holds (stored before,
        // by another desk at once, or earlier in this batch) refuses the
        // whole batch.
        let sql = format!(
            "{} WHERE {} AND me.id IN {} LIMIT 1",
            same_merchant!("me.order_no, p.name"),
            same_merchant!(where),
            Self::placeholders(1, ids.len())
        );
        let mut q = sqlx::query(&sql);
        for id in &ids {
            q = q.bind(*id);
        }
        if let Some(r) = q.fetch_optional(&mut *tx).await? {
            return Err(same_merchant_taken(
                &r.try_get::<String, _>(0)?,
                &r.try_get::<String, _>(1)?,
            ));
        }
        let sql = format!(
            "INSERT INTO order_events (order_id, at, action, status, message) VALUES {}",
            Self::placeholders(orders.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (o, id) in orders.iter().zip(&ids) {
            q = q
                .bind(*id)
                .bind(o.created_at)
                .bind("create")
                .bind(o.status.as_str())
                .bind(&o.message);
        }
        q.execute(&mut *tx).await?;
        Ok(ids)
    }

    /// One order row, its `create` event and its audit entry when given, in
    /// one transaction, after claiming the batch row when given (`None`: not
    /// claimed, nothing written).
    async fn insert_one(
        &self,
        o: &NewOrder,
        audit: Option<AuditNote<'_>>,
        link: Option<RowLink>,
    ) -> CoreResult<Option<i64>> {
        let _writing = self.writing().await;
        let mut tx = self.pool.begin().await?;
        let written = async {
            if let Some(l) = link {
                // The claim first: the transaction starts with a write.
                if !Self::claim_row_in(&mut tx, l, o.created_at).await? {
                    return Ok(None);
                }
            }
            Self::lock_numbers_in(&mut tx, &[o.order_no.as_str()]).await?;
            let id = Self::insert_order_in(&mut tx, o).await?;
            if let Some((os_user, action, detail)) = audit {
                Self::audit_in(&mut tx, os_user, action, Some(&o.order_no), detail).await?;
            }
            Ok::<_, CoreError>(Some(id))
        }
        .await;
        Self::finish(tx, written, Option::is_some).await
    }

    /// Ends `tx`: committed when `written` is to be kept, otherwise rolled
    /// back now, not when the connection next runs (SQLite's write lock goes
    /// with it).
    async fn finish<T>(
        tx: sqlx::Transaction<'_, Db>,
        written: CoreResult<T>,
        keep: impl Fn(&T) -> bool,
    ) -> CoreResult<T> {
        match written {
            Ok(v) if keep(&v) => {
                tx.commit().await?;
                Ok(v)
            }
            other => {
                tx.rollback().await?;
                other
            }
        }
    }

    /// The order row and its `create` event, inside the caller's transaction.
    async fn insert_order_in(conn: &mut Conn, o: &NewOrder) -> CoreResult<i64> {
        let q = sqlx::query(text(&INSERT_ONE)).bind(&o.profile_id);
        let id: i64 = match Self::bind_values(q, o)?.fetch_one(&mut *conn).await {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                return Err(taken(&o.order_no))
            }
            // No such profile: its key is NULL.
            Err(sqlx::Error::Database(d)) if d.kind() == sqlx::error::ErrorKind::NotNullViolation => {
                return Err(no_profile(&o.profile_id))
            }
            r => r?.try_get(0)?,
        };
        // After the insert, inside its write: two creates of one number on
        // two profiles of one merchant cannot both pass (the later one sees
        // the other).
        Self::after_insert_in(conn, id, o).await?;
        Ok(id)
    }

    /// Insert many new order rows (each with its `create` event) in one
    /// transaction: all or none. `Conflict` if any number is already taken,
    /// by its profile or by another live profile of the same gateway and
    /// merchant id (as `insert_order`). Returns the ids in the order given.
    pub async fn insert_orders_batch(&self, orders: &[NewOrder]) -> CoreResult<Vec<i64>> {
        self.index_later();
        let _writing = self.writing().await;
        let mut seen = HashSet::with_capacity(orders.len());
        for o in orders {
            if !seen.insert((o.profile_id.as_str(), o.order_no.as_str())) {
                return Err(taken(&o.order_no));
            }
        }
        // Profile keys first, outside the transaction: on SQLite it then
        // starts with its first write, never as a read that must be upgraded.
        let mut pks: HashMap<&str, i64> = HashMap::new();
        {
            let mut conn = self.pool.acquire().await?;
            for o in orders {
                if !pks.contains_key(o.profile_id.as_str()) {
                    let pk: Option<i64> = sqlx::query_scalar(text(&PROFILE_PK))
                        .bind(&o.profile_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                    pks.insert(&o.profile_id, pk.ok_or_else(|| no_profile(&o.profile_id))?);
                }
            }
        }
        let mut tx = self.pool.begin().await?;
        let written = async {
            let nos: Vec<&str> = orders.iter().map(|o| o.order_no.as_str()).collect();
            Self::lock_numbers_in(&mut tx, &nos).await?;
            // SQLite lists the batch's rows for its search index in one
            // statement, indexed behind the write (store/search_pending.rs).
            let deferred = Self::defer_index_in(&mut tx).await?;
            let mut ids = Vec::with_capacity(orders.len());
            for chunk in orders.chunks(Self::ROWS_PER_STATEMENT) {
                ids.extend(Self::insert_rows_in(&mut tx, chunk, &pks).await?);
            }
            let rows: Vec<(i64, i64, &str)> = ids
                .iter()
                .zip(orders)
                .map(|(&id, o)| (id, o.created_at, o.order_no.as_str()))
                .collect();
            Self::index_rows_in(&mut tx, deferred, &rows).await?;
            Ok::<_, CoreError>(ids)
        }
        .await;
        let ids = Self::finish(tx, written, |_| true).await?;
        self.index_later();
        Ok(ids)
    }

    /// Orders whose merchant order number or gateway order id is `no`, across
    /// all profiles (or one); on SQLite on the caller's thread when its
    /// reader is free, on PostgreSQL on a look-up connection of its own
    /// (`read_here`), else on the pool.
    pub async fn find_orders(&self, no: &str, profile_id: Option<&str>) -> CoreResult<Vec<Order>> {
        if let Some(found) = self.read_here(no.trim(), profile_id).await {
            return found;
        }
        let rows = sqlx::query(text(&FIND))
            .bind(no.trim())
            .bind(profile_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from).collect()
    }
}

/// Another live profile of the same merchant holds `no`.
pub(super) fn same_merchant_taken(no: &str, other: &str) -> CoreError {
    CoreError::Conflict(crate::tr!(
        "订单号 {} 已被同一网关、同一商户号的商户配置“{}”使用，网关会视为重复订单。请换一个订单号",
        "order number {} is already used by profile “{}” on the same gateway and merchant id; the gateway would take it as a duplicate. Use another number",
        no,
        other
    ))
}

/// The profile already has the number.
pub(super) fn taken(no: &str) -> CoreError {
    CoreError::Conflict(crate::tr!(
        "商户订单号 {} 已存在，不能重复下单",
        "merchant order number {} already exists; an order is never sent twice",
        no
    ))
}

pub(super) fn no_order() -> CoreError {
    CoreError::NotFound(crate::tr!("订单不存在", "no such order"))
}

/// SQLite's side of the inserts (the rest is written once, above).
impl SqliteStore {
    /// Rows per multi-row INSERT in a batch: one statement (one hop to
    /// SQLite's worker thread, one parse) writes many rows; 500 × 14 values
    /// stay well under SQLite's limit of 32,766 bound values.
    const ROWS_PER_STATEMENT: usize = 500;

    /// Nothing to lock: SQLite has one writer at a time (the file's write
    /// lock), so the same-merchant check after an insert sees every other.
    async fn lock_numbers_in(_: &mut SqliteConnection, _: &[&str]) -> CoreResult<()> {
        Ok(())
    }

    /// `(?,?,…),(?,?,…)…`: `rows` groups of `values` placeholders.
    fn placeholders(rows: usize, values: usize) -> String {
        let one = format!("({})", vec!["?"; values].join(","));
        vec![one; rows].join(",")
    }

    /// The number a batch's insert found taken by its profile (the
    /// transaction still answers after a failed statement on SQLite).
    async fn taken_number(
        tx: &mut SqliteConnection,
        orders: &[NewOrder],
        pks: &HashMap<&str, i64>,
        _: &dyn sqlx::error::DatabaseError,
    ) -> CoreError {
        for o in orders {
            let found: Result<Option<i64>, _> =
                sqlx::query_scalar("SELECT id FROM orders WHERE order_no = ? AND profile_pk = ?")
                    .bind(&o.order_no)
                    .bind(pks[o.profile_id.as_str()])
                    .fetch_optional(&mut *tx)
                    .await;
            match found {
                Ok(Some(_)) => return taken(&o.order_no),
                Ok(None) => {}
                Err(e) => return e.into(),
            }
        }
        taken("?")
    }

    /// A look-up by number on the caller's thread (`reader.rs`); `None`
    /// while another thread reads there.
    async fn read_here(
        &self,
        no: &str,
        profile_id: Option<&str>,
    ) -> Option<CoreResult<Vec<Order>>> {
        self.reader.orders(FIND.sqlite(), no, profile_id)
    }

    /// The statement `find_orders` runs (binds: the number, the profile id
    /// or NULL), for the benchmark's plain-SQLite baseline.
    pub fn find_orders_sql() -> String {
        FIND.sqlite().to_string()
    }
}

/// The form values without those its own columns hold (schema v2): the
/// column is read back into `Order::fields` (rows.rs, `restore_fields`).
/// A key is left out only when reading it back is certain: it is the
/// column's first source, and the second source is absent or differs.
pub(super) fn stored_fields(fields: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    let mut out: BTreeMap<&str, &str> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for (key, second) in COLUMN_FIELDS {
        if let Some(v) = fields.get(key) {
            if second.is_none_or(|s| fields.get(s) != Some(v)) {
                out.remove(key);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{new_order, on_both_engines, profile, TestDb};
    use crate::store::OrderFilter;

    fn to(status: OrderStatus, note: &str) -> OrderUpdate {
        OrderUpdate {
            status: Some(status),
            provider_order_id: Some(format!("GW-{}", status.as_str())),
            message: Some(note.into()),
            ..Default::default()
        }
    }

    /// Two writers that each decided from the same old read (a query and a
    /// callback, two processes: two stores on one file, so no shared lock in
    /// this process) race to settle the same orders opposite ways: the first
    /// write settles each order, the second is recorded as a conflict and
    /// changes nothing in the row.
    async fn a_final_order_never_moves_when_two_writers_race(db: TestDb) {
        let a = db.open().await;
        let b = db.open().await;
        a.insert_profile(&profile("p1", "A")).await.unwrap();
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(
                a.insert_order(&new_order("p1", &format!("R{i}"), 100))
                    .await
                    .unwrap(),
            );
        }
        let mut tasks = Vec::new();
        for &id in &ids {
            let (a, b) = (a.clone(), b.clone());
            tasks.push(tokio::spawn(async move {
                let query = to(OrderStatus::Succeeded, "query says paid");
                let notify = to(OrderStatus::Failed, "callback says failed");
                let (x, y) = tokio::join!(
                    a.update_order(OrderWrite::new(id, "query", &query, 200)),
                    b.update_order(OrderWrite::new(id, "notify", &notify, 201)),
                );
                (x.unwrap(), y.unwrap())
            }));
        }
        for (t, &id) in tasks.into_iter().zip(&ids) {
            t.await.unwrap();
            let o = a.order(id).await.unwrap();
            let events = a.order_events(id).await.unwrap();
            assert_eq!(events.len(), 3, "create, then both writes recorded");
            let (first, second) = (&events[1], &events[2]);
            // The first write settled it; the row is all of the first write.
            assert_eq!(o.status, first.status);
            assert!(first.error_code.is_none());
            assert_eq!(o.message, first.message);
            assert_eq!(
                o.provider_order_id.as_deref(),
                Some(format!("GW-{}", o.status.as_str()).as_str())
            );
            // The second is what arrived, marked, not applied.
            assert_ne!(second.status, o.status);
            assert_eq!(second.error_code.as_deref(), Some(STATUS_CONFLICT));
        }
    }

    async fn an_update_that_moves_nothing_keeps_the_note_and_reopen_is_explicit(db: TestDb) {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let id = s.insert_order(&new_order("p1", "N1", 100)).await.unwrap();
        s.update_order(OrderWrite::new(
            id,
            "create",
            &to(OrderStatus::Pending, "accepted"),
            200,
        ))
        .await
        .unwrap();
        let quiet = OrderUpdate {
            provider_message: Some("still waiting".into()),
            message: Some("query timed out".into()),
            ..Default::default()
        };
        let o = s
            .update_order(OrderWrite::new(id, "query", &quiet, 300).error_code(Some("timeout")))
            .await
            .unwrap();
        assert_eq!(o.message.as_deref(), Some("accepted"));
        assert_eq!(o.provider_message.as_deref(), Some("still waiting"));
        let ev = s.order_events(id).await.unwrap();
        assert_eq!(
            ev.last().unwrap().message.as_deref(),
            Some("query timed out")
        );
        // Failed is final: only an explicit reopen takes it back.
        s.update_order(OrderWrite::new(
            id,
            "query",
            &to(OrderStatus::Failed, "failed"),
            400,
        ))
        .await
        .unwrap();
        let back = to(OrderStatus::Unknown, "again");
        let o = s
            .update_order(OrderWrite::new(id, "create", &back, 500))
            .await
            .unwrap();
        assert_eq!(
            (o.status, o.message.as_deref()),
            (OrderStatus::Failed, Some("failed"))
        );
        let reopen = OrderUpdate {
            reopen: true,
            ..back
        };
        let o = s
            .update_order(OrderWrite::new(id, "create", &reopen, 600))
            .await
            .unwrap();
        assert_eq!(
            (o.status, o.message.as_deref()),
            (OrderStatus::Unknown, Some("again"))
        );
    }

    /// Two creates of one number on two profiles of the same gateway and
    /// merchant id, from two stores on one file at once: exactly one is stored.
    async fn one_number_per_merchant_across_profiles_even_at_once(db: TestDb) {
        let a = db.open().await;
        let b = db.open().await;
        a.insert_profile(&profile("p1", "A")).await.unwrap();
        a.insert_profile(&profile("p2", "B")).await.unwrap();
        for i in 0..20 {
            let no = format!("DUP-{i}");
            let (o1, o2) = (new_order("p1", &no, 100), new_order("p2", &no, 100));
            let (x, y) = tokio::join!(a.insert_order(&o1), b.insert_order(&o2));
            assert!(x.is_ok() != y.is_ok(), "{no}: {x:?} {y:?}");
            let lost = x.err().or(y.err()).unwrap();
            assert!(matches!(lost, CoreError::Conflict(_)), "{lost:?}");
            assert_eq!(a.find_orders(&no, None).await.unwrap().len(), 1);
        }
    }

    async fn orders_are_unique_per_profile_findable_and_paged(db: TestDb) {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        // Another merchant: the same number is its own.
        let mut p2 = profile("p2", "B");
        p2.gateway.merchant_id = "M2".into();
        s.insert_profile(&p2).await.unwrap();
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
            .update_order(OrderWrite::new(id, "create", &u, 200))
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

    /// A batch writes each order with its id and `create` event, in the
    /// order given, across statements; a taken number (in the history or
    /// twice in the batch) writes nothing and names the number.
    async fn a_batch_is_written_whole_or_not_at_all(db: TestDb) {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        // Another merchant: a number of p1's is its own too.
        let mut p2 = profile("p2", "B");
        p2.gateway.merchant_id = "M2".into();
        s.insert_profile(&p2).await.unwrap();
        // The same gateway and merchant id as p1: the gateway sees one merchant.
        s.insert_profile(&profile("p3", "C")).await.unwrap();
        // Longer than one statement, both profiles, one number in both.
        let batch: Vec<NewOrder> = (0..1_203)
            .map(|i| {
                new_order(
                    if i % 2 == 0 { "p1" } else { "p2" },
                    &format!("B{}", i / 2),
                    i,
                )
            })
            .collect();
        let ids = s.insert_orders_batch(&batch).await.unwrap();
        assert_eq!(ids.len(), batch.len());
        for (o, id) in batch.iter().zip(&ids).step_by(97) {
            let got = s.order(*id).await.unwrap();
            assert_eq!(
                (got.order_no.as_str(), got.profile_id.as_str()),
                (o.order_no.as_str(), o.profile_id.as_str())
            );
            assert_eq!(s.order_events(*id).await.unwrap()[0].action, "create");
        }
        let count = || async {
            s.test_i64("SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_events)")
                .await
        };
        let before = count().await;
        for taken in [
            vec![new_order("p1", "NEW1", 1), new_order("p2", "B7", 2)],
            vec![new_order("p1", "NEW1", 1), new_order("p1", "NEW1", 2)],
        ] {
            match s.insert_orders_batch(&taken).await {
                Err(CoreError::Conflict(m)) => {
                    assert!(m.contains("B7") || m.contains("NEW1"), "{m}")
                }
                other => panic!("{other:?}"),
            }
        }
        // A number p1 holds, sent by p3 (same gateway and merchant id), in
        // the history or earlier in the same batch (past one statement):
        // refused whole, naming the number and the profile holding it.
        let mut late: Vec<NewOrder> = (0..600)
            .map(|i| new_order("p3", &format!("NEW-P3-{i}"), i))
            .collect();
        late.push(new_order("p1", "NEW-P3-7", 9));
        for taken in [
            vec![new_order("p3", "NEW2", 1), new_order("p3", "B7", 2)],
            late,
        ] {
            match s.insert_orders_batch(&taken).await {
                Err(CoreError::Conflict(m)) => {
                    assert!(
                        (m.contains("B7") && m.contains("“A”"))
                            || (m.contains("NEW-P3-7") && (m.contains("“C”") || m.contains("“A”"))),
                        "{m}"
                    )
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(count().await, before);
        // The same number on another merchant's profile is its own.
        s.insert_orders_batch(&[
            new_order("p2", "B0-OTHER", 1),
            new_order("p3", "B0-OTHER", 1),
        ])
        .await
        .unwrap();
    }

    /// Form values held by their own columns are stored once, and every
    /// order reads back exactly the values it was given.
    async fn form_values_read_back_exactly(db: TestDb) {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let cases: Vec<Vec<(&str, &str)>> = vec![
            vec![
                ("payee_name", "张三"),
                ("account_no", "6222"),
                ("bank_name", "中国银行"),
                ("branch", "浦东"),
            ],
            vec![("payer_name", "李四"), ("channel", "bank")],
            vec![("payee_name", "王五"), ("payer_name", "王五")],
            vec![
                ("payee_name", "王五"),
                ("payer_name", "赵六"),
                ("bank_code", "ICBC"),
            ],
            vec![
                ("bank_code", "ICBC"),
                ("bank_name", "ICBC"),
                ("payer_account_no", "1"),
            ],
            vec![("payee_name", ""), ("account_no", "")],
            vec![],
        ];
        let orders: Vec<NewOrder> = cases
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut o = new_order("p1", &format!("F{i}"), i as i64);
                o.fields = f
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                o
            })
            .collect();
        let mut ids = s.insert_orders_batch(&orders[..4]).await.unwrap();
        for o in &orders[4..] {
            ids.push(s.insert_order(o).await.unwrap());
        }
        for (o, id) in orders.iter().zip(ids) {
            assert_eq!(
                s.order(id).await.unwrap().fields,
                o.fields,
                "{}",
                o.order_no
            );
        }
        // The payee's name is stored once (in its column).
        let stored = s
            .test_text("SELECT fields FROM orders WHERE order_no = 'F0'")
            .await;
        assert_eq!(stored, r#"{"branch":"浦东"}"#);
    }

    /// Literal SQL (no binds) on either engine: the batch tables' rows.
    async fn exec(s: &crate::store::Store, sql: &str) {
        match s.pools() {
            crate::store::Pool::Sqlite(p) => drop(sqlx::query(sql).execute(p).await.unwrap()),
            crate::store::Pool::Postgres(p) => drop(sqlx::query(sql).execute(p).await.unwrap()),
        }
    }

    async fn row_of(s: &crate::store::Store, row: u32) -> (String, Option<i64>, Option<String>) {
        let sql = format!(
            "SELECT status, order_id, provider_order_id FROM batch_rows WHERE batch_id = 1 AND row_no = {row}"
        );
        match s.pools() {
            crate::store::Pool::Sqlite(p) => sqlx::query_as(&sql).fetch_one(p).await.unwrap(),
            crate::store::Pool::Postgres(p) => sqlx::query_as(&sql).fetch_one(p).await.unwrap(),
        }
    }

    /// A batch row is claimed in its order's insert and takes the order's
    /// answer in its update: claimed only while the batch runs and the row is
    /// queued; not claimed, or a taken number, stores nothing and leaves the
    /// row queued.
    async fn a_batch_row_moves_with_its_order(db: TestDb) {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        exec(&s, "INSERT INTO batches (id, profile_uuid, profile_name, provider, file_name, file_hash, state, row_count, valid_rows, total_fen, created_at, updated_at) VALUES (1, 'p1', 'A', 'jstpay', 'f.csv', 'h', 'running', 3, 3, 300, 1, 1)").await;
        for r in 1..=3 {
            exec(&s, &format!("INSERT INTO batch_rows (batch_id, row_no, order_no, amount_fen, status, updated_at) VALUES (1, {r}, 'BR{r}', 100, 'queued', 1)")).await;
        }
        let link = |row| RowLink { batch_id: 1, row };
        let id = s
            .insert_order_claimed(
                &new_order("p1", "BR1", 10),
                "u",
                "payout.create",
                None,
                link(1),
            )
            .await
            .unwrap()
            .expect("claimed");
        assert_eq!(row_of(&s, 1).await, ("sending".into(), None, None));
        // Taken already: no second order, whatever its number.
        let again = s
            .insert_order_claimed(
                &new_order("p1", "BR1-again", 10),
                "u",
                "payout.create",
                None,
                link(1),
            )
            .await
            .unwrap();
        assert_eq!(again, None);
        assert!(s.find_orders("BR1-again", None).await.unwrap().is_empty());
        let u = OrderUpdate {
            status: Some(OrderStatus::Pending),
            provider_order_id: Some("GW1".into()),
            provider_message: Some("accepted".into()),
            ..Default::default()
        };
        s.update_order(OrderWrite::new(id, "create", &u, 20).link(Some((link(1), None))))
            .await
            .unwrap();
        assert_eq!(
            row_of(&s, 1).await,
            ("pending".into(), Some(id), Some("GW1".into()))
        );
        // A taken number: the claim goes back with the failed insert.
        s.insert_order(&new_order("p1", "BR3", 10)).await.unwrap();
        let taken = s
            .insert_order_claimed(
                &new_order("p1", "BR3", 10),
                "u",
                "payout.create",
                None,
                link(3),
            )
            .await;
        assert!(matches!(taken, Err(CoreError::Conflict(_))), "{taken:?}");
        assert_eq!(row_of(&s, 3).await.0, "queued");
        // Paused: nothing claimed, nothing stored.
        exec(&s, "UPDATE batches SET state = 'paused' WHERE id = 1").await;
        let paused = s
            .insert_order_claimed(
                &new_order("p1", "BR2", 10),
                "u",
                "payout.create",
                None,
                link(2),
            )
            .await
            .unwrap();
        assert_eq!(paused, None);
        assert!(s.find_orders("BR2", None).await.unwrap().is_empty());
        assert_eq!(row_of(&s, 2).await.0, "queued");
    }

    on_both_engines!(
        a_batch_row_moves_with_its_order,
        a_final_order_never_moves_when_two_writers_race,
        an_update_that_moves_nothing_keeps_the_note_and_reopen_is_explicit,
        one_number_per_merchant_across_profiles_even_at_once,
        orders_are_unique_per_profile_findable_and_paged,
        a_batch_is_written_whole_or_not_at_all,
        form_values_read_back_exactly,
    );
}
