//! The trigram index behind the batched writes (migration 0015). A batch
//! of new orders lists its rows in `order_search_pending` in its own
//! transaction (one statement), and `Indexer` indexes them in chunks once
//! the writes pause, and at open for rows a process left listed when it
//! ended. Searches unite the index's matches with the listed rows
//! (store/search.rs), so they are exact at every moment. Single creates,
//! updates and deletes keep the index in step through the triggers.

use super::search::HEAD;
use super::SqliteStore;
use crate::error::CoreResult;
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Notify};

/// A batch of new orders lists its rows for the index (migration 0015)
/// instead of indexing them in its transaction: one set-based statement
/// instead of a trigger body per row, and the trigram index's cost moves
/// behind the write (`Indexer`). What `defer_index_in` saw before the
/// batch's first insert.
pub(super) struct Deferred {
    /// False when the state row is missing: the triggers indexed every row.
    on: bool,
    /// The newest time and the highest id before the batch (the time order
    /// is checked as the per-row trigger checks it).
    max_at: Option<i64>,
    max_id: Option<i64>,
}

/// Turn the per-row index triggers off for the rest of the caller's
/// transaction (the batch's first write). `index_rows_in` turns them back
/// on before the transaction commits; a rollback undoes both.
async fn defer_index_in(conn: &mut SqliteConnection) -> Result<Deferred, sqlx::Error> {
    let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
        "UPDATE order_search_state SET deferred = 1 RETURNING (SELECT max(created_at) FROM orders), (SELECT max(id) FROM orders)",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some((max_at, max_id)) => Deferred {
            on: true,
            max_at,
            max_id,
        },
        None => Deferred {
            on: false,
            max_at: None,
            max_id: None,
        },
    })
}

