//! juyouke 聚优客: deposits by H5 page (a signed URL, no request), app link or
//! scanning the customer's code; withdrawal of the merchant balance to its own
//! settlement account (the "payout": amount only, no merchant order number);
//! queries and balance. See PROVIDERS.md "juyouke" and `sign.rs` for signing.

pub mod forms;
pub mod notify;
pub mod sign;
pub mod status;
pub mod wire;

use crate::domain::{OrderKind, OrderStatus};
use crate::error::FieldError;
use crate::form::ids;
use crate::gateway::{
    BalanceReply, Call, Gateway, GatewayConfig, GatewayError, OrderParams, Reply, ReplyResult,
};
use crate::http::join_url;
use crate::providers::common::gateway_parts;
use crate::providers::common::Setting;
use crate::tr;
use async_trait::async_trait;
use sign::{json_object, sign_params, signed_query};
use sign::{Outcome, Verified};
use status::{balance_reply, trade_reply, withdraw_reply};
use std::collections::BTreeMap;
use wire::ReplyObject;

pub struct Juyouke;

pub use forms::*;

#[async_trait]
impl Gateway for Juyouke {
    gateway_parts!(Juyouke, ORDERS_BALANCE, payout_form, deposit_form);

    async fn create_deposit(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        self.check(order)?;
        let pay_type = order.value(PAY_TYPE).unwrap_or(PAY_H5);
        let params = deposit_params(call.config, order, pay_type)?;
        match pay_type {
            PAY_H5 => {
                // The signed URL is the payment page itself: nothing is sent now.
                let url = join_url(
                    &call.config.base_url,
                    &format!("{}?{}", wire::PATH_H5, signed_query(&params, call.secret)),
                );
                let mut reply = Reply::new(OrderStatus::Pending);
                reply.pay_url = Some(url);
                reply.provider_message = Some(tr!(
                    "请让顾客扫码或打开支付链接付款",
                    "let the customer scan the code or open the payment link"
                ));
                Ok(reply)
            }
            PAY_APP => {
                let path = format!("{}?{}", wire::PATH_APP, signed_query(&params, call.secret));
                let raw = call.http.get(call, &path).await?;
                match open(call, &raw.body)? {
                    Outcome::Ok(Verified(obj)) => {
                        let url = obj
                            .text("url")
                            .ok_or_else(|| GatewayError::malformed("url missing"))?;
                        let mut reply = Reply::new(OrderStatus::Pending);
                        reply.pay_url = Some(url.to_string());
                        reply.provider_message = obj.text("return_msg").map(str::to_string);
                        Ok(reply)
                    }
                    Outcome::Refused { code, message, .. } => create_refusal(code, message),
                }
            }
            _ => {
                let raw = post(call, wire::PATH_CODEPAY, &params).await?;
                match open(call, &raw)? {
                    Outcome::Ok(Verified(obj)) => trade_reply(&obj),
                    Outcome::Refused { code, .. } if code == "USERPAYING" => {
                        // Not a refusal: the customer is confirming on the phone.
                        let mut reply = Reply::new(OrderStatus::Pending);
                        reply.provider_status = Some(code.clone());
                        reply.provider_message = status::words(status::List::ErrCode, &code);
                        Ok(reply)
                    }
                    Outcome::Refused { code, message, .. } => create_refusal(code, message),
                }
            }
        }
    }

