//! The gateways' callbacks, sent by the simulator when an order settles: to
//! the notify URL the order carried, in its gateway's format and signed as
//! PROVIDERS.md says, retried on the documented schedule until the exact
//! acknowledgement comes back. Options scale the schedule (tests) and drop a
//! share of the callbacks (so sync alone has to settle them).

use crate::{credentials, SimOrder, SimState};
use md5::{Digest, Md5};
use paydesk_core::ProviderKind;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotifyOptions {
    /// Multiplies every retry delay (1.0: the documented seconds).
    pub time_scale: f64,
    /// Share of settled orders (0–100 %) whose callbacks are never sent.
    pub drop_percent: u8,
}

impl Default for NotifyOptions {
    fn default() -> Self {
        NotifyOptions {
            time_scale: 1.0,
            drop_percent: 0,
        }
    }
}

/// One attempt to deliver a callback.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub provider: ProviderKind,
    pub order_no: String,
    /// `receive` (JSTpay's receive check) or `settled` (the result).
    pub callback: &'static str,
    pub attempt: u32,
    pub http_status: Option<u16>,
    /// The answer was the gateway's exact acknowledgement.
    pub acknowledged: bool,
}

pub type Deliveries = Arc<Mutex<Vec<Delivery>>>;

/// Seconds from settling to each attempt: jeepay 0/30/60/90/120/150; xxpay
/// at once, then after 60/120/180/240/300; appkey retries on any other answer
/// (no schedule documented: the same as xxpay); juyouke and jstpay once.
pub fn schedule(p: ProviderKind) -> &'static [u64] {
    match p {
        ProviderKind::Jeepay => &[0, 30, 60, 90, 120, 150],
        ProviderKind::Xxpay | ProviderKind::Appkey => &[0, 60, 120, 180, 240, 300],
        ProviderKind::Juyouke | ProviderKind::Jstpay => &[0],
    }
}

/// The exact acknowledgement each gateway waits for.
pub fn ack(p: ProviderKind) -> &'static str {
    match p {
        ProviderKind::Jstpay => "1|OKAY",
        _ => "success",
    }
}

/// A callback ready to send.
#[derive(Debug, Clone)]
pub struct Callback {
    pub method: &'static str,
    pub url: String,
    pub content_type: Option<&'static str>,
    pub body: String,
}

