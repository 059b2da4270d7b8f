//! jstpay gateway (placeholder until its module is written).

use crate::domain::ProviderKind;
use crate::gateway::{Capabilities, Gateway};
use async_trait::async_trait;

pub struct Jstpay;

#[async_trait]
impl Gateway for Jstpay {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Jstpay
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}
