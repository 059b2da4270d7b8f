//! xxpay simulator: `/api/pay/*` (deposits) and `/api/trans/*` (payouts).
//! Requests are one form field `params` holding JSON; the sign is checked
//! with the request key the way xxpay's own server does it (whole
//! `name=value&` pieces sorted case-insensitively), built here independently
//! of the client. Replies are signed with the separate reply key.

use crate::{credentials, util, FaultKind, SimOrder, SimRef, SimState};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use md5::{Digest, Md5};
use paydesk_core::ProviderKind;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const KIND: ProviderKind = ProviderKind::Xxpay;
/// Mounted under this prefix by `crate::router`.
const PREFIX: &str = "/xxpay";

pub fn router() -> Router<SimRef> {
    Router::new()
        .route("/api/pay/create_order", post(pay_create))
        .route("/api/pay/query_order", post(pay_query))
        .route("/api/trans/create_order", post(trans_create))
        .route("/api/trans/query_order", post(trans_query))
        .route("/gateway/bank", post(bank_page))
        .route("/cashier", get(cashier_page))
}

type Params = Map<String, Value>;
type Answer = Result<Response, Fail>;

/// A `retCode` = `FAIL` reply, with its `retMsg`.
struct Fail(String);

fn md5_upper(text: &str) -> String {
    hex::encode_upper(Md5::digest(text.as_bytes()))
}

fn request_key() -> &'static str {
    credentials(KIND).secret
}

fn reply_key() -> &'static str {
    let c = credentials(KIND);
    c.reply_secret.unwrap_or(c.secret)
}

/// The value as xxpay's Java server turns it into sign text.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// xxpay's `getSign`: non-empty `name=value&` pieces except the skipped names,
/// sorted case-insensitively, then `key=<key>`.
fn xxpay_sign(params: &Params, key: &str, skip: &[&str]) -> String {
    let mut pieces: Vec<String> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "sign" && !skip.contains(&k.as_str()))
        .map(|(k, v)| (k, text_of(v)))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    pieces.sort_by_key(|p| p.to_lowercase());
    md5_upper(&format!("{}key={key}", pieces.concat()))
}

fn fail(msg: impl Into<String>) -> Fail {
    Fail(msg.into())
}

fn bad_param(msg: impl std::fmt::Display) -> Fail {
    fail(format!("参数格式校验错误：{msg}"))
}

/// Signs a SUCCESS reply with the reply key (`payParams` left out, as xxpay does).
fn signed(sim: &SimRef, mut reply: Params) -> Response {
    let mut sign = xxpay_sign(&reply, reply_key(), &["payParams"]);
    if sim.take_fault(KIND, FaultKind::BadSign).is_some() {
        sign = util::corrupt(&sign);
    }
    reply.insert("sign".into(), Value::String(sign));
    util::json_reply(Value::Object(reply).to_string())
}

fn read_params(body: &Bytes) -> Result<Params, Fail> {
    let text = url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "params")
        .map(|(_, v)| v.into_owned());
    let Some(text) = text else {
        return Err(bad_param("缺少 params 参数"));
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_param("params 不是 JSON 对象")),
    }
}

fn opt_str(p: &Params, name: &str, max: usize) -> Result<Option<String>, Fail> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if s.chars().count() > max => {
            Err(bad_param(format!("{name} 超长（最长 {max}）")))
        }
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_param(format!("{name} 应为字符串"))),
    }
}

fn req_str(p: &Params, name: &str, max: usize) -> Result<String, Fail> {
    opt_str(p, name, max)?.ok_or_else(|| bad_param(format!("缺少 {name}")))
}

fn opt_int(p: &Params, name: &str) -> Result<Option<i64>, Fail> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| bad_param(format!("{name} 应为整数"))),
        Some(_) => Err(bad_param(format!("{name} 应为整数"))),
    }
}

fn req_int(p: &Params, name: &str) -> Result<i64, Fail> {
    opt_int(p, name)?.ok_or_else(|| bad_param(format!("缺少 {name}")))
}

