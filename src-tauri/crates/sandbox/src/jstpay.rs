//! jstpay simulator: JSON requests checked strictly (merchant, signature,
//! JSON types, urlencoded fields, duplicate order numbers), replies signed as
//! the gateway does. The canonical string is built here independently of the
//! client's code so that a client mistake shows up as a sign error.
//!
//! The document lists no error codes; these are the sandbox's own:
//! 1001 sign error, 1002 merchant, 1003 parameters, 1004 duplicate order
//! number, 1005 order not found, 1006 balance, 1007 amount, 1008 timestamp,
//! 1009 channel, 1010 query does not match the order.

use crate::{credentials, util, FaultKind, SimOrder, SimRef, SimState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::Router;
use md5::{Digest, Md5};
use paydesk_core::ProviderKind;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

const P: ProviderKind = ProviderKind::Jstpay;
/// The gateway refuses a deposit/detail timestamp further than this from its clock.
const MAX_SKEW_SECS: i64 = 600;

pub fn router() -> Router<SimRef> {
    Router::new()
        .route("/api/pay/create", post(pay_create))
        .route("/api/pay/query", post(pay_query))
        .route("/api/pay/balance", post(pay_balance))
        .route("/api/deposit/create", post(deposit_create))
        .route("/api/deposit/create2card", post(deposit_create2card))
        .route("/api/deposit/query", post(deposit_query))
        .route("/api/deposit/detail", post(deposit_detail))
        .route("/cashier/{order_id}", get(cashier))
}

// ---------- wire ----------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Int,
}

/// One documented request parameter.
struct Param {
    name: &'static str,
    ty: Ty,
    required: bool,
    urlencoded: bool,
}

const fn p(name: &'static str, ty: Ty, required: bool, urlencoded: bool) -> Param {
    Param {
        name,
        ty,
        required,
        urlencoded,
    }
}

const PAY_CREATE: &[Param] = &[
    p("merchant_ID", Ty::Str, true, false),
    p("payee_name", Ty::Str, true, true),
    p("payee_bank", Ty::Str, true, true),
    p("payee_branch", Ty::Str, true, true),
    p("payee_number", Ty::Str, true, false),
    p("payee_amount", Ty::Int, true, false),
    p("payee_province", Ty::Str, true, true),
    p("payee_city", Ty::Str, true, true),
    p("client_order_id", Ty::Str, true, false),
    p("callback_uri", Ty::Str, false, false),
    p("signature", Ty::Str, true, false),
];
const PAY_QUERY: &[Param] = &[
    p("merchant_ID", Ty::Str, true, false),
    p("payee_number", Ty::Str, true, false),
    p("payee_amount", Ty::Int, true, false),
    p("client_order_id", Ty::Str, true, false),
    p("signature", Ty::Str, true, false),
];
const PAY_BALANCE: &[Param] = &[
    p("merchant_ID", Ty::Str, true, false),
    p("signature", Ty::Str, true, false),
];
const DEPOSIT_CREATE: &[Param] = &[
    p("merchant_ID", Ty::Str, true, false),
    p("payee_amount", Ty::Int, true, false),
    p("pay_mode", Ty::Str, true, false),
    p("client_order_id", Ty::Str, true, false),
    p("callback_uri", Ty::Str, false, false),
    p("fund_id", Ty::Str, false, false),
    p("signature", Ty::Str, true, false),
];
const DEPOSIT_CREATE2CARD: &[Param] = &[
    p("merchant_ID", Ty::Str, true, false),
    p("payee_amount", Ty::Int, true, false),
    p("pay_mode", Ty::Str, true, false),
    p("client_order_id", Ty::Str, true, false),
    p("sender_name", Ty::Str, false, false),
    p("callback_uri", Ty::Str, false, false),
    p("signature", Ty::Str, true, false),
];
const DEPOSIT_QUERY: &[Param] = &[
    p("merchant_ID", Ty::Str, true, false),
    p("pay_mode", Ty::Str, true, false),
    p("payee_amount", Ty::Int, true, false),
    p("client_order_id", Ty::Str, true, false),
    p("signature", Ty::Str, true, false),
];
const DEPOSIT_DETAIL: &[Param] = &[
    p("merchant_ID", Ty::Str, true, false),
    p("timestamp", Ty::Str, true, false),
    p("start", Ty::Str, false, false),
    p("end", Ty::Str, false, false),
    p("signature", Ty::Str, true, false),
];

