//! `paydesk approvals list`, `paydesk approve`, `paydesk reject` (issue 13,
//! team mode): thin calls into `PayDesk::approvals/approve/reject`.

use crate::output::Out;
use crate::Res;
use clap::Subcommand;
use paydesk_core::batch::{self, RunOptions};
use paydesk_core::services::{ApprovalsList, PayDesk};
use paydesk_core::store::format_time_ms;
use paydesk_core::tr;

#[derive(Subcommand)]
pub enum ApprovalsCmd {
    /// Payouts and batches waiting for a checker (team mode), oldest first.
    List,
}

pub async fn list(desk: &PayDesk, _cmd: ApprovalsCmd, out: &Out) -> Res {
    let list = desk.approvals().await?;
    if out.json {
        out.message("", serde_json::to_value(&list).unwrap_or_default());
        return Ok(());
    }
    print_human(&list);
    Ok(())
}

fn print_human(list: &ApprovalsList) {
    if !list.team_mode {
        println!(
            "{}",
            tr!(
                "单机模式（本地 SQLite）没有审批：审批需要团队模式（paydesk team join）",
                "a single desk (the local SQLite file) has no approvals: they need team mode (paydesk team join)"
            )
        );
        return;
    }
    if list.approvals.is_empty() && list.batches.is_empty() {
        println!(
            "{}",
            tr!("没有待审批的代付", "no payouts awaiting approval")
        );
        return;
    }
    for b in &list.batches {
        let x = &b.approval;
        println!(
            "{} {}  {}  {} {}  {}{}",
            tr!("批次", "batch"),
            x.batch_id,
            x.profile,
            x.rows,
            tr!("行", "rows"),
            b.total_text,
            own_mark(list, &x.maker)
        );
        println!("    {} {}", tr!("大写", "in words"), b.total_capital);
        println!(
            "    {} {}  {} {}",
            tr!("文件", "file"),
            x.file_name,
            tr!("最大一笔", "largest"),
            b.largest_text
        );
        maker_line(&x.maker, x.made_at);
    }
    for a in &list.approvals {
        let x = &a.approval;
        println!(
            "{}  {}  {}{}",
            x.order_no,
            x.profile,
            a.amount_text,
            own_mark(list, &x.maker)
        );
        println!("    {} {}", tr!("大写", "in words"), a.amount_capital);
        println!(
            "    {} {}  {} {}  {} {}",
            tr!("收款人", "payee"),
            x.payee_name.as_deref().unwrap_or("-"),
            tr!("账号", "account"),
            x.account_no.as_deref().unwrap_or("-"),
            tr!("银行", "bank"),
            x.bank_name.as_deref().unwrap_or("-"),
        );
        maker_line(&x.maker, x.made_at);
    }
}

/// Marks the desk's own submissions: another checker decides on them.
fn own_mark(list: &ApprovalsList, maker: &str) -> String {
    if list.me.as_deref() == Some(maker) {
        tr!(
            "  （本人提交，需他人审批）",
            "  (yours: another checker decides)"
        )
    } else {
        String::new()
    }
}

fn maker_line(maker: &str, at: i64) {
    println!(
        "    {} {}  {}",
        tr!("制单人", "maker"),
        maker,
        format_time_ms(at)
    );
}

/// Approve and send: exit codes as `payout create` (3 refused, 4 unknown).
pub async fn approve(desk: &PayDesk, order_no: &str, profile: Option<&str>, out: &Out) -> Res {
    crate::report_outcome(desk.approve(order_no, profile).await?, &[], out)
}

pub async fn reject(
    desk: &PayDesk,
    order_no: &str,
    profile: Option<&str>,
    reason: &str,
    out: &Out,
) -> Res {
    let order = desk.reject(order_no, profile, reason).await?;
    out.order_created(&order, &[]);
    Ok(())
}

/// Approve a batch as a whole and run it from this desk; the total is shown
/// once more before the rows go, and the run is reported as `batch run`'s.
pub async fn approve_batch(desk: &PayDesk, id: i64, concurrency: usize, out: &Out) -> Res {
    if !out.json {
        let b = batch::show(desk, id).await?.batch;
        eprintln!(
            "{}",
            tr!(
                "审批批次 {}：{} 行，合计 {}（{}），商户配置 {}",
                "approving batch {}: {} rows, total {} ({}), profile {}",
                b.id,
                b.valid_rows,
                b.total_text,
                b.total_capital,
                b.profile
            )
        );
    }
    let on_progress = crate::batch::progress(out);
    let b = batch::approve(desk, id, &RunOptions { concurrency }, &on_progress).await?;
    crate::batch::report_run(desk, &b, out).await
}

/// Reject a batch as a whole: nothing of it is sent.
pub async fn reject_batch(desk: &PayDesk, id: i64, reason: &str, out: &Out) -> Res {
    let b = batch::reject(desk, id, reason).await?;
    if out.json {
        out.message("", serde_json::json!({ "batch": b }));
    } else {
        crate::batch::print_batch_human(&b);
    }
    Ok(())
}
