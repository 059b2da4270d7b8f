//! Background sync: every open order (`unknown`, `pending`, `processing`) is
//! asked about at its gateway on one schedule (`schedule::SCHEDULE`), at most
//! `max_concurrent` queries at once per profile. This is the primary way an
//! order settles: callbacks can be missed. An `unknown` order is only ever
//! queried (through `PayDesk::refresh_order`), never sent again.
//!
//! The schedule state lives in `order_sync` (migration 0011), keyed by
//! `orders.id`; an open order without a row is due at its first check.

mod pg;
pub mod schedule;

use crate::domain::OrderStatus;
use crate::error::{CoreError, CoreResult};
use crate::services::PayDesk;
use crate::store::sql::{on_pool, pg, sql, Sql};
use crate::store::{now_ms, Cols, Order, OrderEvent, Pool, STATUS_CONFLICT};
use crate::tr;
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

/// Queries at once per profile when the profile sets none.
pub const DEFAULT_MAX_CONCURRENT: u32 = 4;
/// A payout open longer than this is stuck, unless its profile says otherwise.
pub const DEFAULT_STUCK_PAYOUT_MS: i64 = 30 * 60 * 1000;
/// A deposit waits for a payer, so it is given longer.
pub const DEFAULT_STUCK_DEPOSIT_MS: i64 = 2 * 60 * 60 * 1000;

/// Where an order stands in the sync schedule (the order detail shows it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncState {
    pub order_id: i64,
    /// Unix ms of the last query by the sync; `None`: never.
    pub last_checked_at: Option<i64>,
    /// Unix ms of the next query; `None`: none planned (final, awaiting
    /// approval, or the schedule is over).
    pub next_check_at: Option<i64>,
    pub attempts: i64,
    /// What the last check found, in words.
    pub last_reason: Option<String>,
    pub last_error_code: Option<String>,
    /// When the order was first seen open past its profile's stuck threshold.
    pub stuck_at: Option<i64>,
    /// No check is planned because the order awaits a checker's approval:
    /// nothing was sent, so there is nothing to ask the gateway.
    pub awaiting_approval: bool,
    /// What made a final order final, and when: the last check's finding
    /// may be older (a callback settled it since).
    pub settled: Option<Settled>,
}

/// The event that made an order final.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settled {
    pub by: SettledBy,
    /// Unix ms.
    pub at: i64,
}

/// What an order's final status came from (its event's action).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SettledBy {
    /// The gateway's callback (`notify`).
    Callback,
    /// A status query: the sync's, a refresh or a look-up.
    Query,
    /// The create's own reply (refused, or paid at once).
    Create,
    /// A checker's rejection (team mode): never sent.
    Rejection,
}

impl SettledBy {
    /// In words, for the CLI's order detail.
    pub fn label(self) -> String {
        match self {
            SettledBy::Callback => tr!("网关回调", "gateway callback"),
            SettledBy::Query => tr!("状态查询", "status query"),
            SettledBy::Create => tr!("下单回复", "the create reply"),
            SettledBy::Rejection => tr!("复核驳回", "checker's rejection"),
        }
    }

    fn of_action(action: &str) -> Option<SettledBy> {
        Some(match action {
            "notify" => SettledBy::Callback,
            "query" | "refresh" | "lookup" => SettledBy::Query,
            "create" => SettledBy::Create,
            "reject" => SettledBy::Rejection,
            _ => return None,
        })
    }
}

/// The event that made the order final with `status`: the first event with
/// that status after the order was last open (a failed order sent again
/// under its number is open again). An event recording a status that met a
/// final order (`STATUS_CONFLICT`) moved nothing and does not count.
pub fn settled_by(events: &[OrderEvent], status: OrderStatus) -> Option<Settled> {
    if !status.is_final() {
        return None;
    }
    let applied: Vec<&OrderEvent> = events
        .iter()
        .filter(|e| e.error_code.as_deref() != Some(STATUS_CONFLICT))
        .collect();
    let open_until = applied
        .iter()
        .rposition(|e| !e.status.is_final())
        .map_or(0, |i| i + 1);
    let e = applied[open_until..].iter().find(|e| e.status == status)?;
    Some(Settled {
        by: SettledBy::of_action(&e.action)?,
        at: e.at,
    })
}

