//! Import: read the file, match its columns, validate every row with the
//! single-payout rules, check the clerk's control totals, duplicates, order
//! numbers and the same file imported twice, then store the batch (runnable
//! as `draft`, or `invalid` with every error at once).

use super::columns::{self, ColumnTarget};
use super::store::{self as bstore, NewBatch, NewRow};
use super::{approval, read, Batch, BatchState, BatchWarning, RowIssue, RowStatus, MAX_ROWS};
use crate::domain::OrderKind;
use crate::error::{CoreResult, FieldError};
use crate::form::{ids, FormSpec, OrderInput};
use crate::gateway::OrderParams;
use crate::services::PayDesk;
use crate::store::now_ms;
use crate::{money, order_no, tr};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The file's name (its extension picks CSV or spreadsheet when the bytes
    /// do not); `import_file` takes it from the path when empty.
    pub file_name: String,
    pub sheet: Option<String>,
    pub expect_count: Option<u32>,
    /// Yuan, as typed.
    pub expect_total: Option<String>,
    /// Every duplicate group accepted (the CLI's `--allow-duplicates`).
    pub allow_duplicates: bool,
    /// Duplicate groups accepted one by one, by their warning's `key` (the
    /// review screen's checkbox per group).
    pub accepted_duplicates: Vec<String>,
    pub allow_same_file: bool,
}

struct Parsed {
    row: u32,
    cells: Vec<String>,
    amount_fen: Option<i64>,
    values: BTreeMap<String, String>,
    order_no: Option<String>,
    errors: Vec<RowIssue>,
}

/// A duplicate group's key: the same account and amount give the same key
/// when the file is imported again, so an acceptance carries over.
pub fn duplicate_key(account: &str, amount_fen: i64) -> String {
    format!("dup:{account}:{amount_fen}")
}

/// Shanghai calendar day [start, end) containing `ms` (the daily limits' day).
fn shanghai_day(ms: i64) -> (i64, i64) {
    let day = 86_400_000i64;
    let offset = 8 * 3_600_000i64;
    let start = (ms + offset).div_euclid(day) * day - offset;
    (start, start + day)
}

