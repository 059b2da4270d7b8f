//! Opening PayDesk, its settings, and the static descriptions (forms, banks).

use super::{test_hooks, PayDesk, Settings};
use crate::banks::{self, Bank};
use crate::domain::{OrderKind, ProviderKind};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::form::{FieldSpec, FormSpec};
use crate::gateway::{Gateway, GatewayError};
use crate::http::{HttpClient, HttpOptions};
use crate::providers;
use crate::store::Store;
use crate::tr;
use crate::vault::SecretStore;
use std::path::Path;
use std::sync::Arc;

impl PayDesk {
    pub async fn open(data_dir: &Path, vault: Arc<dyn SecretStore>) -> CoreResult<PayDesk> {
        Self::open_with(data_dir, vault, HttpOptions::default()).await
    }

    pub async fn open_with(
        data_dir: &Path,
        vault: Arc<dyn SecretStore>,
        http: HttpOptions,
    ) -> CoreResult<PayDesk> {
        Self::with_store(Store::open(data_dir).await?, vault, http)
    }

    /// Open PayDesk on the database a URL names (`Store::open_url`):
    /// `postgres://…` is team mode's shared server, `sqlite:PATH` or a path
    /// an SQLite file. The single desk's default stays `open_with(data_dir)`.
    pub async fn open_with_database(
        database_url: &str,
        vault: Arc<dyn SecretStore>,
        http: HttpOptions,
    ) -> CoreResult<PayDesk> {
        Self::with_store(Store::open_url(database_url).await?, vault, http)
    }

    fn with_store(
        store: Store,
        vault: Arc<dyn SecretStore>,
        http: HttpOptions,
    ) -> CoreResult<PayDesk> {
        let os_user = whoami::username();
        Ok(PayDesk {
            store,
            vault,
            http: HttpClient::new(http),
            os_user,
            not_found_grace_ms: test_hooks::not_found_grace_ms(),
            key_cache: Default::default(),
            notify_profiles: Default::default(),
        })
    }

    /// For tests: how long after sending an order the gateway's "no such
    /// order" is taken to mean it never arrived (default `NOT_FOUND_GRACE_MS`).
    pub fn set_not_found_grace_ms(&mut self, ms: i64) {
        self.not_found_grace_ms = ms.max(0);
    }

    pub fn os_user(&self) -> &str {
        &self.os_user
    }

    // ---------------------------------------------------------------- forms

    pub fn form(provider: ProviderKind, kind: OrderKind) -> CoreResult<FormSpec> {
        let gw = providers::gateway(provider);
        let form = match kind {
            OrderKind::Payout => gw.payout_form(),
            OrderKind::Deposit => gw.deposit_form(),
        };
        form.ok_or_else(|| {
            let op = match kind {
                OrderKind::Payout => crate::gateway::Operation::Payout,
                OrderKind::Deposit => crate::gateway::Operation::Deposit,
            };
            CoreError::from(GatewayError::not_offered(provider, op))
        })
    }

    pub fn lookup_fields(provider: ProviderKind, kind: OrderKind) -> Vec<FieldSpec> {
        providers::gateway(provider).lookup_fields(kind)
    }

    pub fn banks(provider: Option<ProviderKind>, query: &str) -> Vec<Bank> {
        let list = match provider {
            Some(p) => banks::for_provider(p),
            None => {
                let mut all = banks::for_provider(ProviderKind::Jstpay);
                all.extend(banks::for_provider(ProviderKind::Xxpay));
                all
            }
        };
        banks::search(&list, query)
    }

    pub async fn settings(&self) -> CoreResult<Settings> {
        Ok(self
            .store
            .setting("app")
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub async fn save_settings(&self, settings: &Settings) -> CoreResult<()> {
        for (field, minutes) in [
            ("balance_refresh_minutes", settings.balance_refresh_minutes),
            ("order_refresh_minutes", settings.order_refresh_minutes),
        ] {
            if minutes > 24 * 60 {
                return Err(FieldError::new(
                    field,
                    tr!(
                        "刷新间隔最长 1440 分钟",
                        "the refresh interval can be at most 1440 minutes"
                    ),
                )
                .into());
            }
        }
        self.store
            .set_setting(
                "app",
                &serde_json::to_string(settings).map_err(|e| CoreError::Internal(e.to_string()))?,
            )
            .await
    }

    pub fn gateway(provider: ProviderKind) -> &'static dyn Gateway {
        providers::gateway(provider)
    }
}
