//! Jeepay wire format: request parameters with the types of the document's
//! type column (`amount` and `reqTime` JSON integers, the rest strings), the
//! exact JSON body, and the `{code, msg, sign, data}` reply with `sign` over
//! the fields of `data` as received.

use super::status::{failure, map_state, state_text};
use crate::error::FieldError;
use crate::form::ids;
use crate::gateway::{GatewayConfig, GatewayError, OrderParams, Reply};
use crate::providers::common::{Setting, WireValue};
use crate::{money, tr};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

pub const TRANSFER_PATH: &str = "/api/transferOrder";
pub const QUERY_PATH: &str = "/api/transfer/query";
/// The document's limit for `notifyUrl`.
pub const NOTIFY_URL_MAX: usize = 128;

/// Extra form fields of this gateway (no canonical id fits them).
pub const CLIENT_IP: &str = "client_ip";
pub const CHANNEL_EXTRA: &str = "channel_extra";
pub const EXT_PARAM: &str = "ext_param";
/// Lookup field: the gateway's transfer id, for an order not in the local history.
pub const TRANSFER_ID: &str = "transfer_id";

pub const ENTRY_WX_CASH: &str = "WX_CASH";
pub const ENTRY_ALIPAY_CASH: &str = "ALIPAY_CASH";
pub const ENTRY_BANK_CARD: &str = "BANK_CARD";

/// Request parameters in the order they were added; empty strings are never
/// added (Jeepay neither signs nor needs them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(&'static str, WireValue)>);

impl Params {
    fn text(&mut self, name: &'static str, value: &str) {
        if !value.is_empty() {
            self.0.push((name, WireValue::Str(value.to_string())));
        }
    }

    fn int(&mut self, name: &'static str, value: i64) {
        self.0.push((name, WireValue::Int(value)));
    }

