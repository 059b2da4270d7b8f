//! Maker-checker (issue 13, team mode): a payout at or above its profile's
//! approval threshold is stored as `awaiting_approval` with the exact request
//! it will send, and nothing reaches the gateway until a checker, a database
//! role other than its maker, approves it. Approval sends it from the
//! approving desk through the usual write-ahead path (`send_stored`);
//! rejection makes it final (`rejected`) with the checker's reason.
//!
//! Who may decide is the database's rule (`migrations_pg/0010_approvals.sql`),
//! not only this code's: the maker's own approval is refused there too.

use super::notes::{localize_order, Note};
use super::{params_of, OrderOutcome, PayDesk};
use crate::domain::{OrderKind, OrderStatus};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::gateway::OrderParams;
use crate::money;
use crate::store::approvals::{self, Approval, BatchApproval, Decided, Decision, Subject};
use crate::store::{now_ms, NewOrder, Order, Profile};
use crate::time::format_time_ms;
use crate::tr;
use serde::{Deserialize, Serialize};

/// A payout awaiting (or past) approval, as the approvals screen shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApprovalView {
    #[serde(flatten)]
    pub approval: Approval,
    /// ¥ 1,234.56
    pub amount_text: String,
    /// 壹仟贰佰叁拾肆元伍角陆分
    pub amount_capital: String,
}

/// The approvals screen's data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApprovalsList {
    /// False on a single desk (SQLite): there are no approvals there.
    pub team_mode: bool,
    /// This desk's database role (team mode): its own payouts cannot be
    /// decided here.
    pub me: Option<String>,
    pub approvals: Vec<ApprovalView>,
    /// Batches waiting for a checker, approved or rejected as a whole.
    pub batches: Vec<BatchApprovalView>,
}

/// A batch awaiting approval, as the approvals screen shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchApprovalView {
    #[serde(flatten)]
    pub approval: BatchApproval,
    /// ¥ 12,345.00
    pub total_text: String,
    /// 壹万贰仟叁佰肆拾伍元整
    pub total_capital: String,
    pub largest_text: String,
}

/// The most a rejection's reason may hold.
const MAX_REASON: usize = 500;

/// `--approval-threshold` as typed: yuan, where 0 means every payout; empty
/// means none.
pub fn parse_approval_threshold(text: &str) -> Result<Option<i64>, FieldError> {
    let t = money::halfwidth(text);
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.trim_start_matches(['¥', '￥']).trim();
    // parse_yuan refuses zero (no order is for ¥0); a threshold of 0 is
    // meaningful: every payout needs approval.
    if !digits.is_empty()
        && digits.contains('0')
        && digits.chars().all(|c| matches!(c, '0' | '.' | ','))
        && digits.matches('.').count() <= 1
    {
        return Ok(Some(0));
    }
    money::parse_yuan("approval_threshold", t).map(Some)
}

fn needs_team_mode() -> FieldError {
    FieldError::new(
        "approval_threshold",
        tr!(
            "审批阈值需要团队模式：单机（本地 SQLite）没有复核人。请先加入团队数据库（paydesk team join），再设置阈值",
            "approval thresholds need team mode: a single desk (the local SQLite file) has no checker. Join a team database first (paydesk team join), then set the threshold"
        ),
    )
}

pub(crate) fn team_only() -> CoreError {
    CoreError::Conflict(tr!(
        "审批需要团队模式（PostgreSQL 共享数据库）；单机模式下没有待审批的代付",
        "approvals need team mode (a shared PostgreSQL database); a single desk has no payouts awaiting approval"
    ))
}

impl PayDesk {
    /// A threshold may be set only in team mode, and is never negative.
    pub(super) fn check_approval_threshold(&self, threshold: Option<i64>) -> CoreResult<()> {
        let Some(t) = threshold else {
            return Ok(());
        };
        if t < 0 {
            return Err(FieldError::new(
                "approval_threshold",
                tr!(
                    "审批阈值不能为负",
                    "the approval threshold cannot be negative"
                ),
            )
            .into());
        }
        if t > money::MAX_FEN {
            return Err(FieldError::new(
                "approval_threshold",
                tr!("审批阈值过大", "the approval threshold is too large"),
            )
            .into());
        }
        if !self.store.team_mode() {
            return Err(needs_team_mode().into());
        }
        Ok(())
    }

