//! appkey client against the appkey simulator over loopback.

use paydesk_core::domain::{OrderKind, OrderStatus, ProviderKind};
use paydesk_core::form::FormValues;
use paydesk_core::gateway::{Call, GatewayConfig, GatewayError, OrderParams, Reply};
use paydesk_core::http::HttpClient;
use paydesk_core::providers::gateway;
use paydesk_core::Secret;
use paydesk_sandbox::{credentials, spawn, FaultKind, FaultSpec, Running, SimState};

const P: ProviderKind = ProviderKind::Appkey;

fn config(running: &Running) -> GatewayConfig {
    GatewayConfig {
        base_url: running.base_url(P),
        merchant_id: credentials(P).merchant_id.into(),
        app_id: None,
        operator_id: None,
        notify_url: Some("http://merchant.example/appkey/notify?src=paydesk".into()),
        return_url: Some("http://merchant.example/return".into()),
    }
}

fn deposit(order_no: &str, amount_fen: i64) -> OrderParams {
    let values: FormValues = [
        ("channel".to_string(), "2".to_string()),
        ("payer_name".to_string(), "张三".to_string()),
    ]
    .into();
    OrderParams {
        kind: OrderKind::Deposit,
        order_no: order_no.into(),
        amount_fen,
        values,
        provider_order_id: None,
        created_at_ms: 0,
    }
}

