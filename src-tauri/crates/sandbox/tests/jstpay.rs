//! jstpay client against the jstpay simulator, over loopback.

use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::gateway::{Call, GatewayConfig, GatewayError, OrderParams};
use paydesk_core::http::HttpClient;
use paydesk_core::providers::gateway;
use paydesk_core::Secret;
use paydesk_sandbox::{credentials, spawn, FaultKind, FaultSpec, Running, SimState};
use std::collections::BTreeMap;

const P: ProviderKind = ProviderKind::Jstpay;

struct Env {
    running: Running,
    http: HttpClient,
    config: GatewayConfig,
    secret: Secret,
}

impl Env {
    async fn new() -> Env {
        let running = spawn(0, None).await.unwrap();
        let c = credentials(P);
        let config = GatewayConfig {
            base_url: running.base_url(P),
            merchant_id: c.merchant_id.into(),
            ..Default::default()
        };
        Env {
            running,
            http: HttpClient::default(),
            config,
            secret: Secret::new(c.secret),
        }
    }

    fn call(&self) -> Call<'_> {
        Call::new(&self.http, &self.config, &self.secret, None)
    }

    fn fault(&self, fault: FaultKind) {
        self.running.sim.add_fault(FaultSpec {
            provider: P,
            fault,
            delay_ms: None,
            times: Some(1),
        });
    }
}

fn values(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn payout(order_no: &str, fen: i64) -> OrderParams {
    OrderParams {
        kind: OrderKind::Payout,
        order_no: order_no.into(),
        amount_fen: fen,
        values: values(&[
            ("payee_name", "张三"),
            ("account_no", "6222020200112233445"),
            ("bank_name", "中国 工商银行"),
            ("branch", "上海分行(浦东)~支行"),
            ("province", "上海市"),
            ("city", "Shanghai"),
        ]),
        provider_order_id: None,
        created_at_ms: 0,
    }
}

fn deposit(order_no: &str, fen: i64, kv: &[(&str, &str)]) -> OrderParams {
    OrderParams {
        kind: OrderKind::Deposit,
        order_no: order_no.into(),
        amount_fen: fen,
        values: values(kv),
        provider_order_id: None,
        created_at_ms: 0,
    }
}

#[tokio::test]
async fn payout_create_query_and_advance() {
    let env = Env::new().await;
    let g = gateway(P);
    let order = payout("PDJ0001", 10000);
    let r = g.create_payout(&env.call(), &order).await.unwrap();
    assert_eq!(r.status, OrderStatus::Pending);
    assert_eq!(r.order_no.as_deref(), Some("PDJ0001"));
    let gateway_id = r.provider_order_id.clone().unwrap();
    assert!(gateway_id.starts_with("JSTP"));
    // The sandbox kept the decoded names.
    let sim_order = env.running.sim.get_order(P, "PDJ0001").unwrap();
    assert_eq!(sim_order.amount_fen, 10000);
    assert_eq!(sim_order.data["payee_bank"], "中国 工商银行");

    let q = g.query(&env.call(), &order).await.unwrap();
    assert_eq!(
        (q.status, q.provider_status.as_deref(), q.amount_fen),
        (OrderStatus::Pending, Some("10"), Some(10000))
    );
    assert_eq!(q.provider_order_id.as_deref(), Some(gateway_id.as_str()));

    env.running
        .sim
        .set_state(P, "PDJ0001", SimState::Processing);
    assert_eq!(
        g.query(&env.call(), &order).await.unwrap().status,
        OrderStatus::Processing
    );

    let url = format!(
        "http://{}/_sandbox/orders/jstpay/PDJ0001/succeed",
        env.running.addr
    );
    assert!(reqwest::Client::new()
        .post(url)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let q = g.query(&env.call(), &order).await.unwrap();
    assert_eq!(
        (
            q.status,
            q.provider_status.as_deref(),
            q.provider_message.as_deref()
        ),
        (OrderStatus::Succeeded, Some("30"), Some("代付完成"))
    );

    let order2 = payout("PDJ0002", 500);
    g.create_payout(&env.call(), &order2).await.unwrap();
    env.running.sim.set_state(P, "PDJ0002", SimState::Failed);
    let q = g.query(&env.call(), &order2).await.unwrap();
    assert_eq!(
        (q.status, q.provider_status.as_deref()),
        (OrderStatus::Failed, Some("40"))
    );
}

#[tokio::test]
async fn payout_refusals() {
    let env = Env::new().await;
    let g = gateway(P);
    g.create_payout(&env.call(), &payout("PDJDUP", 10000))
        .await
        .unwrap();
    let e = g
        .create_payout(&env.call(), &payout("PDJDUP", 20000))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1004"),
        "{e:?}"
    );

    let wrong = Secret::new("not-the-key");
    let call = Call::new(&env.http, &env.config, &wrong, None);
    let e = g
        .create_payout(&call, &payout("PDJWK", 10000))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1001"),
        "{e:?}"
    );
    assert!(env.running.sim.get_order(P, "PDJWK").is_none());

    // Fen cannot be sent: refused before any request.
    let call = env.call();
    let e = g
        .create_payout(&call, &payout("PDJFEN", 10050))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Invalid(f) if f.field == "amount"),
        "{e:?}"
    );
    assert!(call.journal.take().is_empty());
    // The journal does record a sent request.
    g.create_payout(&call, &payout("PDJJRN", 100))
        .await
        .unwrap();
    let ex = call.journal.take();
    assert_eq!(ex.len(), 1);
    assert!(ex[0].url.ends_with("/jstpay/api/pay/create"));
    assert!(
        ex[0].request.contains("\"payee_amount\":1,")
            && ex[0].request.contains("%E5%BC%A0%E4%B8%89"),
        "{}",
        ex[0].request
    );

    env.running.sim.set_balance(P, 5_000);
    let e = g
        .create_payout(&env.call(), &payout("PDJPOOR", 10000))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1006"),
        "{e:?}"
    );
}

