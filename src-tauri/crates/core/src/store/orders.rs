//! Orders and their events: insert (one, audited, a batch), update, read.

use super::audit::audit_in;
use super::rows::{order_from_row, ORDER_SELECT};
use super::Store;
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, CoreResult};
use crate::gateway::{CardInfo, Exchange};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Order {
    pub id: i64,
    pub profile_id: String,
    pub profile: String,
    pub provider: ProviderKind,
    pub sandbox: bool,
    pub order_no: String,
    pub kind: OrderKind,
    pub amount_fen: i64,
    pub channel: Option<String>,
    pub payee_name: Option<String>,
    pub account_no: Option<String>,
    pub bank_name: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub status: OrderStatus,
    pub provider_status: Option<String>,
    pub provider_message: Option<String>,
    pub provider_order_id: Option<String>,
    pub pay_url: Option<String>,
    pub card: Option<CardInfo>,
    pub extra: BTreeMap<String, String>,
    pub message: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderEvent {
    pub id: i64,
    pub order_id: i64,
    pub at: i64,
    pub action: String,
    pub status: OrderStatus,
    pub provider_status: Option<String>,
    pub provider_message: Option<String>,
    pub message: Option<String>,
    pub error_code: Option<String>,
    pub exchanges: Vec<Exchange>,
}

/// A new order row, written before its request leaves.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub profile_id: String,
    pub order_no: String,
    pub kind: OrderKind,
    pub amount_fen: i64,
    pub fields: BTreeMap<String, String>,
    pub status: OrderStatus,
    pub message: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

/// What a gateway said about an order, to be stored.
#[derive(Debug, Clone, Default)]
pub struct OrderUpdate {
    pub status: Option<OrderStatus>,
    pub provider_status: Option<String>,
    pub provider_message: Option<String>,
    pub provider_order_id: Option<String>,
    pub pay_url: Option<String>,
    pub card: Option<CardInfo>,
    pub extra: Option<BTreeMap<String, String>>,
    pub message: Option<String>,
}

impl Store {
    /// Insert a new order row. `Conflict` if the profile already has the number.
    pub async fn insert_order(&self, o: &NewOrder) -> CoreResult<i64> {
        let _writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let id = insert_order_in(&mut tx, o).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Insert a new order row and its audit-log entry in one transaction, so
    /// neither exists without the other (and a create costs one commit less).
    pub async fn insert_order_audited(
        &self,
        o: &NewOrder,
        os_user: &str,
        action: &str,
        detail: Option<&str>,
    ) -> CoreResult<i64> {
        let _writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let id = insert_order_in(&mut tx, o).await?;
        audit_in(&mut tx, os_user, action, Some(&o.order_no), detail).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Insert many new order rows (each with its `create` event) in one
    /// transaction: all or none. `Conflict` if any number is already taken.
    /// Returns the ids in the order given.
    pub async fn insert_orders_batch(&self, orders: &[NewOrder]) -> CoreResult<Vec<i64>> {
        let _writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(orders.len());
        for o in orders {
            ids.push(insert_order_in(&mut tx, o).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Apply an update and record it as an event (with the masked exchanges).
    pub async fn update_order(
        &self,
        id: i64,
        action: &str,
        u: &OrderUpdate,
        error_code: Option<&str>,
        exchanges: &[Exchange],
        at: i64,
    ) -> CoreResult<Order> {
        let writing = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let card = u
            .card
            .as_ref()
            .map(|c| serde_json::to_string(c).unwrap_or_default());
        let extra = u
            .extra
            .as_ref()
            .map(|e| serde_json::to_string(e).unwrap_or_default());
        // RETURNING: one round trip less while holding the write lock.
        let status: String = sqlx::query_scalar(
            "UPDATE orders SET status = COALESCE(?, status), provider_status = COALESCE(?, provider_status), provider_message = COALESCE(?, provider_message), provider_order_id = COALESCE(?, provider_order_id), pay_url = COALESCE(?, pay_url), card = COALESCE(?, card), extra = COALESCE(?, extra), message = ?, updated_at = ? WHERE id = ? RETURNING status",
        )
        .bind(u.status.map(|s| s.as_str()))
        .bind(&u.provider_status)
        .bind(&u.provider_message)
        .bind(&u.provider_order_id)
        .bind(&u.pay_url)
        .bind(card)
        .bind(extra)
        .bind(&u.message)
        .bind(at)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO order_events (order_id, at, action, status, provider_status, provider_message, message, error_code, exchanges) VALUES (?,?,?,?,?,?,?,?,?)")
            .bind(id)
            .bind(at)
            .bind(action)
            .bind(&status)
            .bind(&u.provider_status)
            .bind(&u.provider_message)
            .bind(&u.message)
            .bind(error_code)
            .bind(serde_json::to_string(exchanges).unwrap_or_else(|_| "[]".into()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        drop(writing);
        self.order(id).await
    }

    pub async fn order(&self, id: i64) -> CoreResult<Order> {
        let row = sqlx::query(&format!("{ORDER_SELECT} WHERE o.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => order_from_row(&r),
            None => Err(CoreError::NotFound(crate::tr!(
                "订单不存在",
                "no such order"
            ))),
        }
    }

    /// Orders whose merchant order number or gateway order id is `no`, across
    /// all profiles (or one).
    pub async fn find_orders(&self, no: &str, profile_id: Option<&str>) -> CoreResult<Vec<Order>> {
        let sql = format!(
            // An OR of the two equalities: SQLite probes both indexes (a
            // multi-index OR) without the temp table an IN (… UNION …) needs.
            "{ORDER_SELECT} WHERE (o.order_no = ?1 OR o.provider_order_id = ?1) AND (?2 IS NULL OR o.profile_id = ?2) ORDER BY o.created_at DESC, o.id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(no.trim())
            .bind(profile_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from_row).collect()
    }

    pub async fn open_orders(&self) -> CoreResult<Vec<Order>> {
        let rows = sqlx::query(&format!("{ORDER_SELECT} WHERE o.status NOT IN ('succeeded','failed') ORDER BY o.created_at, o.id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from_row).collect()
    }

    pub async fn order_events(&self, order_id: i64) -> CoreResult<Vec<OrderEvent>> {
        let rows = sqlx::query("SELECT * FROM order_events WHERE order_id = ? ORDER BY id")
            .bind(order_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                let ex: String = r.try_get("exchanges")?;
                Ok(OrderEvent {
                    id: r.try_get("id")?,
                    order_id: r.try_get("order_id")?,
                    at: r.try_get("at")?,
                    action: r.try_get("action")?,
                    status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Unknown),
                    provider_status: r.try_get("provider_status")?,
                    provider_message: r.try_get("provider_message")?,
                    message: r.try_get("message")?,
                    error_code: r.try_get("error_code")?,
                    exchanges: serde_json::from_str(&ex).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Sum of amounts of a profile's orders of a kind created in [from, to) that
    /// have not failed (for per-day limits).
    pub async fn sum_amount(
        &self,
        profile_id: &str,
        kind: OrderKind,
        from_ms: i64,
        to_ms: i64,
    ) -> CoreResult<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT SUM(amount_fen) FROM orders WHERE profile_id = ? AND kind = ? AND created_at >= ? AND created_at < ? AND status != 'failed'")
            .bind(profile_id)
            .bind(kind.as_str())
            .bind(from_ms)
            .bind(to_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }
}

/// The order row and its `create` event, inside the caller's transaction.
async fn insert_order_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    o: &NewOrder,
) -> CoreResult<i64> {
    let fields =
        serde_json::to_string(&o.fields).map_err(|e| CoreError::Internal(e.to_string()))?;
    let r = sqlx::query(
        "INSERT INTO orders (profile_id, order_no, kind, amount_fen, channel, payee_name, account_no, bank_name, fields, status, message, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    )
    .bind(&o.profile_id)
    .bind(&o.order_no)
    .bind(o.kind.as_str())
    .bind(o.amount_fen)
    .bind(o.fields.get("channel"))
    .bind(o.fields.get("payee_name").or(o.fields.get("payer_name")))
    .bind(o.fields.get("account_no").or(o.fields.get("payer_account_no")))
    .bind(o.fields.get("bank_name").or(o.fields.get("bank_code")))
    .bind(&fields)
    .bind(o.status.as_str())
    .bind(&o.message)
    .bind(&o.created_by)
    .bind(o.created_at)
    .bind(o.created_at)
    .execute(&mut **tx)
    .await;
    let id = match r {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Err(CoreError::Conflict(crate::tr!(
                "商户订单号 {} 已存在，不能重复下单",
                "merchant order number {} already exists; an order is never sent twice",
                o.order_no
            )))
        }
        Err(e) => return Err(e.into()),
        Ok(r) => r.last_insert_rowid(),
    };
    sqlx::query(
        "INSERT INTO order_events (order_id, at, action, status, message) VALUES (?,?,?,?,?)",
    )
    .bind(id)
    .bind(o.created_at)
    .bind("create")
    .bind(o.status.as_str())
    .bind(&o.message)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{new_order, profile};
    use crate::store::OrderFilter;

    #[tokio::test]
    async fn orders_are_unique_per_profile_findable_and_paged() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        assert!(matches!(
            s.insert_profile(&profile("p3", "A")).await,
            Err(CoreError::Conflict(_))
        ));
        let id = s.insert_order(&new_order("p1", "NO1", 100)).await.unwrap();
        assert!(matches!(
            s.insert_order(&new_order("p1", "NO1", 101)).await,
            Err(CoreError::Conflict(_))
        ));
        s.insert_order(&new_order("p2", "NO1", 102)).await.unwrap();
        assert_eq!(s.find_orders("NO1", None).await.unwrap().len(), 2);
        let u = OrderUpdate {
            status: Some(OrderStatus::Pending),
            provider_order_id: Some("GW9".into()),
            ..Default::default()
        };
        let o = s
            .update_order(id, "create", &u, None, &[], 200)
            .await
            .unwrap();
        assert_eq!(o.status, OrderStatus::Pending);
        assert_eq!(s.find_orders("GW9", None).await.unwrap()[0].id, id);
        assert_eq!(s.order_events(id).await.unwrap().len(), 2);
        for i in 0..25 {
            s.insert_order(&new_order("p1", &format!("X{i:02}"), 1000 + i))
                .await
                .unwrap();
        }
        let mut f = OrderFilter {
            profile: Some("A".into()),
            limit: Some(10),
            ..Default::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = s.list_orders(&f).await.unwrap();
            seen.extend(page.orders.iter().map(|o| o.order_no.clone()));
            match page.next {
                Some(c) => f.after = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 26);
        assert_eq!(seen[0], "X24");
        let f = OrderFilter {
            search: Some("X1".into()),
            ..Default::default()
        };
        assert_eq!(s.list_orders(&f).await.unwrap().orders.len(), 10);
        let f = OrderFilter {
            search: Some("张".into()),
            profile: Some("B".into()),
            ..Default::default()
        };
        assert_eq!(s.list_orders(&f).await.unwrap().orders.len(), 1);
    }
}
