//! xxpay (聚合支付): deposits through `/api/pay/*`, payouts through
//! `/api/trans/*`. Every request is one form field `params` holding the JSON
//! text of the request, signed with MD5 (see `sign`); replies are JSON, signed
//! with the reply key when `retCode` is `SUCCESS` (see `wire`).

pub mod forms;
pub mod notify;
pub mod pay_page;
pub mod sign;
pub mod status;
pub mod wire;

use crate::domain::OrderKind;
use crate::error::FieldError;
use crate::form::ids;
use crate::gateway::{Call, Gateway, GatewayError, OrderParams, ReplyResult};
use crate::providers::common::gateway_parts;
use crate::providers::common::{Setting, WireValue};
use crate::tr;
use async_trait::async_trait;
use wire::Endpoint;

pub struct Xxpay;

use forms::{bad_cnaps, bank_transfer_param1, field, unknown_bank, URL_MAX};
pub use forms::{hpt_bank_name, BANK_TRANSFER_PRODUCT, HPT_BANKS, PRODUCTS};
pub use pay_page::{post_form_page, post_form_target};

/// Request fields in the document's order, with their wire types.
type Fields = Vec<(&'static str, WireValue)>;

fn str_field(name: &'static str, value: &str) -> (&'static str, WireValue) {
    (name, WireValue::Str(value.trim().to_string()))
}

/// `mchId` and `appId`, which open every request.
fn merchant_fields(call: &Call<'_>, endpoint: Endpoint) -> Result<Fields, GatewayError> {
    let mch_id = Setting::MerchantId.required(call.config, "mchId")?;
    let app_id = Setting::AppId.required(call.config, "appId")?;
    Ok(vec![
        ("mchId", wire::mch_id_value(mch_id, endpoint)),
        str_field("appId", app_id),
    ])
}

fn notify_url(call: &Call<'_>) -> Result<String, GatewayError> {
    let url = Setting::NotifyUrl.required(call.config, "notifyUrl")?;
    check_url_len("notify_url", url)?;
    Ok(url.to_string())
}

fn check_url_len(field: &str, url: &str) -> Result<(), GatewayError> {
    if url.chars().count() > URL_MAX {
        return Err(FieldError::new(
            field,
            tr!(
                "地址最长 {} 个字符",
                "the URL can be at most {} characters",
                URL_MAX
            ),
        )
        .into());
    }
    Ok(())
}

fn pay_create_fields(call: &Call<'_>, order: &OrderParams) -> Result<Fields, GatewayError> {
    let product: i64 = order
        .value(ids::CHANNEL)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| {
            GatewayError::from(FieldError::new(
                ids::CHANNEL,
                tr!("请选择支付产品", "choose a payment product"),
            ))
        })?;
    let return_url = call
        .config
        .return_url
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    check_url_len("return_url", return_url)?;
    let param1 = if order.value(ids::CHANNEL) == Some(BANK_TRANSFER_PRODUCT) {
        bank_transfer_param1(order)
    } else {
        String::new()
    };
    let mut fields = merchant_fields(call, Endpoint::PayCreate)?;
    fields.extend([
        ("productId", WireValue::Int(product)),
        str_field("mchOrderNo", &order.order_no),
        str_field("currency", "cny"),
        ("amount", WireValue::Int(order.amount_fen)),
        str_field("clientIp", order.value_or_empty(field::CLIENT_IP)),
        str_field("device", order.value_or_empty(field::DEVICE)),
        str_field("returnUrl", return_url),
        str_field("notifyUrl", &notify_url(call)?),
        str_field("subject", order.value_or_empty(ids::SUBJECT)),
        str_field("body", order.value_or_empty(ids::BODY)),
        str_field("param1", &param1),
        str_field("param2", order.value_or_empty(ids::REMARK)),
    ]);
    Ok(fields)
}

