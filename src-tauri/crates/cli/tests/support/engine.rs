//! The one switch that runs the CLI, fault and crash suites on PostgreSQL:
//! `PAYDESK_TEST_ENGINE=postgres` (with `PAYDESK_TEST_PG_URL` from
//! scripts/with-postgres.sh). Each data directory a test uses then gets a
//! fresh database of its own (`t_<random>`, so tests run in parallel), and
//! every `paydesk` child and every `PayDesk` the harness opens uses it
//! (`PAYDESK_DATABASE_URL`); the data directory keeps only what is not the
//! history. Unset, everything runs on the SQLite file as before.
//!
//! A test about the SQLite file itself stays SQLite-only: it calls
//! `sqlite_only(name)` first, which looks its reason up in `SQLITE_ONLY`, the
//! one list of such tests.

use paydesk_core::error::CoreResult;
use paydesk_core::http::HttpOptions;
use paydesk_core::services::PayDesk;
use paydesk_core::store::pg_test::{fresh_database, PgTestDb};
use paydesk_core::vault::SecretStore;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The environment variable that picks the engine (`sqlite`, the default, or
/// `postgres`).
pub const ENGINE_VAR: &str = "PAYDESK_TEST_ENGINE";

/// The tests that run on SQLite only, each with its reason: they are about
/// the SQLite file, not about orders.
pub const SQLITE_ONLY: &[(&str, &str)] = &[
    (
        "concurrency::several_processes_opening_a_fresh_database_at_once_all_succeed",
        "races the creation and migration of a SQLite file that does not exist yet; a team database is \
         created once by `team init`",
    ),
];

/// True when the suites run on PostgreSQL.
pub fn postgres() -> bool {
    match std::env::var(ENGINE_VAR).as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Ok("") | Err(_) => false,
        Ok(other) => panic!("{ENGINE_VAR}={other}: use sqlite or postgres"),
    }
}

/// Call first in a test about the SQLite file: true (skip, with a notice)
/// when the suites run on PostgreSQL. Panics for a test not in `SQLITE_ONLY`,
/// so the list stays the one place that says what is not run there and why.
pub fn sqlite_only(test: &str) -> bool {
    let Some((_, why)) = SQLITE_ONLY.iter().find(|(t, _)| *t == test) else {
        panic!("{test} is not listed in support::engine::SQLITE_ONLY");
    };
    if postgres() {
        eprintln!("{test}: SQLite only ({why})");
        return true;
    }
    false
}

/// Databases by data directory, so every desk and child process of a test
/// that names the same directory shares one database. Kept to the end of the
/// test process (the cluster is thrown away after the run).
fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<PgTestDb>>> {
    static DBS: OnceLock<Mutex<HashMap<PathBuf, Arc<PgTestDb>>>> = OnceLock::new();
    DBS.get_or_init(Default::default)
}

/// The database URL `dir`'s desk uses, or None on SQLite. A child process
/// (a test binary re-run as a worker) finds it in `PAYDESK_DATABASE_URL`.
pub fn database_url(dir: &Path) -> Option<String> {
    if !postgres() {
        return None;
    }
    if let Ok(url) = std::env::var("PAYDESK_DATABASE_URL") {
        if !url.is_empty() {
            return Some(url);
        }
    }
    let mut dbs = registry().lock().unwrap();
    let db = dbs.entry(dir.to_path_buf()).or_insert_with(|| {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("desk");
        Arc::new(fresh_database(name).unwrap_or_else(|| {
            panic!("{ENGINE_VAR}=postgres needs PAYDESK_TEST_PG_URL: run under scripts/with-postgres.sh")
        }))
    });
    Some(db.url.clone())
}

/// Point a child process at `dir`'s database (a no-op on SQLite; there the
/// child must not inherit someone else's choice either).
pub fn point_child(cmd: &mut std::process::Command, dir: &Path) {
    match database_url(dir) {
        Some(url) => cmd.env("PAYDESK_DATABASE_URL", url),
        None => cmd.env_remove("PAYDESK_DATABASE_URL"),
    };
}

/// `PayDesk::open_with` on the engine under test: the SQLite file in `dir`,
/// or `dir`'s PostgreSQL database.
pub async fn open_desk(
    dir: &Path,
    vault: Arc<dyn SecretStore>,
    http: HttpOptions,
) -> CoreResult<PayDesk> {
    match database_url(dir) {
        Some(url) => PayDesk::open_with_database(&url, vault, http).await,
        None => PayDesk::open_with(dir, vault, http).await,
    }
}

/// `PayDesk::open` on the engine under test.
pub async fn open(dir: &Path, vault: Arc<dyn SecretStore>) -> CoreResult<PayDesk> {
    open_desk(dir, vault, HttpOptions::default()).await
}

/// Every row of every table of PayDesk's schema as text (what "the database
/// holds no secret" is checked against on PostgreSQL).
pub async fn database_text(url: &str) -> String {
    use sqlx::{Connection, Row};
    let mut c = sqlx::PgConnection::connect(url)
        .await
        .expect("test database");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables \
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut all = String::new();
    for t in tables {
        let rows = sqlx::query(&format!("SELECT CAST(t AS text) FROM {t} t"))
            .fetch_all(&mut c)
            .await
            .unwrap();
        for r in rows {
            all.push_str(&r.get::<String, _>(0));
            all.push('\n');
        }
    }
    c.close().await.ok();
    all
}

/// One `SELECT` of a single integer (no parameters: the same text runs on
/// both engines), on whichever engine `desk` uses.
pub async fn scalar_i64(desk: &PayDesk, sql: &str) -> i64 {
    use paydesk_core::store::Pool;
    match desk.store.pools() {
        Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// One statement without parameters, on whichever engine `desk` uses (tests
/// that forge a state no command would leave).
pub async fn execute(desk: &PayDesk, sql: &str) {
    use paydesk_core::store::Pool;
    match desk.store.pools() {
        Pool::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Pool::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
