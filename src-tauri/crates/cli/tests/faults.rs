//! Reliability item 1, the fault matrix: for each of the five gateways and
//! each fault (wrong signature, HTTP 500, malformed JSON, timeout, connection
//! refused, a reply naming another order, a reply naming another amount), on
//! create and on a status query. The order must end in the right state (never
//! `succeeded` on an untrusted reply, `unknown` when the request may have
//! arrived, `failed` only when nothing was sent), the user must get a message
//! saying what happened and what to do, nothing may be lost (the order, its
//! events and its masked exchanges stay in the history), and once the fault is
//! gone a refresh must settle the order to the gateway's truth.
//!
//! Service level (the same `PayDesk` the app and the CLI call), the sandbox
//! over loopback, a 1 s client timeout. Each case prints one `FAULT-MATRIX`
//! line (run with `--nocapture` to collect the figures for docs/RELIABILITY.md).

mod support;

use paydesk_core::domain::{OrderStatus, ProviderKind};
use paydesk_core::i18n::{set_lang, Lang};
use paydesk_core::services::{OrderOutcome, PayDesk};
use paydesk_sandbox::{FaultKind, FaultSpec, Running, SimState};
use support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    BadSign,
    Http500,
    Malformed,
    Timeout,
    Refused,
    WrongOrder,
    WrongAmount,
}

const FAULTS: [Fault; 7] = [
    Fault::BadSign,
    Fault::Http500,
    Fault::Malformed,
    Fault::Timeout,
    Fault::Refused,
    Fault::WrongOrder,
    Fault::WrongAmount,
];

impl Fault {
    fn tag(self) -> &'static str {
        match self {
            Fault::BadSign => "BS",
            Fault::Http500 => "HE",
            Fault::Malformed => "MF",
            Fault::Timeout => "TO",
            Fault::Refused => "CR",
            Fault::WrongOrder => "WO",
            Fault::WrongAmount => "WA",
        }
    }

    fn sandbox(self) -> Option<(FaultKind, Option<u64>)> {
        match self {
            Fault::BadSign => Some((FaultKind::BadSign, None)),
            Fault::Http500 => Some((FaultKind::Http500, None)),
            Fault::Malformed => Some((FaultKind::Malformed, None)),
            // Longer than the desk's 1 s client timeout.
            Fault::Timeout => Some((FaultKind::Delay, Some(3_000))),
            Fault::Refused => None,
            Fault::WrongOrder => Some((FaultKind::WrongOrder, None)),
            Fault::WrongAmount => Some((FaultKind::WrongAmount, None)),
        }
    }

    /// The error code the user gets, or `None` where the fault cannot occur
    /// with this gateway: appkey signs no reply and names neither the order
    /// nor the amount in a create reply, nor the amount in a query reply;
    /// jstpay's payout-create reply names no amount.
    fn expected_code(self, kind: ProviderKind, query: bool) -> Option<&'static str> {
        let na = match kind {
            ProviderKind::Appkey => match self {
                Fault::BadSign | Fault::WrongAmount => true,
                Fault::WrongOrder => !query,
                _ => false,
            },
            ProviderKind::Jstpay => self == Fault::WrongAmount && !query,
            _ => false,
        };
        if na {
            return None;
        }
        Some(match self {
            Fault::BadSign => "bad_signature",
            Fault::Http500 => "http_status",
            Fault::Malformed => "malformed_reply",
            Fault::Timeout => "timeout",
            Fault::Refused => "not_sent",
            Fault::WrongOrder | Fault::WrongAmount => "reply_mismatch",
        })
    }
}

struct Gw {
    kind: ProviderKind,
    sandbox: Running,
    desk: PayDesk,
    _dir: tempfile::TempDir,
}

const MAIN: &str = "main";
const REFUSED: &str = "refused";

impl Gw {
    async fn new(kind: ProviderKind) -> Gw {
        set_lang(Lang::En);
        let sandbox = paydesk_sandbox::spawn(0, None).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let desk = desk(dir.path()).await;
        add_profile(&desk, kind, MAIN, sandbox.base_url(kind)).await;
        add_profile(
            &desk,
            kind,
            REFUSED,
            format!("http://127.0.0.1:{}/{}", closed_port(), kind.as_str()),
        )
        .await;
        Gw {
            kind,
            sandbox,
            desk,
            _dir: dir,
        }
    }

    fn inject(&self, fault: Fault) {
        if let Some((f, delay_ms)) = fault.sandbox() {
            self.sandbox.sim.add_fault(FaultSpec {
                provider: self.kind,
                fault: f,
                delay_ms,
                times: Some(1),
            });
        }
    }