const PAY_MODES: [&str; 4] = ["bank", "weixin", "alipay", "qrcode"];

/// A refusal: `status` 0 with a code and message.
struct Fail {
    code: &'static str,
    msg: String,
}

fn fail(code: &'static str, msg: impl Into<String>) -> Fail {
    Fail {
        code,
        msg: msg.into(),
    }
}

/// A checked request: every value as the text it is signed with.
struct Req {
    values: BTreeMap<String, String>,
}

impl Req {
    fn s(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
    fn int(&self, name: &str) -> i64 {
        self.s(name).parse().unwrap_or(0)
    }
}

fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// `name=value&...&hash_key=secret` over sorted names, MD5 lower hex.
fn sign_pairs(pairs: &[(String, String)], secret: &str) -> String {
    let mut sorted: Vec<&(String, String)> =
        pairs.iter().filter(|(k, _)| k != "signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (k, v) in sorted {
        text += &format!("{k}={v}&");
    }
    text += &format!("hash_key={secret}");
    md5_hex(&text)
}

/// PHP urlencode, written out byte by byte.
fn php_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out += &format!("%{b:02X}"),
        }
    }
    out
}

/// The text decoded, if it is exactly what PHP urlencode makes of valid UTF-8.
fn php_decode_strict(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    let decoded = String::from_utf8(out).ok()?;
    (php_encode(&decoded) == s).then_some(decoded)
}

fn check_request(body: &[u8], spec: &[Param]) -> Result<Req, Fail> {
    let text = std::str::from_utf8(body).map_err(|_| fail("1003", "请求不是 UTF-8"))?;
    let members: BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(text).map_err(|_| fail("1003", "请求须为 JSON 对象"))?;
    let mut values = BTreeMap::new();
    for (name, raw) in &members {
        let Some(param) = spec.iter().find(|p| p.name == name) else {
            return Err(fail("1003", format!("未知参数 {name}")));
        };
        let r = raw.get();
        let value = match param.ty {
            Ty::Str => serde_json::from_str::<String>(r)
                .map_err(|_| fail("1003", format!("{name} 须为字符串")))?,
            Ty::Int => {
                if r.is_empty()
                    || !r.bytes().all(|b| b.is_ascii_digit())
                    || (r.len() > 1 && r.starts_with('0'))
                    || r.len() > 12
                {
                    return Err(fail("1003", format!("{name} 须为整数")));
                }
                r.to_string()
            }
        };
        values.insert(name.clone(), value);
    }
    for param in spec {
        if param.required && values.get(param.name).is_none_or(|v| v.is_empty()) {
            return Err(fail("1003", format!("缺少参数 {}", param.name)));
        }
    }
    let creds = credentials(P);
    if values.get("merchant_ID").map(String::as_str) != Some(creds.merchant_id) {
        return Err(fail("1002", "商户号不存在"));
    }
    let pairs: Vec<(String, String)> = values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if values.get("signature") != Some(&sign_pairs(&pairs, creds.secret)) {
        return Err(fail("1001", "签名错误"));
    }
    for param in spec.iter().filter(|p| p.urlencoded) {
        if let Some(v) = values.get(param.name) {
            if php_decode_strict(v).is_none_or(|d| d.trim().is_empty() && param.required) {
                return Err(fail("1003", format!("{} 须为 urlencode 编码", param.name)));
            }
        }
    }
    Ok(Req { values })
}

/// A reply value: a string, or a number / array written as raw JSON text.
enum Out {
    Str(String),
    Raw { json: String, signed: String },
}

fn raw_num(n: impl ToString) -> Out {
    let t = n.to_string();
    Out::Raw {
        json: t.clone(),
        signed: t,
    }
}

fn s(v: impl Into<String>) -> Out {
    Out::Str(v.into())
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A signed success reply; `bad_sign` corrupts the signature.
fn signed_reply(fields: Vec<(&str, Out)>, bad_sign: bool) -> Response {
    let pairs: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| {
            let t = match v {
                Out::Str(s) => s.clone(),
                Out::Raw { signed, .. } => signed.clone(),
            };
            (k.to_string(), t)
        })
        .collect();
    let mut sig = sign_pairs(&pairs, credentials(P).secret);
    if bad_sign {
        sig = util::corrupt(&sig);
    }
    let mut body = String::from("{");
    for (k, v) in &fields {
        let j = match v {
            Out::Str(s) => json_str(s),
            Out::Raw { json, .. } => json.clone(),
        };
        body += &format!("{}:{},", json_str(k), j);
    }
    body += &format!("\"signature\":{}}}", json_str(&sig));
    util::json_reply(body)
}

