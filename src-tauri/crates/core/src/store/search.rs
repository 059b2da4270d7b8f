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
/// within about `limit × total / matches` rows.
const SEARCH_CANDIDATES: i64 = 5_000;

/// Rows of the filtered history a search with many matches tests before it
/// turns to the indexes.
const SEARCH_SCAN: i64 = 2_000;

/// The trigram index (migration 0012) finds a term of this many characters
/// or more anywhere in a number, a name or an account number.
const TRIGRAM: usize = 3;

/// At most this many of a term's trigrams are asked of the index for each
/// of its two places (each is one more list to intersect); every candidate
/// is tested on its row.
const TRIGRAMS_MAX: usize = 12;

/// The mark after each pair of an indexed payee name past its first
/// character (migration 0012): a two-character term inside or at the end of
/// a name is the trigram `XY␁`.
const MARK: char = '\u{1}';

/// The first characters of an order number, which the index holds once more
/// as a head of their own (migration 0014): `PD`, the kind and `yyMMdd`.
pub(super) const HEAD: usize = 9;

/// A head's character as migration 0014 indexes it: an ASCII character in
/// upper case moved into the Private Use Area (so its trigrams are the
/// head's alone), any other as it is. The view's SQL does the same.
fn head_char(c: char) -> char {
    if c.is_ascii() {
        char::from_u32(0xE000 + c.to_ascii_uppercase() as u32).unwrap_or(c)
    } else {
        c
    }
}

/// A quoted FTS5 string: every character literal.
fn fts_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The distinct trigrams of `chars`, in order.
fn trigrams(chars: &[char]) -> Vec<String> {
    let mut grams: Vec<String> = Vec::new();
    for w in chars.windows(TRIGRAM) {
        let g: String = w.iter().collect();
        if !grams.contains(&g) {
            grams.push(g);
        }
    }
    grams
}

/// At most `max` of `grams`, spread over them (first and last kept).
fn spread(grams: Vec<String>, max: usize) -> Vec<String> {
    if grams.len() <= max {
        return grams;
    }
    let n = grams.len();
    (0..max)
        .map(|i| grams[i * (n - 1) / (max - 1)].clone())
        .collect()
}

