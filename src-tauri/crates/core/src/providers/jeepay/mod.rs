//! Jeepay transfer API (seed 001): payouts through `/api/transferOrder` and
//! their status through `/api/transfer/query`. No deposit and no balance
//! endpoint exist, so those keep the trait's "not offered".

pub mod forms;
pub mod notify;
pub mod sign;
pub mod status;
pub mod wire;

use crate::domain::{OrderKind, ProviderKind};
use crate::error::FieldError;
use crate::form::{FieldSpec, FormSpec};
use crate::gateway::{
    Call, Capabilities, Gateway, GatewayConfig, GatewayError, InboundNotify, OrderParams, Reply,
    VerifiedNotify,
};
use crate::secret::Secret;
use async_trait::async_trait;
use wire::Op;

pub use forms::{payout_form, MAX_AMOUNT_FEN, ORDER_NO_MAX};

pub struct Jeepay;

#[async_trait]
impl Gateway for Jeepay {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Jeepay
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            payout: true,
            payout_query: true,
            ..Capabilities::default()
        }
    }

    fn payout_form(&self) -> Option<FormSpec> {
        Some(payout_form())
    }

    fn lookup_fields(&self, kind: OrderKind) -> Vec<FieldSpec> {
        match kind {
            OrderKind::Payout => vec![forms::transfer_id_field()],
            OrderKind::Deposit => Vec::new(),
        }
    }

    fn check(&self, order: &OrderParams) -> Result<(), FieldError> {
        match order.kind {
            OrderKind::Payout => forms::check_payout(order),
            OrderKind::Deposit => Ok(()),
        }
    }

    fn parse_notify(
        &self,
        _cfg: &GatewayConfig,
        secret: &Secret,
        _reply_secret: Option<&Secret>,
        req: &InboundNotify<'_>,
    ) -> Result<VerifiedNotify, GatewayError> {
        notify::parse(secret, req)
    }

    fn notify_ack(&self, _n: &VerifiedNotify) -> &'static str {
        notify::ACK
    }

    async fn create_payout(
        &self,
        call: &Call<'_>,
        order: &OrderParams,
    ) -> Result<Reply, GatewayError> {
        forms::check_payout(order)?;
        let params = wire::transfer_params(call.config, order, crate::time::now_ms())?;
        let req = sign::sign_request(&params, call.secret.expose());
        let raw = call
            .http
            .post_json(call, wire::TRANSFER_PATH, req.body, &[])
            .await?;
        wire::parse_reply(&raw.body, call.reply_key().expose(), Op::Transfer)
    }

    async fn query(&self, call: &Call<'_>, order: &OrderParams) -> Result<Reply, GatewayError> {
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
        let req = sign::sign_request(&params, call.secret.expose());
        let raw = call
            .http
            .post_json(call, wire::QUERY_PATH, req.body, &[])
            .await?;
        wire::parse_reply(&raw.body, call.reply_key().expose(), Op::Query)
    }
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
