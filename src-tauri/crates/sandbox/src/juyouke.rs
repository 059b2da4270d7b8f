//! juyouke 聚优客 simulator. Strict like the gateway: the `Authorization: sign
//! <md5>` header (POST) or the `sign` query parameter (GET) must verify over the
//! parameters as a sorted compact JSON object of strings, lower-cased, key
//! appended; unknown or missing parameters, non-string JSON values and amounts
//! that are not whole fen are refused. Replies are signed the same way over
//! `result_response`, with amounts in yuan written as JSON number text
//! (`100.50`, `2.00`) so clients must verify over the raw text.
//!
//! This side builds its canonical text on its own (serde_json for escaping,
//! its own sorting) so that a client mistake shows up as a sign error.
//!
//! Sandbox rules: a codepay `auth_code` ending in `9999` waits for the payer
//! (WAIT_BUYER_PAY); any other code is paid at once. H5 and app orders wait
//! until advanced through the control API. Withdrawals are kept under the
//! gateway's own id (`trade_no`), take a 2.00 yuan fee and start as "2"
//! (processing).

use crate::{credentials, util, FaultKind, SimOrder, SimRef, SimState};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{FixedOffset, TimeZone};
use md5::{Digest, Md5};
use paydesk_core::money::fen_to_yuan_2dp;
use paydesk_core::ProviderKind;
use std::collections::BTreeMap;

const P: ProviderKind = ProviderKind::Juyouke;
const FEE_FEN: i64 = 200;
const MAX_WITHDRAWAL_FEN: i64 = 5_000_000;
const MAX_WITHDRAWAL_PER_DAY_FEN: i64 = 100_000_000;
const PAYWAYS: [&str; 5] = ["1", "3", "4", "5", "6"];

pub fn router() -> Router<SimRef> {
    Router::new()
        .route("/api/codepay/", post(codepay).get(require_post))
        .route("/api/query/", post(query).get(require_post))
        .route("/api/settle/", post(settle).get(require_post))
        .route("/api/settlequery/", post(settle_query).get(require_post))
        .route("/api/balance_query/", post(balance).get(require_post))
        .route("/getway/", get(h5_page))
        .route("/getway/app", get(app_link))
}

/// A reply value: a JSON string, or number text written as is.
enum V {
    S(String),
    N(String),
}

fn s(v: impl Into<String>) -> V {
    V::S(v.into())
}

fn yuan(fen: i64) -> V {
    V::N(fen_to_yuan_2dp(fen))
}

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

fn secret() -> &'static str {
    credentials(P).secret
}

fn write_value(out: &mut String, v: &V) {
    match v {
        V::S(t) => out.push_str(&serde_json::to_string(t).expect("string serialises")),
        V::N(t) => out.push_str(t),
    }
}

/// The reply body. Fields go out in the order given (as a gateway's own
/// dictionary might), while the signature covers them sorted by name.
fn signed_reply(sim: &SimRef, fields: Vec<(&str, V)>, sign: bool) -> Response {
    let mut body_obj = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            body_obj.push(',');
        }
        body_obj.push_str(&format!("\"{k}\":"));
        write_value(&mut body_obj, v);
    }
    body_obj.push('}');
    let mut sorted: Vec<&(&str, V)> = fields.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let canonical = format!(
        "{{{}}}",
        sorted
            .iter()
            .map(|(k, v)| {
                let mut t = format!("\"{k}\":");
                write_value(&mut t, v);
                t
            })
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut signature = if sign {
        md5_hex(&format!("{}{}", canonical.to_lowercase(), secret()))
    } else {
        String::new()
    };
    if sign && sim.take_fault(P, FaultKind::BadSign).is_some() {
        signature = util::corrupt(&signature);
    }
    util::json_reply(format!(
        "{{\"result_response\":{body_obj},\"sign\":\"{signature}\"}}"
    ))
}

fn fail(sim: &SimRef, result_code: &str, err_code: &str, des: &str) -> Response {
    // An unknown app has no key to sign with.
    let sign = err_code != "APPID_NOT_EXIST";
    signed_reply(
        sim,
        vec![
            ("result_code", s(result_code)),
            ("err_code", s(err_code)),
            ("err_code_des", s(des)),
        ],
        sign,
    )
}

async fn require_post(State(sim): State<SimRef>) -> Response {
    fail(&sim, "40002", "REQUIRE_POST_METHOD", "未使用post传递参数")
}

