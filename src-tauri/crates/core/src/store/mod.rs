//! The order store: one API, two engines (issue 13). SQLite is the single
//! desk's embedded default: one file through sqlx, migrations at open, WAL
//! and a busy timeout so the app and the CLI can write at once. PostgreSQL is
//! team mode: one shared server (`pg/`). The URL chooses (`Store::open_url`).
//!
//! Like atuin's `Database` with its SQLite and Postgres implementations, but
//! without a trait object or sqlx's `Any` driver (its placeholder and type
//! gaps): `Store` holds one engine and `engine.rs` routes each public method
//! to it, so a method missing on either engine does not compile.
//!
//! One file per entity, the way Yaak's `yaak-models/src/queries/` does it:
//! `open` (file, pool, migrations), `rows` (the one row mapping of each
//! entity, over both engines' rows), `profiles`, `orders` (insert/update/
//! read), `search` (history pages and their plans), `balances`, `audit`,
//! `settings`. A statement that is the same on both engines is written once
//! (`sql.rs`: `?N` text, PostgreSQL's `$N` derived once) in a method written
//! once for both (`impl_both!`); `pg/` keeps only what PostgreSQL does
//! differently (open, the inserts with their advisory locks, search).

pub mod approvals;
mod audit;
mod balances;
mod engine;
#[cfg(test)]
mod indexes;
#[cfg(test)]
mod migrate_tests;
pub(crate) mod open;
mod orders;
pub mod pg;
#[cfg(any(test, feature = "test-hooks"))]
pub mod pg_test;
mod private;
mod profiles;
mod reader;
mod rows;
mod search;
mod search_pending;
mod settings;
pub(crate) mod sql;
#[cfg(test)]
mod test_support;

pub use approvals::Approval;
pub use audit::AuditEntry;
pub use balances::BalanceReading;
// Kept so `store::now_ms` callers keep compiling; the clock is `crate::time`.
pub use crate::time::{format_time_ms, now_ms, shanghai};
pub use orders::{NewOrder, Order, OrderEvent, OrderUpdate, OrderWrite, RowLink, STATUS_CONFLICT};
pub use profiles::Profile;
pub use search::{OrderFilter, OrderPage};

pub use engine::{EngineKind, Pool};
pub(crate) use rows::Cols;

use sqlx::SqlitePool;

/// The order store, on the engine its URL chose.
#[derive(Debug, Clone)]
pub struct Store {
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    Sqlite(SqliteStore),
    Postgres(pg::PgStore),
}

/// The SQLite engine: the single desk's file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// One writer at a time within this process. SQLite allows one anyway;
    /// without this, concurrent writers meet in SQLite's busy handler, which
    /// sleeps in steps of up to 100 ms, instead of queueing here. Other
    /// processes (the CLI beside the app) still meet the busy timeout.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Look-ups by number on the caller's thread (`reader.rs`).
    reader: std::sync::Arc<reader::Reader>,
    /// Indexes the rows batches listed, when the writes pause
    /// (`search_pending.rs`).
    indexer: std::sync::Arc<search_pending::Indexer>,
}

impl SqliteStore {
    /// The one-writer lock (`writer`), held by every write.
    pub(crate) async fn writing(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writer.lock().await
    }
}
