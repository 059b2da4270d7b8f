//! Issue 10 through the real `paydesk` binary against the sandbox over
//! loopback: nothing typed is dropped, input read as people type it, honest
//! messages and exit codes, limits, a keyring that stops answering, the form
//! command and `profile edit`.

mod support;

use paydesk_core::ProviderKind;
use serde_json::Value;
use std::time::{Duration, Instant};
use support::{Env, Run, JST_PAYEE};

async fn create(env: &Env, what: &str, profile: &str, amount: &str, args: &[&str]) -> Run {
    let mut a = vec![
        "--json",
        what,
        "create",
        "--profile",
        profile,
        "--amount",
        amount,
    ];
    a.extend_from_slice(args);
    env.run(&a).await
}

fn error_field(r: &Run) -> String {
    r.json()["error"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn error_message(r: &Run) -> String {
    r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn order_count(env: &Env) -> usize {
    env.json(&["order", "list", "--limit", "1000"]).await["orders"]
        .as_array()
        .unwrap()
        .len()
}

/// Item 3: a value for a field the current choices hide is refused with the
/// choice it needs, or selects the only mode it belongs to; a value given
/// twice must agree; xxpay's bank name is checked against its code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_typed_is_silently_dropped() {
    let env = Env::new().await;
    for (name, kind) in [
        ("jy", ProviderKind::Juyouke),
        ("je", ProviderKind::Jeepay),
        ("js", ProviderKind::Jstpay),
        ("x", ProviderKind::Xxpay),
    ] {
        env.add_profile(name, kind, None).await.ok();
    }

    // An auth code means B-scans-C: the customer's code is charged, no H5 link.
    let v = create(
        &env,
        "deposit",
        "jy",
        "1",
        &["--channel", "1", "--auth-code", "134567890123456789"],
    )
    .await
    .ok()
    .json();
    assert_eq!(v["fields"]["pay_type"], "codepay", "{v}");
    assert_eq!(v["fields"]["auth_code"], "134567890123456789", "{v}");
    assert!(v["pay_url"].is_null(), "{v}");
    // Typed against an explicit other mode: refused, naming what it needs.
    let r = create(
        &env,
        "deposit",
        "jy",
        "1",
        &[
            "--field",
            "pay_type=h5",
            "--auth-code",
            "134567890123456789",
        ],
    )
    .await
    .failed();
    assert_eq!(error_field(&r), "auth_code");
    assert!(
        error_message(&r).contains("needs pay_type = codepay"),
        "{}",
        r.stdout
    );

    let before = order_count(&env).await;
    // jeepay: a bank name under the default WX_CASH.
    let r = create(
        &env,
        "payout",
        "je",
        "1",
        &[
            "--account-no",
            "o6BcIwvTvIqf1zXZohc61biryWik",
            "--bank-name",
            "中国银行",
        ],
    )
    .await
    .failed();
    assert_eq!(error_field(&r), "bank_name");
    assert!(error_message(&r).contains("entry_type = BANK_CARD"));
    // jstpay: a payer name without --to-card.
    let r = create(
        &env,
        "deposit",
        "js",
        "100",
        &["--channel", "bank", "--payer-name", "张三"],
    )
    .await
    .failed();
    assert_eq!(error_field(&r), "payer_name");
    assert!(error_message(&r).contains("to_card = true"));
    // xxpay: payer details off channel 8000.
    let r = create(
        &env,
        "deposit",
        "x",
        "100",
        &["--channel", "8002", "--payer-name", "张三"],
    )
    .await
    .failed();
    assert_eq!(error_field(&r), "payer_name");
    assert!(error_message(&r).contains("channel = 8000"));
    // A flag and --field disagreeing.
    let mut args = JST_PAYEE.to_vec();
    args.extend(["--field", "payee_name=李四"]);
    let r = create(&env, "payout", "js", "100", &args).await.failed();
    assert_eq!(error_field(&r), "payee_name");
    // None of the refusals stored anything.
    assert_eq!(order_count(&env).await, before);

    // xxpay: the bank name must be the code's; alone, it gives the code.
    let xx = |bank: &'static [&'static str]| {
        let mut a = vec![
            "--payee-name",
            "张三",
            "--account-no",
            "6222020200112233445",
            "--province",
            "江苏",
            "--city",
            "南京",
        ];
        a.extend_from_slice(bank);
        a
    };
    let r = create(
        &env,
        "payout",
        "x",
        "100",
        &xx(&["--bank-code", "HPT00002", "--bank-name", "招商银行"]),
    )
    .await
    .failed();
    assert_eq!(error_field(&r), "bank_name");
    assert!(error_message(&r).contains("中国工商银行"), "{}", r.stdout);
    let v = create(
        &env,
        "payout",
        "x",
        "100",
        &xx(&["--bank-code", "HPT00002", "--bank-name", "中国工商银行"]),
    )
    .await
    .ok()
    .json();
    assert_eq!(v["fields"]["bank_code"], "HPT00002");
    let v = create(
        &env,
        "payout",
        "x",
        "100",
        &xx(&["--bank-name", "招商银行"]),
    )
    .await
    .ok()
    .json();
    assert_eq!(v["fields"]["bank_code"], "HPT00005", "{v}");
}

fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10).unwrap();
        sum += if i % 2 == 1 {
            if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        } else {
            d
        };
    }
    sum % 10 == 0
}

