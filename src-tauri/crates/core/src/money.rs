//! Money is integer fen (`i64`) everywhere inside PayDesk. Yuan text is parsed
//! exactly (no floats) at the edge where a person types it, and each gateway
//! converts fen to its own unit at its own edge.

use crate::error::FieldError;
use crate::tr;

/// The largest amount PayDesk accepts at all: 100 billion yuan. Keeps every
/// conversion far from `i64` overflow; gateways set much lower limits.
pub const MAX_FEN: i64 = 10_000_000_000_000;

/// Parse an amount typed in yuan (`100`, `100.5`, `100.50`, `1,000.00`) into fen.
/// `field` names the input in the error.
pub fn parse_yuan(field: &str, text: &str) -> Result<i64, FieldError> {
    // An IME in full-width mode types `１００．５０`: read it as `100.50`.
    let text = halfwidth(text);
    let t = text.trim();
    let bad = || {
        FieldError::new(
            field,
            tr!(
                "“{}” 不是有效金额，请输入如 100 或 100.50 的数字",
                "“{}” is not a valid amount; type a number such as 100 or 100.50",
                t
            ),
        )
    };
    if t.is_empty() {
        return Err(FieldError::new(field, tr!("请输入金额", "enter an amount")));
    }
    let t = t
        .strip_prefix('¥')
        .or_else(|| t.strip_prefix('￥'))
        .unwrap_or(t)
        .trim();
    if t.starts_with('-') {
        return Err(FieldError::new(
            field,
            tr!("金额不能为负数", "the amount cannot be negative"),
        ));
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    // Thousands separators are accepted only in their proper places.
    let t: String = if t.contains(',') {
        let int_part = t.split('.').next().unwrap_or("");
        let groups: Vec<&str> = int_part.split(',').collect();
        let ok = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return Err(bad());
        }
        t.replace(',', "")
    } else {
        t.to_string()
    };
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t.as_str(), None),
    };
    if int_part.is_empty() && frac_part.is_none_or(|f| f.is_empty()) {
        return Err(bad());
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let frac = frac_part.unwrap_or("");
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if frac_part.is_some() && frac.is_empty() && int_part.is_empty() {
        return Err(bad());
    }
    if frac.len() > 2 {
        if frac[2..].bytes().all(|b| b == b'0') {
            // `100.500` is still exactly 100.50.
        } else {
            return Err(FieldError::new(
                field,
                tr!(
                    "金额最多两位小数（分）",
                    "the amount can have at most two decimals (fen)"
                ),
            ));
        }
    }
    let int_digits = int_part.trim_start_matches('0');
    if int_digits.len() > 12 {
        return Err(too_large(field));
    }
    let yuan: i64 = if int_digits.is_empty() {
        0
    } else {
        int_digits.parse().map_err(|_| bad())?
    };
    let mut cents = 0i64;
    for (i, b) in frac.bytes().take(2).enumerate() {
        let d = (b - b'0') as i64;
        cents += if i == 0 { d * 10 } else { d };
    }
    let fen = yuan * 100 + cents;
    if fen == 0 {
        return Err(FieldError::new(
            field,
            tr!("金额必须大于 0", "the amount must be greater than 0"),
        ));
    }
    if fen > MAX_FEN {
        return Err(too_large(field));
    }
    Ok(fen)
}

/// Full-width ASCII forms (U+FF01–U+FF5E, as a Chinese IME types digits and
/// letters) and the ideographic space, as their ASCII equivalents. Other text
/// is unchanged.
pub fn halfwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

fn too_large(field: &str) -> FieldError {
    FieldError::new(field, tr!("金额过大", "the amount is too large"))
}

/// `12345` → `"123.45"`; always two decimals (for display and for gateways
/// that want fixed two-decimal yuan text).
pub fn fen_to_yuan_2dp(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// `10000` → `"100"`, `10050` → `"100.50"`: whole yuan as an integer, otherwise
/// exactly two decimals.
pub fn fen_to_yuan_compact(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        fen_to_yuan_2dp(fen)
    }
}

