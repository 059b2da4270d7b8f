//! Results export: the file's own columns, then each row's outcome. CSV with
//! a BOM and formula-safe cells; XLSX with every cell written as text.

use super::template::{csv_bytes, csv_writer, io_error};
use super::{show, BatchRow, RowStatus};
use crate::error::{CoreResult, FieldError};
use crate::services::PayDesk;
use crate::{money, tr};
use std::path::Path;

fn status_label(s: RowStatus) -> String {
    match s {
        RowStatus::Invalid => tr!("无效", "invalid"),
        RowStatus::Queued => tr!("未发送", "not sent"),
        RowStatus::Sending => tr!("发送中", "sending"),
        RowStatus::Pending => tr!("待处理", "pending"),
        RowStatus::Processing => tr!("处理中", "processing"),
        RowStatus::Succeeded => tr!("成功", "succeeded"),
        RowStatus::Failed => tr!("失败", "failed"),
        RowStatus::Unknown => tr!("结果未知", "unknown"),
        RowStatus::Cancelled => tr!("已取消", "cancelled"),
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR)
/// is prefixed with `'`, so opening the export never executes file content
/// or gateway text.
pub fn formula_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn outcome_header() -> Vec<String> {
    vec![
        tr!("行号", "Row"),
        tr!("状态", "Status"),
        tr!("状态代码", "Status code"),
        tr!("商户订单号", "Order number"),
        tr!("金额（元）", "Amount (yuan)"),
        tr!("网关订单号", "Gateway order id"),
        tr!("说明", "Message"),
    ]
}

fn outcome(r: &BatchRow) -> Vec<String> {
    vec![
        r.row.to_string(),
        status_label(r.status),
        r.status.as_str().to_string(),
        r.order_no.clone(),
        money::fen_to_yuan_2dp(r.amount_fen),
        r.provider_order_id.clone().unwrap_or_default(),
        r.message.clone().unwrap_or_default(),
    ]
}

/// Write batch `id`'s results to `out` (`.csv` or `.xlsx`). Returns the row count.
pub async fn export(desk: &PayDesk, id: i64, out: &Path) -> CoreResult<usize> {
    let d = show(desk, id).await?;
    let width = d.batch.columns.len();
    let mut header: Vec<String> = d.batch.columns.clone();
    header.extend(outcome_header());
    let lines: Vec<Vec<String>> = d
        .rows
        .iter()
        .map(|r| {
            let mut cells = r.cells.clone();
            cells.resize(width.max(cells.len()), String::new());
            cells.truncate(width);
            cells.extend(outcome(r));
            cells
        })
        .collect();
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => {
            let mut w = csv_writer();
            for line in std::iter::once(&header).chain(lines.iter()) {
                w.write_record(line.iter().map(|c| formula_safe(c)))
                    .map_err(io_error)?;
            }
            std::fs::write(out, csv_bytes(w)?).map_err(io_error)?;
        }
        "xlsx" => {
            use rust_xlsxwriter::{Format, Workbook};
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            let bold = Format::new().set_bold();
            for (j, h) in header.iter().enumerate() {
                sheet
                    .write_string_with_format(0, j as u16, h, &bold)
                    .map_err(io_error)?;
            }
            for (i, line) in lines.iter().enumerate() {
                for (j, c) in line.iter().enumerate() {
                    // Strings only: nothing in a cell is ever a formula.
                    sheet
                        .write_string(i as u32 + 1, j as u16, c)
                        .map_err(io_error)?;
                }
            }
            book.save(out).map_err(io_error)?;
        }
        _ => {
            return Err(FieldError::new(
                "out",
                tr!(
                    "导出文件名应以 .csv 或 .xlsx 结尾",
                    "the export file name must end in .csv or .xlsx"
                ),
            )
            .into())
        }
    }
    super::audit(desk, "batch.export", id).await?;
    Ok(lines.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(formula_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(formula_safe("+1"), "'+1");
        assert_eq!(formula_safe("-1"), "'-1");
        assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(formula_safe("张三"), "张三");
        assert_eq!(formula_safe("100.00"), "100.00");
    }
}
