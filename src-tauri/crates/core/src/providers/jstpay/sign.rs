//! jstpay signing: every parameter but `signature` (empty ones too), sorted by
//! name in byte order, `name=value` joined with `&`, then `&hash_key=<secret>`;
//! MD5, lower-case hex. Requests are built here with their exact JSON types.

use crate::sign::{md5_lower, php_urlencode};

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
    let mut out = String::new();
    for (k, v) in pairs {
        out.push_str(k);
        out.push('=');
        out.push_str(v);
        out.push('&');
    }
    out.push_str("hash_key=");
    out.push_str(secret);
    out
}

pub fn sign<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, secret: &str) -> String {
    md5_lower(&string_to_sign(pairs, secret))
}

/// A request parameter with its JSON type from the document's type column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireValue {
    Str(String),
    Int(i64),
}

impl WireValue {
    fn sign_text(&self) -> String {
        match self {
            WireValue::Str(s) => s.clone(),
            WireValue::Int(n) => n.to_string(),
        }
    }

    fn json(&self) -> String {
        match self {
            WireValue::Str(s) => json_string(s),
            WireValue::Int(n) => n.to_string(),
        }
    }
}

/// A JSON string literal; non-ASCII stays as is.
pub fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
