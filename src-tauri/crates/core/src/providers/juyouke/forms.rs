//! juyouke's deposit and withdrawal forms, the look-up field a withdrawal
//! query needs, and the deposit checks before anything is sent.

use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::form::{ids, AmountRule, Choice, FieldSpec, FormSpec, InputKind, OrderNoRule};
use crate::gateway::OrderParams;
use crate::tr;

/// Deposit mode (our own field): which endpoint the deposit goes to.
pub const PAY_TYPE: &str = "pay_type";
pub const PAY_H5: &str = "h5";
pub const PAY_APP: &str = "app";
pub const PAY_CODEPAY: &str = "codepay";
/// The gateway's withdrawal id, the only key a withdrawal query takes.
pub const TRADE_NO: &str = "trade_no";

pub const DEFAULT_SUBJECT: &str = "商品";
/// Document: 单笔 5 万元, 单日 100 万元.
pub const MAX_WITHDRAWAL_FEN: i64 = 5_000_000;
pub const MAX_WITHDRAWAL_PER_DAY_FEN: i64 = 100_000_000;
pub const PAYWAYS: [(&str, &str, &str); 5] = [
    ("1", "支付宝", "Alipay"),
    ("3", "微信", "WeChat Pay"),
    ("4", "百度钱包", "Baidu Wallet"),
    ("5", "京东钱包", "JD Wallet"),
    ("6", "QQ钱包", "QQ Wallet"),
];