fn failed_reply(f: Fail, order_no: &str) -> Response {
    let body = format!(
        "{{\"status\":0,\"msg\":\"failed\",\"client_order_id\":{},\"order_id\":\"\",\"err_code\":{},\"err_msg\":{},\"signature\":\"\"}}",
        json_str(order_no),
        json_str(f.code),
        json_str(&f.msg)
    );
    util::json_reply(body)
}

fn respond(result: Result<Response, Fail>, body: &[u8]) -> Response {
    match result {
        Ok(r) => r,
        Err(f) => {
            let order_no = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| {
                    v.get("client_order_id")
                        .and_then(|o| o.as_str())
                        .map(String::from)
                })
                .unwrap_or_default();
            failed_reply(f, &order_no)
        }
    }
}

/// The WrongOrder fault: the reply names another order.
fn reply_order_no(sim: &SimRef, order_no: &str) -> String {
    match sim.take_fault(P, FaultKind::WrongOrder) {
        Some(_) => format!("{order_no}X"),
        None => order_no.to_string(),
    }
}

/// The WrongAmount fault: the reply names another amount (whole yuan).
fn reply_yuan(sim: &SimRef, yuan: i64) -> i64 {
    match sim.take_fault(P, FaultKind::WrongAmount) {
        Some(_) => yuan + 1,
        None => yuan,
    }
}

fn bad_sign(sim: &SimRef) -> bool {
    sim.take_fault(P, FaultKind::BadSign).is_some()
}

fn whole_yuan_fen(req: &Req) -> Result<i64, Fail> {
    let yuan = req.int("payee_amount");
    if yuan < 1 {
        return Err(fail("1007", "金额错误"));
    }
    Ok(yuan * 100)
}

// ---------- payout ----------

async fn pay_create(State(sim): State<SimRef>, body: Bytes) -> Response {
    respond(pay_create_inner(&sim, &body), &body)
}

fn pay_create_inner(sim: &SimRef, body: &[u8]) -> Result<Response, Fail> {
    let req = check_request(body, PAY_CREATE)?;
    let amount_fen = whole_yuan_fen(&req)?;
    let order_no = req.s("client_order_id").to_string();
    if sim.duplicate_create(P, &order_no) {
        return Err(fail("1004", "商户订单编号重复"));
    }
    if sim.balance_fen(P) - sim.committed_payouts_fen(P) < amount_fen {
        return Err(fail("1006", "余额不足"));
    }
    let gateway_id = sim.next_id("JSTP");
    let data = serde_json::json!({
        "payee_number": req.s("payee_number"),
        "payee_name": php_decode_strict(req.s("payee_name")),
        "payee_bank": php_decode_strict(req.s("payee_bank")),
        "callback_uri": req.s("callback_uri"),
        // The payee texts as sent (urlencoded ones still encoded): the
        // payout callbacks carry them back as they were signed.
        "sent": {
            "payee_name": req.s("payee_name"),
            "payee_bank": req.s("payee_bank"),
            "payee_branch": req.s("payee_branch"),
            "payee_number": req.s("payee_number"),
            "payee_province": req.s("payee_province"),
            "payee_city": req.s("payee_city"),
        },
    });
    let order = SimOrder {
        provider: P,
        kind: "payout".into(),
        order_no: order_no.clone(),
        gateway_id: gateway_id.clone(),
        amount_fen,
        state: SimState::Pending,
        created_at: util::now_ms(),
        data,
    };
    let created = sim
        .insert_order(order)
        .map_err(|_| fail("1004", "商户订单编号重复"))?;
    // The receive check goes out as the gateway accepts the order.
    sim.receive_check(&created);
    Ok(signed_reply(
        vec![
            ("status", raw_num(1)),
            ("msg", s("success")),
            ("client_order_id", s(reply_order_no(sim, &order_no))),
            ("order_id", s(gateway_id)),
            ("err_code", s("")),
            ("err_msg", s("")),
        ],
        bad_sign(sim),
    ))
}