fn trans_create_fields(call: &Call<'_>, order: &OrderParams) -> Result<Fields, GatewayError> {
    let bank_code = order.value_or_empty(ids::BANK_CODE);
    let bank_name =
        hpt_bank_name(bank_code).ok_or_else(|| GatewayError::from(unknown_bank(bank_code)))?;
    let mut fields = merchant_fields(call, Endpoint::TransCreate)?;
    fields.extend([
        str_field("mchTransOrderNo", &order.order_no),
        str_field("currency", "cny"),
        ("amount", WireValue::Int(order.amount_fen)),
        str_field("notifyUrl", &notify_url(call)?),
        str_field("accountAttr", order.value_or_empty(field::ACCOUNT_ATTR)),
    ]);
    if let Some(cnaps) = order.value(field::CNAPS_CODE) {
        let n: i64 = cnaps.parse().map_err(|_| GatewayError::from(bad_cnaps()))?;
        fields.push(("bankType", WireValue::Int(n)));
    }
    fields.extend([
        str_field("bankCode", &bank_code.to_ascii_uppercase()),
        str_field("bankName", bank_name),
        str_field("accountType", order.value(ids::ACCOUNT_TYPE).unwrap_or("1")),
        str_field("accountName", order.value_or_empty(ids::PAYEE_NAME)),
        str_field("accountNo", order.value_or_empty(ids::ACCOUNT_NO)),
        str_field("province", order.value_or_empty(ids::PROVINCE)),
        str_field("city", order.value_or_empty(ids::CITY)),
        str_field("param1", order.value_or_empty(ids::PAYER_ACCOUNT_NO)),
        str_field("param2", order.value_or_empty(ids::REMARK)),
    ]);
    Ok(fields)
}

fn query_fields(call: &Call<'_>, order: &OrderParams) -> Result<(Endpoint, Fields), GatewayError> {
    // The document takes either the gateway's id or ours; ours is always known.
    let (endpoint, order_no_field) = match order.kind {
        OrderKind::Deposit => (Endpoint::PayQuery, "mchOrderNo"),
        OrderKind::Payout => (Endpoint::TransQuery, "mchTransOrderNo"),
    };
    let mut fields = merchant_fields(call, endpoint)?;
    fields.push(str_field(order_no_field, &order.order_no));
    Ok((endpoint, fields))
}

/// Sends one signed request and reads the reply it gets.
async fn exchange(
    call: &Call<'_>,
    endpoint: Endpoint,
    fields: &[(&str, WireValue)],
) -> ReplyResult {
    let signed = sign::sign_request(fields, call.secret.expose());
    let raw = call
        .http
        .post_form(
            call,
            endpoint.path(),
            &[("params", signed.params_json.as_str())],
        )
        .await?;
    let parsed = wire::parse_reply(&raw.body)?;
    wire::interpret(
        endpoint,
        &parsed,
        call.reply_key().expose(),
        &call.config.merchant_id,
    )
}

#[async_trait]
impl Gateway for Xxpay {
    gateway_parts!(Xxpay, ORDERS, payout_form, deposit_form);

    async fn create_payout(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        let fields = trans_create_fields(call, order)?;
        exchange(call, Endpoint::TransCreate, &fields).await
    }

