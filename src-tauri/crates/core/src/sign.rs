//! Signing primitives shared by the gateway modules. Each gateway's canonical
//! string is built in its own module; these are the byte-level pieces.

use md5::{Digest, Md5};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

pub fn md5_lower(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

pub fn md5_upper(text: &str) -> String {
    md5_lower(text).to_ascii_uppercase()
}

/// `name=value&` for each pair in the order given, then `<key_name>=<secret>`:
/// the text of every sorted-pairs signature here.
pub fn pairs_then_key<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    key_name: &str,
    secret: &str,
) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        out.push_str(k);
        out.push('=');
        out.push_str(v);
        out.push('&');
    }
    out.push_str(key_name);
    out.push('=');
    out.push_str(secret);
    out
}

/// Constant-time-ish, case-insensitive comparison of two hex digests.
pub fn hex_eq_ignore_case(a: &str, b: &str) -> bool {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| {
        acc | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())
    }) == 0
}

/// PHP `urlencode`: `A-Z a-z 0-9 - _ .` stay, space is `+`, every other byte is
/// `%XX` upper-case (so `~` is `%7E` and `*` is `%2A`).
const PHP_URLENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

pub fn php_urlencode(s: &str) -> String {
    // Encode spaces as %20 first, then turn them into `+`: `+` itself is %2B.
    utf8_percent_encode(s, PHP_URLENCODE)
        .to_string()
        .replace("%20", "+")
}

/// Decode form-style percent-encoding (`+` is space), for display only.
pub fn form_urldecode(s: &str) -> String {
    let plus_fixed = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_fixed)
        .decode_utf8_lossy()
        .into_owned()
}

/// RFC 3986 unreserved set: only `A-Z a-z 0-9 - _ . ~` stay.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn rfc3986_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_urlencode_matches_php() {
        assert_eq!(php_urlencode("张三"), "%E5%BC%A0%E4%B8%89");
        assert_eq!(
            php_urlencode("中国 工商银行"),
            "%E4%B8%AD%E5%9B%BD+%E5%B7%A5%E5%95%86%E9%93%B6%E8%A1%8C"
        );
        assert_eq!(php_urlencode("a~b*c-d_e.f+g"), "a%7Eb%2Ac-d_e.f%2Bg");
        assert_eq!(php_urlencode("(x)"), "%28x%29");
        assert_eq!(form_urldecode("%E5%BC%A0+%E4%B8%89"), "张 三");
    }

    #[test]
    fn md5_cases() {
        assert_eq!(md5_lower(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_upper("a"), "0CC175B9C0F1B6A831C399E269772661");
        assert!(hex_eq_ignore_case("abcDEF", "ABCdef"));
        assert!(!hex_eq_ignore_case("abc", "abd"));
    }

    #[test]
    fn rfc3986() {
        assert_eq!(rfc3986_encode("a b:/?&=#~"), "a%20b%3A%2F%3F%26%3D%23~");
    }
}