    /// Stores a payout that needs approval: its row is the exact request
    /// (number, amount, validated form values) a checker's desk will send.
    /// No key and no gateway are needed for this. `note` says why it waits.
    pub(super) async fn submit_for_approval(
        &self,
        p: &Profile,
        mut params: OrderParams,
        generated: bool,
        note: Note,
    ) -> CoreResult<OrderOutcome> {
        let mut attempt = 0;
        let id = loop {
            let row = NewOrder {
                profile_id: p.id.clone(),
                order_no: params.order_no.clone(),
                kind: params.kind,
                amount_fen: params.amount_fen,
                fields: params.values.clone(),
                status: OrderStatus::AwaitingApproval,
                message: Some(note.stored()),
                created_by: self.os_user.clone(),
                created_at: params.created_at_ms,
            };
            let detail = format!(
                "{} {} awaiting approval",
                p.name,
                money::fen_to_yuan_2dp(params.amount_fen)
            );
            match self
                .store
                .insert_order_audited(&row, &self.os_user, "payout.submit", Some(&detail))
                .await
            {
                Ok(id) => break id,
                Err(CoreError::Conflict(_)) if generated && attempt < 3 => {
                    attempt += 1;
                    params.order_no = crate::order_no::generate(params.kind, now_ms());
                }
                // A typed number whose earlier request never left: it would be
                // sent again, but not past the threshold without approval;
                // say that rather than "already exists".
                Err(CoreError::Conflict(taken)) if !generated => {
                    let existing = self.resendable(p, &params, taken.clone()).await?;
                    self.may_resend_unapproved(&existing).await?;
                    return Err(CoreError::Conflict(taken));
                }
                Err(e) => return Err(e),
            }
        };
        Ok(OrderOutcome {
            order: localize_order(self.store.order(id).await?),
            error: None,
        })
    }

    /// Payouts waiting for a checker, oldest first (empty on a single desk).
    pub async fn approvals(&self) -> CoreResult<ApprovalsList> {
        let Some(pool) = self.store.team_pool() else {
            return Ok(ApprovalsList {
                team_mode: false,
                me: None,
                approvals: Vec::new(),
                batches: Vec::new(),
            });
        };
        let me = session_user(pool).await?;
        let list = approvals::awaiting(pool).await?;
        let batches = approvals::awaiting_batches(pool).await?;
        Ok(ApprovalsList {
            team_mode: true,
            me: Some(me),
            approvals: list.into_iter().map(view).collect(),
            batches: batches.into_iter().map(batch_view).collect(),
        })
    }

    /// The payout with this number that needed approval (awaiting first),
    /// refusing a desk that is its maker.
    async fn approval_of(&self, order_no: &str, profile: Option<&str>) -> CoreResult<Order> {
        let pool = self.store.team_pool().ok_or_else(team_only)?;
        let profile_id = match profile {
            Some(p) => Some(self.store.profile(p).await?.id),
            None => None,
        };
        let no = money::halfwidth(order_no).trim().to_string();
        let mut found = Vec::new();
        for o in self.store.find_orders(&no, profile_id.as_deref()).await? {
            if o.order_no != no {
                continue;
            }
            if let Some(a) = approvals::approval(pool, o.id).await? {
                found.push((o, a));
            }
        }
        if found.is_empty() {
            return Err(CoreError::NotFound(tr!(
                "没有需要审批的代付 {}",
                "no payout {} needs approval",
                no
            )));
        }
        let waiting = found
            .iter()
            .filter(|(o, _)| o.status == OrderStatus::AwaitingApproval)
            .count();
        if waiting > 1 || (waiting == 0 && found.len() > 1) {
            return Err(CoreError::Conflict(tr!(
                "多个商户配置都有代付 {}：请用 --profile 指明",
                "several profiles have a payout {}: name one with --profile",
                no
            )));
        }
        let i = found
            .iter()
            .position(|(o, _)| o.status == OrderStatus::AwaitingApproval)
            .unwrap_or(0);
        let (order, a) = found.swap_remove(i);
        not_the_maker(pool, Subject::Order, &a.order_no, &a.maker, &a.decision).await?;
        Ok(order)
    }

