//! What jstpay's codes mean: the order state codes of a status query or a
//! callback, on the shared status set, and the failure codes in plain words.

use crate::domain::{OrderKind, OrderStatus};
use crate::gateway::GatewayError;
use crate::tr;

/// `order_state_id` as jstpay defines it (payout 10-40, deposit 11-41).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JstpayState {
    /// Payout `10`: waiting to be accepted.
    PayoutWaiting,
    /// Payout `20`.
    PayoutProcessing,
    /// Payout `30`.
    PayoutSucceeded,
    /// Payout `40`: rejected.
    PayoutRejected,
    /// Deposit `11`: waiting for payment.
    DepositWaiting,
    /// Deposit `21`.
    DepositExpired,
    /// Deposit `41`.
    DepositSucceeded,
    /// A code this kind of order does not have: keep waiting, the raw code is kept.
    Unknown,
}

impl JstpayState {
    pub fn from_code(kind: OrderKind, code: &str) -> Self {
        match (kind, code) {
            (OrderKind::Payout, "10") => JstpayState::PayoutWaiting,
            (OrderKind::Payout, "20") => JstpayState::PayoutProcessing,
            (OrderKind::Payout, "30") => JstpayState::PayoutSucceeded,
            (OrderKind::Payout, "40") => JstpayState::PayoutRejected,
            (OrderKind::Deposit, "11") => JstpayState::DepositWaiting,
            (OrderKind::Deposit, "21") => JstpayState::DepositExpired,
            (OrderKind::Deposit, "41") => JstpayState::DepositSucceeded,
            _ => JstpayState::Unknown,
        }
    }
}

impl From<JstpayState> for OrderStatus {
    fn from(s: JstpayState) -> Self {
        match s {
            JstpayState::PayoutWaiting | JstpayState::DepositWaiting => OrderStatus::Pending,
            JstpayState::PayoutProcessing => OrderStatus::Processing,
            JstpayState::PayoutSucceeded | JstpayState::DepositSucceeded => OrderStatus::Succeeded,
            JstpayState::PayoutRejected | JstpayState::DepositExpired => OrderStatus::Failed,
            JstpayState::Unknown => OrderStatus::Pending,
        }
    }
}

/// Payout and deposit state codes on the shared status set.
pub fn map_state(kind: OrderKind, code: &str) -> OrderStatus {
    JstpayState::from_code(kind, code).into()
}

/// A callback's `type` and `action`: what it says happened, if anything final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyAction {
    /// `pay` + `receive`: the receive check, a question.
    PayoutReceive,
    /// `pay` + `completed`.
    PayoutCompleted,
    /// `pay` + `reject`.
    PayoutReject,
    /// `deposit` + `completed`.
    DepositCompleted,
}

impl NotifyAction {
    pub fn from_wire(kind: &str, action: &str) -> Option<Self> {
        Some(match (kind, action) {
            ("pay", "receive") => NotifyAction::PayoutReceive,
            ("pay", "completed") => NotifyAction::PayoutCompleted,
            ("pay", "reject") => NotifyAction::PayoutReject,
            ("deposit", "completed") => NotifyAction::DepositCompleted,
            _ => return None,
        })
    }

    pub fn kind(self) -> OrderKind {
        match self {
            NotifyAction::DepositCompleted => OrderKind::Deposit,
            _ => OrderKind::Payout,
        }
    }
}

impl From<NotifyAction> for Option<OrderStatus> {
    fn from(a: NotifyAction) -> Self {
        match a {
            NotifyAction::PayoutReceive => None,
            NotifyAction::PayoutCompleted | NotifyAction::DepositCompleted => {
                Some(OrderStatus::Succeeded)
            }
            NotifyAction::PayoutReject => Some(OrderStatus::Failed),
        }
    }
}

/// What a failed (`status` 0) reply means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureMeaning {
    /// A create or a balance query: a clear refusal.
    Refusal,
    /// A status query: "order not found" is its own answer.
    Query,
}

/// The error codes the sandbox uses (the document lists none).
pub mod codes {
    pub const SIGN: &str = "1001";
    pub const MERCHANT: &str = "1002";
    pub const PARAMS: &str = "1003";
    pub const DUPLICATE: &str = "1004";
    pub const NOT_FOUND: &str = "1005";
    pub const BALANCE: &str = "1006";
    pub const AMOUNT: &str = "1007";
    pub const TIMESTAMP: &str = "1008";
    pub const CHANNEL: &str = "1009";
    pub const QUERY_MISMATCH: &str = "1010";
    pub const ALL: [&str; 10] = [
        SIGN,
        MERCHANT,
        PARAMS,
        DUPLICATE,
        NOT_FOUND,
        BALANCE,
        AMOUNT,
        TIMESTAMP,
        CHANNEL,
        QUERY_MISMATCH,
    ];
}