fn check_bool(p: &Params, name: &str) -> Result<(), Fail> {
    match p.get(name) {
        None | Some(Value::Null) | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(bad_param(format!("{name} 应为布尔值"))),
    }
}

/// `mchId` is typed `long` or `String(30)` depending on the endpoint: both taken.
fn mch_id(p: &Params) -> Result<String, Fail> {
    match p.get("mchId") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.to_string()),
        _ => Err(bad_param("mchId")),
    }
}

/// Merchant, app and signature, in the order xxpay checks them.
fn authenticate(p: &Params) -> Result<(), Fail> {
    let creds = credentials(KIND);
    let mch = mch_id(p)?;
    let app = req_str(p, "appId", 32)?;
    let sign = req_str(p, "sign", 32)?;
    if mch != creds.merchant_id {
        return Err(fail(format!("商户不存在[mchId={mch}]")));
    }
    if Some(app.as_str()) != creds.app_id {
        return Err(fail(format!("应用不存在[appId={app}]")));
    }
    if !sign.eq_ignore_ascii_case(&xxpay_sign(p, request_key(), &[])) {
        return Err(fail("签名失败"));
    }
    Ok(())
}

fn check_currency(p: &Params) -> Result<(), Fail> {
    let c = req_str(p, "currency", 3)?;
    if c != "cny" {
        return Err(bad_param(format!("不支持的币种 {c}")));
    }
    Ok(())
}

fn check_amount(p: &Params) -> Result<i64, Fail> {
    let amount = req_int(p, "amount")?;
    if amount < 1 {
        return Err(bad_param("amount 须为正整数（单位分）"));
    }
    Ok(amount)
}

/// The sandbox's own reading of the HPT table: HPT00001–HPT00097.
fn is_hpt_code(code: &str) -> bool {
    code.len() == 8
        && code.starts_with("HPT")
        && code[3..]
            .parse::<u32>()
            .is_ok_and(|n| (1..=97).contains(&n))
}

/// `mchId` as the document types it in replies (`long`).
fn mch_id_value() -> Value {
    let id = credentials(KIND).merchant_id;
    id.parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(id))
}

fn pay_code(state: SimState) -> i64 {
    match state {
        SimState::Pending => 0,
        SimState::Processing => 1,
        SimState::Succeeded => 2,
        SimState::Failed => 5,
    }
}

fn trans_code(state: SimState) -> i64 {
    match state {
        SimState::Pending => 0,
        SimState::Processing => 1,
        SimState::Succeeded => 2,
        SimState::Failed => 3,
    }
}

/// The reply names another order or amount when those faults are set.
fn faulty_order_no(sim: &SimRef, order_no: &str) -> String {
    match sim.take_fault(KIND, FaultKind::WrongOrder) {
        Some(_) => format!("{order_no}X"),
        None => order_no.to_string(),
    }
}

