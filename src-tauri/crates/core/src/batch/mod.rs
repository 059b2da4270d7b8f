//! Batch payouts (issue 11): a payday file in, every row validated with the
//! same rules as a single payout, every row paid exactly once, resumable.
//!
//! Exactly once rests on two things the single-payout path already does:
//! each row's order number is assigned at import, and `PayDesk::create_order`
//! stores the order before its request leaves. A row is marked `sending`
//! before its create; on resume a `sending` row whose order is stored is
//! settled by a query, never created again, and one with no stored order
//! never left the machine.

mod approval;
mod columns;
mod export;
mod import;
mod read;
mod run;
mod store;
mod template;

pub use approval::{approve, approve_decision, reject};
pub use columns::{Column, ColumnTarget};
pub use export::export;
pub use import::{import, import_file, ImportOptions};
pub use run::{cancel, check_runnable, pause, run, BatchProgress, RunOptions, PROGRESS_EVERY};
pub use template::{template_columns, write_template};

use crate::domain::ProviderKind;
use crate::error::CoreResult;
use crate::money;
use crate::services::PayDesk;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most rows one batch file may hold.
pub const MAX_ROWS: usize = 10_000;
/// Rows sent at the same time for one profile unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;
pub const MAX_CONCURRENCY: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Valid, not started.
    Draft,
    /// Has errors: cannot run; fix the file and import again.
    Invalid,
    Running,
    Paused,
    Done,
    Cancelled,
    /// Team mode: a row at or above the profile's approval threshold; runs
    /// only after a checker approves the batch as a whole.
    AwaitingApproval,
    /// Team mode: a checker rejected it (final, nothing sent).
    Rejected,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Draft => "draft",
            BatchState::Invalid => "invalid",
            BatchState::Running => "running",
            BatchState::Paused => "paused",
            BatchState::Done => "done",
            BatchState::Cancelled => "cancelled",
            BatchState::AwaitingApproval => "awaiting_approval",
            BatchState::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => BatchState::Draft,
            "invalid" => BatchState::Invalid,
            "running" => BatchState::Running,
            "paused" => BatchState::Paused,
            "done" => BatchState::Done,
            "cancelled" => BatchState::Cancelled,
            "awaiting_approval" => BatchState::AwaitingApproval,
            "rejected" => BatchState::Rejected,
            _ => return None,
        })
    }
}

/// Where a row stands. `sending` is the write-ahead mark: its create may
/// have started, so it is settled by looking for its order, never resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Invalid,
    Queued,
    Sending,
    Pending,
    Processing,
    Succeeded,
    Failed,
    Unknown,
    Cancelled,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Invalid => "invalid",
            RowStatus::Queued => "queued",
            RowStatus::Sending => "sending",
            RowStatus::Pending => "pending",
            RowStatus::Processing => "processing",
            RowStatus::Succeeded => "succeeded",
            RowStatus::Failed => "failed",
            RowStatus::Unknown => "unknown",
            RowStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "invalid" => RowStatus::Invalid,
            "queued" => RowStatus::Queued,
            "sending" => RowStatus::Sending,
            "pending" => RowStatus::Pending,
            "processing" => RowStatus::Processing,
            "succeeded" => RowStatus::Succeeded,
            "failed" => RowStatus::Failed,
            "unknown" => RowStatus::Unknown,
            "cancelled" => RowStatus::Cancelled,
            _ => return None,
        })
    }
    fn from_order(s: crate::OrderStatus) -> Self {
        use crate::OrderStatus as O;
        match s {
            O::Pending => RowStatus::Pending,
            O::Processing => RowStatus::Processing,
            O::Succeeded => RowStatus::Succeeded,
            O::Failed => RowStatus::Failed,
            O::Unknown => RowStatus::Unknown,
            // Team mode: the row's order waits for a checker (its message
            // says so); resuming looks at it again and never sends it.
            O::AwaitingApproval => RowStatus::Pending,
            O::Rejected => RowStatus::Failed,
        }
    }
    /// The row's request has gone to the gateway (or may have).
    pub fn sent(self) -> bool {
        matches!(
            self,
            RowStatus::Pending
                | RowStatus::Processing
                | RowStatus::Succeeded
                | RowStatus::Unknown
                | RowStatus::Failed
        )
    }
}

/// One problem in the file: the row (as the spreadsheet numbers it; `None`
/// for the file as a whole), the column's header, the form field, and what
/// is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowIssue {
    pub row: Option<u32>,
    pub column: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

/// Something the clerk must accept explicitly before the batch can run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchWarning {
    /// `duplicate` (same account and amount), `same_file`, `empty_column`.
    pub kind: String,
    /// What accepts this warning on its own: a duplicate group's key
    /// (`ImportOptions::accepted_duplicates`); `None` for the others.
    #[serde(default)]
    pub key: Option<String>,
    pub rows: Vec<u32>,
    pub message: String,
    pub accepted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Batch {
    pub id: i64,
    pub profile: String,
    pub profile_id: String,
    pub provider: ProviderKind,
    pub state: BatchState,
    pub file_name: String,
    pub file_hash: String,
    pub rows: u32,
    pub valid_rows: u32,
    pub total_fen: i64,
    pub total_text: String,
    /// The total in Chinese capital numerals (大写), for the confirm step.
    pub total_capital: String,
    pub columns: Vec<String>,
    pub errors: Vec<RowIssue>,
    pub warnings: Vec<BatchWarning>,
    pub pause_reason: Option<String>,
    /// Rows by status (`show`).
    pub counts: BTreeMap<String, u32>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Batch {
    pub fn runnable(&self) -> bool {
        self.state != BatchState::Invalid
    }
    fn fill_totals(&mut self) {
        self.total_text = money::format_cny(self.total_fen);
        self.total_capital = money::to_chinese_capital(self.total_fen);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchRow {
    pub row: u32,
    pub order_no: String,
    pub amount_fen: i64,
    pub status: RowStatus,
    pub order_id: Option<i64>,
    pub provider_order_id: Option<String>,
    pub message: Option<String>,
    /// Validated values by field id.
    pub fields: BTreeMap<String, String>,
    /// The row's cells as read, in the file's column order.
    pub cells: Vec<String>,
}

/// One batch with its rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchDetail {
    pub batch: Batch,
    pub rows: Vec<BatchRow>,
}

pub async fn show(desk: &PayDesk, id: i64) -> CoreResult<BatchDetail> {
    let mut batch = store::batch(&desk.store, id).await?;
    batch.counts = store::counts(&desk.store, id).await?;
    let rows = store::rows(&desk.store, id).await?;
    Ok(BatchDetail { batch, rows })
}

/// The audit entry of an action on a whole batch (`batch.run`, `batch.cancel`, ...).
async fn audit(desk: &PayDesk, action: &str, id: i64) -> CoreResult<()> {
    desk.store
        .audit(desk.os_user(), action, Some(&format!("batch {id}")), None)
        .await
}

pub async fn list(desk: &PayDesk, limit: u32) -> CoreResult<Vec<Batch>> {
    store::batches(&desk.store, limit).await
}

/// Resume every batch a closed or crashed app left `running` (the app calls
/// this at start): the same path as `paydesk batch run ID`, so rows already
/// sent are settled by a query and never sent again. Returns the batches
/// as they ended.
pub async fn resume_running(desk: &PayDesk) -> CoreResult<Vec<Batch>> {
    let ids: Vec<i64> = store::batches_in(&desk.store, BatchState::Running).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(run(desk, id, &RunOptions::default(), &|_| {}).await?);
    }
    Ok(out)
}
