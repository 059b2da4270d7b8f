//! juyouke wire vocabulary: endpoints, reply codes and their meaning in the
//! shared status set and in plain words.

use super::sign::{read_envelope, ReplyObject};
use crate::domain::OrderStatus;
use crate::gateway::GatewayError;
use crate::secret::Secret;
use crate::tr;

pub const PATH_H5: &str = "/getway/";
pub const PATH_APP: &str = "/getway/app";
pub const PATH_CODEPAY: &str = "/api/codepay/";
pub const PATH_QUERY: &str = "/api/query/";
pub const PATH_SETTLE: &str = "/api/settle/";
pub const PATH_SETTLE_QUERY: &str = "/api/settlequery/";
pub const PATH_BALANCE: &str = "/api/balance_query/";

pub const RESULT_OK: &str = "10000";

/// Errors about our credentials: the gateway cannot sign them with a key we
/// share (ours is wrong or unknown to it), so they are believed unsigned. They
/// only ever say "refused", never move an order to succeeded.
const CREDENTIAL_ERRORS: [&str; 3] = ["SIGNERROR", "NOSIGN", "APPID_NOT_EXIST"];

/// `trade_status` (appendix 3.1.3) in the shared status set.
pub fn trade_status(code: &str) -> OrderStatus {
    match code {
        "TRADE_SUCCESS" | "TRADE_FINISHED" => OrderStatus::Succeeded,
        "TRADE_FAIL" | "TRADE_CLOSED" | "REFUNDED" => OrderStatus::Failed,
        "WAIT_BUYER_PAY" => OrderStatus::Pending,
        // Cancel under way, or a refund whose outcome the channel has not told:
        // not final, a person has to follow it up.
        "CANCEL_INPROGRESS" | "REFUND_ERROR" => OrderStatus::Processing,
        _ => OrderStatus::Pending,
    }
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

/// `withdraw_status`: 0 failed, 1 succeeded, 2 processing, 3 returned, 9 manual.
pub fn withdraw_status(code: &str) -> OrderStatus {
    match code {
        "1" => OrderStatus::Succeeded,
        "0" | "3" => OrderStatus::Failed,
        // Handed to a person at the gateway: still under way.
        "2" | "9" => OrderStatus::Processing,
        _ => OrderStatus::Pending,
    }
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

/// A reply whose signature verified and whose `result_code` is `10000`.
#[derive(Debug, Clone)]
pub struct Verified(pub ReplyObject);

/// What a verified (or credential-error) reply says, before the operation
/// decides what it means.
#[derive(Debug, Clone)]
pub enum Outcome {
    Ok(Verified),
    /// `result_code` is not 10000.
    Refused {
        code: String,
        message: String,
        obj: ReplyObject,
    },
}

impl Outcome {
    pub fn err_code(obj: &ReplyObject) -> String {
        obj.text("err_code")
            .or_else(|| obj.text("result_code"))
            .unwrap_or("")
            .to_string()
    }
}

/// Reads a reply body, verifies its signature with `key` and splits success from
/// refusal. An unverifiable reply is `BadSignature`, except a refusal of our
/// credentials (see `CREDENTIAL_ERRORS`).
pub fn open_reply(body: &str, key: &Secret) -> Result<Outcome, GatewayError> {
    let env = read_envelope(body).map_err(GatewayError::malformed)?;
    let obj = env.object.clone();
    let result_code = obj.text("result_code").unwrap_or("").to_string();
    if !env.sign_ok(key) {
        let err = obj.text("err_code").unwrap_or("");
        if result_code != RESULT_OK && CREDENTIAL_ERRORS.contains(&err) {
            return Ok(refused(obj));
        }
        return Err(GatewayError::BadSignature);
    }
    if result_code.is_empty() {
        return Err(GatewayError::malformed("result_code missing"));
    }
    if result_code == RESULT_OK {
        return Ok(Outcome::Ok(Verified(obj)));
    }
    Ok(refused(obj))
}

fn refused(obj: ReplyObject) -> Outcome {
    let code = Outcome::err_code(&obj);
    let message = plain_message(&obj);
    Outcome::Refused { code, message, obj }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::juyouke::sign::read_reply_object;

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

    #[test]
    fn unsigned_refusal_only_for_credentials() {
        let signerror = r#"{"result_response":{"result_code":"40004","err_code":"SIGNERROR","err_code_des":"x"},"sign":"00"}"#;
        match open_reply(signerror, &Secret::new("k")).unwrap() {
            Outcome::Refused { code, .. } => assert_eq!(code, "SIGNERROR"),
            other => panic!("{other:?}"),
        }
        let conflict = r#"{"result_response":{"result_code":"40004","err_code":"ORDER_CONFLICT"},"sign":"00"}"#;
        assert_eq!(
            open_reply(conflict, &Secret::new("k")).unwrap_err(),
            GatewayError::BadSignature
        );
        let forged_ok =
            r#"{"result_response":{"result_code":"10000","err_code":"SIGNERROR"},"sign":"00"}"#;
        assert_eq!(
            open_reply(forged_ok, &Secret::new("k")).unwrap_err(),
            GatewayError::BadSignature
        );
        assert!(matches!(
            open_reply("<html>", &Secret::new("k")).unwrap_err(),
            GatewayError::Malformed(_)
        ));
    }
}
