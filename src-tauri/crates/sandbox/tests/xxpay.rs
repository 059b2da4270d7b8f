//! xxpay over loopback: the real client module against the sandbox.

use md5::Digest;
use paydesk_core::gateway::{Call, GatewayConfig, GatewayError, OrderParams};
use paydesk_core::http::HttpClient;
use paydesk_core::providers::{gateway, xxpay};
use paydesk_core::{OrderKind, OrderStatus, ProviderKind, Secret};
use paydesk_sandbox::{credentials, FaultKind, FaultSpec, Running, SimState};

const KIND: ProviderKind = ProviderKind::Xxpay;

struct Env {
    running: Running,
    http: HttpClient,
    config: GatewayConfig,
    secret: Secret,
    reply_secret: Secret,
}

impl Env {
    async fn new() -> Env {
        let running = paydesk_sandbox::spawn(0, None).await.unwrap();
        let c = credentials(KIND);
        let config = GatewayConfig {
            base_url: running.base_url(KIND),
            merchant_id: c.merchant_id.into(),
            app_id: c.app_id.map(Into::into),
            operator_id: None,
            notify_url: Some("http://merchant.example/notify".into()),
            return_url: Some("http://merchant.example/return".into()),
        };
        Env {
            running,
            http: HttpClient::default(),
            config,
            secret: Secret::new(c.secret),
            reply_secret: Secret::new(c.reply_secret.unwrap()),
        }
    }

    fn call(&self) -> Call<'_> {
        Call::new(
            &self.http,
            &self.config,
            &self.secret,
            Some(&self.reply_secret),
        )
    }

    fn fault(&self, fault: FaultKind) {
        self.running.sim.add_fault(FaultSpec {
            provider: KIND,
            fault,
            delay_ms: None,
            times: Some(1),
        });
    }
}

fn order(kind: OrderKind, no: &str, amount_fen: i64, kv: &[(&str, &str)]) -> OrderParams {
    OrderParams {
        kind,
        order_no: no.into(),
        amount_fen,
        values: kv
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        provider_order_id: None,
        created_at_ms: 0,
    }
}

fn deposit(no: &str, channel: &str) -> OrderParams {
    order(
        OrderKind::Deposit,
        no,
        10050,
        &[
            ("channel", channel),
            ("subject", "测试商品"),
            ("body", "测试商品描述"),
        ],
    )
}

fn bank_deposit(no: &str) -> OrderParams {
    order(
        OrderKind::Deposit,
        no,
        20000,
        &[
            ("channel", "8000"),
            ("payer_bank_code", "HPT00002"),
            ("payer_name", "张三"),
            ("payer_account_no", "6222020200112233445"),
            ("subject", "充值"),
            ("body", "充值"),
        ],
    )
}

fn payout(no: &str, amount_fen: i64) -> OrderParams {
    order(
        OrderKind::Payout,
        no,
        amount_fen,
        &[
            ("payee_name", "李四"),
            ("account_no", "6222020200112233445"),
            ("bank_code", "HPT00034"),
            ("account_type", "1"),
            ("province", "浙江"),
            ("city", "义乌"),
            ("remark", "工资"),
        ],
    )
}

