//! Orders: validate, store, send once, store the answer; and ask the gateway
//! again later. What an answer does to an order is decided in `outcome`.

use super::approvals::needs_approval;
use super::notes::{localize_order, Note};
use super::outcome::{self, OrderState};
use super::profiles::check_gateway_settings;
use super::test_hooks::{self, PausePoint};
use super::{config_of, params_of, ErrorInfo, OrderOutcome, OrderPreview, PayDesk};
use crate::domain::{OrderKind, OrderStatus};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::form::{FormSpec, OrderInput};
use crate::gateway::{Call, GatewayError, OrderParams};
use crate::providers;
use crate::secret::Secret;
use crate::store::{now_ms, NewOrder, Order, OrderUpdate, OrderWrite, Profile, RowLink};
use crate::time::shanghai_day;
use crate::tr;
use crate::{money, order_no};

impl PayDesk {
    /// Validate an order without storing or sending anything (the confirm step).
    pub async fn prepare_order(
        &self,
        profile: &str,
        kind: OrderKind,
        input: &OrderInput,
    ) -> CoreResult<OrderPreview> {
        let p = self.store.profile(profile).await?;
        let (form, params) = self.validate_order(&p, kind, input).await?;
        // A typed number this profile already has is refused now, before the
        // confirm, unless create would send it again (`resendable`). (Another
        // profile of the same merchant: `validate_order`.)
        if typed_number(input) {
            let taken = taken_here(&params.order_no);
            if self.same_number(&p, &params).await?.is_some() {
                self.resendable(&p, &params, taken).await?;
            }
        }
        Ok(OrderPreview {
            profile: p.name,
            provider: p.provider,
            kind,
            order_no: params.order_no,
            amount_fen: params.amount_fen,
            amount_text: money::format_cny(params.amount_fen),
            amount_capital: money::to_chinese_capital(params.amount_fen),
            values: params.values,
            form,
        })
    }

    async fn validate_order(
        &self,
        p: &Profile,
        kind: OrderKind,
        input: &OrderInput,
    ) -> CoreResult<(FormSpec, OrderParams)> {
        let form = Self::form(p.provider, kind)?;
        let (amount_fen, values) = form.validate(input)?;
        let max_len = form.order_no.max_len.min(order_no::MAX_LEN);
        let now = now_ms();
        let typed = input
            .order_no
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let order_no = match typed {
            Some(typed) => order_no::check("order_no", typed, max_len)?,
            None => order_no::generate(kind, now),
        };
        let typed = typed.is_some();
        if let Some(daily) = form.amount.daily_max_fen {
            let (from, to) = shanghai_day(now);
            let used = self.store.sum_amount(&p.id, kind, from, to).await?;
            if used + amount_fen > daily {
                return Err(FieldError::new(
                    "amount",
                    tr!(
                        "超过该网关每日上限 {}：今日已提交 {}",
                        "over this gateway's daily limit of {}: {} already sent today",
                        money::format_cny(daily),
                        money::format_cny(used)
                    ),
                )
                .into());
            }
        }
        let params = OrderParams {
            kind,
            order_no,
            amount_fen,
            values,
            provider_order_id: None,
            created_at_ms: now,
        };
        providers::gateway(p.provider).check(&params)?;
        // A profile saved before its gateway's needs were checked.
        check_gateway_settings(p.provider, &p.gateway.notify_url)?;
        if typed {
            self.check_number_free(p, &params.order_no).await?;
        }
        Ok((form, params))
    }

