//! xxpay wire format: request fields with the document's JSON types, reply
//! parsing with signature verification, and the mapping of states and
//! failure messages to the shared vocabulary.

use super::sign::{received_text, verify_reply_sign};
use super::status::{failure, status};
use crate::domain::{OrderKind, OrderStatus};
use crate::gateway::{GatewayError, Reply};
use crate::money;
use crate::providers::common::WireValue;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The four operations, for what differs between them on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    PayCreate,
    PayQuery,
    TransCreate,
    TransQuery,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::PayCreate => "/api/pay/create_order",
            Endpoint::PayQuery => "/api/pay/query_order",
            Endpoint::TransCreate => "/api/trans/create_order",
            Endpoint::TransQuery => "/api/trans/query_order",
        }
    }

    pub fn is_query(self) -> bool {
        matches!(self, Endpoint::PayQuery | Endpoint::TransQuery)
    }

    fn is_trans(self) -> bool {
        matches!(self, Endpoint::TransCreate | Endpoint::TransQuery)
    }

    /// Transfers are payouts, pay orders deposits.
    fn kind(self) -> OrderKind {
        if self.is_trans() {
            OrderKind::Payout
        } else {
            OrderKind::Deposit
        }
    }

    /// The document types `mchId` as `long` everywhere except the pay query
    /// (`String(30)`).
    fn mch_id_is_long(self) -> bool {
        self != Endpoint::PayQuery
    }

    fn order_no_field(self) -> &'static str {
        if self.is_trans() {
            "mchTransOrderNo"
        } else {
            "mchOrderNo"
        }
    }

    fn gateway_id_field(self) -> &'static str {
        if self.is_trans() {
            "transOrderId"
        } else {
            "payOrderId"
        }
    }
}

/// `mchId` as the type column says: a JSON number where the document says
/// `long` and the id is a plain number, otherwise a string (same signed text).
pub fn mch_id_value(merchant_id: &str, endpoint: Endpoint) -> WireValue {
    let id = merchant_id.trim();
    let plain_number = !id.is_empty()
        && id.len() <= 18
        && id.bytes().all(|b| b.is_ascii_digit())
        && (id == "0" || !id.starts_with('0'));
    if endpoint.mch_id_is_long() && plain_number {
        WireValue::Int(id.parse().expect("checked digits fit i64"))
    } else {
        WireValue::Str(id.to_string())
    }
}

/// A reply as received: every non-null field as the text it is signed as.
#[derive(Debug, Clone)]
pub struct ParsedReply {
    pub values: BTreeMap<String, String>,
    pub pay_url: Option<String>,
}

impl ParsedReply {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }
}

pub fn parse_reply(body: &str) -> Result<ParsedReply, GatewayError> {
    let raw: BTreeMap<String, Box<RawValue>> = serde_json::from_str(body.trim())
        .map_err(|e| GatewayError::malformed(format!("not a JSON object: {e}")))?;
    let values: BTreeMap<String, String> = raw
        .iter()
        .filter_map(|(k, v)| received_text(v).map(|t| (k.clone(), t)))
        .collect();
    let pay_url = raw.get("payParams").and_then(|pp| pay_url_from(pp));
    Ok(ParsedReply { values, pay_url })
}

/// `payParams.payUrl`; `payParams` may also arrive as a string holding JSON.
fn pay_url_from(pay_params: &RawValue) -> Option<String> {
    let text = pay_params.get().trim();
    let inner: String = if text.starts_with('"') {
        serde_json::from_str(text).ok()?
    } else {
        text.to_string()
    };
    let obj: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&inner).ok()?;
    obj.get("payUrl")
        .and_then(|u| received_text(u))
        .filter(|u| !u.is_empty())
}

