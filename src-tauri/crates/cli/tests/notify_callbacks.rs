//! Every gateway's callback from a real HTTP client against the listener, on
//! a real SQLite file with orders created at the sandbox: a correct one is
//! applied and acknowledged with the exact body; ten replays change it once;
//! a bad signature, an unknown order or another amount changes nothing, is
//! not acknowledged and is audited. JSTpay's receive check answers `1|OKAY`
//! only for the payout as sent.

mod support;

use paydesk_core::domain::{OrderStatus, ProviderKind};
use paydesk_core::notify::server::{listen, ListenOptions, Listening};
use paydesk_core::providers::{jeepay, jstpay};
use paydesk_core::services::PayDesk;
use paydesk_core::sign::{md5_lower, md5_upper, php_urlencode, rfc3986_encode};
use paydesk_core::store::Order;
use std::sync::Arc;
use support::*;

struct Sent {
    method: &'static str,
    query: String,
    content_type: &'static str,
    body: String,
}

fn jst_payout(action: &'static str) -> impl Fn(&str, &str, &str, &str) -> Sent {
    move |no, amount, gw, key| {
        let c = paydesk_sandbox::credentials(ProviderKind::Jstpay);
        let enc = |s: &str| php_urlencode(s);
        let texts: Vec<(&str, String)> = vec![
            ("type", "pay".into()),
            ("action", action.into()),
            ("merchant_ID", c.merchant_id.into()),
            ("payee_name", enc("张三")),
            ("payee_bank", enc("中国工商银行")),
            ("payee_branch", enc("上海分行")),
            ("payee_number", "6222020200112233445".into()),
            ("payee_amount", amount.into()),
            ("payee_province", enc("上海市")),
            ("payee_city", enc("上海市")),
            ("client_order_id", no.into()),
            ("order_id", gw.into()),
        ];
        let sig = jstpay::sign::sign(texts.iter().map(|(k, v)| (*k, v.as_str())), key);
        let mut body = String::from("{");
        for (k, v) in &texts {
            if *k == "payee_amount" {
                body.push_str(&format!("\"{k}\":{v},"));
            } else {
                body.push_str(&format!("\"{k}\":\"{v}\","));
            }
        }
        body.push_str(&format!("\"signature\":\"{sig}\"}}"));
        Sent {
            method: "POST",
            query: String::new(),
            content_type: "application/json",
            body,
        }
    }
}

/// `name=value&…&sign=…`, values percent-encoded.
fn encode(fields: &[(&str, String)], sign: &str) -> String {
    let mut out: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", rfc3986_encode(v)))
        .collect();
    out.push(format!("sign={sign}"));
    out.join("&")
}

fn jee(no: &str, amount: &str, gw: &str, key: &str) -> Sent {
    let c = paydesk_sandbox::credentials(ProviderKind::Jeepay);
    let fields: Vec<(&str, String)> = vec![
        ("mchNo", c.merchant_id.into()),
        ("appId", c.app_id.unwrap().into()),
        ("mchOrderNo", no.into()),
        ("transferId", gw.into()),
        ("amount", amount.into()),
        ("currency", "cny".into()),
        ("ifCode", "wxpay".into()),
        ("entryType", "WX_CASH".into()),
        ("state", "2".into()),
        ("accountNo", "o6BcIwvTvIqf1zXZohc61biryWik".into()),
        ("accountName", "张三".into()),
        ("bankName", String::new()),
        ("reqTime", "1700000000000".into()),
    ];
    let sign = jeepay::sign::sign(fields.iter().map(|(k, v)| (*k, v.as_str())), key);
    Sent {
        method: "POST",
        query: String::new(),
        content_type: "application/x-www-form-urlencoded",
        body: encode(&fields, &sign),
    }
}

fn xx(no: &str, amount: &str, gw: &str, key: &str) -> Sent {
    let c = paydesk_sandbox::credentials(ProviderKind::Xxpay);
    let mut fields: Vec<(&str, String)> = vec![
        ("transOrderId", gw.into()),
        ("mchId", c.merchant_id.into()),
        ("mchTransOrderNo", no.into()),
        ("amount", amount.into()),
        ("status", "2".into()),
        ("channelOrderNo", "CH1".into()),
        ("param1", String::new()),
        ("transSuccTime", "1700000000000".into()),
        ("backType", "2".into()),
    ];
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let signed: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let sign = md5_upper(&format!("{}&key={key}", signed.join("&")));
    Sent {
        method: "GET",
        query: encode(&fields, &sign),
        content_type: "",
        body: String::new(),
    }
}

fn ak(no: &str, amount: &str, _gw: &str, key: &str) -> Sent {
    let c = paydesk_sandbox::credentials(ProviderKind::Appkey);
    let s = md5_lower(&format!(
        "amount={amount}&appKey={}&mrn={no}&key={key}",
        c.merchant_id
    ));
    Sent {
        method: "POST",
        query: String::new(),
        content_type: "application/x-www-form-urlencoded",
        body: format!("amount={amount}&appKey={}&mrn={no}&sign={s}", c.merchant_id),
    }
}

async fn send(http: &reqwest::Client, base: &str, pid: &str, s: &Sent) -> (u16, String) {
    let url = if s.query.is_empty() {
        format!("{base}/notify/{pid}")
    } else {
        format!("{base}/notify/{pid}?{}", s.query)
    };
    let mut rb = match s.method {
        "GET" => http.get(url),
        _ => http.post(url).body(s.body.clone()),
    };
    if !s.content_type.is_empty() {
        rb = rb.header("content-type", s.content_type);
    }
    let r = rb.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn setup() -> (
    tempfile::TempDir,
    paydesk_sandbox::Running,
    Arc<PayDesk>,
    Listening,
) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
    let desk = desk(dir.path()).await;
    for kind in ProviderKind::ALL {
        add_profile(&desk, kind, kind.as_str(), sandbox.base_url(kind)).await;
    }
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
    (dir, sandbox, desk, l)
}