    async fn create_payout(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        self.check(order)?;
        let mut params = base_params(call.config)?;
        params.insert("total_amount".into(), order.amount_fen.to_string());
        let raw = post(call, wire::PATH_SETTLE, &params).await?;
        match open(call, &raw)? {
            Outcome::Ok(Verified(obj)) => withdraw_reply(&obj),
            Outcome::Refused { code, message, .. } => create_refusal(code, message),
        }
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        let mut params = base_params(call.config)?;
        match order.kind {
            OrderKind::Deposit => {
                // The document takes one of the two; ours is always known.
                if !order.order_no.is_empty() {
                    params.insert("out_trade_no".into(), order.order_no.clone());
                } else if let Some(id) =
                    order.provider_order_id.as_deref().filter(|s| !s.is_empty())
                {
                    params.insert("trade_no".into(), id.to_string());
                } else {
                    return Err(FieldError::new(
                        ids::ORDER_NO,
                        tr!("请填写商户订单号", "enter the merchant order number"),
                    )
                    .into());
                }
                let raw = post(call, wire::PATH_QUERY, &params).await?;
                match open(call, &raw)? {
                    Outcome::Ok(Verified(obj)) => trade_reply(&obj),
                    Outcome::Refused { code, message, .. } => Err(query_refusal(code, message)),
                }
            }
            OrderKind::Payout => {
                let trade_no = withdrawal_id(order)?;
                params.insert("trade_no".into(), trade_no.clone());
                let raw = post(call, wire::PATH_SETTLE_QUERY, &params).await?;
                match open(call, &raw)? {
                    Outcome::Ok(Verified(obj)) => {
                        if let Some(named) = obj.text("trade_no") {
                            if named != trade_no {
                                return Err(GatewayError::Mismatch(crate::words!(
                                    "应答的平台单号 {} 不是所查询的 {}",
                                    "the reply names withdrawal {} instead of {}",
                                    named,
                                    trade_no
                                )));
                            }
                        }
                        withdraw_reply(&obj)
                    }
                    Outcome::Refused { code, message, .. } => Err(query_refusal(code, message)),
                }
            }
        }
    }

    async fn balance(&self, call: &Call<'_>) -> Result<BalanceReply, GatewayError> {
        let params = base_params(call.config)?;
        let raw = post(call, wire::PATH_BALANCE, &params).await?;
        match open(call, &raw)? {
            Outcome::Ok(Verified(obj)) => balance_reply(&obj),
            Outcome::Refused { code, message, .. } => Err(GatewayError::Rejected { code, message }),
        }
    }
}

fn base_params(config: &GatewayConfig) -> Result<BTreeMap<String, String>, GatewayError> {
    let app_id = Setting::MerchantId.required(config, "app_id")?;
    Ok(BTreeMap::from([("app_id".to_string(), app_id.to_string())]))
}

/// The parameters of a deposit request, `sign` not included.
pub fn deposit_params(
    config: &GatewayConfig,
    order: &OrderParams,
    pay_type: &str,
) -> Result<BTreeMap<String, String>, GatewayError> {
    let mut p = base_params(config)?;
    let notify = Setting::NotifyUrl.required(config, "notify_url")?;
    let operator = Setting::OperatorId.required(config, "operator_id")?;
    p.insert("notify_url".into(), notify.to_string());
    p.insert("operator_id".into(), operator.to_string());
    p.insert("out_trade_no".into(), order.order_no.clone());
    if let Some(w) = order.value(ids::CHANNEL) {
        p.insert("payway".into(), w.to_string());
    }
    p.insert(
        "subject".into(),
        order
            .value(ids::SUBJECT)
            .unwrap_or(DEFAULT_SUBJECT)
            .to_string(),
    );
    p.insert("total_amount".into(), order.amount_fen.to_string());
    match pay_type {
        PAY_CODEPAY => {
            let code = order.value(ids::AUTH_CODE).ok_or_else(|| {
                FieldError::new(
                    ids::AUTH_CODE,
                    tr!(
                        "B扫C 收款需要填写付款码",
                        "scanning the customer's code needs the payment code"
                    ),
                )
            })?;
            p.insert("auth_code".into(), code.to_string());
        }
        _ => {
            let ret = Setting::ReturnUrl.required(config, "return_url")?;
            p.insert("return_url".into(), ret.to_string());
        }
    }
    Ok(p)
}

