//! Demo mode over loopback: sandbox profiles set up as the app sets them up
//! (`paydesk_sandbox::profile_input`, then `point_profiles` at a listener),
//! a sandbox that settles orders by itself (`auto_advance`): a payout is
//! confirmed by JSTpay's receive check and settles through the sandbox's
//! callback with nobody asking (no query, no sync), and the listener's owner
//! hears of it. And the sandbox holds a payout whose receive check the
//! merchant refuses: it is never paid. And the listener's copy of a profile
//! gives way to an edit at once.

mod callback_sign;
mod support;

use paydesk_core::domain::{OrderStatus, ProviderKind};
use paydesk_core::notify::server::{listen, ListenOptions, Listening};
use paydesk_core::services::PayDesk;
use paydesk_core::store::Order;
use paydesk_core::sync::SyncEvent;
use paydesk_sandbox::{FaultKind, FaultSpec, SimState};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

type Heard = Arc<Mutex<Vec<SyncEvent>>>;

/// A desk with the five sandbox profiles as the app adds them.
async fn sandbox_desk(dir: &std::path::Path, sandbox: &paydesk_sandbox::Running) -> Arc<PayDesk> {
    let desk = desk(dir).await;
    for kind in ProviderKind::ALL {
        let (input, secret, reply) = paydesk_sandbox::profile_input(
            kind,
            &format!("http://{}", sandbox.addr),
            paydesk_sandbox::profile_name(kind),
        );
        desk.add_profile(input, secret, reply).await.unwrap();
    }
    Arc::new(desk)
}