#[tokio::test]
async fn payout_query_misses_and_faults() {
    let env = Env::new().await;
    let g = gateway(P);
    let e = g
        .query(&env.call(), &payout("PDJNONE", 10000))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::OrderNotFound { code, .. } if code == "1005"),
        "{e:?}"
    );
    // profile test: a wrong key on a missing order is a sign error, not "not found".
    let wrong = Secret::new("nope");
    let e = g
        .query(
            &Call::new(&env.http, &env.config, &wrong, None),
            &payout("PDJNONE", 10000),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1001"),
        "{e:?}"
    );

    let order = payout("PDJF1", 10000);
    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.create_payout(&env.call(), &order).await.unwrap_err(),
        GatewayError::BadSignature
    );
    // The order reached the sandbox even though the reply was not trusted.
    assert!(env.running.sim.get_order(P, "PDJF1").is_some());

    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.query(&env.call(), &order).await.unwrap_err(),
        GatewayError::BadSignature
    );
    env.fault(FaultKind::WrongOrder);
    assert_eq!(
        g.query(&env.call(), &order)
            .await
            .unwrap()
            .order_no
            .as_deref(),
        Some("PDJF1X")
    );
    env.fault(FaultKind::WrongAmount);
    assert_eq!(
        g.query(&env.call(), &order).await.unwrap().amount_fen,
        Some(10100)
    );
    env.fault(FaultKind::WrongOrder);
    assert_eq!(
        g.create_payout(&env.call(), &payout("PDJF2", 100))
            .await
            .unwrap()
            .order_no
            .as_deref(),
        Some("PDJF2X")
    );

    // Wrong card number: the gateway's own "does not match" refusal.
    let mut other_card = order.clone();
    other_card
        .values
        .insert("account_no".into(), "6222000000000000".into());
    let e = g.query(&env.call(), &other_card).await.unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1010"),
        "{e:?}"
    );
}

#[tokio::test]
async fn balance_and_wrong_key() {
    let env = Env::new().await;
    let g = gateway(P);
    env.running.sim.set_balance(P, 1_234_567);
    let b = g.balance(&env.call()).await.unwrap();
    assert_eq!(b.balance_fen, 1_234_567);
    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.balance(&env.call()).await.unwrap_err(),
        GatewayError::BadSignature
    );
    let wrong = Secret::new("nope");
    let e = g
        .balance(&Call::new(&env.http, &env.config, &wrong, None))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1001"),
        "{e:?}"
    );
    let mut other = env.config.clone();
    other.merchant_id = "SOMEONE".into();
    let e = g
        .balance(&Call::new(&env.http, &other, &env.secret, None))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1002"),
        "{e:?}"
    );
}