async fn refused(desk: &PayDesk) -> Vec<String> {
    desk.store
        .audit_entries(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "notify.refused")
        .map(|a| a.detail.unwrap_or_default())
        .collect()
}

async fn notify_events(desk: &PayDesk, o: &Order) -> usize {
    desk.order_events(o.id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "notify")
        .count()
}

async fn exercise(
    kind: ProviderKind,
    build: &(dyn Fn(&str, &str, &str, &str) -> Sent + Sync),
    amount: &str,
    other: &str,
    ack: &str,
) {
    let (_dir, _sb, desk, l) = setup().await;
    let pid = desk.profile(kind.as_str()).await.unwrap().profile.id;
    let no = format!("CB{}1", kind.as_str().to_uppercase());
    let created = desk
        .create_order(
            kind.as_str(),
            order_kind(kind),
            &order_input(kind, &no, true),
        )
        .await
        .unwrap();
    assert!(created.error.is_none(), "{:?}", created.error);
    let o = created.order;
    assert_eq!(o.status, OrderStatus::Pending);
    let gw = o.provider_order_id.clone().unwrap_or_default();
    let key = paydesk_sandbox::credentials(kind);
    let key = key.reply_secret.unwrap_or(key.secret);
    let http = reqwest::Client::new();
    let base = l.base_url();

    // Forged or mismatching: nothing changes, no acknowledgement, audited.
    for (what, s) in [
        ("bad signature", build(&no, amount, &gw, "not-the-key")),
        ("unknown order", build("NO-SUCH-ORDER", amount, &gw, key)),
        ("other amount", build(&no, other, &gw, key)),
    ] {
        let before = refused(&desk).await.len();
        let (status, body) = send(&http, &base, &pid, &s).await;
        assert!((400..500).contains(&status), "{kind} {what}: {status}");
        assert_ne!(body, ack, "{kind} {what}: not acknowledged");
        assert_eq!(
            desk.order(o.id).await.unwrap().status,
            OrderStatus::Pending,
            "{kind} {what}"
        );
        assert_eq!(notify_events(&desk, &o).await, 0);
        assert_eq!(
            refused(&desk).await.len(),
            before + 1,
            "{kind} {what}: audited"
        );
    }

    // The genuine callback: applied, then acknowledged with the exact body.
    let good = build(&no, amount, &gw, key);
    let (status, body) = send(&http, &base, &pid, &good).await;
    assert_eq!((status, body.as_str()), (200, ack), "{kind}");
    let after = desk.order(o.id).await.unwrap();
    assert_eq!(after.status, OrderStatus::Succeeded, "{kind}");
    let events = desk.order_events(o.id).await.unwrap();
    let ev = events
        .iter()
        .find(|e| e.action == "notify")
        .expect("callback recorded");
    assert!(!ev.exchanges[0].request.contains(key), "the key is masked");

    // Replayed ten times at once: same answer, one state change.
    let replays = (0..10).map(|_| send(&http, &base, &pid, &good));
    for (status, body) in futures_util::future::join_all(replays).await {
        assert_eq!((status, body.as_str()), (200, ack), "{kind} replay");
    }
    assert_eq!(notify_events(&desk, &o).await, 1, "{kind}: one change");
    assert_eq!(
        desk.order(o.id).await.unwrap().status,
        OrderStatus::Succeeded
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jstpay_payout_completed() {
    exercise(
        ProviderKind::Jstpay,
        &jst_payout("completed"),
        "100",
        "101",
        "1|OKAY",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jeepay_transfer_notify() {
    exercise(ProviderKind::Jeepay, &jee, "10000", "10001", "success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xxpay_transfer_notify() {
    exercise(ProviderKind::Xxpay, &xx, "10000", "10001", "success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appkey_payout_callback() {
    exercise(ProviderKind::Appkey, &ak, "100.00", "101.00", "success").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jstpay_receive_check_confirms_only_the_payout_as_sent() {
    let (_dir, _sb, desk, l) = setup().await;
    let kind = ProviderKind::Jstpay;
    let pid = desk.profile("jstpay").await.unwrap().profile.id;
    let o = desk
        .create_order(
            "jstpay",
            order_kind(kind),
            &order_input(kind, "CBRECV1", true),
        )
        .await
        .unwrap()
        .order;
    let gw = o.provider_order_id.clone().unwrap_or_default();
    let key = paydesk_sandbox::credentials(kind).secret;
    let http = reqwest::Client::new();
    let check = jst_payout("receive");
    let (status, body) = send(
        &http,
        &l.base_url(),
        &pid,
        &check("CBRECV1", "100", &gw, key),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "1|OKAY"));
    let after = desk.order(o.id).await.unwrap();
    assert_eq!(
        after.status,
        OrderStatus::Pending,
        "a question, not a result"
    );
    assert!(desk
        .order_events(o.id)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "notify.receive_check"));

    for (no, amount) in [("CBRECV1", "99"), ("NOT-OURS-1", "100")] {
        let (status, body) = send(&http, &l.base_url(), &pid, &check(no, amount, &gw, key)).await;
        assert!((400..500).contains(&status));
        assert_ne!(body, "1|OKAY");
    }
    let audit = refused(&desk).await;
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.contains("收到未知代付核对请求"))
            .count(),
        2,
        "{audit:?}"
    );
    assert_eq!(desk.order(o.id).await.unwrap().status, OrderStatus::Pending);
}
