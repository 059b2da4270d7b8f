//! appkey wire format: sign strings in the document's fixed order, request
//! bodies as exact JSON text, and reply parsing.
//!
//! This gateway signs requests only: its create and query replies carry no
//! signature (the document gives sign formats for requests and callbacks, none
//! for replies), so there is nothing to verify in a reply. The reply's `Mrn` is
//! therefore handed to the services as `Reply.order_no` for their mismatch check.

use super::status::{code_for_text, map_status, rejected, with_gateway_text};
use crate::domain::OrderStatus;
use crate::gateway::{GatewayError, Reply};
use crate::providers::common::json_string;
use crate::tr;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

pub const PAY_CREATE: &str = "/api/Pay/Create";
pub const PAYMENTS_QUERY: &str = "/api/Payments/Query";
pub const PAYOUTS_CREATE: &str = "/api/Payouts/Create";
pub const PAYOUTS_QUERY: &str = "/api/Payouts/Query";

/// A deposit request (`/api/Pay/Create`), values exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayCreate<'a> {
    /// Yuan text: `100` when whole, else exactly two decimals (`100.50`).
    pub amount: String,
    pub app_key: &'a str,
    pub callback_url: &'a str,
    pub channel_id: u8,
    pub mrn: &'a str,
    pub return_url: &'a str,
    /// Not signed (the document says so).
    pub payer: Option<&'a str>,
}

impl PayCreate<'_> {
    /// The JSON body: `amount` and `channelId` as numbers (the amount with the
    /// very text that was signed), only the documented fields.
    pub fn body(&self, sign: &str) -> String {
        let mut b = format!(
            "{{\"amount\":{},\"appKey\":{},\"callbackUrl\":{},\"channelId\":{},\"mrn\":{},\"returnUrl\":{}",
            self.amount,
            json_string(self.app_key),
            json_string(self.callback_url),
            self.channel_id,
            json_string(self.mrn),
            json_string(self.return_url)
        );
        if let Some(p) = self.payer {
            b.push_str(&format!(",\"payer\":{}", json_string(p)));
        }
        b.push_str(&format!(",\"sign\":{}}}", json_string(sign)));
        b
    }
}

/// A payout request (`/api/Payouts/Create`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutCreate<'a> {
    pub account_name: &'a str,
    pub account_number: &'a str,
    /// Whole yuan.
    pub amount_yuan: i64,
    pub app_key: &'a str,
    pub bank_name: &'a str,
    pub callback_url: &'a str,
    pub mrn: &'a str,
}

impl PayoutCreate<'_> {
    pub fn body(&self, sign: &str) -> String {
        format!(
            "{{\"accountName\":{},\"accountNumber\":{},\"amount\":{},\"appKey\":{},\"bankName\":{},\"callbackUrl\":{},\"mrn\":{},\"sign\":{}}}",
            json_string(self.account_name),
            json_string(self.account_number),
            self.amount_yuan,
            json_string(self.app_key),
            json_string(self.bank_name),
            json_string(self.callback_url),
            json_string(self.mrn),
            json_string(sign)
        )
    }
}

// ---- replies ----

#[derive(Debug, Deserialize)]
pub struct PayCreateReply {
    #[serde(alias = "Success")]
    pub success: Option<bool>,
    #[serde(rename = "errorMsg", alias = "ErrorMsg")]
    pub error_msg: Option<String>,
    #[serde(rename = "payUrl", alias = "PayUrl")]
    pub pay_url: Option<String>,
}

/// The `{error, errorMessage, result}` reply of payouts and queries; `R` is
/// what `result` holds (a payout create's is not read: `IgnoredAny`).
#[derive(Debug, Deserialize)]
pub struct ErrorReply<R> {
    #[serde(alias = "Error")]
    pub error: Option<String>,
    #[serde(rename = "errorMessage", alias = "ErrorMessage", alias = "errorMsg")]
    pub error_message: Option<String>,
    #[serde(alias = "Result")]
    pub result: Option<R>,
}

impl<R> ErrorReply<R> {
    /// The `error` code, which every such reply carries (`success` or a refusal).
    fn code(&self) -> Result<&str, GatewayError> {
        self.error
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| GatewayError::malformed("appkey: reply has no `error`"))
    }
}

pub type QueryReply = ErrorReply<QueryResult>;

#[derive(Debug, Deserialize)]
pub struct QueryResult {
    #[serde(rename = "Mrn", alias = "mrn")]
    pub mrn: Option<String>,
    /// Raw JSON text: `0`, or `"0"` if the gateway ever quotes it.
    #[serde(alias = "Status")]
    pub status: Option<Box<RawValue>>,
}

