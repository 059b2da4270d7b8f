//! Issue 10, money integrity: an order refused by the gateway never becomes
//! succeeded, one merchant's order number is not sent twice from one desk,
//! a profile with open orders is not removed, and a refresh of many orders
//! reports each one. Service level, the sandbox over loopback.

mod support;

use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::i18n::{set_lang, Lang};
use paydesk_core::services::{PayDesk, ProfileInput};
use paydesk_core::vault::MemoryStore;
use paydesk_core::{ErrorCode, Secret};
use paydesk_sandbox::SimState;
use std::sync::Arc;
use support::*;

const KIND: ProviderKind = ProviderKind::Jstpay;

/// DUP-1 as the issue found it: two desks (two clerks, two databases) hold a
/// profile on the same sandbox merchant. `DUP-1` from the first is accepted;
/// the same number from the second is refused by the gateway as a duplicate.
/// After the first one is paid, refreshing the refused order must leave it
/// refused: a final order is never moved by a query, and the paid order's
/// gateway id is never attached to it.
#[tokio::test]
async fn a_refused_duplicate_never_becomes_succeeded() {
    set_lang(Lang::En);
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (desk(dir_a.path()).await, desk(dir_b.path()).await);
    add_profile(&a, KIND, "first", sandbox.base_url(KIND)).await;
    add_profile(&b, KIND, "second", sandbox.base_url(KIND)).await;

    let first = a
        .create_order(
            "first",
            OrderKind::Payout,
            &order_input(KIND, "DUP-1", true),
        )
        .await
        .unwrap();
    assert!(first.error.is_none(), "{:?}", first.error);
    let second = b
        .create_order(
            "second",
            OrderKind::Payout,
            &order_input(KIND, "DUP-1", true),
        )
        .await
        .unwrap();
    assert_eq!(second.order.status, OrderStatus::Failed);
    assert_eq!(second.error.as_ref().unwrap().code, "rejected");

    sandbox
        .sim
        .set_state(KIND, "DUP-1", SimState::Succeeded)
        .expect("the sandbox has DUP-1");
    let paid = a.refresh_order(first.order.id).await.unwrap();
    assert_eq!(paid.order.status, OrderStatus::Succeeded);

    let again = b.refresh_order(second.order.id).await.unwrap();
    assert_eq!(
        again.order.status,
        OrderStatus::Failed,
        "the refused order stays refused"
    );
    assert_eq!(again.order.provider_order_id, None);
    assert_eq!(again.error.as_ref().unwrap().code, "status_conflict");
    // The conflicting answer is kept in the history, with its exchange.
    let events = b.order_events(second.order.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.error_code.as_deref(), Some("status_conflict"));
    assert_eq!(last.status, OrderStatus::Failed);
    assert!(!last.exchanges.is_empty());
}

/// On one desk, a number already used by another profile on the same gateway
/// and merchant is refused before anything is stored or sent.
#[tokio::test]
async fn a_number_used_by_another_profile_of_the_same_merchant_is_refused() {
    set_lang(Lang::En);
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    add_profile(&d, KIND, "first", sandbox.base_url(KIND)).await;
    add_profile(&d, KIND, "second", sandbox.base_url(KIND)).await;
    d.create_order(
        "first",
        OrderKind::Payout,
        &order_input(KIND, "DUP-1", true),
    )
    .await
    .unwrap();
    let e = d
        .create_order(
            "second",
            OrderKind::Payout,
            &order_input(KIND, "DUP-1", true),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains("first"), "{e}");
    assert_eq!(d.find_orders("DUP-1", None).await.unwrap().len(), 1);
    let sent = sandbox
        .sim
        .orders()
        .iter()
        .filter(|o| o.order_no == "DUP-1")
        .count();
    assert_eq!(sent, 1, "nothing was sent for the second");

    // The confirm step already says so, for this profile and for the other.
    for profile in ["first", "second"] {
        let e = d
            .prepare_order(
                profile,
                OrderKind::Payout,
                &order_input(KIND, "DUP-1", true),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict, "{profile}: {e}");
        assert!(e.to_string().contains("DUP-1"), "{e}");
    }
    // Another merchant id on the same gateway may use the number.
    let mut other = profile_input(KIND, "other-merchant", sandbox.base_url(KIND));
    other.gateway.merchant_id = "ANOTHER".into();
    d.add_profile(other, Secret::new("k"), None).await.unwrap();
    let e = d
        .prepare_order(
            "other-merchant",
            OrderKind::Payout,
            &order_input(KIND, "DUP-1", true),
        )
        .await;
    assert!(e.is_ok(), "{:?}", e.err());
}