fn payout_state(st: SimState) -> (i64, &'static str) {
    match st {
        SimState::Pending => (10, "待接单"),
        SimState::Processing => (20, "待处理"),
        SimState::Succeeded => (30, "代付完成"),
        SimState::Failed => (40, "驳回"),
    }
}

fn deposit_state(st: SimState) -> (i64, &'static str) {
    match st {
        SimState::Pending | SimState::Processing => (11, "待支付"),
        SimState::Failed => (21, "过期"),
        SimState::Succeeded => (41, "完成"),
    }
}

async fn pay_query(State(sim): State<SimRef>, body: Bytes) -> Response {
    respond(query_inner(&sim, &body, "payout"), &body)
}

async fn deposit_query(State(sim): State<SimRef>, body: Bytes) -> Response {
    respond(query_inner(&sim, &body, "deposit"), &body)
}

fn query_inner(sim: &SimRef, body: &[u8], kind: &str) -> Result<Response, Fail> {
    let req = check_request(
        body,
        if kind == "payout" {
            PAY_QUERY
        } else {
            DEPOSIT_QUERY
        },
    )?;
    let order_no = req.s("client_order_id");
    let order = sim
        .get_order(P, order_no)
        .filter(|o| o.kind == kind)
        .ok_or_else(|| fail("1005", "订单不存在"))?;
    let matches = if kind == "payout" {
        order.data["payee_number"].as_str() == Some(req.s("payee_number"))
    } else {
        if !PAY_MODES.contains(&req.s("pay_mode")) {
            return Err(fail("1009", "代收渠道错误"));
        }
        order.data["pay_mode"].as_str() == Some(req.s("pay_mode"))
    };
    if !matches || order.amount_fen != req.int("payee_amount") * 100 {
        return Err(fail("1010", "查询参数与订单不符"));
    }
    let (code, text) = if kind == "payout" {
        payout_state(order.state)
    } else {
        deposit_state(order.state)
    };
    Ok(signed_reply(
        vec![
            ("status", raw_num(1)),
            ("msg", s("success")),
            ("client_order_id", s(reply_order_no(sim, &order.order_no))),
            ("order_id", s(order.gateway_id.clone())),
            ("order_state_id", raw_num(code)),
            (
                "payee_amount",
                raw_num(reply_yuan(sim, order.amount_fen / 100)),
            ),
            ("order_state", s(text)),
            ("err_code", s("")),
            ("err_msg", s("")),
        ],
        bad_sign(sim),
    ))
}

async fn pay_balance(State(sim): State<SimRef>, body: Bytes) -> Response {
    respond(balance_inner(&sim, &body), &body)
}

fn balance_inner(sim: &SimRef, body: &[u8]) -> Result<Response, Fail> {
    let req = check_request(body, PAY_BALANCE)?;
    let fen = sim.balance_fen(P);
    let balance = format!(
        "{}{}.{:02}",
        if fen < 0 { "-" } else { "" },
        fen.abs() / 100,
        fen.abs() % 100
    );
    Ok(signed_reply(
        vec![
            ("status", raw_num(1)),
            ("msg", s("success")),
            ("merchant_ID", s(req.s("merchant_ID"))),
            ("balance", s(balance)),
        ],
        bad_sign(sim),
    ))
}

// ---------- deposit ----------

fn new_deposit(sim: &SimRef, req: &Req, to_card: bool) -> Result<SimOrder, Fail> {
    let amount_fen = whole_yuan_fen(req)?;
    let pay_mode = req.s("pay_mode");
    if !PAY_MODES.contains(&pay_mode) {
        return Err(fail("1009", "代收渠道错误"));
    }
    let order_no = req.s("client_order_id").to_string();
    let gateway_id = sim.next_id("JSTD");
    // The card transfer asks for a few odd fen so the arrival can be matched.
    let odd_fen = 1 + (gateway_id.bytes().map(u64::from).sum::<u64>() % 99) as i64;
    let data = serde_json::json!({
        "pay_mode": pay_mode,
        "to_card": to_card,
        "fund_id": req.s("fund_id"),
        "sender_name": req.s("sender_name"),
        "actual_amount_fen": amount_fen + odd_fen,
        "callback_uri": req.s("callback_uri"),
    });
    let order = SimOrder {
        provider: P,
        kind: "deposit".into(),
        order_no,
        gateway_id,
        amount_fen,
        state: SimState::Pending,
        created_at: util::now_ms(),
        data,
    };
    sim.insert_order(order)
        .map_err(|_| fail("1004", "商户订单编号重复"))
}

