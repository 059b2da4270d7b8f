//! Every gateway's callback from a real HTTP client against the listener, on
//! a real SQLite file with orders created at the sandbox: a correct one is
//! applied and acknowledged with the exact body; ten replays change it once;
//! a bad signature, an unknown order or another amount changes nothing, is
//! not acknowledged and is audited. JSTpay's receive check answers `1|OKAY`
//! only for the payout as sent. Every callback is built and signed by
//! `callback_sign` (written from PROVIDERS.md alone), never by the code
//! under test.

mod callback_sign;
mod support;

use callback_sign::{form, php_urlencode};

use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::form::OrderInput;
use paydesk_core::notify::server::{listen, ListenOptions, Listening};
use paydesk_core::services::PayDesk;
use paydesk_core::store::Order;
use paydesk_core::sync::{Settled, SettledBy};
use std::sync::Arc;
use support::*;

struct Sent {
    method: &'static str,
    query: String,
    content_type: &'static str,
    body: String,
}

/// JSTpay payout callback (`type` `pay`): JSON, the fields in the
/// document's order, `payee_amount` a JSON integer of whole yuan, the five
/// urlencode fields PHP-urlencoded as PayDesk sent them; signed over the
/// texts as sent (`callback_sign::jstpay_signature`).
fn jst_payout(action: &'static str) -> impl Fn(&str, &str, &str, &str) -> Sent {
    move |no, amount, gw, key| {
        let c = paydesk_sandbox::credentials(ProviderKind::Jstpay);
        let enc = php_urlencode;
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
        let sig = callback_sign::jstpay_signature(&texts, key);
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

/// `name=value&…&sign=…`, values form-encoded.
fn encode(fields: &[(&str, String)], sign: &str) -> String {
    let mut all = fields.to_vec();
    all.push(("sign", sign.to_string()));
    form(&all)
}

/// Jeepay transfer notify: a form POST, `amount` in fen, `state` 2; signed
/// by `callback_sign::jeepay_sign` (empty fields left out, `reqTime` in).
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
    let sign = callback_sign::jeepay_sign(&fields, key);
    Sent {
        method: "POST",
        query: String::new(),
        content_type: "application/x-www-form-urlencoded",
        body: encode(&fields, &sign),
    }
}

/// xxpay transfer notify: a GET with the fields in the query string,
/// `amount` in fen, `status` 2; signed with the reply key.
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
    let sign = callback_sign::xxpay_sign(&fields, key);
    Sent {
        method: "GET",
        query: encode(&fields, &sign),
        content_type: "",
        body: String::new(),
    }
}

/// AppKey payout callback: a form POST of `amount` (yuan, two decimals),
/// `appKey`, `mrn`, `sign`.
fn ak(no: &str, amount: &str, _gw: &str, key: &str) -> Sent {
    let c = paydesk_sandbox::credentials(ProviderKind::Appkey);
    let s = callback_sign::appkey_payout_sign(amount, c.merchant_id, no, key);
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
) -> Order {
    let no = format!("CB{}1", kind.as_str().to_uppercase());
    let input = order_input(kind, &no, true);
    exercise_order(kind, order_kind(kind), input, build, amount, other, ack).await
}

