//! A batch file's bytes to a grid of text cells: CSV (UTF-8 with or without
//! BOM, or GBK/GB18030) through `csv` + `encoding_rs`, XLSX/XLS through
//! `calamine`. Numbers in spreadsheets are turned to text without rounding; a
//! number Excel already rounded (card numbers typed as numbers) is refused.

use super::RowIssue;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::tr;
use calamine::{Data, Reader};

/// The file as text: the header row and the data rows, each with the row
/// number a spreadsheet program would show.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub header: Vec<String>,
    pub header_row: u32,
    pub rows: Vec<(u32, Vec<String>)>,
    /// Cells that could not be read faithfully (rounded numbers, error cells).
    pub cell_errors: Vec<RowIssue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Spreadsheet,
}

pub fn format_of(file_name: &str, bytes: &[u8]) -> Format {
    let lower = file_name.to_ascii_lowercase();
    // XLSX is a zip ("PK"), XLS a compound document (D0 CF 11 E0).
    if bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        || lower.ends_with(".xlsx")
        || lower.ends_with(".xls")
    {
        Format::Spreadsheet
    } else {
        Format::Csv
    }
}

pub fn read(file_name: &str, bytes: &[u8], sheet: Option<&str>) -> CoreResult<Grid> {
    match format_of(file_name, bytes) {
        Format::Csv => read_csv(bytes),
        Format::Spreadsheet => read_sheet(bytes, sheet),
    }
}

fn file_error(message: String) -> CoreError {
    FieldError::new("file", message).into()
}

/// Decode CSV bytes: a UTF-8 BOM or valid UTF-8 is UTF-8; anything else must
/// decode cleanly as GB18030 (a superset of GBK), or the file is refused
/// rather than garbled.
pub fn decode_text(bytes: &[u8]) -> CoreResult<(String, &'static str)> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), "utf-8-bom"))
            .map_err(|_| {
                file_error(tr!(
                    "文件以 UTF-8 标记开头，但内容不是有效的 UTF-8",
                    "the file starts with a UTF-8 mark but is not valid UTF-8"
                ))
            });
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let enc = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, _, bad) = enc.decode(bytes);
        if !bad {
            return Ok((text.into_owned(), "utf-16"));
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "utf-8"));
    }
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad {
        return Err(file_error(tr!(
            "无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030），请另存为 UTF-8 CSV",
            "the file's encoding is neither UTF-8 nor GBK/GB18030; save it as UTF-8 CSV"
        )));
    }
    Ok((text.into_owned(), "gb18030"))
}

fn read_csv(bytes: &[u8]) -> CoreResult<Grid> {
    let (text, _encoding) = decode_text(bytes)?;
    // Comma unless the header line clearly uses tabs or semicolons.
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first.matches(*d as char).count())
        .filter(|d| first.contains(*d as char))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Grid::default();
    let mut first_row = true;
    // Rows are numbered as a spreadsheet shows them: one per record, from 1.
    for (i, rec) in reader.records().enumerate() {
        let rec =
            rec.map_err(|e| file_error(tr!("CSV 格式错误：{}", "the CSV cannot be read: {}", e)))?;
        let line = i as u32 + 1;
        let cells: Vec<String> = rec.iter().map(|c| c.to_string()).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if first_row {
            grid.header = cells;
            grid.header_row = line;
            first_row = false;
        } else {
            grid.rows.push((line, cells));
        }
    }
    Ok(grid)
}

