//! jstpay on the wire: endpoints, and replies read as received (each value's
//! raw JSON text kept, so the signature can be checked over exactly it).

use crate::domain::OrderStatus;
use crate::gateway::{Arrival, GatewayError, Reply};
use crate::money;
use crate::providers::common::json_string;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

pub const PAY_CREATE: &str = "/api/pay/create";
pub const PAY_QUERY: &str = "/api/pay/query";
pub const PAY_BALANCE: &str = "/api/pay/balance";
pub const DEPOSIT_CREATE: &str = "/api/deposit/create";
pub const DEPOSIT_CREATE2CARD: &str = "/api/deposit/create2card";
pub const DEPOSIT_QUERY: &str = "/api/deposit/query";
pub const DEPOSIT_DETAIL: &str = "/api/deposit/detail";

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
                out.push_str(&json_string(k));
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
            out.push_str(&json_string(&s));
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

    /// Every member as (name, signed text), in name order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(k, m)| (k.as_str(), m.text.as_str()))
    }

    /// A common reply's order number, gateway id and message.
    pub fn base_reply(&self, status: OrderStatus) -> Reply {
        let mut reply = Reply::new(status);
        reply.order_no = self.non_empty("client_order_id").map(String::from);
        reply.provider_order_id = self.non_empty("order_id").map(String::from);
        reply.provider_message = self.non_empty("msg").map(String::from);
        reply
    }

    /// A yuan amount as received: an integer of yuan (decimals tolerated).
    pub fn amount_fen(&self, name: &str) -> Result<Option<i64>, GatewayError> {
        match self.non_empty(name) {
            None => Ok(None),
            Some(t) => money::parse_reply_yuan(t)
                .map(Some)
                .ok_or_else(|| GatewayError::malformed(format!("{name} `{t}`"))),
        }
    }
}

/// A Unix-seconds text shown in UTC+8; any other text is kept as given.
fn display_time(t: &str) -> String {
    let t = t.trim();
    if !t.is_empty() && t.len() <= 11 && t.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(people) = t.parse::<i64>().ok().and_then(crate::time::try_format_secs) {
            return people;
        }
    }
    t.to_string()
}

/// The verified `data` of a deposit/detail reply; urlencoded names decoded
/// only now, after verification.
pub fn parse_arrivals(r: &ReplyFields) -> Result<Vec<Arrival>, GatewayError> {
    let Some(raw) = r.raw("data") else {
        return Ok(Vec::new());
    };
    let t = raw.get().trim();
    if t == "\"\"" || t == "null" {
        return Ok(Vec::new());
    }
    let items: Vec<BTreeMap<String, Box<serde_json::value::RawValue>>> =
        serde_json::from_str(t).map_err(|e| GatewayError::malformed(format!("data: {e}")))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let text = |n: &str| -> Result<String, GatewayError> {
            match item.get(n) {
                Some(v) => sign_text(v).map_err(GatewayError::malformed),
                None => Ok(String::new()),
            }
        };
        let amount = text("amount")?;
        let amount_fen = money::parse_reply_yuan(&amount)
            .ok_or_else(|| GatewayError::malformed(format!("amount `{amount}`")))?;
        out.push(Arrival {
            serial: text("serial")?,
            time: display_time(&text("time")?),
            deposit_time: display_time(&text("deposit_time")?),
            card_tail: text("card_num")?,
            amount_fen,
            bank: crate::sign::form_urldecode(&text("bank")?),
            sender_name: crate::sign::form_urldecode(&text("sender_name")?),
            nonce: text("nonce")?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn arrivals_decoded_after_verification() {
        let key = "k";
        let data = "[{\"amount\":\"100.37\",\"bank\":\"%E4%B8%AD%E5%9B%BD%E9%93%B6%E8%A1%8C\",\"card_num\":\"1234\",\"deposit_time\":\"1704067200\",\"nonce\":\"A1\",\"sender_name\":\"%E6%9D%8E+%E5%9B%9B\",\"serial\":\"S1\",\"time\":\"2024-01-01 08:00:00\"}]";
        let sts = format!("data={data}&msg=success&status=1&hash_key={key}");
        let body = format!(
            "{{\"status\":1,\"msg\":\"success\",\"data\":{data},\"signature\":\"{}\"}}",
            crate::sign::md5_lower(&sts)
        );
        let r = ReplyFields::parse(&body).unwrap();
        r.accept(key, super::super::status::FailureMeaning::Refusal)
            .unwrap();
        let a = parse_arrivals(&r).unwrap();
        assert_eq!(
            a,
            vec![Arrival {
                serial: "S1".into(),
                time: "2024-01-01 08:00:00".into(),
                deposit_time: "2024-01-01 08:00:00".into(),
                card_tail: "1234".into(),
                amount_fen: 10037,
                bank: "中国银行".into(),
                sender_name: "李 四".into(),
                nonce: "A1".into(),
            }]
        );
    }
}
