//! jstpay replies: read as received (each value's raw JSON text kept), the
//! signature verified over those values, and error codes put in plain words.

use super::sign;
use crate::gateway::GatewayError;
use crate::sign::hex_eq_ignore_case;
use crate::tr;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

/// A JSON object's members in the order received, raw.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Box<RawValue>>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads a JSON object, refusing duplicate names (they would let a signed
/// value and a shown value differ).
fn members(text: &str) -> Result<Vec<(String, Box<RawValue>)>, String> {
    let m: Members = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut names: Vec<&str> = m.0.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("duplicate member `{}`", w[0]));
    }
    Ok(m.0)
}

/// The text a value is signed as: strings as their content, numbers as their
/// JSON text as received, arrays and objects as compact JSON with sorted keys.
pub fn sign_text(raw: &RawValue) -> Result<String, String> {
    let t = raw.get().trim();
    if t.starts_with('"') {
        return serde_json::from_str::<String>(t).map_err(|e| e.to_string());
    }
    let mut out = String::new();
    canonical_json(t, &mut out)?;
    Ok(out)
}

/// Deeper nesting than this in a reply is refused. No jstpay reply nests more
/// than three levels; without a limit a hostile reply such as 100,000 `[`
/// overflowed the stack here (each level is re-read through `RawValue`, which
/// does not count depth the way serde_json's own 128-level limit does).
pub const MAX_DEPTH: usize = 32;

/// Compact JSON, object keys sorted by byte order, non-ASCII kept as is,
/// numbers exactly as received.
pub fn canonical_json(text: &str, out: &mut String) -> Result<(), String> {
    canonical_json_at(text, out, 0)
}

fn canonical_json_at(text: &str, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    let t = text.trim();
    match t.as_bytes().first() {
        Some(b'{') => {
            let mut m = members(t)?;
            m.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&sign::json_string(k));
                out.push(':');
                canonical_json_at(v.get(), out, depth + 1)?;
            }
            out.push('}');
        }
        Some(b'[') => {
            let items: Vec<Box<RawValue>> = serde_json::from_str(t).map_err(|e| e.to_string())?;
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json_at(v.get(), out, depth + 1)?;
            }
            out.push(']');
        }
        Some(b'"') => {
            let s: String = serde_json::from_str(t).map_err(|e| e.to_string())?;
            out.push_str(&sign::json_string(&s));
        }
        Some(_) => out.push_str(t),
        None => return Err("empty value".into()),
    }
    Ok(())
}

/// One member of a reply.
#[derive(Debug)]
pub struct Member {
    pub raw: Box<RawValue>,
    /// The value as it is signed (and, for strings, its content).
    pub text: String,
}

/// A reply as received.
#[derive(Debug)]
pub struct ReplyFields {
    fields: BTreeMap<String, Member>,
}

/// What a failed (`status` 0) reply means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureMeaning {
    /// A create or a balance query: a clear refusal.
    Refusal,
    /// A status query: "order not found" is its own answer.
    Query,
}

impl ReplyFields {
    pub fn parse(body: &str) -> Result<Self, GatewayError> {
        let m = members(body.trim()).map_err(GatewayError::malformed)?;
        let mut fields = BTreeMap::new();
        for (k, raw) in m {
            let text = sign_text(&raw).map_err(GatewayError::malformed)?;
            fields.insert(k, Member { raw, text });
        }
        Ok(ReplyFields { fields })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(|m| m.text.as_str())
    }

