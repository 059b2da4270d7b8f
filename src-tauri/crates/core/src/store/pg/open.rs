//! Connecting to the server and bringing its schema up to date.

use super::PgStore;
use crate::error::{CoreError, CoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

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
            .connect_with(opts)
            .await
            .map_err(|e| {
                CoreError::Storage(crate::tr!(
                    "无法连接 PostgreSQL 数据库：{}",
                    "cannot connect to the PostgreSQL database: {}",
                    e
                ))
            })?;
        refuse_newer(&pool).await?;
        // sqlx takes an advisory lock around the run: two desks opening a
        // new database at once migrate it once.
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
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

/// Refuse a database migrated by a newer PayDesk: its schema may mean things
/// this version does not know.
async fn refuse_newer(pool: &PgPool) -> CoreResult<()> {
    let max_db = applied_version(pool).await?;
    let max_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    if max_db.unwrap_or(0) > max_known {
        return Err(CoreError::Storage(crate::tr!(
            "该数据库由更新版本的 PayDesk 创建（架构版本 {}），请升级 PayDesk 后再打开",
            "this database was written by a newer PayDesk (schema {}); upgrade PayDesk to open it",
            max_db.unwrap_or(0)
        )));
    }
    Ok(())
}
