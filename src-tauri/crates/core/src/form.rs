//! Each gateway describes its payout and deposit forms as data. The CLI
//! validates against the description and the desktop UI renders its forms from
//! it, so nothing about a gateway is written twice.

use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::money;
use crate::tr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Values typed by a person, keyed by field id. Amount and order number are
/// carried separately (see `OrderInput`).
pub type FormValues = BTreeMap<String, String>;

/// Canonical field ids. CLI flags are these with `_` written as `-`.
pub mod ids {
    pub const AMOUNT: &str = "amount";
    pub const ORDER_NO: &str = "order_no";
    // payout
    pub const PAYEE_NAME: &str = "payee_name";
    pub const ACCOUNT_NO: &str = "account_no";
    pub const BANK_NAME: &str = "bank_name";
    pub const BANK_CODE: &str = "bank_code";
    pub const BRANCH: &str = "branch";
    pub const PROVINCE: &str = "province";
    pub const CITY: &str = "city";
    pub const ACCOUNT_TYPE: &str = "account_type";
    pub const ENTRY_TYPE: &str = "entry_type";
    pub const IF_CODE: &str = "if_code";
    pub const REMARK: &str = "remark";
    // deposit
    pub const CHANNEL: &str = "channel";
    pub const PAYER_NAME: &str = "payer_name";
    pub const PAYER_BANK_CODE: &str = "payer_bank_code";
    pub const PAYER_ACCOUNT_NO: &str = "payer_account_no";
    pub const SUBJECT: &str = "subject";
    pub const BODY: &str = "body";
    pub const AUTH_CODE: &str = "auth_code";
    pub const TO_CARD: &str = "to_card";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Free text (names, remarks).
    Text,
    /// Digits only, spaces allowed while typing and removed (card numbers).
    AccountNo,
    /// Pick one of `choices`; `allow_other` lets the user type another value.
    Select,
    /// A bank: searched by name, code and pinyin initials (see `banks`).
    /// The field holds the bank's name or code, as `bank_value` says.
    Bank,
    /// Yes/no; value `"true"` or `"false"`.
    Checkbox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BankValue {
    Name,
    Code,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choice {
    pub value: String,
    pub label_zh: String,
    pub label_en: String,
}

impl Choice {
    pub fn new(value: &str, label_zh: &str, label_en: &str) -> Self {
        Choice {
            value: value.into(),
            label_zh: label_zh.into(),
            label_en: label_en.into(),
        }
    }
}

/// `field == value` (a condition for showing or requiring another field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Cond {
    pub field: String,
    pub equals: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldSpec {
    pub id: String,
    pub label_zh: String,
    pub label_en: String,
    pub input: InputKind,
    pub required: bool,
    /// Required only when the condition holds (xxpay 8000 needs the payer's bank).
    pub required_when: Option<Cond>,
    /// Shown only when the condition holds; hidden fields are not sent.
    pub shown_when: Option<Cond>,
    pub choices: Vec<Choice>,
    pub allow_other: bool,
    pub bank_value: Option<BankValue>,
    /// Maximum length in characters, as the gateway documents it.
    pub max_len: Option<usize>,
    pub default: Option<String>,
    /// The gateway's own name for the field, shown as a hint (`payee_name`).
    pub wire_name: Option<String>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
}

impl FieldSpec {
    pub fn new(id: &str, label_zh: &str, label_en: &str, input: InputKind) -> Self {
        FieldSpec {
            id: id.into(),
            label_zh: label_zh.into(),
            label_en: label_en.into(),
            input,
            required: false,
            required_when: None,
            shown_when: None,
            choices: Vec::new(),
            allow_other: false,
            bank_value: if input == InputKind::Bank {
                Some(BankValue::Name)
            } else {
                None
            },
            max_len: None,
            default: None,
            wire_name: None,
            help_zh: None,
            help_en: None,
        }
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn required_when(mut self, field: &str, equals: &str) -> Self {
        self.required_when = Some(Cond {
            field: field.into(),
            equals: equals.into(),
        });
        self
    }
    pub fn shown_when(mut self, field: &str, equals: &str) -> Self {
        self.shown_when = Some(Cond {
            field: field.into(),
            equals: equals.into(),
        });
        self
    }
    pub fn choices(mut self, choices: Vec<Choice>) -> Self {
        self.choices = choices;
        self
    }
    pub fn allow_other(mut self) -> Self {
        self.allow_other = true;
        self
    }
    pub fn bank_value(mut self, v: BankValue) -> Self {
        self.bank_value = Some(v);
        self
    }
    pub fn max_len(mut self, n: usize) -> Self {
        self.max_len = Some(n);
        self
    }
    pub fn default_value(mut self, v: &str) -> Self {
        self.default = Some(v.into());
        self
    }
    pub fn wire(mut self, name: &str) -> Self {
        self.wire_name = Some(name.into());
        self
    }
    pub fn help(mut self, zh: &str, en: &str) -> Self {
        self.help_zh = Some(zh.into());
        self.help_en = Some(en.into());
        self
    }
    pub fn label(&self) -> &str {
        match crate::i18n::lang() {
            crate::i18n::Lang::Zh => &self.label_zh,
            crate::i18n::Lang::En => &self.label_en,
        }
    }
}

/// What the gateway can express for an amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AmountRule {
    pub min_fen: i64,
    pub max_fen: Option<i64>,
    /// Only whole yuan (no jiao/fen) can be sent.
    pub whole_yuan: bool,
    /// A per-day ceiling (calendar day in UTC+8), checked against stored orders.
    pub daily_max_fen: Option<i64>,
    /// The gateway's unit on the wire, for the confirm step ("元" / "分").
    pub wire_unit: String,
}

impl AmountRule {
    pub fn fen(min_fen: i64, max_fen: Option<i64>) -> Self {
        AmountRule {
            min_fen,
            max_fen,
            whole_yuan: false,
            daily_max_fen: None,
            wire_unit: "fen".into(),
        }
    }
    pub fn whole_yuan(min_fen: i64, max_fen: Option<i64>) -> Self {
        AmountRule {
            min_fen,
            max_fen,
            whole_yuan: true,
            daily_max_fen: None,
            wire_unit: "yuan".into(),
        }
    }
    pub fn yuan_2dp(min_fen: i64, max_fen: Option<i64>) -> Self {
        AmountRule {
            min_fen,
            max_fen,
            whole_yuan: false,
            daily_max_fen: None,
            wire_unit: "yuan".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormSpec {
    pub provider: ProviderKind,
    pub kind: OrderKind,
    /// The gateway's endpoint(s) the form feeds, for people who read the docs.
    pub operation: String,
    pub amount: AmountRule,
    /// Whether the user may give a merchant order number (juyouke withdrawal has none).
    pub order_no: OrderNoRule,
    pub fields: Vec<FieldSpec>,
    pub notes_zh: Vec<String>,
    pub notes_en: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderNoRule {
    /// The gateway receives our merchant order number.
    pub sent: bool,
    pub max_len: usize,
    /// Wire name, e.g. `client_order_id`, `mchOrderNo`, `mrn`.
    pub wire_name: Option<String>,
}

/// A person's order request, before validation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderInput {
    /// Amount as typed, in yuan.
    pub amount: String,
    pub order_no: Option<String>,
    pub values: FormValues,
}

impl FormSpec {
    pub fn field(&self, id: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.id == id)
    }

    fn cond_holds(values: &FormValues, c: &Option<Cond>) -> bool {
        match c {
            None => true,
            Some(c) => values
                .get(&c.field)
                .map(|v| v == &c.equals)
                .unwrap_or(false),
        }
    }

    /// Validate typed values against this description. Returns the amount in fen
    /// and the cleaned values (trimmed, defaults filled, hidden and empty fields
    /// dropped). Every error names its field.
    pub fn validate(&self, input: &OrderInput) -> Result<(i64, FormValues), FieldError> {
        let amount_fen = money::parse_yuan(ids::AMOUNT, &input.amount)?;
        self.check_amount(amount_fen)?;
        for key in input.values.keys() {
            if self.field(key).is_none() {
                return Err(FieldError::new(
                    key.as_str(),
                    tr!(
                        "该网关的此类订单没有这个字段",
                        "this gateway's form has no such field"
                    ),
                ));
            }
        }
        let mut out = FormValues::new();
        // Defaults first, so conditions can see them.
        let mut merged = FormValues::new();
        for f in &self.fields {
            let typed = input
                .values
                .get(&f.id)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty());
            if let Some(v) = typed.or_else(|| f.default.clone()) {
                merged.insert(f.id.clone(), v);
            }
        }
        for f in &self.fields {
            if !Self::cond_holds(&merged, &f.shown_when) {
                continue;
            }
            let required = f.required
                || (f.required_when.is_some() && Self::cond_holds(&merged, &f.required_when));
            let Some(raw) = merged.get(&f.id) else {
                if required {
                    return Err(FieldError::new(
                        &f.id,
                        tr!("请填写{}", "{} is required", f.label()),
                    ));
                }
                continue;
            };
            let value = check_field(f, raw)?;
            out.insert(f.id.clone(), value);
        }
        Ok((amount_fen, out))
    }

    pub fn check_amount(&self, fen: i64) -> Result<(), FieldError> {
        let r = &self.amount;
        if fen < r.min_fen {
            return Err(FieldError::new(
                ids::AMOUNT,
                tr!(
                    "金额不能低于 {}",
                    "the amount must be at least {}",
                    money::format_cny(r.min_fen)
                ),
            ));
        }
        if let Some(max) = r.max_fen {
            if fen > max {
                return Err(FieldError::new(
                    ids::AMOUNT,
                    tr!(
                        "金额超过该网关单笔上限 {}",
                        "the amount is over this gateway's limit of {} per order",
                        money::format_cny(max)
                    ),
                ));
            }
        }
        if r.whole_yuan {
            money::whole_yuan(ids::AMOUNT, fen)?;
        }
        Ok(())
    }
}

fn check_field(f: &FieldSpec, raw: &str) -> Result<String, FieldError> {
    if raw.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            &f.id,
            tr!(
                "{}含有控制字符",
                "{} contains control characters",
                f.label()
            ),
        ));
    }
    let value = match f.input {
        InputKind::AccountNo => {
            let v: String = raw
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect();
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '@' || c == '.' || c == '_')
            {
                return Err(FieldError::new(
                    &f.id,
                    tr!(
                        "{}只能包含数字或字母",
                        "{} may contain only digits or letters",
                        f.label()
                    ),
                ));
            }
            v
        }
        InputKind::Checkbox => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => "true".to_string(),
            "false" | "0" | "no" | "off" => "false".to_string(),
            _ => {
                return Err(FieldError::new(
                    &f.id,
                    tr!("{}应为 是/否", "{} must be yes or no", f.label()),
                ))
            }
        },
        _ => raw.to_string(),
    };
    if f.input == InputKind::Select && !f.allow_other && !f.choices.iter().any(|c| c.value == value)
    {
        let list: Vec<&str> = f.choices.iter().map(|c| c.value.as_str()).collect();
        return Err(FieldError::new(
            &f.id,
            tr!(
                "{}的取值“{}”无效，可选：{}",
                "“{1}” is not a valid {0}; choose one of: {2}",
                f.label(),
                value,
                list.join(", ")
            ),
        ));
    }
    if let Some(max) = f.max_len {
        if value.chars().count() > max {
            return Err(FieldError::new(
                &f.id,
                tr!(
                    "{}最长 {} 个字符",
                    "{} can be at most {} characters",
                    f.label(),
                    max
                ),
            ));
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> FormSpec {
        FormSpec {
            provider: ProviderKind::Xxpay,
            kind: OrderKind::Deposit,
            operation: "test".into(),
            amount: AmountRule::whole_yuan(100, Some(5_000_000)),
            order_no: OrderNoRule {
                sent: true,
                max_len: 30,
                wire_name: None,
            },
            fields: vec![
                FieldSpec::new("channel", "通道", "Channel", InputKind::Select)
                    .required()
                    .choices(vec![
                        Choice::new("8000", "网银", "Bank"),
                        Choice::new("8001", "微信", "WeChat"),
                    ]),
                FieldSpec::new("payer_name", "付款人", "Payer", InputKind::Text)
                    .required_when("channel", "8000")
                    .max_len(5),
                FieldSpec::new("account_no", "卡号", "Account", InputKind::AccountNo),
            ],
            notes_zh: vec![],
            notes_en: vec![],
        }
    }

    fn input(amount: &str, kv: &[(&str, &str)]) -> OrderInput {
        OrderInput {
            amount: amount.into(),
            order_no: None,
            values: kv
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn validates_and_names_fields() {
        let s = spec();
        let (fen, v) = s
            .validate(&input(
                "100",
                &[("channel", "8001"), ("account_no", "6222 0202")],
            ))
            .unwrap();
        assert_eq!(fen, 10000);
        assert_eq!(v.get("account_no").unwrap(), "62220202");
        assert_eq!(
            s.validate(&input("100.5", &[("channel", "8001")]))
                .unwrap_err()
                .field,
            "amount"
        );
        assert_eq!(
            s.validate(&input("100", &[("channel", "9")]))
                .unwrap_err()
                .field,
            "channel"
        );
        assert_eq!(
            s.validate(&input("100", &[("channel", "8000")]))
                .unwrap_err()
                .field,
            "payer_name"
        );
        assert_eq!(
            s.validate(&input(
                "100",
                &[("channel", "8000"), ("payer_name", "张三张三张三")]
            ))
            .unwrap_err()
            .field,
            "payer_name"
        );
        assert_eq!(
            s.validate(&input("100", &[("channel", "8001"), ("bogus", "x")]))
                .unwrap_err()
                .field,
            "bogus"
        );
        assert_eq!(
            s.validate(&input("100000", &[("channel", "8001")]))
                .unwrap_err()
                .field,
            "amount"
        );
        assert_eq!(
            s.validate(&input(
                "100",
                &[("channel", "8001"), ("payer_name", "a\u{7}")]
            ))
            .unwrap_err()
            .field,
            "payer_name"
        );
    }
}