async fn deposit_create(State(sim): State<SimRef>, headers: HeaderMap, body: Bytes) -> Response {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let result = (|| -> Result<Response, Fail> {
        let req = check_request(&body, DEPOSIT_CREATE)?;
        let order = new_deposit(&sim, &req, false)?;
        Ok(signed_reply(
            vec![
                ("status", raw_num(1)),
                ("msg", s("success")),
                ("client_order_id", s(reply_order_no(&sim, &order.order_no))),
                (
                    "uri",
                    s(format!("http://{host}/jstpay/cashier/{}", order.gateway_id)),
                ),
                ("order_id", s(order.gateway_id.clone())),
                ("err_code", s("")),
                ("err_msg", s("")),
            ],
            bad_sign(&sim),
        ))
    })();
    respond(result, &body)
}

/// Yuan text as PHP's json_encode writes a float: no trailing zeros.
fn float_yuan(fen: i64) -> String {
    match fen % 100 {
        0 => format!("{}", fen / 100),
        c if c % 10 == 0 => format!("{}.{}", fen / 100, c / 10),
        c => format!("{}.{:02}", fen / 100, c),
    }
}

async fn deposit_create2card(State(sim): State<SimRef>, body: Bytes) -> Response {
    let result = (|| -> Result<Response, Fail> {
        let req = check_request(&body, DEPOSIT_CREATE2CARD)?;
        let order = new_deposit(&sim, &req, true)?;
        let actual_fen = order.data["actual_amount_fen"]
            .as_i64()
            .unwrap_or(order.amount_fen);
        let nonce = format!(
            "{:06}",
            order.gateway_id.bytes().fold(7u64, |acc, b| acc
                .wrapping_mul(31)
                .wrapping_add(u64::from(b)))
                % 1_000_000
        );
        Ok(signed_reply(
            vec![
                ("status", raw_num(1)),
                ("msg", s("success")),
                ("client_order_id", s(reply_order_no(&sim, &order.order_no))),
                ("order_id", s(order.gateway_id.clone())),
                ("err_code", s("")),
                ("err_msg", s("")),
                ("card_name", s("沙箱收款人")),
                ("card_bank", s("中国工商银行")),
                ("card_branch", s("上海分行营业部")),
                ("card_number", s("6222020200000000001")),
                (
                    "payee_amount",
                    raw_num(reply_yuan(&sim, order.amount_fen / 100)),
                ),
                ("actual_amount", raw_num(float_yuan(actual_fen))),
                ("nonce", s(nonce)),
                ("sender_name", s(req.s("sender_name"))),
            ],
            bad_sign(&sim),
        ))
    })();
    respond(result, &body)
}

// ---------- arrivals ----------

fn digits(v: &str) -> Option<i64> {
    (!v.is_empty() && v.len() <= 12 && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse().ok())
        .flatten()
}

