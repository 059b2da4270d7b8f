//! Jeepay's `sign`, as `JeepayKit.getSign` computes it: the non-empty
//! parameters except `sign` as `name=value&` pieces, sorted with Java's
//! `String.CASE_INSENSITIVE_ORDER` over the whole piece, concatenated, then
//! `key=<secret>`; MD5, upper-case hex. No URL encoding. Requests are signed
//! here, and replies and notifies verified.

use super::wire::Params;
use crate::sign::{hex_eq_ignore_case, md5_upper};
use std::cmp::Ordering;

/// Java `String.CASE_INSENSITIVE_ORDER`: UTF-16 unit by unit, units that differ
/// are compared after `Character.toUpperCase` and then `Character.toLowerCase`;
/// a common prefix sorts the shorter string first.
pub fn java_case_insensitive_cmp(a: &str, b: &str) -> Ordering {
    let mut ia = a.encode_utf16();
    let mut ib = b.encode_utf16();
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c1), Some(c2)) => {
                if c1 == c2 {
                    continue;
                }
                let (u1, u2) = (java_upper(c1), java_upper(c2));
                if u1 == u2 {
                    continue;
                }
                let (l1, l2) = (java_lower(u1), java_lower(u2));
                if l1 != l2 {
                    return l1.cmp(&l2);
                }
            }
        }
    }
}

/// `Character.toUpperCase(char)`: a one-to-one mapping inside the BMP; units
/// whose full mapping is several characters (ß) or a surrogate stay as they are.
fn java_upper(unit: u16) -> u16 {
    map_unit(unit, |c| c.to_uppercase().collect())
}

fn java_lower(unit: u16) -> u16 {
    map_unit(unit, |c| c.to_lowercase().collect())
}

fn map_unit(unit: u16, f: impl Fn(char) -> Vec<char>) -> u16 {
    let Some(c) = char::from_u32(unit as u32) else {
        return unit; // a surrogate half has no case
    };
    match f(c).as_slice() {
        [m] if (*m as u32) <= 0xFFFF => *m as u32 as u16,
        _ => unit,
    }
}

/// The exact text that is hashed. `params` are (name, value-as-text); empty
/// values and `sign` itself are left out.
pub fn string_to_sign<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    key: &str,
) -> String {
    let mut pieces: Vec<String> = params
        .into_iter()
        .filter(|(name, value)| *name != "sign" && !value.is_empty())
        .map(|(name, value)| format!("{name}={value}&"))
        .collect();
    // Stable, like Java's Arrays.sort on objects.
    pieces.sort_by(|a, b| java_case_insensitive_cmp(a, b));
    let mut out = pieces.concat();
    out.push_str("key=");
    out.push_str(key);
    out
}

pub fn sign<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>, key: &str) -> String {
    md5_upper(&string_to_sign(params, key))
}

/// Whether `received` is the sign of `params` (hex compared ignoring case).
pub fn verify<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    key: &str,
    received: &str,
) -> bool {
    hex_eq_ignore_case(&sign(params, key), received.trim())
}

/// A request ready to send. `string_to_sign` holds the key: tests only.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub string_to_sign: String,
    pub sign: String,
    pub body: String,
}

