//! Balance readings per profile.

use super::rows::balance_from;
use super::sql::{impl_both, sql, Sql};
use crate::error::CoreResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BalanceReading {
    pub profile_id: String,
    pub at: i64,
    pub balance_fen: i64,
    pub details: BTreeMap<String, i64>,
}

/// A profile's latest readings (binds: profile id, limit).
pub(super) const HISTORY_SQL: &str = "SELECT b.*, p.id AS profile_id FROM balance_readings b JOIN profiles p ON p.pk = b.profile_pk WHERE p.id = ?1 ORDER BY b.at DESC, b.id DESC LIMIT ?2";
static HISTORY: Sql = sql!(HISTORY_SQL);
static INSERT: Sql = sql!("INSERT INTO balance_readings (profile_pk, at, balance_fen, details) VALUES ((SELECT pk FROM profiles WHERE id = ?1),?2,?3,?4)");

impl_both! {
    pub async fn insert_balance(&self, b: &BalanceReading) -> CoreResult<()> {
        let _writing = self.writing().await;
        sqlx::query(text(&INSERT))
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
        let rows = sqlx::query(text(&HISTORY))
            .bind(profile_id)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(balance_from).collect()
    }
}
