//! The gateways' asynchronous callbacks: verify (the gateway module's
//! `parse_notify`), match against the stored order, decide (`services::outcome::callback`), commit,
//! and only then answer with the gateway's exact acknowledgement. Anything that
//! does not verify or match changes nothing, is not acknowledged, and goes to
//! the audit log with the reason. `server` is the HTTP listener.

pub mod server;

use crate::gateway::{GatewayError, InboundNotify};
use crate::http::Exchange;
use crate::providers;
use crate::secret::mask_secrets;
use crate::services::notes::Note;
use crate::services::outcome::callback::{self as decide, CallbackDecision, Ids};
use crate::services::{inert_text, PayDesk};
use crate::store::{now_ms, Order, OrderUpdate, OrderWrite};

/// What the listener answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyAnswer {
    pub status: u16,
    /// The gateway's exact acknowledgement, or a short fixed text (never
    /// anything taken from the request).
    pub body: &'static str,
    /// Whether this answer acknowledges the callback.
    pub acknowledged: bool,
    /// The order (id) this callback moved to a final state, so the
    /// listener's owner can alert and refresh its screens.
    pub settled: Option<i64>,
}

impl NotifyAnswer {
    fn ack(body: &'static str) -> Self {
        NotifyAnswer {
            status: 200,
            body,
            acknowledged: true,
            settled: None,
        }
    }
    fn refuse(status: u16, body: &'static str) -> Self {
        NotifyAnswer {
            status,
            body,
            acknowledged: false,
            settled: None,
        }
    }
}

/// The JSTpay receive check's refusal, as the audit log names it.
pub const UNKNOWN_RECEIVE_CHECK: &str = "收到未知代付核对请求";

/// How long the listener uses its copy of a profile (see `notify_profile`).
const PROFILE_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// The longest raw callback kept in an order's history.
const MAX_KEPT: usize = 16 * 1024;

impl PayDesk {
    /// Handle one callback that arrived at `/notify/<profile_id>` from `source`.
    pub async fn handle_notify(
        &self,
        profile_id: &str,
        req: &InboundNotify<'_>,
        source: &str,
    ) -> NotifyAnswer {
        match self.handle_notify_inner(profile_id, req, source).await {
            Ok(a) => a,
            Err(e) => {
                // Storage trouble: not acknowledged, so the gateway tries again.
                tracing::error!(error = %e, "callback not handled");
                NotifyAnswer::refuse(503, "try again later")
            }
        }
    }