/// `1234567` → `"¥ 12,345.67"` for people.
pub fn format_cny(fen: i64) -> String {
    let s = fen_to_yuan_2dp(fen.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}¥ {grouped}.{frac}")
}

/// Whole yuan for gateways that take only whole yuan; anything with fen is
/// refused before sending.
pub fn whole_yuan(field: &str, fen: i64) -> Result<i64, FieldError> {
    if fen % 100 != 0 {
        return Err(FieldError::new(
            field,
            tr!(
                "该网关只接受整数元金额（不能有角、分）：{} 元",
                "this gateway takes whole yuan only (no jiao or fen): {} yuan",
                fen_to_yuan_2dp(fen)
            ),
        ));
    }
    Ok(fen / 100)
}

/// Parse a decimal yuan text from a gateway reply (`"100.37"`, `"2.00"`, `"100"`,
/// `"-1.5"`) exactly into fen. Refuses more than two decimals unless they are zeros.
pub fn parse_reply_yuan(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (i, f) = t.split_once('.').unwrap_or((t, ""));
    if i.is_empty()
        || !i.bytes().all(|b| b.is_ascii_digit())
        || !f.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if f.len() > 2 && !f[2..].bytes().all(|b| b == b'0') {
        return None;
    }
    if i.len() > 13 {
        return None;
    }
    let yuan: i64 = i.parse().ok()?;
    let mut cents = 0i64;
    for (k, b) in f.bytes().take(2).enumerate() {
        cents += ((b - b'0') as i64) * if k == 0 { 10 } else { 1 };
    }
    let v = yuan * 100 + cents;
    Some(if neg { -v } else { v })
}