#[tokio::test]
async fn deposit_page_create_query_and_faults() {
    let mut env = Env::new().await;
    env.config.notify_url = Some("http://merchant.example/jst/notify".into());
    let g = gateway(P);
    let order = deposit(
        "PDD0001",
        5000,
        &[
            ("channel", "weixin"),
            ("to_card", "false"),
            ("fund_id", "F-01"),
        ],
    );
    let r = g.create_deposit(&env.call(), &order).await.unwrap();
    assert_eq!(r.status, OrderStatus::Pending);
    assert_eq!(r.order_no.as_deref(), Some("PDD0001"));
    assert!(
        r.pay_url
            .as_deref()
            .unwrap()
            .contains("/jstpay/cashier/JSTD"),
        "{:?}",
        r.pay_url
    );
    assert!(r.card.is_none());
    let sim_order = env.running.sim.get_order(P, "PDD0001").unwrap();
    assert_eq!(
        (
            sim_order.data["fund_id"].as_str(),
            sim_order.data["callback_uri"].as_str()
        ),
        (Some("F-01"), Some("http://merchant.example/jst/notify"))
    );

    let q = g.query(&env.call(), &order).await.unwrap();
    assert_eq!(
        (q.status, q.provider_status.as_deref(), q.amount_fen),
        (OrderStatus::Pending, Some("11"), Some(5000))
    );
    env.running.sim.set_state(P, "PDD0001", SimState::Succeeded);
    let q = g.query(&env.call(), &order).await.unwrap();
    assert_eq!(
        (q.status, q.provider_status.as_deref()),
        (OrderStatus::Succeeded, Some("41"))
    );

    let e = g.create_deposit(&env.call(), &order).await.unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1004"),
        "{e:?}"
    );

    let other = deposit("PDD0002", 100, &[("channel", "bank")]);
    g.create_deposit(&env.call(), &other).await.unwrap();
    env.running.sim.set_state(P, "PDD0002", SimState::Failed);
    assert_eq!(
        g.query(&env.call(), &other).await.unwrap().status,
        OrderStatus::Failed
    );
    // Wrong channel in the query: refused as not matching.
    let mut wrong_channel = other.clone();
    wrong_channel
        .values
        .insert("channel".into(), "alipay".into());
    assert!(
        matches!(g.query(&env.call(), &wrong_channel).await, Err(GatewayError::Rejected { code, .. }) if code == "1010")
    );
    // A payout number queried as a deposit is not found.
    g.create_payout(&env.call(), &payout("PDJ0100", 100))
        .await
        .unwrap();
    let as_deposit = deposit("PDJ0100", 100, &[("channel", "bank")]);
    assert!(matches!(
        g.query(&env.call(), &as_deposit).await,
        Err(GatewayError::OrderNotFound { .. })
    ));
    assert!(matches!(
        g.query(
            &env.call(),
            &deposit("PDDNONE", 100, &[("channel", "bank")])
        )
        .await,
        Err(GatewayError::OrderNotFound { .. })
    ));

    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.create_deposit(
            &env.call(),
            &deposit("PDD0003", 100, &[("channel", "qrcode")])
        )
        .await
        .unwrap_err(),
        GatewayError::BadSignature
    );
    env.fault(FaultKind::WrongOrder);
    assert_eq!(
        g.create_deposit(
            &env.call(),
            &deposit("PDD0004", 100, &[("channel", "alipay")])
        )
        .await
        .unwrap()
        .order_no
        .as_deref(),
        Some("PDD0004X")
    );
    env.fault(FaultKind::WrongAmount);
    assert_eq!(
        g.query(&env.call(), &other).await.unwrap().amount_fen,
        Some(200)
    );

    let wrong = Secret::new("nope");
    let e = g
        .create_deposit(
            &Call::new(&env.http, &env.config, &wrong, None),
            &deposit("PDD0005", 100, &[("channel", "bank")]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1001"),
        "{e:?}"
    );
}

