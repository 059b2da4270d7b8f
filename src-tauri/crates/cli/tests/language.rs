//! Issue 10 item 10, one language per run: PayDesk's notes on an order and
//! its events are stored as codes and put into words when read, so a note
//! written in one language reads in the other after a switch; the operating
//! system's error text is quoted after the sentence. Its own test binary: the
//! language is process-wide.

mod support;

use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::i18n::{set_lang, Lang};
use support::*;

/// The language is process-wide: the tests of this binary take turns.
static LANGUAGE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn old_notes_read_in_the_current_language() {
    let _turn = LANGUAGE.lock().await;
    set_lang(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    let kind = ProviderKind::Jstpay;
    let closed = format!("http://127.0.0.1:{}/jstpay", closed_port());
    add_profile(&d, kind, "main", closed).await;
    let o = d
        .create_order(
            "main",
            OrderKind::Payout,
            &order_input(kind, "LANG-1", true),
        )
        .await
        .unwrap();
    assert_eq!(o.order.status, OrderStatus::Failed);
    let en = o.order.message.clone().unwrap();
    assert!(en.starts_with("could not connect to the gateway"), "{en}");

    set_lang(Lang::Zh);
    let zh = d.order(o.order.id).await.unwrap().message.unwrap();
    assert!(zh.starts_with("未能连接网关，请求未发出。"), "{zh}");
    // The OS words (English here) come after the Chinese sentence, set apart.
    let sentence_end = zh.find("重试。").expect("the sentence ends");
    let quoted = zh.find("（系统信息：").expect("the OS text is quoted");
    assert!(sentence_end < quoted, "{zh}");
    assert!(!zh.contains("could not connect"), "{zh}");
    for e in d.order_events(o.order.id).await.unwrap() {
        let m = e.message.unwrap_or_default();
        assert!(!m.contains("{\"note\""), "a raw code shown: {m}");
        assert!(
            !m.contains("being sent") && !m.contains("could not connect"),
            "an English note in a Chinese run: {m}"
        );
    }
    let found = d.find_orders("LANG-1", None).await.unwrap();
    assert!(found[0]
        .message
        .as_deref()
        .unwrap()
        .starts_with("未能连接网关"));

    set_lang(Lang::En);
    let again = d.order(o.order.id).await.unwrap().message.unwrap();
    assert_eq!(again, en);
    let events = d.order_events(o.order.id).await.unwrap();
    assert_eq!(
        events[0].message.as_deref(),
        Some("being sent to the gateway")
    );
}

/// A reply that names another gateway order is recorded with PayDesk's own
/// sentence about it; that sentence follows the reader's language too (it is
/// kept in both, not in the language of the moment it was written).
#[tokio::test]
async fn a_mismatch_recorded_in_chinese_reads_in_english() {
    let _turn = LANGUAGE.lock().await;
    set_lang(Lang::Zh);
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = desk(dir.path()).await;
    let kind = ProviderKind::Jstpay;
    add_profile(&d, kind, "main", sandbox.base_url(kind)).await;
    let o = d
        .create_order(
            "main",
            OrderKind::Payout,
            &order_input(kind, "LANG-2", true),
        )
        .await
        .unwrap();
    assert!(o.error.is_none(), "{:?}", o.error);
    // The stored gateway id no longer matches what the gateway answers.
    sqlx::query("UPDATE orders SET provider_order_id = 'OTHER-ID' WHERE id = ?")
        .bind(o.order.id)
        .execute(d.store.pool())
        .await
        .unwrap();
    let q = d.refresh_order(o.order.id).await.unwrap();
    assert_eq!(q.error.as_ref().unwrap().code, "reply_mismatch");
    let zh = d.order_events(o.order.id).await.unwrap();
    let zh = zh.last().unwrap().message.clone().unwrap();
    assert!(zh.contains("应答的网关订单号为"), "{zh}");

    set_lang(Lang::En);
    let events = d.order_events(o.order.id).await.unwrap();
    let en = events.last().unwrap().message.clone().unwrap();
    assert_eq!(
        events.last().unwrap().error_code.as_deref(),
        Some("reply_mismatch")
    );
    assert!(en.contains("the reply names gateway order"), "{en}");
    assert!(en.contains("OTHER-ID"), "{en}");
    assert!(
        !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "Chinese in an English reading: {en}"
    );
}
