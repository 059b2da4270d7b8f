//! The five gateways, one module each, all the same shape: `mod.rs` the
//! `impl Gateway`, `forms.rs` the form descriptions and checks, `sign.rs`
//! request signing and reply/callback verification, `wire.rs` the wire types,
//! `status.rs` the gateway's codes on the shared status set, `notify.rs` its
//! callbacks. `common.rs` holds what they share. Everything outside this folder
//! reaches them through `gateway()`.

use crate::domain::ProviderKind;
use crate::gateway::Gateway;

pub mod appkey;
pub mod common;
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
