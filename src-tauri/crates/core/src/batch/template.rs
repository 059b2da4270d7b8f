//! A batch template per gateway, made from its payout `FormSpec`: one column
//! per field (zh-CN labels; English labels, ids and wire names are accepted
//! on import), the amount in yuan, an optional order-number column when the
//! gateway takes our number, then one example row.

use super::columns::{AMOUNT_EN, AMOUNT_ZH, ORDER_NO_EN, ORDER_NO_ZH};
use crate::banks;
use crate::domain::{OrderKind, ProviderKind};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::form::{ids, BankValue, FieldSpec, FormSpec, InputKind};
use crate::services::PayDesk;
use crate::tr;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateColumn {
    pub header: String,
    pub header_en: String,
    pub field: String,
    pub required: bool,
    pub example: String,
}

fn example(provider: ProviderKind, f: &FieldSpec) -> String {
    if let Some(d) = &f.default {
        return d.clone();
    }
    // Optional fields stay empty in the example (a remark shows the idea).
    if !f.required && f.id != ids::REMARK {
        return String::new();
    }
    let value: String = match f.input {
        InputKind::Select => f
            .choices
            .first()
            .map(|c| c.value.clone())
            .unwrap_or_default(),
        InputKind::Checkbox => "false".into(),
        InputKind::AccountNo => "6222020200112233445".into(),
        InputKind::Bank => {
            let list = banks::for_provider(provider);
            let b = list
                .iter()
                .find(|b| b.name.contains("工商"))
                .or(list.first());
            match (f.bank_value, b) {
                (Some(BankValue::Code), Some(b)) => b.code.clone().unwrap_or_default(),
                (_, Some(b)) => b.name.clone(),
                _ => "中国工商银行".into(),
            }
        }
        InputKind::Text => match f.id.as_str() {
            ids::PAYEE_NAME => "张三".into(),
            ids::BRANCH => "上海分行".into(),
            ids::PROVINCE => "上海市".into(),
            ids::CITY => "上海市".into(),
            ids::REMARK => "工资".into(),
            _ => "示例".into(),
        },
    };
    value
        .chars()
        .take(f.max_len.unwrap_or(usize::MAX))
        .collect()
}

pub fn template_columns(form: &FormSpec) -> Vec<TemplateColumn> {
    let mut cols: Vec<TemplateColumn> = form
        .fields
        .iter()
        .map(|f| TemplateColumn {
            header: f.label_zh.clone(),
            header_en: f.label_en.clone(),
            field: f.id.clone(),
            required: f.required,
            example: example(form.provider, f),
        })
        .collect();
    cols.push(TemplateColumn {
        header: AMOUNT_ZH.into(),
        header_en: AMOUNT_EN.into(),
        field: ids::AMOUNT.into(),
        required: true,
        example: "100.00".into(),
    });
    if form.order_no.sent {
        cols.push(TemplateColumn {
            header: ORDER_NO_ZH.into(),
            header_en: ORDER_NO_EN.into(),
            field: ids::ORDER_NO.into(),
            required: false,
            example: String::new(),
        });
    }
    cols
}

/// Write the template for a profile's gateway to `out` (`.xlsx` or `.csv`).
pub fn write_template(provider: ProviderKind, out: &Path) -> CoreResult<Vec<TemplateColumn>> {
    let form = PayDesk::form(provider, OrderKind::Payout)?;
    let cols = template_columns(&form);
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" => write_xlsx(&cols, out)?,
        "csv" => {
            let mut w = csv_writer();
            w.write_record(cols.iter().map(|c| c.header.as_str()))
                .and_then(|_| w.write_record(cols.iter().map(|c| c.example.as_str())))
                .map_err(io_error)?;
            std::fs::write(out, csv_bytes(w)?).map_err(io_error)?;
        }
        _ => {
            return Err(FieldError::new(
                "out",
                tr!(
                    "模板文件名应以 .xlsx 或 .csv 结尾",
                    "the template file name must end in .xlsx or .csv"
                ),
            )
            .into())
        }
    }
    Ok(cols)
}

pub(super) fn io_error(e: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(tr!("无法写入文件：{}", "cannot write the file: {}", e))
}

pub(super) fn csv_writer() -> csv::Writer<Vec<u8>> {
    // A BOM first: Excel then reads the file as UTF-8 instead of the locale's code page.
    let mut buf = Vec::new();
    buf.extend_from_slice(b"\xEF\xBB\xBF");
    csv::WriterBuilder::new().from_writer(buf)
}

pub(super) fn csv_bytes(w: csv::Writer<Vec<u8>>) -> CoreResult<Vec<u8>> {
    w.into_inner().map_err(io_error)
}

fn write_xlsx(cols: &[TemplateColumn], out: &Path) -> CoreResult<()> {
    use rust_xlsxwriter::{Format, Note, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("代付").map_err(io_error)?;
    let bold = Format::new().set_bold();
    // Every column is text: card numbers keep all their digits, amounts their zeros.
    let text = Format::new().set_num_format("@");
    for (i, c) in cols.iter().enumerate() {
        let col = i as u16;
        sheet
            .set_column_format(col, &text)
            .and_then(|s| s.set_column_width(col, 18))
            .map_err(io_error)?;
        sheet
            .write_string_with_format(0, col, &c.header, &bold)
            .map_err(io_error)?;
        let note = format!("{}{}", c.header_en, if c.required { " *" } else { "" });
        sheet
            .insert_note(0, col, &Note::new(note).set_author("PayDesk"))
            .map_err(io_error)?;
        sheet
            .write_string_with_format(1, col, &c.example, &text)
            .map_err(io_error)?;
    }
    book.save(out).map_err(io_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::OrderInput;

    /// The example row of every gateway's template passes its own form.
    #[test]
    fn every_template_example_is_a_valid_payout() {
        for p in ProviderKind::ALL {
            let Ok(form) = PayDesk::form(p, OrderKind::Payout) else {
                continue;
            };
            let cols = template_columns(&form);
            assert!(cols.iter().any(|c| c.field == ids::AMOUNT));
            let mut input = OrderInput::default();
            for c in &cols {
                match c.field.as_str() {
                    ids::AMOUNT => input.amount = c.example.clone(),
                    ids::ORDER_NO => {}
                    f => {
                        if !c.example.is_empty() {
                            input.values.insert(f.to_string(), c.example.clone());
                        }
                    }
                }
            }
            form.validate(&input)
                .unwrap_or_else(|e| panic!("{p:?}: the example row is refused: {e}"));
            assert_eq!(
                cols.len(),
                form.fields.len() + 1 + form.order_no.sent as usize
            );
        }
    }
}
