//! The one small trait every gateway module implements, the call context it
//! gets, and what it returns. Gateway modules do signing, wire types and the
//! mapping to domain types; storing, retrying (never for creates) and deciding
//! what an error means for an order is the services' job.

use crate::domain::{OrderKind, OrderStatus, ProviderKind};
use crate::error::{CoreError, ErrorCode, FieldError, GatewayFault};
use crate::form::{FieldSpec, FormSpec, FormValues};
use crate::http::{HttpClient, HttpError, Recorder};
use crate::secret::{mask_secrets, Secret};
use crate::tr;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The non-secret settings of a merchant profile a gateway needs. Declared
/// only here: the stored `Profile` and the typed `ProfileInput` embed it
/// (flattened, so their JSON keeps these keys at the top level).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GatewayConfig {
    /// As given by the gateway's support staff; may carry a path.
    pub base_url: String,
    /// jstpay `merchant_ID`, jeepay `mchNo`, juyouke `app_id`, appkey `appKey`, xxpay `mchId`.
    pub merchant_id: String,
    /// jeepay / xxpay `appId`.
    pub app_id: Option<String>,
    /// juyouke `operator_id`.
    pub operator_id: Option<String>,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
}

/// Everything one gateway call needs. Exchanges are recorded with the secrets
/// masked, so the services can keep them in the order's history.
pub struct Call<'a> {
    pub http: &'a HttpClient,
    pub config: &'a GatewayConfig,
    pub secret: &'a Secret,
    /// xxpay: the key that signs replies and notifies, when it differs.
    pub reply_secret: Option<&'a Secret>,
    pub journal: Journal,
}

impl<'a> Call<'a> {
    pub fn new(
        http: &'a HttpClient,
        config: &'a GatewayConfig,
        secret: &'a Secret,
        reply_secret: Option<&'a Secret>,
    ) -> Self {
        Call {
            http,
            config,
            secret,
            reply_secret,
            journal: Journal::default(),
        }
    }

    /// The key replies are verified with.
    pub fn reply_key(&self) -> &Secret {
        self.reply_secret.unwrap_or(self.secret)
    }

    /// Masks this call's secrets in a text about to be kept.
    pub fn mask(&self, text: &str) -> String {
        let mut secrets = vec![self.secret];
        if let Some(r) = self.reply_secret {
            secrets.push(r);
        }
        mask_secrets(text, &secrets)
    }
}

pub use crate::http::Exchange;

impl Recorder for Call<'_> {
    fn base_url(&self) -> &str {
        &self.config.base_url
    }
    fn mask(&self, text: &str) -> String {
        Call::mask(self, text)
    }
    fn record(&self, exchange: Exchange) {
        self.journal.push(exchange);
    }
    fn describe(&self, error: &HttpError) -> String {
        GatewayError::from(error.clone()).to_string()
    }
}

#[derive(Debug, Default)]
pub struct Journal(Mutex<Vec<Exchange>>);

impl Journal {
    pub fn push(&self, e: Exchange) {
        self.0.lock().expect("journal lock").push(e);
    }
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.0.lock().expect("journal lock"))
    }
}

/// An order as a gateway sees it: for creating, and for querying a stored one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderParams {
    pub kind: OrderKind,
    /// Our merchant order number (generated or typed).
    pub order_no: String,
    pub amount_fen: i64,
    /// Validated form values (see `form::ids`), including `channel` for deposits.
    pub values: FormValues,
    /// The gateway's own order id, once known (queries may need it).
    pub provider_order_id: Option<String>,
    /// Unix milliseconds when the order was created locally.
    pub created_at_ms: i64,
}

impl OrderParams {
    pub fn value(&self, id: &str) -> Option<&str> {
        self.values
            .get(id)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }
    pub fn value_or_empty(&self, id: &str) -> &str {
        self.value(id).unwrap_or("")
    }
}

/// What a create or a query gives: a trusted reply, or what went wrong.
pub type ReplyResult = Result<Reply, GatewayError>;

