//! `paydesk sync --once`, `order get` (last checked / next check) and
//! `order list --stuck` through the real binary (run under
//! scripts/with-keyring.sh: profiles keep their keys in the Secret Service).

mod support;

use paydesk_core::domain::ProviderKind;
use std::time::Duration;
use support::{Env, JST_PAYEE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_once_settles_a_due_payout_and_order_get_shows_the_schedule() {
    let env = Env::new().await;
    env.add_profile("jst", ProviderKind::Jstpay, None)
        .await
        .ok();
    let created = env
        .json(
            &[
                &[
                    "payout",
                    "create",
                    "--profile",
                    "jst",
                    "--amount",
                    "100",
                    "--order-no",
                    "SYNCCLI1",
                ][..],
                JST_PAYEE,
            ]
            .concat(),
        )
        .await;
    assert_eq!(created["status"], "pending");
    let created_at = created["created_at"].as_i64().unwrap();

    // Just created: nothing due yet; the detail says when it will be asked about.
    let pass = env.json(&["sync", "--once"]).await;
    assert_eq!(pass["report"]["due"], 0);
    assert_eq!(pass["report"]["next_due_at"], created_at + 15_000);
    let got = env.json(&["order", "get", "SYNCCLI1"]).await;
    let sync = &got["orders"][0]["sync"];
    assert_eq!(sync["next_check_at"], created_at + 15_000);
    assert_eq!(sync["last_checked_at"], serde_json::Value::Null);
    assert_eq!(sync["attempts"], 0);
    assert_eq!(
        env.json(&["order", "list", "--stuck"]).await["orders"],
        serde_json::json!([])
    );

    // The gateway pays it out; no callback comes; the first step of the schedule passes.
    env.advance(ProviderKind::Jstpay, "SYNCCLI1", "succeed")
        .await;
    let wait = (created_at + 15_200 - paydesk_core::store::now_ms()).max(0) as u64;
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let pass = env.json(&["sync", "--once"]).await;
    assert_eq!(pass["report"]["checked"], 1, "{pass}");
    assert_eq!(pass["events"][0]["event"], "succeeded");
    assert_eq!(pass["events"][0]["order"]["order_no"], "SYNCCLI1");
    let got = env.json(&["order", "get", "SYNCCLI1"]).await;
    let o = &got["orders"][0];
    assert_eq!(o["status"], "succeeded");
    assert_eq!(o["sync"]["attempts"], 1);
    assert!(o["sync"]["last_checked_at"].as_i64().unwrap() >= created_at + 15_000);
    assert_eq!(o["sync"]["next_check_at"], serde_json::Value::Null);
    // What settled it: the sync's query, at the time of its event.
    let query = o["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "query")
        .unwrap();
    assert_eq!(o["sync"]["settled"]["by"], "query", "{o}");
    assert_eq!(o["sync"]["settled"]["at"], query["at"], "{o}");

    // Human output names the schedule too.
    let human = env.run(&["order", "get", "SYNCCLI1"]).await.ok();
    assert!(human.stdout.contains("last checked:"), "{}", human.stdout);
    assert!(
        human.stdout.contains("settled by: status query"),
        "{}",
        human.stdout
    );
}
