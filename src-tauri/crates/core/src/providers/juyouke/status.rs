//! What juyouke's codes mean: trade and withdrawal states on the shared status
//! set, and result/error codes in plain words.

use super::wire::ReplyObject;
use crate::domain::{OrderKind, OrderStatus};
use crate::gateway::{BalanceReply, GatewayError, Reply};
use crate::money::{fen_to_yuan_2dp, parse_reply_fen, parse_reply_yuan};
use crate::providers::common::{as_read, status_codes};
use crate::tr;
use std::collections::BTreeMap;

/// Errors about our credentials: the gateway cannot sign them with a key we
/// share (ours is wrong or unknown to it), so they are believed unsigned. They
/// only ever say "refused", never move an order to succeeded.
pub const CREDENTIAL_ERRORS: [&str; 3] = ["SIGNERROR", "NOSIGN", "APPID_NOT_EXIST"];

status_codes! {
    /// A payment's (deposit) `trade_status` (appendix 3.1.3) and a
    /// withdrawal's (payout) `withdraw_status`: 0 failed, 1 succeeded,
    /// 2 processing, 3 returned, 9 manual; with our words for each.
    pub enum JuyoukeStatus (per kind, read as_read) {
        TradeFail = Deposit "TRADE_FAIL", ("交易失败", "payment failed") => Failed,
        TradeClosed = Deposit "TRADE_CLOSED", ("交易关闭", "payment closed") => Failed,
        TradeFinished = Deposit "TRADE_FINISHED", ("交易完结", "payment finished") => Succeeded,
        TradeSuccess = Deposit "TRADE_SUCCESS", ("支付成功", "paid") => Succeeded,
        WaitBuyerPay = Deposit "WAIT_BUYER_PAY", ("交易创建，等待支付", "created, waiting for the payer") => Pending,
        /// Cancel under way: not final, a person has to follow it up.
        CancelInProgress = Deposit "CANCEL_INPROGRESS", ("撤单进行中", "cancellation in progress") => Processing,
        Refunded = Deposit "REFUNDED", ("已成功退款", "refunded") => Failed,
        /// A refund whose outcome the channel has not told: not final either.
        RefundError = Deposit "REFUND_ERROR", ("退款失败，第三方通道最终退款状态不确定，请联系网关客服", "refund failed and its final state at the channel is unknown; contact the gateway's support") => Processing,
        /// Listed by the document among the states; says nothing of the payment.
        InvalidStatusCode = Deposit "INVALID_STATUS_CODE", ("无效的状态码", "invalid status code") => Pending,
        WithdrawFailed = Payout "0", ("提现失败", "withdrawal failed") => Failed,
        WithdrawSucceeded = Payout "1", ("提现成功", "withdrawal succeeded") => Succeeded,
        /// Still under way.
        WithdrawProcessing = Payout "2", ("提现处理中", "withdrawal in progress") => Processing,
        Returned = Payout "3", ("已退汇（款项退回商户余额）", "returned by the bank (money back in the balance)") => Failed,
        /// Handed to a person at the gateway: still under way.
        Manual = Payout "9", ("已转人工处理", "handed to manual processing") => Processing,
    }
}

impl JuyoukeStatus {
    /// Whether a callback with this status settles the order.
    pub fn is_final(self) -> bool {
        matches!(
            OrderStatus::from(self),
            OrderStatus::Succeeded | OrderStatus::Failed
        )
    }
}

/// A payment's or a withdrawal's state code in the shared status set.
pub fn status(kind: OrderKind, code: &str) -> OrderStatus {
    JuyoukeStatus::from_code(kind, code).into()
}

/// The document's code lists of refusals (appendix 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// `err_code` (3.1.2).
    ErrCode,
    /// `result_code` (3.1.1).
    ResultCode,
}

