//! Which form field each column of a batch file feeds: matched by the
//! field's zh or en label, its id or the gateway's wire name, ignoring case,
//! spaces, a required-mark `*` and a trailing note in parentheses.

use super::RowIssue;
use crate::form::{ids, FormSpec};
use crate::tr;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case", tag = "kind", content = "field")]
pub enum ColumnTarget {
    Amount,
    OrderNo,
    Field(String),
    /// Not a column of this gateway's payout form.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Column {
    pub index: usize,
    pub header: String,
    pub target: ColumnTarget,
}

pub const AMOUNT_ZH: &str = "金额（元）";
pub const AMOUNT_EN: &str = "Amount (yuan)";
pub const ORDER_NO_ZH: &str = "商户订单号（可空）";
pub const ORDER_NO_EN: &str = "Order number (optional)";

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：' | '\u{feff}'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '＿' => '_',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The name without a trailing note in parentheses: `金额(元)` -> `金额`.
fn stem(n: &str) -> &str {
    match (n.find('('), n.ends_with(')')) {
        (Some(i), true) if i > 0 => &n[..i],
        _ => n,
    }
}

fn names_of(form: &FormSpec) -> Vec<(String, ColumnTarget)> {
    let mut names: Vec<(String, ColumnTarget)> = Vec::new();
    for n in [
        AMOUNT_ZH,
        AMOUNT_EN,
        "金额",
        "amount",
        "amount_yuan",
        "金额(元)",
        "付款金额",
        "代付金额",
    ] {
        names.push((norm(n), ColumnTarget::Amount));
    }
    for n in [
        ORDER_NO_ZH,
        ORDER_NO_EN,
        "订单号",
        "商户订单号",
        "order_no",
        "order number",
        "order no",
        "merchant order number",
    ] {
        names.push((norm(n), ColumnTarget::OrderNo));
    }
    if let Some(w) = &form.order_no.wire_name {
        names.push((norm(w), ColumnTarget::OrderNo));
    }
    for f in &form.fields {
        let t = ColumnTarget::Field(f.id.clone());
        names.push((norm(&f.label_zh), t.clone()));
        names.push((norm(&f.label_en), t.clone()));
        names.push((norm(&f.id), t.clone()));
        if let Some(w) = &f.wire_name {
            names.push((norm(w), t.clone()));
        }
    }
    // xxpay4pro's own batch headers.
    let has = |id: &str| form.field(id).is_some();
    if has(ids::PAYEE_NAME) {
        names.push((
            norm("收款银行户名"),
            ColumnTarget::Field(ids::PAYEE_NAME.into()),
        ));
        names.push((norm("户名"), ColumnTarget::Field(ids::PAYEE_NAME.into())));
    }
    if has(ids::ACCOUNT_NO) {
        names.push((
            norm("收款银行账号"),
            ColumnTarget::Field(ids::ACCOUNT_NO.into()),
        ));
        names.push((norm("账号"), ColumnTarget::Field(ids::ACCOUNT_NO.into())));
        names.push((norm("卡号"), ColumnTarget::Field(ids::ACCOUNT_NO.into())));
    }
    names
}

fn target_of(names: &[(String, ColumnTarget)], header: &str) -> ColumnTarget {
    let n = norm(header);
    if n.is_empty() {
        return ColumnTarget::Unknown;
    }
    let find = |key: &str| names.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone());
    find(&n)
        .or_else(|| find(stem(&n)))
        .or_else(|| {
            names
                .iter()
                .find(|(k, _)| stem(k) == stem(&n))
                .map(|(_, t)| t.clone())
        })
        .unwrap_or(ColumnTarget::Unknown)
}

