//! jstpay signing: every parameter but `signature` (empty ones too), sorted by
//! name in byte order, `name=value` joined with `&`, then `&hash_key=<secret>`;
//! MD5, lower-case hex. Requests are built here with their exact JSON types;
//! replies and callbacks are verified here over their values as received.

use super::status::{failure, FailureMeaning};
use super::wire::ReplyFields;
use crate::gateway::GatewayError;
use crate::providers::common::{json_string, WireValue};
use crate::sign::{hex_eq_ignore_case, md5_lower, pairs_then_key, php_urlencode};

/// The parameters jstpay marks urlencode = 是: sent and signed PHP-urlencoded.
pub const URLENCODED: [&str; 5] = [
    "payee_name",
    "payee_bank",
    "payee_branch",
    "payee_province",
    "payee_city",
];

/// The canonical text for `pairs` (a `signature` pair is ignored).
pub fn string_to_sign<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    secret: &str,
) -> String {
    let mut pairs: Vec<(&str, &str)> = pairs
        .into_iter()
        .filter(|(k, _)| *k != "signature")
        .collect();
    // `str` ordering is byte order, which is what the gateway sorts by.
    pairs.sort_unstable();
    pairs_then_key(pairs, "hash_key", secret)
}

pub fn sign<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, secret: &str) -> String {
    md5_lower(&string_to_sign(pairs, secret))
}

/// One request: parameters in the document's order, signed on `body()`.
#[derive(Debug, Clone, Default)]
pub struct Request {
    fields: Vec<(&'static str, WireValue)>,
}

impl Request {
    pub fn new(merchant_id: &str) -> Self {
        Request::default().text("merchant_ID", merchant_id)
    }

    /// A String parameter sent as is.
    pub fn text(mut self, name: &'static str, value: &str) -> Self {
        self.push(name, WireValue::Str(value.to_string()));
        self
    }

    /// A String parameter marked urlencode: PHP-urlencoded before signing and sending.
    pub fn encoded(mut self, name: &'static str, value: &str) -> Self {
        debug_assert!(
            URLENCODED.contains(&name),
            "{name} is not an urlencoded parameter"
        );
        self.push(name, WireValue::Str(php_urlencode(value)));
        self
    }

    /// An Int parameter: a JSON integer, signed in plain decimal.
    pub fn int(mut self, name: &'static str, value: i64) -> Self {
        self.push(name, WireValue::Int(value));
        self
    }

    fn push(&mut self, name: &'static str, value: WireValue) {
        debug_assert!(
            self.fields.iter().all(|(k, _)| *k != name),
            "{name} given twice"
        );
        self.fields.push((name, value));
    }

    pub fn string_to_sign(&self, secret: &str) -> String {
        let texts: Vec<(&str, String)> = self
            .fields
            .iter()
            .map(|(k, v)| (*k, v.sign_text()))
            .collect();
        string_to_sign(texts.iter().map(|(k, v)| (*k, v.as_str())), secret)
    }

    pub fn signature(&self, secret: &str) -> String {
        md5_lower(&self.string_to_sign(secret))
    }

    /// The exact JSON body: the parameters, then `signature`.
    pub fn body(&self, secret: &str) -> String {
        let mut out = String::from("{");
        for (k, v) in &self.fields {
            out.push_str(&json_string(k));
            out.push(':');
            out.push_str(&v.json());
            out.push(',');
        }
        out.push_str("\"signature\":");
        out.push_str(&json_string(&self.signature(secret)));
        out.push('}');
        out
    }
}

/// Reply verification: a reply is trusted only when its `signature` matches
/// every other member as received.
impl ReplyFields {
    pub fn string_to_sign(&self, secret: &str) -> String {
        string_to_sign(self.pairs(), secret)
    }

