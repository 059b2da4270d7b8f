//! End-to-end benchmark harness (scripts/bench.sh drives it; figures go to
//! docs/BENCHMARKS.md). Every figure is printed as a `FIGURE` line.
//!
//! - `gen`: write the histories (10k, 100k, 1M orders over five profiles)
//!   through the store's own insert path, timing batched and single creates,
//!   and report the database size.
//! - `spawn -- CMD ARGS...`: start a process N times, percentiles of its wall
//!   time (`paydesk order get` end to end).
//! - `write-ab`: the write rate and size with the trigram index kept as the
//!   store keeps it (a batch lists its rows, indexed behind its commit,
//!   migration 0015), through the per-row triggers instead, and without the index (the
//!   bucket index instead, as before migration 0012), histories written in
//!   turns so all three see the same machine load.
//! - `search`: p50/p99 of every history-page case (`support::cases`), first
//!   and deep page, on the generated histories, through `Store::list_orders`
//!   (the release build of the CLI's selection: no second dependency build).
//! - `batch`: payouts through `PayDesk::create_order` against the in-process
//!   sandbox with a persistent 50 ms delay fault, at a given concurrency.

#[path = "../../core/benches/support/mod.rs"]
mod support;

use futures_util::StreamExt;
use paydesk_core::form::OrderInput;
use paydesk_core::services::{PayDesk, ProfileInput};
use paydesk_core::vault::MemoryStore;
use paydesk_core::{OrderKind, OrderStatus, ProviderKind, Secret};
use paydesk_sandbox::{FaultKind, FaultSpec};
use std::collections::BTreeMap;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{figure, Stats};

/// Schema v2 targets at 1M orders (issue 9): batched writes, database size.
const WRITE_TARGET: f64 = 20_000.0;
const SIZE_TARGET_MB: f64 = 450.0;

fn usage() -> ExitCode {
    eprintln!(
        "usage: paydesk_bench gen
       paydesk_bench spawn [--runs N] [--warmup N] [--target-ms MS] [--name NAME] -- CMD ARGS...
       paydesk_bench batch [--orders N] [--concurrency N] [--delay-ms MS]
       paydesk_bench write-ab [--orders N] [--rounds N]
       paydesk_bench search [--runs N]
env: PAYDESK_BENCH_DIR, PAYDESK_BENCH_SIZES, PAYDESK_BENCH_SMOKE"
    );
    ExitCode::from(2)
}

fn opt<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match args.first().map(String::as_str) {
        Some("gen") => rt.block_on(gen()),
        Some("spawn") => spawn(&args[1..]),
        Some("batch") => rt.block_on(batch(&args[1..])),
        Some("write-ab") => rt.block_on(write_ab(&args[1..])),
        Some("search") => rt.block_on(search(&args[1..])),
        _ => usage(),
    }
}

async fn gen() -> ExitCode {
    for n in support::sizes() {
        let t = Instant::now();
        let r = support::generate(&support::data_dir(n), n).await;
        println!(
            "history of {n} orders written in {:.1} s ({})",
            t.elapsed().as_secs_f64(),
            support::data_dir(n).display()
        );
        let met = |rate: f64| {
            if rate >= WRITE_TARGET {
                "met"
            } else {
                "MISSED"
            }
        };
        figure(
            &format!("write.batched/{n}"),
            r.batched_per_s(),
            "orders/s",
            &format!(
                "committed: {} orders in transactions of {}, the trigram index behind; target at 1M >= {WRITE_TARGET:.0}: {}",
                r.batched,
                support::BATCH,
                met(r.batched_per_s())
            ),
        );
        figure(
            &format!("write.batched.indexed/{n}"),
            r.indexed_per_s(),
            "orders/s",
            &format!(
                "the same batches until the trigram index holds them all ({} rows indexed after the last commit); target at 1M >= {WRITE_TARGET:.0}: {}",
                r.behind,
                met(r.indexed_per_s())
            ),
        );
        if let (Some(cpu), Some(icpu)) = (r.batched_per_cpu_s(), r.indexed_per_cpu_s()) {
            figure(
                &format!("write.batched.cpu/{n}"),
                cpu,
                "orders/CPU s",
                "committed, per second of the process's CPU time (load-independent but for cache sharing)",
            );
            figure(
                &format!("write.batched.indexed.cpu/{n}"),
                icpu,
                "orders/CPU s",
                "until indexed, per second of the process's CPU time",
            );
        }
        figure(
            &format!("write.single/{n}"),
            r.singles_per_s(),
            "orders/s",
            &format!(
                "{} single creates at the end; p50 {:.0} us, p99 {:.0} us",
                r.singles, r.single_p50_us, r.single_p99_us
            ),
        );
        let mb = r.db_bytes as f64 / 1e6;
        figure(
            &format!("db.size/{n}"),
            mb,
            "MB",
            &format!(
                "per million <= {SIZE_TARGET_MB:.0} MB: {}",
                if r.mb_per_million() <= SIZE_TARGET_MB {
                    "met"
                } else {
                    "MISSED"
                }
            ),
        );
        figure(&format!("db.per_million/{n}"), r.mb_per_million(), "MB", "");
        if let Some(parts) = db_parts(n).await {
            println!("  space by table and index (MB): {parts}");
        }
    }
    ExitCode::SUCCESS
}

