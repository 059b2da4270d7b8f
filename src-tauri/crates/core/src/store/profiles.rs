//! Merchant profiles: settings only (secrets live in the OS keyring).

use super::rows::profile_from_row;
use super::SqliteStore;
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

impl SqliteStore {
    pub async fn insert_profile(&self, p: &Profile) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        let r = sqlx::query(
            "INSERT INTO profiles (id, name, provider, base_url, merchant_id, app_id, operator_id, notify_url, return_url, has_reply_secret, sandbox, low_balance_fen, approval_threshold_fen, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(p.provider.as_str())
        .bind(&p.gateway.base_url)
        .bind(&p.gateway.merchant_id)
        .bind(&p.gateway.app_id)
        .bind(&p.gateway.operator_id)
        .bind(&p.gateway.notify_url)
        .bind(&p.gateway.return_url)
        .bind(p.has_reply_secret as i64)
        .bind(p.sandbox as i64)
        .bind(p.low_balance_fen)
        .bind(p.approval_threshold_fen)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(&self.pool)
        .await;
        profile_write_result(r, &p.name)
    }

    pub async fn update_profile(&self, p: &Profile) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        let r = sqlx::query(
            "UPDATE profiles SET name=?, base_url=?, merchant_id=?, app_id=?, operator_id=?, notify_url=?, return_url=?, has_reply_secret=?, low_balance_fen=?, approval_threshold_fen=?, updated_at=? WHERE id=? AND removed_at IS NULL",
        )
        .bind(&p.name)
        .bind(&p.gateway.base_url)
        .bind(&p.gateway.merchant_id)
        .bind(&p.gateway.app_id)
        .bind(&p.gateway.operator_id)
        .bind(&p.gateway.notify_url)
        .bind(&p.gateway.return_url)
        .bind(p.has_reply_secret as i64)
        .bind(p.low_balance_fen)
        .bind(p.approval_threshold_fen)
        .bind(p.updated_at)
        .bind(&p.id)
        .execute(&self.pool)
        .await;
        profile_write_result(r, &p.name)
    }

    pub async fn profiles(&self) -> CoreResult<Vec<Profile>> {
        let rows =
            sqlx::query("SELECT * FROM profiles WHERE removed_at IS NULL ORDER BY sandbox, name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(profile_from_row).collect()
    }

    /// A live profile by name (or by id).
    pub async fn profile(&self, name_or_id: &str) -> CoreResult<Profile> {
        let row = sqlx::query("SELECT * FROM profiles WHERE removed_at IS NULL AND (name = ? OR id = ?) ORDER BY name = ? DESC LIMIT 1")
            .bind(name_or_id)
            .bind(name_or_id)
            .bind(name_or_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => profile_from_row(&r),
            None => Err(CoreError::NotFound(crate::tr!(
                "没有名为“{}”的商户配置",
                "no profile named “{}”",
                name_or_id
            ))),
        }
    }

    pub async fn remove_profile(&self, id: &str, at: i64) -> CoreResult<()> {
        let _writing = self.writer.lock().await;
        sqlx::query("UPDATE profiles SET removed_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A profile's key inside the database, by name or id, including removed
    /// ones (history stays findable).
    pub(super) async fn profile_pk_any(&self, name_or_id: &str) -> CoreResult<i64> {
        let id: Option<i64> = sqlx::query_scalar("SELECT pk FROM profiles WHERE name = ? OR id = ? ORDER BY removed_at IS NULL DESC LIMIT 1")
            .bind(name_or_id)
            .bind(name_or_id)
            .fetch_optional(&self.pool)
            .await?;
        id.ok_or_else(|| {
            CoreError::NotFound(crate::tr!(
                "没有名为“{}”的商户配置",
                "no profile named “{}”",
                name_or_id
            ))
        })
    }
}

/// A profile write's result, with a taken name reported as a conflict.
fn profile_write_result(
    r: Result<sqlx::sqlite::SqliteQueryResult, sqlx::Error>,
    name: &str,
) -> CoreResult<()> {
    match r {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            Err(CoreError::Conflict(crate::tr!(
                "已存在名为“{}”的商户配置",
                "a profile named “{}” already exists",
                name
            )))
        }
        Err(e) => Err(e.into()),
        Ok(_) => Ok(()),
    }
}
