// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p paydesk-core --features ts --test bindings`: do not edit.
/* eslint-disable */

export type ProviderKind = "jstpay" | "jeepay" | "juyouke" | "appkey" | "xxpay";

export type OrderKind = "payout" | "deposit";

export type OrderStatus = "pending" | "processing" | "succeeded" | "failed" | "unknown" | "awaiting_approval" | "rejected";

export type Lang = "zh-CN" | "en";

export type InputKind = "text" | "account_no" | "select" | "bank" | "checkbox";

export type BankValue = "name" | "code";

export type Choice = { value: string, label_zh: string, label_en: string, };

export type Cond = { field: string, equals: string, };

export type FieldSpec = { id: string, label_zh: string, label_en: string, input: InputKind, required: boolean, 
/**
 * Required only when the condition holds (xxpay 8000 needs the payer's bank).
 */
required_when: Cond | null, 
/**
 * Shown only when the condition holds; hidden fields are not sent.
 */
shown_when: Cond | null, choices: Array<Choice>, allow_other: boolean, bank_value: BankValue | null, 
/**
 * Maximum length in characters, as the gateway documents it.
 */
max_len: number | null, default: string | null, 
/**
 * The gateway's own name for the field, shown as a hint (`payee_name`).
 */
wire_name: string | null, help_zh: string | null, help_en: string | null, };

export type AmountRule = { min_fen: number, max_fen: number | null, 
/**
 * Only whole yuan (no jiao/fen) can be sent.
 */
whole_yuan: boolean, 
/**
 * A per-day ceiling (calendar day in UTC+8), checked against stored orders.
 */
daily_max_fen: number | null, 
/**
 * The gateway's unit on the wire, for the confirm step ("元" / "分").
 */
wire_unit: string, };

export type OrderNoRule = { 
/**
 * The gateway receives our merchant order number.
 */
sent: boolean, max_len: number, 
/**
 * Wire name, e.g. `client_order_id`, `mchOrderNo`, `mrn`.
 */
wire_name: string | null, };

export type FormSpec = { provider: ProviderKind, kind: OrderKind, 
/**
 * The gateway's endpoint(s) the form feeds, for people who read the docs.
 */
operation: string, amount: AmountRule, 
/**
 * Whether the user may give a merchant order number (juyouke withdrawal has none).
 */
order_no: OrderNoRule, fields: Array<FieldSpec>, notes_zh: Array<string>, notes_en: Array<string>, };

export type OrderInput = { 
/**
 * Amount as typed, in yuan.
 */
amount: string, order_no: string | null, values: { [key in string]: string }, };

export type Bank = { name: string, 
/**
 * The gateway's code for the bank, for gateways that take a code.
 */
code: string | null, 
/**
 * Lower-case pinyin initials of the name (`zggsyh`).
 */
initials: string, };

export type Capabilities = { payout: boolean, payout_query: boolean, deposit: boolean, deposit_query: boolean, balance: boolean, arrivals: boolean, };

export type CardInfo = { card_name: string, card_bank: string, card_branch: string, card_number: string, 
/**
 * What the payer must transfer exactly (may differ from the order amount).
 */
actual_amount_fen: number | null, 
/**
 * The transfer remark the payer must write (附言).
 */
nonce: string | null, sender_name: string | null, };

export type Exchange = { method: string, url: string, request: string, http_status: number | null, response: string | null, error: string | null, elapsed_ms: number, };

export type Arrival = { serial: string, time: string, deposit_time: string, card_tail: string, amount_fen: number, 
/**
 * Decoded for display (sent urlencoded by the gateway).
 */
bank: string, sender_name: string, nonce: string, };