/// `"a" AND "b" …`
fn all_of(grams: &[String]) -> String {
    grams
        .iter()
        .map(|g| fts_quote(g))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The index query for a term of `TRIGRAM` characters or more anywhere
/// but at the start of an order number (migration 0014 indexes a number
/// without its first character): rows holding all of its distinct trigrams
/// (at most `TRIGRAMS_MAX`, spread over it). Without positions in the index
/// (`detail=none`) that is a superset of the rows holding the term; the
/// plans test each candidate on its row.
fn anywhere_query(term: &str) -> String {
    let chars: Vec<char> = term.chars().collect();
    all_of(&spread(trigrams(&chars), TRIGRAMS_MAX))
}

/// The index query for a term that starts order numbers: rows whose
/// number's head holds the last trigram of the term's first `HEAD`
/// characters (every number starting with the term does), or which hold
/// the term's first trigram anywhere else. Each list FTS5 intersects is
/// read through in full over the rows it passes, so one trigram each: the
/// last of a head is the most particular (for our numbers, the month or
/// the day), and the first trigram of a number's start is rare past it.
fn start_query(term: &str) -> String {
    let chars: Vec<char> = term.chars().collect();
    let head: Vec<char> = chars.iter().take(HEAD).map(|&c| head_char(c)).collect();
    let last: String = head[head.len() - TRIGRAM..].iter().collect();
    let first: String = chars[..TRIGRAM].iter().collect();
    format!("{} OR {}", fts_quote(&last), fts_quote(&first))
}

/// The trigram index's query for a term, given whether any head starts
/// with it (migration 0016: a superset of the numbers' starts).
fn index_query(term: &str, heads: bool) -> String {
    if heads {
        start_query(term)
    } else {
        anywhere_query(term)
    }
}

/// Heads' id ranges closer than this many ids are read as one run: the ids
/// between them are tested in passing, cheaper than one more range.
const RANGE_GAP: i64 = 256;

/// At most this many runs of ids are read for a term's starts (one arm of a
/// merged UNION each); more and the trigram index's heads answer instead.
const RANGES_MAX: usize = 8;

/// What `start_ranges` found.
struct Starts {
    time_ordered: bool,
    /// A head starts with the term (at worst the head of a deleted or
    /// renumbered order: a superset).
    heads: bool,
    /// The runs of ids within the page's bounds, newest first; None when
    /// there are more than `RANGES_MAX`.
    ranges: Option<Vec<(i64, i64)>>,
}

/// `plan_starts`: the ids of the numbers that start with the term, read in
/// their runs newest first and tested on the number, united with the rows
/// holding the term's first trigram elsewhere (past a number's first
/// character, in a name, in an account number: rare for a number's start),
/// newest first. SQL (binds pushed onto `binds`).
fn starts_query(
    c: &Conds,
    term: &str,
    pat: &str,
    ranges: &[(i64, i64)],
    binds: &mut Vec<Arg>,
) -> String {
    let mut arms = Vec::new();
    for &(lo, hi) in ranges {
        arms.push(format!(
            "SELECT id FROM orders WHERE id BETWEEN ? AND ? AND order_no {LIKE}"
        ));
        binds.extend([Arg::Int(lo), Arg::Int(hi), Arg::Text(pat.into())]);
    }
    arms.push(format!(
        "SELECT rowid AS id FROM order_search WHERE order_search MATCH ?{}",
        c.rcond
    ));
    binds.push(Arg::Text(fts_quote(
        &term.chars().take(TRIGRAM).collect::<String>(),
    )));
    binds.extend(c.rargs.iter().cloned());
    format!("{} ORDER BY id DESC LIMIT -1", arms.join(" UNION "))
}

/// The index query for a two-character term inside or at the end of payee
/// names: the pair followed by the mark (the start of a name is the prefix
/// index's).
fn pair_query(term: &str) -> String {
    fts_quote(&format!("{term}{MARK}"))
}

/// Each way of writing `term` with its ASCII letters in either case (at
/// most four: terms this short only).
fn case_variants(term: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for ch in term.chars() {
        let (lo, up) = (ch.to_ascii_lowercase(), ch.to_ascii_uppercase());
        out = out
            .into_iter()
            .flat_map(|s| {
                if lo == up {
                    vec![format!("{s}{ch}")]
                } else {
                    vec![format!("{s}{up}"), format!("{s}{lo}")]
                }
            })
            .collect();
    }
    out
}

/// A LIKE test on a row, its pattern bound. Not `LIKE ?`: a bound pattern
/// on its own marks the statement to be prepared again at every call (for
/// SQLite's LIKE optimisation, which depends on the pattern), about
/// 0.5 M instructions a statement; the prefix indexes are read through
/// ranges instead.
const LIKE: &str = "LIKE (? || '') ESCAPE '\\'";

/// Rows of `col` that match a search term shorter than a trigram, as
/// `FROM … WHERE …` and its binds. Payee and gateway order id on their
/// NOCASE prefix indexes (LIKE ignores ASCII case); order numbers on the
/// unique index, number first (BINARY), one range per case variant of the
/// term; `payee_pair` a two-character term anywhere in a payee name of up to
/// six characters, from the trigram index's marked pairs.
fn column_match(col: &str, term: &str) -> (String, Vec<Arg>) {
    let like = |c: &str| format!("{c} {LIKE}");
    // Every string that starts with v sorts below v + U+10FFFF.
    let end = |v: &str| format!("{v}\u{10FFFF}");
    match col {
        "order_no" => {
            let variants = case_variants(term);
            let ranges = vec!["(order_no >= ? AND order_no < ?)"; variants.len()].join(" OR ");
            let mut binds = Vec::new();
            for v in variants {
                let hi = end(&v);
                binds.extend([Arg::Text(v), Arg::Text(hi)]);
            }
            (format!("FROM orders WHERE ({ranges})"), binds)
        }
        // With the rows a batch listed for the index and not yet indexed
        // (migration 0015), tested as the index would find them: the pair
        // followed by the mark in the text the index is given.
        "payee_pair" => (
            format!(
                "FROM orders WHERE id IN (SELECT rowid FROM order_search WHERE order_search MATCH ? \
                 UNION ALL SELECT q.id FROM order_search_pending q CROSS JOIN order_search_rows v ON v.id = q.id WHERE {}) AND {}",
                like("v.payee_name"),
                like("payee_name")
            ),
            vec![
                Arg::Text(pair_query(term)),
                Arg::Text(format!("%{}{MARK}%", like_escape(term))),
                Arg::Text(like_contains(term)),
            ],
        ),
        // Payee and gateway id: a range on the NOCASE prefix index. NOCASE
        // and LIKE both fold ASCII only, so the range is the prefix match
        // (as the order number's ranges are): no LIKE on each entry.
        "provider_order_id" => (
            format!(
                "FROM orders WHERE {col} COLLATE NOCASE >= ? AND {col} COLLATE NOCASE < ? AND provider_order_id IS NOT NULL"
            ),
            vec![Arg::Text(term.into()), Arg::Text(end(term))],
        ),
        _ => (
            format!("FROM orders WHERE {col} COLLATE NOCASE >= ? AND {col} COLLATE NOCASE < ?"),
            vec![Arg::Text(term.into()), Arg::Text(end(term))],
        ),
    }
}

/// Connect a new connection to the trigram index (migration 0012) before
/// it writes: SQLite connects a virtual table, reading its set-up, when it
/// first prepares a statement that uses it. Inside a write transaction that
/// read would come first (an order's insert fires the index's trigger), and
/// a write after a stale read fails at once with "database is locked"
/// instead of waiting for the other writer.
pub(super) async fn connect_index(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT count(*) FROM order_search WHERE rowid = 0")
        .execute(conn)
        .await
        .map(drop)
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
    /// The same as bounds on the trigram index's row ids, valid while ids
    /// grow with time (migration 0012's `time_ordered`): the lowest id at or
    /// after `from`, the highest before `to`, below the cursor's id.
    rcond: String,
    rargs: Vec<Arg>,
    /// The same bounds as SQL expressions of their own (lowest, highest
    /// row id), for `plan_starts`'s id ranges.
    rlow: Option<(String, Vec<Arg>)>,
    rhigh: Option<(String, Vec<Arg>)>,
    /// Profile, kind or status: not every match qualifies.
    row_filters: bool,
    limit: i64,
}

/// A search term's LIKE wildcards escaped.
fn like_escape(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A search term as a LIKE prefix pattern.
fn like_prefix(term: &str) -> String {
    format!("{}%", like_escape(term))
}

/// A search term as a LIKE pattern matching it anywhere.
fn like_contains(term: &str) -> String {
    format!("%{}%", like_escape(term))
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
pub(super) fn prefix_union(c: &Conds, term: &str, columns: &[&str]) -> (String, Vec<Arg>) {
    let per_column = if c.row_filters { -1 } else { c.limit + 1 };
    let mut list: Vec<String> = Vec::new();
    let mut binds: Vec<Arg> = Vec::new();
    for col in columns {
        let (from, args) = column_match(col, term);
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
        if term.chars().count() >= TRIGRAM {
            return self.plan_substring(&c, term).await;
        }
        // Shorter than a trigram: a prefix of the number, the gateway id or
        // the payee; two characters anywhere in a payee's name.
        let columns: &[&str] = match term.chars().count() {
            1 => &["order_no", "payee_name", "provider_order_id"],
            // The start of a name on its prefix index (created_at rides
            // along: a page without reading the rows); the pair inside or
            // at the end of a name from the trigram index's marked pairs.
            _ => &["order_no", "payee_name", "payee_pair", "provider_order_id"],
        };
        let pat = like_prefix(term);
        if self.search_count(term, columns).await? > SEARCH_CANDIDATES {
            let payee = if columns.contains(&"payee_pair") {
                like_contains(term)
            } else {
                pat.clone()
            };
            let tests = [
                ("order_no", pat.as_str()),
                ("payee_name", payee.as_str()),
                ("provider_order_id", pat.as_str()),
            ];
            if let Some(page) = self.plan_recent_scan(&c, &tests).await? {
                return Ok(page);
            }
        }
        self.plan_prefix_indexes(&c, term, columns).await
    }

    /// The filter's conditions (the profile looked up by name or id).
    pub(super) async fn conditions(&self, f: &OrderFilter) -> CoreResult<Conds> {
        let mut c = Conds {
            cond: String::new(),
            args: Vec::new(),
            tcond: String::new(),
            targs: Vec::new(),
            rcond: String::new(),
            rargs: Vec::new(),
            rlow: None,
            rhigh: None,
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
            if s.is_open() {
                // Word for word the partial indexes' WHERE (migration 0004),
                // so the planner may use them.
                c.cond.push_str(OPEN_ORDERS);
            }
        }
        if let Some(from) = f.from_ms {
            c.cond.push_str(" AND o.created_at >= ?");
            c.args.push(Arg::Int(from));
            c.tcond.push_str(" AND +created_at >= ?");
            c.targs.push(Arg::Int(from));
            c.rlow = Some((
                "(SELECT ifnull((SELECT id FROM orders WHERE created_at >= ? ORDER BY created_at, id LIMIT 1), 9223372036854775807))".into(),
                vec![Arg::Int(from)],
            ));
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
            c.targs.push(Arg::Int(to));
            c.rhigh = Some((
                "(SELECT ifnull((SELECT id FROM orders WHERE created_at < ? ORDER BY created_at DESC, id DESC LIMIT 1), 0))".into(),
                vec![Arg::Int(to)],
            ));
        }
        if let Some((at, id)) = after {
            // The first term bounds the index range; the second only breaks
            // ties within one millisecond (an OR alone would scan from the top).
            c.cond
                .push_str(" AND o.created_at <= ? AND (o.created_at < ? OR o.id < ?)");
            c.args.extend([Arg::Int(at), Arg::Int(at), Arg::Int(id)]);
            c.tcond
                .push_str(" AND +created_at <= ? AND (created_at < ? OR id < ?)");
            c.targs.extend([Arg::Int(at), Arg::Int(at), Arg::Int(id)]);
            // A cursor's id alone may be any number (a page boundary typed
            // or made up): its time bounds the ids as `to` does.
            // One expression: FTS5 takes a single upper bound on the row id.
            c.rhigh = Some((
                "min(? - 1, (SELECT ifnull((SELECT id FROM orders WHERE created_at <= ? ORDER BY created_at DESC, id DESC LIMIT 1), 0)))".into(),
                vec![Arg::Int(id), Arg::Int(at)],
            ));
        }
        for (op, bound) in [(">=", &c.rlow), ("<=", &c.rhigh)] {
            if let Some((expr, args)) = bound {
                c.rcond.push_str(&format!(" AND rowid {op} {expr}"));
                c.rargs.extend(args.iter().cloned());
            }
        }
        Ok(c)
    }

    /// No search: the filtered history, newest first, on a time index.
    async fn plan_history(&self, c: &Conds) -> CoreResult<OrderPage> {
        let (sql, binds) = history_query(c);
        Ok(page(self.fetch_orders(&sql, &binds).await?, c.limit))
    }

    /// A term of a trigram or more, anywhere in the number, the payee or the
    /// account number (and, as before, a prefix of the gateway's order id).
    /// First the heads of the numbers that start with the term
    /// (`order_heads`, migration 0016, with the time order: `start_ranges`):
    ///
    /// - while ids grow with time, and the heads' id ranges within the
    ///   page's bounds make at most `RANGES_MAX` runs: `plan_starts`;
    /// - otherwise, with row filters, a frequent term is first looked for
    ///   among the filtered history's newest rows; then the trigram index:
    ///   with no head, the term anywhere after a number's first character
    ///   (`anywhere_query`); with heads, `start_query` on the index's own
    ///   copy of the heads (migration 0014).
    ///
    /// Candidates are read newest id first, each tested on its row, until
    /// the filters have passed a page: while ids grow with time that is the
    /// history's order, and reading stops after a page. Otherwise every
    /// candidate is read and sorted by time.
    async fn plan_substring(&self, c: &Conds, term: &str) -> CoreResult<OrderPage> {
        let pat = like_prefix(term);
        let anywhere = like_contains(term);
        let starts = self.start_ranges(c, term).await?;
        let test =
            format!(" AND (o.order_no {LIKE} OR o.payee_name {LIKE} OR o.account_no {LIKE})");
        let mut binds = Vec::new();
        let sql = match (starts.time_ordered, &starts.ranges) {
            (true, Some(ranges)) if starts.heads => {
                let sub = starts_query(c, term, &pat, ranges, &mut binds);
                streamed(&sub, &format!("{}{test}", c.cond))
            }
            _ => {
                if c.row_filters {
                    let tests = [
                        ("order_no", anywhere.as_str()),
                        ("payee_name", anywhere.as_str()),
                        ("account_no", anywhere.as_str()),
                        ("provider_order_id", pat.as_str()),
                    ];
                    if let Some(page) = self.plan_recent_scan(c, &tests).await? {
                        return Ok(page);
                    }
                }
                binds.push(Arg::Text(index_query(term, starts.heads)));
                if starts.time_ordered {
                    binds.extend(c.rargs.iter().cloned());
                    streamed(
                        &format!(
                            "SELECT rowid AS id FROM order_search WHERE order_search MATCH ?{} ORDER BY rowid DESC LIMIT -1",
                            c.rcond
                        ),
                        &format!("{}{test}", c.cond),
                    )
                } else {
                    format!(
                        "{ORDER_SELECT} WHERE o.id IN (SELECT rowid FROM order_search WHERE order_search MATCH ?){}{test} ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
                        c.cond
                    )
                }
            }
        };
        binds.extend(c.args.iter().cloned());
        binds.extend((0..3).map(|_| Arg::Text(anywhere.clone())));
        binds.push(Arg::Int(c.limit + 1));
        // The rows a batch listed for the index and not yet indexed
        // (migration 0015), each tested on its row like every candidate:
        // the listed rows first (CROSS JOIN), a page of them by time. In
        // the same statement as the index's candidates, so both see one
        // snapshot: the store indexes listed rows in the background, and a
        // row moved from the list into the index between two statements
        // was found by neither (seen in postgres_finds_what_sqlite_finds).
        let pending = format!(
            "{} FROM order_search_pending q CROSS JOIN orders o ON o.id = q.id JOIN profiles p ON p.pk = o.profile_pk WHERE 1=1{}{test} ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
            order_columns!(),
            c.cond
        );
        let sql = format!("SELECT * FROM ({sql}) UNION ALL SELECT * FROM ({pending})");
        binds.extend(c.args.iter().cloned());
        binds.extend((0..3).map(|_| Arg::Text(anywhere.clone())));
        binds.push(Arg::Int(c.limit + 1));
        let mut orders = self.fetch_orders(&sql, &binds).await?;
        // Gateway order ids: a prefix, on their own index.
        let (sql, binds) = prefix_union(c, term, &["provider_order_id"]);
        orders.extend(self.fetch_orders(&sql, &binds).await?);
        // A row matching in both is one result.
        orders.sort_by_key(|o| o.id);
        orders.dedup_by_key(|o| o.id);
        Ok(page(orders, c.limit))
    }

    /// The heads that start with `term` (`order_heads`, migration 0016) in
    /// one statement: whether any does, and their id ranges cut to the
    /// page's row-id bounds, joined into runs where less than `RANGE_GAP`
    /// ids lie between them (None: more than `RANGES_MAX` runs); with the
    /// time order of the ids, without which the bounds mean nothing.
    async fn start_ranges(&self, c: &Conds, term: &str) -> CoreResult<Starts> {
        // LIKE ignores ASCII case; the heads are stored in upper case.
        let head: String = term
            .chars()
            .take(HEAD)
            .map(|ch| ch.to_ascii_uppercase())
            .collect();
        let end = format!("{head}\u{10FFFF}");
        let unbounded = |v: &str| (v.to_string(), Vec::new());
        let (low, low_args) = c
            .rlow
            .clone()
            .unwrap_or_else(|| unbounded("(-9223372036854775807 - 1)"));
        let (high, high_args) = c
            .rhigh
            .clone()
            .unwrap_or_else(|| unbounded("9223372036854775807"));
        let sql = format!(
            "WITH b AS (SELECT {low} AS l, {high} AS u), \
             h AS (SELECT max(lo, b.l) AS lo, min(hi, b.u) AS hi FROM order_heads, b \
                   WHERE head >= ? AND head < ? AND hi >= b.l AND lo <= b.u), \
             s AS (SELECT lo, hi, ifnull(lo > max(hi) OVER (ORDER BY lo ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + ?, 1) AS fresh FROM h), \
             g AS (SELECT lo, hi, sum(fresh) OVER (ORDER BY lo ROWS UNBOUNDED PRECEDING) AS run FROM s), \
             r AS (SELECT min(lo) AS lo, max(hi) AS hi FROM g GROUP BY run) \
             SELECT (SELECT time_ordered FROM order_search_state), \
                    EXISTS (SELECT 1 FROM order_heads WHERE head >= ? AND head < ?), \
                    (SELECT count(*) FROM r), \
                    (SELECT json_group_array(json_array(lo, hi)) FROM r)"
        );
        let mut q = sqlx::query_as::<_, (Option<bool>, bool, i64, String)>(&sql);
        for a in low_args.into_iter().chain(high_args) {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        let (time_ordered, heads, runs, list) = q
            .bind(&head)
            .bind(&end)
            .bind(RANGE_GAP)
            .bind(&head)
            .bind(&end)
            .fetch_one(&self.pool)
            .await?;
        let ranges = if runs as usize <= RANGES_MAX {
            let mut v: Vec<(i64, i64)> = serde_json::from_str(&list)
                .map_err(|e| crate::error::CoreError::Storage(format!("order_heads: {e}")))?;
            // Newest first, as the page reads them.
            v.sort_unstable_by_key(|r| std::cmp::Reverse(r.1));
            Some(v)
        } else {
            None
        };
        Ok(Starts {
            time_ordered: time_ordered.unwrap_or(false),
            heads,
            ranges,
        })
    }

    /// Many rows match: test the newest `SEARCH_SCAN` rows of the filtered
    /// history, newest first, each column with its LIKE pattern; that fills
    /// a page unless the matches are rare there (or bunched elsewhere in
    /// time). None when it did not fill a page. The unary `+` keeps the
    /// planner off the prefix indexes here.
    async fn plan_recent_scan(
        &self,
        c: &Conds,
        tests: &[(&str, &str)],
    ) -> CoreResult<Option<OrderPage>> {
        let test = tests
            .iter()
            .map(|(col, _)| format!("+o.{col} {LIKE}"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let sql = streamed(
            &format!("SELECT o.id FROM orders o WHERE 1=1{} ORDER BY o.created_at DESC, o.id DESC LIMIT ?", c.cond),
            &format!(" AND ({test})"),
        );
        let mut binds = c.args.clone();
        binds.push(Arg::Int(SEARCH_SCAN));
        binds.extend(tests.iter().map(|(_, p)| Arg::Text(p.to_string())));
        binds.push(Arg::Int(c.limit + 1));
        let orders = self.fetch_orders(&sql, &binds).await?;
        Ok((orders.len() as i64 > c.limit).then(|| page(orders, c.limit)))
    }

    /// Every match, newest first, from the prefix indexes (the payee and
    /// gateway-id ones hold created_at); rows are read in that order only
    /// until the filters have passed a page. Without row filters every match
    /// qualifies, so each column needs only its newest page (a top-N sort,
    /// not a full one).
    async fn plan_prefix_indexes(
        &self,
        c: &Conds,
        term: &str,
        columns: &[&str],
    ) -> CoreResult<OrderPage> {
        let (sql, binds) = prefix_union(c, term, columns);
        Ok(page(self.fetch_orders(&sql, &binds).await?, c.limit))
    }

    /// Rows matching a short term in each column, each counted up to
    /// `SEARCH_CANDIDATES + 1` on its index, summed.
    async fn search_count(&self, term: &str, columns: &[&str]) -> CoreResult<i64> {
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        for col in columns {
            let (from, args) = column_match(col, term);
            parts.push(format!("(SELECT count(*) FROM (SELECT 1 {from} LIMIT ?))"));
            binds.extend(args);
            binds.push(Arg::Int(SEARCH_CANDIDATES + 1));
        }
        let sql = format!("SELECT {}", parts.join(" + "));
        let mut q = sqlx::query_scalar(&sql);
        for a in binds {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        Ok(q.fetch_one(&self.pool).await?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::test_support::{new_order, profile};
    use crate::store::NewOrder;
    use crate::store::Store;
    use proptest::prelude::*;

    /// What a search must find, by brute force: a term of a trigram or more
    /// anywhere in the number, the payee or the account number (ASCII case
    /// ignored, as LIKE does) or at the start of the gateway's order id; a
    /// shorter one at the start of the number, the gateway id or the payee,
    /// and a two-character one anywhere in a payee's name (of up to six
    /// characters: the index's marked pairs).
    pub(crate) fn matches(o: &Order, term: &str) -> bool {
        let t = term.to_ascii_lowercase();
        let low = |v: &Option<String>| v.as_deref().map(str::to_ascii_lowercase);
        let has = |v: &Option<String>| low(v).is_some_and(|v| v.contains(&t));
        let starts = |v: &Option<String>| low(v).is_some_and(|v| v.starts_with(&t));
        let no = Some(o.order_no.clone());
        let gw = &o.provider_order_id;
        match term.chars().count() {
            n if n >= TRIGRAM => has(&no) || has(&o.payee_name) || has(&o.account_no) || starts(gw),
            2 => starts(&no) || starts(gw) || has(&o.payee_name),
            _ => starts(&no) || starts(gw) || starts(&o.payee_name),
        }
    }

    /// Every page of `f`, following the cursor.
    pub(crate) async fn all_pages(s: &Store, mut f: OrderFilter) -> Vec<Order> {
        let mut v = Vec::new();
        loop {
            let page = s.list_orders(&f).await.unwrap();
            v.extend(page.orders);
            match page.next {
                Some(c) => f.after = Some(c),
                None => break,
            }
        }
        v
    }

    /// The ids a search finds, across its pages of `limit` (None: the
    /// history's own page size).
    pub(crate) async fn found_ids(s: &Store, term: &str, limit: Option<u32>) -> Vec<i64> {
        let f = OrderFilter {
            search: Some(term.into()),
            limit,
            ..Default::default()
        };
        all_pages(s, f).await.into_iter().map(|o| o.id).collect()
    }

    /// Each search gives exactly the brute-force matches of the whole
    /// history, newest first, across keyset pages.
    pub(crate) async fn check_searches(
        s: &Store,
        cases: &[(&str, Option<&str>, Option<OrderStatus>, u32)],
    ) -> usize {
        let all = all_pages(
            s,
            OrderFilter {
                limit: Some(1_000),
                ..Default::default()
            },
        )
        .await;
        let mut found = 0;
        for &(search, profile, status, limit) in cases {
            let expected: Vec<i64> = all
                .iter()
                .filter(|o| {
                    matches(o, search)
                        && profile.is_none_or(|p| o.profile == p)
                        && status.is_none_or(|st| o.status == st)
                })
                .map(|o| o.id)
                .collect();
            let got: Vec<i64> = all_pages(
                s,
                OrderFilter {
                    search: Some(search.into()),
                    profile: profile.map(String::from),
                    status,
                    limit: Some(limit),
                    ..Default::default()
                },
            )
            .await
            .iter()
            .map(|o| o.id)
            .collect();
            assert_eq!(got, expected, "search {search:?} {profile:?} {status:?}");
            found += got.len();
        }
        found
    }

    /// A history of `n` orders shaped to hit every plan: the oldest 6,000
    /// numbered OLDTIME…, the next OLDT006… to OLDT011… (interleaved in
    /// time), the newest 2,500 NEW…; payees 张三 mostly, 李四 every 7th,
    /// 司马懿 every 100th, 欧阳娜娜 every 250th, and a payee that looks like
    /// an order number every 1,000th; a 19-digit account on every order;
    /// times repeat in pairs (or, `shuffled`, every 97th order is written an
    /// hour older than the rest: ids no longer grow with time).
    pub(crate) fn history(n: i64, shuffled: bool) -> Vec<NewOrder> {
        (0..n)
            .map(|i| {
                let no = if i < 6_000 {
                    format!("OLDTIME{i:05}")
                } else if i < n - 2_500 {
                    format!("OLDT{:03}{i:05}", 6 + i % 6)
                } else {
                    format!("NEW{i:05}")
                };
                // Every 333rd number starts one character later: what
                // starts the others is inside these (migration 0014 indexes
                // a number's head apart from the rest).
                let no = if i % 333 == 7 { format!("X{no}") } else { no };
                let at = if shuffled && i % 97 == 5 {
                    1_000 + i / 2 - 3_600
                } else {
                    1_000 + i / 2
                };
                let mut o = new_order(if i % 3 == 0 { "p2" } else { "p1" }, &no, at);
                let payee = if i % 1_000 == 1 {
                    "OldTime王"
                } else if i % 250 == 0 {
                    "欧阳娜娜"
                } else if i % 100 == 0 {
                    "司马懿"
                } else if i % 7 == 0 {
                    "李四"
                } else {
                    "张三"
                };
                o.fields.insert("payee_name".into(), payee.into());
                o.fields.insert(
                    "account_no".into(),
                    format!("62220202{:011}", (i * 7_919_113) % 100_000_000_000),
                );
                if i % 5 == 0 {
                    o.status = OrderStatus::Succeeded;
                }
                o
            })
            .collect()
    }

    pub(crate) const CASES: &[(&str, Option<&str>, Option<OrderStatus>, u32)] = &[
        // Many matches bunched in the past, with and without row filters.
        ("old", None, None, 50),
        ("OLD", Some("B"), Some(OrderStatus::Succeeded), 50),
        ("oldTime", None, None, 50),
        ("OLDTIME0", Some("B"), Some(OrderStatus::Succeeded), 50),
        ("OLDTIME0", Some("A"), None, 50),
        ("oldt0", Some("B"), Some(OrderStatus::Succeeded), 50),
        ("OLDT0", None, None, 600),
        // A wildcard is a literal character.
        ("OLDTIM_", None, None, 50),
        ("%", None, None, 50),
        // The start of numbers: a head exactly, longer than the head (nine
        // characters), in any case; and the same one character in, where
        // the X-numbers hold it.
        ("OLDTIME00", None, None, 50),
        ("oldtime0001", None, None, 50),
        ("OldT0070", None, None, 50),
        ("OLDT00700", Some("A"), None, 50),
        ("LDTIME0", None, None, 50),
        ("XOLDT", None, None, 50),
        ("xoldtime00007", None, None, 50),
        // Any part of a number: a suffix, the middle, one order.
        ("00012", None, None, 50),
        ("ime0001", None, None, 50),
        ("TIME00012", None, None, 50),
        ("w0", None, None, 50),
        ("new0", None, None, 50),
        // Names: a surname, a whole two-character name, a given name, an
        // inner pair of a four-character name, a name that looks like a number.
        ("李", None, None, 50),
        ("李", Some("A"), Some(OrderStatus::Succeeded), 50),
        ("李四", None, None, 50),
        ("司马", None, None, 50),
        ("马懿", None, None, 50),
        ("司马懿", Some("B"), None, 50),
        ("阳娜", None, None, 50),
        ("娜娜", None, None, 50),
        ("张", Some("B"), None, 50),
        ("ime王", None, None, 50),
        // Account numbers: a frequent part, a rare one, the whole of one.
        ("0202", None, None, 50),
        ("79113", None, None, 50),
        ("6222020200079113", None, None, 50),
        ("nothing", None, None, 50),
        ("无此人", None, None, 50),
    ];

    /// FTS5's own check of the index against its rows (through the view):
    /// every row indexed with the text it holds now, and nothing else,
    /// once the rows batches listed are indexed (migration 0015).
    pub(crate) async fn assert_index_whole(s: &Store) {
        s.catch_up_search_index().await.unwrap();
        sqlx::query("INSERT INTO order_search (order_search, rank) VALUES ('integrity-check', 1)")
            .execute(s.pool())
            .await
            .expect("the trigram index matches the orders");
        let deferred: i64 = sqlx::query_scalar("SELECT deferred FROM order_search_state")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(deferred, 0, "the triggers are on outside a batch");
    }

    #[tokio::test]
    async fn search_pages_match_a_brute_force_filter() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        let rows = history(14_000, false);
        for chunk in rows.chunks(1_000) {
            s.insert_orders_batch(chunk).await.unwrap();
        }
        let ordered: bool = sqlx::query_scalar("SELECT time_ordered FROM order_search_state")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert!(ordered, "ids grow with time here");
        assert_index_whole(&s).await;
        assert!(check_searches(&s, CASES).await > 10_000);
    }

    /// An order written with an older time than the newest one clears the
    /// time order; every search then sorts its matches by time, and still
    /// finds exactly the brute-force matches in history order.
    #[tokio::test]
    async fn search_is_exact_when_ids_do_not_follow_time() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        let rows = history(8_000, true);
        for chunk in rows.chunks(500) {
            s.insert_orders_batch(chunk).await.unwrap();
        }
        let ordered: bool = sqlx::query_scalar("SELECT time_ordered FROM order_search_state")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert!(!ordered, "an older time after a newer one clears it");
        assert_index_whole(&s).await;
        assert!(check_searches(&s, CASES).await > 5_000);
    }

    /// A batch indexes its rows in one statement with the per-row triggers
    /// off (migration 0014); afterwards, and after a batch refused whole,
    /// the triggers are on again: single creates, updates and deletes keep
    /// the index exact. The time order is checked as the trigger checks it:
    /// a batch in order keeps it, one row older than the newest clears it.
    #[tokio::test]
    async fn a_batch_indexes_its_rows_and_turns_the_triggers_back_on() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let ordered = || async {
            sqlx::query_scalar::<_, bool>("SELECT time_ordered FROM order_search_state")
                .fetch_one(s.pool())
                .await
                .unwrap()
        };
        let ids = |t: &'static str| found_ids(&s, t, None);
        let batch: Vec<NewOrder> = (0..1_200)
            .map(|i| new_order("p1", &format!("PDP2410{i:05}K9"), 1_000 + i))
            .collect();
        let first = s.insert_orders_batch(&batch).await.unwrap();
        assert!(ordered().await);
        assert_index_whole(&s).await;
        assert_eq!(ids("PDP241000007").await, vec![first[7]]);
        let holding = batch.iter().filter(|o| o.order_no.contains("0011")).count();
        assert_eq!(ids("0011").await.len(), holding);

        // Refused whole (a number taken): nothing written, triggers on.
        let mut taken = vec![new_order("p1", "PDD24111500001", 5_000)];
        taken.push(batch[3].clone());
        assert!(s.insert_orders_batch(&taken).await.is_err());
        assert!(ids("PDD2411").await.is_empty());
        assert_index_whole(&s).await;

        // A single create after a batch goes through the trigger.
        let one = s
            .insert_order(&new_order("p1", "PDD24111500001", 5_000))
            .await
            .unwrap();
        assert_eq!(ids("pdd241115").await, vec![one]);
        assert!(ordered().await);
        sqlx::query("UPDATE orders SET order_no = 'PDD24111600001' WHERE id = ?")
            .bind(one)
            .execute(s.pool())
            .await
            .unwrap();
        assert!(ids("pdd241115").await.is_empty());
        assert_eq!(ids("PDD2411160").await, vec![one]);
        assert_index_whole(&s).await;

        // In order within the batch, but its second row is older than the
        // newest stored: cleared, as row by row.
        let late = vec![
            new_order("p1", "LATE1", 6_000),
            new_order("p1", "LATE2", 4_000),
            new_order("p1", "LATE3", 6_001),
        ];
        s.insert_orders_batch(&late).await.unwrap();
        assert!(!ordered().await);
        assert_index_whole(&s).await;
        assert_eq!(ids("late").await.len(), 3);
    }

    /// The head's characters as the view maps them (SQL) are the ones the
    /// query maps (`head_char`): ASCII in upper case moved into the Private
    /// Use Area, anything else as it is; numbers shorter than the head.
    #[tokio::test]
    async fn the_view_maps_a_head_as_the_query_does() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        for no in ["pdp241015000", "P", "ab", "Ｐ张3-x_y0123456", "MY-ORDER-77"] {
            let id = s.insert_order(&new_order("p1", no, 1_000)).await.unwrap();
            let (head, rest): (String, String) =
                sqlx::query_as("SELECT order_head, order_no FROM order_search_rows WHERE id = ?")
                    .bind(id)
                    .fetch_one(s.pool())
                    .await
                    .unwrap();
            let want: String = no.chars().take(HEAD).map(head_char).collect();
            assert_eq!(head, want, "{no}");
            assert_eq!(rest, no.chars().skip(1).collect::<String>(), "{no}");
        }
        assert_index_whole(&s).await;
    }

    /// The trigram index follows every write: a changed payee is found by
    /// its new name and no longer by its old one; a deleted row is gone.
    #[tokio::test]
    async fn the_index_follows_updates_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let mut o = new_order("p1", "PDP24101500000001W912K9GV", 1_000);
        o.fields
            .insert("account_no".into(), "6222020212345678901".into());
        let id = s.insert_order(&o).await.unwrap();
        let search = |t: &str| {
            let s = s.clone();
            let t = t.to_string();
            async move {
                s.list_orders(&OrderFilter {
                    search: Some(t),
                    ..Default::default()
                })
                .await
                .unwrap()
                .orders
                .iter()
                .map(|o| o.id)
                .collect::<Vec<_>>()
            }
        };
        for t in ["W912K9GV", "w912k9", "2K9", "张三", "张", "345678", "PD"] {
            assert_eq!(search(t).await, vec![id], "{t}");
        }
        // One character is a prefix only.
        assert!(search("三").await.is_empty());
        sqlx::query("UPDATE orders SET payee_name = '王小明' WHERE id = ?")
            .bind(id)
            .execute(s.pool())
            .await
            .unwrap();
        assert_eq!(search("小明").await, vec![id]);
        assert_eq!(search("王小明").await, vec![id]);
        assert!(search("张三").await.is_empty());
        assert_eq!(
            search("W912K9GV").await,
            vec![id],
            "the number is still indexed"
        );
        sqlx::query("DELETE FROM order_events WHERE order_id = ?")
            .bind(id)
            .execute(s.pool())
            .await
            .unwrap();
        sqlx::query("DELETE FROM orders WHERE id = ?")
            .bind(id)
            .execute(s.pool())
            .await
            .unwrap();
        let left: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM order_search WHERE order_search MATCH '\"912\"'",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        assert_eq!(left, 0);
    }

    /// A new database in `dir` with the migrations up to `version` only.
    pub(crate) async fn database_at(dir: &std::path::Path, version: i64) -> sqlx::SqlitePool {
        use sqlx::sqlite::SqliteConnectOptions;
        use std::str::FromStr;
        let path = dir.join("paydesk.db");
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .unwrap()
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
        let mut m = sqlx::migrate!("./migrations");
        m.migrations = m
            .migrations
            .iter()
            .filter(|x| x.version <= version)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        m.run(&pool).await.unwrap();
        pool
    }

    /// `database_at` with profile `p1` ("A"), for orders written by hand.
    async fn database_with_profile(dir: &std::path::Path, version: i64) -> sqlx::SqlitePool {
        let pool = database_at(dir, version).await;
        sqlx::query("INSERT INTO profiles (id, name, provider, base_url, created_at, updated_at) VALUES ('p1', 'A', 'jstpay', 'http://127.0.0.1:1', 1, 1)")
            .execute(&pool)
            .await
            .unwrap();
        pool
    }

    /// Migration 0012 on a database written before it (schema v2 with
    /// orders, ids not in time order): the index is built for every existing
    /// row, the time order is read from the rows, the bucket index is gone,
    /// and new writes are indexed too.
    #[tokio::test]
    async fn migration_0012_indexes_an_existing_history() {
        let dir = tempfile::tempdir().unwrap();
        {
            let pool = database_with_profile(dir.path(), 11).await;
            for (id, no, payee, acct, at) in [
                (
                    1,
                    "PDP241115093000123W912K9GV",
                    Some("司马懿"),
                    Some("6222020212345678901"),
                    1_000,
                ),
                (2, "MY-ORDER-77", Some("李四"), None, 3_000),
                (3, "PDD241116000000001ABCDEFGH", None, None, 2_000),
            ] {
                sqlx::query("INSERT INTO orders (id, profile_pk, order_no, kind, amount_fen, payee_name, account_no, status, created_at, updated_at) VALUES (?, 1, ?, 'payout', 100, ?, ?, 'succeeded', ?, ?)")
                    .bind(id).bind(no).bind(payee).bind(acct).bind(at).bind(at)
                    .execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        let s = Store::open(dir.path()).await.unwrap();
        let ids = |t: &str| {
            let s = s.clone();
            let t = t.to_string();
            async move {
                let page = s
                    .list_orders(&OrderFilter {
                        search: Some(t),
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                page.orders.iter().map(|o| o.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(ids("w912k9gv").await, vec![1]);
        assert_eq!(ids("1115093").await, vec![1]);
        assert_eq!(ids("5678").await, vec![1]);
        assert_eq!(ids("马懿").await, vec![1]);
        assert_eq!(ids("李四").await, vec![2]);
        assert_eq!(ids("ORDER-7").await, vec![2]);
        assert_eq!(ids("PD").await, vec![3, 1], "newest first");
        let ordered: bool = sqlx::query_scalar("SELECT time_ordered FROM order_search_state")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert!(!ordered, "order 2 is newer than order 3");
        let bucket: Option<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE name = 'orders_order_no_bucket'",
        )
        .fetch_optional(s.pool())
        .await
        .unwrap();
        assert_eq!(bucket, None);
        let mut o = new_order("p1", "NEW-ORDER-1", 4_000);
        o.fields.insert("payee_name".into(), "欧阳娜娜".into());
        let id = s.insert_order(&o).await.unwrap();
        assert_eq!(ids("阳娜").await, vec![id]);
        assert_eq!(ids("order-").await, vec![id, 2]);
    }

    /// Migration 0014 on a database indexed by 0012 (orders written at
    /// version 13, ids in time order): the index is built again with the
    /// numbers' heads, every row is found by any part as before and by the
    /// start of its number, the time order is kept, and the triggers are on.
    #[tokio::test]
    async fn migration_0014_reindexes_an_existing_history() {
        let dir = tempfile::tempdir().unwrap();
        {
            let pool = database_with_profile(dir.path(), 13).await;
            for (id, no, payee, acct, at) in [
                (
                    1,
                    "PDP241015093000123W912K9GV",
                    Some("司马懿"),
                    Some("6222020212345678901"),
                    1_000,
                ),
                (2, "PDD241115000000001ABCDEFGH", None, None, 2_000),
                (3, "my-order-77", Some("李四"), None, 3_000),
                (4, "XPDP2410", Some("PDP2410王"), None, 4_000),
            ] {
                sqlx::query("INSERT INTO orders (id, profile_pk, order_no, kind, amount_fen, payee_name, account_no, status, created_at, updated_at) VALUES (?, 1, ?, 'payout', 100, ?, ?, 'succeeded', ?, ?)")
                    .bind(id).bind(no).bind(payee).bind(acct).bind(at).bind(at)
                    .execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        let s = Store::open(dir.path()).await.unwrap();
        assert_index_whole(&s).await;
        let ids = |t: &'static str| found_ids(&s, t, None);
        assert_eq!(
            ids("PDP2410").await,
            vec![4, 1],
            "a start, inside a number, in a name"
        );
        assert_eq!(ids("pdd241115").await, vec![2]);
        assert_eq!(ids("PDP24101509300").await, vec![1]);
        assert_eq!(ids("w912k9gv").await, vec![1]);
        assert_eq!(ids("DP2410").await, vec![4, 1]);
        assert_eq!(ids("MY-ORD").await, vec![3]);
        assert_eq!(ids("5678").await, vec![1]);
        assert_eq!(ids("马懿").await, vec![1]);
        let ordered: bool = sqlx::query_scalar("SELECT time_ordered FROM order_search_state")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert!(ordered);
        let id = s
            .insert_order(&new_order("p1", "PDP24101600000", 5_000))
            .await
            .unwrap();
        assert_eq!(ids("pdp2410").await, vec![id, 4, 1]);
        assert_index_whole(&s).await;
    }

    /// Migration 0016 on a database written before it (at version 14, ids
    /// in time order, numbers short and long, in either case): every head
    /// of the stored numbers is summarised with its ids, so the starts are
    /// found by the heads' ranges, and new writes add theirs.
    #[tokio::test]
    async fn migration_0016_summarises_the_existing_heads() {
        let dir = tempfile::tempdir().unwrap();
        {
            let pool = database_with_profile(dir.path(), 14).await;
            for (id, no, payee, at) in [
                (1, "PDP241015093000123W912K9GV", None, 1_000),
                (2, "pdd241115000000001ABCDEFGH", None, 2_000),
                (3, "PDP241016000000001ZZZZZZZZ", None, 3_000),
                (4, "XPDP2410", Some("PDP2410王"), 4_000),
                (5, "AB", None, 5_000),
            ] {
                sqlx::query("INSERT INTO orders (id, profile_pk, order_no, kind, amount_fen, payee_name, status, created_at, updated_at) VALUES (?, 1, ?, 'payout', 100, ?, 'succeeded', ?, ?)")
                    .bind(id).bind(no).bind(payee).bind(at).bind(at)
                    .execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        let s = Store::open(dir.path()).await.unwrap();
        let heads: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT head, lo, hi FROM order_heads ORDER BY head")
                .fetch_all(s.pool())
                .await
                .unwrap();
        let want = [
            ("AB", 5, 5),
            ("PDD241115", 2, 2),
            ("PDP241015", 1, 1),
            ("PDP241016", 3, 3),
            ("XPDP2410", 4, 4),
        ];
        assert_eq!(
            heads,
            want.map(|(h, lo, hi)| (h.to_string(), lo, hi)).to_vec()
        );
        assert_eq!(found_ids(&s, "pdp2410", Some(1)).await, vec![4, 3, 1]);
        assert_eq!(found_ids(&s, "PDD241115000", Some(1)).await, vec![2]);
        let id = s
            .insert_order(&new_order("p1", "PDP24101700000", 6_000))
            .await
            .unwrap();
        assert_eq!(found_ids(&s, "PDP24101", Some(1)).await, vec![id, 3, 1]);
    }

    /// `plan_starts` reads each run of ids by the row id, newest first, and
    /// merges it with the trigram index's rows without a sort: a page stops
    /// reading once it is full.
    #[tokio::test]
    async fn the_starts_plan_reads_its_ranges_newest_first_without_a_sort() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let f = OrderFilter {
            search: Some("PDP2410".into()),
            after: Some((5_000, 77)),
            ..Default::default()
        };
        let c = s.conditions(&f).await.unwrap();
        let mut binds = Vec::new();
        let sub = starts_query(&c, "PDP2410", "PDP2410%", &[(50, 60), (1, 20)], &mut binds);
        let eqp = format!("EXPLAIN QUERY PLAN {}", streamed(&sub, &c.cond));
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&eqp);
        for a in binds.iter().chain(&c.args) {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        let plan: Vec<String> = q
            .bind(51)
            .fetch_all(s.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.3)
            .collect();
        let plan = plan.join("\n");
        assert_eq!(
            plan.matches("SEARCH orders USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")
                .count(),
            2,
            "{plan}"
        );
        assert!(plan.contains("MERGE (UNION)"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    pub(crate) fn small_history() -> impl Strategy<Value = Vec<(String, String, String)>> {
        // Few letters, so terms often hit: numbers, payees (CJK, up to six
        // characters) and account numbers.
        proptest::collection::vec(
            ("[A-Cab0-2]{4,12}", "[张王李三四_]{1,6}", "[0-3]{0,8}"),
            1..120,
        )
    }

    /// One case of `search_equals_a_like_scan` on an empty store of either
    /// engine: the rows written, then each term (the made-up one and those
    /// the picks cut out of the rows: row, column, start, length) searched
    /// against the brute-force filter.
    pub(crate) async fn like_scan_case(
        s: &Store,
        rows: &[(String, String, String)],
        picks: &[(usize, usize, usize, usize)],
        made_up: &str,
    ) {
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let mut seen = std::collections::HashSet::new();
        let orders: Vec<NewOrder> = rows
            .iter()
            .enumerate()
            .filter(|(_, (no, _, _))| seen.insert(no.clone()))
            .map(|(i, (no, payee, acct))| {
                let mut o = new_order("p1", no, 1_000 + i as i64);
                o.fields.insert("payee_name".into(), payee.clone());
                if !acct.is_empty() {
                    o.fields.insert("account_no".into(), acct.clone());
                }
                o
            })
            .collect();
        s.insert_orders_batch(&orders).await.unwrap();
        let mut terms: Vec<String> = vec![made_up.to_string()];
        for (row, col, start, len) in picks {
            let o = &orders[row % orders.len()];
            let v: Vec<char> = match col {
                0 => o.order_no.chars().collect(),
                1 => o.fields["payee_name"].chars().collect(),
                _ => o
                    .fields
                    .get("account_no")
                    .cloned()
                    .unwrap_or_default()
                    .chars()
                    .collect(),
            };
            if v.is_empty() {
                continue;
            }
            let a = start % v.len();
            let b = (a + len).min(v.len());
            terms.push(v[a..b].iter().collect());
        }
        let cases: Vec<(&str, Option<&str>, Option<OrderStatus>, u32)> =
            terms.iter().map(|t| (t.as_str(), None, None, 7)).collect();
        check_searches(s, &cases).await;
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// No false negatives (nor positives) against a LIKE scan of the
        /// same rows, for terms cut out of the rows and for made-up ones.
        #[test]
        fn search_equals_a_like_scan(
            rows in small_history(),
            picks in proptest::collection::vec((0usize..1_000, 0usize..3, 0usize..12, 1usize..8), 6),
            made_up in "[A-Cab0-3张王李三四%_]{1,5}",
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let s = Store::open(dir.path()).await.unwrap();
                like_scan_case(&s, &rows, &picks, &made_up).await;
            });
        }
    }
}