    async fn create_deposit(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        let fields = pay_create_fields(call, order)?;
        exchange(call, Endpoint::PayCreate, &fields).await
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        let (endpoint, fields) = query_fields(call, order)?;
        exchange(call, endpoint, &fields).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::BankValue;
    use crate::form::{FormValues, OrderInput};
    use crate::gateway::GatewayConfig;
    use crate::http::HttpClient;
    use crate::Secret;
    use forms::AMOUNT_MAX_FEN;

    fn values(kv: &[(&str, &str)]) -> FormValues {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn order(kind: OrderKind, no: &str, amount_fen: i64, kv: &[(&str, &str)]) -> OrderParams {
        OrderParams {
            kind,
            order_no: no.into(),
            amount_fen,
            values: values(kv),
            provider_order_id: None,
            created_at_ms: 0,
        }
    }

    fn config() -> GatewayConfig {
        GatewayConfig {
            base_url: "http://gw.example".into(),
            merchant_id: "20001222".into(),
            app_id: Some("0ae8be35ff634e2abe94f5f32f6d5c4f".into()),
            operator_id: None,
            notify_url: Some("http://merchant.example/trans-notify".into()),
            return_url: None,
        }
    }

    #[test]
    fn payout_request_reproduces_the_signature_example() {
        let fixture: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/signature-examples.json"
        ))
        .unwrap();
        let ex = &fixture["examples"]["xxpay"];
        let http = HttpClient::default();
        let cfg = config();
        let secret = Secret::new(ex["secret"].as_str().unwrap());
        let call = Call::new(&http, &cfg, &secret, None);
        let o = order(
            OrderKind::Payout,
            "XT20240101001",
            50000,
            &[
                ("payee_name", "张三"),
                ("account_no", "6222020200112233445"),
                ("bank_code", "HPT00002"),
                ("account_type", "1"),
                ("province", "江苏"),
                ("city", "南京"),
            ],
        );
        Xxpay.check(&o).unwrap();
        let fields = trans_create_fields(&call, &o).unwrap();
        let signed = sign::sign_request(&fields, secret.expose());
        assert_eq!(
            signed.string_to_sign,
            ex["string_to_sign"].as_str().unwrap()
        );
        assert_eq!(signed.sign, "1042D5D2F7EEFB1E50A57F8F1B942226");
        assert_eq!(
            signed.params_json,
            "{\"mchId\":20001222,\"appId\":\"0ae8be35ff634e2abe94f5f32f6d5c4f\",\"mchTransOrderNo\":\"XT20240101001\",\"currency\":\"cny\",\"amount\":50000,\"notifyUrl\":\"http://merchant.example/trans-notify\",\"bankCode\":\"HPT00002\",\"bankName\":\"中国工商银行\",\"accountType\":\"1\",\"accountName\":\"张三\",\"accountNo\":\"6222020200112233445\",\"province\":\"江苏\",\"city\":\"南京\",\"sign\":\"1042D5D2F7EEFB1E50A57F8F1B942226\"}"
        );
    }

    #[test]
    fn payout_request_types_optional_fields() {
        let http = HttpClient::default();
        let cfg = config();
        let secret = Secret::new("k");
        let call = Call::new(&http, &cfg, &secret, None);
        let o = order(
            OrderKind::Payout,
            "XT2",
            100,
            &[
                ("payee_name", "某某有限公司"),
                ("account_no", "1234567890123"),
                ("bank_code", "HPT00073"),
                ("account_type", "1"),
                ("account_attr", "1"),
                ("cnaps_code", "313338707013"),
                ("province", "浙江"),
                ("city", "义乌"),
                ("payer_account_no", "123456"),
                ("remark", "工资 & 奖金"),
            ],
        );
        Xxpay.check(&o).unwrap();
        let signed = sign::sign_request(&trans_create_fields(&call, &o).unwrap(), "k");
        assert_eq!(
            signed.string_to_sign,
            "accountAttr=1&accountName=某某有限公司&accountNo=1234567890123&accountType=1&amount=100&appId=0ae8be35ff634e2abe94f5f32f6d5c4f&bankCode=HPT00073&bankName=浙江稠州商业银行&bankType=313338707013&city=义乌&currency=cny&mchId=20001222&mchTransOrderNo=XT2&notifyUrl=http://merchant.example/trans-notify&param1=123456&param2=工资 & 奖金&province=浙江&key=k"
        );
        assert!(
            signed
                .params_json
                .contains("\"accountAttr\":\"1\",\"bankType\":313338707013,"),
            "{}",
            signed.params_json
        );
    }