fn looks_not_found(msg: &str) -> bool {
    let m = msg.to_lowercase();
    [
        "订单不存在",
        "查无",
        "無此",
        "无此订单",
        "not found",
        "not exist",
        "no such order",
    ]
    .iter()
    .any(|p| m.contains(p))
}

fn looks_sign_error(msg: &str) -> bool {
    let m = msg.to_lowercase();
    m.contains("签名") || m.contains("簽名") || m.contains("sign")
}

/// Plain words for a failure code, keeping the gateway's own text.
pub fn failure(code: &str, msg: &str, meaning: FailureMeaning) -> GatewayError {
    let not_found =
        code == codes::NOT_FOUND || (!codes::ALL.contains(&code) && looks_not_found(msg));
    if meaning == FailureMeaning::Query && not_found {
        return GatewayError::OrderNotFound {
            code: code.to_string(),
            message: tr!("网关查无此订单（请核对订单号、收款卡号、金额和渠道）", "the gateway has no such order (check the order number, card number, amount and channel)"),
        };
    }
    let message = match code {
        codes::SIGN => tr!("签名错误：请检查商户密钥是否正确", "signature error: check the merchant key"),
        codes::MERCHANT => tr!("商户号无效或未开通：请检查商户号", "invalid or inactive merchant ID: check the merchant ID"),
        codes::PARAMS => tr!("请求参数错误：{}", "the request parameters were refused: {}", gateway_text(msg)),
        codes::DUPLICATE => tr!("商户订单号重复：该订单号已提交过，请勿重复下单", "duplicate merchant order number: this order number was already submitted; do not submit it again"),
        codes::NOT_FOUND => tr!("网关查无此订单", "the gateway has no such order"),
        codes::BALANCE => tr!("代付余额不足", "insufficient payout balance"),
        codes::AMOUNT => tr!("金额不被接受（须为整数元，且在网关限额内）", "the amount was refused (whole yuan within the gateway's limits)"),
        codes::TIMESTAMP => tr!("请求时间与网关时间相差过大：请校准本机时钟", "the request time is too far from the gateway's clock: correct this computer's clock"),
        codes::CHANNEL => tr!("代收渠道不可用：请换一个渠道", "the deposit channel is not available: choose another"),
        codes::QUERY_MISMATCH => tr!("查询条件与订单不符：请核对收款卡号、金额和渠道", "the query does not match the order: check the card number, amount and channel"),
        _ if looks_sign_error(msg) => tr!("签名错误：请检查商户密钥是否正确（网关：{}）", "signature error: check the merchant key (gateway: {})", msg),
        _ => tr!("网关拒绝（代码 {}）：{}", "the gateway refused (code {}): {}", if code.is_empty() { "-" } else { code }, gateway_text(msg)),
    };
    GatewayError::Rejected {
        code: code.to_string(),
        message,
    }
}

fn gateway_text(msg: &str) -> String {
    if msg.is_empty() {
        tr!("网关未说明原因", "no reason given")
    } else {
        msg.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes() {
        assert_eq!(map_state(OrderKind::Payout, "10"), OrderStatus::Pending);
        assert_eq!(map_state(OrderKind::Payout, "20"), OrderStatus::Processing);
        assert_eq!(map_state(OrderKind::Payout, "30"), OrderStatus::Succeeded);
        assert_eq!(map_state(OrderKind::Payout, "40"), OrderStatus::Failed);
        assert_eq!(map_state(OrderKind::Deposit, "11"), OrderStatus::Pending);
        assert_eq!(map_state(OrderKind::Deposit, "21"), OrderStatus::Failed);
        assert_eq!(map_state(OrderKind::Deposit, "41"), OrderStatus::Succeeded);
        assert_eq!(map_state(OrderKind::Deposit, "30"), OrderStatus::Pending);
        assert_eq!(map_state(OrderKind::Payout, "99"), OrderStatus::Pending);
    }

    #[test]
    fn notify_actions() {
        let st = |k, a| NotifyAction::from_wire(k, a).map(Option::<OrderStatus>::from);
        assert_eq!(st("pay", "receive"), Some(None));
        assert_eq!(st("pay", "completed"), Some(Some(OrderStatus::Succeeded)));
        assert_eq!(st("pay", "reject"), Some(Some(OrderStatus::Failed)));
        assert_eq!(
            st("deposit", "completed"),
            Some(Some(OrderStatus::Succeeded))
        );
        assert_eq!(st("pay", "rejected"), None);
        assert_eq!(st("deposit", "receive"), None);
    }
}
