//! Jeepay simulator: `/api/transferOrder` and `/api/transfer/query`, taking a
//! JSON or form-encoded body like the real gateway. Strict about the sign,
//! the merchant, types, lengths and `reqTime`; replies `{code, msg, sign, data}`
//! with `sign` over `data`. The canonical string is built here on its own
//! (lower-cased piece sort) rather than with the client's code, so a client
//! mistake shows up as a sign failure.

use crate::{credentials, util, FaultKind, SimOrder, SimRef, SimState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use md5::{Digest, Md5};
use paydesk_core::ProviderKind;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const P: ProviderKind = ProviderKind::Jeepay;
/// The gateway refuses a `reqTime` further than this from its clock.
const REQ_TIME_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Business errors; parameter errors use 11.
const BIZ_ERROR: i64 = 9999;
const PARAM_ERROR: i64 = 11;

pub fn router() -> Router<SimRef> {
    Router::new()
        .route("/api/transferOrder", post(transfer_order))
        .route("/api/transfer/query", post(transfer_query))
}

/// One received parameter: its text, and how JSON sent it (form bodies are all text).
#[derive(Debug, Clone)]
struct Param {
    text: String,
    is_number: bool,
    is_json_string: bool,
}

type Params = BTreeMap<String, Param>;

/// An unsigned failure reply: `{code, msg}` without `sign` or `data`.
struct Refusal(i64, String);

impl Refusal {
    fn biz(msg: &str) -> Self {
        Refusal(BIZ_ERROR, msg.to_string())
    }
    fn reply(self) -> Response {
        util::json_reply(json!({ "code": self.0, "msg": self.1 }).to_string())
    }
}

fn fail(code: i64, msg: &str) -> Response {
    Refusal(code, msg.to_string()).reply()
}

fn param_refusal(detail: &str) -> Refusal {
    Refusal(PARAM_ERROR, format!("参数有误[{detail}]"))
}

fn param_error(detail: &str) -> Response {
    param_refusal(detail).reply()
}

fn read_params(headers: &HeaderMap, body: &[u8]) -> Result<Params, String> {
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut out = Params::new();
    if ctype.contains("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            out.insert(
                k.into_owned(),
                Param {
                    text: v.into_owned(),
                    is_number: false,
                    is_json_string: false,
                },
            );
        }
        return Ok(out);
    }
    let text = std::str::from_utf8(body).map_err(|_| "请求体不是UTF-8".to_string())?;
    let map: BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(text).map_err(|_| "请求体不是JSON对象".to_string())?;
    for (k, raw) in map {
        let r = raw.get().trim();
        let param = if r.starts_with('"') {
            Param {
                text: serde_json::from_str::<String>(r).map_err(|_| k.clone())?,
                is_number: false,
                is_json_string: true,
            }
        } else if r == "null" {
            continue;
        } else if r.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Param {
                text: r.to_string(),
                is_number: true,
                is_json_string: false,
            }
        } else {
            return Err(format!("{k}类型错误"));
        };
        out.insert(k, param);
    }
    Ok(out)
}

fn md5_upper(s: &str) -> String {
    hex::encode_upper(Md5::digest(s.as_bytes()))
}

/// Non-empty values except `sign` as `k=v&`, ordered case-insensitively
/// (for these ASCII names, lower-casing whole pieces gives Java's order).
fn sign_of(values: &BTreeMap<String, String>, key: &str) -> String {
    let mut pieces: Vec<String> = values
        .iter()
        .filter(|(k, v)| k.as_str() != "sign" && !v.is_empty())
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    pieces.sort_by_key(|p| p.to_lowercase());
    md5_upper(&format!("{}key={key}", pieces.join("")))
}

