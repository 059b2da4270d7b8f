//! The data types the app (over IPC), the CLI and the tests exchange with the
//! services. Their JSON shape is the IPC contract (`ui/src/lib/bindings.ts`).

use crate::domain::{OrderKind, ProviderKind};
use crate::error::CoreError;
use crate::form::FormSpec;
use crate::gateway::{Capabilities, GatewayConfig, GatewayError};
use crate::store::{Order, Profile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::inert_text;

/// Settings of a profile as a person enters them (secrets separately).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileInput {
    pub name: String,
    pub provider: Option<ProviderKind>,
    /// The gateway settings, declared once (`GatewayConfig`); flattened, so
    /// the JSON keeps `base_url`, `merchant_id`... at the top level.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub gateway: GatewayConfig,
    pub low_balance_fen: Option<i64>,
    /// Team mode: payouts at or above this need a checker (0: every payout).
    #[serde(default)]
    pub approval_threshold_fen: Option<i64>,
    #[serde(default)]
    pub sandbox: bool,
}

impl From<&Profile> for ProfileInput {
    /// A profile's settings as input, to change some and save them again.
    fn from(p: &Profile) -> Self {
        ProfileInput {
            name: p.name.clone(),
            provider: Some(p.provider),
            gateway: p.gateway.clone(),
            low_balance_fen: p.low_balance_fen,
            approval_threshold_fen: p.approval_threshold_fen,
            sandbox: p.sandbox,
        }
    }
}

/// A profile as shown to people: no secret, only whether one is saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: Profile,
    pub secret_saved: bool,
    pub capabilities: Capabilities,
    /// Set when the base URL is plain `http://` (not encrypted).
    pub warning: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<&GatewayError> for ErrorInfo {
    fn from(e: &GatewayError) -> Self {
        ErrorInfo {
            code: e.code().to_string(),
            // May quote the gateway's own words: made inert like every stored text.
            message: inert_text(&e.to_string()),
            field: match e {
                GatewayError::Invalid(f) => Some(f.field.clone()),
                _ => None,
            },
        }
    }
}

/// The one conversion of a service error into `{code, message, field}`: the
/// app's IPC errors, the CLI's errors and the services' per-order reports.
impl From<&CoreError> for ErrorInfo {
    fn from(e: &CoreError) -> Self {
        ErrorInfo {
            code: e.code().as_str().into(),
            message: e.to_string(),
            field: e.field().map(String::from),
        }
    }
}

/// The result of asking a gateway about an order: the order as stored now, and
/// what went wrong if the answer could not be used.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderOutcome {
    pub order: Order,
    pub error: Option<ErrorInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BalanceView {
    pub profile: String,
    pub profile_id: String,
    pub provider: ProviderKind,
    pub sandbox: bool,
    pub supported: bool,
    pub balance_fen: Option<i64>,
    pub details: BTreeMap<String, i64>,
    pub at: Option<i64>,
    pub low_balance_fen: Option<i64>,
    pub low: bool,
    pub error: Option<ErrorInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestResult {
    pub ok: bool,
    pub message: String,
}

/// Validated order, ready to confirm and send.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderPreview {
    pub profile: String,
    pub provider: ProviderKind,
    pub kind: OrderKind,
    pub order_no: String,
    pub amount_fen: i64,
    pub amount_text: String,
    pub amount_capital: String,
    pub values: BTreeMap<String, String>,
    pub form: FormSpec,
}

/// What the desktop shell tells the UI about itself at start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    /// The built-in sandbox's address, when it runs.
    pub sandbox_url: Option<String>,
    /// No profiles yet: offer the sandbox profiles.
    pub first_run: bool,
    pub os_user: String,
    /// Team mode: "host:port/db as role"; None on this desk's own file.
    pub team_database: Option<String>,
}

/// The app's settings, kept in the database (never secrets).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    pub lang: crate::i18n::Lang,
    /// Refresh balances every N minutes; 0 turns it off.
    pub balance_refresh_minutes: u32,
    /// Re-query open orders every N minutes; 0 turns it off.
    pub order_refresh_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: crate::i18n::Lang::Zh,
            balance_refresh_minutes: 5,
            order_refresh_minutes: 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            id: "p1".into(),
            name: "jst-main".into(),
            provider: ProviderKind::Jeepay,
            gateway: GatewayConfig {
                base_url: "https://gw.example/api".into(),
                merchant_id: "M1".into(),
                app_id: Some("A1".into()),
                operator_id: None,
                notify_url: Some("https://me.example/n".into()),
                return_url: None,
            },
            has_reply_secret: false,
            sandbox: true,
            low_balance_fen: Some(500),
            approval_threshold_fen: None,
            created_at: 1,
            updated_at: 2,
        }
    }

    /// The gateway settings are declared once (`GatewayConfig`) and embedded;
    /// the JSON the app and `--json` see is byte for byte what it was when
    /// each struct listed them itself: same keys, same order, top level.
    #[test]
    fn embedded_gateway_settings_keep_the_json_flat() {
        assert_eq!(
            serde_json::to_string(&profile()).unwrap(),
            r#"{"id":"p1","name":"jst-main","provider":"jeepay","base_url":"https://gw.example/api","merchant_id":"M1","app_id":"A1","operator_id":null,"notify_url":"https://me.example/n","return_url":null,"has_reply_secret":false,"sandbox":true,"low_balance_fen":500,"approval_threshold_fen":null,"created_at":1,"updated_at":2}"#
        );
        let input = ProfileInput::from(&profile());
        let json = serde_json::to_string(&input).unwrap();
        assert_eq!(
            json,
            r#"{"name":"jst-main","provider":"jeepay","base_url":"https://gw.example/api","merchant_id":"M1","app_id":"A1","operator_id":null,"notify_url":"https://me.example/n","return_url":null,"low_balance_fen":500,"approval_threshold_fen":null,"sandbox":true}"#
        );
        // What the UI sends: optional settings may be absent, and still read.
        let typed: ProfileInput = serde_json::from_str(
            r#"{"name":"x","provider":"juyouke","base_url":"https://g","merchant_id":"M","operator_id":"7","low_balance_fen":null}"#,
        )
        .unwrap();
        assert_eq!(
            typed.gateway,
            GatewayConfig {
                base_url: "https://g".into(),
                merchant_id: "M".into(),
                operator_id: Some("7".into()),
                ..GatewayConfig::default()
            }
        );
        assert!(!typed.sandbox);
        // A required setting missing is still refused by name.
        let e = serde_json::from_str::<ProfileInput>(
            r#"{"name":"x","provider":null,"base_url":"https://g","low_balance_fen":null}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("merchant_id"), "{e}");
    }
}
