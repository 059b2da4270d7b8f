//! jeepay client against the jeepay simulator, over loopback.

use paydesk_core::domain::OrderKind;
use paydesk_core::form::FormValues;
use paydesk_core::gateway::{Call, GatewayConfig, GatewayError, OrderParams};
use paydesk_core::http::HttpClient;
use paydesk_core::providers::gateway;
use paydesk_core::providers::jeepay::{sign, wire};
use paydesk_core::{OrderStatus, ProviderKind, Secret};
use paydesk_sandbox::{credentials, spawn, FaultKind, FaultSpec, Running, SimState};

const P: ProviderKind = ProviderKind::Jeepay;

fn config(running: &Running) -> GatewayConfig {
    let c = credentials(P);
    GatewayConfig {
        base_url: running.base_url(P),
        merchant_id: c.merchant_id.into(),
        app_id: c.app_id.map(Into::into),
        notify_url: Some("http://127.0.0.1:9/notify".into()),
        ..Default::default()
    }
}

fn secret() -> Secret {
    Secret::new(credentials(P).secret)
}

fn order(no: &str, amount_fen: i64) -> OrderParams {
    let values: FormValues = [
        ("entry_type", "WX_CASH"),
        ("if_code", "wxpay"),
        ("account_no", "o6BcIwvTvIqf1zXZohc61biryWik"),
        ("payee_name", "张三"),
        ("remark", "测试转账 & 备注"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    OrderParams {
        kind: OrderKind::Payout,
        order_no: no.into(),
        amount_fen,
        values,
        provider_order_id: None,
        created_at_ms: 0,
    }
}

fn fault(running: &Running, fault: FaultKind) {
    running.sim.add_fault(FaultSpec {
        provider: P,
        fault,
        delay_ms: None,
        times: Some(1),
    });
}

fn code_of(e: &GatewayError) -> String {
    match e {
        GatewayError::Rejected { code, .. } => code.clone(),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn payout_then_query_as_the_order_moves() {
    let running = spawn(0, None).await.unwrap();
    let (http, cfg, key) = (HttpClient::default(), config(&running), secret());
    let call = Call::new(&http, &cfg, &key, None);
    let gw = gateway(P);

    let mut o = order("JP-OK-1", 12_345);
    let created = gw.create_payout(&call, &o).await.unwrap();
    assert_eq!(created.status, OrderStatus::Pending);
    assert_eq!(created.provider_status.as_deref(), Some("0"));
    assert_eq!(created.order_no.as_deref(), Some("JP-OK-1"));
    assert_eq!(created.amount_fen, Some(12_345));
    let transfer_id = created.provider_order_id.clone().unwrap();
    assert!(transfer_id.starts_with('T'));
    let sim_order = running.sim.get_order(P, "JP-OK-1").unwrap();
    assert_eq!(
        (
            sim_order.kind.as_str(),
            sim_order.amount_fen,
            sim_order.state
        ),
        ("payout", 12_345, SimState::Pending)
    );
    assert_eq!(sim_order.data["transferDesc"], "测试转账 & 备注");

    // The journal keeps the exchange, with the key masked.
    let ex = call.journal.take();
    assert_eq!(ex.len(), 1);
    assert!(ex[0].url.ends_with("/jeepay/api/transferOrder"));
    assert!(
        ex[0].request.contains("\"amount\":12345"),
        "{}",
        ex[0].request
    );
    assert!(!ex[0].request.contains(credentials(P).secret));

    let q = gw.query(&call, &o).await.unwrap();
    assert_eq!(
        (q.status, q.amount_fen, q.order_no.as_deref()),
        (OrderStatus::Pending, Some(12_345), Some("JP-OK-1"))
    );

    let client = reqwest::Client::new();
    let url = format!(
        "http://{}/_sandbox/orders/jeepay/JP-OK-1/process",
        running.addr
    );
    assert!(client
        .post(&url)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    assert_eq!(
        gw.query(&call, &o).await.unwrap().status,
        OrderStatus::Processing
    );

    let url = format!(
        "http://{}/_sandbox/orders/jeepay/JP-OK-1/succeed",
        running.addr
    );
    assert!(client
        .post(&url)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    o.provider_order_id = Some(transfer_id.clone());
    let q = gw.query(&call, &o).await.unwrap();
    assert_eq!(q.status, OrderStatus::Succeeded);
    assert_eq!(q.provider_status.as_deref(), Some("2"));
    assert_eq!(q.provider_order_id.as_deref(), Some(transfer_id.as_str()));
    assert!(q.extra.contains_key("channel_order_no"));
    assert_eq!(
        q.extra.get("account_name").map(String::as_str),
        Some("张三")
    );

    // By the transfer id alone.
    let by_id = OrderParams {
        order_no: String::new(),
        ..o.clone()
    };
    assert_eq!(
        gw.query(&call, &by_id).await.unwrap().order_no.as_deref(),
        Some("JP-OK-1")
    );
}

#[tokio::test]
async fn failed_transfer_reports_the_channel_error() {
    let running = spawn(0, None).await.unwrap();
    let (http, cfg, key) = (HttpClient::default(), config(&running), secret());
    let call = Call::new(&http, &cfg, &key, None);
    let gw = gateway(P);
    let mut o = order("JP-BANK-1", 100);
    o.values.insert("entry_type".into(), "BANK_CARD".into());
    o.values
        .insert("account_no".into(), "6222 0202 0000 1234".into());
    o.values.insert("bank_name".into(), "中国工商银行".into());
    o.values
        .insert("channel_extra".into(), "{\"k\":\"v\"}".into());
    o.values.insert("client_ip".into(), "210.73.10.148".into());
    gw.check(&o).unwrap();
    gw.create_payout(&call, &o).await.unwrap();
    assert_eq!(
        running.sim.get_order(P, "JP-BANK-1").unwrap().data["accountNo"],
        "6222020200001234"
    );
    running
        .sim
        .set_state(P, "JP-BANK-1", SimState::Failed)
        .unwrap();
    let q = gw.query(&call, &o).await.unwrap();
    assert_eq!(q.status, OrderStatus::Failed);
    assert_eq!(
        q.provider_message.as_deref(),
        Some("转账失败：收款账户异常（沙箱）")
    );
}

#[tokio::test]
async fn wrong_key_and_wrong_merchant_are_rejected() {
    let running = spawn(0, None).await.unwrap();
    let (http, mut cfg) = (HttpClient::default(), config(&running));
    let gw = gateway(P);
    let wrong = Secret::new("not-the-key");
    let call = Call::new(&http, &cfg, &wrong, None);
    let e = gw
        .create_payout(&call, &order("JP-KEY-1", 100))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "9999:sign_error");
    assert_eq!(e.delivery(), paydesk_core::gateway::Delivery::NotDelivered);
    assert!(running.sim.get_order(P, "JP-KEY-1").is_none());
    // What `profile test` sees: a query with the wrong key is a sign error...
    let e = gw
        .query(&call, &order("NO-SUCH-ORDER", 1))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "9999:sign_error");
    // ...and with the right key, the unknown order is OrderNotFound.
    let key = secret();
    let call = Call::new(&http, &cfg, &key, None);
    assert!(matches!(
        gw.query(&call, &order("NO-SUCH-ORDER", 1)).await,
        Err(GatewayError::OrderNotFound { .. })
    ));

    cfg.app_id = Some("someone-elses-app".into());
    let call = Call::new(&http, &cfg, &key, None);
    let e = gw
        .create_payout(&call, &order("JP-KEY-2", 100))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "9999:merchant");
}

#[tokio::test]
async fn duplicate_order_number_is_rejected() {
    let running = spawn(0, None).await.unwrap();
    let (http, cfg, key) = (HttpClient::default(), config(&running), secret());
    let call = Call::new(&http, &cfg, &key, None);
    let gw = gateway(P);
    gw.create_payout(&call, &order("JP-DUP-1", 100))
        .await
        .unwrap();
    let e = gw
        .create_payout(&call, &order("JP-DUP-1", 200))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "9999:duplicate_order");
    assert_eq!(
        running.sim.get_order(P, "JP-DUP-1").unwrap().amount_fen,
        100
    );
}

#[tokio::test]
async fn faults_show_up_as_untrusted_replies() {
    let running = spawn(0, None).await.unwrap();
    let (http, cfg, key) = (HttpClient::default(), config(&running), secret());
    let call = Call::new(&http, &cfg, &key, None);
    let gw = gateway(P);

    fault(&running, FaultKind::BadSign);
    let o = order("JP-FAULT-1", 500);
    assert_eq!(
        gw.create_payout(&call, &o).await,
        Err(GatewayError::BadSignature)
    );
    // The order was made; the next (honest) reply is trusted.
    assert_eq!(gw.query(&call, &o).await.unwrap().amount_fen, Some(500));
    fault(&running, FaultKind::BadSign);
    assert_eq!(gw.query(&call, &o).await, Err(GatewayError::BadSignature));

    fault(&running, FaultKind::WrongOrder);
    let r = gw
        .create_payout(&call, &order("JP-FAULT-2", 500))
        .await
        .unwrap();
    assert_eq!(
        (r.order_no.as_deref(), r.amount_fen),
        (Some("JP-FAULT-2X"), Some(500))
    );
    fault(&running, FaultKind::WrongAmount);
    let r = gw
        .create_payout(&call, &order("JP-FAULT-3", 500))
        .await
        .unwrap();
    assert_eq!(
        (r.order_no.as_deref(), r.amount_fen),
        (Some("JP-FAULT-3"), Some(600))
    );
    fault(&running, FaultKind::WrongAmount);
    let r = gw.query(&call, &o).await.unwrap();
    assert_eq!(r.amount_fen, Some(600));

    fault(&running, FaultKind::Malformed);
    assert!(matches!(
        gw.query(&call, &o).await,
        Err(GatewayError::Malformed(_))
    ));
    fault(&running, FaultKind::Http500);
    assert!(matches!(
        gw.query(&call, &o).await,
        Err(GatewayError::HttpStatus { status: 500, .. })
    ));
}

#[tokio::test]
async fn missing_order_is_not_found_and_other_operations_are_not_offered() {
    let running = spawn(0, None).await.unwrap();
    let (http, cfg, key) = (HttpClient::default(), config(&running), secret());
    let call = Call::new(&http, &cfg, &key, None);
    let gw = gateway(P);
    let mut o = order("JP-NONE", 100);
    assert!(matches!(
        gw.query(&call, &o).await,
        Err(GatewayError::OrderNotFound { .. })
    ));
    o.provider_order_id = Some("T2099010100000001".into());
    assert!(matches!(
        gw.query(&call, &o).await,
        Err(GatewayError::OrderNotFound { .. })
    ));
    assert!(matches!(
        gw.balance(&call).await,
        Err(GatewayError::NotOffered { .. })
    ));
    assert!(matches!(
        gw.create_deposit(&call, &o).await,
        Err(GatewayError::NotOffered { .. })
    ));
}

/// Raw requests the client never makes: the sandbox must be as strict as the gateway.
#[tokio::test]
async fn sandbox_is_strict_and_accepts_form_bodies() {
    let running = spawn(0, None).await.unwrap();
    let cfg = config(&running);
    let key = credentials(P).secret;
    let client = reqwest::Client::new();
    let url = format!("{}{}", cfg.base_url, wire::TRANSFER_PATH);
    let now = chrono::Utc::now().timestamp_millis();
    let post_json = |body: String| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let text = client
                .post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            serde_json::from_str::<serde_json::Value>(&text).unwrap()
        }
    };

    // Form encoding, signed the same way, is accepted.
    let params = wire::transfer_params(&cfg, &order("JP-FORM-1", 100), now).unwrap();
    let mut pairs: Vec<(String, String)> = params
        .0
        .iter()
        .map(|(k, v)| (k.to_string(), v.sign_text()))
        .collect();
    let s = sign::sign(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), key);
    pairs.push(("sign".into(), s));
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter())
        .finish();
    let v: serde_json::Value = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["code"], 0, "{v}");
    assert_eq!(v["data"]["mchOrderNo"], "JP-FORM-1");

    // A stale reqTime is refused even with a good sign.
    let stale = sign::sign_request(
        &wire::transfer_params(&cfg, &order("JP-STALE", 100), now - 11 * 60 * 1000).unwrap(),
        key,
    );
    let v = post_json(stale.body).await;
    assert_eq!(v["code"], 9999);
    assert!(v["msg"].as_str().unwrap().contains("reqTime"));

    // amount as a JSON string or with decimals is a type error, even when signed.
    let good = sign::sign_request(
        &wire::transfer_params(&cfg, &order("JP-TYPE", 100), now).unwrap(),
        key,
    );
    let v = post_json(good.body.replace("\"amount\":100", "\"amount\":\"100\"")).await;
    assert_eq!(
        (v["code"].as_i64(), v["msg"].as_str()),
        (Some(11), Some("参数有误[amount类型错误]"))
    );
    let v = post_json(good.body.replace("\"amount\":100", "\"amount\":100.0")).await;
    assert_eq!(v["code"], 11);
    // A missing required field.
    let v = post_json(good.body.replace("\"currency\":\"cny\",", "")).await;
    assert_eq!(v["msg"], "参数有误[currency不能为空]");
    // A changed value breaks the sign.
    let v = post_json(good.body.replace("\"amount\":100", "\"amount\":101")).await;
    assert_eq!(v["msg"], "验签失败");
    // Lower-case sign hex is fine.
    let v = post_json(
        good.body
            .replace(&good.sign, &good.sign.to_ascii_lowercase()),
    )
    .await;
    assert_eq!(v["code"], 0, "{v}");
    assert!(running.sim.get_order(P, "JP-TYPE").is_some());
    assert!(running.sim.get_order(P, "JP-STALE").is_none());
    // reqTime as a JSON string, as in the document's own example, is accepted.
    let s = sign::sign_request(
        &wire::transfer_params(&cfg, &order("JP-STR-TIME", 100), now).unwrap(),
        key,
    );
    let v = post_json(s.body.replace(
        &format!("\"reqTime\":{now}"),
        &format!("\"reqTime\":\"{now}\""),
    ))
    .await;
    assert_eq!(v["code"], 0, "{v}");
}