fn shanghai(ts: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Rows every two hours (at :30), the same for the same time whatever is asked.
const ROW_EVERY: i64 = 7200;
const ROW_TEMPLATES: [(&str, &str, i64); 3] = [
    ("中国工商银行", "张三", 10037),
    ("招商银行", "李 四", 200000),
    ("中国建设银行", "王五~*", 50),
];

/// The widest `start`..`end` the simulator answers (a real gateway's history
/// query has a limit; an unbounded one made the simulator build rows for
/// centuries and grow to gigabytes).
pub const MAX_DETAIL_RANGE_SECS: i64 = 31 * 86_400;

fn arrival_rows(start: i64, end: i64) -> Vec<Vec<(&'static str, String)>> {
    let mut rows = Vec::new();
    // Only the latest 100 rows are ever answered: build no others.
    let start = start.max(end.saturating_sub(101 * ROW_EVERY));
    let first = (start - 1800).div_euclid(ROW_EVERY) + 1;
    let mut k = first;
    while k * ROW_EVERY + 1800 <= end {
        let t = k * ROW_EVERY + 1800;
        if t >= start {
            let (bank, sender, fen) = ROW_TEMPLATES[(k.rem_euclid(3)) as usize];
            rows.push(vec![
                ("time", shanghai(t)),
                ("card_num", "0001".to_string()),
                ("deposit_time", shanghai(t + 60)),
                ("amount", format!("{}.{:02}", fen / 100, fen % 100)),
                ("bank", php_encode(bank)),
                ("nonce", format!("{:06}", k.rem_euclid(1_000_000))),
                ("sender_name", php_encode(sender)),
                ("serial", format!("JSTA{k}")),
            ]);
        }
        k += 1;
    }
    // At most 100 rows, the latest ones.
    let skip = rows.len().saturating_sub(100);
    rows.split_off(skip)
}

async fn deposit_detail(State(sim): State<SimRef>, body: Bytes) -> Response {
    let result = (|| -> Result<Response, Fail> {
        let req = check_request(&body, DEPOSIT_DETAIL)?;
        let now = chrono::Utc::now().timestamp();
        let ts = digits(req.s("timestamp")).ok_or_else(|| fail("1003", "timestamp 格式错误"))?;
        if (ts - now).abs() > MAX_SKEW_SECS {
            return Err(fail("1008", "timestamp 与系统时间相差过大"));
        }
        let bound = |name: &str, default: i64| match req.s(name) {
            "" => Ok(default),
            v => digits(v).ok_or_else(|| fail("1003", format!("{name} 格式错误"))),
        };
        let start = bound("start", now - 86_400)?;
        let end = bound("end", now)?;
        if end.saturating_sub(start) > MAX_DETAIL_RANGE_SECS {
            return Err(fail("1009", "查询时间范围不能超过 31 天"));
        }
        let rows = arrival_rows(start, end);
        // Sent in document order; signed with the keys of each item sorted.
        let item_json = |row: &Vec<(&str, String)>, sorted: bool| {
            let mut r: Vec<&(&str, String)> = row.iter().collect();
            if sorted {
                r.sort_by(|a, b| a.0.cmp(b.0));
            }
            let inner: Vec<String> = r
                .iter()
                .map(|(k, v)| format!("{}:{}", json_str(k), json_str(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        };
        let sent: Vec<String> = rows.iter().map(|r| item_json(r, false)).collect();
        let signed: Vec<String> = rows.iter().map(|r| item_json(r, true)).collect();
        Ok(signed_reply(
            vec![
                ("status", raw_num(1)),
                ("msg", s("success")),
                (
                    "data",
                    Out::Raw {
                        json: format!("[{}]", sent.join(", ")),
                        signed: format!("[{}]", signed.join(",")),
                    },
                ),
                ("err_code", s("")),
                ("err_msg", s("")),
            ],
            bad_sign(&sim),
        ))
    })();
    respond(result, &body)
}

async fn cashier(State(sim): State<SimRef>, Path(order_id): Path<String>) -> Html<String> {
    let text = match sim.find_by_gateway_id(P, &order_id) {
        Some(o) => format!(
            "JSTpay 沙箱收银台：订单 {} 金额 {}.{:02} 元，状态 {:?}",
            o.order_no,
            o.amount_fen / 100,
            o.amount_fen % 100,
            o.state
        ),
        None => "JSTpay 沙箱收银台：订单不存在".to_string(),
    };
    Html(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>JSTpay sandbox</title><p>{text}</p>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_encoding_round_trip() {
        assert_eq!(
            php_encode("中国 工商~*"),
            "%E4%B8%AD%E5%9B%BD+%E5%B7%A5%E5%95%86%7E%2A"
        );
        assert_eq!(php_decode_strict("%E4%B8%AD+A").as_deref(), Some("中 A"));
        // Lower-case hex, a raw space, `~` unescaped, bad UTF-8: not PHP urlencode.
        for bad in ["%e4%b8%ad", "a b", "a~b", "%FF", "%E4%B8", "%G1", "张三"] {
            assert!(php_decode_strict(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn rows_are_deterministic_and_in_range() {
        let a = arrival_rows(1_700_000_000, 1_700_086_400);
        assert_eq!(a.len(), 12);
        assert_eq!(a, arrival_rows(1_700_000_000, 1_700_086_400));
        assert!(arrival_rows(1_700_000_000, 1_700_000_100).is_empty());
        // Only the latest 100 rows are built, whatever the range.
        let wide = arrival_rows(0, 99_999_999_999);
        assert_eq!(wide.len(), 100);
        assert_eq!(float_yuan(10030), "100.3");
        assert_eq!(float_yuan(10037), "100.37");
        assert_eq!(float_yuan(10000), "100");
    }
}