fn faulty_amount(sim: &SimRef, amount: i64) -> i64 {
    match sim.take_fault(KIND, FaultKind::WrongAmount) {
        Some(_) => amount + 100,
        None => amount,
    }
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

fn bank_page_sign(order_id: &str) -> String {
    md5_upper(&format!("orderId={order_id}&key={}", reply_key()))
}

fn answer(r: Answer) -> Response {
    r.unwrap_or_else(|Fail(msg)| {
        util::json_reply(json!({"retCode": "FAIL", "retMsg": msg}).to_string())
    })
}

async fn pay_create(State(sim): State<SimRef>, headers: HeaderMap, body: Bytes) -> Response {
    answer(pay_create_inner(&sim, &headers, &body))
}

fn pay_create_inner(sim: &SimRef, headers: &HeaderMap, body: &Bytes) -> Answer {
    let p = read_params(body)?;
    let product = req_int(&p, "productId")?;
    let order_no = req_str(&p, "mchOrderNo", 30)?;
    check_currency(&p)?;
    let amount = check_amount(&p)?;
    req_str(&p, "notifyUrl", 128)?;
    let subject = req_str(&p, "subject", 64)?;
    req_str(&p, "body", 256)?;
    for (name, max) in [
        ("clientIp", 32),
        ("device", 64),
        ("returnUrl", 128),
        ("param2", 64),
    ] {
        opt_str(&p, name, max)?;
    }
    let param1 = opt_str(&p, "param1", 64)?;
    authenticate(&p)?;
    if !(8000..=8019).contains(&product) {
        return Err(fail(format!("支付产品不存在或未开通[productId={product}]")));
    }
    if product == 8000 {
        let parts: Vec<&str> = param1.as_deref().unwrap_or("").split(';').collect();
        if parts.len() != 3 || parts.iter().any(|s| s.trim().is_empty()) {
            return Err(bad_param(
                "网银支付须在 param1 填写 汇款人银行代码;汇款人户名;汇款人帐户号",
            ));
        }
        if !is_hpt_code(parts[0]) {
            return Err(fail(format!("汇款人银行代码不存在[{}]", parts[0])));
        }
    }
    let gateway_id = sim.next_id("P");
    let order = SimOrder {
        provider: KIND,
        kind: "deposit".into(),
        order_no: order_no.clone(),
        gateway_id: gateway_id.clone(),
        amount_fen: amount,
        state: SimState::Pending,
        created_at: util::now_ms(),
        data: json!({"productId": product, "subject": subject, "param1": param1, "notifyUrl": p.get("notifyUrl").map(text_of)}),
    };
    if sim.insert_order(order).is_err() {
        return Err(fail(format!("商户订单号重复[mchOrderNo={order_no}]")));
    }
    let host = host(headers);
    let pay_url = if product == 8000 {
        format!(
            "POST;http://{host}{PREFIX}/gateway/bank?orderId={gateway_id}&sign={}",
            bank_page_sign(&gateway_id)
        )
    } else {
        format!("http://{host}{PREFIX}/cashier?payOrderId={gateway_id}")
    };
    let mut reply = Params::new();
    reply.insert("retCode".into(), "SUCCESS".into());
    reply.insert("payOrderId".into(), gateway_id.into());
    reply.insert("payParams".into(), json!({ "payUrl": pay_url }));
    Ok(signed(sim, reply))
}

/// The order a query names by our number and/or the gateway's id.
fn find(
    sim: &SimRef,
    p: &Params,
    kind: &str,
    no_field: &str,
    id_field: &str,
) -> Result<Option<SimOrder>, Fail> {
    let no = opt_str(p, no_field, 30)?;
    let id = opt_str(p, id_field, 30)?;
    check_bool(p, "executeNotify")?;
    if no.is_none() && id.is_none() {
        return Err(bad_param(format!("{no_field} 与 {id_field} 须传一个")));
    }
    authenticate(p)?;
    let by_no = no.as_deref().map(|n| sim.get_order(KIND, n));
    let by_id = id.as_deref().map(|i| sim.find_by_gateway_id(KIND, i));
    let found = match (by_no, by_id) {
        (Some(a), Some(b)) => a.filter(|a| b.is_some_and(|b| b.order_no == a.order_no)),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => None,
    };
    Ok(found.filter(|o| o.kind == kind))
}

async fn pay_query(State(sim): State<SimRef>, body: Bytes) -> Response {
    answer(pay_query_inner(&sim, &body))
}

fn pay_query_inner(sim: &SimRef, body: &Bytes) -> Answer {
    let p = read_params(body)?;
    let Some(o) = find(sim, &p, "deposit", "mchOrderNo", "payOrderId")? else {
        return Err(fail("支付订单不存在"));
    };
    let mut reply = Params::new();
    reply.insert("retCode".into(), "SUCCESS".into());
    reply.insert("retMsg".into(), "查询成功".into());
    reply.insert("mchId".into(), mch_id_value());
    reply.insert(
        "appId".into(),
        credentials(KIND).app_id.unwrap_or("").into(),
    );
    reply.insert(
        "productId".into(),
        o.data.get("productId").cloned().unwrap_or(Value::Null),
    );
    reply.insert("payOrderId".into(), o.gateway_id.clone().into());
    reply.insert(
        "mchOrderNo".into(),
        faulty_order_no(sim, &o.order_no).into(),
    );
    reply.insert("amount".into(), faulty_amount(sim, o.amount_fen).into());
    reply.insert("currency".into(), "cny".into());
    reply.insert("status".into(), pay_code(o.state).into());
    if o.state == SimState::Succeeded {
        reply.insert(
            "channelOrderNo".into(),
            format!("CH{}", o.gateway_id).into(),
        );
        reply.insert("paySuccTime".into(), util::now_ms().into());
    }
    Ok(signed(sim, reply))
}

async fn trans_create(State(sim): State<SimRef>, body: Bytes) -> Response {
    answer(trans_create_inner(&sim, &body))
}

fn trans_create_inner(sim: &SimRef, body: &Bytes) -> Answer {
    let p = read_params(body)?;
    let order_no = req_str(&p, "mchTransOrderNo", 30)?;
    check_currency(&p)?;
    let amount = check_amount(&p)?;
    req_str(&p, "notifyUrl", 128)?;
    if let Some(attr) = opt_str(&p, "accountAttr", 1)? {
        if attr != "0" && attr != "1" {
            return Err(bad_param("accountAttr 只能是 0 或 1"));
        }
    }
    opt_int(&p, "bankType")?;
    let bank_code = req_str(&p, "bankCode", 32)?;
    req_str(&p, "bankName", 128)?;
    let account_type = req_str(&p, "accountType", 1)?;
    if !["1", "2", "3", "4"].contains(&account_type.as_str()) {
        return Err(bad_param("accountType 只能是 1、2、3、4"));
    }
    let account_name = req_str(&p, "accountName", 64)?;
    let account_no = req_str(&p, "accountNo", 64)?;
    req_str(&p, "province", 32)?;
    req_str(&p, "city", 32)?;
    for (name, max) in [
        ("clientIp", 32),
        ("device", 64),
        ("param1", 64),
        ("param2", 64),
    ] {
        opt_str(&p, name, max)?;
    }
    authenticate(&p)?;
    if !is_hpt_code(&bank_code) {
        return Err(fail(format!("银行代码不存在[bankCode={bank_code}]")));
    }
    if sim.duplicate_create(KIND, &order_no) {
        return Err(fail(format!("商户订单号重复[mchTransOrderNo={order_no}]")));
    }
    if sim.balance_fen(KIND) - sim.committed_payouts_fen(KIND) < amount {
        return Err(fail("代付余额不足"));
    }
    let gateway_id = sim.next_id("T");
    let created_at = util::now_ms();
    let order = SimOrder {
        provider: KIND,
        kind: "payout".into(),
        order_no: order_no.clone(),
        gateway_id: gateway_id.clone(),
        amount_fen: amount,
        state: SimState::Pending,
        created_at,
        data: json!({"bankCode": bank_code, "accountName": account_name, "accountNo": account_no, "notifyUrl": p.get("notifyUrl").map(text_of)}),
    };
    let Ok(o) = sim.insert_order(order) else {
        return Err(fail(format!("商户订单号重复[mchTransOrderNo={order_no}]")));
    };
    let mut reply = Params::new();
    reply.insert("retCode".into(), "SUCCESS".into());
    reply.insert("retMsg".into(), "".into());
    reply.insert("transOrderId".into(), gateway_id.into());
    reply.insert("mchId".into(), mch_id_value());
    reply.insert(
        "mchTransOrderNo".into(),
        faulty_order_no(sim, &o.order_no).into(),
    );
    reply.insert("amount".into(), faulty_amount(sim, o.amount_fen).into());
    reply.insert("status".into(), trans_code(o.state).into());
    reply.insert("createTime".into(), created_at.into());
    Ok(signed(sim, reply))
}

async fn trans_query(State(sim): State<SimRef>, body: Bytes) -> Response {
    answer(trans_query_inner(&sim, &body))
}

fn trans_query_inner(sim: &SimRef, body: &Bytes) -> Answer {
    let p = read_params(body)?;
    let Some(o) = find(sim, &p, "payout", "mchTransOrderNo", "transOrderId")? else {
        return Err(fail("代付订单不存在"));
    };
    let mut reply = Params::new();
    reply.insert("retCode".into(), "SUCCESS".into());
    reply.insert("retMsg".into(), "查询成功".into());
    reply.insert("mchId".into(), mch_id_value());
    reply.insert(
        "appId".into(),
        credentials(KIND).app_id.unwrap_or("").into(),
    );
    reply.insert("transOrderId".into(), o.gateway_id.clone().into());
    reply.insert(
        "mchTransOrderNo".into(),
        faulty_order_no(sim, &o.order_no).into(),
    );
    reply.insert("amount".into(), faulty_amount(sim, o.amount_fen).into());
    reply.insert("currency".into(), "cny".into());
    reply.insert("status".into(), trans_code(o.state).into());
    if o.state == SimState::Succeeded {
        reply.insert(
            "channelOrderNo".into(),
            format!("CH{}", o.gateway_id).into(),
        );
        reply.insert("transSuccTime".into(), util::now_ms().into());
    }
    Ok(signed(sim, reply))
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn pay_page(title: &str, o: &SimOrder) -> Response {
    let yuan = format!("{}.{:02}", o.amount_fen / 100, o.amount_fen % 100);
    let html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\
         <h1>{title}（沙箱）</h1><p>支付订单号：{}</p><p>商户订单号：{}</p><p>金额：¥ {yuan}</p>\
         <p>这是 PayDesk 沙箱的模拟页面，不会发生真实扣款。</p></body></html>",
        escape_html(&o.gateway_id),
        escape_html(&o.order_no)
    );
    Html(html).into_response()
}

/// The target of a `POST;` pay URL (网银支付): the fields arrive as a form.
async fn bank_page(State(sim): State<SimRef>, body: Bytes) -> Response {
    let fields: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let (Some(id), Some(sign)) = (fields.get("orderId"), fields.get("sign")) else {
        return (
            StatusCode::BAD_REQUEST,
            "orderId and sign are required (form POST)",
        )
            .into_response();
    };
    if !sign.eq_ignore_ascii_case(&bank_page_sign(id)) {
        return (StatusCode::FORBIDDEN, "bad sign").into_response();
    }
    match sim.find_by_gateway_id(KIND, id) {
        Some(o) => pay_page("网银支付", &o),
        None => (StatusCode::NOT_FOUND, "no such order").into_response(),
    }
}

async fn cashier_page(
    State(sim): State<SimRef>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match q
        .get("payOrderId")
        .and_then(|id| sim.find_by_gateway_id(KIND, id))
    {
        Some(o) => pay_page("收银台", &o),
        None => (StatusCode::NOT_FOUND, "no such order").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_matches_the_worked_example() {
        // The signature-examples.json vector, through the sandbox's own code.
        let p: Params = serde_json::from_str(
            r#"{"mchId":"20001222","appId":"0ae8be35ff634e2abe94f5f32f6d5c4f","mchTransOrderNo":"XT20240101001","currency":"cny","amount":50000,"notifyUrl":"http://merchant.example/trans-notify","bankCode":"HPT00002","bankName":"中国工商银行","accountType":"1","accountName":"张三","accountNo":"6222020200112233445","province":"江苏","city":"南京"}"#,
        )
        .unwrap();
        assert_eq!(
            xxpay_sign(&p, "xxpay-secret-key", &[]),
            "1042D5D2F7EEFB1E50A57F8F1B942226"
        );
    }

    #[test]
    fn hpt_codes() {
        assert!(is_hpt_code("HPT00001"));
        assert!(is_hpt_code("HPT00097"));
        assert!(!is_hpt_code("HPT00098"));
        assert!(!is_hpt_code("HP00001"));
    }
}
