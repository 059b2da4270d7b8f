//! juyouke client against the juyouke simulator over loopback.

use paydesk_core::form::ids;
use paydesk_core::gateway::{Call, GatewayConfig, GatewayError, OrderParams};
use paydesk_core::http::HttpClient;
use paydesk_core::providers::gateway;
use paydesk_core::providers::juyouke::{PAY_APP, PAY_CODEPAY, PAY_H5, PAY_TYPE, TRADE_NO};
use paydesk_core::{OrderKind, OrderStatus, ProviderKind, Secret};
use paydesk_sandbox::{credentials, spawn, FaultKind, FaultSpec, Running, SimState};

const P: ProviderKind = ProviderKind::Juyouke;

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
            app_id: None,
            operator_id: c.operator_id.map(str::to_string),
            notify_url: Some("http://merchant.example/jyk/notify?from=paydesk".into()),
            return_url: Some("http://merchant.example/return".into()),
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

fn deposit(no: &str, amount_fen: i64, values: &[(&str, &str)]) -> OrderParams {
    OrderParams {
        kind: OrderKind::Deposit,
        order_no: no.into(),
        amount_fen,
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        provider_order_id: None,
        created_at_ms: 0,
    }
}

fn payout(amount_fen: i64) -> OrderParams {
    OrderParams {
        kind: OrderKind::Payout,
        order_no: "PD-LOCAL-1".into(),
        amount_fen,
        values: Default::default(),
        provider_order_id: None,
        created_at_ms: 0,
    }
}

fn codepay(no: &str, amount_fen: i64, auth_code: &str) -> OrderParams {
    deposit(
        no,
        amount_fen,
        &[
            (PAY_TYPE, PAY_CODEPAY),
            (ids::AUTH_CODE, auth_code),
            (ids::CHANNEL, "1"),
            (ids::SUBJECT, "测试商品 A"),
        ],
    )
}

fn assert_rejected(r: Result<impl std::fmt::Debug, GatewayError>, code: &str) {
    match r {
        Err(GatewayError::Rejected { code: c, message }) => {
            assert_eq!(c, code);
            assert!(!message.is_empty());
        }
        other => panic!("expected Rejected {code}, got {other:?}"),
    }
}

#[tokio::test]
async fn balance_reads_yuan_into_fen() {
    let env = Env::new().await;
    let b = gateway(P).balance(&env.call()).await.unwrap();
    assert_eq!(b.balance_fen, env.running.sim.balance_fen(P));
    assert_eq!(b.details.get("withdraw_limit"), Some(&100_000_000));
}

#[tokio::test]
async fn h5_link_is_the_payment_page_and_query_follows_the_order() {
    let env = Env::new().await;
    let g = gateway(P);
    let order = deposit(
        "JYH5-0001",
        10050,
        &[
            (PAY_TYPE, PAY_H5),
            (ids::SUBJECT, "会员 VIP & \"礼包\"/?=#"),
        ],
    );
    let call = env.call();
    let reply = g.create_deposit(&call, &order).await.unwrap();
    assert_eq!(reply.status, OrderStatus::Pending);
    assert!(call.journal.take().is_empty(), "H5 sends nothing");
    let url = reply.pay_url.unwrap();
    assert!(
        url.starts_with(&format!("{}/getway/?app_id=", env.running.base_url(P))),
        "{url}"
    );
    assert!(!url.contains(credentials(P).secret));

    // The customer opens the link: the sandbox verifies it and creates the order.
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("JYH5-0001"));
    let again = reqwest::get(&url).await.unwrap();
    assert_eq!(
        again.status(),
        200,
        "reopening the same link shows the same order"
    );
    // A tampered link is refused.
    let tampered = url.replace("total_amount=10050", "total_amount=1");
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 400);

    let q = g.query(&env.call(), &order).await.unwrap();
    assert_eq!(q.status, OrderStatus::Pending);
    assert_eq!(q.provider_status.as_deref(), Some("WAIT_BUYER_PAY"));
    assert_eq!(q.order_no.as_deref(), Some("JYH5-0001"));
    assert_eq!(q.amount_fen, Some(10050));

    let resp = reqwest::Client::new()
        .post(format!(
            "http://{}/_sandbox/orders/juyouke/JYH5-0001/succeed",
            env.running.addr
        ))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let q = g.query(&env.call(), &order).await.unwrap();
    assert_eq!(q.status, OrderStatus::Succeeded);
    assert_eq!(q.provider_status.as_deref(), Some("TRADE_SUCCESS"));
    assert_eq!(q.amount_fen, Some(10050));
    assert!(q.provider_order_id.is_some());
    assert!(q.extra.contains_key("pay_date"));
}

