//! AppKey's payout and deposit forms, its channel table, and the checks on a
//! whole order before anything is sent.

use super::wire::{PAYOUTS_CREATE, PAY_CREATE};
use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::form::{
    ids, AmountRule, BankValue, Choice, FieldSpec, FormSpec, InputKind, OrderNoRule,
};
use crate::gateway::OrderParams;
use crate::money::whole_yuan;
use crate::tr;

/// `mrn`: "字符串,最长可接纳64个字符".
pub const MRN_MAX_LEN: usize = 64;

/// The document's channel table (通道ID表).
pub const CHANNELS: [(u8, &str, &str); 15] = [
    (1, "微信", "WeChat"),
    (2, "支付宝", "Alipay"),
    (3, "银行卡", "Bank card"),
    (4, "支付宝红包", "Alipay red packet"),
    (5, "云闪付", "UnionPay QuickPass"),
    (6, "支付宝转银行卡", "Alipay to bank card"),
    (7, "支付宝wap", "Alipay WAP"),
    (8, "微信wap", "WeChat WAP"),
    (9, "支付宝跳转", "Alipay redirect"),
    (10, "微信跳转", "WeChat redirect"),
    (11, "微信手机转账", "WeChat mobile transfer"),
    (12, "支付宝转卡飞行模式", "Alipay to card (flight mode)"),
    (13, "微信赞赏码", "WeChat appreciation code"),
    (14, "支付宝固码", "Alipay fixed QR code"),
    (15, "支付宝群红包", "Alipay group red packet"),
];

pub fn channel_id(order: &OrderParams) -> Result<u8, FieldError> {
    order
        .value(ids::CHANNEL)
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|n| CHANNELS.iter().any(|(id, _, _)| id == n))
        .ok_or_else(|| {
            FieldError::new(
                ids::CHANNEL,
                tr!("请选择支付通道（1–15）", "choose a payment channel (1–15)"),
            )
        })
}

pub fn check_mrn(order_no: &str) -> Result<(), FieldError> {
    let n = order_no.chars().count();
    if n == 0 || n > MRN_MAX_LEN {
        return Err(FieldError::new(
            ids::ORDER_NO,
            tr!(
                "订单号须为 1–{} 个字符",
                "the order number must be 1–{} characters",
                MRN_MAX_LEN
            ),
        ));
    }
    Ok(())
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn payout_form() -> FormSpec {
    FormSpec::new(ProviderKind::Appkey, OrderKind::Payout, PAYOUTS_CREATE, AmountRule::whole_yuan(100, None), OrderNoRule::sent(MRN_MAX_LEN, "mrn"))
        .fields(vec![
            FieldSpec::new(ids::PAYEE_NAME, "收款人户名", "Account holder name", InputKind::Text).required().wire("accountName")
                .help("银行账户的开户名，须与银行预留的户名一致", "The name on the bank account, exactly as the bank holds it"),
            FieldSpec::new(ids::ACCOUNT_NO, "银行卡号", "Card number", InputKind::AccountNo).required().wire("accountNumber")
                .help("收款银行卡卡号，输入时可带空格", "The payee's bank card number; spaces are removed"),
            FieldSpec::new(ids::BANK_NAME, "银行名称", "Bank", InputKind::Bank).required().bank_value(BankValue::Name).wire("bankName")
                .help("按名称、拼音首字母搜索，如 gsyh → 中国工商银行", "Search by name or pinyin initials, e.g. gsyh → 中国工商银行"),
        ])
        .notes(&[
            ("下发金额必须是整数元（不能有角、分）。", "Payout amounts must be whole yuan (no jiao or fen)."),
            ("下发请求受理后状态为“待处理”，结果以回调或“查询状态”为准。", "An accepted payout is pending; the result comes by callback or by querying its status."),
            ("该网关不提供余额查询。", "This gateway offers no balance query."),
        ])
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn deposit_form() -> FormSpec {
    FormSpec::new(ProviderKind::Appkey, OrderKind::Deposit, PAY_CREATE, AmountRule::yuan_2dp(1, None), OrderNoRule::sent(MRN_MAX_LEN, "mrn"))
        .fields(vec![
            FieldSpec::new(ids::CHANNEL, "支付通道", "Payment channel", InputKind::Select).required()
                .choices(CHANNELS.iter().map(|(id, zh, en)| Choice::new(&id.to_string(), zh, en)).collect())
                .wire("channelId")
                .help("选择商户已开通的通道；不清楚请联系网关客服", "Pick a channel your account has enabled; ask the gateway's support if unsure"),
            FieldSpec::new(ids::PAYER_NAME, "付款人实名", "Payer's real name", InputKind::Text).wire("payer")
                .help("可选：付款人的账户实名，不参与签名", "Optional: the payer's real account name (not signed)"),
        ])
        .notes(&[
            ("金额以元发送，可带两位小数。", "The amount is sent in yuan, with up to two decimals."),
            ("下单成功后显示支付页面地址（二维码），请让付款人扫码或打开该地址付款。", "On success a payment page address (QR code) is shown for the payer to scan or open."),
            ("需在商户配置中填写回调地址和返回地址（网关要求且参与签名）。", "The profile needs a notify URL and a return URL (required and signed by the gateway)."),
        ])
}

pub fn check(order: &OrderParams) -> Result<(), FieldError> {
    check_mrn(&order.order_no)?;
    match order.kind {
        OrderKind::Deposit => {
            channel_id(order)?;
        }
        OrderKind::Payout => {
            whole_yuan(ids::AMOUNT, order.amount_fen)?;
            for id in [ids::PAYEE_NAME, ids::ACCOUNT_NO, ids::BANK_NAME] {
                if order.value(id).is_none() {
                    return Err(FieldError::new(
                        id,
                        tr!("该网关要求填写此项", "this gateway requires this field"),
                    ));
                }
            }
        }
    }
    if order.amount_fen <= 0 {
        return Err(FieldError::new(
            ids::AMOUNT,
            tr!("金额必须大于 0", "the amount must be greater than 0"),
        ));
    }
    Ok(())
}

/// A status query needs nothing but the order number.
pub fn lookup_fields(_kind: OrderKind) -> Vec<FieldSpec> {
    Vec::new()
}
