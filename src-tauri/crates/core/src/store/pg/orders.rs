//! Orders and their events on PostgreSQL: insert (one, audited, a batch),
//! update, read. The same rules as SQLite's `store/orders.rs`, enforced by
//! the server for every desk at once.

use super::misc::audit_in;
use super::rows::order_from_row;
use super::PgStore;
use crate::domain::{OrderKind, OrderStatus};
use crate::error::{CoreError, CoreResult};
use crate::gateway::Exchange;
use crate::store::orders::stored_fields;
use crate::store::rows::{OPEN_ORDERS, ORDER_SELECT};
use crate::store::{NewOrder, Order, OrderEvent, OrderUpdate, RowLink, STATUS_CONFLICT};
use sqlx::{PgConnection, Row};
use std::collections::HashMap;

/// The update is refused: a status was asked for (`$1`), the row is final
/// with another status, and this is no reopen (`$2`) of a failed order. The
/// server evaluates it on the row's newest version, under the row lock: two
/// desks deciding from old reads cannot move a final order.
macro_rules! refused {
    () => {
        "($1::text IS NOT NULL AND status IN ('succeeded','failed') AND status <> $1::text AND NOT ($2::boolean AND status = 'failed'))"
    };
}

const UPDATE_SQL: &str = concat!(
    "UPDATE orders SET ",
    "status = CASE WHEN $1::text IS NULL OR ",
    refused!(),
    " THEN status ELSE $1::text END, ",
    "provider_status = CASE WHEN ",
    refused!(),
    " THEN provider_status ELSE COALESCE($3, provider_status) END, ",
    "provider_message = CASE WHEN ",
    refused!(),
    " THEN provider_message ELSE COALESCE($4, provider_message) END, ",
    "provider_order_id = CASE WHEN ",
    refused!(),
    " THEN provider_order_id ELSE COALESCE($5, provider_order_id) END, ",
    "pay_url = CASE WHEN ",
    refused!(),
    " THEN pay_url ELSE COALESCE($6, pay_url) END, ",
    "card = CASE WHEN ",
    refused!(),
    " THEN card ELSE COALESCE($7, card) END, ",
    "extra = CASE WHEN ",
    refused!(),
    " THEN extra ELSE COALESCE($8, extra) END, ",
    "message = CASE WHEN $1::text IS NOT NULL AND NOT ",
    refused!(),
    " THEN $9 ELSE message END, ",
    "updated_at = CASE WHEN ",
    refused!(),
    " THEN updated_at ELSE $10 END ",
    "WHERE id = $11 RETURNING status"
);

/// Another live profile on the same gateway and merchant id that already has
/// the number of order `$1` (see SQLite's `SAME_MERCHANT_SQL`).
const SAME_MERCHANT_SQL: &str = "SELECT p.name FROM orders me JOIN profiles mp ON mp.pk = me.profile_pk \
    JOIN orders o ON o.order_no = me.order_no AND o.profile_pk <> me.profile_pk \
    JOIN profiles p ON p.pk = o.profile_pk \
    WHERE me.id = $1 AND p.provider = mp.provider AND p.merchant_id = mp.merchant_id AND p.removed_at IS NULL LIMIT 1";

/// `SAME_MERCHANT_SQL` for many new orders (`$1`: their ids): the number
/// and the other profile's name of the first found.
const SAME_MERCHANT_MANY_SQL: &str = "SELECT me.order_no, p.name FROM orders me JOIN profiles mp ON mp.pk = me.profile_pk \
    JOIN orders o ON o.order_no = me.order_no AND o.profile_pk <> me.profile_pk \
    JOIN profiles p ON p.pk = o.profile_pk \
    WHERE me.id = ANY($1) AND p.provider = mp.provider AND p.merchant_id = mp.merchant_id AND p.removed_at IS NULL LIMIT 1";

const ORDER_INSERT_COLUMNS: &str = "profile_pk, order_no, kind, amount_fen, channel, payee_name, account_no, bank_name, fields, status, message, created_by, created_at, updated_at";

/// Rows per multi-row INSERT in a batch (14 values each; the server takes
/// up to 65,535 binds a statement).
const ROWS_PER_STATEMENT: usize = 1000;

fn taken(no: &str) -> CoreError {
    CoreError::Conflict(crate::tr!(
        "商户订单号 {} 已存在，不能重复下单",
        "merchant order number {} already exists; an order is never sent twice",
        no
    ))
}

/// The values of a new order row after its profile key, in
/// `ORDER_INSERT_COLUMNS` order (as SQLite's `bind_order_values`).
struct Values<'a> {
    channel: Option<&'a String>,
    payee_name: Option<&'a String>,
    account_no: Option<&'a String>,
    bank_name: Option<&'a String>,
    fields: String,
}

