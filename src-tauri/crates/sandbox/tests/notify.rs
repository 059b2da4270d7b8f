//! The simulator's callbacks against a stand-in merchant server: retried on
//! the gateway's schedule (scaled) until the exact acknowledgement, sent once
//! where the gateway sends once, and never when dropped.

use axum::routing::any;
use axum::Router;
use paydesk_core::ProviderKind;
use paydesk_sandbox::notify::NotifyOptions;
use paydesk_sandbox::{Sim, SimOrder, SimState};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A merchant that answers `fail` to the first `refuse` callbacks, then the
/// acknowledgement; returns its URL and the count of requests seen.
async fn merchant(refuse: usize, ack: &'static str) -> (String, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let app = Router::new().route(
        "/cb",
        any(move || {
            let s = s.clone();
            async move {
                if s.fetch_add(1, Ordering::SeqCst) < refuse {
                    "fail"
                } else {
                    ack
                }
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (format!("http://{addr}/cb"), seen)
}

fn order(p: ProviderKind, no: &str, url: &str) -> SimOrder {
    let key = match p {
        ProviderKind::Jstpay => "callback_uri",
        ProviderKind::Appkey => "callbackUrl",
        ProviderKind::Juyouke => "notify_url",
        _ => "notifyUrl",
    };
    SimOrder {
        provider: p,
        kind: if p == ProviderKind::Juyouke {
            "deposit"
        } else {
            "payout"
        }
        .into(),
        order_no: no.into(),
        gateway_id: format!("GW{no}"),
        amount_fen: 10000,
        state: SimState::Pending,
        created_at: 0,
        data: serde_json::json!({ key: url }),
    }
}

async fn settle_and_wait(sim: &Sim, p: ProviderKind, no: &str, wait: Duration) {
    sim.set_state(p, no, SimState::Succeeded).unwrap();
    tokio::time::sleep(wait).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_on_schedule_until_acknowledged() {
    let sim = Sim::new(None);
    // 1 % of the documented seconds: jeepay 0/0.3/0.6/…, xxpay and appkey 0/0.6/1.2/….
    sim.set_notify_options(NotifyOptions {
        time_scale: 0.01,
        drop_percent: 0,
    });
    for (p, refuse, ack) in [
        (ProviderKind::Jeepay, 2, "success"),
        (ProviderKind::Xxpay, 1, "success"),
        (ProviderKind::Appkey, 1, "success"),
    ] {
        let (url, seen) = merchant(refuse, ack).await;
        let no = format!("R{}", p.as_str());
        sim.insert_order(order(p, &no, &url)).unwrap();
        let started = Instant::now();
        settle_and_wait(&sim, p, &no, Duration::from_millis(100)).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while seen.load(Ordering::SeqCst) < refuse + 1 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let took = started.elapsed();
        // Nothing after the acknowledgement.
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(seen.load(Ordering::SeqCst), refuse + 1, "{p}");
        let mine: Vec<_> = sim
            .deliveries()
            .into_iter()
            .filter(|d| d.order_no == no)
            .collect();
        assert_eq!(mine.len(), refuse + 1, "{p}");
        assert!(mine.last().unwrap().acknowledged, "{p}");
        assert!(mine[..refuse].iter().all(|d| !d.acknowledged), "{p}");
        let first_retry = crate_schedule(p)[1] as f64 * 0.01;
        assert!(
            took.as_secs_f64() >= first_retry * refuse as f64 * 0.9,
            "{p}: {took:?}"
        );
    }
}

fn crate_schedule(p: ProviderKind) -> &'static [u64] {
    paydesk_sandbox::notify::schedule(p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_gateways_and_wrong_acknowledgements_are_not_retried() {
    let sim = Sim::new(None);
    sim.set_notify_options(NotifyOptions {
        time_scale: 0.01,
        drop_percent: 0,
    });
    // jstpay and juyouke send once, whatever the answer; `SUCCESS` is not
    // jeepay's `success`, so jeepay keeps trying.
    for (p, ack, want) in [
        (ProviderKind::Jstpay, "success", 1),
        (ProviderKind::Juyouke, "fail", 1),
        (ProviderKind::Jeepay, "SUCCESS", 6),
    ] {
        let (url, seen) = merchant(usize::MAX, ack).await;
        let no = format!("O{}", p.as_str());
        sim.insert_order(order(p, &no, &url)).unwrap();
        settle_and_wait(&sim, p, &no, Duration::from_millis(2500)).await;
        assert_eq!(seen.load(Ordering::SeqCst), want, "{p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_callbacks_are_never_sent() {
    let sim = Sim::new(None);
    sim.set_notify_options(NotifyOptions {
        time_scale: 0.01,
        drop_percent: 100,
    });
    let (url, seen) = merchant(0, "success").await;
    for p in ProviderKind::ALL {
        let no = format!("D{}", p.as_str());
        sim.insert_order(order(p, &no, &url)).unwrap();
        sim.set_state(p, &no, SimState::Succeeded).unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(seen.load(Ordering::SeqCst), 0);
    assert!(sim.deliveries().is_empty());
}
