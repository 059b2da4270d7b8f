//! jstpay ("JSTpay API 文档 v2.1"): JSON over POST, whole-yuan amounts, some
//! payee fields sent PHP-urlencoded, MD5 signatures on requests and on
//! successful replies. Payouts, deposits (payment page or transfer to a card),
//! status queries, balance and card arrivals.

pub mod sign;
pub mod wire;

use self::sign::Request;
use self::wire::{FailureMeaning, ReplyFields};
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::FieldError;
use crate::form::{ids, AmountRule, Choice, FieldSpec, FormSpec, InputKind, OrderNoRule};
use crate::gateway::{
    Arrival, BalanceReply, Call, Capabilities, CardInfo, Gateway, GatewayError, OrderParams, Reply,
};
use crate::money;
use crate::tr;
use async_trait::async_trait;
use std::collections::BTreeMap;

pub struct Jstpay;

pub const PAY_CREATE: &str = "/api/pay/create";
pub const PAY_QUERY: &str = "/api/pay/query";
pub const PAY_BALANCE: &str = "/api/pay/balance";
pub const DEPOSIT_CREATE: &str = "/api/deposit/create";
pub const DEPOSIT_CREATE2CARD: &str = "/api/deposit/create2card";
pub const DEPOSIT_QUERY: &str = "/api/deposit/query";
pub const DEPOSIT_DETAIL: &str = "/api/deposit/detail";

/// The document gives no limit; order numbers we generate are at most 30.
const ORDER_NO_MAX: usize = 32;
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

fn payout_form() -> FormSpec {
    FormSpec {
        provider: ProviderKind::Jstpay,
        kind: OrderKind::Payout,
        operation: PAY_CREATE.into(),
        amount: AmountRule::whole_yuan(100, None),
        order_no: OrderNoRule { sent: true, max_len: ORDER_NO_MAX, wire_name: Some("client_order_id".into()) },
        fields: vec![
            FieldSpec::new(ids::PAYEE_NAME, "收款人户名", "Payee name", InputKind::Text)
                .required()
                .max_len(50)
                .wire("payee_name")
                .help("与银行卡开户名一致", "exactly as on the bank account"),
            FieldSpec::new(ids::ACCOUNT_NO, "收款卡号", "Card number", InputKind::AccountNo).required().max_len(32).wire("payee_number"),
            FieldSpec::new(ids::BANK_NAME, "收款银行", "Bank", InputKind::Bank)
                .required()
                .max_len(50)
                .wire("payee_bank")
                .help("银行全称，如 中国工商银行", "the bank's full name, e.g. 中国工商银行"),
            FieldSpec::new(ids::BRANCH, "开户支行", "Branch", InputKind::Text)
                .required()
                .max_len(100)
                .wire("payee_branch")
                .help("如 上海分行浦东支行", "e.g. 上海分行浦东支行"),
            FieldSpec::new(ids::PROVINCE, "开户省份", "Province", InputKind::Text).required().max_len(30).wire("payee_province"),
            FieldSpec::new(ids::CITY, "开户城市", "City", InputKind::Text).required().max_len(30).wire("payee_city"),
        ],
        notes_zh: vec![
            "金额只能是整数元（不能有角、分）。".into(),
            "户名、银行、支行、省、市按网关要求以 URL 编码发送，由本程序自动完成。".into(),
            "查询代付状态时网关需要收款卡号和金额。".into(),
        ],
        notes_en: vec![
            "Amounts are whole yuan only (no jiao or fen).".into(),
            "Name, bank, branch, province and city are sent URL-encoded as the gateway requires; this is done for you.".into(),
            "A payout status query needs the card number and the amount.".into(),
        ],
    }
}

