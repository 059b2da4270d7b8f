//! Finding orders: by number, as-you-type, by page, and at the gateway for an
//! order that is not in the local history.

use super::notes::{localize_events, localize_order, localize_orders, Note};
use super::outcome;
use super::{config_of, OrderOutcome, PayDesk};
use crate::domain::{OrderKind, OrderStatus};
use crate::error::{CoreResult, FieldError};
use crate::gateway::{Call, GatewayError, OrderParams};
use crate::providers;
use crate::store::{now_ms, NewOrder, Order, OrderEvent, OrderFilter, OrderPage, OrderWrite};
use crate::tr;
use crate::{money, order_no};
use std::collections::BTreeMap;

impl PayDesk {
    /// Orders with this merchant order number or gateway order id, across all
    /// profiles or one.
    pub async fn find_orders(&self, no: &str, profile: Option<&str>) -> CoreResult<Vec<Order>> {
        let pid = match profile {
            Some(name) => Some(self.store.profile(name).await?.id),
            None => None,
        };
        Ok(localize_orders(
            self.store.find_orders(no, pid.as_deref()).await?,
        ))
    }

    /// As-you-type look-up across all profiles: exact merchant or gateway order
    /// numbers first, then order numbers, gateway ids and payee names that start
    /// with the query.
    pub async fn search_orders(&self, query: &str, limit: u32) -> CoreResult<Vec<Order>> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = self.store.find_orders(q, None).await?;
        let filter = OrderFilter {
            search: Some(q.to_string()),
            limit: Some(limit),
            ..Default::default()
        };
        for o in self.store.list_orders(&filter).await?.orders {
            if !out.iter().any(|x| x.id == o.id) {
                out.push(o);
            }
        }
        out.truncate(limit as usize);
        Ok(localize_orders(out))
    }

    pub async fn list_orders(&self, filter: &OrderFilter) -> CoreResult<OrderPage> {
        let mut page = self.store.list_orders(filter).await?;
        page.orders = localize_orders(page.orders);
        Ok(page)
    }

    pub async fn order(&self, id: i64) -> CoreResult<Order> {
        Ok(localize_order(self.store.order(id).await?))
    }

    pub async fn order_events(&self, id: i64) -> CoreResult<Vec<OrderEvent>> {
        Ok(localize_events(self.store.order_events(id).await?))
    }

    /// Ask the gateway about an order that is not in the local history, and
    /// store what it learns (as an imported order).
    pub async fn lookup_remote(
        &self,
        profile: &str,
        kind: OrderKind,
        order_no: &str,
        amount: &str,
        values: BTreeMap<String, String>,
    ) -> CoreResult<OrderOutcome> {
        let p = self.store.profile(profile).await?;
        let order_no = order_no::check("order_no", order_no, 64)?;
        let amount_fen = if amount.trim().is_empty() {
            0
        } else {
            money::parse_yuan("amount", amount)?
        };
        let gw = providers::gateway(p.provider);
        for f in gw.lookup_fields(kind) {
            if f.required && values.get(&f.id).is_none_or(|v| v.trim().is_empty()) {
                return Err(FieldError::new(
                    &f.id,
                    tr!("查询需要{}", "the query needs {}", f.label()),
                )
                .into());
            }
        }
        let (secret, reply_secret) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply_secret.as_ref());
        let params = OrderParams {
            kind,
            order_no: order_no.clone(),
            amount_fen,
            values: values.clone(),
            provider_order_id: None,
            created_at_ms: now_ms(),
        };
        let result = gw.query(&call, &params).await;
        let exchanges = call.journal.take();
        let reply = match result {
            Ok(r) => r,
            Err(e) => return Err(e.into()),
        };
        if reply.order_no.as_deref().is_some_and(|n| n != order_no) {
            return Err(GatewayError::Mismatch(crate::words!(
                "应答中的订单号不同",
                "the reply names another order number"
            ))
            .into());
        }
        let amount_fen = reply.amount_fen.filter(|a| *a > 0).unwrap_or(amount_fen);
        if amount_fen <= 0 {
            return Err(FieldError::new(
                "amount",
                tr!(
                    "网关未返回金额，请填写订单金额",
                    "the gateway did not return the amount; enter it"
                ),
            )
            .into());
        }
        let row = NewOrder {
            profile_id: p.id.clone(),
            order_no: order_no.clone(),
            kind,
            amount_fen,
            fields: values,
            status: OrderStatus::Unknown,
            message: Some(Note::Imported.stored()),
            created_by: self.os_user.clone(),
            created_at: now_ms(),
        };
        let id = self.store.insert_order(&row).await?;
        self.store
            .audit(
                &self.os_user,
                "order.import",
                Some(&order_no),
                Some(&p.name),
            )
            .await?;
        let order = self
            .store
            .update_order(
                OrderWrite::new(id, "query", &outcome::update_from_reply(reply), now_ms())
                    .exchanges(&exchanges),
            )
            .await?;
        Ok(OrderOutcome {
            order: localize_order(order),
            error: None,
        })
    }
}