/// A refused request: (result_code, err_code, description).
type Refusal = (&'static str, &'static str, String);

fn lack(name: &str) -> Refusal {
    ("40001", "LACK_PARAMS", format!("缺少参数 {name}"))
}

fn param_error(des: String) -> Refusal {
    ("40002", "PARAMSERROR", des)
}

/// Checks app id, signature and the parameter set; returns the parameters.
fn check_params(
    params: BTreeMap<String, String>,
    sign: &str,
    allowed: &[&str],
    required: &[&str],
) -> Result<BTreeMap<String, String>, Refusal> {
    let app_id = params.get("app_id").cloned().unwrap_or_default();
    if app_id.is_empty() {
        return Err(lack("app_id"));
    }
    if app_id != credentials(P).merchant_id {
        return Err(("40004", "APPID_NOT_EXIST", "appid不存在".into()));
    }
    if sign.is_empty() {
        return Err(("40001", "NOSIGN", "缺少签名".into()));
    }
    let mut pairs: Vec<(&String, &String)> = params.iter().collect();
    pairs.sort();
    let canonical = format!(
        "{{{}}}",
        pairs
            .iter()
            .map(|(k, v)| format!(
                "{}:{}",
                serde_json::to_string(k).unwrap(),
                serde_json::to_string(v).unwrap()
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let expected = md5_hex(&format!("{}{}", canonical.to_lowercase(), secret()));
    if !expected.eq_ignore_ascii_case(sign) {
        return Err(("40002", "SIGNERROR", "签名错误".into()));
    }
    if let Some(k) = params.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(param_error(format!("未知参数 {k}")));
    }
    if let Some(k) = required
        .iter()
        .find(|k| params.get(**k).is_none_or(|v| v.is_empty()))
    {
        return Err(lack(k));
    }
    if let Some(t) = params.get("total_amount") {
        if amount_fen(t).is_none() {
            return Err(param_error(format!(
                "total_amount 须为以分为单位的正整数：{t}"
            )));
        }
    }
    if let Some(w) = params.get("payway").filter(|w| !w.is_empty()) {
        if !PAYWAYS.contains(&w.as_str()) {
            return Err(param_error(format!("payway 无效：{w}")));
        }
    }
    if let Some(op) = params.get("operator_id") {
        if Some(op.as_str()) != credentials(P).operator_id {
            return Err(param_error(format!("商户操作员编号不存在：{op}")));
        }
    }
    Ok(params)
}

fn amount_fen(t: &str) -> Option<i64> {
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) || t.starts_with('0')
    {
        return None;
    }
    t.parse().ok()
}

/// A POST: JSON object of strings, `Authorization: sign <md5>`.
fn read_post(
    headers: &HeaderMap,
    body: &str,
    allowed: &[&str],
    required: &[&str],
) -> Result<BTreeMap<String, String>, Refusal> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let sign = match auth.strip_prefix("sign ") {
        Some(s) => s.to_string(),
        None => {
            return Err((
                "40001",
                "NOSIGN",
                "缺少签名（请求头 Authorization: sign <签名>）".into(),
            ))
        }
    };
    let value: serde_json::Value = serde_json::from_str(body)
        .map_err(|_| ("40002", "JSONERROR", "请使用json传递参数".to_string()))?;
    let obj = value
        .as_object()
        .ok_or(("40002", "JSONERROR", "请使用json传递参数".to_string()))?;
    let mut params = BTreeMap::new();
    for (k, v) in obj {
        match v.as_str() {
            Some(t) => params.insert(k.clone(), t.to_string()),
            None => return Err(param_error(format!("参数 {k} 必须是字符串"))),
        };
    }
    check_params(params, &sign, allowed, required)
}

/// A GET: percent-encoded query string with `sign` last.
fn read_get(
    query: Option<&str>,
    allowed: &[&str],
    required: &[&str],
) -> Result<BTreeMap<String, String>, Refusal> {
    let mut params = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if params.insert(k.to_string(), v.to_string()).is_some() {
            return Err(param_error(format!("参数重复 {k}")));
        }
    }
    let sign = params.remove("sign").unwrap_or_default();
    check_params(params, &sign, allowed, required)
}

fn refuse(sim: &SimRef, r: Refusal) -> Response {
    fail(sim, r.0, r.1, &r.2)
}