    async fn handle_notify_inner(
        &self,
        profile_id: &str,
        req: &InboundNotify<'_>,
        source: &str,
    ) -> crate::error::CoreResult<NotifyAnswer> {
        let p = match self.notify_profile(profile_id).await {
            Some(p) => p,
            None => {
                self.refused(profile_id, None, "unknown profile", source)
                    .await?;
                return Ok(NotifyAnswer::refuse(404, "not found"));
            }
        };
        let (secret, reply) = self.secrets(&p)?;
        let gw = providers::gateway(p.provider);
        let n = match gw.parse_notify(
            &crate::services::config_of(&p),
            &secret,
            reply.as_ref(),
            req,
        ) {
            Ok(n) => n,
            Err(e) => {
                let (status, body, why) = match e {
                    GatewayError::BadSignature => (401, "bad signature", "bad signature"),
                    GatewayError::NotOffered { .. } => {
                        (404, "not found", "gateway sends no callbacks")
                    }
                    _ => (400, "malformed", "malformed callback"),
                };
                self.refused(&p.id, None, why, source).await?;
                return Ok(NotifyAnswer::refuse(status, body));
            }
        };
        // One callback at a time per order number: replays sent together
        // change it once; the order is read under the lock.
        let _one = notify_lock(&p.id, &n.order_no).await;
        let order = self
            .store
            .find_orders(&n.order_no, Some(&p.id))
            .await?
            .into_iter()
            .find(|o| o.order_no == n.order_no && o.kind == n.kind);
        let Some(order) = order else {
            if n.receive_check {
                self.refused(
                    &p.id,
                    Some(&n.order_no),
                    &format!("{UNKNOWN_RECEIVE_CHECK}: unknown order"),
                    source,
                )
                .await?;
                return Ok(NotifyAnswer::refuse(400, "unknown order"));
            }
            self.refused(&p.id, Some(&n.order_no), "unknown order", source)
                .await?;
            return Ok(NotifyAnswer::refuse(404, "unknown order"));
        };
        let ids = Ids {
            merchant_id: &p.gateway.merchant_id,
            app_id: p.gateway.app_id.as_deref(),
        };
        let ack = gw.notify_ack(&n);
        let raw = raw_text(
            profile_id,
            req,
            &[&secret, reply.as_ref().unwrap_or(&secret)],
        );

        if n.receive_check {
            return match decide::receive_check(&order, ids, &n) {
                Ok(()) => {
                    let note = Note::ReceiveCheckConfirmed;
                    self.record(&order, "notify.receive_check", note, &raw, ack)
                        .await?;
                    Ok(NotifyAnswer::ack(ack))
                }
                Err(why) => {
                    self.refused(
                        &p.id,
                        Some(&order.order_no),
                        &format!("{UNKNOWN_RECEIVE_CHECK}: {why}"),
                        source,
                    )
                    .await?;
                    Ok(NotifyAnswer::refuse(400, "order mismatch"))
                }
            };
        }
        match decide::on_callback(&order, ids, &n) {
            CallbackDecision::Refuse(why) => {
                self.refused(&p.id, Some(&order.order_no), &why, source)
                    .await?;
                Ok(NotifyAnswer::refuse(400, "order mismatch"))
            }
            CallbackDecision::Replay => Ok(NotifyAnswer::ack(ack)),
            CallbackDecision::Record(note) => {
                self.record(&order, "notify", note, &raw, ack).await?;
                Ok(NotifyAnswer::ack(ack))
            }
            CallbackDecision::Apply(status) => {
                let mut extra = order.extra.clone();
                if let Some(c) = n.credited_fen.filter(|c| *c != order.amount_fen) {
                    extra.insert("credited_fen".into(), c.to_string());
                }
                let u = OrderUpdate {
                    status: Some(status),
                    provider_status: n.provider_status.clone().map(|t| inert_text(&t)),
                    provider_message: n.provider_message.clone().map(|t| inert_text(&t)),
                    provider_order_id: n
                        .provider_order_id
                        .clone()
                        .filter(|_| order.provider_order_id.is_none()),
                    extra: Some(extra),
                    message: Some(Note::CallbackApplied { status }.stored()),
                    ..Default::default()
                };
                let after = self
                    .store
                    .write_order_update(
                        OrderWrite::new(order.id, "notify", &u, now_ms())
                            .exchanges(&[exchange(&raw, ack)]),
                    )
                    .await?;
                pause_after_commit().await;
                Ok(NotifyAnswer {
                    settled: (after == status && status.is_final()).then_some(order.id),
                    ..NotifyAnswer::ack(ack)
                })
            }
        }
    }

    /// A genuine callback that moves nothing: kept in the order's history,
    /// its note on the event only (the order keeps its own: see `update_order`).
    async fn record(
        &self,
        order: &Order,
        action: &str,
        note: Note,
        raw: &Raw,
        ack: &str,
    ) -> crate::error::CoreResult<()> {
        let u = OrderUpdate {
            message: Some(note.stored()),
            ..Default::default()
        };
        self.store
            .write_order_update(
                OrderWrite::new(order.id, action, &u, now_ms()).exchanges(&[exchange(raw, ack)]),
            )
            .await?;
        Ok(())
    }

