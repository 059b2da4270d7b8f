//! Each gateway describes its payout and deposit forms as data. The CLI
//! validates against the description and the desktop UI renders its forms from
//! it, so nothing about a gateway is written twice.

use crate::banks;
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

impl OrderNoRule {
    /// Our merchant order number, sent as `wire_name`, at most `max_len` characters.
    pub fn sent(max_len: usize, wire_name: &str) -> Self {
        OrderNoRule {
            sent: true,
            max_len,
            wire_name: Some(wire_name.into()),
        }
    }
}

impl FormSpec {
    /// A gateway's form: what it is for, the endpoint(s) it feeds, and its
    /// amount and order-number rules; fields and notes follow.
    pub fn new(
        provider: ProviderKind,
        kind: OrderKind,
        operation: impl Into<String>,
        amount: AmountRule,
        order_no: OrderNoRule,
    ) -> Self {
        FormSpec {
            provider,
            kind,
            operation: operation.into(),
            amount,
            order_no,
            fields: Vec::new(),
            notes_zh: Vec::new(),
            notes_en: Vec::new(),
        }
    }

    pub fn fields(mut self, fields: Vec<FieldSpec>) -> Self {
        self.fields = fields;
        self
    }

    /// Notes for the person filling the form, each given in both languages
    /// side by side so neither can be forgotten.
    pub fn notes(mut self, notes: &[(&str, &str)]) -> Self {
        for (zh, en) in notes {
            self.notes_zh.push(zh.to_string());
            self.notes_en.push(en.to_string());
        }
        self
    }

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
    /// and the cleaned values (trimmed, defaults filled, empty fields dropped).
    /// Every error names its field; the first one is returned (see `validate_all`).
    pub fn validate(&self, input: &OrderInput) -> Result<(i64, FormValues), FieldError> {
        self.validate_all(input)
            .map_err(|mut errors| errors.swap_remove(0))
    }

