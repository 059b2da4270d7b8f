//! Jeepay's payout form, the look-up field a status query may use, and the
//! checks across fields before anything is sent.

use super::wire::{self, ENTRY_ALIPAY_CASH, ENTRY_BANK_CARD, ENTRY_WX_CASH};
use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::form::{ids, AmountRule, Choice, FieldSpec, FormSpec, InputKind, OrderNoRule};
use crate::gateway::OrderParams;
use crate::providers::common::check_amount;
use crate::tr;

/// `amount` is an `int` on the wire.
pub const MAX_AMOUNT_FEN: i64 = i32::MAX as i64;
pub const ORDER_NO_MAX: usize = 30;

// Laid out by hand, one field a line with its help below.
#[rustfmt::skip]
pub fn payout_form() -> FormSpec {
    FormSpec::new(ProviderKind::Jeepay, OrderKind::Payout, wire::TRANSFER_PATH, AmountRule::fen(1, Some(MAX_AMOUNT_FEN)), OrderNoRule::sent(ORDER_NO_MAX, "mchOrderNo"))
        .fields(vec![
            FieldSpec::new(ids::ENTRY_TYPE, "入账方式", "Pay into", InputKind::Select).required()
                .choices(vec![
                    Choice::new(ENTRY_WX_CASH, "微信零钱", "WeChat balance"),
                    Choice::new(ENTRY_ALIPAY_CASH, "支付宝余额", "Alipay balance"),
                    Choice::new(ENTRY_BANK_CARD, "银行卡", "Bank card"),
                ])
                .default_value(ENTRY_WX_CASH).max_len(20).wire("entryType"),
            FieldSpec::new(ids::IF_CODE, "支付接口", "Payment interface", InputKind::Select).required()
                .choices(vec![Choice::new("wxpay", "微信官方接口", "WeChat Pay"), Choice::new("alipay", "支付宝官方接口", "Alipay")])
                .allow_other().default_value("wxpay").max_len(10).wire("ifCode")
                .help("微信零钱用 wxpay，支付宝余额用 alipay；其他接口代码请以网关开通的为准", "wxpay for WeChat balance, alipay for Alipay balance; any other code must be enabled by the gateway"),
            FieldSpec::new(ids::ACCOUNT_NO, "收款账号", "Payee account", InputKind::Text).required().max_len(64).wire("accountNo")
                .help("微信零钱：收款人的 openid；支付宝：收款人的支付宝登录账号（手机号或邮箱）；银行卡：卡号（空格会被去掉）", "WeChat: the payee's openid; Alipay: the payee's Alipay login (phone or e-mail); bank card: the card number (spaces are removed)"),
            FieldSpec::new(ids::PAYEE_NAME, "收款人姓名", "Payee name", InputKind::Text).max_len(64).wire("accountName")
                .help("填写后网关会校验收款人姓名，不符则转账失败；留空则不校验", "when given, the gateway checks the payee's name and fails the transfer if it differs; left empty, it is not checked"),
            FieldSpec::new(ids::BANK_NAME, "开户行名称", "Bank name", InputKind::Bank).shown_when(ids::ENTRY_TYPE, ENTRY_BANK_CARD).max_len(64).wire("bankName")
                .help("网关目前仅作记录", "the gateway keeps it as a record only"),
            FieldSpec::new(ids::REMARK, "转账备注", "Transfer note", InputKind::Text).max_len(128).wire("transferDesc"),
            FieldSpec::new(wire::CLIENT_IP, "客户端IP", "Client IP", InputKind::Text).max_len(32).wire("clientIp")
                .help("客户端 IPv4 地址，一般不填", "the client's IPv4 address; usually left empty"),
            FieldSpec::new(wire::CHANNEL_EXTRA, "渠道参数", "Channel parameters", InputKind::Text).max_len(256).wire("channelExtra")
                .help("特定渠道的额外参数，JSON 格式（如 {}），一般不填", "extra parameters for particular channels, as JSON (e.g. {}); usually left empty"),
            FieldSpec::new(wire::EXT_PARAM, "扩展参数", "Extra data", InputKind::Text).max_len(512).wire("extParam")
                .help("商户自定义内容，网关回调时原样返回", "the merchant's own data, returned as is in the callback"),
        ])
        .notes(&[
            ("金额以“分”为单位发送，可精确到分。", "The amount is sent in fen, exact to the fen."),
            ("转账结果以“查询状态”为准：0 订单生成、1 转账中、2 转账成功、3 转账失败、4 转账关闭。", "Query the status for the result: 0 created, 1 in progress, 2 succeeded, 3 failed, 4 closed."),
            ("只有在商户配置中填写了异步通知地址，网关才会回调。", "The gateway calls back only when the profile has a notify URL."),
        ])
}

