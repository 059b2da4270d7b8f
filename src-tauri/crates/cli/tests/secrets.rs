//! Reliability item 3, secrets: after a full run of every gateway's calls
//! (successes, gateway faults, a wrong key, bad input; human output and
//! `--json`; with `PAYDESK_LOG=trace`), the merchant keys appear 0 times in
//! the SQLite file, its `-wal` and `-shm`, any other file of the data
//! directory, any stdout or stderr (logs included), and the stored exchanges
//! exported through `order get --json` (what the UI's CSV export is built
//! from). The UI's DOM is covered by the Playwright suite.

mod support;

use paydesk_core::ProviderKind;
use paydesk_sandbox::{FaultKind, FaultSpec};
use support::{contains, payout_flags, spawn_run, Env, JUYOUKE_CODEPAY};

const WRONG_KEY: &str = "wrong-key-7f3a9c2e";

struct Log {
    text: String,
    runs: usize,
}

impl Log {
    /// Runs `paydesk` with trace logging and keeps everything it printed.
    async fn run(&mut self, env: &Env, args: &[&str], stdin: &str) -> (i32, String) {
        let mut cmd = env.command(args);
        cmd.env("PAYDESK_LOG", "trace");
        let out = spawn_run(cmd, stdin).await;
        self.text.push_str(&out.stdout);
        self.text.push_str(&out.stderr);
        self.runs += 1;
        (out.code, out.stdout)
    }
}

fn order_args(kind: ProviderKind, deposit: bool) -> Vec<&'static str> {
    match (kind, deposit) {
        (ProviderKind::Jstpay, true) => vec!["deposit", "create", "--channel", "bank"],
        (ProviderKind::Juyouke, true) => JUYOUKE_CODEPAY.to_vec(),
        (ProviderKind::Appkey, true) => {
            vec![
                "deposit",
                "create",
                "--channel",
                "2",
                "--payer-name",
                "张三",
            ]
        }
        (ProviderKind::Xxpay, true) => {
            vec![
                "deposit",
                "create",
                "--channel",
                "8001",
                "--subject",
                "充值",
            ]
        }
        // Jeepay offers no deposit: its payout either way.
        _ => [&["payout", "create"][..], &payout_flags(kind)].concat(),
    }
}

fn with(base: &[&str], extra: &[&str]) -> Vec<String> {
    base.iter()
        .take(2)
        .chain(extra.iter())
        .chain(base.iter().skip(2))
        .map(|s| s.to_string())
        .collect()
}

