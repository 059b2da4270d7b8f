//! Merchant profiles on PostgreSQL: settings only (secrets stay in each
//! desk's OS keyring).

use super::rows::profile_from_row;
use super::PgStore;
use crate::error::{CoreError, CoreResult};
use crate::store::Profile;

impl PgStore {
    pub async fn insert_profile(&self, p: &Profile) -> CoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO profiles (id, name, provider, base_url, merchant_id, app_id, operator_id, notify_url, return_url, has_reply_secret, sandbox, low_balance_fen, created_at, updated_at, approval_threshold_fen) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
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
        .bind(p.has_reply_secret)
        .bind(p.sandbox)
        .bind(p.low_balance_fen)
        .bind(p.created_at)
        .bind(p.updated_at)
        .bind(p.approval_threshold_fen)
        .execute(&self.pool)
        .await;
        profile_write_result(r, &p.name)
    }

    pub async fn update_profile(&self, p: &Profile) -> CoreResult<()> {
        let r = sqlx::query(
            "UPDATE profiles SET name=$1, base_url=$2, merchant_id=$3, app_id=$4, operator_id=$5, notify_url=$6, return_url=$7, has_reply_secret=$8, low_balance_fen=$9, updated_at=$10, approval_threshold_fen=$12 WHERE id=$11 AND removed_at IS NULL",
        )
        .bind(&p.name)
        .bind(&p.gateway.base_url)
        .bind(&p.gateway.merchant_id)
        .bind(&p.gateway.app_id)
        .bind(&p.gateway.operator_id)
        .bind(&p.gateway.notify_url)
        .bind(&p.gateway.return_url)
        .bind(p.has_reply_secret)
        .bind(p.low_balance_fen)
        .bind(p.updated_at)
        .bind(&p.id)
        .bind(p.approval_threshold_fen)
        .execute(&self.pool)
        .await;
        profile_write_result(r, &p.name)
    }

    pub async fn profiles(&self) -> CoreResult<Vec<Profile>> {
        // Byte order, as SQLite sorts, whatever the database's collation.
        let rows = sqlx::query(
            "SELECT * FROM profiles WHERE removed_at IS NULL ORDER BY sandbox, name COLLATE \"C\"",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile_from_row).collect()
    }

    /// A live profile by name (or by id).
    pub async fn profile(&self, name_or_id: &str) -> CoreResult<Profile> {
        let row = sqlx::query("SELECT * FROM profiles WHERE removed_at IS NULL AND (name = $1 OR id = $1) ORDER BY name = $1 DESC LIMIT 1")
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
        sqlx::query("UPDATE profiles SET removed_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A profile's key inside the database, by name or id, including removed
    /// ones (history stays findable).
    pub(super) async fn profile_pk_any(&self, name_or_id: &str) -> CoreResult<i64> {
        let id: Option<i64> = sqlx::query_scalar("SELECT pk FROM profiles WHERE name = $1 OR id = $1 ORDER BY removed_at IS NULL DESC LIMIT 1")
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
    r: Result<sqlx::postgres::PgQueryResult, sqlx::Error>,
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
