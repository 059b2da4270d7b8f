//! The history: pages of orders, filtered and searched, newest first.

use super::rows::{order_columns, Arg, OPEN_ORDERS, ORDER_SELECT};
use super::{Order, SqliteStore};
use crate::domain::{OrderKind, OrderStatus};
use crate::error::CoreResult;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderFilter {
    pub profile: Option<String>,
    pub kind: Option<OrderKind>,
    pub status: Option<OrderStatus>,
    /// Unix ms, inclusive.
    pub from_ms: Option<i64>,
    /// Unix ms, exclusive.
    pub to_ms: Option<i64>,
    /// Order number prefix, gateway order id prefix, or payee name prefix.
    pub search: Option<String>,
    /// Keyset cursor: the `(created_at, id)` of the last row of the previous page.
    pub after: Option<(i64, i64)>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderPage {
    pub orders: Vec<Order>,
    /// Cursor for the next page, when there is one.
    pub next: Option<(i64, i64)>,
}

/// Whole orders for the ids `sub` yields, in its order, that pass `filter`,
/// at most a page (binds: `sub`'s, `filter`'s, the limit). The CROSS JOIN keeps
/// the subquery SQLite's outer loop, so reading stops once the page is full.
fn streamed(sub: &str, filter: &str) -> String {
    format!(
        "{} FROM ({sub}) AS m CROSS JOIN orders o ON o.id = m.id JOIN profiles p ON p.pk = o.profile_pk WHERE 1=1{filter} LIMIT ?",
        order_columns!()
    )
}

/// A search whose prefix matches at most this many rows is answered from the
/// prefix indexes (read them all, keep the filtered, newest first); above it,
/// the history is walked newest first and each row tested, which fills a page
/// within about `limit × total / matches` rows. Either way a page reads a few
/// thousand index entries at most, at any history size.
const SEARCH_CANDIDATES: i64 = 5_000;

/// Characters of an order number in the bucket of migration 0003: our
/// generated numbers' PD + kind + yyMM, a month of one kind.
const ORDER_NO_BUCKET: usize = 7;

/// At most this many buckets are read one by one for a term shorter than a
/// bucket (two kinds × 24 months of generated numbers fit).
const ORDER_NO_BUCKETS_MAX: i64 = 64;

/// Rows of the filtered history a search with many matches tests before it
/// turns to the prefix indexes.
const SEARCH_SCAN: i64 = 2_000;

/// Rows of `col` that start with the search term, as `FROM … WHERE …` and
/// its binds. Payee and gateway order id on their NOCASE prefix indexes (LIKE
/// ignores ASCII case); order numbers on the bucket index of migration 0003,
/// since 0004 the only order-number prefix index: one bucket for a term of a
/// bucket's length or more, a range of buckets for a shorter one, the whole
/// number tested on the index either way.
fn column_match(col: &str, term: &str, pat: &str) -> (String, Vec<Arg>) {
    let like = |c: &str| format!("{c} LIKE ? ESCAPE '\\'");
    match col {
        "order_no" => {
            let key = format!("substr(order_no, 1, {ORDER_NO_BUCKET})");
            let from = "FROM orders INDEXED BY orders_order_no_bucket WHERE";
            if term.chars().count() >= ORDER_NO_BUCKET {
                let bucket: String = term.chars().take(ORDER_NO_BUCKET).collect();
                (
                    format!("{from} {key} = ? COLLATE NOCASE AND {}", like(col)),
                    vec![Arg::Text(bucket), Arg::Text(pat.into())],
                )
            } else {
                // Every string that starts with the term sorts below term + U+10FFFF.
                (
                    format!(
                        "{from} {key} >= ? COLLATE NOCASE AND {key} < ? COLLATE NOCASE AND {}",
                        like(col)
                    ),
                    vec![
                        Arg::Text(term.into()),
                        Arg::Text(format!("{term}\u{10FFFF}")),
                        Arg::Text(pat.into()),
                    ],
                )
            }
        }
        "provider_order_id" => (
            format!(
                "FROM orders WHERE {} AND provider_order_id IS NOT NULL",
                like(col)
            ),
            vec![Arg::Text(pat.into())],
        ),
        _ => (
            format!("FROM orders WHERE {}", like(col)),
            vec![Arg::Text(pat.into())],
        ),
    }
}

/// A filter turned into SQL conditions, in the three forms the plans use.
pub(super) struct Conds {
    /// Conditions on `o` (the orders row) that every plan applies.
    cond: String,
    args: Vec<Arg>,
    /// The time conditions alone, on bare columns: the prefix indexes hold
    /// created_at (and the rowid), so a search applies them index-only.
    /// The unary `+` keeps the planner on the prefix index: on a time index
    /// it would read every row of the period to test the prefix.
    tcond: String,
    targs: Vec<Arg>,
    /// The same on the order-number bucket index, where created_at follows
    /// the bucket and so can bound the range: no `+` there.
    bcond: String,
    /// Profile, kind or status: not every match qualifies.
    row_filters: bool,
    limit: i64,
}

/// A search term as a LIKE prefix pattern, its wildcards escaped.
fn like_prefix(term: &str) -> String {
    format!(
        "{}%",
        term.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// The plans stream rows newest first: a CROSS JOIN keeps the time-ordered
/// subquery as SQLite's outer loop, so the LIMIT stops reading after a page
/// (an outer ORDER BY would make SQLite read every candidate row to sort
/// them). The order is restated here, and the cursor taken.
fn page(mut orders: Vec<Order>, limit: i64) -> OrderPage {
    orders.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
    let next = if orders.len() as i64 > limit {
        orders.truncate(limit as usize);
        orders.last().map(|o| (o.created_at, o.id))
    } else {
        None
    };
    OrderPage { orders, next }
}

/// The prefix matches of `columns`, newest first, streamed into whole
/// orders that pass the filter (see `plan_prefix_indexes`): SQL and binds.
pub(super) fn prefix_union(
    c: &Conds,
    term: &str,
    pat: &str,
    columns: &[&str],
) -> (String, Vec<Arg>) {
    let per_column = if c.row_filters { -1 } else { c.limit + 1 };
    let mut list: Vec<String> = Vec::new();
    let mut binds: Vec<Arg> = Vec::new();
    for col in columns {
        let (from, args) = column_match(col, term, pat);
        list.push(format!("SELECT id, created_at FROM (SELECT id, created_at {from}{} ORDER BY created_at DESC, id DESC LIMIT ?)", c.tcond));
        binds.extend(args);
        binds.extend(c.targs.iter().cloned());
        binds.push(Arg::Int(per_column));
    }
    let sql = streamed(
        &format!(
            "{} ORDER BY created_at DESC, id DESC LIMIT -1",
            list.join(" UNION ")
        ),
        &c.cond,
    );
    binds.extend(c.args.iter().cloned());
    binds.push(Arg::Int(c.limit + 1));
    (sql, binds)
}

/// The filtered history, newest first: SQL and binds.
pub(super) fn history_query(c: &Conds) -> (String, Vec<Arg>) {
    let sql = format!(
        "{ORDER_SELECT} WHERE 1=1{} ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
        c.cond
    );
    let mut binds = c.args.clone();
    binds.push(Arg::Int(c.limit + 1));
    (sql, binds)
}

impl SqliteStore {
    pub async fn list_orders(&self, f: &OrderFilter) -> CoreResult<OrderPage> {
        let c = self.conditions(f).await?;
        let Some(term) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return self.plan_history(&c).await;
        };
        let pat = like_prefix(term);
        let counts = self.search_counts(term, &pat).await?;
        let few = counts.iter().sum::<i64>() <= SEARCH_CANDIDATES;
        // Many order numbers but few of the rest: the order numbers can be read
        // newest first from the bucket index (migration 0003).
        let many_numbers =
            counts[0] > SEARCH_CANDIDATES && counts[1] + counts[2] <= SEARCH_CANDIDATES;
        // Then they are read bucket by bucket, newest first, and testing the
        // recent rows first would be wasted. A term of a bucket's length or
        // more names one bucket; a shorter one (`PDP24`, a year) spans several.
        let buckets = match many_numbers {
            false => None,
            true if term.chars().count() >= ORDER_NO_BUCKET => Some(vec![(
                term.chars().take(ORDER_NO_BUCKET).collect(),
                i64::MAX,
            )]),
            true => self.order_no_buckets(term).await?,
        };
        if !few && buckets.is_none() {
            if let Some(page) = self.plan_recent_scan(&c, &pat).await? {
                return Ok(page);
            }
        }
        match buckets {
            None => self.plan_prefix_indexes(&c, term, &pat).await,
            Some(buckets) => self.plan_buckets(&c, term, &pat, buckets).await,
        }
    }

    /// The filter's conditions (the profile looked up by name or id).
    pub(super) async fn conditions(&self, f: &OrderFilter) -> CoreResult<Conds> {
        let mut c = Conds {
            cond: String::new(),
            args: Vec::new(),
            tcond: String::new(),
            targs: Vec::new(),
            bcond: String::new(),
            row_filters: f.profile.is_some() || f.kind.is_some() || f.status.is_some(),
            limit: f.limit.unwrap_or(50).clamp(1, 1000) as i64,
        };
        if let Some(p) = &f.profile {
            let pk = self.profile_pk_any(p).await?;
            c.cond.push_str(" AND o.profile_pk = ?");
            c.args.push(Arg::Int(pk));
        }
        if let Some(k) = f.kind {
            c.cond.push_str(" AND o.kind = ?");
            c.args.push(Arg::Text(k.as_str().into()));
        }
        if let Some(s) = f.status {
            c.cond.push_str(" AND o.status = ?");
            c.args.push(Arg::Text(s.as_str().into()));
            if !s.is_final() {
                // Word for word the partial indexes' WHERE (migration 0004),
                // so the planner may use them.
                c.cond.push_str(OPEN_ORDERS);
            }
        }
        if let Some(from) = f.from_ms {
            c.cond.push_str(" AND o.created_at >= ?");
            c.args.push(Arg::Int(from));
            c.tcond.push_str(" AND +created_at >= ?");
            c.bcond.push_str(" AND created_at >= ?");
            c.targs.push(Arg::Int(from));
        }
        // One upper time bound: SQLite bounds an index range by only one of
        // two (`< to` and the cursor's `<= at`), so the tighter is kept.
        let after = match (f.to_ms, f.after) {
            (Some(to), Some((at, _))) if to <= at => None,
            (_, after) => after,
        };
        if let (Some(to), None) = (f.to_ms, after) {
            c.cond.push_str(" AND o.created_at < ?");
            c.args.push(Arg::Int(to));
            c.tcond.push_str(" AND +created_at < ?");
            c.bcond.push_str(" AND created_at < ?");
            c.targs.push(Arg::Int(to));
        }
        if let Some((at, id)) = after {
            // The first term bounds the index range; the second only breaks
            // ties within one millisecond (an OR alone would scan from the top).
            c.cond
                .push_str(" AND o.created_at <= ? AND (o.created_at < ? OR o.id < ?)");
            c.args.extend([Arg::Int(at), Arg::Int(at), Arg::Int(id)]);
            c.tcond
                .push_str(" AND +created_at <= ? AND (created_at < ? OR id < ?)");
            c.bcond
                .push_str(" AND created_at <= ? AND (created_at < ? OR id < ?)");
            c.targs.extend([Arg::Int(at), Arg::Int(at), Arg::Int(id)]);
        }
        Ok(c)
    }

    /// No search: the filtered history, newest first, on a time index.
    async fn plan_history(&self, c: &Conds) -> CoreResult<OrderPage> {
        let (sql, binds) = history_query(c);
        Ok(page(self.fetch_orders(&sql, &binds).await?, c.limit))
    }

    /// Many rows match: test the newest `SEARCH_SCAN` rows of the filtered
    /// history, newest first; that fills a page unless the matches are rare
    /// there (or bunched elsewhere in time, as order numbers are). None when
    /// it did not fill a page. The unary `+` keeps the planner off the
    /// prefix indexes here.
    async fn plan_recent_scan(&self, c: &Conds, pat: &str) -> CoreResult<Option<OrderPage>> {
        let sql = streamed(
            &format!("SELECT o.id FROM orders o WHERE 1=1{} ORDER BY o.created_at DESC, o.id DESC LIMIT ?", c.cond),
            " AND (+o.order_no LIKE ? ESCAPE '\\' OR +o.payee_name LIKE ? ESCAPE '\\' OR +o.provider_order_id LIKE ? ESCAPE '\\')",
        );
        let mut binds = c.args.clone();
        binds.push(Arg::Int(SEARCH_SCAN));
        binds.extend((0..3).map(|_| Arg::Text(pat.into())));
        binds.push(Arg::Int(c.limit + 1));
        let orders = self.fetch_orders(&sql, &binds).await?;
        Ok((orders.len() as i64 > c.limit).then(|| page(orders, c.limit)))
    }

    /// Every match, newest first, from the prefix indexes alone (they hold
    /// created_at); rows are read in that order only until the filters have
    /// passed a page. Without row filters every match qualifies, so each
    /// column needs only its newest page (a top-N sort, not a full one).
    async fn plan_prefix_indexes(&self, c: &Conds, term: &str, pat: &str) -> CoreResult<OrderPage> {
        let (sql, binds) = prefix_union(
            c,
            term,
            pat,
            &["order_no", "payee_name", "provider_order_id"],
        );
        Ok(page(self.fetch_orders(&sql, &binds).await?, c.limit))
    }

    /// Order numbers bucket by bucket, the bucket with the newest order
    /// first, each read newest first only until the filters pass a page (the
    /// LIMIT keeps the subquery a co-routine: flattened, SQLite would walk the
    /// index oldest first). Buckets whose newest order is older than a full
    /// page are never read. A compound SELECT would re-sort the buckets' rows,
    /// so the other two columns are one more query and the pages are merged
    /// here.
    async fn plan_buckets(
        &self,
        c: &Conds,
        term: &str,
        pat: &str,
        mut buckets: Vec<(String, i64)>,
    ) -> CoreResult<OrderPage> {
        let limit = c.limit;
        let sql = streamed(
            &format!("SELECT id, created_at FROM orders INDEXED BY orders_order_no_bucket WHERE substr(order_no, 1, {ORDER_NO_BUCKET}) = ? COLLATE NOCASE AND order_no LIKE ? ESCAPE '\\'{} ORDER BY created_at DESC, id DESC LIMIT -1", c.bcond),
            &c.cond,
        );
        buckets.sort_by_key(|(_, newest)| std::cmp::Reverse(*newest));
        let mut orders: Vec<Order> = Vec::new();
        for (b, newest) in buckets {
            if orders.len() as i64 > limit {
                orders.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
                orders.truncate(limit as usize + 1);
                if newest < orders[limit as usize].created_at {
                    break;
                }
            }
            let mut binds = vec![Arg::Text(b), Arg::Text(pat.into())];
            binds.extend(c.targs.iter().cloned());
            binds.extend(c.args.iter().cloned());
            binds.push(Arg::Int(limit + 1));
            orders.extend(self.fetch_orders(&sql, &binds).await?);
        }
        let (sql, binds) = prefix_union(c, term, pat, &["payee_name", "provider_order_id"]);
        orders.extend(self.fetch_orders(&sql, &binds).await?);
        // A row matching in two columns is one result.
        orders.sort_by_key(|o| o.id);
        orders.dedup_by_key(|o| o.id);
        Ok(page(orders, limit))
    }

    /// The order-number buckets a term shorter than a bucket spans, each with
    /// its newest order's time, in one statement: a recursive query seeks
    /// from bucket to bucket on the index (a skip scan). None when there are
    /// more than `ORDER_NO_BUCKETS_MAX` (a term like `1` in random numbers).
    async fn order_no_buckets(&self, term: &str) -> CoreResult<Option<Vec<(String, i64)>>> {
        let key = format!("substr(order_no, 1, {ORDER_NO_BUCKET})");
        // Every string that starts with the term sorts below term + U+10FFFF.
        let hi = format!("{term}\u{10FFFF}");
        let sql = format!(
            "WITH RECURSIVE b(v) AS (\
               SELECT (SELECT {key} FROM orders INDEXED BY orders_order_no_bucket WHERE {key} >= ?1 COLLATE NOCASE AND {key} < ?2 COLLATE NOCASE ORDER BY {key} COLLATE NOCASE LIMIT 1) \
               UNION ALL \
               SELECT (SELECT {key} FROM orders INDEXED BY orders_order_no_bucket WHERE {key} > b.v COLLATE NOCASE AND {key} < ?2 COLLATE NOCASE ORDER BY {key} COLLATE NOCASE LIMIT 1) FROM b WHERE b.v IS NOT NULL LIMIT ?3) \
             SELECT v, (SELECT max(created_at) FROM orders INDEXED BY orders_order_no_bucket WHERE {key} = b.v COLLATE NOCASE) FROM b WHERE v IS NOT NULL"
        );
        let rows: Vec<(String, i64)> = sqlx::query_as(&sql)
            .bind(term)
            .bind(hi)
            .bind(ORDER_NO_BUCKETS_MAX + 2)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows.len() as i64 <= ORDER_NO_BUCKETS_MAX).then_some(rows))
    }

    /// Rows matching the search prefix in each column, each counted up to
    /// `SEARCH_CANDIDATES + 1` on the prefix indexes alone.
    async fn search_counts(&self, term: &str, pat: &str) -> CoreResult<[i64; 3]> {
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        for col in ["order_no", "payee_name", "provider_order_id"] {
            let (from, args) = column_match(col, term, pat);
            parts.push(format!("(SELECT count(*) FROM (SELECT 1 {from} LIMIT ?))"));
            binds.extend(args);
            binds.push(Arg::Int(SEARCH_CANDIDATES + 1));
        }
        let sql = format!("SELECT {}", parts.join(", "));
        let mut q = sqlx::query_as(&sql);
        for a in binds {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        let (a, b, c): (i64, i64, i64) = q.fetch_one(&self.pool).await?;
        Ok([a, b, c])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{new_order, on_both_engines, profile, TestDb};
    use crate::store::NewOrder;

    /// Every search plan (few matches, many matches spread over time, many
    /// matches bunched in the past) gives exactly the pages a brute-force
    /// filter of all rows gives, newest first, across keyset pages.
    async fn search_pages_match_a_brute_force_filter(db: TestDb) {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        let n = 14_000i64;
        let rows: Vec<NewOrder> = (0..n)
            .map(|i| {
                // The oldest 6,000 orders are numbered OLDTIME… (one bucket
                // of the bucket index), the next 5,500 OLDT006… to OLDT011…
                // (six buckets, interleaved in time), the newest 2,500 NEW…;
                // every 7th payee is 李, every 100th is 司马; times repeat
                // in pairs.
                let no = if i < 6_000 {
                    format!("OLDTIME{i:05}")
                } else if i < n - 2_500 {
                    format!("OLDT{:03}{i:05}", 6 + i % 6)
                } else {
                    format!("NEW{i:05}")
                };
                let mut o = new_order(if i % 3 == 0 { "p2" } else { "p1" }, &no, 1_000 + i / 2);
                // Every 1,000th payee looks like an order number: such rows
                // match a number search in two columns (old ones in both).
                let payee = if i % 1_000 == 1 {
                    "OldTime王"
                } else if i % 100 == 0 {
                    "司马懿"
                } else if i % 7 == 0 {
                    "李四"
                } else {
                    "张三"
                };
                o.fields.insert("payee_name".into(), payee.into());
                if i % 5 == 0 {
                    o.status = OrderStatus::Succeeded;
                }
                o
            })
            .collect();
        for chunk in rows.chunks(1_000) {
            s.insert_orders_batch(chunk).await.unwrap();
        }
        let all = {
            let mut v = Vec::new();
            let mut f = OrderFilter {
                limit: Some(1_000),
                ..Default::default()
            };
            loop {
                let page = s.list_orders(&f).await.unwrap();
                v.extend(page.orders);
                match page.next {
                    Some(c) => f.after = Some(c),
                    None => break,
                }
            }
            v
        };
        assert_eq!(all.len() as i64, n);
        for (search, profile, status, limit) in [
            ("old", None, None, 50),
            ("OLD", Some("B"), Some(OrderStatus::Succeeded), 50),
            ("new0", None, None, 50),
            ("李", None, None, 50),
            ("李", Some("A"), Some(OrderStatus::Succeeded), 50),
            ("司马", None, None, 50),
            ("张", Some("B"), None, 50),
            ("OLDTIME0012", None, None, 50),
            // At least a bucket's length with many matches, all in the past:
            // the bucket index plan (exactly a bucket, longer, any case,
            // with row filters), and a wildcard taken literally.
            ("oldTime", None, None, 50),
            ("OLDTIME0", Some("B"), Some(OrderStatus::Succeeded), 50),
            ("OLDTIME0", Some("A"), None, 50),
            ("oldtime00", None, None, 50),
            ("OLDTIM_", None, None, 50),
            // Shorter than a bucket, many matches over several buckets, all
            // in the past: bucket by bucket, newest bucket first.
            ("oldt", None, None, 50),
            ("OLDT0", None, None, 50),
            ("oldt0", Some("B"), Some(OrderStatus::Succeeded), 50),
            ("OLDT00", Some("A"), None, 50),
            // A page longer than a bucket's share: it takes several buckets.
            ("OLDT0", None, None, 600),
            ("nothing", None, None, 50),
            ("%", None, None, 50),
        ] {
            let expected: Vec<i64> = all
                .iter()
                .filter(|o| {
                    let pre = |v: &Option<String>| {
                        v.as_deref()
                            .is_some_and(|v| v.to_lowercase().starts_with(&search.to_lowercase()))
                    };
                    (pre(&Some(o.order_no.clone())) || pre(&o.payee_name))
                        && profile.is_none_or(|p| o.profile == p)
                        && status.is_none_or(|st| o.status == st)
                })
                .map(|o| o.id)
                .collect();
            let mut got = Vec::new();
            let mut f = OrderFilter {
                search: Some(search.into()),
                profile: profile.map(String::from),
                status,
                limit: Some(limit),
                ..Default::default()
            };
            loop {
                let page = s.list_orders(&f).await.unwrap();
                got.extend(page.orders.iter().map(|o| o.id));
                match page.next {
                    Some(c) => f.after = Some(c),
                    None => break,
                }
            }
            assert_eq!(got, expected, "search {search:?} {profile:?} {status:?}");
        }
    }

    on_both_engines!(search_pages_match_a_brute_force_filter);
}
