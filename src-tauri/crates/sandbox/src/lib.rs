//! A simulator of the server side of all five gateways, on one port with path
//! prefixes `/jstpay`, `/jeepay`, `/juyouke`, `/appkey`, `/xxpay`. Strict about
//! signatures and fields, signing its replies, with orders that can be advanced
//! and switches for faults. It is the test peer and the app's demo mode.
//!
//! Control API (JSON), under `/_sandbox`:
//! - `POST /_sandbox/faults` `{"provider":"jstpay","fault":"bad_sign"|"http500"|"malformed"|"delay"|"wrong_order"|"wrong_amount","delay_ms":N,"times":N}`
//! - `DELETE /_sandbox/faults` clears all faults
//! - `GET /_sandbox/orders` lists orders
//! - `POST /_sandbox/orders/{provider}/{order_no}/{succeed|fail|process}` advances one
//! - `POST /_sandbox/balance/{provider}` `{"balance_fen":N}` sets a balance

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use paydesk_core::ProviderKind;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod appkey;
pub mod jeepay;
pub mod jstpay;
pub mod juyouke;
pub mod notify;
pub mod xxpay;

/// Credentials the sandbox accepts, per gateway. Sandbox profiles use these.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxCredentials {
    pub merchant_id: &'static str,
    pub app_id: Option<&'static str>,
    pub operator_id: Option<&'static str>,
    pub secret: &'static str,
    /// xxpay: the separate key that signs replies.
    pub reply_secret: Option<&'static str>,
}

/// The name the app and the CLI both give the sandbox profile of `kind`: one
/// identifier in every language (the 沙盒 / Sandbox badge says what it is).
pub fn profile_name(kind: ProviderKind) -> String {
    format!("sandbox-{}", kind.as_str())
}

/// A sandbox profile as the app and the CLI both set it up: the sandbox's
/// credentials for `kind`, its address (`sandbox_url`, without the gateway's
/// path), and notify/return URLs on the sandbox (the gateways that need one
/// refuse a profile without it). The notify URL starts as `unattached_notify_url`
/// (the sandbox sends nothing there) until `point_profiles` gives it a
/// listener. Returns the input and the keys to save.
pub fn profile_input(
    kind: ProviderKind,
    sandbox_url: &str,
    name: String,
) -> (
    paydesk_core::services::ProfileInput,
    paydesk_core::Secret,
    Option<paydesk_core::Secret>,
) {
    let c = credentials(kind);
    let root = sandbox_url.trim_end_matches('/');
    let input = paydesk_core::services::ProfileInput {
        name,
        provider: Some(kind),
        gateway: paydesk_core::gateway::GatewayConfig {
            base_url: format!("{root}/{}", kind.as_str()),
            merchant_id: c.merchant_id.into(),
            app_id: c.app_id.map(String::from),
            operator_id: c.operator_id.map(String::from),
            notify_url: Some(unattached_notify_url(root)),
            return_url: Some(format!("{root}/_sandbox/return")),
        },
        low_balance_fen: None,
        approval_threshold_fen: None,
        sandbox: true,
    };
    (
        input,
        paydesk_core::Secret::new(c.secret),
        c.reply_secret.map(paydesk_core::Secret::new),
    )
}

/// The path of a notify URL that names no listener: the sandbox sends no
/// callback (and no JSTpay receive check) to it, as to an order without a
/// notify URL, so a sandbox profile without a listener still pays out.
pub const UNATTACHED_NOTIFY_PATH: &str = "/_sandbox/notify";

/// A sandbox profile's notify URL while no listener receives its callbacks.
pub fn unattached_notify_url(sandbox_url: &str) -> String {
    format!(
        "{}{UNATTACHED_NOTIFY_PATH}",
        sandbox_url.trim_end_matches('/')
    )
}