/// `import` of the file at `path` (the CLI's and the app's import): its
/// bytes, and its name unless `opts` gives one.
pub async fn import_file(
    desk: &PayDesk,
    profile: &str,
    path: &std::path::Path,
    opts: &ImportOptions,
) -> CoreResult<Batch> {
    let bytes = std::fs::read(path).map_err(|e| {
        FieldError::new(
            "file",
            tr!(
                "无法读取文件 {}：{}",
                "cannot read {}: {}",
                path.display(),
                e
            ),
        )
    })?;
    let mut opts = opts.clone();
    if opts.file_name.is_empty() {
        opts.file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    import(desk, profile, &bytes, &opts).await
}

pub async fn import(
    desk: &PayDesk,
    profile: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> CoreResult<Batch> {
    let p = desk.store.profile(profile).await?;
    let form = PayDesk::form(p.provider, OrderKind::Payout)?;
    let expect_total = match opts.expect_total.as_deref() {
        Some(t) => Some(money::parse_yuan("expect_total", t)?),
        None => None,
    };
    let grid = read::read(&opts.file_name, bytes, opts.sheet.as_deref())?;
    if grid.header.is_empty() || grid.rows.is_empty() {
        return Err(FieldError::new(
            "file",
            tr!(
                "文件没有数据行（第一行应为表头，其下每行一笔）",
                "the file has no data rows (the first row is the header, then one payout per row)"
            ),
        )
        .into());
    }
    if grid.rows.len() > MAX_ROWS {
        return Err(FieldError::new(
            "file",
            tr!(
                "一个批次最多 {} 行，此文件有 {} 行，请拆分后导入",
                "a batch holds at most {} rows and this file has {}; split it",
                MAX_ROWS,
                grid.rows.len()
            ),
        )
        .into());
    }
    let hash = hex::encode(Sha256::digest(bytes));
    let now = now_ms();
    let (cols, mut errors) = columns::match_columns(&form, &grid.header, grid.header_row);
    errors.extend(grid.cell_errors.iter().cloned());
    let mut warnings: Vec<BatchWarning> = Vec::new();

    // Unknown columns: refused when they hold anything (nothing typed is
    // silently dropped), merely reported when empty.
    for c in cols.iter().filter(|c| c.target == ColumnTarget::Unknown) {
        let used: Vec<u32> = grid
            .rows
            .iter()
            .filter(|(_, cells)| cells.get(c.index).is_some_and(|v| !v.trim().is_empty()))
            .map(|(r, _)| *r)
            .collect();
        let name = if c.header.trim().is_empty() {
            tr!("第 {} 列（无表头）", "column {} (no header)", c.index + 1)
        } else {
            c.header.clone()
        };
        if used.is_empty() {
            warnings.push(BatchWarning {
                kind: "empty_column".into(),
                key: None,
                rows: vec![],
                message: tr!(
                    "列“{}”不是该网关代付表单的字段，且为空，已忽略",
                    "column “{}” is not a field of this gateway's payout form and is empty: ignored",
                    name
                ),
                accepted: true,
            });
        } else if !errors
            .iter()
            .any(|e| e.column.as_deref() == Some(c.header.as_str()))
        {
            let known: Vec<String> = form.fields.iter().map(|f| f.label().to_string()).collect();
            errors.push(RowIssue {
                row: Some(grid.header_row),
                column: Some(name.clone()),
                field: None,
                message: tr!(
                    "列“{}”不是该网关代付表单的字段（第 {} 行等有内容）；可用的列：{}、金额（元）、商户订单号",
                    "column “{}” is not a field of this gateway's payout form (it has values, e.g. row {}); the columns are: {}, Amount (yuan), Order number",
                    name,
                    used[0],
                    known.join(if crate::i18n::lang() == crate::i18n::Lang::Zh { "、" } else { ", " })
                ),
            });
        }
    }

    let header_of = |field: &str| -> Option<String> {
        cols.iter()
            .find(|c| columns::field_id(&c.target).as_deref() == Some(field))
            .map(|c| c.header.clone())
    };
    let amount_header = header_of(ids::AMOUNT);
    let order_no_max = form.order_no.max_len.min(order_no::MAX_LEN);
    let gw = PayDesk::gateway(p.provider);
    let mut parsed: Vec<Parsed> = Vec::with_capacity(grid.rows.len());
    for (row, cells) in &grid.rows {
        parsed.push(validate_row(
            &form,
            gw,
            &cols,
            *row,
            cells,
            amount_header.as_deref(),
            order_no_max,
            &header_of,
            now,
        ));
    }

    // Control totals, over every row of the file.
    let count = parsed.len() as u32;
    let total_fen: i64 = parsed.iter().filter_map(|r| r.amount_fen).sum();
    if let Some(n) = opts.expect_count {
        if n != count {
            errors.push(RowIssue {
                row: None,
                column: None,
                field: Some("expect_count".into()),
                message: tr!(
                    "行数不符：您填写 {} 笔，文件中有 {} 笔",
                    "row count mismatch: you expect {} rows, the file has {}",
                    n,
                    count
                ),
            });
        }
    }
    if let Some(t) = expect_total {
        if t != total_fen {
            errors.push(RowIssue {
                row: None,
                column: None,
                field: Some("expect_total".into()),
                message: tr!(
                    "总金额不符：您填写 {}，文件合计 {}",
                    "total mismatch: you expect {}, the file adds up to {}",
                    money::format_cny(t),
                    money::format_cny(total_fen)
                ),
            });
        }
    }

    // Order numbers typed in the file: unique in the file, new to the history
    // of this profile and of every live profile the gateway sees as the same
    // merchant (same gateway and merchant id), as a single create checks.
    let same_merchant: HashSet<String> = desk
        .store
        .profiles()
        .await?
        .into_iter()
        .filter(|o| o.provider == p.provider && o.gateway.merchant_id == p.gateway.merchant_id)
        .map(|o| o.id)
        .chain([p.id.clone()])
        .collect();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for r in parsed.iter_mut() {
        let Some(no) = r.order_no.clone() else {
            continue;
        };
        if let Some(first) = seen.get(&no) {
            r.errors.push(RowIssue {
                row: Some(r.row),
                column: header_of(ids::ORDER_NO),
                field: Some(ids::ORDER_NO.into()),
                message: tr!(
                    "订单号 {} 与第 {} 行重复",
                    "order number {} repeats row {}",
                    no,
                    first
                ),
            });
            continue;
        }
        seen.insert(no.clone(), r.row);
        let held = desk
            .store
            .find_orders(&no, None)
            .await?
            .into_iter()
            .find(|o| o.order_no == no && same_merchant.contains(&o.profile_id));
        if let Some(o) = held {
            r.errors.push(RowIssue {
                row: Some(r.row),
                column: header_of(ids::ORDER_NO),
                field: Some(ids::ORDER_NO.into()),
                message: if o.profile_id == p.id {
                    tr!(
                        "订单号 {} 已在订单历史中",
                        "order number {} is already in the order history",
                        no
                    )
                } else {
                    tr!(
                        "订单号 {} 已被同一网关、同一商户号的商户配置“{}”使用，网关会视为重复订单",
                        "order number {} is already used by profile “{}” on the same gateway and merchant id; the gateway would take it as a duplicate",
                        no,
                        o.profile
                    )
                },
            });
        }
    }
    let typed: Vec<&str> = seen.keys().map(String::as_str).collect();
    let taken: HashSet<String> = bstore::taken_order_nos(&desk.store, &typed)
        .await?
        .into_iter()
        .collect();
    for r in parsed.iter_mut() {
        if let Some(no) = r.order_no.as_ref().filter(|n| taken.contains(*n)) {
            r.errors.push(RowIssue {
                row: Some(r.row),
                column: header_of(ids::ORDER_NO),
                field: Some(ids::ORDER_NO.into()),
                message: tr!(
                    "订单号 {} 已在另一个批次中",
                    "order number {} is already in another batch",
                    no
                ),
            });
        }
    }

    // A per-day ceiling (juyouke) covers the whole batch and the day's history.
    if let Some(daily) = form.amount.daily_max_fen {
        let (from, to) = shanghai_day(now);
        let used = desk
            .store
            .sum_amount(&p.id, OrderKind::Payout, from, to)
            .await?;
        let mut running = 0i64;
        for r in parsed.iter_mut().filter(|r| r.errors.is_empty()) {
            let a = r.amount_fen.unwrap_or(0);
            if used + running + a > daily {
                r.errors.push(RowIssue {
                    row: Some(r.row),
                    column: amount_header.clone(),
                    field: Some(ids::AMOUNT.into()),
                    message: tr!(
                        "超过该网关每日上限 {}：今日已提交 {}，本文件此前各行合计 {}",
                        "over this gateway's daily limit of {}: {} already sent today and {} in the rows above",
                        money::format_cny(daily),
                        money::format_cny(used),
                        money::format_cny(running)
                    ),
                });
            } else {
                running += a;
            }
        }
    }

    // Same account and amount twice: a warning the clerk must accept.
    let mut groups: BTreeMap<(String, i64), Vec<u32>> = BTreeMap::new();
    for r in parsed.iter().filter(|r| r.errors.is_empty()) {
        let account = r.values.get(ids::ACCOUNT_NO).cloned().unwrap_or_default();
        groups
            .entry((account, r.amount_fen.unwrap_or(0)))
            .or_default()
            .push(r.row);
    }
    let mut unaccepted: Vec<String> = Vec::new();
    for ((account, amount), rows) in groups.into_iter().filter(|(_, v)| v.len() > 1) {
        let key = duplicate_key(&account, amount);
        let accepted = opts.allow_duplicates || opts.accepted_duplicates.contains(&key);
        let list: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        if !accepted {
            unaccepted.push(list.join(", "));
        }
        warnings.push(BatchWarning {
            kind: "duplicate".into(),
            key: Some(key),
            message: if account.is_empty() {
                tr!(
                    "第 {} 行金额相同（{}）",
                    "rows {} have the same amount ({})",
                    list.join(", "),
                    money::format_cny(amount)
                )
            } else {
                tr!(
                    "第 {} 行收款账号（{}）和金额（{}）相同",
                    "rows {} have the same account ({}) and amount ({})",
                    list.join(", "),
                    account,
                    money::format_cny(amount)
                )
            },
            rows,
            accepted,
        });
    }
    if !unaccepted.is_empty() {
        errors.push(RowIssue {
            row: None,
            column: None,
            field: Some("allow_duplicates".into()),
            message: tr!(
                "有 {} 组收款账号和金额都相同的行未确认（第 {} 行）；确认无误请逐组勾选接受（--allow-duplicates 接受全部）",
                "{} groups of rows with the same account and amount are not accepted (rows {}); accept each group explicitly if it is right (--allow-duplicates accepts all)",
                unaccepted.len(),
                unaccepted.join("; ")
            ),
        });
    }

    // The same bytes imported before.
    let earlier = bstore::same_file(&desk.store, &hash).await?;
    if let Some((id, at)) = earlier.first() {
        warnings.push(BatchWarning {
            kind: "same_file".into(),
            key: None,
            rows: vec![],
            message: tr!(
                "同一文件已于 {} 导入为批次 {}",
                "the same file was imported on {} as batch {}",
                crate::store::format_time_ms(*at),
                id
            ),
            accepted: opts.allow_same_file,
        });
        if !opts.allow_same_file {
            errors.push(RowIssue {
                row: None,
                column: None,
                field: Some("allow_same_file".into()),
                message: tr!(
                    "此文件已导入过（批次 {}）；确需再次导入请明确确认（--allow-same-file）",
                    "this file was imported before (batch {}); confirm explicitly to import it again (--allow-same-file)",
                    id
                ),
            });
        }
    }

    // Order numbers for the rows that have none: assigned now, before
    // anything is sent, so a resumed run finds each row's order by number.
    let mut used_nos: HashSet<String> = seen.keys().cloned().collect();
    let mut rows = Vec::with_capacity(parsed.len());
    let mut valid_rows = 0u32;
    for r in parsed {
        let valid = r.errors.is_empty();
        let order_no = match (&r.order_no, valid) {
            (Some(n), _) => n.clone(),
            (None, true) => loop {
                let n = order_no::generate(OrderKind::Payout, now);
                if used_nos.insert(n.clone()) {
                    break n;
                }
            },
            (None, false) => String::new(),
        };
        valid_rows += valid as u32;
        rows.push(NewRow {
            row: r.row,
            order_no,
            amount_fen: r.amount_fen.unwrap_or(0),
            fields: r.values,
            cells: r.cells,
            status: if valid {
                RowStatus::Queued
            } else {
                RowStatus::Invalid
            },
            message: r.errors.first().map(|e| e.message.clone()),
        });
        errors.extend(r.errors);
    }
    errors.sort_by_key(|e| e.row.map(|r| r as i64).unwrap_or(-1));
    // Team mode: a row at or above the threshold puts the whole batch
    // before a checker (one whose warnings are still open cannot run anyway).
    let state = if !errors.is_empty() {
        BatchState::Invalid
    } else if warnings.iter().all(|w| w.accepted)
        && approval::any_needs_approval(
            desk,
            &p,
            rows.iter()
                .filter(|r| r.status == RowStatus::Queued)
                .map(|r| r.amount_fen),
        )
    {
        BatchState::AwaitingApproval
    } else {
        BatchState::Draft
    };
    let id = bstore::insert(
        &desk.store,
        &NewBatch {
            profile_uuid: &p.id,
            profile_name: &p.name,
            provider: p.provider,
            file_name: &opts.file_name,
            file_hash: &hash,
            state,
            rows: count,
            valid_rows,
            total_fen,
            columns: &grid.header,
            errors: &errors,
            warnings: &warnings,
            created_by: desk.os_user(),
            at: now,
        },
        &rows,
    )
    .await?;
    desk.store
        .audit(
            desk.os_user(),
            "batch.import",
            Some(&format!("batch {id}")),
            Some(&format!(
                "{} {} rows {} {}",
                p.name,
                count,
                money::fen_to_yuan_2dp(total_fen),
                state.as_str()
            )),
        )
        .await?;
    let mut batch = bstore::batch(&desk.store, id).await?;
    if state == BatchState::AwaitingApproval {
        approval::audit_submit(desk, &batch).await?;
    }
    batch.counts = bstore::counts(&desk.store, id).await?;
    Ok(batch)
}

#[allow(clippy::too_many_arguments)]
fn validate_row(
    form: &FormSpec,
    gw: &dyn crate::gateway::Gateway,
    cols: &[columns::Column],
    row: u32,
    cells: &[String],
    amount_header: Option<&str>,
    order_no_max: usize,
    header_of: &dyn Fn(&str) -> Option<String>,
    now: i64,
) -> Parsed {
    let mut out = Parsed {
        row,
        cells: cells.to_vec(),
        amount_fen: None,
        values: BTreeMap::new(),
        order_no: None,
        errors: Vec::new(),
    };
    let issue = |field: &str, column: Option<String>, message: String| RowIssue {
        row: Some(row),
        column,
        field: Some(field.to_string()),
        message,
    };
    let mut amount_text = String::new();
    for c in cols {
        let v = cells.get(c.index).map(|s| s.trim()).unwrap_or("");
        match &c.target {
            ColumnTarget::Amount => amount_text = v.to_string(),
            ColumnTarget::OrderNo if !v.is_empty() => {
                match order_no::check(ids::ORDER_NO, v, order_no_max) {
                    Ok(n) => out.order_no = Some(n),
                    Err(e) => {
                        out.errors
                            .push(issue(ids::ORDER_NO, Some(c.header.clone()), e.message))
                    }
                }
            }
            ColumnTarget::Field(f) if !v.is_empty() => {
                out.values.insert(f.clone(), v.to_string());
            }
            _ => {}
        }
    }
    if cells.len() > cols.len() && cells[cols.len()..].iter().any(|c| !c.trim().is_empty()) {
        out.errors.push(RowIssue {
            row: Some(row),
            column: None,
            field: None,
            message: tr!(
                "此行在表头之外的列中有内容",
                "this row has values in columns beyond the header"
            ),
        });
    }
    // The amount on its own, then the other fields with a stand-in amount,
    // so one row can report both kinds of mistake.
    let amount = money::parse_yuan(ids::AMOUNT, &amount_text)
        .and_then(|fen| form.check_amount(fen).map(|_| fen));
    match amount {
        Ok(fen) => out.amount_fen = Some(fen),
        Err(e) => {
            if let Ok(fen) = money::parse_yuan(ids::AMOUNT, &amount_text) {
                out.amount_fen = Some(fen);
            }
            out.errors.push(issue(
                ids::AMOUNT,
                amount_header.map(String::from),
                e.message,
            ));
        }
    }
    let stand_in = money::fen_to_yuan_2dp(
        out.amount_fen.filter(|_| out.errors.is_empty()).unwrap_or(
            form.amount
                .min_fen
                .max(if form.amount.whole_yuan { 100 } else { 1 }),
        ),
    );
    let input = OrderInput {
        amount: stand_in,
        order_no: None,
        values: out.values.clone(),
    };
    match form.validate(&input) {
        Ok((fen, values)) => {
            out.values = values;
            if out.errors.is_empty() {
                let params = OrderParams {
                    kind: OrderKind::Payout,
                    order_no: out.order_no.clone().unwrap_or_else(|| "PDCHECK".into()),
                    amount_fen: fen,
                    values: out.values.clone(),
                    provider_order_id: None,
                    created_at_ms: now,
                };
                if let Err(e) = gw.check(&params) {
                    let column = if e.field == ids::AMOUNT {
                        amount_header.map(String::from)
                    } else {
                        header_of(&e.field)
                    };
                    out.errors.push(issue(&e.field, column, e.message));
                }
            }
        }
        Err(e) => {
            let column = header_of(&e.field);
            out.errors.push(issue(&e.field, column, e.message));
        }
    }
    out
}
