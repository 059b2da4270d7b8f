//! In-process store benchmarks at 10k, 100k and 1M orders: look-up by
//! merchant order number, and history pages (filters, search, first and deep
//! pages). Criterion reports means; each case is then sampled again for the
//! p50/p99 that the targets are about, printed as `FIGURE` lines.
//!
//! `cargo bench -p paydesk-core --bench store` (full), or through
//! `scripts/bench.sh`. Smoke: `PAYDESK_BENCH_SMOKE=1 cargo test -p paydesk-core --bench store`.

#[path = "support/plain.rs"]
mod plain;
mod support;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use paydesk_core::store::{OrderFilter, Store};
use std::time::{Duration, Instant};
use support::{cases, deep, figure, Stats};

const LOOKUP_P99_US: f64 = 250.0;
/// PayDesk's look-up within this factor of plain SQLite (issue 9).
const LOOKUP_RATIO: f64 = 3.0;
const PAGE_P99_US: f64 = 20_000.0;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Run `f` until `iters` samples or `budget` is spent (at least 3 samples).
fn sample<F: FnMut() -> Duration>(iters: usize, budget: Duration, mut f: F) -> Stats {
    let t0 = Instant::now();
    let mut v = Vec::with_capacity(iters);
    while v.len() < iters && (v.len() < 3 || t0.elapsed() < budget) {
        v.push(f());
    }
    Stats::of(v)
}

fn verdict(value_us: f64, target_us: f64) -> String {
    if value_us < target_us {
        format!("< {target_us:.0} us: met")
    } else {
        format!("< {target_us:.0} us: MISSED")
    }
}

fn bench_size(c: &mut Criterion, rt: &tokio::runtime::Runtime, n: usize) {
    let (store, report) = rt.block_on(support::open_or_generate(n));
    if let Some(r) = report {
        println!(
            "generated {n} orders: {:.0} rows/s batched, {:.0} creates/s singly, {:.1} MB",
            r.batched_per_s(),
            r.singles_per_s(),
            r.db_bytes as f64 / 1e6
        );
    }
    let smoke = support::smoke();
    let nos = support::sample_order_nos(n);
    assert!(!nos.is_empty(), "no sample order numbers for {n}");

    // ---- look-up by merchant order number
    let lookup = |store: &Store, no: &str| {
        let found = rt
            .block_on(store.find_orders(no, None))
            .expect("find_orders");
        assert_eq!(found.len(), 1, "{no}");
    };
    let mut i = 0usize;
    let mut g = c.benchmark_group(format!("lookup/{n}"));
    g.bench_function("find_orders", |b| {
        b.iter(|| {
            i = (i + 1) % nos.len();
            lookup(&store, &nos[i]);
        })
    });
    g.finish();
    // PayDesk and plain SQLite take turns on the same numbers, so both see
    // the same machine load.
    let mut raw = plain::Plain::open(
        &support::data_dir(n).join("paydesk.db"),
        &Store::find_orders_sql(),
    );
    let iters = if smoke { 50 } else { 20_000 };
    let mut i = 0usize;
    let mut raw_times = Vec::with_capacity(iters);
    let s = sample(iters, Duration::from_secs(40), || {
        i = (i + 7) % nos.len();
        let t = Instant::now();
        assert_eq!(raw.lookup(&nos[i]), 1, "{}", nos[i]);
        raw_times.push(t.elapsed());
        let t = Instant::now();
        lookup(&store, &nos[i]);
        t.elapsed()
    });
    let raw = Stats::of(raw_times);
    figure(&format!("lookup.p50/{n}"), s.p50_us(), "us", "");
    figure(
        &format!("lookup.p99/{n}"),
        s.p99_us(),
        "us",
        &verdict(s.p99_us(), LOOKUP_P99_US),
    );
    figure(&format!("lookup.sqlite.p50/{n}"), raw.p50_us(), "us", "");
    figure(&format!("lookup.sqlite.p99/{n}"), raw.p99_us(), "us", "");
    for (name, ratio) in [
        ("p50", s.p50_us() / raw.p50_us()),
        ("p99", s.p99_us() / raw.p99_us()),
    ] {
        let verdict = if ratio <= LOOKUP_RATIO {
            "met"
        } else {
            "MISSED"
        };
        figure(
            &format!("lookup.ratio.{name}/{n}"),
            ratio,
            "x",
            &format!("<= {LOOKUP_RATIO:.0}x plain SQLite: {verdict}"),
        );
    }

    // ---- history pages
    let mut g = c.benchmark_group(format!("history/{n}"));
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for case in cases(&nos[nos.len() / 2]) {
        for (page, filter) in [("first", case.filter.clone()), ("deep", deep(&case.filter))] {
            let id = format!("history/{n}/{}/{page}", case.name);
            let run = |f: &OrderFilter| rt.block_on(store.list_orders(f)).expect("list_orders");
            let first = run(&filter);
            if case.name == "all" && page == "first" {
                assert_eq!(first.orders.len(), 50.min(n));
            }
            g.bench_function(format!("{}/{page}", case.name), |b| b.iter(|| run(&filter)));
            let iters = if smoke { 3 } else { 300 };
            let s = sample(iters, Duration::from_secs(3), || {
                let t = Instant::now();
                run(&filter);
                t.elapsed()
            });
            figure(
                &format!("{id}.p99 ({} rows)", first.orders.len()),
                s.p99_us() / 1e3,
                "ms",
                &verdict(s.p99_us(), PAGE_P99_US),
            );
        }
    }
    g.finish();
    rt.block_on(store.pool().close());
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    for n in support::sizes() {
        bench_size(c, &rt, n);
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .without_plots()
}

criterion_group! {
    name = store;
    config = config();
    targets = benches
}
criterion_main!(store);