/// Points every sandbox profile of `desk` at `running` (its gateway URLs) and
/// its callbacks at the listener at `listener` (`http://host:port`), each to
/// `/notify/<profile id>`; with no listener, at `unattached_notify_url`.
/// The app calls this when it starts and after adding sandbox profiles, so
/// demo mode receives the sandbox's callbacks for real.
pub async fn point_profiles(
    desk: &paydesk_core::services::PayDesk,
    running: &Running,
    listener: Option<&str>,
) -> Result<(), paydesk_core::error::CoreError> {
    for p in desk.profiles().await?.iter().filter(|p| p.profile.sandbox) {
        let pr = &p.profile;
        let base_url = running.base_url(pr.provider);
        let notify_url = match listener {
            Some(l) => paydesk_core::notify::notify_url(l, &pr.id),
            None => unattached_notify_url(&format!("http://{}", running.addr)),
        };
        let g = &pr.gateway;
        if g.base_url == base_url && g.notify_url.as_deref() == Some(notify_url.as_str()) {
            continue;
        }
        let mut input = paydesk_core::services::ProfileInput::from(pr);
        input.gateway.base_url = base_url;
        input.gateway.notify_url = Some(notify_url);
        desk.update_profile(&pr.id, input, None, None).await?;
    }
    Ok(())
}

