//! The store on PostgreSQL at a million orders, beside SQLite (docs/
//! BENCHMARKS.md, the PostgreSQL section): batched and single writes,
//! look-up by number (with two floors: the same statement on one bare
//! connection, and pgbench's libpq client), and the history pages of the
//! SQLite benchmark (`benches/support::cases`, first and deep page, with
//! the substring searches), through the same `Store` API and the same
//! synthetic history (`benches/support`).
//!
//! ```text
//! PAYDESK_PG_DURABLE=1 scripts/with-postgres.sh \
//!   cargo run --release -p paydesk-core --example pg_bench -- 1000000 [--sqlite] [--reuse] [--pages]
//! ```
//! Reads `PAYDESK_TEST_PG_URL` (a superuser URL); writes into a database of
//! its own (`paydesk_bench_<n>`), dropped first. `--reuse`: a database of
//! that name already holding `n` orders (a cluster kept between runs) is
//! kept, with the store's newer migrations applied to it in place, and the
//! write figures are skipped. `--pages`: only the history pages.
//! `--explain`: each page's statements also explained once (`EXPLAIN
//! (ANALYZE, BUFFERS)`: rows and buffers, which the load does not change),
//! a line each, the plans into `pg-plans-<n>.txt` beside the SQLite history. `--sqlite`: the same
//! figures on SQLite, measured in turn with PostgreSQL's (same load), on the
//! SQLite benchmark's history of `n` orders (`PAYDESK_BENCH_DIR`, written
//! first when it is not there). Every figure line ends with the load average
//! at the time.

#[path = "../benches/support/mod.rs"]
mod support;

use paydesk_core::store::{OrderFilter, Store};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sqlx::{Connection, Executor, Row};
use std::time::{Duration, Instant};
use support::{ensure_profiles, new_order, Stats};

/// The look-up's statement as the store runs it (store/pg/orders.rs), for
/// the bare connection and pgbench.
const FIND_SQL: &str = "SELECT o.*, p.id AS profile_id, p.name AS profile_name, p.provider AS provider, p.sandbox AS sandbox FROM orders o JOIN profiles p ON p.pk = o.profile_pk WHERE (o.order_no = $1 OR o.provider_order_id = $1) AND ($2::text IS NULL OR p.id = $2::text) ORDER BY o.created_at DESC, o.id DESC";

/// Look-ups per client in each of the three interleaved rounds.
const LOOKUPS: usize = 5_000;

/// Runs of each history case (fewer when they take over `CASE_TIME`).
const CASE_RUNS: usize = 300;
const CASE_TIME: Duration = Duration::from_secs(3);

fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("a postgres:// URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

/// The 1-minute load average now.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(String::from))
        .unwrap_or_else(|| "?".into())
}

async fn timed<F, Fut, T>(reps: usize, max: Duration, mut f: F) -> Stats
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut v: Vec<Duration> = Vec::with_capacity(reps);
    let start = Instant::now();
    for i in 0..reps {
        let t = Instant::now();
        std::hint::black_box(f(i).await);
        v.push(t.elapsed());
        if start.elapsed() > max && v.len() >= 10 {
            break;
        }
    }
    Stats::of(v)
}

/// `LOOKUPS` look-ups by number through the store, numbers from `nos`.
async fn lookups(s: &Store, nos: &[String], round: usize) -> Stats {
    timed(LOOKUPS, Duration::from_secs(60), |k| {
        let no = nos[(k * 7 + round) % nos.len()].clone();
        async move {
            let found = s.find_orders(&no, None).await.unwrap();
            assert!(!found.is_empty());
        }
    })
    .await
}

/// A figure's line; `min`, the fastest run, is the nearest a loaded machine
/// comes to a quiet one's time.
fn line(name: &str, s: &Stats) {
    println!(
        "{name:<58} min {:>9.0} us  p50 {:>9.0} us  p99 {:>9.0} us  max {:>9.0} us  (n={}, load {})",
        s.pct_us(0.0),
        s.p50_us(),
        s.p99_us(),
        s.max_us(),
        s.len(),
        load()
    );
}