    fn sim_count(&self, no: &str) -> usize {
        self.sandbox
            .sim
            .orders()
            .iter()
            .filter(|o| o.provider == self.kind && o.order_no == no)
            .count()
    }

    /// Points the profile at a closed port (or back at the sandbox).
    async fn point(&self, profile: &str, refused: bool) {
        let url = if refused {
            format!("http://127.0.0.1:{}/{}", closed_port(), self.kind.as_str())
        } else {
            self.sandbox.base_url(self.kind)
        };
        self.desk
            .update_profile(profile, profile_input(self.kind, profile, url), None, None)
            .await
            .unwrap();
    }
}

fn says_what_to_do(message: &str) -> bool {
    ["later", "try again", "Check"]
        .iter()
        .any(|w| message.contains(w))
}

/// Nothing lost: the order is in the history with its events, the create sent
/// exactly one request, and no exchange holds a secret.
async fn assert_kept(gw: &Gw, o: &OrderOutcome, ctx: &str) {
    let found = gw.desk.find_orders(&o.order.order_no, None).await.unwrap();
    assert_eq!(found.len(), 1, "{ctx}: the order is in the history once");
    let events = gw.desk.order_events(o.order.id).await.unwrap();
    let creates: usize = events
        .iter()
        .filter(|e| e.action == "create")
        .map(|e| e.exchanges.len())
        .sum();
    assert_eq!(
        creates, 1,
        "{ctx}: one request for the create, never a retry"
    );
    let text = serde_json::to_string(&events).unwrap();
    for s in all_secrets() {
        assert!(!text.contains(s), "{ctx}: a secret is in the history");
    }
}

fn report(phase: &str, kind: ProviderKind, fault: Fault, first: &OrderOutcome, settled: &str) {
    println!(
        "FAULT-MATRIX {phase:<6} {:<8} {:<12} -> {:<8} code={:<16} then={settled}",
        kind.as_str(),
        format!("{fault:?}"),
        first.order.status.as_str(),
        first.error.as_ref().map(|e| e.code.as_str()).unwrap_or("-"),
    );
}

async fn create_case(gw: &Gw, fault: Fault) {
    let kind = gw.kind;
    let ctx = format!("{kind} create {fault:?}");
    let no = format!("FC{}{}", fault.tag(), kind.as_str().to_uppercase());
    let profile = if fault == Fault::Refused {
        REFUSED
    } else {
        MAIN
    };
    gw.inject(fault);
    let o = gw
        .desk
        .create_order(profile, order_kind(kind), &order_input(kind, &no, false))
        .await
        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
    gw.sandbox.sim.clear_faults();

    assert_ne!(o.order.status, OrderStatus::Succeeded, "{ctx}: {o:?}");
    match fault.expected_code(kind, false) {
        Some(code) => {
            let e = o
                .error
                .as_ref()
                .unwrap_or_else(|| panic!("{ctx}: no error"));
            assert_eq!(e.code, code, "{ctx}: {}", e.message);
            let want = if fault == Fault::Refused {
                OrderStatus::Failed
            } else {
                OrderStatus::Unknown
            };
            assert_eq!(o.order.status, want, "{ctx}: {}", e.message);
            assert!(says_what_to_do(&e.message), "{ctx}: {}", e.message);
            assert_eq!(
                o.order.message.as_deref(),
                Some(e.message.as_str()),
                "{ctx}"
            );
        }
        None => {
            // The fault cannot reach this gateway's create reply: the honest
            // outcome is the gateway's own answer (accepted, pending).
            assert!(o.error.is_none(), "{ctx}: {:?}", o.error);
            assert_eq!(o.order.status, OrderStatus::Pending, "{ctx}");
        }
    }
    assert_kept(gw, &o, &ctx).await;

    // Only faults that fire before the gateway acts leave it without the order.
    let arrived = !matches!(fault, Fault::Refused | Fault::Http500);
    assert_eq!(
        gw.sim_count(&no),
        arrived as usize,
        "{ctx}: sent at most once"
    );
    if fault == Fault::Refused {
        gw.point(REFUSED, false).await;
    }
    if arrived {
        gw.sandbox
            .sim
            .set_state(kind, &no, SimState::Succeeded)
            .unwrap();
    }
    let r = gw.desk.refresh_order(o.order.id).await.unwrap();
    let truth = if arrived {
        OrderStatus::Succeeded
    } else {
        OrderStatus::Failed
    };
    assert_eq!(r.order.status, truth, "{ctx}: settles to the truth: {r:?}");
    assert!(gw.sim_count(&no) <= 1, "{ctx}: a refresh never re-sends");
    report("create", kind, fault, &o, truth.as_str());
    if fault == Fault::Refused {
        gw.point(REFUSED, true).await;
    }
}

