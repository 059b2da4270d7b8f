//! Merchant order numbers: readable, sortable, unique, at most 30 characters
//! (the tightest gateway limit) and only `[A-Z0-9]`, which every gateway takes.

use crate::error::FieldError;
use crate::tr;
use rand::Rng;

pub const MAX_LEN: usize = 30;

/// `PD` + kind letter + `yyMMddHHmmss` (UTC+8) + milliseconds + 8 random chars:
/// e.g. `PDP241121235959123K7Q2ZXAB` (26 chars). Sorts by creation time.
pub fn generate(kind: crate::OrderKind, now_ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .with_timezone(&crate::time::shanghai());
    let letter = match kind {
        crate::OrderKind::Payout => 'P',
        crate::OrderKind::Deposit => 'D',
    };
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let suffix: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "PD{letter}{}{:03}{suffix}",
        t.format("%y%m%d%H%M%S"),
        now_ms.rem_euclid(1000)
    )
}

/// A typed order number: trimmed, 1..=max characters of `A-Z a-z 0-9 _ -`.
pub fn check(field: &str, text: &str, max_len: usize) -> Result<String, FieldError> {
    // Full-width digits and letters (an IME's) are the ASCII ones.
    let text = crate::money::halfwidth(text);
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::new(
            field,
            tr!("订单号不能为空", "the order number cannot be empty"),
        ));
    }
    if t.chars().count() > max_len {
        return Err(FieldError::new(
            field,
            tr!(
                "订单号最长 {} 个字符",
                "the order number can be at most {} characters",
                max_len
            ),
        ));
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(FieldError::new(
            field,
            tr!(
                "订单号只能包含字母、数字、_ 和 -",
                "the order number may contain only letters, digits, _ and -"
            ),
        ));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_are_short_unique_and_sorted() {
        let a = generate(crate::OrderKind::Payout, 1_700_000_000_000);
        let b = generate(crate::OrderKind::Payout, 1_700_000_000_001);
        assert!(a.len() <= MAX_LEN, "{a}");
        assert!(a < b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        let many: std::collections::HashSet<String> = (0..1_000)
            .map(|_| generate(crate::OrderKind::Deposit, 1_700_000_000_000))
            .collect();
        assert_eq!(many.len(), 1_000);
        assert_eq!(check("order_no", " AB-1 ", 30).unwrap(), "AB-1");
        assert!(check("order_no", "a b", 30).is_err());
        assert_eq!(check("order_no", "ＤＵＰ－１２３", 30).unwrap(), "DUP-123");
        assert!(check("order_no", &"x".repeat(31), 30).is_err());
    }
}