/// A profile's sync settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileSync {
    pub profile_id: String,
    pub max_concurrent: u32,
    pub stuck_payout_ms: i64,
    pub stuck_deposit_ms: i64,
}

impl ProfileSync {
    fn defaults(profile_id: &str) -> Self {
        ProfileSync {
            profile_id: profile_id.to_string(),
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            stuck_payout_ms: DEFAULT_STUCK_PAYOUT_MS,
            stuck_deposit_ms: DEFAULT_STUCK_DEPOSIT_MS,
        }
    }
}

/// Something the user should hear about (the CLI prints it, the app notifies).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    Succeeded {
        order: Box<Order>,
    },
    Failed {
        order: Box<Order>,
    },
    Stuck {
        order: Box<Order>,
        reason: Option<String>,
    },
    LowBalance {
        profile: String,
        profile_id: String,
        balance_fen: i64,
        low_balance_fen: i64,
    },
}

/// An open order past its stuck threshold, with where it stands.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StuckOrder {
    pub order: Order,
    pub sync: SyncState,
}

#[derive(Debug, Clone, Default)]
pub struct PassOptions {
    /// The pass's clock (tests); the real time when `None`.
    pub now: Option<i64>,
    /// Check at most this many due orders (oldest due first).
    pub limit: Option<usize>,
    /// Also read the balances of profiles with a low-balance threshold.
    pub balances: bool,
}

/// What one pass did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PassReport {
    pub due: usize,
    pub checked: usize,
    /// Orders that reached a final state in this pass.
    pub settled: usize,
    /// Checks that ended in an error (the order stays scheduled).
    pub errors: usize,
    /// The earliest next check still planned (Unix ms).
    pub next_due_at: Option<i64>,
}

/// One due order, as the pass needs it.
struct Due {
    order_id: i64,
    profile_id: String,
    created_at: i64,
    status: OrderStatus,
}

/// What one check found, to be written to `order_sync`.
struct Checked {
    order_id: i64,
    at: i64,
    next: Option<i64>,
    reason: String,
    error_code: Option<String>,
}

/// Never an order awaiting approval (not sent) or rejected (final): team
/// mode's maker-checker statuses, in a term of their own so the first one
/// still matches the partial indexes' WHERE.
macro_rules! open {
    () => {
        "o.status NOT IN ('succeeded','failed') AND o.status NOT IN ('awaiting_approval','rejected')"
    };
}
const OPEN: &str = open!();

/// An open order still on the schedule: never checked, or with a next
/// check planned (an `order_sync` row without a plan: the schedule is over).
macro_rules! planned {
    () => {
        "(s.order_id IS NULL OR s.next_check_at IS NOT NULL)"
    };
}
/// When it is due (bind ?1: the first check's delay): its plan, or its first check.
macro_rules! due_at {
    () => {
        "COALESCE(s.next_check_at, o.created_at + ?1)"
    };
}
const PLANNED: &str = planned!();
const DUE_AT: &str = due_at!();
/// An open order is due (binds ?1: the first check's delay, ?2: now). One
/// text for the due query on both engines and PostgreSQL's re-check of a claim.
const DUE: &str = concat!(planned!(), " AND ", due_at!(), " <= ?2");

/// Remembers across passes what was already announced (low balances).
#[derive(Default)]
pub struct SyncLoop {
    low: HashSet<String>,
}