fn parse<'a, T: Deserialize<'a>>(body: &'a str) -> Result<T, GatewayError> {
    serde_json::from_str(body).map_err(|e| GatewayError::malformed(format!("appkey: {e}")))
}

/// `/api/Pay/Create` reply → a pending deposit with its payment page.
pub fn parse_pay_create(body: &str, base_url: &str) -> Result<Reply, GatewayError> {
    let r: PayCreateReply = parse(body)?;
    match r.success {
        Some(true) => {}
        Some(false) => {
            let text = r
                .error_msg
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty());
            return Err(match text.and_then(code_for_text) {
                Some(code) => rejected(code, text),
                None => GatewayError::Rejected {
                    code: "pay_create_failed".into(),
                    message: match text {
                        Some(t) => tr!(
                            "网关拒绝了充值请求：{}",
                            "the gateway refused the deposit: {}",
                            t
                        ),
                        None => tr!(
                            "网关拒绝了充值请求，未说明原因",
                            "the gateway refused the deposit without giving a reason"
                        ),
                    },
                },
            });
        }
        None => return Err(GatewayError::malformed("appkey: reply has no `success`")),
    }
    let path = r
        .pay_url
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let Some(path) = path else {
        return Err(GatewayError::malformed(
            "appkey: `success` is true but `payUrl` is empty",
        ));
    };
    let mut reply = Reply::new(OrderStatus::Pending);
    reply.provider_status = Some("success".into());
    reply.pay_url = Some(pay_url(base_url, path));
    reply.extra.insert("pay_path".into(), path.to_string());
    Ok(reply)
}

/// `payUrl` is path + query only: the full address is the profile's base URL
/// text with it appended (keeping any path the base URL has). An absolute URL
/// is taken as given rather than mangled.
pub fn pay_url(base_url: &str, pay_path: &str) -> String {
    let lower = pay_path.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        pay_path.to_string()
    } else {
        crate::http::join_url(base_url, pay_path)
    }
}

/// `/api/Payouts/Create` reply: `success` → pending (the result comes later).
pub fn parse_payout_create(body: &str) -> Result<Reply, GatewayError> {
    let r: ErrorReply<IgnoredAny> = parse(body)?;
    let code = r.code()?;
    if code != "success" {
        return Err(rejected(code, r.error_message.as_deref()));
    }
    let mut reply = Reply::new(OrderStatus::Pending);
    reply.provider_status = Some("success".into());
    reply.provider_message = Some(tr!(
        "下发请求已受理，等待处理",
        "payout accepted, waiting to be processed"
    ));
    Ok(reply)
}

