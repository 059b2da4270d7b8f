//! The history on PostgreSQL: pages of orders, filtered and searched, newest
//! first, keyed by `(created_at, id)`. A search finds exactly what the SQLite
//! store finds (store/search.rs; the indexes of `migrations_pg/0011` and
//! `0013`):
//! 3+ characters anywhere in the order number, the payee or the account
//! number, or at the start of the gateway order id; 2 characters at the
//! start of the number, the gateway id or the payee, or anywhere in a payee
//! name of 3 to 6 characters; 1 character at the start of the number, the
//! gateway id or the payee; ASCII letters in either case.
//!
//! Without a search one statement walks a time index backwards and stops
//! after the page. With one, the newest rows of the filtered history are
//! tested first (a frequent term fills a page there). Otherwise the term's
//! prefix matches in the number and the payee are walked newest first from
//! time-ordered head indexes (a number's first 9 characters, a payee's first
//! 2, then `(created_at, id)`; one walk per head, each stopped after a page),
//! and every other match (the number past its first character, payee and
//! account anywhere: trigram indexes; pairs inside names; gateway ids) is
//! gathered, filtered, and sorted; the newest page of the union is the page.
//! A trigram index yields rows in no order, so it serves what is rare there:
//! the many old matches of a month's numbers are the head walks'.

use super::rows::{fetch_orders, pg_args, Arg};
use super::PgStore;
use crate::error::CoreResult;
use crate::store::rows::{OPEN_ORDERS, ORDER_SELECT};
use crate::store::{Order, OrderFilter, OrderPage};

/// Rows of the filtered history, newest first, that a search tests before
/// it turns to the indexes (as SQLite's `SEARCH_SCAN`).
const SEARCH_SCAN: i64 = 2_000;

/// A term this long or longer is looked for anywhere (trigram indexes).
const TRIGRAM: usize = 3;

/// A column's value with its ASCII letters in lower case, others as they
/// are (SQLite's LIKE ignores only ASCII case): `lower()` in the C
/// collation, the expression the indexes of migration 0011 hold.
fn fold(col: &str) -> String {
    format!("lower({col} COLLATE \"C\")")
}

/// LIKE's wildcards and its escape character (backslash, PostgreSQL's
/// default, as SQLite's `ESCAPE '\'`) taken literally.
fn like_escape(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The least string above every string that starts with `prefix`, in the C
/// collation (UTF-8 bytes, that is code point order): the prefix with its
/// last character raised by one. None when there is none (only U+10FFFF).
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Conditions on `o` and their binds, numbered from `$1`.
#[derive(Clone)]
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

    /// A new placeholder for `a`.
    fn bind(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
}

/// Characters of an order number's head in its time-ordered index
/// (`orders_order_no_fold`): our numbers' `PD`, kind letter and `yyMMdd`,
/// one kind's day.
const NUMBER_HEAD: usize = 9;

/// Characters of a payee name's head in its time-ordered index
/// (`orders_payee_fold`): a surname and the given name's first character.
const PAYEE_HEAD: usize = 2;

/// Most heads a prefix shorter than its column's head is merged from, each
/// walked newest first; past it, the prefix's matches are gathered (a
/// prefix of numbers in another format, with many distinct heads).
const MAX_HEADS: usize = 400;

#[cfg(test)]
tokio::task_local! {
    /// A test's `MAX_HEADS`, so that each plan can be checked on the same rows.
    static MAX_HEADS_IN_TEST: usize;
}

fn max_heads() -> usize {
    #[cfg(test)]
    if let Ok(m) = MAX_HEADS_IN_TEST.try_with(|m| *m) {
        return m;
    }
    MAX_HEADS
}

/// A column's first `len` characters folded: the leading expression of its
/// head index (migration 0013).
fn head(col: &str, len: usize) -> String {
    format!("lower(left({col}, {len}) COLLATE \"C\")")
}

/// The columns whose prefix a term of `n` characters matches through a
/// head index: the number's always (a longer term's number matches are its
/// prefix matches, here, and the rest in the number's tail, below), the
/// payee's for 1-2 characters (a longer term is in the payee's trigram
/// index wherever it is).
fn head_columns(n: usize) -> &'static [(&'static str, usize)] {
    if n >= TRIGRAM {
        &[("o.order_no", NUMBER_HEAD)]
    } else {
        &[("o.order_no", NUMBER_HEAD), ("o.payee_name", PAYEE_HEAD)]
    }
}

/// How a column's prefix matches are read.
enum Heads {
    /// Walked newest first from the head index, one walk per head: each
    /// head with the time of its newest row.
    Walk(Vec<(String, i64)>),
    /// Too many heads: gathered from the head index's range, unordered.
    Gather,
}