/// Match every header cell. Errors: two columns for one field, a required
/// field with no column, no amount column. Unknown columns are returned as
/// such; the importer refuses them when they hold data.
pub fn match_columns(
    form: &FormSpec,
    header: &[String],
    header_row: u32,
) -> (Vec<Column>, Vec<RowIssue>) {
    let names = names_of(form);
    let mut cols = Vec::with_capacity(header.len());
    let mut errors = Vec::new();
    for (index, h) in header.iter().enumerate() {
        let target = target_of(&names, h);
        if target != ColumnTarget::Unknown {
            if let Some(prev) = cols.iter().find(|c: &&Column| c.target == target) {
                errors.push(RowIssue {
                    row: Some(header_row),
                    column: Some(h.clone()),
                    field: field_id(&target),
                    message: tr!(
                        "“{}”与“{}”是同一字段，请只保留一列",
                        "“{}” and “{}” are the same field; keep one column",
                        h,
                        prev.header
                    ),
                });
                cols.push(Column {
                    index,
                    header: h.clone(),
                    target: ColumnTarget::Unknown,
                });
                continue;
            }
        }
        cols.push(Column {
            index,
            header: h.clone(),
            target,
        });
    }
    let present = |t: &ColumnTarget| cols.iter().any(|c| &c.target == t);
    if !present(&ColumnTarget::Amount) {
        errors.push(RowIssue {
            row: Some(header_row),
            column: None,
            field: Some(ids::AMOUNT.into()),
            message: tr!(
                "文件缺少“{}”列",
                "the file has no “{}” column",
                crate::i18n::tr(AMOUNT_ZH, AMOUNT_EN)
            ),
        });
    }
    for f in &form.fields {
        if f.required
            && f.default.is_none()
            && f.shown_when.is_none()
            && !present(&ColumnTarget::Field(f.id.clone()))
        {
            errors.push(RowIssue {
                row: Some(header_row),
                column: None,
                field: Some(f.id.clone()),
                message: tr!("文件缺少“{}”列", "the file has no “{}” column", f.label()),
            });
        }
    }
    (cols, errors)
}

pub fn field_id(t: &ColumnTarget) -> Option<String> {
    match t {
        ColumnTarget::Amount => Some(ids::AMOUNT.into()),
        ColumnTarget::OrderNo => Some(ids::ORDER_NO.into()),
        ColumnTarget::Field(f) => Some(f.clone()),
        ColumnTarget::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderKind, ProviderKind};
    use crate::services::PayDesk;

    #[test]
    fn headers_match_by_label_id_and_wire_name() {
        let form = PayDesk::form(ProviderKind::Jstpay, OrderKind::Payout).unwrap();
        let payee = form.field(ids::PAYEE_NAME).unwrap().clone();
        let h = |s: &str| s.to_string();
        let header = vec![
            h(&payee.label_zh),
            h(" Account_No "),
            h("金额(元)"),
            h("备注说明X"),
            h("Order number"),
        ];
        let (cols, _errors) = match_columns(&form, &header, 1);
        assert_eq!(cols[0].target, ColumnTarget::Field(ids::PAYEE_NAME.into()));
        assert_eq!(cols[1].target, ColumnTarget::Field(ids::ACCOUNT_NO.into()));
        assert_eq!(cols[2].target, ColumnTarget::Amount);
        assert_eq!(cols[3].target, ColumnTarget::Unknown);
        assert_eq!(cols[4].target, ColumnTarget::OrderNo);
        if let Some(w) = &payee.wire_name {
            let (cols, _) = match_columns(&form, std::slice::from_ref(w), 1);
            assert_eq!(cols[0].target, ColumnTarget::Field(ids::PAYEE_NAME.into()));
        }
        let (cols, _) = match_columns(&form, &[h(&payee.label_en.to_uppercase())], 1);
        assert_eq!(cols[0].target, ColumnTarget::Field(ids::PAYEE_NAME.into()));
    }

    #[test]
    fn a_missing_amount_column_and_a_doubled_field_are_errors() {
        let form = PayDesk::form(ProviderKind::Jstpay, OrderKind::Payout).unwrap();
        let (_, errors) = match_columns(&form, &["payee_name".into(), "payee_name".into()], 1);
        assert!(errors.iter().any(|e| e.field.as_deref() == Some("amount")));
        assert!(errors
            .iter()
            .any(|e| e.field.as_deref() == Some("payee_name")));
    }
}