/// Checks shared by both endpoints: required fields, types, lengths, merchant,
/// sign, request time. Returns the parameters as text.
fn authenticate(
    params: &Params,
    required: &[&str],
    limits: &[(&str, usize)],
) -> Result<BTreeMap<String, String>, Refusal> {
    for name in required {
        if params.get(*name).is_none_or(|p| p.text.is_empty()) {
            return Err(param_refusal(&format!("{name}不能为空")));
        }
    }
    for (name, p) in params {
        let numeric = matches!(name.as_str(), "amount" | "reqTime");
        if p.is_number && !numeric {
            return Err(param_refusal(&format!("{name}类型错误")));
        }
        // `amount` is an int: a JSON string is refused. `reqTime` may come as a
        // string, as in the document's own example.
        let bad_amount = name == "amount" && p.is_json_string;
        if numeric
            && (bad_amount || p.text.is_empty() || !p.text.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(param_refusal(&format!("{name}类型错误")));
        }
    }
    for (name, max) in limits {
        if params
            .get(*name)
            .is_some_and(|p| p.text.chars().count() > *max)
        {
            return Err(param_refusal(&format!("{name}长度不能超过{max}")));
        }
    }
    let text = |n: &str| params.get(n).map(|p| p.text.as_str()).unwrap_or("");
    if text("version") != "1.0" {
        return Err(param_refusal("version"));
    }
    if text("signType") != "MD5" {
        return Err(param_refusal("signType"));
    }
    let creds = credentials(P);
    if text("mchNo") != creds.merchant_id || Some(text("appId")) != creds.app_id {
        return Err(Refusal::biz("商户或商户应用不存在"));
    }
    let values: BTreeMap<String, String> = params
        .iter()
        .map(|(k, p)| (k.clone(), p.text.clone()))
        .collect();
    let expected = sign_of(&values, creds.secret);
    if !expected.eq_ignore_ascii_case(text("sign").trim()) {
        return Err(Refusal::biz("验签失败"));
    }
    let req_time = text("reqTime");
    let fresh = req_time.len() == 13
        && req_time
            .parse::<i64>()
            .is_ok_and(|t| (t - util::now_ms()).abs() <= REQ_TIME_WINDOW_MS);
    if !fresh {
        return Err(Refusal::biz("请求时间reqTime无效或已过期"));
    }
    Ok(values)
}

fn state_code(s: SimState) -> i64 {
    match s {
        SimState::Pending => 0,
        SimState::Processing => 1,
        SimState::Succeeded => 2,
        SimState::Failed => 3,
    }
}

/// A signed success reply; faults act on `data` before it is signed (a wrong
/// order or amount in an honestly signed reply), or on the sign itself.
fn signed_reply(sim: &SimRef, mut data: Map<String, Value>) -> Response {
    if sim.take_fault(P, FaultKind::WrongOrder).is_some() {
        if let Some(Value::String(no)) = data.get("mchOrderNo").cloned() {
            data.insert("mchOrderNo".into(), Value::String(format!("{no}X")));
        }
    }
    if sim.take_fault(P, FaultKind::WrongAmount).is_some() {
        if let Some(n) = data.get("amount").and_then(Value::as_i64) {
            data.insert("amount".into(), json!(n + 100));
        }
    }
    let texts: BTreeMap<String, String> = data
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            (
                k.clone(),
                match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            )
        })
        .collect();
    let mut sign = sign_of(&texts, credentials(P).secret);
    if sim.take_fault(P, FaultKind::BadSign).is_some() {
        sign = util::corrupt(&sign);
    }
    util::json_reply(
        json!({ "code": 0, "msg": "SUCCESS", "sign": sign, "data": Value::Object(data) })
            .to_string(),
    )
}

const TRANSFER_LIMITS: &[(&str, usize)] = &[
    ("mchNo", 30),
    ("appId", 24),
    ("mchOrderNo", 30),
    ("ifCode", 10),
    ("entryType", 20),
    ("currency", 3),
    ("accountNo", 64),
    ("accountName", 64),
    ("bankName", 64),
    ("clientIp", 32),
    ("transferDesc", 128),
    ("notifyUrl", 128),
    ("channelExtra", 256),
    ("extParam", 512),
    ("version", 3),
    ("sign", 32),
    ("signType", 32),
];

