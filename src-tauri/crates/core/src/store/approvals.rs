//! Maker-checker (team mode, PostgreSQL only): the payouts awaiting a
//! checker, and the one decision on each. The rules themselves are the
//! database's (`migrations_pg/0010_approvals.sql`): a decision by the
//! payout's maker, or by a role that is no checker, is refused there, so a
//! hand-written SQL statement cannot get round them either. Here: the
//! queries, and the database's refusals put into words.
//!
//! On the single desk's SQLite file there are no approvals: the services
//! refuse a threshold there, and the orders table's CHECK keeps the two
//! maker-checker statuses out.

use super::Store;
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, CoreResult};
use crate::time::format_time_ms;
use crate::tr;
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};

/// A payout that needed approval, with what the checker must see.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Approval {
    pub order_id: i64,
    pub order_no: String,
    pub profile: String,
    pub provider: ProviderKind,
    pub sandbox: bool,
    pub kind: OrderKind,
    pub amount_fen: i64,
    pub payee_name: Option<String>,
    pub account_no: Option<String>,
    pub bank_name: Option<String>,
    pub status: OrderStatus,
    /// The database role that made it, and when (ms).
    pub maker: String,
    pub made_at: i64,
    /// `approved` or `rejected`; None while it waits.
    pub decision: Option<String>,
    pub checker: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

/// What a decision found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// This session decided it (`checker` as the database stamped it).
    Now { maker: String, checker: String },
    /// Someone decided first: nothing was changed.
    Earlier {
        decision: String,
        checker: String,
        decided_at: i64,
    },
}

/// The two SQLSTATEs of the trigger's refusals a person can act on.
const SAME_OPERATOR: &str = "PD001";
const NOT_CHECKER: &str = "PD002";
const RULE: &str = "PD004";

const APPROVAL_SELECT: &str = "SELECT o.id AS order_id, o.order_no, p.name AS profile, p.provider, \
    p.sandbox, o.kind, o.amount_fen, o.payee_name, o.account_no, o.bank_name, o.status, \
    a.maker, a.made_at, a.decision, a.checker, a.decided_at, a.reason \
    FROM order_approvals a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.pk = o.profile_pk";

impl Store {
    /// The team database's pool; None on the single desk's SQLite file.
    pub(crate) fn team_pool(&self) -> Option<&PgPool> {
        match self.pools() {
            super::engine::Pool::Postgres(p) => Some(p),
            super::engine::Pool::Sqlite(_) => None,
        }
    }

    /// Team mode (PostgreSQL): approvals and thresholds exist only there.
    pub fn team_mode(&self) -> bool {
        self.team_pool().is_some()
    }
}

/// Payouts waiting for a checker, oldest first.
pub async fn awaiting(pool: &PgPool) -> CoreResult<Vec<Approval>> {
    let rows = sqlx::query(&format!(
        "{APPROVAL_SELECT} WHERE a.decision IS NULL ORDER BY a.made_at, o.id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(approval_from).collect()
}

/// One order's approval, if it needed one.
pub async fn approval(pool: &PgPool, order_id: i64) -> CoreResult<Option<Approval>> {
    let row = sqlx::query(&format!("{APPROVAL_SELECT} WHERE a.order_id = $1"))
        .bind(order_id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(approval_from).transpose()
}

fn approval_from(r: &sqlx::postgres::PgRow) -> CoreResult<Approval> {
    let provider: String = r.try_get("provider")?;
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(Approval {
        order_id: r.try_get("order_id")?,
        order_no: r.try_get("order_no")?,
        profile: r.try_get("profile")?,
        provider: ProviderKind::parse(&provider)
            .ok_or_else(|| CoreError::Storage(format!("bad provider {provider}")))?,
        sandbox: sandbox_flag(r)?,
        kind: OrderKind::parse(&kind)
            .ok_or_else(|| CoreError::Storage(format!("bad kind {kind}")))?,
        amount_fen: r.try_get("amount_fen")?,
        payee_name: r.try_get("payee_name")?,
        account_no: r.try_get("account_no")?,
        bank_name: r.try_get("bank_name")?,
        status: OrderStatus::parse(&status)
            .ok_or_else(|| CoreError::Storage(format!("bad status {status}")))?,
        maker: r.try_get("maker")?,
        made_at: r.try_get("made_at")?,
        decision: r.try_get("decision")?,
        checker: r.try_get("checker")?,
        decided_at: r.try_get("decided_at")?,
        reason: r.try_get("reason")?,
    })
}

/// `sandbox` as the schema keeps it (a boolean, or 0/1 as on SQLite).
fn sandbox_flag(r: &sqlx::postgres::PgRow) -> CoreResult<bool> {
    if let Ok(b) = r.try_get::<bool, _>("sandbox") {
        return Ok(b);
    }
    if let Ok(i) = r.try_get::<i64, _>("sandbox") {
        return Ok(i != 0);
    }
    Ok(r.try_get::<i32, _>("sandbox")? != 0)
}

/// What the deciding desk writes with the decision, all in one transaction.
pub struct Decision<'a> {
    pub approve: bool,
    pub reason: Option<&'a str>,
    pub at: i64,
    /// The order's note after the decision (stored form), given the maker and
    /// the checker as the database names them.
    pub order_note: &'a (dyn Fn(&str, &str) -> String + Sync),
    /// The decision's event note (stored form), likewise.
    pub event_note: &'a (dyn Fn(&str, &str) -> String + Sync),
}

/// What a decision is about: one payout (by its order id), or a batch as a
/// whole (by its id). Each has its approval table, keyed by the subject's id,
/// and both take the one decision path below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Order,
    Batch,
}

impl Subject {
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Subject::Order => ("order_approvals", "order_id"),
            Subject::Batch => ("batch_approvals", "batch_id"),
        }
    }

    /// The audit log's name for it (`payout.approve`, `batch.reject`).
    fn audit_name(self) -> &'static str {
        match self {
            Subject::Order => "payout",
            Subject::Batch => "batch",
        }
    }
}

