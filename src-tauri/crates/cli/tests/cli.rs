//! The `paydesk` CLI against the sandbox over loopback: every call for every
//! gateway, a failure and a duplicate order number each, and the secret nowhere
//! in the database or the output.

mod support;

use paydesk_core::ProviderKind;
use serde_json::Value;
use support::{contains, payout_flags, Env, Run};

/// The arguments of a valid payout / deposit for each gateway.
fn payout_args(kind: ProviderKind) -> Option<Vec<&'static str>> {
    Some(match kind {
        ProviderKind::Jstpay => vec![
            "--payee-name",
            "张三",
            "--account-no",
            "6222020200112233445",
            "--bank-name",
            "中国 工商银行",
            "--branch",
            "上海分行(浦东)~支行",
            "--province",
            "上海市",
            "--city",
            "上海市",
        ],
        ProviderKind::Jeepay => vec![
            "--entry-type",
            "WX_CASH",
            "--if-code",
            "wxpay",
            "--account-no",
            "o6BcIwvTvIqf1zXZohc61biryWik",
            "--payee-name",
            "张三",
            "--remark",
            "测试转账",
        ],
        // The same as every suite's (support/args.rs).
        _ => payout_flags(kind),
    })
}

fn deposit_args(kind: ProviderKind) -> Option<Vec<&'static str>> {
    match kind {
        ProviderKind::Jstpay => Some(vec!["--channel", "bank"]),
        ProviderKind::Jeepay => None,
        ProviderKind::Juyouke => Some(vec!["--channel", "1", "--subject", "测试商品 A"]),
        ProviderKind::Appkey => Some(vec!["--channel", "2", "--payer-name", "张三"]),
        ProviderKind::Xxpay => Some(vec!["--channel", "8001", "--subject", "充值"]),
    }
}

/// Whether the gateway receives our merchant order number on a payout.
fn payout_sends_order_no(kind: ProviderKind) -> bool {
    kind != ProviderKind::Juyouke
}

async fn create(
    env: &Env,
    what: &str,
    profile: &str,
    amount: &str,
    extra: &[&str],
    order_no: Option<&str>,
) -> Run {
    let mut args = vec![
        "--json",
        what,
        "create",
        "--profile",
        profile,
        "--amount",
        amount,
    ];
    if let Some(n) = order_no {
        args.extend(["--order-no", n]);
    }
    args.extend_from_slice(extra);
    env.run(&args).await
}

/// Moves the sandbox's copy of an order (found by our order number or the gateway's id).
fn advance(env: &Env, kind: ProviderKind, order: &Value, state: paydesk_sandbox::SimState) {
    let no = order["order_no"].as_str().unwrap();
    let gw = order["provider_order_id"].as_str().unwrap_or("");
    let sim = env.sandbox.sim.orders().into_iter().find(|o| {
        o.provider == kind && (o.order_no == no || (!gw.is_empty() && o.gateway_id == gw))
    });
    let sim = sim.unwrap_or_else(|| panic!("sandbox has no order for {order}"));
    env.sandbox
        .sim
        .set_state(kind, &sim.order_no, state)
        .unwrap();
}

async fn get(env: &Env, no: &str, refresh: bool) -> Value {
    let mut args = vec!["order", "get", no];
    if refresh {
        args.push("--refresh");
    }
    let v = env.json(&args).await;
    v["orders"][0].clone()
}