fn read_sheet(bytes: &[u8], sheet: Option<&str>) -> CoreResult<Grid> {
    let cursor = std::io::Cursor::new(bytes.to_vec());
    let mut book = calamine::open_workbook_auto_from_rs(cursor).map_err(|e| {
        file_error(tr!(
            "无法读取表格文件（仅支持 XLSX/XLS）：{}",
            "cannot read the spreadsheet (XLSX/XLS only): {}",
            e
        ))
    })?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                CoreError::from(FieldError::new(
                    "sheet",
                    tr!(
                        "没有名为“{}”的工作表，可选：{}",
                        "no sheet named “{}”; the sheets are: {}",
                        s,
                        names.join(", ")
                    ),
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| file_error(tr!("表格文件没有工作表", "the workbook has no sheet")))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        file_error(tr!(
            "无法读取工作表“{}”：{}",
            "cannot read sheet “{}”: {}",
            name,
            e
        ))
    })?;
    let start_row = range.start().map(|(r, _)| r).unwrap_or(0);
    let start_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
    let mut grid = Grid::default();
    let mut first_row = true;
    let mut header_len = 0usize;
    for (i, row) in range.rows().enumerate() {
        let row_no = start_row + i as u32 + 1;
        let mut cells: Vec<String> = vec![String::new(); start_col];
        for (j, cell) in row.iter().enumerate() {
            match cell_text(cell) {
                Ok(t) => cells.push(t),
                Err(message) => {
                    cells.push(String::new());
                    let column = if first_row {
                        None
                    } else {
                        grid.header.get(start_col + j).cloned()
                    };
                    grid.cell_errors.push(RowIssue {
                        row: Some(row_no),
                        column,
                        field: None,
                        message,
                    });
                }
            }
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if first_row {
            header_len = cells.len();
            grid.header = cells;
            grid.header_row = row_no;
            first_row = false;
        } else {
            cells.truncate(header_len.max(cells.len()));
            grid.rows.push((row_no, cells));
        }
    }
    Ok(grid)
}

/// The largest integer a double holds exactly enough for a card number:
/// Excel keeps 15 significant digits and rounds the rest.
const EXACT_DIGITS_LIMIT: f64 = 1e15;

fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Float(f) => {
            if f.abs() >= EXACT_DIGITS_LIMIT {
                return Err(tr!(
                    "数字 {} 超过 15 位，Excel 已丢失精度（如卡号），请将该列设为文本格式后重新填写",
                    "the number {} has more than 15 digits and Excel has rounded it (a card number?); format the column as text and type it again",
                    f
                ));
            }
            if f.fract() == 0.0 {
                format!("{f:.0}")
            } else {
                // Shortest text that reads back as the same double: 100.5 stays
                // "100.5"; a value with more than 2 decimals is refused later.
                f.to_string()
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(e) => {
            return Err(tr!(
                "单元格含有错误值 {:?}",
                "the cell holds an error value {:?}",
                e
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_charsets_are_detected_never_garbled() {
        let (gbk, _, _) = encoding_rs::GBK.encode("收款人户名,金额（元）\n张三,100\n");
        let g = read("a.csv", &gbk, None).unwrap();
        assert_eq!(g.header, vec!["收款人户名", "金额（元）"]);
        assert_eq!(
            g.rows,
            vec![(2, vec!["张三".to_string(), "100".to_string()])]
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("户名,金额\n李四,5\n".as_bytes());
        assert_eq!(read("b.csv", &bom, None).unwrap().header[0], "户名");
        assert_eq!(decode_text("ok".as_bytes()).unwrap().1, "utf-8");
        // Bytes that are neither UTF-8 nor GB18030 are refused.
        assert!(decode_text(b"\x81\x20\xff\xfe\x80").is_err());
        // Tab-separated text is read too.
        let t = read("c.csv", "户名\t金额\n王五\t7\n".as_bytes(), None).unwrap();
        assert_eq!(t.rows[0].1, vec!["王五", "7"]);
    }

    #[test]
    fn rounded_card_numbers_are_refused() {
        assert!(cell_text(&Data::Float(6.222020200112233e18)).is_err());
        assert_eq!(cell_text(&Data::Float(300.0)).unwrap(), "300");
        assert_eq!(cell_text(&Data::Float(100.5)).unwrap(), "100.5");
    }
}
