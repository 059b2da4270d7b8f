//! The history on PostgreSQL: pages of orders, filtered and searched, newest
//! first, keyed by `(created_at, id)`. One statement a page: the planner
//! walks a time index backwards (or, for a rare search term, ORs the prefix
//! indexes and sorts the few matches), stopping after the page.

use super::rows::{fetch_orders, Arg};
use super::PgStore;
use crate::error::CoreResult;
use crate::store::rows::{OPEN_ORDERS, ORDER_SELECT};
use crate::store::{OrderFilter, OrderPage};

/// A search term as a lower-case LIKE prefix pattern, its wildcards escaped
/// (backslash is LIKE's escape character on PostgreSQL).
fn like_prefix(term: &str) -> String {
    format!(
        "{}%",
        term.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

impl PgStore {
    pub async fn list_orders(&self, f: &OrderFilter) -> CoreResult<OrderPage> {
        let limit = f.limit.unwrap_or(50).clamp(1, 1000) as i64;
        let mut cond = String::new();
        let mut args: Vec<Arg> = Vec::new();
        let mut bind = |cond: &mut String, sql: &str, a: Arg| {
            args.push(a);
            cond.push_str(&sql.replace('#', &format!("${}", args.len())));
        };
        if let Some(p) = &f.profile {
            let pk = self.profile_pk_any(p).await?;
            bind(&mut cond, " AND o.profile_pk = #", Arg::Int(pk));
        }
        if let Some(k) = f.kind {
            bind(&mut cond, " AND o.kind = #", Arg::Text(k.as_str().into()));
        }
        if let Some(s) = f.status {
            bind(&mut cond, " AND o.status = #", Arg::Text(s.as_str().into()));
            if !s.is_final() {
                // The partial indexes' WHERE, so the planner may use them.
                cond.push_str(OPEN_ORDERS);
            }
        }
        if let Some(from) = f.from_ms {
            bind(&mut cond, " AND o.created_at >= #", Arg::Int(from));
        }
        if let Some(to) = f.to_ms {
            bind(&mut cond, " AND o.created_at < #", Arg::Int(to));
        }
        if let Some((at, id)) = f.after {
            bind(&mut cond, " AND (o.created_at, o.id) < (#", Arg::Int(at));
            bind(&mut cond, ", #)", Arg::Int(id));
        }
        if let Some(term) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let pat = like_prefix(term);
            bind(
                &mut cond,
                " AND (lower(o.order_no) LIKE # OR lower(o.payee_name) LIKE $P OR (o.provider_order_id IS NOT NULL AND lower(o.provider_order_id) LIKE $P))",
                Arg::Text(pat),
            );
            let n = format!("${}", args.len());
            cond = cond.replace("$P", &n);
        }
        args.push(Arg::Int(limit + 1));
        let sql = format!(
            "{ORDER_SELECT} WHERE 1=1{cond} ORDER BY o.created_at DESC, o.id DESC LIMIT ${}",
            args.len()
        );
        let mut orders = fetch_orders(&self.pool, &sql, &args).await?;
        let next = if orders.len() as i64 > limit {
            orders.truncate(limit as usize);
            orders.last().map(|o| (o.created_at, o.id))
        } else {
            None
        };
        Ok(OrderPage { orders, next })
    }
}
