//! jstpay ("JSTpay API 文档 v2.1"): JSON over POST, whole-yuan amounts, some
//! payee fields sent PHP-urlencoded, MD5 signatures on requests and on
//! successful replies. Payouts, deposits (payment page or transfer to a card),
//! status queries, balance and card arrivals.
//!
//! `forms` the forms, `sign` signing and verification, `wire` the wire types,
//! `status` what the codes mean, `notify` the callbacks.

pub mod forms;
pub mod notify;
pub mod sign;
pub mod status;
pub mod wire;

use self::sign::Request;
use self::status::FailureMeaning;
use self::wire::*;
use crate::domain::{OrderKind, OrderStatus};
use crate::form::ids;
use crate::gateway::{
    Arrival, BalanceReply, Call, CardInfo, Gateway, GatewayError, OrderParams, ReplyResult,
};
use crate::money;
use crate::providers::common::gateway_parts;
use crate::providers::common::Setting;
use crate::tr;
use async_trait::async_trait;
use std::collections::BTreeMap;

pub use self::forms::channels;

pub struct Jstpay;

fn callback_uri<'a>(call: &'a Call<'_>) -> &'a str {
    // Sent even when empty, as the worked example does: an empty present value is signed.
    call.config
        .notify_url
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
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

#[async_trait]
impl Gateway for Jstpay {
    gateway_parts!(Jstpay, ALL, payout_form, deposit_form);

    async fn create_payout(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        self.check(order)?;
        let yuan = money::whole_yuan(ids::AMOUNT, order.amount_fen)?;
        let req = Request::new(Setting::MerchantId.required(call.config, "merchant_ID")?)
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
        Ok(r.base_reply(OrderStatus::Pending))
    }

    async fn create_deposit(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        self.check(order)?;
        let yuan = money::whole_yuan(ids::AMOUNT, order.amount_fen)?;
        let mut req = Request::new(Setting::MerchantId.required(call.config, "merchant_ID")?)
            .int("payee_amount", yuan)
            .text("pay_mode", order.value_or_empty(ids::CHANNEL))
            .text("client_order_id", &order.order_no);
        if forms::to_card(order) {
            if let Some(name) = order.value(ids::PAYER_NAME) {
                req = req.text("sender_name", name);
            }
            req = req.text("callback_uri", callback_uri(call));
            let r = exchange(call, DEPOSIT_CREATE2CARD, req, FailureMeaning::Refusal).await?;
            let mut reply = r.base_reply(OrderStatus::Pending);
            reply.amount_fen = r.amount_fen("payee_amount")?;
            let actual = r.amount_fen("actual_amount")?;
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
            if let Some(fund) = order.value(forms::FUND_ID) {
                req = req.text("fund_id", fund);
            }
            let r = exchange(call, DEPOSIT_CREATE, req, FailureMeaning::Refusal).await?;
            let mut reply = r.base_reply(OrderStatus::Pending);
            reply.pay_url = r.non_empty("uri").map(String::from);
            Ok(reply)
        }
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        let yuan = money::whole_yuan(ids::AMOUNT, order.amount_fen)?;
        let (path, req) = match order.kind {
            OrderKind::Payout => {
                let card = forms::required(order, ids::ACCOUNT_NO, || {
                    tr!("收款卡号", "the card number")
                })?;
                let req = Request::new(Setting::MerchantId.required(call.config, "merchant_ID")?)
                    .text("payee_number", card)
                    .int("payee_amount", yuan)
                    .text("client_order_id", &order.order_no);
                (PAY_QUERY, req)
            }
            OrderKind::Deposit => {
                let channel =
                    forms::required(order, ids::CHANNEL, || tr!("代收渠道", "the channel"))?;
                let req = Request::new(Setting::MerchantId.required(call.config, "merchant_ID")?)
                    .text("pay_mode", channel)
                    .int("payee_amount", yuan)
                    .text("client_order_id", &order.order_no);
                (DEPOSIT_QUERY, req)
            }
        };
        let r = exchange(call, path, req, FailureMeaning::Query).await?;
        let code = r.non_empty("order_state_id").unwrap_or("");
        let mut reply = r.base_reply(status::map_state(order.kind, code));
        reply.provider_status = (!code.is_empty()).then(|| code.to_string());
        reply.provider_message = r
            .non_empty("order_state")
            .map(String::from)
            .or(reply.provider_message);
        reply.amount_fen = r.amount_fen("payee_amount")?;
        Ok(reply)
    }

    async fn balance(&self, call: &Call<'_>) -> Result<BalanceReply, GatewayError> {
        let merchant = Setting::MerchantId.required(call.config, "merchant_ID")?;
        let r = exchange(
            call,
            PAY_BALANCE,
            Request::new(merchant),
            FailureMeaning::Refusal,
        )
        .await?;
        if let Some(m) = r.non_empty("merchant_ID") {
            if m != merchant {
                return Err(GatewayError::Mismatch(crate::words!(
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
        let mut req = Request::new(Setting::MerchantId.required(call.config, "merchant_ID")?)
            .text("timestamp", &now.to_string());
        if let Some(s) = start {
            req = req.text("start", &s.to_string());
        }
        if let Some(e) = end {
            req = req.text("end", &e.to_string());
        }
        let r = exchange(call, DEPOSIT_DETAIL, req, FailureMeaning::Refusal).await?;
        wire::parse_arrivals(&r)
    }
}