#[tokio::test]
async fn app_link_and_duplicate_order_number() {
    let env = Env::new().await;
    let g = gateway(P);
    let order = deposit(
        "JYAPP-0001",
        200,
        &[
            (PAY_TYPE, PAY_APP),
            (ids::CHANNEL, "1"),
            (ids::SUBJECT, "商品"),
        ],
    );
    let reply = g.create_deposit(&env.call(), &order).await.unwrap();
    assert_eq!(reply.status, OrderStatus::Pending);
    assert!(reply.pay_url.unwrap().starts_with("https://qr.alipay.com/"));
    assert_eq!(
        env.running
            .sim
            .get_order(P, "JYAPP-0001")
            .unwrap()
            .amount_fen,
        200
    );
    assert_rejected(
        g.create_deposit(&env.call(), &order).await,
        "ORDER_CONFLICT",
    );
}

#[tokio::test]
async fn codepay_pays_at_once_or_waits() {
    let env = Env::new().await;
    let g = gateway(P);
    let paid = g
        .create_deposit(
            &env.call(),
            &codepay("JYCP-0001", 10050, "134567890123456789"),
        )
        .await
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Succeeded);
    assert_eq!(paid.order_no.as_deref(), Some("JYCP-0001"));
    assert_eq!(paid.amount_fen, Some(10050));
    assert_eq!(paid.extra.get("paytype").map(String::as_str), Some("1"));

    let waiting = g
        .create_deposit(&env.call(), &codepay("JYCP-0002", 1, "134567890123459999"))
        .await
        .unwrap();
    assert_eq!(waiting.status, OrderStatus::Pending);
    assert_eq!(
        waiting.amount_fen, None,
        "amount is only reported once paid"
    );

    assert_rejected(
        g.create_deposit(
            &env.call(),
            &codepay("JYCP-0001", 10050, "134567890123456789"),
        )
        .await,
        "ORDER_CONFLICT",
    );
}

#[tokio::test]
async fn request_is_json_with_authorization_header() {
    let env = Env::new().await;
    let call = env.call();
    gateway(P)
        .create_deposit(&call, &codepay("JYCP-0100", 300, "1345678"))
        .await
        .unwrap();
    let ex = call.journal.take();
    assert_eq!(ex.len(), 1);
    assert!(ex[0].url.ends_with("/juyouke/api/codepay/"));
    assert!(
        ex[0].request.starts_with("Authorization: sign "),
        "{}",
        ex[0].request
    );
    assert!(ex[0].request.contains("\"total_amount\":\"300\""));
    assert!(!ex[0].request.contains(credentials(P).secret));
}

#[tokio::test]
async fn withdrawal_is_queried_by_gateway_id() {
    let env = Env::new().await;
    let g = gateway(P);
    let before = env.running.sim.balance_fen(P);
    let reply = g
        .create_payout(&env.call(), &payout(100_000))
        .await
        .unwrap();
    assert_eq!(reply.status, OrderStatus::Processing);
    assert_eq!(reply.provider_status.as_deref(), Some("2"));
    assert_eq!(reply.order_no, None);
    assert_eq!(reply.amount_fen, Some(100_000));
    let id = reply.provider_order_id.clone().unwrap();

    let mut stored = payout(100_000);
    stored.provider_order_id = Some(id.clone());
    let q = g.query(&env.call(), &stored).await.unwrap();
    assert_eq!(q.status, OrderStatus::Processing);
    assert_eq!(
        q.extra.get("service_amount").map(String::as_str),
        Some("2.00")
    );

    env.running
        .sim
        .set_state(P, &id, SimState::Succeeded)
        .unwrap();
    // Not in local history: looked up with the gateway id typed in.
    let mut typed = payout(100_000);
    typed.values.insert(TRADE_NO.into(), id.clone());
    let q = g.query(&env.call(), &typed).await.unwrap();
    assert_eq!(q.status, OrderStatus::Succeeded);
    assert_eq!(q.amount_fen, Some(100_000));
    assert_eq!(
        q.extra.get("actual_amount").map(String::as_str),
        Some("998.00")
    );
    assert_eq!(env.running.sim.balance_fen(P), before - 100_000);
    let b = g.balance(&env.call()).await.unwrap();
    assert_eq!(b.balance_fen, before - 100_000);

    // Without the gateway id nothing can be asked.
    assert!(
        matches!(g.query(&env.call(), &payout(100_000)).await, Err(GatewayError::Invalid(ref f)) if f.field == TRADE_NO)
    );
}

#[tokio::test]
async fn withdrawal_limits_and_balance() {
    let env = Env::new().await;
    let g = gateway(P);
    assert!(
        matches!(g.create_payout(&env.call(), &payout(5_000_001)).await, Err(GatewayError::Invalid(ref f)) if f.field == ids::AMOUNT)
    );
    env.running.sim.set_balance(P, 100_000);
    assert_rejected(
        g.create_payout(&env.call(), &payout(100_001)).await,
        "INSUFFICIENT",
    );
    assert!(env.running.sim.orders().is_empty());

    // The gateway's own day ceiling: 1,000,000 yuan = 20 withdrawals of 50,000.
    env.running.sim.set_balance(P, 1_000_000_000);
    for _ in 0..20 {
        g.create_payout(&env.call(), &payout(5_000_000))
            .await
            .unwrap();
    }
    assert_rejected(
        g.create_payout(&env.call(), &payout(300)).await,
        "PARAMSERROR",
    );
}