/// Parse integer fen text from a reply (`"10050"`).
pub fn parse_reply_fen(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() || t.len() > 16 {
        return None;
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Chinese capital amount as written on cheques: `12345` fen → `壹佰贰拾叁元肆角伍分`,
/// `10000` → `壹佰元整`.
pub fn to_chinese_capital(fen: i64) -> String {
    const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const SECTIONS: [&str; 4] = ["", "万", "亿", "万亿"];
    if fen == 0 {
        return "零元整".to_string();
    }
    let neg = fen < 0;
    let fen = fen.unsigned_abs();
    let yuan = fen / 100;
    let jiao = (fen / 10) % 10;
    let fen_d = fen % 10;
    let mut out = String::new();
    if yuan > 0 {
        // Split into 4-digit sections from the right.
        let mut sections = Vec::new();
        let mut y = yuan;
        while y > 0 {
            sections.push(y % 10000);
            y /= 10000;
        }
        let mut need_zero = false;
        for (idx, &sec) in sections.iter().enumerate().rev() {
            if sec == 0 {
                need_zero = true;
                continue;
            }
            if (need_zero || (idx < sections.len() - 1 && sec < 1000)) && !out.is_empty() {
                out.push('零');
            }
            need_zero = false;
            let digits = [sec / 1000, (sec / 100) % 10, (sec / 10) % 10, sec % 10];
            let mut zero_pending = false;
            let mut started = false;
            for (k, &d) in digits.iter().enumerate() {
                if d == 0 {
                    if started {
                        zero_pending = true;
                    }
                    continue;
                }
                if zero_pending {
                    out.push('零');
                    zero_pending = false;
                }
                started = true;
                out.push_str(DIGITS[d as usize]);
                out.push_str(UNITS[3 - k]);
            }
            out.push_str(SECTIONS[idx]);
        }
        out.push('元');
    }
    if jiao == 0 && fen_d == 0 {
        out.push('整');
    } else {
        if jiao > 0 {
            out.push_str(DIGITS[jiao as usize]);
            out.push('角');
        } else if yuan > 0 {
            out.push('零');
        }
        if fen_d > 0 {
            out.push_str(DIGITS[fen_d as usize]);
            out.push('分');
        }
    }
    if neg {
        format!("负{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_typed_yuan_exactly() {
        assert_eq!(parse_yuan("amount", "100").unwrap(), 10000);
        assert_eq!(parse_yuan("amount", "100.5").unwrap(), 10050);
        assert_eq!(parse_yuan("amount", "100.50").unwrap(), 10050);
        assert_eq!(parse_yuan("amount", "0.01").unwrap(), 1);
        assert_eq!(parse_yuan("amount", ".5").unwrap(), 50);
        assert_eq!(parse_yuan("amount", "1,234.56").unwrap(), 123456);
        assert_eq!(parse_yuan("amount", " ¥12 ").unwrap(), 1200);
        assert_eq!(parse_yuan("amount", "100.500").unwrap(), 10050);
        // 0.1 + 0.2 style float traps cannot happen: 19.99 is exactly 1999.
        assert_eq!(parse_yuan("amount", "19.99").unwrap(), 1999);
    }

    #[test]
    fn reads_full_width_digits_as_ascii() {
        assert_eq!(parse_yuan("amount", "１００"), Ok(10000));
        assert_eq!(parse_yuan("amount", "１，０００．５０"), Ok(100050));
        assert_eq!(parse_yuan("amount", "￥　１２"), Ok(1200));
        assert!(parse_yuan("amount", "－１").is_err());
        assert_eq!(halfwidth("ＡＢ－１２"), "AB-12");
    }

    #[test]
    fn rejects_what_is_not_an_amount_naming_the_field() {
        for bad in [
            "",
            "abc",
            "-5",
            "0",
            "0.00",
            "1.234",
            "1e3",
            "1,23",
            "1.2.3",
            "NaN",
            "12345678901234",
        ] {
            let e = parse_yuan("payee_amount", bad).unwrap_err();
            assert_eq!(e.field, "payee_amount", "{bad}");
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn converts_to_gateway_units() {
        assert_eq!(fen_to_yuan_2dp(10050), "100.50");
        assert_eq!(fen_to_yuan_2dp(5), "0.05");
        assert_eq!(fen_to_yuan_compact(10000), "100");
        assert_eq!(fen_to_yuan_compact(10050), "100.50");
        assert_eq!(whole_yuan("amount", 10000).unwrap(), 100);
        assert_eq!(whole_yuan("amount", 10050).unwrap_err().field, "amount");
        assert_eq!(format_cny(123456789), "¥ 1,234,567.89");
        assert_eq!(format_cny(5), "¥ 0.05");
    }

    #[test]
    fn parses_reply_amounts() {
        assert_eq!(parse_reply_yuan("100.37"), Some(10037));
        assert_eq!(parse_reply_yuan("2.00"), Some(200));
        assert_eq!(parse_reply_yuan("2.5"), Some(250));
        assert_eq!(parse_reply_yuan("100"), Some(10000));
        assert_eq!(parse_reply_yuan("1.005"), None);
        assert_eq!(parse_reply_yuan("x"), None);
        assert_eq!(parse_reply_fen("10050"), Some(10050));
        assert_eq!(parse_reply_fen("10.5"), None);
    }

    #[test]
    fn chinese_capitals() {
        assert_eq!(to_chinese_capital(10000), "壹佰元整");
        assert_eq!(to_chinese_capital(123456), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(to_chinese_capital(100_000_000), "壹佰万元整");
        assert_eq!(to_chinese_capital(1_000_100), "壹万零壹元整");
        assert_eq!(to_chinese_capital(10_005), "壹佰元零伍分");
        assert_eq!(to_chinese_capital(1), "壹分");
        assert_eq!(to_chinese_capital(50), "伍角");
        assert_eq!(to_chinese_capital(10_000_000_000), "壹亿元整");
        assert_eq!(to_chinese_capital(1_000_010_000), "壹仟万零壹佰元整");
    }
}
