//! The gateways' callback signing and encoding, written here from
//! /work/shared/PROVIDERS.md and the gateway documents (seeds/) alone: plain
//! MD5 and hex, the field order and the transport encoding spelled out, and
//! nothing taken from paydesk-core or the sandbox. The listener tests build
//! their callbacks with it, so a bug in the product's signer cannot cancel
//! out in a test that signs with that same signer.
#![allow(dead_code)]

use md5::{Digest, Md5};

/// MD5 of the UTF-8 bytes, lower-case hex.
pub fn md5_lower(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// MD5 of the UTF-8 bytes, upper-case hex.
pub fn md5_upper(text: &str) -> String {
    md5_lower(text).to_ascii_uppercase()
}

/// PHP's `urlencode` (JSTpay's urlencode fields, PROVIDERS.md "jstpay"):
/// `A–Z a–z 0–9 - _ .` stay, a space becomes `+`, every other byte `%XX`
/// (upper hex), so `~` is `%7E` and `*` is `%2A`.
pub fn php_urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A form or query value as a sender writes it (`application/x-www-form-
/// urlencoded`, UTF-8): unreserved bytes stay, a space becomes `+`, every
/// other byte `%XX`.
pub fn form_value(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `name=value&…` in the order given, values form-encoded.
pub fn form(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", form_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// JSTpay (callbacks included): every field but `signature`, empty ones
/// too, sorted by name in byte order, `name=value` joined with `&`, then
/// `&hash_key=<secret>`; MD5, lower hex. Values are the texts as sent (an
/// integer as its decimal text, urlencode fields still encoded).
pub fn jstpay_signature(fields: &[(&str, String)], secret: &str) -> String {
    let mut sorted: Vec<&(&str, String)> = fields.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let joined: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_lower(&format!("{}&hash_key={secret}", joined.join("&")))
}

/// Jeepay: the non-empty fields but `sign`, as `name=value&` pieces sorted
/// (for these names: ASCII by name), concatenated, then `key=<secret>`; MD5,
/// upper hex. No URL encoding.
pub fn jeepay_sign(fields: &[(&str, String)], secret: &str) -> String {
    let mut pieces: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    pieces.sort();
    md5_upper(&format!("{}key={secret}", pieces.concat()))
}

/// xxpay (with the reply key for callbacks): the non-empty fields but
/// `sign`, sorted by name, `name=value` joined with `&`, then
/// `&key=<key>`; MD5, upper hex.
pub fn xxpay_sign(fields: &[(&str, String)], key: &str) -> String {
    let mut signed: Vec<&(&str, String)> = fields.iter().filter(|(_, v)| !v.is_empty()).collect();
    signed.sort_by(|a, b| a.0.cmp(b.0));
    let joined: Vec<String> = signed.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_upper(&format!("{}&key={key}", joined.join("&")))
}

/// AppKey payout callback: `amount=…&appKey=…&mrn=…&key=<secret>`, in
/// exactly this order; MD5, lower hex.
pub fn appkey_payout_sign(amount: &str, app_key: &str, mrn: &str, secret: &str) -> String {
    md5_lower(&format!(
        "amount={amount}&appKey={app_key}&mrn={mrn}&key={secret}"
    ))
}

/// AppKey deposit callback: `amount=…&appKey=…&channel=…&mrn=…&originAmount=…&key=<secret>`.
pub fn appkey_deposit_sign(
    amount: &str,
    app_key: &str,
    channel: &str,
    mrn: &str,
    origin: &str,
    secret: &str,
) -> String {
    md5_lower(&format!(
        "amount={amount}&appKey={app_key}&channel={channel}&mrn={mrn}&originAmount={origin}&key={secret}"
    ))
}

/// 聚优客: the compact JSON text of `result_response` (keys sorted), the
/// whole text lower-cased, the secret appended; MD5, lower hex.
pub fn juyouke_sign(result_response_json: &str, secret: &str) -> String {
    md5_lower(&format!("{}{secret}", result_response_json.to_lowercase()))
}

#[test]
fn the_independent_signer_matches_known_digests() {
    // RFC 1321's own test vectors: the MD5 and hex used here are plain.
    assert_eq!(md5_lower(""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(md5_upper("abc"), "900150983CD24FB0D6963F7D28E17F72");
    assert_eq!(php_urlencode("上海 ~*"), "%E4%B8%8A%E6%B5%B7+%7E%2A");
    assert_eq!(form_value("a b~"), "a+b~");
}
