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

/// Decide on an awaiting payout, once. The approval row is taken with a
/// conditional update (its row lock makes a second checker wait, then find
/// it decided): exactly one decision, and with an approval exactly one
/// desk goes on to send it. In the same transaction the order moves
/// (approved: to `unknown`, written as sent before its request leaves;
/// rejected: to `rejected`, final), with its event and the audit entry
/// naming both roles and times.
pub async fn decide(pool: &PgPool, order_id: i64, d: &Decision<'_>) -> CoreResult<Decided> {
    let mut tx = pool.begin().await?;
    let decision = if d.approve { "approved" } else { "rejected" };
    let taken = sqlx::query(
        "UPDATE order_approvals SET decision = $2, decided_at = $3, reason = $4, checker = session_user \
         WHERE order_id = $1 AND decision IS NULL RETURNING maker, made_at, checker",
    )
    .bind(order_id)
    .bind(decision)
    .bind(d.at)
    .bind(d.reason)
    .fetch_optional(&mut *tx)
    .await
    .map_err(refusal)?;
    let Some(row) = taken else {
        tx.rollback().await?;
        let earlier = sqlx::query(
            "SELECT decision, checker, decided_at FROM order_approvals WHERE order_id = $1",
        )
        .bind(order_id)
        .fetch_optional(pool)
        .await?;
        return match earlier {
            Some(r) => Ok(Decided::Earlier {
                decision: r.try_get("decision")?,
                checker: r.try_get("checker")?,
                decided_at: r.try_get("decided_at")?,
            }),
            None => Err(CoreError::NotFound(tr!(
                "该订单不需要审批",
                "this order does not need approval"
            ))),
        };
    };
    let maker: String = row.try_get("maker")?;
    let made_at: i64 = row.try_get("made_at")?;
    let checker: String = row.try_get("checker")?;
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
    .bind((d.order_note)(&maker, &checker))
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
    .bind((d.event_note)(&maker, &checker))
    .execute(&mut *tx)
    .await?;
    let mut detail = format!(
        "maker {maker} at {}; checker {checker} at {}",
        format_time_ms(made_at),
        format_time_ms(d.at)
    );
    if let Some(r) = d.reason {
        detail.push_str("; reason: ");
        detail.push_str(r);
    }
    sqlx::query(
        "INSERT INTO audit_log (at, os_user, action, target, detail) VALUES ($1, session_user, $2, $3, $4)",
    )
    .bind(d.at)
    .bind(if d.approve {
        "payout.approve"
    } else {
        "payout.reject"
    })
    .bind(&order_no)
    .bind(&detail)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Decided::Now { maker, checker })
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
