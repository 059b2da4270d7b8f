//! xxpay notifies: the pay notify (`POST`, form fields; xxpay's own sender puts
//! them in the query string instead, some versions by `GET`) and the transfer
//! notify (`GET`, query fields). Fields come from the body when it holds any,
//! else from the query string (never both). Signed with the reply key over
//! every field received but `sign`, extension fields included, empty values
//! left out; MD5, upper hex.

use super::sign::verify_notify_sign;
use super::status::status;
use crate::domain::{OrderKind, OrderStatus};
use crate::gateway::{GatewayError, InboundNotify, NotifySpec, VerifiedNotify};
use crate::providers::common::{
    field, field_map, notify_form_fields, required_field, some_text, whole_fen,
};
use crate::secret::Secret;

/// How the trait reads these callbacks, and the acknowledgement body.
pub const SPEC: NotifySpec = NotifySpec::new(parse, "success").reply_signed();

pub fn parse(key: &Secret, req: &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError> {
    let fields = notify_form_fields(req)?;
    if !verify_notify_sign(&fields, key.expose()) {
        return Err(GatewayError::BadSignature);
    }
    let text = |k: &str| some_text(field(&fields, k));
    let transfer = field(&fields, "mchTransOrderNo").is_some();
    let (kind, order_no, gateway_id) = match transfer {
        true => (OrderKind::Payout, "mchTransOrderNo", "transOrderId"),
        false => (OrderKind::Deposit, "mchOrderNo", "payOrderId"),
    };
    let mut n = VerifiedNotify::new(kind, required_field(&fields, order_no)?);
    n.provider_order_id = text(gateway_id);
    if !transfer {
        n.app_id = text("appId");
    }
    if let Some(code) = text("status") {
        let (status, words) = status(kind, &code);
        n.status = settled(status);
        n.provider_message = words.map(str::to_string);
        n.provider_status = Some(code);
    }
    n.merchant_id = text("mchId");
    n.amount_fen = Some(whole_fen("amount", required_field(&fields, "amount")?)?);
    n.fields = field_map(&fields);
    Ok(n)
}

/// Only a final state moves an order on a notify's word.
fn settled(s: OrderStatus) -> Option<OrderStatus> {
    matches!(s, OrderStatus::Succeeded | OrderStatus::Failed).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::super::sign::{sign, string_to_sign};
    use super::*;
    use crate::providers::test_support::{inbound, pairs, signed_form};
    use crate::sign::rfc3986_encode;

    const REPLY_KEY: &str = "xxpay-reply-key";

    fn pay_fields(status: &str, amount: &str) -> Vec<(&'static str, String)> {
        vec![
            ("payOrderId", "P0120240101".into()),
            ("mchId", "20001222".into()),
            ("appId", "0ae8be35ff634e2abe94f5f32f6d5c4f".into()),
            ("productId", "8008".into()),
            ("mchOrderNo", "PDD9".into()),
            ("amount", amount.into()),
            ("status", status.into()),
            ("channelOrderNo", "".into()),
            ("channelAttach", "".into()),
            ("param1", "a b".into()),
            ("param2", "".into()),
            ("paySuccTime", "1704067200000".into()),
            ("backType", "2".into()),
            // An extension field the document warns about: signed too.
            ("currency", "cny".into()),
        ]
    }

    fn trans_fields(status: &str) -> Vec<(&'static str, String)> {
        vec![
            ("transOrderId", "T0120240101".into()),
            ("mchId", "20001222".into()),
            ("mchTransOrderNo", "PDP9".into()),
            ("amount", "50000".into()),
            ("status", status.into()),
            ("channelOrderNo", "".into()),
            ("param1", "".into()),
            ("param2", "".into()),
            ("transSuccTime", "".into()),
            ("backType", "2".into()),
        ]
    }

    fn form(f: &[(&'static str, String)], key: &str) -> String {
        let s = sign(&string_to_sign(pairs(f), key));
        signed_form(f, &s, rfc3986_encode)
    }

    fn req<'a>(method: &'a str, query: &'a str, body: &'a str) -> InboundNotify<'a> {
        inbound(method, query, None, body)
    }

    fn parse_with(key: &str, r: &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError> {
        parse(&Secret::new(key), r)
    }

    #[test]
    fn pay_notify_verifies_with_extension_fields() {
        let body = form(&pay_fields("2", "10050"), REPLY_KEY);
        let n = parse_with(REPLY_KEY, &req("POST", "", &body)).unwrap();
        assert_eq!(n.kind, OrderKind::Deposit);
        assert_eq!(n.order_no, "PDD9");
        assert_eq!(n.merchant_id.as_deref(), Some("20001222"));
        assert_eq!(
            n.app_id.as_deref(),
            Some("0ae8be35ff634e2abe94f5f32f6d5c4f")
        );
        assert_eq!(n.provider_order_id.as_deref(), Some("P0120240101"));
        assert_eq!(n.amount_fen, Some(10050));
        assert_eq!(n.status, Some(OrderStatus::Succeeded));
        assert_eq!(n.fields["param1"], "a b");
        for (code, st) in [
            ("3", Some(OrderStatus::Succeeded)),
            ("5", Some(OrderStatus::Failed)),
            ("0", None),
            ("1", None),
        ] {
            let body = form(&pay_fields(code, "100"), REPLY_KEY);
            assert_eq!(
                parse_with(REPLY_KEY, &req("POST", "", &body))
                    .unwrap()
                    .status,
                st
            );
        }
        // Dropping the extension field from the signature fails.
        let mut no_ext = pay_fields("2", "100");
        no_ext.pop();
        let signed_without = form(&no_ext, REPLY_KEY);
        let sneaked = signed_without.replace("&sign=", "&currency=cny&sign=");
        assert_eq!(
            parse_with(REPLY_KEY, &req("POST", "", &sneaked)),
            Err(GatewayError::BadSignature)
        );
        assert_eq!(SPEC.ack, "success");
    }

    #[test]
    fn transfer_notify_by_get_query() {
        let q = form(&trans_fields("2"), REPLY_KEY);
        let n = parse_with(REPLY_KEY, &req("GET", &q, "")).unwrap();
        assert_eq!(n.kind, OrderKind::Payout);
        assert_eq!(n.order_no, "PDP9");
        assert_eq!(n.provider_order_id.as_deref(), Some("T0120240101"));
        assert_eq!(n.amount_fen, Some(50000));
        assert_eq!(n.status, Some(OrderStatus::Succeeded));
        for (code, st) in [
            ("4", Some(OrderStatus::Succeeded)),
            ("3", Some(OrderStatus::Failed)),
            ("0", None),
            ("1", None),
        ] {
            let q = form(&trans_fields(code), REPLY_KEY);
            assert_eq!(
                parse_with(REPLY_KEY, &req("GET", &q, "")).unwrap().status,
                st
            );
        }
    }

    #[test]
    fn the_reply_key_signs_not_the_request_key() {
        let body = form(&pay_fields("2", "100"), REPLY_KEY);
        assert_eq!(
            parse_with("request-key", &req("POST", "", &body)),
            Err(GatewayError::BadSignature)
        );
        assert_eq!(
            parse_with(
                REPLY_KEY,
                &req("POST", "", &body.replace("amount=100", "amount=101"))
            ),
            Err(GatewayError::BadSignature)
        );
        let i = body.rfind("&sign=").unwrap() + 6;
        let lower = format!("{}{}", &body[..i], body[i..].to_ascii_lowercase());
        assert!(parse_with(REPLY_KEY, &req("POST", "", &lower)).is_ok());
    }

    #[test]
    fn query_only_when_the_body_is_empty_never_merged() {
        let signed = form(&pay_fields("2", "100"), REPLY_KEY);
        assert!(parse_with(REPLY_KEY, &req("POST", &signed, "")).is_ok());
        let other = form(&pay_fields("5", "100"), REPLY_KEY);
        let n = parse_with(REPLY_KEY, &req("POST", &signed, &other)).unwrap();
        assert_eq!(n.status, Some(OrderStatus::Failed));
        let partial = other[..other.rfind("&sign=").unwrap()].to_string();
        assert_eq!(
            parse_with(REPLY_KEY, &req("POST", &signed, &partial)),
            Err(GatewayError::BadSignature)
        );
    }

    #[test]
    fn amount_texts_are_signed_as_received() {
        let body = form(&pay_fields("2", "100"), REPLY_KEY);
        assert_eq!(
            parse_with(
                REPLY_KEY,
                &req("POST", "", &body.replace("amount=100&", "amount=100.00&"))
            ),
            Err(GatewayError::BadSignature)
        );
        let body = form(&pay_fields("2", "100.50"), REPLY_KEY);
        assert!(matches!(
            parse_with(REPLY_KEY, &req("POST", "", &body)),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn bad_encodings_are_malformed() {
        let body = form(&pay_fields("2", "100"), REPLY_KEY);
        for bad in [
            body.replace("param1=", "param1=%E5%BC"),
            body.replace("param1=", "param1=%"),
            format!("{body}&mchId=x"),
            format!("{body}&x={}", "y".repeat(5000)),
        ] {
            assert!(
                matches!(
                    parse_with(REPLY_KEY, &req("POST", "", &bad)),
                    Err(GatewayError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }
}