fn deposit_form() -> FormSpec {
    FormSpec {
        provider: ProviderKind::Jstpay,
        kind: OrderKind::Deposit,
        operation: format!("{DEPOSIT_CREATE} | {DEPOSIT_CREATE2CARD}"),
        amount: AmountRule::whole_yuan(100, None),
        order_no: OrderNoRule { sent: true, max_len: ORDER_NO_MAX, wire_name: Some("client_order_id".into()) },
        fields: vec![
            FieldSpec::new(ids::CHANNEL, "代收渠道", "Channel", InputKind::Select)
                .required()
                .choices(channels())
                .default_value("bank")
                .wire("pay_mode"),
            FieldSpec::new(ids::TO_CARD, "收款卡转账", "Transfer to card", InputKind::Checkbox)
                .default_value("false")
                .wire("create2card")
                .help(
                    "勾选后网关返回一张收款卡，付款人须按返回的实际金额转账并填写附言",
                    "the gateway returns a card; the payer transfers the exact amount it gives, with the remark",
                ),
            FieldSpec::new(ids::PAYER_NAME, "付款户名", "Payer name", InputKind::Text)
                .shown_when(ids::TO_CARD, "true")
                .max_len(50)
                .wire("sender_name")
                .help("付款人银行卡户名，便于网关核对到账", "the payer's account name, so the gateway can match the transfer"),
            FieldSpec::new(FUND_ID, "资金ID", "Fund ID", InputKind::Text)
                .shown_when(ids::TO_CARD, "false")
                .max_len(64)
                .wire("fund_id")
                .help("网关分配的资金ID，没有可不填", "as assigned by the gateway; leave empty if you have none"),
        ],
        notes_zh: vec![
            "金额只能是整数元（不能有角、分）。".into(),
            "普通代收返回支付网址（以二维码显示）；收款卡转账返回收款卡信息。".into(),
        ],
        notes_en: vec![
            "Amounts are whole yuan only (no jiao or fen).".into(),
            "A deposit returns a payment page (shown as a QR code); a card transfer returns the card to pay to.".into(),
        ],
    }
}

fn account_no_field() -> FieldSpec {
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

fn channel_field() -> FieldSpec {
    FieldSpec::new(ids::CHANNEL, "代收渠道", "Channel", InputKind::Select)
        .required()
        .choices(channels())
        .wire("pay_mode")
        .help(
            "下单时选择的代收渠道",
            "the channel the deposit was created with",
        )
}

fn required<'a>(
    order: &'a OrderParams,
    id: &str,
    label: fn() -> String,
) -> Result<&'a str, FieldError> {
    order
        .value(id)
        .ok_or_else(|| FieldError::new(id, tr!("请填写{}", "{} is required", label())))
}

fn to_card(order: &OrderParams) -> bool {
    order.value(ids::TO_CARD) == Some("true")
}

fn merchant_id<'a>(call: &'a Call<'_>) -> Result<&'a str, GatewayError> {
    let m = call.config.merchant_id.trim();
    if m.is_empty() {
        return Err(FieldError::new(
            "merchant_id",
            tr!(
                "请在商户配置中填写商户号（merchant_ID）",
                "set the merchant ID (merchant_ID) in the profile"
            ),
        )
        .into());
    }
    Ok(m)
}

fn callback_uri<'a>(call: &'a Call<'_>) -> &'a str {
    // Sent even when empty, as the worked example does: an empty present value is signed.
    call.config
        .notify_url
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
}

/// Payout and deposit state codes on the shared status set.
pub fn map_state(kind: OrderKind, code: &str) -> OrderStatus {
    match (kind, code) {
        (OrderKind::Payout, "10") => OrderStatus::Pending,
        (OrderKind::Payout, "20") => OrderStatus::Processing,
        (OrderKind::Payout, "30") => OrderStatus::Succeeded,
        (OrderKind::Payout, "40") => OrderStatus::Failed,
        (OrderKind::Deposit, "11") => OrderStatus::Pending,
        (OrderKind::Deposit, "21") => OrderStatus::Failed,
        (OrderKind::Deposit, "41") => OrderStatus::Succeeded,
        _ => OrderStatus::Pending,
    }
}

/// `payee_amount` as received: an integer of yuan (decimals tolerated).
fn reply_amount_fen(r: &ReplyFields, name: &str) -> Result<Option<i64>, GatewayError> {
    match r.non_empty(name) {
        None => Ok(None),
        Some(t) => money::parse_reply_yuan(t)
            .map(Some)
            .ok_or_else(|| GatewayError::malformed(format!("{name} `{t}`"))),
    }
}

/// A Unix-seconds text shown in UTC+8; any other text is kept as given.
fn display_time(t: &str) -> String {
    let t = t.trim();
    if !t.is_empty() && t.len() <= 11 && t.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(people) = t.parse::<i64>().ok().and_then(crate::time::try_format_secs) {
            return people;
        }
    }
    t.to_string()
}