/// The desk used by the remaining tests: one jstpay profile on the sandbox.
async fn one_profile(sandbox: &paydesk_sandbox::Running, dir: &std::path::Path) -> PayDesk {
    set_lang(Lang::En);
    let d = engine::open(dir, Arc::new(MemoryStore::default()))
        .await
        .unwrap();
    add_profile(&d, KIND, "main", sandbox.base_url(KIND)).await;
    d
}

fn input(name: &str, base_url: String) -> ProfileInput {
    profile_input(KIND, name, base_url)
}

/// A profile with open orders is not removed (its orders could never be
/// queried again); once they are final it is.
#[tokio::test]
async fn a_profile_with_open_orders_is_not_removed() {
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = one_profile(&sandbox, dir.path()).await;
    let o = d
        .create_order(
            "main",
            OrderKind::Payout,
            &order_input(KIND, "OPEN-1", true),
        )
        .await
        .unwrap();
    assert_eq!(o.order.status, OrderStatus::Pending);
    let e = d.remove_profile("main").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains("main"), "{e}");
    assert!(e.to_string().contains('1'), "says how many: {e}");
    // Still there, still queryable.
    d.profile("main").await.unwrap();
    sandbox.sim.set_state(KIND, "OPEN-1", SimState::Succeeded);
    let r = d.refresh_order(o.order.id).await.unwrap();
    assert_eq!(r.order.status, OrderStatus::Succeeded);
    d.remove_profile("main").await.unwrap();
    assert!(d.profile("main").await.is_err());
}

/// A refresh of several orders reports each one: one that cannot be asked
/// (its profile's key is gone) does not hide the others.
#[tokio::test]
async fn refresh_of_several_orders_reports_each_one() {
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryStore::default());
    let d = engine::open(dir.path(), vault.clone()).await.unwrap();
    set_lang(Lang::En);
    add_profile(&d, KIND, "main", sandbox.base_url(KIND)).await;
    add_profile(&d, KIND, "keyless", sandbox.base_url(KIND)).await;
    let a = d
        .create_order("main", OrderKind::Payout, &order_input(KIND, "R-1", true))
        .await
        .unwrap();
    let b = d
        .create_order(
            "keyless",
            OrderKind::Payout,
            &order_input(KIND, "R-2", true),
        )
        .await
        .unwrap();
    // The key of "keyless" disappears from the keyring behind PayDesk's back
    // (a fresh desk on the same files: nothing cached).
    let keyless = d.profile("keyless").await.unwrap().profile.id;
    use paydesk_core::vault::{SecretStore, Slot};
    vault.delete(&keyless, Slot::Secret).unwrap();
    drop(d);
    let d = engine::open(dir.path(), vault.clone()).await.unwrap();
    sandbox.sim.set_state(KIND, "R-1", SimState::Succeeded);
    let results = d.refresh_orders(&[a.order.id, b.order.id]).await.unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].order.status, OrderStatus::Succeeded);
    assert!(results[0].error.is_none());
    assert_eq!(results[1].order.order_no, "R-2");
    let err = results[1].error.as_ref().expect("the keyless one reports");
    assert_eq!(err.code, "secret");
    assert!(err.message.contains("keyless"), "{}", err.message);
    assert!(
        !err.message.contains(&keyless),
        "no internal id: {}",
        err.message
    );
}

