//! jstpay's payout and deposit forms, the look-up fields a status query needs,
//! and the checks on a whole order before anything is sent.

use super::wire::{DEPOSIT_CREATE, DEPOSIT_CREATE2CARD, PAY_CREATE};
use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::form::{ids, AmountRule, Choice, FieldSpec, FormSpec, InputKind, OrderNoRule};
use crate::gateway::OrderParams;
use crate::money;
use crate::tr;

/// The document gives no limit; order numbers we generate are at most 30.
pub const ORDER_NO_MAX: usize = 32;
/// Own id for the optional deposit fund id (资金ID).
pub const FUND_ID: &str = "fund_id";

pub fn channels() -> Vec<Choice> {
    vec![
        Choice::new("bank", "银联网关", "UnionPay gateway"),
        Choice::new("weixin", "微信转银联", "WeChat to UnionPay"),
        Choice::new("alipay", "支付宝转银联", "Alipay to UnionPay"),
        Choice::new("qrcode", "银联扫码", "UnionPay QR code"),
    ]
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn payout_form() -> FormSpec {
    FormSpec::new(ProviderKind::Jstpay, OrderKind::Payout, PAY_CREATE, AmountRule::whole_yuan(100, None), OrderNoRule::sent(ORDER_NO_MAX, "client_order_id"))
        .fields(vec![
            FieldSpec::new(ids::PAYEE_NAME, "收款人户名", "Payee name", InputKind::Text).required().max_len(50).wire("payee_name")
                .help("与银行卡开户名一致", "exactly as on the bank account"),
            FieldSpec::new(ids::ACCOUNT_NO, "收款卡号", "Card number", InputKind::AccountNo).required().max_len(32).wire("payee_number"),
            FieldSpec::new(ids::BANK_NAME, "收款银行", "Bank", InputKind::Bank).required().max_len(50).wire("payee_bank")
                .help("银行全称，如 中国工商银行", "the bank's full name, e.g. 中国工商银行"),
            FieldSpec::new(ids::BRANCH, "开户支行", "Branch", InputKind::Text).required().max_len(100).wire("payee_branch")
                .help("如 上海分行浦东支行", "e.g. 上海分行浦东支行"),
            FieldSpec::new(ids::PROVINCE, "开户省份", "Province", InputKind::Text).required().max_len(30).wire("payee_province"),
            FieldSpec::new(ids::CITY, "开户城市", "City", InputKind::Text).required().max_len(30).wire("payee_city"),
        ])
        .notes(&[
            ("金额只能是整数元（不能有角、分）。", "Amounts are whole yuan only (no jiao or fen)."),
            ("户名、银行、支行、省、市按网关要求以 URL 编码发送，由本程序自动完成。", "Name, bank, branch, province and city are sent URL-encoded as the gateway requires; this is done for you."),
            ("查询代付状态时网关需要收款卡号和金额。", "A payout status query needs the card number and the amount."),
        ])
}

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn deposit_form() -> FormSpec {
    FormSpec::new(ProviderKind::Jstpay, OrderKind::Deposit, format!("{DEPOSIT_CREATE} | {DEPOSIT_CREATE2CARD}"), AmountRule::whole_yuan(100, None), OrderNoRule::sent(ORDER_NO_MAX, "client_order_id"))
        .fields(vec![
            FieldSpec::new(ids::CHANNEL, "代收渠道", "Channel", InputKind::Select).required()
                .choices(channels())
                .default_value("bank").wire("pay_mode"),
            FieldSpec::new(ids::TO_CARD, "收款卡转账", "Transfer to card", InputKind::Checkbox).default_value("false").wire("create2card")
                .help("勾选后网关返回一张收款卡，付款人须按返回的实际金额转账并填写附言", "the gateway returns a card; the payer transfers the exact amount it gives, with the remark"),
            FieldSpec::new(ids::PAYER_NAME, "付款户名", "Payer name", InputKind::Text).shown_when(ids::TO_CARD, "true").max_len(50).wire("sender_name")
                .help("付款人银行卡户名，便于网关核对到账", "the payer's account name, so the gateway can match the transfer"),
            FieldSpec::new(FUND_ID, "资金ID", "Fund ID", InputKind::Text).shown_when(ids::TO_CARD, "false").max_len(64).wire("fund_id")
                .help("网关分配的资金ID，没有可不填", "as assigned by the gateway; leave empty if you have none"),
        ])
        .notes(&[
            ("金额只能是整数元（不能有角、分）。", "Amounts are whole yuan only (no jiao or fen)."),
            ("普通代收返回支付网址（以二维码显示）；收款卡转账返回收款卡信息。", "A deposit returns a payment page (shown as a QR code); a card transfer returns the card to pay to."),
        ])
}

pub fn account_no_field() -> FieldSpec {
    FieldSpec::new(
        ids::ACCOUNT_NO,
        "收款卡号",
        "Card number",
        InputKind::AccountNo,
    )
    .required()
    .max_len(32)
    .wire("payee_number")
    .help(
        "下单时填写的收款卡号",
        "the card number the payout was sent to",
    )
}

pub fn channel_field() -> FieldSpec {
    FieldSpec::new(ids::CHANNEL, "代收渠道", "Channel", InputKind::Select)
        .required()
        .choices(channels())
        .wire("pay_mode")
        .help(
            "下单时选择的代收渠道",
            "the channel the deposit was created with",
        )
}

pub fn required<'a>(
    order: &'a OrderParams,
    id: &str,
    label: fn() -> String,
) -> Result<&'a str, FieldError> {
    order
        .value(id)
        .ok_or_else(|| FieldError::new(id, tr!("请填写{}", "{} is required", label())))
}

