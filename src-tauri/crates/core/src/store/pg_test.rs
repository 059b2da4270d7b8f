//! A fresh PostgreSQL database per test, on the cluster that
//! `scripts/with-postgres.sh` starts (`PAYDESK_TEST_PG_URL`, a superuser URL).
//! Each test gets its own `t_<random>` database, so tests run in parallel; it
//! is dropped when the handle is. Without the variable a test is skipped with
//! a printed notice, except in CI (`CI=true`), where it fails loudly: a CI run
//! that silently tested only SQLite would prove nothing about PostgreSQL.
//!
//! Blocking on purpose (its own thread and runtime), so sync CLI tests and
//! async store tests call it alike.

use sqlx::{Connection, Executor, PgConnection};

/// The environment variable the PostgreSQL-needing tests read.
pub const PG_URL_VAR: &str = "PAYDESK_TEST_PG_URL";

/// One test's database; dropped (with its connections) when this is.
#[derive(Debug)]
pub struct PgTestDb {
    /// `postgres://USER:PASS@127.0.0.1:PORT/t_…`: the superuser on this database.
    pub url: String,
    /// The database's name (`t_…`).
    pub name: String,
    admin_url: String,
}

/// The cluster's superuser URL, or None (notice printed) when unset outside CI.
/// Panics in CI when it is unset.
pub fn admin_url(test: &str) -> Option<String> {
    match std::env::var(PG_URL_VAR) {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "{test}: {PG_URL_VAR} is not set; run the tests under scripts/with-postgres.sh"
                );
            }
            eprintln!("{test}: skipped on PostgreSQL ({PG_URL_VAR} unset; run under scripts/with-postgres.sh)");
            None
        }
    }
}

/// A new empty database for `test`; None when PostgreSQL is not available
/// outside CI (see the module doc).
pub fn fresh_database(test: &str) -> Option<PgTestDb> {
    let admin = admin_url(test)?;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let url = with_database(&admin, &name);
    let sql = format!("CREATE DATABASE {name}");
    on_own_runtime(&admin, sql).unwrap_or_else(|e| panic!("{test}: CREATE DATABASE: {e}"));
    Some(PgTestDb {
        url,
        name,
        admin_url: admin,
    })
}

/// `url` with its database path replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("a postgres:// URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

impl PgTestDb {
    /// This database's URL with another role's credentials (team tests).
    pub fn url_as(&self, user: &str, password: &str) -> String {
        let mut u = url::Url::parse(&self.url).expect("a postgres:// URL");
        u.set_username(user).expect("a user name");
        u.set_password(Some(password)).expect("a password");
        u.to_string()
    }

    /// Run `sql` as the superuser on this database (set-up in tests).
    pub fn execute(&self, sql: &str) -> Result<(), String> {
        on_own_runtime(&self.url, sql.to_string())
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = on_own_runtime(&self.admin_url, sql) {
            eprintln!("test database {} not dropped: {e}", self.name);
        }
    }
}

/// Run one statement on a connection of its own, on a thread of its own:
/// callable from sync code and from inside a tokio runtime alike.
fn on_own_runtime(url: &str, sql: String) -> Result<(), String> {
    let url = url.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async {
            let mut c = PgConnection::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            c.execute(sql.as_str()).await.map_err(|e| e.to_string())?;
            c.close().await.map_err(|e| e.to_string())?;
            Ok(())
        })
    })
    .join()
    .map_err(|_| "the set-up thread panicked".to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_database_is_created_and_dropped() {
        let Some(db) = fresh_database("a_fresh_database_is_created_and_dropped") else {
            return;
        };
        db.execute("CREATE TABLE t (x BIGINT)").unwrap();
        let name = db.name.clone();
        let admin = db.admin_url.clone();
        drop(db);
        // Gone: connecting to it now fails.
        let err = on_own_runtime(&with_database(&admin, &name), "SELECT 1".into());
        assert!(err.is_err(), "the database outlived its handle");
    }
}
