//! The services the desktop app, the CLI and the tests all call. They own the
//! rules that make an order trustworthy: validate before anything is stored,
//! store before anything is sent, never retry a create, never trust an
//! unverified reply, and keep every exchange (masked) in the order's history.

use crate::banks::{self, Bank};
use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::form::{FieldSpec, FormSpec, OrderInput};
use crate::gateway::{
    Arrival, Call, Capabilities, Delivery, Gateway, GatewayConfig, GatewayError, OrderParams, Reply,
};
use crate::http::{HttpClient, HttpOptions};
use crate::providers;
use crate::secret::Secret;
use crate::store::{
    now_ms, BalanceReading, NewOrder, Order, OrderEvent, OrderFilter, OrderPage, OrderUpdate,
    Profile, Store,
};
use crate::time::shanghai_day;
use crate::tr;
use crate::vault::{SecretStore, Slot};
use crate::{money, order_no};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// An order that went unanswered is given up as failed only when the gateway
/// says it has no such order and this long has passed since it was sent.
pub const NOT_FOUND_GRACE_MS: i64 = 10 * 60 * 1000;

/// Test hook: `PAYDESK_NOT_FOUND_GRACE_MS` overrides `NOT_FOUND_GRACE_MS`, so
/// crash and fault tests can see an order that never reached the gateway
/// settle to `failed` without waiting ten minutes. Unset in normal use.
pub fn not_found_grace_ms() -> i64 {
    std::env::var("PAYDESK_NOT_FOUND_GRACE_MS")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .unwrap_or(NOT_FOUND_GRACE_MS)
}

/// Where `create_order` can be told to stop for a crash test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PausePoint {
    /// The order row is stored (`unknown`), the request is not sent yet.
    BeforeSend,
    /// The gateway has replied; its answer is not stored yet.
    AfterReply,
}

