//! Shared by the store's tests: a profile and an order to write.

use super::{NewOrder, Profile};
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::gateway::GatewayConfig;

pub fn profile(id: &str, name: &str) -> Profile {
    Profile {
        id: id.into(),
        name: name.into(),
        provider: ProviderKind::Jstpay,
        gateway: GatewayConfig {
            base_url: "http://127.0.0.1:1/jstpay".into(),
            merchant_id: "M".into(),
            ..GatewayConfig::default()
        },
        has_reply_secret: false,
        sandbox: false,
        low_balance_fen: None,
        created_at: 1,
        updated_at: 1,
    }
}

pub fn new_order(pid: &str, no: &str, at: i64) -> NewOrder {
    NewOrder {
        profile_id: pid.into(),
        order_no: no.into(),
        kind: OrderKind::Payout,
        amount_fen: 10000,
        fields: [("payee_name".to_string(), "张三".to_string())].into(),
        status: OrderStatus::Unknown,
        message: None,
        created_by: "tester".into(),
        created_at: at,
    }
}
