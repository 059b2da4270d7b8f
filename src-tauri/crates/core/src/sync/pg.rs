//! The sync schedule on PostgreSQL (team mode), where several desks run the
//! sync against one database. The SQL is `mod.rs`'s, in PostgreSQL's terms,
//! with one difference: picking the due orders is a *claim*. The due rows are
//! locked `FOR UPDATE SKIP LOCKED` (a desk skips what another is claiming at
//! that moment) and their next check is pushed a lease ahead in the same
//! transaction, so after it commits no other desk finds them due. The pass's
//! own results replace the lease; a desk that dies mid-pass leaves orders
//! that are due again when the lease ends. Two desks never query the same
//! order at once.

use super::{schedule, Checked, Due, ProfileSync, SyncState, DUE, DUE_AT, OPEN, PLANNED, STUCK_AGE};
use super::{DEFAULT_STUCK_DEPOSIT_MS, DEFAULT_STUCK_PAYOUT_MS};
use crate::domain::OrderStatus;
use crate::error::{CoreError, CoreResult};
use crate::tr;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use std::collections::{BTreeMap, HashSet};

/// How long a claimed order stays with the desk that claimed it: longer than
/// any one pass's queries (each has its own timeout), short enough that a
/// desk that died mid-pass delays an order only a little.
pub const CLAIM_LEASE_MS: i64 = 5 * 60 * 1000;

/// `?N` placeholders (SQLite's, as in `mod.rs`) as PostgreSQL's `$N`.
fn pg(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// Claim the due open orders (at most `limit`, oldest due first) for this
/// desk's pass; see the module doc.
pub(super) async fn claim_due(
    pool: &PgPool,
    now: i64,
    limit: Option<usize>,
) -> CoreResult<Vec<Due>> {
    let sql = pg(&format!(
        "SELECT o.id, p.id AS profile_id, o.created_at, o.status, {DUE_AT} AS due \
         FROM orders o JOIN profiles p ON p.pk = o.profile_pk \
         LEFT JOIN order_sync s ON s.order_id = o.id \
         WHERE {OPEN} AND p.removed_at IS NULL AND {DUE} \
         ORDER BY due, o.id LIMIT ?3 \
         FOR UPDATE OF o SKIP LOCKED"
    ));
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(&sql)
        .bind(schedule::first_check(0))
        .bind(now)
        .bind(limit.map(|l| l as i64))
        .fetch_all(&mut *tx)
        .await?;
    let due = rows
        .iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(Due {
                order_id: r.try_get("id")?,
                profile_id: r.try_get("profile_id")?,
                created_at: r.try_get("created_at")?,
                status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Unknown),
            })
        })
        .collect::<CoreResult<Vec<Due>>>()?;
    // The lock is on the order row, the lease on its order_sync row. A desk
    // whose SELECT took its snapshot before another desk's claim committed,
    // and reached the rows after it, locks them without seeing that lease
    // (PostgreSQL re-checks only rows that were updated). So, holding the
    // locks now, ask again with a fresh snapshot and keep what is still due.
    let locked: Vec<i64> = due.iter().map(|d| d.order_id).collect();
    let still_due: HashSet<i64> = sqlx::query_scalar(&pg(&format!(
        "SELECT o.id FROM orders o LEFT JOIN order_sync s ON s.order_id = o.id \
         WHERE o.id = ANY(?3) AND {OPEN} AND {DUE}"
    )))
    .bind(schedule::first_check(0))
    .bind(now)
    .bind(&locked)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let due: Vec<Due> = due
        .into_iter()
        .filter(|d| still_due.contains(&d.order_id))
        .collect();
    let ids: Vec<i64> = due.iter().map(|d| d.order_id).collect();
    sqlx::query(
        "INSERT INTO order_sync (order_id, next_check_at) SELECT unnest($1::BIGINT[]), $2 \
         ON CONFLICT (order_id) DO UPDATE SET next_check_at = excluded.next_check_at",
    )
    .bind(&ids)
    .bind(now + CLAIM_LEASE_MS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(due)
}