fn rejected_code(e: GatewayError) -> String {
    match e {
        GatewayError::Rejected { code, .. } => code,
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn deposit_create_then_query_follows_the_order() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    let o = deposit("XXD0001", "8002");
    gw.check(&o).unwrap();
    let r = gw.create_deposit(&env.call(), &o).await.unwrap();
    assert_eq!(r.status, OrderStatus::Pending);
    let pay_url = r.pay_url.clone().unwrap();
    assert!(
        pay_url.starts_with(&format!(
            "{}/cashier?payOrderId=",
            env.running.base_url(KIND)
        )),
        "{pay_url}"
    );
    assert!(xxpay::post_form_target(&pay_url).is_none());
    let gateway_id = r.provider_order_id.clone().unwrap();
    // The cashier page is served.
    let page = reqwest::get(&pay_url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(&gateway_id));

    let q = gw.query(&env.call(), &o).await.unwrap();
    assert_eq!(q.status, OrderStatus::Pending);
    assert_eq!(q.provider_status.as_deref(), Some("0"));
    assert_eq!(q.order_no.as_deref(), Some("XXD0001"));
    assert_eq!(q.amount_fen, Some(10050));
    assert_eq!(q.provider_order_id.as_deref(), Some(gateway_id.as_str()));

    // Advanced through the control API.
    let url = format!(
        "http://{}/_sandbox/orders/xxpay/XXD0001/succeed",
        env.running.addr
    );
    assert!(reqwest::Client::new()
        .post(url)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let q = gw.query(&env.call(), &o).await.unwrap();
    assert_eq!(q.status, OrderStatus::Succeeded);
    assert_eq!(q.provider_status.as_deref(), Some("2"));
    assert!(q.extra.contains_key("pay_success_time"));
    assert!(q.extra.contains_key("channel_order_no"));

    let o2 = deposit("XXD0002", "8003");
    gw.create_deposit(&env.call(), &o2).await.unwrap();
    env.running
        .sim
        .set_state(KIND, "XXD0002", SimState::Processing);
    assert_eq!(
        gw.query(&env.call(), &o2).await.unwrap().status,
        OrderStatus::Processing
    );
    env.running.sim.set_state(KIND, "XXD0002", SimState::Failed);
    let q = gw.query(&env.call(), &o2).await.unwrap();
    assert_eq!(q.status, OrderStatus::Failed);
    assert_eq!(q.provider_status.as_deref(), Some("5"));
}

#[tokio::test]
async fn bank_transfer_deposit_returns_a_post_target_that_opens() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    let o = bank_deposit("XXD0100");
    gw.check(&o).unwrap();
    let r = gw.create_deposit(&env.call(), &o).await.unwrap();
    let pay_url = r.pay_url.unwrap();
    assert!(pay_url.starts_with("POST;http://127.0.0.1:"), "{pay_url}");
    let (action, fields) = xxpay::post_form_target(&pay_url).unwrap();
    assert_eq!(
        action,
        format!("{}/gateway/bank", env.running.base_url(KIND))
    );
    assert_eq!(
        fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        vec!["orderId", "sign"]
    );
    assert_eq!(fields[0].1, r.provider_order_id.unwrap());
    let page = reqwest::Client::new()
        .post(&action)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("XXD0100"));
    // It is a form POST target, not a page to GET or a QR code.
    let got = reqwest::get(format!("{action}?orderId={}", fields[0].1))
        .await
        .unwrap();
    assert_eq!(got.status(), 405);
    // The sandbox keeps what param1 carried.
    let stored = env.running.sim.get_order(KIND, "XXD0100").unwrap();
    assert_eq!(stored.data["param1"], "HPT00002;张三;6222020200112233445");
    assert_eq!(stored.amount_fen, 20000);
}

