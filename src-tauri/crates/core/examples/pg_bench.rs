//! The store on PostgreSQL at a million orders (docs/BENCHMARKS.md, the
//! PostgreSQL section): batched and single writes, look-up by number, and
//! history pages, through the same `Store` API and the same synthetic history
//! as the SQLite benchmarks (`benches/support`).
//!
//! ```text
//! PAYDESK_PG_DURABLE=1 scripts/with-postgres.sh \
//!   cargo run --release -p paydesk-core --example pg_bench -- 1000000
//! ```
//! Reads `PAYDESK_TEST_PG_URL` (a superuser URL); writes into a database of
//! its own (`paydesk_bench_<n>`), dropped first.

#[path = "../benches/support/mod.rs"]
mod support;

use paydesk_core::store::{OrderFilter, Store};
use paydesk_core::OrderStatus;
use rand::rngs::StdRng;
use rand::SeedableRng;
use sqlx::{Connection, Executor};
use std::time::{Duration, Instant};
use support::{ensure_profiles, new_order, Stats, DAY_MS, END_MS};

fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("a postgres:// URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

async fn timed<F, Fut, T>(reps: usize, mut f: F) -> Stats
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut v: Vec<Duration> = Vec::with_capacity(reps);
    for i in 0..reps {
        let t = Instant::now();
        std::hint::black_box(f(i).await);
        v.push(t.elapsed());
    }
    Stats::of(v)
}

fn line(name: &str, s: &Stats) {
    println!(
        "{name:<44} p50 {:>8.0} us  p99 {:>8.0} us  max {:>8.0} us  (n={})",
        s.p50_us(),
        s.p99_us(),
        s.max_us(),
        s.len()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let admin = std::env::var("PAYDESK_TEST_PG_URL")
        .expect("PAYDESK_TEST_PG_URL (scripts/with-postgres.sh)");
    let name = format!("paydesk_bench_{n}");
    {
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await
            .unwrap();
        c.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
    }
    let url = with_db(&admin, &name);
    let store = Store::open_url(&url).await.expect("open");
    let profiles = ensure_profiles(&store).await;
    let mut rng = StdRng::seed_from_u64(20_250_101 ^ n as u64);
    let singles = (n / 10).min(10_000);
    let batched = n - singles;
    let mut samples = Vec::new();
    let sample_every = (n / 1_000).max(1);

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
    let pool = store.postgres().unwrap().pool().clone();
    sqlx::query("VACUUM ANALYZE").execute(&pool).await.unwrap();
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!("PostgreSQL store, {n} orders");
    println!(
        "batched writes (1,000 per transaction)      {:.0} orders/s",
        batched as f64 / batched_secs
    );
    println!(
        "single creates                              {:.0} orders/s (p50 {:.0} us, p99 {:.0} us)",
        singles as f64 / singles_secs,
        single.p50_us(),
        single.p99_us()
    );
    println!(
        "database size                               {:.0} MB",
        bytes as f64 / 1e6
    );

    // Look-up by number: the numbers spread over the history.
    let look = timed(20_000, |k| {
        let s = &store;
        let no = samples[k % samples.len()].clone();
        async move {
            let found = s.find_orders(&no, None).await.unwrap();
            assert!(!found.is_empty());
        }
    })
    .await;
    line("look-up by number (find_orders)", &look);

    // History pages: first page, and a page 81 days back (the cursor taken
    // from the newest order before that time).
    let deep_at = END_MS - 81 * DAY_MS;
    let deep: (i64, i64) = sqlx::query_as(
        "SELECT created_at, id FROM orders WHERE created_at < $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(deep_at)
    .fetch_one(&pool)
    .await
    .unwrap();
    let p0 = profiles[0].name.clone();
    let ninety = Some(END_MS - 90 * DAY_MS);
    let cases: Vec<(&str, OrderFilter)> = vec![
        ("all", OrderFilter::default()),
        (
            "profile",
            OrderFilter {
                profile: Some(p0.clone()),
                ..Default::default()
            },
        ),
        (
            "pending",
            OrderFilter {
                status: Some(OrderStatus::Pending),
                ..Default::default()
            },
        ),
        (
            "profile + pending + 90 d",
            OrderFilter {
                profile: Some(p0.clone()),
                status: Some(OrderStatus::Pending),
                from_ms: ninety,
                ..Default::default()
            },
        ),
        (
            "profile + succeeded + 90 d",
            OrderFilter {
                profile: Some(p0.clone()),
                status: Some(OrderStatus::Succeeded),
                from_ms: ninety,
                ..Default::default()
            },
        ),
        (
            "search 张伟",
            OrderFilter {
                search: Some("张伟".into()),
                ..Default::default()
            },
        ),
        (
            "search 王",
            OrderFilter {
                search: Some("王".into()),
                ..Default::default()
            },
        ),
        (
            "search number prefix PDP2410",
            OrderFilter {
                search: Some("PDP2410".into()),
                ..Default::default()
            },
        ),
        (
            "search a whole number",
            OrderFilter {
                search: Some(samples[samples.len() / 2].clone()),
                ..Default::default()
            },
        ),
    ];
    for (label, f) in cases {
        for (depth, after) in [("first", None), ("deep", Some(deep))] {
            let f = OrderFilter { after, ..f.clone() };
            let s = timed(300, |_| {
                let (s, f) = (&store, &f);
                async move { s.list_orders(f).await.unwrap() }
            })
            .await;
            line(&format!("history {label}, {depth}"), &s);
        }
    }
    store.close().await;
}
