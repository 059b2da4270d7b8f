//! appkey simulator: `/api/Pay/Create`, `/api/Payments/Query`,
//! `/api/Payouts/Create`, `/api/Payouts/Query`, plus the payment page that
//! `payUrl` points to (`/pay/checkout?order=…`) so demo mode can open it.
//!
//! Strict like the real platform should be: only the documented fields (the
//! signature does not cover others), JSON types checked on the raw text,
//! amounts as yuan numbers (deposit: whole or exactly two decimals; payout:
//! whole), the signature re-computed here independently of the client.
//!
//! Faults: this gateway signs none of its replies and no reply names an amount,
//! so `bad_sign` and `wrong_amount` have nothing to act on and are left
//! untouched; `wrong_order` changes the `Mrn` of the next query reply.

use crate::util::{json_reply, now_ms};
use crate::{FaultKind, SimOrder, SimRef, SimState};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use md5::{Digest, Md5};
use paydesk_core::ProviderKind;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const P: ProviderKind = ProviderKind::Appkey;

pub fn router() -> Router<SimRef> {
    Router::new()
        .route("/api/Pay/Create", post(pay_create))
        .route("/api/Payments/Query", get(payments_query))
        .route("/api/Payouts/Create", post(payouts_create))
        .route("/api/Payouts/Query", get(payouts_query))
        .route("/pay/checkout", get(checkout_page))
}

/// The channel table of the document, for the checkout page.
const CHANNELS: [&str; 15] = [
    "微信",
    "支付宝",
    "银行卡",
    "支付宝红包",
    "云闪付",
    "支付宝转银行卡",
    "支付宝wap",
    "微信wap",
    "支付宝跳转",
    "微信跳转",
    "微信手机转账",
    "支付宝转卡飞行模式",
    "微信赞赏码",
    "支付宝固码",
    "支付宝群红包",
];

/// An error of the document's table, with its description.
#[derive(Debug)]
struct Fail {
    code: &'static str,
    detail: String,
}

fn fail(code: &'static str, detail: impl Into<String>) -> Fail {
    Fail {
        code,
        detail: detail.into(),
    }
}

fn describe(code: &str) -> &'static str {
    match code {
        "invalid_data" => "无效的请求数据",
        "sign_error" => "签名错误",
        "mrn_duplication" => "平台单号冲突",
        "insufficient_balance" => "商户余额不足",
        "object_not_found" => "无效的商户账户",
        _ => "",
    }
}

impl Fail {
    fn text(&self) -> String {
        if self.detail.is_empty() {
            describe(self.code).to_string()
        } else {
            format!("{}: {}", describe(self.code), self.detail)
        }
    }
}

fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// `name=value` pieces in the given (document) order, then `key=<secret>`.
fn canonical(pairs: &[(&str, &str)], secret: &str) -> String {
    let mut parts: Vec<String> = pairs.iter().map(|(k, v)| [*k, "=", v].concat()).collect();
    parts.push(["key=", secret].concat());
    parts.join("&")
}

/// The body's fields as raw JSON text, refusing anything but a flat object of
/// the allowed names.
fn fields(
    headers: &HeaderMap,
    body: &str,
    allowed: &[&str],
) -> Result<BTreeMap<String, Box<RawValue>>, Fail> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("application/json") {
        return Err(fail(
            "invalid_data",
            format!("Content-Type must be application/json, got `{ct}`"),
        ));
    }
    let map: BTreeMap<String, Box<RawValue>> = serde_json::from_str(body)
        .map_err(|e| fail("invalid_data", format!("not a JSON object: {e}")))?;
    if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(fail("invalid_data", format!("unknown field `{k}`")));
    }
    Ok(map)
}

fn string(
    map: &BTreeMap<String, Box<RawValue>>,
    name: &str,
    required: bool,
) -> Result<Option<String>, Fail> {
    let Some(raw) = map.get(name) else {
        return if required {
            Err(fail("invalid_data", format!("`{name}` is required")))
        } else {
            Ok(None)
        };
    };
    if !raw.get().starts_with('"') {
        return Err(fail(
            "invalid_data",
            format!("`{name}` must be a JSON string, got {}", raw.get()),
        ));
    }
    let s: String = serde_json::from_str(raw.get())
        .map_err(|_| fail("invalid_data", format!("`{name}` is not a valid string")))?;
    if required && s.trim().is_empty() {
        return Err(fail("invalid_data", format!("`{name}` is empty")));
    }
    Ok(Some(s))
}