    pub fn get(&self, name: &str) -> Option<&WireValue> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

fn common(config: &GatewayConfig) -> Result<Params, GatewayError> {
    let mch_no = Setting::MerchantId.required(config, "mchNo")?;
    let app_id = Setting::AppId.required(config, "appId")?;
    let mut p = Params::default();
    p.text("mchNo", mch_no);
    p.text("appId", app_id);
    Ok(p)
}

fn trailer(p: &mut Params, req_time_ms: i64) {
    p.int("reqTime", req_time_ms);
    // Fixed by the document: interface version 1.0, MD5 signatures.
    p.text("version", "1.0");
    p.text("signType", "MD5");
}

/// `accountNo` as sent: card numbers lose the spaces people type in them.
pub fn wire_account_no(order: &OrderParams) -> String {
    let raw = order.value_or_empty(ids::ACCOUNT_NO);
    if order.value(ids::ENTRY_TYPE) == Some(ENTRY_BANK_CARD) {
        raw.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        raw.to_string()
    }
}

/// `/api/transferOrder` parameters (without `sign`).
pub fn transfer_params(
    config: &GatewayConfig,
    order: &OrderParams,
    req_time_ms: i64,
) -> Result<Params, GatewayError> {
    let mut p = common(config)?;
    p.text("mchOrderNo", &order.order_no);
    p.text("ifCode", order.value_or_empty(ids::IF_CODE));
    p.text("entryType", order.value_or_empty(ids::ENTRY_TYPE));
    p.int("amount", order.amount_fen);
    p.text("currency", "cny");
    p.text("accountNo", &wire_account_no(order));
    p.text("accountName", order.value_or_empty(ids::PAYEE_NAME));
    p.text("bankName", order.value_or_empty(ids::BANK_NAME));
    p.text("clientIp", order.value_or_empty(CLIENT_IP));
    p.text("transferDesc", order.value_or_empty(ids::REMARK));
    let notify = config.notify_url.as_deref().map(str::trim).unwrap_or("");
    if notify.chars().count() > NOTIFY_URL_MAX {
        return Err(FieldError::new(
            "notify_url",
            tr!(
                "异步通知地址最长 {} 个字符（Jeepay notifyUrl 限制）",
                "the notify URL can be at most {} characters (Jeepay notifyUrl)",
                NOTIFY_URL_MAX
            ),
        )
        .into());
    }
    p.text("notifyUrl", notify);
    p.text("channelExtra", order.value_or_empty(CHANNEL_EXTRA));
    p.text("extParam", order.value_or_empty(EXT_PARAM));
    trailer(&mut p, req_time_ms);
    Ok(p)
}

/// `/api/transfer/query` parameters (without `sign`): by our order number, and
/// by the gateway's transfer id when known.
pub fn query_params(
    config: &GatewayConfig,
    order_no: &str,
    transfer_id: Option<&str>,
    req_time_ms: i64,
) -> Result<Params, GatewayError> {
    let mut p = common(config)?;
    p.text("mchOrderNo", order_no.trim());
    p.text("transferId", transfer_id.map(str::trim).unwrap_or(""));
    if p.get("mchOrderNo").is_none() && p.get("transferId").is_none() {
        return Err(FieldError::new(
            ids::ORDER_NO,
            tr!(
                "请填写商户订单号或转账订单号",
                "give the merchant order number or the transfer id"
            ),
        )
        .into());
    }
    trailer(&mut p, req_time_ms);
    Ok(p)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Transfer,
    Query,
}

/// A JSON value as text: strings decoded, other values as their JSON text,
/// `null` as absent.
fn raw_text(raw: &RawValue) -> Result<Option<String>, GatewayError> {
    let t = raw.get().trim();
    if t == "null" {
        return Ok(None);
    }
    if t.starts_with('"') {
        let s: String = serde_json::from_str(t)
            .map_err(|e| GatewayError::malformed(format!("bad string: {e}")))?;
        return Ok(Some(s));
    }
    Ok(Some(t.to_string()))
}

/// Reads a reply, verifies its sign over `data` and maps it. A failure
/// (`code` not 0) carries no sign and becomes `Rejected` / `OrderNotFound`.
pub fn parse_reply(body: &str, key: &str, op: Op) -> Result<Reply, GatewayError> {
    let top: BTreeMap<String, Box<RawValue>> = serde_json::from_str(body.trim())
        .map_err(|e| GatewayError::malformed(format!("not a JSON object: {e}")))?;
    let field = |name: &str| -> Result<Option<String>, GatewayError> {
        match top.get(name) {
            Some(raw) => raw_text(raw),
            None => Ok(None),
        }
    };
    let code = field("code")?.ok_or_else(|| GatewayError::malformed("no code"))?;
    let msg = field("msg")?.unwrap_or_default();
    if code.trim() != "0" {
        return Err(failure(code.trim(), &msg, op));
    }
    let data_raw = top
        .get("data")
        .ok_or_else(|| GatewayError::malformed("success without data"))?;
    let data = data_fields(data_raw)?;
    let received = field("sign")?.unwrap_or_default();
    if received.is_empty()
        || !super::sign::verify(
            data.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            key,
            &received,
        )
    {
        return Err(GatewayError::BadSignature);
    }
    map_data(&data, &msg)
}

/// The fields of `data` as text, as received. The document types `data` as a
/// JSON string, its examples as an object: both are read.
fn data_fields(raw: &RawValue) -> Result<BTreeMap<String, String>, GatewayError> {
    let text = match raw_text(raw)? {
        None => return Err(GatewayError::malformed("success without data")),
        Some(t) => t,
    };
    let obj: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&text)
        .map_err(|e| GatewayError::malformed(format!("data is not a JSON object: {e}")))?;
    let mut out = BTreeMap::new();
    for (k, v) in obj {
        if let Some(t) = raw_text(&v)? {
            out.insert(k, t);
        }
    }
    Ok(out)
}

