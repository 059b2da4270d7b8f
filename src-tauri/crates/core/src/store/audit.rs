//! The append-only audit log: who (the OS user) did what, when.

use super::now_ms;
use super::rows::audit_from;
use super::sql::{impl_both, sql, Sql};
use crate::error::CoreResult;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub os_user: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
}

static INSERT: Sql =
    sql!("INSERT INTO audit_log (at, os_user, action, target, detail) VALUES (?1,?2,?3,?4,?5)");
static LATEST: Sql = sql!("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?1");

impl_both! {
    pub async fn audit(
        &self,
        os_user: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> CoreResult<()> {
        let _writing = self.writing().await;
        let mut conn = self.pool.acquire().await?;
        Self::audit_in(&mut conn, os_user, action, target, detail).await
    }

    pub async fn audit_entries(&self, limit: u32) -> CoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(text(&LATEST))
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_from).collect()
    }

    /// An audit-log entry, on the caller's connection (or in its transaction).
    pub(super) async fn audit_in(
        conn: &mut Conn,
        os_user: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> CoreResult<()> {
        sqlx::query(text(&INSERT))
            .bind(now_ms())
            .bind(os_user)
            .bind(action)
            .bind(target)
            .bind(detail)
            .execute(conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::error::CoreError;
    use crate::store::test_support::{new_order, on_both_engines, profile, TestDb};

    /// A create's audit entry is written with the order or not at all.
    async fn an_order_and_its_audit_entry_are_one_write(db: TestDb) {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let id = s
            .insert_order_audited(
                &new_order("p1", "NO1", 100),
                "alice",
                "payout.create",
                Some("A 100.00"),
            )
            .await
            .unwrap();
        assert_eq!(s.order(id).await.unwrap().order_no, "NO1");
        let log = s.audit_entries(10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            (
                log[0].action.as_str(),
                log[0].target.as_deref(),
                log[0].detail.as_deref()
            ),
            ("payout.create", Some("NO1"), Some("A 100.00"))
        );
        // A taken number: no order, and no audit entry claiming one.
        assert!(matches!(
            s.insert_order_audited(&new_order("p1", "NO1", 101), "alice", "payout.create", None)
                .await,
            Err(CoreError::Conflict(_))
        ));
        assert_eq!(s.audit_entries(10).await.unwrap().len(), 1);
    }

    async fn audit_log_is_append_only(db: TestDb) {
        let s = db.open().await;
        s.audit("alice", "profile.add", Some("A"), None)
            .await
            .unwrap();
        assert!(s.test_execute("DELETE FROM audit_log").await.is_err());
        assert!(s
            .test_execute("UPDATE audit_log SET os_user='x'")
            .await
            .is_err());
        assert_eq!(s.audit_entries(10).await.unwrap()[0].os_user, "alice");
    }

    on_both_engines!(
        an_order_and_its_audit_entry_are_one_write,
        audit_log_is_append_only
    );
}