    /// Refuses a number another profile on the same gateway and merchant id
    /// already used: the gateway sees one merchant, refuses the second as a
    /// duplicate, and answers queries about the first.
    async fn check_number_free(&self, p: &Profile, order_no: &str) -> CoreResult<()> {
        for o in self.store.find_orders(order_no, None).await? {
            if o.order_no != order_no || o.profile_id == p.id || o.provider != p.provider {
                continue;
            }
            let same_merchant = match self.store.profile(&o.profile_id).await {
                Ok(other) => other.gateway.merchant_id == p.gateway.merchant_id,
                // A removed profile (its merchant id is not read back): the
                // gateway is the judge.
                Err(CoreError::NotFound(_)) => false,
                Err(e) => return Err(e),
            };
            if same_merchant {
                return Err(CoreError::Conflict(tr!(
                    "订单号 {} 已被同一网关、同一商户号的商户配置“{}”使用，网关会视为重复订单。请换一个订单号",
                    "order number {} is already used by profile “{}” on the same gateway and merchant id; the gateway would take it as a duplicate. Use another number",
                    order_no,
                    o.profile
                )));
            }
        }
        Ok(())
    }

    /// Create an order: validate, store (status `unknown`), send once, store the
    /// answer. The order is returned whatever happened; `error` says what went wrong.
    pub async fn create_order(
        &self,
        profile: &str,
        kind: OrderKind,
        input: &OrderInput,
    ) -> CoreResult<OrderOutcome> {
        self.create_linked(profile, kind, input, None)
            .await?
            .ok_or_else(|| CoreError::Internal("create without a batch row was not stored".into()))
    }

    /// `create_order` for a batch row: the row is claimed in the order's
    /// insert and takes the outcome in the order's update (two commits a row,
    /// and never a row that disagrees with its order). `None`: the row was
    /// not claimed (its batch stopped, or another runner took it), nothing
    /// stored or sent. A number already stored is refused (`Conflict`), never
    /// sent again: the batch settles that order by a query.
    pub async fn create_batch_row(
        &self,
        profile: &str,
        input: &OrderInput,
        link: RowLink,
    ) -> CoreResult<Option<OrderOutcome>> {
        self.create_linked(profile, OrderKind::Payout, input, Some(link))
            .await
    }

    async fn create_linked(
        &self,
        profile: &str,
        kind: OrderKind,
        input: &OrderInput,
        link: Option<RowLink>,
    ) -> CoreResult<Option<OrderOutcome>> {
        let p = self.store.profile(profile).await?;
        let (_form, mut params) = self.validate_order(&p, kind, input).await?;
        let generated = input
            .order_no
            .as_deref()
            .is_none_or(|s| s.trim().is_empty());
        // A batch row is never submitted on its own: its batch was approved
        // as a whole before it runs (`batch/approval.rs`), and the database
        // refuses the row's order otherwise.
        if link.is_none() && needs_approval(&p, kind, params.amount_fen) {
            return self
                .submit_for_approval(&p, params, generated, Note::AwaitingApproval)
                .await
                .map(Some);
        }
        // Team mode, a payout on a desk without the profile's key: prepared
        // here, sent by a checker on a desk that holds the key (approving is
        // that desk's send). A single desk has no one else: refused below.
        // A batch row is not handed on alone: its run submits the batch as
        // a whole (`batch/approval.rs`), and the key's absence refuses it here.
        if link.is_none()
            && kind == OrderKind::Payout
            && self.store.team_mode()
            && self.key_missing(&p)?
        {
            let note = Note::AwaitingKey {
                profile: p.name.clone(),
            };
            return self
                .submit_for_approval(&p, params, generated, note)
                .await
                .map(Some);
        }
        let (secret, reply_secret) = self.secrets(&p)?;
        test_hooks::pause(PausePoint::BeforeWrite).await;
        let mut attempt = 0;
        let (id, sent_at) = loop {
            let row = NewOrder {
                profile_id: p.id.clone(),
                order_no: params.order_no.clone(),
                kind,
                amount_fen: params.amount_fen,
                fields: params.values.clone(),
                status: OrderStatus::Unknown,
                message: Some(Note::Sending.stored()),
                created_by: self.os_user.clone(),
                created_at: params.created_at_ms,
            };
            // The audit entry joins the order's transaction: neither without
            // the other, and one commit less per create.
            let detail = format!("{} {}", p.name, money::fen_to_yuan_2dp(params.amount_fen));
            let action = format!("{}.create", kind.as_str());
            let inserted = match link {
                Some(l) => {
                    self.store
                        .insert_order_claimed(&row, &self.os_user, &action, Some(&detail), l)
                        .await
                }
                None => self
                    .store
                    .insert_order_audited(&row, &self.os_user, &action, Some(&detail))
                    .await
                    .map(Some),
            };
            match inserted {
                Ok(Some(id)) => break (id, params.created_at_ms),
                Ok(None) => return Ok(None),
                // A generated number collided (astronomically rare): draw another.
                Err(CoreError::Conflict(_)) if generated && attempt < 3 => {
                    attempt += 1;
                    params.order_no = order_no::generate(kind, now_ms());
                }
                // A typed number this profile already has: sent again only
                // when its earlier request provably never left.
                Err(CoreError::Conflict(taken)) if !generated && link.is_none() => {
                    let id = self.resend_start(&p, &params, taken).await?;
                    break (id, now_ms());
                }
                // Team mode: another desk set or lowered the threshold since
                // the profile was read, and the database refused the write
                // (the threshold in force when it is written decides). Stored
                // awaiting approval instead, nothing sent. A batch row: its
                // run submits the batch (`batch/run.rs`).
                Err(e) if link.is_none() && kind == OrderKind::Payout && self.store.team_mode() => {
                    let now = self.store.profile(&p.id).await?;
                    if !needs_approval(&now, kind, params.amount_fen) {
                        return Err(e);
                    }
                    return self
                        .submit_for_approval(&now, params, generated, Note::AwaitingApproval)
                        .await
                        .map(Some);
                }
                Err(e) => return Err(e),
            }
        };
        self.send_stored(&p, id, &params, sent_at, (secret, reply_secret), link)
            .await
            .map(Some)
    }