fn map_data(data: &BTreeMap<String, String>, msg: &str) -> Result<Reply, GatewayError> {
    let get = |k: &str| data.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let state = get("state").ok_or_else(|| GatewayError::malformed("data has no state"))?;
    let mut reply = Reply::new(map_state(state));
    reply.provider_status = Some(state.to_string());
    let err_msg = get("errMsg");
    reply.provider_message = match (state_text(state), err_msg) {
        (Some(t), Some(e)) => Some(format!("{t}：{e}")),
        (Some(t), None) => Some(t.to_string()),
        (None, Some(e)) => Some(e.to_string()),
        (None, None) => Some(msg.to_string()).filter(|m| !m.is_empty()),
    };
    reply.provider_order_id = get("transferId").map(str::to_string);
    reply.order_no = get("mchOrderNo").map(str::to_string);
    reply.amount_fen = match get("amount") {
        None => None,
        Some(a) => Some(
            money::parse_reply_fen(a)
                .ok_or_else(|| GatewayError::malformed(format!("amount {a} is not whole fen")))?,
        ),
    };
    for (wire, key) in [
        ("channelOrderNo", "channel_order_no"),
        ("errCode", "channel_err_code"),
        ("errMsg", "channel_err_msg"),
        ("entryType", "entry_type"),
        ("ifCode", "if_code"),
        ("accountNo", "account_no"),
        ("accountName", "account_name"),
        ("currency", "currency"),
        ("extParam", "ext_param"),
    ] {
        if let Some(v) = get(wire) {
            reply.extra.insert(key.to_string(), v.to_string());
        }
    }
    for (wire, key) in [("createdAt", "created_at"), ("successTime", "success_time")] {
        if let Some(v) = get(wire) {
            reply.extra.insert(
                key.to_string(),
                ms_to_beijing(v).unwrap_or_else(|| v.to_string()),
            );
        }
    }
    Ok(reply)
}

