//! What an order becomes after each event: a create's outcome, a query's
//! outcome (and, from the sync work, a callback). Pure functions of (the order
//! as stored, what arrived): no I/O, so every rule is one row of a table test.
//!
//! The rules, in one place:
//! - a reply that names another order number, amount or gateway order id is
//!   not about this order: nothing of it is applied (the event records the
//!   mismatch);
//! - a final order (succeeded, failed) is never moved by a query; a query that
//!   says otherwise is recorded as a conflict, the order stays as it is;
//! - an order whose create was refused, or never left, is failed;
//! - an order unanswered at create is `unknown` until a query settles it; the
//!   gateway's "no such order" settles it as failed only after
//!   `NOT_FOUND_GRACE_MS`.

use super::notes::Note;
use super::{inert, ErrorInfo};
use crate::domain::OrderStatus;
use crate::gateway::{Delivery, GatewayError, Reply};
use crate::money;
use crate::store::OrderUpdate;

/// An order that went unanswered is given up as failed only when the gateway
/// says it has no such order and this long has passed since it was sent.
pub const NOT_FOUND_GRACE_MS: i64 = 10 * 60 * 1000;

/// The error code an event carries when a query's answer contradicts a final
/// order: the answer is recorded, the order is not moved.
pub const STATUS_CONFLICT: &str = crate::store::STATUS_CONFLICT;

/// The facts about a stored order that the decisions need.
#[derive(Debug, Clone, Copy)]
pub struct OrderState<'a> {
    pub status: OrderStatus,
    pub order_no: &'a str,
    pub amount_fen: i64,
    /// The gateway's id for this order, once a trusted answer named it.
    pub provider_order_id: Option<&'a str>,
    /// When the order was last sent (Unix ms): stored just before sending,
    /// or sent again after a request that never left.
    pub sent_at: i64,
}

impl<'a> OrderState<'a> {
    pub fn of(o: &'a crate::store::Order) -> Self {
        OrderState {
            status: o.status,
            order_no: &o.order_no,
            amount_fen: o.amount_fen,
            provider_order_id: o.provider_order_id.as_deref(),
            sent_at: o.created_at,
        }
    }
}

/// What to write for one event: the update (recorded as one event with its
/// exchanges) and the error to report with it, if any.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub update: OrderUpdate,
    pub error: Option<ErrorInfo>,
}

impl Decision {
    /// The status the order has after this decision is applied.
    pub fn status_after(&self, before: OrderStatus) -> OrderStatus {
        self.update.status.unwrap_or(before)
    }
}

/// The create's answer (or failure) for an order just stored as `unknown`.
pub fn on_create(order: &OrderState<'_>, result: Result<Reply, GatewayError>) -> Decision {
    match result.and_then(|r| check_reply(order, r)) {
        Ok(reply) => Decision {
            update: update_from_reply(reply),
            error: None,
        },
        Err(e) => {
            let status = match e.delivery() {
                Delivery::NotDelivered => OrderStatus::Failed,
                Delivery::MaybeDelivered => OrderStatus::Unknown,
            };
            let (provider_status, provider_message) = match &e {
                GatewayError::Rejected { code, message } => {
                    (inert(Some(code.clone())), inert(Some(message.clone())))
                }
                _ => (None, None),
            };
            let note = Note::gateway(&e, never_left(&e));
            let mut error = ErrorInfo::from(&e);
            error.message = note.render();
            Decision {
                update: OrderUpdate {
                    status: Some(status),
                    provider_status,
                    provider_message,
                    message: Some(note.stored()),
                    ..Default::default()
                },
                error: Some(error),
            }
        }
    }
}

/// The request provably never left this machine (refused before sending, or
/// the connection was refused): the gateway cannot have the order, so its
/// number is not used up (see `may_resend`).
pub fn never_left(e: &GatewayError) -> bool {
    matches!(
        e,
        GatewayError::NotSent(_) | GatewayError::Invalid(_) | GatewayError::NotOffered { .. }
    )
}

/// The error codes of `never_left` failures, as recorded on the create event.
const NEVER_LEFT_CODES: [&str; 3] = ["not_sent", "invalid_input", "not_offered"];