/// The raw number text of a field (never parsed as a float).
fn number_text<'a>(map: &'a BTreeMap<String, Box<RawValue>>, name: &str) -> Result<&'a str, Fail> {
    let raw = map
        .get(name)
        .ok_or_else(|| fail("invalid_data", format!("`{name}` is required")))?
        .get();
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(fail(
            "invalid_data",
            format!("`{name}` must be a JSON number, got {raw}"),
        ));
    }
    Ok(raw)
}

/// Yuan text → fen. `cents_allowed`: `123` or `123.45` (exactly two decimals);
/// otherwise whole yuan only. No leading zeros, more than zero.
fn yuan_text_to_fen(text: &str, cents_allowed: bool) -> Result<i64, Fail> {
    let bad = || {
        let rule = if cents_allowed {
            "whole yuan or exactly two decimals"
        } else {
            "whole yuan"
        };
        fail(
            "invalid_data",
            format!("`amount` must be {rule}, got {text}"),
        )
    };
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) if cents_allowed && f.len() == 2 && f.bytes().all(|b| b.is_ascii_digit()) => {
            (i, f)
        }
        Some(_) => return Err(bad()),
        None => (text, "00"),
    };
    if int.is_empty()
        || int.len() > 11
        || !int.bytes().all(|b| b.is_ascii_digit())
        || (int.len() > 1 && int.starts_with('0'))
    {
        return Err(bad());
    }
    let fen =
        int.parse::<i64>().map_err(|_| bad())? * 100 + frac.parse::<i64>().map_err(|_| bad())?;
    if fen <= 0 {
        return Err(fail("invalid_data", "`amount` must be more than 0"));
    }
    Ok(fen)
}

fn check_app_key(app_key: &str) -> Result<(), Fail> {
    if app_key != crate::credentials(P).merchant_id {
        return Err(fail("object_not_found", format!("appKey `{app_key}`")));
    }
    Ok(())
}

fn check_sign(canonical_text: &str, sign: &str) -> Result<(), Fail> {
    // The document asks for lower-case hex, so that is all we take.
    if md5_hex(canonical_text) != sign {
        return Err(fail("sign_error", ""));
    }
    Ok(())
}

fn check_mrn(mrn: &str) -> Result<(), Fail> {
    if mrn.chars().count() > 64 {
        return Err(fail("invalid_data", "`mrn` is longer than 64 characters"));
    }
    Ok(())
}

// ---- deposit ----

const PAY_FIELDS: [&str; 8] = [
    "amount",
    "appKey",
    "callbackUrl",
    "channelId",
    "mrn",
    "returnUrl",
    "sign",
    "payer",
];

async fn pay_create(State(sim): State<SimRef>, headers: HeaderMap, body: String) -> Response {
    let reply = match pay_create_inner(&sim, &headers, &body) {
        Ok(pay_url) => json!({"success": true, "errorMsg": "", "payUrl": pay_url}),
        Err(f) => json!({"success": false, "errorMsg": f.text(), "payUrl": null}),
    };
    json_reply(reply.to_string())
}

fn pay_create_inner(sim: &SimRef, headers: &HeaderMap, body: &str) -> Result<String, Fail> {
    let map = fields(headers, body, &PAY_FIELDS)?;
    let amount = number_text(&map, "amount")?;
    let app_key = string(&map, "appKey", true)?.unwrap_or_default();
    let callback_url = string(&map, "callbackUrl", true)?.unwrap_or_default();
    let channel = number_text(&map, "channelId")?;
    let mrn = string(&map, "mrn", true)?.unwrap_or_default();
    let return_url = string(&map, "returnUrl", true)?.unwrap_or_default();
    let sign = string(&map, "sign", true)?.unwrap_or_default();
    let payer = string(&map, "payer", false)?;
    let channel_id: usize = channel.parse().map_err(|_| {
        fail(
            "invalid_data",
            format!("`channelId` must be an integer, got {channel}"),
        )
    })?;
    if !(1..=CHANNELS.len()).contains(&channel_id) || channel.starts_with('0') {
        return Err(fail("invalid_data", format!("unknown channelId {channel}")));
    }
    let amount_fen = yuan_text_to_fen(amount, true)?;
    check_mrn(&mrn)?;
    check_app_key(&app_key)?;
    let text = canonical(
        &[
            ("amount", amount),
            ("appKey", &app_key),
            ("callbackUrl", &callback_url),
            ("channelId", channel),
            ("mrn", &mrn),
            ("returnUrl", &return_url),
        ],
        crate::credentials(P).secret,
    );
    check_sign(&text, &sign)?;
    let gateway_id = sim.next_id("AKP");
    let order = SimOrder {
        provider: P,
        kind: "deposit".into(),
        order_no: mrn.clone(),
        gateway_id: gateway_id.clone(),
        amount_fen,
        state: SimState::Pending,
        created_at: now_ms(),
        data: json!({"channelId": channel_id, "payer": payer, "callbackUrl": callback_url, "returnUrl": return_url, "amount": amount}),
    };
    sim.insert_order(order)
        .map_err(|_| fail("mrn_duplication", format!("mrn `{mrn}`")))?;
    Ok(format!(
        "/pay/checkout?order={gateway_id}&channel={channel_id}"
    ))
}