export type Profile = { id: string, name: string, provider: ProviderKind, has_reply_secret: boolean, sandbox: boolean, low_balance_fen: number | null, 
/**
 * Payouts at or above this need a checker's approval (team mode only;
 * 0: every payout; `None`: no approval).
 */
approval_threshold_fen: number | null, created_at: number, updated_at: number, 
/**
 * As given by the gateway's support staff; may carry a path.
 */
base_url: string, 
/**
 * jstpay `merchant_ID`, jeepay `mchNo`, juyouke `app_id`, appkey `appKey`, xxpay `mchId`.
 */
merchant_id: string, 
/**
 * jeepay / xxpay `appId`.
 */
app_id: string | null, 
/**
 * juyouke `operator_id`.
 */
operator_id: string | null, notify_url: string | null, return_url: string | null, };

export type Order = { id: number, profile_id: string, profile: string, provider: ProviderKind, sandbox: boolean, order_no: string, kind: OrderKind, amount_fen: number, channel: string | null, payee_name: string | null, account_no: string | null, bank_name: string | null, fields: { [key in string]: string }, status: OrderStatus, provider_status: string | null, provider_message: string | null, provider_order_id: string | null, pay_url: string | null, card: CardInfo | null, extra: { [key in string]: string }, message: string | null, created_by: string | null, created_at: number, updated_at: number, };

export type OrderEvent = { id: number, order_id: number, at: number, action: string, status: OrderStatus, provider_status: string | null, provider_message: string | null, message: string | null, error_code: string | null, exchanges: Array<Exchange>, };

export type OrderFilter = { profile: string | null, kind: OrderKind | null, status: OrderStatus | null, 
/**
 * Unix ms, inclusive.
 */
from_ms: number | null, 
/**
 * Unix ms, exclusive.
 */
to_ms: number | null, 
/**
 * Order number prefix, gateway order id prefix, or payee name prefix.
 */
search: string | null, 
/**
 * Keyset cursor: the `(created_at, id)` of the last row of the previous page.
 */
after: [number, number] | null, limit: number | null, };

export type OrderPage = { orders: Array<Order>, 
/**
 * Cursor for the next page, when there is one.
 */
next: [number, number] | null, };

export type BalanceReading = { profile_id: string, at: number, balance_fen: number, details: { [key in string]: number }, };

export type AuditEntry = { id: number, at: number, os_user: string, action: string, target: string | null, detail: string | null, };

export type ProfileInput = { name: string, provider: ProviderKind | null, low_balance_fen: number | null, 
/**
 * Team mode: payouts at or above this need a checker (0: every payout).
 */
approval_threshold_fen: number | null, sandbox: boolean, 
/**
 * As given by the gateway's support staff; may carry a path.
 */
base_url: string, 
/**
 * jstpay `merchant_ID`, jeepay `mchNo`, juyouke `app_id`, appkey `appKey`, xxpay `mchId`.
 */
merchant_id: string, 
/**
 * jeepay / xxpay `appId`.
 */
app_id: string | null, 
/**
 * juyouke `operator_id`.
 */
operator_id: string | null, notify_url: string | null, return_url: string | null, };

export type ProfileView = { secret_saved: boolean, capabilities: Capabilities, 
/**
 * Set when the base URL is plain `http://` (not encrypted).
 */
warning: string | null, id: string, name: string, provider: ProviderKind, has_reply_secret: boolean, sandbox: boolean, low_balance_fen: number | null, 
/**
 * Payouts at or above this need a checker's approval (team mode only;
 * 0: every payout; `None`: no approval).
 */
approval_threshold_fen: number | null, created_at: number, updated_at: number, 
/**
 * As given by the gateway's support staff; may carry a path.
 */
base_url: string, 
/**
 * jstpay `merchant_ID`, jeepay `mchNo`, juyouke `app_id`, appkey `appKey`, xxpay `mchId`.
 */
merchant_id: string, 
/**
 * jeepay / xxpay `appId`.
 */
app_id: string | null, 
/**
 * juyouke `operator_id`.
 */
operator_id: string | null, notify_url: string | null, return_url: string | null, };

export type ErrorInfo = { code: string, message: string, field: string | null, };

export type OrderOutcome = { order: Order, error: ErrorInfo | null, };