impl SyncLoop {
    /// One pass; a low balance is announced when a profile goes low, not on
    /// every pass while it stays low.
    pub async fn pass(
        &mut self,
        desk: &PayDesk,
        opts: &PassOptions,
        on_event: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> CoreResult<PassReport> {
        let report = desk.sync_pass(opts, on_event).await?;
        if opts.balances {
            for b in desk.balances().await? {
                let (Some(bal), Some(low)) = (b.balance_fen, b.low_balance_fen) else {
                    continue;
                };
                if b.low {
                    if self.low.insert(b.profile_id.clone()) {
                        on_event(SyncEvent::LowBalance {
                            profile: b.profile,
                            profile_id: b.profile_id,
                            balance_fen: bal,
                            low_balance_fen: low,
                        });
                    }
                } else {
                    self.low.remove(&b.profile_id);
                }
            }
        }
        Ok(report)
    }
}

impl PayDesk {
    /// One sync pass: query every open order that is due (at most
    /// `max_concurrent` at once per profile), plan its next check, and report
    /// orders that settled or became stuck through `on_event`.
    pub async fn sync_pass(
        &self,
        opts: &PassOptions,
        on_event: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> CoreResult<PassReport> {
        let now = opts.now.unwrap_or_else(now_ms);
        let due = self.due_orders(now, opts.limit).await?;
        let mut report = PassReport {
            due: due.len(),
            ..Default::default()
        };
        let mut by_profile: BTreeMap<String, Vec<Due>> = BTreeMap::new();
        for d in due {
            by_profile.entry(d.profile_id.clone()).or_default().push(d);
        }
        let settings = self.profile_sync_all().await?;
        let results: Mutex<Vec<(Checked, Option<SyncEvent>)>> = Mutex::new(Vec::new());
        let groups = by_profile.into_iter().map(|(pid, list)| {
            let n = settings
                .get(&pid)
                .map(|s| s.max_concurrent)
                .unwrap_or(DEFAULT_MAX_CONCURRENT)
                .max(1) as usize;
            let results = &results;
            stream::iter(list).for_each_concurrent(n, move |d| async move {
                let r = self.check_one(&d, opts.now).await;
                results.lock().expect("results lock").push(r);
            })
        });
        futures_util::future::join_all(groups).await;
        let results = results.into_inner().expect("results lock");
        let mut checked = Vec::with_capacity(results.len());
        for (c, event) in results {
            report.checked += 1;
            if c.error_code.is_some() {
                report.errors += 1;
            }
            if let Some(e) = event {
                report.settled += 1;
                on_event(e);
            }
            checked.push(c);
        }
        self.write_checked(&checked).await?;
        for s in self.mark_stuck(now).await? {
            on_event(s);
        }
        report.next_due_at = self.next_due_at().await?;
        Ok(report)
    }

    /// Queries one order and plans its next check.
    async fn check_one(&self, d: &Due, clock: Option<i64>) -> (Checked, Option<SyncEvent>) {
        let outcome = self.refresh_order(d.order_id).await;
        let at = clock.unwrap_or_else(now_ms);
        let plan = |status: OrderStatus| {
            if status.is_final() {
                None
            } else {
                schedule::next_check(d.created_at, at, &mut rand::thread_rng())
            }
        };
        match outcome {
            Ok(out) => {
                let o = out.order;
                let (reason, code, next) = match out.error {
                    // A gateway that cannot be asked will not answer later either.
                    Some(e) if e.code == "not_offered" => (e.message, Some(e.code), None),
                    Some(e) => (e.message, Some(e.code), plan(o.status)),
                    None => (describe(&o), None, plan(o.status)),
                };
                let event = if o.status.is_final() && !d.status.is_final() {
                    Some(match o.status {
                        OrderStatus::Succeeded => SyncEvent::Succeeded {
                            order: Box::new(o.clone()),
                        },
                        _ => SyncEvent::Failed {
                            order: Box::new(o.clone()),
                        },
                    })
                } else {
                    None
                };
                (
                    Checked {
                        order_id: o.id,
                        at,
                        next,
                        reason,
                        error_code: code,
                    },
                    event,
                )
            }
            Err(e) => (
                Checked {
                    order_id: d.order_id,
                    at,
                    next: plan(d.status),
                    reason: e.to_string(),
                    error_code: Some(e.code().as_str().to_string()),
                },
                None,
            ),
        }
    }

    async fn due_orders(&self, now: i64, limit: Option<usize>) -> CoreResult<Vec<Due>> {
        let p = match self.store.pools() {
            Pool::Postgres(p) => return pg::claim_due(p, now, limit).await,
            Pool::Sqlite(p) => p,
        };
        let rows = sqlx::query(DUE_ORDERS.sqlite())
            .bind(schedule::first_check(0))
            .bind(now)
            .bind(limit.map_or(-1, |l| l as i64))
            .fetch_all(p)
            .await?;
        rows.iter().map(due_from).collect()
    }

    /// Writes a pass's results, in transactions of a few hundred: a crash
    /// mid-pass only means those orders are asked about again.
    async fn write_checked(&self, list: &[Checked]) -> CoreResult<()> {
        on_pool!(self.store.pools(), |p, text| {
            for chunk in list.chunks(500) {
                let mut tx = p.begin().await?;
                for c in chunk {
                    sqlx::query(text(&WRITE_CHECKED))
                        .bind(c.order_id)
                        .bind(c.at)
                        .bind(c.next)
                        .bind(crate::services::inert_text(&c.reason))
                        .bind(&c.error_code)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
        });
        Ok(())
    }

    /// Marks open orders past their profile's threshold as stuck, once, and
    /// returns them as events.
    async fn mark_stuck(&self, now: i64) -> CoreResult<Vec<SyncEvent>> {
        if let Pool::Postgres(p) = self.store.pools() {
            let mut events = Vec::new();
            for (id, reason) in pg::mark_stuck(p, now).await? {
                events.push(SyncEvent::Stuck {
                    order: Box::new(self.store.order(id).await?),
                    reason,
                });
            }
            return Ok(events);
        }
        let rows = sqlx::query(STUCK_NEW.sqlite())
            .bind(now)
            .bind(DEFAULT_STUCK_PAYOUT_MS)
            .bind(DEFAULT_STUCK_DEPOSIT_MS)
            .fetch_all(self.store.pool())
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut events = Vec::with_capacity(rows.len());
        let mut tx = self.store.pool().begin().await?;
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            // A stuck order that was never checked stays due at its first check.
            sqlx::query(MARK_STUCK.sqlite())
                .bind(id)
                .bind(schedule::first_check(0))
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let reason: Option<String> = r.try_get("last_reason")?;
            events.push(SyncEvent::Stuck {
                order: Box::new(self.store.order(id).await?),
                reason,
            });
        }
        Ok(events)
    }

    /// The earliest planned check of any open order.
    pub async fn next_due_at(&self) -> CoreResult<Option<i64>> {
        on_pool!(self.store.pools(), |p, text| Ok(sqlx::query_scalar(text(
            &NEXT_DUE
        ))
        .bind(schedule::first_check(0))
        .fetch_one(p)
        .await?))
    }

    /// Where one order stands in the sync schedule; a final order with what
    /// settled it.
    pub async fn sync_state(&self, order_id: i64) -> CoreResult<SyncState> {
        let (mut state, status) = on_pool!(self.store.pools(), |p, text| {
            let row = sqlx::query(text(&STATE))
                .bind(order_id)
                .fetch_optional(p)
                .await?
                .ok_or_else(|| CoreError::NotFound(tr!("订单不存在", "no such order")))?;
            sync_state_of(&row)
        })?;
        if status.is_final() {
            state.settled = settled_by(&self.store.order_events(order_id).await?, status);
        }
        Ok(state)
    }

    /// Open orders past their profile's stuck threshold, oldest first, with
    /// what the last check found.
    pub async fn stuck_orders(&self, limit: u32) -> CoreResult<Vec<StuckOrder>> {
        self.stuck_orders_at(now_ms(), limit).await
    }

    /// `stuck_orders` as of `now` (Unix ms).
    pub async fn stuck_orders_at(&self, now: i64, limit: u32) -> CoreResult<Vec<StuckOrder>> {
        let states: Vec<SyncState> = on_pool!(self.store.pools(), |p, text| {
            let rows = sqlx::query(text(&STUCK))
                .bind(now)
                .bind(DEFAULT_STUCK_PAYOUT_MS)
                .bind(DEFAULT_STUCK_DEPOSIT_MS)
                .bind(limit.clamp(1, 10_000) as i64)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| sync_state_of(r).map(|(s, _)| s))
                .collect::<CoreResult<_>>()?
        });
        let mut out = Vec::with_capacity(states.len());
        for sync in states {
            out.push(StuckOrder {
                order: self.store.order(sync.order_id).await?,
                sync,
            });
        }
        Ok(out)
    }

    /// A profile's sync settings (the defaults when it set none).
    pub async fn profile_sync(&self, profile: &str) -> CoreResult<ProfileSync> {
        let p = self.store.profile(profile).await?;
        Ok(self
            .profile_sync_all()
            .await?
            .remove(&p.id)
            .unwrap_or_else(|| ProfileSync::defaults(&p.id)))
    }

    /// Changes a profile's sync settings; `None` keeps a value as it is.
    pub async fn set_profile_sync(
        &self,
        profile: &str,
        max_concurrent: Option<u32>,
        stuck_payout_ms: Option<i64>,
        stuck_deposit_ms: Option<i64>,
    ) -> CoreResult<ProfileSync> {
        let mut s = self.profile_sync(profile).await?;
        if let Some(n) = max_concurrent {
            if !(1..=64).contains(&n) {
                return Err(crate::error::FieldError::new(
                    "max_concurrent",
                    tr!(
                        "同时查询数应在 1 到 64 之间",
                        "queries at once is between 1 and 64"
                    ),
                )
                .into());
            }
            s.max_concurrent = n;
        }
        for (field, v, slot) in [
            ("stuck_payout", stuck_payout_ms, &mut s.stuck_payout_ms),
            ("stuck_deposit", stuck_deposit_ms, &mut s.stuck_deposit_ms),
        ] {
            if let Some(ms) = v {
                if ms < 60_000 {
                    return Err(crate::error::FieldError::new(
                        field,
                        tr!(
                            "卡单阈值至少 1 分钟",
                            "the stuck threshold is at least 1 minute"
                        ),
                    )
                    .into());
                }
                *slot = ms;
            }
        }
        on_pool!(self.store.pools(), |p, text| sqlx::query(text(
            &SET_PROFILE_SYNC
        ))
        .bind(&s.profile_id)
        .bind(s.max_concurrent as i64)
        .bind(s.stuck_payout_ms)
        .bind(s.stuck_deposit_ms)
        .execute(p)
        .await
        .map(drop))?;
        Ok(s)
    }

    async fn profile_sync_all(&self) -> CoreResult<BTreeMap<String, ProfileSync>> {
        on_pool!(self.store.pools(), |p, text| {
            let rows = sqlx::query(text(&PROFILE_SYNC)).fetch_all(p).await?;
            rows.iter()
                .map(|r| {
                    let s = ProfileSync {
                        profile_id: r.req_text("profile_id")?,
                        max_concurrent: r.req_int("max_concurrent")? as u32,
                        stuck_payout_ms: r.req_int("stuck_payout_ms")?,
                        stuck_deposit_ms: r.req_int("stuck_deposit_ms")?,
                    };
                    Ok((s.profile_id.clone(), s))
                })
                .collect()
        })
    }
}

/// The age past which an open order is stuck, per its profile and kind
/// (binds ?2 and ?3: the defaults).
macro_rules! stuck_age {
    () => {
        "o.created_at + CASE o.kind WHEN 'payout' \
         THEN COALESCE(ps.stuck_payout_ms, ?2) ELSE COALESCE(ps.stuck_deposit_ms, ?3) END"
    };
}

/// An open order with its profile, its schedule row and its profile's settings.
macro_rules! open_orders_from {
    () => {
        concat!(
            "FROM orders o JOIN profiles p ON p.pk = o.profile_pk \
         LEFT JOIN order_sync s ON s.order_id = o.id \
         LEFT JOIN profile_sync ps ON ps.profile_id = p.id \
         WHERE ",
            open!(),
            " AND p.removed_at IS NULL"
        )
    };
}

/// The due open orders, oldest due first (binds: the first check's delay,
/// now, at most how many). PostgreSQL claims them: each desk skips the rows
/// another is claiming (`pg::claim_due`).
static DUE_ORDERS: Sql = sql!(
    sqlite: due_orders_sql(),
    pg: format!("{} FOR UPDATE OF o SKIP LOCKED", pg(&due_orders_sql())),
);

fn due_orders_sql() -> String {
    format!(
        "SELECT o.id, p.id AS profile_id, o.created_at, o.status, {DUE_AT} AS due {} AND {DUE} \
         ORDER BY due, o.id LIMIT ?3",
        open_orders_from!()
    )
}

static WRITE_CHECKED: Sql = sql!(
    "INSERT INTO order_sync (order_id, last_checked_at, next_check_at, attempts, last_reason, last_error_code) \
     VALUES (?1, ?2, ?3, 1, ?4, ?5) \
     ON CONFLICT (order_id) DO UPDATE SET last_checked_at = excluded.last_checked_at, \
     next_check_at = excluded.next_check_at, attempts = order_sync.attempts + 1, \
     last_reason = excluded.last_reason, last_error_code = excluded.last_error_code"
);

/// Open orders past their threshold not yet marked stuck (binds: now, the
/// two default thresholds). PostgreSQL locks them, so the mark is one desk's.
static STUCK_NEW: Sql = sql!(
    sqlite: stuck_new_sql(),
    pg: format!("{} FOR UPDATE OF o SKIP LOCKED", pg(&stuck_new_sql())),
);

fn stuck_new_sql() -> String {
    format!(
        "SELECT o.id, s.last_reason {} AND s.stuck_at IS NULL AND {} <= ?1 ORDER BY o.created_at, o.id",
        open_orders_from!(),
        stuck_age!()
    )
}

/// Marks one order stuck, once (binds: id, the first check's delay, now):
/// a stuck order that was never checked stays due at its first check.
/// Another desk may have marked it since the caller's read: then nothing.
static MARK_STUCK: Sql = sql!(
    "INSERT INTO order_sync (order_id, next_check_at, stuck_at) \
     SELECT id, created_at + ?2, ?3 FROM orders WHERE id = ?1 \
     ON CONFLICT (order_id) DO UPDATE SET stuck_at = excluded.stuck_at \
     WHERE order_sync.stuck_at IS NULL"
);

static NEXT_DUE: Sql = sql!(format!(
    "SELECT MIN({DUE_AT}) FROM orders o \
     JOIN profiles p ON p.pk = o.profile_pk LEFT JOIN order_sync s ON s.order_id = o.id \
     WHERE {OPEN} AND p.removed_at IS NULL AND {PLANNED}"
));

const STATE_COLS: &str =
    "o.id, o.status, o.created_at, s.order_id AS has_row, s.last_checked_at, s.next_check_at, \
     s.attempts, s.last_reason, s.last_error_code, s.stuck_at";

static STATE: Sql = sql!(format!(
    "SELECT {STATE_COLS} FROM orders o LEFT JOIN order_sync s ON s.order_id = o.id WHERE o.id = ?1"
));

/// Open orders past their threshold (binds: now, the two default
/// thresholds, at most how many).
static STUCK: Sql = sql!(format!(
    "SELECT {STATE_COLS} {} AND {} <= ?1 ORDER BY o.created_at, o.id LIMIT ?4",
    open_orders_from!(),
    stuck_age!()
));

static SET_PROFILE_SYNC: Sql = sql!(
    "INSERT INTO profile_sync (profile_id, max_concurrent, stuck_payout_ms, stuck_deposit_ms) VALUES (?1,?2,?3,?4) \
     ON CONFLICT (profile_id) DO UPDATE SET max_concurrent = excluded.max_concurrent, \
     stuck_payout_ms = excluded.stuck_payout_ms, stuck_deposit_ms = excluded.stuck_deposit_ms"
);

static PROFILE_SYNC: Sql = sql!("SELECT * FROM profile_sync");

/// Where an order stands, from a `STATE_COLS` row of either engine.
fn sync_state_of<R: Cols>(r: &R) -> CoreResult<(SyncState, OrderStatus)> {
    let status = OrderStatus::parse(&r.req_text("status")?).unwrap_or(OrderStatus::Unknown);
    // Only a sent order is asked about: not one awaiting approval.
    let open = status.is_open();
    let created_at = r.req_int("created_at")?;
    let state = SyncState {
        order_id: r.req_int("id")?,
        last_checked_at: r.int("last_checked_at")?,
        // Never checked: due at the first step of the schedule.
        next_check_at: match (open, r.int("has_row")?) {
            (false, _) => None,
            (true, None) => Some(schedule::first_check(created_at)),
            (true, Some(_)) => r.int("next_check_at")?,
        },
        attempts: r.int("attempts")?.unwrap_or(0),
        last_reason: r.text("last_reason")?,
        last_error_code: r.text("last_error_code")?,
        stuck_at: r.int("stuck_at")?,
        awaiting_approval: status == OrderStatus::AwaitingApproval,
        settled: None,
    };
    Ok((state, status))
}

/// A due order, from a `DUE_ORDERS` row of either engine.
fn due_from<R: Cols>(r: &R) -> CoreResult<Due> {
    Ok(Due {
        order_id: r.req_int("id")?,
        profile_id: r.req_text("profile_id")?,
        created_at: r.req_int("created_at")?,
        status: OrderStatus::parse(&r.req_text("status")?).unwrap_or(OrderStatus::Unknown),
    })
}

/// The last check's finding in words: the status and the gateway's own code and text.
fn describe(o: &Order) -> String {
    let mut s = o.status.label();
    let gw: Vec<&str> = [o.provider_status.as_deref(), o.provider_message.as_deref()]
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .collect();
    if !gw.is_empty() {
        s.push_str(&format!(" ({})", gw.join(" ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    fn ev(at: i64, action: &str, status: OrderStatus, code: Option<&str>) -> OrderEvent {
        OrderEvent {
            id: at,
            order_id: 1,
            at,
            action: action.into(),
            status,
            provider_status: None,
            provider_message: None,
            message: None,
            error_code: code.map(str::to_string),
            exchanges: Vec::new(),
        }
    }

    /// What settled a final order, as a table: (its events, its status) →
    /// the settling event's kind and time.
    #[test]
    fn the_event_that_made_an_order_final_is_found() {
        let conflict = Some(STATUS_CONFLICT);
        type Case = (Vec<OrderEvent>, OrderStatus, Option<(SettledBy, i64)>);
        let cases: Vec<Case> = vec![
            // Open: nothing settled it yet.
            (vec![ev(1, "create", Pending, None)], Pending, None),
            // A callback, then a replay and a late query that moves nothing.
            (
                vec![
                    ev(1, "create", Pending, None),
                    ev(2, "query", Pending, None),
                    ev(3, "notify", Succeeded, None),
                    ev(4, "notify", Succeeded, None),
                    ev(5, "query", Processing, conflict),
                ],
                Succeeded,
                Some((SettledBy::Callback, 3)),
            ),
            // The sync's query; a later callback saying otherwise met a final order.
            (
                vec![
                    ev(1, "create", Unknown, None),
                    ev(2, "query", Failed, None),
                    ev(3, "notify", Succeeded, conflict),
                ],
                Failed,
                Some((SettledBy::Query, 2)),
            ),
            // Refused at once by the create's reply.
            (
                vec![
                    ev(1, "create", Unknown, None),
                    ev(2, "create", Failed, Some("refused")),
                ],
                Failed,
                Some((SettledBy::Create, 2)),
            ),
            // Failed, sent again under its number (open again), then paid.
            (
                vec![
                    ev(1, "create", Failed, None),
                    ev(2, "create", Unknown, None),
                    ev(3, "query", Succeeded, None),
                ],
                Succeeded,
                Some((SettledBy::Query, 3)),
            ),
            // Rejected by a checker (team mode).
            (
                vec![
                    ev(1, "submit", AwaitingApproval, None),
                    ev(2, "reject", Rejected, None),
                ],
                Rejected,
                Some((SettledBy::Rejection, 2)),
            ),
        ];
        for (i, (events, status, want)) in cases.into_iter().enumerate() {
            let got = settled_by(&events, status).map(|s| (s.by, s.at));
            assert_eq!(got, want, "case {i}");
        }
    }
}