#[tokio::test]
async fn bank_transfer_without_payer_details_is_refused_by_the_sandbox() {
    let env = Env::new().await;
    // Built by hand: the client's check would stop this before sending.
    let c = credentials(KIND);
    let fields = [
        ("amount", "100"),
        ("appId", c.app_id.unwrap()),
        ("body", "b"),
        ("currency", "cny"),
        ("mchId", c.merchant_id),
        ("mchOrderNo", "XXD0101"),
        ("notifyUrl", "http://n"),
        ("param1", "HPT00002;;123"),
        ("productId", "8000"),
        ("subject", "s"),
    ];
    let base: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}&"))
        .collect::<String>()
        + "key="
        + c.secret;
    let sign = format!("{:X}", md5::Md5::digest(base.as_bytes()));
    let params = format!(
        r#"{{"mchId":{},"appId":"{}","productId":8000,"mchOrderNo":"XXD0101","currency":"cny","amount":100,"notifyUrl":"http://n","subject":"s","body":"b","param1":"HPT00002;;123","sign":"{sign}"}}"#,
        c.merchant_id,
        c.app_id.unwrap()
    );
    let url = format!("{}/api/pay/create_order", env.running.base_url(KIND));
    let body = reqwest::Client::new()
        .post(&url)
        .form(&[("params", params.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("\"retCode\":\"FAIL\""), "{body}");
    assert!(body.contains("param1"), "{body}");
    assert!(env.running.sim.get_order(KIND, "XXD0101").is_none());
    // And the client refuses to send it at all.
    let mut o = bank_deposit("XXD0101");
    o.values.remove("payer_name");
    assert_eq!(gateway(KIND).check(&o).unwrap_err().field, "payer_name");
}

#[tokio::test]
async fn sandbox_refuses_wrong_json_types() {
    let env = Env::new().await;
    let c = credentials(KIND);
    // productId and amount as strings: signed correctly, but the wrong type.
    let base = format!("amount=100&appId={}&body=b&currency=cny&mchId={}&mchOrderNo=XXD0200&notifyUrl=http://n&productId=8002&subject=s&key={}", c.app_id.unwrap(), c.merchant_id, c.secret);
    let sign = format!("{:X}", md5::Md5::digest(base.as_bytes()));
    let params = format!(
        r#"{{"mchId":"{}","appId":"{}","productId":"8002","mchOrderNo":"XXD0200","currency":"cny","amount":"100","notifyUrl":"http://n","subject":"s","body":"b","sign":"{sign}"}}"#,
        c.merchant_id,
        c.app_id.unwrap()
    );
    let url = format!("{}/api/pay/create_order", env.running.base_url(KIND));
    let body = reqwest::Client::new()
        .post(&url)
        .form(&[("params", params.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("参数格式校验错误") && body.contains("productId"),
        "{body}"
    );
    assert!(env.running.sim.get_order(KIND, "XXD0200").is_none());
}

#[tokio::test]
async fn payout_create_then_query_succeeds_or_fails() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    let o = payout("XXP0001", 50000);
    gw.check(&o).unwrap();
    let r = gw.create_payout(&env.call(), &o).await.unwrap();
    assert_eq!(r.status, OrderStatus::Pending);
    assert_eq!(r.provider_status.as_deref(), Some("0"));
    assert_eq!(r.order_no.as_deref(), Some("XXP0001"));
    assert_eq!(r.amount_fen, Some(50000));
    assert!(r.provider_order_id.is_some());
    let stored = env.running.sim.get_order(KIND, "XXP0001").unwrap();
    assert_eq!(stored.kind, "payout");
    assert_eq!(stored.data["bankCode"], "HPT00034");

    assert_eq!(
        gw.query(&env.call(), &o).await.unwrap().status,
        OrderStatus::Pending
    );
    let url = format!(
        "http://{}/_sandbox/orders/xxpay/XXP0001/process",
        env.running.addr
    );
    assert!(reqwest::Client::new()
        .post(url)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    assert_eq!(
        gw.query(&env.call(), &o).await.unwrap().status,
        OrderStatus::Processing
    );
    let url = format!(
        "http://{}/_sandbox/orders/xxpay/XXP0001/succeed",
        env.running.addr
    );
    assert!(reqwest::Client::new()
        .post(url)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let q = gw.query(&env.call(), &o).await.unwrap();
    assert_eq!(q.status, OrderStatus::Succeeded);
    assert_eq!(q.provider_status.as_deref(), Some("2"));
    assert_eq!(q.amount_fen, Some(50000));
    assert!(q.extra.contains_key("payout_success_time"));

    let o2 = payout("XXP0002", 100);
    gw.create_payout(&env.call(), &o2).await.unwrap();
    env.running.sim.set_state(KIND, "XXP0002", SimState::Failed);
    let q = gw.query(&env.call(), &o2).await.unwrap();
    assert_eq!(q.status, OrderStatus::Failed);
    assert_eq!(q.provider_status.as_deref(), Some("3"));
}

#[tokio::test]
async fn payout_over_the_balance_is_rejected() {
    let env = Env::new().await;
    env.running.sim.set_balance(KIND, 1000);
    let e = gateway(KIND)
        .create_payout(&env.call(), &payout("XXP0100", 1001))
        .await
        .unwrap_err();
    assert_eq!(rejected_code(e), "insufficient_balance");
    assert!(env.running.sim.get_order(KIND, "XXP0100").is_none());
}

#[tokio::test]
async fn wrong_request_key_is_rejected_as_a_sign_error() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    let wrong = Secret::new("not-the-key");
    let call = Call::new(&env.http, &env.config, &wrong, Some(&env.reply_secret));
    let e = gw
        .create_deposit(&call, &deposit("XXD0300", "8002"))
        .await
        .unwrap_err();
    assert_eq!(e.delivery(), paydesk_core::gateway::Delivery::NotDelivered);
    assert_eq!(rejected_code(e), "sign_error");
    assert_eq!(
        rejected_code(
            gw.create_payout(&call, &payout("XXP0300", 100))
                .await
                .unwrap_err()
        ),
        "sign_error"
    );
    // What `profile test` sees with a bad key: a sign error, not "not found".
    assert_eq!(
        rejected_code(
            gw.query(&call, &deposit("NOSUCH", "8002"))
                .await
                .unwrap_err()
        ),
        "sign_error"
    );
    assert_eq!(
        rejected_code(gw.query(&call, &payout("NOSUCH", 100)).await.unwrap_err()),
        "sign_error"
    );
    assert!(env.running.sim.orders().is_empty());
    // Another merchant id is refused too.
    let mut cfg = env.config.clone();
    cfg.merchant_id = "20001223".into();
    let call = Call::new(&env.http, &cfg, &env.secret, Some(&env.reply_secret));
    assert_eq!(
        rejected_code(
            gw.create_deposit(&call, &deposit("XXD0301", "8002"))
                .await
                .unwrap_err()
        ),
        "merchant_error"
    );
}

#[tokio::test]
async fn reply_verified_with_the_reply_key_only() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    // Without the separate reply key, replies are checked with the request key and fail.
    let call = Call::new(&env.http, &env.config, &env.secret, None);
    assert_eq!(
        gw.create_payout(&call, &payout("XXP0400", 100))
            .await
            .unwrap_err(),
        GatewayError::BadSignature
    );
    assert_eq!(
        gw.query(&call, &payout("XXP0400", 100)).await.unwrap_err(),
        GatewayError::BadSignature
    );
    // The order did reach the gateway.
    assert!(env.running.sim.get_order(KIND, "XXP0400").is_some());
}

#[tokio::test]
async fn duplicate_order_numbers_are_rejected() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    gw.create_deposit(&env.call(), &deposit("XXD0500", "8002"))
        .await
        .unwrap();
    assert_eq!(
        rejected_code(
            gw.create_deposit(&env.call(), &deposit("XXD0500", "8002"))
                .await
                .unwrap_err()
        ),
        "duplicate_order"
    );
    gw.create_payout(&env.call(), &payout("XXP0500", 100))
        .await
        .unwrap();
    assert_eq!(
        rejected_code(
            gw.create_payout(&env.call(), &payout("XXP0500", 100))
                .await
                .unwrap_err()
        ),
        "duplicate_order"
    );
    assert_eq!(env.running.sim.orders().len(), 2);
}

#[tokio::test]
async fn bad_sign_fault_gives_bad_signature() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    env.fault(FaultKind::BadSign);
    assert_eq!(
        gw.create_deposit(&env.call(), &deposit("XXD0600", "8002"))
            .await
            .unwrap_err(),
        GatewayError::BadSignature
    );
    env.fault(FaultKind::BadSign);
    let e = gw
        .create_payout(&env.call(), &payout("XXP0600", 100))
        .await
        .unwrap_err();
    assert_eq!(e, GatewayError::BadSignature);
    assert_eq!(
        e.delivery(),
        paydesk_core::gateway::Delivery::MaybeDelivered
    );
    env.fault(FaultKind::BadSign);
    assert_eq!(
        gw.query(&env.call(), &payout("XXP0600", 100))
            .await
            .unwrap_err(),
        GatewayError::BadSignature
    );
    env.fault(FaultKind::BadSign);
    assert_eq!(
        gw.query(&env.call(), &deposit("XXD0600", "8002"))
            .await
            .unwrap_err(),
        GatewayError::BadSignature
    );
    // Faults used up: trusted again.
    assert_eq!(
        gw.query(&env.call(), &deposit("XXD0600", "8002"))
            .await
            .unwrap()
            .status,
        OrderStatus::Pending
    );
}