/// Turns a received reply into a trusted `Reply` or the error it means.
/// `merchant_id` is checked against the reply's `mchId` when it names one.
pub fn interpret(
    endpoint: Endpoint,
    parsed: &ParsedReply,
    reply_key: &str,
    merchant_id: &str,
) -> Result<Reply, GatewayError> {
    let ret_code = parsed
        .get("retCode")
        .ok_or_else(|| GatewayError::malformed("retCode missing"))?;
    if !ret_code.eq_ignore_ascii_case("SUCCESS") {
        if ret_code.eq_ignore_ascii_case("FAIL") {
            return Err(failure(
                endpoint,
                parsed.get("retMsg").unwrap_or(""),
                parsed.get("errCode"),
            ));
        }
        return Err(GatewayError::malformed(format!("retCode {ret_code}")));
    }
    if !verify_reply_sign(&parsed.values, reply_key) {
        return Err(GatewayError::BadSignature);
    }
    if let Some(mch) = parsed.get("mchId") {
        if mch.trim() != merchant_id.trim() {
            return Err(GatewayError::Mismatch(crate::words!(
                "应答商户号 {} 与本商户不符",
                "the reply names merchant {}, not this one",
                mch
            )));
        }
    }
    let mut reply = match parsed.get("status") {
        Some(code) => {
            let (status, text) = status(endpoint.kind(), code);
            let mut r = Reply::new(status);
            r.provider_status = Some(code.to_string());
            r.provider_message = text
                .map(str::to_string)
                .or_else(|| parsed.get("retMsg").map(str::to_string));
            r
        }
        // A create reply without a state: the order exists and waits.
        None if !endpoint.is_query() => {
            let mut r = Reply::new(OrderStatus::Pending);
            r.provider_message = parsed.get("retMsg").map(str::to_string);
            r
        }
        None => return Err(GatewayError::malformed("status missing")),
    };
    reply.provider_order_id = parsed.get(endpoint.gateway_id_field()).map(str::to_string);
    reply.order_no = parsed.get(endpoint.order_no_field()).map(str::to_string);
    reply.amount_fen = match parsed.get("amount") {
        Some(a) => Some(
            money::parse_reply_fen(a)
                .ok_or_else(|| GatewayError::malformed(format!("amount {a}")))?,
        ),
        None => None,
    };
    reply.pay_url = parsed.pay_url.clone();
    for (wire, label) in [
        ("productId", "product_id"),
        ("channelOrderNo", "channel_order_no"),
        ("channelUser", "channel_user"),
        ("channelAttach", "channel_attach"),
        ("currency", "currency"),
        ("param1", "param1"),
        ("param2", "param2"),
    ] {
        if let Some(v) = parsed.get(wire) {
            reply.extra.insert(label.to_string(), v.to_string());
        }
    }
    for (wire, label) in [
        ("paySuccTime", "pay_success_time"),
        ("transSuccTime", "payout_success_time"),
        ("createTime", "gateway_create_time"),
    ] {
        if let Some(v) = parsed.get(wire) {
            reply.extra.insert(label.to_string(), format_ms(v));
        }
    }
    Ok(reply)
}