/// A bank card the payer must transfer to (jstpay create2card).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CardInfo {
    pub card_name: String,
    pub card_bank: String,
    pub card_branch: String,
    pub card_number: String,
    /// What the payer must transfer exactly (may differ from the order amount).
    pub actual_amount_fen: Option<i64>,
    /// The transfer remark the payer must write (附言).
    pub nonce: Option<String>,
    pub sender_name: Option<String>,
}

/// A trusted answer about one order: its signature verified (where the gateway
/// signs that reply) and its codes mapped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reply {
    pub status: OrderStatus,
    /// The gateway's own state code (`30`, `2`, `SUCCESS`...).
    pub provider_status: Option<String>,
    /// The gateway's own text for it.
    pub provider_message: Option<String>,
    pub provider_order_id: Option<String>,
    pub pay_url: Option<String>,
    pub card: Option<CardInfo>,
    /// The merchant order number the reply names, when it names one.
    pub order_no: Option<String>,
    /// The amount the reply names, in fen, when it names one.
    pub amount_fen: Option<i64>,
    /// Other facts worth showing (pay time, fee, pay type...).
    pub extra: BTreeMap<String, String>,
}

impl Reply {
    pub fn new(status: OrderStatus) -> Self {
        Reply {
            status,
            provider_status: None,
            provider_message: None,
            provider_order_id: None,
            pay_url: None,
            card: None,
            order_no: None,
            amount_fen: None,
            extra: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BalanceReply {
    pub balance_fen: i64,
    /// Other amounts the gateway reports (withdraw limit, frozen...), labelled.
    pub details: BTreeMap<String, i64>,
}

/// jstpay deposit/detail: one arrival on the merchant's collection cards.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Arrival {
    pub serial: String,
    pub time: String,
    pub deposit_time: String,
    pub card_tail: String,
    pub amount_fen: i64,
    /// Decoded for display (sent urlencoded by the gateway).
    pub bank: String,
    pub sender_name: String,
    pub nonce: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Capabilities {
    pub payout: bool,
    pub payout_query: bool,
    pub deposit: bool,
    pub deposit_query: bool,
    pub balance: bool,
    pub arrivals: bool,
}

impl Capabilities {
    /// Payouts and their status queries.
    pub const PAYOUTS: Capabilities = Capabilities {
        payout: true,
        payout_query: true,
        deposit: false,
        deposit_query: false,
        balance: false,
        arrivals: false,
    };
    /// Payouts and deposits, each with its status query.
    pub const ORDERS: Capabilities = Capabilities {
        deposit: true,
        deposit_query: true,
        ..Capabilities::PAYOUTS
    };
    /// Payouts and deposits with their queries, and the balance.
    pub const ORDERS_BALANCE: Capabilities = Capabilities {
        balance: true,
        ..Capabilities::ORDERS
    };
    /// Everything PayDesk knows how to do.
    pub const ALL: Capabilities = Capabilities {
        balance: true,
        arrivals: true,
        ..Capabilities::ORDERS
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Payout,
    PayoutQuery,
    Deposit,
    DepositQuery,
    Balance,
    Arrivals,
    /// Reading a gateway's asynchronous callback.
    Notify,
}

impl Operation {
    pub fn label(self) -> String {
        match self {
            Operation::Payout => tr!("代付", "payouts"),
            Operation::PayoutQuery => tr!("代付查询", "payout queries"),
            Operation::Deposit => tr!("代收", "deposits"),
            Operation::DepositQuery => tr!("代收查询", "deposit queries"),
            Operation::Balance => tr!("余额查询", "balance queries"),
            Operation::Arrivals => tr!("到账记录", "arrivals"),
            Operation::Notify => tr!("异步回调", "callbacks"),
        }
    }
}

/// One callback as it arrived, before any decoding.
#[derive(Debug, Clone, Copy)]
pub struct InboundNotify<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
    pub content_type: Option<&'a str>,
    /// The raw body bytes.
    pub body: &'a [u8],
}

/// A callback whose signature verified: nothing else is ever built. Matching it
/// against the stored order (merchant, kind, amount, payee, gateway id) is the
/// caller's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNotify {
    pub kind: OrderKind,
    pub order_no: String,
    pub merchant_id: Option<String>,
    pub app_id: Option<String>,
    /// The amount to match against the order, in fen.
    pub amount_fen: Option<i64>,
    /// What was really credited, when the callback says it differs.
    pub credited_fen: Option<i64>,
    pub provider_order_id: Option<String>,
    /// `None`: not final, or no status: the callback moves nothing.
    pub status: Option<OrderStatus>,
    /// jstpay `action=receive`: a question about the order, not a result.
    pub receive_check: bool,
    /// Decoded payee values keyed by payout-form field id (`form::ids`).
    pub payee: BTreeMap<String, String>,
    pub provider_status: Option<String>,
    pub provider_message: Option<String>,
    /// Every field as received (after transport decoding), for the event record.
    pub fields: BTreeMap<String, String>,
}

impl VerifiedNotify {
    pub fn new(kind: OrderKind, order_no: impl Into<String>) -> Self {
        VerifiedNotify {
            kind,
            order_no: order_no.into(),
            merchant_id: None,
            app_id: None,
            amount_fen: None,
            credited_fen: None,
            provider_order_id: None,
            status: None,
            receive_check: false,
            payee: BTreeMap::new(),
            provider_status: None,
            provider_message: None,
            fields: BTreeMap::new(),
        }
    }
}

/// How a gateway reads its callbacks: the parser over the verified key, which
/// key signs them, and the acknowledgement body. The trait's `parse_notify`
/// and `notify_ack` follow from it.
#[derive(Clone, Copy)]
pub struct NotifySpec {
    pub parse: fn(&Secret, &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError>,
    /// Signed with the profile's reply key when it has one (xxpay).
    pub reply_key: bool,
    pub ack: &'static str,
}

impl NotifySpec {
    /// Callbacks signed with the profile's key, acknowledged with `ack`.
    pub const fn new(
        parse: fn(&Secret, &InboundNotify<'_>) -> Result<VerifiedNotify, GatewayError>,
        ack: &'static str,
    ) -> Self {
        NotifySpec {
            parse,
            reply_key: false,
            ack,
        }
    }

    /// Signed with the reply key instead, when the profile has one.
    pub const fn reply_signed(self) -> Self {
        NotifySpec {
            reply_key: true,
            ..self
        }
    }
}

/// What went wrong talking to a gateway. `delivery()` says what it means for an
/// order whose create failed this way.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GatewayError {
    #[error("{}", not_offered_msg(*.provider, *.operation))]
    NotOffered {
        provider: ProviderKind,
        operation: Operation,
    },
    /// Refused before sending: nothing left the machine.
    #[error("{0}")]
    Invalid(FieldError),
    /// The request never reached the gateway (connection refused, DNS, TLS).
    #[error("{}", tr!("未能连接网关，请求未发出：{}。请检查网关地址和网络后重试。", "could not connect to the gateway, the request was not sent: {}. Check the gateway URL and the network, then try again.", .0))]
    NotSent(String),
    #[error("{}", tr!("网关未在规定时间内应答，订单可能已提交。请稍后“查询状态”确认结果，不要重复下单。", "the gateway did not answer in time; the order may have been received. Query its status later instead of creating it again."))]
    Timeout,
    #[error("{}", tr!("与网关的连接中断（{}），订单可能已提交。请稍后“查询状态”确认结果。", "the connection to the gateway broke ({}); the order may have been received. Query its status later.", .0))]
    Transport(String),
    #[error("{}", tr!("网关返回 HTTP {}，订单可能已提交。请稍后“查询状态”确认结果。", "the gateway answered HTTP {}; the order may have been received. Query its status later.", .status))]
    HttpStatus { status: u16, body: String },
    #[error("{}", tr!("网关应答格式错误（{}），结果未知。请稍后“查询状态”。", "the gateway's reply could not be read ({}); the result is unknown. Query its status later.", .0))]
    Malformed(String),
    #[error("{}", tr!("网关应答签名验证失败，应答不可信，订单状态未更新。请检查商户密钥，并稍后“查询状态”。", "the gateway's reply failed signature verification and was not trusted; the order status was not changed. Check the merchant key, then query the status later."))]
    BadSignature,
    #[error("{}", tr!("网关应答与订单不符（{}），应答不可信。请稍后“查询状态”。", "the gateway's reply does not match the order ({}); it was not trusted. Query its status later.", .0))]
    Mismatch(crate::i18n::Words),
    #[error("{}", tr!("网关应答过大，已拒收；订单可能已提交。请稍后“查询状态”确认结果。", "the gateway's reply was too large and was refused; the order may have been received. Query its status later."))]
    TooLarge,
    /// The gateway answered, but with an error that does not say whether it
    /// acted (xxpay 0010 系统错误, juyouke SYSTEMERROR): the order may exist.
    /// The text is the gateway's own code and words.
    #[error("{}", tr!("网关报告系统错误（{}），订单可能已创建。请稍后“查询状态”确认结果，不要重复下单。", "the gateway reported a system error ({}); the order may exist. Query its status later instead of creating it again.", .0))]
    Uncertain(String),
    /// The gateway answered clearly that it refuses (signature error, duplicate
    /// order number, insufficient balance...). `message` is in plain words.
    #[error("{message}")]
    Rejected { code: String, message: String },
    /// A query for an order the gateway does not know.
    #[error("{message}")]
    OrderNotFound { code: String, message: String },
}

fn not_offered_msg(p: ProviderKind, op: Operation) -> String {
    tr!(
        "{} 不提供{}",
        "{} does not offer {}",
        p.display_name(),
        op.label()
    )
}

// The gateway module converts its errors into the services' error, so that
// `error.rs` needs nothing from here (no cycle between the two).
impl From<GatewayError> for CoreError {
    fn from(e: GatewayError) -> Self {
        let field = match &e {
            GatewayError::Invalid(f) => Some(f.field.clone()),
            _ => None,
        };
        CoreError::Gateway(GatewayFault::new(e.error_code(), field, e))
    }
}

/// What a failed create means for the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Nothing reached the gateway (or it refused outright): the order failed.
    NotDelivered,
    /// The gateway may have the order: keep it `unknown` until a query settles it.
    MaybeDelivered,
}

impl GatewayError {
    pub fn delivery(&self) -> Delivery {
        match self {
            GatewayError::NotOffered { .. }
            | GatewayError::Invalid(_)
            | GatewayError::NotSent(_)
            | GatewayError::Rejected { .. } => Delivery::NotDelivered,
            _ => Delivery::MaybeDelivered,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            GatewayError::NotOffered { .. } => "not_offered",
            GatewayError::Invalid(_) => "invalid_input",
            GatewayError::NotSent(_) => "not_sent",
            GatewayError::Timeout => "timeout",
            GatewayError::Transport(_) => "transport",
            GatewayError::HttpStatus { .. } => "http_status",
            GatewayError::Malformed(_) => "malformed_reply",
            GatewayError::BadSignature => "bad_signature",
            GatewayError::Mismatch(_) => "reply_mismatch",
            GatewayError::TooLarge => "reply_too_large",
            GatewayError::Uncertain(_) => "uncertain",
            GatewayError::Rejected { .. } => "rejected",
            GatewayError::OrderNotFound { .. } => "order_not_found",
        }
    }

    /// The code services report this failure under.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            GatewayError::NotOffered { .. } => ErrorCode::NotOffered,
            GatewayError::Invalid(_) => ErrorCode::InvalidInput,
            _ => ErrorCode::Gateway,
        }
    }

