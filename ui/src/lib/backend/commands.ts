// Every IPC command the UI calls, declared once: name → [args, result].
import type {
  AppInfo, Arrival, BalanceReading, BalanceView, Bank, ErrorInfo, ExportFormat, ExportTable, FieldSpec, FormSpec, Order, OrderEvent,
  OrderFilter, OrderInput, OrderKind, OrderOutcome, OrderPage, OrderPreview, ProfileInput, ProfileView,
  ProviderKind, Settings, StuckOrder, SyncState, TestResult,
} from '../bindings';
import type { ApprovalsList, Batch, BatchDetail } from '../bindings';
import type { CommandName } from './commandNames';

type None = Record<string, never>;

/** The orders screen's badge (src-tauri/src/commands.rs `OrderCounts`). */
export interface OrderCounts {
  open: number;
  stuck: number;
}
/** Which desktop alerts are on (src-tauri/src/state.rs `AlertPrefs`). */
export interface AlertPrefs {
  payout_succeeded: boolean;
  payout_failed: boolean;
  stuck: boolean;
  low_balance: boolean;
  badge: boolean;
}
/** The callback listener (src-tauri/src/commands.rs `ListenerStatus`). */
export interface ListenerStatus {
  enabled: boolean;
  bind: string;
  addr: string | null;
  error: string | null;
  urls: { profile: string; id: string; url: string }[];
}
export interface RaisedAlert {
  kind: string;
  title: string;
  body: string;
  at: number;
}

/** Why the desk's database could not be opened at start (src-tauri/src/state.rs `StartProblem`), in both languages. */
export interface StartProblem {
  zh: string;
  en: string;
}

export interface Commands {
  app_info: [None, AppInfo];
  start_problem: [None, StartProblem | null];
  get_settings: [None, Settings];
  save_settings: [{ settings: Settings }, null];
  list_profiles: [None, ProfileView[]];
  save_profile: [{ id: string | null; input: ProfileInput; secret: string | null; replySecret: string | null }, ProfileView];
  remove_profile: [{ id: string }, null];
  test_profile: [{ id: string }, TestResult];
  add_sandbox_profiles: [None, ProfileView[]];
  get_form: [{ provider: ProviderKind; kind: OrderKind }, FormSpec];
  lookup_fields: [{ provider: ProviderKind; kind: OrderKind }, FieldSpec[]];
  search_banks: [{ provider: ProviderKind; query: string }, Bank[]];
  prepare_order: [{ profile: string; kind: OrderKind; input: OrderInput }, OrderPreview];
  create_order: [{ profile: string; kind: OrderKind; input: OrderInput }, OrderOutcome];
  refresh_order: [{ id: number }, OrderOutcome];
  refresh_open: [None, OrderOutcome[]];
  find_orders: [{ query: string }, Order[]];
  lookup_remote: [
    { profile: string; kind: OrderKind; orderNo: string; amount: string; values: Record<string, string> },
    OrderOutcome,
  ];
  list_orders: [{ filter: OrderFilter }, OrderPage];
  order_events: [{ id: number }, OrderEvent[]];
  balances: [None, BalanceView[]];
  balance: [{ profile: string }, BalanceView];
  balance_history: [{ profile: string; limit: number }, BalanceReading[]];
  set_low_balance: [{ profile: string; lowBalanceFen: number | null }, ProfileView];
  arrivals: [{ profile: string; start: number | null; end: number | null }, Arrival[]];
  qr_svg: [{ text: string }, string];
  open_pay_url: [{ url: string }, null];
  /** Opens a save dialog; null when the user cancelled. */
  save_export: [{ fileName: string; format: ExportFormat; table: ExportTable }, string | null];
  open_folder: [{ path: string }, null];
  ui_ready: [None, null];
  sync_state: [{ id: number }, SyncState];
  stuck_orders: [None, StuckOrder[]];
  order_counts: [None, OrderCounts];
  get_alert_prefs: [None, AlertPrefs];
  save_alert_prefs: [{ prefs: AlertPrefs }, null];
  /** Test hook: the desktop alerts raised since start. */
  raised_alerts: [None, RaisedAlert[]];
  listener_status: [None, ListenerStatus];
  /** A non-loopback `bind` is refused (`confirm_required`) unless `confirmPublic`. */
  set_listener: [{ enabled: boolean; bind: string; confirmPublic: boolean }, ListenerStatus];
  // Batch payouts. Template/import/export open a native dialog (null: cancelled);
  // import without `path` asks for the file.
  batch_template: [{ profile: string; format: 'csv' | 'xlsx' }, string | null];
  batch_import: [
    {
      profile: string; path: string | null; sheet: string | null; expectCount: number | null; expectTotal: string | null;
      allowDuplicates: boolean; acceptedDuplicates: string[]; allowSameFile: boolean;
    },
    { path: string; detail: BatchDetail } | null,
  ];
  batch_show: [{ id: number }, BatchDetail];
  batch_list: [{ limit: number | null }, Batch[]];
  /** Starts or resumes in the background; progress comes as `batch-progress` events. */
  batch_run: [{ id: number; concurrency: number | null }, null];
  batch_pause: [{ id: number }, Batch];
  batch_cancel: [{ id: number }, Batch];
  batch_export: [{ id: number; format: 'csv' | 'xlsx' }, string | null];
  // Maker-checker (team mode). Approve sends from this desk; its maker is refused (`same_operator`).
  list_approvals: [None, ApprovalsList];
  approve_payout: [{ orderNo: string; profile: string | null }, OrderOutcome];
  reject_payout: [{ orderNo: string; profile: string | null; reason: string }, Order];
  /** A batch as a whole: the decision now, then it runs from this desk (`batch-progress` events). */
  approve_batch: [{ id: number }, Batch];
  reject_batch: [{ id: number; reason: string }, Batch];
}

export type Command = keyof Commands;

// The shell's command list (generated from src-tauri/src/command_list.rs) and
// this map name the same commands: a command missing on either side is a type
// error here, found by `npm run check`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const COMMANDS_MATCH_SHELL: Same<Command, CommandName> = true;
export type Args<K extends Command> = Commands[K][0];
export type Result<K extends Command> = Commands[K][1];

/** One implementation talks to Tauri, the other is the in-memory mock. */
export interface Backend {
  readonly kind: 'tauri' | 'mock';
  call<K extends Command>(cmd: K, args: Args<K>): Promise<Result<K>>;
}

/** Whatever a command rejects with, as the `ErrorInfo` the UI shows. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e && typeof e === 'object' && 'message' in e) {
    const o = e as Partial<ErrorInfo>;
    return { code: String(o.code ?? 'internal'), message: String(o.message), field: o.field ?? null };
  }
  return { code: 'internal', message: String(e), field: null };
}
