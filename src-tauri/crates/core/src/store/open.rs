//! Opening the database (an SQLite file, or a PostgreSQL server by URL) and
//! bringing its schema up to date.

use super::{Engine, SqliteStore, Store};
use crate::error::{CoreError, CoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Open (creating if needed) `paydesk.db` in `data_dir` and migrate it:
    /// the single desk's SQLite store.
    pub async fn open(data_dir: &Path) -> CoreResult<Store> {
        Ok(Store::sqlite(SqliteStore::open(data_dir).await?))
    }

    /// The SQLite store in the file at `path`.
    pub async fn open_file(path: &Path) -> CoreResult<Store> {
        Ok(Store::sqlite(SqliteStore::open_file(path).await?))
    }

    /// Open the store a database URL names, migrating it:
    /// `postgres://…` / `postgresql://…` is a PostgreSQL server (team mode);
    /// `sqlite:PATH`, `sqlite://PATH` or a plain path is an SQLite file (a
    /// directory: its `paydesk.db`).
    pub async fn open_url(url: &str) -> CoreResult<Store> {
        match DatabaseUrl::parse(url)? {
            DatabaseUrl::Postgres(u) => Ok(Store {
                engine: Engine::Postgres(super::pg::PgStore::open(&u).await?),
            }),
            DatabaseUrl::Sqlite(p) if p.is_dir() => Store::open(&p).await,
            DatabaseUrl::Sqlite(p) => Store::open_file(&p).await,
        }
    }

    fn sqlite(s: SqliteStore) -> Store {
        Store {
            engine: Engine::Sqlite(s),
        }
    }
}

/// What a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A PostgreSQL connection URL, as given.
    Postgres(String),
    /// An SQLite file (or a data directory).
    Sqlite(std::path::PathBuf),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> CoreResult<DatabaseUrl> {
        let u = url.trim();
        let lower = u.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(u.to_string()));
        }
        let path = if let Some(rest) = lower.strip_prefix("sqlite:") {
            let rest = &u[u.len() - rest.len()..];
            rest.strip_prefix("//").unwrap_or(rest)
        } else if u.contains("://") {
            return Err(CoreError::Storage(crate::tr!(
                "不支持的数据库地址：只支持 postgres://、postgresql://、sqlite: 或文件路径",
                "unsupported database URL: use postgres://, postgresql://, sqlite: or a file path"
            )));
        } else {
            u
        };
        if path.is_empty() {
            return Err(CoreError::Storage(crate::tr!(
                "数据库地址缺少文件路径",
                "the database URL names no file"
            )));
        }
        Ok(DatabaseUrl::Sqlite(path.into()))
    }
}

impl SqliteStore {
    /// Open (creating if needed) `paydesk.db` in `data_dir` and migrate it.
    pub async fn open(data_dir: &Path) -> CoreResult<SqliteStore> {
        super::private::create_dir(data_dir).map_err(|e| {
            CoreError::Storage(crate::tr!(
                "无法创建数据目录 {}：{}",
                "cannot create the data directory {}: {}",
                data_dir.display(),
                e
            ))
        })?;
        SqliteStore::open_file(&data_dir.join("paydesk.db")).await
    }

    pub async fn open_file(path: &Path) -> CoreResult<SqliteStore> {
        super::private::prepare(path)?;
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        // Migrate on a connection of its own, closed before the pool opens:
        // a pooled connection that had read the old schema would prepare a
        // statement against it, and sqlx keeps the old column list when
        // SQLite re-prepares it (`SELECT *` after a rebuilt table).
        let setup = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        refuse_newer(&setup).await?;
        let before = applied_version(&setup).await?;
        migrate(&setup).await?;
        if matches!(before, Some(v) if v < SCHEMA_V2) {
            compact(&setup).await;
        }
        setup.close().await;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A ping before every query doubles the round trips to SQLite's
            // worker thread; a broken local file shows up on the query itself.
            .test_before_acquire(false)
            .after_connect(|conn, _| Box::pin(super::search::connect_index(conn)))
            .connect_with(opts)
            .await?;
        // The WAL and SHM exist now; SQLite gave them the database's mode.
        super::private::narrow_all(path)?;
        let writer = std::sync::Arc::<tokio::sync::Mutex<()>>::default();
        Ok(SqliteStore {
            indexer: std::sync::Arc::new(super::search_pending::Indexer::start(
                pool.clone(),
                writer.clone(),
            )),
            pool,
            writer,
            reader: std::sync::Arc::new(super::reader::Reader::open(path)?),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Apply pending migrations. When the app and a CLI (or two CLIs) open a new
/// or older database at the same moment, both see a migration as pending and
/// the second one's `CREATE TABLE` fails ("table profiles already exists";
/// found by tests/concurrency.rs). Each migration runs in a transaction, so
/// the loser can simply run again: it then finds the migration applied.
async fn migrate(pool: &SqlitePool) -> CoreResult<()> {
    let mut attempt = 0u64;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 5 => {
                attempt += 1;
                tracing::debug!(error = %e, attempt, "migration raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The migration that rebuilt the tables for schema v2.
const SCHEMA_V2: i64 = 4;

/// The newest migration applied to the file, None for a new file.
async fn applied_version(pool: &SqlitePool) -> CoreResult<Option<i64>> {
    let exists: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await?;
    if exists.is_none() {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?,
    )
}

/// Give back the space the schema v2 rebuild freed (the old tables' pages):
/// once, right after the migration. Best effort: another process holding
/// the file open makes it wait or fail, and the space is then reused by new
/// rows instead.
async fn compact(pool: &SqlitePool) {
    if let Err(e) = sqlx::query("VACUUM").execute(pool).await {
        tracing::info!(error = %e, "database not compacted after the schema v2 migration");
    }
}

/// Refuse a database written by a newer PayDesk: its schema may mean things
/// this version does not know.
async fn refuse_newer(pool: &SqlitePool) -> CoreResult<()> {
    refuse_newer_than(applied_version(pool).await?, &MIGRATOR)
}

/// The refusal for both engines: the database's newest applied migration
/// against the newest one `known` holds.
pub(super) fn refuse_newer_than(
    applied: Option<i64>,
    known: &sqlx::migrate::Migrator,
) -> CoreResult<()> {
    let max_db = applied.unwrap_or(0);
    if max_db > known.iter().map(|m| m.version).max().unwrap_or(0) {
        return Err(CoreError::Storage(crate::tr!(
            "该数据库由更新版本的 PayDesk 创建（架构版本 {}），请升级 PayDesk 后再打开",
            "this database was written by a newer PayDesk (schema {}); upgrade PayDesk to open it",
            max_db
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (99999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)")
            .execute(s.pool())
            .await
            .unwrap();
        drop(s);
        assert!(matches!(
            Store::open(dir.path()).await,
            Err(CoreError::Storage(_))
        ));
    }
}