async fn every_call(kind: ProviderKind) {
    let env = Env::new().await;
    let creds = paydesk_sandbox::credentials(kind);
    let name = format!("{kind}-main");

    // Profiles: add (secret from stdin), list, show, test.
    let added = env.add_profile(&name, kind, None).await.ok().json();
    assert_eq!(added["name"], name.as_str());
    assert_eq!(added["secret_saved"], true);
    assert!(
        added["warning"].as_str().unwrap().contains("http://"),
        "plain http gets a warning"
    );
    let list = env.json(&["profile", "list"]).await;
    assert_eq!(list["profiles"].as_array().unwrap().len(), 1);
    let shown = env.json(&["profile", "show", &name]).await;
    assert_eq!(shown["provider"], kind.as_str());
    let tested = env.json(&["profile", "test", &name]).await;
    assert_eq!(tested["ok"], true, "{tested}");

    // A profile with a wrong key: the test fails, and so does an order.
    env.add_profile("wrong-key", kind, Some("not-the-right-key"))
        .await
        .ok();
    env.run(&["--json", "profile", "test", "wrong-key"])
        .await
        .failed();

    let mut outputs = String::new();
    let gateway = paydesk_core::providers::gateway(kind);
    let caps = gateway.capabilities();

    if let Some(args) = payout_args(kind).filter(|_| caps.payout) {
        let r = create(&env, "payout", &name, "100", &args, None).await.ok();
        outputs.push_str(&r.stdout);
        let order = r.json();
        assert_eq!(order["kind"], "payout");
        assert_eq!(order["amount_fen"], 10000);
        assert_eq!(order["profile"], name.as_str());
        assert!(
            matches!(order["status"].as_str().unwrap(), "pending" | "processing"),
            "{order}"
        );
        let no = order["order_no"].as_str().unwrap().to_string();
        assert!(no.len() <= 30);

        // Succeeded at the gateway: a refresh settles it.
        advance(&env, kind, &order, paydesk_sandbox::SimState::Succeeded);
        let settled = get(&env, &no, true).await;
        assert_eq!(settled["status"], "succeeded", "{settled}");
        assert!(
            settled["events"].as_array().unwrap().len() >= 3,
            "create, answer and query are in the history"
        );

        // Found again by the gateway's order id.
        if let Some(gw) = settled["provider_order_id"].as_str() {
            assert_eq!(get(&env, gw, false).await["order_no"], no.as_str());
        }

        // A second payout that the gateway fails.
        let r = create(&env, "payout", &name, "12", &args, None).await.ok();
        let order = r.json();
        advance(&env, kind, &order, paydesk_sandbox::SimState::Failed);
        let failed = get(&env, order["order_no"].as_str().unwrap(), true).await;
        assert_eq!(failed["status"], "failed", "{failed}");

        // The same order number again for this profile: refused locally, nothing sent.
        let before = env.sandbox.sim.orders().len();
        let r = create(&env, "payout", &name, "100", &args, Some(&no))
            .await
            .failed();
        assert_eq!(r.json()["error"]["code"], "conflict");
        assert_eq!(
            env.sandbox.sim.orders().len(),
            before,
            "a duplicate is never sent"
        );

        // Another profile (same merchant) reusing the number: refused locally
        // (issue 10: the gateway would refuse it as a duplicate, and its
        // queries would answer about the first order), nothing stored or sent.
        if payout_sends_order_no(kind) {
            env.add_profile("second", kind, None).await.ok();
            let before = env.sandbox.sim.orders().len();
            let r = create(&env, "payout", "second", "100", &args, Some(&no))
                .await
                .failed();
            let v = r.json();
            assert_eq!(v["error"]["code"], "conflict", "{v}");
            assert!(v["order"].is_null(), "nothing stored: {v}");
            assert_eq!(env.sandbox.sim.orders().len(), before);
        }

        // Wrong key: the gateway rejects the signature; the order is kept as failed.
        let r = create(&env, "payout", "wrong-key", "100", &args, None)
            .await
            .failed();
        let v = r.json();
        assert_eq!(v["order"]["status"], "failed", "{v}");
        assert!(!r.stderr.is_empty());

        // Bad input: named field, nothing stored or sent.
        let before = env.sandbox.sim.orders().len();
        let r = create(&env, "payout", &name, "abc", &args, None)
            .await
            .failed();
        assert_eq!(r.json()["error"]["field"], "amount");
        assert_eq!(env.sandbox.sim.orders().len(), before);
    } else {
        let r = create(&env, "payout", &name, "100", &[], None)
            .await
            .failed();
        assert_eq!(r.json()["error"]["code"], "not_offered");
    }

    if let Some(args) = deposit_args(kind).filter(|_| caps.deposit) {
        let r = create(&env, "deposit", &name, "100.50", &args, None).await;
        // Gateways taking whole yuan refuse 100.50 before sending.
        let (r, amount_fen) = if r.code != 0 {
            assert_eq!(r.json()["error"]["field"], "amount", "{}", r.stdout);
            (
                create(&env, "deposit", &name, "100", &args, None).await,
                10000,
            )
        } else {
            (r, 10050)
        };
        let r = r.ok();
        outputs.push_str(&r.stdout);
        let order = r.json();
        assert_eq!(order["amount_fen"], amount_fen);
        assert_eq!(order["status"], "pending", "{order}");
        let url = order["pay_url"].as_str().expect("a deposit has a pay URL");
        assert!(
            url.starts_with("http://127.0.0.1") || url.starts_with("POST;http://127.0.0.1"),
            "{url}"
        );
        // The payer opens the payment page (juyouke's H5 order exists only from then on).
        if url.starts_with("http") {
            let page = reqwest::get(url).await.unwrap();
            assert!(
                page.status().is_success(),
                "the pay URL opens: {}",
                page.status()
            );
        }
        advance(&env, kind, &order, paydesk_sandbox::SimState::Succeeded);
        let settled = get(&env, order["order_no"].as_str().unwrap(), true).await;
        assert_eq!(settled["status"], "succeeded", "{settled}");
    } else {
        let r = create(&env, "deposit", &name, "100", &["--channel", "x"], None)
            .await
            .failed();
        assert_eq!(r.json()["error"]["code"], "not_offered");
    }

    // Balances: offered or said not to be. A profile whose read failed (the
    // wrong-key one) makes the run exit 5, after printing every balance.
    let r = env.run(&["--json", "balance"]).await;
    let b = r.json();
    let read_failed = b["balances"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["supported"] == true && !x["error"].is_null());
    assert_eq!(r.code, if read_failed { 5 } else { 0 }, "{b}");
    let main = b["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["profile"] == name.as_str())
        .unwrap()
        .clone();
    assert_eq!(main["supported"], caps.balance);
    if caps.balance {
        assert!(main["balance_fen"].as_i64().unwrap() > 0, "{main}");
    } else {
        assert!(main["balance_fen"].is_null());
        assert_eq!(main["error"]["code"], "not_offered");
    }
    outputs.push_str(&b.to_string());

    // History lists what was done.
    let list = env.json(&["order", "list", "--profile", &name]).await;
    assert!(!list["orders"].as_array().unwrap().is_empty());
    outputs.push_str(&list.to_string());
    // Any part of a number finds its order (here its last six characters).
    let no = list["orders"][0]["order_no"].as_str().unwrap().to_string();
    let part = &no[no.len() - 6..];
    let found = env.json(&["order", "list", "--search", part]).await;
    assert!(
        found["orders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["order_no"] == no.as_str()),
        "{part}: {found}"
    );

    // Remove: the keyring entries go, the history stays.
    env.json(&["profile", "remove", "wrong-key"]).await;
    let all = env.json(&["order", "list"]).await;
    assert!(
        all["orders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["profile"] == "wrong-key")
            || !caps.payout
    );

    // The secrets are nowhere: not in the SQLite file or its WAL, not in any output.
    let bytes = env.data_bytes().await;
    for s in [
        Some(creds.secret),
        creds.reply_secret,
        Some("not-the-right-key"),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!contains(&bytes, s), "a secret is in the data directory");
        assert!(!outputs.contains(s), "a secret is in the CLI output");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jstpay_every_call() {
    every_call(ProviderKind::Jstpay).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jeepay_every_call() {
    every_call(ProviderKind::Jeepay).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn juyouke_every_call() {
    every_call(ProviderKind::Juyouke).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appkey_every_call() {
    every_call(ProviderKind::Appkey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xxpay_every_call() {
    every_call(ProviderKind::Xxpay).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jstpay_card_deposit_and_arrivals() {
    let env = Env::new().await;
    env.add_profile("j", ProviderKind::Jstpay, None).await.ok();
    let v = create(
        &env,
        "deposit",
        "j",
        "100",
        &["--channel", "bank", "--to-card", "--payer-name", "李四"],
        None,
    )
    .await
    .ok()
    .json();
    assert!(
        v["card"]["card_number"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{v}"
    );
    let now = chrono::Utc::now().timestamp();
    let a = env
        .json(&[
            "arrivals",
            "--profile",
            "j",
            "--start",
            &(now - 86_400).to_string(),
            "--end",
            &now.to_string(),
        ])
        .await;
    assert!(!a["arrivals"].as_array().unwrap().is_empty(), "{a}");
    // Arrivals are a jstpay call only.
    env.add_profile("a", ProviderKind::Appkey, None).await.ok();
    assert_eq!(
        env.run(&["--json", "arrivals", "--profile", "a"])
            .await
            .failed()
            .json()["error"]["code"],
        "not_offered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xxpay_bank_transfer_deposit_needs_the_payer_and_gives_a_post_url() {
    let env = Env::new().await;
    env.add_profile("x", ProviderKind::Xxpay, None).await.ok();
    let r = create(&env, "deposit", "x", "100", &["--channel", "8000"], None)
        .await
        .failed();
    assert!(r.json()["error"]["field"]
        .as_str()
        .unwrap()
        .starts_with("payer_"));
    let v = create(
        &env,
        "deposit",
        "x",
        "100",
        &[
            "--channel",
            "8000",
            "--payer-bank-code",
            "HPT00002",
            "--payer-name",
            "张三",
            "--payer-account-no",
            "6222020200112233445",
        ],
        None,
    )
    .await
    .ok()
    .json();
    assert!(v["pay_url"].as_str().unwrap().starts_with("POST;"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banks_search_by_pinyin_initials_and_code() {
    let env = Env::new().await;
    let v = env.json(&["banks", "--provider", "jstpay", "gsyh"]).await;
    assert_eq!(v["banks"][0]["name"], "中国工商银行");
    let v = env
        .json(&["banks", "--provider", "xxpay", "HPT00034"])
        .await;
    assert_eq!(v["banks"][0]["name"], "浙江稠州商业银行");
}

/// Kill the CLI while the gateway delays its reply: the order is in history as
/// `unknown`, and `order refresh` settles it; nothing is sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_request_the_order_is_unknown_and_refresh_settles_it() {
    let env = Env::new().await;
    let kind = ProviderKind::Jstpay;
    env.add_profile("j", kind, None).await.ok();
    env.sandbox.sim.add_fault(paydesk_sandbox::FaultSpec {
        provider: kind,
        fault: paydesk_sandbox::FaultKind::Delay,
        delay_ms: Some(30_000),
        times: Some(1),
    });
    let mut cmd = env.command(&[
        "payout",
        "create",
        "--profile",
        "j",
        "--amount",
        "100",
        "--order-no",
        "KILLME001",
    ]);
    cmd.args(payout_args(kind).unwrap());
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    // Wait until the gateway has the order (the reply is being delayed), then kill -9.
    let mut waited = 0;
    while !env
        .sandbox
        .sim
        .orders()
        .iter()
        .any(|o| o.order_no == "KILLME001")
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 50;
        assert!(waited < 20_000, "the request never reached the sandbox");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let o = get(&env, "KILLME001", false).await;
    assert_eq!(o["status"], "unknown", "{o}");
    let r = env.json(&["order", "refresh"]).await;
    let settled = r["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["order_no"] == "KILLME001")
        .unwrap()
        .clone();
    assert_eq!(settled["status"], "pending", "{settled}");
    env.sandbox
        .sim
        .set_state(kind, "KILLME001", paydesk_sandbox::SimState::Succeeded);
    env.json(&["order", "refresh"]).await;
    assert_eq!(get(&env, "KILLME001", false).await["status"], "succeeded");
    assert_eq!(
        env.sandbox
            .sim
            .orders()
            .iter()
            .filter(|o| o.order_no == "KILLME001")
            .count(),
        1,
        "sent once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_line_on_stderr_and_json_on_stdout() {
    let env = Env::new().await;
    let r = env.run(&["--json", "order", "get", "NOPE"]).await.failed();
    assert_eq!(r.json()["error"]["code"], "not_found");
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    let r = env.run(&["profile", "show", "nobody"]).await.failed();
    assert!(r.stderr.contains("nobody"));
    let r = env
        .run(&[
            "--json",
            "profile",
            "add",
            "p",
            "--provider",
            "nosuch",
            "--base-url",
            "http://127.0.0.1:1",
            "--secret-stdin",
        ])
        .await
        .failed();
    assert_eq!(r.json()["error"]["field"], "provider");
    let r = env
        .run_stdin(
            &[
                "--json",
                "profile",
                "add",
                "p",
                "--provider",
                "jstpay",
                "--base-url",
                "ftp://x",
                "--merchant-id",
                "M",
                "--secret-stdin",
            ],
            "k\n",
        )
        .await
        .failed();
    assert_eq!(r.json()["error"]["field"], "base_url");
}
