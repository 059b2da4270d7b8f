//! Reliability item 2, crash safety: `kill -9` the real `paydesk` process at
//! three points of a create, for every gateway:
//! - `before_send`: the order row is stored, the request not yet sent
//!   (`PAYDESK_TEST_PAUSE_AT=before_send`, see services::test_pause);
//! - mid-request: the gateway has the order and delays its reply (sandbox
//!   `delay` fault);
//! - `after_reply`: the gateway replied, the reply is not stored yet
//!   (`PAYDESK_TEST_PAUSE_AT=after_reply`).
//!
//! After the restart every order is in the history (`unknown`), `order
//! refresh` (and `refresh_open`, which the app's auto-refresh timer calls)
//! brings each to the gateway's truth, and the gateway saw each order at most
//! once: nothing is ever re-sent.

mod support;

use paydesk_core::ProviderKind;
use paydesk_sandbox::{FaultKind, FaultSpec, SimState};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use support::{create_args, Env};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Point {
    BeforeSend,
    MidRequest,
    AfterReply,
}

impl Point {
    fn tag(self) -> &'static str {
        match self {
            Point::BeforeSend => "BS",
            Point::MidRequest => "MR",
            Point::AfterReply => "AR",
        }
    }
}

fn order_no(kind: ProviderKind, p: Point) -> String {
    format!("KILL{}{}", p.tag(), kind.as_str().to_uppercase())
}

fn spawn_create(env: &Env, kind: ProviderKind, p: Point) -> Child {
    let no = order_no(kind, p);
    let profile = kind.as_str();
    let mut args = create_args(kind);
    args.splice(
        2..2,
        ["--profile", profile, "--amount", "100", "--order-no", &no],
    );
    let mut cmd = env.command(&args);
    match p {
        Point::BeforeSend => cmd.env("PAYDESK_TEST_PAUSE_AT", "before_send"),
        Point::AfterReply => cmd.env("PAYDESK_TEST_PAUSE_AT", "after_reply"),
        Point::MidRequest => cmd.env_remove("PAYDESK_TEST_PAUSE_AT"),
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().expect("paydesk runs")
}

/// Blocks until the process reports it paused (its stderr marker).
fn wait_paused(child: &mut Child, point: &str) {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let marker = format!("PAYDESK_TEST_PAUSED {point}");
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains(&marker) => return,
            Some(Ok(_)) => {}
            other => panic!("paydesk ended before pausing at {point}: {other:?}"),
        }
    }
}

fn sim_count(env: &Env, kind: ProviderKind, no: &str) -> usize {
    env.sandbox
        .sim
        .orders()
        .iter()
        .filter(|o| o.provider == kind && o.order_no == no)
        .count()
}