export type BalanceView = { profile: string, profile_id: string, provider: ProviderKind, sandbox: boolean, supported: boolean, balance_fen: number | null, details: { [key in string]: number }, at: number | null, low_balance_fen: number | null, low: boolean, error: ErrorInfo | null, };

export type TestResult = { ok: boolean, message: string, };

export type OrderPreview = { profile: string, provider: ProviderKind, kind: OrderKind, order_no: string, amount_fen: number, amount_text: string, amount_capital: string, values: { [key in string]: string }, form: FormSpec, };

export type Settings = { lang: Lang, 
/**
 * Refresh balances every N minutes; 0 turns it off.
 */
balance_refresh_minutes: number, 
/**
 * Re-query open orders every N minutes; 0 turns it off.
 */
order_refresh_minutes: number, };

export type AppInfo = { version: string, data_dir: string, 
/**
 * The built-in sandbox's address, when it runs.
 */
sandbox_url: string | null, 
/**
 * No profiles yet: offer the sandbox profiles.
 */
first_run: boolean, os_user: string, 
/**
 * Team mode: "host:port/db as role"; None on this desk's own file.
 */
team_database: string | null, };

export type SyncState = { order_id: number, 
/**
 * Unix ms of the last query by the sync; `None`: never.
 */
last_checked_at: number | null, 
/**
 * Unix ms of the next query; `None`: none planned (final, awaiting
 * approval, or the schedule is over).
 */
next_check_at: number | null, attempts: number, 
/**
 * What the last check found, in words.
 */
last_reason: string | null, last_error_code: string | null, 
/**
 * When the order was first seen open past its profile's stuck threshold.
 */
stuck_at: number | null, 
/**
 * No check is planned because the order awaits a checker's approval:
 * nothing was sent, so there is nothing to ask the gateway.
 */
awaiting_approval: boolean, 
/**
 * What made a final order final, and when: the last check's finding
 * may be older (a callback settled it since).
 */
settled: Settled | null, };

export type Settled = { by: SettledBy, 
/**
 * Unix ms.
 */
at: number, };

export type SettledBy = "callback" | "query" | "create" | "rejection";

export type ProfileSync = { profile_id: string, max_concurrent: number, stuck_payout_ms: number, stuck_deposit_ms: number, };

export type SyncEvent = { "event": "succeeded", order: Order, } | { "event": "failed", order: Order, } | { "event": "stuck", order: Order, reason: string | null, } | { "event": "low_balance", profile: string, profile_id: string, balance_fen: number, low_balance_fen: number, };

export type StuckOrder = { order: Order, sync: SyncState, };

export type ExportFormat = "csv" | "xlsx";

export type ColumnKind = "text" | "fen";

export type ExportColumn = { title: string, kind: ColumnKind, };

export type ExportTable = { columns: Array<ExportColumn>, rows: Array<Array<string | null>>, };

export type BatchState = "draft" | "invalid" | "running" | "paused" | "done" | "cancelled" | "awaiting_approval" | "rejected";

export type RowStatus = "invalid" | "queued" | "sending" | "pending" | "processing" | "succeeded" | "failed" | "unknown" | "cancelled";

export type RowIssue = { row: number | null, column: string | null, field: string | null, message: string, };

export type BatchWarning = { 
/**
 * `duplicate` (same account and amount), `same_file`, `empty_column`.
 */
kind: string, 
/**
 * What accepts this warning on its own: a duplicate group's key
 * (`ImportOptions::accepted_duplicates`); `None` for the others.
 */
key: string | null, rows: Array<number>, message: string, accepted: boolean, };

export type Batch = { id: number, profile: string, profile_id: string, provider: ProviderKind, state: BatchState, file_name: string, file_hash: string, rows: number, valid_rows: number, total_fen: number, total_text: string, 
/**
 * The total in Chinese capital numerals (大写), for the confirm step.
 */
total_capital: string, columns: Array<string>, errors: Array<RowIssue>, warnings: Array<BatchWarning>, pause_reason: string | null, 
/**
 * Rows by status (`show`).
 */
counts: { [key in string]: number }, created_by: string | null, created_at: number, updated_at: number, };