#[tokio::test]
async fn deposit_to_card() {
    let env = Env::new().await;
    let g = gateway(P);
    let order = deposit(
        "PDC0001",
        10000,
        &[
            ("channel", "bank"),
            ("to_card", "true"),
            ("payer_name", "李 四"),
        ],
    );
    let r = g.create_deposit(&env.call(), &order).await.unwrap();
    assert_eq!(r.amount_fen, Some(10000));
    assert!(r.pay_url.is_none());
    let card = r.card.unwrap();
    assert_eq!(card.card_number, "6222020200000000001");
    assert_eq!(card.card_bank, "中国工商银行");
    assert_eq!(card.sender_name.as_deref(), Some("李 四"));
    assert!(card.nonce.is_some());
    let sim_order = env.running.sim.get_order(P, "PDC0001").unwrap();
    assert_eq!(
        card.actual_amount_fen,
        sim_order.data["actual_amount_fen"].as_i64()
    );
    let actual = card.actual_amount_fen.unwrap();
    assert!(actual > 10000 && actual < 10100, "{actual}");
    assert_eq!(sim_order.data["sender_name"], "李 四");

    // actual_amount is signed as its number text (`100.3` or `100.37`, as the
    // odd fen fall): every one of these must verify.
    for i in 0..12 {
        let o = deposit(
            &format!("PDC1{i:03}"),
            10000,
            &[("channel", "weixin"), ("to_card", "true")],
        );
        let r = g.create_deposit(&env.call(), &o).await.unwrap();
        assert!(r.card.unwrap().sender_name.is_none());
    }

    env.fault(FaultKind::WrongAmount);
    let r = g
        .create_deposit(
            &env.call(),
            &deposit(
                "PDC0002",
                10000,
                &[("channel", "bank"), ("to_card", "true")],
            ),
        )
        .await
        .unwrap();
    assert_eq!(r.amount_fen, Some(10100));
    env.fault(FaultKind::BadSign);
    let e = g
        .create_deposit(
            &env.call(),
            &deposit(
                "PDC0003",
                10000,
                &[("channel", "bank"), ("to_card", "true")],
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(e, GatewayError::BadSignature);
    let e = g.create_deposit(&env.call(), &order).await.unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1004"),
        "{e:?}"
    );
}

#[tokio::test]
async fn arrivals_in_range() {
    let env = Env::new().await;
    let g = gateway(P);
    let now = chrono::Utc::now().timestamp();
    let rows = g
        .arrivals(&env.call(), Some(now - 86_400), Some(now))
        .await
        .unwrap();
    // One row every two hours; 13 when both ends fall on a row.
    assert!((12..=13).contains(&rows.len()), "{rows:?}");
    let banks: std::collections::BTreeSet<&str> = rows.iter().map(|a| a.bank.as_str()).collect();
    assert!(
        banks.contains("中国工商银行") && banks.contains("招商银行"),
        "{banks:?}"
    );
    assert!(rows.iter().any(|a| a.sender_name == "李 四"));
    assert!(rows.iter().any(|a| a.sender_name == "王五~*"));
    assert!(rows.iter().any(|a| a.amount_fen == 10037));
    assert!(rows.iter().any(|a| a.amount_fen == 50));
    assert!(rows
        .iter()
        .all(|a| a.card_tail == "0001" && a.serial.starts_with("JSTA") && a.time.len() == 19));
    // Defaults (the last day) and a narrow window.
    assert!((12..=13).contains(&g.arrivals(&env.call(), None, None).await.unwrap().len()));
    assert!(
        g.arrivals(&env.call(), Some(now - 10), Some(now - 5))
            .await
            .unwrap()
            .len()
            <= 1
    );

    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.arrivals(&env.call(), None, None).await.unwrap_err(),
        GatewayError::BadSignature
    );
    let wrong = Secret::new("nope");
    let e = g
        .arrivals(&Call::new(&env.http, &env.config, &wrong, None), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Rejected { code, .. } if code == "1001"),
        "{e:?}"
    );
}