/// Profile settings a gateway needs are checked when the profile is saved,
/// not when a payout is sent: appkey, xxpay and juyouke need a notify URL.
#[tokio::test]
async fn a_profile_without_the_notify_url_its_gateway_needs_is_refused() {
    set_lang(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    for kind in [
        ProviderKind::Appkey,
        ProviderKind::Xxpay,
        ProviderKind::Juyouke,
    ] {
        let mut p = profile_input(kind, kind.as_str(), "http://127.0.0.1:9".into());
        p.gateway.notify_url = None;
        let e = d
            .add_profile(p.clone(), Secret::new("k"), None)
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("notify_url"), "{kind}: {e}");
        // Saved with one, it cannot be edited away.
        p.gateway.notify_url = Some("http://127.0.0.1:9/n".into());
        d.add_profile(p.clone(), Secret::new("k"), None)
            .await
            .unwrap();
        p.gateway.notify_url = Some("  ".into());
        let e = d
            .update_profile(kind.as_str(), p, None, None)
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("notify_url"), "{kind}: {e}");
    }
    // The others do not need one.
    for kind in [ProviderKind::Jstpay, ProviderKind::Jeepay] {
        let mut p = input(kind.as_str(), "http://127.0.0.1:9".into());
        p.provider = Some(kind);
        let c = paydesk_sandbox::credentials(kind);
        p.gateway.app_id = c.app_id.map(String::from);
        p.gateway.notify_url = None;
        d.add_profile(p, Secret::new("k"), None).await.unwrap();
    }
}

/// A request that provably never left (connection refused) does not burn the
/// number: the same number can be sent again once the gateway is reachable,
/// on the same order row, and the message says so.
#[tokio::test]
async fn an_unsent_order_can_be_sent_again_under_the_same_number() {
    set_lang(Lang::En);
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    let closed = format!("http://127.0.0.1:{}/jstpay", closed_port());
    add_profile(&d, KIND, "main", closed.clone()).await;
    let first = d
        .create_order("main", OrderKind::Payout, &order_input(KIND, "NS-1", true))
        .await
        .unwrap();
    assert_eq!(first.order.status, OrderStatus::Failed);
    assert_eq!(first.error.as_ref().unwrap().code, "not_sent");
    assert!(
        first
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("same order number"),
        "{:?}",
        first.error
    );
    d.update_profile("main", input("main", sandbox.base_url(KIND)), None, None)
        .await
        .unwrap();
    // The confirm step lets it through (it will be sent again), but not with
    // other details under the same number.
    d.prepare_order("main", OrderKind::Payout, &order_input(KIND, "NS-1", true))
        .await
        .unwrap();
    let mut changed = order_input(KIND, "NS-1", true);
    changed.amount = "101".into();
    let e = d
        .prepare_order("main", OrderKind::Payout, &changed)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    let again = d
        .create_order("main", OrderKind::Payout, &order_input(KIND, "NS-1", true))
        .await
        .unwrap();
    assert!(again.error.is_none(), "{:?}", again.error);
    assert_eq!(again.order.id, first.order.id, "the same order, sent now");
    assert_eq!(again.order.status, OrderStatus::Pending);
    assert_eq!(d.find_orders("NS-1", None).await.unwrap().len(), 1);
    // A number the gateway may have received is never sent twice, and the
    // confirm step says so first.
    let e = d
        .prepare_order("main", OrderKind::Payout, &order_input(KIND, "NS-1", true))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains("already exists"), "{e}");
    let e = d
        .create_order("main", OrderKind::Payout, &order_input(KIND, "NS-1", true))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
}

/// The one sandbox set-up (app and CLI) gives every gateway what it needs:
/// each profile is accepted, points at the sandbox, and can be used.
#[tokio::test]
async fn the_shared_sandbox_set_up_is_accepted_for_every_gateway() {
    set_lang(Lang::En);
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    let url = format!("http://{}/", sandbox.addr);
    for kind in ProviderKind::ALL {
        let (input, secret, reply) =
            paydesk_sandbox::profile_input(kind, &url, format!("sandbox-{kind}"));
        let v = d.add_profile(input, secret, reply).await.unwrap();
        assert_eq!(v.profile.gateway.base_url, sandbox.base_url(kind));
        assert!(v.profile.sandbox);
        assert!(d.test_profile(&v.profile.name).await.unwrap().ok, "{kind}");
    }
}
