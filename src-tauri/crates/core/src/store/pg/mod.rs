//! The PostgreSQL engine (team mode): the store API on a shared server.
//! Same types, same guarantees as the SQLite engine, in PostgreSQL's terms:
//! a final order never moves (one conditional UPDATE, re-checked by the
//! server on the row's newest version), one number per merchant (an
//! advisory lock per number around the check and the insert), an
//! append-only audit log (a trigger), one desk per order while it is
//! queried or settled (row locks, `FOR UPDATE SKIP LOCKED`).
//!
//! Only what differs from SQLite is here: `open` (pool, migrations), `rows`
//! (the row type's columns), `orders` (the inserts, with their advisory
//! locks), `search`. Profiles, balances, the audit log, settings, reading
//! and updating orders are written once for both engines (`store/*.rs`,
//! `impl_both!`).

mod lookup;
mod open;
mod orders;
mod rows;
mod search;
#[cfg(test)]
mod tests;

use sqlx::PgPool;

/// The PostgreSQL engine: a pool on one database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(super) pool: PgPool,
    /// Look-ups by number on a connection of their own (`lookup.rs`).
    lookup: std::sync::Arc<lookup::Lookup>,
}

/// What `writing()` holds on PostgreSQL: nothing (the server orders writers).
pub(crate) struct NoLock;

impl PgStore {
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// SQLite's one-writer lock has no counterpart here.
    pub(crate) async fn writing(&self) -> NoLock {
        NoLock
    }
}