/// pgbench (libpq, prepared statements, one client) running `script` for
/// `count` transactions: their latencies, from its per-transaction log.
fn pgbench(url: &str, script: &str, count: usize) -> Option<Stats> {
    let dir = tempfile::tempdir().ok()?;
    let file = dir.path().join("script.sql");
    std::fs::write(&file, script).ok()?;
    let prefix = dir.path().join("log");
    let out = std::process::Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-c", "1", "-t", &count.to_string()])
        .arg("-f")
        .arg(&file)
        .arg("-l")
        .arg(format!("--log-prefix={}", prefix.display()))
        .arg(url)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("pgbench: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir.path()).ok()?.flatten() {
        if e.file_name().to_string_lossy().starts_with("log") {
            for l in std::fs::read_to_string(e.path()).ok()?.lines() {
                // client_id transaction_no time_us script_no epoch epoch_us
                if let Some(us) = l.split_whitespace().nth(2).and_then(|x| x.parse().ok()) {
                    v.push(Duration::from_micros(us));
                }
            }
        }
    }
    (!v.is_empty()).then(|| Stats::of(v))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let flags: Vec<String> = args.collect();
    let with_sqlite = flags.iter().any(|a| a == "--sqlite");
    let reuse = flags.iter().any(|a| a == "--reuse");
    let pages_only = flags.iter().any(|a| a == "--pages");
    let explain = flags.iter().any(|a| a == "--explain");
    let admin = std::env::var("PAYDESK_TEST_PG_URL")
        .expect("PAYDESK_TEST_PG_URL (scripts/with-postgres.sh)");
    let name = format!("paydesk_bench_{n}");
    {
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        let kept = reuse && held(&with_db(&admin, &name)).await == Some(n as i64);
        if !kept {
            c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .unwrap();
            c.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
        }
        let settings: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, setting FROM pg_settings WHERE name IN \
             ('fsync', 'synchronous_commit', 'shared_buffers', 'max_parallel_workers_per_gather', 'jit') ORDER BY name",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        println!("server settings: {settings:?}");
    }
    let url = with_db(&admin, &name);
    let kept = reuse && held(&url).await == Some(n as i64);
    let store = Store::open_url(&url).await.expect("open");
    let pool = store.postgres().unwrap().pool().clone();
    if kept {
        println!("PostgreSQL history of {n} orders reused ({name})");
        let samples: Vec<String> =
            sqlx::query_scalar("SELECT order_no FROM orders WHERE id % $1 = 0 ORDER BY id")
                .bind((n / 1_000).max(1) as i64)
                .fetch_all(&pool)
                .await
                .unwrap();
        sqlx::query("ANALYZE orders").execute(&pool).await.unwrap();
        sizes(&pool).await;
        return measure(n, store, samples, &url, with_sqlite, pages_only, explain).await;
    }
    let profiles = ensure_profiles(&store).await;
    let mut rng = StdRng::seed_from_u64(20_250_101 ^ n as u64);
    let singles = (n / 10).min(10_000);
    let batched = n - singles;
    let mut samples = Vec::new();
    let sample_every = (n / 1_000).max(1);

    println!("PostgreSQL store, {n} orders (load {} at start)", load());
    let t0 = Instant::now();
    let mut i = 0;
    while i < batched {
        let end = (i + support::BATCH).min(batched);
        let chunk: Vec<_> = (i..end)
            .map(|j| new_order(&mut rng, &profiles, j, n))
            .collect();
        for (k, o) in chunk.iter().enumerate() {
            if (i + k) % sample_every == 0 {
                samples.push(o.order_no.clone());
            }
        }
        store.insert_orders_batch(&chunk).await.expect("batch");
        i = end;
    }
    let batched_secs = t0.elapsed().as_secs_f64();
    println!(
        "batched writes (1,000 per transaction)      {:.0} orders/s ({batched} in {batched_secs:.0} s, load {})",
        batched as f64 / batched_secs,
        load()
    );
    let mut lat = Vec::with_capacity(singles);
    let t1 = Instant::now();
    for j in batched..n {
        let o = new_order(&mut rng, &profiles, j, n);
        if j % sample_every == 0 {
            samples.push(o.order_no.clone());
        }
        let t = Instant::now();
        store.insert_order(&o).await.expect("single");
        lat.push(t.elapsed());
    }
    let singles_secs = t1.elapsed().as_secs_f64();
    let single = Stats::of(lat);
    println!(
        "single creates                              {:.0} orders/s (p50 {:.0} us, p99 {:.0} us, load {})",
        singles as f64 / singles_secs,
        single.p50_us(),
        single.p99_us(),
        load()
    );
    let t2 = Instant::now();
    sqlx::query("VACUUM ANALYZE").execute(&pool).await.unwrap();
    println!(
        "VACUUM ANALYZE                              {:.0} s",
        t2.elapsed().as_secs_f64()
    );
    sizes(&pool).await;
    measure(n, store, samples, &url, with_sqlite, pages_only, explain).await;
}

