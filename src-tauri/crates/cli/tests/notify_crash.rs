//! `kill -9` of the listener process (`paydesk notify listen`) between the
//! durable commit of a callback and its answer: the gateway got no
//! acknowledgement, so it sends the callback again; the restarted listener
//! answers it with the exact acknowledgement and changes nothing more.
//! The pause point is `PAYDESK_TEST_PAUSE_AT=notify_after_commit` (core's
//! `test-hooks` feature). The callbacks are built by hand from PROVIDERS.md.

mod callback_sign;
mod support;

use callback_sign::form;
use paydesk_core::ProviderKind;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;
use support::{payout_flags, Env};

/// Jeepay transfer notify (form POST, state 2): non-empty fields sorted,
/// `&key=`, MD5 upper.
fn jeepay_notify(no: &str, gw: &str) -> String {
    let c = paydesk_sandbox::credentials(ProviderKind::Jeepay);
    let mut f: Vec<(&str, String)> = vec![
        ("mchNo", c.merchant_id.into()),
        ("appId", c.app_id.unwrap().into()),
        ("mchOrderNo", no.into()),
        ("transferId", gw.into()),
        ("amount", "10000".into()),
        ("currency", "cny".into()),
        ("ifCode", "wxpay".into()),
        ("entryType", "WX_CASH".into()),
        ("state", "2".into()),
        ("accountNo", "o6BcIwvTvIqf1zXZohc61biryWik".into()),
        ("accountName", "张三".into()),
        ("reqTime", "1700000000000".into()),
    ];
    f.push(("sign", callback_sign::jeepay_sign(&f, c.secret)));
    form(&f)
}

/// AppKey payout callback (form POST): `amount=…&appKey=…&mrn=…&key=`, MD5
/// lower.
fn appkey_notify(no: &str, _gw: &str) -> String {
    let c = paydesk_sandbox::credentials(ProviderKind::Appkey);
    let s = callback_sign::appkey_payout_sign("100.00", c.merchant_id, no, c.secret);
    format!("amount=100.00&appKey={}&mrn={no}&sign={s}", c.merchant_id)
}

/// Builds a callback body from (order number, gateway id).
type Build = fn(&str, &str) -> String;

/// Starts `paydesk notify listen` on a free loopback port; returns the child
/// and its base URL (from its first JSON line).
fn spawn_listener(env: &Env, pause: bool) -> (Child, String) {
    let mut cmd = env.command(&[
        "--json",
        "notify",
        "listen",
        "--bind",
        "127.0.0.1:0",
        "--rate",
        "0",
    ]);
    if pause {
        cmd.env("PAYDESK_TEST_PAUSE_AT", "notify_after_commit");
    } else {
        cmd.env_remove("PAYDESK_TEST_PAUSE_AT");
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("paydesk runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("listener's first line is not JSON ({e}): {line}"));
    let addr = v["addr"].as_str().unwrap().to_string();
    (child, format!("http://{addr}"))
}

/// Blocks until the listener reports that it paused after the commit.
fn wait_paused(child: &mut Child) {
    let stderr = child.stderr.take().unwrap();
    for l in BufReader::new(stderr).lines() {
        match l {
            Ok(l) if l.contains("PAYDESK_TEST_PAUSED notify_after_commit") => return,
            Ok(_) => {}
            Err(e) => panic!("listener's stderr: {e}"),
        }
    }
    panic!("the listener ended before pausing after the commit");
}

async fn order(env: &Env, no: &str) -> Value {
    let v = env.json(&["order", "get", no]).await;
    v["orders"][0].clone()
}

fn notify_events(o: &Value) -> usize {
    o["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "notify")
        .count()
}

async fn post(url: &str, body: &str) -> Result<(u16, String), reqwest::Error> {
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.text().await?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_commit_and_answer_the_retry_is_acknowledged_and_changes_nothing() {
    let env = Env::new().await;
    let cases: [(ProviderKind, Build); 2] = [
        (ProviderKind::Jeepay, jeepay_notify),
        (ProviderKind::Appkey, appkey_notify),
    ];
    for (kind, _) in &cases {
        env.add_profile(kind.as_str(), *kind, None).await.ok();
    }
    let profiles = env.json(&["profile", "list"]).await;
    for (kind, build) in cases {
        let no = format!("KILLCB{}", kind.as_str().to_uppercase());
        let mut args = vec![
            "payout",
            "create",
            "--profile",
            kind.as_str(),
            "--amount",
            "100",
            "--order-no",
            &no,
        ];
        args.extend(payout_flags(kind));
        let mut json_args = vec!["--json"];
        json_args.extend(args);
        env.run(&json_args).await.ok();
        let before = order(&env, &no).await;
        assert_eq!(before["status"], "pending", "{kind}: {before}");
        let gw = before["provider_order_id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let pid = profiles["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == kind.as_str())
            .map(|p| p["id"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no profile id in {profiles}"));
        let body = build(&no, &gw);

        // First delivery: committed, then the listener dies before answering.
        let (mut child, base) = spawn_listener(&env, true);
        let url = format!("{base}/notify/{pid}");
        let send = tokio::spawn({
            let (url, body) = (url.clone(), body.clone());
            async move { post(&url, &body).await }
        });
        child = tokio::task::spawn_blocking(move || {
            wait_paused(&mut child);
            child
        })
        .await
        .unwrap();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let first = send.await.unwrap();
        assert!(
            first.is_err(),
            "{kind}: the gateway got no answer: {first:?}"
        );
        let after_kill = order(&env, &no).await;
        assert_eq!(after_kill["status"], "succeeded", "{kind}: committed");
        assert_eq!(notify_events(&after_kill), 1, "{kind}");

        // The gateway's retry against a restarted listener.
        let (mut child, base) = spawn_listener(&env, false);
        let url = format!("{base}/notify/{pid}");
        let (status, answer) = post(&url, &body).await.unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!((status, answer.as_str()), (200, "success"), "{kind}");
        let last = order(&env, &no).await;
        assert_eq!(last["status"], "succeeded", "{kind}");
        assert_eq!(notify_events(&last), 1, "{kind}: the retry changed nothing");
        assert_eq!(
            last["events"].as_array().unwrap().len(),
            after_kill["events"].as_array().unwrap().len(),
            "{kind}: no new event"
        );
    }
}
