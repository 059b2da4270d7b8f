//! Jeepay transfer API (seed 001): payouts through `/api/transferOrder` and
//! their status through `/api/transfer/query`. No deposit and no balance
//! endpoint exist, so those keep the trait's "not offered".

pub mod forms;
pub mod notify;
pub mod sign;
pub mod status;
pub mod wire;

use crate::domain::{OrderKind, ProviderKind};
use crate::gateway::{Call, Gateway, GatewayError, OrderParams, ReplyResult};
use crate::providers::common::gateway_parts;
use async_trait::async_trait;
use wire::Op;

pub use forms::{payout_form, MAX_AMOUNT_FEN, ORDER_NO_MAX};

pub struct Jeepay;

#[async_trait]
impl Gateway for Jeepay {
    gateway_parts!(Jeepay, PAYOUTS, payout_form);

    async fn create_payout(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        forms::check_payout(order)?;
        let params = wire::transfer_params(call.config, order, crate::time::now_ms())?;
        send(call, wire::TRANSFER_PATH, &params, Op::Transfer).await
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> ReplyResult {
        if order.kind == OrderKind::Deposit {
            return Err(GatewayError::not_offered(
                ProviderKind::Jeepay,
                crate::gateway::Operation::DepositQuery,
            ));
        }
        let transfer_id = order
            .provider_order_id
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| order.value(wire::TRANSFER_ID));
        let params = wire::query_params(
            call.config,
            &order.order_no,
            transfer_id,
            crate::time::now_ms(),
        )?;
        send(call, wire::QUERY_PATH, &params, Op::Query).await
    }
}

/// Both endpoints take the same signed JSON body and answer the same signed reply.
async fn send(call: &Call<'_>, path: &str, params: &wire::Params, op: Op) -> ReplyResult {
    let req = sign::sign_request(params, call.secret.expose());
    let raw = call.http.post_json(call, path, req.body, &[]).await?;
    wire::parse_reply(&raw.body, call.reply_key().expose(), op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_payouts_only() {
        let c = Jeepay.capabilities();
        assert!(c.payout && c.payout_query);
        assert!(!c.deposit && !c.deposit_query && !c.balance && !c.arrivals);
        assert!(Jeepay.deposit_form().is_none());
        assert_eq!(Jeepay.lookup_fields(OrderKind::Payout)[0].id, "transfer_id");
    }
}
