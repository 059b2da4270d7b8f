//! AppKey/MRN platform (seed 003): deposits (`/api/Pay/Create`) with a payment
//! page, payouts to bank cards (`/api/Payouts/Create`), and a status query for
//! each. No balance endpoint. Requests are signed with MD5 (lower hex) over a
//! fixed-order string; replies are not signed (see `wire`).

pub mod forms;
pub mod notify;
pub mod sign;
pub mod status;
pub mod wire;

use crate::domain::OrderKind;
use crate::form::ids;
use crate::gateway::{Call, Gateway, OrderParams, ReplyResult};
use crate::money::{fen_to_yuan_compact, whole_yuan};
use crate::providers::common::gateway_parts;
use crate::providers::common::Setting;
use crate::sign::md5_lower;
use async_trait::async_trait;

pub struct Appkey;

pub use forms::{CHANNELS, MRN_MAX_LEN};

#[async_trait]
impl Gateway for Appkey {
    gateway_parts!(Appkey, ORDERS, payout_form, deposit_form);

    async fn create_deposit(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        self.check(order)?;
        // `callbackUrl` and `returnUrl` are required by the document and
        // signed: a profile without them is refused before anything is sent
        // rather than signing empty ones the gateway would refuse.
        let req = wire::PayCreate {
            amount: fen_to_yuan_compact(order.amount_fen),
            app_key: Setting::MerchantId.required(call.config, "appKey")?,
            callback_url: Setting::NotifyUrl.required(call.config, "callbackUrl")?,
            channel_id: forms::channel_id(order)?,
            mrn: &order.order_no,
            return_url: Setting::ReturnUrl.required(call.config, "returnUrl")?,
            payer: order.value(ids::PAYER_NAME),
        };
        let sign = md5_lower(&req.string_to_sign(call.secret.expose()));
        let raw = call
            .http
            .post_json(call, wire::PAY_CREATE, req.body(&sign), &[])
            .await?;
        wire::parse_pay_create(&raw.body, &call.config.base_url)
    }

    async fn create_payout(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        self.check(order)?;
        let req = wire::PayoutCreate {
            account_name: order.value_or_empty(ids::PAYEE_NAME),
            account_number: order.value_or_empty(ids::ACCOUNT_NO),
            amount_yuan: whole_yuan(ids::AMOUNT, order.amount_fen)?,
            app_key: Setting::MerchantId.required(call.config, "appKey")?,
            bank_name: order.value_or_empty(ids::BANK_NAME),
            callback_url: Setting::NotifyUrl.required(call.config, "callbackUrl")?,
            mrn: &order.order_no,
        };
        let sign = md5_lower(&req.string_to_sign(call.secret.expose()));
        let raw = call
            .http
            .post_json(call, wire::PAYOUTS_CREATE, req.body(&sign), &[])
            .await?;
        wire::parse_payout_create(&raw.body)
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        forms::check_mrn(&order.order_no)?;
        let (path, deposit) = match order.kind {
            OrderKind::Deposit => (wire::PAYMENTS_QUERY, true),
            OrderKind::Payout => (wire::PAYOUTS_QUERY, false),
        };
        let pq = sign::query_path(
            path,
            Setting::MerchantId.required(call.config, "appKey")?,
            &order.order_no,
            call.secret.expose(),
        );
        let raw = call.http.get(call, &pq).await?;
        wire::parse_query(&raw.body, deposit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::BankValue;
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
