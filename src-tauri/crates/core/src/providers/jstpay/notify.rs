//! jstpay callbacks: one JSON `POST` to the order's `callback_uri`, told apart
//! by `type` and `action` (payout receive check / completed / reject, deposit
//! completed). Signed like a request: every field but `signature` (empty ones
//! too) in byte order, over each value as received (the urlencoded payee
//! fields still encoded, an integer as its digits, a string as its text).

use super::status::NotifyAction;
use super::wire::ReplyFields;
use crate::form::ids;
use crate::gateway::{GatewayError, InboundNotify, NotifySpec, VerifiedNotify};
use crate::providers::common::{
    check_sizes, form_decode, notify_body, required_field_in, some_text, yuan_fen,
};
use crate::secret::Secret;

/// How the trait reads these callbacks, and the acknowledgement body.
pub const SPEC: NotifySpec = NotifySpec::new(parse, "1|OKAY");

/// Payout callback fields sent urlencoded, and the payout-form field each names.
const PAYEE_FIELDS: [(&str, &str, bool); 6] = [
    ("payee_name", ids::PAYEE_NAME, true),
    ("payee_bank", ids::BANK_NAME, true),
    ("payee_branch", ids::BRANCH, true),
    ("payee_number", ids::ACCOUNT_NO, false),
    ("payee_province", ids::PROVINCE, true),
    ("payee_city", ids::CITY, true),
];

