//! Bank lists for the bank picker: names, the gateway's code where it takes one,
//! and pinyin initials so `gsyh` finds 中国工商银行.

use crate::domain::ProviderKind;
use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bank {
    pub name: String,
    /// The gateway's code for the bank, for gateways that take a code.
    pub code: Option<String>,
    /// Lower-case pinyin initials of the name (`zggsyh`).
    pub initials: String,
}

/// Common banks, for gateways that take the bank by name.
pub const COMMON_BANKS: &[&str] = &[
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "中国邮政储蓄银行",
    "招商银行",
    "浦发银行",
    "中信银行",
    "中国光大银行",
    "华夏银行",
    "中国民生银行",
    "广发银行",
    "兴业银行",
    "平安银行",
    "浙商银行",
    "恒丰银行",
    "渤海银行",
    "北京银行",
    "上海银行",
    "江苏银行",
    "南京银行",
    "宁波银行",
    "杭州银行",
    "徽商银行",
    "天津银行",
    "重庆银行",
    "广州银行",
    "长沙银行",
    "成都银行",
    "贵阳银行",
    "哈尔滨银行",
    "盛京银行",
    "北京农商银行",
    "上海农商银行",
    "重庆农村商业银行",
    "广州农村商业银行",
    "深圳农村商业银行",
];

pub fn initials(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            // Polyphones whose bank-name reading differs from the default:
            // 银行 háng, 重庆 chóng, 长沙 cháng, 厦门 xià.
            '行' => "h".to_string(),
            '重' | '长' => "c".to_string(),
            '厦' => "x".to_string(),
            _ => match c.to_pinyin() {
                Some(p) => p.first_letter().to_string(),
                None => c.to_ascii_lowercase().to_string(),
            },
        })
        .collect()
}

/// The bank list a gateway's payout form picks from.
pub fn for_provider(kind: ProviderKind) -> Vec<Bank> {
    match kind {
        ProviderKind::Xxpay => crate::providers::xxpay::HPT_BANKS
            .iter()
            .map(|(code, name)| Bank {
                name: name.to_string(),
                code: Some(code.to_string()),
                initials: initials(name),
            })
            .collect(),
        _ => COMMON_BANKS
            .iter()
            .map(|name| Bank {
                name: name.to_string(),
                code: None,
                initials: initials(name),
            })
            .collect(),
    }
}

/// Search by name, code or pinyin initials (substring, case-insensitive).
/// Best matches first: prefix matches of the initials or code before the rest.
pub fn search(banks: &[Bank], query: &str) -> Vec<Bank> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return banks.to_vec();
    }
    let mut hits: Vec<(u8, &Bank)> = banks
        .iter()
        .filter_map(|b| {
            let code = b.code.as_deref().unwrap_or("").to_lowercase();
            let rank = if b.name == query.trim() || code == q {
                0
            } else if b.initials.starts_with(&q)
                || code.starts_with(&q)
                || b.name.starts_with(query.trim())
            {
                1
            } else if b.name.contains(query.trim()) || b.initials.contains(&q) || code.contains(&q)
            {
                2
            } else {
                return None;
            };
            Some((rank, b))
        })
        .collect();
    hits.sort_by_key(|(r, _)| *r);
    hits.into_iter().map(|(_, b)| b.clone()).collect()
}

/// What a typed bank resolves to in a list, the way the picker would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// One bank: the exact name or code, or the only best match.
    One(Bank),
    /// Several equally good matches (at most a few, for the message).
    Several(Vec<Bank>),
    None,
}

/// Resolve a typed bank (name, code or pinyin initials) against `banks`: an
/// exact name, code or initials wins; otherwise the best matches of `search`,
/// which must be a single bank to be taken.
pub fn resolve(banks: &[Bank], query: &str) -> Resolved {
    let q = query.trim();
    if q.is_empty() {
        return Resolved::None;
    }
    let lower = q.to_lowercase();
    let exact: Vec<&Bank> = banks
        .iter()
        .filter(|b| {
            b.name == q
                || b.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(q))
                || b.initials == lower
        })
        .collect();
    // 浙江稠州商业银行 is listed under two codes: one name, several codes.
    match exact.as_slice() {
        [one] => return Resolved::One((*one).clone()),
        [_, ..] => return Resolved::Several(exact.into_iter().take(5).cloned().collect()),
        [] => {}
    }
    let hits = search(banks, q);
    match hits.as_slice() {
        [] => Resolved::None,
        [one] => Resolved::One(one.clone()),
        many => Resolved::Several(many.iter().take(5).cloned().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_initials_name_and_code() {
        let banks = for_provider(ProviderKind::Jstpay);
        assert_eq!(initials("中国工商银行"), "zggsyh");
        assert_eq!(initials("重庆农村商业银行"), "cqncsyyh");
        let hits = search(&banks, "gsyh");
        assert_eq!(hits[0].name, "中国工商银行");
        let hits = search(&banks, "招商");
        assert_eq!(hits[0].name, "招商银行");
        assert!(search(&banks, "zzzz").is_empty());
        assert_eq!(resolve(&banks, "gsyh"), Resolved::One(banks[0].clone()));
        assert_eq!(resolve(&banks, "zggsyh"), Resolved::One(banks[0].clone()));
        assert!(matches!(resolve(&banks, "yh"), Resolved::Several(_)));
        assert_eq!(resolve(&banks, "nosuchbank"), Resolved::None);
        let hpt = for_provider(ProviderKind::Xxpay);
        match resolve(&hpt, "hpt00002") {
            Resolved::One(b) => assert_eq!(b.name, "中国工商银行"),
            r => panic!("{r:?}"),
        }
        assert!(matches!(resolve(&hpt, "浙江稠州商业银行"), Resolved::Several(v) if v.len() == 2));
    }
}