/// Our words for each refusal code, as one table: its list, the code,
/// Chinese, English.
#[rustfmt::skip]
const WORDS: &[(List, &str, &str, &str)] = &[
    (List::ErrCode, "SUCCESS", "支付成功", "paid"),
    (List::ErrCode, "ORDERPAID", "该商户订单号已支付过，请使用新的订单号", "this merchant order number has already been paid; use a new order number"),
    (List::ErrCode, "ORDERCLOSED", "订单已关闭", "the order is closed"),
    (List::ErrCode, "ORDER_CONFLICT", "订单号重复：该商户订单号在网关已存在，请使用新的订单号", "duplicate order number: the gateway already has this merchant order number; use a new one"),
    (List::ErrCode, "ORDER_NOTFOUND", "网关查无此订单", "the gateway has no such order"),
    (List::ErrCode, "SYSTEMERROR", "网关系统错误，结果未知，请稍后查询订单状态", "the gateway had a system error; the result is unknown, query the order later"),
    (List::ErrCode, "APPID_NOT_EXIST", "商户 app_id 不存在：请检查商户号是否正确", "unknown app_id: check the merchant id"),
    (List::ErrCode, "LACK_PARAMS", "缺少必填参数", "a required parameter is missing"),
    (List::ErrCode, "SIGNERROR", "签名错误：请检查商户密钥是否正确", "signature error: check the merchant key"),
    (List::ErrCode, "NOSIGN", "请求缺少签名", "the request carried no signature"),
    (List::ErrCode, "REQUIRE_POST_METHOD", "网关要求用 POST 提交", "the gateway requires POST"),
    (List::ErrCode, "JSONERROR", "网关要求以 JSON 提交参数", "the gateway requires parameters as JSON"),
    (List::ErrCode, "PARAMSERROR", "参数错误", "invalid parameter"),
    (List::ErrCode, "USERPAYING", "等待用户支付（顾客正在输入密码）", "waiting for the payer (entering the password)"),
    (List::ErrCode, "FREQUENTLY", "调用过于频繁，请稍后再试", "called too often; try again shortly"),
    (List::ErrCode, "INSUFFICIENT", "商户余额不足", "the merchant balance is insufficient"),
    (List::ErrCode, "UNACTIVATE", "商户未激活，请联系网关客服", "the merchant account is not activated; contact the gateway's support"),
    (List::ErrCode, "AGENT_NOTFOUND", "代理商不存在，请联系网关客服", "the agent does not exist; contact the gateway's support"),
    (List::ResultCode, "10000", "接口调用成功", "success"),
    (List::ResultCode, "20000", "网关服务不可用", "the gateway service is unavailable"),
    (List::ResultCode, "40001", "缺少必选参数", "a required parameter is missing"),
    (List::ResultCode, "40002", "非法的参数", "invalid parameter"),
    (List::ResultCode, "40004", "业务处理失败", "the gateway refused the request"),
];

/// A code of `list` in plain words.
pub fn words(list: List, code: &str) -> Option<String> {
    WORDS
        .iter()
        .find(|(l, c, _, _)| *l == list && *c == code)
        .map(|(_, _, zh, en)| crate::i18n::tr(zh, en))
}

/// Our words for a refusal, with the gateway's own description beside them.
pub fn plain_message(obj: &ReplyObject) -> String {
    let err = obj.text("err_code").unwrap_or("");
    let result = obj.text("result_code").unwrap_or("");
    let ours = words(List::ErrCode, err)
        .or_else(|| words(List::ResultCode, result))
        .unwrap_or_else(|| {
            tr!(
                "网关拒绝了请求（{}）",
                "the gateway refused the request ({})",
                if err.is_empty() { result } else { err }
            )
        });
    match obj.text("err_code_des").or_else(|| obj.text("return_msg")) {
        Some(des) if !ours.contains(des) => {
            tr!("{}（网关说明：{}）", "{} (gateway says: {})", ours, des)
        }
        _ => ours,
    }
}