/// The approval row as this decision took it: the maker and when, and the
/// checker as the database stamped it.
struct Taken {
    maker: String,
    made_at: i64,
    checker: String,
}

/// Decide on an awaiting payout or batch, once. The approval row is taken
/// with a conditional update (its row lock makes a second checker wait, then
/// find it decided): exactly one decision, and with an approval exactly one
/// desk goes on to send or run it. In the same transaction the subject moves
/// (`move_order`, `move_batch`), with the audit entry naming both roles and
/// times.
pub async fn decide(
    pool: &PgPool,
    subject: Subject,
    id: i64,
    d: &Decision<'_>,
) -> CoreResult<Decided> {
    let mut tx = pool.begin().await?;
    let Some(row) = take(&mut tx, subject, id, d).await? else {
        tx.rollback().await?;
        return earlier(pool, subject, id).await;
    };
    let t = Taken {
        maker: row.try_get("maker")?,
        made_at: row.try_get("made_at")?,
        checker: row.try_get("checker")?,
    };
    let (target, mut detail) = match subject {
        Subject::Order => move_order(&mut tx, id, d, &t).await?,
        Subject::Batch => match move_batch(&mut tx, id, d, &t).await? {
            Some(moved) => moved,
            None => {
                tx.rollback().await?;
                return Err(CoreError::Conflict(tr!(
                    "批次 {} 已不在待审批状态（可能已被制单人取消），未作处理",
                    "batch {} no longer awaits approval (its maker may have cancelled it); nothing was decided",
                    id
                )));
            }
        },
    };
    let verb = if d.approve { "approve" } else { "reject" };
    if let Some(r) = d.reason {
        detail.push_str("; reason: ");
        detail.push_str(r);
    }
    sqlx::query(
        "INSERT INTO audit_log (at, os_user, action, target, detail) VALUES ($1, session_user, $2, $3, $4)",
    )
    .bind(d.at)
    .bind(format!("{}.{verb}", subject.audit_name()))
    .bind(&target)
    .bind(&detail)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Decided::Now {
        maker: t.maker,
        checker: t.checker,
    })
}