pub fn to_card(order: &OrderParams) -> bool {
    order.value(ids::TO_CARD) == Some("true")
}

/// Checks beyond the form description, before anything is stored or sent.
pub fn check(order: &OrderParams) -> Result<(), FieldError> {
    crate::order_no::check(ids::ORDER_NO, &order.order_no, ORDER_NO_MAX)?;
    money::whole_yuan(ids::AMOUNT, order.amount_fen)?;
    match order.kind {
        OrderKind::Payout => {
            let form = payout_form();
            for f in &form.fields {
                if order.value(&f.id).is_none() {
                    return Err(FieldError::new(
                        &f.id,
                        tr!("请填写{}", "{} is required", f.label()),
                    ));
                }
            }
        }
        OrderKind::Deposit => {
            let channel = required(order, ids::CHANNEL, || tr!("代收渠道", "the channel"))?;
            if !channels().iter().any(|c| c.value == channel) {
                return Err(FieldError::new(
                    ids::CHANNEL,
                    tr!(
                        "代收渠道“{}”无效，可选：bank, weixin, alipay, qrcode",
                        "“{}” is not a jstpay channel; choose bank, weixin, alipay or qrcode",
                        channel
                    ),
                ));
            }
            if to_card(order) && order.value(FUND_ID).is_some() {
                return Err(FieldError::new(
                    FUND_ID,
                    tr!("收款卡转账不支持资金ID", "a card transfer takes no fund ID"),
                ));
            }
            if !to_card(order) && order.value(ids::PAYER_NAME).is_some() {
                return Err(FieldError::new(
                    ids::PAYER_NAME,
                    tr!(
                        "付款户名仅用于收款卡转账",
                        "the payer name is only for a card transfer"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What a status query needs besides the order number (the document's query
/// keys), for an order not in the history.
pub fn lookup_fields(kind: OrderKind) -> Vec<FieldSpec> {
    match kind {
        OrderKind::Payout => vec![account_no_field()],
        OrderKind::Deposit => vec![channel_field()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::OrderInput;
    use std::collections::BTreeMap;

    fn values(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn order(kind: OrderKind, fen: i64, kv: &[(&str, &str)]) -> OrderParams {
        OrderParams {
            kind,
            order_no: "PO1".into(),
            amount_fen: fen,
            values: values(kv),
            provider_order_id: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn forms_validate() {
        let p = payout_form();
        let input = OrderInput {
            amount: "100".into(),
            order_no: None,
            values: values(&[
                ("payee_name", "张三"),
                ("account_no", "6222 0202 0011"),
                ("bank_name", "中国工商银行"),
                ("branch", "浦东支行"),
                ("province", "上海"),
                ("city", "上海"),
            ]),
        };
        let (fen, v) = p.validate(&input).unwrap();
        assert_eq!(fen, 10000);
        assert_eq!(v["account_no"], "622202020011");
        let mut cents = input.clone();
        cents.amount = "100.50".into();
        assert_eq!(p.validate(&cents).unwrap_err().field, "amount");
        let mut missing = input.clone();
        missing.values.remove("city");
        assert_eq!(p.validate(&missing).unwrap_err().field, "city");

        let d = deposit_form();
        let (_, v) = d
            .validate(&OrderInput {
                amount: "50".into(),
                order_no: None,
                values: values(&[("fund_id", "F1")]),
            })
            .unwrap();
        assert_eq!(
            v,
            values(&[("channel", "bank"), ("fund_id", "F1"), ("to_card", "false")])
        );
        let (_, v) = d
            .validate(&OrderInput {
                amount: "50".into(),
                order_no: None,
                values: values(&[
                    ("channel", "qrcode"),
                    ("to_card", "true"),
                    ("payer_name", "李四"),
                ]),
            })
            .unwrap();
        assert_eq!(
            v,
            values(&[
                ("channel", "qrcode"),
                ("payer_name", "李四"),
                ("to_card", "true")
            ])
        );
        assert_eq!(
            d.validate(&OrderInput {
                amount: "50".into(),
                order_no: None,
                values: values(&[("channel", "unionpay")])
            })
            .unwrap_err()
            .field,
            "channel"
        );
    }

    #[test]
    fn check_refuses_before_sending() {
        let full = [
            ("payee_name", "张三"),
            ("account_no", "62220202"),
            ("bank_name", "中国银行"),
            ("branch", "b"),
            ("province", "p"),
            ("city", "c"),
        ];
        assert!(check(&order(OrderKind::Payout, 10000, &full)).is_ok());
        assert_eq!(
            check(&order(OrderKind::Payout, 10050, &full))
                .unwrap_err()
                .field,
            "amount"
        );
        assert_eq!(
            check(&order(OrderKind::Payout, 10000, &full[..5]))
                .unwrap_err()
                .field,
            "city"
        );
        let mut bad_no = order(OrderKind::Payout, 10000, &full);
        bad_no.order_no = "A&B=1".into();
        assert_eq!(check(&bad_no).unwrap_err().field, "order_no");
        assert!(check(&order(OrderKind::Deposit, 100, &[("channel", "alipay")])).is_ok());
        assert_eq!(
            check(&order(OrderKind::Deposit, 100, &[("channel", "x")]))
                .unwrap_err()
                .field,
            "channel"
        );
        assert_eq!(
            check(&order(
                OrderKind::Deposit,
                100,
                &[("channel", "bank"), ("to_card", "true"), ("fund_id", "F")]
            ))
            .unwrap_err()
            .field,
            "fund_id"
        );
    }
}