pub fn credentials(kind: ProviderKind) -> SandboxCredentials {
    match kind {
        ProviderKind::Jstpay => SandboxCredentials {
            merchant_id: "JSTSANDBOX",
            app_id: None,
            operator_id: None,
            secret: "sandbox-jstpay-hash-key",
            reply_secret: None,
        },
        ProviderKind::Jeepay => SandboxCredentials {
            merchant_id: "M1700000001",
            app_id: Some("64b1f3c2e4b0sandboxapp01"),
            operator_id: None,
            secret: "sandbox-jeepay-key-0123456789abcdef",
            reply_secret: None,
        },
        ProviderKind::Juyouke => SandboxCredentials {
            merchant_id: "JYKSANDBOX01",
            app_id: None,
            operator_id: Some("OP001"),
            secret: "sandbox-juyouke-key",
            reply_secret: None,
        },
        ProviderKind::Appkey => SandboxCredentials {
            merchant_id: "AKSANDBOX",
            app_id: None,
            operator_id: None,
            secret: "sandbox-appkey-key",
            reply_secret: None,
        },
        ProviderKind::Xxpay => SandboxCredentials {
            merchant_id: "20001222",
            app_id: Some("0ae8be35ff634e2abe94f5f32f6d5c4f"),
            operator_id: None,
            secret: "sandbox-xxpay-request-key",
            reply_secret: Some("sandbox-xxpay-reply-key"),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Replies carry a wrong signature.
    BadSign,
    /// HTTP 500 without touching any order.
    Http500,
    /// The request is processed, then the reply body is not valid JSON.
    Malformed,
    /// The request is processed, then the reply waits `delay_ms`.
    Delay,
    /// The reply names another merchant order number.
    WrongOrder,
    /// The reply names another amount.
    WrongAmount,
    /// JSTpay: the next payout's receive check names another payee account
    /// (signed correctly), as a forged payout would: the merchant must refuse it.
    TamperedReceiveCheck,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultSpec {
    pub provider: ProviderKind,
    pub fault: FaultKind,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// How many replies it applies to; forever when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimState {
    /// Created, waiting (payment, acceptance).
    Pending,
    Processing,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimOrder {
    pub provider: ProviderKind,
    /// `payout` or `deposit`.
    pub kind: String,
    /// The merchant order number (juyouke withdrawals: the gateway's own id).
    pub order_no: String,
    /// The gateway's own id for it.
    pub gateway_id: String,
    pub amount_fen: i64,
    pub state: SimState,
    pub created_at: i64,
    /// Whatever the gateway module wants to remember (payee, channel...).
    pub data: serde_json::Value,
}

/// The merchant order number is already taken at this gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate;

/// Shared state of the simulator.
pub struct Sim {
    faults: Mutex<Vec<FaultSpec>>,
    orders: Mutex<HashMap<(ProviderKind, String), SimOrder>>,
    balances: Mutex<HashMap<ProviderKind, i64>>,
    seq: std::sync::atomic::AtomicU64,
    /// Create requests per merchant order number, duplicates included: tests
    /// prove that an order number was created exactly once.
    creates: Mutex<HashMap<(ProviderKind, String), u32>>,
    /// Demo mode: orders move on by themselves after this long.
    pub auto_advance: Option<Duration>,
    /// How settled orders' callbacks are sent (see `notify`).
    notify: Mutex<notify::NotifyOptions>,
    /// Every callback delivery attempt, in order.
    deliveries: notify::Deliveries,
}

impl Sim {
    pub fn new(auto_advance: Option<Duration>) -> Arc<Sim> {
        let balances = ProviderKind::ALL
            .iter()
            .map(|p| (*p, 100_000_000i64))
            .collect();
        Arc::new(Sim {
            faults: Mutex::new(Vec::new()),
            orders: Mutex::new(HashMap::new()),
            balances: Mutex::new(balances),
            seq: std::sync::atomic::AtomicU64::new(1),
            creates: Mutex::new(HashMap::new()),
            auto_advance,
            notify: Mutex::new(notify::NotifyOptions::default()),
            deliveries: Default::default(),
        })
    }

    /// Scales the callbacks' retry schedule and drops a share of them.
    pub fn set_notify_options(&self, opts: notify::NotifyOptions) {
        *self.notify.lock().unwrap() = opts;
    }

    /// Every callback delivery attempt so far.
    pub fn deliveries(&self) -> Vec<notify::Delivery> {
        self.deliveries.lock().unwrap().clone()
    }

    /// JSTpay asks the merchant to confirm a payout it has just accepted. The
    /// payout is held (not advanced by demo mode) until the answer comes; an
    /// answer other than exactly `1|OKAY` means the gateway does not pay it:
    /// it is rejected (PROVIDERS.md: the check exists to stop forged
    /// payouts). No answer at all (nothing listening, or a dropped check)
    /// holds nothing back: the sandbox then pays as without a check.
    pub fn receive_check(self: &Arc<Self>, o: &SimOrder) {
        let opts = *self.notify.lock().unwrap();
        let mut asked = o.clone();
        if self
            .take_fault(o.provider, FaultKind::TamperedReceiveCheck)
            .is_some()
        {
            // A receive check for a payout other than the one sent: the
            // merchant must refuse it.
            if let Some(n) = asked.data.pointer_mut("/sent/payee_number") {
                *n = format!("{}9", n.as_str().unwrap_or("")).into();
            }
        }
        let Some(cb) = notify::build_receive_check(&asked) else {
            return;
        };
        self.mark_receive_check(o, "sent");
        let sim = Arc::downgrade(self);
        let key = o.clone();
        let on_answer = move |answered: bool, acknowledged: bool| {
            let Some(sim) = sim.upgrade() else { return };
            match (answered, acknowledged) {
                (_, true) => sim.mark_receive_check(&key, "ok"),
                (true, false) => sim.refuse_payout(&key),
                (false, false) => sim.mark_receive_check(&key, "unanswered"),
            }
        };
        notify::send_receive_check(o.clone(), cb, opts, self.deliveries.clone(), on_answer);
    }

    fn mark_receive_check(&self, o: &SimOrder, how: &str) {
        let mut orders = self.orders.lock().unwrap();
        if let Some(o) = orders.get_mut(&(o.provider, o.order_no.clone())) {
            if let Some(d) = o.data.as_object_mut() {
                d.insert("receive_check".into(), how.into());
            }
        }
    }

    /// The merchant did not confirm the payout: the gateway rejects it
    /// unpaid (and says so in its `reject` callback).
    fn refuse_payout(&self, o: &SimOrder) {
        self.mark_receive_check(o, "refused");
        let mut orders = self.orders.lock().unwrap();
        if let Some(o) = orders.get_mut(&(o.provider, o.order_no.clone())) {
            if matches!(o.state, SimState::Pending | SimState::Processing) {
                o.state = SimState::Failed;
                self.settled(o);
            }
        }
    }

    /// Whether this payout waits for its receive check's answer, or was
    /// refused by the merchant: neither is paid.
    fn held(o: &SimOrder) -> bool {
        matches!(
            o.data.get("receive_check").and_then(|v| v.as_str()),
            Some("sent") | Some("refused")
        )
    }

    /// Demo mode: advances every order old enough (the ticker of `spawn`
    /// calls this, so callbacks arrive without anyone asking).
    pub fn advance_due(&self) {
        let keys: Vec<(ProviderKind, String)> = self
            .orders
            .lock()
            .unwrap()
            .values()
            .filter(|o| o.state == SimState::Pending)
            .map(|o| (o.provider, o.order_no.clone()))
            .collect();
        for (p, no) in keys {
            self.get_order(p, &no);
        }
    }

    /// An order just reached a final state: its gateway calls it back.
    fn settled(&self, o: &SimOrder) {
        let opts = *self.notify.lock().unwrap();
        notify::settled(o.clone(), opts, self.deliveries.clone());
    }

    /// A fresh gateway order id, e.g. `JST202400000001`.
    pub fn next_id(&self, prefix: &str) -> String {
        let n = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{prefix}{}{:08}", chrono::Utc::now().format("%Y%m%d"), n)
    }

    /// Takes (consumes one use of) a fault of this kind for this provider.
    pub fn take_fault(&self, provider: ProviderKind, kind: FaultKind) -> Option<FaultSpec> {
        let mut faults = self.faults.lock().unwrap();
        let idx = faults
            .iter()
            .position(|f| f.provider == provider && f.fault == kind)?;
        let spec = faults[idx].clone();
        if let Some(t) = faults[idx].times.as_mut() {
            *t = t.saturating_sub(1);
            if *t == 0 {
                faults.remove(idx);
            }
        }
        Some(spec)
    }

    pub fn add_fault(&self, f: FaultSpec) {
        self.faults.lock().unwrap().push(f);
    }

    pub fn clear_faults(&self) {
        self.faults.lock().unwrap().clear();
    }

    /// Inserts a new order; `Err(Duplicate)` if the merchant order number is taken.
    pub fn insert_order(&self, order: SimOrder) -> Result<SimOrder, Duplicate> {
        let mut orders = self.orders.lock().unwrap();
        let key = (order.provider, order.order_no.clone());
        *self.creates.lock().unwrap().entry(key.clone()).or_insert(0) += 1;
        if orders.contains_key(&key) {
            return Err(Duplicate);
        }
        orders.insert(key, order.clone());
        if matches!(order.state, SimState::Succeeded | SimState::Failed) {
            self.settled(&order);
        }
        Ok(order)
    }

    /// How many create requests named this order number (duplicates included).
    pub fn create_count(&self, provider: ProviderKind, order_no: &str) -> u32 {
        *self
            .creates
            .lock()
            .unwrap()
            .get(&(provider, order_no.to_string()))
            .unwrap_or(&0)
    }

    /// A create naming a taken order number, for gateways that check before
    /// inserting: counted like any create, then refused by the caller.
    pub fn duplicate_create(&self, provider: ProviderKind, order_no: &str) -> bool {
        let key = (provider, order_no.to_string());
        let dup = self.orders.lock().unwrap().contains_key(&key);
        if dup {
            *self.creates.lock().unwrap().entry(key).or_insert(0) += 1;
        }
        dup
    }

    /// The order as it stands now (demo mode advances it by age).
    pub fn get_order(&self, provider: ProviderKind, order_no: &str) -> Option<SimOrder> {
        let mut orders = self.orders.lock().unwrap();
        let o = orders.get_mut(&(provider, order_no.to_string()))?;
        if let Some(after) = self.auto_advance {
            let age = chrono::Utc::now().timestamp_millis() - o.created_at;
            if o.state == SimState::Pending && age > after.as_millis() as i64 && !Sim::held(o) {
                o.state = SimState::Succeeded;
                if o.kind == "payout" {
                    let mut b = self.balances.lock().unwrap();
                    *b.entry(provider).or_default() -= o.amount_fen;
                }
                self.settled(o);
            }
        }
        Some(o.clone())
    }

    /// Finds an order by the gateway's own id.
    pub fn find_by_gateway_id(&self, provider: ProviderKind, gateway_id: &str) -> Option<SimOrder> {
        let key = {
            let orders = self.orders.lock().unwrap();
            orders
                .values()
                .find(|o| o.provider == provider && o.gateway_id == gateway_id)
                .map(|o| o.order_no.clone())
        }?;
        self.get_order(provider, &key)
    }

    pub fn set_state(
        &self,
        provider: ProviderKind,
        order_no: &str,
        state: SimState,
    ) -> Option<SimOrder> {
        let mut orders = self.orders.lock().unwrap();
        let o = orders.get_mut(&(provider, order_no.to_string()))?;
        if state == SimState::Succeeded
            && o.data.get("receive_check").and_then(|v| v.as_str()) == Some("refused")
        {
            // A payout whose receive check the merchant refused is never paid.
            return Some(o.clone());
        }
        if o.state != SimState::Succeeded && state == SimState::Succeeded && o.kind == "payout" {
            let mut b = self.balances.lock().unwrap();
            *b.entry(provider).or_default() -= o.amount_fen;
        }
        let was_final = matches!(o.state, SimState::Succeeded | SimState::Failed);
        o.state = state;
        if !was_final && matches!(state, SimState::Succeeded | SimState::Failed) {
            self.settled(o);
        }
        Some(o.clone())
    }

    pub fn orders(&self) -> Vec<SimOrder> {
        let mut v: Vec<SimOrder> = self.orders.lock().unwrap().values().cloned().collect();
        v.sort_by_key(|o| o.created_at);
        v
    }

    pub fn balance_fen(&self, provider: ProviderKind) -> i64 {
        *self.balances.lock().unwrap().get(&provider).unwrap_or(&0)
    }

    pub fn set_balance(&self, provider: ProviderKind, fen: i64) {
        self.balances.lock().unwrap().insert(provider, fen);
    }

    /// Sum of payouts not yet failed: what a new payout must fit beside.
    pub fn committed_payouts_fen(&self, provider: ProviderKind) -> i64 {
        self.orders
            .lock()
            .unwrap()
            .values()
            .filter(|o| {
                o.provider == provider
                    && o.kind == "payout"
                    && matches!(o.state, SimState::Pending | SimState::Processing)
            })
            .map(|o| o.amount_fen)
            .sum()
    }
}

pub type SimRef = Arc<Sim>;

/// The whole simulator: five gateways and the control API.
pub fn router(sim: SimRef) -> Router {
    let gateways: [(ProviderKind, Router<SimRef>); 5] = [
        (ProviderKind::Jstpay, jstpay::router()),
        (ProviderKind::Jeepay, jeepay::router()),
        (ProviderKind::Juyouke, juyouke::router()),
        (ProviderKind::Appkey, appkey::router()),
        (ProviderKind::Xxpay, xxpay::router()),
    ];
    let mut app: Router<SimRef> = Router::new()
        .route("/_sandbox/faults", post(add_fault).delete(clear_faults))
        .route("/_sandbox/orders", get(list_orders))
        .route(
            "/_sandbox/orders/{provider}/{order_no}/{action}",
            post(advance_order),
        )
        .route("/_sandbox/balance/{provider}", post(set_balance))
        .route("/_sandbox/health", get(|| async { "ok" }))
        .route("/_sandbox/reset", delete(reset));
    for (kind, r) in gateways {
        let layered = r.layer(middleware::from_fn_with_state(
            (sim.clone(), kind),
            transport_faults,
        ));
        app = app.nest(&format!("/{}", kind.as_str()), layered);
    }
    app.with_state(sim)
}

/// Faults that act on the transport, the same for every gateway.
async fn transport_faults(
    State((sim, kind)): State<(SimRef, ProviderKind)>,
    req: Request,
    next: Next,
) -> Response {
    if sim.take_fault(kind, FaultKind::Http500).is_some() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    }
    let delay = sim.take_fault(kind, FaultKind::Delay);
    let malformed = sim.take_fault(kind, FaultKind::Malformed);
    let resp = next.run(req).await;
    if let Some(d) = delay {
        tokio::time::sleep(Duration::from_millis(d.delay_ms.unwrap_or(5_000))).await;
    }
    if malformed.is_some() {
        return Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Body::from("{\"status\":1,\"msg\":\"succ<html>"))
            .unwrap();
    }
    resp
}

async fn add_fault(State(sim): State<SimRef>, Json(f): Json<FaultSpec>) -> impl IntoResponse {
    sim.add_fault(f);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(sim): State<SimRef>) -> impl IntoResponse {
    sim.clear_faults();
    StatusCode::NO_CONTENT
}

async fn reset(State(sim): State<SimRef>) -> impl IntoResponse {
    sim.clear_faults();
    sim.orders.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

async fn list_orders(State(sim): State<SimRef>) -> Json<Vec<SimOrder>> {
    Json(sim.orders())
}

async fn advance_order(
    State(sim): State<SimRef>,
    Path((provider, order_no, action)): Path<(String, String, String)>,
) -> Response {
    let Some(p) = ProviderKind::parse(&provider) else {
        return (StatusCode::NOT_FOUND, "unknown provider").into_response();
    };
    let state = match action.as_str() {
        "succeed" => SimState::Succeeded,
        "fail" => SimState::Failed,
        "process" => SimState::Processing,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "action is succeed, fail or process",
            )
                .into_response()
        }
    };
    match sim.set_state(p, &order_no, state) {
        Some(o) => Json(o).into_response(),
        None => (StatusCode::NOT_FOUND, "no such order").into_response(),
    }
}

#[derive(Deserialize)]
struct BalanceBody {
    balance_fen: i64,
}

async fn set_balance(
    State(sim): State<SimRef>,
    Path(provider): Path<String>,
    Json(b): Json<BalanceBody>,
) -> Response {
    let Some(p) = ProviderKind::parse(&provider) else {
        return (StatusCode::NOT_FOUND, "unknown provider").into_response();
    };
    sim.set_balance(p, b.balance_fen);
    StatusCode::NO_CONTENT.into_response()
}

/// A running sandbox: its address and a handle that stops it when dropped.
pub struct Running {
    pub addr: SocketAddr,
    pub sim: SimRef,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    pub fn base_url(&self, kind: ProviderKind) -> String {
        format!("http://{}/{}", self.addr, kind.as_str())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Serve on 127.0.0.1:`port` (0 picks a free port) in the current tokio runtime.
pub async fn spawn(port: u16, auto_advance: Option<Duration>) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let sim = Sim::new(auto_advance);
    let app = router(sim.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    if auto_advance.is_some() {
        // Demo mode: orders settle on time by themselves (and call back),
        // not only when someone asks about them.
        let weak = Arc::downgrade(&sim);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            loop {
                tick.tick().await;
                let Some(sim) = weak.upgrade() else { break };
                sim.advance_due();
            }
        });
    }
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Running {
        addr,
        sim,
        shutdown: Some(tx),
    })
}

/// Helpers shared by the gateway modules.
pub mod util {
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    pub fn json_reply(body: String) -> Response {
        (
            StatusCode::OK,
            [("content-type", "application/json; charset=utf-8")],
            body,
        )
            .into_response()
    }

    pub fn now_ms() -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    /// Corrupts a hex signature so it no longer verifies (the bad_sign fault).
    pub fn corrupt(sign: &str) -> String {
        let mut s: Vec<char> = sign.chars().collect();
        if let Some(c) = s.first_mut() {
            *c = if *c == '0' { '1' } else { '0' };
        }
        s.into_iter().collect()
    }
}
