//! The sync schedule on PostgreSQL (team mode), where several desks run the
//! sync against one database: only what differs from SQLite is here, the
//! statements are `mod.rs`'s. Picking the due orders is a *claim*. The due
//! rows are locked `FOR UPDATE SKIP LOCKED` (a desk skips what another is
//! claiming at that moment) and their next check is pushed a lease ahead in
//! the same transaction, so after it commits no other desk finds them due.
//! The pass's own results replace the lease; a desk that dies mid-pass leaves
//! orders that are due again when the lease ends. Two desks never query the
//! same order at once. Marking an order stuck is one desk's the same way.

use super::{due_from, schedule, Due, DUE, DUE_ORDERS, MARK_STUCK, OPEN, STUCK_NEW};
use super::{DEFAULT_STUCK_DEPOSIT_MS, DEFAULT_STUCK_PAYOUT_MS};
use crate::error::CoreResult;
use crate::store::sql::{sql, Sql};
use sqlx::{PgPool, Row};
use std::collections::HashSet;

/// How long a claimed order stays with the desk that claimed it: longer than
/// any one pass's queries (each has its own timeout), short enough that a
/// desk that died mid-pass delays an order only a little.
pub const CLAIM_LEASE_MS: i64 = 5 * 60 * 1000;

/// Which of the locked orders (`?3`) are still due, on a fresh snapshot.
static STILL_DUE: Sql = sql!(format!(
    "SELECT o.id FROM orders o LEFT JOIN order_sync s ON s.order_id = o.id \
     WHERE o.id = ANY(?3) AND {OPEN} AND {DUE}"
));

/// Claim the due open orders (at most `limit`, oldest due first) for this
/// desk's pass; see the module doc.
pub(super) async fn claim_due(
    pool: &PgPool,
    now: i64,
    limit: Option<usize>,
) -> CoreResult<Vec<Due>> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(DUE_ORDERS.pg())
        .bind(schedule::first_check(0))
        .bind(now)
        .bind(limit.map(|l| l as i64))
        .fetch_all(&mut *tx)
        .await?;
    let due = rows
        .iter()
        .map(due_from)
        .collect::<CoreResult<Vec<Due>>>()?;
    // The lock is on the order row, the lease on its order_sync row. A desk
    // whose SELECT took its snapshot before another desk's claim committed,
    // and reached the rows after it, locks them without seeing that lease
    // (PostgreSQL re-checks only rows that were updated). So, holding the
    // locks now, ask again with a fresh snapshot and keep what is still due.
    let locked: Vec<i64> = due.iter().map(|d| d.order_id).collect();
    let still_due: HashSet<i64> = sqlx::query_scalar(STILL_DUE.pg())
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

/// Open orders past their threshold not yet marked stuck: marked now, once
/// (the row lock makes the mark one desk's), as (order id, last reason).
pub(super) async fn mark_stuck(pool: &PgPool, now: i64) -> CoreResult<Vec<(i64, Option<String>)>> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(STUCK_NEW.pg())
        .bind(now)
        .bind(DEFAULT_STUCK_PAYOUT_MS)
        .bind(DEFAULT_STUCK_DEPOSIT_MS)
        .fetch_all(&mut *tx)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        // Another desk may have marked it since this statement's snapshot.
        let marked = sqlx::query(MARK_STUCK.pg())
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
