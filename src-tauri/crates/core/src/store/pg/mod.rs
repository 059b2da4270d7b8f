//! The PostgreSQL engine (team mode): the store API on a shared server.
//! Same types, same guarantees as the SQLite engine, in PostgreSQL's terms:
//! a final order never moves (one conditional UPDATE, re-checked by the
//! server on the row's newest version), one number per merchant (an
//! advisory lock per number around the check and the insert), an
//! append-only audit log (a trigger), one desk per order while it is
//! queried or settled (row locks, `FOR UPDATE SKIP LOCKED`).
//!
//! One file per entity, as on SQLite: `open` (pool, migrations), `rows`,
//! `orders`, `profiles`, `search`, `misc` (balances, audit, settings).

mod misc;
mod open;
mod orders;
mod profiles;
mod rows;
mod search;
#[cfg(test)]
mod tests;

use sqlx::PgPool;

/// The PostgreSQL engine: a pool on one database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
