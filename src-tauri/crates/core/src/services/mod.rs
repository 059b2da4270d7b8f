//! The services the desktop app, the CLI and the tests all call. They own the
//! rules that make an order trustworthy: validate before anything is stored,
//! store before anything is sent, never retry a create, never trust an
//! unverified reply, and keep every exchange (masked) in the order's history.
//!
//! One file per area: `opening` (open, settings, forms), `profiles`, `orders`
//! (create, refresh), `lookup`, `balances`, `arrivals`; `views` holds the data
//! types the app and the CLI receive; `outcome` decides what an order becomes
//! after each answer (pure, tested as tables).

pub(crate) mod approvals;
mod arrivals;
mod balances;
mod lookup;
pub mod notes;
mod opening;
mod orders;
pub mod outcome;
mod profiles;
pub mod test_hooks;
mod views;

pub use approvals::{parse_approval_threshold, ApprovalView, ApprovalsList, BatchApprovalView};
pub use arrivals::{arrivals_range, ARRIVALS_MAX_SECS};
pub use outcome::NOT_FOUND_GRACE_MS;
pub use profiles::check_base_url;
pub use views::*;

use crate::gateway::{GatewayConfig, OrderParams};
use crate::http::HttpClient;
use crate::secret::Secret;
use crate::store::{Order, Profile, Store};
use crate::vault::SecretStore;
use std::sync::Arc;

/// The longest gateway-supplied text kept on an order (messages, codes).
pub const MAX_GATEWAY_TEXT: usize = 1000;

/// Gateway-supplied text made inert before it is stored or shown: control
/// characters (terminal escape sequences, NUL, line breaks) become spaces and
/// the text is cut to `MAX_GATEWAY_TEXT` characters. HTML stays as literal
/// text; the UI renders it as text, never as markup.
pub fn inert_text(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_GATEWAY_TEXT)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX_GATEWAY_TEXT).is_some() {
        out.push('…');
    }
    out
}

fn inert(text: Option<String>) -> Option<String> {
    text.map(|t| inert_text(&t))
}

/// A profile's keys as read from the keyring, tagged with the profile's `updated_at`.
type CachedKeys = (i64, Secret, Option<Secret>);

pub struct PayDesk {
    pub store: Store,
    vault: Arc<dyn SecretStore>,
    http: HttpClient,
    os_user: String,
    /// `NOT_FOUND_GRACE_MS` unless a test changed it (see `test_hooks::not_found_grace_ms`).
    not_found_grace_ms: i64,
    /// Keys read from the keyring, kept in this process's memory only, per
    /// profile id and the profile's `updated_at`: a key changed elsewhere (the
    /// CLI, another window) bumps `updated_at` and is read afresh. A keyring
    /// read costs a D-Bus round trip; a clerk's every order should not.
    key_cache: std::sync::Mutex<std::collections::HashMap<String, CachedKeys>>,
    /// The callback listener's copies of profiles, per id (see `notify`).
    pub(crate) notify_profiles: std::sync::Mutex<
        std::collections::HashMap<String, (std::time::Instant, crate::store::Profile)>,
    >,
}

impl PayDesk {
    /// Team mode: the operator is the database login role (`team::open_desk`).
    pub(crate) fn set_operator(&mut self, name: String) {
        self.os_user = name;
    }
}

pub(crate) fn config_of(p: &Profile) -> GatewayConfig {
    p.gateway.clone()
}

fn params_of(o: &Order) -> OrderParams {
    OrderParams {
        kind: o.kind,
        order_no: o.order_no.clone(),
        amount_fen: o.amount_fen,
        values: o.fields.clone(),
        provider_order_id: o.provider_order_id.clone(),
        created_at_ms: o.created_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_text_is_made_inert() {
        assert_eq!(
            inert_text("<b>x</b>\u{1b}[31m\r\nok\u{0}"),
            "<b>x</b> [31m  ok "
        );
        let long = "长".repeat(MAX_GATEWAY_TEXT + 5);
        let cut = inert_text(&long);
        assert_eq!(cut.chars().count(), MAX_GATEWAY_TEXT + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(inert_text("正常"), "正常");
    }
}