    /// True when `signature` is present and matches every other member.
    pub fn signature_ok(&self, secret: &str) -> bool {
        match self.non_empty("signature") {
            Some(got) => hex_eq_ignore_case(got, &md5_lower(&self.string_to_sign(secret))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::common::WireValue;
    use serde_json::Value;

    const FIXTURE: &str = include_str!("../../../tests/fixtures/signature-examples.json");

    fn payout_request(src: &Value, merchant: &str) -> Request {
        Request::new(merchant)
            .encoded("payee_name", src["payee_name"].as_str().unwrap())
            .encoded("payee_bank", src["payee_bank"].as_str().unwrap())
            .encoded("payee_branch", src["payee_branch"].as_str().unwrap())
            .text("payee_number", "6222020200112233445")
            .int("payee_amount", 100)
            .encoded("payee_province", src["payee_province"].as_str().unwrap())
            .encoded("payee_city", src["payee_city"].as_str().unwrap())
            .text("client_order_id", "PO20240101001")
            .text("callback_uri", "")
    }

    #[test]
    fn worked_example_from_fixture() {
        let all: Value = serde_json::from_str(FIXTURE).unwrap();
        let ex = &all["examples"]["jstpay"];
        let secret = ex["secret"].as_str().unwrap();
        // The encoded values we produce equal the fixture's params.
        let req = payout_request(
            &ex["urlencode_source"],
            ex["params"]["merchant_ID"].as_str().unwrap(),
        );
        for (k, v) in &req.fields {
            let expected = &ex["params"][*k];
            match v {
                WireValue::Str(s) => assert_eq!(Some(s.as_str()), expected.as_str(), "{k}"),
                WireValue::Int(n) => assert_eq!(Some(*n), expected.as_i64(), "{k}"),
                WireValue::Bool(_) => panic!("{k}: jstpay sends no booleans"),
            }
        }
        assert_eq!(req.fields.len(), ex["params"].as_object().unwrap().len());
        assert_eq!(
            req.string_to_sign(secret),
            ex["string_to_sign"].as_str().unwrap()
        );
        assert_eq!(req.signature(secret), ex["sign"].as_str().unwrap());
        assert_eq!(req.signature(secret), "ce67c45037f6a8e3233a7236d9faf22a");
    }

    #[test]
    fn body_has_exact_types_and_signature_last() {
        let req = Request::new("JST001")
            .int("payee_amount", 100)
            .text("pay_mode", "bank")
            .text("sender_name", "李四");
        let body = req.body("k");
        assert_eq!(
            body,
            format!(
                "{{\"merchant_ID\":\"JST001\",\"payee_amount\":100,\"pay_mode\":\"bank\",\"sender_name\":\"李四\",\"signature\":\"{}\"}}",
                md5_lower("merchant_ID=JST001&pay_mode=bank&payee_amount=100&sender_name=李四&hash_key=k")
            )
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["payee_amount"].is_u64());
    }

    #[test]
    fn hand_worked_vectors() {
        // Byte order: upper-case `ID` sorts before lower case; `_` (0x5F) sorts
        // before lower-case letters, so `pay_mode` comes before `payee_amount`.
        let s = string_to_sign(
            [
                ("payee_amount", "5"),
                ("pay_mode", "weixin"),
                ("merchant_ID", "M"),
                ("fund_id", ""),
            ],
            "s",
        );
        assert_eq!(
            s,
            "fund_id=&merchant_ID=M&pay_mode=weixin&payee_amount=5&hash_key=s"
        );
        // md5("a=1&hash_key=x"), worked out independently.
        assert_eq!(
            sign([("a", "1"), ("signature", "ignored")], "x"),
            md5_lower("a=1&hash_key=x")
        );
        assert_eq!(
            md5_lower("a=1&hash_key=x"),
            "f0a5cb832c4a2dffbbaf93106e6b8b60"
        );
        // Special characters in urlencoded fields: `~` and `*` are escaped, space is `+`.
        let req = Request::new("M").encoded("payee_name", "A~B* C+D");
        assert_eq!(
            req.string_to_sign("s"),
            "merchant_ID=M&payee_name=A%7EB%2A+C%2BD&hash_key=s"
        );
        // An unencoded field (create2card sender_name) is signed raw.
        let req = Request::new("M").text("sender_name", "王 五&");
        assert_eq!(
            req.string_to_sign("s"),
            "merchant_ID=M&sender_name=王 五&&hash_key=s"
        );
    }

    mod replies {
        use super::super::*;
        use crate::sign::md5_lower;

        const KEY: &str = "sandbox-jstpay-hash-key";

        fn signed(members: &str, string_to_sign: &str) -> String {
            format!(
                "{{{members},\"signature\":\"{}\"}}",
                md5_lower(string_to_sign)
            )
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
            let Err(GatewayError::Rejected { code, message }) =
                r.accept(KEY, FailureMeaning::Refusal)
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
                let GatewayError::Rejected { message, .. } =
                    failure(c, "", FailureMeaning::Refusal)
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
}
