//! What Jeepay's codes mean: transfer states on the shared status set, and
//! refusals (one code, 9999, with a message) in plain words.

use super::wire::Op;
use crate::domain::OrderStatus;
use crate::gateway::GatewayError;
use crate::providers::common::{as_read, status_codes};
use crate::tr;

/// The document's words for each transfer `state`.
pub fn state_text(state: &str) -> Option<&'static str> {
    TransferState::from_code(state).text()
}

status_codes! {
    /// Transfer `state` as Jeepay defines it (query replies and transfer notifies).
    pub enum TransferState (read as_read) {
        Created = "0", "订单生成" => Pending,
        InProgress = "1", "转账中" => Processing,
        Succeeded = "2", "转账成功" => Succeeded,
        Failed = "3", "转账失败" => Failed,
        Closed = "4", "转账关闭" => Failed,
    }
}

impl TransferState {
    /// Whether the transfer has ended (a callback about it moves the order).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TransferState::Succeeded | TransferState::Failed | TransferState::Closed
        )
    }
}

pub fn map_state(state: &str) -> OrderStatus {
    TransferState::from_code(state).into()
}

/// A refusal in plain words. Jeepay answers business errors with one code
/// (9999) and a message, so the kind is read from the message; `code` is the
/// gateway's code with the kind after a colon (`9999:sign_error`).
pub fn failure(code: &str, msg: &str, op: Op) -> GatewayError {
    let m = msg.trim();
    let lower = m.to_ascii_lowercase();
    let said = if m.is_empty() {
        code.to_string()
    } else {
        m.to_string()
    };
    let has = |words: &[&str]| words.iter().any(|w| m.contains(w) || lower.contains(w));
    let rejected = |kind: &str, message: String| GatewayError::Rejected {
        code: format!("{code}:{kind}"),
        message,
    };
    if has(&[
        "验签",
        "签名失败",
        "签名错误",
        "签名不正确",
        "sign error",
        "sign fail",
        "invalid sign",
    ]) {
        return rejected(
            "sign_error",
            tr!(
                "签名错误：请检查商户密钥是否正确（网关：{}）",
                "signature error: check the merchant key (gateway: {})",
                said
            ),
        );
    }
    if has(&["商户", "mchno", "appid"]) && has(&["不存在", "不可用", "状态", "停用", "not exist"])
    {
        return rejected(
            "merchant",
            tr!(
                "商户号或应用ID不存在、未启用：请检查商户配置中的 mchNo 和 appId（网关：{}）",
                "unknown or disabled merchant: check the profile's mchNo and appId (gateway: {})",
                said
            ),
        );
    }
    if has(&["已存在", "重复", "already exist", "duplicate"]) {
        return rejected(
            "duplicate_order",
            tr!("商户订单号重复：该单号已提交过，请勿重复下单，可“查询状态”确认结果（网关：{}）", "duplicate merchant order number: it was submitted before; query its status instead of resubmitting (gateway: {})", said),
        );
    }
    if op == Op::Query && has(&["不存在", "not found", "not exist"]) {
        return GatewayError::OrderNotFound {
            code: code.to_string(),
            message: tr!(
                "网关没有这笔转账订单（网关：{}）",
                "the gateway has no such transfer order (gateway: {})",
                said
            ),
        };
    }
    if has(&["余额不足", "balance"]) {
        return rejected(
            "insufficient_balance",
            tr!(
                "商户余额不足，请充值后再转账（网关：{}）",
                "insufficient merchant balance; top up and try again (gateway: {})",
                said
            ),
        );
    }
    if has(&["reqtime", "请求时间", "时间戳", "过期"]) {
        return rejected("req_time", tr!("请求时间与网关时间相差过大：请校准本机时间后重试（网关：{}）", "the request time is too far from the gateway's clock: set this computer's clock right and try again (gateway: {})", said));
    }
    if has(&["ifcode", "接口", "通道", "渠道"]) {
        return rejected("channel", tr!("支付接口不可用：请确认接口代码（ifCode）已开通、入账方式受支持（网关：{}）", "the payment interface is not available: check that the ifCode is enabled and supports the entry type (gateway: {})", said));
    }
    if code == "11" || has(&["参数", "param", "格式"]) {
        return rejected(
            "params",
            tr!(
                "请求参数有误：{}",
                "the request has an invalid parameter: {}",
                said
            ),
        );
    }
    if code == "10" || code == "12" || has(&["系统", "system"]) {
        return rejected("system", tr!("网关系统异常，请稍后“查询状态”或联系网关客服（网关：{}）", "the gateway reported a system error; query the status later or contact the gateway (gateway: {})", said));
    }
    rejected(
        "other",
        tr!(
            "网关拒绝了请求：{}（代码 {}）",
            "the gateway refused the request: {} (code {})",
            said,
            code
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ended_transfers_are_final() {
        for (code, fin) in [
            ("0", false),
            ("1", false),
            ("2", true),
            ("3", true),
            ("4", true),
            ("9", false),
        ] {
            assert_eq!(TransferState::from_code(code).is_final(), fin, "{code}");
        }
    }
}