/// Test hook for the crash-safety suite: with `PAYDESK_TEST_PAUSE_AT` set to
/// `before_send` or `after_reply`, `create_order` sleeps for 60 s at that point
/// (see `PausePoint`) so a test can `kill -9` the process there and check what
/// a restart finds. Unset (always, outside tests) it does nothing.
async fn test_pause(at: PausePoint) {
    let wanted = match std::env::var("PAYDESK_TEST_PAUSE_AT") {
        Ok(v) => v,
        Err(_) => return,
    };
    let here = match at {
        PausePoint::BeforeSend => "before_send",
        PausePoint::AfterReply => "after_reply",
    };
    if wanted.trim() == here {
        tracing::warn!(point = here, "PAYDESK_TEST_PAUSE_AT: pausing 60 s");
        // A marker on stderr tells the test the process got here.
        eprintln!("PAYDESK_TEST_PAUSED {here}");
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

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

/// Settings of a profile as a person enters them (secrets separately).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileInput {
    pub name: String,
    pub provider: Option<ProviderKind>,
    pub base_url: String,
    pub merchant_id: String,
    pub app_id: Option<String>,
    pub operator_id: Option<String>,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
    pub low_balance_fen: Option<i64>,
    #[serde(default)]
    pub sandbox: bool,
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

/// A profile's keys as read from the keyring, tagged with the profile's `updated_at`.
type CachedKeys = (i64, Secret, Option<Secret>);

pub struct PayDesk {
    pub store: Store,
    vault: Arc<dyn SecretStore>,
    http: HttpClient,
    os_user: String,
    /// `NOT_FOUND_GRACE_MS` unless a test changed it (see `not_found_grace_ms`).
    not_found_grace_ms: i64,
    /// Keys read from the keyring, kept in this process's memory only, per
    /// profile id and the profile's `updated_at`: a key changed elsewhere (the
    /// CLI, another window) bumps `updated_at` and is read afresh. A keyring
    /// read costs a D-Bus round trip; a clerk's every order should not.
    key_cache: std::sync::Mutex<std::collections::HashMap<String, CachedKeys>>,
}

fn config_of(p: &Profile) -> GatewayConfig {
    GatewayConfig {
        base_url: p.base_url.clone(),
        merchant_id: p.merchant_id.clone(),
        app_id: p.app_id.clone(),
        operator_id: p.operator_id.clone(),
        notify_url: p.notify_url.clone(),
        return_url: p.return_url.clone(),
    }
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

pub fn check_base_url(url: &str) -> Result<(), FieldError> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| {
        FieldError::new(
            "base_url",
            tr!("网关地址无效：{}", "invalid gateway URL: {}", url),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(FieldError::new(
            "base_url",
            tr!(
                "网关地址必须以 http:// 或 https:// 开头",
                "the gateway URL must start with http:// or https://"
            ),
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(FieldError::new(
            "base_url",
            tr!(
                "网关地址不能包含 ? 或 #",
                "the gateway URL cannot contain ? or #"
            ),
        ));
    }
    Ok(())
}

fn check_optional_url(field: &str, url: &Option<String>) -> Result<(), FieldError> {
    if let Some(u) = url.as_deref().filter(|u| !u.trim().is_empty()) {
        let parsed = url::Url::parse(u.trim())
            .map_err(|_| FieldError::new(field, tr!("地址无效：{}", "invalid URL: {}", u)))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FieldError::new(
                field,
                tr!(
                    "地址必须以 http:// 或 https:// 开头",
                    "the URL must start with http:// or https://"
                ),
            ));
        }
    }
    Ok(())
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl PayDesk {
    pub async fn open(data_dir: &Path, vault: Arc<dyn SecretStore>) -> CoreResult<PayDesk> {
        Self::open_with(data_dir, vault, HttpOptions::default()).await
    }

    pub async fn open_with(
        data_dir: &Path,
        vault: Arc<dyn SecretStore>,
        http: HttpOptions,
    ) -> CoreResult<PayDesk> {
        let store = Store::open(data_dir).await?;
        let os_user = whoami::username();
        Ok(PayDesk {
            store,
            vault,
            http: HttpClient::new(http),
            os_user,
            not_found_grace_ms: not_found_grace_ms(),
            key_cache: Default::default(),
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
            CoreError::Gateway(GatewayError::not_offered(provider, op))
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

    // ------------------------------------------------------------- profiles

    fn validate_profile(input: &ProfileInput) -> Result<(), FieldError> {
        if input.name.trim().is_empty() {
            return Err(FieldError::new(
                "name",
                tr!("请填写商户配置名称", "enter a profile name"),
            ));
        }
        if input.name.chars().count() > 64 || input.name.chars().any(|c| c.is_control()) {
            return Err(FieldError::new(
                "name",
                tr!(
                    "名称最长 64 个字符，且不能含控制字符",
                    "the name can be at most 64 characters, without control characters"
                ),
            ));
        }
        check_base_url(&input.base_url)?;
        if input.merchant_id.trim().is_empty() {
            return Err(FieldError::new(
                "merchant_id",
                tr!("请填写商户号", "enter the merchant id"),
            ));
        }
        check_optional_url("notify_url", &input.notify_url)?;
        check_optional_url("return_url", &input.return_url)?;
        if let Some(p) = input.provider {
            if matches!(p, ProviderKind::Jeepay | ProviderKind::Xxpay)
                && clean(&input.app_id).is_none()
            {
                return Err(FieldError::new(
                    "app_id",
                    tr!(
                        "{} 需要应用 ID (appId)",
                        "{} needs an app id (appId)",
                        p.display_name()
                    ),
                ));
            }
            if p == ProviderKind::Juyouke && clean(&input.operator_id).is_none() {
                return Err(FieldError::new(
                    "operator_id",
                    tr!(
                        "聚优客需要操作员编号 (operator_id)",
                        "juyouke needs an operator id (operator_id)"
                    ),
                ));
            }
        }
        if input.low_balance_fen.is_some_and(|v| v < 0) {
            return Err(FieldError::new(
                "low_balance_fen",
                tr!(
                    "余额提醒阈值不能为负",
                    "the low-balance threshold cannot be negative"
                ),
            ));
        }
        Ok(())
    }

    pub async fn add_profile(
        &self,
        input: ProfileInput,
        secret: Secret,
        reply_secret: Option<Secret>,
    ) -> CoreResult<ProfileView> {
        let provider = input
            .provider
            .ok_or_else(|| FieldError::new("provider", tr!("请选择网关", "choose a gateway")))?;
        Self::validate_profile(&input)?;
        if secret.expose().trim().is_empty() {
            return Err(
                FieldError::new("secret", tr!("请填写商户密钥", "enter the merchant key")).into(),
            );
        }
        let now = now_ms();
        let reply_secret = reply_secret.filter(|s| !s.expose().trim().is_empty());
        let profile = Profile {
            id: uuid::Uuid::new_v4().to_string(),
            name: input.name.trim().to_string(),
            provider,
            base_url: input.base_url.trim().to_string(),
            merchant_id: input.merchant_id.trim().to_string(),
            app_id: clean(&input.app_id),
            operator_id: clean(&input.operator_id),
            notify_url: clean(&input.notify_url),
            return_url: clean(&input.return_url),
            has_reply_secret: reply_secret.is_some(),
            sandbox: input.sandbox,
            low_balance_fen: input.low_balance_fen,
            created_at: now,
            updated_at: now,
        };
        // The keyring first: a profile row without its secret would be useless,
        // while a stray keyring entry under a fresh uuid harms nothing.
        self.vault.set(
            &profile.id,
            Slot::Secret,
            &Secret::new(secret.expose().trim()),
        )?;
        if let Some(r) = &reply_secret {
            self.vault.set(
                &profile.id,
                Slot::ReplySecret,
                &Secret::new(r.expose().trim()),
            )?;
        }
        if let Err(e) = self.store.insert_profile(&profile).await {
            let _ = self.vault.delete(&profile.id, Slot::Secret);
            let _ = self.vault.delete(&profile.id, Slot::ReplySecret);
            return Err(e);
        }
        self.store
            .audit(
                &self.os_user,
                "profile.add",
                Some(&profile.name),
                Some(provider.as_str()),
            )
            .await?;
        self.view(profile)
    }

    /// Change settings; `secret` / `reply_secret` replace the stored ones when given
    /// (write-only: they are never read back to the caller).
    pub async fn update_profile(
        &self,
        name_or_id: &str,
        input: ProfileInput,
        secret: Option<Secret>,
        reply_secret: Option<Secret>,
    ) -> CoreResult<ProfileView> {
        let mut p = self.store.profile(name_or_id).await?;
        let input = ProfileInput {
            provider: Some(p.provider),
            ..input
        };
        Self::validate_profile(&input)?;
        p.name = input.name.trim().to_string();
        p.base_url = input.base_url.trim().to_string();
        p.merchant_id = input.merchant_id.trim().to_string();
        p.app_id = clean(&input.app_id);
        p.operator_id = clean(&input.operator_id);
        p.notify_url = clean(&input.notify_url);
        p.return_url = clean(&input.return_url);
        p.low_balance_fen = input.low_balance_fen;
        p.updated_at = now_ms();
        if let Some(s) = secret.filter(|s| !s.expose().trim().is_empty()) {
            self.vault
                .set(&p.id, Slot::Secret, &Secret::new(s.expose().trim()))?;
        }
        if let Some(r) = reply_secret.filter(|s| !s.expose().trim().is_empty()) {
            self.vault
                .set(&p.id, Slot::ReplySecret, &Secret::new(r.expose().trim()))?;
            p.has_reply_secret = true;
        }
        self.store.update_profile(&p).await?;
        self.store
            .audit(&self.os_user, "profile.update", Some(&p.name), None)
            .await?;
        self.view(p)
    }

    pub async fn set_low_balance(
        &self,
        name_or_id: &str,
        low_balance_fen: Option<i64>,
    ) -> CoreResult<ProfileView> {
        let mut p = self.store.profile(name_or_id).await?;
        p.low_balance_fen = low_balance_fen;
        p.updated_at = now_ms();
        self.store.update_profile(&p).await?;
        self.view(p)
    }

    fn view(&self, profile: Profile) -> CoreResult<ProfileView> {
        // A profile row exists only once its key is in the keyring (add_profile
        // writes the keyring first), so listing profiles never pays a keyring
        // round trip per row. A key removed behind our back is reported when
        // it is needed, by `secrets()`, with what to do.
        let secret_saved = true;
        let capabilities = providers::gateway(profile.provider).capabilities();
        let warning = profile.base_url.trim().to_ascii_lowercase().starts_with("http://").then(|| {
            tr!(
                "该网关地址使用未加密的 http://，请求内容（不含密钥）可能被网络中的他人看到或篡改",
                "this gateway URL uses unencrypted http://: requests (not the key) can be read or altered on the network"
            )
        });
        Ok(ProfileView {
            profile,
            secret_saved,
            capabilities,
            warning,
        })
    }

    pub async fn profiles(&self) -> CoreResult<Vec<ProfileView>> {
        let list = self.store.profiles().await?;
        list.into_iter().map(|p| self.view(p)).collect()
    }

    pub async fn profile(&self, name_or_id: &str) -> CoreResult<ProfileView> {
        let p = self.store.profile(name_or_id).await?;
        self.view(p)
    }

    /// Removes the profile and its keyring entries; its orders stay in history.
    pub async fn remove_profile(&self, name_or_id: &str) -> CoreResult<()> {
        let p = self.store.profile(name_or_id).await?;
        self.vault.delete(&p.id, Slot::Secret)?;
        self.vault.delete(&p.id, Slot::ReplySecret)?;
        self.key_cache.lock().expect("key cache").remove(&p.id);
        self.store.remove_profile(&p.id, now_ms()).await?;
        self.store
            .audit(&self.os_user, "profile.remove", Some(&p.name), None)
            .await?;
        Ok(())
    }

    pub(crate) fn secrets(&self, p: &Profile) -> CoreResult<(Secret, Option<Secret>)> {
        if let Some((at, s, r)) = self.key_cache.lock().expect("key cache").get(&p.id) {
            if *at == p.updated_at {
                return Ok((s.clone(), r.clone()));
            }
        }
        let secret = self.vault.get(&p.id, Slot::Secret)?.ok_or_else(|| {
            CoreError::Secret(tr!(
                "商户配置“{}”没有保存密钥，请在商户配置中重新填写密钥",
                "profile “{}” has no saved key; enter the key again in its settings",
                p.name
            ))
        })?;
        let reply = if p.has_reply_secret {
            self.vault.get(&p.id, Slot::ReplySecret)?
        } else {
            None
        };
        self.key_cache
            .lock()
            .expect("key cache")
            .insert(p.id.clone(), (p.updated_at, secret.clone(), reply.clone()));
        Ok((secret, reply))
    }

    /// A signed call that proves the credentials: the balance where offered,
    /// else a query for an order that does not exist.
    pub async fn test_profile(&self, name_or_id: &str) -> CoreResult<TestResult> {
        let p = self.store.profile(name_or_id).await?;
        let (secret, reply) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply.as_ref());
        let gw = providers::gateway(p.provider);
        let caps = gw.capabilities();
        let result = if caps.balance {
            gw.balance(&call).await.map(|b| {
                tr!(
                    "连接正常，余额 {}",
                    "connection OK, balance {}",
                    money::format_cny(b.balance_fen)
                )
            })
        } else {
            let kind = if caps.payout_query {
                OrderKind::Payout
            } else {
                OrderKind::Deposit
            };
            let probe = OrderParams {
                kind,
                order_no: format!("PDTEST{}", now_ms()),
                amount_fen: 100,
                values: BTreeMap::new(),
                provider_order_id: None,
                created_at_ms: now_ms(),
            };
            match gw.query(&call, &probe).await {
                Ok(_) | Err(GatewayError::OrderNotFound { .. }) => Ok(tr!(
                    "连接正常，签名已被网关接受",
                    "connection OK, the gateway accepted the signature"
                )),
                Err(e) => Err(e),
            }
        };
        let out = match result {
            Ok(message) => TestResult { ok: true, message },
            Err(e) => TestResult {
                ok: false,
                message: e.to_string(),
            },
        };
        self.store
            .audit(
                &self.os_user,
                "profile.test",
                Some(&p.name),
                Some(if out.ok { "ok" } else { "failed" }),
            )
            .await?;
        Ok(out)
    }

    // --------------------------------------------------------------- orders

    /// Validate an order without storing or sending anything (the confirm step).
    pub async fn prepare_order(
        &self,
        profile: &str,
        kind: OrderKind,
        input: &OrderInput,
    ) -> CoreResult<OrderPreview> {
        let p = self.store.profile(profile).await?;
        let (form, params) = self.validate_order(&p, kind, input).await?;
        Ok(OrderPreview {
            profile: p.name,
            provider: p.provider,
            kind,
            order_no: params.order_no,
            amount_fen: params.amount_fen,
            amount_text: money::format_cny(params.amount_fen),
            amount_capital: money::to_chinese_capital(params.amount_fen),
            values: params.values,
            form,
        })
    }

    async fn validate_order(
        &self,
        p: &Profile,
        kind: OrderKind,
        input: &OrderInput,
    ) -> CoreResult<(FormSpec, OrderParams)> {
        let form = Self::form(p.provider, kind)?;
        let (amount_fen, values) = form.validate(input)?;
        let max_len = form.order_no.max_len.min(order_no::MAX_LEN);
        let now = now_ms();
        let order_no = match input
            .order_no
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(typed) => order_no::check("order_no", typed, max_len)?,
            None => order_no::generate(kind, now),
        };
        if let Some(daily) = form.amount.daily_max_fen {
            let (from, to) = shanghai_day(now);
            let used = self.store.sum_amount(&p.id, kind, from, to).await?;
            if used + amount_fen > daily {
                return Err(FieldError::new(
                    "amount",
                    tr!(
                        "超过该网关每日上限 {}：今日已提交 {}",
                        "over this gateway's daily limit of {}: {} already sent today",
                        money::format_cny(daily),
                        money::format_cny(used)
                    ),
                )
                .into());
            }
        }
        let params = OrderParams {
            kind,
            order_no,
            amount_fen,
            values,
            provider_order_id: None,
            created_at_ms: now,
        };
        providers::gateway(p.provider).check(&params)?;
        Ok((form, params))
    }

    /// Create an order: validate, store (status `unknown`), send once, store the
    /// answer. The order is returned whatever happened; `error` says what went wrong.
    pub async fn create_order(
        &self,
        profile: &str,
        kind: OrderKind,
        input: &OrderInput,
    ) -> CoreResult<OrderOutcome> {
        let p = self.store.profile(profile).await?;
        let (_form, mut params) = self.validate_order(&p, kind, input).await?;
        let (secret, reply_secret) = self.secrets(&p)?;
        let generated = input
            .order_no
            .as_deref()
            .is_none_or(|s| s.trim().is_empty());
        let mut attempt = 0;
        let id = loop {
            let row = NewOrder {
                profile_id: p.id.clone(),
                order_no: params.order_no.clone(),
                kind,
                amount_fen: params.amount_fen,
                fields: params.values.clone(),
                status: OrderStatus::Unknown,
                message: Some(tr!("正在提交到网关", "being sent to the gateway")),
                created_by: self.os_user.clone(),
                created_at: params.created_at_ms,
            };
            // The audit entry joins the order's transaction: neither without
            // the other, and one commit less per create.
            let detail = format!("{} {}", p.name, money::fen_to_yuan_2dp(params.amount_fen));
            match self
                .store
                .insert_order_audited(
                    &row,
                    &self.os_user,
                    &format!("{}.create", kind.as_str()),
                    Some(&detail),
                )
                .await
            {
                Ok(id) => break id,
                // A generated number collided (astronomically rare): draw another.
                Err(CoreError::Conflict(_)) if generated && attempt < 3 => {
                    attempt += 1;
                    params.order_no = order_no::generate(kind, now_ms());
                }
                Err(e) => return Err(e),
            }
        };
        test_pause(PausePoint::BeforeSend).await;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply_secret.as_ref());
        let gw = providers::gateway(p.provider);
        let result = match kind {
            OrderKind::Payout => gw.create_payout(&call, &params).await,
            OrderKind::Deposit => gw.create_deposit(&call, &params).await,
        };
        let result = result.and_then(|r| check_reply(&params, r));
        let exchanges = call.journal.take();
        test_pause(PausePoint::AfterReply).await;
        let (update, error) = match result {
            Ok(reply) => (update_from_reply(reply, None), None),
            Err(e) => {
                let status = match e.delivery() {
                    Delivery::NotDelivered => OrderStatus::Failed,
                    Delivery::MaybeDelivered => OrderStatus::Unknown,
                };
                let (ps, pm) = match &e {
                    GatewayError::Rejected { code, message } => {
                        (inert(Some(code.clone())), inert(Some(message.clone())))
                    }
                    _ => (None, None),
                };
                (
                    OrderUpdate {
                        status: Some(status),
                        provider_status: ps,
                        provider_message: pm,
                        message: Some(inert_text(&e.to_string())),
                        ..Default::default()
                    },
                    Some(ErrorInfo::from(&e)),
                )
            }
        };
        let order = self
            .store
            .update_order(
                id,
                "create",
                &update,
                error.as_ref().map(|e| e.code.as_str()),
                &exchanges,
                now_ms(),
            )
            .await?;
        Ok(OrderOutcome { order, error })
    }

    /// Ask the gateway for an order's live status and store what it says.
    pub async fn refresh_order(&self, order_id: i64) -> CoreResult<OrderOutcome> {
        let order = self.store.order(order_id).await?;
        let p = self.store.profile(&order.profile_id).await?;
        let (secret, reply_secret) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply_secret.as_ref());
        let params = params_of(&order);
        let result = providers::gateway(p.provider)
            .query(&call, &params)
            .await
            .and_then(|r| check_reply(&params, r));
        let exchanges = call.journal.take();
        let now = now_ms();
        let (update, error) = match result {
            Ok(reply) => {
                let new_status = reply.status;
                let mut u = update_from_reply(reply, Some(order.status));
                if order.status.is_final() && !new_status.is_final() {
                    // A final status is never undone by a later, vaguer answer.
                    u.status = None;
                }
                (u, None)
            }
            Err(e) => {
                let mut u = OrderUpdate {
                    message: Some(inert_text(&e.to_string())),
                    ..Default::default()
                };
                if let GatewayError::OrderNotFound { code, message } = &e {
                    u.provider_status = inert(Some(code.clone()));
                    u.provider_message = inert(Some(message.clone()));
                    if order.status == OrderStatus::Unknown
                        && now - order.created_at > self.not_found_grace_ms
                    {
                        u.status = Some(OrderStatus::Failed);
                        u.message = Some(tr!("网关没有此订单（提交后超过 10 分钟），视为未到达网关", "the gateway has no such order more than 10 minutes after sending: it never arrived"));
                    }
                }
                (u, Some(ErrorInfo::from(&e)))
            }
        };
        let order = self
            .store
            .update_order(
                order.id,
                "query",
                &update,
                error.as_ref().map(|e| e.code.as_str()),
                &exchanges,
                now,
            )
            .await?;
        Ok(OrderOutcome { order, error })
    }

    /// Re-query every order that is not final.
    pub async fn refresh_open(&self) -> CoreResult<Vec<OrderOutcome>> {
        let open = self.store.open_orders().await?;
        let mut out = Vec::with_capacity(open.len());
        for o in open {
            match self.refresh_order(o.id).await {
                Ok(r) => out.push(r),
                Err(e) => out.push(OrderOutcome {
                    order: o,
                    error: Some(ErrorInfo {
                        code: e.code().as_str().into(),
                        message: e.to_string(),
                        field: None,
                    }),
                }),
            }
        }
        Ok(out)
    }

    /// Orders with this merchant order number or gateway order id, across all
    /// profiles or one.
    pub async fn find_orders(&self, no: &str, profile: Option<&str>) -> CoreResult<Vec<Order>> {
        let pid = match profile {
            Some(name) => Some(self.store.profile(name).await?.id),
            None => None,
        };
        self.store.find_orders(no, pid.as_deref()).await
    }

    /// As-you-type look-up across all profiles: exact merchant or gateway order
    /// numbers first, then order numbers, gateway ids and payee names that start
    /// with the query.
    pub async fn search_orders(&self, query: &str, limit: u32) -> CoreResult<Vec<Order>> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = self.store.find_orders(q, None).await?;
        let filter = OrderFilter {
            search: Some(q.to_string()),
            limit: Some(limit),
            ..Default::default()
        };
        for o in self.store.list_orders(&filter).await?.orders {
            if !out.iter().any(|x| x.id == o.id) {
                out.push(o);
            }
        }
        out.truncate(limit as usize);
        Ok(out)
    }

    pub async fn list_orders(&self, filter: &OrderFilter) -> CoreResult<OrderPage> {
        self.store.list_orders(filter).await
    }

    pub async fn order(&self, id: i64) -> CoreResult<Order> {
        self.store.order(id).await
    }

    pub async fn order_events(&self, id: i64) -> CoreResult<Vec<OrderEvent>> {
        self.store.order_events(id).await
    }

    /// Ask the gateway about an order that is not in the local history, and
    /// store what it learns (as an imported order).
    pub async fn lookup_remote(
        &self,
        profile: &str,
        kind: OrderKind,
        order_no: &str,
        amount: &str,
        values: BTreeMap<String, String>,
    ) -> CoreResult<OrderOutcome> {
        let p = self.store.profile(profile).await?;
        let order_no = order_no::check("order_no", order_no, 64)?;
        let amount_fen = if amount.trim().is_empty() {
            0
        } else {
            money::parse_yuan("amount", amount)?
        };
        let gw = providers::gateway(p.provider);
        for f in gw.lookup_fields(kind) {
            if f.required && values.get(&f.id).is_none_or(|v| v.trim().is_empty()) {
                return Err(FieldError::new(
                    &f.id,
                    tr!("查询需要{}", "the query needs {}", f.label()),
                )
                .into());
            }
        }
        let (secret, reply_secret) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply_secret.as_ref());
        let params = OrderParams {
            kind,
            order_no: order_no.clone(),
            amount_fen,
            values: values.clone(),
            provider_order_id: None,
            created_at_ms: now_ms(),
        };
        let result = gw.query(&call, &params).await;
        let exchanges = call.journal.take();
        let reply = match result {
            Ok(r) => r,
            Err(e) => return Err(e.into()),
        };
        if reply.order_no.as_deref().is_some_and(|n| n != order_no) {
            return Err(GatewayError::Mismatch(tr!(
                "应答中的订单号不同",
                "the reply names another order number"
            ))
            .into());
        }
        let amount_fen = reply.amount_fen.filter(|a| *a > 0).unwrap_or(amount_fen);
        if amount_fen <= 0 {
            return Err(FieldError::new(
                "amount",
                tr!(
                    "网关未返回金额，请填写订单金额",
                    "the gateway did not return the amount; enter it"
                ),
            )
            .into());
        }
        let row = NewOrder {
            profile_id: p.id.clone(),
            order_no: order_no.clone(),
            kind,
            amount_fen,
            fields: values,
            status: OrderStatus::Unknown,
            message: Some(tr!("从网关查询导入", "imported from a gateway query")),
            created_by: self.os_user.clone(),
            created_at: now_ms(),
        };
        let id = self.store.insert_order(&row).await?;
        self.store
            .audit(
                &self.os_user,
                "order.import",
                Some(&order_no),
                Some(&p.name),
            )
            .await?;
        let order = self
            .store
            .update_order(
                id,
                "query",
                &update_from_reply(reply, None),
                None,
                &exchanges,
                now_ms(),
            )
            .await?;
        Ok(OrderOutcome { order, error: None })
    }

    // ------------------------------------------------------------- balances

    pub async fn balance(&self, profile: &str) -> CoreResult<BalanceView> {
        let p = self.store.profile(profile).await?;
        Ok(self.balance_of(&p).await)
    }

    pub async fn balances(&self) -> CoreResult<Vec<BalanceView>> {
        let profiles = self.store.profiles().await?;
        let futs = profiles.iter().map(|p| self.balance_of(p));
        Ok(futures_util::future::join_all(futs).await)
    }

    async fn balance_of(&self, p: &Profile) -> BalanceView {
        let gw = providers::gateway(p.provider);
        let mut view = BalanceView {
            profile: p.name.clone(),
            profile_id: p.id.clone(),
            provider: p.provider,
            sandbox: p.sandbox,
            supported: gw.capabilities().balance,
            balance_fen: None,
            details: BTreeMap::new(),
            at: None,
            low_balance_fen: p.low_balance_fen,
            low: false,
            error: None,
        };
        if !view.supported {
            let e = GatewayError::not_offered(p.provider, crate::gateway::Operation::Balance);
            view.error = Some(ErrorInfo::from(&e));
            return view;
        }
        let secrets = match self.secrets(p) {
            Ok(s) => s,
            Err(e) => {
                view.error = Some(ErrorInfo {
                    code: e.code().as_str().into(),
                    message: e.to_string(),
                    field: None,
                });
                return view;
            }
        };
        let cfg = config_of(p);
        let call = Call::new(&self.http, &cfg, &secrets.0, secrets.1.as_ref());
        match gw.balance(&call).await {
            Ok(b) => {
                let at = now_ms();
                let reading = BalanceReading {
                    profile_id: p.id.clone(),
                    at,
                    balance_fen: b.balance_fen,
                    details: b.details.clone(),
                };
                if let Err(e) = self.store.insert_balance(&reading).await {
                    tracing::warn!(error = %e, "could not store a balance reading");
                }
                view.balance_fen = Some(b.balance_fen);
                view.details = b.details;
                view.at = Some(at);
                view.low = p.low_balance_fen.is_some_and(|t| b.balance_fen < t);
            }
            Err(e) => view.error = Some(ErrorInfo::from(&e)),
        }
        view
    }

    pub async fn balance_history(
        &self,
        profile: &str,
        limit: u32,
    ) -> CoreResult<Vec<BalanceReading>> {
        let p = self.store.profile(profile).await?;
        self.store.balance_history(&p.id, limit).await
    }

    pub async fn arrivals(
        &self,
        profile: &str,
        start: Option<i64>,
        end: Option<i64>,
    ) -> CoreResult<Vec<Arrival>> {
        let p = self.store.profile(profile).await?;
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                return Err(FieldError::new(
                    "start",
                    tr!(
                        "开始时间不能晚于结束时间",
                        "the start cannot be after the end"
                    ),
                )
                .into());
            }
        }
        let (secret, reply) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply.as_ref());
        Ok(providers::gateway(p.provider)
            .arrivals(&call, start, end)
            .await?)
    }

    pub fn gateway(provider: ProviderKind) -> &'static dyn Gateway {
        providers::gateway(provider)
    }
}