fn values(o: &NewOrder) -> CoreResult<Values<'_>> {
    let f = &o.fields;
    Ok(Values {
        channel: f.get("channel"),
        payee_name: f.get("payee_name").or(f.get("payer_name")),
        account_no: f.get("account_no").or(f.get("payer_account_no")),
        bank_name: f.get("bank_name").or(f.get("bank_code")),
        fields: serde_json::to_string(&stored_fields(f))
            .map_err(|e| CoreError::Internal(e.to_string()))?,
    })
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn bind_values<'q>(q: PgQuery<'q>, o: &'q NewOrder, v: Values<'q>) -> PgQuery<'q> {
    q.bind(&o.order_no)
        .bind(o.kind.as_str())
        .bind(o.amount_fen)
        .bind(v.channel)
        .bind(v.payee_name)
        .bind(v.account_no)
        .bind(v.bank_name)
        .bind(v.fields)
        .bind(o.status.as_str())
        .bind(&o.message)
        .bind(&o.created_by)
        .bind(o.created_at)
        .bind(o.created_at)
}

/// `($1,…,$n),($n+1,…)…`: `rows` groups of `values` numbered placeholders.
fn placeholders(rows: usize, values: usize) -> String {
    (0..rows)
        .map(|r| {
            let one: Vec<String> = (1..=values)
                .map(|c| format!("${}", r * values + c))
                .collect();
            format!("({})", one.join(","))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The batch row's write-ahead mark in its order's insert (SQLite's
/// `claim_row_in`): true for exactly one desk, under the batch row's share
/// lock, so a pause or cancel from any desk waits for it or stops it.
async fn claim_row_in(tx: &mut PgConnection, l: RowLink, at: i64) -> CoreResult<bool> {
    let r = sqlx::query(
        "UPDATE batch_rows SET status = 'sending', updated_at = $1
         WHERE batch_id = $2 AND row_no = $3 AND status = 'queued'
           AND EXISTS (SELECT 1 FROM batches WHERE id = $2 AND state = 'running' FOR SHARE)",
    )
    .bind(at)
    .bind(l.batch_id)
    .bind(l.row as i64)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The batch row takes its order's outcome in the order's update (SQLite's
/// `settle_row_in`).
async fn settle_row_in(
    tx: &mut PgConnection,
    l: RowLink,
    order_id: i64,
    message: Option<&str>,
    at: i64,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE batch_rows SET order_id = o.id, status = o.status,
             provider_order_id = COALESCE(o.provider_order_id, batch_rows.provider_order_id),
             message = COALESCE($2, o.provider_message), updated_at = $3
         FROM orders o WHERE o.id = $1 AND batch_rows.batch_id = $4 AND batch_rows.row_no = $5",
    )
    .bind(order_id)
    .bind(message)
    .bind(at)
    .bind(l.batch_id)
    .bind(l.row as i64)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl PgStore {
    pub async fn insert_order(&self, o: &NewOrder) -> CoreResult<i64> {
        Ok(self.insert_one(o, None, None).await?.unwrap_or_default())
    }

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

    /// One order row, its `create` event and its audit entry when given, in
    /// one transaction (dropped, so rolled back, on any failure), after
    /// claiming the batch row when given (`None`: not claimed, nothing written).
    async fn insert_one(
        &self,
        o: &NewOrder,
        audit: Option<(&str, &str, Option<&str>)>,
        link: Option<RowLink>,
    ) -> CoreResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        if let Some(l) = link {
            if !claim_row_in(&mut tx, l, o.created_at).await? {
                return Ok(None);
            }
        }
        // One writer per number across every desk until commit: the check
        // below then sees any other profile's insert of it (committed before
        // the lock was granted), so two creates of one number on two
        // profiles of one merchant cannot both pass.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 13))")
            .bind(&o.order_no)
            .execute(&mut *tx)
            .await?;
        let v = values(o)?;
        let sql = format!(
            "INSERT INTO orders ({ORDER_INSERT_COLUMNS}) VALUES ((SELECT pk FROM profiles WHERE id = $1),$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id"
        );
        let q = bind_values(sqlx::query(&sql).bind(&o.profile_id), o, v);
        let id: i64 = match q.fetch_one(&mut *tx).await {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                return Err(taken(&o.order_no))
            }
            // No such profile: its key is NULL (not_null_violation).
            Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("23502") => {
                return Err(no_profile(&o.profile_id))
            }
            r => r?.try_get(0)?,
        };
        let other: Option<String> = sqlx::query_scalar(SAME_MERCHANT_SQL)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(other) = other {
            return Err(CoreError::Conflict(crate::tr!(
                "订单号 {} 已被同一网关、同一商户号的商户配置“{}”使用，网关会视为重复订单。请换一个订单号",
                "order number {} is already used by profile “{}” on the same gateway and merchant id; the gateway would take it as a duplicate. Use another number",
                o.order_no,
                other
            )));
        }
        sqlx::query(
            "INSERT INTO order_events (order_id, at, action, status, message) VALUES ($1,$2,'create',$3,$4)",
        )
        .bind(id)
        .bind(o.created_at)
        .bind(o.status.as_str())
        .bind(&o.message)
        .execute(&mut *tx)
        .await?;
        if let Some((os_user, action, detail)) = audit {
            audit_in(&mut tx, os_user, action, Some(&o.order_no), detail).await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Many new order rows (each with its `create` event) in one transaction:
    /// all or none. `Conflict` if any number is already taken.
    pub async fn insert_orders_batch(&self, orders: &[NewOrder]) -> CoreResult<Vec<i64>> {
        let mut pks: HashMap<&str, i64> = HashMap::new();
        for o in orders {
            if !pks.contains_key(o.profile_id.as_str()) {
                let pk: Option<i64> = sqlx::query_scalar("SELECT pk FROM profiles WHERE id = $1")
                    .bind(&o.profile_id)
                    .fetch_optional(&self.pool)
                    .await?;
                pks.insert(&o.profile_id, pk.ok_or_else(|| no_profile(&o.profile_id))?);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for o in orders {
            if !seen.insert((o.profile_id.as_str(), o.order_no.as_str())) {
                return Err(taken(&o.order_no));
            }
        }
        let mut tx = self.pool.begin().await?;
        // The numbers' locks, as a single insert takes its number's (sorted:
        // two batches never wait on each other in a circle), so the check
        // below sees every other desk's insert of them.
        let mut nos: Vec<&str> = orders.iter().map(|o| o.order_no.as_str()).collect();
        nos.sort_unstable();
        nos.dedup();
        sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtextextended(n, 13)) FROM unnest($1::text[]) AS n ORDER BY n",
        )
        .bind(&nos)
        .execute(&mut *tx)
        .await?;
        let mut ids = Vec::with_capacity(orders.len());
        for chunk in orders.chunks(ROWS_PER_STATEMENT) {
            ids.extend(insert_orders_in(&mut tx, chunk, &pks).await?);
        }
        // A number another live profile of the same gateway and merchant id
        // holds (before, or earlier in this batch): all or none.
        let other = sqlx::query(SAME_MERCHANT_MANY_SQL)
            .bind(&ids)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(r) = other {
            return Err(CoreError::Conflict(crate::tr!(
                "订单号 {} 已被同一网关、同一商户号的商户配置“{}”使用，网关会视为重复订单。请换一个订单号",
                "order number {} is already used by profile “{}” on the same gateway and merchant id; the gateway would take it as a duplicate. Use another number",
                r.try_get::<String, _>(0)?,
                r.try_get::<String, _>(1)?
            )));
        }
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn update_order(
        &self,
        id: i64,
        action: &str,
        u: &OrderUpdate,
        error_code: Option<&str>,
        exchanges: &[Exchange],
        at: i64,
    ) -> CoreResult<Order> {
        self.update_order_linked(id, action, u, error_code, exchanges, at, None)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn update_order_linked(
        &self,
        id: i64,
        action: &str,
        u: &OrderUpdate,
        error_code: Option<&str>,
        exchanges: &[Exchange],
        at: i64,
        link: Option<(RowLink, Option<&str>)>,
    ) -> CoreResult<Order> {
        self.write_order_linked(id, action, u, error_code, exchanges, at, link)
            .await?;
        self.order(id).await
    }

    /// `update_order` without reading the order back: the status the row
    /// has after the write (the callback listener's hot path).
    pub async fn write_order_update(
        &self,
        id: i64,
        action: &str,
        u: &OrderUpdate,
        error_code: Option<&str>,
        exchanges: &[Exchange],
        at: i64,
    ) -> CoreResult<OrderStatus> {
        self.write_order_linked(id, action, u, error_code, exchanges, at, None)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_order_linked(
        &self,
        id: i64,
        action: &str,
        u: &OrderUpdate,
        error_code: Option<&str>,
        exchanges: &[Exchange],
        at: i64,
        link: Option<(RowLink, Option<&str>)>,
    ) -> CoreResult<OrderStatus> {
        let mut tx = self.pool.begin().await?;
        let card = u
            .card
            .as_ref()
            .map(|c| serde_json::to_string(c).unwrap_or_default());
        let extra = u
            .extra
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default());
        let status: Option<String> = sqlx::query_scalar(UPDATE_SQL)
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
        let conflict = u.status.filter(|s| s.as_str() != status);
        let (event_status, error_code) = match conflict {
            Some(arrived) => (arrived.as_str(), error_code.or(Some(STATUS_CONFLICT))),
            None => (status.as_str(), error_code),
        };
        sqlx::query("INSERT INTO order_events (order_id, at, action, status, provider_status, provider_message, message, error_code, exchanges) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
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
            settle_row_in(&mut tx, l, id, message, at).await?;
        }
        tx.commit().await?;
        Ok(OrderStatus::parse(&status).unwrap_or(OrderStatus::Unknown))
    }

    pub async fn order(&self, id: i64) -> CoreResult<Order> {
        let row = sqlx::query(&format!("{ORDER_SELECT} WHERE o.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => order_from_row(&r),
            None => Err(no_order()),
        }
    }

    /// Orders whose merchant order number or gateway order id is `no`, across
    /// all profiles (or one): two index probes (a bitmap OR).
    pub async fn find_orders(&self, no: &str, profile_id: Option<&str>) -> CoreResult<Vec<Order>> {
        let rows = sqlx::query(&FIND_SQL)
            .bind(no.trim())
            .bind(profile_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from_row).collect()
    }

    pub async fn open_orders(&self) -> CoreResult<Vec<Order>> {
        let rows = sqlx::query(&format!(
            "{ORDER_SELECT} WHERE 1=1{OPEN_ORDERS} ORDER BY o.created_at, o.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(order_from_row).collect()
    }

    pub async fn order_events(&self, order_id: i64) -> CoreResult<Vec<OrderEvent>> {
        let rows = sqlx::query("SELECT * FROM order_events WHERE order_id = $1 ORDER BY id")
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

    pub async fn sum_amount(
        &self,
        profile_id: &str,
        kind: OrderKind,
        from_ms: i64,
        to_ms: i64,
    ) -> CoreResult<i64> {
        // SUM of BIGINT is NUMERIC on PostgreSQL: back to BIGINT (fen).
        let v: Option<i64> = sqlx::query_scalar("SELECT SUM(amount_fen)::BIGINT FROM orders WHERE profile_pk = (SELECT pk FROM profiles WHERE id = $1) AND kind = $2 AND created_at >= $3 AND created_at < $4 AND status <> 'failed'")
            .bind(profile_id)
            .bind(kind.as_str())
            .bind(from_ms)
            .bind(to_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }
}

/// Look-up by number (binds: the number, the profile id or NULL).
static FIND_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("{ORDER_SELECT} WHERE (o.order_no = $1 OR o.provider_order_id = $1) AND ($2::text IS NULL OR p.id = $2::text) ORDER BY o.created_at DESC, o.id DESC")
});

fn no_order() -> CoreError {
    CoreError::NotFound(crate::tr!("订单不存在", "no such order"))
}

fn no_profile(id: &str) -> CoreError {
    CoreError::NotFound(crate::tr!(
        "没有名为“{}”的商户配置",
        "no profile named “{}”",
        id
    ))
}

/// Orders and their `create` events, two multi-row statements, inside the
/// caller's transaction. Returns the ids in the order given.
async fn insert_orders_in(
    tx: &mut PgConnection,
    orders: &[NewOrder],
    pks: &HashMap<&str, i64>,
) -> CoreResult<Vec<i64>> {
    let sql = format!(
        "INSERT INTO orders ({ORDER_INSERT_COLUMNS}) VALUES {} RETURNING id, profile_pk, order_no",
        placeholders(orders.len(), 14)
    );
    let mut q = sqlx::query(&sql);
    for o in orders {
        q = bind_values(q.bind(pks[o.profile_id.as_str()]), o, values(o)?);
    }
    let rows = match q.fetch_all(&mut *tx).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            // The transaction is spoilt; name the number from the server's
            // detail, `Key (order_no, profile_pk)=(NO, 1) already exists.`
            let detail = d
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .and_then(|e| e.detail().map(str::to_string))
                .unwrap_or_default();
            let no = orders
                .iter()
                .find(|o| detail.contains(&format!("=({}, ", o.order_no)))
                .map(|o| o.order_no.as_str())
                .unwrap_or("?");
            return Err(taken(no));
        }
        r => r?,
    };
    let mut by_key: HashMap<(i64, String), i64> = HashMap::with_capacity(rows.len());
    for r in &rows {
        by_key.insert((r.try_get(1)?, r.try_get(2)?), r.try_get(0)?);
    }
    let ids: Vec<i64> = orders
        .iter()
        .map(|o| by_key[&(pks[o.profile_id.as_str()], o.order_no.clone())])
        .collect();
    let sql = format!(
        "INSERT INTO order_events (order_id, at, action, status, message) VALUES {}",
        placeholders(orders.len(), 5)
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