/// List the batch's new rows, `(id, created_at, order_no)` in the order
/// they were inserted, for the index (`order_search_pending`) in one statement;
/// clear the time order when a row came with an older time or a lower id
/// than one before it (the trigger's test, row by row); turn the triggers
/// back on.
async fn index_rows_in(
    conn: &mut SqliteConnection,
    d: Deferred,
    rows: &[(i64, i64, &str)],
) -> Result<(), sqlx::Error> {
    if !d.on {
        return Ok(());
    }
    let (mut max_at, mut max_id) = (d.max_at, d.max_id);
    let mut in_order = true;
    for &(id, at, _) in rows {
        if max_at.is_some_and(|m| at < m) || max_id.is_some_and(|m| id < m) {
            in_order = false;
        }
        max_at = Some(max_at.map_or(at, |m| m.max(at)));
        max_id = Some(max_id.map_or(id, |m| m.max(id)));
    }
    let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if let (Some(&lo), Some(&hi)) = (ids.first(), ids.last()) {
        if hi - lo + 1 == ids.len() as i64 {
            // The batch's ids are one run (SQLite gives max + 1): every row
            // between them is the batch's.
            sqlx::query("INSERT INTO order_search_pending (id) SELECT id FROM orders WHERE id BETWEEN ? AND ?")
                .bind(lo)
                .bind(hi)
                .execute(&mut *conn)
                .await?;
        } else {
            let list = serde_json::to_string(&ids).unwrap_or_default();
            sqlx::query("INSERT INTO order_search_pending (id) SELECT value FROM json_each(?)")
                .bind(list)
                .execute(&mut *conn)
                .await?;
        }
    }
    add_heads_in(conn, rows).await?;
    sqlx::query(if in_order {
        "UPDATE order_search_state SET deferred = 0"
    } else {
        "UPDATE order_search_state SET deferred = 0, time_ordered = 0"
    })
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Add the heads of the batch's rows to `order_heads` (migration 0016), as
/// the per-row trigger would: gathered here from the numbers the batch
/// holds (a batch has a head or two), then one upsert. Reading the rows back
/// and grouping them in SQL cost about 5,000 instructions an order.
async fn add_heads_in(
    conn: &mut SqliteConnection,
    rows: &[(i64, i64, &str)],
) -> Result<(), sqlx::Error> {
    let mut heads: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for &(id, _, no) in rows {
        // SQLite's upper() is ASCII only, as here.
        let head: String = no
            .chars()
            .take(HEAD)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let r = heads.entry(head).or_insert((id, id));
        *r = (r.0.min(id), r.1.max(id));
    }
    if heads.is_empty() {
        return Ok(());
    }
    let list: Vec<(String, i64, i64)> =
        heads.into_iter().map(|(h, (lo, hi))| (h, lo, hi)).collect();
    sqlx::query(
        "INSERT INTO order_heads (head, lo, hi) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true \
         ON CONFLICT (head) DO UPDATE SET lo = min(lo, excluded.lo), hi = max(hi, excluded.hi)",
    )
    .bind(serde_json::to_string(&list).unwrap_or_default())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rows indexed in one transaction by `Indexer`: large enough that FTS5
/// writes few, large segments, small enough that a single create waiting
/// behind it waits a fraction of a second.
pub(super) const INDEX_CHUNK: i64 = 5_000;

/// The chunk's rows into the index, their text read through the view.
/// CROSS JOIN: the list drives; otherwise SQLite walks every order below
/// the chunk's highest id (the bound passes through the join) to probe the
/// list (bind: `INDEX_CHUNK`).
const INDEX_CHUNK_SQL: &str = "INSERT INTO order_search (rowid, order_no, payee_name, account_no, order_head) \
     SELECT v.id, v.order_no, v.payee_name, v.account_no, v.order_head \
     FROM order_search_pending p CROSS JOIN order_search_rows v ON v.id = p.id \
     WHERE p.id <= (SELECT max(id) FROM (SELECT id FROM order_search_pending ORDER BY id LIMIT ?1))";

/// Index the listed rows with the lowest ids, at most `INDEX_CHUNK`, in
/// one transaction under the store's writer lock: their text as it is now
/// (an update or delete of a listed row left the index alone). Returns
/// how many were indexed (0: the list is empty).
async fn index_pending_chunk(
    pool: &SqlitePool,
    writer: &Mutex<()>,
    sized: &AtomicBool,
) -> Result<u64, sqlx::Error> {
    let _writing = writer.lock().await;
    let mut tx = pool.begin().await?;
    // The index first: the transaction starts with a write, never as a
    // read that must be upgraded (another process may write meanwhile).
    sqlx::query(INDEX_CHUNK_SQL)
        .bind(INDEX_CHUNK)
        .execute(&mut *tx)
        .await?;
    let done = sqlx::query(
        "DELETE FROM order_search_pending WHERE id <= (SELECT max(id) FROM (SELECT id FROM order_search_pending ORDER BY id LIMIT ?1))",
    )
    .bind(INDEX_CHUNK)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let sizing = done > 0 && !sized.load(Ordering::Acquire);
    if sizing {
        // FTS5 writes its in-memory terms out as a segment whenever they
        // pass `hashsize` (1 MiB by default: about a thousand orders), and
        // each segment is merged again later; a chunk's terms in memory
        // until its commit make one segment of it (callgrind: about 15% of
        // a chunk's instructions). Kept in the index's own configuration;
        // written again by each process that indexes a chunk.
        sqlx::query("INSERT INTO order_search (order_search, rank) VALUES ('hashsize', ?1)")
            .bind(INDEX_HASH_BYTES)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if sizing {
        sized.store(true, Ordering::Release);
    }
    Ok(done)
}

/// FTS5's in-memory terms for one chunk of `INDEX_CHUNK` orders (about
/// 40 postings an order) with room to spare.
const INDEX_HASH_BYTES: i64 = 16 << 20;

/// The listed rows are indexed once no batch has been written for this
/// long: a run of batches (an import) is not slowed by the index, and the
/// index catches up as soon as it ends.
const QUIET: Duration = Duration::from_millis(250);

/// The store's background indexer: one task per open store, ended when the
/// last clone of the store goes.
#[derive(Debug)]
pub(super) struct Indexer {
    wake: Arc<Notify>,
    /// Batches written (the task waits until this stops moving).
    batches: Arc<AtomicU64>,
    /// FTS5's `hashsize` written (`index_pending_chunk`).
    sized: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
    #[cfg(test)]
    held: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Indexer {
    /// Start the task; it first indexes what an earlier process left
    /// listed.
    pub(super) fn start(pool: SqlitePool, writer: Arc<Mutex<()>>) -> Indexer {
        let wake = Arc::new(Notify::new());
        let batches = Arc::new(AtomicU64::new(0));
        let sized = Arc::new(AtomicBool::new(false));
        #[cfg(test)]
        let held = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let task = {
            let (wake, batches, sized) = (wake.clone(), batches.clone(), sized.clone());
            #[cfg(test)]
            let held = held.clone();
            tokio::spawn(async move {
                'wait: loop {
                    // Wait for the writes to pause.
                    loop {
                        let seen = batches.load(Ordering::Acquire);
                        tokio::time::sleep(QUIET).await;
                        #[cfg(test)]
                        if held.load(Ordering::Acquire) {
                            continue;
                        }
                        if batches.load(Ordering::Acquire) == seen {
                            break;
                        }
                    }
                    // Chunk by chunk until the list is empty; a new batch
                    // meanwhile goes first, and the rest waits for the
                    // next pause.
                    let seen = batches.load(Ordering::Acquire);
                    loop {
                        match index_pending_chunk(&pool, &writer, &sized).await {
                            Ok(0) => break,
                            Ok(_) if batches.load(Ordering::Acquire) != seen => continue 'wait,
                            Ok(_) => {}
                            Err(e) => {
                                // The rows stay listed: searches stay exact,
                                // and the next wake (or open) tries again.
                                tracing::warn!(error = %e, "search index not caught up");
                                break;
                            }
                        }
                    }
                    wake.notified().await;
                }
            })
        };
        Indexer {
            wake,
            batches,
            sized,
            task,
            #[cfg(test)]
            held,
        }
    }

    /// A batch starts, or listed rows: index them once the writes pause.
    pub(super) fn batch_written(&self) {
        self.batches.fetch_add(1, Ordering::AcqRel);
        self.wake.notify_one();
    }
}

impl SqliteStore {
    /// The batch insert's hooks (store/orders.rs, written once for both
    /// engines): per-row index triggers off, then the rows listed at once.
    pub(super) async fn defer_index_in(conn: &mut SqliteConnection) -> CoreResult<Deferred> {
        Ok(defer_index_in(conn).await?)
    }

    pub(super) async fn index_rows_in(
        conn: &mut SqliteConnection,
        d: Deferred,
        rows: &[(i64, i64, &str)],
    ) -> CoreResult<()> {
        Ok(index_rows_in(conn, d, rows).await?)
    }

    /// At a batch's start and after its commit: its rows are indexed when
    /// the writes pause (a batch longer than `QUIET` is no pause).
    pub(super) fn index_later(&self) {
        self.indexer.batch_written();
    }

    /// Index every listed row now (rather than when the writes pause);
    /// returns how many. For a caller that must see the index caught up:
    /// the benchmark's "until indexed" rate, tests.
    pub async fn catch_up_search_index(&self) -> CoreResult<u64> {
        let mut n = 0;
        loop {
            match index_pending_chunk(&self.pool, &self.writer, &self.indexer.sized).await? {
                0 => return Ok(n),
                k => n += k,
            }
        }
    }
}

#[cfg(test)]
impl super::Store {
    /// Keep the task from indexing (true) so a search meets listed rows, or
    /// let it go on (false). SQLite only.
    pub(crate) fn hold_search_index(&self, hold: bool) {
        let super::Engine::Sqlite(s) = &self.engine else {
            panic!("SQLite only")
        };
        s.indexer.held.store(hold, Ordering::Release);
        if !hold {
            s.indexer.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::search::tests::{
        assert_index_whole, check_searches, database_at, found_ids, history, CASES,
    };
    use crate::store::test_support::{new_order, profile};
    use crate::store::Store;
    use std::time::{Duration, Instant};

    async fn listed(s: &Store) -> i64 {
        s.test_i64("SELECT count(*) FROM order_search_pending")
            .await
    }

    /// Rows of the index itself holding every trigram of the number
    /// without its first character (as the index holds a number).
    async fn indexed(s: &Store, no: &str) -> i64 {
        let c: Vec<char> = no.chars().skip(1).collect();
        let all: Vec<String> = c
            .windows(3)
            .map(|w| format!("\"{}\"", w.iter().collect::<String>()))
            .collect();
        let q = format!(
            "SELECT count(*) FROM order_search WHERE order_search MATCH '{}'",
            all.join(" AND ")
        );
        s.test_i64(&q).await
    }

    /// Wait (at most 20 s) for the store's own task to index every listed
    /// row, without asking it to.
    async fn until_indexed(s: &Store) {
        let t = Instant::now();
        while listed(s).await > 0 {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "the listed rows were never indexed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn store_with_profiles(dir: &std::path::Path) -> Store {
        let s = Store::open(dir).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_profile(&profile("p2", "B")).await.unwrap();
        s
    }

    /// Between a batch's commit and its indexing, a search finds exactly
    /// what it finds afterwards: the brute-force matches, with part of the
    /// history indexed and the newest batches only listed; then the store
    /// indexes them itself once the writes pause.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_search_between_a_batch_and_its_indexing_is_exact() {
        let dir = tempfile::tempdir().unwrap();
        let s = store_with_profiles(dir.path()).await;
        let rows = history(9_000, false);
        for chunk in rows[..5_000].chunks(1_000) {
            s.insert_orders_batch(chunk).await.unwrap();
        }
        // The task may have begun between the batches: either way, none
        // is left listed.
        s.catch_up_search_index().await.unwrap();
        assert_eq!(listed(&s).await, 0);
        s.hold_search_index(true);
        for chunk in rows[5_000..].chunks(1_000) {
            s.insert_orders_batch(chunk).await.unwrap();
        }
        assert_eq!(listed(&s).await, 4_000);
        assert_eq!(
            indexed(&s, &rows[8_999].order_no).await,
            0,
            "listed, not indexed"
        );
        assert!(indexed(&s, &rows[10].order_no).await >= 1);
        assert!(check_searches(&s, CASES).await > 5_000);

        s.hold_search_index(false);
        until_indexed(&s).await;
        assert!(indexed(&s, &rows[8_999].order_no).await >= 1);
        assert_eq!(
            s.test_i64("SELECT v FROM order_search_config WHERE k = 'hashsize'")
                .await,
            super::INDEX_HASH_BYTES,
            "a chunk's terms stay in memory until its commit"
        );
        assert_index_whole(&s).await;
        assert!(check_searches(&s, CASES).await > 5_000);
    }

    /// A listed row that is updated or deleted before it is indexed: the
    /// index is not touched for it (FTS5 would be left inconsistent), the
    /// search finds it by its new text at once, and its indexing takes the
    /// text it has then; a deleted one is never indexed.
    #[tokio::test]
    async fn an_update_or_delete_of_a_listed_row_leaves_the_index_alone() {
        let dir = tempfile::tempdir().unwrap();
        let s = store_with_profiles(dir.path()).await;
        s.hold_search_index(true);
        let batch: Vec<_> = (0..20)
            .map(|i| {
                let mut o = new_order("p1", &format!("PDP2410150000{i:02}W912"), 1_000 + i);
                o.fields.insert("payee_name".into(), "张国平".into());
                o
            })
            .collect();
        let ids = s.insert_orders_batch(&batch).await.unwrap();
        assert_eq!(found_ids(&s, "国平", None).await.len(), 20);
        s.test_execute(&format!(
            "UPDATE orders SET payee_name = '欧阳娜娜', order_no = 'RENAMED-77' WHERE id = {}",
            ids[3]
        ))
        .await
        .unwrap();
        s.test_execute(&format!(
            "DELETE FROM order_events WHERE order_id = {}",
            ids[5]
        ))
        .await
        .unwrap();
        s.test_execute(&format!("DELETE FROM orders WHERE id = {}", ids[5]))
            .await
            .unwrap();
        assert_eq!(listed(&s).await, 19, "the deleted row left the list");
        assert_eq!(found_ids(&s, "阳娜", None).await, vec![ids[3]]);
        assert_eq!(found_ids(&s, "named-7", None).await, vec![ids[3]]);
        assert_eq!(found_ids(&s, "国平", None).await.len(), 18);
        assert_eq!(found_ids(&s, "W912", None).await.len(), 18);

        s.hold_search_index(false);
        until_indexed(&s).await;
        assert_index_whole(&s).await;
        assert_eq!(found_ids(&s, "阳娜", None).await, vec![ids[3]]);
        assert_eq!(found_ids(&s, "named-7", None).await, vec![ids[3]]);
        assert_eq!(found_ids(&s, "国平", None).await.len(), 18);
        assert_eq!(found_ids(&s, "W912", None).await.len(), 18);
    }

    /// A process that ends before its batches are indexed leaves them
    /// listed in the file: searches are exact after reopening, and the
    /// store indexes them by itself soon after it opens.
    #[tokio::test]
    async fn rows_listed_when_a_process_ended_are_indexed_after_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let rows = history(3_000, false);
        {
            let s = store_with_profiles(dir.path()).await;
            s.hold_search_index(true);
            for chunk in rows.chunks(1_000) {
                s.insert_orders_batch(chunk).await.unwrap();
            }
            assert_eq!(listed(&s).await, 3_000);
            s.pool().close().await;
        }
        let s = Store::open(dir.path()).await.unwrap();
        until_indexed(&s).await;
        assert_index_whole(&s).await;
        assert!(check_searches(&s, CASES).await > 2_000);
    }

    /// The listed rows drive every statement that reads them (the list
    /// is small or empty, the history large): indexing a chunk and both
    /// search parts read the list, then each order by its id, and never
    /// walk the orders table.
    #[tokio::test]
    async fn the_listed_rows_are_read_first_never_the_whole_history() {
        let dir = tempfile::tempdir().unwrap();
        let s = store_with_profiles(dir.path()).await;
        s.hold_search_index(true);
        let rows = history(2_000, false);
        s.insert_orders_batch(&rows[..1_000]).await.unwrap();
        s.test_execute("ANALYZE").await.unwrap();
        for (what, plan) in plans_of_listed_reads(&s).await {
            for line in &plan {
                // "SEARCH orders USING INTEGER PRIMARY KEY (rowid=?)": one
                // order by its id; a scan or a range would walk them.
                let table = line.split_whitespace().nth(1).unwrap_or("");
                if ["orders", "o", "v"].contains(&table) {
                    assert!(
                        line.contains("(rowid=?)"),
                        "{what} walks the orders: {plan:?}"
                    );
                }
            }
        }
    }

    async fn plans_of_listed_reads(s: &Store) -> Vec<(&'static str, Vec<String>)> {
        let crate::store::Pool::Sqlite(pool) = s.pools() else {
            panic!("SQLite only")
        };
        let mut out = Vec::new();
        for (what, sql) in [
            ("indexing a chunk", super::INDEX_CHUNK_SQL),
            ("a search's listed rows", "SELECT o.id FROM order_search_pending q CROSS JOIN orders o ON o.id = q.id JOIN profiles p ON p.pk = o.profile_pk WHERE 1=1 AND (o.order_no LIKE '%a%' OR o.payee_name LIKE '%a%' OR o.account_no LIKE '%a%') ORDER BY o.created_at DESC, o.id DESC LIMIT 51"),
            ("a pair's listed rows", "SELECT id FROM orders WHERE id IN (SELECT rowid FROM order_search WHERE order_search MATCH '\"ab\x01\"' UNION ALL SELECT q.id FROM order_search_pending q CROSS JOIN order_search_rows v ON v.id = q.id WHERE v.payee_name LIKE '%ab%') AND payee_name LIKE '%ab%'"),
        ] {
            let plan: Vec<String> = sqlx::query_as::<_, (i64, i64, i64, String)>(&format!("EXPLAIN QUERY PLAN {sql}"))
                .bind(super::INDEX_CHUNK)
                .fetch_all(pool)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.3)
                .collect();
            out.push((what, plan));
        }
        out
    }

    /// Migration 0015 on a 0014 database with orders: nothing listed, the
    /// index as it was, searches exact; a batch afterwards is listed and
    /// then indexed, single creates are indexed by their trigger at once.
    #[tokio::test]
    async fn migration_0015_keeps_an_indexed_history() {
        let dir = tempfile::tempdir().unwrap();
        let rows = history(2_000, false);
        {
            let pool = database_at(dir.path(), 14).await;
            for (pk, id, name) in [(1, "p1", "A"), (2, "p2", "B")] {
                sqlx::query("INSERT INTO profiles (pk, id, name, provider, base_url, created_at, updated_at) VALUES (?, ?, ?, 'jstpay', 'http://127.0.0.1:9', 0, 0)")
                    .bind(pk)
                    .bind(id)
                    .bind(name)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            for o in &rows {
                let pk = if o.profile_id == "p1" { 1 } else { 2 };
                sqlx::query("INSERT INTO orders (profile_pk, order_no, kind, amount_fen, payee_name, account_no, fields, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, 'me', ?, ?)")
                    .bind(pk)
                    .bind(&o.order_no)
                    .bind(o.kind.as_str())
                    .bind(o.amount_fen)
                    .bind(o.fields.get("payee_name"))
                    .bind(o.fields.get("account_no"))
                    .bind(o.status.as_str())
                    .bind(o.created_at)
                    .bind(o.created_at)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
        }
        let s = Store::open(dir.path()).await.unwrap();
        assert_eq!(listed(&s).await, 0);
        assert_index_whole(&s).await;
        assert!(check_searches(&s, CASES).await > 1_000);
        s.hold_search_index(true);
        let more: Vec<_> = (0..50)
            .map(|i| new_order("p2", &format!("NEWLATER{i:03}"), 10_000 + i))
            .collect();
        s.insert_orders_batch(&more).await.unwrap();
        let one = s
            .insert_order(&new_order("p1", "ONEBYONE1", 20_000))
            .await
            .unwrap();
        assert_eq!(listed(&s).await, 50);
        assert_eq!(indexed(&s, "ONEBYONE1").await, 1);
        assert!(check_searches(&s, CASES).await > 1_000);
        assert_eq!(found_ids(&s, "newlater0", None).await.len(), 50);
        assert!(one > 0);
        s.hold_search_index(false);
        until_indexed(&s).await;
        assert_index_whole(&s).await;
    }
}