/// The orders a kept benchmark database holds (None: there is none).
async fn held(url: &str) -> Option<i64> {
    let mut c = sqlx::PgConnection::connect(url).await.ok()?;
    sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&mut c)
        .await
        .ok()
}

/// The database's size and its largest tables and indexes.
async fn sizes(pool: &sqlx::PgPool) {
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(pool)
        .await
        .unwrap();
    println!(
        "database size                               {:.0} MB",
        bytes as f64 / 1e6
    );
    let sizes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.relname::text, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') ORDER BY 2 DESC LIMIT 16",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (rel, b) in sizes {
        println!("  {rel:<40} {:>8.1} MB", b as f64 / 1e6);
    }
}

/// Look-ups (unless `pages_only`) and history pages on the written history.
async fn measure(
    n: usize,
    store: Store,
    samples: Vec<String>,
    url: &str,
    with_sqlite: bool,
    pages_only: bool,
    explain: bool,
) {
    let pool = store.postgres().unwrap().pool().clone();
    let lite = if with_sqlite {
        let t = Instant::now();
        let (s, report) = support::open_or_generate(n).await;
        if let Some(r) = report {
            println!(
                "SQLite history written: batched {:.0} orders/s, single creates {:.0} orders/s (p50 {:.0} us, p99 {:.0} us), {:.0} MB, in {:.0} s (load {})",
                r.batched_per_s(),
                r.singles_per_s(),
                r.single_p50_us,
                r.single_p99_us,
                r.db_bytes as f64 / 1e6,
                t.elapsed().as_secs_f64(),
                load()
            );
        } else {
            println!(
                "SQLite history of {n} orders reused from {}",
                support::data_dir(n).display()
            );
        }
        let nos = support::sample_order_nos(n);
        Some((s, nos))
    } else {
        None
    };

    if !pages_only {
        // Look-up by number: numbers spread over the history, in three rounds,
        // each client in turn, so each sees the same machine.
        let mut bare = sqlx::PgConnection::connect(url).await.unwrap();
        let pgbench_script = format!(
            "\\set k random(1, {n})\n{};\n",
            FIND_SQL
                .replace("(o.order_no = $1 OR o.provider_order_id = $1) AND ($2::text IS NULL OR p.id = $2::text) ORDER BY o.created_at DESC, o.id DESC", "o.id = :k")
        );
        for round in 1..=3 {
            line(
                &format!("round {round}: PG look-up, Store::find_orders"),
                &lookups(&store, &samples, round).await,
            );
            let mut v = Vec::with_capacity(LOOKUPS);
            for k in 0..LOOKUPS {
                let no = samples[(k * 7 + round) % samples.len()].clone();
                let t = Instant::now();
                let rows = sqlx::query(FIND_SQL)
                    .bind(no)
                    .bind(None::<String>)
                    .fetch_all(&mut bare)
                    .await
                    .unwrap();
                assert!(!rows.is_empty());
                std::hint::black_box(rows[0].try_get::<i64, _>("id").unwrap());
                v.push(t.elapsed());
            }
            let floor = Stats::of(v);
            line(
                &format!("round {round}: PG look-up, same SQL, one bare connection"),
                &floor,
            );
            match pgbench(url, &pgbench_script, LOOKUPS) {
                Some(s) => line(
                    &format!("round {round}: PG pgbench (libpq), same row by id"),
                    &s,
                ),
                None => println!("round {round}: pgbench not run"),
            }
            if let Some((s, nos)) = &lite {
                line(
                    &format!("round {round}: SQLite look-up, Store::find_orders"),
                    &lookups(s, nos, round).await,
                );
            }
        }
        bare.close().await.unwrap();
    }

    // History pages: the SQLite benchmark's cases, first page and a page 90%
    // of the way down (support::deep), PostgreSQL then SQLite.
    let mid = samples[samples.len() / 2].clone();
    let mut plans_out = String::new();
    for case in support::cases(&mid) {
        for (depth, f) in [
            ("first", case.filter.clone()),
            ("deep", support::deep(&case.filter)),
        ] {
            let run = |s: &Store, f: &OrderFilter| {
                let (s, f) = (s.clone(), f.clone());
                async move {
                    timed(CASE_RUNS, CASE_TIME, |_| {
                        let (s, f) = (&s, &f);
                        async move { s.list_orders(f).await.unwrap().orders.len() }
                    })
                    .await
                }
            };
            let rows = if explain {
                let (page, plans) =
                    paydesk_core::store::pg::PgStore::explained(store.list_orders(&f)).await;
                let name = format!("{} {depth}", case.name);
                plan_summary(&name, &plans);
                plans_out.push_str(&format!("=== {name}\n{}\n\n", plans.join("\n---\n")));
                page.unwrap().orders.len()
            } else {
                store.list_orders(&f).await.unwrap().orders.len()
            };
            let cpu = cpu_seconds(&pool).await;
            let stats = run(&store, &f).await;
            let cpu = cpu_seconds(&pool).await.zip(cpu).map(|(b, a)| {
                let per = |x: f64| x * 1e6 / stats.len() as f64;
                (per(b.0 - a.0), per(b.1 - a.1))
            });
            line(
                &format!("PG     {} {depth} ({rows} rows)", case.name),
                &stats,
            );
            if let Some((server, client)) = cpu {
                println!(
                    "PG     {:<51} CPU per page: server {server:>7.0} us, this client {client:>6.0} us",
                    format!("{} {depth}", case.name)
                );
            }
            if let Some((s, _)) = &lite {
                let rows = s.list_orders(&f).await.unwrap().orders.len();
                line(
                    &format!("SQLite {} {depth} ({rows} rows)", case.name),
                    &run(s, &f).await,
                );
            }
        }
    }
    if explain {
        let file = support::data_dir(n)
            .parent()
            .map(|d| d.join(format!("pg-plans-{n}.txt")))
            .unwrap();
        std::fs::write(&file, plans_out).unwrap();
        println!("plans: {}", file.display());
    }
    store.close().await;
}