/// `/api/Payments/Query` and `/api/Payouts/Query` replies.
pub fn parse_query(body: &str, deposit: bool) -> Result<Reply, GatewayError> {
    let r: QueryReply = parse(body)?;
    let code = r.code()?;
    if code != "success" {
        if code == "object_not_found" {
            // Unknown mrn; the same code also means an unknown appKey, so say both.
            return Err(GatewayError::OrderNotFound {
                code: code.to_string(),
                message: with_gateway_text(
                    tr!(
                        "网关查无此订单（object_not_found）：该订单号不存在；若每个订单都如此，请检查商户号（appKey）",
                        "the gateway has no such order (object_not_found): the order number is unknown; if every order says so, check the merchant id (appKey)"
                    ),
                    r.error_message.as_deref(),
                ),
            });
        }
        return Err(rejected(code, r.error_message.as_deref()));
    }
    let Some(result) = r.result else {
        return Err(GatewayError::malformed("appkey: reply has no `result`"));
    };
    let Some(raw) = result.status else {
        return Err(GatewayError::malformed(
            "appkey: reply has no `result.status`",
        ));
    };
    let status_text = raw.get().trim().trim_matches('"').to_string();
    let (status, text) = map_status(&status_text, deposit);
    let mut reply = Reply::new(status);
    reply.provider_status = Some(status_text);
    reply.provider_message = Some(text);
    reply.order_no = result.mrn;
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::super::sign::{query_path, query_string_to_sign};
    use super::*;
    use crate::money::fen_to_yuan_compact;
    use crate::sign::md5_lower;

    const FIXTURES: &str = include_str!("../../../tests/fixtures/signature-examples.json");

    fn pay(amount_fen: i64) -> PayCreate<'static> {
        PayCreate {
            amount: fen_to_yuan_compact(amount_fen),
            app_key: "AK001",
            callback_url: "http://merchant.example/cb?x=1",
            channel_id: 2,
            mrn: "AK20240101001",
            return_url: "http://merchant.example/return",
            payer: Some("张三"),
        }
    }

    #[test]
    fn shared_example_pay_create() {
        let all: serde_json::Value = serde_json::from_str(FIXTURES).unwrap();
        let ex = &all["examples"]["appkey"];
        let secret = ex["secret"].as_str().unwrap();
        let req = pay(10050);
        let s = req.string_to_sign(secret);
        assert_eq!(s, ex["string_to_sign"].as_str().unwrap());
        let sign = md5_lower(&s);
        assert_eq!(sign, ex["sign"].as_str().unwrap());
        assert_eq!(sign, "bf97d8da6ebd2e9a6f475c1e947dc3c4");
        assert_eq!(req.body(&sign), ex["body_json"].as_str().unwrap());
    }

    #[test]
    fn whole_amount_is_an_integer_and_empty_values_are_signed_empty() {
        let req = PayCreate {
            amount: fen_to_yuan_compact(10000),
            app_key: "AK001",
            callback_url: "http://merchant.example/cb?x=1&y=中",
            channel_id: 15,
            mrn: "AK-2024_01",
            return_url: "",
            payer: None,
        };
        let s = req.string_to_sign("appkey-secret-key");
        assert_eq!(s, "amount=100&appKey=AK001&callbackUrl=http://merchant.example/cb?x=1&y=中&channelId=15&mrn=AK-2024_01&returnUrl=&key=appkey-secret-key");
        assert_eq!(md5_lower(&s), "d2ddb9b5f335fa6043a5d9a3905a3fd7");
        assert_eq!(
            req.body("d2ddb9b5f335fa6043a5d9a3905a3fd7"),
            r#"{"amount":100,"appKey":"AK001","callbackUrl":"http://merchant.example/cb?x=1&y=中","channelId":15,"mrn":"AK-2024_01","returnUrl":"","sign":"d2ddb9b5f335fa6043a5d9a3905a3fd7"}"#
        );
        // 0.05 yuan keeps two decimals; 100.5 becomes 100.50.
        assert_eq!(
            pay(5).string_to_sign("k").split('&').next().unwrap(),
            "amount=0.05"
        );
        assert!(pay(10050).body("x").starts_with("{\"amount\":100.50,"));
    }

    #[test]
    fn payer_is_escaped_in_json_but_never_signed() {
        let mut req = pay(10050);
        req.payer = Some("O'Brien \"张\"\\");
        let with = req.string_to_sign("k");
        req.payer = None;
        assert_eq!(with, req.string_to_sign("k"));
        req.payer = Some("O'Brien \"张\"\\");
        assert!(req
            .body("s")
            .contains(r#","payer":"O'Brien \"张\"\\","sign":"s"}"#));
    }

    #[test]
    fn payout_sign_in_document_order() {
        let req = PayoutCreate {
            account_name: "张三",
            account_number: "6222020200112233445",
            amount_yuan: 100,
            app_key: "AK001",
            bank_name: "中国工商银行",
            callback_url: "http://merchant.example/payout/cb",
            mrn: "PO20240101001",
        };
        let s = req.string_to_sign("appkey-secret-key");
        assert_eq!(
            s,
            "accountName=张三&accountNumber=6222020200112233445&amount=100&appKey=AK001&bankName=中国工商银行&callbackUrl=http://merchant.example/payout/cb&mrn=PO20240101001&key=appkey-secret-key"
        );
        let sign = md5_lower(&s);
        assert_eq!(sign, "cfb7f56971be9e8364647ea2ac0d38ad");
        assert_eq!(
            req.body(&sign),
            r#"{"accountName":"张三","accountNumber":"6222020200112233445","amount":100,"appKey":"AK001","bankName":"中国工商银行","callbackUrl":"http://merchant.example/payout/cb","mrn":"PO20240101001","sign":"cfb7f56971be9e8364647ea2ac0d38ad"}"#
        );
    }

    #[test]
    fn query_signs_raw_values_and_encodes_the_url() {
        assert_eq!(
            query_string_to_sign("AK001", "AK20240101001", "appkey-secret-key"),
            "appKey=AK001&mrn=AK20240101001&key=appkey-secret-key"
        );
        assert_eq!(
            query_path(PAYMENTS_QUERY, "AK001", "AK20240101001", "appkey-secret-key"),
            "/api/Payments/Query?appKey=AK001&mrn=AK20240101001&sign=9a912a07e04ddcdc6a2d21908fcf2df4&callback=false"
        );
        // Signed unencoded, sent encoded.
        assert_eq!(
            md5_lower(&query_string_to_sign(
                "AK 001",
                "单号+1",
                "appkey-secret-key"
            )),
            "98083695aefc55acf974c48af026f2fe"
        );
        assert_eq!(
            query_path(PAYOUTS_QUERY, "AK 001", "单号+1", "appkey-secret-key"),
            "/api/Payouts/Query?appKey=AK%20001&mrn=%E5%8D%95%E5%8F%B7%2B1&sign=98083695aefc55acf974c48af026f2fe&callback=false"
        );
    }

    #[test]
    fn pay_create_reply_builds_the_full_url_keeping_the_base_path() {
        let body = r#"{"success":true,"errorMsg":null,"payUrl":"/api/Pay?id=some-id&channel=SomeChannel"}"#;
        let r = parse_pay_create(body, "http://gw.example/appkey/").unwrap();
        assert_eq!(r.status, OrderStatus::Pending);
        assert_eq!(
            r.pay_url.as_deref(),
            Some("http://gw.example/appkey/api/Pay?id=some-id&channel=SomeChannel")
        );
        assert_eq!(r.order_no, None);
        assert_eq!(r.amount_fen, None);
        let r = parse_pay_create(
            r#"{"success":true,"payUrl":"pay?id=1"}"#,
            "https://gw.example",
        )
        .unwrap();
        assert_eq!(r.pay_url.as_deref(), Some("https://gw.example/pay?id=1"));
    }

    #[test]
    fn pay_create_failures() {
        let e = parse_pay_create(
            r#"{"success":false,"errorMsg":"sign_error","payUrl":null}"#,
            "http://x",
        )
        .unwrap_err();
        assert!(
            matches!(&e, GatewayError::Rejected { code, .. } if code == "sign_error"),
            "{e:?}"
        );
        let e = parse_pay_create(r#"{"success":false,"errorMsg":"通道维护中"}"#, "http://x")
            .unwrap_err();
        assert!(
            matches!(&e, GatewayError::Rejected { code, message } if code == "pay_create_failed" && message.contains("通道维护中")),
            "{e:?}"
        );
        assert!(matches!(
            parse_pay_create(r#"{"success":true}"#, "http://x"),
            Err(GatewayError::Malformed(_))
        ));
        assert!(matches!(
            parse_pay_create(r#"{"errorMsg":"x"}"#, "http://x"),
            Err(GatewayError::Malformed(_))
        ));
        assert!(matches!(
            parse_pay_create("<html>", "http://x"),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn payout_error_codes_each_in_plain_words() {
        assert_eq!(
            parse_payout_create(r#"{"error":"success","errorMessage":""}"#)
                .unwrap()
                .status,
            OrderStatus::Pending
        );
        let mut messages = std::collections::HashSet::new();
        for code in [
            "invalid_data",
            "sign_error",
            "mrn_duplication",
            "insufficient_balance",
            "object_not_found",
        ] {
            let body = format!(r#"{{"error":"{code}","errorMessage":"{code}"}}"#);
            match parse_payout_create(&body).unwrap_err() {
                GatewayError::Rejected { code: c, message } => {
                    assert_eq!(c, code);
                    assert!(
                        !message.contains(code),
                        "plain words, not the code: {message}"
                    );
                    assert!(messages.insert(message));
                }
                other => panic!("{code}: {other:?}"),
            }
        }
        let e = parse_payout_create(r#"{"error":"rate_limited","errorMessage":"too fast"}"#)
            .unwrap_err();
        assert!(
            matches!(&e, GatewayError::Rejected { code, message } if code == "rate_limited" && message.contains("too fast"))
        );
        assert!(matches!(
            parse_payout_create(r#"{"errorMessage":"x"}"#),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn query_states_and_errors() {
        for (s, want) in [
            ("0", OrderStatus::Pending),
            ("1", OrderStatus::Succeeded),
            ("2", OrderStatus::Failed),
            ("7", OrderStatus::Pending),
        ] {
            let body = format!(r#"{{"error":"success","result":{{"Mrn":"AK1","status":{s}}}}}"#);
            let r = parse_query(&body, true).unwrap();
            assert_eq!(r.status, want);
            assert_eq!(r.provider_status.as_deref(), Some(s));
            assert_eq!(r.order_no.as_deref(), Some("AK1"));
        }
        let r = parse_query(
            r#"{"error":"success","result":{"mrn":"AK2","status":"1"}}"#,
            false,
        )
        .unwrap();
        assert_eq!(
            (r.status, r.order_no.as_deref()),
            (OrderStatus::Succeeded, Some("AK2"))
        );
        assert!(matches!(
            parse_query(r#"{"error":"object_not_found","errorMessage":"x"}"#, true),
            Err(GatewayError::OrderNotFound { .. })
        ));
        assert!(
            matches!(parse_query(r#"{"error":"sign_error"}"#, false), Err(GatewayError::Rejected { code, .. }) if code == "sign_error")
        );
        assert!(matches!(
            parse_query(r#"{"error":"success"}"#, true),
            Err(GatewayError::Malformed(_))
        ));
        assert!(matches!(
            parse_query(r#"{"error":"success","result":{"Mrn":"A"}}"#, true),
            Err(GatewayError::Malformed(_))
        ));
    }
}
