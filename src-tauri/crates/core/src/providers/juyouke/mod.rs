//! juyouke gateway (placeholder until its module is written).

use crate::domain::ProviderKind;
use crate::gateway::{Capabilities, Gateway};
use async_trait::async_trait;

pub struct Juyouke;

#[async_trait]
impl Gateway for Juyouke {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Juyouke
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}
