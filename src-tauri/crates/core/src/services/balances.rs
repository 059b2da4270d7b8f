//! Balances: read live from each gateway, kept as readings for the history.

use super::{config_of, BalanceView, ErrorInfo, PayDesk};
use crate::error::CoreResult;
use crate::gateway::{Call, GatewayError, Operation};
use crate::providers;
use crate::store::{now_ms, BalanceReading, Profile};
use std::collections::BTreeMap;

impl PayDesk {
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
            let e = GatewayError::not_offered(p.provider, Operation::Balance);
            view.error = Some(ErrorInfo::from(&e));
            return view;
        }
        let secrets = match self.secrets(p) {
            Ok(s) => s,
            Err(e) => {
                view.error = Some(ErrorInfo::from(&e));
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
}