#[tokio::test]
async fn wrong_order_and_amount_faults_show_in_the_reply() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    env.fault(FaultKind::WrongOrder);
    let r = gw
        .create_payout(&env.call(), &payout("XXP0700", 100))
        .await
        .unwrap();
    assert_ne!(r.order_no.as_deref(), Some("XXP0700"));
    assert_eq!(r.amount_fen, Some(100));
    env.fault(FaultKind::WrongAmount);
    let r = gw
        .query(&env.call(), &payout("XXP0700", 100))
        .await
        .unwrap();
    assert_eq!(r.order_no.as_deref(), Some("XXP0700"));
    assert_ne!(r.amount_fen, Some(100));

    gw.create_deposit(&env.call(), &deposit("XXD0700", "8002"))
        .await
        .unwrap();
    env.fault(FaultKind::WrongOrder);
    let r = gw
        .query(&env.call(), &deposit("XXD0700", "8002"))
        .await
        .unwrap();
    assert_ne!(r.order_no.as_deref(), Some("XXD0700"));
    env.fault(FaultKind::WrongAmount);
    let r = gw
        .query(&env.call(), &deposit("XXD0700", "8002"))
        .await
        .unwrap();
    assert_ne!(r.amount_fen, Some(10050));
    let r = gw
        .query(&env.call(), &deposit("XXD0700", "8002"))
        .await
        .unwrap();
    assert_eq!(
        (r.order_no.as_deref(), r.amount_fen),
        (Some("XXD0700"), Some(10050))
    );
}