// ---- payout ----

const PAYOUT_FIELDS: [&str; 8] = [
    "accountName",
    "accountNumber",
    "amount",
    "appKey",
    "bankName",
    "callbackUrl",
    "mrn",
    "sign",
];

async fn payouts_create(State(sim): State<SimRef>, headers: HeaderMap, body: String) -> Response {
    let reply = match payouts_create_inner(&sim, &headers, &body) {
        Ok(()) => json!({"error": "success", "errorMessage": ""}),
        Err(f) => json!({"error": f.code, "errorMessage": f.text()}),
    };
    json_reply(reply.to_string())
}

fn payouts_create_inner(sim: &SimRef, headers: &HeaderMap, body: &str) -> Result<(), Fail> {
    let map = fields(headers, body, &PAYOUT_FIELDS)?;
    let account_name = string(&map, "accountName", true)?.unwrap_or_default();
    let account_number = string(&map, "accountNumber", true)?.unwrap_or_default();
    let amount = number_text(&map, "amount")?;
    let app_key = string(&map, "appKey", true)?.unwrap_or_default();
    let bank_name = string(&map, "bankName", true)?.unwrap_or_default();
    let callback_url = string(&map, "callbackUrl", true)?.unwrap_or_default();
    let mrn = string(&map, "mrn", true)?.unwrap_or_default();
    let sign = string(&map, "sign", true)?.unwrap_or_default();
    let amount_fen = yuan_text_to_fen(amount, false)?;
    if !account_number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail("invalid_data", "`accountNumber` must be digits"));
    }
    check_mrn(&mrn)?;
    check_app_key(&app_key)?;
    let text = canonical(
        &[
            ("accountName", &account_name),
            ("accountNumber", &account_number),
            ("amount", amount),
            ("appKey", &app_key),
            ("bankName", &bank_name),
            ("callbackUrl", &callback_url),
            ("mrn", &mrn),
        ],
        crate::credentials(P).secret,
    );
    check_sign(&text, &sign)?;
    if sim.duplicate_create(P, &mrn) {
        return Err(fail("mrn_duplication", format!("mrn `{mrn}`")));
    }
    if sim.committed_payouts_fen(P) + amount_fen > sim.balance_fen(P) {
        return Err(fail("insufficient_balance", ""));
    }
    let order = SimOrder {
        provider: P,
        kind: "payout".into(),
        order_no: mrn.clone(),
        gateway_id: sim.next_id("AKW"),
        amount_fen,
        state: SimState::Pending,
        created_at: now_ms(),
        data: json!({"accountName": account_name, "accountNumber": account_number, "bankName": bank_name, "callbackUrl": callback_url}),
    };
    sim.insert_order(order)
        .map_err(|_| fail("mrn_duplication", format!("mrn `{mrn}`")))?;
    Ok(())
}

// ---- queries ----

async fn payments_query(State(sim): State<SimRef>, RawQuery(q): RawQuery) -> Response {
    query(&sim, q.as_deref().unwrap_or(""), "deposit")
}

async fn payouts_query(State(sim): State<SimRef>, RawQuery(q): RawQuery) -> Response {
    query(&sim, q.as_deref().unwrap_or(""), "payout")
}

fn query(sim: &SimRef, q: &str, kind: &str) -> Response {
    let reply = match query_inner(sim, q, kind) {
        Ok(v) => v,
        Err(f) => json!({"error": f.code, "errorMessage": f.text()}),
    };
    json_reply(reply.to_string())
}