    pub fn not_offered(provider: ProviderKind, operation: Operation) -> Self {
        GatewayError::NotOffered {
            provider,
            operation,
        }
    }

    pub fn malformed(detail: impl std::fmt::Display) -> Self {
        GatewayError::Malformed(detail.to_string())
    }
}

impl From<HttpError> for GatewayError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::NotSent(m) => GatewayError::NotSent(m),
            HttpError::Timeout => GatewayError::Timeout,
            HttpError::Transport(m) => GatewayError::Transport(m),
            HttpError::Status { status, body } => GatewayError::HttpStatus { status, body },
            HttpError::TooLarge => GatewayError::TooLarge,
            HttpError::NotUtf8 => GatewayError::malformed("reply is not UTF-8"),
        }
    }
}

impl From<FieldError> for GatewayError {
    fn from(e: FieldError) -> Self {
        GatewayError::Invalid(e)
    }
}

/// One gateway. One method per operation; capabilities say which are offered,
/// and the defaults refuse clearly.
#[async_trait]
pub trait Gateway: Send + Sync {
    fn provider(&self) -> ProviderKind;

    fn capabilities(&self) -> Capabilities;

    /// The payout form, when the gateway offers payouts.
    fn payout_form(&self) -> Option<FormSpec> {
        None
    }