pub fn parse(secret: &Secret, req: &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError> {
    let body = notify_body(req)?;
    let r = ReplyFields::parse(body)?;
    check_sizes(r.pairs())?;
    if !r.signature_ok(secret.expose()) {
        return Err(GatewayError::BadSignature);
    }
    let get = |name: &str| required_field_in(r.get(name), name);
    let kind = get("type")?;
    let action = get("action")?;
    let a = NotifyAction::from_wire(kind, action).ok_or_else(|| {
        GatewayError::malformed(format!(
            "unknown callback `{}` / `{}`",
            short(kind),
            short(action)
        ))
    })?;
    let mut n = VerifiedNotify::new(a.kind(), get("client_order_id")?);
    n.merchant_id = some_text(r.get("merchant_ID"));
    n.provider_order_id = some_text(r.get("order_id"));
    n.status = a.into();
    n.receive_check = a == NotifyAction::PayoutReceive;
    n.provider_status = Some(format!("{kind}/{action}"));
    let amount = yuan_fen("payee_amount", get("payee_amount")?)?;
    match r.get("act_amount").filter(|t| !t.is_empty()) {
        // The gateway changed the amount: `act_amount` is what was submitted
        // (the order's), `payee_amount` what was credited.
        Some(submitted) if a == NotifyAction::DepositCompleted => {
            n.amount_fen = Some(yuan_fen("act_amount", submitted)?);
            n.credited_fen = Some(amount);
        }
        _ => n.amount_fen = Some(amount),
    }
    if a.kind() == crate::OrderKind::Payout {
        for (wire, id, encoded) in PAYEE_FIELDS {
            if let Some(v) = r.get(wire) {
                let v = if encoded {
                    form_decode(v)?
                } else {
                    v.to_string()
                };
                n.payee.insert(id.to_string(), v);
            }
        }
    }
    n.fields = r
        .pairs()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok(n)
}

fn short(t: &str) -> String {
    t.chars().take(16).filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::super::sign;
    use super::*;
    use crate::domain::{OrderKind, OrderStatus};
    use crate::providers::test_support::{inbound, pairs};
    use crate::sign::php_urlencode;

    const KEY: &str = "jst-notify-key";

    /// A callback body signed by the document's rule: `members` are (name, JSON
    /// text); strings are signed as their content, numbers as their digits.
    fn signed(members: &[(&str, &str)], key: &str) -> String {
        let texts: Vec<(String, String)> = members
            .iter()
            .map(|(k, v)| {
                let t = serde_json::from_str::<String>(v).unwrap_or_else(|_| v.to_string());
                (k.to_string(), t)
            })
            .collect();
        let sig = sign::sign(texts.iter().map(|(k, v)| (k.as_str(), v.as_str())), key);
        let mut body = String::from("{");
        for (k, v) in members {
            body.push_str(&format!("\"{k}\":{v},"));
        }
        body.push_str(&format!("\"signature\":\"{sig}\"}}"));
        body
    }

    fn q(s: &str) -> String {
        format!("\"{s}\"")
    }

    fn payout(action: &str) -> Vec<(&'static str, String)> {
        vec![
            ("type", q("pay")),
            ("action", q(action)),
            ("merchant_ID", q("JST001")),
            ("payee_name", q(&php_urlencode("张 三"))),
            ("payee_bank", q(&php_urlencode("中国工商银行"))),
            ("payee_branch", q(&php_urlencode("上海分行(浦东)~支行"))),
            ("payee_number", q("6222020200112233445")),
            ("payee_amount", "100".into()),
            ("payee_province", q(&php_urlencode("上海市"))),
            ("payee_city", q("Shanghai")),
            ("client_order_id", q("PO20240101001")),
            ("order_id", q("JO9")),
        ]
    }

    fn body_of(m: &[(&'static str, String)], key: &str) -> String {
        signed(&pairs(m), key)
    }

    fn post(body: &str) -> InboundNotify<'_> {
        inbound("POST", "", Some("application/json"), body)
    }

    fn parse_body(body: &str) -> Result<VerifiedNotify, GatewayError> {
        parse(&Secret::new(KEY), &post(body))
    }

    #[test]
    fn payout_callbacks_verify_and_decode_the_payee() {
        let n = parse_body(&body_of(&payout("completed"), KEY)).unwrap();
        assert_eq!(n.kind, OrderKind::Payout);
        assert_eq!(n.order_no, "PO20240101001");
        assert_eq!(n.merchant_id.as_deref(), Some("JST001"));
        assert_eq!(n.provider_order_id.as_deref(), Some("JO9"));
        assert_eq!(n.amount_fen, Some(10000));
        assert_eq!(n.credited_fen, None);
        assert_eq!(n.status, Some(OrderStatus::Succeeded));
        assert!(!n.receive_check);
        assert_eq!(n.payee[ids::PAYEE_NAME], "张 三");
        assert_eq!(n.payee[ids::BRANCH], "上海分行(浦东)~支行");
        assert_eq!(n.payee[ids::ACCOUNT_NO], "6222020200112233445");
        assert_eq!(n.payee[ids::CITY], "Shanghai");
        // The event record keeps the values as received (still encoded).
        assert_eq!(n.fields["payee_name"], "%E5%BC%A0+%E4%B8%89");

        let r = parse_body(&body_of(&payout("reject"), KEY)).unwrap();
        assert_eq!(r.status, Some(OrderStatus::Failed));
        let c = parse_body(&body_of(&payout("receive"), KEY)).unwrap();
        assert!(c.receive_check);
        assert_eq!(c.status, None);
        assert_eq!(SPEC.ack, "1|OKAY");
    }

    #[test]
    fn one_changed_byte_or_another_key_fails() {
        let body = body_of(&payout("completed"), KEY);
        let tampered = body.replace("6222020200112233445", "6222020200112233446");
        assert_eq!(parse_body(&tampered), Err(GatewayError::BadSignature));
        assert_eq!(
            parse(&Secret::new("other"), &post(&body)),
            Err(GatewayError::BadSignature)
        );
        // The decoded text in place of the encoded one is another text.
        let decoded = body.replace("%E5%BC%A0+%E4%B8%89", "张 三");
        assert_eq!(parse_body(&decoded), Err(GatewayError::BadSignature));
        let unsigned = body.replace("\"signature\":", "\"sig\":");
        assert_eq!(parse_body(&unsigned), Err(GatewayError::BadSignature));
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        let body = body_of(&payout("completed"), KEY);
        let i = body.rfind("\"signature\":\"").unwrap() + 13;
        let upper = format!("{}{}", &body[..i], body[i..].to_ascii_uppercase());
        assert!(parse_body(&upper).is_ok());
    }

    #[test]
    fn deposit_amount_texts_are_signed_as_received() {
        let dep = |amount: &str, act: Option<&str>| {
            let mut m = vec![
                ("type", q("deposit")),
                ("action", q("completed")),
                ("merchant_ID", q("JST001")),
                ("payee_amount", q(amount)),
                ("client_order_id", q("PD1")),
                ("pay_mode", q("bank")),
                ("order_id", q("JD1")),
            ];
            if let Some(a) = act {
                m.push(("act_amount", q(a)));
            }
            m
        };
        for (text, fen) in [("100", 10000), ("100.00", 10000), ("100.50", 10050)] {
            let body = body_of(&dep(text, None), KEY);
            let n = parse_body(&body).unwrap();
            assert_eq!((n.kind, n.amount_fen), (OrderKind::Deposit, Some(fen)));
            assert_eq!(n.status, Some(OrderStatus::Succeeded));
            // Each text is its own signature: swapping one for another fails.
            for other in ["100", "100.00", "100.50"].iter().filter(|o| **o != text) {
                let swapped = body.replace(&format!("\"{text}\""), &format!("\"{other}\""));
                assert_eq!(
                    parse_body(&swapped),
                    Err(GatewayError::BadSignature),
                    "{text}->{other}"
                );
            }
        }
        // Changed amount: matched on what was submitted, credited kept beside it.
        let n = parse_body(&body_of(&dep("180.00", Some("200.00")), KEY)).unwrap();
        assert_eq!((n.amount_fen, n.credited_fen), (Some(20000), Some(18000)));
        // A present but empty act_amount is signed and means "not changed".
        let n = parse_body(&body_of(&dep("200.00", Some("")), KEY)).unwrap();
        assert_eq!((n.amount_fen, n.credited_fen), (Some(20000), None));
        assert_eq!(n.fields.get("act_amount").map(String::as_str), Some(""));
    }

    #[test]
    fn unreadable_callbacks_are_malformed() {
        let mal = |body: &str| matches!(parse_body(body), Err(GatewayError::Malformed(_)));
        assert!(mal("not json"));
        assert!(mal("[1]"));
        assert!(mal(""));
        let mut bad_type = payout("completed");
        bad_type[1].1 = q("rejected");
        assert!(mal(&body_of(&bad_type, KEY)));
        let mut bad_enc = payout("completed");
        bad_enc[3].1 = q("%E5%BC");
        assert!(mal(&body_of(&bad_enc, KEY)));
        let mut bad_amount = payout("completed");
        bad_amount[7].1 = "1e2".into();
        assert!(mal(&body_of(&bad_amount, KEY)));
        let mut huge = payout("completed");
        huge[6].1 = q(&"9".repeat(5000));
        assert!(mal(&body_of(&huge, KEY)));
        let dup = body_of(&payout("completed"), KEY).replacen("{", "{\"order_id\":\"X\",", 1);
        assert!(mal(&dup));
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(70 * 1024));
        assert!(mal(&big));
        let not_utf8 = InboundNotify {
            body: b"{\"a\":\"\xff\"}",
            ..post("")
        };
        assert!(matches!(
            parse(&Secret::new(KEY), &not_utf8),
            Err(GatewayError::Malformed(_))
        ));
    }
}
