//! Connecting to the server and bringing its schema up to date.

use super::PgStore;
use crate::error::{CoreError, CoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

/// A pooled connection idle this long is pinged before it is used again.
pub(super) const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The PostgreSQL schema, apart from SQLite's (`migrations_pg/`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations_pg");

impl PgStore {
    /// Connect to the database `url` names and migrate it. A password in the
    /// URL or in PGPASSWORD is used.
    pub async fn open(url: &str) -> CoreResult<PgStore> {
        let opts = PgConnectOptions::from_str(url).map_err(|e| {
            CoreError::Storage(crate::tr!(
                "PostgreSQL 地址无效：{}",
                "invalid PostgreSQL URL: {}",
                e
            ))
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            // sqlx pings every connection it takes from the pool, a round
            // trip before each statement's own: a look-up paid two. Only a
            // connection idle for a while is pinged now (a server restart or
            // a dropped link is still noticed before use, as before).
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(opts.clone())
            .await
            .map_err(|e| {
                CoreError::Storage(crate::tr!(
                    "无法连接 PostgreSQL 数据库：{}",
                    "cannot connect to the PostgreSQL database: {}",
                    e
                ))
            })?;
        refuse_newer(&pool).await?;
        // Team mode: operators may not create anything (team/admin.rs grants),
        // and sqlx's run begins with a CREATE TABLE IF NOT EXISTS even when
        // nothing is pending; so it runs only when something is.
        if has_pending(&pool).await? {
            // sqlx takes an advisory lock around the run: two desks opening a
            // new database at once migrate it once.
            MIGRATOR.run(&pool).await.map_err(|e| {
                use sqlx::migrate::MigrateError::{Execute, ExecuteMigration};
                let denied = matches!(&e, Execute(sqlx::Error::Database(d)) | ExecuteMigration(sqlx::Error::Database(d), _)
                    if d.code().as_deref() == Some("42501"));
                if denied {
                    CoreError::Storage(crate::tr!(
                        "团队数据库需要升级到此版本 PayDesk 的表结构：请管理员运行 paydesk team init --database 管理员地址",
                        "the team database needs this PayDesk's schema: ask the administrator to run paydesk team init --database ADMIN_URL"
                    ))
                } else {
                    e.into()
                }
            })?;
        }
        Ok(PgStore {
            pool,
            lookup: super::lookup::Lookup::new(opts),
        })
    }
}

/// The newest migration applied to the database, None for a new one.
pub(crate) async fn applied_version(pool: &PgPool) -> CoreResult<Option<i64>> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    if !exists {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?,
    )
}

/// Whether a migration this PayDesk knows is not applied yet.
async fn has_pending(pool: &PgPool) -> CoreResult<bool> {
    if applied_version(pool).await?.is_none() {
        return Ok(true);
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await?;
    Ok(MIGRATOR.iter().any(|m| !applied.contains(&m.version)))
}

/// Refuse a database migrated by a newer PayDesk: its schema may mean things
/// this version does not know.
async fn refuse_newer(pool: &PgPool) -> CoreResult<()> {
    crate::store::open::refuse_newer_than(applied_version(pool).await?, &MIGRATOR)
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::{profile, TestDb};

    /// A connection the server dropped while it sat idle in the pool is
    /// found out by the ping before its next use, not by the caller's
    /// statement: after the server ends every session of the store, the
    /// next look-up (past `PING_AFTER_IDLE`) succeeds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_idle_connection_the_server_dropped_is_replaced() {
        let Some(db) = TestDb::postgres("an_idle_connection_the_server_dropped_is_replaced") else {
            return;
        };
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let TestDb::Postgres(pg) = &db else {
            unreachable!()
        };
        pg.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .unwrap();
        tokio::time::sleep(super::PING_AFTER_IDLE + std::time::Duration::from_millis(300)).await;
        for _ in 0..3 {
            s.find_orders("NONE", None).await.unwrap();
        }
        s.close().await;
    }
}