    #[test]
    fn bank_transfer_deposit_sends_param1() {
        let http = HttpClient::default();
        let mut cfg = config();
        cfg.merchant_id = "M01".into();
        cfg.return_url = Some("http://merchant.example/return".into());
        let secret = Secret::new("k");
        let call = Call::new(&http, &cfg, &secret, None);
        let o = order(
            OrderKind::Deposit,
            "D1",
            10050,
            &[
                ("channel", "8000"),
                ("payer_bank_code", "HPT00002"),
                ("payer_name", "张三"),
                ("payer_account_no", "6222020200112233445"),
                ("subject", "充值"),
                ("body", "充值"),
            ],
        );
        Xxpay.check(&o).unwrap();
        let signed = sign::sign_request(&pay_create_fields(&call, &o).unwrap(), "k");
        assert_eq!(
            signed.string_to_sign,
            "amount=10050&appId=0ae8be35ff634e2abe94f5f32f6d5c4f&body=充值&currency=cny&mchId=M01&mchOrderNo=D1&notifyUrl=http://merchant.example/trans-notify&param1=HPT00002;张三;6222020200112233445&productId=8000&returnUrl=http://merchant.example/return&subject=充值&key=k"
        );
        // A non-numeric merchant id stays a string; productId and amount are numbers.
        assert!(signed.params_json.starts_with("{\"mchId\":\"M01\",\"appId\":\"0ae8be35ff634e2abe94f5f32f6d5c4f\",\"productId\":8000,\"mchOrderNo\":\"D1\",\"currency\":\"cny\",\"amount\":10050,"));
        // Other products send no param1.
        let o = order(
            OrderKind::Deposit,
            "D2",
            100,
            &[("channel", "8002"), ("subject", "s"), ("body", "b")],
        );
        let signed = sign::sign_request(&pay_create_fields(&call, &o).unwrap(), "k");
        assert!(!signed.string_to_sign.contains("param1"));
    }

    #[test]
    fn query_requests_use_the_merchant_order_number() {
        let http = HttpClient::default();
        let cfg = config();
        let secret = Secret::new("k");
        let call = Call::new(&http, &cfg, &secret, None);
        let (ep, fields) = query_fields(&call, &order(OrderKind::Deposit, "D1", 1, &[])).unwrap();
        assert_eq!(ep, Endpoint::PayQuery);
        let signed = sign::sign_request(&fields, "k");
        assert_eq!(
            signed.string_to_sign,
            "appId=0ae8be35ff634e2abe94f5f32f6d5c4f&mchId=20001222&mchOrderNo=D1&key=k"
        );
        assert!(signed.params_json.starts_with("{\"mchId\":\"20001222\","));
        let (ep, fields) = query_fields(&call, &order(OrderKind::Payout, "XT1", 1, &[])).unwrap();
        assert_eq!(ep, Endpoint::TransQuery);
        let signed = sign::sign_request(&fields, "k");
        assert_eq!(
            signed.string_to_sign,
            "appId=0ae8be35ff634e2abe94f5f32f6d5c4f&mchId=20001222&mchTransOrderNo=XT1&key=k"
        );
        assert!(signed.params_json.starts_with("{\"mchId\":20001222,"));
    }

