//! PostgreSQL's side of the orders: what differs from SQLite. The inserts,
//! updates and reads are written once for both engines (`store/orders.rs`);
//! here are the hooks they call: one writer per number across every desk
//! (an advisory lock), the taken number named from the server's detail, the
//! `$N` placeholders.

use super::PgStore;
use crate::error::{CoreError, CoreResult};
use crate::store::orders::{taken, FIND};
use crate::store::{NewOrder, Order};
use sqlx::PgConnection;
use std::collections::HashMap;

impl PgStore {
    /// Rows per multi-row INSERT in a batch (14 values each; the server takes
    /// up to 65,535 binds a statement).
    pub(crate) const ROWS_PER_STATEMENT: usize = 1000;

    /// One writer per number across every desk until commit: the
    /// same-merchant check after the insert then sees any other profile's
    /// insert of it (committed before the lock was granted), so two creates
    /// of one number on two profiles of one merchant cannot both pass. Sorted:
    /// two batches never wait on each other in a circle.
    pub(crate) async fn lock_numbers_in(conn: &mut PgConnection, nos: &[&str]) -> CoreResult<()> {
        let mut nos = nos.to_vec();
        nos.sort_unstable();
        nos.dedup();
        sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtextextended(n, 13)) FROM unnest($1::text[]) AS n ORDER BY n",
        )
        .bind(&nos)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Nothing deferred (false): PostgreSQL's search indexes (pg_trgm)
    /// follow every insert themselves (SQLite's batch hook is in
    /// store/search.rs).
    pub(crate) async fn defer_index_in(_: &mut PgConnection) -> CoreResult<bool> {
        Ok(false)
    }

    pub(crate) async fn index_rows_in(
        _: &mut PgConnection,
        _: bool,
        _: &[(i64, i64, &str)],
    ) -> CoreResult<()> {
        Ok(())
    }

    pub(crate) fn index_later(&self) {}

    /// Nothing is ever behind (see `defer_index_in`).
    pub(crate) async fn catch_up_search_index(&self) -> CoreResult<u64> {
        Ok(0)
    }

    /// `($1,…,$n),($n+1,…)…`: `rows` groups of `values` numbered placeholders.
    pub(crate) fn placeholders(rows: usize, values: usize) -> String {
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

    /// The number a batch's insert found taken: the transaction is spoilt,
    /// so it is named from the server's detail,
    /// `Key (order_no, profile_pk)=(NO, 1) already exists.`
    pub(crate) async fn taken_number(
        _: &mut PgConnection,
        orders: &[NewOrder],
        _: &HashMap<&str, i64>,
        d: &dyn sqlx::error::DatabaseError,
    ) -> CoreError {
        let detail = d
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .and_then(|e| e.detail().map(str::to_string))
            .unwrap_or_default();
        let no = orders
            .iter()
            .find(|o| detail.contains(&format!("=({}, ", o.order_no)))
            .map(|o| o.order_no.as_str())
            .unwrap_or("?");
        taken(no)
    }

    /// A look-up by number on the look-up connection (`lookup.rs`); `None`
    /// when the pool answers.
    pub(crate) async fn read_here(
        &self,
        no: &str,
        profile_id: Option<&str>,
    ) -> Option<CoreResult<Vec<Order>>> {
        self.lookup.orders(FIND.pg(), no, profile_id).await
    }
}