pub fn check_payout(order: &OrderParams) -> Result<(), FieldError> {
    if order.order_no.chars().count() > ORDER_NO_MAX {
        return Err(FieldError::new(
            ids::ORDER_NO,
            tr!(
                "商户订单号最长 {} 个字符",
                "the merchant order number can be at most {} characters",
                ORDER_NO_MAX
            ),
        ));
    }
    check_amount(order, MAX_AMOUNT_FEN, "Jeepay")?;
    let entry = order.value_or_empty(ids::ENTRY_TYPE);
    let if_code = order.value_or_empty(ids::IF_CODE);
    // A wallet entry paid through the other wallet's interface cannot work.
    let mismatch = match (entry, if_code) {
        (ENTRY_WX_CASH, "alipay") => Some(tr!(
            "入账方式为微信零钱时，支付接口应为微信（wxpay）",
            "pay into WeChat balance needs the WeChat interface (wxpay)"
        )),
        (ENTRY_ALIPAY_CASH, "wxpay") => Some(tr!(
            "入账方式为支付宝余额时，支付接口应为支付宝（alipay）",
            "pay into Alipay balance needs the Alipay interface (alipay)"
        )),
        _ => None,
    };
    if let Some(message) = mismatch {
        return Err(FieldError::new(ids::IF_CODE, message));
    }
    if if_code.contains(char::is_whitespace) {
        return Err(FieldError::new(
            ids::IF_CODE,
            tr!(
                "接口代码不能包含空格",
                "the interface code cannot contain spaces"
            ),
        ));
    }
    let account = order.value_or_empty(ids::ACCOUNT_NO);
    let bad_account = if entry == ENTRY_BANK_CARD {
        let digits: String = account.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit())).then(|| {
            tr!(
                "银行卡号只能包含数字",
                "a card number may contain only digits"
            )
        })
    } else {
        account.contains(char::is_whitespace).then(|| {
            tr!(
                "收款账号不能包含空格",
                "the payee account cannot contain spaces"
            )
        })
    };
    if let Some(message) = bad_account {
        return Err(FieldError::new(ids::ACCOUNT_NO, message));
    }
    if let Some(ip) = order.value(wire::CLIENT_IP) {
        if ip.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(FieldError::new(
                wire::CLIENT_IP,
                tr!("“{}”不是 IPv4 地址", "“{}” is not an IPv4 address", ip),
            ));
        }
    }
    if let Some(extra) = order.value(wire::CHANNEL_EXTRA) {
        let ok = serde_json::from_str::<serde_json::Value>(extra)
            .map(|v| v.is_object())
            .unwrap_or(false);
        if !ok {
            return Err(FieldError::new(
                wire::CHANNEL_EXTRA,
                tr!(
                    "渠道参数应为 JSON 对象，如 {{\"key\":\"value\"}}",
                    "channel parameters must be a JSON object, e.g. {{\"key\":\"value\"}}"
                ),
            ));
        }
    }
    Ok(())
}

/// The gateway's transfer id, for a status query of an order not in the history.
pub fn transfer_id_field() -> FieldSpec {
    FieldSpec::new(wire::TRANSFER_ID, "转账订单号", "Transfer id", InputKind::Text)
                .max_len(30)
                .wire("transferId")
                .help("网关生成的转账订单号（T 开头），知道时可填，不填则按商户订单号查询", "the gateway's transfer id (starts with T), if known; otherwise the merchant order number is used")
}

/// The gateway's transfer id may help a query of an order not in the history.
pub fn lookup_fields(kind: OrderKind) -> Vec<FieldSpec> {
    match kind {
        OrderKind::Payout => vec![transfer_id_field()],
        OrderKind::Deposit => Vec::new(),
    }
}

