//! juyouke signing: a compact JSON object of the parameters sorted by name,
//! the whole text lower-cased (full Unicode), the key appended, MD5 lower hex.
//!
//! Requests: every value is a JSON string. Replies: the same over
//! `result_response`, each value as it stands in the reply body: a string is
//! written as a JSON string (decoded, then re-escaped like a request value), any
//! other value (a number such as `100.50`) as its exact raw text, unquoted —
//! that is the text a server gets by serialising its own reply dictionary.
//! Replies (and payment callbacks) are verified here.

use super::status::{plain_message, CREDENTIAL_ERRORS};
use super::wire::{read_envelope, Envelope, ReplyObject, RESULT_OK};
use crate::gateway::GatewayError;
use crate::secret::Secret;
use crate::sign::{hex_eq_ignore_case, md5_lower, rfc3986_encode};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Appends `s` as a JSON string: only `"`, `\` and control characters are
/// escaped; non-ASCII and `/` are written as they are.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `,"name":` (no comma before the first member) into a JSON object.
pub fn write_member_name(out: &mut String, index: usize, name: &str) {
    if index > 0 {
        out.push(',');
    }
    write_json_string(out, name);
    out.push(':');
}

/// `{"a":"1","b":"x"}` from string values, keys sorted (the map's order).
/// This is both the POST body and, lower-cased, the text that is signed.
pub fn json_object(params: &BTreeMap<String, String>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in params.iter().enumerate() {
        write_member_name(&mut out, i, k);
        write_json_string(&mut out, v);
    }
    out.push('}');
    out
}

/// The full text that is hashed: canonical JSON lower-cased, then the key as is.
pub fn string_to_sign(canonical_json: &str, secret: &Secret) -> String {
    format!("{}{}", canonical_json.to_lowercase(), secret.expose())
}

/// Request signature over string parameters (`sign` must not be among them).
pub fn sign_params(params: &BTreeMap<String, String>, secret: &Secret) -> String {
    md5_lower(&string_to_sign(&json_object(params), secret))
}

/// GET query string: sorted `name=value` pairs with values percent-encoded
/// (RFC 3986 unreserved kept), the signature over the unencoded values appended.
pub fn signed_query(params: &BTreeMap<String, String>, secret: &Secret) -> String {
    let sign = sign_params(params, secret);
    let mut q = String::new();
    for (k, v) in params {
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str(&rfc3986_encode(k));
        q.push('=');
        q.push_str(&rfc3986_encode(v));
    }
    if !q.is_empty() {
        q.push('&');
    }
    q.push_str("sign=");
    q.push_str(&sign);
    q
}

/// Reply verification: the sign covers `result_response` as received.
impl Envelope {
    pub fn expected_sign(&self, secret: &Secret) -> String {
        md5_lower(&string_to_sign(&self.object.canonical, secret))
    }

    pub fn sign_ok(&self, secret: &Secret) -> bool {
        !self.sign.is_empty() && hex_eq_ignore_case(&self.sign, &self.expected_sign(secret))
    }
}

/// A reply whose signature verified and whose `result_code` is `10000`.
#[derive(Debug, Clone)]
pub struct Verified(pub ReplyObject);

/// What a verified (or credential-error) reply says, before the operation
/// decides what it means.
#[derive(Debug, Clone)]
pub enum Outcome {
    Ok(Verified),
    /// `result_code` is not 10000.
    Refused {
        code: String,
        message: String,
        obj: ReplyObject,
    },
}

impl Outcome {
    pub fn err_code(obj: &ReplyObject) -> String {
        obj.text("err_code")
            .or_else(|| obj.text("result_code"))
            .unwrap_or("")
            .to_string()
    }
}

/// Reads a reply body, verifies its signature with `key` and splits success from
/// refusal. An unverifiable reply is `BadSignature`, except a refusal of our
/// credentials (see `CREDENTIAL_ERRORS`).
pub fn open_reply(body: &str, key: &Secret) -> Result<Outcome, GatewayError> {
    let env = read_envelope(body).map_err(GatewayError::malformed)?;
    let obj = env.object.clone();
    let result_code = obj.text("result_code").unwrap_or("").to_string();
    if !env.sign_ok(key) {
        let err = obj.text("err_code").unwrap_or("");
        if result_code != RESULT_OK && CREDENTIAL_ERRORS.contains(&err) {
            return Ok(refused(obj));
        }
        return Err(GatewayError::BadSignature);
    }
    if result_code.is_empty() {
        return Err(GatewayError::malformed("result_code missing"));
    }
    if result_code == RESULT_OK {
        return Ok(Outcome::Ok(Verified(obj)));
    }
    Ok(refused(obj))
}

fn refused(obj: ReplyObject) -> Outcome {
    let code = Outcome::err_code(&obj);
    let message = plain_message(&obj);
    Outcome::Refused { code, message, obj }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn fixture() -> serde_json::Value {
        let text = include_str!("../../../tests/fixtures/signature-examples.json");
        let all: serde_json::Value = serde_json::from_str(text).unwrap();
        all["examples"]["juyouke"].clone()
    }

    #[test]
    fn shared_example_signs_exactly() {
        let f = fixture();
        let params: BTreeMap<String, String> = f["params"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let secret = Secret::new(f["secret"].as_str().unwrap());
        assert_eq!(
            string_to_sign(&json_object(&params), &secret),
            f["string_to_sign"].as_str().unwrap()
        );
        assert_eq!(sign_params(&params, &secret), f["sign"].as_str().unwrap());
        assert_eq!(
            format!("sign {}", sign_params(&params, &secret)),
            f["authorization"].as_str().unwrap()
        );
    }

    #[test]
    fn chinese_empty_and_unicode_lowercasing() {
        // Worked out by hand, MD5 checked with Python's hashlib.
        let params = map(&[
            ("subject", "ＶＩＰ Ärger 会员"),
            ("app_id", "AB"),
            ("payway", ""),
        ]);
        let secret = Secret::new("KeyK");
        let text = string_to_sign(&json_object(&params), &secret);
        assert_eq!(
            text,
            "{\"app_id\":\"ab\",\"payway\":\"\",\"subject\":\"ｖｉｐ ärger 会员\"}KeyK"
        );
        assert_eq!(sign_params(&params, &secret), HAND_SIGN_1);
    }

    const HAND_SIGN_1: &str = "e8d8f127d58d612e7fe0fd477ba50a2e";

    #[test]
    fn escapes_quote_backslash_and_controls_only() {
        let params = map(&[("subject", "a\"b\\c/d\n\u{1}中")]);
        let body = json_object(&params);
        assert_eq!(body, "{\"subject\":\"a\\\"b\\\\c/d\\n\\u0001中\"}");
        // Same text serde_json would write for these strings.
        assert_eq!(
            body,
            format!(
                "{{\"subject\":{}}}",
                serde_json::to_string("a\"b\\c/d\n\u{1}中").unwrap()
            )
        );
        assert_eq!(sign_params(&params, &Secret::new("k")), HAND_SIGN_2);
    }

    const HAND_SIGN_2: &str = "8a176e2225765f932e9c7ac8a1d026f0";

    #[test]
    fn get_query_encodes_after_signing() {
        let params = map(&[
            ("notify_url", "http://m.example/n?a=1&b=2"),
            ("subject", "测试 商品"),
            ("app_id", "A1"),
        ]);
        let secret = Secret::new("k");
        let q = signed_query(&params, &secret);
        assert_eq!(
            q,
            format!("app_id=A1&notify_url=http%3A%2F%2Fm.example%2Fn%3Fa%3D1%26b%3D2&subject=%E6%B5%8B%E8%AF%95%20%E5%95%86%E5%93%81&sign={}", sign_params(&params, &secret))
        );
        assert_eq!(sign_params(&params, &secret), HAND_SIGN_3);
    }

    const HAND_SIGN_3: &str = "ee222151068ca7b57a619d8028ed58cd";

    #[test]
    fn reply_numbers_keep_their_raw_text() {
        let body = r#"{"result_response":{"total_amount":100.50,"result_code":"10000","fee":2.00,"out_trade_no":"JY\u0041\/1","note":null},"sign":"x"}"#;
        let env = read_envelope(body).unwrap();
        assert_eq!(env.object.canonical, "{\"fee\":2.00,\"note\":null,\"out_trade_no\":\"JYA/1\",\"result_code\":\"10000\",\"total_amount\":100.50}");
        assert_eq!(env.object.get("total_amount"), Some("100.50"));
        assert_eq!(env.object.get("out_trade_no"), Some("JYA/1"));
        assert_eq!(env.object.get("note"), None);
        assert_eq!(env.expected_sign(&Secret::new("k")), HAND_SIGN_4);
    }

    const HAND_SIGN_4: &str = "8defebe6a5c41bdc6899522c9ef82bbd";

    #[test]
    fn tampered_reply_is_refused() {
        let secret = Secret::new("sandbox-juyouke-key");
        let good = format!(
            r#"{{"result_response":{{"result_code":"10000","total_amount":100.50}},"sign":"{HAND_SIGN_5}"}}"#
        );
        assert!(read_envelope(&good).unwrap().sign_ok(&secret));
        // Same value written differently is a different text, so it does not verify.
        let reformatted = good.replace("100.50", "100.5");
        assert!(!read_envelope(&reformatted).unwrap().sign_ok(&secret));
        let changed = good.replace("100.50", "900.50");
        assert!(!read_envelope(&changed).unwrap().sign_ok(&secret));
        assert!(!read_envelope(&good).unwrap().sign_ok(&Secret::new("other")));
        let unsigned = good.replace(HAND_SIGN_5, "");
        assert!(!read_envelope(&unsigned).unwrap().sign_ok(&secret));
        assert!(read_envelope("{\"sign\":\"x\"}").is_err());
        assert!(read_envelope("{\"result_response\":[1],\"sign\":\"x\"}").is_err());
    }

    const HAND_SIGN_5: &str = "30386bdd02b44e0a5c1f6a1f95da7f8d";

    #[test]
    fn unsigned_refusal_only_for_credentials() {
        let signerror = r#"{"result_response":{"result_code":"40004","err_code":"SIGNERROR","err_code_des":"x"},"sign":"00"}"#;
        match open_reply(signerror, &Secret::new("k")).unwrap() {
            Outcome::Refused { code, .. } => assert_eq!(code, "SIGNERROR"),
            other => panic!("{other:?}"),
        }
        let conflict = r#"{"result_response":{"result_code":"40004","err_code":"ORDER_CONFLICT"},"sign":"00"}"#;
        assert_eq!(
            open_reply(conflict, &Secret::new("k")).unwrap_err(),
            GatewayError::BadSignature
        );
        let forged_ok =
            r#"{"result_response":{"result_code":"10000","err_code":"SIGNERROR"},"sign":"00"}"#;
        assert_eq!(
            open_reply(forged_ok, &Secret::new("k")).unwrap_err(),
            GatewayError::BadSignature
        );
        assert!(matches!(
            open_reply("<html>", &Secret::new("k")).unwrap_err(),
            GatewayError::Malformed(_)
        ));
    }
}