/// POST a signed JSON body; returns the reply text.
async fn post(
    call: &Call<'_>,
    path: &str,
    params: &BTreeMap<String, String>,
) -> Result<String, GatewayError> {
    let body = json_object(params);
    let sign = sign_params(params, call.secret);
    let raw = call
        .http
        .post_json(
            call,
            path,
            body,
            &[("Authorization", format!("sign {sign}"))],
        )
        .await?;
    Ok(raw.body)
}

/// A reply opened as every juyouke reply is: its signature verified, and a
/// verified one about this merchant's `app_id` (another's is never trusted).
fn open(call: &Call<'_>, raw: &str) -> Result<Outcome, GatewayError> {
    let outcome = sign::open_reply(raw, call.reply_key())?;
    if let Outcome::Ok(Verified(obj)) = &outcome {
        check_app_id(call, obj)?;
    }
    Ok(outcome)
}

fn check_app_id(call: &Call<'_>, obj: &ReplyObject) -> Result<(), GatewayError> {
    match obj.text("app_id") {
        Some(a) if a != call.config.merchant_id.trim() => {
            Err(GatewayError::Mismatch(crate::words!(
                "应答的 app_id {} 不是本商户的",
                "the reply is for app_id {}, not this merchant",
                a
            )))
        }
        _ => Ok(()),
    }
}

/// A refused create. A system error or an unavailable service does not say
/// whether the gateway acted, so the order stays unknown until it is checked.
/// (It used to return an `Ok` reply with status `unknown`, which the services
/// stored as if it were a trusted answer, with no error for the user.)
fn create_refusal(code: String, message: String) -> ReplyResult {
    if code == "SYSTEMERROR" || code == "20000" {
        return Err(GatewayError::Uncertain(format!("{code} {message}")));
    }
    Err(GatewayError::Rejected { code, message })
}

fn query_refusal(code: String, message: String) -> GatewayError {
    if code == "ORDER_NOTFOUND" {
        GatewayError::OrderNotFound { code, message }
    } else {
        GatewayError::Rejected { code, message }
    }
}

