//! What juyouke's codes mean: trade and withdrawal states on the shared status
//! set, and result/error codes in plain words.

use super::wire::ReplyObject;
use crate::domain::OrderStatus;
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
    /// `trade_status` (appendix 3.1.3).
    pub enum TradeStatus (read as_read) {
        Success = "TRADE_SUCCESS" => Succeeded,
        Finished = "TRADE_FINISHED" => Succeeded,
        Fail = "TRADE_FAIL" => Failed,
        Closed = "TRADE_CLOSED" => Failed,
        Refunded = "REFUNDED" => Failed,
        WaitBuyerPay = "WAIT_BUYER_PAY" => Pending,
        /// Cancel under way: not final, a person has to follow it up.
        CancelInProgress = "CANCEL_INPROGRESS" => Processing,
        /// A refund whose outcome the channel has not told: not final either.
        RefundError = "REFUND_ERROR" => Processing,
    }
}

impl TradeStatus {
    /// Whether a payment callback with this status settles the order.
    pub fn is_final(self) -> bool {
        matches!(
            OrderStatus::from(self),
            OrderStatus::Succeeded | OrderStatus::Failed
        )
    }
}

/// `trade_status` in the shared status set.
pub fn trade_status(code: &str) -> OrderStatus {
    TradeStatus::from_code(code).into()
}

pub fn trade_status_text(code: &str) -> Option<String> {
    Some(match code {
        "TRADE_FAIL" => tr!("交易失败", "payment failed"),
        "TRADE_CLOSED" => tr!("交易关闭", "payment closed"),
        "TRADE_FINISHED" => tr!("交易完结", "payment finished"),
        "TRADE_SUCCESS" => tr!("支付成功", "paid"),
        "WAIT_BUYER_PAY" => tr!("交易创建，等待支付", "created, waiting for the payer"),
        "CANCEL_INPROGRESS" => tr!("撤单进行中", "cancellation in progress"),
        "REFUNDED" => tr!("已成功退款", "refunded"),
        "REFUND_ERROR" => tr!("退款失败，第三方通道最终退款状态不确定，请联系网关客服", "refund failed and its final state at the channel is unknown; contact the gateway's support"),
        "INVALID_STATUS_CODE" => tr!("无效的状态码", "invalid status code"),
        _ => return None,
    })
}

status_codes! {
    /// `withdraw_status`: 0 failed, 1 succeeded, 2 processing, 3 returned, 9 manual.
    pub enum WithdrawStatus (read as_read) {
        Failed = "0" => Failed,
        Succeeded = "1" => Succeeded,
        /// Still under way.
        Processing = "2" => Processing,
        Returned = "3" => Failed,
        /// Handed to a person at the gateway: still under way.
        Manual = "9" => Processing,
    }
}

pub fn withdraw_status(code: &str) -> OrderStatus {
    WithdrawStatus::from_code(code).into()
}

pub fn withdraw_status_text(code: &str) -> Option<String> {
    Some(match code {
        "0" => tr!("提现失败", "withdrawal failed"),
        "1" => tr!("提现成功", "withdrawal succeeded"),
        "2" => tr!("提现处理中", "withdrawal in progress"),
        "3" => tr!(
            "已退汇（款项退回商户余额）",
            "returned by the bank (money back in the balance)"
        ),
        "9" => tr!("已转人工处理", "handed to manual processing"),
        _ => return None,
    })
}

/// `err_code` (appendix 3.1.2) in plain words.
pub fn err_code_text(code: &str) -> Option<String> {
    Some(match code {
        "SUCCESS" => tr!("支付成功", "paid"),
        "ORDERPAID" => tr!("该商户订单号已支付过，请使用新的订单号", "this merchant order number has already been paid; use a new order number"),
        "ORDERCLOSED" => tr!("订单已关闭", "the order is closed"),
        "ORDER_CONFLICT" => tr!("订单号重复：该商户订单号在网关已存在，请使用新的订单号", "duplicate order number: the gateway already has this merchant order number; use a new one"),
        "ORDER_NOTFOUND" => tr!("网关查无此订单", "the gateway has no such order"),
        "SYSTEMERROR" => tr!("网关系统错误，结果未知，请稍后查询订单状态", "the gateway had a system error; the result is unknown, query the order later"),
        "APPID_NOT_EXIST" => tr!("商户 app_id 不存在：请检查商户号是否正确", "unknown app_id: check the merchant id"),
        "LACK_PARAMS" => tr!("缺少必填参数", "a required parameter is missing"),
        "SIGNERROR" => tr!("签名错误：请检查商户密钥是否正确", "signature error: check the merchant key"),
        "NOSIGN" => tr!("请求缺少签名", "the request carried no signature"),
        "REQUIRE_POST_METHOD" => tr!("网关要求用 POST 提交", "the gateway requires POST"),
        "JSONERROR" => tr!("网关要求以 JSON 提交参数", "the gateway requires parameters as JSON"),
        "PARAMSERROR" => tr!("参数错误", "invalid parameter"),
        "USERPAYING" => tr!("等待用户支付（顾客正在输入密码）", "waiting for the payer (entering the password)"),
        "FREQUENTLY" => tr!("调用过于频繁，请稍后再试", "called too often; try again shortly"),
        "INSUFFICIENT" => tr!("商户余额不足", "the merchant balance is insufficient"),
        "UNACTIVATE" => tr!("商户未激活，请联系网关客服", "the merchant account is not activated; contact the gateway's support"),
        "AGENT_NOTFOUND" => tr!("代理商不存在，请联系网关客服", "the agent does not exist; contact the gateway's support"),
        _ => return None,
    })
}

/// `result_code` (appendix 3.1.1) in plain words.
pub fn result_code_text(code: &str) -> Option<String> {
    Some(match code {
        "10000" => tr!("接口调用成功", "success"),
        "20000" => tr!("网关服务不可用", "the gateway service is unavailable"),
        "40001" => tr!("缺少必选参数", "a required parameter is missing"),
        "40002" => tr!("非法的参数", "invalid parameter"),
        "40004" => tr!("业务处理失败", "the gateway refused the request"),
        _ => return None,
    })
}

/// Our words for a refusal, with the gateway's own description beside them.
pub fn plain_message(obj: &ReplyObject) -> String {
    let err = obj.text("err_code").unwrap_or("");
    let result = obj.text("result_code").unwrap_or("");
    let ours = err_code_text(err)
        .or_else(|| result_code_text(result))
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

/// A verified payment reply (codepay, query).
pub fn trade_reply(obj: &ReplyObject) -> Result<Reply, GatewayError> {
    let code = obj.text("trade_status");
    let mut reply = Reply::new(code.map(trade_status).unwrap_or(OrderStatus::Pending));
    reply.provider_status = code.map(str::to_string);
    reply.provider_message = obj
        .text("return_msg")
        .map(str::to_string)
        .or_else(|| code.and_then(trade_status_text));
    reply.provider_order_id = obj.text("trade_no").map(str::to_string);
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
    let code = obj.text("withdraw_status");
    let mut reply = Reply::new(code.map(withdraw_status).unwrap_or(OrderStatus::Pending));
    reply.provider_status = code.map(str::to_string);
    reply.provider_message = obj
        .text("return_msg")
        .map(str::to_string)
        .or_else(|| code.and_then(withdraw_status_text));
    reply.provider_order_id = obj.text("trade_no").map(str::to_string);
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
    fn maps_codes() {
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
            assert!(err_code_text(code).is_some(), "{code}");
        }
        for code in ["10000", "20000", "40001", "40002", "40004"] {
            assert!(result_code_text(code).is_some(), "{code}");
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
