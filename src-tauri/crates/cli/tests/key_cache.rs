//! Keys are cached per process, but a key changed through the profile is used
//! at once (the cache follows the profile's `updated_at`).

use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::form::OrderInput;
use paydesk_core::gateway::GatewayConfig;
use paydesk_core::services::{PayDesk, ProfileInput};
use paydesk_core::vault::MemoryStore;
use paydesk_core::Secret;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_key_is_used_at_once() {
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = PayDesk::open(dir.path(), Arc::new(MemoryStore::default()))
        .await
        .unwrap();
    let kind = ProviderKind::Appkey;
    let c = paydesk_sandbox::credentials(kind);
    let input = ProfileInput {
        name: "ak".into(),
        provider: Some(kind),
        gateway: GatewayConfig {
            base_url: sandbox.base_url(kind),
            merchant_id: c.merchant_id.into(),
            notify_url: Some("http://127.0.0.1:9/n".into()),
            return_url: Some("http://127.0.0.1:9/r".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    desk.add_profile(input.clone(), Secret::new(c.secret), None)
        .await
        .unwrap();
    let order = |amount: &str| OrderInput {
        amount: amount.into(),
        order_no: None,
        values: [
            ("payee_name", "李四"),
            ("account_no", "6222020200112233445"),
            ("bank_name", "中国工商银行"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    let ok = desk
        .create_order("ak", OrderKind::Payout, &order("10"))
        .await
        .unwrap();
    assert_eq!(ok.order.status, OrderStatus::Pending, "{:?}", ok.error);
    // Rotate to a wrong key: the next order is signed with it and refused.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    desk.update_profile(
        "ak",
        input.clone(),
        Some(Secret::new("rotated-wrong-key")),
        None,
    )
    .await
    .unwrap();
    let refused = desk
        .create_order("ak", OrderKind::Payout, &order("11"))
        .await
        .unwrap();
    assert_eq!(refused.order.status, OrderStatus::Failed);
    assert_eq!(refused.error.unwrap().code, "rejected");
    // And back.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    desk.update_profile("ak", input, Some(Secret::new(c.secret)), None)
        .await
        .unwrap();
    let ok = desk
        .create_order("ak", OrderKind::Payout, &order("12"))
        .await
        .unwrap();
    assert_eq!(ok.order.status, OrderStatus::Pending);
}
