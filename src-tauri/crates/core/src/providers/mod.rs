//! The five gateways, one module each, all the same shape: `mod.rs` the
//! `impl Gateway`, `forms.rs` the form descriptions and checks, `sign.rs`
//! request signing and reply/callback verification, `wire.rs` the wire types,
//! `status.rs` the gateway's codes on the shared status set, `notify.rs` its
//! callbacks. `common.rs` holds what they share. Everything outside this folder
//! reaches them through `gateway()`.

use crate::domain::ProviderKind;
use crate::gateway::Gateway;

pub mod appkey;
pub mod common;
pub mod jeepay;
pub mod jstpay;
pub mod juyouke;
#[cfg(test)]
pub(crate) mod test_support;
pub mod xxpay;

pub fn gateway(kind: ProviderKind) -> &'static dyn Gateway {
    match kind {
        ProviderKind::Jstpay => &jstpay::Jstpay,
        ProviderKind::Jeepay => &jeepay::Jeepay,
        ProviderKind::Juyouke => &juyouke::Juyouke,
        ProviderKind::Appkey => &appkey::Appkey,
        ProviderKind::Xxpay => &xxpay::Xxpay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{GatewayConfig, GatewayError, InboundNotify};
    use crate::secret::Secret;
    use proptest::prelude::*;

    fn inbound<'a>(method: &'a str, query: &'a str, body: &'a [u8]) -> InboundNotify<'a> {
        InboundNotify {
            method,
            query,
            content_type: None,
            body,
        }
    }

    #[test]
    fn every_gateway_reads_callbacks_and_names_its_acknowledgement() {
        let cfg = GatewayConfig::default();
        let key = Secret::new("k");
        for kind in ProviderKind::ALL {
            let g = gateway(kind);
            let r = g.parse_notify(&cfg, &key, None, &inbound("POST", "", b""));
            assert!(
                matches!(
                    r,
                    Err(GatewayError::Malformed(_)) | Err(GatewayError::BadSignature)
                ),
                "{kind:?}: {r:?}"
            );
            let n = crate::gateway::VerifiedNotify::new(crate::OrderKind::Payout, "X");
            let ack = g.notify_ack(&n);
            let expected = if kind == ProviderKind::Jstpay {
                "1|OKAY"
            } else {
                "success"
            };
            assert_eq!(ack, expected, "{kind:?}");
        }
    }

    #[test]
    fn xxpay_verifies_notifies_with_the_reply_key() {
        use crate::sign::md5_upper;
        let fields = "amount=100&mchId=M&mchTransOrderNo=P1&status=2";
        let q = format!(
            "{fields}&sign={}",
            md5_upper(&format!("{fields}&key=reply"))
        );
        let g = gateway(ProviderKind::Xxpay);
        let cfg = GatewayConfig::default();
        let req = inbound("GET", &q, b"");
        let (request_key, reply_key) = (Secret::new("request"), Secret::new("reply"));
        assert!(g
            .parse_notify(&cfg, &request_key, Some(&reply_key), &req)
            .is_ok());
        assert_eq!(
            g.parse_notify(&cfg, &request_key, None, &req),
            Err(GatewayError::BadSignature)
        );
        // Without a reply key the request key signs notifies.
        assert!(g.parse_notify(&cfg, &reply_key, None, &req).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Whatever arrives, reading it returns an answer, never a panic.
        #[test]
        fn parse_notify_never_panics(
            query in ".{0,200}",
            body in proptest::collection::vec(any::<u8>(), 0..400),
            text in "[a-zA-Z_%+=&{}\":,0-9\\[\\] .-]{0,300}",
            get in any::<bool>(),
        ) {
            let cfg = GatewayConfig::default();
            let key = Secret::new("k");
            let method = if get { "GET" } else { "POST" };
            for kind in ProviderKind::ALL {
                let g = gateway(kind);
                let _ = g.parse_notify(&cfg, &key, None, &inbound(method, &query, &body));
                let _ = g.parse_notify(&cfg, &key, Some(&key), &inbound(method, &text, text.as_bytes()));
                let _ = g.parse_notify(&cfg, &key, None, &inbound(method, "", text.as_bytes()));
            }
        }

        /// Callbacks shaped like the real ones (known names, hostile values) get
        /// past the first reading and still never panic.
        #[test]
        fn parse_notify_never_panics_on_shaped_input(
            pairs in proptest::collection::vec((0usize..NAMES.len(), ".{0,40}"), 0..16),
            numbers in any::<bool>(),
        ) {
            let cfg = GatewayConfig::default();
            let key = Secret::new("k");
            let form: Vec<String> = pairs
                .iter()
                .map(|(i, v)| format!("{}={}", NAMES[*i], crate::sign::rfc3986_encode(v)))
                .collect();
            let form = form.join("&");
            let members: Vec<String> = pairs
                .iter()
                .map(|(i, v)| {
                    let value = match (numbers, v.parse::<f64>().is_ok()) {
                        (true, true) => v.clone(),
                        _ => serde_json::Value::String(v.clone()).to_string(),
                    };
                    format!("\"{}\":{}", NAMES[*i], value)
                })
                .collect();
            let json = format!("{{{}}}", members.join(","));
            let envelope = format!("{{\"result_response\":{json},\"sign\":\"00\"}}");
            for kind in ProviderKind::ALL {
                let g = gateway(kind);
                for (q, b) in [(form.as_str(), ""), ("", form.as_str()), ("", json.as_str()), ("", envelope.as_str())] {
                    let _ = g.parse_notify(&cfg, &key, None, &inbound("POST", q, b.as_bytes()));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Signed with the right key, hostile values reach the reading after
        /// verification (amounts, states, decoding) and still never panic.
        #[test]
        fn verified_hostile_values_never_panic(
            pairs in proptest::collection::vec((0usize..NAMES.len(), ".{0,40}"), 0..16),
        ) {
            let cfg = GatewayConfig::default();
            let key = Secret::new("k");
            let mut seen = std::collections::BTreeSet::new();
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .filter(|(i, _)| seen.insert(*i))
                .map(|(i, v)| (NAMES[*i], v.as_str()))
                .filter(|(k, _)| *k != "sign")
                .collect();
            let encoded = |extra: String| {
                let mut f: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={}", crate::sign::rfc3986_encode(v)))
                    .collect();
                f.push(extra);
                f.join("&")
            };
            let jee = encoded(format!("sign={}", jeepay::sign::sign(pairs.iter().copied(), "k")));
            let xx = encoded(format!(
                "sign={}",
                xxpay::sign::sign(&xxpay::sign::string_to_sign(pairs.iter().copied(), "k"))
            ));
            for (kind, q) in [(ProviderKind::Jeepay, &jee), (ProviderKind::Xxpay, &xx)] {
                let _ = gateway(kind).parse_notify(&cfg, &key, None, &inbound("GET", q, b""));
            }
        }
    }

    const NAMES: [&str; 24] = [
        "type",
        "action",
        "merchant_ID",
        "payee_name",
        "payee_amount",
        "act_amount",
        "client_order_id",
        "order_id",
        "signature",
        "sign",
        "mchNo",
        "appId",
        "mchOrderNo",
        "amount",
        "state",
        "accountNo",
        "out_trade_no",
        "total_amount",
        "trade_status",
        "appKey",
        "mrn",
        "originAmount",
        "channel",
        "mchTransOrderNo",
    ];
}