/// A payout's move with its decision: approved, to `unknown` (written as
/// sent before its request leaves); rejected, to `rejected` (final); with its
/// event. Returns the audit entry's target and detail.
async fn move_order(
    tx: &mut sqlx::PgConnection,
    order_id: i64,
    d: &Decision<'_>,
    t: &Taken,
) -> CoreResult<(String, String)> {
    let status = if d.approve {
        OrderStatus::Unknown
    } else {
        OrderStatus::Rejected
    };
    let order_no: String = sqlx::query_scalar(
        "UPDATE orders SET status = $2, message = $3, updated_at = $4 \
         WHERE id = $1 AND status = 'awaiting_approval' RETURNING order_no",
    )
    .bind(order_id)
    .bind(status.as_str())
    .bind((d.order_note)(&t.maker, &t.checker))
    .bind(d.at)
    .fetch_one(&mut *tx)
    .await
    .map_err(refusal)?;
    sqlx::query(
        "INSERT INTO order_events (order_id, at, action, status, message) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(d.at)
    .bind(if d.approve { "approve" } else { "reject" })
    .bind(status.as_str())
    .bind((d.event_note)(&t.maker, &t.checker))
    .execute(&mut *tx)
    .await?;
    Ok((order_no, both_roles(t, d.at)))
}

/// A batch's move with its decision: approved, to `running` (the approving
/// desk runs it next through the resumable run path, and any desk can resume
/// it); rejected, to `rejected` (final, its queued rows cancelled, nothing
/// sent). Returns the audit entry's target and detail; None when its maker
/// cancelled it meanwhile (then nothing is decided).
async fn move_batch(
    tx: &mut sqlx::PgConnection,
    batch_id: i64,
    d: &Decision<'_>,
    t: &Taken,
) -> CoreResult<Option<(String, String)>> {
    let (to, note) = if d.approve {
        ("running", None)
    } else {
        ("rejected", Some((d.order_note)(&t.maker, &t.checker)))
    };
    let moved = sqlx::query(
        "UPDATE batches SET state = $2, pause_reason = $3, updated_at = $4 \
         WHERE id = $1 AND state = 'awaiting_approval' RETURNING row_count",
    )
    .bind(batch_id)
    .bind(to)
    .bind(&note)
    .bind(d.at)
    .fetch_optional(&mut *tx)
    .await
    .map_err(refusal)?;
    if moved.is_none() {
        return Ok(None);
    }
    if !d.approve {
        sqlx::query(
            "UPDATE batch_rows SET status = 'cancelled', message = $2, updated_at = $3 \
             WHERE batch_id = $1 AND status = 'queued'",
        )
        .bind(batch_id)
        .bind((d.event_note)(&t.maker, &t.checker))
        .bind(d.at)
        .execute(&mut *tx)
        .await?;
    }
    let (rows, total): (i64, i64) =
        sqlx::query_as("SELECT row_count, total_fen FROM batch_approvals WHERE batch_id = $1")
            .bind(batch_id)
            .fetch_one(&mut *tx)
            .await?;
    let detail = format!(
        "{}; {rows} rows {}",
        both_roles(t, d.at),
        crate::money::fen_to_yuan_2dp(total)
    );
    Ok(Some((format!("batch {batch_id}"), detail)))
}

/// Takes the undecided approval row with a conditional update (its row lock
/// makes a second checker wait, then find it decided): the row as decided
/// (`maker`, `made_at`, `checker` as the database stamped it), or None when
/// someone decided first. The database refuses the maker and non-checkers.
async fn take(
    tx: &mut sqlx::PgConnection,
    subject: Subject,
    id: i64,
    d: &Decision<'_>,
) -> CoreResult<Option<sqlx::postgres::PgRow>> {
    let (table, key) = subject.table();
    sqlx::query(&format!(
        "UPDATE {table} SET decision = $2, decided_at = $3, reason = $4, checker = session_user \
         WHERE {key} = $1 AND decision IS NULL RETURNING maker, made_at, checker"
    ))
    .bind(id)
    .bind(if d.approve { "approved" } else { "rejected" })
    .bind(d.at)
    .bind(d.reason)
    .fetch_optional(&mut *tx)
    .await
    .map_err(refusal)
}

/// Who decided first, and how.
async fn earlier(pool: &PgPool, subject: Subject, id: i64) -> CoreResult<Decided> {
    let (table, key) = subject.table();
    let earlier = sqlx::query(&format!(
        "SELECT decision, checker, decided_at FROM {table} WHERE {key} = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    match earlier {
        Some(r) => Ok(Decided::Earlier {
            decision: r.try_get("decision")?,
            checker: r.try_get("checker")?,
            decided_at: r.try_get("decided_at")?,
        }),
        None => Err(CoreError::NotFound(match subject {
            Subject::Order => tr!("该订单不需要审批", "this order does not need approval"),
            Subject::Batch => tr!("该批次不需要审批", "this batch does not need approval"),
        })),
    }
}

fn both_roles(t: &Taken, at: i64) -> String {
    format!(
        "maker {} at {}; checker {} at {}",
        t.maker,
        format_time_ms(t.made_at),
        t.checker,
        format_time_ms(at)
    )
}

/// A batch awaiting (or past) approval as a whole, with what the checker
/// must see: the rows and their total as submitted, the maker and the time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchApproval {
    pub batch_id: i64,
    pub profile: String,
    pub provider: ProviderKind,
    pub file_name: String,
    /// The batch's state (`awaiting_approval`, then `running`, `done`,
    /// `rejected`, `cancelled`...).
    pub state: String,
    /// Valid rows and their total when submitted.
    pub rows: i64,
    pub total_fen: i64,
    /// The largest row, for the checker's eye.
    pub largest_fen: i64,
    pub maker: String,
    pub made_at: i64,
    pub decision: Option<String>,
    pub checker: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

const BATCH_APPROVAL_SELECT: &str = "SELECT a.batch_id, b.profile_name, b.provider, b.file_name, \
    b.state, a.row_count, a.total_fen, \
    (SELECT COALESCE(max(r.amount_fen), 0) FROM batch_rows r WHERE r.batch_id = a.batch_id AND r.status <> 'invalid') AS largest_fen, \
    a.maker, a.made_at, a.decision, a.checker, a.decided_at, a.reason \
    FROM batch_approvals a JOIN batches b ON b.id = a.batch_id";

fn batch_approval_from(r: &sqlx::postgres::PgRow) -> CoreResult<BatchApproval> {
    let provider: String = r.try_get("provider")?;
    Ok(BatchApproval {
        batch_id: r.try_get("batch_id")?,
        profile: r.try_get("profile_name")?,
        provider: ProviderKind::parse(&provider)
            .ok_or_else(|| CoreError::Storage(format!("bad provider {provider}")))?,
        file_name: r.try_get("file_name")?,
        state: r.try_get("state")?,
        rows: r.try_get("row_count")?,
        total_fen: r.try_get("total_fen")?,
        largest_fen: r.try_get("largest_fen")?,
        maker: r.try_get("maker")?,
        made_at: r.try_get("made_at")?,
        decision: r.try_get("decision")?,
        checker: r.try_get("checker")?,
        decided_at: r.try_get("decided_at")?,
        reason: r.try_get("reason")?,
    })
}

/// Batches waiting for a checker, oldest first.
pub async fn awaiting_batches(pool: &PgPool) -> CoreResult<Vec<BatchApproval>> {
    let rows = sqlx::query(&format!(
        "{BATCH_APPROVAL_SELECT} WHERE a.decision IS NULL AND b.state = 'awaiting_approval' \
         ORDER BY a.made_at, a.batch_id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(batch_approval_from).collect()
}

/// One batch's approval, if it needed one.
pub async fn batch_approval(pool: &PgPool, batch_id: i64) -> CoreResult<Option<BatchApproval>> {
    let row = sqlx::query(&format!("{BATCH_APPROVAL_SELECT} WHERE a.batch_id = $1"))
        .bind(batch_id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(batch_approval_from).transpose()
}

/// The database's refusal of a decision, in words; other errors as they are.
fn refusal(e: sqlx::Error) -> CoreError {
    if let sqlx::Error::Database(db) = &e {
        let text = db.message().to_string();
        match db.code().as_deref() {
            Some(SAME_OPERATOR) => {
                return CoreError::SameOperator(tr!(
                "制单人不能审批或驳回自己提交的代付（数据库拒绝：{}）",
                "the maker of a payout cannot approve or reject it (refused by the database: {})",
                text
            ))
            }
            Some(NOT_CHECKER) => {
                return CoreError::NotChecker(tr!(
                "只有复核人或管理员可以审批（数据库拒绝：{}）",
                "only a checker or an admin can decide on payouts (refused by the database: {})",
                text
            ))
            }
            Some(RULE) => return CoreError::Conflict(text),
            // No right to decide at all (team init grants it to checkers).
            Some("42501") => {
                return CoreError::NotChecker(tr!(
                "只有复核人或管理员可以审批（数据库拒绝：{}）",
                "only a checker or an admin can decide on payouts (refused by the database: {})",
                text
            ))
            }
            _ => {}
        }
    }
    e.into()
}