async fn local(env: &Env, no: &str) -> Value {
    let v = env.json(&["order", "get", no]).await;
    assert_eq!(
        v["orders"].as_array().unwrap().len(),
        1,
        "{no} is in the history once"
    );
    v["orders"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_three_points_of_a_create_every_order_survives_and_settles() {
    let env = Env::new().await;
    for kind in ProviderKind::ALL {
        env.add_profile(kind.as_str(), kind, None).await.ok();
    }
    let points = [Point::BeforeSend, Point::MidRequest, Point::AfterReply];
    let mut kills = 0;
    for p in points {
        for kind in ProviderKind::ALL {
            let no = order_no(kind, p);
            if p == Point::MidRequest {
                env.sandbox.sim.add_fault(FaultSpec {
                    provider: kind,
                    fault: FaultKind::Delay,
                    delay_ms: Some(30_000),
                    times: Some(1),
                });
            }
            let mut child = spawn_create(&env, kind, p);
            let started = Instant::now();
            match p {
                Point::BeforeSend => {
                    child = tokio::task::spawn_blocking(move || {
                        wait_paused(&mut child, "before_send");
                        child
                    })
                    .await
                    .unwrap();
                }
                Point::AfterReply => {
                    child = tokio::task::spawn_blocking(move || {
                        wait_paused(&mut child, "after_reply");
                        child
                    })
                    .await
                    .unwrap();
                }
                Point::MidRequest => {
                    while sim_count(&env, kind, &no) == 0 {
                        assert!(
                            started.elapsed() < Duration::from_secs(20),
                            "{no}: the request never reached the sandbox"
                        );
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            child.kill().unwrap(); // SIGKILL: no destructor, no flush, no goodbye.
            child.wait().unwrap();
            kills += 1;
            env.sandbox.sim.clear_faults();
            let expect_at_gateway = p != Point::BeforeSend;
            assert_eq!(
                sim_count(&env, kind, &no),
                expect_at_gateway as usize,
                "{no}: what the gateway saw"
            );
            let o = local(&env, &no).await;
            assert_eq!(o["status"], "unknown", "{no}: {o}");
        }
    }
    assert_eq!(kills, 15);

    // Restart: within the grace period an order the gateway does not know
    // stays unknown (it may still be on its way).
    let r = env.json(&["order", "refresh"]).await;
    for kind in ProviderKind::ALL {
        let o = local(&env, &order_no(kind, Point::BeforeSend)).await;
        assert_eq!(o["status"], "unknown", "{o}");
        for p in [Point::MidRequest, Point::AfterReply] {
            let o = local(&env, &order_no(kind, p)).await;
            assert_eq!(o["status"], "pending", "{o}");
        }
    }
    assert!(!r["orders"].as_array().unwrap().is_empty());

    // The gateway moves on; a refresh after the grace period settles all 15
    // to its truth: never-sent orders failed, the others as the gateway says.
    for kind in ProviderKind::ALL {
        env.sandbox
            .sim
            .set_state(
                kind,
                &order_no(kind, Point::MidRequest),
                SimState::Succeeded,
            )
            .unwrap();
        env.sandbox
            .sim
            .set_state(kind, &order_no(kind, Point::AfterReply), SimState::Failed)
            .unwrap();
    }
    let mut cmd = env.command(&["--json", "order", "refresh"]);
    cmd.env("PAYDESK_NOT_FOUND_GRACE_MS", "0");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for kind in ProviderKind::ALL {
        let want = [
            (Point::BeforeSend, "failed"),
            (Point::MidRequest, "succeeded"),
            (Point::AfterReply, "failed"),
        ];
        for (p, status) in want {
            let no = order_no(kind, p);
            let o = local(&env, &no).await;
            assert_eq!(o["status"], status, "{no}: {o}");
            let expect = (p != Point::BeforeSend) as usize;
            assert_eq!(
                sim_count(&env, kind, &no),
                expect,
                "{no}: sent at most once"
            );
            let events = &o["events"];
            let creates = events
                .as_array()
                .map(|e| e.iter().filter(|x| x["action"] == "create").count())
                .unwrap_or(1);
            assert!(creates <= 1, "{no}: no second create: {events}");
        }
    }
}

/// The app's auto-refresh calls `PayDesk::refresh_open` on a timer: the same
/// call, in a long-lived process, settles an order left by a killed CLI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_auto_refresh_settles_an_order_left_by_a_killed_process() {
    let env = Env::new().await;
    let kind = ProviderKind::Xxpay;
    env.add_profile(kind.as_str(), kind, None).await.ok();
    let mut child = spawn_create(&env, kind, Point::AfterReply);
    child = tokio::task::spawn_blocking(move || {
        wait_paused(&mut child, "after_reply");
        child
    })
    .await
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let no = order_no(kind, Point::AfterReply);
    assert_eq!(local(&env, &no).await["status"], "unknown");
    env.sandbox
        .sim
        .set_state(kind, &no, SimState::Succeeded)
        .unwrap();
    let desk = support::engine::open(
        env.data_dir(),
        std::sync::Arc::new(paydesk_core::vault::KeyringStore),
    )
    .await
    .unwrap();
    let settled = desk.refresh_open().await.unwrap();
    let o = settled.iter().find(|o| o.order.order_no == no).unwrap();
    assert_eq!(
        o.order.status,
        paydesk_core::OrderStatus::Succeeded,
        "{o:?}"
    );
    assert_eq!(sim_count(&env, kind, &no), 1);
}