fn beijing_now() -> String {
    chrono::Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn beijing_day(ms: i64) -> Option<chrono::NaiveDate> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .timestamp_millis_opt(ms)
        .single()
        .map(|d| d.date_naive())
}

fn trade_status(state: SimState) -> &'static str {
    match state {
        SimState::Pending | SimState::Processing => "WAIT_BUYER_PAY",
        SimState::Succeeded => "TRADE_SUCCESS",
        SimState::Failed => "TRADE_CLOSED",
    }
}

fn withdraw_status(state: SimState) -> &'static str {
    match state {
        SimState::Pending | SimState::Processing => "2",
        SimState::Succeeded => "1",
        SimState::Failed => "0",
    }
}

fn wrong_order(sim: &SimRef, no: &str) -> String {
    match sim.take_fault(P, FaultKind::WrongOrder) {
        Some(_) => format!("{no}X"),
        None => no.to_string(),
    }
}

fn wrong_amount(sim: &SimRef, fen: i64) -> i64 {
    match sim.take_fault(P, FaultKind::WrongAmount) {
        Some(_) => fen + 100,
        None => fen,
    }
}

const DEPOSIT_PARAMS: [&str; 8] = [
    "app_id",
    "notify_url",
    "operator_id",
    "out_trade_no",
    "payway",
    "subject",
    "total_amount",
    "return_url",
];
const DEPOSIT_REQUIRED: [&str; 7] = [
    "app_id",
    "notify_url",
    "operator_id",
    "out_trade_no",
    "subject",
    "total_amount",
    "return_url",
];

fn new_deposit(
    sim: &SimRef,
    p: &BTreeMap<String, String>,
    pay_type: &str,
    state: SimState,
) -> Result<SimOrder, Box<SimOrder>> {
    let order = SimOrder {
        provider: P,
        kind: "deposit".into(),
        order_no: p["out_trade_no"].clone(),
        gateway_id: sim.next_id("JYK"),
        amount_fen: amount_fen(&p["total_amount"]).unwrap_or(0),
        state,
        created_at: util::now_ms(),
        data: serde_json::json!({
            "pay_type": pay_type,
            "payway": p.get("payway").cloned().unwrap_or_default(),
            "subject": p["subject"],
            "paid_at": if state == SimState::Succeeded { beijing_now() } else { String::new() },
            "notify_url": p.get("notify_url").cloned().unwrap_or_default(),
        }),
    };
    match sim.insert_order(order.clone()) {
        Ok(o) => Ok(o),
        Err(crate::Duplicate) => Err(Box::new(
            sim.get_order(P, &order.order_no).expect("order exists"),
        )),
    }
}

/// Payment fields of a deposit as the gateway reports it.
fn trade_fields(sim: &SimRef, o: &SimOrder, always_amount: bool) -> Vec<(&'static str, V)> {
    let mut f = vec![
        ("result_code", s("10000")),
        ("app_id", s(credentials(P).merchant_id)),
        ("out_trade_no", s(wrong_order(sim, &o.order_no))),
        ("trade_status", s(trade_status(o.state))),
        (
            "return_msg",
            s(if o.state == SimState::Succeeded {
                "支付成功"
            } else {
                "等待用户支付"
            }),
        ),
    ];
    if always_amount || o.state == SimState::Succeeded {
        f.push(("trade_no", s(o.gateway_id.clone())));
        f.push(("total_amount", yuan(wrong_amount(sim, o.amount_fen))));
    }
    if o.state == SimState::Succeeded {
        let paid_at = o.data["paid_at"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .unwrap_or_else(beijing_now);
        f.push(("pay_date", s(paid_at)));
        f.push((
            "paytype",
            s(o.data["payway"]
                .as_str()
                .filter(|t| !t.is_empty())
                .unwrap_or("1")),
        ));
    }
    f
}

async fn codepay(State(sim): State<SimRef>, headers: HeaderMap, body: String) -> Response {
    let allowed = [
        "app_id",
        "auth_code",
        "notify_url",
        "operator_id",
        "out_trade_no",
        "payway",
        "subject",
        "total_amount",
    ];
    let required = [
        "app_id",
        "auth_code",
        "notify_url",
        "operator_id",
        "out_trade_no",
        "subject",
        "total_amount",
    ];
    let p = match read_post(&headers, &body, &allowed, &required) {
        Ok(p) => p,
        Err(r) => return refuse(&sim, r),
    };
    let code = &p["auth_code"];
    if code.len() > 32 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return refuse(&sim, param_error(format!("auth_code 无效：{code}")));
    }
    let state = if code.ends_with("9999") {
        SimState::Pending
    } else {
        SimState::Succeeded
    };
    match new_deposit(&sim, &p, "codepay", state) {
        Ok(o) => signed_reply(&sim, trade_fields(&sim, &o, false), true),
        Err(_) => fail(&sim, "40004", "ORDER_CONFLICT", "订单号在系统中已存在"),
    }
}