/// Space taken by each table and index, from SQLite's `dbstat` (when built in).
async fn db_parts(n: usize) -> Option<String> {
    let store = paydesk_core::store::Store::open(&support::data_dir(n))
        .await
        .ok()?;
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
            .fetch_all(store.pool())
            .await
            .ok()?;
    store.pool().close().await;
    Some(
        rows.iter()
            .filter(|(_, b)| *b > 64 * 1024)
            .map(|(name, b)| format!("{name} {:.1}", *b as f64 / 1e6))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

async fn write_ab(args: &[String]) -> ExitCode {
    use support::Indexing;
    let n: usize = opt(args, "--orders", 100_000);
    let rounds: usize = opt(args, "--rounds", 2);
    let dir = support::bench_dir().join(format!("write-ab-{n}"));
    let ways = Indexing::ALL;
    let mut rate = vec![Vec::new(); ways.len()];
    let mut cpu_rate = vec![Vec::new(); ways.len()];
    let mut size = vec![0.0f64; ways.len()];
    for r in 0..rounds {
        // Each round starts with another way, so a load change hits all alike.
        for k in 0..ways.len() {
            let i = (r + k) % ways.len();
            let rep = support::generate_as(&dir, n, ways[i]).await;
            // Until indexed: the same work done for each way.
            rate[i].push(rep.indexed_per_s());
            cpu_rate[i].extend(rep.indexed_per_cpu_s());
            size[i] = rep.mb_per_million();
            println!(
                "round {r}, {}: {:.0} orders/s batched and indexed ({:.0} per CPU second; {:.0}/s committed), {:.0} singly (p50 {:.0} us, p99 {:.0} us), {:.1} MB per million",
                ways[i].name(),
                rep.indexed_per_s(),
                rep.indexed_per_cpu_s().unwrap_or(0.0),
                rep.batched_per_s(),
                rep.singles_per_s(),
                rep.single_p50_us,
                rep.single_p99_us,
                rep.mb_per_million()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    for (i, way) in ways.iter().enumerate() {
        figure(
            &format!("write.ab.{}/{n}", way.name()),
            mean(&rate[i]),
            "orders/s",
            "batched until indexed, mean of the interleaved rounds",
        );
        if !cpu_rate[i].is_empty() {
            figure(
                &format!("write.ab.{}.cpu/{n}", way.name()),
                mean(&cpu_rate[i]),
                "orders/CPU s",
                "batched until indexed, per second of the process's CPU time",
            );
        }
        figure(
            &format!("db.ab.{}/{n}", way.name()),
            size[i],
            "MB per million",
            "",
        );
    }
    let base = mean(&rate[2]);
    for i in 0..2 {
        figure(
            &format!("write.ab.ratio.{}/{n}", ways[i].name()),
            mean(&rate[i]) / base,
            "x",
            "against before 0012 (no trigram index)",
        );
    }
    ExitCode::SUCCESS
}

async fn search(args: &[String]) -> ExitCode {
    let runs: usize = opt(args, "--runs", 300);
    for n in support::sizes() {
        let (store, _) = support::open_or_generate(n).await;
        let nos = support::sample_order_nos(n);
        for case in support::cases(&nos[nos.len() / 2]) {
            for (page, filter) in [
                ("first", case.filter.clone()),
                ("deep", support::deep(&case.filter)),
            ] {
                let mut times = Vec::with_capacity(runs);
                let t0 = Instant::now();
                let mut found = 0;
                while times.len() < runs
                    && (times.len() < 3 || t0.elapsed() < Duration::from_secs(3))
                {
                    let t = Instant::now();
                    found = store
                        .list_orders(&filter)
                        .await
                        .expect("list_orders")
                        .orders
                        .len();
                    times.push(t.elapsed());
                }
                let s = Stats::of(times);
                let p99 = s.p99_us() / 1e3;
                figure(
                    &format!("search.p99/{n}/{}/{page}", case.name),
                    p99,
                    "ms",
                    &format!(
                        "p50 {:.2} ms, {} rows, {} runs; < 20 ms: {}",
                        s.p50_us() / 1e3,
                        found,
                        s.len(),
                        if p99 < 20.0 { "met" } else { "MISSED" }
                    ),
                );
            }
        }
    }
    ExitCode::SUCCESS
}

fn spawn(args: &[String]) -> ExitCode {
    let Some(sep) = args.iter().position(|a| a == "--") else {
        return usage();
    };
    let (opts, cmd) = (&args[..sep], &args[sep + 1..]);
    if cmd.is_empty() {
        return usage();
    }
    let runs: usize = opt(opts, "--runs", 200);
    let warmup: usize = opt(opts, "--warmup", 5);
    let target_ms: f64 = opt(opts, "--target-ms", 0.0);
    let name: String = opt(opts, "--name", "spawn".to_string());
    let once = || {
        let t = Instant::now();
        let out = Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdin(Stdio::null())
            .output()
            .expect("start the command");
        let d = t.elapsed();
        if !out.status.success() {
            eprintln!(
                "command failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            std::process::exit(1);
        }
        d
    };
    for _ in 0..warmup {
        once();
    }
    let s = Stats::of((0..runs).map(|_| once()).collect());
    let verdict = if target_ms > 0.0 {
        let met = s.p99_us() / 1e3 < target_ms;
        format!("< {target_ms} ms: {}", if met { "met" } else { "MISSED" })
    } else {
        String::new()
    };
    figure(&format!("{name}.p50"), s.p50_us() / 1e3, "ms", "");
    figure(&format!("{name}.p99"), s.p99_us() / 1e3, "ms", &verdict);
    figure(&format!("{name}.max"), s.max_us() / 1e3, "ms", "");
    ExitCode::SUCCESS
}

async fn batch(args: &[String]) -> ExitCode {
    let orders: usize = opt(args, "--orders", 1_000);
    let concurrency: usize = opt(args, "--concurrency", 16);
    let delay_ms: u64 = opt(args, "--delay-ms", 50);
    let provider = ProviderKind::Jstpay;

    let sandbox = paydesk_sandbox::spawn(0, None).await.expect("sandbox");
    sandbox.sim.add_fault(FaultSpec {
        provider,
        fault: FaultKind::Delay,
        delay_ms: Some(delay_ms),
        times: None,
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let desk = PayDesk::open(dir.path(), Arc::new(MemoryStore::default()))
        .await
        .expect("open");
    let c = paydesk_sandbox::credentials(provider);
    desk.add_profile(
        ProfileInput {
            name: "bench".into(),
            provider: Some(provider),
            gateway: paydesk_core::gateway::GatewayConfig {
                base_url: sandbox.base_url(provider),
                merchant_id: c.merchant_id.into(),
                app_id: c.app_id.map(String::from),
                operator_id: c.operator_id.map(String::from),
                ..Default::default()
            },
            sandbox: true,
            ..Default::default()
        },
        Secret::new(c.secret),
        c.reply_secret.map(Secret::new),
    )
    .await
    .expect("profile");
    let input = |i: usize| OrderInput {
        amount: "100".into(),
        order_no: None,
        values: BTreeMap::from(
            [
                ("payee_name", format!("张三{}", i % 100)),
                ("account_no", "6222020200112233445".into()),
                ("bank_name", "中国工商银行".into()),
                ("branch", "上海分行".into()),
                ("province", "上海市".into()),
                ("city", "上海市".into()),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        ),
    };
    // One order first, so connection set-up is not in the figure.
    desk.create_order("bench", OrderKind::Payout, &input(0))
        .await
        .expect("warm-up order");

    let t0 = Instant::now();
    let results: Vec<(Duration, Result<OrderStatus, String>)> =
        futures_util::stream::iter(0..orders)
            .map(|i| {
                let desk = &desk;
                let input = input(i);
                async move {
                    let t = Instant::now();
                    let r = desk
                        .create_order("bench", OrderKind::Payout, &input)
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|o| match o.error {
                            None => Ok(o.order.status),
                            Some(e) => Err(format!("{}: {}", e.code, e.message)),
                        });
                    (t.elapsed(), r)
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
    let wall = t0.elapsed().as_secs_f64();

    let failures: Vec<&String> = results.iter().filter_map(|r| r.1.as_ref().err()).collect();
    if let Some(e) = failures.first() {
        eprintln!("{} of {orders} orders failed; first: {e}", failures.len());
        return ExitCode::FAILURE;
    }
    let lat = Stats::of(results.iter().map(|r| r.0).collect());
    let ideal = orders as f64 * delay_ms as f64 / 1e3 / concurrency as f64;
    let ratio = wall / ideal;
    // Time each order spent beyond the injected delay, per concurrency slot.
    let overhead_ms = (wall - ideal) * 1e3 * concurrency as f64 / orders as f64;
    println!(
        "{orders} payouts at concurrency {concurrency}, {delay_ms} ms injected: {wall:.3} s (ideal {ideal:.3} s)"
    );
    figure("batch.wall", wall, "s", &format!("ideal {ideal:.3} s"));
    figure(
        "batch.ratio",
        ratio,
        "x ideal",
        if ratio <= 1.2 {
            "<= 1.2: met"
        } else {
            "<= 1.2: MISSED"
        },
    );
    figure("batch.overhead_per_order", overhead_ms, "ms", "");
    figure(
        "batch.order_latency.p50",
        lat.p50_us() / 1e3,
        "ms",
        &format!("{delay_ms} ms of it injected"),
    );
    figure("batch.order_latency.p99", lat.p99_us() / 1e3, "ms", "");
    ExitCode::SUCCESS
}
