//! The one store API: each public method routed to the engine in use.
//! Adding a method means adding it to both engines (the match will not
//! compile otherwise), which keeps them level.

use super::pg::PgStore;
use super::{
    AuditEntry, BalanceReading, Engine, NewOrder, Order, OrderEvent, OrderFilter, OrderPage,
    OrderWrite, Profile, RowLink, SqliteStore, Store,
};
use crate::domain::{OrderKind, OrderStatus};
use crate::error::CoreResult;
use sqlx::{PgPool, SqlitePool};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// One desk's embedded file (the default).
    Sqlite,
    /// A shared PostgreSQL server (team mode).
    Postgres,
}

/// The engine's pool, for code that keeps SQL of its own per engine (the
/// batch store, the sync claims).
#[derive(Debug, Clone, Copy)]
pub enum Pool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// The store's public methods, each routed to the engine in use: one line
/// (its signature) per method. A method missing on either engine does not
/// compile; most are written once for both (`sql::impl_both!`).
macro_rules! routes {
    ($(
        $(#[$m:meta])*
        pub async fn $name:ident(&self $(, $a:ident: $t:ty)* $(,)?) -> $r:ty;
    )*) => {
        impl Store {
            $(
                $(#[$m])*
                pub async fn $name(&self $(, $a: $t)*) -> $r {
                    match &self.engine {
                        Engine::Sqlite(s) => s.$name($($a),*).await,
                        Engine::Postgres(p) => p.$name($($a),*).await,
                    }
                }
            )*
        }
    };
}

routes! {
    // ---------------------------------------------------------------- orders
    /// Insert a new order row. `Conflict` if the profile already has the number.
    pub async fn insert_order(&self, o: &NewOrder) -> CoreResult<i64>;
    /// Insert a new order row and its audit-log entry in one transaction.
    pub async fn insert_order_audited(&self, o: &NewOrder, os_user: &str, action: &str, detail: Option<&str>) -> CoreResult<i64>;
    /// `insert_order_audited` that first claims the batch row `link` in the
    /// same transaction: `None` (nothing written) when the row is no longer
    /// queued or its batch no longer runs.
    pub async fn insert_order_claimed(&self, o: &NewOrder, os_user: &str, action: &str, detail: Option<&str>, link: RowLink) -> CoreResult<Option<i64>>;
    /// Insert many new order rows in one transaction: all or none.
    pub async fn insert_orders_batch(&self, orders: &[NewOrder]) -> CoreResult<Vec<i64>>;
    /// Index now what batches left to be indexed behind their writes
    /// (SQLite's trigram index, migration 0015); how many rows.
    pub async fn catch_up_search_index(&self) -> CoreResult<u64>;
    /// Apply an update and record it as an event; a final order never moves.
    /// With `w.link`, the batch row takes the order's outcome in the same transaction.
    pub async fn update_order(&self, w: OrderWrite<'_>) -> CoreResult<Order>;
    /// `update_order` without reading the order back: the status the row has
    /// after the write (the callback listener's hot path).
    pub async fn write_order_update(&self, w: OrderWrite<'_>) -> CoreResult<OrderStatus>;
    pub async fn order(&self, id: i64) -> CoreResult<Order>;
    /// Orders whose merchant order number or gateway order id is `no`.
    pub async fn find_orders(&self, no: &str, profile_id: Option<&str>) -> CoreResult<Vec<Order>>;
    pub async fn open_orders(&self) -> CoreResult<Vec<Order>>;
    pub async fn order_events(&self, order_id: i64) -> CoreResult<Vec<OrderEvent>>;
    /// Sum of amounts of a profile's not-failed orders of a kind in [from, to).
    pub async fn sum_amount(&self, profile_id: &str, kind: OrderKind, from_ms: i64, to_ms: i64) -> CoreResult<i64>;
    /// A page of the history, filtered and searched, newest first.
    pub async fn list_orders(&self, f: &OrderFilter) -> CoreResult<OrderPage>;

    // -------------------------------------------------------------- profiles
    pub async fn insert_profile(&self, p: &Profile) -> CoreResult<()>;
    pub async fn update_profile(&self, p: &Profile) -> CoreResult<()>;
    pub async fn profiles(&self) -> CoreResult<Vec<Profile>>;
    /// A live profile by name (or by id).
    pub async fn profile(&self, name_or_id: &str) -> CoreResult<Profile>;
    pub async fn remove_profile(&self, id: &str, at: i64) -> CoreResult<()>;

    // ------------------------------------------------- balances, audit, settings
    pub async fn insert_balance(&self, b: &BalanceReading) -> CoreResult<()>;
    /// The latest readings of a profile, newest first.
    pub async fn balance_history(&self, profile_id: &str, limit: u32) -> CoreResult<Vec<BalanceReading>>;
    /// Append an audit-log entry.
    pub async fn audit(&self, os_user: &str, action: &str, target: Option<&str>, detail: Option<&str>) -> CoreResult<()>;
    pub async fn audit_entries(&self, limit: u32) -> CoreResult<Vec<AuditEntry>>;
    pub async fn setting(&self, key: &str) -> CoreResult<Option<String>>;
    pub async fn set_setting(&self, key: &str, value: &str) -> CoreResult<()>;
}

impl Store {
    pub fn engine(&self) -> EngineKind {
        match &self.engine {
            Engine::Sqlite(_) => EngineKind::Sqlite,
            Engine::Postgres(_) => EngineKind::Postgres,
        }
    }

    /// The engine's pool.
    pub fn pools(&self) -> Pool<'_> {
        match &self.engine {
            Engine::Sqlite(s) => Pool::Sqlite(s.pool()),
            Engine::Postgres(p) => Pool::Postgres(p.pool()),
        }
    }

    /// The SQLite pool. Only for SQLite-only code (its tests, benchmarks, the
    /// batch and sync SQL not yet written for PostgreSQL): on PostgreSQL it
    /// panics, naming the caller's assumption.
    #[track_caller]
    pub fn pool(&self) -> &SqlitePool {
        match &self.engine {
            Engine::Sqlite(s) => s.pool(),
            Engine::Postgres(_) => panic!("Store::pool() is SQLite's pool; this store runs on PostgreSQL (use Store::pools())"),
        }
    }

    /// The PostgreSQL engine, when this store runs on it.
    pub fn postgres(&self) -> Option<&PgStore> {
        match &self.engine {
            Engine::Postgres(p) => Some(p),
            Engine::Sqlite(_) => None,
        }
    }

    /// Close the engine's connections.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite(s) => s.pool().close().await,
            Engine::Postgres(p) => p.pool().close().await,
        }
    }

    /// The SQLite statement `find_orders` runs (the benchmark's baseline).
    pub fn find_orders_sql() -> String {
        SqliteStore::find_orders_sql()
    }

    /// The filter's conditions on SQLite (its index tests).
    #[cfg(test)]
    pub(super) async fn conditions(&self, f: &OrderFilter) -> CoreResult<super::search::Conds> {
        match &self.engine {
            Engine::Sqlite(s) => s.conditions(f).await,
            Engine::Postgres(_) => Err(crate::error::CoreError::Internal("SQLite only".into())),
        }
    }
}

/// Plain SQL in the store's tests, on either engine (no binds: the same text
/// runs on both).
#[cfg(test)]
impl Store {
    pub(crate) async fn test_execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        Ok(match self.pools() {
            Pool::Sqlite(p) => sqlx::query(sql).execute(p).await?.rows_affected(),
            Pool::Postgres(p) => sqlx::query(sql).execute(p).await?.rows_affected(),
        })
    }

    pub(crate) async fn test_i64(&self, sql: &str) -> i64 {
        match self.pools() {
            Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    pub(crate) async fn test_text(&self, sql: &str) -> String {
        match self.pools() {
            Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }
}

/// The rest of the store API, on both engines: the same calls give the same
/// answers on SQLite and on PostgreSQL.
#[cfg(test)]
mod tests {
    use crate::domain::{OrderKind, OrderStatus};
    use crate::error::CoreError;
    use crate::store::test_support::{new_order, on_both_engines, profile, TestDb};
    use crate::store::{BalanceReading, OrderUpdate, OrderWrite};

    async fn profiles_balances_settings_and_sums(db: TestDb) {
        let s = db.open().await;
        let mut a = profile("p1", "Beta");
        a.low_balance_fen = Some(5_000);
        s.insert_profile(&a).await.unwrap();
        let mut sb = profile("p2", "Alpha");
        sb.sandbox = true;
        s.insert_profile(&sb).await.unwrap();
        s.insert_profile(&profile("p3", "alpha")).await.unwrap();
        // A taken live name is a conflict; names sort byte-wise, sandboxes last.
        assert!(matches!(
            s.insert_profile(&profile("p4", "Beta")).await,
            Err(CoreError::Conflict(_))
        ));
        let names: Vec<String> = s
            .profiles()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["Beta", "alpha", "Alpha"]);
        let got = s.profile("p1").await.unwrap();
        assert_eq!(got, a);
        assert!(s.profile("Alpha").await.unwrap().sandbox);
        // Edit, then remove: the name is free again, the history keeps it.
        let mut edited = a.clone();
        edited.name = "Gamma".into();
        edited.gateway.merchant_id = "M9".into();
        edited.has_reply_secret = true;
        edited.updated_at = 7;
        s.update_profile(&edited).await.unwrap();
        assert_eq!(s.profile("Gamma").await.unwrap(), edited);
        assert!(matches!(
            s.update_profile(&Profile {
                name: "alpha".into(),
                ..edited.clone()
            })
            .await,
            Err(CoreError::Conflict(_))
        ));
        let id = s.insert_order(&new_order("p1", "S1", 100)).await.unwrap();
        s.remove_profile("p1", 9).await.unwrap();
        assert!(matches!(
            s.profile("Gamma").await,
            Err(CoreError::NotFound(_))
        ));
        s.insert_profile(&profile("p5", "Gamma")).await.unwrap();
        assert_eq!(s.order(id).await.unwrap().profile, "Gamma");

        // Balances: newest first, limited, details kept.
        for (at, fen) in [(10, 100), (30, 300), (20, 200)] {
            s.insert_balance(&BalanceReading {
                profile_id: "p2".into(),
                at,
                balance_fen: fen,
                details: [("frozen".to_string(), fen / 10)].into(),
            })
            .await
            .unwrap();
        }
        let h = s.balance_history("p2", 2).await.unwrap();
        assert_eq!(h.iter().map(|b| b.at).collect::<Vec<_>>(), [30, 20]);
        assert_eq!(h[0].details["frozen"], 30);

        // Settings: absent, set, replaced.
        assert_eq!(s.setting("k").await.unwrap(), None);
        s.set_setting("k", "1").await.unwrap();
        s.set_setting("k", "二").await.unwrap();
        assert_eq!(s.setting("k").await.unwrap().as_deref(), Some("二"));

        // Sums (fen, failed ones left out, [from, to)) and open orders.
        let mut big = new_order("p2", "S2", 200);
        big.amount_fen = 9_000_000_000_000;
        s.insert_order(&big).await.unwrap();
        let failed = s.insert_order(&new_order("p2", "S3", 300)).await.unwrap();
        s.insert_order(&new_order("p2", "S4", 400)).await.unwrap();
        let done = OrderUpdate {
            status: Some(OrderStatus::Failed),
            ..Default::default()
        };
        s.update_order(OrderWrite::new(failed, "query", &done, 500))
            .await
            .unwrap();
        assert_eq!(
            s.sum_amount("p2", OrderKind::Payout, 200, 400)
                .await
                .unwrap(),
            9_000_000_000_000
        );
        assert_eq!(
            s.sum_amount("p2", OrderKind::Payout, 0, 1_000)
                .await
                .unwrap(),
            9_000_000_010_000
        );
        assert_eq!(
            s.sum_amount("p2", OrderKind::Deposit, 0, 1_000)
                .await
                .unwrap(),
            0
        );
        let open: Vec<String> = s
            .open_orders()
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.order_no)
            .collect();
        assert_eq!(open, ["S1", "S2", "S4"]);
        let ev = s.order_events(failed).await.unwrap();
        assert_eq!(
            ev.iter()
                .map(|e| (e.action.as_str(), e.status))
                .collect::<Vec<_>>(),
            [
                ("create", OrderStatus::Unknown),
                ("query", OrderStatus::Failed)
            ]
        );
    }

    use crate::store::Profile;

    on_both_engines!(profiles_balances_settings_and_sums);
}
