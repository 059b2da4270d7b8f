//! jeepay gateway (placeholder until its module is written).

use crate::domain::ProviderKind;
use crate::gateway::{Capabilities, Gateway};
use async_trait::async_trait;

pub struct Jeepay;

#[async_trait]
impl Gateway for Jeepay {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Jeepay
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}