/// A card number that passes (`valid`) or fails the Luhn check.
fn card(valid: bool) -> String {
    let base = "622202020011223344";
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|n| luhn_ok(n) == valid)
        .unwrap()
}

async fn ak_payout(env: &Env, name: String, account: String, bank: String) -> (String, String) {
    let r = create(
        env,
        "payout",
        "ak",
        "100",
        &[
            "--payee-name",
            &name,
            "--account-no",
            &account,
            "--bank-name",
            &bank,
        ],
    )
    .await
    .failed();
    (error_field(&r), error_message(&r))
}

/// The CLI in Chinese (the harness runs it in English).
async fn run_zh(env: &Env, args: &[&str]) -> Run {
    let mut a = vec!["--lang", "zh-CN"];
    a.extend_from_slice(args);
    run_raw(env, &a).await
}

/// The CLI without the harness's `--lang en`.
async fn run_raw(env: &Env, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(support::bin());
    cmd.arg("--data-dir")
        .arg(env.data_dir())
        .env_remove("PAYDESK_LANG")
        .args(args)
        .env_remove("PAYDESK_DATA_DIR");
    support::engine::point_child(&mut cmd, env.data_dir());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Item 8: full-width digits, account numbers, invisible characters, length
/// limits and banks resolved like the picker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_is_read_as_people_type_it() {
    let env = Env::new().await;
    env.add_profile("js", ProviderKind::Jstpay, None).await.ok();
    env.add_profile("ak", ProviderKind::Appkey, None).await.ok();
    env.add_profile("x", ProviderKind::Xxpay, None).await.ok();

    let good = card(true);
    let wide: String = good
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let w = char::from_u32(c as u32 + 0xFEE0).unwrap();
            if i % 4 == 3 {
                vec![w, '\u{3000}']
            } else {
                vec![w]
            }
        })
        .collect();
    let v = create(
        &env,
        "payout",
        "js",
        "１００",
        &[
            "--order-no",
            "ＦＷ００１",
            "--payee-name",
            "张三",
            "--account-no",
            &wide,
            "--bank-name",
            "gsyh",
            "--branch",
            "上海分行",
            "--province",
            "上海市",
            "--city",
            "上海市",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(v["amount_fen"], 10000);
    assert_eq!(v["order_no"], "FW001");
    assert_eq!(v["fields"]["account_no"], good.as_str());
    assert_eq!(v["fields"]["bank_name"], "中国工商银行");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0, "{v}");
    let by_no = env.json(&["order", "get", "ＦＷ００１"]).await;
    assert_eq!(by_no["orders"][0]["order_no"], "FW001");

    // A card failing the Luhn check: sent, with a warning naming the field.
    let bad = card(false);
    let r = create(
        &env,
        "payout",
        "ak",
        "100",
        &[
            "--payee-name",
            "李四",
            "--account-no",
            &bad,
            "--bank-name",
            "中国工商银行",
        ],
    )
    .await
    .ok();
    let v = r.json();
    assert_eq!(v["warnings"][0]["field"], "account_no", "{v}");
    assert!(r.stderr.contains("Luhn"), "{}", r.stderr);

    let payout = |name: String, account: &str, bank: &str| {
        ak_payout(&env, name, account.to_string(), bank.to_string())
    };
    let (f, m) = payout("李四".into(), "6222-0202-ABCD", "中国工商银行").await;
    assert_eq!(f, "account_no", "{m}");
    let (f, m) = payout("李四".into(), "62220202", "中国工商银行").await;
    assert_eq!(f, "account_no");
    assert!(m.contains("12–32"), "{m}");
    for evil in [
        "\u{202E}四李",
        "李\u{200B}四",
        "\u{FEFF}李四",
        "李\u{2066}四",
    ] {
        let (f, _) = payout(evil.into(), &good, "中国工商银行").await;
        assert_eq!(f, "payee_name", "{evil:?}");
    }
    let (f, m) = payout("李".repeat(10_000), &good, "中国工商银行").await;
    assert_eq!(f, "payee_name");
    assert!(m.contains("at most"), "{m}");
    let (f, m) = payout("李四".into(), &good, "nosuchbank").await;
    assert_eq!(f, "bank_name");
    assert!(m.contains("nosuchbank"), "{m}");

    // xxpay's closed list: initials give the code; unknown codes are refused.
    let xx = |code: &'static str| {
        vec![
            "--payee-name",
            "张三",
            "--account-no",
            "6222020200112233445",
            "--province",
            "江苏",
            "--city",
            "南京",
            "--bank-code",
            code,
        ]
    };
    let v = create(&env, "payout", "x", "100", &xx("gsyh"))
        .await
        .ok()
        .json();
    assert_eq!(v["fields"]["bank_code"], "HPT00002");
    let r = create(&env, "payout", "x", "100", &xx("HPT00099"))
        .await
        .failed();
    assert_eq!(error_field(&r), "bank_code");
}

