//! The run engine: settle what an earlier run left open, then send the
//! queued rows with a concurrency limit, each through the single-payout
//! create path (order stored before its request leaves). Pause and cancel
//! are batch states in the database, so they work from any process and
//! stop new sends at the next claim.
//!
//! Progress is coalesced: at most one event per `PROGRESS_EVERY` carrying
//! the rows changed since the previous one, and always a last event whose
//! rows and totals are read back from the store, so a listener that applies
//! every event ends exactly where the batch stands (the webview, whose
//! JavaScript runs without a JIT, cannot take one event per row).

use super::store::{self as bstore, RowUpdate};
use super::{Batch, BatchRow, BatchState, RowStatus, DEFAULT_CONCURRENCY, MAX_CONCURRENCY};
use crate::domain::OrderKind;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::form::{ids, OrderInput};
use crate::services::approvals::needs_approval;
use crate::services::notes::Note;
use crate::services::{ErrorInfo, PayDesk};
use crate::store::{now_ms, Order, Profile, RowLink};
use crate::{money, tr};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The shortest gap between two progress events of one run: rows that
/// change in between travel together in the next one.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub concurrency: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// What the progress bar shows: sent at most once per `PROGRESS_EVERY`
/// while rows change, once when the run starts and once when it stops.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchProgress {
    pub batch_id: i64,
    pub state: BatchState,
    /// Rows that can be sent (valid rows).
    pub total: u32,
    /// Rows whose request went out (or may have).
    pub sent: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub unknown: u32,
    /// Pending or processing at the gateway.
    pub in_progress: u32,
    pub queued: u32,
    pub cancelled: u32,
    pub amount_sent_fen: i64,
    /// Rows per second in this run.
    pub rate: f64,
    pub eta_seconds: Option<u64>,
    pub pause_reason: Option<String>,
    /// The rows changed since the previous event, each once as it stands
    /// now, in row order (empty when only the totals or the state moved).
    pub rows: Vec<BatchRow>,
}

struct Tally {
    counts: BTreeMap<RowStatus, u32>,
    amount_sent_fen: i64,
    done_this_run: u32,
}

struct Engine<'a> {
    desk: &'a PayDesk,
    profile: Profile,
    batch_id: i64,
    total: u32,
    tally: Mutex<Tally>,
    pause_reason: Mutex<Option<String>>,
    /// Team mode: a row was refused because the threshold was set or
    /// lowered during the run; the batch is submitted for approval when
    /// the run stops.
    caught_by_threshold: AtomicBool,
    started: Instant,
    /// Rows changed since the last event, by row number (the latest wins).
    pending: Mutex<BTreeMap<u32, BatchRow>>,
    /// Each row as the events have told it so far (the rows read at the
    /// start, then every row sent): the last event adds whatever the store
    /// holds differently.
    told: Mutex<BTreeMap<u32, BatchRow>>,
    last_emit: Mutex<Instant>,
    on_progress: &'a (dyn Fn(&BatchProgress) + Send + Sync),
}

pub async fn run(
    desk: &PayDesk,
    id: i64,
    opts: &RunOptions,
    on_progress: &(dyn Fn(&BatchProgress) + Send + Sync),
) -> CoreResult<Batch> {
    let batch = bstore::batch(&desk.store, id).await?;
    check_runnable(&batch)?;
    let concurrency = opts.concurrency.clamp(1, MAX_CONCURRENCY);
    let profile = desk.store.profile(&batch.profile_id).await?;
    // Team mode: awaiting a checker, rejected, or submitted just now (the
    // one event says so: a screen that started the run shows where it stands).
    if let Some(b) = super::approval::gate(desk, &batch, &profile).await? {
        on_progress(&submitted(&b, &bstore::rows(&desk.store, id).await?));
        return Ok(b);
    }
    let may_send = batch.state != BatchState::Cancelled;
    if may_send {
        bstore::move_state(
            &desk.store,
            id,
            &[
                BatchState::Draft,
                BatchState::Paused,
                BatchState::Running,
                BatchState::Done,
            ],
            BatchState::Running,
            None,
            now_ms(),
        )
        .await?;
    }
    let rows = bstore::rows(&desk.store, id).await?;
    let mut counts = BTreeMap::new();
    let mut amount_sent_fen = 0;
    for r in &rows {
        *counts.entry(r.status).or_insert(0) += 1;
        if r.status.sent() {
            amount_sent_fen += r.amount_fen;
        }
    }
    let engine = Engine {
        desk,
        profile,
        batch_id: id,
        total: batch.valid_rows,
        tally: Mutex::new(Tally {
            counts,
            amount_sent_fen,
            done_this_run: 0,
        }),
        pause_reason: Mutex::new(None),
        caught_by_threshold: AtomicBool::new(false),
        started: Instant::now(),
        pending: Mutex::new(BTreeMap::new()),
        told: Mutex::new(rows.iter().map(|r| (r.row, r.clone())).collect()),
        last_emit: Mutex::new(Instant::now()),
        on_progress,
    };
    engine.emit(Vec::new(), BatchState::Running);
    let out = engine.run_rows(rows, concurrency, may_send).await;
    // However the run ended, the last event tells where the store stands.
    engine.final_event().await;
    out
}