/// The term's matches that no head index walks, as one condition on `o`
/// (binds added to `c`), each alternative in the form an index serves:
/// the gateway id's prefix (a B-tree range), a 3+ character term in the
/// number's tail, the payee and the account (trigram indexes), a 2-character
/// term inside a payee name (the pairs array), and the prefixes of `gather`
/// (a range of their head index). Candidates are tested on their rows
/// (LIKE), so the indexes only narrow.
fn gathered_matches(c: &mut Conds, t: &str, gather: &[(&str, usize)]) -> String {
    let n = t.chars().count();
    let prefix_pat = c.bind(Arg::Text(format!("{}%", like_escape(t))));
    let lo = c.bind(Arg::Text(t.to_string()));
    let hi = prefix_end(t).map(|h| c.bind(Arg::Text(h)));
    // A LIKE with a parameter gives the planner no range: the range is
    // spelled out for the B-tree.
    let range = |e: &str| match &hi {
        Some(hi) => format!("{e} >= {lo} AND {e} < {hi}"),
        None => format!("{e} >= {lo}"),
    };
    // No `IS NOT NULL` here: the planner proves the partial index's WHERE
    // from the strict comparisons, while the bare condition would match the
    // other partial index on gateway ids, all of them, instead.
    let pid = fold("o.provider_order_id");
    let mut alternatives = vec![format!("({pid} LIKE {prefix_pat} AND {})", range(&pid))];
    for (col, len) in gather {
        // A prefix shorter than the head: the heads in its range; else its
        // own head.
        let h = head(col, *len);
        let heads = if n < *len {
            range(&h)
        } else {
            let own = c.bind(Arg::Text(t.chars().take(*len).collect()));
            format!("{h} = {own}")
        };
        alternatives.push(format!("({} LIKE {prefix_pat} AND {heads})", fold(col)));
    }
    if n >= TRIGRAM {
        let anywhere = c.bind(Arg::Text(format!("%{}%", like_escape(t))));
        // Past the number's first character: a match at its start is the
        // head walk's, so the prefix's many old matches are not read here.
        for e in [
            fold("substr(o.order_no, 2)"),
            fold("o.payee_name"),
            fold("o.account_no"),
        ] {
            alternatives.push(format!("{e} LIKE {anywhere}"));
        }
    } else if n == 2 {
        let pair = c.bind(Arg::Text(t.to_string()));
        alternatives.push(format!(
            "paydesk_name_pairs(o.payee_name) @> ARRAY[{pair}::text]"
        ));
    }
    format!("({})", alternatives.join(" OR "))
}