/// Item 6 and 10: usage errors as JSON, --lang checked, exit codes in --help,
/// and a failed query exits non-zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_and_exit_codes_fit_the_call() {
    let env = Env::new().await;
    let r = env.run(&["--json", "payout", "create"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.json()["error"]["code"], "usage", "{}", r.stdout);
    let r = env.run(&["--json", "order", "list", "--limit", "0"]).await;
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["error"]["code"], "usage");
    let r = env
        .run(&["--json", "order", "list", "--limit", "5000"])
        .await;
    assert_eq!(r.code, 2);
    // A refused command line speaks the run's language (zh-CN by default)
    // and names the flag, in text and in JSON.
    let r = run_raw(&env, &["order", "list", "--limit", "0"]).await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("参数 --limit 的值“0”无效：应在 1 到 1000 之间"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("invalid value"), "{}", r.stderr);
    let r = run_raw(&env, &["--json", "order", "lst"]).await;
    assert_eq!(r.code, 2);
    assert_eq!(
        r.json()["error"]["message"],
        "没有子命令“lst”（是否想用 list？）"
    );
    let r = env.run(&["--json", "order", "list", "--limit", "x"]).await;
    assert_eq!(r.json()["error"]["field"], "--limit");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid value 'x' for '--limit"),
        "{}",
        r.stdout
    );
    let r = run_raw(&env, &["--json", "--lang", "fr", "profile", "list"]).await;
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.json()["error"]["code"], "usage");
    assert!(r.stdout.contains("fr"), "{}", r.stdout);
    run_raw(&env, &["--lang", "en-US", "profile", "list"])
        .await
        .ok();
    let r = env.run(&["--help"]).await.ok();
    assert!(r.stdout.contains("Exit codes"), "{}", r.stdout);
    for code in ["  3  ", "  4  ", "  5  "] {
        assert!(r.stdout.contains(code), "{}", r.stdout);
    }

    env.add_profile("js", ProviderKind::Jstpay, None).await.ok();
    let mut a = vec!["--order-no", "Q1"];
    a.extend_from_slice(JST_PAYEE);
    create(&env, "payout", "js", "100", &a).await.ok();
    env.sandbox.sim.add_fault(paydesk_sandbox::FaultSpec {
        provider: ProviderKind::Jstpay,
        fault: paydesk_sandbox::FaultKind::Http500,
        delay_ms: None,
        times: Some(1),
    });
    let r = env
        .run(&["--json", "order", "get", "Q1", "--refresh"])
        .await;
    assert_eq!(r.code, 5, "{}", r.stdout);
    let v = r.json();
    assert_eq!(v["errors"][0]["order_no"], "Q1", "{v}");
    assert!(!v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("creating it again"));
    env.sandbox.sim.add_fault(paydesk_sandbox::FaultSpec {
        provider: ProviderKind::Jstpay,
        fault: paydesk_sandbox::FaultKind::Http500,
        delay_ms: None,
        times: Some(1),
    });
    let r = env.run(&["--json", "order", "refresh"]).await;
    assert_eq!(r.code, 5, "{}", r.stdout);
    // Answered: exit 0.
    env.run(&["--json", "order", "get", "Q1", "--refresh"])
        .await
        .ok();
}