    /// A value that is present and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|s| !s.is_empty())
    }

    pub fn raw(&self, name: &str) -> Option<&RawValue> {
        self.fields.get(name).map(|m| m.raw.as_ref())
    }

    pub fn string_to_sign(&self, secret: &str) -> String {
        sign::string_to_sign(
            self.fields
                .iter()
                .map(|(k, m)| (k.as_str(), m.text.as_str())),
            secret,
        )
    }

    /// True when `signature` is present and matches every other member.
    pub fn signature_ok(&self, secret: &str) -> bool {
        match self.non_empty("signature") {
            Some(got) => {
                hex_eq_ignore_case(got, &crate::sign::md5_lower(&self.string_to_sign(secret)))
            }
            None => false,
        }
    }

    /// Accepts a successful, correctly signed reply; turns anything else into
    /// the error it means.
    pub fn accept(&self, secret: &str, meaning: FailureMeaning) -> Result<(), GatewayError> {
        match self.get("status") {
            Some("1") => {
                if self.signature_ok(secret) {
                    Ok(())
                } else {
                    Err(GatewayError::BadSignature)
                }
            }
            Some("0") => {
                // Failures are documented unsigned; one that is signed must verify.
                if self.non_empty("signature").is_some() && !self.signature_ok(secret) {
                    return Err(GatewayError::BadSignature);
                }
                Err(failure(
                    self.get("err_code").unwrap_or(""),
                    self.get("err_msg").unwrap_or(""),
                    meaning,
                ))
            }
            Some(other) => Err(GatewayError::malformed(format!("status `{other}`"))),
            None => Err(GatewayError::malformed("no `status` in the reply")),
        }
    }
}

/// The error codes the sandbox uses (the document lists none).
pub mod codes {
    pub const SIGN: &str = "1001";
    pub const MERCHANT: &str = "1002";
    pub const PARAMS: &str = "1003";
    pub const DUPLICATE: &str = "1004";
    pub const NOT_FOUND: &str = "1005";
    pub const BALANCE: &str = "1006";
    pub const AMOUNT: &str = "1007";
    pub const TIMESTAMP: &str = "1008";
    pub const CHANNEL: &str = "1009";
    pub const QUERY_MISMATCH: &str = "1010";
    pub const ALL: [&str; 10] = [
        SIGN,
        MERCHANT,
        PARAMS,
        DUPLICATE,
        NOT_FOUND,
        BALANCE,
        AMOUNT,
        TIMESTAMP,
        CHANNEL,
        QUERY_MISMATCH,
    ];
}

fn looks_not_found(msg: &str) -> bool {
    let m = msg.to_lowercase();
    [
        "订单不存在",
        "查无",
        "無此",
        "无此订单",
        "not found",
        "not exist",
        "no such order",
    ]
    .iter()
    .any(|p| m.contains(p))
}

fn looks_sign_error(msg: &str) -> bool {
    let m = msg.to_lowercase();
    m.contains("签名") || m.contains("簽名") || m.contains("sign")
}

/// Plain words for a failure code, keeping the gateway's own text.
pub fn failure(code: &str, msg: &str, meaning: FailureMeaning) -> GatewayError {
    let not_found =
        code == codes::NOT_FOUND || (!codes::ALL.contains(&code) && looks_not_found(msg));
    if meaning == FailureMeaning::Query && not_found {
        return GatewayError::OrderNotFound {
            code: code.to_string(),
            message: tr!("网关查无此订单（请核对订单号、收款卡号、金额和渠道）", "the gateway has no such order (check the order number, card number, amount and channel)"),
        };
    }
    let message = match code {
        codes::SIGN => tr!("签名错误：请检查商户密钥是否正确", "signature error: check the merchant key"),
        codes::MERCHANT => tr!("商户号无效或未开通：请检查商户号", "invalid or inactive merchant ID: check the merchant ID"),
        codes::PARAMS => tr!("请求参数错误：{}", "the request parameters were refused: {}", gateway_text(msg)),
        codes::DUPLICATE => tr!("商户订单号重复：该订单号已提交过，请勿重复下单", "duplicate merchant order number: this order number was already submitted; do not submit it again"),
        codes::NOT_FOUND => tr!("网关查无此订单", "the gateway has no such order"),
        codes::BALANCE => tr!("代付余额不足", "insufficient payout balance"),
        codes::AMOUNT => tr!("金额不被接受（须为整数元，且在网关限额内）", "the amount was refused (whole yuan within the gateway's limits)"),
        codes::TIMESTAMP => tr!("请求时间与网关时间相差过大：请校准本机时钟", "the request time is too far from the gateway's clock: correct this computer's clock"),
        codes::CHANNEL => tr!("代收渠道不可用：请换一个渠道", "the deposit channel is not available: choose another"),
        codes::QUERY_MISMATCH => tr!("查询条件与订单不符：请核对收款卡号、金额和渠道", "the query does not match the order: check the card number, amount and channel"),
        _ if looks_sign_error(msg) => tr!("签名错误：请检查商户密钥是否正确（网关：{}）", "signature error: check the merchant key (gateway: {})", msg),
        _ => tr!("网关拒绝（代码 {}）：{}", "the gateway refused (code {}): {}", if code.is_empty() { "-" } else { code }, gateway_text(msg)),
    };
    GatewayError::Rejected {
        code: code.to_string(),
        message,
    }
}