/// A 13-digit millisecond timestamp as Beijing time, for people.
fn ms_to_beijing(text: &str) -> Option<String> {
    crate::time::try_format_ms(text.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::super::sign::{self, sign_request};
    use super::super::status::map_state;
    use super::*;
    use crate::domain::OrderKind;
    use crate::domain::OrderStatus;
    use crate::form::FormValues;

    const KEY: &str = "jeepay-secret-key";

    fn config() -> GatewayConfig {
        GatewayConfig {
            base_url: "http://gw.example".into(),
            merchant_id: "M100".into(),
            app_id: Some("app1".into()),
            notify_url: None,
            ..Default::default()
        }
    }

    fn order(kv: &[(&str, &str)]) -> OrderParams {
        let values: FormValues = kv
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        OrderParams {
            kind: OrderKind::Payout,
            order_no: "mho1629106169045".into(),
            amount_fen: 100,
            values,
            provider_order_id: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn transfer_request_matches_fixture() {
        let o = order(&[
            ("if_code", "wxpay"),
            ("entry_type", "WX_CASH"),
            ("account_no", "o6BcIwvTvIqf1zXZohc61biryWik"),
            ("payee_name", "张三"),
            ("bank_name", ""),
            ("remark", "测试转账"),
        ]);
        let p = transfer_params(&config(), &o, 1_704_067_200_000).unwrap();
        let r = sign_request(&p, KEY);
        assert_eq!(
            r.string_to_sign,
            "accountName=张三&accountNo=o6BcIwvTvIqf1zXZohc61biryWik&amount=100&appId=app1&currency=cny&entryType=WX_CASH&ifCode=wxpay&mchNo=M100&mchOrderNo=mho1629106169045&reqTime=1704067200000&signType=MD5&transferDesc=测试转账&version=1.0&key=jeepay-secret-key"
        );
        assert_eq!(r.sign, "CC350BC1640F60F63944C3AB79055466");
        // amount and reqTime are JSON integers; empty bankName is not sent.
        assert_eq!(
            r.body,
            r#"{"accountName":"张三","accountNo":"o6BcIwvTvIqf1zXZohc61biryWik","amount":100,"appId":"app1","currency":"cny","entryType":"WX_CASH","ifCode":"wxpay","mchNo":"M100","mchOrderNo":"mho1629106169045","reqTime":1704067200000,"signType":"MD5","transferDesc":"测试转账","version":"1.0","sign":"CC350BC1640F60F63944C3AB79055466"}"#
        );
    }

    #[test]
    fn bank_card_request_with_notify_and_quotes() {
        let mut cfg = config();
        cfg.notify_url = Some("https://m.example/n?a=1&b=2".into());
        let o = order(&[
            ("if_code", "alipay"),
            ("entry_type", "BANK_CARD"),
            ("account_no", "6222 0202 0000 1234"),
            ("payee_name", "王\"五\""),
            ("bank_name", "中国工商银行"),
            ("channel_extra", "{\"k\":1}"),
        ]);
        let r = sign_request(&transfer_params(&cfg, &o, 1_700_000_000_123).unwrap(), "s");
        // Worked by hand: card spaces removed, quotes and the URL signed raw.
        let expected = "accountName=王\"五\"&accountNo=6222020200001234&amount=100&appId=app1&bankName=中国工商银行&channelExtra={\"k\":1}&currency=cny&entryType=BANK_CARD&ifCode=alipay&mchNo=M100&mchOrderNo=mho1629106169045&notifyUrl=https://m.example/n?a=1&b=2&reqTime=1700000000123&signType=MD5&version=1.0&key=s";
        assert_eq!(r.string_to_sign, expected);
        assert_eq!(r.sign, "DF0E71DAB764253B40C289C15AD03776");
        assert!(r.body.contains(r#""accountName":"王\"五\"""#), "{}", r.body);
        assert!(
            r.body.contains(r#""channelExtra":"{\"k\":1}""#),
            "{}",
            r.body
        );
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(v["amount"].is_u64());
    }

    #[test]
    fn query_request_by_order_and_transfer_id() {
        let p = query_params(
            &config(),
            "mho1",
            Some("T202108121543441860003"),
            1_629_106_457_000,
        )
        .unwrap();
        let r = sign_request(&p, KEY);
        assert_eq!(
            r.string_to_sign,
            "appId=app1&mchNo=M100&mchOrderNo=mho1&reqTime=1629106457000&signType=MD5&transferId=T202108121543441860003&version=1.0&key=jeepay-secret-key"
        );
        assert_eq!(r.sign, "D69995F3B756E9AB3F84412A0AA7EE61");
        let p = query_params(&config(), "mho1", None, 1).unwrap();
        assert!(p.get("transferId").is_none());
        let mut cfg = config();
        cfg.app_id = None;
        assert!(
            matches!(query_params(&cfg, "mho1", None, 1), Err(GatewayError::Invalid(e)) if e.field == "app_id")
        );
    }

    fn signed_reply(data: &str, key: &str) -> String {
        let fields = data_fields(&serde_json::from_str::<Box<RawValue>>(data).unwrap()).unwrap();
        let s = sign::sign(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), key);
        format!(r#"{{"code":0,"data":{data},"msg":"SUCCESS","sign":"{s}"}}"#)
    }

    #[test]
    fn reply_sign_covers_data_as_received() {
        // The document's query example, signed by hand with KEY.
        let data = r#"{"accountNo":"o6BcIwvTvIqf1zXZohc61biryWik","amount":1,"appId":"6113805e42020495c62bd4cb","createdAt":1628818820011,"currency":"CNY","entryType":"WX_CASH","errCode":"OPENID_ERROR","errMsg":"openid与商户appid不匹配【openid与商户appid不匹配】","ifCode":"wxpay","mchNo":"M1623997351","mchOrderNo":"1628818820","state":3,"transferDesc":"测试","transferId":"T202108130940200100001"}"#;
        let body = format!(
            r#"{{"code":0,"data":{data},"msg":"SUCCESS","sign":"8CFD4A727D7370BAF1A14C245EC0579A"}}"#
        );
        let fields = data_fields(&serde_json::from_str::<Box<RawValue>>(data).unwrap()).unwrap();
        assert_eq!(
            sign::string_to_sign(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), KEY),
            "accountNo=o6BcIwvTvIqf1zXZohc61biryWik&amount=1&appId=6113805e42020495c62bd4cb&createdAt=1628818820011&currency=CNY&entryType=WX_CASH&errCode=OPENID_ERROR&errMsg=openid与商户appid不匹配【openid与商户appid不匹配】&ifCode=wxpay&mchNo=M1623997351&mchOrderNo=1628818820&state=3&transferDesc=测试&transferId=T202108130940200100001&key=jeepay-secret-key"
        );
        let r = parse_reply(&body, KEY, Op::Query).unwrap();
        assert_eq!(r.status, OrderStatus::Failed);
        assert_eq!(r.provider_status.as_deref(), Some("3"));
        assert_eq!(
            r.provider_message.as_deref(),
            Some("转账失败：openid与商户appid不匹配【openid与商户appid不匹配】")
        );
        assert_eq!(r.order_no.as_deref(), Some("1628818820"));
        assert_eq!(r.amount_fen, Some(1));
        assert_eq!(
            r.provider_order_id.as_deref(),
            Some("T202108130940200100001")
        );
        assert_eq!(
            r.extra.get("created_at").map(String::as_str),
            Some("2021-08-13 09:40:20")
        );
        assert_eq!(
            r.extra.get("channel_err_code").map(String::as_str),
            Some("OPENID_ERROR")
        );
        // Lower-case sign is accepted.
        assert!(parse_reply(
            &body.replace(
                "8CFD4A727D7370BAF1A14C245EC0579A",
                "8cfd4a727d7370baf1a14c245ec0579a"
            ),
            KEY,
            Op::Query
        )
        .is_ok());
    }

    #[test]
    fn tampered_or_unsigned_replies_are_refused() {
        let data = r#"{"amount":11,"channelOrderNo":"20210816110070001506260000372216","mchOrderNo":"1629106288","state":2,"transferId":"T202108161731281310004"}"#;
        let good = signed_reply(data, KEY);
        assert_eq!(
            parse_reply(&good, KEY, Op::Transfer).unwrap().status,
            OrderStatus::Succeeded
        );
        for bad in [
            good.replace("\"amount\":11", "\"amount\":12"),
            good.replace("\"state\":2", "\"state\":3"),
            good.replace("1629106288", "1629106289"),
            good.replace("\"amount\":11", "\"amount\":\"11.0\""),
            good.replace(",\"sign\":", ",\"signX\":"),
        ] {
            assert_eq!(
                parse_reply(&bad, KEY, Op::Transfer),
                Err(GatewayError::BadSignature),
                "{bad}"
            );
        }
        assert_eq!(
            parse_reply(&good, "other-key", Op::Transfer),
            Err(GatewayError::BadSignature)
        );
        // Number text is signed as received: 11 and 11.0 are different texts.
        let float_amount = signed_reply(&data.replace("\"amount\":11", "\"amount\":11.0"), KEY);
        assert!(matches!(
            parse_reply(&float_amount, KEY, Op::Transfer),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn data_as_json_string_and_nulls() {
        let inner = r#"{"mchOrderNo":"A1","state":1,"transferId":"T1","errMsg":null,"errCode":""}"#;
        let fields = data_fields(&serde_json::from_str::<Box<RawValue>>(inner).unwrap()).unwrap();
        let s = sign::sign(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), KEY);
        assert_eq!(
            sign::string_to_sign(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), "K"),
            "mchOrderNo=A1&state=1&transferId=T1&key=K"
        );
        let body = format!(
            r#"{{"code":0,"data":{},"sign":"{s}"}}"#,
            serde_json::to_string(inner).unwrap()
        );
        let r = parse_reply(&body, KEY, Op::Transfer).unwrap();
        assert_eq!(r.status, OrderStatus::Processing);
        assert_eq!(r.amount_fen, None);
        assert_eq!(r.provider_message.as_deref(), Some("转账中"));
    }

    #[test]
    fn states_map_to_the_shared_set() {
        assert_eq!(map_state("0"), OrderStatus::Pending);
        assert_eq!(map_state("1"), OrderStatus::Processing);
        assert_eq!(map_state("2"), OrderStatus::Succeeded);
        assert_eq!(map_state("3"), OrderStatus::Failed);
        assert_eq!(map_state("4"), OrderStatus::Failed);
        assert_eq!(map_state("7"), OrderStatus::Pending);
        let r = parse_reply(
            &signed_reply(r#"{"mchOrderNo":"A","state":7}"#, KEY),
            KEY,
            Op::Query,
        )
        .unwrap();
        assert_eq!(
            (r.status, r.provider_status.as_deref()),
            (OrderStatus::Pending, Some("7"))
        );
    }

    #[test]
    fn failures_in_plain_words() {
        let code_of = |e: GatewayError| match e {
            GatewayError::Rejected { code, .. } => code,
            GatewayError::OrderNotFound { code, .. } => format!("not_found:{code}"),
            other => panic!("{other:?}"),
        };
        let f = |body: &str, op| code_of(parse_reply(body, KEY, op).unwrap_err());
        assert_eq!(
            f(r#"{"code":9999,"msg":"验签失败"}"#, Op::Transfer),
            "9999:sign_error"
        );
        assert_eq!(
            f(r#"{"code":9999,"msg":"验签失败"}"#, Op::Query),
            "9999:sign_error"
        );
        assert_eq!(
            f(r#"{"code":9999,"msg":"商户订单[A1]已存在"}"#, Op::Transfer),
            "9999:duplicate_order"
        );
        assert_eq!(
            f(r#"{"code":9999,"msg":"商户或商户应用不存在"}"#, Op::Query),
            "9999:merchant"
        );
        assert_eq!(
            f(r#"{"code":9999,"msg":"订单不存在"}"#, Op::Query),
            "not_found:9999"
        );
        assert_eq!(
            f(r#"{"code":9999,"msg":"订单不存在"}"#, Op::Transfer),
            "9999:other"
        );
        assert_eq!(
            f(r#"{"code":11,"msg":"参数有误[amount]"}"#, Op::Transfer),
            "11:params"
        );
        assert_eq!(
            f(
                r#"{"code":9999,"msg":"请求时间超出有效范围"}"#,
                Op::Transfer
            ),
            "9999:req_time"
        );
        assert_eq!(
            f(r#"{"code":9999,"msg":"商户余额不足"}"#, Op::Transfer),
            "9999:insufficient_balance"
        );
        assert_eq!(
            f(
                r#"{"code":9999,"msg":"应用未开通此接口[ysfpay]"}"#,
                Op::Transfer
            ),
            "9999:channel"
        );
        assert_eq!(
            f(r#"{"code":11,"msg":"参数有误[signType]"}"#, Op::Transfer),
            "11:params"
        );
        assert_eq!(
            f(r#"{"code":10,"msg":"系统异常[x]"}"#, Op::Transfer),
            "10:system"
        );
        assert_eq!(f(r#"{"code":"42"}"#, Op::Transfer), "42:other");
        // The language is process-wide and other tests may switch it: accept either.
        match parse_reply(r#"{"code":9999,"msg":"验签失败"}"#, KEY, Op::Transfer).unwrap_err() {
            GatewayError::Rejected { message, .. } => {
                assert!(
                    message.starts_with("签名错误：请检查商户密钥是否正确")
                        || message.starts_with("signature error: check the merchant key"),
                    "{message}"
                )
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(
            parse_reply("<html>", KEY, Op::Transfer),
            Err(GatewayError::Malformed(_))
        ));
        assert!(matches!(
            parse_reply(r#"{"code":0,"msg":"SUCCESS"}"#, KEY, Op::Transfer),
            Err(GatewayError::Malformed(_))
        ));
    }
}