#[tokio::test]
async fn wrong_key_is_rejected_as_sign_error() {
    let mut env = Env::new().await;
    env.secret = Secret::new("not-the-key");
    let g = gateway(P);
    assert_rejected(g.balance(&env.call()).await, "SIGNERROR");
    assert_rejected(
        g.create_payout(&env.call(), &payout(1000)).await,
        "SIGNERROR",
    );
    assert_rejected(
        g.create_deposit(&env.call(), &codepay("JYK-BADKEY", 100, "1345"))
            .await,
        "SIGNERROR",
    );
    assert_rejected(
        g.create_deposit(
            &env.call(),
            &deposit("JYK-BADKEY2", 100, &[(PAY_TYPE, PAY_APP)]),
        )
        .await,
        "SIGNERROR",
    );
    assert_rejected(
        g.query(&env.call(), &deposit("JYK-BADKEY", 100, &[])).await,
        "SIGNERROR",
    );
    assert!(env.running.sim.orders().is_empty());
}

#[tokio::test]
async fn unknown_app_id_is_rejected() {
    let mut env = Env::new().await;
    env.config.merchant_id = "NOBODY".into();
    assert_rejected(gateway(P).balance(&env.call()).await, "APPID_NOT_EXIST");
}

#[tokio::test]
async fn missing_orders_are_not_found() {
    let env = Env::new().await;
    let g = gateway(P);
    assert!(
        matches!(g.query(&env.call(), &deposit("JY-NO-SUCH", 100, &[])).await, Err(GatewayError::OrderNotFound { ref code, .. }) if code == "ORDER_NOTFOUND")
    );
    let mut w = payout(100);
    w.provider_order_id = Some("JYKW-NO-SUCH".into());
    assert!(matches!(
        g.query(&env.call(), &w).await,
        Err(GatewayError::OrderNotFound { .. })
    ));
}

#[tokio::test]
async fn bad_signature_is_never_trusted() {
    let env = Env::new().await;
    let g = gateway(P);
    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.create_deposit(&env.call(), &codepay("JYBS-0001", 100, "1345"))
            .await
            .unwrap_err(),
        GatewayError::BadSignature
    );
    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.query(&env.call(), &deposit("JYBS-0001", 100, &[]))
            .await
            .unwrap_err(),
        GatewayError::BadSignature
    );
    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.create_payout(&env.call(), &payout(1000))
            .await
            .unwrap_err(),
        GatewayError::BadSignature
    );
    env.fault(FaultKind::BadSign);
    assert_eq!(
        g.balance(&env.call()).await.unwrap_err(),
        GatewayError::BadSignature
    );
    // Fault used up: the same query is trusted again.
    assert_eq!(
        g.query(&env.call(), &deposit("JYBS-0001", 100, &[]))
            .await
            .unwrap()
            .status,
        OrderStatus::Succeeded
    );
}

#[tokio::test]
async fn wrong_order_and_amount_show_in_the_reply() {
    let env = Env::new().await;
    let g = gateway(P);
    let order = codepay("JYWR-0001", 10050, "1345");
    g.create_deposit(&env.call(), &order).await.unwrap();
    env.fault(FaultKind::WrongOrder);
    let q = g.query(&env.call(), &order).await.unwrap();
    assert_ne!(q.order_no.as_deref(), Some("JYWR-0001"));
    assert_eq!(q.amount_fen, Some(10050));
    env.fault(FaultKind::WrongAmount);
    let q = g.query(&env.call(), &order).await.unwrap();
    assert_eq!(q.order_no.as_deref(), Some("JYWR-0001"));
    assert_ne!(q.amount_fen, Some(10050));

    env.fault(FaultKind::WrongAmount);
    let w = g.create_payout(&env.call(), &payout(20_000)).await.unwrap();
    assert_ne!(w.amount_fen, Some(20_000));
    let mut stored = payout(20_000);
    stored.provider_order_id = w.provider_order_id.clone();
    env.fault(FaultKind::WrongOrder);
    assert!(matches!(
        g.query(&env.call(), &stored).await,
        Err(GatewayError::Mismatch(_))
    ));
    assert_eq!(
        g.query(&env.call(), &stored).await.unwrap().amount_fen,
        Some(20_000)
    );
}

#[tokio::test]
async fn transport_faults_are_classified() {
    let env = Env::new().await;
    let g = gateway(P);
    env.fault(FaultKind::Malformed);
    assert!(matches!(
        g.balance(&env.call()).await,
        Err(GatewayError::Malformed(_))
    ));
    env.fault(FaultKind::Http500);
    assert!(matches!(
        g.balance(&env.call()).await,
        Err(GatewayError::HttpStatus { status: 500, .. })
    ));
}
