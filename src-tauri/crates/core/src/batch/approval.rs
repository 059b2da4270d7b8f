//! A batch in maker-checker (issue 13, team mode): a batch whose rows include
//! a payout at or above its profile's approval threshold is stored as
//! `awaiting_approval` (its rows are the exact requests it will send) and
//! runs only after a checker, a database role other than its maker, approves
//! it as a whole; then it runs from the approving desk through the usual
//! write-ahead, resumable run path. Rejecting it (with a reason) sends
//! nothing. The rules are the database's too
//! (`migrations_pg/0012_batch_approvals.sql`): the maker is refused there,
//! and no order at or above the threshold is written for a batch row unless
//! its batch was approved. On a single desk (SQLite) thresholds are refused,
//! so nothing here applies.

use super::store as bstore;
use super::{Batch, BatchState, RowStatus, RunOptions};
use crate::error::{CoreError, CoreResult};
use crate::services::approvals::{check_reason, decide, needs_approval, not_the_maker, team_only};
use crate::services::notes::Note;
use crate::services::PayDesk;
use crate::store::approvals::{self, BatchApproval, Decision, Subject};
use crate::store::{now_ms, Profile};
use crate::{money, tr, OrderKind};

/// Whether any of these amounts (rows not yet sent) waits for a checker.
pub(super) fn any_needs_approval(
    desk: &PayDesk,
    p: &Profile,
    mut amounts: impl Iterator<Item = i64>,
) -> bool {
    desk.store.team_mode() && amounts.any(|a| needs_approval(p, OrderKind::Payout, a))
}

/// The audit entry of a submission (the maker's step).
pub(super) async fn audit_submit(desk: &PayDesk, b: &Batch) -> CoreResult<()> {
    desk.store
        .audit(
            desk.os_user(),
            "batch.submit",
            Some(&format!("batch {}", b.id)),
            Some(&format!(
                "{} {} rows {} awaiting approval",
                b.profile,
                b.valid_rows,
                money::fen_to_yuan_2dp(b.total_fen)
            )),
        )
        .await
}

/// Before a run: a batch awaiting a checker or rejected does not run; one
/// that needs approval and has none is submitted now (returned as it
/// stands, nothing sent). `None`: the run may go on.
///
/// A desk without the profile's key (team mode) sends nothing, as for a
/// single payout: a batch not yet approved is submitted, to be approved and
/// run by a checker on a desk that holds the key; an approved one is left
/// as it is (another desk may be running it) and refused naming the key.
pub(super) async fn gate(desk: &PayDesk, batch: &Batch, p: &Profile) -> CoreResult<Option<Batch>> {
    let id = batch.id;
    let Some(pool) = desk.store.team_pool() else {
        return Ok(None);
    };
    let approval = approvals::batch_approval(pool, id).await?;
    match batch.state {
        BatchState::AwaitingApproval => {
            return Err(CoreError::Conflict(tr!(
                "批次 {} 正在等待复核人审批，审批通过后由审批人执行（paydesk approve --batch {}）",
                "batch {} awaits a checker's approval; once approved it runs from the approving desk (paydesk approve --batch {})",
                id,
                id
            )))
        }
        BatchState::Rejected => return Err(rejected(id, approval.as_ref())),
        _ => {}
    }
    let keyless = desk.key_missing(p)?;
    if approval.is_some_and(|a| a.decision.as_deref() == Some("approved")) {
        if keyless && batch.state != BatchState::Cancelled {
            // The usual refusal, naming the key; nothing changed.
            desk.secrets(p)?;
        }
        return Ok(None);
    }
    let unsent = bstore::rows_in(&desk.store, id, &[RowStatus::Queued, RowStatus::Sending]).await?;
    if batch.state == BatchState::Cancelled || unsent.is_empty() {
        return Ok(None);
    }
    let reason = if keyless {
        if batch.state == BatchState::Running {
            // It may be running on a desk that holds the key (the app
            // resumes running batches at start): left as it is.
            desk.secrets(p)?;
        }
        Some(Note::BatchAwaitingKey {
            profile: p.name.clone(),
        })
    } else if any_needs_approval(desk, p, unsent.iter().map(|r| r.amount_fen)) {
        // The threshold was set after the import (or the batch was paused
        // and the threshold lowered): submitted now, as a whole.
        None
    } else {
        return Ok(None);
    };
    submit(desk, id, reason.as_ref()).await.map(Some)
}

