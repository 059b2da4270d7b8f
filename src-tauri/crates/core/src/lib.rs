//! PayDesk core: domain types, the five gateways, the order store, the secret
//! vault and the services that the desktop app, the CLI and the tests all call.
//! No Tauri in here on purpose: every behaviour is testable headless.

pub mod banks;
pub mod batch;
#[cfg(feature = "ts")]
pub mod bindings;
pub mod domain;
pub mod error;
pub mod export;
pub mod form;
pub mod gateway;
pub mod http;
pub mod i18n;
pub mod money;
pub mod notify;
pub mod order_no;
pub mod providers;
pub mod qr;
pub mod secret;
pub mod services;
pub mod sign;
pub mod store;
pub mod sync;
pub mod team;
pub mod time;
pub mod vault;

pub use domain::{OrderKind, OrderStatus, ProviderKind};
pub use error::{CoreError, ErrorCode};
pub use secret::Secret;