/// A reply that names another order or another amount is not about this order:
/// it is never trusted.
fn check_reply(params: &OrderParams, reply: Reply) -> Result<Reply, GatewayError> {
    if let Some(no) = &reply.order_no {
        if no != &params.order_no {
            return Err(GatewayError::Mismatch(tr!(
                "应答订单号为 {}，本单为 {}",
                "the reply names order {}, this order is {}",
                no,
                params.order_no
            )));
        }
    }
    if let Some(a) = reply.amount_fen {
        if params.amount_fen > 0 && a != params.amount_fen {
            return Err(GatewayError::Mismatch(tr!(
                "应答金额为 {}，本单为 {}",
                "the reply names amount {}, this order is {}",
                money::format_cny(a),
                money::format_cny(params.amount_fen)
            )));
        }
    }
    Ok(reply)
}

fn update_from_reply(reply: Reply, _previous: Option<OrderStatus>) -> OrderUpdate {
    // `message` is PayDesk's own note (errors, what to do); a trusted answer
    // clears it. The gateway's words stay in `provider_message`.
    let message = None;
    OrderUpdate {
        status: Some(reply.status),
        provider_status: inert(reply.provider_status),
        provider_message: inert(reply.provider_message),
        provider_order_id: reply.provider_order_id,
        pay_url: reply.pay_url,
        card: reply.card,
        extra: if reply.extra.is_empty() {
            None
        } else {
            Some(reply.extra)
        },
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_day_bounds() {
        // 2024-01-01 00:30 +08:00 is 2023-12-31 16:30 UTC.
        let ms = 1_704_040_200_000;
        let (s, e) = shanghai_day(ms);
        assert_eq!(s, 1_704_038_400_000);
        assert_eq!(e - s, 86_400_000);
    }

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

    #[test]
    fn mismatched_replies_are_refused() {
        let p = OrderParams {
            kind: OrderKind::Payout,
            order_no: "A1".into(),
            amount_fen: 100,
            values: BTreeMap::new(),
            provider_order_id: None,
            created_at_ms: 0,
        };
        let mut r = Reply::new(OrderStatus::Succeeded);
        r.order_no = Some("A2".into());
        assert!(matches!(
            check_reply(&p, r.clone()),
            Err(GatewayError::Mismatch(_))
        ));
        r.order_no = Some("A1".into());
        r.amount_fen = Some(200);
        assert!(matches!(
            check_reply(&p, r.clone()),
            Err(GatewayError::Mismatch(_))
        ));
        r.amount_fen = Some(100);
        assert!(check_reply(&p, r).is_ok());
    }
}