/// Whether a stored order may be sent again under its number: it failed, its
/// last create never left this machine, and no answer since showed that the
/// gateway knows it. `events` are the order's (action, error code), oldest first.
pub fn may_resend<'a>(
    status: OrderStatus,
    events: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> bool {
    if status != OrderStatus::Failed {
        return false;
    }
    let mut ok = false;
    for (action, code) in events {
        if action == "create" {
            // The row's first event (stored, not sent yet) has no code.
            if let Some(code) = code {
                ok = NEVER_LEFT_CODES.contains(&code);
            }
        } else if code.is_none() || code == Some(STATUS_CONFLICT) {
            // A trusted answer about this number: the gateway knows it.
            ok = false;
        }
    }
    ok
}

/// A status query's answer (or failure) for a stored order, at `now` (Unix ms).
pub fn on_query(
    order: &OrderState<'_>,
    result: Result<Reply, GatewayError>,
    now: i64,
    not_found_grace_ms: i64,
) -> Decision {
    match result.and_then(|r| check_reply(order, r)) {
        Ok(reply) if order.status.is_final() => {
            if reply.status == order.status {
                // The same verdict again: keep the gateway's latest words, move nothing.
                let mut update = update_from_reply(reply);
                update.status = None;
                update.provider_order_id = None;
                Decision {
                    update,
                    error: None,
                }
            } else {
                let note = Note::StatusConflict {
                    reported: reply.status,
                    stored: order.status,
                };
                Decision {
                    update: OrderUpdate {
                        message: Some(note.stored()),
                        ..Default::default()
                    },
                    error: Some(ErrorInfo {
                        code: STATUS_CONFLICT.into(),
                        message: note.render(),
                        field: None,
                    }),
                }
            }
        }
        Ok(reply) => Decision {
            update: update_from_reply(reply),
            error: None,
        },
        Err(e) => {
            let note = Note::gateway(&e, false);
            let mut error = ErrorInfo::from(&e);
            error.message = note.render();
            let mut update = OrderUpdate {
                message: Some(note.stored()),
                ..Default::default()
            };
            if let GatewayError::OrderNotFound { code, message } = &e {
                update.provider_status = inert(Some(code.clone()));
                update.provider_message = inert(Some(message.clone()));
                if order.status == OrderStatus::Unknown && now - order.sent_at > not_found_grace_ms
                {
                    update.status = Some(OrderStatus::Failed);
                    update.message = Some(Note::NeverArrived.stored());
                }
            }
            Decision {
                update,
                error: Some(error),
            }
        }
    }
}

/// A reply that names another order, another amount or another gateway order
/// id is not about this order: it is never trusted.
pub fn check_reply(order: &OrderState<'_>, reply: Reply) -> Result<Reply, GatewayError> {
    if let Some(no) = &reply.order_no {
        if no != order.order_no {
            return Err(GatewayError::Mismatch(crate::words!(
                "应答订单号为 {}，本单为 {}",
                "the reply names order {}, this order is {}",
                no,
                order.order_no
            )));
        }
    }
    if let Some(a) = reply.amount_fen {
        if order.amount_fen > 0 && a != order.amount_fen {
            return Err(GatewayError::Mismatch(crate::words!(
                "应答金额为 {}，本单为 {}",
                "the reply names amount {}, this order is {}",
                money::format_cny(a),
                money::format_cny(order.amount_fen)
            )));
        }
    }
    if let (Some(stored), Some(named)) =
        (order.provider_order_id, reply.provider_order_id.as_deref())
    {
        if stored != named {
            return Err(GatewayError::Mismatch(crate::words!(
                "应答的网关订单号为 {}，本单为 {}",
                "the reply names gateway order {}, this order is {}",
                named,
                stored
            )));
        }
    }
    Ok(reply)
}