async fn query(State(sim): State<SimRef>, headers: HeaderMap, body: String) -> Response {
    let p = match read_post(
        &headers,
        &body,
        &["app_id", "out_trade_no", "trade_no"],
        &["app_id"],
    ) {
        Ok(p) => p,
        Err(r) => return refuse(&sim, r),
    };
    let found = match (
        p.get("out_trade_no").filter(|v| !v.is_empty()),
        p.get("trade_no").filter(|v| !v.is_empty()),
    ) {
        (Some(no), _) => sim.get_order(P, no),
        (None, Some(id)) => sim.find_by_gateway_id(P, id),
        (None, None) => return refuse(&sim, lack("out_trade_no")),
    };
    match found.filter(|o| o.kind == "deposit") {
        Some(o) => signed_reply(&sim, trade_fields(&sim, &o, true), true),
        None => fail(&sim, "40004", "ORDER_NOTFOUND", "订单号在系统中不存在"),
    }
}

async fn settle(State(sim): State<SimRef>, headers: HeaderMap, body: String) -> Response {
    let p = match read_post(
        &headers,
        &body,
        &["app_id", "total_amount"],
        &["app_id", "total_amount"],
    ) {
        Ok(p) => p,
        Err(r) => return refuse(&sim, r),
    };
    let fen = amount_fen(&p["total_amount"]).unwrap_or(0);
    if fen > MAX_WITHDRAWAL_FEN {
        return refuse(&sim, param_error("单笔提现金额不能超过5万元".into()));
    }
    if fen <= FEE_FEN {
        return refuse(&sim, param_error("提现金额须大于手续费 2.00 元".into()));
    }
    let today = beijing_day(util::now_ms());
    let today_total: i64 = sim
        .orders()
        .iter()
        .filter(|o| {
            o.provider == P
                && o.kind == "payout"
                && o.state != SimState::Failed
                && beijing_day(o.created_at) == today
        })
        .map(|o| o.amount_fen)
        .sum();
    if today_total + fen > MAX_WITHDRAWAL_PER_DAY_FEN {
        return refuse(
            &sim,
            ("40004", "PARAMSERROR", "超出商户单日提现限额100万元".into()),
        );
    }
    if fen > sim.balance_fen(P) - sim.committed_payouts_fen(P) {
        return fail(&sim, "40004", "INSUFFICIENT", "余额不足");
    }
    let id = sim.next_id("JYKW");
    let order = SimOrder {
        provider: P,
        kind: "payout".into(),
        order_no: id.clone(),
        gateway_id: id.clone(),
        amount_fen: fen,
        state: SimState::Pending,
        created_at: util::now_ms(),
        data: serde_json::json!({}),
    };
    if sim.insert_order(order).is_err() {
        return fail(&sim, "20000", "SYSTEMERROR", "系统错误");
    }
    let fields = vec![
        ("result_code", s("10000")),
        ("app_id", s(credentials(P).merchant_id)),
        ("withdraw_status", s("2")),
        ("trade_no", s(id)),
        ("return_msg", s("提现申请已受理")),
        ("total_amount", s(wrong_amount(&sim, fen).to_string())),
    ];
    signed_reply(&sim, fields, true)
}