fn yuan(obj: &ReplyObject, key: &str) -> Result<Option<i64>, GatewayError> {
    obj.text(key)
        .map(|t| {
            parse_reply_yuan(t).ok_or_else(|| {
                GatewayError::malformed(format!("{key} is not an amount in yuan: {t}"))
            })
        })
        .transpose()
}

/// Fen text; a withdrawal amount written with zero decimals (`10050.00`) is read too.
fn fen(obj: &ReplyObject, key: &str) -> Result<Option<i64>, GatewayError> {
    obj.text(key)
        .map(|t| {
            parse_reply_fen(t)
                .or_else(|| {
                    parse_reply_yuan(t)
                        .filter(|v| v % 100 == 0)
                        .map(|v| v / 100)
                })
                .ok_or_else(|| {
                    GatewayError::malformed(format!("{key} is not an amount in fen: {t}"))
                })
        })
        .transpose()
}

/// What a verified reply says of its state, read the same way for payments
/// (`trade_status`) and withdrawals (`withdraw_status`): the code and what it
/// means (no code: still pending), the gateway's message or else our words
/// for the code, and the gateway's id.
fn state_reply(obj: &ReplyObject, kind: OrderKind) -> Reply {
    let code = obj.text(match kind {
        OrderKind::Deposit => "trade_status",
        OrderKind::Payout => "withdraw_status",
    });
    let state = code.map(|c| JuyoukeStatus::from_code(kind, c));
    let mut reply = Reply::new(state.map(OrderStatus::from).unwrap_or(OrderStatus::Pending));
    reply.provider_status = code.map(str::to_string);
    reply.provider_message = obj
        .text("return_msg")
        .map(str::to_string)
        .or_else(|| state.and_then(JuyoukeStatus::words));
    reply.provider_order_id = obj.text("trade_no").map(str::to_string);
    reply
}

/// A verified payment reply (codepay, query).
pub fn trade_reply(obj: &ReplyObject) -> Result<Reply, GatewayError> {
    let mut reply = state_reply(obj, OrderKind::Deposit);
    reply.order_no = obj.text("out_trade_no").map(str::to_string);
    reply.amount_fen = yuan(obj, "total_amount")?;
    for key in ["pay_date", "paytype"] {
        if let Some(v) = obj.text(key) {
            reply.extra.insert(key.to_string(), v.to_string());
        }
    }
    Ok(reply)
}

/// A verified withdrawal reply (settle, settlequery). It names no merchant
/// order number: the gateway never had one.
pub fn withdraw_reply(obj: &ReplyObject) -> Result<Reply, GatewayError> {
    let mut reply = state_reply(obj, OrderKind::Payout);
    reply.amount_fen = fen(obj, "total_amount")?;
    for key in ["actual_amount", "service_amount"] {
        if let Some(v) = yuan(obj, key)? {
            reply.extra.insert(key.to_string(), fen_to_yuan_2dp(v));
        }
    }
    if let Some(v) = obj.text("settle_time") {
        reply.extra.insert("settle_time".into(), v.to_string());
    }
    Ok(reply)
}