/// Item 6: a balance that times out says so, without the create path's
/// "the order may have been received... do not create it again", and fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_balance_timeout_is_a_failed_read_not_an_order_warning() {
    let env = Env::new().await;
    env.add_profile("js", ProviderKind::Jstpay, None).await.ok();
    env.sandbox.sim.add_fault(paydesk_sandbox::FaultSpec {
        provider: ProviderKind::Jstpay,
        fault: paydesk_sandbox::FaultKind::Delay,
        delay_ms: Some(40_000),
        times: Some(1),
    });
    let r = run_zh(&env, &["balance", "--profile", "js"]).await;
    let out = r.stdout.clone();
    assert_eq!(r.code, 5, "{out}");
    assert!(out.contains("未能读取余额"), "{out}");
    assert!(
        !out.contains("不要重复下单") && !out.contains("订单可能"),
        "{out}"
    );
}

/// Item 7: arrivals ranges are capped; order lists page with a cursor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_and_pages_are_bounded() {
    let env = Env::new().await;
    env.add_profile("js", ProviderKind::Jstpay, None).await.ok();
    let r = env
        .run(&["--json", "arrivals", "--profile", "js", "--start", "0"])
        .await
        .failed();
    assert_eq!(error_field(&r), "start");
    let r = env
        .run(&[
            "--json",
            "arrivals",
            "--profile",
            "js",
            "--start",
            "2026-01-01",
            "--end",
            "2026-03-01",
        ])
        .await
        .failed();
    assert_eq!(error_field(&r), "start");
    assert!(error_message(&r).contains("31 days"));
    let v = env
        .json(&[
            "arrivals",
            "--profile",
            "js",
            "--start",
            "2026-01-01",
            "--end",
            "2026-01-31",
        ])
        .await;
    assert!(!v["arrivals"].as_array().unwrap().is_empty(), "{v}");

    for i in 0..3 {
        let no = format!("PG{i}");
        let mut a = vec!["--order-no", no.as_str()];
        a.extend_from_slice(JST_PAYEE);
        create(&env, "payout", "js", "100", &a).await.ok();
    }
    let v = env.json(&["order", "list", "--limit", "2"]).await;
    assert_eq!(v["orders"].as_array().unwrap().len(), 2);
    assert_eq!(v["more"], true);
    let next = v["next"].as_str().unwrap().to_string();
    let v = env
        .json(&["order", "list", "--limit", "2", "--after", &next])
        .await;
    assert_eq!(v["orders"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["more"], false);
    let r = env
        .run(&["--json", "order", "list", "--after", "nonsense"])
        .await
        .failed();
    assert_eq!(error_field(&r), "after");
}