    /// Send an order already stored as `unknown` (written as sent before
    /// its request leaves), once, and store what the gateway said: a new
    /// order, or one a checker has just approved.
    pub(super) async fn send_stored(
        &self,
        p: &Profile,
        id: i64,
        params: &OrderParams,
        sent_at: i64,
        (secret, reply_secret): (Secret, Option<Secret>),
        link: Option<RowLink>,
    ) -> CoreResult<OrderOutcome> {
        let kind = params.kind;
        test_hooks::pause(PausePoint::BeforeSend).await;
        let cfg = config_of(p);
        let call = Call::new(&self.http, &cfg, &secret, reply_secret.as_ref());
        let gw = providers::gateway(p.provider);
        let result = match kind {
            OrderKind::Payout => gw.create_payout(&call, params).await,
            OrderKind::Deposit => gw.create_deposit(&call, params).await,
        };
        let exchanges = call.journal.take();
        test_hooks::pause(PausePoint::AfterReply).await;
        let state = OrderState {
            status: OrderStatus::Unknown,
            order_no: &params.order_no,
            amount_fen: params.amount_fen,
            provider_order_id: None,
            sent_at,
        };
        let decision = outcome::on_create(&state, result);
        let error = decision.error.as_ref();
        let order = self
            .store
            .update_order(
                OrderWrite::new(id, "create", &decision.update, now_ms())
                    .error_code(error.map(|e| e.code.as_str()))
                    .exchanges(&exchanges)
                    .link(link.map(|l| (l, error.map(|e| e.message.as_str())))),
            )
            .await?;
        Ok(answer(decision, order))
    }

