//! Background sync against the sandbox over loopback, on a real SQLite file:
//! orders settle through queries alone, on the schedule, within the
//! per-profile concurrency limit, and stuck orders are reported once.

mod support;

use paydesk_core::domain::{OrderStatus, ProviderKind};
use paydesk_core::services::PayDesk;
use paydesk_core::store::OrderFilter;
use paydesk_core::sync::{PassOptions, SyncEvent};
use paydesk_sandbox::{FaultKind, FaultSpec, SimState};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support::*;

type Events = Mutex<Vec<SyncEvent>>;

fn collect() -> (Events, impl Fn(&Events, SyncEvent)) {
    (Mutex::new(Vec::new()), |m, e| m.lock().unwrap().push(e))
}

async fn setup(
    auto_advance: Option<Duration>,
) -> (tempfile::TempDir, paydesk_sandbox::Running, PayDesk) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, auto_advance).await.unwrap();
    let desk = desk(dir.path()).await;
    for kind in ProviderKind::ALL {
        add_profile(&desk, kind, kind.as_str(), sandbox.base_url(kind)).await;
    }
    (dir, sandbox, desk)
}

/// No callback ever arrives (the sandbox drops 100 % of them): 200 orders
/// across the five gateways reach their final state through the sync alone,
/// the failures the gateway decided included, each announced once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_orders_settle_by_sync_alone() {
    let (_dir, sandbox, desk) = setup(Some(Duration::from_secs(2))).await;
    sandbox
        .sim
        .set_notify_options(paydesk_sandbox::notify::NotifyOptions {
            drop_percent: 100,
            ..Default::default()
        });
    let mut orders = Vec::new();
    for i in 0..200 {
        let kind = ProviderKind::ALL[i % 5];
        let no = format!("SYNC{}{i:04}", kind.as_str().to_uppercase());
        let out = desk
            .create_order(
                kind.as_str(),
                order_kind(kind),
                &order_input(kind, &no, true),
            )
            .await
            .unwrap();
        assert!(out.error.is_none(), "{no}: {:?}", out.error);
        assert!(!out.order.status.is_final(), "{no} is open after create");
        orders.push((kind, no, out.order.id, out.order.created_at));
    }
    // The gateway rejects every tenth order; the rest succeed by themselves.
    for (kind, no, _, _) in orders.iter().step_by(10) {
        sandbox.sim.set_state(*kind, no, SimState::Failed).unwrap();
    }
    let last_created = orders.iter().map(|o| o.3).max().unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;

    // Before the first step of the schedule nothing is due.
    let (events, push) = collect();
    let on = |e| push(&events, e);
    let early = PassOptions {
        now: Some(orders[0].3 + 14_000),
        ..Default::default()
    };
    let r = desk.sync_pass(&early, &on).await.unwrap();
    assert_eq!((r.due, r.checked), (0, 0));

    let pass = PassOptions {
        now: Some(last_created + 16_000),
        ..Default::default()
    };
    let r = desk.sync_pass(&pass, &on).await.unwrap();
    assert_eq!(r.due, 200);
    assert_eq!(r.checked, 200);
    assert_eq!(r.errors, 0, "{r:?}");
    assert_eq!(r.settled, 200);
    assert_eq!(r.next_due_at, None, "nothing left to check");

    let page = desk
        .list_orders(&OrderFilter {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    let failed = page
        .orders
        .iter()
        .filter(|o| o.status == OrderStatus::Failed)
        .count();
    let succeeded = page
        .orders
        .iter()
        .filter(|o| o.status == OrderStatus::Succeeded)
        .count();
    assert_eq!((succeeded, failed), (180, 20));

    let events = events.into_inner().unwrap();
    let ok = events
        .iter()
        .filter(|e| matches!(e, SyncEvent::Succeeded { .. }))
        .count();
    let ko = events
        .iter()
        .filter(|e| matches!(e, SyncEvent::Failed { .. }))
        .count();
    assert_eq!((ok, ko, events.len()), (180, 20, 200));

    for (_, no, id, _) in &orders {
        let s = desk.sync_state(*id).await.unwrap();
        assert_eq!(s.attempts, 1, "{no}");
        assert_eq!(s.last_checked_at, Some(last_created + 16_000));
        assert_eq!(s.next_check_at, None, "{no} is final: no more checks");
    }

    // A later pass finds nothing due and announces nothing again.
    let (again, push2) = collect();
    let later = PassOptions {
        now: Some(last_created + 3_600_000),
        ..Default::default()
    };
    let r = desk.sync_pass(&later, &|e| push2(&again, e)).await.unwrap();
    assert_eq!((r.due, r.checked, r.settled), (0, 0, 0));
    assert!(again.into_inner().unwrap().is_empty());
}

/// An order the gateway leaves pending is asked about on the schedule (not
/// before its next step), and reported stuck once after its threshold.
#[tokio::test]
async fn open_order_follows_schedule_and_is_reported_stuck_once() {
    let (_dir, _sandbox, desk) = setup(None).await;
    let kind = ProviderKind::Jstpay;
    let out = desk
        .create_order(
            "jstpay",
            order_kind(kind),
            &order_input(kind, "SYNCOPEN1", true),
        )
        .await
        .unwrap();
    let (id, created) = (out.order.id, out.order.created_at);
    let before = desk.sync_state(id).await.unwrap();
    assert_eq!(
        before.next_check_at,
        Some(created + 15_000),
        "never checked: due at 15 s"
    );
    assert_eq!(before.attempts, 0);

    let (events, push) = collect();
    let on = |e| push(&events, e);
    let at = |ms: i64| PassOptions {
        now: Some(created + ms),
        ..Default::default()
    };
    let r = desk.sync_pass(&at(16_000), &on).await.unwrap();
    assert_eq!((r.checked, r.errors), (1, 0));
    let s = desk.sync_state(id).await.unwrap();
    assert_eq!(s.attempts, 1);
    let next = s.next_check_at.unwrap();
    assert!(
        (created + 30_000..=created + 31_500).contains(&next),
        "next at the 30 s step (+jitter): {}",
        next - created
    );
    assert!(
        s.last_reason
            .as_deref()
            .unwrap_or("")
            .contains(&OrderStatus::Pending.label()),
        "{:?}",
        s.last_reason
    );

    // Not due again before its next step.
    assert_eq!(desk.sync_pass(&at(29_000), &on).await.unwrap().checked, 0);
    assert_eq!(desk.sync_pass(&at(32_000), &on).await.unwrap().checked, 1);
    // Long unseen: one check, then the next step after now, not a burst of catch-ups.
    assert_eq!(
        desk.sync_pass(&at(45 * 60_000), &on).await.unwrap().checked,
        1
    );
    let s = desk.sync_state(id).await.unwrap();
    assert_eq!(s.attempts, 3);
    assert!(s.next_check_at.unwrap() >= created + 70 * 60_000);
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, SyncEvent::Stuck { order, .. } if order.id == id)),
        "past 30 min: stuck"
    );
    let stuck_events = |ev: &Mutex<Vec<SyncEvent>>| {
        ev.lock()
            .unwrap()
            .iter()
            .filter(|e| matches!(e, SyncEvent::Stuck { .. }))
            .count()
    };
    assert_eq!(stuck_events(&events), 1);
    desk.sync_pass(&at(80 * 60_000), &on).await.unwrap();
    assert_eq!(stuck_events(&events), 1, "reported once");

    // The stuck view: open longer than the profile's threshold, with the last reason.
    let list = desk
        .stuck_orders_at(created + 31 * 60_000, 100)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].order.id, id);
    assert_eq!(
        list[0].sync.attempts, 4,
        "checked at 16 s, 32 s, 45 min, 80 min"
    );
    assert!(list[0].sync.last_reason.is_some());
    assert!(desk
        .stuck_orders_at(created + 29 * 60_000, 100)
        .await
        .unwrap()
        .is_empty());
    desk.set_profile_sync("jstpay", None, Some(60 * 60_000), None)
        .await
        .unwrap();
    assert!(
        desk.stuck_orders_at(created + 31 * 60_000, 100)
            .await
            .unwrap()
            .is_empty(),
        "the profile's own threshold"
    );
    assert!(
        desk.set_profile_sync("jstpay", Some(0), None, None)
            .await
            .is_err(),
        "0 queries at once is refused"
    );
}