fn withdrawal_id(order: &OrderParams) -> Result<String, GatewayError> {
    order
        .provider_order_id
        .as_deref()
        .or_else(|| order.value(TRADE_NO))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            FieldError::new(
                TRADE_NO,
                tr!(
                    "这笔提现没有网关平台单号，无法向网关查询（聚优客提现不使用商户订单号）。请在网关后台或通过余额核对结果。",
                    "this withdrawal has no gateway id, so the gateway cannot be asked (juyouke withdrawals have no merchant order number). Check the result in the gateway's back office or via the balance."
                ),
            )
            .into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use wire::read_envelope;

    fn config() -> GatewayConfig {
        GatewayConfig {
            base_url: "http://gw.example/jyk/".into(),
            merchant_id: "JYK_APP_001".into(),
            app_id: None,
            operator_id: Some("OP01".into()),
            notify_url: Some("http://Merchant.example/Notify".into()),
            return_url: Some("http://merchant.example/return?a=1".into()),
        }
    }

    fn deposit(values: &[(&str, &str)], amount_fen: i64) -> OrderParams {
        OrderParams {
            kind: OrderKind::Deposit,
            order_no: "JY20240101001".into(),
            amount_fen,
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            provider_order_id: None,
            created_at_ms: 0,
        }
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/juyouke/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn verified(body: &str) -> ReplyObject {
        match sign::open_reply(body, &Secret::new("sandbox-juyouke-key")).unwrap() {
            Outcome::Ok(Verified(obj)) => obj,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn codepay_body_matches_shared_example() {
        let order = deposit(
            &[
                (PAY_TYPE, PAY_CODEPAY),
                (ids::CHANNEL, "1"),
                (ids::SUBJECT, "测试商品 A"),
                (ids::AUTH_CODE, "134567890123456789"),
            ],
            10050,
        );
        let p = deposit_params(&config(), &order, PAY_CODEPAY).unwrap();
        assert_eq!(
            json_object(&p),
            "{\"app_id\":\"JYK_APP_001\",\"auth_code\":\"134567890123456789\",\"notify_url\":\"http://Merchant.example/Notify\",\"operator_id\":\"OP01\",\"out_trade_no\":\"JY20240101001\",\"payway\":\"1\",\"subject\":\"测试商品 A\",\"total_amount\":\"10050\"}"
        );
        assert_eq!(
            sign_params(&p, &Secret::new("juyouke-secret-key")),
            "ab4cd59d0a39819ba0afbb0356150bb7"
        );
    }

    #[test]
    fn h5_url_is_signed_over_unencoded_values() {
        // No payway chosen: it is left out, not sent empty.
        let order = deposit(&[(ids::SUBJECT, "测试 商品")], 100);
        let p = deposit_params(&config(), &order, PAY_H5).unwrap();
        assert!(!p.contains_key("payway") && !p.contains_key("auth_code"));
        let q = signed_query(&p, &Secret::new("k"));
        // md5 of the lower-cased JSON + "k", worked out with Python's hashlib.
        assert_eq!(
            q,
            "app_id=JYK_APP_001&notify_url=http%3A%2F%2FMerchant.example%2FNotify&operator_id=OP01&out_trade_no=JY20240101001&return_url=http%3A%2F%2Fmerchant.example%2Freturn%3Fa%3D1&subject=%E6%B5%8B%E8%AF%95%20%E5%95%86%E5%93%81&total_amount=100&sign=d1ac98da58534ebcc5a0660cbc6fb8a3"
        );
    }

    #[test]
    fn missing_profile_settings_are_refused_before_sending() {
        let mut c = config();
        c.return_url = None;
        let e = deposit_params(&c, &deposit(&[], 100), PAY_H5).unwrap_err();
        assert!(
            matches!(e, GatewayError::Invalid(ref f) if f.field == "return_url"),
            "{e:?}"
        );
        // codepay does not take return_url.
        assert!(deposit_params(&c, &deposit(&[(ids::AUTH_CODE, "1")], 100), PAY_CODEPAY).is_ok());
        c.operator_id = None;
        let e =
            deposit_params(&c, &deposit(&[(ids::AUTH_CODE, "1")], 100), PAY_CODEPAY).unwrap_err();
        assert!(
            matches!(e, GatewayError::Invalid(ref f) if f.field == "operator_id"),
            "{e:?}"
        );
    }

    #[test]
    fn check_catches_cross_field_problems() {
        let g = Juyouke;
        assert_eq!(
            g.check(&deposit(&[(PAY_TYPE, PAY_CODEPAY)], 100))
                .unwrap_err()
                .field,
            ids::AUTH_CODE
        );
        assert_eq!(
            g.check(&deposit(
                &[(PAY_TYPE, PAY_CODEPAY), (ids::AUTH_CODE, "12 34")],
                100
            ))
            .unwrap_err()
            .field,
            ids::AUTH_CODE
        );
        assert!(g
            .check(&deposit(
                &[(PAY_TYPE, PAY_CODEPAY), (ids::AUTH_CODE, "1234")],
                100
            ))
            .is_ok());
        assert_eq!(
            g.check(&deposit(&[(ids::CHANNEL, "2")], 100))
                .unwrap_err()
                .field,
            ids::CHANNEL
        );
        let mut long = deposit(&[], 100);
        long.order_no = "x".repeat(65);
        assert_eq!(g.check(&long).unwrap_err().field, ids::ORDER_NO);
        let mut payout = deposit(&[], MAX_WITHDRAWAL_FEN + 1);
        payout.kind = OrderKind::Payout;
        assert_eq!(g.check(&payout).unwrap_err().field, ids::AMOUNT);
        payout.amount_fen = MAX_WITHDRAWAL_FEN;
        assert!(g.check(&payout).is_ok());
    }

    #[test]
    fn query_reply_fixture_reads_yuan_exactly() {
        let body = fixture("query_success.json");
        let obj = verified(&body);
        let r = trade_reply(&obj).unwrap();
        assert_eq!(r.status, OrderStatus::Succeeded);
        assert_eq!(r.amount_fen, Some(10050));
        assert_eq!(r.order_no.as_deref(), Some("JY20240101001"));
        assert_eq!(r.provider_order_id.as_deref(), Some("JYK2024010100000001"));
        assert_eq!(r.extra.get("paytype").map(String::as_str), Some("1"));
        // 100.50 written as 100.5 is a different text: refused.
        let tampered = body.replace("100.50", "100.5");
        assert_eq!(
            sign::open_reply(&tampered, &Secret::new("sandbox-juyouke-key")).unwrap_err(),
            GatewayError::BadSignature
        );
    }

    #[test]
    fn every_verified_reply_must_name_this_merchant() {
        let http = crate::http::HttpClient::default();
        let key = Secret::new("sandbox-juyouke-key");
        let mut cfg = config();
        let body = fixture("query_success.json");
        for (merchant, ours) in [("JYKSANDBOX01", true), ("JYK_APP_001", false)] {
            cfg.merchant_id = merchant.into();
            let call = Call::new(&http, &cfg, &key, None);
            match open(&call, &body) {
                Ok(Outcome::Ok(_)) => assert!(ours, "{merchant}"),
                Err(GatewayError::Mismatch(_)) => assert!(!ours, "{merchant}"),
                other => panic!("{merchant}: {other:?}"),
            }
        }
    }

    #[test]
    fn settle_reply_fixture_reads_fen_and_fees() {
        let obj = verified(&fixture("settlequery_success.json"));
        let r = withdraw_reply(&obj).unwrap();
        assert_eq!(r.status, OrderStatus::Succeeded);
        assert_eq!(r.amount_fen, Some(100000));
        assert_eq!(r.order_no, None);
        assert_eq!(r.provider_order_id.as_deref(), Some("JYKW2024010100000002"));
        assert_eq!(
            r.extra.get("service_amount").map(String::as_str),
            Some("2.00")
        );
        assert_eq!(
            r.extra.get("actual_amount").map(String::as_str),
            Some("998.00")
        );
    }

    #[test]
    fn balance_reply_fixture() {
        let obj = verified(&fixture("balance.json"));
        let b = balance_reply(&obj).unwrap();
        assert_eq!(b.balance_fen, 1234567);
        assert_eq!(b.details.get("withdraw_limit"), Some(&100_000_000));
    }

    #[test]
    fn refusals_on_create() {
        assert!(matches!(
            create_refusal("ORDER_CONFLICT".into(), "x".into()),
            Err(GatewayError::Rejected { .. })
        ));
        let uncertain = create_refusal("SYSTEMERROR".into(), "x".into()).unwrap_err();
        assert_eq!(uncertain, GatewayError::Uncertain("SYSTEMERROR x".into()));
        assert_eq!(
            uncertain.delivery(),
            crate::gateway::Delivery::MaybeDelivered
        );
        assert!(matches!(
            create_refusal("20000".into(), "x".into()),
            Err(GatewayError::Uncertain(_))
        ));
        assert!(matches!(
            query_refusal("ORDER_NOTFOUND".into(), "x".into()),
            GatewayError::OrderNotFound { .. }
        ));
        let env = read_envelope(
            r#"{"result_response":{"result_code":"10000","trade_status":"NEW_ONE"},"sign":""}"#,
        )
        .unwrap();
        let r = trade_reply(&env.object).unwrap();
        assert_eq!(
            (r.status, r.provider_status.as_deref()),
            (OrderStatus::Pending, Some("NEW_ONE"))
        );
    }
}