    /// Ask the gateway for an order's live status and store what it says.
    pub async fn refresh_order(&self, order_id: i64) -> CoreResult<OrderOutcome> {
        let order = self.store.order(order_id).await?;
        if matches!(
            order.status,
            OrderStatus::AwaitingApproval | OrderStatus::Rejected
        ) {
            // Never sent: the gateway has nothing to say about it.
            return Ok(OrderOutcome {
                order: localize_order(order),
                error: None,
            });
        }
        let p = match self.store.profile(&order.profile_id).await {
            Ok(p) => p,
            // Named by the profile's name, never by its internal id.
            Err(CoreError::NotFound(_)) => {
                return Err(CoreError::NotFound(tr!(
                "订单 {} 的商户配置“{}”已删除，无法再向网关查询",
                "order {}'s profile “{}” was removed; the gateway can no longer be asked about it",
                order.order_no,
                order.profile
            )))
            }
            Err(e) => return Err(e),
        };
        let (secret, reply_secret) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply_secret.as_ref());
        let result = providers::gateway(p.provider)
            .query(&call, &params_of(&order))
            .await;
        let exchanges = call.journal.take();
        let now = now_ms();
        let mut state = OrderState::of(&order);
        if order.status == OrderStatus::Unknown
            && matches!(result, Err(GatewayError::OrderNotFound { .. }))
        {
            // The grace period runs from the last time it was sent.
            if let Some(at) = self
                .store
                .order_events(order.id)
                .await?
                .iter()
                .filter(|e| e.action == "create")
                .map(|e| e.at)
                .max()
            {
                state.sent_at = state.sent_at.max(at);
            }
        }
        let decision = outcome::on_query(&state, result, now, self.not_found_grace_ms);
        let order = self
            .store
            .update_order(
                OrderWrite::new(order.id, "query", &decision.update, now)
                    .error_code(decision.error.as_ref().map(|e| e.code.as_str()))
                    .exchanges(&exchanges),
            )
            .await?;
        Ok(answer(decision, order))
    }

    /// Ask the gateway about each of these orders. Each one is reported: one
    /// that cannot be asked (its key is gone, its profile removed) says why in
    /// its `error` and does not stop the others. `Err` only when an id is not
    /// in the history at all.
    pub async fn refresh_orders(&self, ids: &[i64]) -> CoreResult<Vec<OrderOutcome>> {
        let mut orders = Vec::with_capacity(ids.len());
        for id in ids {
            orders.push(self.store.order(*id).await?);
        }
        Ok(self.refresh_each(orders).await)
    }

    async fn refresh_each(&self, orders: Vec<Order>) -> Vec<OrderOutcome> {
        let mut out = Vec::with_capacity(orders.len());
        for o in orders {
            match self.refresh_order(o.id).await {
                Ok(r) => out.push(r),
                Err(e) => out.push(OrderOutcome {
                    order: localize_order(o),
                    error: Some(ErrorInfo::from(&e)),
                }),
            }
        }
        out
    }

    /// Takes up a failed order again for a create under the same number, when
    /// its earlier request provably never left (`outcome::may_resend`) and
    /// the details are the same. `taken` is the store's refusal, returned
    /// when it may not be sent again. Returns the order's id.
    async fn resend_start(
        &self,
        p: &Profile,
        params: &OrderParams,
        taken: String,
    ) -> CoreResult<i64> {
        let existing = self.resendable(p, params, taken).await?;
        self.may_resend_unapproved(&existing).await?;
        let update = OrderUpdate {
            status: Some(OrderStatus::Unknown),
            message: Some(Note::Resending.stored()),
            reopen: true,
            ..Default::default()
        };
        let written = self
            .store
            .update_order(OrderWrite::new(existing.id, "create", &update, now_ms()))
            .await;
        if let Err(e) = written {
            // Another desk set the threshold just now and the team database
            // refused the resend (migrations_pg/0014): say so in words.
            self.may_resend_unapproved(&existing).await?;
            return Err(e);
        }
        let detail = format!("{} {}", p.name, money::fen_to_yuan_2dp(params.amount_fen));
        self.store
            .audit(
                &self.os_user,
                &format!("{}.resend", params.kind.as_str()),
                Some(&params.order_no),
                Some(&detail),
            )
            .await?;
        Ok(existing.id)
    }

    /// Team mode: a payout at or above its profile's approval threshold in
    /// force now is not sent again under its number unless a checker
    /// approved it (the team database refuses it too; this says why in
    /// words, before anything is written).
    pub(super) async fn may_resend_unapproved(&self, o: &Order) -> CoreResult<()> {
        let Some(pool) = self.store.team_pool() else {
            return Ok(());
        };
        let p = self.store.profile(&o.profile_id).await?;
        if !needs_approval(&p, o.kind, o.amount_fen) {
            return Ok(());
        }
        let approved = crate::store::approvals::approval(pool, o.id)
            .await?
            .is_some_and(|a| a.decision.as_deref() == Some("approved"));
        if approved {
            return Ok(());
        }
        let threshold = money::fen_to_yuan_2dp(p.approval_threshold_fen.unwrap_or(0));
        Err(CoreError::Conflict(tr!(
            "代付 {} 的金额达到商户配置“{}”的审批阈值 {} 元，原订单号不能直接重发（未发送）。请用新的订单号提交，它会进入审批",
            "payout {} is at or above profile “{}”'s approval threshold of {} yuan: it is not sent again under its number (nothing was sent). Create it under a new order number and it goes for approval",
            o.order_no,
            p.name,
            threshold
        )))
    }

    /// This profile's order with the number, if any.
    async fn same_number(&self, p: &Profile, params: &OrderParams) -> CoreResult<Option<Order>> {
        Ok(self
            .store
            .find_orders(&params.order_no, Some(&p.id))
            .await?
            .into_iter()
            .find(|o| o.order_no == params.order_no))
    }

    /// The profile's order with this number, when it may be sent again: its
    /// earlier request provably never left and the details are the same.
    /// Otherwise `Conflict(taken)` (or why the details must match).
    pub(super) async fn resendable(
        &self,
        p: &Profile,
        params: &OrderParams,
        taken: String,
    ) -> CoreResult<Order> {
        let Some(existing) = self.same_number(p, params).await? else {
            return Err(CoreError::Conflict(taken));
        };
        let events = self.store.order_events(existing.id).await?;
        let resendable = outcome::may_resend(
            existing.status,
            events
                .iter()
                .map(|e| (e.action.as_str(), e.error_code.as_deref())),
        );
        if !resendable {
            return Err(CoreError::Conflict(taken));
        }
        if existing.kind != params.kind
            || existing.amount_fen != params.amount_fen
            || existing.fields != params.values
        {
            return Err(CoreError::Conflict(tr!(
                "订单号 {} 此前未发出；用同一订单号再次提交时，金额和内容须与原单相同，否则请换一个订单号",
                "order number {} was not sent before; sending it again needs the same amount and details, or use a new number",
                params.order_no
            )));
        }
        Ok(existing)
    }

    /// Re-query every order that is not final; each one is reported.
    pub async fn refresh_open(&self) -> CoreResult<Vec<OrderOutcome>> {
        let open = self.store.open_orders().await?;
        Ok(self.refresh_each(open).await)
    }
}

/// The answer to a create or a query once its decision is stored: the
/// decision's error, or else why a status it asked for was not taken.
fn answer(decision: outcome::Decision, order: Order) -> OrderOutcome {
    let asked = decision.update.status;
    let error = decision.error.or_else(|| refused_move(asked, &order));
    OrderOutcome {
        order: localize_order(order),
        error,
    }
}

/// The store keeps a final order as it is, whatever was decided from an
/// earlier read (a callback may have settled it meanwhile): say so.
fn refused_move(asked: Option<OrderStatus>, order: &Order) -> Option<ErrorInfo> {
    let reported = asked.filter(|s| *s != order.status)?;
    let note = Note::StatusConflict {
        reported,
        stored: order.status,
    };
    Some(ErrorInfo {
        code: outcome::STATUS_CONFLICT.into(),
        message: note.render(),
        field: None,
    })
}

fn typed_number(input: &OrderInput) -> bool {
    input
        .order_no
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
}

/// The refusal of a number this profile already used (as the store words it).
fn taken_here(order_no: &str) -> String {
    tr!(
        "商户订单号 {} 已存在，不能重复下单",
        "merchant order number {} already exists; an order is never sent twice",
        order_no
    )
}
