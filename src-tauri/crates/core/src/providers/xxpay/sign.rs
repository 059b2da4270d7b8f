//! xxpay signing: non-empty parameters except `sign`, sorted by name, joined as
//! `name=value&...`, then `&key=<secret>`, MD5 upper-case hex.

use crate::providers::common::WireValue;
use crate::sign::{hex_eq_ignore_case, md5_upper, pairs_then_key};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The string to sign over `(name, text)` pairs: empty values and `sign`
/// itself left out, names in ASCII order.
pub fn string_to_sign<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    key: &str,
) -> String {
    let sorted: BTreeMap<&str, &str> = pairs
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && *k != "sign")
        .collect();
    pairs_then_key(sorted, "key", key)
}

/// xxpay's own server code sorts whole `name=value&` pieces case-insensitively;
/// for the documented names that is the same order, but a reply may carry
/// extension fields, so verification also accepts this order.
fn string_to_sign_java_order<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    key: &str,
) -> String {
    let mut pieces: Vec<String> = pairs
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && *k != "sign")
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    pieces.sort_by(|a, b| {
        a.to_ascii_lowercase()
            .cmp(&b.to_ascii_lowercase())
            .then_with(|| a.cmp(b))
    });
    let mut out = pieces.concat();
    out.push_str("key=");
    out.push_str(key);
    out
}

pub fn sign(string_to_sign: &str) -> String {
    md5_upper(string_to_sign)
}

/// A request ready to send: the exact `params` JSON text and how it was signed.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub string_to_sign: String,
    pub sign: String,
    /// The JSON text sent as the form field `params`, `sign` included.
    pub params_json: String,
}

/// Signs the fields (in the order given, which is the document's order) and
/// writes them as one JSON object with `sign` last.
pub fn sign_request(fields: &[(&str, WireValue)], key: &str) -> SignedRequest {
    let texts: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.sign_text())).collect();
    let string_to_sign = string_to_sign(texts.iter().map(|(k, v)| (*k, v.as_str())), key);
    let sign = sign(&string_to_sign);
    let mut json = String::from("{");
    for (k, v) in fields {
        // Empty optional values are not sent at all: they are not signed either.
        if let WireValue::Str(s) = v {
            if s.is_empty() {
                continue;
            }
        }
        json.push_str(&serde_json::to_string(k).expect("a string always serialises"));
        json.push(':');
        json.push_str(&v.json());
        json.push(',');
    }
    json.push_str("\"sign\":");
    json.push_str(&serde_json::to_string(&sign).expect("a string always serialises"));
    json.push('}');
    SignedRequest {
        string_to_sign,
        sign,
        params_json: json,
    }
}

/// The text a received JSON value is signed as: strings decoded, numbers and
/// booleans as their raw JSON text, objects and arrays as compact JSON text,
/// `null` as absent.
pub fn received_text(raw: &RawValue) -> Option<String> {
    let t = raw.get().trim();
    match t.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(t).ok(),
        Some(b'{') | Some(b'[') => Some(compact_json(t)),
        Some(_) if t == "null" => None,
        Some(_) => Some(t.to_string()),
        None => None,
    }
}

/// JSON text with the whitespace outside strings removed; member order and
/// number text are kept exactly as received.
pub fn compact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Verifies a reply's `sign` over the received values (`name` → signed text).
/// Accepts the sign with `payParams` left out (what xxpay's own client checks)
/// or included as compact JSON text, in either sort order.
pub fn verify_reply_sign(values: &BTreeMap<String, String>, key: &str) -> bool {
    let Some(given) = values.get("sign") else {
        return false;
    };
    let without_pay_params = || {
        values
            .iter()
            .filter(|(k, _)| k.as_str() != "payParams")
            .map(|(k, v)| (k.as_str(), v.as_str()))
    };
    let all = || values.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let candidates = [
        string_to_sign(without_pay_params(), key),
        string_to_sign_java_order(without_pay_params(), key),
        string_to_sign(all(), key),
        string_to_sign_java_order(all(), key),
    ];
    candidates
        .iter()
        .any(|s| hex_eq_ignore_case(&sign(s), given))
}

