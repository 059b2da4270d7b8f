//! The app's team watcher (issue 13), driven through `paydesk_app::team_watch`
//! (the work behind the window's `orders-changed` event, given a recording
//! emitter instead of the Tauri handle): on a real PostgreSQL (a throwaway
//! cluster, `scripts/with-postgres.sh`), a desk hears a payout another desk
//! (another database role) creates within 2 s, and after its connection is
//! dropped by the server it comes back by itself, tells the window to reload,
//! and hears the next one within 2 s again. Skipped with a notice without
//! `PAYDESK_TEST_PG_URL`, failing in CI.

use paydesk_core::domain::{OrderKind, ProviderKind};
use paydesk_core::form::OrderInput;
use paydesk_core::http::HttpOptions;
use paydesk_core::services::PayDesk;
use paydesk_core::store::pg_test::fresh_database;
use paydesk_core::team::{admin, TeamRole};
use paydesk_core::vault::MemoryStore;
use paydesk_core::Secret;
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const PASSWORD: &str = "team-test-password";
const KIND: ProviderKind = ProviderKind::Jstpay;

/// Waits for an `orders-changed` payload that `pick` accepts; when it arrived.
async fn heard(
    rx: &mut UnboundedReceiver<(Instant, Value)>,
    limit: Duration,
    pick: impl Fn(&Value) -> bool,
) -> Option<Instant> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((at, v))) if pick(&v) => return Some(at),
            Ok(Some(_)) => continue,
            _ => return None,
        }
    }
}

fn names(no: &str) -> impl Fn(&Value) -> bool + '_ {
    move |v| {
        v["source"] == "team"
            && v["orders"]
                .as_array()
                .is_some_and(|a| a.iter().any(|o| o == no))
    }
}

/// Another desk creates a payout: when this desk hears of it, after the
/// create returned.
async fn create_and_hear(
    other: &PayDesk,
    rx: &mut UnboundedReceiver<(Instant, Value)>,
    order_no: &str,
) -> Option<Duration> {
    let values = serde_json::from_str(
        r#"{"payee_name":"张三","account_no":"6222020200112233445","bank_name":"中国工商银行","branch":"上海分行","province":"上海市","city":"上海市"}"#,
    )
    .unwrap();
    let input = OrderInput {
        amount: "100".into(),
        order_no: Some(order_no.into()),
        values,
    };
    let out = other
        .create_order("js", OrderKind::Payout, &input)
        .await
        .unwrap();
    assert!(out.error.is_none(), "{:?}", out.error);
    let done = Instant::now();
    let at = heard(rx, Duration::from_secs(2), names(order_no)).await?;
    Some(at.saturating_duration_since(done))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_hears_another_desks_create_within_two_seconds_and_after_a_drop() {
    let Some(db) = fresh_database("the_app_hears_another_desks_create") else {
        return;
    };
    let su = Secret::new(db.url.clone());
    paydesk_core::team::init(&su).await.expect("team init");
    let tag = db.name[2..10].to_string();
    let (watcher, maker) = (format!("watcher_{tag}"), format!("maker_{tag}"));
    let mut conn = admin::connect(&su).await.unwrap();
    for (who, role) in [(&watcher, TeamRole::Checker), (&maker, TeamRole::Maker)] {
        admin::add_operator(&mut conn, who, role, Some(Secret::new(PASSWORD)))
            .await
            .unwrap();
    }
    // The other desk: a maker with the profile's key, against the sandbox.
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let vault = Arc::new(MemoryStore::default());
    let open = |url: String| {
        let vault = vault.clone();
        async move {
            PayDesk::open_with_database(&url, vault, HttpOptions::default())
                .await
                .unwrap()
        }
    };
    // The sandbox profile as the app sets it up (its address without the
    // gateway's path).
    let root = sandbox.base_url(KIND).replace("/jstpay", "");
    let (input, secret, reply) = paydesk_sandbox::profile_input(KIND, &root, "js".into());
    open(db.url.clone())
        .await
        .add_profile(input, secret, reply)
        .await
        .unwrap();
    let other = open(db.url_as(&maker, PASSWORD)).await;

    // This desk's watcher, as the app starts it, recording each event.
    let (tx, mut rx) = unbounded_channel();
    tokio::spawn(paydesk_app::team_watch::forward(
        Secret::new(db.url_as(&watcher, PASSWORD)),
        move |v| {
            let _ = tx.send((Instant::now(), v));
        },
    ));
    let mut su_conn = PgConnection::connect(&db.url).await.unwrap();
    // Listening before anything changes: a ping until one is heard.
    let ready = Instant::now() + Duration::from_secs(30);
    loop {
        sqlx::query("SELECT pg_notify('paydesk_orders', 'PING')")
            .execute(&mut su_conn)
            .await
            .unwrap();
        if heard(&mut rx, Duration::from_millis(500), names("PING"))
            .await
            .is_some()
        {
            break;
        }
        assert!(
            Instant::now() < ready,
            "the watcher never started listening"
        );
    }

    // Another desk creates a payout: heard within 2 s of its create.
    let after = create_and_hear(&other, &mut rx, "WATCH-1")
        .await
        .expect("another desk's create heard within 2 s");
    println!(
        "TEAM WATCH: heard {} ms after the create returned",
        after.as_millis()
    );

    // The server drops the watcher's connection.
    let dropped: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
    )
    .bind(&watcher)
    .fetch_all(&mut su_conn)
    .await
    .unwrap();
    assert_eq!(dropped, [true], "the watcher's one connection was dropped");
    // It comes back by itself and tells the window to reload everything.
    heard(&mut rx, Duration::from_secs(10), |v| {
        v["orders"].as_array().is_some_and(|a| a.is_empty())
    })
    .await
    .expect("a reload after the connection came back");
    let back: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = $1")
        .bind(&watcher)
        .fetch_one(&mut su_conn)
        .await
        .unwrap();
    assert_eq!(back, 1, "listening again on a new connection");

    // The next create is heard within 2 s again.
    let after = create_and_hear(&other, &mut rx, "WATCH-2")
        .await
        .expect("heard within 2 s after the drop");
    println!(
        "TEAM WATCH: after the drop, heard {} ms after the create returned",
        after.as_millis()
    );
}