    /// The deposit form, when the gateway offers deposits.
    fn deposit_form(&self) -> Option<FormSpec> {
        None
    }

    /// What a status query needs besides the order number, for an order that is
    /// not in the local history (jstpay needs the card number and the amount).
    fn lookup_fields(&self, _kind: OrderKind) -> Vec<FieldSpec> {
        Vec::new()
    }

    /// Checks beyond the form description that need the whole order (a
    /// condition across fields, a wire limit). Runs before anything is stored.
    fn check(&self, _order: &OrderParams) -> Result<(), FieldError> {
        Ok(())
    }

    async fn create_payout(
        &self,
        _call: &Call<'_>,
        _order: &OrderParams,
    ) -> Result<Reply, GatewayError> {
        Err(GatewayError::not_offered(
            self.provider(),
            Operation::Payout,
        ))
    }

    async fn create_deposit(
        &self,
        _call: &Call<'_>,
        _order: &OrderParams,
    ) -> Result<Reply, GatewayError> {
        Err(GatewayError::not_offered(
            self.provider(),
            Operation::Deposit,
        ))
    }

    /// Ask the gateway for the live status of one order (payout or deposit).
    async fn query(&self, _call: &Call<'_>, order: &OrderParams) -> Result<Reply, GatewayError> {
        let op = match order.kind {
            OrderKind::Payout => Operation::PayoutQuery,
            OrderKind::Deposit => Operation::DepositQuery,
        };
        Err(GatewayError::not_offered(self.provider(), op))
    }