#[tokio::test]
async fn missing_orders_are_not_found() {
    let env = Env::new().await;
    let gw = gateway(KIND);
    for o in [deposit("XXNOSUCH1", "8002"), payout("XXNOSUCH2", 100)] {
        match gw.query(&env.call(), &o).await {
            Err(GatewayError::OrderNotFound { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    // A payout number is not a deposit.
    gw.create_payout(&env.call(), &payout("XXP0800", 100))
        .await
        .unwrap();
    assert!(matches!(
        gw.query(&env.call(), &deposit("XXP0800", "8002")).await,
        Err(GatewayError::OrderNotFound { .. })
    ));
}

#[tokio::test]
async fn journal_keeps_the_exchange_without_keys() {
    let env = Env::new().await;
    let call = env.call();
    gateway(KIND)
        .create_payout(&call, &payout("XXP0900", 100))
        .await
        .unwrap();
    let ex = call.journal.take();
    assert_eq!(ex.len(), 1);
    assert!(ex[0].url.ends_with("/xxpay/api/trans/create_order"));
    assert!(
        ex[0].request.starts_with("params={\"mchId\":20001222,"),
        "{}",
        ex[0].request
    );
    let all = format!("{:?}", ex);
    assert!(!all.contains(env.secret.expose()) && !all.contains(env.reply_secret.expose()));
}