async fn transfer_order(State(sim): State<SimRef>, headers: HeaderMap, body: Bytes) -> Response {
    let params = match read_params(&headers, &body) {
        Ok(p) => p,
        Err(e) => return param_error(&e),
    };
    let required = [
        "mchNo",
        "appId",
        "mchOrderNo",
        "ifCode",
        "entryType",
        "amount",
        "currency",
        "accountNo",
        "reqTime",
        "version",
        "sign",
        "signType",
    ];
    let v = match authenticate(&params, &required, TRANSFER_LIMITS) {
        Ok(v) => v,
        Err(r) => return r.reply(),
    };
    let get = |n: &str| v.get(n).cloned().unwrap_or_default();
    let amount: i64 = match get("amount").parse() {
        Ok(a) if a > 0 && a <= i32::MAX as i64 => a,
        _ => return param_error("amount"),
    };
    if !get("currency").eq_ignore_ascii_case("cny") {
        return param_error("currency仅支持cny");
    }
    let entry = get("entryType");
    if !matches!(entry.as_str(), "WX_CASH" | "ALIPAY_CASH" | "BANK_CARD") {
        return param_error("entryType");
    }
    let if_code = get("ifCode");
    if !matches!(if_code.as_str(), "wxpay" | "alipay") {
        return fail(BIZ_ERROR, &format!("应用未开通此接口[{if_code}]"));
    }
    if (entry == "WX_CASH" && if_code != "wxpay") || (entry == "ALIPAY_CASH" && if_code != "alipay")
    {
        return fail(BIZ_ERROR, "该接口不支持此入账方式");
    }
    let channel_extra = get("channelExtra");
    if !channel_extra.is_empty()
        && serde_json::from_str::<Map<String, Value>>(&channel_extra).is_err()
    {
        return param_error("channelExtra");
    }
    let now = util::now_ms();
    let mch_order_no = get("mchOrderNo");
    let order = SimOrder {
        provider: P,
        kind: "payout".into(),
        order_no: mch_order_no.clone(),
        gateway_id: sim.next_id("T"),
        amount_fen: amount,
        state: SimState::Pending,
        created_at: now,
        data: json!({
            "ifCode": if_code,
            "entryType": entry,
            "currency": get("currency"),
            "accountNo": get("accountNo"),
            "accountName": get("accountName"),
            "bankName": get("bankName"),
            "transferDesc": get("transferDesc"),
            "extParam": get("extParam"),
            "notifyUrl": get("notifyUrl"),
        }),
    };
    let Ok(order) = sim.insert_order(order) else {
        return fail(BIZ_ERROR, &format!("商户订单[{mch_order_no}]已存在"));
    };
    let mut data = Map::new();
    data.insert("transferId".into(), json!(order.gateway_id));
    data.insert("mchOrderNo".into(), json!(order.order_no));
    data.insert("state".into(), json!(state_code(order.state)));
    data.insert("amount".into(), json!(order.amount_fen));
    data.insert("accountNo".into(), json!(get("accountNo")));
    signed_reply(&sim, data)
}

async fn transfer_query(State(sim): State<SimRef>, headers: HeaderMap, body: Bytes) -> Response {
    let params = match read_params(&headers, &body) {
        Ok(p) => p,
        Err(e) => return param_error(&e),
    };
    let required = ["mchNo", "appId", "reqTime", "version", "sign", "signType"];
    let limits = [
        ("mchNo", 30),
        ("appId", 24),
        ("mchOrderNo", 30),
        ("transferId", 30),
        ("version", 3),
        ("sign", 32),
        ("signType", 32),
    ];
    let v = match authenticate(&params, &required, &limits) {
        Ok(v) => v,
        Err(r) => return r.reply(),
    };
    let mch_order_no = v.get("mchOrderNo").filter(|s| !s.is_empty());
    let transfer_id = v.get("transferId").filter(|s| !s.is_empty());
    let found = match (mch_order_no, transfer_id) {
        (None, None) => return param_error("mchOrderNo和transferId不能同时为空"),
        (Some(no), tid) => sim
            .get_order(P, no)
            .filter(|o| o.kind == "payout" && tid.is_none_or(|t| *t == o.gateway_id)),
        (None, Some(t)) => sim.find_by_gateway_id(P, t).filter(|o| o.kind == "payout"),
    };
    let Some(o) = found else {
        return fail(BIZ_ERROR, "转账订单不存在");
    };
    let creds = credentials(P);
    let mut data = Map::new();
    data.insert("mchNo".into(), json!(creds.merchant_id));
    data.insert("appId".into(), json!(creds.app_id));
    data.insert("mchOrderNo".into(), json!(o.order_no));
    data.insert("transferId".into(), json!(o.gateway_id));
    data.insert("amount".into(), json!(o.amount_fen));
    data.insert("state".into(), json!(state_code(o.state)));
    data.insert("createdAt".into(), json!(o.created_at));
    for key in [
        "currency",
        "ifCode",
        "entryType",
        "accountNo",
        "accountName",
        "bankName",
        "transferDesc",
        "extParam",
    ] {
        if let Some(s) = o
            .data
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            data.insert(key.into(), json!(s));
        }
    }
    match o.state {
        SimState::Succeeded => {
            data.insert(
                "channelOrderNo".into(),
                json!(format!("CH{}", o.gateway_id)),
            );
        }
        SimState::Failed => {
            data.insert("errCode".into(), json!("ACCOUNT_ERROR"));
            data.insert("errMsg".into(), json!("收款账户异常（沙箱）"));
        }
        _ => {}
    }
    signed_reply(&sim, data)
}