    /// Approve a payout and send it from this desk: the decision and the
    /// order's move to `unknown` (written as sent) are one transaction, then
    /// the request leaves once. A second checker finds it decided and is told
    /// by whom; its maker is refused by the database (`same_operator`).
    pub async fn approve(&self, order_no: &str, profile: Option<&str>) -> CoreResult<OrderOutcome> {
        let order = self.approval_of(order_no, profile).await?;
        let pool = self.store.team_pool().ok_or_else(team_only)?;
        let p = self.store.profile(&order.profile_id).await?;
        // The key first: an approval this desk cannot send is not taken.
        let (secret, reply_secret) = self.secrets(&p)?;
        let order_note = |_: &str, _: &str| Note::Sending.stored();
        let event_note = |maker: &str, checker: &str| {
            Note::Approved {
                maker: maker.into(),
                checker: checker.into(),
            }
            .stored()
        };
        let decision = Decision {
            approve: true,
            reason: None,
            at: now_ms(),
            order_note: &order_note,
            event_note: &event_note,
        };
        decide(pool, Subject::Order, order.id, &order.order_no, &decision).await?;
        let order = self.store.order(order.id).await?;
        let params = params_of(&order);
        self.send_stored(
            &p,
            order.id,
            &params,
            decision.at,
            (secret, reply_secret),
            None,
        )
        .await
    }

    /// Reject a payout: final, nothing sent, the reason kept with the checker's role.
    pub async fn reject(
        &self,
        order_no: &str,
        profile: Option<&str>,
        reason: &str,
    ) -> CoreResult<Order> {
        let reason = check_reason(reason)?;
        let order = self.approval_of(order_no, profile).await?;
        let pool = self.store.team_pool().ok_or_else(team_only)?;
        let note = |_: &str, checker: &str| {
            Note::Rejected {
                checker: checker.into(),
                reason: reason.into(),
            }
            .stored()
        };
        let decision = Decision {
            approve: false,
            reason: Some(reason),
            at: now_ms(),
            order_note: &note,
            event_note: &note,
        };
        decide(pool, Subject::Order, order.id, &order.order_no, &decision).await?;
        Ok(localize_order(self.store.order(order.id).await?))
    }
}

/// Whether a payout of this amount on this profile waits for a checker.
pub(crate) fn needs_approval(p: &Profile, kind: OrderKind, amount_fen: i64) -> bool {
    kind == OrderKind::Payout && p.approval_threshold_fen.is_some_and(|t| amount_fen >= t)
}

/// A rejection's reason: required, bounded, no control characters.
pub(crate) fn check_reason(reason: &str) -> CoreResult<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(FieldError::new(
            "reason",
            tr!("请填写驳回原因", "give a reason for the rejection"),
        )
        .into());
    }
    if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
        return Err(FieldError::new(
            "reason",
            tr!(
                "驳回原因最长 {} 个字符，且不能含控制字符",
                "the reason can be at most {} characters, without control characters",
                MAX_REASON
            ),
        )
        .into());
    }
    Ok(reason)
}

/// This desk's database role: who the database says decides here.
pub(crate) async fn session_user(pool: &sqlx::PgPool) -> CoreResult<String> {
    Ok(sqlx::query_scalar("SELECT session_user::text")
        .fetch_one(pool)
        .await?)
}

pub(crate) fn batch_view(a: BatchApproval) -> BatchApprovalView {
    BatchApprovalView {
        total_text: money::format_cny(a.total_fen),
        total_capital: money::to_chinese_capital(a.total_fen),
        largest_text: money::format_cny(a.largest_fen),
        approval: a,
    }
}

fn view(a: Approval) -> ApprovalView {
    ApprovalView {
        amount_text: money::format_cny(a.amount_fen),
        amount_capital: money::to_chinese_capital(a.amount_fen),
        approval: a,
    }
}

/// A payout or a batch as the messages name it.
fn named(subject: Subject, name: &str) -> String {
    match subject {
        Subject::Order => tr!("代付 {}", "payout {}", name),
        Subject::Batch => tr!("批次 {}", "batch {}", name),
    }
}