/// Checks beyond the form description, before anything is stored or sent.
pub fn check(order: &OrderParams) -> Result<(), FieldError> {
    match order.kind {
        OrderKind::Payout => check_payout(order),
        OrderKind::Deposit => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{FormValues, OrderInput};

    fn input(amount: &str, kv: &[(&str, &str)]) -> OrderInput {
        OrderInput {
            amount: amount.into(),
            order_no: None,
            values: kv
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn params(values: FormValues) -> OrderParams {
        OrderParams {
            kind: OrderKind::Payout,
            order_no: "P1".into(),
            amount_fen: 100,
            values,
            provider_order_id: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn form_validates_and_defaults() {
        let f = payout_form();
        let (fen, v) = f
            .validate(&input("12.34", &[("account_no", "o6BcIwvT-vIqf1_zXZ")]))
            .unwrap();
        assert_eq!(fen, 1234);
        assert_eq!(v.get("entry_type").map(String::as_str), Some("WX_CASH"));
        assert_eq!(v.get("if_code").map(String::as_str), Some("wxpay"));
        // openids keep their '-' and '_'.
        assert_eq!(
            v.get("account_no").map(String::as_str),
            Some("o6BcIwvT-vIqf1_zXZ")
        );
        // bank_name is only for a bank card: typed under WX_CASH it is refused
        // (naming the choice it needs), never silently dropped.
        let e = f
            .validate(&input(
                "1",
                &[("account_no", "x"), ("bank_name", "中国银行")],
            ))
            .unwrap_err();
        assert_eq!(e.field, "bank_name");
        assert!(
            e.message.contains("entry_type = BANK_CARD"),
            "{}",
            e.message
        );
        let (_, v) = f
            .validate(&input(
                "1",
                &[
                    ("account_no", "6222"),
                    ("entry_type", "BANK_CARD"),
                    ("bank_name", "中国银行"),
                ],
            ))
            .unwrap();
        assert_eq!(v.get("bank_name").map(String::as_str), Some("中国银行"));
        // Another interface code may be typed.
        assert!(f
            .validate(&input("1", &[("account_no", "x"), ("if_code", "ysfpay")]))
            .is_ok());
        assert_eq!(
            f.validate(&input("1", &[("account_no", "x"), ("entry_type", "CARD")]))
                .unwrap_err()
                .field,
            "entry_type"
        );
        assert_eq!(
            f.validate(&input("1", &[])).unwrap_err().field,
            "account_no"
        );
        assert_eq!(
            f.validate(&input(
                "1",
                &[("account_no", "x"), ("remark", &"备".repeat(129))]
            ))
            .unwrap_err()
            .field,
            "remark"
        );
        assert_eq!(
            f.validate(&input("21474836.48", &[("account_no", "x")]))
                .unwrap_err()
                .field,
            "amount"
        );
        assert!(f.validate(&input("0.01", &[("account_no", "x")])).is_ok());
    }

    #[test]
    fn check_catches_cross_field_mistakes() {
        let f = payout_form();
        let ok =
            |kv: &[(&str, &str)]| check_payout(&params(f.validate(&input("1", kv)).unwrap().1));
        assert!(ok(&[("account_no", "oX")]).is_ok());
        assert_eq!(
            ok(&[("account_no", "oX"), ("if_code", "alipay")])
                .unwrap_err()
                .field,
            "if_code"
        );
        assert_eq!(
            ok(&[("account_no", "a@b.cn"), ("entry_type", "ALIPAY_CASH")])
                .unwrap_err()
                .field,
            "if_code"
        );
        assert!(ok(&[
            ("account_no", "a@b.cn"),
            ("entry_type", "ALIPAY_CASH"),
            ("if_code", "alipay")
        ])
        .is_ok());
        assert!(ok(&[
            ("account_no", "6222 0202 1234"),
            ("entry_type", "BANK_CARD")
        ])
        .is_ok());
        assert_eq!(
            ok(&[("account_no", "6222-0202"), ("entry_type", "BANK_CARD")])
                .unwrap_err()
                .field,
            "account_no"
        );
        assert_eq!(
            ok(&[("account_no", "o X")]).unwrap_err().field,
            "account_no"
        );
        assert_eq!(
            ok(&[("account_no", "oX"), ("client_ip", "300.1.1.1")])
                .unwrap_err()
                .field,
            "client_ip"
        );
        assert!(ok(&[("account_no", "oX"), ("client_ip", "210.73.10.148")]).is_ok());
        assert_eq!(
            ok(&[("account_no", "oX"), ("channel_extra", "[1]")])
                .unwrap_err()
                .field,
            "channel_extra"
        );
        assert!(ok(&[("account_no", "oX"), ("channel_extra", "{}")]).is_ok());
        let mut long = params(FormValues::new());
        long.order_no = "1".repeat(31);
        assert_eq!(check_payout(&long).unwrap_err().field, "order_no");
    }
}