fn query_inner(sim: &SimRef, q: &str, kind: &str) -> Result<Value, Fail> {
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
        if !["appKey", "mrn", "sign", "callback"].contains(&k.as_ref()) {
            return Err(fail("invalid_data", format!("unknown parameter `{k}`")));
        }
        if params.insert(k.to_string(), v.to_string()).is_some() {
            return Err(fail("invalid_data", format!("`{k}` given twice")));
        }
    }
    let get = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| fail("invalid_data", format!("`{name}` is required")))
    };
    let app_key = get("appKey")?;
    let mrn = get("mrn")?;
    let sign = get("sign")?;
    if let Some(cb) = params.get("callback") {
        if cb != "true" && cb != "false" {
            return Err(fail("invalid_data", "`callback` must be true or false"));
        }
    }
    check_app_key(&app_key)?;
    check_sign(
        &canonical(
            &[("appKey", &app_key), ("mrn", &mrn)],
            crate::credentials(P).secret,
        ),
        &sign,
    )?;
    let order = sim
        .get_order(P, &mrn)
        .filter(|o| o.kind == kind)
        .ok_or_else(|| fail("object_not_found", format!("mrn `{mrn}`")))?;
    let status = match order.state {
        SimState::Pending | SimState::Processing => 0,
        SimState::Succeeded => 1,
        SimState::Failed => 2,
    };
    let named = match sim.take_fault(P, FaultKind::WrongOrder) {
        Some(_) => format!("{mrn}-OTHER"),
        None => mrn,
    };
    Ok(json!({"error": "success", "result": {"Mrn": named, "status": status}}))
}

// ---- the payment page payUrl points to ----

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn checkout_page(State(sim): State<SimRef>, RawQuery(q): RawQuery) -> Response {
    let id = url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "order")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let Some(o) = sim
        .find_by_gateway_id(P, &id)
        .filter(|o| o.kind == "deposit")
    else {
        return (StatusCode::NOT_FOUND, Html("<!doctype html><meta charset=utf-8><title>AppKey</title><p>订单不存在 / no such order</p>".to_string())).into_response();
    };
    let channel = o.data["channelId"]
        .as_u64()
        .and_then(|n| CHANNELS.get((n as usize).wrapping_sub(1)))
        .copied()
        .unwrap_or("?");
    let state = match o.state {
        SimState::Pending | SimState::Processing => "等待支付 / waiting",
        SimState::Succeeded => "支付成功 / paid",
        SimState::Failed => "支付失败 / failed",
    };
    let action = format!(
        "/_sandbox/orders/appkey/{}/succeed",
        percent_encoding::utf8_percent_encode(&o.order_no, percent_encoding::NON_ALPHANUMERIC)
    );
    let page = format!(
        "<!doctype html><html lang=zh-CN><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>AppKey 收银台 (sandbox)</title>\
         <body style=\"font-family:sans-serif;max-width:28em;margin:2em auto\"><h1>AppKey 收银台</h1><p>沙箱模拟页面 / sandbox page</p>\
         <table><tr><th align=left>订单号</th><td>{mrn}</td></tr><tr><th align=left>金额</th><td>¥ {amount}</td></tr>\
         <tr><th align=left>通道</th><td>{channel}</td></tr><tr><th align=left>状态</th><td>{state}</td></tr></table>\
         <form method=post action=\"{action}\"><button>模拟付款成功 / simulate payment</button></form></body></html>",
        mrn = html_escape(&o.order_no),
        amount = format_args!("{}.{:02}", o.amount_fen / 100, o.amount_fen % 100),
        channel = html_escape(channel),
        state = state,
        action = html_escape(&action),
    );
    Html(page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_text_rules() {
        assert_eq!(yuan_text_to_fen("100", true).unwrap(), 10000);
        assert_eq!(yuan_text_to_fen("100.50", true).unwrap(), 10050);
        assert_eq!(yuan_text_to_fen("0.05", true).unwrap(), 5);
        for bad in ["100.5", "100.500", "01", "0", "0.00", "1.", ".5", "1e2"] {
            assert!(yuan_text_to_fen(bad, true).is_err(), "{bad}");
        }
        assert_eq!(yuan_text_to_fen("100", false).unwrap(), 10000);
        assert!(yuan_text_to_fen("100.00", false).is_err());
    }

    #[test]
    fn canonical_matches_the_shared_example() {
        let t = canonical(
            &[
                ("amount", "100.50"),
                ("appKey", "AK001"),
                ("callbackUrl", "http://merchant.example/cb?x=1"),
                ("channelId", "2"),
                ("mrn", "AK20240101001"),
                ("returnUrl", "http://merchant.example/return"),
            ],
            "appkey-secret-key",
        );
        assert_eq!(md5_hex(&t), "bf97d8da6ebd2e9a6f475c1e947dc3c4");
    }
}