async fn listener(desk: &Arc<PayDesk>) -> (Listening, Heard) {
    let heard: Heard = Default::default();
    let h = heard.clone();
    let l = listen(
        desk.clone(),
        ListenOptions {
            on_event: Some(Arc::new(move |e| h.lock().unwrap().push(e))),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (l, heard)
}

async fn wait_status(desk: &PayDesk, id: i64, want: OrderStatus, within: Duration) -> Order {
    let deadline = Instant::now() + within;
    loop {
        let o = desk.order(id).await.unwrap();
        if o.status == want {
            return o;
        }
        assert!(
            Instant::now() < deadline,
            "{}: still {:?}",
            o.order_no,
            o.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn actions(desk: &PayDesk, id: i64) -> Vec<String> {
    desk.order_events(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_payout_settles_by_its_callback_with_nobody_asking() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, Some(Duration::from_millis(1500)))
        .await
        .unwrap();
    let desk = sandbox_desk(dir.path(), &sandbox).await;
    let (l, heard) = listener(&desk).await;
    paydesk_sandbox::point_profiles(&desk, &sandbox, Some(&l.base_url()))
        .await
        .unwrap();
    for p in desk.profiles().await.unwrap() {
        assert_eq!(
            p.profile.gateway.notify_url.as_deref(),
            Some(format!("{}/notify/{}", l.base_url(), p.profile.id).as_str()),
            "{}",
            p.profile.name
        );
    }

    let name = paydesk_sandbox::profile_name(ProviderKind::Jstpay);
    let created = desk
        .create_order(
            &name,
            order_kind(ProviderKind::Jstpay),
            &order_input(ProviderKind::Jstpay, "DEMOCB1", true),
        )
        .await
        .unwrap();
    assert!(created.error.is_none(), "{:?}", created.error);
    assert_eq!(created.order.status, OrderStatus::Pending);
    let id = created.order.id;

    let o = wait_status(&desk, id, OrderStatus::Succeeded, Duration::from_secs(15)).await;
    let acts = actions(&desk, id).await;
    assert!(
        acts.iter().any(|a| a == "notify.receive_check"),
        "JSTpay asked first and was told yes: {acts:?}"
    );
    assert!(
        acts.iter().any(|a| a == "notify"),
        "settled by the callback: {acts:?}"
    );
    assert!(
        !acts.iter().any(|a| a.contains("query") || a == "refresh"),
        "nobody asked: {acts:?}"
    );
    let events = desk.order_events(id).await.unwrap();
    let cb = events.iter().find(|e| e.action == "notify").unwrap();
    assert_eq!(cb.status, OrderStatus::Succeeded);
    assert!(
        cb.exchanges[0].request.contains("\"action\":\"completed\""),
        "the raw callback is kept: {:?}",
        cb.exchanges
    );
    // The listener's owner (the app: alert, screens) heard of it.
    let heard = heard.lock().unwrap().clone();
    assert!(
        heard.iter().any(|e| matches!(
            e,
            SyncEvent::Succeeded { order } if order.id == id && order.status == OrderStatus::Succeeded
        )),
        "{heard:?}"
    );
    assert_eq!(o.status, OrderStatus::Succeeded);
    let d: Vec<_> = sandbox
        .sim
        .deliveries()
        .into_iter()
        .filter(|d| d.order_no == "DEMOCB1")
        .collect();
    assert!(d.iter().all(|d| d.acknowledged), "{d:?}");
    assert_eq!(d.len(), 2, "one receive check, one result: {d:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_listener_the_sandbox_sends_nothing_and_still_pays() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, Some(Duration::from_millis(300)))
        .await
        .unwrap();
    let desk = sandbox_desk(dir.path(), &sandbox).await;
    paydesk_sandbox::point_profiles(&desk, &sandbox, None)
        .await
        .unwrap();
    let name = paydesk_sandbox::profile_name(ProviderKind::Jstpay);
    let p = desk.profile(&name).await.unwrap().profile;
    assert_eq!(
        p.gateway.notify_url,
        Some(paydesk_sandbox::unattached_notify_url(&format!(
            "http://{}",
            sandbox.addr
        )))
    );
    let o = desk
        .create_order(
            &name,
            order_kind(ProviderKind::Jstpay),
            &order_input(ProviderKind::Jstpay, "DEMONOL1", true),
        )
        .await
        .unwrap()
        .order;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let sim = sandbox
        .sim
        .orders()
        .into_iter()
        .find(|s| s.order_no == "DEMONOL1")
        .unwrap();
    assert_eq!(sim.state, SimState::Succeeded, "paid without a check");
    assert!(sandbox.sim.deliveries().is_empty(), "nothing sent");
    let out = desk.refresh_order(o.id).await.unwrap();
    assert_eq!(out.order.status, OrderStatus::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receive_check_the_merchant_refuses_is_never_paid() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, Some(Duration::from_millis(500)))
        .await
        .unwrap();
    let desk = sandbox_desk(dir.path(), &sandbox).await;
    let (l, _heard) = listener(&desk).await;
    paydesk_sandbox::point_profiles(&desk, &sandbox, Some(&l.base_url()))
        .await
        .unwrap();
    let kind = ProviderKind::Jstpay;
    let balance = sandbox.sim.balance_fen(kind);
    sandbox.sim.add_fault(FaultSpec {
        provider: kind,
        fault: FaultKind::TamperedReceiveCheck,
        delay_ms: None,
        times: Some(1),
    });
    let name = paydesk_sandbox::profile_name(kind);
    let o = desk
        .create_order(
            &name,
            order_kind(kind),
            &order_input(kind, "DEMOFORGED1", true),
        )
        .await
        .unwrap()
        .order;
    // The reject callback may land before the create's own reply is
    // written (the order is stored before the request leaves; a final
    // status is never moved back), so the create answers pending or failed.
    assert!(
        matches!(o.status, OrderStatus::Pending | OrderStatus::Failed),
        "{:?}",
        o.status
    );

    // The listener refused the check (no `1|OKAY`, audited); the sandbox
    // rejected the payout unpaid and said so in its `reject` callback.
    let o = wait_status(&desk, o.id, OrderStatus::Failed, Duration::from_secs(15)).await;
    let checks: Vec<_> = sandbox
        .sim
        .deliveries()
        .into_iter()
        .filter(|d| d.order_no == "DEMOFORGED1" && d.callback == "receive")
        .collect();
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert!(!checks[0].acknowledged, "{checks:?}");
    assert!(checks[0]
        .http_status
        .is_some_and(|s| (400..500).contains(&s)));
    let audit: Vec<String> = desk
        .store
        .audit_entries(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "notify.refused")
        .map(|a| a.detail.unwrap_or_default())
        .collect();
    assert!(
        audit.iter().any(|a| a.contains("收到未知代付核对请求")),
        "{audit:?}"
    );
    let acts = actions(&desk, o.id).await;
    assert!(
        !acts.iter().any(|a| a == "notify.receive_check"),
        "{acts:?}"
    );

    // Long past the demo's auto-advance, and even when told to: never paid.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    sandbox
        .sim
        .set_state(kind, "DEMOFORGED1", SimState::Succeeded);
    let sim = sandbox
        .sim
        .orders()
        .into_iter()
        .find(|s| s.order_no == "DEMOFORGED1")
        .unwrap();
    assert_eq!(sim.state, SimState::Failed, "rejected, not paid");
    assert_eq!(sandbox.sim.balance_fen(kind), balance, "no money left");
    let out = desk.refresh_order(o.id).await.unwrap();
    assert_eq!(out.order.status, OrderStatus::Failed);

    // The next payout, checked as sent, is paid as usual.
    let ok = desk
        .create_order(&name, order_kind(kind), &order_input(kind, "DEMOOK1", true))
        .await
        .unwrap()
        .order;
    wait_status(
        &desk,
        ok.id,
        OrderStatus::Succeeded,
        Duration::from_secs(15),
    )
    .await;
    assert_eq!(sandbox.sim.balance_fen(kind), balance - ok.amount_fen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_edit_reaches_the_next_callback_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let desk = sandbox_desk(dir.path(), &sandbox).await;
    let (l, _heard) = listener(&desk).await;
    let kind = ProviderKind::Appkey;
    let name = paydesk_sandbox::profile_name(kind);
    let pid = desk.profile(&name).await.unwrap().profile.id;
    let c = paydesk_sandbox::credentials(kind);
    let mut ids = Vec::new();
    for no in ["EDITCB1", "EDITCB2", "EDITCB3"] {
        let o = desk
            .create_order(&name, order_kind(kind), &order_input(kind, no, true))
            .await
            .unwrap()
            .order;
        assert_eq!(o.status, OrderStatus::Pending);
        ids.push(o.id);
    }
    let http = reqwest::Client::new();
    let url = format!("{}/notify/{pid}", l.base_url());
    let send = |no: &'static str, key: &'static str| {
        let (http, url) = (http.clone(), url.clone());
        let sign = callback_sign::appkey_payout_sign("100.00", c.merchant_id, no, key);
        let body = callback_sign::form(&[
            ("amount", "100.00".into()),
            ("appKey", c.merchant_id.into()),
            ("mrn", no.into()),
            ("sign", sign),
        ]);
        async move {
            let r = http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // The first callback reads the profile (and keeps a copy).
    assert_eq!(send("EDITCB1", c.secret).await, (200, "success".into()));

    // A new key, saved in this process: the very next callback needs it.
    let input =
        paydesk_core::services::ProfileInput::from(&desk.profile(&pid).await.unwrap().profile);
    desk.update_profile(
        &pid,
        input,
        Some(paydesk_core::Secret::new("a-new-appkey-key")),
        None,
    )
    .await
    .unwrap();
    let (status, _) = send("EDITCB2", c.secret).await;
    assert!(
        (400..500).contains(&status),
        "the old key no longer verifies"
    );
    assert_eq!(
        desk.order(ids[1]).await.unwrap().status,
        OrderStatus::Pending
    );
    assert_eq!(
        send("EDITCB2", "a-new-appkey-key").await,
        (200, "success".into())
    );
    assert_eq!(
        desk.order(ids[1]).await.unwrap().status,
        OrderStatus::Succeeded
    );

    assert_eq!(
        send("EDITCB3", "a-new-appkey-key").await,
        (200, "success".into())
    );

    // A removed profile takes no more callbacks, from the next one on.
    desk.remove_profile(&pid).await.unwrap();
    let (status, body) = send("EDITCB3", "a-new-appkey-key").await;
    assert_eq!((status, body.as_str()), (404, "not found"));
}
