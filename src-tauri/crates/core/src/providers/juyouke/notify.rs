//! juyouke payment callback: the raw body is one JSON object in the reply's
//! shape, `{"result_response":{...},"sign":"<md5>"}` (no `Authorization`
//! header; the content type is not relied on). The sign covers
//! `result_response` as received, by the reply rule. `total_amount` is fen here.

use super::status::JuyoukeStatus;
use super::wire::{read_envelope, RESULT_OK};
use crate::domain::OrderKind;
use crate::gateway::{GatewayError, InboundNotify, NotifySpec, VerifiedNotify};
use crate::providers::common::{check_sizes, notify_body, required_field_in, some_text, whole_fen};
use crate::secret::Secret;

/// How the trait reads these callbacks, and the acknowledgement body.
pub const SPEC: NotifySpec = NotifySpec::new(parse, "success");

pub fn parse(secret: &Secret, req: &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError> {
    let body = notify_body(req)?;
    let env = read_envelope(body).map_err(GatewayError::malformed)?;
    let obj = &env.object;
    check_sizes(obj.values.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    if !env.sign_ok(secret) {
        return Err(GatewayError::BadSignature);
    }
    let text = |k: &str| some_text(obj.get(k));
    let mut n = VerifiedNotify::new(
        OrderKind::Deposit,
        required_field_in(obj.get("out_trade_no"), "out_trade_no")?,
    );
    n.merchant_id = text("app_id");
    n.provider_order_id = text("trade_no");
    n.amount_fen = Some(whole_fen(
        "total_amount",
        required_field_in(obj.get("total_amount"), "total_amount")?,
    )?);
    n.provider_message = text("return_msg");
    // A failed call, or no trade_status: the callback moves nothing.
    if obj.get("result_code") == Some(RESULT_OK) {
        if let Some(code) = text("trade_status") {
            let s = JuyoukeStatus::from_code(OrderKind::Deposit, &code);
            n.status = s.is_final().then(|| s.into());
            n.provider_status = Some(code);
        }
    } else {
        n.provider_status = text("result_code");
    }
    n.fields = obj.values.clone();
    n.fields.insert("sign".into(), env.sign.clone());
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderStatus;
    use crate::providers::test_support::{inbound, pairs};
    use crate::sign::md5_lower;

    const KEY: &str = "juyouke-notify-Key";

    /// `result_response` written as given (keys in any order, values as JSON
    /// texts), signed by the reply rule: sorted compact JSON, lower-cased, key.
    fn signed(members: &[(&str, &str)], key: &str) -> String {
        let mut sorted = members.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let canonical = format!(
            "{{{}}}",
            sorted
                .iter()
                .map(|(k, v)| format!("\"{k}\":{v}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let sign = md5_lower(&format!("{}{key}", canonical.to_lowercase()));
        let shown = members
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{{\"result_response\": {{{shown}}}, \"sign\": \"{sign}\"}}")
    }

    fn members(status: &str, amount: &str) -> Vec<(&'static str, String)> {
        vec![
            ("result_code", "\"10000\"".into()),
            ("return_msg", "\"支付成功\"".into()),
            ("app_id", "\"JYK_APP_001\"".into()),
            ("out_trade_no", "\"PDD1\"".into()),
            ("pay_date", "\"1539157623\"".into()),
            ("paytype", "\"1\"".into()),
            ("total_amount", amount.into()),
            ("trade_no", "\"JYK2024\"".into()),
            ("trade_status", format!("\"{status}\"")),
        ]
    }

    fn body(m: &[(&'static str, String)], key: &str) -> String {
        signed(&pairs(m), key)
    }

    fn parse_body(b: &str) -> Result<VerifiedNotify, GatewayError> {
        parse(&Secret::new(KEY), &inbound("POST", "", None, b))
    }

    #[test]
    fn a_signed_callback_verifies_and_reads_fen() {
        let n = parse_body(&body(&members("TRADE_SUCCESS", "\"10050\""), KEY)).unwrap();
        assert_eq!(n.kind, OrderKind::Deposit);
        assert_eq!(n.order_no, "PDD1");
        assert_eq!(n.merchant_id.as_deref(), Some("JYK_APP_001"));
        assert_eq!(n.provider_order_id.as_deref(), Some("JYK2024"));
        assert_eq!(n.amount_fen, Some(10050));
        assert_eq!(n.status, Some(OrderStatus::Succeeded));
        assert_eq!(n.provider_status.as_deref(), Some("TRADE_SUCCESS"));
        assert_eq!(n.fields["pay_date"], "1539157623");
        for (code, st) in [
            ("TRADE_FINISHED", Some(OrderStatus::Succeeded)),
            ("TRADE_FAIL", Some(OrderStatus::Failed)),
            ("TRADE_CLOSED", Some(OrderStatus::Failed)),
            ("REFUNDED", Some(OrderStatus::Failed)),
            ("WAIT_BUYER_PAY", None),
            ("CANCEL_INPROGRESS", None),
            ("NEW_CODE", None),
        ] {
            let n = parse_body(&body(&members(code, "\"100\""), KEY)).unwrap();
            assert_eq!(n.status, st, "{code}");
        }
        // No trade_status: verified, but moves nothing.
        let mut m = members("x", "\"100\"");
        m.retain(|(k, _)| *k != "trade_status");
        assert_eq!(parse_body(&body(&m, KEY)).unwrap().status, None);
        // A result_code other than 10000 moves nothing either.
        let mut m = members("TRADE_SUCCESS", "\"100\"");
        m[0].1 = "\"40004\"".into();
        assert_eq!(parse_body(&body(&m, KEY)).unwrap().status, None);
        assert_eq!(SPEC.ack, "success");
    }

    #[test]
    fn one_changed_byte_or_another_key_fails() {
        let b = body(&members("TRADE_SUCCESS", "\"10050\""), KEY);
        assert_eq!(
            parse_body(&b.replace("10050", "10051")),
            Err(GatewayError::BadSignature)
        );
        assert_eq!(
            parse_body(&body(&members("TRADE_SUCCESS", "\"10050\""), "other")),
            Err(GatewayError::BadSignature)
        );
        // The key keeps its case: a lower-cased key is another key.
        assert_eq!(
            parse_body(&body(
                &members("TRADE_SUCCESS", "\"10050\""),
                &KEY.to_lowercase()
            )),
            Err(GatewayError::BadSignature)
        );
        let i = b.rfind("\"sign\": \"").unwrap() + 9;
        let upper = format!("{}{}", &b[..i], b[i..].to_ascii_uppercase());
        assert!(parse_body(&upper).is_ok());
    }

    #[test]
    fn number_texts_are_signed_as_received() {
        // A number (not the documented string) is signed as its exact text.
        for text in ["100", "100.00", "100.50"] {
            let b = body(&members("TRADE_SUCCESS", text), KEY);
            let n = parse_body(&b);
            for other in ["100", "100.00", "100.50"].iter().filter(|o| **o != text) {
                let swapped = b.replace(&format!(": {text},"), &format!(": {other},"));
                assert_eq!(
                    parse_body(&swapped),
                    Err(GatewayError::BadSignature),
                    "{text}"
                );
            }
            // Fen are whole: only `100` reads as an amount.
            assert_eq!(n.is_ok(), text == "100", "{text}");
        }
    }

    #[test]
    fn unreadable_callbacks_are_malformed() {
        for bad in [
            "",
            "success",
            "{}",
            "{\"result_response\": 5, \"sign\": \"x\"}",
            "{\"result_response\": {\"a\": \"\\ud800\"}, \"sign\": \"x\"}",
        ] {
            assert!(
                matches!(parse_body(bad), Err(GatewayError::Malformed(_))),
                "{bad}"
            );
        }
        let mut huge = members("TRADE_SUCCESS", "\"100\"");
        huge[1].1 = format!("\"{}\"", "x".repeat(5000));
        assert!(matches!(
            parse_body(&body(&huge, KEY)),
            Err(GatewayError::Malformed(_))
        ));
        let mut no_no = members("TRADE_SUCCESS", "\"100\"");
        no_no.retain(|(k, _)| *k != "out_trade_no");
        assert!(matches!(
            parse_body(&body(&no_no, KEY)),
            Err(GatewayError::Malformed(_))
        ));
    }
}
