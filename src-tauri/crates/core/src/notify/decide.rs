//! What an order becomes after a verified callback: a pure function of the
//! stored order, its profile's ids and what arrived, tested as a table.
//! (Meant to sit beside `on_create` / `on_query` in `services/outcome.rs`.)

use crate::domain::{OrderKind, OrderStatus};
use crate::form::ids;
use crate::gateway::VerifiedNotify;
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
    Record(String),
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
        (Some(s), true) => CallbackDecision::Record(tr!(
            "回调称订单为“{}”，但订单已是最终状态“{}”，未改变",
            "the callback says “{}”, but the order is already final (“{}”); not changed",
            s.label(),
            order.status.label()
        )),
        (Some(s), false) if s.is_final() => CallbackDecision::Apply(s),
        // Never backwards, and a non-final word never moves an order.
        (_, _) => CallbackDecision::Record(tr!(
            "回调未带最终状态，订单未改变",
            "the callback carries no final status; the order is unchanged"
        )),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ProviderKind;
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