async fn settle_query(State(sim): State<SimRef>, headers: HeaderMap, body: String) -> Response {
    let p = match read_post(
        &headers,
        &body,
        &["app_id", "trade_no"],
        &["app_id", "trade_no"],
    ) {
        Ok(p) => p,
        Err(r) => return refuse(&sim, r),
    };
    let Some(o) = sim
        .get_order(P, &p["trade_no"])
        .filter(|o| o.kind == "payout")
    else {
        return fail(&sim, "40004", "ORDER_NOTFOUND", "订单号在系统中不存在");
    };
    let mut fields = vec![
        ("result_code", s("10000")),
        ("app_id", s(credentials(P).merchant_id)),
        ("withdraw_status", s(withdraw_status(o.state))),
        ("trade_no", s(wrong_order(&sim, &o.gateway_id))),
        (
            "return_msg",
            s(if o.state == SimState::Succeeded {
                "提现成功"
            } else {
                "提现处理中"
            }),
        ),
        (
            "total_amount",
            s(wrong_amount(&sim, o.amount_fen).to_string()),
        ),
        ("service_amount", yuan(FEE_FEN)),
    ];
    if o.state == SimState::Succeeded {
        fields.push(("actual_amount", yuan(o.amount_fen - FEE_FEN)));
        fields.push(("settle_time", s(beijing_now())));
    }
    signed_reply(&sim, fields, true)
}

async fn balance(State(sim): State<SimRef>, headers: HeaderMap, body: String) -> Response {
    if let Err(r) = read_post(&headers, &body, &["app_id"], &["app_id"]) {
        return refuse(&sim, r);
    }
    let available = sim.balance_fen(P) - sim.committed_payouts_fen(P);
    let fields = vec![
        ("result_code", s("10000")),
        ("app_id", s(credentials(P).merchant_id)),
        ("balance", yuan(available)),
        ("return_msg", s("SUCCESS")),
        ("start_time", s("00:00")),
        ("end_time", s("23:59")),
        ("withdraw_limit", yuan(MAX_WITHDRAWAL_PER_DAY_FEN)),
        ("withdrawal_way", s("0")),
    ];
    signed_reply(&sim, fields, true)
}

fn html_escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>");
    (status, Html(html)).into_response()
}

/// The H5 / C-scans-B page: opening the signed URL creates the order.
async fn h5_page(State(sim): State<SimRef>, RawQuery(q): RawQuery) -> Response {
    let p = match read_get(q.as_deref(), &DEPOSIT_PARAMS, &DEPOSIT_REQUIRED) {
        Ok(p) => p,
        Err((_, code, des)) => {
            return page(
                StatusCode::BAD_REQUEST,
                "聚优客收银台",
                &format!("<p class=\"error\">{code}：{}</p>", html_escape(&des)),
            )
        }
    };
    let o = match new_deposit(&sim, &p, "h5", SimState::Pending) {
        Ok(o) => o,
        // Opening the same link again shows the same order.
        Err(o)
            if o.kind == "deposit"
                && o.amount_fen == amount_fen(&p["total_amount"]).unwrap_or(-1)
                && o.data["pay_type"] == "h5" =>
        {
            *o
        }
        Err(_) => {
            return page(
                StatusCode::BAD_REQUEST,
                "聚优客收银台",
                "<p class=\"error\">ORDER_CONFLICT：订单号在系统中已存在</p>",
            )
        }
    };
    let body = format!(
        "<p>商户订单号：<span id=\"out_trade_no\">{}</span></p><p>金额：¥{}</p><p>商品：{}</p><p>状态：{}</p><p><a href=\"{}\">支付完成后返回商户</a></p>",
        html_escape(&o.order_no),
        fen_to_yuan_2dp(o.amount_fen),
        html_escape(&p["subject"]),
        trade_status(o.state),
        html_escape(&p["return_url"]),
    );
    page(StatusCode::OK, "聚优客收银台（沙箱）", &body)
}

async fn app_link(State(sim): State<SimRef>, RawQuery(q): RawQuery) -> Response {
    let p = match read_get(q.as_deref(), &DEPOSIT_PARAMS, &DEPOSIT_REQUIRED) {
        Ok(p) => p,
        Err(r) => return refuse(&sim, r),
    };
    match new_deposit(&sim, &p, "app", SimState::Pending) {
        Ok(o) => {
            let fields = vec![
                ("result_code", s("10000")),
                ("app_id", s(credentials(P).merchant_id)),
                ("return_msg", s("SUCCESS")),
                (
                    "url",
                    s(format!("https://qr.alipay.com/sandbox/{}", o.gateway_id)),
                ),
            ];
            signed_reply(&sim, fields, true)
        }
        Err(_) => fail(&sim, "40004", "ORDER_CONFLICT", "订单号在系统中已存在"),
    }
}
