//! Key-value settings.

use super::sql::{impl_both, sql, Sql};
use crate::error::CoreResult;

static GET: Sql = sql!("SELECT value FROM settings WHERE key = ?1");
static SET: Sql = sql!("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");

impl_both! {
    pub async fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(sqlx::query_scalar(text(&GET))
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> CoreResult<()> {
        let _writing = self.writing().await;
        sqlx::query(text(&SET))
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