/// Never more than the profile's limit of queries at once: with each reply
/// held 300 ms, 8 due orders at 2 at once take at least 4 rounds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_per_profile_are_limited() {
    let (_dir, sandbox, desk) = setup(None).await;
    let kind = ProviderKind::Jeepay;
    let mut last = 0;
    for i in 0..8 {
        let out = desk
            .create_order(
                "jeepay",
                order_kind(kind),
                &order_input(kind, &format!("SYNCLIM{i}"), true),
            )
            .await
            .unwrap();
        last = out.order.created_at;
    }
    desk.set_profile_sync("jeepay", Some(2), None, None)
        .await
        .unwrap();
    sandbox.sim.add_fault(FaultSpec {
        provider: kind,
        fault: FaultKind::Delay,
        delay_ms: Some(300),
        times: Some(8),
    });
    let started = Instant::now();
    let r = desk
        .sync_pass(
            &PassOptions {
                now: Some(last + 16_000),
                ..Default::default()
            },
            &|_| {},
        )
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!((r.checked, r.errors), (8, 0), "{r:?}");
    assert!(
        took >= Duration::from_millis(1150),
        "2 at once: 4 rounds of 300 ms, took {took:?}"
    );
    assert!(
        took < Duration::from_millis(2350),
        "still 2 at once, not one by one: {took:?}"
    );
}
