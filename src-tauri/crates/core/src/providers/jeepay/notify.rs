//! Jeepay transfer notify: a form-encoded `POST` to `notifyUrl` when a transfer
//! ends. Jeepay's own sender may put the fields in the query string with an
//! empty body: the body is read when it holds fields, else the query (never
//! both). Signed with the request rule over the non-empty fields as received
//! (`reqTime` included, never checked against the clock).

use super::sign;
use super::status::{state_text, TransferState};
use crate::domain::OrderKind;
use crate::form::ids;
use crate::gateway::{GatewayError, InboundNotify, NotifySpec, VerifiedNotify};
use crate::providers::common::{
    field, field_map, notify_form_fields, required_field, some_text, whole_fen,
};
use crate::secret::Secret;

/// How the trait reads these callbacks, and the acknowledgement body.
pub const SPEC: NotifySpec = NotifySpec::new(parse, "success");

pub fn parse(secret: &Secret, req: &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError> {
    let fields = notify_form_fields(req)?;
    let given = field(&fields, "sign").unwrap_or("");
    let pairs = fields.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    if given.is_empty() || !sign::verify(pairs, secret.expose(), given) {
        return Err(GatewayError::BadSignature);
    }
    let mut n = VerifiedNotify::new(OrderKind::Payout, required_field(&fields, "mchOrderNo")?);
    n.merchant_id = some_text(field(&fields, "mchNo"));
    n.app_id = some_text(field(&fields, "appId"));
    n.provider_order_id = some_text(field(&fields, "transferId"));
    n.amount_fen = Some(whole_fen("amount", required_field(&fields, "amount")?)?);
    if let Some(state) = some_text(field(&fields, "state")) {
        let s = TransferState::from_code(&state);
        n.status = s.is_final().then(|| s.into());
        n.provider_message =
            some_text(field(&fields, "errMsg")).or_else(|| state_text(&state).map(str::to_string));
        n.provider_status = Some(state);
    }
    if let Some(account) = some_text(field(&fields, "accountNo")) {
        n.payee.insert(ids::ACCOUNT_NO.to_string(), account);
    }
    n.fields = field_map(&fields);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderStatus;
    use crate::providers::test_support::{inbound, pairs, signed_form};
    use crate::sign::rfc3986_encode;

    const KEY: &str = "jeepay-notify-key";

    fn fields(state: &str, amount: &str) -> Vec<(&'static str, String)> {
        vec![
            ("mchNo", "M100".into()),
            ("appId", "app1".into()),
            ("mchOrderNo", "PDP1".into()),
            ("transferId", "T2024".into()),
            ("amount", amount.into()),
            ("currency", "CNY".into()),
            ("ifCode", "wxpay".into()),
            ("entryType", "BANK_CARD".into()),
            ("state", state.into()),
            ("accountNo", "6222020200001234".into()),
            ("accountName", "张 三".into()),
            ("bankName", "".into()),
            ("errMsg", "".into()),
            ("createdAt", "1704067200000".into()),
            ("reqTime", "1704067260000".into()),
        ]
    }

    /// The form text, signed by the request rule with `key`.
    fn form(f: &[(&'static str, String)], key: &str) -> String {
        let s = sign::sign(pairs(f), key);
        signed_form(f, &s, |v| rfc3986_encode(v).replace("%20", "+"))
    }

    fn req<'a>(query: &'a str, body: &'a str) -> InboundNotify<'a> {
        inbound(
            "POST",
            query,
            Some("application/x-www-form-urlencoded"),
            body,
        )
    }

    fn parse_form(query: &str, body: &str) -> Result<VerifiedNotify, GatewayError> {
        parse(&Secret::new(KEY), &req(query, body))
    }

    #[test]
    fn a_signed_notify_verifies_and_reads() {
        let n = parse_form("", &form(&fields("2", "100"), KEY)).unwrap();
        assert_eq!(n.kind, OrderKind::Payout);
        assert_eq!(n.order_no, "PDP1");
        assert_eq!(n.merchant_id.as_deref(), Some("M100"));
        assert_eq!(n.app_id.as_deref(), Some("app1"));
        assert_eq!(n.provider_order_id.as_deref(), Some("T2024"));
        assert_eq!(n.amount_fen, Some(100));
        assert_eq!(n.status, Some(OrderStatus::Succeeded));
        assert_eq!(n.provider_status.as_deref(), Some("2"));
        assert_eq!(n.payee[ids::ACCOUNT_NO], "6222020200001234");
        assert_eq!(n.fields["accountName"], "张 三");
        assert_eq!(n.fields["bankName"], "");
        for (state, st) in [
            ("3", Some(OrderStatus::Failed)),
            ("4", Some(OrderStatus::Failed)),
            ("0", None),
            ("1", None),
            ("9", None),
        ] {
            let n = parse_form("", &form(&fields(state, "100"), KEY)).unwrap();
            assert_eq!(n.status, st, "{state}");
        }
        assert_eq!(SPEC.ack, "success");
    }

    #[test]
    fn one_changed_byte_or_another_key_fails() {
        let body = form(&fields("2", "100"), KEY);
        assert_eq!(
            parse_form("", &body.replace("amount=100", "amount=101")),
            Err(GatewayError::BadSignature)
        );
        assert_eq!(
            parse(&Secret::new("other"), &req("", &body)),
            Err(GatewayError::BadSignature)
        );
        let unsigned = body[..body.rfind("&sign=").unwrap()].to_string();
        assert_eq!(parse_form("", &unsigned), Err(GatewayError::BadSignature));
    }

    #[test]
    fn uppercase_and_lowercase_hex_are_accepted() {
        let body = form(&fields("2", "100"), KEY);
        let i = body.rfind("&sign=").unwrap() + 6;
        let lower = format!("{}{}", &body[..i], body[i..].to_ascii_lowercase());
        assert!(parse_form("", &lower).is_ok());
        assert!(parse_form("", &body).is_ok());
    }

    #[test]
    fn query_only_when_the_body_is_empty_never_merged() {
        let signed = form(&fields("2", "100"), KEY);
        // Jeepay's own sender: fields in the query, empty body.
        assert!(parse_form(&signed, "").is_ok());
        // Both present: the body alone is read; a query field cannot slip in.
        let body_only = form(&fields("3", "100"), KEY);
        let n = parse_form(&signed, &body_only).unwrap();
        assert_eq!(n.status, Some(OrderStatus::Failed));
        // A body without its sign is not completed from the query.
        let partial = body_only[..body_only.rfind("&sign=").unwrap()].to_string();
        assert_eq!(
            parse_form(&signed, &partial),
            Err(GatewayError::BadSignature)
        );
    }

    #[test]
    fn amount_texts_are_signed_as_received() {
        for text in ["100", "0100"] {
            let body = form(&fields("2", text), KEY);
            assert_eq!(parse_form("", &body).unwrap().amount_fen, Some(100));
        }
        let body = form(&fields("2", "100"), KEY);
        assert_eq!(
            parse_form("", &body.replace("amount=100&", "amount=0100&")),
            Err(GatewayError::BadSignature)
        );
        // Fen are whole: a decimal is unreadable, not rounded.
        let body = form(&fields("2", "100.50"), KEY);
        assert!(matches!(
            parse_form("", &body),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn bad_encodings_are_malformed() {
        let body = form(&fields("2", "100"), KEY);
        for bad in [
            body.replace("accountName=", "accountName=%E5%BC"),
            body.replace("accountName=", "accountName=%ZZ"),
            format!("{body}&amount=5"),
            format!("{body}&big={}", "x".repeat(5000)),
        ] {
            assert!(
                matches!(parse_form("", &bad), Err(GatewayError::Malformed(_))),
                "{bad}"
            );
        }
        let mut no_order = fields("2", "100");
        no_order.retain(|(k, _)| *k != "mchOrderNo");
        assert!(matches!(
            parse_form("", &form(&no_order, KEY)),
            Err(GatewayError::Malformed(_))
        ));
    }
}
