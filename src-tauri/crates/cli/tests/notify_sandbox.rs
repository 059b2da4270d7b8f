//! The sandbox calls back: a sandbox order on each gateway settles through
//! the listener by its callback alone (no sync, no query), and the sandbox
//! sees exactly one acknowledged delivery per order.

mod support;

use paydesk_core::domain::{OrderStatus, ProviderKind};
use paydesk_core::notify::notify_url;
use paydesk_core::notify::server::{listen, ListenOptions};
use paydesk_sandbox::notify::NotifyOptions;
use paydesk_sandbox::SimState;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_gateway_settles_by_callback_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    sandbox.sim.set_notify_options(NotifyOptions {
        time_scale: 0.01,
        drop_percent: 0,
    });
    let desk = Arc::new(desk(dir.path()).await);
    let l = listen(
        desk.clone(),
        ListenOptions {
            rate_per_sec: 0,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for kind in ProviderKind::ALL {
        add_profile(&desk, kind, kind.as_str(), sandbox.base_url(kind)).await;
        let id = desk.profile(kind.as_str()).await.unwrap().profile.id;
        let mut input = profile_input(kind, kind.as_str(), sandbox.base_url(kind));
        input.gateway.notify_url = Some(notify_url(&l.base_url(), &id));
        desk.update_profile(&id, input, None, None).await.unwrap();
    }

    // (gateway, order number, final state the sandbox moves it to)
    let cases = [
        (ProviderKind::Jstpay, "SBCBJST1", SimState::Succeeded),
        (ProviderKind::Jstpay, "SBCBJST2", SimState::Failed),
        (ProviderKind::Jeepay, "SBCBJEE1", SimState::Succeeded),
        (ProviderKind::Jeepay, "SBCBJEE2", SimState::Failed),
        (ProviderKind::Juyouke, "SBCBJYK1", SimState::Succeeded),
        (ProviderKind::Appkey, "SBCBAK1", SimState::Succeeded),
        (ProviderKind::Xxpay, "SBCBXX1", SimState::Succeeded),
        (ProviderKind::Xxpay, "SBCBXX2", SimState::Failed),
    ];
    let mut ids = Vec::new();
    for (kind, no, _) in cases {
        let out = desk
            .create_order(
                kind.as_str(),
                order_kind(kind),
                &order_input(kind, no, true),
            )
            .await
            .unwrap();
        assert!(out.error.is_none(), "{kind}: {:?}", out.error);
        assert_eq!(out.order.status, OrderStatus::Pending, "{kind}");
        ids.push(out.order.id);
    }
    for (kind, no, state) in cases {
        sandbox.sim.set_state(kind, no, state).unwrap();
    }
    for ((kind, no, state), id) in cases.iter().zip(&ids) {
        let want = match state {
            SimState::Succeeded => OrderStatus::Succeeded,
            _ => OrderStatus::Failed,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let o = desk.order(*id).await.unwrap();
            if o.status == want {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{kind} {no}: still {:?}",
                o.status
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let events = desk.order_events(*id).await.unwrap();
        assert!(
            events.iter().any(|e| e.action == "notify"),
            "{kind} {no}: settled by the callback"
        );
        assert!(
            !events.iter().any(|e| e.action.contains("query")),
            "{kind} {no}: no query: {:?}",
            events.iter().map(|e| &e.action).collect::<Vec<_>>()
        );
    }
    // Late retries would show up here.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let deliveries = sandbox.sim.deliveries();
    for (kind, no, _) in cases {
        let mine: Vec<_> = deliveries
            .iter()
            .filter(|d| d.provider == kind && d.order_no == no && d.callback == "settled")
            .collect();
        assert_eq!(mine.len(), 1, "{kind} {no}: {mine:?}");
        assert!(mine[0].acknowledged, "{kind} {no}: {mine:?}");
        // JSTpay asked first whether the payout is ours, and was told so.
        let checks: Vec<_> = deliveries
            .iter()
            .filter(|d| d.provider == kind && d.order_no == no && d.callback == "receive")
            .collect();
        if kind == ProviderKind::Jstpay {
            assert_eq!(checks.len(), 1, "{no}: {checks:?}");
            assert!(checks[0].acknowledged, "{no}: 1|OKAY");
        } else {
            assert!(checks.is_empty());
        }
    }
    for (kind, no, _) in cases {
        let id = ids[cases.iter().position(|c| c.1 == no).unwrap()];
        let events = desk.order_events(id).await.unwrap();
        assert_eq!(
            events.iter().any(|e| e.action == "notify.receive_check"),
            kind == ProviderKind::Jstpay,
            "{kind} {no}"
        );
    }
}
