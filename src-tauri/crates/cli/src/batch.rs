//! `paydesk batch ...`: batch payouts from a file (issue 11). Thin calls into
//! `paydesk_core::batch`; `--json` prints one document, errors as today.

use crate::output::Out;
use crate::{Failure, Res};
use clap::{Args, Subcommand};
use paydesk_core::batch::{self, Batch, BatchProgress, BatchState, ImportOptions, RunOptions};
use paydesk_core::money::format_cny;
use paydesk_core::services::PayDesk;
use paydesk_core::store::format_time_ms;
use paydesk_core::tr;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum BatchCmd {
    /// Write a template (.xlsx or .csv) with the columns of a profile's payout form.
    Template {
        /// Profile whose payout form gives the columns.
        #[arg(long)]
        profile: String,
        /// File to write (.xlsx or .csv).
        #[arg(long)]
        out: PathBuf,
    },
    /// Import and validate a file (CSV in UTF-8 or GBK, XLSX, XLS).
    Import(ImportArgs),
    /// Run (or resume) a batch; exits 0 when every row reached a state.
    Run {
        /// Batch id.
        id: i64,
        /// Rows sent at the same time (default 4).
        #[arg(long, default_value_t = batch::DEFAULT_CONCURRENCY)]
        concurrency: usize,
    },
    /// A batch with its rows.
    Show {
        /// Batch id.
        id: i64,
    },
    /// Batches, newest first.
    List {
        /// How many batches.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Export the results (.csv or .xlsx).
    Export {
        /// Batch id.
        id: i64,
        /// File to write (.csv or .xlsx).
        #[arg(long)]
        out: PathBuf,
    },
    /// Cancel: rows not yet sent are never sent.
    Cancel {
        /// Batch id.
        id: i64,
    },
}

#[derive(Args)]
pub struct ImportArgs {
    /// The file to import.
    file: PathBuf,
    /// Profile the payouts are sent from.
    #[arg(long)]
    profile: String,
    /// Sheet of a workbook (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// The row count the file must have.
    #[arg(long)]
    expect_count: Option<u32>,
    /// The total the rows must add up to, in yuan.
    #[arg(long)]
    expect_total: Option<String>,
    /// Accept rows with the same account and amount.
    #[arg(long)]
    allow_duplicates: bool,
    /// Accept a file imported before.
    #[arg(long)]
    allow_same_file: bool,
}

/// Exit status of `import` for a batch that cannot run, and of `run` for a
/// batch that stopped before every row reached a state (paused).
const EXIT_NOT_RUNNABLE: u8 = 2;
const EXIT_PAUSED: u8 = 5;

fn batch_json(b: &Batch) -> Value {
    serde_json::to_value(b).unwrap_or(Value::Null)
}

fn stopped(code: &str, message: String, exit: u8) -> Failure {
    Failure::new(code, message, exit)
}

pub(crate) fn print_batch_human(b: &Batch) {
    println!(
        "{} {}  {}  {}  {}",
        tr!("批次", "batch"),
        b.id,
        b.profile,
        b.state.as_str(),
        b.file_name
    );
    println!(
        "  {} {}/{}  {} {}（{}）",
        tr!("有效行", "valid rows"),
        b.valid_rows,
        b.rows,
        tr!("合计", "total"),
        b.total_text,
        b.total_capital
    );
    for (s, n) in &b.counts {
        println!("  {s:<11} {n}");
    }
    if b.state == BatchState::AwaitingApproval {
        println!("  {}", awaiting_hint(b));
    } else if let Some(r) = &b.pause_reason {
        println!("  {} {r}", tr!("暂停原因", "paused:"));
    }
    for w in &b.warnings {
        let mark = if w.accepted { "✓" } else { "!" };
        println!("  {mark} {}", w.message);
    }
    for e in &b.errors {
        let row = e
            .row
            .map(|r| tr!("第 {} 行", "row {}", r))
            .unwrap_or_else(|| tr!("文件", "file"));
        let col = e
            .column
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        println!("  ✗ {row}{col}: {}", e.message);
    }
}

/// The progress line on stderr (humans only).
pub(crate) fn progress(out: &Out) -> impl Fn(&BatchProgress) + Send + Sync {
    let human = !out.json;
    move |p: &BatchProgress| {
        if human {
            progress_line(p);
        }
    }
}

/// After a run (`batch run`, `approve --batch`): the batch as it stands, and
/// exit 0 only when every row reached a state.
pub(crate) async fn report_run(desk: &PayDesk, b: &Batch, out: &Out) -> Res {
    if !out.json {
        eprintln!();
    }
    let detail = batch::show(desk, b.id).await?;
    if out.json {
        out.message("", show_json(&detail));
    } else {
        print_batch_human(&detail.batch);
    }
    let (code, reason) = match detail.batch.state {
        BatchState::Done | BatchState::Cancelled => return Ok(()),
        // Team mode: submitted by this run, nothing sent.
        BatchState::AwaitingApproval => ("awaiting_approval", awaiting_hint(&detail.batch)),
        _ => (
            "paused",
            detail
                .batch
                .pause_reason
                .clone()
                .unwrap_or_else(|| tr!("批次未完成", "the batch did not finish")),
        ),
    };
    if out.json {
        eprintln!("{} {reason}", tr!("错误：", "error:"));
        exit_now(EXIT_PAUSED as i32);
    }
    Err(stopped(code, reason, EXIT_PAUSED))
}

/// Why a batch awaits approval: its note when it has one (a desk without
/// the key, a threshold changed during the run), else the threshold.
fn awaiting_hint(b: &Batch) -> String {
    let id = b.id;
    if let Some(why) = &b.pause_reason {
        return tr!(
            "批次 {} 待审批：{}。须由另一位复核人审批（paydesk approve --batch {}），审批前不再发送任何一行",
            "batch {} awaits approval: {}. Another checker must approve it (paydesk approve --batch {}); no further row is sent before that",
            id,
            why,
            id
        );
    }
    tr!(
        "批次 {} 含达到审批阈值的代付，已提交审批：须由另一位复核人审批（paydesk approve --batch {}），审批前不会发送任何一行",
        "batch {} has a payout at or above the approval threshold and was submitted for approval: another checker must approve it (paydesk approve --batch {}); no row is sent before that",
        id,
        id
    )
}

fn progress_line(p: &BatchProgress) {
    let eta = p
        .eta_seconds
        .map(|s| tr!("，约剩 {} 秒", ", about {} s left", s))
        .unwrap_or_default();
    eprint!(
        "\r{} {}/{}  {} {}  {} {}  {} {}  {} {}  {:.1}/s{}   ",
        tr!("已发送", "sent"),
        p.sent,
        p.total,
        tr!("成功", "ok"),
        p.succeeded,
        tr!("失败", "failed"),
        p.failed,
        tr!("未知", "unknown"),
        p.unknown,
        tr!("金额", "amount"),
        format_cny(p.amount_sent_fen),
        p.rate,
        eta
    );
    let _ = std::io::stderr().flush();
}

pub async fn run(desk: &PayDesk, cmd: BatchCmd, out: &Out) -> Res {
    match cmd {
        BatchCmd::Template { profile, out: path } => {
            let p = desk.profile(&profile).await?;
            let cols = batch::write_template(p.profile.provider, &path)?;
            out.message(
                &tr!(
                    "已写入模板 {}（{} 列）",
                    "template written to {} ({} columns)",
                    path.display(),
                    cols.len()
                ),
                json!({"template": {
                    "profile": p.profile.name,
                    "provider": p.profile.provider,
                    "out": path,
                    "columns": cols,
                }}),
            );
            Ok(())
        }
        BatchCmd::Import(a) => {
            let opts = ImportOptions {
                sheet: a.sheet,
                expect_count: a.expect_count,
                expect_total: a.expect_total,
                allow_duplicates: a.allow_duplicates,
                allow_same_file: a.allow_same_file,
                ..Default::default()
            };
            let b = batch::import_file(desk, &a.profile, &a.file, &opts).await?;
            if out.json {
                out.message("", json!({"batch": batch_json(&b)}));
            } else {
                print_batch_human(&b);
            }
            if b.runnable() {
                Ok(())
            } else {
                // The document above lists every error; this is the one-line reason.
                if out.json {
                    eprintln!(
                        "{} {}",
                        tr!("错误：", "error:"),
                        tr!(
                            "批次 {} 有 {} 处错误，不能执行",
                            "batch {} has {} errors and cannot run",
                            b.id,
                            b.errors.len()
                        )
                    );
                    exit_now(EXIT_NOT_RUNNABLE as i32);
                }
                Err(stopped(
                    "invalid_input",
                    tr!(
                        "批次 {} 有 {} 处错误，不能执行；请修改文件后重新导入",
                        "batch {} has {} errors and cannot run; fix the file and import it again",
                        b.id,
                        b.errors.len()
                    ),
                    EXIT_NOT_RUNNABLE,
                ))
            }
        }
        BatchCmd::Run { id, concurrency } => {
            let on_progress = progress(out);
            let b = batch::run(desk, id, &RunOptions { concurrency }, &on_progress).await?;
            report_run(desk, &b, out).await
        }
        BatchCmd::Show { id } => {
            let d = batch::show(desk, id).await?;
            if out.json {
                out.message("", show_json(&d));
            } else {
                print_batch_human(&d.batch);
                for r in &d.rows {
                    println!(
                        "  {:>5}  {:<28} {:>14}  {:<10} {}",
                        r.row,
                        r.order_no,
                        format_cny(r.amount_fen),
                        r.status.as_str(),
                        r.message.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
        BatchCmd::List { limit } => {
            let list = batch::list(desk, limit).await?;
            if out.json {
                out.message(
                    "",
                    json!({"batches": list.iter().map(batch_json).collect::<Vec<_>>()}),
                );
            } else {
                for b in &list {
                    println!(
                        "{:>5}  {}  {:<18} {:>6} {:>16}  {}",
                        b.id,
                        format_time_ms(b.created_at),
                        b.profile,
                        b.rows,
                        b.total_text,
                        b.state.as_str()
                    );
                }
            }
            Ok(())
        }
        BatchCmd::Export { id, out: path } => {
            let n = batch::export(desk, id, &path).await?;
            out.message(
                &tr!(
                    "已导出 {} 行到 {}",
                    "exported {} rows to {}",
                    n,
                    path.display()
                ),
                json!({"exported": {"batch": id, "out": path, "rows": n}}),
            );
            Ok(())
        }
        BatchCmd::Cancel { id } => {
            let b = batch::cancel(desk, id).await?;
            if out.json {
                out.message("", json!({"batch": batch_json(&b)}));
            } else {
                print_batch_human(&b);
            }
            Ok(())
        }
    }
}

fn show_json(d: &batch::BatchDetail) -> Value {
    json!({
        "batch": batch_json(&d.batch),
        "rows": d.rows.iter().map(|r| json!({
            "row": r.row,
            "order_no": r.order_no,
            "amount_fen": r.amount_fen,
            "status": r.status,
            "order_id": r.order_id,
            "provider_order_id": r.provider_order_id,
            "message": r.message,
        })).collect::<Vec<_>>(),
    })
}

/// The JSON document is already on stdout: leave with the status, without a
/// second (error) document.
fn exit_now(code: i32) -> ! {
    let _ = std::io::stdout().flush();
    std::process::exit(code)
}