/// A trusted answer as an update. `message` is PayDesk's own note (errors,
/// what to do): a trusted answer clears it; the gateway's words stay in
/// `provider_message`.
pub fn update_from_reply(reply: Reply) -> OrderUpdate {
    OrderUpdate {
        status: Some(reply.status),
        provider_status: inert(reply.provider_status),
        provider_message: inert(reply.provider_message),
        provider_order_id: reply.provider_order_id,
        pay_url: reply.pay_url,
        card: reply.card,
        extra: if reply.extra.is_empty() {
            None
        } else {
            Some(reply.extra)
        },
        message: None,
        reopen: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    const GRACE: i64 = NOT_FOUND_GRACE_MS;

    fn state(status: OrderStatus, provider_order_id: Option<&str>) -> OrderState<'_> {
        OrderState {
            status,
            order_no: "A1",
            amount_fen: 100,
            provider_order_id,
            sent_at: 0,
        }
    }

    /// The kinds of answer a create or a query can get.
    #[derive(Debug, Clone, Copy)]
    enum Kind {
        Reply(OrderStatus),
        /// A reply naming gateway order `G2` (the order, when it has one, is `G1`).
        OtherGatewayId(OrderStatus),
        OtherOrderNo,
        OtherAmount,
        Rejected,
        NotSent,
        Invalid,
        Timeout,
        BadSignature,
        NotFound,
    }

    fn result(kind: Kind) -> Result<Reply, GatewayError> {
        let reply = |s| {
            let mut r = Reply::new(s);
            r.order_no = Some("A1".into());
            r.amount_fen = Some(100);
            r.provider_order_id = Some("G1".into());
            r
        };
        match kind {
            Kind::Reply(s) => Ok(reply(s)),
            Kind::OtherGatewayId(s) => Ok(Reply {
                provider_order_id: Some("G2".into()),
                ..reply(s)
            }),
            Kind::OtherOrderNo => Ok(Reply {
                order_no: Some("A2".into()),
                ..reply(Succeeded)
            }),
            Kind::OtherAmount => Ok(Reply {
                amount_fen: Some(200),
                ..reply(Succeeded)
            }),
            Kind::Rejected => Err(GatewayError::Rejected {
                code: "DUP".into(),
                message: "duplicate".into(),
            }),
            Kind::NotSent => Err(GatewayError::NotSent("connection refused".into())),
            Kind::Invalid => Err(GatewayError::Invalid(crate::error::FieldError::new(
                "notify_url",
                "x",
            ))),
            Kind::Timeout => Err(GatewayError::Timeout),
            Kind::BadSignature => Err(GatewayError::BadSignature),
            Kind::NotFound => Err(GatewayError::OrderNotFound {
                code: "404".into(),
                message: "no such order".into(),
            }),
        }
    }

    #[test]
    fn create_outcomes() {
        // (reply kind → status after, error code)
        let table: &[(Kind, OrderStatus, Option<&str>)] = &[
            (Kind::Reply(Pending), Pending, None),
            (Kind::Reply(Processing), Processing, None),
            (Kind::Reply(Succeeded), Succeeded, None),
            (Kind::Reply(Failed), Failed, None),
            (Kind::OtherOrderNo, Unknown, Some("reply_mismatch")),
            (Kind::OtherAmount, Unknown, Some("reply_mismatch")),
            (Kind::Rejected, Failed, Some("rejected")),
            (Kind::NotSent, Failed, Some("not_sent")),
            (Kind::Invalid, Failed, Some("invalid_input")),
            (Kind::Timeout, Unknown, Some("timeout")),
            (Kind::BadSignature, Unknown, Some("bad_signature")),
        ];
        for (kind, after, code) in table {
            let d = on_create(&state(Unknown, None), result(*kind));
            assert_eq!(d.status_after(Unknown), *after, "{kind:?}");
            assert_eq!(d.error.as_ref().map(|e| e.code.as_str()), *code, "{kind:?}");
            // A failure always says why; a trusted answer clears the note.
            assert_eq!(d.update.message.is_some(), code.is_some(), "{kind:?}");
        }
        // A refusal keeps the gateway's own code and words.
        let d = on_create(&state(Unknown, None), result(Kind::Rejected));
        assert_eq!(d.update.provider_status.as_deref(), Some("DUP"));
        assert_eq!(d.update.provider_message.as_deref(), Some("duplicate"));
    }

    /// status before, the order's gateway id, reply kind, at (ms after sending)
    /// → status after, error code, gateway id written.
    type QueryRow = (
        OrderStatus,
        Option<&'static str>,
        Kind,
        i64,
        OrderStatus,
        Option<&'static str>,
        Option<&'static str>,
    );
    type Events = Vec<(&'static str, Option<&'static str>)>;

    #[test]
    fn query_outcomes() {
        // (status before, the order's gateway id, reply kind, at (ms after
        //  sending) → status after, error code, gateway id written)
        #[rustfmt::skip]
        let table: &[QueryRow] = &[
            // Open orders follow a trusted answer.
            (Unknown,    None,       Kind::Reply(Succeeded), 1, Succeeded, None, Some("G1")),
            (Unknown,    None,       Kind::Reply(Failed),    1, Failed,    None, Some("G1")),
            (Pending,    Some("G1"), Kind::Reply(Processing),1, Processing,None, Some("G1")),
            (Processing, Some("G1"), Kind::Reply(Succeeded), 1, Succeeded, None, Some("G1")),
            (Unknown,    None,       Kind::OtherGatewayId(Succeeded), 1, Succeeded, None, Some("G2")),
            // A final order is never moved by a query (DUP-1: refused at create,
            // the other profile's order of the same number paid).
            (Failed,     None,       Kind::Reply(Succeeded), 1, Failed,    Some(STATUS_CONFLICT), None),
            (Failed,     None,       Kind::OtherGatewayId(Succeeded), 1, Failed, Some(STATUS_CONFLICT), None),
            (Succeeded,  Some("G1"), Kind::Reply(Failed),    1, Succeeded, Some(STATUS_CONFLICT), None),
            (Succeeded,  Some("G1"), Kind::Reply(Processing),1, Succeeded, Some(STATUS_CONFLICT), None),
            (Succeeded,  Some("G1"), Kind::Reply(Succeeded), 1, Succeeded, None, None),
            (Failed,     None,       Kind::Reply(Failed),    1, Failed,    None, None),
            (Failed,     None,       Kind::NotFound,     GRACE + 1, Failed, Some("order_not_found"), None),
            // A reply naming another gateway order, number or amount is not applied.
            (Pending,    Some("G1"), Kind::OtherGatewayId(Succeeded), 1, Pending, Some("reply_mismatch"), None),
            (Unknown,    Some("G1"), Kind::OtherGatewayId(Failed),    1, Unknown, Some("reply_mismatch"), None),
            (Unknown,    None,       Kind::OtherOrderNo,  1, Unknown,   Some("reply_mismatch"), None),
            (Processing, None,       Kind::OtherAmount,   1, Processing,Some("reply_mismatch"), None),
            // Failures that say nothing about the order move nothing.
            (Unknown,    None,       Kind::Timeout,       1, Unknown,   Some("timeout"), None),
            (Pending,    None,       Kind::BadSignature,  1, Pending,   Some("bad_signature"), None),
            // "No such order" settles an unanswered order only after the grace period.
            (Unknown,    None,       Kind::NotFound,      GRACE,     Unknown, Some("order_not_found"), None),
            (Unknown,    None,       Kind::NotFound,      GRACE + 1, Failed,  Some("order_not_found"), None),
            (Pending,    None,       Kind::NotFound,      GRACE + 1, Pending, Some("order_not_found"), None),
        ];
        for (i, (before, gid, kind, at, after, code, written_gid)) in table.iter().enumerate() {
            let d = on_query(&state(*before, *gid), result(*kind), *at, GRACE);
            assert_eq!(d.status_after(*before), *after, "row {i}: {kind:?}");
            assert_eq!(
                d.error.as_ref().map(|e| e.code.as_str()),
                *code,
                "row {i}: {kind:?}"
            );
            assert_eq!(
                d.update.provider_order_id.as_deref(),
                *written_gid,
                "row {i}: {kind:?}"
            );
        }
    }

    #[test]
    fn only_an_order_that_never_left_may_be_sent_again() {
        let c = |v: &'static [(&'static str, Option<&'static str>)]| v.to_vec();
        #[rustfmt::skip]
        let table: Vec<(OrderStatus, Events, bool)> = vec![
            (Failed,  c(&[("create", None), ("create", Some("not_sent"))]), true),
            (Failed,  c(&[("create", None), ("create", Some("invalid_input"))]), true),
            (Failed,  c(&[("create", None), ("create", Some("not_offered"))]), true),
            (Failed,  c(&[("create", None), ("create", Some("not_sent")), ("query", Some("order_not_found"))]), true),
            // Refused by the gateway: it has the number.
            (Failed,  c(&[("create", None), ("create", Some("rejected"))]), false),
            (Failed,  c(&[("create", None), ("create", None)]), false),
            // Settled by a query: the gateway had it.
            (Failed,  c(&[("create", None), ("create", Some("timeout")), ("query", None)]), false),
            (Failed,  c(&[("create", None), ("create", Some("not_sent")), ("query", Some(STATUS_CONFLICT))]), false),
            (Failed,  c(&[("create", None), ("create", Some("not_sent")), ("query", None)]), false),
            // Sent again, and this time it left.
            (Failed,  c(&[("create", None), ("create", Some("not_sent")), ("create", None), ("create", Some("rejected"))]), false),
            // Open orders are never sent again.
            (Unknown, c(&[("create", None)]), false),
            (Unknown, c(&[("create", None), ("create", Some("timeout"))]), false),
            (Pending, c(&[("create", None), ("create", None)]), false),
        ];
        for (i, (status, events, want)) in table.into_iter().enumerate() {
            assert_eq!(may_resend(status, events), want, "row {i}");
        }
    }

    #[test]
    fn a_request_that_never_left_says_the_number_is_not_used_up() {
        // Either language (the process-wide language is not set here).
        let says = |m: &str| m.contains("same order number") || m.contains("同一订单号");
        for kind in [Kind::NotSent, Kind::Invalid] {
            let d = on_create(&state(Unknown, None), result(kind));
            assert!(says(&d.error.unwrap().message), "{kind:?}");
        }
        let d = on_create(&state(Unknown, None), result(Kind::Rejected));
        assert!(!says(&d.error.unwrap().message));
    }

    #[test]
    fn a_conflicting_answer_leaves_the_gateway_fields_alone() {
        let d = on_query(
            &state(Failed, None),
            result(Kind::Reply(Succeeded)),
            1,
            GRACE,
        );
        assert!(d.update.provider_status.is_none() && d.update.provider_message.is_none());
        assert!(d.update.pay_url.is_none() && d.update.card.is_none());
        assert!(d.update.message.is_some());
    }
}

