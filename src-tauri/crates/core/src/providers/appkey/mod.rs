//! appkey gateway (placeholder until its module is written).

use crate::domain::ProviderKind;
use crate::gateway::{Capabilities, Gateway};
use async_trait::async_trait;

pub struct Appkey;

#[async_trait]
impl Gateway for Appkey {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Appkey
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}