async fn full_run(env: &Env, log: &mut Log, kind: ProviderKind) {
    let c = paydesk_sandbox::credentials(kind);
    let name = kind.as_str();
    let wrong = format!("{name}-wrong");
    let base = env.sandbox.base_url(kind);
    let mut add = vec![
        "profile",
        "add",
        "--provider",
        name,
        "--base-url",
        &base,
        "--merchant-id",
        c.merchant_id,
        "--notify-url",
        "http://127.0.0.1:9/n",
        "--return-url",
        "http://127.0.0.1:9/r",
        "--secret-stdin",
    ];
    if let Some(a) = c.app_id {
        add.extend(["--app-id", a]);
    }
    if let Some(o) = c.operator_id {
        add.extend(["--operator-id", o]);
    }
    let mut stdin = format!("{}\n", c.secret);
    if let Some(r) = c.reply_secret {
        stdin.push_str(&format!("{r}\n"));
    }
    for (profile, secret, json) in [
        (name, stdin.as_str(), true),
        (
            wrong.as_str(),
            &*format!("{WRONG_KEY}\n{WRONG_KEY}\n"),
            false,
        ),
    ] {
        let mut a: Vec<&str> = if json { vec!["--json"] } else { vec![] };
        a.extend(["profile", "add", profile]);
        a.extend(add.iter().skip(2));
        assert_eq!(log.run(env, &a, secret).await.0, 0);
    }
    for json in [true, false] {
        let j: &[&str] = if json { &["--json"] } else { &[] };
        for profile in [name, wrong.as_str()] {
            let mut a = j.to_vec();
            a.extend(["profile", "test", profile]);
            log.run(env, &a, "").await;
            let mut a = j.to_vec();
            a.extend(["profile", "show", profile]);
            log.run(env, &a, "").await;
        }
    }
    let caps = paydesk_core::providers::gateway(kind).capabilities();
    let faults = [
        None,
        Some(FaultKind::BadSign),
        Some(FaultKind::Http500),
        Some(FaultKind::Malformed),
        Some(FaultKind::WrongOrder),
        Some(FaultKind::WrongAmount),
    ];
    for deposit in [false, true] {
        if (deposit && !caps.deposit) || (!deposit && !caps.payout) {
            let a = vec![
                "--json",
                if deposit { "deposit" } else { "payout" },
                "create",
                "--profile",
                name,
                "--amount",
                "100",
                "--channel",
                "x",
            ];
            let a: Vec<&str> = if deposit { a } else { a[..6].to_vec() };
            assert_ne!(log.run(env, &a, "").await.0, 0);
            continue;
        }
        let base_args = order_args(kind, deposit);
        for (i, fault) in faults.iter().enumerate() {
            if let Some(f) = fault {
                env.sandbox.sim.add_fault(FaultSpec {
                    provider: kind,
                    fault: *f,
                    delay_ms: None,
                    times: Some(1),
                });
            }
            let json = i % 2 == 0;
            let mut a: Vec<String> = if json { vec!["--json".into()] } else { vec![] };
            a.extend(with(&base_args, &["--profile", name, "--amount", "100"]));
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            let (_, out) = log.run(env, &refs, "").await;
            env.sandbox.sim.clear_faults();
            if json {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&out) {
                    let o = if v["order"].is_object() {
                        &v["order"]
                    } else {
                        &v
                    };
                    if let Some(no) = o["order_no"].as_str() {
                        // The stored exchanges, as the export sees them.
                        log.run(env, &["--json", "order", "get", no, "--refresh"], "")
                            .await;
                        log.run(env, &["order", "get", no], "").await;
                    }
                }
            }
        }
        // The wrong key (refused by the gateway) and bad input, both outputs.
        for json in [true, false] {
            let mut a: Vec<String> = if json { vec!["--json".into()] } else { vec![] };
            a.extend(with(&base_args, &["--profile", &wrong, "--amount", "100"]));
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            assert_ne!(log.run(env, &refs, "").await.0, 0);
            let mut a: Vec<String> = if json { vec!["--json".into()] } else { vec![] };
            a.extend(with(&base_args, &["--profile", name, "--amount", "-1"]));
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            assert_ne!(log.run(env, &refs, "").await.0, 0);
        }
    }
    if caps.arrivals {
        log.run(env, &["--json", "arrivals", "--profile", name], "")
            .await;
        log.run(env, &["arrivals", "--profile", &wrong], "").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_appear_nowhere_after_a_full_run_of_every_gateway() {
    let env = Env::new().await;
    let mut log = Log {
        text: String::new(),
        runs: 0,
    };
    for kind in ProviderKind::ALL {
        full_run(&env, &mut log, kind).await;
    }
    for json in [true, false] {
        let j: &[&str] = if json { &["--json"] } else { &[] };
        for tail in [
            &["balance"][..],
            &["order", "list", "--limit", "1000"][..],
            &["order", "refresh"][..],
            &["profile", "list"][..],
            &["order", "get", "NO-SUCH-ORDER"][..],
        ] {
            let mut a = j.to_vec();
            a.extend_from_slice(tail);
            log.run(&env, &a, "").await;
        }
    }
    let mut secrets: Vec<&str> = vec![WRONG_KEY];
    for k in ProviderKind::ALL {
        let c = paydesk_sandbox::credentials(k);
        secrets.push(c.secret);
        secrets.extend(c.reply_secret);
    }
    // The run did reach the gateways and the logs were on.
    assert!(
        log.text.contains("gateway exchange"),
        "trace logs were captured"
    );
    let files: Vec<String> = std::fs::read_dir(env.data_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f == "paydesk.db"), "{files:?}");
    let bytes = env.data_bytes().await;
    let mut found = Vec::new();
    for s in &secrets {
        if contains(&bytes, s) {
            found.push(format!("{s} in the data directory {files:?}"));
        }
        let n = log.text.matches(s).count();
        if n > 0 {
            found.push(format!("{s} {n} times in the CLI output/logs"));
        }
    }
    println!(
        "SECRETS: {} CLI runs, {} bytes of output and logs, {} bytes of data files ({}), {} secrets checked, {} found",
        log.runs,
        log.text.len(),
        bytes.len(),
        files.join(", "),
        secrets.len(),
        found.len()
    );
    assert!(found.is_empty(), "{found:#?}");
}
