//! The one store API: each public method routed to the engine in use.
//! Adding a method means adding it to both engines (the match will not
//! compile otherwise), which keeps them level.

use super::pg::PgStore;
use super::{
    AuditEntry, BalanceReading, Engine, NewOrder, Order, OrderEvent, OrderFilter, OrderPage,
    OrderUpdate, Profile, SqliteStore, Store,
};
use crate::domain::OrderKind;
use crate::error::CoreResult;
use crate::gateway::Exchange;
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

/// `self.method(args…).await` on whichever engine this store runs.
macro_rules! route {
    ($self:ident . $m:ident ( $($a:expr),* )) => {
        match &$self.engine {
            Engine::Sqlite(s) => s.$m($($a),*).await,
            Engine::Postgres(p) => p.$m($($a),*).await,
        }
    };
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

    // ---------------------------------------------------------------- orders

    /// Insert a new order row. `Conflict` if the profile already has the number.
    pub async fn insert_order(&self, o: &NewOrder) -> CoreResult<i64> {
        route!(self.insert_order(o))
    }

    /// Insert a new order row and its audit-log entry in one transaction.
    pub async fn insert_order_audited(
        &self,
        o: &NewOrder,
        os_user: &str,
        action: &str,
        detail: Option<&str>,
    ) -> CoreResult<i64> {
        route!(self.insert_order_audited(o, os_user, action, detail))
    }

    /// Insert many new order rows in one transaction: all or none.
    pub async fn insert_orders_batch(&self, orders: &[NewOrder]) -> CoreResult<Vec<i64>> {
        route!(self.insert_orders_batch(orders))
    }

    /// Apply an update and record it as an event; a final order never moves.
    pub async fn update_order(
        &self,
        id: i64,
        action: &str,
        u: &OrderUpdate,
        error_code: Option<&str>,
        exchanges: &[Exchange],
        at: i64,
    ) -> CoreResult<Order> {
        route!(self.update_order(id, action, u, error_code, exchanges, at))
    }

    pub async fn order(&self, id: i64) -> CoreResult<Order> {
        route!(self.order(id))
    }

    /// Orders whose merchant order number or gateway order id is `no`.
    pub async fn find_orders(&self, no: &str, profile_id: Option<&str>) -> CoreResult<Vec<Order>> {
        route!(self.find_orders(no, profile_id))
    }

    /// The SQLite statement `find_orders` runs (the benchmark's baseline).
    pub fn find_orders_sql() -> String {
        SqliteStore::find_orders_sql()
    }

    pub async fn open_orders(&self) -> CoreResult<Vec<Order>> {
        route!(self.open_orders())
    }

    pub async fn order_events(&self, order_id: i64) -> CoreResult<Vec<OrderEvent>> {
        route!(self.order_events(order_id))
    }

    /// Sum of amounts of a profile's not-failed orders of a kind in [from, to).
    pub async fn sum_amount(
        &self,
        profile_id: &str,
        kind: OrderKind,
        from_ms: i64,
        to_ms: i64,
    ) -> CoreResult<i64> {
        route!(self.sum_amount(profile_id, kind, from_ms, to_ms))
    }

    /// A page of the history, filtered and searched, newest first.
    pub async fn list_orders(&self, f: &OrderFilter) -> CoreResult<OrderPage> {
        route!(self.list_orders(f))
    }

    // -------------------------------------------------------------- profiles

    pub async fn insert_profile(&self, p: &Profile) -> CoreResult<()> {
        route!(self.insert_profile(p))
    }

    pub async fn update_profile(&self, p: &Profile) -> CoreResult<()> {
        route!(self.update_profile(p))
    }

    pub async fn profiles(&self) -> CoreResult<Vec<Profile>> {
        route!(self.profiles())
    }

    /// A live profile by name (or by id).
    pub async fn profile(&self, name_or_id: &str) -> CoreResult<Profile> {
        route!(self.profile(name_or_id))
    }

    pub async fn remove_profile(&self, id: &str, at: i64) -> CoreResult<()> {
        route!(self.remove_profile(id, at))
    }

    // ------------------------------------------------- balances, audit, settings

    pub async fn insert_balance(&self, b: &BalanceReading) -> CoreResult<()> {
        route!(self.insert_balance(b))
    }

    /// The latest readings of a profile, newest first.
    pub async fn balance_history(
        &self,
        profile_id: &str,
        limit: u32,
    ) -> CoreResult<Vec<BalanceReading>> {
        route!(self.balance_history(profile_id, limit))
    }

    /// Append an audit-log entry.
    pub async fn audit(
        &self,
        os_user: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> CoreResult<()> {
        route!(self.audit(os_user, action, target, detail))
    }

    pub async fn audit_entries(&self, limit: u32) -> CoreResult<Vec<AuditEntry>> {
        route!(self.audit_entries(limit))
    }

    pub async fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        route!(self.setting(key))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> CoreResult<()> {
        route!(self.set_setting(key, value))
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
