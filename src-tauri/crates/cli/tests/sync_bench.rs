//! Figures for docs/BENCHMARKS.md (run on demand, not in CI):
//! `cargo test -p paydesk-cli --test sync_bench -- --ignored --nocapture`
//! - callbacks handled per second on loopback, verified and committed;
//! - the sync pass's own cost per due order beyond the query itself.

mod callback_sign;
mod support;

use futures_util::stream::{self, StreamExt};
use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::notify::server::{listen, ListenOptions};
use paydesk_core::store::{now_ms, NewOrder};
use paydesk_core::sync::PassOptions;
use std::sync::Arc;
use std::time::Instant;
use support::*;

async fn open_orders(
    desk: &paydesk_core::services::PayDesk,
    profile: &str,
    prefix: &str,
    n: usize,
    at: i64,
) -> Vec<i64> {
    let pid = desk.profile(profile).await.unwrap().profile.id;
    let rows: Vec<NewOrder> = (0..n)
        .map(|i| NewOrder {
            profile_id: pid.clone(),
            order_no: format!("{prefix}{i:06}"),
            kind: OrderKind::Payout,
            amount_fen: 10_000,
            fields: Default::default(),
            status: OrderStatus::Pending,
            message: None,
            created_by: "bench".into(),
            created_at: at,
        })
        .collect();
    let mut ids = Vec::new();
    for chunk in rows.chunks(1000) {
        ids.extend(desk.store.insert_orders_batch(chunk).await.unwrap());
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn callbacks_per_second() {
    let n = 4000;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let desk = desk(dir.path()).await;
    add_profile(
        &desk,
        ProviderKind::Appkey,
        "appkey",
        sandbox.base_url(ProviderKind::Appkey),
    )
    .await;
    let pid = desk.profile("appkey").await.unwrap().profile.id;
    open_orders(&desk, "appkey", "BENCHCB", n, now_ms()).await;
    let desk = Arc::new(desk);
    let l = listen(
        desk.clone(),
        ListenOptions {
            rate_per_sec: 0,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let c = paydesk_sandbox::credentials(ProviderKind::Appkey);
    let url = format!("{}/notify/{pid}", l.base_url());
    let http = reqwest::Client::new();
    let started = Instant::now();
    let oks: usize = stream::iter(0..n)
        .map(|i| {
            let no = format!("BENCHCB{i:06}");
            let s = callback_sign::appkey_payout_sign("100.00", c.merchant_id, &no, c.secret);
            let body = format!("amount=100.00&appKey={}&mrn={no}&sign={s}", c.merchant_id);
            let (http, url) = (http.clone(), url.clone());
            async move {
                let r = http
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (r.text().await.unwrap() == "success") as usize
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .sum();
    let took = started.elapsed();
    assert_eq!(oks, n);
    println!(
        "BENCH callbacks: {n} verified, applied and committed in {took:?}: {:.0}/s",
        n as f64 / took.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn sync_pass_overhead_for_10000_open_orders() {
    let n = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let desk = desk(dir.path()).await;
    add_profile(
        &desk,
        ProviderKind::Appkey,
        "appkey",
        sandbox.base_url(ProviderKind::Appkey),
    )
    .await;
    let created = now_ms();
    let ids = open_orders(&desk, "appkey", "BENCHSY", n, created).await;
    // The same queries without the scheduler, at the same concurrency (4).
    let started = Instant::now();
    stream::iter(ids.iter().copied())
        .for_each_concurrent(4, |id| {
            let desk = &desk;
            async move {
                let _ = desk.refresh_order(id).await;
            }
        })
        .await;
    let bare = started.elapsed();
    let started = Instant::now();
    let r = desk
        .sync_pass(
            &PassOptions {
                now: Some(created + 16_000),
                ..Default::default()
            },
            &|_| {},
        )
        .await
        .unwrap();
    let pass = started.elapsed();
    assert_eq!(r.checked, n);
    let per = (pass.as_secs_f64() - bare.as_secs_f64()) / n as f64 * 1000.0;
    println!("BENCH sync: {n} due orders: pass {pass:?}, the same queries alone {bare:?}: scheduler overhead {per:.3} ms per due order");
}