pub fn balance_reply(obj: &ReplyObject) -> Result<BalanceReply, GatewayError> {
    let balance_fen =
        yuan(obj, "balance")?.ok_or_else(|| GatewayError::malformed("balance missing"))?;
    let mut details = BTreeMap::new();
    if let Some(limit) = yuan(obj, "withdraw_limit")? {
        details.insert("withdraw_limit".to_string(), limit);
    }
    Ok(BalanceReply {
        balance_fen,
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::juyouke::wire::read_reply_object;

    #[test]
    fn trade_and_withdraw_codes_are_read_per_kind_with_words() {
        // "1" is a withdrawal's success, not a payment state.
        assert_eq!(status(OrderKind::Deposit, "1"), OrderStatus::Pending);
        assert_eq!(
            status(OrderKind::Payout, "TRADE_SUCCESS"),
            OrderStatus::Pending
        );
        let invalid = JuyoukeStatus::from_code(OrderKind::Deposit, "INVALID_STATUS_CODE");
        assert!(!invalid.is_final());
        assert_eq!(OrderStatus::from(invalid), OrderStatus::Pending);
        for (kind, code) in [
            (OrderKind::Deposit, "TRADE_FAIL"),
            (OrderKind::Deposit, "INVALID_STATUS_CODE"),
            (OrderKind::Payout, "3"),
        ] {
            assert!(
                JuyoukeStatus::from_code(kind, code).words().is_some(),
                "{code}"
            );
        }
        assert_eq!(
            JuyoukeStatus::from_code(OrderKind::Payout, "7").words(),
            None
        );
        let obj = read_reply_object(r#"{"withdraw_status":"3","trade_no":"W1"}"#).unwrap();
        let r = withdraw_reply(&obj).unwrap();
        assert_eq!(r.status, OrderStatus::Failed);
        let m = r.provider_message.unwrap();
        assert!(
            m.starts_with("已退汇") || m.starts_with("returned by the bank"),
            "{m}"
        );
        assert_eq!(r.provider_order_id.as_deref(), Some("W1"));
    }

    #[test]
    fn maps_codes() {
        let trade_status = |c| status(OrderKind::Deposit, c);
        let withdraw_status = |c| status(OrderKind::Payout, c);
        assert_eq!(trade_status("TRADE_SUCCESS"), OrderStatus::Succeeded);
        assert_eq!(trade_status("TRADE_FINISHED"), OrderStatus::Succeeded);
        assert_eq!(trade_status("TRADE_CLOSED"), OrderStatus::Failed);
        assert_eq!(trade_status("REFUNDED"), OrderStatus::Failed);
        assert_eq!(trade_status("WAIT_BUYER_PAY"), OrderStatus::Pending);
        assert_eq!(trade_status("CANCEL_INPROGRESS"), OrderStatus::Processing);
        assert_eq!(trade_status("SOMETHING_NEW"), OrderStatus::Pending);
        assert_eq!(withdraw_status("0"), OrderStatus::Failed);
        assert_eq!(withdraw_status("1"), OrderStatus::Succeeded);
        assert_eq!(withdraw_status("2"), OrderStatus::Processing);
        assert_eq!(withdraw_status("3"), OrderStatus::Failed);
        assert_eq!(withdraw_status("9"), OrderStatus::Processing);
        assert_eq!(withdraw_status("7"), OrderStatus::Pending);
        for code in [
            "SUCCESS",
            "ORDERPAID",
            "ORDERCLOSED",
            "ORDER_CONFLICT",
            "ORDER_NOTFOUND",
            "SYSTEMERROR",
            "APPID_NOT_EXIST",
            "LACK_PARAMS",
            "SIGNERROR",
            "NOSIGN",
            "REQUIRE_POST_METHOD",
            "JSONERROR",
            "PARAMSERROR",
            "USERPAYING",
            "FREQUENTLY",
            "INSUFFICIENT",
            "UNACTIVATE",
            "AGENT_NOTFOUND",
        ] {
            assert!(words(List::ErrCode, code).is_some(), "{code}");
        }
        for code in ["10000", "20000", "40001", "40002", "40004"] {
            assert!(words(List::ResultCode, code).is_some(), "{code}");
        }
    }

    #[test]
    fn plain_message_keeps_gateway_words() {
        // Language is process-wide and other tests may switch it: compare parts.
        let obj = read_reply_object(
            r#"{"result_code":"40004","err_code":"SIGNERROR","err_code_des":"sign error"}"#,
        )
        .unwrap();
        let msg = plain_message(&obj);
        assert!(
            msg.contains("sign error")
                && (msg.starts_with("签名错误") || msg.starts_with("signature error")),
            "{msg}"
        );
        let obj = read_reply_object(r#"{"result_code":"40001"}"#).unwrap();
        let msg = plain_message(&obj);
        assert!(
            msg == "缺少必选参数" || msg == "a required parameter is missing",
            "{msg}"
        );
    }
}