/// The one event of a run that submitted its batch for approval: nothing
/// sent by it, the totals as stored.
fn submitted(b: &Batch, rows: &[BatchRow]) -> BatchProgress {
    let n = |s: RowStatus| rows.iter().filter(|r| r.status == s).count() as u32;
    let sent = [
        RowStatus::Pending,
        RowStatus::Processing,
        RowStatus::Succeeded,
        RowStatus::Failed,
        RowStatus::Unknown,
    ];
    BatchProgress {
        batch_id: b.id,
        state: b.state,
        total: b.valid_rows,
        sent: sent.into_iter().map(n).sum(),
        succeeded: n(RowStatus::Succeeded),
        failed: n(RowStatus::Failed),
        unknown: n(RowStatus::Unknown),
        in_progress: n(RowStatus::Pending) + n(RowStatus::Processing),
        queued: n(RowStatus::Queued) + n(RowStatus::Sending),
        cancelled: n(RowStatus::Cancelled),
        amount_sent_fen: rows
            .iter()
            .filter(|r| r.status.sent())
            .map(|r| r.amount_fen)
            .sum(),
        rate: 0.0,
        eta_seconds: None,
        pause_reason: b.pause_reason.clone(),
        rows: Vec::new(),
    }
}

impl Engine<'_> {
    async fn run_rows(
        &self,
        rows: Vec<BatchRow>,
        concurrency: usize,
        may_send: bool,
    ) -> CoreResult<Batch> {
        let (desk, id) = (self.desk, self.batch_id);
        super::audit(desk, "batch.run", id).await?;
        // A ticker lets rows changed in a quiet spell out within
        // `PROGRESS_EVERY`, not only when the next row changes.
        let work = std::pin::pin!(self.send_rows(rows, concurrency, may_send));
        let ticker = std::pin::pin!(async {
            let mut every = tokio::time::interval(PROGRESS_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                self.flush(false);
            }
        });
        match futures_util::future::select(work, ticker).await {
            futures_util::future::Either::Left((r, _)) => r?,
            futures_util::future::Either::Right(((), _)) => unreachable!("the ticker never ends"),
        }
        self.finish().await
    }

    async fn send_rows(
        &self,
        rows: Vec<BatchRow>,
        concurrency: usize,
        may_send: bool,
    ) -> CoreResult<()> {
        // 1. What an earlier run left open: settled by looking up (and
        //    querying) the row's order, never by creating it again.
        let open: Vec<BatchRow> = rows
            .into_iter()
            .filter(|r| {
                matches!(
                    r.status,
                    RowStatus::Sending
                        | RowStatus::Unknown
                        | RowStatus::Pending
                        | RowStatus::Processing
                )
            })
            .collect();
        each_row(open, concurrency, |r| self.settle(r, may_send)).await?;

        // 2. Send the queued rows (including any the first step found unsent).
        if may_send {
            let queued =
                bstore::rows_in(&self.desk.store, self.batch_id, &[RowStatus::Queued]).await?;
            each_row(queued, concurrency, |r| self.send(r)).await?;
        }
        Ok(())
    }

    /// 3. Where the batch stands now.
    async fn finish(&self) -> CoreResult<Batch> {
        let (desk, id) = (self.desk, self.batch_id);
        let reason = self.pause_reason.lock().expect("pause").take();
        let now = now_ms();
        if let Some(reason) = &reason {
            bstore::move_state(
                &desk.store,
                id,
                &[BatchState::Running],
                BatchState::Paused,
                Some(reason),
                now,
            )
            .await?;
        }
        if self.caught_by_threshold.load(Ordering::SeqCst) {
            let note = Note::BatchThresholdChanged;
            super::approval::submit(desk, id, Some(&note)).await?;
        }
        match bstore::batch(&desk.store, id).await?.state {
            BatchState::Cancelled => {
                bstore::cancel_queued(&desk.store, id, now).await?;
            }
            BatchState::Running => {
                let left =
                    bstore::rows_in(&desk.store, id, &[RowStatus::Queued, RowStatus::Sending])
                        .await?;
                let to = if left.is_empty() {
                    BatchState::Done
                } else {
                    BatchState::Paused
                };
                bstore::move_state(&desk.store, id, &[BatchState::Running], to, None, now).await?;
            }
            _ => {}
        }
        let mut out = bstore::batch(&desk.store, id).await?;
        out.counts = bstore::counts(&desk.store, id).await?;
        Ok(out)
    }
}

