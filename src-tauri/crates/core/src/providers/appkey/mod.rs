//! AppKey/MRN platform (seed 003): deposits (`/api/Pay/Create`) with a payment
//! page, payouts to bank cards (`/api/Payouts/Create`), and a status query for
//! each. No balance endpoint. Requests are signed with MD5 (lower hex) over a
//! fixed-order string; replies are not signed (see `wire`).

pub mod wire;

use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::form::{
    ids, AmountRule, BankValue, Choice, FieldSpec, FormSpec, InputKind, OrderNoRule,
};
use crate::gateway::{Call, Capabilities, Gateway, GatewayError, OrderParams, Reply};
use crate::money::{fen_to_yuan_compact, whole_yuan};
use crate::sign::md5_lower;
use crate::tr;
use async_trait::async_trait;

pub struct Appkey;

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

fn channel_id(order: &OrderParams) -> Result<u8, FieldError> {
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

fn check_mrn(order_no: &str) -> Result<(), FieldError> {
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

/// `callbackUrl` is required by the document and signed, so a profile without
/// a callback address is refused before anything is sent rather than signing
/// an empty one the gateway would refuse.
fn callback_url<'a>(call: &'a Call<'_>) -> Result<&'a str, GatewayError> {
    configured(call.config.notify_url.as_deref()).ok_or_else(|| {
        GatewayError::Invalid(FieldError::new(
            "notify_url",
            tr!(
                "AppKey 要求回调地址（callbackUrl）：请在商户配置中填写“回调地址”",
                "AppKey requires a callback URL (callbackUrl): set the profile's notify URL"
            ),
        ))
    })
}

/// `returnUrl` likewise is required and signed; there is no sensible stand-in
/// for the page the payer returns to, so it must be configured.
fn return_url<'a>(call: &'a Call<'_>) -> Result<&'a str, GatewayError> {
    configured(call.config.return_url.as_deref()).ok_or_else(|| {
        GatewayError::Invalid(FieldError::new(
            "return_url",
            tr!(
                "AppKey 充值要求返回地址（returnUrl，付款完成后付款人返回的网址）：请在商户配置中填写“返回地址”",
                "AppKey deposits require a return URL (returnUrl, where the payer goes after paying): set the profile's return URL"
            ),
        ))
    })
}

fn configured(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

fn app_key<'a>(call: &'a Call<'_>) -> Result<&'a str, GatewayError> {
    configured(Some(call.config.merchant_id.as_str())).ok_or_else(|| {
        GatewayError::Invalid(FieldError::new(
            "merchant_id",
            tr!("请在商户配置中填写 appKey", "set the profile's appKey"),
        ))
    })
}

#[async_trait]
impl Gateway for Appkey {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Appkey
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            payout: true,
            payout_query: true,
            deposit: true,
            deposit_query: true,
            balance: false,
            arrivals: false,
        }
    }

    fn payout_form(&self) -> Option<FormSpec> {
        Some(FormSpec {
            provider: ProviderKind::Appkey,
            kind: OrderKind::Payout,
            operation: wire::PAYOUTS_CREATE.into(),
            amount: AmountRule::whole_yuan(100, None),
            order_no: OrderNoRule { sent: true, max_len: MRN_MAX_LEN, wire_name: Some("mrn".into()) },
            fields: vec![
                FieldSpec::new(ids::PAYEE_NAME, "收款人户名", "Account holder name", InputKind::Text)
                    .required()
                    .wire("accountName")
                    .help("银行账户的开户名，须与银行预留的户名一致", "The name on the bank account, exactly as the bank holds it"),
                FieldSpec::new(ids::ACCOUNT_NO, "银行卡号", "Card number", InputKind::AccountNo)
                    .required()
                    .wire("accountNumber")
                    .help("收款银行卡卡号，输入时可带空格", "The payee's bank card number; spaces are removed"),
                FieldSpec::new(ids::BANK_NAME, "银行名称", "Bank", InputKind::Bank)
                    .required()
                    .bank_value(BankValue::Name)
                    .wire("bankName")
                    .help("按名称、拼音首字母搜索，如 gsyh → 中国工商银行", "Search by name or pinyin initials, e.g. gsyh → 中国工商银行"),
            ],
            notes_zh: vec![
                "下发金额必须是整数元（不能有角、分）。".into(),
                "下发请求受理后状态为“待处理”，结果以回调或“查询状态”为准。".into(),
                "该网关不提供余额查询。".into(),
            ],
            notes_en: vec![
                "Payout amounts must be whole yuan (no jiao or fen).".into(),
                "An accepted payout is pending; the result comes by callback or by querying its status.".into(),
                "This gateway offers no balance query.".into(),
            ],
        })
    }

    fn deposit_form(&self) -> Option<FormSpec> {
        Some(FormSpec {
            provider: ProviderKind::Appkey,
            kind: OrderKind::Deposit,
            operation: wire::PAY_CREATE.into(),
            amount: AmountRule::yuan_2dp(1, None),
            order_no: OrderNoRule { sent: true, max_len: MRN_MAX_LEN, wire_name: Some("mrn".into()) },
            fields: vec![
                FieldSpec::new(ids::CHANNEL, "支付通道", "Payment channel", InputKind::Select)
                    .required()
                    .choices(CHANNELS.iter().map(|(id, zh, en)| Choice::new(&id.to_string(), zh, en)).collect())
                    .wire("channelId")
                    .help("选择商户已开通的通道；不清楚请联系网关客服", "Pick a channel your account has enabled; ask the gateway's support if unsure"),
                FieldSpec::new(ids::PAYER_NAME, "付款人实名", "Payer's real name", InputKind::Text)
                    .wire("payer")
                    .help("可选：付款人的账户实名，不参与签名", "Optional: the payer's real account name (not signed)"),
            ],
            notes_zh: vec![
                "金额以元发送，可带两位小数。".into(),
                "下单成功后显示支付页面地址（二维码），请让付款人扫码或打开该地址付款。".into(),
                "需在商户配置中填写回调地址和返回地址（网关要求且参与签名）。".into(),
            ],
            notes_en: vec![
                "The amount is sent in yuan, with up to two decimals.".into(),
                "On success a payment page address (QR code) is shown for the payer to scan or open.".into(),
                "The profile needs a notify URL and a return URL (required and signed by the gateway).".into(),
            ],
        })
    }

    fn check(&self, order: &OrderParams) -> Result<(), FieldError> {
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

    async fn create_deposit(
        &self,
        call: &Call<'_>,
        order: &OrderParams,
    ) -> Result<Reply, GatewayError> {
        self.check(order)?;
        let req = wire::PayCreate {
            amount: fen_to_yuan_compact(order.amount_fen),
            app_key: app_key(call)?,
            callback_url: callback_url(call)?,
            channel_id: channel_id(order)?,
            mrn: &order.order_no,
            return_url: return_url(call)?,
            payer: order.value(ids::PAYER_NAME),
        };
        let sign = md5_lower(&req.string_to_sign(call.secret.expose()));
        let raw = call
            .http
            .post_json(call, wire::PAY_CREATE, req.body(&sign), &[])
            .await?;
        wire::parse_pay_create(&raw.body, &call.config.base_url)
    }

    async fn create_payout(
        &self,
        call: &Call<'_>,
        order: &OrderParams,
    ) -> Result<Reply, GatewayError> {
        self.check(order)?;
        let req = wire::PayoutCreate {
            account_name: order.value_or_empty(ids::PAYEE_NAME),
            account_number: order.value_or_empty(ids::ACCOUNT_NO),
            amount_yuan: whole_yuan(ids::AMOUNT, order.amount_fen)?,
            app_key: app_key(call)?,
            bank_name: order.value_or_empty(ids::BANK_NAME),
            callback_url: callback_url(call)?,
            mrn: &order.order_no,
        };
        let sign = md5_lower(&req.string_to_sign(call.secret.expose()));
        let raw = call
            .http
            .post_json(call, wire::PAYOUTS_CREATE, req.body(&sign), &[])
            .await?;
        wire::parse_payout_create(&raw.body)
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> Result<Reply, GatewayError> {
        check_mrn(&order.order_no)?;
        let (path, deposit) = match order.kind {
            OrderKind::Deposit => (wire::PAYMENTS_QUERY, true),
            OrderKind::Payout => (wire::PAYOUTS_QUERY, false),
        };
        let pq = wire::query_path(path, app_key(call)?, &order.order_no, call.secret.expose());
        let raw = call.http.get(call, &pq).await?;
        wire::parse_query(&raw.body, deposit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{FormValues, OrderInput};

    fn order(kind: OrderKind, amount_fen: i64, kv: &[(&str, &str)]) -> OrderParams {
        OrderParams {
            kind,
            order_no: "AK20240101001".into(),
            amount_fen,
            values: kv
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<FormValues>(),
            provider_order_id: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn deposit_form_has_the_fifteen_channels() {
        let f = Appkey.deposit_form().unwrap();
        let ch = f.field(ids::CHANNEL).unwrap();
        assert_eq!(ch.choices.len(), 15);
        assert_eq!(
            (
                ch.choices[0].value.as_str(),
                ch.choices[0].label_zh.as_str()
            ),
            ("1", "微信")
        );
        assert_eq!(
            (
                ch.choices[14].value.as_str(),
                ch.choices[14].label_zh.as_str()
            ),
            ("15", "支付宝群红包")
        );
        assert_eq!(ch.wire_name.as_deref(), Some("channelId"));
        assert!(!f.field(ids::PAYER_NAME).unwrap().required);
        let input = OrderInput {
            amount: "100.5".into(),
            order_no: None,
            values: [("channel".to_string(), "2".to_string())].into(),
        };
        assert_eq!(f.validate(&input).unwrap().0, 10050);
        let bad = OrderInput {
            amount: "1".into(),
            order_no: None,
            values: [("channel".to_string(), "16".to_string())].into(),
        };
        assert_eq!(f.validate(&bad).unwrap_err().field, "channel");
    }

    #[test]
    fn payout_form_takes_whole_yuan_and_three_required_fields() {
        let f = Appkey.payout_form().unwrap();
        let ids_: Vec<&str> = f.fields.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids_, [ids::PAYEE_NAME, ids::ACCOUNT_NO, ids::BANK_NAME]);
        assert!(f.fields.iter().all(|x| x.required));
        assert_eq!(
            f.field(ids::BANK_NAME).unwrap().bank_value,
            Some(BankValue::Name)
        );
        let input = OrderInput {
            amount: "100.50".into(),
            order_no: None,
            values: [
                ("payee_name", "张三"),
                ("account_no", "6222"),
                ("bank_name", "中国银行"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        };
        assert_eq!(f.validate(&input).unwrap_err().field, "amount");
    }

    #[test]
    fn check_refuses_what_cannot_be_sent() {
        assert!(Appkey
            .check(&order(OrderKind::Deposit, 10050, &[("channel", "3")]))
            .is_ok());
        assert_eq!(
            Appkey
                .check(&order(OrderKind::Deposit, 10050, &[]))
                .unwrap_err()
                .field,
            "channel"
        );
        assert_eq!(
            Appkey
                .check(&order(OrderKind::Deposit, 10050, &[("channel", "0")]))
                .unwrap_err()
                .field,
            "channel"
        );
        let full = [
            ("payee_name", "张三"),
            ("account_no", "6222"),
            ("bank_name", "中国银行"),
        ];
        assert!(Appkey
            .check(&order(OrderKind::Payout, 10000, &full))
            .is_ok());
        assert_eq!(
            Appkey
                .check(&order(OrderKind::Payout, 10050, &full))
                .unwrap_err()
                .field,
            "amount"
        );
        assert_eq!(
            Appkey
                .check(&order(OrderKind::Payout, 10000, &full[..2]))
                .unwrap_err()
                .field,
            "bank_name"
        );
        let mut long = order(OrderKind::Deposit, 100, &[("channel", "1")]);
        long.order_no = "X".repeat(65);
        assert_eq!(Appkey.check(&long).unwrap_err().field, "order_no");
    }

    #[test]
    fn capabilities_have_no_balance() {
        let c = Appkey.capabilities();
        assert!(c.payout && c.payout_query && c.deposit && c.deposit_query);
        assert!(!c.balance && !c.arrivals);
    }
}
