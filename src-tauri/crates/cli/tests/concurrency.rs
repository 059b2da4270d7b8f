//! Reliability item 5, concurrency: several OS processes write the same
//! SQLite database at once against the sandbox. Two long-lived processes use
//! the services in-process the way the desktop app does (4 creates in flight
//! each), while real `paydesk` CLI processes create orders beside them, 1,000
//! creates in all. Afterwards: 1,000 rows, 1,000 orders at the sandbox, no
//! failed create and no "database is locked" anywhere. A second test opens a
//! fresh data directory from several processes at the same moment (the first
//! start of the app and a CLI together: migrations race).
//!
//! The in-process writers are this test binary re-run as a child with
//! `PAYDESK_CONC_WORKER` set (see `worker`).

mod support;

use futures_util::StreamExt;
use paydesk_core::form::OrderInput;
use paydesk_core::vault::{KeyringStore, MemoryStore, SecretStore, Slot};
use paydesk_core::{OrderKind, ProviderKind};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;
use support::{Env, JST_PAYEE};

const APP_A: usize = 450;
const APP_B: usize = 450;
const CLI_RUNS: usize = 100;

fn jstpay_input(no: String) -> OrderInput {
    OrderInput {
        amount: "1".into(),
        order_no: Some(no),
        values: [
            ("payee_name", "张三"),
            ("account_no", "6222020200112233445"),
            ("bank_name", "中国工商银行"),
            ("branch", "上海分行"),
            ("province", "上海市"),
            ("city", "上海市"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    }
}

/// The child side: `PAYDESK_CONC_WORKER=<prefix>:<count>` creates `count`
/// orders (4 in flight) through the services on `PAYDESK_DATA_DIR`, or with
/// count 0 only opens the store. Prints one `WORKER` line with the tally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by the concurrency tests as a child process"]
async fn worker() {
    let Ok(spec) = std::env::var("PAYDESK_CONC_WORKER") else {
        return;
    };
    let (prefix, count) = spec.split_once(':').unwrap();
    let count: usize = count.parse().unwrap();
    let dir = std::env::var("PAYDESK_DATA_DIR").unwrap();
    // The profile's key is put in an in-memory vault: a keyring lookup per
    // create (a D-Bus round trip with session encryption, slow in a debug
    // build) would only dilute what is measured here, the database.
    let vault = MemoryStore::default();
    let desk =
        match support::engine::open(std::path::Path::new(&dir), Arc::new(vault.clone())).await {
            Ok(d) => d,
            Err(e) => {
                println!("WORKER ok=0 failed=1 error={e}");
                return;
            }
        };
    if count > 0 {
        let id = desk.profile("jstpay").await.unwrap().profile.id;
        let key = paydesk_sandbox::credentials(ProviderKind::Jstpay).secret;
        vault
            .set(&id, Slot::Secret, &paydesk_core::Secret::new(key))
            .unwrap();
    }
    let desk = &desk;
    let results: Vec<Result<(), String>> = futures_util::stream::iter(0..count)
        .map(|i| async move {
            let input = jstpay_input(format!("{prefix}{i:05}"));
            match desk.create_order("jstpay", OrderKind::Payout, &input).await {
                Ok(o) if o.error.is_none() => Ok(()),
                Ok(o) => Err(format!("{:?}", o.error)),
                Err(e) => Err(e.to_string()),
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    println!(
        "WORKER ok={} failed={} error={}",
        results.len() - failed.len(),
        failed.len(),
        failed.first().map(|s| s.as_str()).unwrap_or("-")
    );
}

fn spawn_worker(env: &Env, spec: &str) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    support::engine::point_child(&mut cmd, env.data_dir());
    cmd.args([
        "--exact",
        "worker",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("PAYDESK_CONC_WORKER", spec)
    .env("PAYDESK_DATA_DIR", env.data_dir())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

fn tally(out: std::process::Output) -> (usize, usize, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout
        .lines()
        .find_map(|l| l.find("WORKER ok=").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("no tally from the worker: {all}"));
    let num = |key: &str| -> usize {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .unwrap()
            .parse()
            .unwrap()
    };
    (num("ok="), num("failed="), all)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_and_the_cli_creating_1000_orders_at_once_lose_nothing() {
    let env = Env::new().await;
    env.add_profile("jstpay", ProviderKind::Jstpay, None)
        .await
        .ok();
    let started = Instant::now();
    let a = spawn_worker(&env, &format!("APPA:{APP_A}"));
    let b = spawn_worker(&env, &format!("APPB:{APP_B}"));
    // Two lanes of CLI processes beside them.
    let mut lanes = Vec::new();
    for lane in 0..2 {
        let cmds: Vec<Command> = (0..CLI_RUNS / 2)
            .map(|i| {
                let no = format!("CLI{lane}{i:04}");
                let mut args = vec![
                    "--json",
                    "payout",
                    "create",
                    "--profile",
                    "jstpay",
                    "--amount",
                    "1",
                    "--order-no",
                    &no,
                ];
                args.extend_from_slice(JST_PAYEE);
                let mut c = env.command(&args);
                c.stdin(Stdio::null());
                c
            })
            .collect();
        lanes.push(tokio::task::spawn_blocking(move || {
            let mut ok = 0;
            let mut text = String::new();
            for mut c in cmds {
                let out = c.output().unwrap();
                if out.status.success() {
                    ok += 1;
                }
                text.push_str(&String::from_utf8_lossy(&out.stdout));
                text.push_str(&String::from_utf8_lossy(&out.stderr));
            }
            (ok, text)
        }));
    }
    let (a, b) = tokio::task::spawn_blocking(move || {
        (a.wait_with_output().unwrap(), b.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    let (a_ok, a_failed, a_text) = tally(a);
    let (b_ok, b_failed, b_text) = tally(b);
    let mut cli_ok = 0;
    let mut all_text = format!("{a_text}{b_text}");
    for l in lanes {
        let (ok, text) = l.await.unwrap();
        cli_ok += ok;
        all_text.push_str(&text);
    }
    let elapsed = started.elapsed();
    let desk = support::engine::open(env.data_dir(), Arc::new(KeyringStore))
        .await
        .unwrap();
    let count = |sql: &'static str| support::engine::scalar_i64(&desk, sql);
    let rows = count("SELECT COUNT(*) FROM orders").await;
    let bad =
        count("SELECT COUNT(*) FROM orders WHERE status NOT IN ('pending','processing')").await;
    let events = count("SELECT COUNT(*) FROM order_events").await;
    let at_gateway = env.sandbox.sim.orders().len();
    println!(
        "CONCURRENCY: {} creates ({} + {} in two app processes, {} CLI processes) in {:.1} s: {} rows, {} events, {} at the sandbox, {} failed, {} not accepted",
        APP_A + APP_B + CLI_RUNS,
        APP_A,
        APP_B,
        CLI_RUNS,
        elapsed.as_secs_f64(),
        rows,
        events,
        at_gateway,
        a_failed + b_failed + (CLI_RUNS - cli_ok),
        bad
    );
    assert!(!all_text.to_lowercase().contains("locked"), "{all_text}");
    assert_eq!((a_ok, a_failed), (APP_A, 0), "{a_text}");
    assert_eq!((b_ok, b_failed), (APP_B, 0), "{b_text}");
    assert_eq!(cli_ok, CLI_RUNS, "{all_text}");
    assert_eq!(rows as usize, APP_A + APP_B + CLI_RUNS);
    assert_eq!(at_gateway, APP_A + APP_B + CLI_RUNS);
    assert_eq!(bad, 0, "every order accepted by the gateway");
    assert_eq!(
        events as usize,
        2 * rows as usize,
        "create + answer for each"
    );
}

/// First start: the app and CLIs open a data directory that does not exist
/// yet, at the same moment; every one of them must open it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_opening_a_fresh_database_at_once_all_succeed() {
    if support::engine::sqlite_only(
        "concurrency::several_processes_opening_a_fresh_database_at_once_all_succeed",
    ) {
        return;
    }
    for round in 0..3 {
        let env = Env::new().await;
        let children: Vec<_> = (0..4).map(|_| spawn_worker(&env, "OPEN:0")).collect();
        let outs = tokio::task::spawn_blocking(move || {
            children
                .into_iter()
                .map(|c| c.wait_with_output().unwrap())
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
        for o in outs {
            let (_, failed, text) = tally(o);
            assert_eq!(failed, 0, "round {round}: {text}");
        }
    }
}
