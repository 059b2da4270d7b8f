//! Balance readings, the audit log and settings on PostgreSQL.

use super::PgStore;
use crate::error::CoreResult;
use crate::store::rows::json_or_default;
use crate::store::{now_ms, AuditEntry, BalanceReading};
use sqlx::{PgConnection, Row};

impl PgStore {
    pub async fn insert_balance(&self, b: &BalanceReading) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO balance_readings (profile_pk, at, balance_fen, details) VALUES ((SELECT pk FROM profiles WHERE id = $1),$2,$3,$4)",
        )
        .bind(&b.profile_id)
        .bind(b.at)
        .bind(b.balance_fen)
        .bind(serde_json::to_string(&b.details).unwrap_or_else(|_| "{}".into()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest readings of a profile, newest first.
    pub async fn balance_history(
        &self,
        profile_id: &str,
        limit: u32,
    ) -> CoreResult<Vec<BalanceReading>> {
        let rows = sqlx::query("SELECT b.*, p.id AS profile_id FROM balance_readings b JOIN profiles p ON p.pk = b.profile_pk WHERE p.id = $1 ORDER BY b.at DESC, b.id DESC LIMIT $2")
            .bind(profile_id)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(BalanceReading {
                    profile_id: r.try_get("profile_id")?,
                    at: r.try_get("at")?,
                    balance_fen: r.try_get("balance_fen")?,
                    details: json_or_default(r.try_get("details")?),
                })
            })
            .collect()
    }

    pub async fn audit(
        &self,
        os_user: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> CoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        audit_in(&mut conn, os_user, action, target, detail).await
    }

    pub async fn audit_entries(&self, limit: u32) -> CoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    os_user: r.try_get("os_user")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    pub async fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> CoreResult<()> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// An audit-log entry, on the caller's connection (or in its transaction).
pub(super) async fn audit_in(
    conn: &mut PgConnection,
    os_user: &str,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, os_user, action, target, detail) VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(now_ms())
    .bind(os_user)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}