/// Verifies a notify's `sign` over every other field received (extension
/// fields included, empty values left out), sorted either way xxpay sorts.
pub fn verify_notify_sign(fields: &[(String, String)], key: &str) -> bool {
    let Some(given) = fields
        .iter()
        .find(|(k, _)| k == "sign")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
    else {
        return false;
    };
    let pairs = || fields.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    [
        string_to_sign(pairs(), key),
        string_to_sign_java_order(pairs(), key),
    ]
    .iter()
    .any(|s| hex_eq_ignore_case(&sign(s), given))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> serde_json::Value {
        let text = include_str!("../../../tests/fixtures/signature-examples.json");
        let all: serde_json::Value = serde_json::from_str(text).unwrap();
        all["examples"]["xxpay"].clone()
    }

    #[test]
    fn signature_examples_json_vector() {
        let ex = fixture();
        let params = ex["params"].as_object().unwrap();
        // Build the request the way the module does, from typed values.
        let fields: Vec<(&str, WireValue)> = params
            .iter()
            .map(|(k, v)| {
                let w = match v {
                    serde_json::Value::String(s) => WireValue::Str(s.clone()),
                    serde_json::Value::Number(n) => WireValue::Int(n.as_i64().unwrap()),
                    serde_json::Value::Bool(b) => WireValue::Bool(*b),
                    other => panic!("unexpected {other}"),
                };
                (k.as_str(), w)
            })
            .collect();
        let signed = sign_request(&fields, ex["secret"].as_str().unwrap());
        assert_eq!(
            signed.string_to_sign,
            ex["string_to_sign"].as_str().unwrap()
        );
        assert_eq!(signed.sign, ex["sign"].as_str().unwrap());
        assert_eq!(signed.sign, "1042D5D2F7EEFB1E50A57F8F1B942226");
    }

    #[test]
    fn hand_worked_pay_request_with_empty_values_booleans_and_specials() {
        let fields = vec![
            ("mchId", WireValue::Int(20001222)),
            (
                "appId",
                WireValue::Str("0ae8be35ff634e2abe94f5f32f6d5c4f".into()),
            ),
            ("productId", WireValue::Int(8000)),
            ("mchOrderNo", WireValue::Str("D20240101001".into())),
            ("currency", WireValue::Str("cny".into())),
            ("amount", WireValue::Int(10050)),
            ("clientIp", WireValue::Str("".into())),
            (
                "notifyUrl",
                WireValue::Str("http://m.example/n?a=1&b=2".into()),
            ),
            ("subject", WireValue::Str("测试 商品\"A\"".into())),
            ("body", WireValue::Str("描述".into())),
            (
                "param1",
                WireValue::Str("HPT00002;张三;6222020200112233445".into()),
            ),
            ("executeNotify", WireValue::Bool(false)),
        ];
        let signed = sign_request(&fields, "k");
        let expected = "amount=10050&appId=0ae8be35ff634e2abe94f5f32f6d5c4f&body=描述&currency=cny&executeNotify=false&mchId=20001222&mchOrderNo=D20240101001&notifyUrl=http://m.example/n?a=1&b=2&param1=HPT00002;张三;6222020200112233445&productId=8000&subject=测试 商品\"A\"&key=k";
        assert_eq!(signed.string_to_sign, expected);
        // Worked out independently (Python hashlib over the UTF-8 text).
        assert_eq!(signed.sign, "DFF744A5505325478D020DAE2DFDE5EE");
        // Exact body: document order, empty clientIp not sent, typed values, sign last.
        assert_eq!(
            signed.params_json,
            format!(
                "{{\"mchId\":20001222,\"appId\":\"0ae8be35ff634e2abe94f5f32f6d5c4f\",\"productId\":8000,\"mchOrderNo\":\"D20240101001\",\"currency\":\"cny\",\"amount\":10050,\"notifyUrl\":\"http://m.example/n?a=1&b=2\",\"subject\":\"测试 商品\\\"A\\\"\",\"body\":\"描述\",\"param1\":\"HPT00002;张三;6222020200112233445\",\"executeNotify\":false,\"sign\":\"{}\"}}",
                signed.sign
            )
        );
    }

    #[test]
    fn fixed_md5_of_a_short_canonical_string() {
        // printf 'a=1&b=2&key=k' | md5sum, upper-cased.
        let s = string_to_sign([("b", "2"), ("sign", "X"), ("a", "1"), ("c", "")], "k");
        assert_eq!(s, "a=1&b=2&key=k");
        assert_eq!(sign(&s), "F8F06AFA2E241A36469B9DAC959B3474");
    }

    fn received(body: &str) -> BTreeMap<String, String> {
        let raw: BTreeMap<String, Box<RawValue>> = serde_json::from_str(body).unwrap();
        raw.iter()
            .filter_map(|(k, v)| received_text(v).map(|t| (k.clone(), t)))
            .collect()
    }

    #[test]
    fn received_values_keep_raw_number_text_and_compact_objects() {
        let v = received(
            r#"{"amount": 100, "paySuccTime":1505049094262, "ok":true, "n":null, "s":"张\u4e09", "payParams": { "payUrl" : "http://x/a b", "k":[1, 2] }}"#,
        );
        assert_eq!(v["amount"], "100");
        assert_eq!(v["paySuccTime"], "1505049094262");
        assert_eq!(v["ok"], "true");
        assert!(!v.contains_key("n"));
        assert_eq!(v["s"], "张三");
        assert_eq!(v["payParams"], r#"{"payUrl":"http://x/a b","k":[1,2]}"#);
    }

    #[test]
    fn reply_sign_over_ret_code_and_msg_without_pay_params() {
        let key = "reply-key";
        let base =
            "payOrderId=P01000020181013115051810&retCode=SUCCESS&retMsg=下单成功&key=reply-key";
        let good = md5_upper(base);
        assert_eq!(good, "1A5202C6ECA03F0DC99FECDB8E6B331C");
        let body = format!(
            r#"{{"payOrderId":"P01000020181013115051810","sign":"{good}","payParams":{{"payUrl":"http://127.0.0.1:3020/api/qrcode/create_qrcode?params=https://qr.alipay.com/bax07593fh9xkcrimmy8203b"}},"retCode":"SUCCESS","retMsg":"下单成功"}}"#
        );
        assert!(verify_reply_sign(&received(&body), key));
        // Lower-case hex is the same digest.
        assert!(verify_reply_sign(
            &received(&body.replace(&good, &good.to_ascii_lowercase())),
            key
        ));
        // Wrong key, tampered value, missing sign: refused.
        assert!(!verify_reply_sign(&received(&body), "other-key"));
        assert!(!verify_reply_sign(
            &received(&body.replace("下单成功", "下单失败")),
            key
        ));
        assert!(!verify_reply_sign(
            &received(&body.replace("P0100", "P0200")),
            key
        ));
        assert!(!verify_reply_sign(
            &received(&body.replace(&format!(r#""sign":"{good}","#), "")),
            key
        ));
    }

    #[test]
    fn reply_sign_including_pay_params_as_compact_json() {
        let key = "k2";
        let pp = r#"{"payUrl":"POST;http://h/p?a=1&b=2"}"#;
        let base = format!("payOrderId=P1&payParams={pp}&retCode=SUCCESS&key=k2");
        let s = md5_upper(&base);
        let body = format!(
            r#"{{"retCode":"SUCCESS","payOrderId":"P1","payParams": {{ "payUrl": "POST;http://h/p?a=1&b=2" }},"sign":"{s}"}}"#
        );
        assert!(verify_reply_sign(&received(&body), key));
        // A changed payUrl breaks this variant.
        assert!(!verify_reply_sign(
            &received(&body.replace("b=2", "b=3")),
            key
        ));
    }

    #[test]
    fn extension_fields_are_signed_and_java_order_is_accepted() {
        // `mchId` vs `mch_x`: ASCII puts `mchId` first ('I' < '_'), the
        // case-insensitive piece order puts it after ('i' > '_').
        let ascii = "mchId=1&mch_x=2&retCode=SUCCESS&key=k";
        let java = "mch_x=2&mchId=1&retCode=SUCCESS&key=k";
        for base in [ascii, java] {
            let body = format!(
                r#"{{"mchId":1,"mch_x":"2","retCode":"SUCCESS","sign":"{}"}}"#,
                md5_upper(base)
            );
            assert!(verify_reply_sign(&received(&body), "k"), "{base}");
        }
        let unsigned_ext = format!(
            r#"{{"mchId":1,"mch_x":"2","retCode":"SUCCESS","sign":"{}"}}"#,
            md5_upper("mchId=1&retCode=SUCCESS&key=k")
        );
        assert!(!verify_reply_sign(&received(&unsigned_ext), "k"));
    }
}