/// Item 9: a keyring that does not answer (its D-Bus daemon stopped) ends
/// the command with a clear error within the timeout instead of a hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyring_that_does_not_answer_fails_clearly_in_time() {
    let env = Env::new().await;
    let mut bus = std::process::Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("dbus-daemon runs");
    let mut line = String::new();
    {
        use std::io::BufRead;
        let out = bus.stdout.as_mut().unwrap();
        std::io::BufReader::new(out).read_line(&mut line).unwrap();
    }
    let address = line.trim().to_string();
    assert!(!address.is_empty());
    // Stopped: connections are accepted by the kernel, nothing ever answers.
    let pid = bus.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .unwrap()
        .success());
    let c = paydesk_sandbox::credentials(ProviderKind::Jstpay);
    let mut cmd = env.command(&[
        "--json",
        "profile",
        "add",
        "js",
        "--provider",
        "jstpay",
        "--base-url",
        &env.sandbox.base_url(ProviderKind::Jstpay),
        "--merchant-id",
        c.merchant_id,
        "--secret-stdin",
    ]);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("PAYDESK_KEYRING_TIMEOUT_SECS", "2")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let secret = format!("{}\n", c.secret);
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(secret.as_bytes())
            .unwrap();
        // Never wait forever, even if the fix regresses.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(_status) = child.try_wait().unwrap() {
                break child.wait_with_output().unwrap();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                break child.wait_with_output().unwrap();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .unwrap();
    let took = started.elapsed();
    let _ = std::process::Command::new("kill")
        .args(["-CONT", &pid])
        .status();
    let _ = bus.kill();
    let _ = bus.wait();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(took < Duration::from_secs(15), "took {took:?}: {stdout}");
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["error"]["code"], "secret", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 2 s"),
        "{v}"
    );
    // Nothing was half-written: the profile does not exist.
    let v = env.json(&["profile", "list"]).await;
    assert_eq!(v["profiles"].as_array().unwrap().len(), 0);
}

/// Item 11: the form command, every missing field at once, and `order get`
/// showing who is paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_are_discoverable() {
    let env = Env::new().await;
    env.add_profile("x", ProviderKind::Xxpay, None).await.ok();
    env.add_profile("js", ProviderKind::Jstpay, None).await.ok();
    let r = run_zh(&env, &["form", "x", "deposit"]).await.ok();
    assert!(r.stdout.contains("8002 微信扫码支付"), "{}", r.stdout);
    assert!(r.stdout.contains("payer_bank_code"), "{}", r.stdout);
    let r = env.run(&["form", "x", "payout"]).await.ok();
    assert!(r.stdout.contains("1 Bank card transfer"), "{}", r.stdout);
    let v = env.json(&["form", "js", "payout"]).await;
    let ids: Vec<&str> = v["form"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"payee_name") && ids.contains(&"city"), "{v}");
    let r = env.run(&["form", "x", "refund"]).await;
    assert_eq!(r.code, 2);

    // Every missing field in one answer.
    let r = create(&env, "payout", "js", "100", &[]).await.failed();
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    for f in [
        "payee_name",
        "account_no",
        "bank_name",
        "branch",
        "province",
        "city",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
    }

    let mut a = vec!["--order-no", "SHOW1"];
    a.extend_from_slice(JST_PAYEE);
    create(&env, "payout", "js", "100", &a).await.ok();
    let r = env.run(&["order", "get", "SHOW1"]).await.ok();
    for s in [
        "张三",
        "6222020200112233445",
        "中国工商银行",
        "payee",
        "bank",
    ] {
        assert!(r.stdout.contains(s), "{s}: {}", r.stdout);
    }
    let r = env.run(&["order", "list"]).await.ok();
    assert!(r.stdout.contains("order no."), "{}", r.stdout);
}

/// Item 2: `profile edit` fixes a profile in place: a wrong key, a name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_edit_fixes_a_profile_in_place() {
    let env = Env::new().await;
    env.add_profile("js", ProviderKind::Jstpay, Some("wrong-key"))
        .await
        .ok();
    let mut a = vec!["--order-no", "E1"];
    a.extend_from_slice(JST_PAYEE);
    create(&env, "payout", "js", "100", &a).await.failed();
    let c = paydesk_sandbox::credentials(ProviderKind::Jstpay);
    let v = env
        .run_stdin(
            &[
                "--json",
                "profile",
                "edit",
                "js",
                "--name",
                "jst-main",
                "--low-balance",
                "50",
                "--secret-stdin",
            ],
            &format!("{}\n", c.secret),
        )
        .await
        .ok()
        .json();
    assert_eq!(v["name"], "jst-main", "{v}");
    assert_eq!(v["low_balance_fen"], 5000, "{v}");
    assert_eq!(v["merchant_id"], c.merchant_id);
    let mut a = vec!["--order-no", "E2"];
    a.extend_from_slice(JST_PAYEE);
    create(&env, "payout", "jst-main", "100", &a).await.ok();
    let r = env
        .run(&[
            "--json",
            "profile",
            "edit",
            "jst-main",
            "--base-url",
            "ftp://x",
        ])
        .await
        .failed();
    assert_eq!(error_field(&r), "base_url");
    env.run(&["--json", "profile", "show", "js"]).await.failed();
}