/// CPU seconds used so far by the server's processes (each backend and
/// worker of `pg_stat_activity`) and by this process, from /proc: what a
/// page costs whatever the load (None where /proc is not readable). Counted
/// in the kernel's 10 ms ticks, so only over many pages.
async fn cpu_seconds(pool: &sqlx::PgPool) -> Option<(f64, f64)> {
    fn ticks(pid: &str) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // After the command's ")": state is field 3, utime 14, stime 15.
        let f: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
    }
    let pids: Vec<i32> = sqlx::query_scalar("SELECT pid FROM pg_stat_activity")
        .fetch_all(pool)
        .await
        .ok()?;
    let server: f64 = pids.iter().filter_map(|p| ticks(&p.to_string())).sum();
    Some((server / 100.0, ticks("self")? / 100.0))
}

/// One line per statement a page ran: its rows, the buffers it read
/// (shared hits and reads; load-independent), its time on the server.
fn plan_summary(name: &str, plans: &[String]) {
    let parts: Vec<String> = plans
        .iter()
        .map(|p| {
            let rows = p
                .lines()
                .next()
                .and_then(|l| l.split("rows=").nth(2))
                .and_then(|r| r.split_whitespace().next())
                .unwrap_or("?");
            let buffers = p
                .lines()
                .find_map(|l| l.trim().strip_prefix("Buffers: "))
                .unwrap_or("none");
            let ms = p
                .lines()
                .find_map(|l| l.trim().strip_prefix("Execution Time: "))
                .unwrap_or("?");
            format!("{rows} rows, {buffers}, {ms}")
        })
        .collect();
    println!("EXPLAIN {name:<50} {}", parts.join(" | "));
}
