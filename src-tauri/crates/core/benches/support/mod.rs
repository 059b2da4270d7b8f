//! Shared by the store benchmarks (`benches/store.rs`) and the end-to-end
//! harness (`crates/cli/examples/paydesk_bench.rs`, which includes this file by
//! path): a synthetic order history written through the store's own insert
//! path, and latency percentiles.
#![allow(dead_code)]

use paydesk_core::domain::ProviderKind;
use paydesk_core::gateway::GatewayConfig;
use paydesk_core::store::{NewOrder, OrderFilter, Profile, Store};
use paydesk_core::{order_no, OrderKind, OrderStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// History sizes of a full run.
pub const FULL_SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];
/// History sizes of a smoke run.
pub const SMOKE_SIZES: [usize; 1] = [2_000];

/// Orders per transaction in the batched part of the generation.
pub const BATCH: usize = 1_000;

/// The history spans this many days, ending at `END_MS`.
pub const SPAN_DAYS: i64 = 365;
/// 2025-01-01 00:00 UTC+8: a fixed end so every run sees the same dates.
pub const END_MS: i64 = 1_735_660_800_000;
pub const DAY_MS: i64 = 86_400_000;

pub fn smoke() -> bool {
    std::env::var("PAYDESK_BENCH_SMOKE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `PAYDESK_BENCH_SIZES=10000,100000` overrides the sizes of the mode.
pub fn sizes() -> Vec<usize> {
    if let Ok(s) = std::env::var("PAYDESK_BENCH_SIZES") {
        let v: Vec<usize> = s
            .split(',')
            .filter_map(|x| x.trim().replace('_', "").parse().ok())
            .collect();
        if !v.is_empty() {
            return v;
        }
    }
    if smoke() {
        SMOKE_SIZES.to_vec()
    } else {
        FULL_SIZES.to_vec()
    }
}

/// Where the generated histories live: `$PAYDESK_BENCH_DIR` (scripts/bench.sh
/// sets it so every bench of a run reuses them) or `$TMPDIR/paydesk-bench`.
pub fn bench_dir() -> PathBuf {
    std::env::var_os("PAYDESK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("paydesk-bench"))
}

/// The data directory (holding `paydesk.db`) of the history of `n` orders.
pub fn data_dir(n: usize) -> PathBuf {
    bench_dir().join(format!("orders-{n}"))
}

pub fn profile_name(p: ProviderKind) -> String {
    format!("bench-{}", p.as_str())
}

const SURNAMES: [(&str, u32); 12] = [
    ("王", 72),
    ("李", 72),
    ("张", 68),
    ("刘", 54),
    ("陈", 45),
    ("杨", 31),
    ("赵", 23),
    ("黄", 22),
    ("周", 21),
    ("吴", 20),
    ("欧阳", 2),
    ("司马", 1),
];
const GIVEN: &str =
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂英玉兰志红霞鹏飞浩然子涵雨欣宇轩梓萱博文";
const BANKS: [&str; 6] = [
    "中国工商银行",
    "中国建设银行",
    "中国农业银行",
    "中国银行",
    "招商银行",
    "交通银行",
];

fn name(rng: &mut StdRng) -> String {
    let total: u32 = SURNAMES.iter().map(|s| s.1).sum();
    let mut pick = rng.gen_range(0..total);
    let mut surname = SURNAMES[0].0;
    for (s, w) in SURNAMES {
        if pick < w {
            surname = s;
            break;
        }
        pick -= w;
    }
    let given: Vec<char> = GIVEN.chars().collect();
    let mut n = surname.to_string();
    for _ in 0..rng.gen_range(1..=2) {
        n.push(given[rng.gen_range(0..given.len())]);
    }
    n
}

fn status(rng: &mut StdRng) -> OrderStatus {
    match rng.gen_range(0..100) {
        0..=84 => OrderStatus::Succeeded,
        85..=92 => OrderStatus::Failed,
        93..=95 => OrderStatus::Pending,
        96..=97 => OrderStatus::Processing,
        _ => OrderStatus::Unknown,
    }
}

/// The `i`-th of `n` orders: spread evenly over five profiles and over
/// `SPAN_DAYS` days (so time grows with the id, as in real use).
pub fn new_order(rng: &mut StdRng, profiles: &[Profile], i: usize, n: usize) -> NewOrder {
    let p = &profiles[rng.gen_range(0..profiles.len())];
    let start = END_MS - SPAN_DAYS * DAY_MS;
    let created_at = start + ((i as i128 * (SPAN_DAYS * DAY_MS) as i128) / n as i128) as i64;
    let kind = if rng.gen_range(0..10) < 7 {
        OrderKind::Payout
    } else {
        OrderKind::Deposit
    };
    let mut fields = BTreeMap::new();
    match kind {
        OrderKind::Payout => {
            fields.insert("payee_name".into(), name(rng));
            fields.insert(
                "account_no".into(),
                format!("62220202{:011}", rng.gen_range(0..100_000_000_000u64)),
            );
            fields.insert(
                "bank_name".into(),
                BANKS[rng.gen_range(0..BANKS.len())].into(),
            );
            fields.insert("branch".into(), "上海分行浦东支行".into());
            fields.insert("province".into(), "上海市".into());
            fields.insert("city".into(), "上海市".into());
        }
        OrderKind::Deposit => {
            fields.insert("channel".into(), "bank".into());
            fields.insert("payer_name".into(), name(rng));
        }
    }
    NewOrder {
        profile_id: p.id.clone(),
        order_no: order_no::generate(kind, created_at),
        kind,
        amount_fen: rng.gen_range(1..=50_000) * 100,
        fields,
        status: status(rng),
        message: None,
        created_by: "bench".into(),
        created_at,
    }
}

/// The five profiles of a generated history (one per gateway).
pub async fn ensure_profiles(store: &Store) -> Vec<Profile> {
    let mut out = Vec::new();
    for (i, kind) in ProviderKind::ALL.into_iter().enumerate() {
        let name = profile_name(kind);
        let p = match store.profile(&name).await {
            Ok(p) => p,
            Err(_) => {
                let p = Profile {
                    id: format!("00000000-0000-4000-8000-00000000000{i}"),
                    name,
                    provider: kind,
                    gateway: GatewayConfig {
                        base_url: format!("http://127.0.0.1:9/{}", kind.as_str()),
                        merchant_id: "BENCH".into(),
                        app_id: Some("BENCHAPP".into()),
                        operator_id: Some("OP1".into()),
                        notify_url: None,
                        return_url: None,
                    },
                    has_reply_secret: false,
                    sandbox: true,
                    low_balance_fen: None,
                    approval_threshold_fen: None,
                    created_at: END_MS - SPAN_DAYS * DAY_MS,
                    updated_at: END_MS - SPAN_DAYS * DAY_MS,
                };
                store.insert_profile(&p).await.expect("insert profile");
                p
            }
        };
        out.push(p);
    }
    out
}

/// What writing a history measured.
#[derive(Debug, Clone)]
pub struct GenReport {
    pub n: usize,
    pub batched: usize,
    pub batched_secs: f64,
    /// CPU time of this process (every thread) while writing the batches:
    /// the machine's load stretches the wall time far more than this.
    pub batched_cpu_secs: Option<f64>,
    /// From the first batch until the trigram index holds every batched row
    /// (migration 0015 indexes a batch's rows behind its commit): the
    /// batches and the indexing still behind after the last commit.
    pub indexed_secs: f64,
    pub indexed_cpu_secs: Option<f64>,
    /// Rows still to be indexed after the last batch's commit.
    pub behind: u64,
    pub singles: usize,
    pub singles_secs: f64,
    /// Of the single creates, in microseconds.
    pub single_p50_us: f64,
    pub single_p99_us: f64,
    pub db_bytes: u64,
}

impl GenReport {
    pub fn batched_per_s(&self) -> f64 {
        self.batched as f64 / self.batched_secs
    }
    /// Batched orders per second of this process's CPU time.
    pub fn batched_per_cpu_s(&self) -> Option<f64> {
        self.batched_cpu_secs.map(|c| self.batched as f64 / c)
    }
    /// Batched orders per second until the index has caught up with them.
    pub fn indexed_per_s(&self) -> f64 {
        self.batched as f64 / self.indexed_secs
    }
    pub fn indexed_per_cpu_s(&self) -> Option<f64> {
        self.indexed_cpu_secs.map(|c| self.batched as f64 / c)
    }
    pub fn singles_per_s(&self) -> f64 {
        self.singles as f64 / self.singles_secs
    }
    pub fn mb_per_million(&self) -> f64 {
        self.db_bytes as f64 / self.n as f64 * 1e6 / 1e6
    }
}

/// Open the history of `n` orders, writing it first when it is not there yet.
/// Returns the store, and the report when it was written now.
pub async fn open_or_generate(n: usize) -> (Store, Option<GenReport>) {
    let dir = data_dir(n);
    let db = dir.join("paydesk.db");
    if db.exists() {
        let store = Store::open(&dir).await.expect("open store");
        if store.setting("bench.generated").await.ok().flatten() == Some(n.to_string()) {
            return (store, None);
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let report = generate(&dir, n).await;
    (Store::open(&dir).await.expect("open store"), Some(report))
}

/// Write a history of `n` orders into a fresh `dir`: all but the last
/// `singles` in transactions of `BATCH` (`insert_orders_batch`), the rest one
/// by one (`insert_order`), timing both.
pub async fn generate(dir: &Path, n: usize) -> GenReport {
    generate_as(dir, n, Indexing::Behind).await
}

/// How a generated history keeps the trigram index (`paydesk_bench
/// write-ab` writes the same history each way, in turns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexing {
    /// As the store does: a batch lists its rows in one statement and they
    /// are indexed behind its commit (migration 0015), single creates
    /// through the triggers.
    Behind,
    /// Every row through the per-row triggers, as before migration 0014
    /// (the index's contents are the same).
    PerRow,
    /// The schema before migration 0012: no trigram index, the order-number
    /// bucket index back.
    Before0012,
}

impl Indexing {
    pub const ALL: [Indexing; 3] = [Indexing::Behind, Indexing::PerRow, Indexing::Before0012];

    pub fn name(self) -> &'static str {
        match self {
            Indexing::Behind => "behind",
            Indexing::PerRow => "per_row",
            Indexing::Before0012 => "before_0012",
        }
    }

    /// SQL that turns a new store into this way of indexing. Without the
    /// state row a batch leaves the indexing to the triggers (store/search.rs,
    /// `defer_index_in`), which then index every row.
    fn setup(self) -> &'static str {
        match self {
            Indexing::Behind => "",
            Indexing::PerRow => "DELETE FROM order_search_state;",
            Indexing::Before0012 => "DELETE FROM order_search_state; DROP TRIGGER orders_search_insert; DROP TRIGGER orders_search_update_old; DROP TRIGGER orders_search_update_new; DROP TRIGGER orders_search_delete; DROP TRIGGER orders_time_order_insert; DROP TRIGGER orders_time_order_update; CREATE INDEX orders_order_no_bucket ON orders(substr(order_no, 1, 7) COLLATE NOCASE, created_at, order_no);",
        }
    }
}

/// `generate`, with the trigram index kept `how`.
pub async fn generate_as(dir: &Path, n: usize, how: Indexing) -> GenReport {
    let _ = std::fs::remove_dir_all(dir);
    let store = Store::open(dir).await.expect("open store");
    sqlx::raw_sql(how.setup())
        .execute(store.pool())
        .await
        .expect("indexing set-up");
    let profiles = ensure_profiles(&store).await;
    let mut rng = StdRng::seed_from_u64(20_250_101 ^ n as u64);
    let singles = (n / 10).min(10_000);
    let batched = n - singles;
    let mut samples: Vec<String> = Vec::new();
    let sample_every = (n / 1_000).max(1);

    let t0 = Instant::now();
    let cpu0 = cpu_secs();
    let mut i = 0;
    while i < batched {
        let end = (i + BATCH).min(batched);
        let chunk: Vec<NewOrder> = (i..end)
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
    let batched_cpu_secs = cpu_secs().zip(cpu0).map(|(b, a)| b - a);
    // What the index still had to take after the last commit, inside the
    // measured window: the rate "until indexed" hides none of it.
    let behind = store
        .catch_up_search_index()
        .await
        .expect("index caught up");
    let indexed_secs = t0.elapsed().as_secs_f64();
    let indexed_cpu_secs = cpu_secs().zip(cpu0).map(|(b, a)| b - a);

    let mut lat = Vec::with_capacity(singles);
    let t1 = Instant::now();
    for j in batched..n {
        let o = new_order(&mut rng, &profiles, j, n);
        if j % sample_every == 0 {
            samples.push(o.order_no.clone());
        }
        let t = Instant::now();
        store.insert_order(&o).await.expect("single insert");
        lat.push(t.elapsed());
    }
    let singles_secs = t1.elapsed().as_secs_f64();
    let (p50, p99) = if lat.is_empty() {
        (0.0, 0.0)
    } else {
        let s = Stats::of(lat);
        (s.p50_us(), s.p99_us())
    };

    store
        .set_setting("bench.generated", &n.to_string())
        .await
        .expect("mark");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .expect("checkpoint");
    store.pool().close().await;
    std::fs::write(dir.join("sample-order-nos.txt"), samples.join("\n")).expect("samples");
    let db_bytes = std::fs::metadata(dir.join("paydesk.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    GenReport {
        n,
        batched,
        batched_secs,
        batched_cpu_secs,
        indexed_secs,
        indexed_cpu_secs,
        behind,
        singles,
        singles_secs,
        single_p50_us: p50,
        single_p99_us: p99,
        db_bytes,
    }
}

/// User and system CPU time of this process so far (Linux: /proc/self/stat,
/// in clock ticks of 10 ms), None elsewhere.
pub fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces): utime, stime
    // are the 12th and 13th after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Order numbers that exist in the history of `n` orders (about 1,000).
pub fn sample_order_nos(n: usize) -> Vec<String> {
    std::fs::read_to_string(data_dir(n).join("sample-order-nos.txt"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Latency distribution of repeated runs.
#[derive(Debug, Clone)]
pub struct Stats {
    sorted: Vec<Duration>,
}

impl Stats {
    pub fn of(mut v: Vec<Duration>) -> Stats {
        assert!(!v.is_empty(), "no samples");
        v.sort();
        Stats { sorted: v }
    }
    pub fn len(&self) -> usize {
        self.sorted.len()
    }
    /// Nearest-rank percentile, in microseconds.
    pub fn pct_us(&self, p: f64) -> f64 {
        let n = self.sorted.len();
        let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
        self.sorted[rank.min(n) - 1].as_secs_f64() * 1e6
    }
    pub fn p50_us(&self) -> f64 {
        self.pct_us(50.0)
    }
    pub fn p99_us(&self) -> f64 {
        self.pct_us(99.0)
    }
    pub fn max_us(&self) -> f64 {
        self.sorted.last().unwrap().as_secs_f64() * 1e6
    }
    pub fn mean_us(&self) -> f64 {
        self.sorted.iter().map(|d| d.as_secs_f64()).sum::<f64>() / self.sorted.len() as f64 * 1e6
    }
}

/// One line a script can grep: `FIGURE <name> <value> <unit> [target]`.
pub fn figure(name: &str, value: f64, unit: &str, target: &str) {
    let v = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    println!("FIGURE\t{name}\t{v}\t{unit}\t{target}");
}

pub struct Case {
    pub name: &'static str,
    pub filter: OrderFilter,
}

/// The history screen's typical questions; `no` is an order number of the
/// history, for the substring cases (what a support agent pastes).
pub fn cases(no: &str) -> Vec<Case> {
    let last_90 = (END_MS - 90 * DAY_MS, END_MS);
    let f = |profile: Option<&str>,
             kind: Option<OrderKind>,
             status: Option<OrderStatus>,
             range: Option<(i64, i64)>,
             search: Option<&str>| OrderFilter {
        profile: profile.map(String::from),
        kind,
        status,
        from_ms: range.map(|r| r.0),
        to_ms: range.map(|r| r.1),
        search: search.map(String::from),
        after: None,
        limit: Some(50),
    };
    let jst = Some("bench-jstpay");
    vec![
        Case {
            name: "all",
            filter: f(None, None, None, None, None),
        },
        Case {
            name: "profile",
            filter: f(jst, None, None, None, None),
        },
        Case {
            name: "profile+succeeded+90d",
            filter: f(jst, None, Some(OrderStatus::Succeeded), Some(last_90), None),
        },
        Case {
            name: "profile+pending+90d",
            filter: f(jst, None, Some(OrderStatus::Pending), Some(last_90), None),
        },
        Case {
            name: "deposit+processing",
            filter: f(
                None,
                Some(OrderKind::Deposit),
                Some(OrderStatus::Processing),
                None,
                None,
            ),
        },
        Case {
            name: "search-name-张",
            filter: f(None, None, None, None, Some("张")),
        },
        Case {
            name: "search-name-张伟",
            filter: f(None, None, None, None, Some("张伟")),
        },
        Case {
            name: "search-name-司马",
            filter: f(None, None, None, None, Some("司马")),
        },
        Case {
            name: "search-no-month",
            filter: f(None, None, None, None, Some("PDP2410")),
        },
        Case {
            name: "search-no-9-months",
            filter: f(None, None, None, None, Some("PDP240")),
        },
        Case {
            name: "profile+search-no-month",
            filter: f(jst, None, None, None, Some("PDP2410")),
        },
        Case {
            name: "search-no-day",
            filter: f(None, None, None, None, Some("pdd241115")),
        },
        // Substrings (issue 14 item 10, the trigram index of migration 0012).
        Case {
            name: "substr-no-suffix",
            filter: f(None, None, None, None, Some(leak(&no[no.len() - 8..]))),
        },
        Case {
            name: "substr-no-middle",
            filter: f(None, None, None, None, Some(leak(&no[3..13]))),
        },
        Case {
            name: "substr-account-12345",
            filter: f(None, None, None, None, Some("12345")),
        },
        Case {
            name: "substr-account-0202",
            filter: f(None, None, None, None, Some("0202")),
        },
        Case {
            name: "substr-name-张国平",
            filter: f(None, None, None, None, Some("张国平")),
        },
        Case {
            name: "pair-name-国平",
            filter: f(None, None, None, None, Some("国平")),
        },
        Case {
            name: "profile+substr-account-12345",
            filter: f(jst, None, None, None, Some("12345")),
        },
        Case {
            name: "profile+succeeded+90d+name-王",
            filter: f(
                jst,
                None,
                Some(OrderStatus::Succeeded),
                Some(last_90),
                Some("王"),
            ),
        },
    ]
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// A cursor 90% of the way down the case's list: a page deep in the history.
pub fn deep(filter: &OrderFilter) -> OrderFilter {
    let newest = filter.to_ms.unwrap_or(END_MS + 1);
    let oldest = filter.from_ms.unwrap_or(END_MS - SPAN_DAYS * DAY_MS);
    let at = newest - (newest - oldest) * 9 / 10;
    OrderFilter {
        after: Some((at, i64::MAX)),
        ..filter.clone()
    }
}