fn md5_lower(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// Percent-encoding of a form value (UTF-8; unreserved bytes stay).
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn form(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn yuan_2dp(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn data_str(o: &SimOrder, k: &str) -> String {
    match o.data.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// The callback for an order that reached `o.state`, or `None` when the
/// gateway sends none (no notify URL, not final, or no callback defined).
pub fn build(o: &SimOrder) -> Option<Callback> {
    let ok = match o.state {
        SimState::Succeeded => true,
        SimState::Failed => false,
        _ => return None,
    };
    build_as(o, ok, if ok { "completed" } else { "reject" })
}

/// JSTpay's receive check of a payout it has just accepted.
pub fn build_receive_check(o: &SimOrder) -> Option<Callback> {
    (o.provider == ProviderKind::Jstpay && o.kind == "payout")
        .then(|| build_as(o, true, "receive"))
        .flatten()
}

/// `jst_action`: the JSTpay payout callback's `action`.
fn build_as(o: &SimOrder, ok: bool, jst_action: &'static str) -> Option<Callback> {
    let c = credentials(o.provider);
    let payout = o.kind == "payout";
    let post_form = |url: String, body: String| Callback {
        method: "POST",
        url,
        content_type: Some("application/x-www-form-urlencoded"),
        body,
    };
    let cb = match o.provider {
        ProviderKind::Jstpay => {
            let url = data_str(o, "callback_uri");
            // Every field signed as its text, sorted by name, `&hash_key=`.
            let mut f: Vec<(&str, serde_json::Value)> = if payout {
                let sent = |k: &str| {
                    serde_json::Value::String(
                        o.data
                            .get("sent")
                            .and_then(|s| s.get(k))
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .to_string(),
                    )
                };
                vec![
                    ("type", "pay".into()),
                    ("action", jst_action.into()),
                    ("merchant_ID", c.merchant_id.into()),
                    ("payee_name", sent("payee_name")),
                    ("payee_bank", sent("payee_bank")),
                    ("payee_branch", sent("payee_branch")),
                    ("payee_number", sent("payee_number")),
                    ("payee_amount", (o.amount_fen / 100).into()),
                    ("payee_province", sent("payee_province")),
                    ("payee_city", sent("payee_city")),
                    ("client_order_id", o.order_no.clone().into()),
                    ("order_id", o.gateway_id.clone().into()),
                ]
            } else if ok {
                vec![
                    ("type", "deposit".into()),
                    ("action", "completed".into()),
                    ("merchant_ID", c.merchant_id.into()),
                    ("payee_amount", yuan_2dp(o.amount_fen).into()),
                    ("client_order_id", o.order_no.clone().into()),
                    ("pay_mode", data_str(o, "pay_mode").into()),
                    ("order_id", o.gateway_id.clone().into()),
                ]
            } else {
                return None;
            };
            let mut sorted: Vec<(&str, String)> = f
                .iter()
                .map(|(k, v)| {
                    let t = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (*k, t)
                })
                .collect();
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let text: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let sig = md5_lower(&format!("{}&hash_key={}", text.join("&"), c.secret));
            f.push(("signature", sig.into()));
            let obj: serde_json::Map<String, serde_json::Value> =
                f.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            Callback {
                method: "POST",
                url,
                content_type: Some("application/json"),
                body: serde_json::Value::Object(obj).to_string(),
            }
        }
        ProviderKind::Jeepay => {
            let url = data_str(o, "notifyUrl");
            let mut f: Vec<(&str, String)> = vec![
                ("mchNo", c.merchant_id.into()),
                ("appId", c.app_id.unwrap_or_default().into()),
                ("mchOrderNo", o.order_no.clone()),
                ("transferId", o.gateway_id.clone()),
                ("amount", o.amount_fen.to_string()),
                ("currency", data_str(o, "currency")),
                ("ifCode", data_str(o, "ifCode")),
                ("entryType", data_str(o, "entryType")),
                ("state", if ok { "2" } else { "3" }.into()),
                ("accountNo", data_str(o, "accountNo")),
                ("accountName", data_str(o, "accountName")),
                ("bankName", data_str(o, "bankName")),
                ("transferDesc", data_str(o, "transferDesc")),
                ("extParam", data_str(o, "extParam")),
                ("reqTime", crate::util::now_ms().to_string()),
            ];
            let mut signed: Vec<String> = f
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={v}&"))
                .collect();
            signed.sort();
            let sign = md5_lower(&format!("{}key={}", signed.concat(), c.secret)).to_uppercase();
            f.push(("sign", sign));
            post_form(url, form(&f))
        }
        ProviderKind::Juyouke => {
            if payout {
                return None; // a withdrawal has no callback
            }
            let url = data_str(o, "notify_url");
            let rr: std::collections::BTreeMap<&str, String> = [
                ("result_code", "10000".to_string()),
                ("return_msg", "SUCCESS".into()),
                ("app_id", c.merchant_id.into()),
                ("out_trade_no", o.order_no.clone()),
                ("pay_date", (crate::util::now_ms() / 1000).to_string()),
                ("paytype", "1".into()),
                ("total_amount", o.amount_fen.to_string()),
                ("trade_no", o.gateway_id.clone()),
                (
                    "trade_status",
                    if ok { "TRADE_SUCCESS" } else { "TRADE_CLOSED" }.into(),
                ),
            ]
            .into_iter()
            .collect();
            let text = serde_json::to_string(&rr).unwrap_or_default();
            let sign = md5_lower(&format!("{}{}", text.to_lowercase(), c.secret));
            Callback {
                method: "POST",
                url,
                content_type: Some("application/json"),
                body: format!("{{\"result_response\":{text},\"sign\":\"{sign}\"}}"),
            }
        }
        ProviderKind::Appkey => {
            if !ok {
                return None; // sent only on success
            }
            let url = data_str(o, "callbackUrl");
            let amount = yuan_2dp(o.amount_fen);
            if payout {
                let sign = md5_lower(&format!(
                    "amount={amount}&appKey={}&mrn={}&key={}",
                    c.merchant_id, o.order_no, c.secret
                ));
                let f = [
                    ("amount", amount),
                    ("appKey", c.merchant_id.into()),
                    ("mrn", o.order_no.clone()),
                    ("sign", sign),
                ];
                post_form(url, form(&f))
            } else {
                let channel = data_str(o, "channelId");
                let sign = md5_lower(&format!(
                    "amount={amount}&appKey={}&channel={channel}&mrn={}&originAmount={amount}&key={}",
                    c.merchant_id, o.order_no, c.secret
                ));
                let f = [
                    ("amount", amount.clone()),
                    ("appKey", c.merchant_id.into()),
                    ("channel", channel),
                    ("mrn", o.order_no.clone()),
                    ("originAmount", amount),
                    ("sign", sign),
                ];
                post_form(url, form(&f))
            }
        }
        ProviderKind::Xxpay => {
            let url = data_str(o, "notifyUrl");
            let now = crate::util::now_ms().to_string();
            let mut f: Vec<(&str, String)> = if payout {
                vec![
                    ("transOrderId", o.gateway_id.clone()),
                    ("mchId", c.merchant_id.into()),
                    ("mchTransOrderNo", o.order_no.clone()),
                    ("amount", o.amount_fen.to_string()),
                    ("status", if ok { "2" } else { "3" }.into()),
                    ("channelOrderNo", format!("CH{}", o.gateway_id)),
                    ("param1", String::new()),
                    ("param2", String::new()),
                    ("transSuccTime", if ok { now } else { String::new() }),
                    ("backType", "2".into()),
                ]
            } else {
                vec![
                    ("payOrderId", o.gateway_id.clone()),
                    ("mchId", c.merchant_id.into()),
                    ("appId", c.app_id.unwrap_or_default().into()),
                    ("productId", data_str(o, "productId")),
                    ("mchOrderNo", o.order_no.clone()),
                    ("amount", o.amount_fen.to_string()),
                    ("status", if ok { "2" } else { "5" }.into()),
                    ("channelOrderNo", format!("CH{}", o.gateway_id)),
                    ("channelAttach", String::new()),
                    ("param1", data_str(o, "param1")),
                    ("param2", String::new()),
                    ("paySuccTime", if ok { now } else { String::new() }),
                    ("backType", "2".into()),
                ]
            };
            let mut signed: Vec<&(&str, String)> =
                f.iter().filter(|(_, v)| !v.is_empty()).collect();
            signed.sort_by(|a, b| a.0.cmp(b.0));
            let text: Vec<String> = signed.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let key = c.reply_secret.unwrap_or(c.secret);
            let sign = md5_lower(&format!("{}&key={key}", text.join("&"))).to_uppercase();
            f.push(("sign", sign));
            if payout {
                // Transfer notify: GET with the fields in the query string.
                let sep = if url.contains('?') { '&' } else { '?' };
                Callback {
                    method: "GET",
                    url: format!("{url}{sep}{}", form(&f)),
                    content_type: None,
                    body: String::new(),
                }
            } else {
                post_form(url, form(&f))
            }
        }
    };
    // No URL, or the sandbox's own "no listener" address: nothing is sent.
    let unattached = url::Url::parse(&cb.url)
        .map(|u| u.path().starts_with(crate::UNATTACHED_NOTIFY_PATH))
        .unwrap_or(false);
    (!cb.url.is_empty() && !unattached).then_some(cb)
}

/// Sends the callback of a settled order on its gateway's schedule (in the
/// background, on the current runtime) until it is acknowledged.
pub fn settled(o: SimOrder, opts: NotifyOptions, log: Deliveries) {
    if let Some(cb) = build(&o) {
        let times = schedule(o.provider);
        send(o, cb, "settled", times, opts, log, None);
    }
}

/// Sends JSTpay's receive check `cb` for the payout `o` just created (once);
/// `on_answer(answered, acknowledged)` hears how the merchant answered
/// (`answered`: an HTTP answer came back at all).
pub fn send_receive_check(
    o: SimOrder,
    cb: Callback,
    opts: NotifyOptions,
    log: Deliveries,
    on_answer: impl FnOnce(bool, bool) + Send + 'static,
) {
    send(o, cb, "receive", &[0], opts, log, Some(Box::new(on_answer)));
}

type OnAnswer = Box<dyn FnOnce(bool, bool) + Send>;

fn send(
    o: SimOrder,
    cb: Callback,
    what: &'static str,
    times: &'static [u64],
    opts: NotifyOptions,
    log: Deliveries,
    on_answer: Option<OnAnswer>,
) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        if let Some(f) = on_answer {
            f(false, false);
        }
        return;
    };
    if opts.drop_percent > 0 && rand::random::<u8>() % 100 < opts.drop_percent {
        if let Some(f) = on_answer {
            f(false, false);
        }
        return;
    }
    rt.spawn(async move {
        let mut on_answer = on_answer;
        let http = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(h) => h,
            Err(_) => {
                if let Some(f) = on_answer.take() {
                    f(false, false);
                }
                return;
            }
        };
        let mut elapsed = 0u64;
        for (i, at) in times.iter().enumerate() {
            let wait = at.saturating_sub(elapsed);
            elapsed = *at;
            if wait > 0 {
                tokio::time::sleep(Duration::from_secs_f64(wait as f64 * opts.time_scale)).await;
            }
            let mut rb = match cb.method {
                "GET" => http.get(&cb.url),
                _ => http.post(&cb.url).body(cb.body.clone()),
            };
            if let Some(ct) = cb.content_type {
                rb = rb.header("content-type", ct);
            }
            let (status, acknowledged) = match rb.send().await {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let text = r.text().await.unwrap_or_default();
                    (Some(s), s == 200 && text == ack(o.provider))
                }
                Err(_) => (None, false),
            };
            if let Ok(mut l) = log.lock() {
                l.push(Delivery {
                    provider: o.provider,
                    order_no: o.order_no.clone(),
                    callback: what,
                    attempt: i as u32 + 1,
                    http_status: status,
                    acknowledged,
                });
            }
            if acknowledged || i + 1 == times.len() {
                if let Some(f) = on_answer.take() {
                    f(status.is_some(), acknowledged);
                }
            }
            if acknowledged {
                return;
            }
        }
    });
}
