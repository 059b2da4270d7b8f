//! Fixtures the gateways' callback tests share.

use crate::gateway::InboundNotify;

/// A callback as the listener hands it over.
pub fn inbound<'a>(
    method: &'a str,
    query: &'a str,
    content_type: Option<&'a str>,
    body: &'a str,
) -> InboundNotify<'a> {
    InboundNotify {
        method,
        query,
        content_type,
        body: body.as_bytes(),
    }
}

/// `k=v&...&sign=<sign>` with each value passed through `encode`.
pub fn signed_form(
    fields: &[(&'static str, String)],
    sign: &str,
    encode: impl Fn(&str) -> String,
) -> String {
    let mut out: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    out.push(format!("sign={sign}"));
    out.join("&")
}

/// Owned fixture pairs as borrowed ones, for the signing functions.
pub fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