/// `exercise` for a given order: the callback built by `build(order number,
/// amount text, gateway id, key)`; returns the order after the replays.
async fn exercise_order(
    kind: ProviderKind,
    okind: OrderKind,
    input: OrderInput,
    build: &(dyn Fn(&str, &str, &str, &str) -> Sent + Sync),
    amount: &str,
    other: &str,
    ack: &str,
) -> Order {
    let (_dir, _sb, desk, l) = setup().await;
    let pid = desk.profile(kind.as_str()).await.unwrap().profile.id;
    let no = input.order_no.clone().unwrap();
    let created = desk
        .create_order(kind.as_str(), okind, &input)
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
    // The order detail says the callback settled it, and when (not the
    // last query's finding).
    assert_eq!(
        desk.sync_state(o.id).await.unwrap().settled,
        Some(Settled {
            by: SettledBy::Callback,
            at: ev.at
        }),
        "{kind}"
    );
    let last = desk.order(o.id).await.unwrap();
    assert_eq!(last.status, OrderStatus::Succeeded);
    last
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

// The remaining callbacks (deposits), built the same way.

fn deposit_input(kind: ProviderKind, no: &str) -> OrderInput {
    let kv: Vec<(&str, &str)> = match kind {
        ProviderKind::Jstpay => vec![("channel", "bank"), ("to_card", "false")],
        ProviderKind::Appkey => vec![("channel", "1")],
        ProviderKind::Xxpay => vec![
            ("channel", "8002"),
            ("subject", "在线支付"),
            ("body", "在线支付"),
        ],
        _ => unreachable!(),
    };
    OrderInput {
        amount: "100".into(),
        order_no: Some(no.into()),
        values: kv
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// 聚优客 payment callback: the raw body `{"result_response":{…},"sign":…}`,
/// every value a string, `total_amount` in fen; sign = md5(lower(compact
/// sorted JSON of result_response) + key), lower hex.
fn jyk(no: &str, amount: &str, gw: &str, key: &str) -> Sent {
    let c = paydesk_sandbox::credentials(ProviderKind::Juyouke);
    let rr: std::collections::BTreeMap<&str, &str> = [
        ("result_code", "10000"),
        ("return_msg", "支付成功 OK"),
        ("app_id", c.merchant_id),
        ("out_trade_no", no),
        ("pay_date", "1539157623"),
        ("paytype", "1"),
        ("total_amount", amount),
        ("trade_no", gw),
        ("trade_status", "TRADE_SUCCESS"),
    ]
    .into_iter()
    .collect();
    let text = serde_json::to_string(&rr).unwrap();
    assert!(text.contains("支付成功"), "non-ASCII written as is");
    let sign = callback_sign::juyouke_sign(&text, key);
    Sent {
        method: "POST",
        query: String::new(),
        content_type: "application/json",
        body: format!("{{\"result_response\":{text},\"sign\":\"{sign}\"}}"),
    }
}

/// JSTpay deposit completed: JSON, `payee_amount` a string of yuan. With
/// `credited`, the gateway changed the amount: `payee_amount` is what was
/// credited and `act_amount` (the amount matched) what was submitted.
fn jst_deposit(credited: Option<&'static str>) -> impl Fn(&str, &str, &str, &str) -> Sent {
    move |no, amount, gw, key| {
        let c = paydesk_sandbox::credentials(ProviderKind::Jstpay);
        let mut f: Vec<(&str, String)> = vec![
            ("type", "deposit".into()),
            ("action", "completed".into()),
            ("merchant_ID", c.merchant_id.into()),
            ("client_order_id", no.into()),
            ("pay_mode", "bank".into()),
            ("order_id", gw.into()),
        ];
        match credited {
            Some(paid) => {
                f.push(("payee_amount", paid.into()));
                f.push(("act_amount", amount.into()));
            }
            None => f.push(("payee_amount", amount.into())),
        }
        let sig = callback_sign::jstpay_signature(&f, key);
        let mut obj = serde_json::Map::new();
        for (k, v) in f {
            obj.insert(k.into(), serde_json::Value::String(v));
        }
        obj.insert("signature".into(), sig.into());
        Sent {
            method: "POST",
            query: String::new(),
            content_type: "application/json",
            body: serde_json::Value::Object(obj).to_string(),
        }
    }
}

/// xxpay pay notify: every non-empty field (extensions included) sorted,
/// `&key=<reply key>`, MD5 upper; sent in a form body, or (`in_query`) in
/// the query string of a POST with an empty body.
fn xx_pay(in_query: bool) -> impl Fn(&str, &str, &str, &str) -> Sent {
    move |no, amount, gw, key| {
        let c = paydesk_sandbox::credentials(ProviderKind::Xxpay);
        let mut f: Vec<(&str, String)> = vec![
            ("payOrderId", gw.into()),
            ("mchId", c.merchant_id.into()),
            ("appId", c.app_id.unwrap().into()),
            ("productId", "8002".into()),
            ("mchOrderNo", no.into()),
            ("amount", amount.into()),
            ("status", "2".into()),
            ("channelOrderNo", "WX2024 0001".into()),
            ("channelAttach", String::new()),
            ("param1", String::new()),
            ("param2", String::new()),
            ("paySuccTime", "1700000000000".into()),
            ("backType", "2".into()),
            // Fields the gateway may add: signed like the others.
            ("currency", "cny".into()),
            ("subject", "在线支付 & 充值".into()),
        ];
        let sign = callback_sign::xxpay_sign(&f, key);
        f.push(("sign", sign));
        let encoded = form(&f);
        if in_query {
            Sent {
                method: "POST",
                query: encoded,
                content_type: "",
                body: String::new(),
            }
        } else {
            Sent {
                method: "POST",
                query: String::new(),
                content_type: "application/x-www-form-urlencoded",
                body: encoded,
            }
        }
    }
}

/// AppKey deposit callback: `amount` (paid), `appKey`, `channel`, `mrn`,
/// `originAmount` (submitted, the amount matched); sign over exactly that
/// order with `&key=`, MD5 lower.
fn ak_deposit(paid: Option<&'static str>) -> impl Fn(&str, &str, &str, &str) -> Sent {
    move |no, origin, _gw, key| {
        let c = paydesk_sandbox::credentials(ProviderKind::Appkey);
        let amount = paid.unwrap_or(origin);
        let sign = callback_sign::appkey_deposit_sign(amount, c.merchant_id, "1", no, origin, key);
        let f: Vec<(&str, String)> = vec![
            ("amount", amount.into()),
            ("appKey", c.merchant_id.into()),
            ("channel", "1".into()),
            ("mrn", no.into()),
            ("originAmount", origin.into()),
            ("sign", sign),
        ];
        Sent {
            method: "POST",
            query: String::new(),
            content_type: "application/x-www-form-urlencoded",
            body: form(&f),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn juyouke_payment_callback_raw_json() {
    let o = exercise(ProviderKind::Juyouke, &jyk, "10000", "10001", "success").await;
    assert_eq!(o.amount_fen, 10000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jstpay_deposit_completed_string_amount() {
    let k = ProviderKind::Jstpay;
    let o = exercise_order(
        k,
        OrderKind::Deposit,
        deposit_input(k, "CBJSTD1"),
        &jst_deposit(None),
        "100.00",
        "101.00",
        "1|OKAY",
    )
    .await;
    assert!(!o.extra.contains_key("credited_fen"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jstpay_deposit_completed_changed_amount_matches_act_amount() {
    let k = ProviderKind::Jstpay;
    // `act_amount` is matched (as "100", any decimal-yuan text); the credited
    // 98.50 is kept with the order.
    let o = exercise_order(
        k,
        OrderKind::Deposit,
        deposit_input(k, "CBJSTD2"),
        &jst_deposit(Some("98.50")),
        "100",
        "98.50",
        "1|OKAY",
    )
    .await;
    assert_eq!(o.amount_fen, 10000);
    assert_eq!(
        o.extra.get("credited_fen").map(String::as_str),
        Some("9850")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xxpay_pay_notify_form_post() {
    let k = ProviderKind::Xxpay;
    exercise_order(
        k,
        OrderKind::Deposit,
        deposit_input(k, "CBXXP1"),
        &xx_pay(false),
        "10000",
        "10001",
        "success",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xxpay_pay_notify_in_query_string_with_empty_body() {
    let k = ProviderKind::Xxpay;
    exercise_order(
        k,
        OrderKind::Deposit,
        deposit_input(k, "CBXXP2"),
        &xx_pay(true),
        "10000",
        "10001",
        "success",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appkey_deposit_callback() {
    let k = ProviderKind::Appkey;
    let o = exercise_order(
        k,
        OrderKind::Deposit,
        deposit_input(k, "CBAKD1"),
        &ak_deposit(None),
        "100.00",
        "101.00",
        "success",
    )
    .await;
    assert!(!o.extra.contains_key("credited_fen"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appkey_deposit_callback_paid_other_than_submitted() {
    let k = ProviderKind::Appkey;
    // `originAmount` is matched; the customer paid 99.50, which is kept.
    let o = exercise_order(
        k,
        OrderKind::Deposit,
        deposit_input(k, "CBAKD2"),
        &ak_deposit(Some("99.50")),
        "100.00",
        "101.00",
        "success",
    )
    .await;
    assert_eq!(
        o.extra.get("credited_fen").map(String::as_str),
        Some("9950")
    );
}