/// Runs `f` on every row, `concurrency` at a time; the first error wins
/// (after every row started has finished).
async fn each_row<F, Fut>(rows: Vec<BatchRow>, concurrency: usize, f: F) -> CoreResult<()>
where
    F: FnMut(BatchRow) -> Fut,
    Fut: std::future::Future<Output = CoreResult<()>>,
{
    let results: Vec<CoreResult<()>> = futures_util::stream::iter(rows)
        .map(f)
        .buffer_unordered(concurrency)
        .collect()
        .await;
    results.into_iter().collect()
}

/// Refuses a batch that cannot run: every warning (each duplicate group, the
/// same file) must be accepted before a single row leaves, whatever state
/// the batch row says, and a batch with errors never runs.
pub fn check_runnable(batch: &Batch) -> CoreResult<()> {
    let id = batch.id;
    if let Some(w) = batch.warnings.iter().find(|w| !w.accepted) {
        let open: Vec<&str> = batch
            .warnings
            .iter()
            .filter(|w| !w.accepted)
            .map(|w| w.message.as_str())
            .collect();
        let field = if w.kind == "same_file" {
            "allow_same_file"
        } else {
            "allow_duplicates"
        };
        return Err(FieldError::new(
            field,
            tr!(
                "批次 {} 还有 {} 项警告未确认，不能执行：{}",
                "batch {} has {} warnings not accepted and cannot run: {}",
                id,
                open.len(),
                open.join("; ")
            ),
        )
        .into());
    }
    if batch.state == BatchState::Invalid {
        return Err(FieldError::new(
            "batch",
            tr!(
                "批次 {} 有错误，不能执行；请修改文件后重新导入",
                "batch {} has errors and cannot run; fix the file and import it again",
                id
            ),
        )
        .into());
    }
    Ok(())
}

/// Pause a running batch: rows not yet sent wait; rows in flight finish.
pub async fn pause(desk: &PayDesk, id: i64) -> CoreResult<Batch> {
    bstore::batch(&desk.store, id).await?;
    let moved = bstore::move_state(
        &desk.store,
        id,
        &[BatchState::Running, BatchState::Draft],
        BatchState::Paused,
        Some(&tr!("已手动暂停", "paused by hand")),
        now_ms(),
    )
    .await?;
    let b = bstore::batch(&desk.store, id).await?;
    if !moved && b.state != BatchState::Paused {
        return Err(state_error(&b, "pause"));
    }
    Ok(b)
}

/// Cancel: rows not yet sent are never sent; rows already sent keep settling.
pub async fn cancel(desk: &PayDesk, id: i64) -> CoreResult<Batch> {
    bstore::batch(&desk.store, id).await?;
    let now = now_ms();
    let moved = bstore::move_state(
        &desk.store,
        id,
        &[
            BatchState::Draft,
            BatchState::Invalid,
            BatchState::Running,
            BatchState::Paused,
            // Its maker withdraws it before a checker decides.
            BatchState::AwaitingApproval,
        ],
        BatchState::Cancelled,
        None,
        now,
    )
    .await?;
    let b = bstore::batch(&desk.store, id).await?;
    if !moved && b.state != BatchState::Cancelled {
        return Err(state_error(&b, "cancel"));
    }
    bstore::cancel_queued(&desk.store, id, now).await?;
    super::audit(desk, "batch.cancel", id).await?;
    let mut b = bstore::batch(&desk.store, id).await?;
    b.counts = bstore::counts(&desk.store, id).await?;
    Ok(b)
}