    async fn balance(&self, _call: &Call<'_>) -> Result<BalanceReply, GatewayError> {
        Err(GatewayError::not_offered(
            self.provider(),
            Operation::Balance,
        ))
    }

    /// Arrivals between two Unix times (seconds).
    async fn arrivals(
        &self,
        _call: &Call<'_>,
        _start: Option<i64>,
        _end: Option<i64>,
    ) -> Result<Vec<Arrival>, GatewayError> {
        Err(GatewayError::not_offered(
            self.provider(),
            Operation::Arrivals,
        ))
    }

    /// How this gateway's callbacks are read, when it sends any.
    fn notify_spec(&self) -> Option<NotifySpec> {
        None
    }

    /// Verify and read a callback: `BadSignature` when it does not verify,
    /// `Malformed` when it cannot be read, `NotOffered` when the gateway sends none.
    fn parse_notify(
        &self,
        _cfg: &GatewayConfig,
        secret: &Secret,
        reply_secret: Option<&Secret>,
        req: &InboundNotify<'_>,
    ) -> Result<VerifiedNotify, GatewayError> {
        let spec = self
            .notify_spec()
            .ok_or_else(|| GatewayError::not_offered(self.provider(), Operation::Notify))?;
        let key = match (spec.reply_key, reply_secret) {
            (true, Some(reply)) => reply,
            _ => secret,
        };
        (spec.parse)(key, req)
    }

    /// The exact acknowledgement body for an applied (or replayed) callback.
    fn notify_ack(&self, _n: &VerifiedNotify) -> &'static str {
        self.notify_spec().map_or("success", |s| s.ack)
    }
}
