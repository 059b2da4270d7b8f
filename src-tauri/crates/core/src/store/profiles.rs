//! Merchant profiles: settings only (secrets live in the OS keyring).

use super::rows::profile_from;
use super::sql::{impl_both, sql, Sql};
use crate::domain::ProviderKind;
use crate::error::{CoreError, CoreResult};
use crate::gateway::GatewayConfig;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub provider: ProviderKind,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub gateway: GatewayConfig,
    pub has_reply_secret: bool,
    pub sandbox: bool,
    pub low_balance_fen: Option<i64>,
    /// Payouts at or above this need a checker's approval (team mode only;
    /// 0: every payout; `None`: no approval).
    #[serde(default)]
    pub approval_threshold_fen: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A profile's settings (`?1`…`?11`, `bind_settings`), then for a new one
/// its id, gateway, sandbox flag and creation time, for an edit its id.
static INSERT: Sql = sql!("INSERT INTO profiles (name, base_url, merchant_id, app_id, operator_id, notify_url, return_url, has_reply_secret, low_balance_fen, approval_threshold_fen, updated_at, id, provider, sandbox, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)");
static UPDATE: Sql = sql!("UPDATE profiles SET name=?1, base_url=?2, merchant_id=?3, app_id=?4, operator_id=?5, notify_url=?6, return_url=?7, has_reply_secret=?8, low_balance_fen=?9, approval_threshold_fen=?10, updated_at=?11 WHERE id=?12 AND removed_at IS NULL");
/// Live profiles, sandboxes last, names in byte order (PostgreSQL's "C"
/// collation: SQLite's order, whatever the database's collation).
static LIVE: Sql = sql!(
    sqlite: "SELECT * FROM profiles WHERE removed_at IS NULL ORDER BY sandbox, name",
    pg: "SELECT * FROM profiles WHERE removed_at IS NULL ORDER BY sandbox, name COLLATE \"C\"",
);
static BY_NAME: Sql = sql!("SELECT * FROM profiles WHERE removed_at IS NULL AND (name = ?1 OR id = ?1) ORDER BY name = ?1 DESC LIMIT 1");
static REMOVE: Sql = sql!("UPDATE profiles SET removed_at = ?1 WHERE id = ?2");
static PK_ANY: Sql = sql!(
    "SELECT pk FROM profiles WHERE name = ?1 OR id = ?1 ORDER BY removed_at IS NULL DESC LIMIT 1"
);

impl_both! {
    pub async fn insert_profile(&self, p: &Profile) -> CoreResult<()> {
        let _writing = self.writing().await;
        let r = Self::bind_settings(sqlx::query(text(&INSERT)), p)
            .bind(&p.id)
            .bind(p.provider.as_str())
            .bind(p.sandbox)
            .bind(p.created_at)
            .execute(&self.pool)
            .await;
        profile_write_result(r.map(drop), &p.name)
    }

    pub async fn update_profile(&self, p: &Profile) -> CoreResult<()> {
        let _writing = self.writing().await;
        let r = Self::bind_settings(sqlx::query(text(&UPDATE)), p)
            .bind(&p.id)
            .execute(&self.pool)
            .await;
        profile_write_result(r.map(drop), &p.name)
    }

    /// What an edit may change, in `INSERT`'s and `UPDATE`'s order.
    fn bind_settings<'q>(
        q: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
        p: &'q Profile,
    ) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>> {
        q.bind(&p.name)
            .bind(&p.gateway.base_url)
            .bind(&p.gateway.merchant_id)
            .bind(&p.gateway.app_id)
            .bind(&p.gateway.operator_id)
            .bind(&p.gateway.notify_url)
            .bind(&p.gateway.return_url)
            .bind(p.has_reply_secret)
            .bind(p.low_balance_fen)
            .bind(p.approval_threshold_fen)
            .bind(p.updated_at)
    }

    pub async fn profiles(&self) -> CoreResult<Vec<Profile>> {
        let rows = sqlx::query(text(&LIVE)).fetch_all(&self.pool).await?;
        rows.iter().map(profile_from).collect()
    }

    /// A live profile by name (or by id).
    pub async fn profile(&self, name_or_id: &str) -> CoreResult<Profile> {
        let row = sqlx::query(text(&BY_NAME))
            .bind(name_or_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => profile_from(&r),
            None => Err(no_profile(name_or_id)),
        }
    }

    pub async fn remove_profile(&self, id: &str, at: i64) -> CoreResult<()> {
        let _writing = self.writing().await;
        sqlx::query(text(&REMOVE))
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A profile's key inside the database, by name or id, including removed
    /// ones (history stays findable).
    pub(crate) async fn profile_pk_any(&self, name_or_id: &str) -> CoreResult<i64> {
        let id: Option<i64> = sqlx::query_scalar(text(&PK_ANY))
            .bind(name_or_id)
            .fetch_optional(&self.pool)
            .await?;
        id.ok_or_else(|| no_profile(name_or_id))
    }
}

pub(crate) fn no_profile(name_or_id: &str) -> CoreError {
    CoreError::NotFound(crate::tr!(
        "没有名为“{}”的商户配置",
        "no profile named “{}”",
        name_or_id
    ))
}

/// A profile write's result, with a taken name reported as a conflict.
fn profile_write_result(r: Result<(), sqlx::Error>, name: &str) -> CoreResult<()> {
    match r {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            Err(CoreError::Conflict(crate::tr!(
                "已存在名为“{}”的商户配置",
                "a profile named “{}” already exists",
                name
            )))
        }
        Err(e) => Err(e.into()),
        Ok(()) => Ok(()),
    }
}