fn state_error(b: &Batch, what: &str) -> CoreError {
    CoreError::Conflict(tr!(
        "批次 {} 当前为 {}，不能{}",
        "batch {} is {}; it cannot {}",
        b.id,
        b.state.as_str(),
        match (what, crate::i18n::lang()) {
            ("pause", crate::i18n::Lang::Zh) => "暂停",
            ("cancel", crate::i18n::Lang::Zh) => "取消",
            (w, _) => w,
        }
    ))
}

/// What a progress event tells of a row: the same on both sides.
fn same_outcome(a: &BatchRow, b: &BatchRow) -> bool {
    a.status == b.status
        && a.order_id == b.order_id
        && a.provider_order_id == b.provider_order_id
        && a.message == b.message
}

/// A gateway answer that will fail every other row of the profile too.
fn stops_profile(err: &ErrorInfo, order: &Order) -> Option<String> {
    let code = order
        .provider_status
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let msg = err.message.to_lowercase();
    if err.code == "bad_signature"
        || code.contains("sign")
        || msg.contains("签名错误")
        || msg.contains("signature error")
    {
        return Some(tr!(
            "网关答复签名错误，本商户配置的其余行已暂停；请检查商户密钥后继续。（{}）",
            "the gateway reported a signature error: this profile's remaining rows are paused; check the merchant key, then resume. ({})",
            err.message
        ));
    }
    if code.contains("balance")
        || code.contains("insufficient")
        || msg.contains("余额不足")
        || msg.contains("insufficient")
    {
        return Some(tr!(
            "商户余额不足，本商户配置的其余行已暂停；充值后继续。（{}）",
            "insufficient merchant balance: this profile's remaining rows are paused; top up, then resume. ({})",
            err.message
        ));
    }
    None
}

