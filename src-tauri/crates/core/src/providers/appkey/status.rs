//! What AppKey's codes mean: query states on the shared status set, and the
//! error table in plain words.

use crate::domain::OrderStatus;
use crate::gateway::GatewayError;
use crate::providers::common::{as_read, status_codes};
use crate::tr;

status_codes! {
    /// A query's `result.status`.
    pub enum QueryStatus (read as_read) {
        /// `0`: waiting (for the payer, or to be paid out).
        Waiting = "0" => Pending,
        /// `1`: paid / paid out.
        Paid = "1" => Succeeded,
        /// `2`: failed.
        Failed = "2" => Failed,
    }
}

/// Maps a query's `status`. `deposit` picks the wording of the text kept.
pub fn map_status(code: &str, deposit: bool) -> (OrderStatus, String) {
    let s = QueryStatus::from_code(code);
    let text = match (s, deposit) {
        (QueryStatus::Waiting, true) => tr!("等待客人支付", "waiting for the payer"),
        (QueryStatus::Waiting, false) => tr!("等待下发", "waiting to be paid out"),
        (QueryStatus::Paid, true) => tr!("支付成功", "paid"),
        (QueryStatus::Paid, false) => tr!("下发成功", "paid out"),
        (QueryStatus::Failed, true) => tr!("支付失败", "payment failed"),
        (QueryStatus::Failed, false) => tr!("下发失败", "payout failed"),
        (QueryStatus::Unknown, _) => tr!("未知状态 {}", "unknown state {}", code),
    };
    (s.into(), text)
}

/// Plain words for each error code of the document's error table.
pub fn error_words(code: &str) -> Option<String> {
    Some(match code {
        "invalid_data" => tr!(
            "请求数据无效：网关不接受所提交的数据，请检查收款信息、金额和订单号",
            "invalid request data: the gateway did not accept what was sent; check the payee details, the amount and the order number"
        ),
        "sign_error" => tr!("签名错误：请检查商户密钥是否正确", "signature error: check the merchant key"),
        "mrn_duplication" => tr!(
            "商户订单号重复：网关已有此订单号的订单，请先查询原订单，不要重复提交",
            "duplicate merchant order number: the gateway already has an order with this number; query that order instead of submitting again"
        ),
        "insufficient_balance" => tr!("商户余额不足，无法下发", "the merchant balance is too low for this payout"),
        "object_not_found" => tr!(
            "无效的商户账户：网关找不到该 appKey，请检查商户号（appKey）是否正确",
            "invalid merchant account: the gateway does not know this appKey; check the merchant id (appKey)"
        ),
        _ => return None,
    })
}

/// The document's Chinese descriptions, in case the gateway answers with those
/// instead of the codes (the deposit reply's `errorMsg` is free text).
pub fn code_for_text(text: &str) -> Option<&'static str> {
    let t = text.trim();
    for (code, zh) in [
        ("invalid_data", "无效的请求数据"),
        ("sign_error", "签名错误"),
        ("mrn_duplication", "平台单号冲突"),
        ("insufficient_balance", "商户余额不足"),
        ("object_not_found", "无效的商户账户"),
    ] {
        if t.eq_ignore_ascii_case(code) || t.starts_with(zh) {
            return Some(code);
        }
    }
    None
}

pub fn with_gateway_text(words: String, gateway_text: Option<&str>) -> String {
    match gateway_text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => tr!("{}（网关说明：{}）", "{} (gateway says: {})", words, t),
        None => words,
    }
}

/// A refusal by code, in plain words, keeping the gateway's own text beside them.
pub fn rejected(code: &str, gateway_text: Option<&str>) -> GatewayError {
    let message = match error_words(code) {
        Some(w) => with_gateway_text(w, gateway_text.filter(|t| t.trim() != code)),
        None => with_gateway_text(
            tr!(
                "网关拒绝了请求（错误代码 {}）",
                "the gateway refused the request (error code {})",
                code
            ),
            gateway_text,
        ),
    };
    GatewayError::Rejected {
        code: code.to_string(),
        message,
    }
}
