//! xxpay gateway (placeholder until its module is written).

use crate::domain::ProviderKind;
use crate::gateway::{Capabilities, Gateway};
use async_trait::async_trait;

pub struct Xxpay;

/// The HPT bank-code table of the document: (code, name).
pub const HPT_BANKS: &[(&str, &str)] = &[("HPT00002", "中国工商银行")];

#[async_trait]
impl Gateway for Xxpay {
    fn provider(&self) -> ProviderKind {
        ProviderKind::Xxpay
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}