/// What a search term matches, as plain tests on rows already read (the
/// newest rows of `recent_scan`); binds added to `c`. The same rows as the
/// head walks and `gathered_matches` together.
fn term_matches(c: &mut Conds, term: &str) -> String {
    let t = term.to_ascii_lowercase();
    let n = t.chars().count();
    let prefix_pat = c.bind(Arg::Text(format!("{}%", like_escape(&t))));
    let prefix = |col: &str| format!("{} LIKE {prefix_pat}", fold(col));
    let mut alternatives = vec![prefix("o.provider_order_id")];
    if n >= TRIGRAM {
        let anywhere = c.bind(Arg::Text(format!("%{}%", like_escape(&t))));
        for col in ["o.order_no", "o.payee_name", "o.account_no"] {
            alternatives.push(format!("{} LIKE {anywhere}", fold(col)));
        }
    } else {
        alternatives.push(prefix("o.order_no"));
        alternatives.push(prefix("o.payee_name"));
        if n == 2 {
            let anywhere = c.bind(Arg::Text(format!("%{}%", like_escape(&t))));
            alternatives.push(format!(
                "(char_length(o.payee_name) BETWEEN 3 AND 6 AND {} LIKE {anywhere})",
                fold("o.payee_name")
            ));
        }
    }
    format!("({})", alternatives.join(" OR "))
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
            return Ok(page(self.walk_rows(c, limit).await?, limit));
        };
        if term.contains('\0') {
            // No PostgreSQL text holds NUL, so nothing can match (and the
            // server would refuse the term as a bind).
            return Ok(page(Vec::new(), limit));
        }
        if let Some(page) = self.recent_scan(c.clone(), term, limit).await? {
            return Ok(page);
        }
        // The newest time a row of this page may have.
        let upper = [f.after.map(|(at, _)| at), f.to_ms.map(|to| to - 1)]
            .into_iter()
            .flatten()
            .min();
        self.searched(c, term, limit, upper).await
    }

    /// The page of a search past the newest rows: the prefixes walked newest
    /// first from their head indexes (or gathered when they have too many
    /// heads), united with every other match gathered (`others_sql`,
    /// `walks_sql`), then the page's rows read.
    async fn searched(
        &self,
        c: Conds,
        term: &str,
        limit: i64,
        upper: Option<i64>,
    ) -> CoreResult<OrderPage> {
        let t = term.to_ascii_lowercase();
        let mut columns = Vec::new();
        let mut gather = Vec::new();
        for &(col, len) in head_columns(t.chars().count()) {
            match self.heads(col, len, &t).await? {
                Heads::Walk(heads) => {
                    // Newest first by the newest row a head may give (on a
                    // deep page, the page's start); of heads alike, those
                    // whose rows end nearest that.
                    let bound = |at: i64| at.min(upper.unwrap_or(i64::MAX));
                    let mut heads: Vec<(String, i64, i64)> = heads
                        .into_iter()
                        .map(|(v, at)| (v, bound(at), at))
                        .collect();
                    heads.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
                    columns.push((col, len, heads, 1usize));
                }
                Heads::Gather => gather.push((col, len)),
            }
        }
        // Every match no head walk reads, once; then the heads with the
        // newest rows first, more of them (x4) while a head not walked may
        // hold a row of the page: usually the first head of our numbers (a
        // day) or a few heads fill the page.
        let (sql, args) = others_sql(c.clone(), &t, &gather, limit);
        let others = self.keys(&sql, &args).await?;
        loop {
            let walks: Vec<(&str, usize, Vec<String>)> = columns
                .iter()
                .map(|(col, len, heads, n)| {
                    let hs = heads.iter().take(*n).map(|h| h.0.clone()).collect();
                    (*col, *len, hs)
                })
                .collect();
            let mut keys = others.clone();
            if let Some((sql, args)) = walks_sql(c.clone(), &t, &walks, limit) {
                keys.extend(self.keys(&sql, &args).await?);
            }
            keys.sort_unstable_by(|a, b| b.cmp(a));
            keys.dedup();
            keys.truncate(limit as usize + 1);
            // The page's last row, when a next page exists; a head not
            // walked can only give rows at or before its newest.
            let last = (keys.len() as i64 > limit).then(|| keys[limit as usize - 1].0);
            let mut done = true;
            for (_, _, heads, n) in &mut columns {
                if let Some(next) = heads.get(*n) {
                    if last.is_none_or(|at| at <= next.1) {
                        *n = (*n * 4).min(heads.len());
                        done = false;
                    }
                }
            }
            if done {
                return self.page_of(&keys, limit).await;
            }
        }
    }

    /// `(created_at, id)` of the rows `sql` selects (explained inside
    /// `explained`).
    async fn keys(&self, sql: &str, args: &[Arg]) -> CoreResult<Vec<(i64, i64)>> {
        self.explain(sql, args).await?;
        Ok(sqlx::query_as_with(sql, pg_args(args)?)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The page of the orders of `keys` (the newest `limit + 1`), read whole.
    async fn page_of(&self, keys: &[(i64, i64)], limit: i64) -> CoreResult<OrderPage> {
        if keys.is_empty() {
            return Ok(page(Vec::new(), limit));
        }
        let ids: Vec<i64> = keys.iter().map(|k| k.1).collect();
        let sql = format!("{ORDER_SELECT} WHERE o.id = ANY($1)");
        let ids = [Arg::Ints(ids)];
        Ok(page(self.orders(&sql, &ids).await?, limit))
    }

    /// The heads of `col`'s head index (`len` characters) that start with
    /// the folded term `t`, each with the time of its newest row (its rows
    /// are at or before it): the term's own head when
    /// it is that long, else those in the index, skipped through from the
    /// last one down (a descent each, which ends on the head's newest row),
    /// at most `MAX_HEADS`.
    async fn heads(&self, col: &str, len: usize, t: &str) -> CoreResult<Heads> {
        if t.chars().count() >= len {
            return Ok(Heads::Walk(vec![(t.chars().take(len).collect(), i64::MAX)]));
        }
        let max = max_heads();
        let h = head(col, len);
        let below = if prefix_end(t).is_some() {
            format!(" AND {h} < $2")
        } else {
            String::new()
        };
        let last = "ORDER BY 1 DESC, o.created_at DESC, o.id DESC LIMIT 1";
        let sql = format!(
            "WITH RECURSIVE h(v, at) AS ( \
               (SELECT {h}, o.created_at FROM orders o WHERE {h} >= $1{below} {last}) \
               UNION ALL \
               SELECT n.* FROM h, LATERAL \
                 (SELECT {h}, o.created_at FROM orders o WHERE {h} >= $1 AND {h} < h.v {last}) n) \
             SELECT v, at FROM h LIMIT $3"
        );
        let args = [
            Arg::Text(t.into()),
            Arg::Text(prefix_end(t).unwrap_or_default()),
            Arg::Int(max as i64 + 1),
        ];
        self.explain(&sql, &args).await?;
        let heads: Vec<(String, i64)> = sqlx::query_as_with(&sql, pg_args(&args)?)
            .fetch_all(&self.pool)
            .await?;
        Ok(if heads.len() > max {
            Heads::Gather
        } else {
            Heads::Walk(heads)
        })
    }

    /// The filtered history newest first, a page and one more row.
    async fn walk_rows(&self, mut c: Conds, limit: i64) -> CoreResult<Vec<Order>> {
        let n = c.bind(Arg::Int(limit + 1));
        let sql = format!(
            "{ORDER_SELECT} WHERE 1=1{} ORDER BY o.created_at DESC, o.id DESC LIMIT {n}",
            c.sql
        );
        self.orders(&sql, &c.args).await
    }

    /// The newest `SEARCH_SCAN` rows of the filtered history, each tested
    /// for the term; the page when they hold more than a page of matches
    /// (then they are the newest matches of all), else None.
    async fn recent_scan(
        &self,
        mut c: Conds,
        term: &str,
        limit: i64,
    ) -> CoreResult<Option<OrderPage>> {
        let scan = c.bind(Arg::Int(SEARCH_SCAN));
        let inner = format!(
            "{ORDER_SELECT} WHERE 1=1{} ORDER BY o.created_at DESC, o.id DESC LIMIT {scan}",
            c.sql
        );
        let test = term_matches(&mut c, term);
        let n = c.bind(Arg::Int(limit + 1));
        // A subquery with a LIMIT keeps the test outside it: the newest rows
        // are read first, then tested.
        let sql = format!(
            "SELECT * FROM ({inner}) o WHERE {test} ORDER BY o.created_at DESC, o.id DESC LIMIT {n}"
        );
        let orders = self.orders(&sql, &c.args).await?;
        Ok((orders.len() as i64 > limit).then(|| page(orders, limit)))
    }
}

tokio::task_local! {
    /// The plans of the statements searches ran, inside `PgStore::explained`.
    static EXPLAINED: std::cell::RefCell<Vec<String>>;
}

impl PgStore {
    /// Runs `f` (history pages of this engine) and returns with its output
    /// each statement they ran, as `EXPLAIN (ANALYZE, BUFFERS)` reports it:
    /// the rows and buffers read, figures the machine's load does not
    /// change (the benchmark's). Each statement then runs twice.
    pub async fn explained<T>(f: impl std::future::Future<Output = T>) -> (T, Vec<String>) {
        EXPLAINED
            .scope(std::cell::RefCell::new(Vec::new()), async {
                let out = f.await;
                (out, EXPLAINED.with(|e| e.take()))
            })
            .await
    }

    /// `fetch_orders`, explained first inside `explained`.
    async fn orders(&self, sql: &str, args: &[Arg]) -> CoreResult<Vec<Order>> {
        self.explain(sql, args).await?;
        fetch_orders(&self.pool, sql, args).await
    }

    async fn explain(&self, sql: &str, args: &[Arg]) -> CoreResult<()> {
        if EXPLAINED.try_with(|_| ()).is_err() {
            return Ok(());
        }
        let explain = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
        let plan: Vec<String> = sqlx::query_scalar_with(&explain, pg_args(args)?)
            .fetch_all(&self.pool)
            .await?;
        let plan = plan.join("\n");
        EXPLAINED.with(|e| e.borrow_mut().push(plan));
        Ok(())
    }
}

/// The statement of a search with every match gathered, none walked (the
/// plan of a prefix with too many heads, for every column).
#[cfg(test)]
fn gathered_sql(c: Conds, term: &str, limit: i64) -> (String, Vec<Arg>) {
    let t = term.to_ascii_lowercase();
    others_sql(c, &t, head_columns(t.chars().count()), limit)
}

#[cfg(test)]
impl PgStore {
    /// A search's page with every match gathered (`gathered_sql`).
    async fn gathered(&self, c: Conds, term: &str, limit: i64) -> CoreResult<OrderPage> {
        let (sql, args) = gathered_sql(c, term, limit);
        let keys = self.keys(&sql, &args).await?;
        self.page_of(&keys, limit).await
    }
}

const NEWEST: &str = "ORDER BY o.created_at DESC, o.id DESC";

/// The statement selecting `(created_at, id)` of the newest `limit + 1`
/// filtered matches of the folded term `t` that no head walk reads, and
/// its binds: every one from the indexes (`gathered_matches`: materialized,
/// so the planner cannot turn it into a walk of the time index testing each
/// row), filtered and sorted by time.
fn others_sql(mut c: Conds, t: &str, gather: &[(&str, usize)], limit: i64) -> (String, Vec<Arg>) {
    let k = c.bind(Arg::Int(limit + 1));
    let others = gathered_matches(&mut c, t, gather);
    let sql = format!(
        "WITH m AS MATERIALIZED (SELECT o.id, o.created_at, o.profile_pk, o.kind, o.status FROM orders o WHERE {others}) \
         SELECT o.created_at, o.id FROM m o WHERE 1=1{} {NEWEST} LIMIT {k}",
        c.sql
    );
    (sql, c.args)
}

/// The statement selecting `(created_at, id)` of the newest `limit + 1`
/// filtered rows that start with the folded term `t` in the heads of
/// `walks`, and its binds (None: no heads): per head, a walk of the
/// column's head index newest first that stops after that many matches.
fn walks_sql(
    mut c: Conds,
    t: &str,
    walks: &[(&str, usize, Vec<String>)],
    limit: i64,
) -> Option<(String, Vec<Arg>)> {
    let k = c.bind(Arg::Int(limit + 1));
    let filters = c.sql.clone();
    let mut parts = Vec::new();
    for (col, len, heads) in walks {
        if heads.is_empty() {
            continue;
        }
        let hs = c.bind(Arg::Texts(heads.clone()));
        let longer = if t.chars().count() > *len {
            let p = c.bind(Arg::Text(format!("{}%", like_escape(t))));
            format!(" AND {} LIKE {p}", fold(col))
        } else {
            String::new()
        };
        parts.push(format!(
            "SELECT w.created_at, w.id FROM unnest({hs}::text[]) AS hd(v) CROSS JOIN LATERAL \
             (SELECT o.created_at, o.id FROM orders o WHERE {} = hd.v{longer}{filters} {NEWEST} LIMIT {k}) w",
            head(col, *len)
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let sql = format!(
        "SELECT u.created_at, u.id FROM ({}) u ORDER BY u.created_at DESC, u.id DESC LIMIT {k}",
        parts.join(" UNION ")
    );
    Some((sql, c.args))
}

#[cfg(test)]
mod tests {
    use super::prefix_end;
    use crate::store::search::tests::{
        all_pages, check_searches, history, like_scan_case, small_history, CASES,
    };
    use crate::store::test_support::{new_order, profile, TestDb};
    use crate::store::{NewOrder, OrderFilter, OrderUpdate, OrderWrite, Store};
    use crate::OrderStatus;
    use proptest::prelude::*;

    #[test]
    fn a_prefix_ends_at_its_last_character_raised() {
        assert_eq!(prefix_end("ab").as_deref(), Some("ac"));
        assert_eq!(prefix_end("司马").as_deref(), Some("司驭"));
        // The surrogates are no characters: the next one is U+E000.
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
    }

    /// A store on a fresh PostgreSQL database with SQLite's search-test
    /// history written into it (`history`, store/search.rs).
    async fn with_history(db: &TestDb, n: i64, shuffled: bool) -> Store {
        let s = db.open().await;
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        for chunk in history(n, shuffled).chunks(1_000) {
            s.insert_orders_batch(chunk).await.unwrap();
        }
        s
    }

    /// SQLite's cases (`CASES`: numbers, names, accounts, 1- to
    /// 16-character terms, wildcards, row filters, pages of 50 and 600)
    /// on PostgreSQL: exactly the brute-force matches, newest first, across
    /// keyset pages.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_search_pages_match_a_brute_force_filter() {
        let Some(db) = TestDb::postgres("postgres_search_pages_match_a_brute_force_filter") else {
            return;
        };
        let s = with_history(&db, 14_000, false).await;
        assert!(check_searches(&s, CASES).await > 10_000);
    }

    /// The same with every 97th order an hour older than its neighbours:
    /// ids no longer follow time, and pages still do.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_search_is_exact_when_ids_do_not_follow_time() {
        let Some(db) = TestDb::postgres("postgres_search_is_exact_when_ids_do_not_follow_time")
        else {
            return;
        };
        let s = with_history(&db, 8_000, true).await;
        assert!(check_searches(&s, CASES).await > 5_000);
    }

    /// SQLite's cases again with a prefix of more than one head gathered
    /// instead of walked (`MAX_HEADS` 1), and with every prefix shorter than
    /// its head gathered (0): the same brute-force matches.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_search_is_exact_when_prefixes_are_gathered() {
        let Some(db) = TestDb::postgres("postgres_search_is_exact_when_prefixes_are_gathered")
        else {
            return;
        };
        let s = with_history(&db, 8_000, true).await;
        for max in [1, 0] {
            let found = super::MAX_HEADS_IN_TEST.scope(max, check_searches(&s, CASES));
            assert!(found.await > 5_000, "MAX_HEADS {max}");
        }
    }

    /// A prefix's matches are walked newest first from its head index and
    /// the walk stops after a page: of 5,500 numbers starting `oldt0` (36
    /// heads), at most a page and one row per head is read, with and without
    /// row filters and deep in the history; a payee's 1-character prefix
    /// likewise from the payee's heads. The gathered plan would read every
    /// match.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn prefix_walks_stop_after_a_page_per_head() {
        let Some(db) = TestDb::postgres("prefix_walks_stop_after_a_page_per_head") else {
            return;
        };
        let s = with_history(&db, 14_000, false).await;
        let pg = s.postgres().unwrap();
        sqlx::query("ANALYZE orders")
            .execute(pg.pool())
            .await
            .unwrap();
        let p2: i64 = sqlx::query_scalar("SELECT pk FROM profiles WHERE id = 'p2'")
            .fetch_one(pg.pool())
            .await
            .unwrap();
        for (term, col, len, index, profile, after) in [
            (
                "oldt0",
                "o.order_no",
                super::NUMBER_HEAD,
                "orders_order_no_fold",
                None,
                None,
            ),
            (
                "OLDT0",
                "o.order_no",
                super::NUMBER_HEAD,
                "orders_order_no_fold",
                Some(p2),
                None,
            ),
            (
                "oldt0",
                "o.order_no",
                super::NUMBER_HEAD,
                "orders_order_no_fold",
                None,
                Some(4_000),
            ),
            (
                "oldtime0001",
                "o.order_no",
                super::NUMBER_HEAD,
                "orders_order_no_fold",
                None,
                None,
            ),
            (
                "司",
                "o.payee_name",
                super::PAYEE_HEAD,
                "orders_payee_fold",
                None,
                None,
            ),
        ] {
            let t = term.to_ascii_lowercase();
            let super::Heads::Walk(heads) = pg.heads(col, len, &t).await.unwrap() else {
                panic!("{term}: gathered");
            };
            let heads: Vec<String> = heads.into_iter().map(|h| h.0).collect();
            let mut c = super::Conds {
                sql: String::new(),
                args: Vec::new(),
            };
            if let Some(pk) = profile {
                c.push(" AND o.profile_pk = #", super::Arg::Int(pk));
            }
            if let Some(at) = after {
                c.push(" AND (o.created_at, o.id) < (#", super::Arg::Int(at));
                c.push(", #)", super::Arg::Int(i64::MAX));
            }
            let (sql, args) = super::walks_sql(c, &t, &[(col, len, heads.clone())], 50).unwrap();
            let explain = format!("EXPLAIN (ANALYZE, TIMING OFF) {sql}");
            let plan: Vec<String> =
                sqlx::query_scalar_with(&explain, super::pg_args(&args).unwrap())
                    .fetch_all(pg.pool())
                    .await
                    .unwrap();
            let plan = plan.join("\n");
            let walk = plan
                .lines()
                .find(|l| l.contains(&format!("Backward using {index} on orders")))
                .unwrap_or_else(|| panic!("{term}: no backward walk of {index} in\n{plan}"));
            // "(actual rows=R loops=L)": R is the mean per loop (per head).
            let actual = walk.split("actual rows=").nth(1).unwrap();
            let rows: f64 = actual.split(' ').next().unwrap().parse().unwrap();
            let loops: f64 = actual
                .split("loops=")
                .nth(1)
                .unwrap()
                .trim_end_matches(')')
                .parse()
                .unwrap();
            assert_eq!(loops as usize, heads.len(), "{term}:\n{plan}");
            assert!(rows <= 51.0, "{term}: {rows} rows per head\n{plan}");
            if term == "oldt0" && after.is_none() {
                assert_eq!(heads.len(), 36, "{heads:?}");
            }
        }
        // `oldtime` has 6 heads, one after another in time: the newest head
        // fills the page and is the only one walked. `oldt0`'s 36 heads
        // take turns (every 6th number), the page's 50 rows are in 6 heads:
        // walked 1, then 4, then 16, when the 17th's newest row is older
        // than the page's last.
        for (term, walked) in [("oldtime", 1), ("oldt0", 16)] {
            let f = OrderFilter {
                search: Some(term.into()),
                ..Default::default()
            };
            let (page, plans) = super::PgStore::explained(s.list_orders(&f)).await;
            assert_eq!(page.unwrap().orders.len(), 50);
            let walk = plans
                .iter()
                .rev()
                .find_map(|p| {
                    p.lines()
                        .find(|l| l.contains("Backward using orders_order_no_fold on orders"))
                })
                .unwrap_or_else(|| panic!("{term}: {plans:#?}"))
                .to_string();
            assert!(
                walk.ends_with(&format!("loops={walked})")),
                "{term}: {walk}"
            );
        }
    }

    /// The plans (both checked by the cases above) give the same page: a
    /// frequent term's page from the newest rows, a rare one's from the
    /// indexes; and a term that only the indexes find past the newest rows.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_plans_take_part() {
        let Some(db) = TestDb::postgres("both_plans_take_part") else {
            return;
        };
        let s = with_history(&db, 6_000, false).await;
        let pg = s.postgres().unwrap();
        // 张三 is most payees: the newest rows hold a page of it.
        let f = |t: &str| OrderFilter {
            search: Some(t.into()),
            ..Default::default()
        };
        let c = super::Conds {
            sql: String::new(),
            args: Vec::new(),
        };
        assert!(pg
            .recent_scan(c.clone(), "张三", 50)
            .await
            .unwrap()
            .is_some());
        // 欧阳娜娜 is every 250th: not a page in the newest 2,000 rows.
        assert!(pg
            .recent_scan(c.clone(), "阳娜", 50)
            .await
            .unwrap()
            .is_none());
        let page = s.list_orders(&f("阳娜")).await.unwrap();
        assert_eq!(page.orders.len(), 24);
        assert!(page
            .orders
            .iter()
            .all(|o| o.payee_name.as_deref() == Some("欧阳娜娜")));
        let gathered = pg.gathered(c, "阳娜", 50).await.unwrap();
        assert_eq!(
            gathered.orders.iter().map(|o| o.id).collect::<Vec<_>>(),
            page.orders.iter().map(|o| o.id).collect::<Vec<_>>()
        );
        // A NUL can be in no PostgreSQL text: nothing, and no error.
        assert!(s.list_orders(&f("a\0b")).await.unwrap().orders.is_empty());
    }

    /// Each alternative of a gathered search is one the indexes of
    /// migration 0011 serve (the folded expression, its C collation, the
    /// partial index's WHERE proved from the comparisons): with sequential
    /// scans ruled out, the plan reads those indexes and no other.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn gathered_searches_use_the_search_indexes() {
        let Some(db) = TestDb::postgres("gathered_searches_use_the_search_indexes") else {
            return;
        };
        let s = with_history(&db, 1_000, false).await;
        let pool = s.postgres().unwrap().pool();
        sqlx::query("UPDATE orders SET provider_order_id = 'GW' || id")
            .execute(pool)
            .await
            .unwrap();
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("ANALYZE orders")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut *conn)
            .await
            .unwrap();
        for (term, wanted) in [
            (
                "12345",
                &[
                    "orders_order_no_trgm",
                    "orders_payee_trgm",
                    "orders_account_no_trgm",
                    "orders_provider_order_id_fold",
                ][..],
            ),
            (
                "阳娜",
                &[
                    "orders_order_no_fold",
                    "orders_payee_fold",
                    "orders_payee_pairs",
                    "orders_provider_order_id_fold",
                ][..],
            ),
            (
                "O",
                &[
                    "orders_order_no_fold",
                    "orders_payee_fold",
                    "orders_provider_order_id_fold",
                ][..],
            ),
        ] {
            let c = super::Conds {
                sql: String::new(),
                args: Vec::new(),
            };
            let (sql, args) = super::gathered_sql(c, term, 50);
            let explain = format!("EXPLAIN {sql}");
            let mut q = sqlx::query_scalar::<_, String>(&explain);
            for a in args {
                q = match a {
                    super::Arg::Text(t) => q.bind(t),
                    super::Arg::Int(i) => q.bind(i),
                    super::Arg::Texts(v) => q.bind(v),
                    super::Arg::Ints(v) => q.bind(v),
                };
            }
            let plan = q.fetch_all(&mut *conn).await.unwrap().join("\n");
            for index in wanted {
                assert!(
                    plan.contains(&format!(" on {index} "))
                        || plan.contains(&format!(" on {index}\n")),
                    "{term}: {index} not in\n{plan}"
                );
            }
            assert!(!plan.contains("Seq Scan on orders"), "{term}:\n{plan}");
            assert!(
                !plan.contains("on orders_provider_order_id "),
                "{term}:\n{plan}"
            );
        }
    }

    /// pg_trgm is a trusted extension: `team init` with the login of the
    /// database's owner, no superuser, creates it, and searches work.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn team_init_by_the_database_owner_creates_pg_trgm() {
        let Some(pg) = crate::store::pg_test::fresh_database(
            "team_init_by_the_database_owner_creates_pg_trgm",
        ) else {
            return;
        };
        let owner = format!("own_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        pg.execute(&format!(
            "CREATE ROLE {owner} LOGIN CREATEROLE NOSUPERUSER PASSWORD 'owner-pw'"
        ))
        .unwrap();
        pg.execute(&format!("ALTER DATABASE {} OWNER TO {owner}", pg.name))
            .unwrap();
        let url = pg.url_as(&owner, "owner-pw");
        crate::team::init(&crate::secret::Secret::new(url.clone()))
            .await
            .unwrap();
        let s = Store::open_url(&url).await.unwrap();
        let by: String = sqlx::query_scalar(
            "SELECT extowner::regrole::text FROM pg_extension WHERE extname = 'pg_trgm'",
        )
        .fetch_one(s.postgres().unwrap().pool())
        .await
        .unwrap();
        assert_eq!(by, owner);
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let mut o = new_order("p1", "PDP24101500000001W912K9GV", 1_000);
        o.fields.insert("payee_name".into(), "欧阳娜娜".into());
        let id = s.insert_order(&o).await.unwrap();
        for t in ["w912k9", "阳娜", "欧阳娜娜"] {
            let page = s
                .list_orders(&OrderFilter {
                    search: Some(t.into()),
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(
                page.orders.iter().map(|o| o.id).collect::<Vec<_>>(),
                vec![id],
                "{t}"
            );
        }
        s.close().await;
    }

    /// Rows for the comparison of the two engines: numbers with ASCII and
    /// non-ASCII letters in both cases and LIKE's wildcards, payee names of
    /// 1 to 9 characters (past the 6 of the pairs), accounts, gateway ids.
    fn mixed_history() -> impl Strategy<Value = Vec<(String, String, String, String)>> {
        proptest::collection::vec(
            (
                "[A-Cab0-2Ää_-]{3,10}",
                "[张王李三四AaÄä_%]{1,9}",
                "[0-3]{0,8}",
                "[A-Cab0-2]{0,5}",
            ),
            1..80,
        )
    }

    /// `rows` written into `s` (two profiles; every 3rd order succeeded; a
    /// gateway id where there is one; times repeat in pairs).
    async fn write_mixed(s: &Store, rows: &[(String, String, String, String)]) -> Vec<NewOrder> {
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        let mut seen = std::collections::HashSet::new();
        let kept: Vec<_> = rows
            .iter()
            .filter(|r| seen.insert(r.0.to_lowercase()))
            .collect();
        let orders: Vec<NewOrder> = kept
            .iter()
            .enumerate()
            .map(|(i, (no, payee, acct, _))| {
                let p = if i % 2 == 0 { "p1" } else { "p2" };
                let mut o = new_order(p, no, 1_000 + i as i64 / 2);
                o.fields.insert("payee_name".into(), payee.clone());
                if !acct.is_empty() {
                    o.fields.insert("account_no".into(), acct.clone());
                }
                if i % 3 == 0 {
                    o.status = OrderStatus::Succeeded;
                }
                o
            })
            .collect();
        let ids = s.insert_orders_batch(&orders).await.unwrap();
        for (id, (_, _, _, gw)) in ids.iter().zip(&kept) {
            if !gw.is_empty() {
                let u = OrderUpdate {
                    provider_order_id: Some(gw.clone()),
                    ..Default::default()
                };
                s.update_order(OrderWrite::new(*id, "query", &u, 5_000))
                    .await
                    .unwrap();
            }
        }
        orders
    }

    /// A fresh PostgreSQL database for one proptest case and a runtime to
    /// use it on (None: skipped, see `pg_test`).
    fn pg_case(test: &str) -> Option<(TestDb, tokio::runtime::Runtime)> {
        let db = TestDb::postgres(test)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Some((db, rt))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// SQLite's proptest (`search_equals_a_like_scan`) on PostgreSQL:
        /// the same rows and terms against the same brute-force filter.
        #[test]
        fn postgres_search_equals_a_like_scan(
            rows in small_history(),
            picks in proptest::collection::vec((0usize..1_000, 0usize..3, 0usize..12, 1usize..8), 6),
            made_up in "[A-Cab0-3张王李三四%_]{1,5}",
        ) {
            let Some((db, rt)) = pg_case("postgres_search_equals_a_like_scan") else {
                return Ok(());
            };
            rt.block_on(async {
                let s = db.open().await;
                like_scan_case(&s, &rows, &picks, &made_up).await;
                s.close().await;
            });
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// The same rows on both engines, every term (cut out of the rows or
        /// made up, with and without row filters, in pages of 7): PostgreSQL
        /// finds exactly the orders SQLite finds, in the same order. Where
        /// the brute-force filter is a model, this compares with SQLite
        /// itself (payee names past six characters, gateway ids, non-ASCII
        /// letters whose case SQLite's LIKE does not fold).
        #[test]
        fn postgres_finds_what_sqlite_finds(
            rows in mixed_history(),
            picks in proptest::collection::vec((0usize..1_000, 0usize..4, 0usize..12, 1usize..8), 8),
            made_up in "[A-Cab0-3张王李三四AaÄä%_]{1,5}",
        ) {
            let Some((db, rt)) = pg_case("postgres_finds_what_sqlite_finds") else {
                return Ok(());
            };
            rt.block_on(async {
                let lite = TestDb::sqlite();
                let stores = [lite.open().await, db.open().await];
                let mut orders = Vec::new();
                for s in &stores {
                    orders = write_mixed(s, &rows).await;
                }
                let gw: Vec<&String> = rows.iter().map(|r| &r.3).collect();
                let mut terms = vec![made_up.clone()];
                for (row, col, start, len) in &picks {
                    let o = &orders[row % orders.len()];
                    let v: Vec<char> = match col {
                        0 => o.order_no.chars().collect(),
                        1 => o.fields["payee_name"].chars().collect(),
                        2 => o.fields.get("account_no").cloned().unwrap_or_default().chars().collect(),
                        _ => gw[row % gw.len()].chars().collect(),
                    };
                    if v.is_empty() {
                        continue;
                    }
                    let a = start % v.len();
                    let b = (a + len).min(v.len());
                    terms.push(v[a..b].iter().collect());
                }
                for t in &terms {
                    for (profile, status) in [(None, None), (Some("B"), Some(OrderStatus::Succeeded))] {
                        let f = OrderFilter {
                            search: Some(t.clone()),
                            profile: profile.map(String::from),
                            status,
                            limit: Some(7),
                            ..Default::default()
                        };
                        let found = |o: Vec<crate::store::Order>| o.into_iter().map(|o| o.order_no).collect::<Vec<_>>();
                        let lite_found = found(all_pages(&stores[0], f.clone()).await);
                        // Also with every prefix gathered, not walked (a
                        // prefix of too many heads).
                        let gathered = found(super::MAX_HEADS_IN_TEST.scope(0, all_pages(&stores[1], f.clone())).await);
                        let pg_found = found(all_pages(&stores[1], f).await);
                        assert_eq!(pg_found, lite_found, "term {t:?} {profile:?}");
                        assert_eq!(gathered, lite_found, "gathered: term {t:?} {profile:?}");
                    }
                }
                stores[1].close().await;
            });
        }
    }
}
