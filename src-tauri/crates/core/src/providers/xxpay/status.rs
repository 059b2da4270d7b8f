//! What xxpay's codes mean: pay and transfer states on the shared status set,
//! and `retCode` = `FAIL` replies in plain words.

use super::wire::Endpoint;
use crate::domain::{OrderKind, OrderStatus};
use crate::gateway::GatewayError;
use crate::providers::common::status_codes;
use crate::tr;

status_codes! {
    /// `status` as xxpay numbers it: a pay order's (deposit) 0 created,
    /// 1 paying, 2 succeeded, 3 done (succeeded), 5 failed; a transfer's
    /// (payout) 0 created, 1 in progress, 2 succeeded, 3 failed, 4 done.
    pub enum XxpayStatus (per kind, read str::trim) {
        PayCreated = Deposit "0", "订单生成" => Pending,
        Paying = Deposit "1", "支付中" => Processing,
        PaySucceeded = Deposit "2", "支付成功" => Succeeded,
        PayDone = Deposit "3", "业务处理完成" => Succeeded,
        PayFailed = Deposit "5", "支付失败" => Failed,
        TransCreated = Payout "0", "订单生成" => Pending,
        TransInProgress = Payout "1", "代付中" => Processing,
        TransSucceeded = Payout "2", "代付成功" => Succeeded,
        TransFailed = Payout "3", "代付失败" => Failed,
        TransDone = Payout "4", "业务处理完成" => Succeeded,
    }
}

/// A pay (deposit) or transfer (payout) state on the shared set, with the
/// document's words.
pub fn status(kind: OrderKind, code: &str) -> (OrderStatus, Option<&'static str>) {
    let s = XxpayStatus::from_code(kind, code);
    (s.into(), s.text())
}

/// Refusals recognised by their words, first match wins: the error code, the
/// words (lower case), and our message in Chinese and English.
#[rustfmt::skip]
const REFUSALS: &[(&str, &[&str], &str, &str)] = &[
    ("duplicate_order", &["重复", "已存在", "duplicate", "already exist"], "商户订单号重复：该订单号已提交过。请先查询原订单状态，不要重复付款", "duplicate merchant order number: it was submitted before. Query the original order instead of paying again"),
    ("insufficient_balance", &["余额", "balance"], "代付余额不足：请先充值或减少金额", "insufficient balance for the payout: top up or lower the amount"),
    ("merchant_error", &["商户", "mchinfo", "mchid"], "商户号无效或未启用：请检查商户号（mchId）", "unknown or disabled merchant: check the merchant id (mchId)"),
    ("app_error", &["应用", "appid"], "应用ID（appId）无效：请检查商户资料中的应用ID", "invalid app id (appId): check the profile's app id"),
    ("product_unavailable", &["产品", "渠道", "通道", "productid", "channel"], "该支付产品/通道未开通或暂不可用：请换一种支付方式或联系网关客服", "this payment product or channel is not enabled or unavailable: choose another or contact the gateway"),
    ("bank_error", &["银行"], "银行信息有误：请检查银行代码与开户行", "bank details refused: check the bank code and bank name"),
    ("invalid_params", &["参数", "params", "param"], "参数格式校验错误：请检查填写的内容", "parameter check failed: check the values entered"),
];

/// A `retCode` = `FAIL` reply in plain words. The document lists the messages
/// 签名失败 and 参数格式校验错误 and the error code 0010 (系统错误); xxpay
/// servers word the rest freely, so they are recognised by their words.
pub fn failure(endpoint: Endpoint, ret_msg: &str, err_code: Option<&str>) -> GatewayError {
    let msg = ret_msg.trim();
    let lower = msg.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let original = if msg.is_empty() {
        String::new()
    } else {
        tr!("（网关原文：{}）", " (gateway said: {})", msg)
    };
    let rejected = |code: &str, text: String| GatewayError::Rejected {
        code: code.to_string(),
        message: format!("{text}{original}"),
    };

    let system_error =
        err_code == Some("0010") || has(&["系统错误", "系统异常", "系统超时", "system error"]);
    if system_error {
        if !endpoint.is_query() {
            // 0010 is "timeout or exception, call again with the same
            // parameters": the order may exist, so it must not be marked failed.
            // (It used to borrow `Timeout`, whose message blamed the network.)
            let code = err_code.unwrap_or("0010");
            return GatewayError::Uncertain(if msg.is_empty() {
                code.to_string()
            } else {
                format!("{code} {msg}")
            });
        }
        return rejected(
            "0010",
            tr!(
                "网关系统错误（0010）：系统超时或异常，请稍后再查询",
                "gateway system error (0010): timeout or exception; query again later"
            ),
        );
    }
    if lower.starts_with("request params") {
        return rejected(
            "invalid_params",
            tr!(
                "参数格式校验错误：请检查填写的内容",
                "parameter check failed: check the values entered"
            ),
        );
    }
    if has(&["签名", "sign"]) {
        return rejected(
            "sign_error",
            tr!(
                "签名错误：请检查商户密钥（请求密钥）是否正确",
                "signature error: check the merchant key (request key)"
            ),
        );
    }
    if endpoint.is_query()
        && has(&[
            "订单不存在",
            "订单未找到",
            "无此订单",
            "order not exist",
            "order not found",
            "order does not exist",
        ])
    {
        return GatewayError::OrderNotFound {
            code: "order_not_found".into(),
            message: format!(
                "{}{original}",
                tr!("网关查无此订单", "the gateway has no such order")
            ),
        };
    }
    if let Some((code, _, zh, en)) = REFUSALS.iter().find(|(_, words, ..)| has(words)) {
        return rejected(code, crate::i18n::tr(zh, en));
    }
    if msg.is_empty() {
        return rejected(
            "FAIL",
            tr!(
                "网关拒绝了请求，未说明原因",
                "the gateway refused the request without a reason"
            ),
        );
    }
    rejected(
        "FAIL",
        tr!("网关拒绝了请求", "the gateway refused the request"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_code_means_different_states_for_pay_and_transfer_orders() {
        use OrderKind::{Deposit, Payout};
        use OrderStatus::{Failed, Pending, Succeeded};
        for (kind, code, expected) in [
            (Deposit, "3", (Succeeded, Some("业务处理完成"))),
            (Payout, "3", (Failed, Some("代付失败"))),
            (Deposit, "4", (Pending, None)),
            (Payout, "4", (Succeeded, Some("业务处理完成"))),
            (Deposit, " 5 ", (Failed, Some("支付失败"))),
            (Payout, "5", (Pending, None)),
        ] {
            assert_eq!(status(kind, code), expected, "{kind:?} {code}");
        }
    }
}