    /// As `validate`, but reports every problem at once (all missing fields,
    /// not just the first). The list is never empty on `Err`.
    ///
    /// Nothing typed is dropped: a value for a field the current choices hide
    /// is refused with the choice it needs, except where the value itself says
    /// which choice was meant and no choice was typed (`MODE_FROM_FIELD`).
    pub fn validate_all(&self, input: &OrderInput) -> Result<(i64, FormValues), Vec<FieldError>> {
        let mut errors = Vec::new();
        let amount_fen = money::parse_yuan(ids::AMOUNT, &input.amount)
            .and_then(|fen| self.check_amount(fen).map(|()| fen));
        let amount_fen = match amount_fen {
            Ok(f) => f,
            Err(e) => {
                errors.push(e);
                0
            }
        };
        let mut typed: FormValues = input
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        if let Err(e) = self.bank_name_to_code(&mut typed) {
            errors.push(e);
        }
        for key in input.values.keys() {
            if self.field(key).is_none() && !(key == ids::BANK_NAME && self.bank_name_via_code()) {
                errors.push(FieldError::new(
                    key.as_str(),
                    tr!(
                        "该网关的此类订单没有这个字段",
                        "this gateway's form has no such field"
                    ),
                ));
            }
        }
        typed.retain(|k, _| self.field(k).is_some());
        // Defaults first, so conditions can see them.
        let mut merged = FormValues::new();
        for f in &self.fields {
            if let Some(v) = typed.get(&f.id).cloned().or_else(|| f.default.clone()) {
                merged.insert(f.id.clone(), v);
            }
        }
        // A typed value whose field the current choices hide.
        for f in &self.fields {
            let Some(c) = &f.shown_when else { continue };
            if !typed.contains_key(&f.id) || Self::cond_holds(&merged, &f.shown_when) {
                continue;
            }
            if MODE_FROM_FIELD.contains(&f.id.as_str()) && !typed.contains_key(&c.field) {
                merged.insert(c.field.clone(), c.equals.clone());
                continue;
            }
            errors.push(FieldError::new(
                &f.id,
                tr!(
                    "{}（{}）需要 {} = {}，当前为 {}",
                    "{} ({}) needs {} = {}; it is {}",
                    f.label(),
                    f.id,
                    c.field,
                    c.equals,
                    merged.get(&c.field).map(String::as_str).unwrap_or("-")
                ),
            ));
        }
        let wallet = merged
            .get(ids::ACCOUNT_TYPE)
            .is_some_and(|t| t != BANK_CARD_ACCOUNT_TYPE);
        let mut out = FormValues::new();
        for f in &self.fields {
            if !Self::cond_holds(&merged, &f.shown_when) {
                continue;
            }
            let required = f.required
                || (f.required_when.is_some() && Self::cond_holds(&merged, &f.required_when));
            let Some(raw) = merged.get(&f.id) else {
                if required {
                    errors.push(FieldError::new(
                        &f.id,
                        tr!("请填写{}", "{} is required", f.label()),
                    ));
                }
                continue;
            };
            match check_field(self.provider, f, raw, wallet && f.id == ids::ACCOUNT_NO) {
                Ok(value) => {
                    out.insert(f.id.clone(), value);
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok((amount_fen, out))
        } else {
            Err(errors)
        }
    }

    /// Warnings that do not stop an order (a card number failing the Luhn
    /// check may still be a valid account). On cleaned values.
    pub fn warnings(&self, values: &FormValues) -> Vec<FieldError> {
        let wallet = values
            .get(ids::ACCOUNT_TYPE)
            .is_some_and(|t| t != BANK_CARD_ACCOUNT_TYPE);
        let mut out = Vec::new();
        for f in &self.fields {
            if f.input != InputKind::AccountNo || (wallet && f.id == ids::ACCOUNT_NO) {
                continue;
            }
            let Some(v) = values.get(&f.id) else { continue };
            if v.len() >= 13 && v.len() <= 19 && !luhn_ok(v) {
                out.push(FieldError::new(
                    &f.id,
                    tr!(
                        "{}未通过银行卡校验位（Luhn）检查，请核对是否输错（对公账户、存折可忽略）",
                        "{} fails the bank card check digit (Luhn): check it for typos (business accounts and passbooks may ignore this)",
                        f.label()
                    ),
                ));
            }
        }
        out
    }

    /// xxpay's transfer takes the bank by code and derives its name (bankName)
    /// from it: a typed bank name is checked against the code's name, or gives
    /// the code when no code was typed and the name names one bank.
    fn bank_name_via_code(&self) -> bool {
        self.field(ids::BANK_NAME).is_none()
            && self
                .field(ids::BANK_CODE)
                .is_some_and(|f| f.bank_value == Some(BankValue::Code))
    }

    fn bank_name_to_code(&self, typed: &mut FormValues) -> Result<(), FieldError> {
        if !self.bank_name_via_code() {
            return Ok(());
        }
        let Some(name) = typed.get(ids::BANK_NAME).cloned() else {
            return Ok(());
        };
        let list = banks::for_provider(self.provider);
        let by_name = banks::resolve(&list, &name);
        match typed.get(ids::BANK_CODE).cloned() {
            Some(code) => {
                let Some(bank) = list.iter().find(|b| {
                    b.code
                        .as_deref()
                        .is_some_and(|c| c.eq_ignore_ascii_case(code.trim()))
                }) else {
                    // The code is refused by its own check.
                    typed.remove(ids::BANK_NAME);
                    return Ok(());
                };
                let same = bank.name == name.trim()
                    || matches!(&by_name, banks::Resolved::One(b) if b.name == bank.name)
                    || matches!(&by_name, banks::Resolved::Several(v) if v.iter().all(|b| b.name == bank.name));
                if !same {
                    return Err(FieldError::new(
                        ids::BANK_NAME,
                        tr!(
                            "开户行名称“{}”与银行代码 {} 不符：该代码是“{}”",
                            "the bank name “{}” does not match bank code {}: that code is “{}”",
                            name,
                            code.trim().to_ascii_uppercase(),
                            bank.name
                        ),
                    ));
                }
                typed.remove(ids::BANK_NAME);
                Ok(())
            }
            None => match by_name {
                banks::Resolved::One(b) => {
                    typed.remove(ids::BANK_NAME);
                    typed.insert(ids::BANK_CODE.into(), b.code.clone().unwrap_or_default());
                    Ok(())
                }
                banks::Resolved::Several(v) => Err(FieldError::new(
                    ids::BANK_NAME,
                    tr!(
                        "开户行名称“{}”对应多家银行或多个代码，请用 bank_code 指定：{}",
                        "the bank name “{}” matches several banks or codes; give bank_code: {}",
                        name,
                        bank_list(&v)
                    ),
                )),
                banks::Resolved::None => Err(FieldError::new(
                    ids::BANK_NAME,
                    tr!(
                        "该网关的银行列表中没有“{}”（可用 paydesk banks 搜索）",
                        "“{}” is not in this gateway's bank list (search it with paydesk banks)",
                        name
                    ),
                )),
            },
        }
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

/// A typed value whose field id is one of these selects its mode when no mode
/// was typed: an auth code is only ever used to charge the customer's code.
const MODE_FROM_FIELD: &[&str] = &[ids::AUTH_CODE];

/// `account_type` value of a bank card (xxpay: 1 bank card, 2 WeChat, 3 Alipay,
/// 4 other); the others take a wallet account, not digits.
const BANK_CARD_ACCOUNT_TYPE: &str = "1";

/// Limit for free text whose gateway document gives none: generous for a name,
/// and still refuses pasted pages.
pub const DEFAULT_MAX_LEN: usize = 64;

/// Bank account numbers: 12 to 32 digits (cards 16–19, passbooks and business
/// accounts up to 32 in practice).
const ACCOUNT_DIGITS: std::ops::RangeInclusive<usize> = 12..=32;

impl FieldSpec {
    /// The length enforced: the documented one, else `DEFAULT_MAX_LEN` for typed text.
    pub fn effective_max_len(&self) -> Option<usize> {
        self.max_len.or(match self.input {
            InputKind::Text | InputKind::AccountNo | InputKind::Bank => Some(DEFAULT_MAX_LEN),
            InputKind::Select if self.allow_other => Some(DEFAULT_MAX_LEN),
            _ => None,
        })
    }
}

/// Direction overrides and zero-width characters: invisible, they make a
/// name read differently from what is sent.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')
}

/// The Luhn check digit of a bank card number (digits only).
pub fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let Some(d) = (b as char).to_digit(10) else {
            return false;
        };
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
    }
    sum.is_multiple_of(10)
}

fn bank_list(v: &[banks::Bank]) -> String {
    v.iter()
        .map(|b| match &b.code {
            Some(c) => format!("{c} {}", b.name),
            None => b.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn check_field(
    provider: ProviderKind,
    f: &FieldSpec,
    raw: &str,
    wallet_account: bool,
) -> Result<String, FieldError> {
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
    if raw.chars().any(is_invisible_format) {
        return Err(FieldError::new(
            &f.id,
            tr!(
                "{}含有不可见的方向控制或零宽字符，请重新输入",
                "{} contains invisible direction-override or zero-width characters; type it again",
                f.label()
            ),
        ));
    }
    let value = match f.input {
        InputKind::AccountNo => {
            let v: String = money::halfwidth(raw)
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect();
            if wallet_account {
                if v.is_empty()
                    || !v
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '@' || c == '.' || c == '_')
                {
                    return Err(FieldError::new(
                        &f.id,
                        tr!(
                            "{}只能包含字母、数字和 @ . _",
                            "{} may contain only letters, digits and @ . _",
                            f.label()
                        ),
                    ));
                }
            } else {
                // A field shorter than an account holds a fixed number of
                // digits (xxpay: the last six of the remitting account).
                let range = match f.max_len {
                    Some(m) if m < *ACCOUNT_DIGITS.start() => m..=m,
                    Some(m) => *ACCOUNT_DIGITS.start()..=m.min(*ACCOUNT_DIGITS.end()),
                    None => ACCOUNT_DIGITS,
                };
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(FieldError::new(
                        &f.id,
                        tr!(
                            "{}只能包含数字（空格会被去掉）",
                            "{} may contain only digits (spaces are removed)",
                            f.label()
                        ),
                    ));
                }
                if !range.contains(&v.len()) {
                    let (lo, hi) = (*range.start(), *range.end());
                    return Err(FieldError::new(
                        &f.id,
                        if lo == hi {
                            tr!(
                                "{}应为 {} 位数字，现为 {} 位",
                                "{} must be {} digits; it has {}",
                                f.label(),
                                lo,
                                v.len()
                            )
                        } else {
                            tr!(
                                "{}应为 {}–{} 位数字，现为 {} 位",
                                "{} must be {}–{} digits; it has {}",
                                f.label(),
                                lo,
                                hi,
                                v.len()
                            )
                        },
                    ));
                }
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
        InputKind::Bank => resolve_bank(provider, f, raw)?,
        InputKind::Select => {
            // Choices are codes: `８００２` is `8002`.
            let v = money::halfwidth(raw);
            if f.choices.iter().any(|c| c.value == v) {
                v
            } else {
                raw.to_string()
            }
        }
        InputKind::Text => raw.to_string(),
    };
    if f.input == InputKind::Select && !f.allow_other && !f.choices.iter().any(|c| c.value == value)
    {
        let list: Vec<String> = f.choices.iter().map(Choice::text).collect();
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
    if let Some(max) = f.effective_max_len() {
        let n = value.chars().count();
        if n > max {
            return Err(FieldError::new(
                &f.id,
                tr!(
                    "{}最长 {} 个字符，现为 {} 个",
                    "{} can be at most {} characters; it has {}",
                    f.label(),
                    max,
                    n
                ),
            ));
        }
    }
    Ok(value)
}

/// A bank as the picker would take it: a name, a code or pinyin initials,
/// resolved against the gateway's list. Gateways that take a code (xxpay) have
/// a closed list: anything else is refused. Gateways that take a name accept a
/// name outside the list (there are thousands of banks), but initials or a
/// partial name must resolve to one bank.
fn resolve_bank(provider: ProviderKind, f: &FieldSpec, raw: &str) -> Result<String, FieldError> {
    let list = banks::for_provider(provider);
    let by_code = f.bank_value == Some(BankValue::Code);
    let resolved = banks::resolve(&list, raw);
    match resolved {
        banks::Resolved::One(b) => Ok(if by_code {
            b.code.unwrap_or_default()
        } else {
            b.name
        }),
        banks::Resolved::Several(v) => {
            if !by_code && v.iter().all(|b| b.name == v[0].name) {
                return Ok(v[0].name.clone());
            }
            Err(FieldError::new(
                &f.id,
                tr!(
                    "{}“{}”可能是多家银行，请写全称或代码：{}",
                    "{} “{}” matches several banks; give the full name or code: {}",
                    f.label(),
                    raw,
                    bank_list(&v)
                ),
            ))
        }
        banks::Resolved::None if !by_code && !raw.is_ascii() => Ok(raw.to_string()),
        banks::Resolved::None => Err(FieldError::new(
            &f.id,
            tr!(
                "{}“{}”不在该网关的银行列表中（可用 paydesk banks 搜索）",
                "{} “{}” is not in this gateway's bank list (search it with paydesk banks)",
                f.label(),
                raw
            ),
        )),
    }
}

impl Choice {
    pub fn label(&self) -> &str {
        match crate::i18n::lang() {
            crate::i18n::Lang::Zh => &self.label_zh,
            crate::i18n::Lang::En => &self.label_en,
        }
    }

    /// `8002 微信扫码支付`: the value, then the label without a repeated
    /// `（8002）` / ` (8002)` some gateways' labels end with.
    pub fn text(&self) -> String {
        let v = &self.value;
        let label = self.label();
        let label = label
            .strip_suffix(&format!("（{v}）"))
            .or_else(|| label.strip_suffix(&format!(" ({v})")))
            .unwrap_or(label);
        format!("{v} {label}")
    }
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
                &[("channel", "8001"), ("account_no", "6222 0202 0011 2233")],
            ))
            .unwrap();
        assert_eq!(fen, 10000);
        assert_eq!(v.get("account_no").unwrap(), "6222020200112233");
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