async fn query_case(gw: &Gw, fault: Fault) {
    let kind = gw.kind;
    let ctx = format!("{kind} query {fault:?}");
    let no = format!("FQ{}{}", fault.tag(), kind.as_str().to_uppercase());
    let created = gw
        .desk
        .create_order(MAIN, order_kind(kind), &order_input(kind, &no, true))
        .await
        .unwrap();
    assert!(created.error.is_none(), "{ctx}: {:?}", created.error);
    let before = created.order.status;
    assert!(!before.is_final(), "{ctx}: an open order to query");
    // The gateway's truth moves on: a reply that cannot be trusted must not
    // be allowed to carry the order there.
    gw.sandbox
        .sim
        .set_state(kind, &no, SimState::Succeeded)
        .unwrap();
    if fault == Fault::Refused {
        gw.point(MAIN, true).await;
    }
    gw.inject(fault);
    let r = gw.desk.refresh_order(created.order.id).await.unwrap();
    gw.sandbox.sim.clear_faults();
    if fault == Fault::Refused {
        gw.point(MAIN, false).await;
    }
    match fault.expected_code(kind, true) {
        Some(code) => {
            let e = r
                .error
                .as_ref()
                .unwrap_or_else(|| panic!("{ctx}: no error"));
            assert_eq!(e.code, code, "{ctx}: {}", e.message);
            assert_eq!(
                r.order.status, before,
                "{ctx}: not moved on an untrusted answer"
            );
            assert!(says_what_to_do(&e.message), "{ctx}: {}", e.message);
        }
        None => {
            // appkey: its query reply is unsigned and names no amount, so the
            // fault cannot alter it; the answer is the gateway's truth.
            assert!(r.error.is_none(), "{ctx}: {:?}", r.error);
            assert_eq!(r.order.status, OrderStatus::Succeeded, "{ctx}");
        }
    }
    assert_kept(gw, &r, &ctx).await;
    let events = gw.desk.order_events(r.order.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.action, "query", "{ctx}");
    assert_eq!(
        last.error_code.as_deref(),
        r.error.as_ref().map(|e| e.code.as_str()),
        "{ctx}: the failed query is in the history"
    );
    let settled = gw.desk.refresh_order(created.order.id).await.unwrap();
    assert_eq!(
        settled.order.status,
        OrderStatus::Succeeded,
        "{ctx}: settles once the fault is gone: {settled:?}"
    );
    assert_eq!(gw.sim_count(&no), 1, "{ctx}");
    report("query", kind, fault, &r, settled.order.status.as_str());
}

async fn matrix(kind: ProviderKind) {
    let gw = Gw::new(kind).await;
    for f in FAULTS {
        create_case(&gw, f).await;
    }
    for f in FAULTS {
        query_case(&gw, f).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_jstpay() {
    matrix(ProviderKind::Jstpay).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_jeepay() {
    matrix(ProviderKind::Jeepay).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_juyouke() {
    matrix(ProviderKind::Juyouke).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_appkey() {
    matrix(ProviderKind::Appkey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_xxpay() {
    matrix(ProviderKind::Xxpay).await;
}

/// juyouke's withdrawal has no merchant order number: when its create reply is
/// lost, nothing can ask the gateway about it. The order stays `unknown` and a
/// refresh says plainly to check the gateway's back office or the balance;
/// it is never sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn juyouke_withdrawal_with_a_lost_reply_stays_unknown_and_says_where_to_look() {
    let gw = Gw::new(ProviderKind::Juyouke).await;
    gw.inject(Fault::Timeout);
    let input = paydesk_core::form::OrderInput {
        amount: "100".into(),
        order_no: None,
        values: Default::default(),
    };
    let o = gw
        .desk
        .create_order(MAIN, paydesk_core::OrderKind::Payout, &input)
        .await
        .unwrap();
    assert_eq!(o.order.status, OrderStatus::Unknown);
    assert_eq!(o.error.as_ref().unwrap().code, "timeout");
    let r = gw.desk.refresh_order(o.order.id).await.unwrap();
    assert_eq!(r.order.status, OrderStatus::Unknown);
    let e = r.error.unwrap();
    assert_eq!(e.code, "invalid_input");
    assert!(e.message.contains("back office"), "{}", e.message);
    assert_eq!(gw.sandbox.sim.orders().len(), 1, "sent once");
}
