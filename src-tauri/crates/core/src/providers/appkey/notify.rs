//! AppKey callbacks: a form-encoded `POST` to `callbackUrl`, sent only on
//! success (so neither has a status field). The deposit callback carries
//! `channel` and `originAmount`; the payout callback does not. Each is signed
//! over its fields in a fixed order, amounts as the two-decimal texts received.

use super::sign::{deposit_notify_string_to_sign, payout_notify_string_to_sign};
use crate::domain::{OrderKind, OrderStatus};
use crate::gateway::{GatewayError, InboundNotify, NotifySpec, VerifiedNotify};
use crate::providers::common::{field, field_map, notify_body_fields, required_field, yuan_fen};
use crate::secret::Secret;
use crate::sign::{hex_eq_ignore_case, md5_lower};

/// How the trait reads these callbacks, and the acknowledgement body.
pub const SPEC: NotifySpec = NotifySpec::new(parse, "success");

pub fn parse(secret: &Secret, req: &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError> {
    let fields = notify_body_fields(req)?;
    let get = |name: &str| required_field(&fields, name);
    let deposit = field(&fields, "channel").is_some() && field(&fields, "originAmount").is_some();
    let (amount, app_key, mrn) = (get("amount")?, get("appKey")?, get("mrn")?);
    let expected = if deposit {
        deposit_notify_string_to_sign(
            amount,
            app_key,
            get("channel")?,
            mrn,
            get("originAmount")?,
            secret.expose(),
        )
    } else {
        payout_notify_string_to_sign(amount, app_key, mrn, secret.expose())
    };
    let given = field(&fields, "sign").unwrap_or("");
    if given.is_empty() || !hex_eq_ignore_case(given.trim(), &md5_lower(&expected)) {
        return Err(GatewayError::BadSignature);
    }
    let paid = yuan_fen("amount", amount)?;
    let mut n = if deposit {
        let mut n = VerifiedNotify::new(OrderKind::Deposit, mrn);
        // Matched on what was submitted; what the customer paid is kept when it differs.
        let origin = yuan_fen("originAmount", get("originAmount")?)?;
        n.amount_fen = Some(origin);
        n.credited_fen = (paid != origin).then_some(paid);
        n
    } else {
        let mut n = VerifiedNotify::new(OrderKind::Payout, mrn);
        n.amount_fen = Some(paid);
        n
    };
    n.merchant_id = Some(app_key.to_string());
    // Sent only on success.
    n.status = Some(OrderStatus::Succeeded);
    n.fields = field_map(&fields);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::test_support::inbound;

    const KEY: &str = "appkey-notify-key";

    fn deposit_form(amount: &str, origin: &str, key: &str) -> String {
        let s = md5_lower(&format!(
            "amount={amount}&appKey=AK001&channel=2&mrn=PDD7&originAmount={origin}&key={key}"
        ));
        format!("amount={amount}&appKey=AK001&channel=2&mrn=PDD7&originAmount={origin}&sign={s}")
    }

    fn payout_form(amount: &str, key: &str) -> String {
        let s = md5_lower(&format!("amount={amount}&appKey=AK001&mrn=PDP7&key={key}"));
        format!("mrn=PDP7&sign={s}&amount={amount}&appKey=AK001")
    }

    fn parse_body(query: &str, body: &str) -> Result<VerifiedNotify, GatewayError> {
        let form = Some("application/x-www-form-urlencoded");
        parse(&Secret::new(KEY), &inbound("POST", query, form, body))
    }

    #[test]
    fn deposit_and_payout_callbacks_verify_and_read() {
        let n = parse_body("", &deposit_form("100.50", "100.50", KEY)).unwrap();
        assert_eq!(n.kind, OrderKind::Deposit);
        assert_eq!(n.order_no, "PDD7");
        assert_eq!(n.merchant_id.as_deref(), Some("AK001"));
        assert_eq!((n.amount_fen, n.credited_fen), (Some(10050), None));
        assert_eq!(n.status, Some(OrderStatus::Succeeded));
        assert_eq!(n.fields["channel"], "2");
        // Paid differs from submitted: matched on submitted, paid kept.
        let n = parse_body("", &deposit_form("99.00", "100.00", KEY)).unwrap();
        assert_eq!((n.amount_fen, n.credited_fen), (Some(10000), Some(9900)));

        let p = parse_body("", &payout_form("500.00", KEY)).unwrap();
        assert_eq!(p.kind, OrderKind::Payout);
        assert_eq!(p.order_no, "PDP7");
        assert_eq!(p.amount_fen, Some(50000));
        assert_eq!(p.status, Some(OrderStatus::Succeeded));
        assert_eq!(SPEC.ack, "success");
    }

    #[test]
    fn amount_texts_are_signed_as_received() {
        for (text, fen) in [("100", 10000), ("100.00", 10000), ("100.50", 10050)] {
            let body = payout_form(text, KEY);
            assert_eq!(parse_body("", &body).unwrap().amount_fen, Some(fen));
            for other in ["100", "100.00", "100.50"].iter().filter(|o| **o != text) {
                let swapped = body.replace(&format!("amount={text}&"), &format!("amount={other}&"));
                assert_eq!(
                    parse_body("", &swapped),
                    Err(GatewayError::BadSignature),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn one_changed_byte_or_another_key_fails() {
        let body = deposit_form("100.00", "100.00", KEY);
        assert_eq!(
            parse_body("", &body.replace("mrn=PDD7", "mrn=PDD8")),
            Err(GatewayError::BadSignature)
        );
        assert_eq!(
            parse_body("", &deposit_form("100.00", "100.00", "other")),
            Err(GatewayError::BadSignature)
        );
        // Dropping the deposit fields turns it into a payout, whose sign differs.
        let as_payout = body
            .replace("channel=2&", "")
            .replace("originAmount=100.00&", "");
        assert_eq!(parse_body("", &as_payout), Err(GatewayError::BadSignature));
        let i = body.rfind("&sign=").unwrap() + 6;
        let upper = format!("{}{}", &body[..i], body[i..].to_ascii_uppercase());
        assert!(parse_body("", &upper).is_ok());
    }

    #[test]
    fn fields_come_from_the_body_only() {
        let signed = payout_form("100.00", KEY);
        assert!(matches!(
            parse_body(&signed, ""),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn unreadable_callbacks_are_malformed() {
        for bad in [
            "amount=1",
            "amount=%E5%BC&appKey=AK001&mrn=P",
            "amount=1&amount=2&appKey=AK001&mrn=P&sign=x",
        ] {
            assert!(
                matches!(parse_body("", bad), Err(GatewayError::Malformed(_))),
                "{bad}"
            );
        }
        // Verified but not an amount: unreadable, not zero.
        let s = md5_lower(&format!("amount=1e2&appKey=AK001&mrn=P&key={KEY}"));
        assert!(matches!(
            parse_body("", &format!("amount=1e2&appKey=AK001&mrn=P&sign={s}")),
            Err(GatewayError::Malformed(_))
        ));
    }
}
