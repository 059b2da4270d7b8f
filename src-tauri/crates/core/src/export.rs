//! Exports of a table the UI shows (orders, arrivals) as CSV or XLSX. The UI
//! decides the columns and their titles (in its language); this module decides
//! how each cell is written so that nothing is lost on the way into a
//! spreadsheet: account numbers stay text (Excel turns a 19-digit number in a
//! CSV into 6.22202E+18), amounts are exact, and no cell runs as a formula.

use crate::error::{CoreError, CoreResult};
use crate::money;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Written as text, whatever it looks like (order and account numbers).
    Text,
    /// An amount: the cell is the integer fen, written as yuan with two decimals.
    Fen,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportColumn {
    pub title: String,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportTable {
    pub columns: Vec<ExportColumn>,
    pub rows: Vec<Vec<Option<String>>>,
}

fn bad(msg: String) -> CoreError {
    CoreError::Internal(msg)
}

impl ExportTable {
    fn check(&self) -> CoreResult<()> {
        for (i, r) in self.rows.iter().enumerate() {
            if r.len() != self.columns.len() {
                return Err(bad(format!(
                    "export row {} has {} cells for {} columns",
                    i + 1,
                    r.len(),
                    self.columns.len()
                )));
            }
        }
        Ok(())
    }

    fn fen(&self, row: usize, col: usize, s: &str) -> CoreResult<i64> {
        s.trim().parse::<i64>().map_err(|_| {
            bad(format!(
                "export row {} column \"{}\": \"{s}\" is not an amount in fen",
                row + 1,
                self.columns[col].title
            ))
        })
    }
}

/// A text cell a spreadsheet would run as a formula gets a leading `'`.
fn inert(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) || s != s.trim() {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV for Excel: UTF-8 with a BOM (so Excel reads Chinese), RFC 4180 quoting,
/// CRLF line ends, formula-looking cells made inert.
pub fn csv(t: &ExportTable) -> CoreResult<Vec<u8>> {
    t.check()?;
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = t
        .columns
        .iter()
        .map(|c| csv_cell(&inert(&c.title)))
        .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (i, row) in t.rows.iter().enumerate() {
        let mut cells = Vec::with_capacity(row.len());
        for (j, cell) in row.iter().enumerate() {
            let text = match (cell, t.columns[j].kind) {
                (None, _) => String::new(),
                (Some(s), ColumnKind::Fen) => money::fen_to_yuan_2dp(t.fen(i, j, s)?),
                (Some(s), ColumnKind::Text) => inert(s),
            };
            cells.push(csv_cell(&text));
        }
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    Ok(out.into_bytes())
}

/// An XLSX workbook with one sheet: text columns are text cells (a 19-digit
/// account number stays exact and is never a formula), amounts are numbers in
/// yuan shown with two decimals so that they can be summed.
pub fn xlsx(t: &ExportTable, sheet: &str) -> CoreResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    t.check()?;
    let err = |e: rust_xlsxwriter::XlsxError| bad(format!("XLSX: {e}"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let head = Format::new().set_bold();
    let yuan = Format::new().set_num_format("#,##0.00");
    for (j, c) in t.columns.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, &c.title, &head)
            .map_err(err)?;
    }
    for (i, row) in t.rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (j, cell) in row.iter().enumerate() {
            let Some(s) = cell else { continue };
            match t.columns[j].kind {
                // An amount below 2^53 fen divided by 100 is the double Excel
                // would hold had someone typed it: exact to the fen on display.
                ColumnKind::Fen => ws
                    .write_number_with_format(r, j as u16, t.fen(i, j, s)? as f64 / 100.0, &yuan)
                    .map_err(err)?,
                ColumnKind::Text => ws.write_string(r, j as u16, s).map_err(err)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofit();
    wb.save_to_buffer().map_err(err)
}

/// Render and write the export where the user chose.
pub fn write(path: &Path, format: ExportFormat, t: &ExportTable) -> CoreResult<()> {
    let bytes = match format {
        ExportFormat::Csv => csv(t)?,
        ExportFormat::Xlsx => xlsx(t, "PayDesk")?,
    };
    std::fs::write(path, bytes).map_err(|e| bad(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn table() -> ExportTable {
        let col = |title: &str, kind| ExportColumn {
            title: title.into(),
            kind,
        };
        ExportTable {
            columns: vec![
                col("商户订单号", ColumnKind::Text),
                col("银行卡号 / 账号", ColumnKind::Text),
                col("收款人", ColumnKind::Text),
                col("金额（元）", ColumnKind::Fen),
            ],
            rows: vec![
                vec![
                    Some("PO1".into()),
                    Some("6222020200112233445".into()),
                    Some("=HYPERLINK(\"http://evil\",\"x\")".into()),
                    Some("123456".into()),
                ],
                vec![
                    Some("PO2".into()),
                    None,
                    Some("张伟".into()),
                    Some("5".into()),
                ],
            ],
        }
    }

    fn part(xlsx: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn xlsx_keeps_account_numbers_as_text_and_amounts_as_numbers() {
        let bytes = xlsx(&table(), "PayDesk").unwrap();
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        let strings = part(&bytes, "xl/sharedStrings.xml");
        // The account number is a shared string, i.e. a text cell: exact.
        assert!(strings.contains("<t>6222020200112233445</t>"), "{strings}");
        assert!(sheet.contains(r#"<c r="B2" t="s""#), "{sheet}");
        // The amount is a number (no t="s"), 1234.56 yuan.
        assert!(
            sheet.contains(r#"<c r="D2" s="2"><v>1234.56</v>"#) || sheet.contains("<v>1234.56</v>"),
            "{sheet}"
        );
        assert!(sheet.contains("<v>0.05</v>"), "{sheet}");
        // A formula-looking payee is text, never a formula.
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert!(strings.contains("HYPERLINK"), "{strings}");
    }

    #[test]
    fn csv_has_bom_quotes_and_inert_formulas() {
        let s = String::from_utf8(csv(&table()).unwrap()).unwrap();
        assert!(s.starts_with('\u{feff}'));
        let lines: Vec<&str> = s.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "商户订单号,银行卡号 / 账号,收款人,金额（元）");
        assert_eq!(
            lines[1],
            "PO1,6222020200112233445,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",1234.56"
        );
        assert_eq!(lines[2], "PO2,,张伟,0.05");
    }

    #[test]
    fn a_ragged_row_or_a_bad_amount_is_refused() {
        let mut t = table();
        t.rows[1].pop();
        assert!(csv(&t).is_err());
        let mut t = table();
        t.rows[0][3] = Some("12.5".into());
        assert!(xlsx(&t, "x").is_err());
    }
}