    #[test]
    fn missing_profile_settings_are_refused_before_sending() {
        let http = HttpClient::default();
        let mut cfg = config();
        cfg.notify_url = None;
        let secret = Secret::new("k");
        let call = Call::new(&http, &cfg, &secret, None);
        let o = order(
            OrderKind::Deposit,
            "D1",
            100,
            &[("channel", "8002"), ("subject", "s"), ("body", "b")],
        );
        match pay_create_fields(&call, &o) {
            Err(GatewayError::Invalid(e)) => assert_eq!(e.field, "notify_url"),
            other => panic!("{other:?}"),
        }
        cfg.notify_url = Some("http://n".into());
        cfg.app_id = None;
        let call = Call::new(&http, &cfg, &secret, None);
        match query_fields(&call, &o) {
            Err(GatewayError::Invalid(e)) => assert_eq!(e.field, "app_id"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forms_validate_and_check() {
        let dep = Xxpay.deposit_form().unwrap();
        assert_eq!(dep.field("channel").unwrap().choices.len(), 20);
        assert_eq!(
            dep.field("payer_bank_code").unwrap().bank_value,
            Some(BankValue::Code)
        );
        let input = |kv: &[(&str, &str)]| OrderInput {
            amount: "100.5".into(),
            order_no: None,
            values: values(kv),
        };
        // 8000 requires the payer's bank, name and account.
        assert_eq!(
            dep.validate(&input(&[("channel", "8000")]))
                .unwrap_err()
                .field,
            "payer_bank_code"
        );
        // The payer's details belong to 8000 only: refused, not dropped.
        assert_eq!(
            dep.validate(&input(&[("channel", "8002"), ("payer_name", "张三")]))
                .unwrap_err()
                .field,
            "payer_name"
        );
        let (fen, v) = dep.validate(&input(&[("channel", "8002")])).unwrap();
        assert_eq!(fen, 10050);
        assert_eq!(v.get("subject").map(String::as_str), Some("在线支付"));
        // A code outside the HPT table is refused by the form already.
        assert_eq!(
            dep.validate(&input(&[
                ("channel", "8000"),
                ("payer_bank_code", "HPT00099"),
                ("payer_name", "张三"),
                ("payer_account_no", "6222 0202 0011"),
            ]))
            .unwrap_err()
            .field,
            "payer_bank_code"
        );
        let (_, mut v) = dep
            .validate(&input(&[
                ("channel", "8000"),
                ("payer_bank_code", "HPT00002"),
                ("payer_name", "张三"),
                ("payer_account_no", "6222 0202 0011"),
            ]))
            .unwrap();
        v.insert("payer_bank_code".into(), "HPT00099".into());
        let o = OrderParams {
            kind: OrderKind::Deposit,
            order_no: "D1".into(),
            amount_fen: 10050,
            values: v,
            provider_order_id: None,
            created_at_ms: 0,
        };
        assert_eq!(Xxpay.check(&o).unwrap_err().field, "payer_bank_code");
        let mut o2 = o.clone();
        o2.values
            .insert("payer_bank_code".into(), "HPT00002".into());
        o2.values.insert("payer_name".into(), "张;三".into());
        assert_eq!(Xxpay.check(&o2).unwrap_err().field, "payer_name");

        let pay = Xxpay.payout_form().unwrap();
        assert_eq!(
            pay.field("bank_code").unwrap().bank_value,
            Some(BankValue::Code)
        );
        assert_eq!(
            pay.field("account_type").unwrap().default.as_deref(),
            Some("1")
        );
        let base = [
            ("payee_name", "张三"),
            ("account_no", "6222020200112233445"),
            ("bank_code", "HPT00002"),
            ("province", "江苏"),
            ("city", "南京"),
        ];
        let (_, v) = pay
            .validate(&OrderInput {
                amount: "500".into(),
                order_no: None,
                values: values(&base),
            })
            .unwrap();
        assert_eq!(v.get("account_type").map(String::as_str), Some("1"));
        let ok = OrderParams {
            kind: OrderKind::Payout,
            order_no: "XT1".into(),
            amount_fen: 50000,
            values: v,
            provider_order_id: None,
            created_at_ms: 0,
        };
        Xxpay.check(&ok).unwrap();
        let with = |k: &str, val: &str| {
            let mut o = ok.clone();
            o.values.insert(k.into(), val.into());
            Xxpay.check(&o).map_err(|e| e.field)
        };
        assert_eq!(with("bank_code", "HPT00100"), Err("bank_code".into()));
        assert_eq!(with("bank_code", "中国工商银行"), Err("bank_code".into()));
        assert_eq!(with("account_no", "abc123"), Err("account_no".into()));
        assert_eq!(
            with("payer_account_no", "12345"),
            Err("payer_account_no".into())
        );
        assert_eq!(with("cnaps_code", "31x"), Err("cnaps_code".into()));
        assert_eq!(with("payer_account_no", "123456"), Ok(()));
        let mut long_no = ok.clone();
        long_no.order_no = "X".repeat(31);
        assert_eq!(Xxpay.check(&long_no).unwrap_err().field, "order_no");
        let mut too_much = ok.clone();
        too_much.amount_fen = AMOUNT_MAX_FEN + 1;
        assert_eq!(Xxpay.check(&too_much).unwrap_err().field, "amount");
    }
}