async fn exchange(
    call: &Call<'_>,
    path: &str,
    req: Request,
    meaning: FailureMeaning,
) -> Result<ReplyFields, GatewayError> {
    let body = req.body(call.secret.expose());
    let raw = call.http.post_json(call, path, body, &[]).await?;
    let reply = ReplyFields::parse(&raw.body)?;
    reply.accept(call.reply_key().expose(), meaning)?;
    Ok(reply)
}

fn base_reply(r: &ReplyFields, status: OrderStatus) -> Reply {
    let mut reply = Reply::new(status);
    reply.order_no = r.non_empty("client_order_id").map(String::from);
    reply.provider_order_id = r.non_empty("order_id").map(String::from);
    reply.provider_message = r.non_empty("msg").map(String::from);
    reply
}

#[async_trait]
impl Gateway for Jstpay {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Jstpay
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            payout: true,
            payout_query: true,
            deposit: true,
            deposit_query: true,
            balance: true,
            arrivals: true,
        }
    }

    fn payout_form(&self) -> Option<FormSpec> {
        Some(payout_form())
    }

    fn deposit_form(&self) -> Option<FormSpec> {
        Some(deposit_form())
    }

    fn lookup_fields(&self, kind: OrderKind) -> Vec<FieldSpec> {
        match kind {
            OrderKind::Payout => vec![account_no_field()],
            OrderKind::Deposit => vec![channel_field()],
        }
    }

    fn check(&self, order: &OrderParams) -> Result<(), FieldError> {
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

    async fn create_payout(
        &self,
        call: &Call<'_>,
        order: &OrderParams,
    ) -> Result<Reply, GatewayError> {
        self.check(order)?;
        let yuan = money::whole_yuan(ids::AMOUNT, order.amount_fen)?;
        let req = Request::new(merchant_id(call)?)
            .encoded("payee_name", order.value_or_empty(ids::PAYEE_NAME))
            .encoded("payee_bank", order.value_or_empty(ids::BANK_NAME))
            .encoded("payee_branch", order.value_or_empty(ids::BRANCH))
            .text("payee_number", order.value_or_empty(ids::ACCOUNT_NO))
            .int("payee_amount", yuan)
            .encoded("payee_province", order.value_or_empty(ids::PROVINCE))
            .encoded("payee_city", order.value_or_empty(ids::CITY))
            .text("client_order_id", &order.order_no)
            .text("callback_uri", callback_uri(call));
        let r = exchange(call, PAY_CREATE, req, FailureMeaning::Refusal).await?;
        Ok(base_reply(&r, OrderStatus::Pending))
    }

    async fn create_deposit(
        &self,
        call: &Call<'_>,
        order: &OrderParams,
    ) -> Result<Reply, GatewayError> {
        self.check(order)?;
        let yuan = money::whole_yuan(ids::AMOUNT, order.amount_fen)?;
        let mut req = Request::new(merchant_id(call)?)
            .int("payee_amount", yuan)
            .text("pay_mode", order.value_or_empty(ids::CHANNEL))
            .text("client_order_id", &order.order_no);
        if to_card(order) {
            if let Some(name) = order.value(ids::PAYER_NAME) {
                req = req.text("sender_name", name);
            }
            req = req.text("callback_uri", callback_uri(call));
            let r = exchange(call, DEPOSIT_CREATE2CARD, req, FailureMeaning::Refusal).await?;
            let mut reply = base_reply(&r, OrderStatus::Pending);
            reply.amount_fen = reply_amount_fen(&r, "payee_amount")?;
            let actual = reply_amount_fen(&r, "actual_amount")?;
            let text = |n: &str| r.get(n).unwrap_or("").to_string();
            reply.card = Some(CardInfo {
                card_name: text("card_name"),
                card_bank: text("card_bank"),
                card_branch: text("card_branch"),
                card_number: text("card_number"),
                actual_amount_fen: actual,
                nonce: r.non_empty("nonce").map(String::from),
                sender_name: r.non_empty("sender_name").map(String::from),
            });
            if let Some(a) = actual {
                reply
                    .extra
                    .insert("actual_amount".into(), money::fen_to_yuan_2dp(a));
            }
            Ok(reply)
        } else {
            req = req.text("callback_uri", callback_uri(call));
            if let Some(fund) = order.value(FUND_ID) {
                req = req.text("fund_id", fund);
            }
            let r = exchange(call, DEPOSIT_CREATE, req, FailureMeaning::Refusal).await?;
            let mut reply = base_reply(&r, OrderStatus::Pending);
            reply.pay_url = r.non_empty("uri").map(String::from);
            Ok(reply)
        }
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> Result<Reply, GatewayError> {
        let yuan = money::whole_yuan(ids::AMOUNT, order.amount_fen)?;
        let (path, req) = match order.kind {
            OrderKind::Payout => {
                let card = required(order, ids::ACCOUNT_NO, || {
                    tr!("收款卡号", "the card number")
                })?;
                let req = Request::new(merchant_id(call)?)
                    .text("payee_number", card)
                    .int("payee_amount", yuan)
                    .text("client_order_id", &order.order_no);
                (PAY_QUERY, req)
            }
            OrderKind::Deposit => {
                let channel = required(order, ids::CHANNEL, || tr!("代收渠道", "the channel"))?;
                let req = Request::new(merchant_id(call)?)
                    .text("pay_mode", channel)
                    .int("payee_amount", yuan)
                    .text("client_order_id", &order.order_no);
                (DEPOSIT_QUERY, req)
            }
        };
        let r = exchange(call, path, req, FailureMeaning::Query).await?;
        let code = r.non_empty("order_state_id").unwrap_or("");
        let mut reply = base_reply(&r, map_state(order.kind, code));
        reply.provider_status = (!code.is_empty()).then(|| code.to_string());
        reply.provider_message = r
            .non_empty("order_state")
            .map(String::from)
            .or(reply.provider_message);
        reply.amount_fen = reply_amount_fen(&r, "payee_amount")?;
        Ok(reply)
    }

    async fn balance(&self, call: &Call<'_>) -> Result<BalanceReply, GatewayError> {
        let merchant = merchant_id(call)?;
        let r = exchange(
            call,
            PAY_BALANCE,
            Request::new(merchant),
            FailureMeaning::Refusal,
        )
        .await?;
        if let Some(m) = r.non_empty("merchant_ID") {
            if m != merchant {
                return Err(GatewayError::Mismatch(tr!(
                    "余额应答的商户号为 {}",
                    "the balance reply names merchant {}",
                    m
                )));
            }
        }
        let text = r.get("balance").unwrap_or("");
        let balance_fen = money::parse_reply_yuan(text)
            .ok_or_else(|| GatewayError::malformed(format!("balance `{text}`")))?;
        Ok(BalanceReply {
            balance_fen,
            details: BTreeMap::new(),
        })
    }

    async fn arrivals(
        &self,
        call: &Call<'_>,
        start: Option<i64>,
        end: Option<i64>,
    ) -> Result<Vec<Arrival>, GatewayError> {
        // True Unix seconds: the document's "(UTC+8)" is not an offset to add.
        let now = crate::time::now_secs();
        let mut req = Request::new(merchant_id(call)?).text("timestamp", &now.to_string());
        if let Some(s) = start {
            req = req.text("start", &s.to_string());
        }
        if let Some(e) = end {
            req = req.text("end", &e.to_string());
        }
        let r = exchange(call, DEPOSIT_DETAIL, req, FailureMeaning::Refusal).await?;
        parse_arrivals(&r)
    }
}

/// The verified `data` of a deposit/detail reply; urlencoded names decoded
/// only now, after verification.
fn parse_arrivals(r: &ReplyFields) -> Result<Vec<Arrival>, GatewayError> {
    let Some(raw) = r.raw("data") else {
        return Ok(Vec::new());
    };
    let t = raw.get().trim();
    if t == "\"\"" || t == "null" {
        return Ok(Vec::new());
    }
    let items: Vec<BTreeMap<String, Box<serde_json::value::RawValue>>> =
        serde_json::from_str(t).map_err(|e| GatewayError::malformed(format!("data: {e}")))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let text = |n: &str| -> Result<String, GatewayError> {
            match item.get(n) {
                Some(v) => wire::sign_text(v).map_err(GatewayError::malformed),
                None => Ok(String::new()),
            }
        };
        let amount = text("amount")?;
        let amount_fen = money::parse_reply_yuan(&amount)
            .ok_or_else(|| GatewayError::malformed(format!("amount `{amount}`")))?;
        out.push(Arrival {
            serial: text("serial")?,
            time: display_time(&text("time")?),
            deposit_time: display_time(&text("deposit_time")?),
            card_tail: text("card_num")?,
            amount_fen,
            bank: crate::sign::form_urldecode(&text("bank")?),
            sender_name: crate::sign::form_urldecode(&text("sender_name")?),
            nonce: text("nonce")?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::OrderInput;

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
        let g = Jstpay;
        let full = [
            ("payee_name", "张三"),
            ("account_no", "62220202"),
            ("bank_name", "中国银行"),
            ("branch", "b"),
            ("province", "p"),
            ("city", "c"),
        ];
        assert!(g.check(&order(OrderKind::Payout, 10000, &full)).is_ok());
        assert_eq!(
            g.check(&order(OrderKind::Payout, 10050, &full))
                .unwrap_err()
                .field,
            "amount"
        );
        assert_eq!(
            g.check(&order(OrderKind::Payout, 10000, &full[..5]))
                .unwrap_err()
                .field,
            "city"
        );
        let mut bad_no = order(OrderKind::Payout, 10000, &full);
        bad_no.order_no = "A&B=1".into();
        assert_eq!(g.check(&bad_no).unwrap_err().field, "order_no");
        assert!(g
            .check(&order(OrderKind::Deposit, 100, &[("channel", "alipay")]))
            .is_ok());
        assert_eq!(
            g.check(&order(OrderKind::Deposit, 100, &[("channel", "x")]))
                .unwrap_err()
                .field,
            "channel"
        );
        assert_eq!(
            g.check(&order(
                OrderKind::Deposit,
                100,
                &[("channel", "bank"), ("to_card", "true"), ("fund_id", "F")]
            ))
            .unwrap_err()
            .field,
            "fund_id"
        );
    }

    #[test]
    fn state_codes() {
        assert_eq!(map_state(OrderKind::Payout, "10"), OrderStatus::Pending);
        assert_eq!(map_state(OrderKind::Payout, "20"), OrderStatus::Processing);
        assert_eq!(map_state(OrderKind::Payout, "30"), OrderStatus::Succeeded);
        assert_eq!(map_state(OrderKind::Payout, "40"), OrderStatus::Failed);
        assert_eq!(map_state(OrderKind::Deposit, "11"), OrderStatus::Pending);
        assert_eq!(map_state(OrderKind::Deposit, "21"), OrderStatus::Failed);
        assert_eq!(map_state(OrderKind::Deposit, "41"), OrderStatus::Succeeded);
        assert_eq!(map_state(OrderKind::Deposit, "30"), OrderStatus::Pending);
        assert_eq!(map_state(OrderKind::Payout, "99"), OrderStatus::Pending);
    }

    #[test]
    fn arrivals_decoded_after_verification() {
        let key = "k";
        let data = "[{\"amount\":\"100.37\",\"bank\":\"%E4%B8%AD%E5%9B%BD%E9%93%B6%E8%A1%8C\",\"card_num\":\"1234\",\"deposit_time\":\"1704067200\",\"nonce\":\"A1\",\"sender_name\":\"%E6%9D%8E+%E5%9B%9B\",\"serial\":\"S1\",\"time\":\"2024-01-01 08:00:00\"}]";
        let sts = format!("data={data}&msg=success&status=1&hash_key={key}");
        let body = format!(
            "{{\"status\":1,\"msg\":\"success\",\"data\":{data},\"signature\":\"{}\"}}",
            crate::sign::md5_lower(&sts)
        );
        let r = ReplyFields::parse(&body).unwrap();
        r.accept(key, FailureMeaning::Refusal).unwrap();
        let a = parse_arrivals(&r).unwrap();
        assert_eq!(
            a,
            vec![Arrival {
                serial: "S1".into(),
                time: "2024-01-01 08:00:00".into(),
                deposit_time: "2024-01-01 08:00:00".into(),
                card_tail: "1234".into(),
                amount_fen: 10037,
                bank: "中国银行".into(),
                sender_name: "李 四".into(),
                nonce: "A1".into(),
            }]
        );
    }
}