export type BatchRow = { row: number, order_no: string, amount_fen: number, status: RowStatus, order_id: number | null, provider_order_id: string | null, message: string | null, 
/**
 * Validated values by field id.
 */
fields: { [key in string]: string }, 
/**
 * The row's cells as read, in the file's column order.
 */
cells: Array<string>, };

export type BatchDetail = { batch: Batch, rows: Array<BatchRow>, };

export type BatchProgress = { batch_id: number, state: BatchState, 
/**
 * Rows that can be sent (valid rows).
 */
total: number, 
/**
 * Rows whose request went out (or may have).
 */
sent: number, succeeded: number, failed: number, unknown: number, 
/**
 * Pending or processing at the gateway.
 */
in_progress: number, queued: number, cancelled: number, amount_sent_fen: number, 
/**
 * Rows per second in this run.
 */
rate: number, eta_seconds: number | null, pause_reason: string | null, 
/**
 * The rows changed since the previous event, each once as it stands
 * now, in row order (empty when only the totals or the state moved).
 */
rows: Array<BatchRow>, };

export type Approval = { order_id: number, order_no: string, profile: string, provider: ProviderKind, sandbox: boolean, kind: OrderKind, amount_fen: number, payee_name: string | null, account_no: string | null, bank_name: string | null, status: OrderStatus, 
/**
 * The database role that made it, and when (ms).
 */
maker: string, made_at: number, 
/**
 * `approved` or `rejected`; None while it waits.
 */
decision: string | null, checker: string | null, decided_at: number | null, reason: string | null, };

export type ApprovalView = { 
/**
 * ¥ 1,234.56
 */
amount_text: string, 
/**
 * 壹仟贰佰叁拾肆元伍角陆分
 */
amount_capital: string, order_id: number, order_no: string, profile: string, provider: ProviderKind, sandbox: boolean, kind: OrderKind, amount_fen: number, payee_name: string | null, account_no: string | null, bank_name: string | null, status: OrderStatus, 
/**
 * The database role that made it, and when (ms).
 */
maker: string, made_at: number, 
/**
 * `approved` or `rejected`; None while it waits.
 */
decision: string | null, checker: string | null, decided_at: number | null, reason: string | null, };

export type BatchApproval = { batch_id: number, profile: string, provider: ProviderKind, file_name: string, 
/**
 * The batch's state (`awaiting_approval`, then `running`, `done`,
 * `rejected`, `cancelled`...).
 */
state: string, 
/**
 * Valid rows and their total when submitted.
 */
rows: number, total_fen: number, 
/**
 * The largest row, for the checker's eye.
 */
largest_fen: number, maker: string, made_at: number, decision: string | null, checker: string | null, decided_at: number | null, reason: string | null, };

export type BatchApprovalView = { 
/**
 * ¥ 12,345.00
 */
total_text: string, 
/**
 * 壹万贰仟叁佰肆拾伍元整
 */
total_capital: string, largest_text: string, batch_id: number, profile: string, provider: ProviderKind, file_name: string, 
/**
 * The batch's state (`awaiting_approval`, then `running`, `done`,
 * `rejected`, `cancelled`...).
 */
state: string, 
/**
 * Valid rows and their total when submitted.
 */
rows: number, total_fen: number, 
/**
 * The largest row, for the checker's eye.
 */
largest_fen: number, maker: string, made_at: number, decision: string | null, checker: string | null, decided_at: number | null, reason: string | null, };

export type ApprovalsList = { 
/**
 * False on a single desk (SQLite): there are no approvals there.
 */
team_mode: boolean, 
/**
 * This desk's database role (team mode): its own payouts cannot be
 * decided here.
 */
me: string | null, approvals: Array<ApprovalView>, 
/**
 * Batches waiting for a checker, approved or rejected as a whole.
 */
batches: Array<BatchApprovalView>, };