/// After a verified callback (issue 12): the same rules as a query (never
/// backwards, never out of a final state, never on a message about another
/// order, amount, payee or gateway id), plus JSTpay's receive check.
pub mod callback {
    use crate::domain::{OrderKind, OrderStatus};
    use crate::form::ids;
    use crate::gateway::VerifiedNotify;
    use crate::services::notes::Note;
    use crate::store::Order;
    use crate::tr;

    /// The profile's own ids a callback must carry.
    #[derive(Debug, Clone, Copy)]
    pub struct Ids<'a> {
        pub merchant_id: &'a str,
        pub app_id: Option<&'a str>,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CallbackDecision {
        /// Move the open order to this final status.
        Apply(OrderStatus),
        /// Genuine, but it moves nothing (no final status, or a final order told
        /// otherwise): record it, acknowledge it.
        Record(Note),
        /// The order already is what the callback says: write nothing, acknowledge.
        Replay,
        /// It does not match the order: change nothing, do not acknowledge.
        Refuse(String),
    }

    /// Checks that hold for every callback: merchant, app, kind, amount, payee,
    /// gateway id. `Err` names what differs (never the received value).
    pub fn matches(order: &Order, ids: Ids<'_>, n: &VerifiedNotify) -> Result<(), String> {
        if n.kind != order.kind || n.order_no != order.order_no {
            return Err(tr!("订单号或类型不符", "order number or kind differs"));
        }
        if n.merchant_id
            .as_deref()
            .is_some_and(|m| m != ids.merchant_id)
        {
            return Err(tr!("商户号不符", "merchant id differs"));
        }
        if let (Some(got), Some(ours)) = (n.app_id.as_deref(), ids.app_id) {
            if got != ours {
                return Err(tr!("应用 ID 不符", "app id differs"));
            }
        }
        match n.amount_fen {
            Some(a) if a == order.amount_fen => {}
            Some(_) => return Err(tr!("金额不符", "amount differs")),
            None => return Err(tr!("回调未带金额", "the callback carries no amount")),
        }
        for (field, got) in &n.payee {
            let sent = order.fields.get(field).map(String::as_str).unwrap_or("");
            if got.trim() != sent.trim() {
                return Err(tr!("收款信息不符（{}）", "payee differs ({})", field));
            }
        }
        if let (Some(got), Some(ours)) = (
            n.provider_order_id.as_deref(),
            order.provider_order_id.as_deref(),
        ) {
            if got != ours {
                return Err(tr!("网关订单号不符", "gateway order id differs"));
            }
        }
        Ok(())
    }

    /// The decision for a result callback (not a receive check).
    pub fn on_callback(order: &Order, ids: Ids<'_>, n: &VerifiedNotify) -> CallbackDecision {
        if let Err(why) = matches(order, ids, n) {
            return CallbackDecision::Refuse(why);
        }
        match (n.status, order.status.is_final()) {
            (Some(s), true) if s == order.status => CallbackDecision::Replay,
            (Some(s), true) => CallbackDecision::Record(Note::CallbackConflict {
                reported: s,
                stored: order.status,
            }),
            (Some(s), false) if s.is_final() => CallbackDecision::Apply(s),
            // Never backwards, and a non-final word never moves an order.
            (_, _) => CallbackDecision::Record(Note::CallbackNotFinal),
        }
    }

    /// The payee fields a JSTpay receive check must carry and match.
    pub const RECEIVE_CHECK_FIELDS: [&str; 6] = [
        ids::PAYEE_NAME,
        ids::ACCOUNT_NO,
        ids::BANK_NAME,
        ids::BRANCH,
        ids::PROVINCE,
        ids::CITY,
    ];

    /// A JSTpay receive check: `Ok` only for a payout PayDesk created whose
    /// payee (all six fields) and amount are what was sent.
    pub fn receive_check(order: &Order, ids: Ids<'_>, n: &VerifiedNotify) -> Result<(), String> {
        if order.kind != OrderKind::Payout {
            return Err(tr!("不是代付订单", "not a payout"));
        }
        for f in RECEIVE_CHECK_FIELDS {
            if !n.payee.contains_key(f) {
                return Err(tr!(
                    "核对请求缺少收款信息（{}）",
                    "the check lacks a payee field ({})",
                    f
                ));
            }
        }
        matches(order, ids, n)?;
        if order.status == OrderStatus::Failed {
            return Err(tr!("订单已失败", "the order has failed"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod callback_tests {
    use super::callback::*;
    use crate::domain::ProviderKind;
    use crate::domain::{OrderKind, OrderStatus};
    use crate::form::ids;
    use crate::gateway::VerifiedNotify;
    use crate::store::Order;
    use std::collections::BTreeMap;

    fn order(status: OrderStatus) -> Order {
        let fields: BTreeMap<String, String> = [
            (ids::PAYEE_NAME, "张三"),
            (ids::ACCOUNT_NO, "6222020200112233445"),
            (ids::BANK_NAME, "中国工商银行"),
            (ids::BRANCH, "上海分行"),
            (ids::PROVINCE, "上海市"),
            (ids::CITY, "上海市"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Order {
            id: 1,
            profile_id: "p1".into(),
            profile: "jst".into(),
            provider: ProviderKind::Jstpay,
            sandbox: true,
            order_no: "PD1".into(),
            kind: OrderKind::Payout,
            amount_fen: 10_000,
            channel: None,
            payee_name: Some("张三".into()),
            account_no: Some("6222020200112233445".into()),
            bank_name: Some("中国工商银行".into()),
            fields,
            status,
            provider_status: None,
            provider_message: None,
            provider_order_id: Some("GW1".into()),
            pay_url: None,
            card: None,
            extra: BTreeMap::new(),
            message: None,
            created_by: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn notify(status: Option<OrderStatus>) -> VerifiedNotify {
        let mut n = VerifiedNotify::new(OrderKind::Payout, "PD1");
        n.merchant_id = Some("M1".into());
        n.amount_fen = Some(10_000);
        n.provider_order_id = Some("GW1".into());
        n.status = status;
        n
    }

    const IDS: Ids<'static> = Ids {
        merchant_id: "M1",
        app_id: Some("A1"),
    };

    #[test]
    fn decisions() {
        use CallbackDecision::*;
        use OrderStatus::*;
        let refuse = |f: &dyn Fn(&mut VerifiedNotify)| {
            let mut n = notify(Some(Succeeded));
            f(&mut n);
            matches!(on_callback(&order(Pending), IDS, &n), Refuse(_))
        };
        // (order status, claimed status) -> decision kind
        let rows: &[(OrderStatus, Option<OrderStatus>, &str)] = &[
            (Pending, Some(Succeeded), "apply"),
            (Processing, Some(Failed), "apply"),
            (Unknown, Some(Succeeded), "apply"),
            (Succeeded, Some(Succeeded), "replay"),
            (Failed, Some(Failed), "replay"),
            (Succeeded, Some(Failed), "record"),
            (Failed, Some(Succeeded), "record"),
            (Processing, Some(Pending), "record"),
            (Pending, Some(Processing), "record"),
            (Pending, None, "record"),
            (Succeeded, None, "record"),
        ];
        for &(have, claim, want) in rows {
            let d = on_callback(&order(have), IDS, &notify(claim));
            let got = match d {
                Apply(s) => {
                    assert_eq!(Some(s), claim);
                    "apply"
                }
                Replay => "replay",
                Record(_) => "record",
                Refuse(_) => "refuse",
            };
            assert_eq!(got, want, "{have:?} told {claim:?}");
        }
        assert!(refuse(&|n| n.merchant_id = Some("M2".into())));
        assert!(refuse(&|n| n.app_id = Some("A2".into())));
        assert!(refuse(&|n| n.amount_fen = Some(10_001)));
        assert!(refuse(&|n| n.amount_fen = None));
        assert!(refuse(&|n| n.provider_order_id = Some("GW2".into())));
        assert!(refuse(&|n| n.kind = OrderKind::Deposit));
        assert!(refuse(&|n| n.order_no = "PD2".into()));
        assert!(refuse(&|n| {
            n.payee
                .insert(ids::ACCOUNT_NO.into(), "6222000000000000000".into());
        }));
        assert!(
            !refuse(&|n| n.app_id = None),
            "app id checked only when sent"
        );
        assert!(!refuse(&|n| n.merchant_id = None));
        // A refused callback never moves even a final order.
        let mut forged = notify(Some(Failed));
        forged.amount_fen = Some(1);
        assert!(matches!(
            on_callback(&order(Succeeded), IDS, &forged),
            Refuse(_)
        ));
    }

    #[test]
    fn receive_check_needs_every_payee_field_equal() {
        let mut n = notify(None);
        n.receive_check = true;
        let o = order(OrderStatus::Pending);
        assert!(receive_check(&o, IDS, &n).is_err(), "no payee: refused");
        for f in RECEIVE_CHECK_FIELDS {
            n.payee.insert(f.into(), o.fields[f].clone());
        }
        assert_eq!(receive_check(&o, IDS, &n), Ok(()));
        // Before the create reply is stored, the gateway id is not known yet.
        let mut early = o.clone();
        early.provider_order_id = None;
        assert_eq!(receive_check(&early, IDS, &n), Ok(()));
        for f in RECEIVE_CHECK_FIELDS {
            let mut m = n.clone();
            m.payee.insert(f.into(), "别人".into());
            assert!(receive_check(&o, IDS, &m).is_err(), "{f} differs");
            let mut m = n.clone();
            m.payee.remove(f);
            assert!(receive_check(&o, IDS, &m).is_err(), "{f} missing");
        }
        let mut m = n.clone();
        m.amount_fen = Some(20_000);
        assert!(receive_check(&o, IDS, &m).is_err());
        let mut d = o.clone();
        d.kind = OrderKind::Deposit;
        assert!(receive_check(&d, IDS, &n).is_err());
    }
}
