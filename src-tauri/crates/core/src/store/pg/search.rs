//! The history on PostgreSQL: pages of orders, filtered and searched, newest
//! first, keyed by `(created_at, id)`. Without a search term one statement
//! walks a time index backwards and stops after the page. With one, the plan
//! is chosen as on SQLite by how many rows the prefix matches (counted on the
//! prefix indexes, up to a bound): few → those rows are gathered from the
//! prefix indexes and sorted; many order numbers of one bucket → that bucket
//! is read newest first; otherwise the time walk, which meets matches soon.

use super::rows::{fetch_orders, Arg};
use super::PgStore;
use crate::error::CoreResult;
use crate::store::rows::{order_columns, OPEN_ORDERS, ORDER_SELECT};
use crate::store::{Order, OrderFilter, OrderPage};

/// At most this many prefix matches are gathered and sorted.
const SEARCH_CANDIDATES: i64 = 5_000;

/// Characters of an order number in the bucket index (migration 0001).
const ORDER_NO_BUCKET: usize = 7;

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

/// Conditions on `o` and their binds, numbered from `$1`.
struct Conds {
    sql: String,
    args: Vec<Arg>,
}

impl Conds {
    /// Append `sql` with its `#` replaced by the next placeholder.
    fn push(&mut self, sql: &str, a: Arg) {
        self.args.push(a);
        self.sql
            .push_str(&sql.replace('#', &format!("${}", self.args.len())));
    }
    fn next(&self) -> usize {
        self.args.len() + 1
    }
}

fn page(mut orders: Vec<Order>, limit: i64) -> OrderPage {
    orders.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
    orders.dedup_by_key(|o| o.id);
    let next = if orders.len() as i64 > limit {
        orders.truncate(limit as usize);
        orders.last().map(|o| (o.created_at, o.id))
    } else {
        None
    };
    OrderPage { orders, next }
}

impl PgStore {
    pub async fn list_orders(&self, f: &OrderFilter) -> CoreResult<OrderPage> {
        let limit = f.limit.unwrap_or(50).clamp(1, 1000) as i64;
        let mut c = Conds {
            sql: String::new(),
            args: Vec::new(),
        };
        if let Some(p) = &f.profile {
            let pk = self.profile_pk_any(p).await?;
            c.push(" AND o.profile_pk = #", Arg::Int(pk));
        }
        if let Some(k) = f.kind {
            c.push(" AND o.kind = #", Arg::Text(k.as_str().into()));
        }
        if let Some(s) = f.status {
            c.push(" AND o.status = #", Arg::Text(s.as_str().into()));
            if s.is_open() {
                // The partial indexes' WHERE, so the planner may use them.
                c.sql.push_str(OPEN_ORDERS);
            }
        }
        if let Some(from) = f.from_ms {
            c.push(" AND o.created_at >= #", Arg::Int(from));
        }
        if let Some(to) = f.to_ms {
            c.push(" AND o.created_at < #", Arg::Int(to));
        }
        if let Some((at, id)) = f.after {
            c.push(" AND (o.created_at, o.id) < (#", Arg::Int(at));
            c.push(", #)", Arg::Int(id));
        }
        let Some(term) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return self.walk(c, limit).await;
        };
        let pat = like_prefix(term);
        let counts = self.search_counts(&pat).await?;
        if counts.iter().sum::<i64>() <= SEARCH_CANDIDATES {
            return self
                .gathered(
                    c,
                    &pat,
                    &["order_no", "payee_name", "provider_order_id"],
                    limit,
                )
                .await;
        }
        let bucket = term.chars().count() >= ORDER_NO_BUCKET
            && counts[0] > SEARCH_CANDIDATES
            && counts[1] + counts[2] <= SEARCH_CANDIDATES;
        if bucket {
            // The order numbers from their bucket, newest first; the other
            // two columns' few matches gathered; merged here.
            let key: String = term
                .chars()
                .take(ORDER_NO_BUCKET)
                .collect::<String>()
                .to_lowercase();
            let mut b = Conds {
                sql: c.sql.clone(),
                args: c.args.clone(),
            };
            b.push(" AND lower(substr(o.order_no, 1, 7)) = #", Arg::Text(key));
            b.push(" AND lower(o.order_no) LIKE #", Arg::Text(pat.clone()));
            let mut orders = self.walk_rows(b, limit).await?;
            orders.extend(
                self.gathered(c, &pat, &["payee_name", "provider_order_id"], limit)
                    .await?
                    .orders,
            );
            return Ok(page(orders, limit));
        }
        let n = c.next();
        c.push(
            &format!(" AND (lower(o.order_no) LIKE # OR lower(o.payee_name) LIKE ${n} OR (o.provider_order_id IS NOT NULL AND lower(o.provider_order_id) LIKE ${n}))"),
            Arg::Text(pat),
        );
        self.walk(c, limit).await
    }

    /// The filtered history newest first, a page and one more row.
    async fn walk_rows(&self, mut c: Conds, limit: i64) -> CoreResult<Vec<Order>> {
        let n = c.next();
        c.args.push(Arg::Int(limit + 1));
        let sql = format!(
            "{ORDER_SELECT} WHERE 1=1{} ORDER BY o.created_at DESC, o.id DESC LIMIT ${n}",
            c.sql
        );
        fetch_orders(&self.pool, &sql, &c.args).await
    }

    async fn walk(&self, c: Conds, limit: i64) -> CoreResult<OrderPage> {
        Ok(page(self.walk_rows(c, limit).await?, limit))
    }

    /// Every prefix match of `columns`, from their prefix indexes
    /// (materialized, so the planner cannot turn it into a time walk), that
    /// passes the filter, newest first.
    async fn gathered(
        &self,
        mut c: Conds,
        pat: &str,
        columns: &[&str],
        limit: i64,
    ) -> CoreResult<OrderPage> {
        let p = c.next();
        c.args.push(Arg::Text(pat.into()));
        let parts: Vec<String> = columns
            .iter()
            .map(|col| {
                let not_null = if *col == "provider_order_id" {
                    "provider_order_id IS NOT NULL AND "
                } else {
                    ""
                };
                format!("SELECT id FROM orders WHERE {not_null}lower({col}) LIKE ${p}")
            })
            .collect();
        let n = c.next();
        c.args.push(Arg::Int(limit + 1));
        let sql = format!(
            "WITH m AS MATERIALIZED ({}) {} FROM m JOIN orders o ON o.id = m.id JOIN profiles p ON p.pk = o.profile_pk WHERE 1=1{} ORDER BY o.created_at DESC, o.id DESC LIMIT ${n}",
            parts.join(" UNION "),
            order_columns!(),
            c.sql
        );
        Ok(page(fetch_orders(&self.pool, &sql, &c.args).await?, limit))
    }

    /// Rows whose order number, payee or gateway order id start with the
    /// pattern, each counted up to `SEARCH_CANDIDATES + 1` on its index.
    async fn search_counts(&self, pat: &str) -> CoreResult<[i64; 3]> {
        let (a, b, c): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM orders WHERE lower(order_no) LIKE $1 LIMIT $2) x), \
                    (SELECT count(*) FROM (SELECT 1 FROM orders WHERE lower(payee_name) LIKE $1 LIMIT $2) x), \
                    (SELECT count(*) FROM (SELECT 1 FROM orders WHERE provider_order_id IS NOT NULL AND lower(provider_order_id) LIKE $1 LIMIT $2) x)",
        )
        .bind(pat)
        .bind(SEARCH_CANDIDATES + 1)
        .fetch_one(&self.pool)
        .await?;
        Ok([a, b, c])
    }
}