pub(super) async fn write_checked(pool: &PgPool, list: &[Checked]) -> CoreResult<()> {
    for chunk in list.chunks(500) {
        let mut tx = pool.begin().await?;
        for c in chunk {
            sqlx::query(
                "INSERT INTO order_sync (order_id, last_checked_at, next_check_at, attempts, last_reason, last_error_code) \
                 VALUES ($1, $2, $3, 1, $4, $5) \
                 ON CONFLICT (order_id) DO UPDATE SET last_checked_at = excluded.last_checked_at, \
                 next_check_at = excluded.next_check_at, attempts = order_sync.attempts + 1, \
                 last_reason = excluded.last_reason, last_error_code = excluded.last_error_code",
            )
            .bind(c.order_id)
            .bind(c.at)
            .bind(c.next)
            .bind(crate::services::inert_text(&c.reason))
            .bind(&c.error_code)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Open orders past their threshold not yet marked stuck: marked now, once
/// (the row lock makes the mark one desk's), as (order id, last reason).
pub(super) async fn mark_stuck(pool: &PgPool, now: i64) -> CoreResult<Vec<(i64, Option<String>)>> {
    let sql = pg(&format!(
        "SELECT o.id, s.last_reason FROM orders o JOIN profiles p ON p.pk = o.profile_pk \
         LEFT JOIN order_sync s ON s.order_id = o.id \
         LEFT JOIN profile_sync ps ON ps.profile_id = p.id \
         WHERE {OPEN} AND p.removed_at IS NULL AND s.stuck_at IS NULL AND {STUCK_AGE} <= ?1 \
         ORDER BY o.created_at, o.id FOR UPDATE OF o SKIP LOCKED"
    ));
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(DEFAULT_STUCK_PAYOUT_MS)
        .bind(DEFAULT_STUCK_DEPOSIT_MS)
        .fetch_all(&mut *tx)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        // Another desk may have marked it since this statement's snapshot.
        let marked = sqlx::query(
            "INSERT INTO order_sync (order_id, next_check_at, stuck_at) \
             SELECT id, created_at + $2, $3 FROM orders WHERE id = $1 \
             ON CONFLICT (order_id) DO UPDATE SET stuck_at = excluded.stuck_at \
             WHERE order_sync.stuck_at IS NULL",
        )
        .bind(id)
        .bind(schedule::first_check(0))
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked == 1 {
            out.push((id, r.try_get("last_reason")?));
        }
    }
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn next_due_at(pool: &PgPool) -> CoreResult<Option<i64>> {
    let sql = pg(&format!(
        "SELECT MIN({DUE_AT}) FROM orders o \
         JOIN profiles p ON p.pk = o.profile_pk LEFT JOIN order_sync s ON s.order_id = o.id \
         WHERE {OPEN} AND p.removed_at IS NULL AND {PLANNED}"
    ));
    Ok(sqlx::query_scalar(&sql)
        .bind(schedule::first_check(0))
        .fetch_one(pool)
        .await?)
}

const STATE_COLS: &str =
    "o.id, o.status, o.created_at, s.order_id AS has_row, s.last_checked_at, s.next_check_at, \
     s.attempts, s.last_reason, s.last_error_code, s.stuck_at";

pub(super) async fn sync_state(pool: &PgPool, order_id: i64) -> CoreResult<SyncState> {
    let row = sqlx::query(&format!(
        "SELECT {STATE_COLS} FROM orders o LEFT JOIN order_sync s ON s.order_id = o.id WHERE o.id = $1"
    ))
    .bind(order_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| CoreError::NotFound(tr!("订单不存在", "no such order")))?;
    sync_state_of(&row)
}

pub(super) async fn stuck_states(
    pool: &PgPool,
    now: i64,
    limit: u32,
) -> CoreResult<Vec<SyncState>> {
    let sql = pg(&format!(
        "SELECT {STATE_COLS} \
         FROM orders o JOIN profiles p ON p.pk = o.profile_pk \
         LEFT JOIN order_sync s ON s.order_id = o.id \
         LEFT JOIN profile_sync ps ON ps.profile_id = p.id \
         WHERE {OPEN} AND p.removed_at IS NULL AND {STUCK_AGE} <= ?1 \
         ORDER BY o.created_at, o.id LIMIT ?4"
    ));
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(DEFAULT_STUCK_PAYOUT_MS)
        .bind(DEFAULT_STUCK_DEPOSIT_MS)
        .bind(limit.clamp(1, 10_000) as i64)
        .fetch_all(pool)
        .await?;
    rows.iter().map(sync_state_of).collect()
}

pub(super) async fn set_profile_sync(pool: &PgPool, s: &ProfileSync) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO profile_sync (profile_id, max_concurrent, stuck_payout_ms, stuck_deposit_ms) VALUES ($1,$2,$3,$4) \
         ON CONFLICT (profile_id) DO UPDATE SET max_concurrent = excluded.max_concurrent, \
         stuck_payout_ms = excluded.stuck_payout_ms, stuck_deposit_ms = excluded.stuck_deposit_ms",
    )
    .bind(&s.profile_id)
    .bind(s.max_concurrent as i64)
    .bind(s.stuck_payout_ms)
    .bind(s.stuck_deposit_ms)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn profile_sync_all(pool: &PgPool) -> CoreResult<BTreeMap<String, ProfileSync>> {
    let rows = sqlx::query("SELECT * FROM profile_sync")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            let s = ProfileSync {
                profile_id: r.try_get("profile_id")?,
                max_concurrent: r.try_get::<i64, _>("max_concurrent")? as u32,
                stuck_payout_ms: r.try_get("stuck_payout_ms")?,
                stuck_deposit_ms: r.try_get("stuck_deposit_ms")?,
            };
            Ok((s.profile_id.clone(), s))
        })
        .collect()
}

/// As `mod.rs`'s `sync_state_of`, for a PostgreSQL row.
fn sync_state_of(r: &PgRow) -> CoreResult<SyncState> {
    let status: String = r.try_get("status")?;
    let open = !OrderStatus::parse(&status).is_some_and(OrderStatus::is_final);
    let created_at: i64 = r.try_get("created_at")?;
    let has_row: Option<i64> = r.try_get("has_row")?;
    let next: Option<i64> = r.try_get("next_check_at")?;
    Ok(SyncState {
        order_id: r.try_get("id")?,
        last_checked_at: r.try_get("last_checked_at")?,
        next_check_at: match (open, has_row) {
            (false, _) => None,
            (true, None) => Some(schedule::first_check(created_at)),
            (true, Some(_)) => next,
        },
        attempts: r.try_get::<Option<i64>, _>("attempts")?.unwrap_or(0),
        last_reason: r.try_get("last_reason")?,
        last_error_code: r.try_get("last_error_code")?,
        stuck_at: r.try_get("stuck_at")?,
    })
}