/// Submits a batch for approval as a whole (nothing sent), with `reason`
/// as its note: returned as it stands. A running batch is paused first
/// (the database takes a submission from draft or paused only).
pub(super) async fn submit(desk: &PayDesk, id: i64, reason: Option<&Note>) -> CoreResult<Batch> {
    let now = now_ms();
    let reason = reason.map(Note::stored);
    let reason = reason.as_deref();
    bstore::move_state(
        &desk.store,
        id,
        &[BatchState::Running],
        BatchState::Paused,
        reason,
        now,
    )
    .await?;
    let moved = bstore::move_state(
        &desk.store,
        id,
        &[BatchState::Draft, BatchState::Paused],
        BatchState::AwaitingApproval,
        reason,
        now,
    )
    .await?;
    let mut b = bstore::batch(&desk.store, id).await?;
    if !moved && b.state != BatchState::AwaitingApproval {
        return Err(CoreError::Conflict(tr!(
            "批次 {} 当前为 {}，需审批后才能执行",
            "batch {} is {} and needs approval before it runs",
            id,
            b.state.as_str()
        )));
    }
    if moved {
        audit_submit(desk, &b).await?;
    }
    b.counts = bstore::counts(&desk.store, id).await?;
    Ok(b)
}

fn rejected(id: i64, a: Option<&BatchApproval>) -> CoreError {
    let (checker, reason) = a
        .map(|a| {
            (
                a.checker.clone().unwrap_or_default(),
                a.reason.clone().unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    CoreError::Conflict(tr!(
        "批次 {} 已被 {} 驳回（{}），不会执行",
        "batch {} was rejected by {} ({}) and will not run",
        id,
        checker,
        reason
    ))
}

/// The batch's approval row, refusing a desk that is its maker (said here
/// before the database says it, PD001).
async fn undecided_by_other(desk: &PayDesk, id: i64) -> CoreResult<(Batch, BatchApproval)> {
    let pool = desk.store.team_pool().ok_or_else(team_only)?;
    let batch = bstore::batch(&desk.store, id).await?;
    let a = approvals::batch_approval(pool, id).await?.ok_or_else(|| {
        CoreError::NotFound(tr!(
            "批次 {} 不需要审批",
            "batch {} does not need approval",
            id
        ))
    })?;
    not_the_maker(pool, Subject::Batch, &id.to_string(), &a.maker, &a.decision).await?;
    Ok((batch, a))
}

/// Approve a batch as a whole: the decision and the batch's move to
/// `running` are one transaction. A second checker finds it decided and is
/// told by whom; its maker is refused by the database. The caller runs it
/// next (`approve`, or the app's background run): if this desk stops first,
/// `paydesk batch run ID` on any desk resumes it.
pub async fn approve_decision(desk: &PayDesk, id: i64) -> CoreResult<Batch> {
    let (batch, _) = undecided_by_other(desk, id).await?;
    let pool = desk.store.team_pool().ok_or_else(team_only)?;
    let p = desk.store.profile(&batch.profile_id).await?;
    // The key first: an approval this desk cannot run is not taken.
    desk.secrets(&p)?;
    super::check_runnable(&batch)?;
    let none = |_: &str, _: &str| String::new();
    let d = Decision {
        approve: true,
        reason: None,
        at: now_ms(),
        order_note: &none,
        event_note: &none,
    };
    decide(pool, Subject::Batch, id, &id.to_string(), &d).await?;
    bstore::batch(&desk.store, id).await
}

/// Approve a batch as a whole and run it from this desk through the usual
/// write-ahead, resumable run path: exactly one approving desk runs it.
pub async fn approve(
    desk: &PayDesk,
    id: i64,
    opts: &RunOptions,
    on_progress: &(dyn Fn(&super::BatchProgress) + Send + Sync),
) -> CoreResult<Batch> {
    approve_decision(desk, id).await?;
    super::run(desk, id, opts, on_progress).await
}

/// Reject a batch: final, none of its rows sent, the reason kept with the
/// checker's role.
pub async fn reject(desk: &PayDesk, id: i64, reason: &str) -> CoreResult<Batch> {
    let reason = check_reason(reason)?;
    let (_, _) = undecided_by_other(desk, id).await?;
    let pool = desk.store.team_pool().ok_or_else(team_only)?;
    let note = |_: &str, checker: &str| {
        tr!(
            "已被复核人 {} 驳回：{}",
            "rejected by checker {}: {}",
            checker,
            reason
        )
    };
    let d = Decision {
        approve: false,
        reason: Some(reason),
        at: now_ms(),
        order_note: &note,
        event_note: &note,
    };
    decide(pool, Subject::Batch, id, &id.to_string(), &d).await?;
    let mut b = bstore::batch(&desk.store, id).await?;
    b.counts = bstore::counts(&desk.store, id).await?;
    Ok(b)
}