pub fn trade_no_field() -> FieldSpec {
    FieldSpec::new(TRADE_NO, "平台提现单号", "Gateway withdrawal id", InputKind::Text)
        .required()
        .max_len(50)
        .wire("trade_no")
        .help("提现时网关返回的订单号（聚优客提现不使用商户订单号）", "The id the gateway returned for the withdrawal (juyouke withdrawals have no merchant order number)")
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn deposit_form() -> FormSpec {
    let payways = PAYWAYS
        .iter().map(|(v, zh, en)| Choice::new(v, zh, en)).collect();
    FormSpec::new(ProviderKind::Juyouke, OrderKind::Deposit, "GET /getway/ · GET /getway/app · POST /api/codepay/", AmountRule::fen(1, None), OrderNoRule::sent(64, "out_trade_no"))
        .fields(vec![
            FieldSpec::new(PAY_TYPE, "收款方式", "Payment mode", InputKind::Select).required().default_value(PAY_H5)
                .choices(vec![
                    Choice::new(PAY_H5, "H5/扫码页（二维码）", "H5 / scan page (QR code)"),
                    Choice::new(PAY_APP, "App 支付链接", "App payment link"),
                    Choice::new(PAY_CODEPAY, "商户扫用户付款码 (B扫C)", "Scan the customer's payment code"),
                ])
                .help("H5：生成带签名的支付链接/二维码给顾客，不向网关发请求；App：向网关取支付宝支付链接；B扫C：扫描顾客出示的付款码直接扣款", "H5: a signed payment link / QR code for the customer, nothing is sent now; App: ask the gateway for an Alipay link; B-scans-C: charge the payment code the customer shows"),
            FieldSpec::new(ids::CHANNEL, "支付方式", "Payment method", InputKind::Select)
                .choices(payways)
                .wire("payway")
                .help("可不选，由网关收银台决定；H5 与 App 方式目前只支持支付宝", "Optional; the gateway's checkout decides when empty. H5 and App currently support Alipay only"),
            FieldSpec::new(ids::SUBJECT, "订单标题", "Order title", InputKind::Text).required().default_value(DEFAULT_SUBJECT).max_len(256).wire("subject")
                .help("顾客付款时看到的商品信息", "What the customer sees as the item when paying"),
            FieldSpec::new(ids::AUTH_CODE, "付款码", "Payment code", InputKind::Text).shown_when(PAY_TYPE, PAY_CODEPAY).required_when(PAY_TYPE, PAY_CODEPAY).max_len(32).wire("auth_code")
                .help("用扫码枪扫描顾客支付宝/微信付款码得到的数字", "The digits read from the customer's Alipay/WeChat payment code"),
        ])
        .notes(&[
            ("回调地址（notify_url）、返回地址（return_url）与操作员编号（operator_id）取自商户配置。", "The notify URL, return URL and operator id come from the merchant profile."),
            ("金额以分为单位发送给网关。", "The amount is sent to the gateway in fen."),
        ])
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn payout_form() -> FormSpec {
    let mut amount = AmountRule::fen(1, Some(MAX_WITHDRAWAL_FEN));
    amount.daily_max_fen = Some(MAX_WITHDRAWAL_PER_DAY_FEN);
    FormSpec::new(ProviderKind::Juyouke, OrderKind::Payout, "POST /api/settle/", amount, OrderNoRule { sent: false, max_len: 64, wire_name: None })
        .notes(&[
            ("聚优客的“代付”是把商户余额提现到商户在网关登记的结算账户，只需填写金额，无需收款人信息。", "A juyouke \"payout\" withdraws the merchant balance to the settlement account registered with the gateway: only the amount is needed, no payee."),
            ("金额包含手续费；单笔最多 50,000 元，单日（北京时间）最多 1,000,000 元。", "The amount includes the fee; at most 50,000 yuan per withdrawal and 1,000,000 yuan per day (Beijing time)."),
            ("网关不接收商户订单号，查询以网关返回的平台单号进行；若提现结果未知，请先查询余额或在网关后台核对，不要直接重复提现。", "The gateway takes no merchant order number; queries use the id it returns. If a withdrawal's outcome is unknown, check the balance or the gateway's back office before withdrawing again."),
        ])
}

pub fn check_deposit(order: &OrderParams) -> Result<(), FieldError> {
    let no = &order.order_no;
    if no.is_empty()
        || no.chars().count() > 64
        || no.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(FieldError::new(
            ids::ORDER_NO,
            tr!(
                "商户订单号须为 1–64 个字符且不含空格",
                "the merchant order number must be 1–64 characters without spaces"
            ),
        ));
    }
    let pay_type = order.value(PAY_TYPE).unwrap_or(PAY_H5);
    if ![PAY_H5, PAY_APP, PAY_CODEPAY].contains(&pay_type) {
        return Err(FieldError::new(
            PAY_TYPE,
            tr!("收款方式无效：{}", "invalid payment mode: {}", pay_type),
        ));
    }
    if let Some(w) = order.value(ids::CHANNEL) {
        if !PAYWAYS.iter().any(|(v, _, _)| *v == w) {
            return Err(FieldError::new(
                ids::CHANNEL,
                tr!("支付方式无效：{}", "invalid payment method: {}", w),
            ));
        }
    }
    if order
        .value(ids::SUBJECT)
        .is_some_and(|s| s.chars().count() > 256)
    {
        return Err(FieldError::new(
            ids::SUBJECT,
            tr!(
                "订单标题最长 256 个字符",
                "the order title can be at most 256 characters"
            ),
        ));
    }
    if pay_type == PAY_CODEPAY {
        match order.value(ids::AUTH_CODE) {
            None => {
                return Err(FieldError::new(
                    ids::AUTH_CODE,
                    tr!(
                        "B扫C 收款需要填写付款码",
                        "scanning the customer's code needs the payment code"
                    ),
                ))
            }
            Some(c) if c.len() > 32 || !c.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                return Err(FieldError::new(
                    ids::AUTH_CODE,
                    tr!(
                        "付款码应为最多 32 位的数字或字母",
                        "the payment code must be up to 32 digits or letters"
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn lookup_fields(kind: OrderKind) -> Vec<FieldSpec> {
    match kind {
        // A withdrawal is known to the gateway only by its own id.
        OrderKind::Payout => vec![trade_no_field()],
        OrderKind::Deposit => Vec::new(),
    }
}

/// Checks beyond the form description, before anything is stored or sent.
pub fn check(order: &OrderParams) -> Result<(), FieldError> {
    if order.amount_fen < 1 {
        return Err(FieldError::new(
            ids::AMOUNT,
            tr!("金额必须大于 0", "the amount must be greater than 0"),
        ));
    }
    match order.kind {
        OrderKind::Payout => {
            if order.amount_fen > MAX_WITHDRAWAL_FEN {
                return Err(FieldError::new(
                    ids::AMOUNT,
                    tr!(
                        "聚优客单笔提现最多 50,000 元",
                        "juyouke allows at most 50,000 yuan per withdrawal"
                    ),
                ));
            }
            Ok(())
        }
        OrderKind::Deposit => check_deposit(order),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::OrderInput;

    #[test]
    fn forms_validate() {
        let d = deposit_form();
        let (fen, v) = d
            .validate(&OrderInput {
                amount: "100.5".into(),
                order_no: None,
                values: Default::default(),
            })
            .unwrap();
        assert_eq!(fen, 10050);
        assert_eq!(v.get(PAY_TYPE).map(String::as_str), Some(PAY_H5));
        assert_eq!(
            v.get(ids::SUBJECT).map(String::as_str),
            Some(DEFAULT_SUBJECT)
        );
        let codepay = OrderInput {
            amount: "1".into(),
            order_no: None,
            values: [(PAY_TYPE.to_string(), PAY_CODEPAY.to_string())].into(),
        };
        assert_eq!(d.validate(&codepay).unwrap_err().field, ids::AUTH_CODE);
        let bad_way = OrderInput {
            amount: "1".into(),
            order_no: None,
            values: [(ids::CHANNEL.to_string(), "2".to_string())].into(),
        };
        assert_eq!(d.validate(&bad_way).unwrap_err().field, ids::CHANNEL);

        let p = payout_form();
        assert!(!p.order_no.sent);
        assert_eq!(p.amount.daily_max_fen, Some(100_000_000));
        assert!(p
            .validate(&OrderInput {
                amount: "50000".into(),
                order_no: None,
                values: Default::default()
            })
            .is_ok());
        assert_eq!(
            p.validate(&OrderInput {
                amount: "50000.01".into(),
                order_no: None,
                values: Default::default()
            })
            .unwrap_err()
            .field,
            ids::AMOUNT
        );
    }
}
