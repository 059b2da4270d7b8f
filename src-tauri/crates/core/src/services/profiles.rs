//! Merchant profiles: their settings (validated), their keys (in the keyring
//! only) and the signed call that proves them.

use super::{config_of, PayDesk, ProfileInput, ProfileView, TestResult};
use crate::domain::{OrderKind, ProviderKind};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::gateway::{Call, GatewayConfig, GatewayError, OrderParams};
use crate::money;
use crate::providers;
use crate::secret::Secret;
use crate::store::{now_ms, Profile};
use crate::tr;
use crate::vault::Slot;
use std::collections::BTreeMap;

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

/// Gateways that send their result to the merchant's notify URL and refuse an
/// order without one (PROVIDERS.md: appkey `callbackUrl`, xxpay `notifyUrl`,
/// juyouke `notify_url` are required and signed).
const NEEDS_NOTIFY_URL: [ProviderKind; 3] = [
    ProviderKind::Appkey,
    ProviderKind::Xxpay,
    ProviderKind::Juyouke,
];

/// What a gateway needs of a profile's settings, checked when the profile is
/// saved and again before an order is stored (for profiles saved before).
pub(super) fn check_gateway_settings(
    provider: ProviderKind,
    notify_url: &Option<String>,
) -> Result<(), FieldError> {
    if NEEDS_NOTIFY_URL.contains(&provider) && clean(notify_url).is_none() {
        return Err(FieldError::new(
            "notify_url",
            tr!(
                "{} 要求回调地址（notify URL）：请在商户配置中填写",
                "{} requires a notify URL: set it in the profile",
                provider.display_name()
            ),
        ));
    }
    Ok(())
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The settings as stored: trimmed, and an empty optional one is no setting.
fn cleaned(g: &GatewayConfig) -> GatewayConfig {
    GatewayConfig {
        base_url: g.base_url.trim().to_string(),
        merchant_id: g.merchant_id.trim().to_string(),
        app_id: clean(&g.app_id),
        operator_id: clean(&g.operator_id),
        notify_url: clean(&g.notify_url),
        return_url: clean(&g.return_url),
    }
}

impl PayDesk {
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
        let g = &input.gateway;
        check_base_url(&g.base_url)?;
        if g.merchant_id.trim().is_empty() {
            return Err(FieldError::new(
                "merchant_id",
                tr!("请填写商户号", "enter the merchant id"),
            ));
        }
        check_optional_url("notify_url", &g.notify_url)?;
        check_optional_url("return_url", &g.return_url)?;
        if let Some(p) = input.provider {
            if matches!(p, ProviderKind::Jeepay | ProviderKind::Xxpay) && clean(&g.app_id).is_none()
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
            check_gateway_settings(p, &g.notify_url)?;
            if p == ProviderKind::Juyouke && clean(&g.operator_id).is_none() {
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
        self.check_approval_threshold(input.approval_threshold_fen)?;
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
            gateway: cleaned(&input.gateway),
            has_reply_secret: reply_secret.is_some(),
            sandbox: input.sandbox,
            low_balance_fen: input.low_balance_fen,
            approval_threshold_fen: input.approval_threshold_fen,
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
        let threshold_before = p.approval_threshold_fen;
        if input.approval_threshold_fen != threshold_before {
            self.check_approval_threshold(input.approval_threshold_fen)?;
        }
        p.name = input.name.trim().to_string();
        p.gateway = cleaned(&input.gateway);
        p.low_balance_fen = input.low_balance_fen;
        p.approval_threshold_fen = input.approval_threshold_fen;
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
        self.forget_notify_profile(&p.id);
        // Who changed what a payout needs before it is sent, and from what.
        let detail = (threshold_before != p.approval_threshold_fen).then(|| {
            let yuan = |t: Option<i64>| t.map_or("none".into(), money::fen_to_yuan_2dp);
            format!(
                "approval_threshold {} -> {}",
                yuan(threshold_before),
                yuan(p.approval_threshold_fen)
            )
        });
        self.store
            .audit(
                &self.os_user,
                "profile.update",
                Some(&p.name),
                detail.as_deref(),
            )
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
        self.forget_notify_profile(&p.id);
        self.view(p)
    }

    pub(super) fn view(&self, profile: Profile) -> CoreResult<ProfileView> {
        // A single desk: a profile row exists only once its key is in the
        // keyring (add_profile writes the keyring first), so listing profiles
        // never pays a keyring round trip per row. A key removed behind our
        // back is reported when it is needed, by `secrets()`, with what to do.
        // Team mode: profiles are shared and keys stay on desks, so this
        // desk's keyring is asked; a keyring that cannot answer is not taken
        // for a missing key (sending reports what is wrong with it).
        let secret_saved =
            !self.store.team_mode() || !matches!(self.key_missing(&profile), Ok(true));
        let capabilities = providers::gateway(profile.provider).capabilities();
        let warning = profile.gateway.base_url.trim().to_ascii_lowercase().starts_with("http://").then(|| {
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
    /// Refused while the profile has open orders: without the profile they
    /// could never be asked about again.
    pub async fn remove_profile(&self, name_or_id: &str) -> CoreResult<()> {
        let p = self.store.profile(name_or_id).await?;
        let open = self
            .store
            .open_orders()
            .await?
            .iter()
            .filter(|o| o.profile_id == p.id)
            .count();
        if open > 0 {
            return Err(CoreError::Conflict(tr!(
                "商户配置“{}”还有 {} 笔未完成的订单，删除后将无法再向网关查询。请先查询到最终状态（order refresh），或修改配置（profile edit）而不是删除",
                "profile “{}” has {} open order(s) that could no longer be queried once it is removed. Refresh them until final (order refresh), or edit the profile (profile edit) instead of removing it",
                p.name,
                open
            )));
        }
        self.vault.delete(&p.id, Slot::Secret)?;
        self.vault.delete(&p.id, Slot::ReplySecret)?;
        self.key_cache.lock().expect("key cache").remove(&p.id);
        self.store.remove_profile(&p.id, now_ms()).await?;
        self.forget_notify_profile(&p.id);
        self.store
            .audit(&self.os_user, "profile.remove", Some(&p.name), None)
            .await?;
        Ok(())
    }

    /// True when this desk's keyring holds no signing key for the profile
    /// (an unreadable keyring is an error, not a missing key).
    pub(crate) fn key_missing(&self, p: &Profile) -> CoreResult<bool> {
        if self
            .key_cache
            .lock()
            .expect("key cache")
            .contains_key(&p.id)
        {
            return Ok(false);
        }
        Ok(self.vault.get(&p.id, Slot::Secret)?.is_none())
    }

    pub(crate) fn secrets(&self, p: &Profile) -> CoreResult<(Secret, Option<Secret>)> {
        if let Some((at, s, r)) = self.key_cache.lock().expect("key cache").get(&p.id) {
            if *at == p.updated_at {
                return Ok((s.clone(), r.clone()));
            }
        }
        let secret = self.vault.get(&p.id, Slot::Secret)?.ok_or_else(|| {
            // Team mode: keys stay on desks, so another desk may hold it.
            CoreError::Secret(if self.store.team_mode() {
                tr!(
                    "此电脑的密钥环中没有商户配置“{}”的密钥，无法从这里发送；未发送、未改动任何内容。请在持有该密钥的电脑上操作，或在此电脑的商户配置中填写密钥",
                    "this desk's keyring holds no key for profile “{}”, so nothing can be sent from here; nothing was sent or changed. Do it on a desk that holds the key, or enter the key in the profile's settings on this desk",
                    p.name
                )
            } else {
                tr!(
                    "商户配置“{}”没有保存密钥，请在商户配置中重新填写密钥",
                    "profile “{}” has no saved key; enter the key again in its settings",
                    p.name
                )
            })
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
}