/// Milliseconds since the epoch as Beijing time, or the text as given.
fn format_ms(text: &str) -> String {
    text.parse::<i64>()
        .ok()
        .and_then(crate::time::try_format_ms)
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::md5_upper;

    fn signed(body_without_sign: &str, base: &str) -> String {
        let sign = md5_upper(base);
        format!(
            "{},\"sign\":\"{sign}\"}}",
            body_without_sign.trim_end_matches('}')
        )
    }

    #[test]
    fn mch_id_type_follows_the_type_column() {
        assert_eq!(
            mch_id_value("20001222", Endpoint::PayCreate),
            WireValue::Int(20001222)
        );
        assert_eq!(
            mch_id_value("20001222", Endpoint::TransQuery),
            WireValue::Int(20001222)
        );
        assert_eq!(
            mch_id_value("20001222", Endpoint::PayQuery),
            WireValue::Str("20001222".into())
        );
        assert_eq!(
            mch_id_value("0123", Endpoint::PayCreate),
            WireValue::Str("0123".into())
        );
        assert_eq!(
            mch_id_value("M100", Endpoint::TransCreate),
            WireValue::Str("M100".into())
        );
    }

    #[test]
    fn trans_create_reply_is_verified_and_mapped() {
        let body = signed(
            r#"{"retCode":"SUCCESS","retMsg":"","transOrderId":"T2024001","mchId":20001222,"mchTransOrderNo":"XT1","amount":50000,"status":1,"createTime":1505049094262}"#,
            "amount=50000&createTime=1505049094262&mchId=20001222&mchTransOrderNo=XT1&retCode=SUCCESS&status=1&transOrderId=T2024001&key=rk",
        );
        let p = parse_reply(&body).unwrap();
        let r = interpret(Endpoint::TransCreate, &p, "rk", "20001222").unwrap();
        assert_eq!(r.status, OrderStatus::Processing);
        assert_eq!(r.provider_status.as_deref(), Some("1"));
        assert_eq!(r.provider_order_id.as_deref(), Some("T2024001"));
        assert_eq!(r.order_no.as_deref(), Some("XT1"));
        assert_eq!(r.amount_fen, Some(50000));
        assert_eq!(r.extra["gateway_create_time"], "2017-09-10 21:11:34");
        // Tampered amount, wrong key: refused.
        let tampered = parse_reply(&body.replace("50000", "50001")).unwrap();
        assert_eq!(
            interpret(Endpoint::TransCreate, &tampered, "rk", "20001222"),
            Err(GatewayError::BadSignature)
        );
        assert_eq!(
            interpret(Endpoint::TransCreate, &p, "request-key", "20001222"),
            Err(GatewayError::BadSignature)
        );
        // Signed, but for another merchant.
        assert!(matches!(
            interpret(Endpoint::TransCreate, &p, "rk", "20001223"),
            Err(GatewayError::Mismatch(_))
        ));
    }

    #[test]
    fn pay_create_reply_from_the_document_shape() {
        let body = signed(
            r#"{"payOrderId":"P01000020181013115051810","payParams":{"payUrl":"http://127.0.0.1:3020/api/qrcode/create_qrcode?params=https://qr.alipay.com/bax07593fh9xkcrimmy8203b"},"retCode":"SUCCESS"}"#,
            "payOrderId=P01000020181013115051810&retCode=SUCCESS&key=rk",
        );
        let r = interpret(
            Endpoint::PayCreate,
            &parse_reply(&body).unwrap(),
            "rk",
            "20001222",
        )
        .unwrap();
        assert_eq!(r.status, OrderStatus::Pending);
        assert_eq!(
            r.provider_order_id.as_deref(),
            Some("P01000020181013115051810")
        );
        assert_eq!(r.pay_url.as_deref(), Some("http://127.0.0.1:3020/api/qrcode/create_qrcode?params=https://qr.alipay.com/bax07593fh9xkcrimmy8203b"));
        assert_eq!(r.order_no, None);
        assert_eq!(r.amount_fen, None);
    }

    #[test]
    fn pay_query_states_and_unknown_codes() {
        for (code, status) in [
            ("0", OrderStatus::Pending),
            ("1", OrderStatus::Processing),
            ("2", OrderStatus::Succeeded),
            ("3", OrderStatus::Succeeded),
            ("5", OrderStatus::Failed),
            ("9", OrderStatus::Pending),
        ] {
            let body = signed(
                &format!(r#"{{"retCode":"SUCCESS","retMsg":"查询成功","mchId":"20001222","payOrderId":"P1","mchOrderNo":"D1","amount":100,"status":{code}}}"#),
                &format!("amount=100&mchId=20001222&mchOrderNo=D1&payOrderId=P1&retCode=SUCCESS&retMsg=查询成功&status={code}&key=rk"),
            );
            let r = interpret(
                Endpoint::PayQuery,
                &parse_reply(&body).unwrap(),
                "rk",
                "20001222",
            )
            .unwrap();
            assert_eq!(r.status, status, "{code}");
            assert_eq!(r.provider_status.as_deref(), Some(code));
        }
        assert_eq!(status(OrderKind::Payout, "3").0, OrderStatus::Failed);
        assert_eq!(status(OrderKind::Payout, "4").0, OrderStatus::Succeeded);
        assert_eq!(status(OrderKind::Payout, "7").0, OrderStatus::Pending);
    }

    #[test]
    fn failures_in_plain_words() {
        let code = |e: GatewayError| match e {
            GatewayError::Rejected { code, .. } => code,
            GatewayError::OrderNotFound { code, .. } => format!("nf:{code}"),
            other => format!("{other:?}"),
        };
        assert_eq!(
            code(failure(Endpoint::PayCreate, "签名失败", None)),
            "sign_error"
        );
        assert_eq!(
            code(failure(
                Endpoint::TransQuery,
                "Verify XX pay sign failed.",
                None
            )),
            "sign_error"
        );
        assert_eq!(
            code(failure(Endpoint::PayCreate, "参数格式校验错误", None)),
            "invalid_params"
        );
        assert_eq!(
            code(failure(
                Endpoint::PayCreate,
                "request params[channelId] error.",
                None
            )),
            "invalid_params"
        );
        assert_eq!(
            code(failure(Endpoint::PayCreate, "商户订单号重复", None)),
            "duplicate_order"
        );
        assert_eq!(
            code(failure(Endpoint::PayQuery, "支付订单不存在", None)),
            "nf:order_not_found"
        );
        assert_eq!(
            code(failure(Endpoint::TransQuery, "代付订单不存在", None)),
            "nf:order_not_found"
        );
        assert_eq!(
            code(failure(Endpoint::PayQuery, "商户不存在", None)),
            "merchant_error"
        );
        assert_eq!(
            code(failure(Endpoint::TransCreate, "余额不足", None)),
            "insufficient_balance"
        );
        assert_eq!(
            failure(Endpoint::TransCreate, "系统错误", Some("0010")),
            GatewayError::Uncertain("0010 系统错误".into())
        );
        assert_eq!(
            failure(Endpoint::PayCreate, "系统错误", Some("0010")).delivery(),
            crate::gateway::Delivery::MaybeDelivered
        );
        assert_eq!(code(failure(Endpoint::PayQuery, "", Some("0010"))), "0010");
        assert_eq!(code(failure(Endpoint::PayCreate, "xyz", None)), "FAIL");
        let GatewayError::Rejected { message, .. } = failure(Endpoint::PayCreate, "签名失败", None)
        else {
            panic!()
        };
        assert!(
            message.contains("密钥") || message.contains("key"),
            "{message}"
        );
        // A FAIL reply needs no signature to be read.
        let p = parse_reply(r#"{"retCode":"FAIL","retMsg":"签名失败"}"#).unwrap();
        assert!(matches!(
            interpret(Endpoint::PayCreate, &p, "rk", "1"),
            Err(GatewayError::Rejected { .. })
        ));
    }

    #[test]
    fn unreadable_replies_are_malformed() {
        assert!(matches!(
            parse_reply("<html>"),
            Err(GatewayError::Malformed(_))
        ));
        let p = parse_reply(r#"{"retMsg":"x"}"#).unwrap();
        assert!(matches!(
            interpret(Endpoint::PayQuery, &p, "rk", "1"),
            Err(GatewayError::Malformed(_))
        ));
        // SUCCESS without sign is not trusted.
        let p = parse_reply(r#"{"retCode":"SUCCESS","status":2}"#).unwrap();
        assert_eq!(
            interpret(Endpoint::PayQuery, &p, "rk", "1"),
            Err(GatewayError::BadSignature)
        );
    }
}