    /// The profile a callback names, from a copy kept `PROFILE_TTL` (one read
    /// per profile and second instead of one per callback). An edit in this
    /// process drops the copy at once (`forget_notify_profile`); another
    /// process's edit is seen within `PROFILE_TTL`.
    async fn notify_profile(&self, id: &str) -> Option<crate::store::Profile> {
        if let Some((at, p)) = self.notify_profiles.lock().expect("profile cache").get(id) {
            if at.elapsed() < PROFILE_TTL {
                return Some(p.clone());
            }
        }
        match self.store.profile(id).await {
            Ok(p) if p.id == id => {
                self.notify_profiles
                    .lock()
                    .expect("profile cache")
                    .insert(p.id.clone(), (std::time::Instant::now(), p.clone()));
                Some(p)
            }
            _ => None,
        }
    }

    /// A profile was edited or removed: the listener reads it afresh.
    pub(crate) fn forget_notify_profile(&self, id: &str) {
        self.notify_profiles
            .lock()
            .expect("profile cache")
            .remove(id);
    }

    async fn refused(
        &self,
        profile_id: &str,
        order_no: Option<&str>,
        why: &str,
        source: &str,
    ) -> crate::error::CoreResult<()> {
        let target = match order_no {
            Some(no) => format!("{profile_id} {}", inert_text(no)),
            None => inert_text(profile_id),
        };
        self.store
            .audit(
                self.os_user(),
                "notify.refused",
                Some(&target),
                Some(&format!("{why} (from {source})")),
            )
            .await
    }
}

/// With `PAYDESK_TEST_PAUSE_AT=notify_after_commit` (the `test-hooks`
/// feature only), an applied callback waits 60 s between its durable commit
/// and its answer, so a test can `kill -9` the listener there and check that
/// the gateway's retry is acknowledged and changes nothing.
#[cfg(feature = "test-hooks")]
async fn pause_after_commit() {
    if std::env::var("PAYDESK_TEST_PAUSE_AT").is_ok_and(|v| v.trim() == "notify_after_commit") {
        tracing::warn!("PAYDESK_TEST_PAUSE_AT: pausing 60 s");
        // A marker on stderr tells the test the process got here.
        eprintln!("PAYDESK_TEST_PAUSED notify_after_commit");
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
async fn pause_after_commit() {}

/// A lock per (profile, order number), striped over 64 mutexes.
async fn notify_lock(profile_id: &str, order_no: &str) -> tokio::sync::MutexGuard<'static, ()> {
    use std::hash::{Hash, Hasher};
    static STRIPES: std::sync::OnceLock<Vec<tokio::sync::Mutex<()>>> = std::sync::OnceLock::new();
    let stripes = STRIPES.get_or_init(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (profile_id, order_no).hash(&mut h);
    stripes[(h.finish() % 64) as usize].lock().await
}

/// The raw callback as it will be kept: secrets masked, cut to `MAX_KEPT`.
struct Raw {
    method: String,
    url: String,
    text: String,
}

fn raw_text(profile_id: &str, req: &InboundNotify<'_>, secrets: &[&crate::Secret]) -> Raw {
    let body = String::from_utf8_lossy(req.body);
    let mut text: String = body.chars().take(MAX_KEPT).collect();
    if body.chars().nth(MAX_KEPT).is_some() {
        text.push('…');
    }
    let url = if req.query.is_empty() {
        format!("/notify/{profile_id}")
    } else {
        format!(
            "/notify/{profile_id}?{}",
            req.query.chars().take(MAX_KEPT).collect::<String>()
        )
    };
    Raw {
        method: req.method.to_string(),
        url: mask_secrets(&url, secrets),
        text: mask_secrets(&text, secrets),
    }
}

fn exchange(raw: &Raw, ack: &str) -> Exchange {
    Exchange {
        method: raw.method.clone(),
        url: raw.url.clone(),
        request: raw.text.clone(),
        http_status: Some(200),
        response: Some(ack.to_string()),
        error: None,
        elapsed_ms: 0,
    }
}

/// The notify URL of a profile behind a listener at `base` (`http://host:port`).
pub fn notify_url(base: &str, profile_id: &str) -> String {
    format!("{}/notify/{profile_id}", base.trim_end_matches('/'))
}