/// Said here before the database says it (its trigger refuses the same, and
/// a plain maker has no right to decide at all): the maker of a payout or a
/// batch never decides on it.
pub(crate) async fn not_the_maker(
    pool: &sqlx::PgPool,
    subject: Subject,
    name: &str,
    maker: &str,
    decision: &Option<String>,
) -> CoreResult<()> {
    if decision.is_none() && session_user(pool).await? == maker {
        return Err(CoreError::SameOperator(tr!(
            "制单人 {} 不能审批或驳回自己提交的{}：请由另一位复核人处理",
            "{} made {} and cannot approve or reject it: another checker must decide",
            maker,
            named(subject, name)
        )));
    }
    Ok(())
}

/// This desk's decision on a payout or a batch (`name` as messages show
/// it); when someone decided first nothing was changed, and the error says
/// who, when and how.
pub(crate) async fn decide(
    pool: &sqlx::PgPool,
    subject: Subject,
    id: i64,
    name: &str,
    d: &Decision<'_>,
) -> CoreResult<()> {
    let Decided::Earlier {
        decision,
        checker,
        decided_at,
    } = approvals::decide(pool, subject, id, d).await?
    else {
        return Ok(());
    };
    Err(decided_before(
        subject, name, &decision, &checker, decided_at,
    ))
}

/// Someone decided first: say who, when and how.
fn decided_before(
    subject: Subject,
    name: &str,
    decision: &str,
    checker: &str,
    at: i64,
) -> CoreError {
    let when = format_time_ms(at);
    let what = named(subject, name);
    CoreError::Conflict(if decision == "approved" {
        let again = match subject {
            Subject::Order => tr!("未再次发送", "it was not sent again"),
            Subject::Batch => tr!("未再次执行", "it was not run again"),
        };
        tr!(
            "{} 已由 {} 于 {} 审批，{}",
            "{} was already approved by {} at {}; {}",
            what,
            checker,
            when,
            again
        )
    } else {
        tr!(
            "{} 已由 {} 于 {} 驳回",
            "{} was already rejected by {} at {}",
            what,
            checker,
            when
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one decision path keeps each subject's own words (the language is
    /// process-wide and other tests may switch it: either full text).
    #[test]
    fn a_decision_made_first_is_told_in_its_subject_s_words() {
        let at = 1_700_000_000_000;
        let when = format_time_ms(at);
        let said = |s, name, d| decided_before(s, name, d, "chk", at).to_string();
        let either = |got: String, zh: String, en: String| {
            assert!(got.contains(&zh) || got.contains(&en), "{got}");
        };
        either(
            said(Subject::Order, "PDP1", "approved"),
            format!("代付 PDP1 已由 chk 于 {when} 审批，未再次发送"),
            format!("payout PDP1 was already approved by chk at {when}; it was not sent again"),
        );
        either(
            said(Subject::Batch, "7", "approved"),
            format!("批次 7 已由 chk 于 {when} 审批，未再次执行"),
            format!("batch 7 was already approved by chk at {when}; it was not run again"),
        );
        either(
            said(Subject::Batch, "7", "rejected"),
            format!("批次 7 已由 chk 于 {when} 驳回"),
            format!("batch 7 was already rejected by chk at {when}"),
        );
    }

    #[test]
    fn thresholds_parse_with_zero_meaning_every_payout() {
        assert_eq!(parse_approval_threshold("").unwrap(), None);
        assert_eq!(parse_approval_threshold("  ").unwrap(), None);
        for zero in ["0", "0.00", "¥0", "０"] {
            assert_eq!(parse_approval_threshold(zero).unwrap(), Some(0), "{zero}");
        }
        assert_eq!(parse_approval_threshold("5000").unwrap(), Some(500_000));
        assert_eq!(parse_approval_threshold("1,000.50").unwrap(), Some(100_050));
        for bad in ["-1", "abc", "0.0.0", "1.234"] {
            let e = parse_approval_threshold(bad).unwrap_err();
            assert_eq!(e.field, "approval_threshold", "{bad}");
        }
    }
}