impl Engine<'_> {
    /// Stop sending this profile's rows (the first reason is kept).
    fn pause_for(&self, reason: String) {
        let mut p = self.pause_reason.lock().expect("pause");
        if p.is_none() {
            *p = Some(reason);
        }
    }

    /// Sends one event with these rows and the tally as it stands.
    fn emit(&self, rows: Vec<BatchRow>, state: BatchState) {
        let reason = self.pause_reason.lock().expect("pause").clone();
        self.emit_as(rows, state, reason);
    }

    fn emit_as(&self, rows: Vec<BatchRow>, state: BatchState, pause_reason: Option<String>) {
        let t = self.tally.lock().expect("tally");
        let n = |s: RowStatus| *t.counts.get(&s).unwrap_or(&0);
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            t.done_this_run as f64 / elapsed
        } else {
            0.0
        };
        let queued = n(RowStatus::Queued) + n(RowStatus::Sending);
        let p = BatchProgress {
            batch_id: self.batch_id,
            state,
            total: self.total,
            sent: [
                RowStatus::Pending,
                RowStatus::Processing,
                RowStatus::Succeeded,
                RowStatus::Failed,
                RowStatus::Unknown,
            ]
            .into_iter()
            .map(n)
            .sum(),
            succeeded: n(RowStatus::Succeeded),
            failed: n(RowStatus::Failed),
            unknown: n(RowStatus::Unknown),
            in_progress: n(RowStatus::Pending) + n(RowStatus::Processing),
            queued,
            cancelled: n(RowStatus::Cancelled),
            amount_sent_fen: t.amount_sent_fen,
            rate,
            eta_seconds: (rate > 0.0).then(|| (queued as f64 / rate).ceil() as u64),
            pause_reason,
            rows,
        };
        drop(t);
        *self.last_emit.lock().expect("last emit") = Instant::now();
        (self.on_progress)(&p);
    }

    /// Sends the rows changed since the last event, unless one left less
    /// than `PROGRESS_EVERY` ago (`force`: now, even with no row changed).
    fn flush(&self, force: bool) {
        let rows: Vec<BatchRow> = {
            let mut pending = self.pending.lock().expect("pending");
            if !force
                && (pending.is_empty()
                    || self.last_emit.lock().expect("last emit").elapsed() < PROGRESS_EVERY)
            {
                return;
            }
            std::mem::take(&mut *pending).into_values().collect()
        };
        {
            let mut told = self.told.lock().expect("told");
            for r in &rows {
                told.insert(r.row, r.clone());
            }
        }
        self.emit(rows, BatchState::Running);
    }

    /// The run's last event, read back from the store: its state, pause
    /// reason and totals, and every row the events have not yet told as it
    /// is stored (rows held back, rows a cancel closed, rows another runner
    /// moved). A listener that applied every event now holds the stored batch.
    async fn final_event(&self) {
        let (desk, id) = (self.desk, self.batch_id);
        let stored = match (
            bstore::batch(&desk.store, id).await,
            bstore::rows(&desk.store, id).await,
        ) {
            (Ok(b), Ok(rows)) => Some((b, rows)),
            _ => None,
        };
        let Some((batch, rows)) = stored else {
            // The store cannot be read (the run's error is reported on its
            // own): at least nothing held back is lost.
            self.flush(true);
            return;
        };
        {
            let mut t = self.tally.lock().expect("tally");
            t.counts.clear();
            t.amount_sent_fen = 0;
            for r in &rows {
                *t.counts.entry(r.status).or_insert(0) += 1;
                if r.status.sent() {
                    t.amount_sent_fen += r.amount_fen;
                }
            }
        }
        self.pending.lock().expect("pending").clear();
        let changed: Vec<BatchRow> = {
            let mut told = self.told.lock().expect("told");
            let changed: Vec<BatchRow> = rows
                .into_iter()
                .filter(|r| told.get(&r.row).is_none_or(|t| !same_outcome(t, r)))
                .collect();
            for r in &changed {
                told.insert(r.row, r.clone());
            }
            changed
        };
        self.emit_as(changed, batch.state, batch.pause_reason);
    }

    async fn set(&self, row: BatchRow, u: RowUpdate<'_>) -> CoreResult<()> {
        bstore::update_row(&self.desk.store, self.batch_id, row.row, &u, now_ms()).await?;
        self.record(row, &u);
        Ok(())
    }

    /// The tally and the progress event for a row change already stored.
    fn record(&self, mut row: BatchRow, u: &RowUpdate<'_>) {
        {
            let mut t = self.tally.lock().expect("tally");
            if let Some(c) = t.counts.get_mut(&row.status) {
                *c = c.saturating_sub(1);
            }
            *t.counts.entry(u.status).or_insert(0) += 1;
            if u.status.sent() && !row.status.sent() {
                t.amount_sent_fen += row.amount_fen;
                t.done_this_run += 1;
            }
        }
        row.status = u.status;
        row.order_id = u.order_id.or(row.order_id);
        row.provider_order_id = u
            .provider_order_id
            .map(String::from)
            .or(row.provider_order_id);
        row.message = u.message.map(String::from);
        self.pending.lock().expect("pending").insert(row.row, row);
        self.flush(false);
    }

    /// Team mode: the database refused this row's order because another desk
    /// set or lowered the profile's threshold during the run (a row at or
    /// above the threshold in force when it is written is sent only in an
    /// approved batch). The row stays queued, nothing was sent; the run
    /// stops and the batch is submitted for approval as a whole.
    async fn threshold_caught(&self, row: &BatchRow) -> CoreResult<bool> {
        if !self.desk.store.team_mode() {
            return Ok(false);
        }
        let now = self.desk.store.profile(&self.profile.id).await?;
        if !needs_approval(&now, OrderKind::Payout, row.amount_fen) {
            return Ok(false);
        }
        self.caught_by_threshold.store(true, Ordering::SeqCst);
        self.pause_for(Note::BatchThresholdChanged.render());
        Ok(true)
    }

    /// The stored order carrying this row's number at this profile, if any.
    async fn stored_order(&self, row: &BatchRow) -> CoreResult<Option<Order>> {
        Ok(self
            .desk
            .store
            .find_orders(&row.order_no, Some(&self.profile.id))
            .await?
            .into_iter()
            .find(|o| o.order_no == row.order_no && o.kind == OrderKind::Payout))
    }

    /// The stored order is this row's payment (same amount and account).
    fn same_payment(row: &BatchRow, o: &Order) -> bool {
        o.amount_fen == row.amount_fen
            && o.fields.get(ids::ACCOUNT_NO) == row.fields.get(ids::ACCOUNT_NO)
    }

    async fn link(&self, row: BatchRow, o: Order) -> CoreResult<()> {
        if !Self::same_payment(&row, &o) {
            let msg = tr!(
                "订单号 {} 已被另一笔金额或账号不同的订单使用，此行未发送",
                "order number {} is taken by another order with a different amount or account; this row was not sent",
                row.order_no
            );
            return self
                .set(
                    row,
                    RowUpdate {
                        status: RowStatus::Failed,
                        order_id: None,
                        provider_order_id: None,
                        message: Some(&msg),
                    },
                )
                .await;
        }
        let (order, error) = if o.status.is_final() {
            (o, None)
        } else {
            let out = self.desk.refresh_order(o.id).await?;
            (out.order, out.error)
        };
        let message = error
            .map(|e| e.message)
            .or_else(|| order.provider_message.clone());
        self.set(
            row,
            RowUpdate {
                status: RowStatus::from_order(order.status),
                order_id: Some(order.id),
                provider_order_id: order.provider_order_id.as_deref(),
                message: message.as_deref(),
            },
        )
        .await
    }

    async fn settle(&self, row: BatchRow, may_send: bool) -> CoreResult<()> {
        match self.stored_order(&row).await? {
            Some(o) => self.link(row, o).await,
            // No order stored: its create never started (the order is
            // written before the request leaves), so nothing reached the gateway.
            None if row.status == RowStatus::Sending => {
                let status = if may_send {
                    RowStatus::Queued
                } else {
                    RowStatus::Cancelled
                };
                self.set(
                    row,
                    RowUpdate {
                        status,
                        order_id: None,
                        provider_order_id: None,
                        message: None,
                    },
                )
                .await
            }
            None => Ok(()),
        }
    }

    async fn send(&self, row: BatchRow) -> CoreResult<()> {
        if self.pause_reason.lock().expect("pause").is_some() {
            return Ok(());
        }
        let input = OrderInput {
            amount: money::fen_to_yuan_2dp(row.amount_fen),
            order_no: Some(row.order_no.clone()),
            values: row.fields.clone(),
        };
        let link = RowLink {
            batch_id: self.batch_id,
            row: row.row,
        };
        // The row is claimed in its order's insert and takes the answer in
        // its order's update: the store already holds what `record` shows.
        match self
            .desk
            .create_batch_row(&self.profile.id, &input, link)
            .await
        {
            // Not claimed: the batch was paused or cancelled, or another
            // runner took the row. Nothing stored, nothing sent.
            Ok(None) => Ok(()),
            Ok(Some(out)) => {
                if let Some(reason) = out
                    .error
                    .as_ref()
                    .and_then(|e| stops_profile(e, &out.order))
                {
                    self.pause_for(reason);
                }
                let message = out
                    .error
                    .map(|e| e.message)
                    .or_else(|| out.order.provider_message.clone());
                self.record(
                    row,
                    &RowUpdate {
                        status: RowStatus::from_order(out.order.status),
                        order_id: Some(out.order.id),
                        provider_order_id: out.order.provider_order_id.as_deref(),
                        message: message.as_deref(),
                    },
                );
                Ok(())
            }
            Err(e) => {
                // The number is taken (another runner, or an order made
                // elsewhere): that order is looked at, nothing is sent again.
                if let Some(o) = self.stored_order(&row).await? {
                    return self.link(row, o).await;
                }
                if matches!(e, CoreError::Secret(_)) {
                    // The row stays queued for the resume.
                    self.pause_for(e.to_string());
                    return Ok(());
                }
                if self.threshold_caught(&row).await? {
                    return Ok(());
                }
                // Refused before anything was stored or sent (a limit reached
                // since the import, the profile's settings...).
                self.set(
                    row,
                    RowUpdate {
                        status: RowStatus::Failed,
                        order_id: None,
                        provider_order_id: None,
                        message: Some(&e.to_string()),
                    },
                )
                .await
            }
        }
    }
}