/// Requests built by hand: the sandbox must refuse what the gateway would.
#[tokio::test]
async fn sandbox_is_strict() {
    let env = Env::new().await;
    let secret = credentials(P).secret;
    let url = format!("{}/api/pay/balance", env.running.base_url(P));
    let client = reqwest::Client::new();
    let post = |url: String, body: String| {
        let client = client.clone();
        async move {
            let text = client
                .post(url)
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
    let md5 = |s: &str| paydesk_core::sign::md5_lower(s);
    // A signed timestamp too far from the gateway's clock.
    let skewed = (chrono::Utc::now().timestamp() - 3600).to_string();
    let sig = md5(&format!(
        "merchant_ID=JSTSANDBOX&timestamp={skewed}&hash_key={secret}"
    ));
    let v = post(
        format!("{}/api/deposit/detail", env.running.base_url(P)),
        format!(
            "{{\"merchant_ID\":\"JSTSANDBOX\",\"timestamp\":\"{skewed}\",\"signature\":\"{sig}\"}}"
        ),
    )
    .await;
    assert_eq!(
        (v["status"].as_i64(), v["err_code"].as_str()),
        (Some(0), Some("1008")),
        "{v}"
    );
    // A range wider than 31 days is refused (it once grew the simulator to gigabytes).
    let now = chrono::Utc::now().timestamp().to_string();
    let sig = md5(&format!(
        "end={now}&merchant_ID=JSTSANDBOX&start=0&timestamp={now}&hash_key={secret}"
    ));
    let v = post(
        format!("{}/api/deposit/detail", env.running.base_url(P)),
        format!(
            "{{\"merchant_ID\":\"JSTSANDBOX\",\"timestamp\":\"{now}\",\"start\":\"0\",\"end\":\"{now}\",\"signature\":\"{sig}\"}}"
        ),
    )
    .await;
    assert_eq!(v["err_code"].as_str(), Some("1009"), "{v}");
    // Correct balance request, upper-case signature refused (lower hex is the rule).
    let sig = md5(&format!("merchant_ID=JSTSANDBOX&hash_key={secret}"));
    let v = post(
        url.clone(),
        format!("{{\"merchant_ID\":\"JSTSANDBOX\",\"signature\":\"{sig}\"}}"),
    )
    .await;
    assert_eq!(v["status"].as_i64(), Some(1), "{v}");
    let v = post(
        url.clone(),
        format!(
            "{{\"merchant_ID\":\"JSTSANDBOX\",\"signature\":\"{}\"}}",
            sig.to_uppercase()
        ),
    )
    .await;
    assert_eq!(v["err_code"].as_str(), Some("1001"), "{v}");

    // payee_amount as a string, or with decimals: a type error even when signed.
    let create = format!("{}/api/deposit/create", env.running.base_url(P));
    for amount in ["\"100\"", "100.0"] {
        let text = amount.trim_matches('"');
        let sig = md5(&format!("client_order_id=X1&merchant_ID=JSTSANDBOX&pay_mode=bank&payee_amount={text}&hash_key={secret}"));
        let body = format!("{{\"merchant_ID\":\"JSTSANDBOX\",\"payee_amount\":{amount},\"pay_mode\":\"bank\",\"client_order_id\":\"X1\",\"signature\":\"{sig}\"}}");
        let v = post(create.clone(), body).await;
        assert_eq!(v["err_code"].as_str(), Some("1003"), "{amount}: {v}");
    }

    // A payee name signed raw instead of urlencoded is refused.
    let pay = format!("{}/api/pay/create", env.running.base_url(P));
    let fields = [
        ("client_order_id", "X2"),
        ("merchant_ID", "JSTSANDBOX"),
        ("payee_bank", "ICBC"),
        ("payee_branch", "b"),
        ("payee_city", "c"),
        ("payee_name", "张三"),
        ("payee_number", "6222"),
        ("payee_province", "p"),
    ];
    let mut sts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    sts.push("payee_amount=1".into());
    sts.sort();
    let sig = md5(&format!("{}&hash_key={secret}", sts.join("&")));
    let mut body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("\"{k}\":\"{v}\""))
        .collect();
    body.push("\"payee_amount\":1".into());
    body.push(format!("\"signature\":\"{sig}\""));
    let v = post(pay, format!("{{{}}}", body.join(","))).await;
    assert_eq!(v["err_code"].as_str(), Some("1003"), "{v}");
    assert!(v["err_msg"].as_str().unwrap().contains("payee_name"), "{v}");
}
