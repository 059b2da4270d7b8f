//! The five gateways, one module each (signing, wire types, mapping to domain
//! types). Everything outside this folder reaches them through `gateway()`.

use crate::domain::ProviderKind;
use crate::gateway::Gateway;

pub mod appkey;
pub mod jeepay;
pub mod jstpay;
pub mod juyouke;
pub mod xxpay;

pub fn gateway(kind: ProviderKind) -> &'static dyn Gateway {
    match kind {
        ProviderKind::Jstpay => &jstpay::Jstpay,
        ProviderKind::Jeepay => &jeepay::Jeepay,
        ProviderKind::Juyouke => &juyouke::Juyouke,
        ProviderKind::Appkey => &appkey::Appkey,
        ProviderKind::Xxpay => &xxpay::Xxpay,
    }
}