fn gateway_text(msg: &str) -> String {
    if msg.is_empty() {
        tr!("网关未说明原因", "no reason given")
    } else {
        msg.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::md5_lower;

    const KEY: &str = "sandbox-jstpay-hash-key";

    fn signed(members: &str, string_to_sign: &str) -> String {
        format!(
            "{{{members},\"signature\":\"{}\"}}",
            md5_lower(string_to_sign)
        )
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(canonical_json(&deep, &mut String::new()).is_err());
        let body = format!("{{\"status\":1,\"data\":{deep}}}");
        assert!(matches!(
            ReplyFields::parse(&body),
            Err(GatewayError::Malformed(_))
        ));
        let ok = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(canonical_json(&ok, &mut String::new()).is_ok());
    }

    #[test]
    fn number_text_is_signed_as_received() {
        // actual_amount 100.30 must be signed as `100.30`, not `100.3`.
        let body = signed(
            "\"status\":1,\"msg\":\"success\",\"actual_amount\":100.30,\"nonce\":\"\",\"sender_name\":\"张三\"",
            &format!("actual_amount=100.30&msg=success&nonce=&sender_name=张三&status=1&hash_key={KEY}"),
        );
        let r = ReplyFields::parse(&body).unwrap();
        assert_eq!(
            r.string_to_sign(KEY),
            format!(
                "actual_amount=100.30&msg=success&nonce=&sender_name=张三&status=1&hash_key={KEY}"
            )
        );
        assert!(r.accept(KEY, FailureMeaning::Refusal).is_ok());
        assert_eq!(r.raw("actual_amount").unwrap().get(), "100.30");
    }

    #[test]
    fn tampered_or_unsigned_replies_are_refused() {
        let good = signed(
            "\"status\":1,\"msg\":\"success\",\"balance\":\"12.50\"",
            &format!("balance=12.50&msg=success&status=1&hash_key={KEY}"),
        );
        assert!(ReplyFields::parse(&good)
            .unwrap()
            .accept(KEY, FailureMeaning::Refusal)
            .is_ok());
        let tampered = good.replace("12.50", "99.50");
        assert_eq!(
            ReplyFields::parse(&tampered)
                .unwrap()
                .accept(KEY, FailureMeaning::Refusal),
            Err(GatewayError::BadSignature)
        );
        let wrong_key = ReplyFields::parse(&good)
            .unwrap()
            .accept("other", FailureMeaning::Refusal);
        assert_eq!(wrong_key, Err(GatewayError::BadSignature));
        let unsigned = "{\"status\":1,\"msg\":\"success\",\"balance\":\"12.50\"}";
        assert_eq!(
            ReplyFields::parse(unsigned)
                .unwrap()
                .accept(KEY, FailureMeaning::Refusal),
            Err(GatewayError::BadSignature)
        );
        // A second `balance` could show one value while another was signed.
        let dup = good.replacen("\"msg\"", "\"balance\":\"1.00\",\"msg\"", 1);
        assert!(matches!(
            ReplyFields::parse(&dup),
            Err(GatewayError::Malformed(_))
        ));
        assert!(matches!(
            ReplyFields::parse("[1]"),
            Err(GatewayError::Malformed(_))
        ));
        assert!(matches!(
            ReplyFields::parse("{\"msg\":\"x\"}")
                .unwrap()
                .accept(KEY, FailureMeaning::Refusal),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn data_array_signed_as_sorted_compact_json() {
        let body_data = "[ {\"time\": \"2024-01-01 10:00:00\", \"amount\": \"100.37\", \"bank\": \"%E4%B8%AD+%E5%9B%BD\", \"sender_name\": \"张三\", \"n\": 1.50} ]";
        let expected_data = "[{\"amount\":\"100.37\",\"bank\":\"%E4%B8%AD+%E5%9B%BD\",\"n\":1.50,\"sender_name\":\"张三\",\"time\":\"2024-01-01 10:00:00\"}]";
        let sts = format!("data={expected_data}&err_code=&msg=success&status=1&hash_key={KEY}");
        let body = format!("{{\"status\":1,\"msg\":\"success\",\"data\":{body_data},\"err_code\":\"\",\"signature\":\"{}\"}}", md5_lower(&sts));
        let r = ReplyFields::parse(&body).unwrap();
        assert_eq!(r.get("data"), Some(expected_data));
        assert_eq!(r.string_to_sign(KEY), sts);
        assert!(r.accept(KEY, FailureMeaning::Refusal).is_ok());
        // Decoding the urlencoded bank before verifying would break the signature.
        let decoded = body.replace("%E4%B8%AD+%E5%9B%BD", "中 国");
        assert_eq!(
            ReplyFields::parse(&decoded)
                .unwrap()
                .accept(KEY, FailureMeaning::Refusal),
            Err(GatewayError::BadSignature)
        );
    }

    /// The language is process-wide and other tests may switch it.
    fn either(msg: &str, zh: &str, en: &str) -> bool {
        msg == zh || msg == en
    }

    #[test]
    fn failures_in_plain_words() {
        let r = ReplyFields::parse("{\"status\":0,\"msg\":\"failed\",\"err_code\":\"1001\",\"err_msg\":\"sign error\",\"signature\":\"\"}").unwrap();
        let Err(GatewayError::Rejected { code, message }) = r.accept(KEY, FailureMeaning::Refusal)
        else {
            panic!()
        };
        assert_eq!(code, "1001");
        assert!(
            either(
                &message,
                "签名错误：请检查商户密钥是否正确",
                "signature error: check the merchant key"
            ),
            "{message}"
        );
        let r = ReplyFields::parse("{\"status\":0,\"msg\":\"failed\",\"err_code\":\"1005\",\"err_msg\":\"order not found\"}").unwrap();
        assert!(
            matches!(r.accept(KEY, FailureMeaning::Query), Err(GatewayError::OrderNotFound { code, .. }) if code == "1005")
        );
        assert!(
            matches!(r.accept(KEY, FailureMeaning::Refusal), Err(GatewayError::Rejected { code, .. }) if code == "1005")
        );
        // An unknown code keeps the gateway's text.
        let Err(GatewayError::Rejected { code, message }) =
            Err::<(), _>(failure("E77", "通道维护", FailureMeaning::Refusal))
        else {
            panic!()
        };
        assert_eq!(code, "E77");
        assert!(
            either(
                &message,
                "网关拒绝（代码 E77）：通道维护",
                "the gateway refused (code E77): 通道维护"
            ),
            "{message}"
        );
        assert!(matches!(
            failure("E9", "订单不存在", FailureMeaning::Query),
            GatewayError::OrderNotFound { .. }
        ));
        for c in [
            "1002", "1003", "1004", "1006", "1007", "1008", "1009", "1010",
        ] {
            let GatewayError::Rejected { message, .. } = failure(c, "", FailureMeaning::Refusal)
            else {
                panic!("{c}")
            };
            assert!(
                !message.contains("代码") && !message.contains("(code"),
                "{c}: {message}"
            );
        }
        // A failure that carries a bad signature is not believed either.
        let r = ReplyFields::parse("{\"status\":0,\"err_code\":\"1004\",\"signature\":\"00\"}")
            .unwrap();
        assert_eq!(
            r.accept(KEY, FailureMeaning::Refusal),
            Err(GatewayError::BadSignature)
        );
    }
}