/// Signs and writes the JSON body: fields sorted by name, `sign` last.
pub fn sign_request(params: &Params, key: &str) -> SignedRequest {
    let texts: Vec<(&str, String)> = params.0.iter().map(|(n, v)| (*n, v.sign_text())).collect();
    let string_to_sign = string_to_sign(texts.iter().map(|(n, v)| (*n, v.as_str())), key);
    let sign = md5_upper(&string_to_sign);
    let mut fields: Vec<&(&'static str, crate::providers::common::WireValue)> =
        params.0.iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut body = String::from("{");
    for (name, value) in fields {
        body.push_str(&format!("\"{name}\":{},", value.json()));
    }
    body.push_str(&format!("\"sign\":\"{sign}\"}}"));
    SignedRequest {
        string_to_sign,
        sign,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_order_is_javas_not_ascii() {
        // '_' (0x5F) sits between 'Z' and 'a': ASCII puts `aB` first, Java's
        // case-insensitive order compares 'b' with '_' and puts `a_b` first.
        assert_eq!("aB=1&".cmp("a_b=1&"), Ordering::Less);
        assert_eq!(
            java_case_insensitive_cmp("aB=1&", "a_b=1&"),
            Ordering::Greater
        );
        assert_eq!(java_case_insensitive_cmp("Z", "_"), Ordering::Greater);
        assert_eq!(
            java_case_insensitive_cmp("mchNo=1&", "mchno=1&"),
            Ordering::Equal
        );
        assert_eq!(
            java_case_insensitive_cmp("mchNo=M1&", "mchOrderNo=1&"),
            Ordering::Less
        );
        // '=' (0x3D) sorts before any letter: a name before its extensions.
        assert_eq!(
            java_case_insensitive_cmp("amount=9&", "amountX=1&"),
            Ordering::Less
        );
        assert_eq!(java_case_insensitive_cmp("ab", "abc"), Ordering::Less);
        // Non-ASCII: by UTF-16 unit after case folding (É folds to é, 0xE9 > 'z').
        assert_eq!(java_case_insensitive_cmp("É", "z"), Ordering::Greater);
        assert_eq!(java_case_insensitive_cmp("É", "é"), Ordering::Equal);
        // Supplementary characters compare by their surrogate units (0xD83D < 0xFF21).
        assert_eq!(java_case_insensitive_cmp("😀", "Ａ"), Ordering::Less);
    }

    #[test]
    fn sorts_pieces_case_insensitively() {
        let s = string_to_sign([("aB", "1"), ("a_b", "2"), ("Ac", "3")], "k");
        assert_eq!(s, "a_b=2&aB=1&Ac=3&key=k");
    }

    #[test]
    fn fixture_example_from_signature_examples_json() {
        let params = [
            ("mchNo", "M100"),
            ("appId", "app1"),
            ("mchOrderNo", "mho1629106169045"),
            ("ifCode", "wxpay"),
            ("entryType", "WX_CASH"),
            ("amount", "100"),
            ("currency", "cny"),
            ("accountNo", "o6BcIwvTvIqf1zXZohc61biryWik"),
            ("accountName", "张三"),
            ("bankName", ""),
            ("transferDesc", "测试转账"),
            ("reqTime", "1704067200000"),
            ("version", "1.0"),
            ("signType", "MD5"),
        ];
        assert_eq!(
            string_to_sign(params, "jeepay-secret-key"),
            "accountName=张三&accountNo=o6BcIwvTvIqf1zXZohc61biryWik&amount=100&appId=app1&currency=cny&entryType=WX_CASH&ifCode=wxpay&mchNo=M100&mchOrderNo=mho1629106169045&reqTime=1704067200000&signType=MD5&transferDesc=测试转账&version=1.0&key=jeepay-secret-key"
        );
        assert_eq!(
            sign(params, "jeepay-secret-key"),
            "CC350BC1640F60F63944C3AB79055466"
        );
        assert!(verify(
            params,
            "jeepay-secret-key",
            "cc350bc1640f60f63944c3ab79055466"
        ));
        assert!(!verify(
            params,
            "jeepay-secret-key2",
            "CC350BC1640F60F63944C3AB79055466"
        ));
    }

    #[test]
    fn special_characters_are_signed_raw_and_sign_is_skipped() {
        // Worked by hand: no URL encoding, `&`/`=`/space kept, empty and `sign` left out.
        let params = [
            ("transferDesc", "工资 5&6=月"),
            ("accountName", "李 四"),
            ("bankName", ""),
            ("sign", "IGNORED"),
            ("channelExtra", "{\"a\":\"b c\"}"),
            ("amount", "1"),
        ];
        let s = string_to_sign(params, "k&y");
        assert_eq!(s, "accountName=李 四&amount=1&channelExtra={\"a\":\"b c\"}&transferDesc=工资 5&6=月&key=k&y");
        assert_eq!(sign(params, "k&y"), "98AF00BAD6189E2FA8656216482F29B7");
    }
}