fn payout(order_no: &str, amount_fen: i64) -> OrderParams {
    let values: FormValues = [
        ("payee_name", "李四 Li"),
        ("account_no", "6222020200112233445"),
        ("bank_name", "中国工商银行"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    OrderParams {
        kind: OrderKind::Payout,
        order_no: order_no.into(),
        amount_fen,
        values,
        provider_order_id: None,
        created_at_ms: 0,
    }
}

struct Env {
    running: Running,
    http: HttpClient,
    cfg: GatewayConfig,
    secret: Secret,
}

async fn env() -> Env {
    let running = spawn(0, None).await.unwrap();
    let cfg = config(&running);
    Env {
        running,
        http: HttpClient::default(),
        cfg,
        secret: Secret::new(credentials(P).secret),
    }
}

impl Env {
    fn call(&self) -> Call<'_> {
        Call::new(&self.http, &self.cfg, &self.secret, None)
    }
    async fn create(&self, o: &OrderParams) -> Result<Reply, GatewayError> {
        let call = self.call();
        match o.kind {
            OrderKind::Deposit => gateway(P).create_deposit(&call, o).await,
            OrderKind::Payout => gateway(P).create_payout(&call, o).await,
        }
    }
    async fn query(&self, o: &OrderParams) -> Result<Reply, GatewayError> {
        gateway(P).query(&self.call(), o).await
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

fn rejected_code(e: &GatewayError) -> &str {
    match e {
        GatewayError::Rejected { code, .. } => code,
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn deposit_create_page_and_query_after_payment() {
    let env = env().await;
    let o = deposit("AKD001", 10050);
    let call = env.call();
    let r = gateway(P).create_deposit(&call, &o).await.unwrap();
    assert_eq!(r.status, OrderStatus::Pending);
    let url = r.pay_url.clone().unwrap();
    assert!(
        url.starts_with(&format!("{}/pay/checkout?order=", env.running.base_url(P))),
        "{url}"
    );
    // The exact body went out: amount as the number 100.50, payer unsigned but sent.
    let sent = call.journal.take();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .request
            .starts_with("{\"amount\":100.50,\"appKey\":\"AKSANDBOX\","),
        "{}",
        sent[0].request
    );
    assert!(sent[0].request.contains("\"payer\":\"张三\""));
    assert!(!sent[0].request.contains(credentials(P).secret));

    // The payment page opens.
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("AKD001") && html.contains("100.50"), "{html}");

    let q = env.query(&o).await.unwrap();
    assert_eq!(
        (
            q.status,
            q.provider_status.as_deref(),
            q.order_no.as_deref()
        ),
        (OrderStatus::Pending, Some("0"), Some("AKD001"))
    );

    let adv = reqwest::Client::new()
        .post(format!(
            "http://{}/_sandbox/orders/appkey/AKD001/succeed",
            env.running.addr
        ))
        .send()
        .await
        .unwrap();
    assert!(adv.status().is_success());
    let q = env.query(&o).await.unwrap();
    assert_eq!(
        (q.status, q.provider_status.as_deref()),
        (OrderStatus::Succeeded, Some("1"))
    );
    assert_eq!(q.amount_fen, None, "appkey replies never name an amount");
}

#[tokio::test]
async fn deposit_whole_amount_without_payer_and_failed_state() {
    let env = env().await;
    let mut o = deposit("AKD002", 20000);
    o.values.remove("payer_name");
    let call = env.call();
    gateway(P).create_deposit(&call, &o).await.unwrap();
    let req = &call.journal.take()[0].request;
    assert!(
        req.starts_with("{\"amount\":200,") && !req.contains("payer"),
        "{req}"
    );
    env.running.sim.set_state(P, "AKD002", SimState::Failed);
    assert_eq!(env.query(&o).await.unwrap().status, OrderStatus::Failed);
}

#[tokio::test]
async fn payout_create_and_query_after_advancing() {
    let env = env().await;
    let o = payout("AKP001", 50000);
    let r = env.create(&o).await.unwrap();
    assert_eq!(r.status, OrderStatus::Pending);
    assert_eq!(r.order_no, None, "the payout reply names no order");
    let q = env.query(&o).await.unwrap();
    assert_eq!(
        (q.status, q.order_no.as_deref()),
        (OrderStatus::Pending, Some("AKP001"))
    );
    let before = env.running.sim.balance_fen(P);
    let adv = reqwest::Client::new()
        .post(format!(
            "http://{}/_sandbox/orders/appkey/AKP001/succeed",
            env.running.addr
        ))
        .send()
        .await
        .unwrap();
    assert!(adv.status().is_success());
    assert_eq!(env.query(&o).await.unwrap().status, OrderStatus::Succeeded);
    assert_eq!(env.running.sim.balance_fen(P), before - 50000);
    // A payout is not found by the deposit query and vice versa.
    let mut as_deposit = o.clone();
    as_deposit.kind = OrderKind::Deposit;
    assert!(matches!(
        env.query(&as_deposit).await,
        Err(GatewayError::OrderNotFound { .. })
    ));
}

#[tokio::test]
async fn payout_with_cents_is_refused_before_sending() {
    let env = env().await;
    let call = env.call();
    let e = gateway(P)
        .create_payout(&call, &payout("AKP002", 10050))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GatewayError::Invalid(f) if f.field == "amount"),
        "{e:?}"
    );
    assert!(call.journal.take().is_empty());
}

#[tokio::test]
async fn missing_callback_or_return_url_is_refused_before_sending() {
    let mut env = env().await;
    env.cfg.return_url = None;
    let e = env.create(&deposit("AKD003", 100)).await.unwrap_err();
    assert!(
        matches!(&e, GatewayError::Invalid(f) if f.field == "return_url"),
        "{e:?}"
    );
    // A payout needs no return URL.
    env.create(&payout("AKP003", 100)).await.unwrap();
    env.cfg.notify_url = Some("  ".into());
    let e = env.create(&payout("AKP004", 100)).await.unwrap_err();
    assert!(
        matches!(&e, GatewayError::Invalid(f) if f.field == "notify_url"),
        "{e:?}"
    );
    assert_eq!(env.running.sim.orders().len(), 1);
}

#[tokio::test]
async fn wrong_key_is_a_sign_error_everywhere() {
    let mut env = env().await;
    env.secret = Secret::new("not-the-key");
    assert_eq!(
        rejected_code(&env.create(&deposit("AKD010", 100)).await.unwrap_err()),
        "sign_error"
    );
    let e = env.create(&payout("AKP010", 100)).await.unwrap_err();
    assert_eq!(rejected_code(&e), "sign_error");
    assert!(
        e.to_string().contains("签名错误") || e.to_string().contains("signature error"),
        "{e}"
    );
    // What `profile test` sees: a sign-error Rejected, not OrderNotFound.
    assert_eq!(
        rejected_code(&env.query(&deposit("NO-SUCH-ORDER", 100)).await.unwrap_err()),
        "sign_error"
    );
    assert!(env.running.sim.orders().is_empty());
}

#[tokio::test]
async fn wrong_app_key_is_an_invalid_merchant_account() {
    let mut env = env().await;
    env.cfg.merchant_id = "AKNOBODY".into();
    assert_eq!(
        rejected_code(&env.create(&payout("AKP011", 100)).await.unwrap_err()),
        "object_not_found"
    );
    assert_eq!(
        rejected_code(&env.create(&deposit("AKD011", 100)).await.unwrap_err()),
        "object_not_found"
    );
}

#[tokio::test]
async fn duplicate_order_numbers_are_refused() {
    let env = env().await;
    env.create(&deposit("AKDUP1", 100)).await.unwrap();
    assert_eq!(
        rejected_code(&env.create(&deposit("AKDUP1", 100)).await.unwrap_err()),
        "mrn_duplication"
    );
    env.create(&payout("AKDUP2", 100)).await.unwrap();
    assert_eq!(
        rejected_code(&env.create(&payout("AKDUP2", 100)).await.unwrap_err()),
        "mrn_duplication"
    );
    // One number space for both kinds.
    assert_eq!(
        rejected_code(&env.create(&payout("AKDUP1", 100)).await.unwrap_err()),
        "mrn_duplication"
    );
}

#[tokio::test]
async fn insufficient_balance_is_refused() {
    let env = env().await;
    env.running.sim.set_balance(P, 10_000);
    env.create(&payout("AKB1", 6_000)).await.unwrap();
    // 60 pending + 50 > 100.
    assert_eq!(
        rejected_code(&env.create(&payout("AKB2", 5_000)).await.unwrap_err()),
        "insufficient_balance"
    );
}

#[tokio::test]
async fn missing_order_is_not_found() {
    let env = env().await;
    assert!(
        matches!(env.query(&deposit("NO-SUCH-ORDER", 100)).await, Err(GatewayError::OrderNotFound { code, .. }) if code == "object_not_found")
    );
    assert!(matches!(
        env.query(&payout("NO-SUCH-ORDER", 100)).await,
        Err(GatewayError::OrderNotFound { .. })
    ));
}

#[tokio::test]
async fn wrong_order_fault_shows_in_reply_order_no() {
    let env = env().await;
    let o = payout("AKF001", 100);
    env.create(&o).await.unwrap();
    env.fault(FaultKind::WrongOrder);
    let q = env.query(&o).await.unwrap();
    assert_ne!(q.order_no.as_deref(), Some("AKF001"));
    assert!(q.order_no.is_some());
    assert_eq!(
        env.query(&o).await.unwrap().order_no.as_deref(),
        Some("AKF001")
    );
}

#[tokio::test]
async fn unsigned_replies_leave_bad_sign_and_wrong_amount_nothing_to_act_on() {
    // This gateway signs no replies and names no amount in them: the client has
    // nothing to verify, and the simulator leaves these faults untouched.
    let env = env().await;
    let o = deposit("AKF002", 100);
    env.create(&o).await.unwrap();
    env.fault(FaultKind::BadSign);
    env.fault(FaultKind::WrongAmount);
    let q = env.query(&o).await.unwrap();
    assert_eq!(
        (q.order_no.as_deref(), q.amount_fen),
        (Some("AKF002"), None)
    );
}

#[tokio::test]
async fn transport_faults_are_classified() {
    let env = env().await;
    env.fault(FaultKind::Http500);
    assert!(matches!(
        env.create(&payout("AKT1", 100)).await,
        Err(GatewayError::HttpStatus { status: 500, .. })
    ));
    env.fault(FaultKind::Malformed);
    assert!(matches!(
        env.create(&payout("AKT2", 100)).await,
        Err(GatewayError::Malformed(_))
    ));
    // The malformed reply came after the order was taken: a query settles it.
    assert_eq!(
        env.query(&payout("AKT2", 100)).await.unwrap().status,
        OrderStatus::Pending
    );
}

#[tokio::test]
async fn base_url_path_is_kept() {
    let mut env = env().await;
    env.cfg.base_url = format!("{}/", env.running.base_url(P));
    let r = env.create(&deposit("AKU1", 100)).await.unwrap();
    assert!(r
        .pay_url
        .unwrap()
        .starts_with(&format!("{}/pay/checkout?", env.running.base_url(P))));
}

/// The simulator refuses what the signature does not cover and wrong amount texts.
#[tokio::test]
async fn sandbox_is_strict_about_fields_and_amounts() {
    let env = env().await;
    let base = env.running.base_url(P);
    let c = reqwest::Client::new();
    let md5 = paydesk_core::sign::md5_lower;
    let key = credentials(P).secret;
    let pay = |amount: &str, extra: &str| {
        let sign = md5(&format!("amount={amount}&appKey=AKSANDBOX&callbackUrl=http://cb&channelId=1&mrn=AKS1&returnUrl=http://r&key={key}"));
        format!(
            r#"{{"amount":{amount},"appKey":"AKSANDBOX","callbackUrl":"http://cb","channelId":1,"mrn":"AKS1","returnUrl":"http://r"{extra},"sign":"{sign}"}}"#
        )
    };
    let post = |path: &str, body: String| {
        c.post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let v: serde_json::Value = post("/api/Pay/Create", pay("1.5", ""))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["success"], false, "{v}");
    assert!(
        v["errorMsg"]
            .as_str()
            .unwrap()
            .starts_with("无效的请求数据"),
        "{v}"
    );
    let v: serde_json::Value = post("/api/Pay/Create", pay("1.50", r#","subject":"x""#))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["errorMsg"].as_str().unwrap().contains("subject"), "{v}");
    let v: serde_json::Value = post("/api/Pay/Create", pay("\"1.50\"", ""))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["success"], false, "{v}");
    let v: serde_json::Value = post("/api/Pay/Create", pay("1.50", ""))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["success"], true, "{v}");

    let payout = |amount: &str| {
        let sign = md5(&format!("accountName=A&accountNumber=6222&amount={amount}&appKey=AKSANDBOX&bankName=B&callbackUrl=http://cb&mrn=AKS2&key={key}"));
        format!(
            r#"{{"accountName":"A","accountNumber":"6222","amount":{amount},"appKey":"AKSANDBOX","bankName":"B","callbackUrl":"http://cb","mrn":"AKS2","sign":"{sign}"}}"#
        )
    };
    let v: serde_json::Value = post("/api/Payouts/Create", payout("100.00"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["error"], "invalid_data", "{v}");
    let v: serde_json::Value = post("/api/Payouts/Create", payout("100"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["error"], "success", "{v}");

    let v: serde_json::Value = c
        .get(format!(
            "{base}/api/Payouts/Query?appKey=AKSANDBOX&mrn=AKS2&sign=00&callback=false"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["error"], "sign_error", "{v}");
}
