// An in-memory PayDesk for `vite dev` and the browser tests: five sandbox
// profiles, the gateways' forms, orders with timelines, balances and errors
// that name their field. Tests reach it through `window.__paydeskMock`.
import type {
  AppInfo, Arrival, BalanceReading, BalanceView, ErrorInfo, Exchange, ExportFormat, ExportTable, FieldSpec, FormSpec, Order, OrderEvent,
  OrderFilter, OrderInput, OrderKind, OrderOutcome, OrderStatus, ProfileInput, ProfileView, ProviderKind, Settings,
} from '../bindings';
import type { ApprovalView, Batch, BatchApprovalView, SyncState } from '../bindings';
import type { AlertPrefs, Args, Backend, Command, Commands, RaisedAlert, Result } from './commands';
import { emitBackendEvent } from './events';
import { banksFor, CAPABILITIES, FORMS, LOOKUP_FIELDS } from './mockData';
import { searchBanks } from '../banks';
import { amountInWords, fenToYuan2dp, formatCny, parseYuan } from '../money';
import { checkField, cleanValues, initialValues } from '../form';
import { toCsv } from '../csv';
import { createMockBatch, type MockBatchHandle } from './mockBatch';

const ipc = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3600_000;
const SANDBOX = 'http://127.0.0.1:47800';

class MockError implements ErrorInfo {
  constructor(public code: string, public message: string, public field: string | null = null) {}
}
const fieldError = (field: string, message: string) => new MockError('invalid_input', message, field);

/** A small deterministic random source, so screenshots and tests are stable. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface MockHandle {
  calls: Record<string, number>;
  log: { cmd: string; args: unknown }[];
  exports: { fileName: string; format: ExportFormat; table: ExportTable; content: string }[];
  /** Paths shown in the file manager (open_folder). */
  revealed: string[];
  opened: string[];
  clipboard: string[];
  orders: Order[];
  /** Make every gateway message from now on this text (for escaping tests). */
  setHostile(text: string | null): void;
  /** Delay one command by this many ms (0 = default latency). */
  setDelay(cmd: string, ms: number): void;
  count(cmd: string): number;
  /** Run a command directly (test set-up), bypassing the UI. */
  call(cmd: string, args: unknown): Promise<unknown>;
  /** One background sync pass now, as if every open order were due (tests). */
  syncPass(): number;
  /** A verified gateway callback settles this open order now, as the shell's listener does (tests). */
  callback(orderNo: string, status: 'succeeded' | 'failed'): void;
  /** Alerts "raised" on the desktop (as the shell's `raised_alerts`). */
  alerts: RaisedAlert[];
  /** Batch payouts (mockBatch.ts). */
  batch: MockBatchHandle;
  /** Team mode (`?team`): the shared database's label, or null for a single desk. */
  team: string | null;
  /** Payouts awaiting approval / decided (team mode; `?team` seeds three). */
  approvals: ApprovalView[];
  /** Batches awaiting approval as a whole (`?team` seeds two: one by another maker, one by this desk). */
  batchApprovals: BatchApprovalView[];
}

declare global {
  interface Window {
    __paydeskMock?: MockHandle;
  }
}

export function createMockBackend(params: URLSearchParams = new URLSearchParams()): Backend {
  const fresh = params.has('fresh');
  const now = () => Date.now();
  const rand = rng(20250301);

  let settings: Settings = { lang: params.get('lang') === 'en' ? 'en' : 'zh-CN', balance_refresh_minutes: 5, order_refresh_minutes: 10 };
  let profiles: ProfileView[] = [];
  const secrets = new Map<string, string>();
  const orders: Order[] = [];
  const events = new Map<number, OrderEvent[]>();
  const readings = new Map<string, BalanceReading[]>();
  const liveBalance = new Map<string, number>();
  const refreshCount = new Map<number, number>();
  const delays: Record<string, number> = { balance: 300 };
  let hostile: string | null = null;
  let nextOrderId = 1;
  let nextEventId = 1;

  const handle: MockHandle = {
    calls: {}, log: [], exports: [], revealed: [], opened: [], clipboard: [], orders, batch: null as unknown as MockBatchHandle, team: null, approvals: [], batchApprovals: [],
    setHostile(text) { hostile = text; },
    setDelay(cmd, ms) { delays[cmd] = ms; },
    count(cmd) { return handle.calls[cmd] ?? 0; },
    call: async () => null,
    syncPass: () => syncPass(true),
    callback: (no, status) => callback(no, status),
    alerts: [],
  };
  if (typeof window !== 'undefined') window.__paydeskMock = handle;

  const gatewayMsg = (normal: string) => hostile ?? normal;

  function view(p: Omit<ProfileView, 'capabilities' | 'warning' | 'secret_saved'>): ProfileView {
    // As the real core: every plain http:// address carries the warning (the UI
    // leaves it out for loopback addresses).
    return {
      ...p,
      secret_saved: secrets.has(p.id),
      capabilities: CAPABILITIES[p.provider],
      // In the language set now, as the real core words its messages.
      warning: p.base_url.startsWith('http://')
        ? settings.lang === 'en'
          ? 'The gateway address uses http://: requests and signatures travel in clear; ask the gateway for an https:// address'
          : '网关地址使用 http://，请求和密钥签名以明文传输；请向网关索取 https:// 地址'
        : null,
    };
  }

  function profileById(id: string): ProfileView {
    const p = profiles.find((x) => x.id === id || x.name === id);
    if (!p) throw new MockError('not_found', `没有这个商户：${id}`);
    return p;
  }

  function addSandbox(): ProfileView[] {
    const defs: [ProviderKind, string, Partial<ProfileView>][] = [
      ['jstpay', 'sandbox-jstpay', { low_balance_fen: 5_000_000 }],
      ['jeepay', 'sandbox-jeepay', { app_id: '6624d1c2e4b0a1f3c8d2e001' }],
      ['juyouke', 'sandbox-juyouke', { operator_id: '1001', low_balance_fen: 1_000_000 }],
      ['appkey', 'sandbox-appkey', { return_url: 'https://shop.example.com/paid' }],
      ['xxpay', 'sandbox-xxpay', { app_id: 'd4f1e2c3b4a5', has_reply_secret: true }],
    ];
    const t0 = now() - 30 * 24 * HOUR;
    const added = defs.map(([provider, name, extra], i) => {
      const id = `5a0d${i}c3b-${provider.slice(0, 4).padEnd(4, '0').replace(/[^0-9a-f]/g, 'e')}-4a8e-9b1e-00000000000${i + 1}`;
      secrets.set(id, 'sandbox-secret');
      return view({
        id, name, provider, base_url: `${SANDBOX}/${provider}`, merchant_id: `M${10086 + i}`,
        app_id: null, operator_id: null, notify_url: `${SANDBOX}/notify/${provider}`, return_url: null,
        has_reply_secret: false, sandbox: true, low_balance_fen: null, approval_threshold_fen: null, created_at: t0, updated_at: t0,
        ...extra,
      });
    });
    profiles = [...profiles, ...added];
    seedBalances(added);
    seedOrders(added);
    return added;
  }

  function seedBalances(ps: ProfileView[]) {
    for (const p of ps) {
      if (!p.capabilities.balance) continue;
      let bal = p.provider === 'jstpay' ? 4_180_000 : 12_890_000;
      const list: BalanceReading[] = [];
      for (let i = 29; i >= 0; i--) {
        bal = Math.max(100_000, Math.round(bal + (rand() - 0.55) * 400_000));
        list.push({ profile_id: p.id, at: now() - i * 2 * HOUR - 60_000, balance_fen: bal, details: {} });
      }
      liveBalance.set(p.id, p.provider === 'jstpay' ? 3_241_850 : 12_890_000);
      // The last stored reading is what the gateway says now.
      list[list.length - 1].balance_fen = liveBalance.get(p.id)!;
      readings.set(p.id, list);
    }
  }

  const PAYEES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周杰', '吴霞'];
  const BANKS = ['中国工商银行', '招商银行', '中国建设银行', '中国农业银行', '交通银行', '中国银行'];
  const STATUSES: OrderStatus[] = ['succeeded', 'succeeded', 'succeeded', 'processing', 'failed', 'pending', 'unknown', 'succeeded'];

  function pad(n: number, w: number) { return String(n).padStart(w, '0'); }
  function orderNoAt(ms: number, kind: OrderKind) {
    const d = new Date(ms + 8 * HOUR);
    return `${kind === 'payout' ? 'PO' : 'DP'}${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}${pad(Math.floor(rand() * 1000), 3)}`;
  }

  function exchange(p: ProfileView, op: string, request: Record<string, unknown>, response: Record<string, unknown> | null, error: string | null = null): Exchange {
    return {
      method: 'POST', url: `${p.base_url}${op}`,
      request: JSON.stringify({ ...request, sign: '9F2C****A1B7' }, null, 2),
      http_status: response ? 200 : null,
      response: response ? JSON.stringify(response, null, 2) : null,
      error, elapsed_ms: 60 + Math.floor(rand() * 240),
    };
  }

  function addEvent(o: Order, action: string, ex: Exchange[], errorCode: string | null = null, message: string | null = null) {
    const list = events.get(o.id) ?? [];
    list.push({
      id: nextEventId++, order_id: o.id, at: o.updated_at, action, status: o.status,
      provider_status: o.provider_status, provider_message: o.provider_message, message, error_code: errorCode, exchanges: ex,
    });
    events.set(o.id, list);
  }

  function providerStatusOf(s: OrderStatus): [string, string] {
    switch (s) {
      case 'succeeded': return ['2', '交易成功'];
      case 'failed': return ['3', '收款账户户名与卡号不符'];
      case 'processing': return ['1', '处理中'];
      case 'unknown': return ['', '网关应答超时'];
      default: return ['0', '订单已生成'];
    }
  }

  function seedOrders(ps: ProfileView[]) {
    const t = now();
    for (let i = 0; i < 46; i++) {
      const p = ps[i % ps.length];
      const kind: OrderKind = p.capabilities.deposit && i % 3 === 1 ? 'deposit' : 'payout';
      const at = t - (i * 2.6 + 0.3) * HOUR;
      const status = STATUSES[i % STATUSES.length];
      const payee = kind === 'payout' && p.provider !== 'juyouke' ? PAYEES[i % PAYEES.length] : null;
      const amount = kind === 'payout' ? (Math.floor(rand() * 5000) + 1) * 100 : (Math.floor(rand() * 2000) + 1) * 100;
      const o = makeOrder(p, kind, {
        order_no: i === 3 ? 'PO20250301120000888' : orderNoAt(at, kind),
        amount_fen: amount, payee_name: payee,
        account_no: payee ? `6222${pad(Math.floor(rand() * 1e15), 15)}` : null,
        bank_name: payee ? BANKS[i % BANKS.length] : null, at, status,
        channel: kind === 'deposit' ? (FORMS[`${p.provider}/deposit`]?.fields[0].default ?? '1') : null,
      });
      orders.push(o);
      const initial: OrderStatus = kind === 'payout' ? 'processing' : 'pending';
      const [ips, ipm] = providerStatusOf(initial);
      addEvent({ ...o, status: initial, provider_status: ips, provider_message: ipm, updated_at: at }, 'create', [
        exchange(p, FORMS[`${p.provider}/${kind}`]?.operation.split(' ')[0] ?? '/api', { mchOrderNo: o.order_no, amount: o.amount_fen }, { code: 0, msg: 'success', data: { orderId: o.provider_order_id } }),
      ]);
      if (status !== 'pending' && status !== 'processing') {
        addEvent(o, 'refresh', [exchange(p, '/api/query', { mchOrderNo: o.order_no }, { code: 0, state: o.provider_status, msg: o.provider_message })],
          status === 'unknown' ? 'gateway' : null, status === 'unknown' ? '网关应答超时，结果未知：请稍后查询状态，不要重复代付' : null);
      }
    }
    orders.sort((a, b) => b.created_at - a.created_at || b.id - a.id);
  }

  function makeOrder(p: ProfileView, kind: OrderKind, o: {
    order_no: string; amount_fen: number; at: number; status: OrderStatus; payee_name?: string | null;
    account_no?: string | null; bank_name?: string | null; channel?: string | null; fields?: Record<string, string>;
  }): Order {
    const [ps, pm] = providerStatusOf(o.status);
    return {
      id: nextOrderId++, profile_id: p.id, profile: p.name, provider: p.provider, sandbox: p.sandbox,
      order_no: o.order_no, kind, amount_fen: o.amount_fen, channel: o.channel ?? null,
      payee_name: o.payee_name ?? null, account_no: o.account_no ?? null, bank_name: o.bank_name ?? null,
      fields: o.fields ?? {}, status: o.status, provider_status: ps || null, provider_message: gatewayMsg(pm),
      provider_order_id: `${p.provider.slice(0, 3).toUpperCase()}${pad(Math.floor(rand() * 1e10), 10)}`,
      pay_url: null, card: null, extra: {},
      message: o.status === 'unknown' ? '网关应答超时，结果未知：请查询状态，不要重复代付' : null,
      created_by: 'finance01', created_at: o.at, updated_at: o.at,
    };
  }

  function form(provider: ProviderKind, kind: OrderKind): FormSpec {
    const f = FORMS[`${provider}/${kind}`];
    if (!f) {
      throw new MockError('not_offered', kind === 'deposit' ? `${provider} 不提供代收` : `${provider} 不提供代付`);
    }
    return structuredClone(f);
  }

  /** The server-side check: the client's checks plus what only the backend knows. */
  function validate(spec: FormSpec, input: OrderInput): { fen: number; values: Record<string, string> } {
    const parsed = parseYuan(input.amount);
    if (!parsed.ok) throw fieldError('amount', '“' + input.amount + '” 不是有效金额，请输入如 100 或 100.50 的数字');
    const fen = parsed.fen;
    if (fen < spec.amount.min_fen) throw fieldError('amount', `金额不能低于 ${formatCny(spec.amount.min_fen)}`);
    if (spec.amount.max_fen !== null && fen > spec.amount.max_fen) throw fieldError('amount', `金额超过该网关单笔上限 ${formatCny(spec.amount.max_fen)}`);
    if (spec.amount.whole_yuan && fen % 100) throw fieldError('amount', `该网关只接受整数元金额（不能有角、分）：${fenToYuan2dp(fen)} 元`);
    for (const key of Object.keys(input.values)) {
      if (!spec.fields.some((f) => f.id === key)) throw fieldError(key, '该网关的此类订单没有这个字段');
    }
    const merged = { ...initialValues(spec.fields), ...input.values };
    for (const f of spec.fields) {
      const e = checkField(f, merged);
      if (e) throw fieldError(f.id, e);
      const v = (merged[f.id] ?? '').trim();
      if (f.input === 'select' && v && !f.allow_other && !f.choices.some((c) => c.value === v)) {
        throw fieldError(f.id, `${f.label_zh}的取值“${v}”无效，可选：${f.choices.map((c) => c.value).join(', ')}`);
      }
      // Bank cards are 12–19 digits: a check only the backend makes here.
      if (f.input === 'account_no' && f.id === 'account_no' && v) {
        const digits = v.replace(/[\s-]/g, '');
        if (!/^\d{12,19}$/.test(digits)) throw fieldError(f.id, '银行卡号应为 12–19 位数字，请核对后重新输入');
      }
    }
    if (spec.order_no.sent && input.order_no && input.order_no.length > spec.order_no.max_len) {
      throw fieldError('order_no', `商户订单号最长 ${spec.order_no.max_len} 个字符`);
    }
    return { fen, values: cleanValues(spec.fields, merged) };
  }

  // As the real store: the bank's name, or for gateways that take a code, the code.
  function bankName(values: Record<string, string>): string | null {
    return values.bank_name ?? values.bank_code ?? null;
  }

  function createOrder(profileId: string, kind: OrderKind, input: OrderInput): OrderOutcome {
    const p = profileById(profileId);
    const spec = form(p.provider, kind);
    const { fen, values } = validate(spec, input);
    // As the real store: the order number's uniqueness is met when the order
    // is written (prepare_order does not look).
    if (input.order_no && orders.some((o) => o.order_no === input.order_no?.trim())) {
      throw new MockError('conflict', `商户订单号 ${input.order_no} 已经存在`);
    }
    const at = now();
    // As the core: a payout on a desk without the profile's key waits for a
    // checker on a desk that holds it (team mode); a single desk refuses it.
    if (kind === 'payout' && !secrets.has(p.id)) {
      if (!handle.team) throw new MockError('secret', `商户配置“${p.name}”没有保存密钥，请在商户配置中重新填写密钥`);
      const w = makeOrder(p, kind, {
        order_no: input.order_no?.trim() || orderNoAt(at, kind), amount_fen: fen, at, status: 'awaiting_approval',
        payee_name: values.payee_name ?? null, account_no: values.account_no ?? null, bank_name: bankName(values),
        channel: null, fields: values,
      });
      Object.assign(w, { provider_order_id: null, provider_status: null, provider_message: null, created_by: ME });
      w.message = settings.lang === 'en'
        ? `the desk it was made on holds no key for profile “${p.name}”: stored awaiting approval, it is sent when a checker on a desk that holds the key approves it; nothing sent to the gateway yet`
        : `制单的电脑没有商户配置“${p.name}”的密钥，代付已保存为待审批：由持有该密钥的电脑上的复核人审批后发送；尚未发送到网关`;
      orders.unshift(w);
      addEvent(w, 'submit', []);
      return { order: structuredClone(w), error: null };
    }
    const status: OrderStatus = kind === 'payout' ? 'processing' : 'pending';
    const o = makeOrder(p, kind, {
      order_no: input.order_no?.trim() || orderNoAt(at, kind), amount_fen: fen, at, status,
      payee_name: values.payee_name ?? null, account_no: values.account_no ?? null, bank_name: bankName(values),
      channel: values.channel ?? values.pay_type ?? null, fields: values,
    });
    o.provider_message = gatewayMsg(kind === 'payout' ? '代付申请已受理' : '下单成功');
    if (kind === 'deposit') {
      const url = `${p.base_url}/pay/${o.provider_order_id}`;
      if (p.provider === 'jstpay' && values.to_card === 'true') {
        o.card = {
          card_name: '上海澄明贸易有限公司', card_bank: '中国工商银行', card_branch: '上海分行浦东支行',
          card_number: '6222021001123456789', actual_amount_fen: fen - 3, nonce: 'K7Q2', sender_name: values.payer_name ?? null,
        };
      } else if (p.provider === 'xxpay' && values.channel === '8000') {
        o.pay_url = `POST;${p.base_url}/gateway/bank?orderNo=${o.provider_order_id}&amount=${fen}`;
      } else if (!(p.provider === 'juyouke' && values.pay_type === 'codepay')) {
        o.pay_url = url;
      }
    }
    // A payout over the live balance is refused as the sandbox refuses it: the
    // order is failed, and the reason comes back three ways (gateway status and
    // message, the order's note, the outcome's error) as from the real core.
    const live = liveBalance.get(p.id);
    if (kind === 'payout' && live !== undefined && fen > live && !hostile) {
      const reason = '代付余额不足：请先充值或减少金额';
      Object.assign(o, { status: 'failed', provider_status: 'insufficient_balance', provider_message: reason, message: `网关拒绝：${reason}`, provider_order_id: null });
      orders.unshift(o);
      addEvent(o, 'create', [exchange(p, spec.operation.split(' ')[0], { mchOrderNo: o.order_no, amount: fen, ...values }, { code: 1006, msg: '余额不足' })], 'insufficient_balance', o.message);
      return { order: structuredClone(o), error: new MockError('insufficient_balance', reason) };
    }
    orders.unshift(o);
    // As the real store: the order is written (unknown, "being sent") before the request leaves.
    addEvent({ ...o, status: 'unknown', provider_status: null, provider_message: null }, 'create', [], null, '正在提交到网关');
    addEvent(o, 'create', [exchange(p, spec.operation.split(' ')[0], { mchOrderNo: o.order_no, amount: fen, ...values }, { code: 0, msg: o.provider_message, data: { orderId: o.provider_order_id, payUrl: o.pay_url } })]);
    return { order: structuredClone(o), error: hostile ? new MockError('gateway', hostile) : null };
  }

  function refresh(id: number): OrderOutcome {
    const o = orders.find((x) => x.id === id);
    if (!o) throw new MockError('not_found', `没有编号为 ${id} 的订单`);
    const p = profileById(o.profile_id);
    const n = (refreshCount.get(id) ?? 0) + 1;
    refreshCount.set(id, n);
    if (o.status === 'processing' || o.status === 'unknown') {
      o.status = o.payee_name?.includes('失败') ? 'failed' : 'succeeded';
    } else if (o.status === 'pending' && n >= 2) {
      o.status = 'succeeded';
    }
    const [ps, pm] = providerStatusOf(o.status);
    o.provider_status = ps || null;
    o.provider_message = gatewayMsg(pm);
    o.message = null;
    o.updated_at = now();
    addEvent(o, 'refresh', [exchange(p, '/api/query', { mchOrderNo: o.order_no }, { code: 0, state: ps, msg: o.provider_message })]);
    return { order: structuredClone(o), error: null };
  }

  // The store's rules (store/search.rs): 3+ characters anywhere in the number,
  // payee or account (gateway id: start); 2 the start of the number or gateway
  // id, anywhere in the payee; 1 the start of any.
  function matchesSearch(o: Order, q: string): boolean {
    const low = (v: string | null | undefined) => (v ?? '').toLowerCase();
    const n = [...q].length;
    const starts = low(o.order_no).startsWith(q) || (o.provider_order_id != null && low(o.provider_order_id).startsWith(q));
    if (n >= 3) return starts || low(o.order_no).includes(q) || low(o.payee_name).includes(q) || low(o.account_no).includes(q);
    if (n === 2) return starts || low(o.payee_name).includes(q);
    return starts || low(o.payee_name).startsWith(q);
  }

  function listOrders(f: OrderFilter) {
    const q = f.search?.trim().toLowerCase() ?? '';
    const rows = orders.filter((o) =>
      (!f.profile || o.profile_id === f.profile) && (!f.kind || o.kind === f.kind) && (!f.status || o.status === f.status)
      && (f.from_ms === null || o.created_at >= f.from_ms) && (f.to_ms === null || o.created_at < f.to_ms)
      && (!q || matchesSearch(o, q))
      && (!f.after || o.created_at < f.after[0] || (o.created_at === f.after[0] && o.id < f.after[1])));
    const limit = f.limit ?? 50;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { orders: structuredClone(page), next: rows.length > limit && last ? [last.created_at, last.id] as [number, number] : null };
  }

  function balanceView(p: ProfileView, live: boolean): BalanceView {
    const v: BalanceView = {
      profile: p.name, profile_id: p.id, provider: p.provider, sandbox: p.sandbox, supported: p.capabilities.balance,
      balance_fen: null, details: {}, at: null, low_balance_fen: p.low_balance_fen, low: false, error: null,
    };
    if (!v.supported) {
      v.error = new MockError('not_offered', '该网关不提供余额查询');
      return v;
    }
    if (hostile) {
      v.error = new MockError('gateway', hostile);
      return v;
    }
    const list = readings.get(p.id) ?? [];
    if (live) {
      const bal = liveBalance.get(p.id) ?? 0;
      list.push({ profile_id: p.id, at: now(), balance_fen: bal, details: {} });
      readings.set(p.id, list);
    }
    const last = list[list.length - 1];
    if (last) {
      v.balance_fen = last.balance_fen;
      v.at = last.at;
      v.low = p.low_balance_fen !== null && last.balance_fen < p.low_balance_fen;
    }
    return v;
  }

  function arrivals(profileId: string, start: number | null, end: number | null): Arrival[] {
    const p = profileById(profileId);
    if (!p.capabilities.arrivals) throw new MockError('not_offered', `${p.provider} 不提供到账记录`);
    const to = end ? end * 1000 : now();
    const from = start ? start * 1000 : to - 24 * HOUR;
    const r = rng(7);
    const out: Arrival[] = [];
    for (let t = now() - 0.5 * HOUR, i = 0; t > now() - 7 * 24 * HOUR; t -= 1.7 * HOUR, i++) {
      const amount = (Math.floor(r() * 3000) + 1) * 100 - (i % 3);
      if (t < from || t >= to) continue;
      const fmt = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
      out.push({
        serial: `JD${pad(880000 + i * 37, 10)}`, time: fmt(t), deposit_time: fmt(t - 40_000),
        card_tail: pad(1000 + ((i * 733) % 9000), 4), amount_fen: amount, bank: BANKS[i % BANKS.length],
        sender_name: hostile ?? PAYEES[(i + 3) % PAYEES.length], nonce: ['K7Q2', 'M3X9', 'P8D4', 'A1B5'][i % 4],
      });
    }
    return out;
  }

  function qrSvg(text: string): string {
    // Not a real QR code: a stable pattern with finder squares, so the screen
    // looks right in the mock. The real one comes from Rust's `qrcode`.
    const n = 29;
    let h = 2166136261;
    for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    const r = rng(h);
    const cells: string[] = [];
    const finder = (x: number, y: number) => {
      const dx = x < 7 ? x : x >= n - 7 ? x - (n - 7) : -1;
      const dy = y < 7 ? y : y >= n - 7 ? y - (n - 7) : -1;
      if (dx < 0 || dy < 0 || (x >= n - 7 && y >= n - 7)) return null;
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      return ring !== 2;
    };
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const f = finder(x, y);
      const on = f === null ? r() < 0.48 : f;
      if (on) cells.push(`M${x + 2} ${y + 2}h1v1h-1z`);
    }
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n + 4} ${n + 4}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path d="${cells.join('')}" fill="#000"/></svg>`;
  }

  function saveProfile(id: string | null, input: ProfileInput, secret: string | null, replySecret: string | null): ProfileView {
    if (!input.name.trim()) throw fieldError('name', '请填写名称');
    if (profiles.some((p) => p.name === input.name.trim() && p.id !== id)) throw fieldError('name', `已有名为“${input.name}”的商户`);
    const existing = id ? profileById(id) : null;
    const provider = input.provider ?? existing?.provider;
    if (!provider) throw fieldError('provider', '请选择网关');
    if (!/^https?:\/\/[^\s/]+/.test(input.base_url.trim())) throw fieldError('base_url', '网关地址应以 https:// 开头，如 https://api.example.com');
    if (!input.merchant_id.trim()) throw fieldError('merchant_id', '请填写商户号');
    if ((provider === 'jeepay' || provider === 'xxpay') && !input.app_id?.trim()) throw fieldError('app_id', '该网关需要应用 ID（appId）');
    if (provider === 'appkey' && (!input.notify_url || !input.return_url)) {
      throw fieldError(!input.notify_url ? 'notify_url' : 'return_url', 'appkey 要求填写回调地址和返回地址（参与签名）');
    }
    if (!existing && !secret) throw fieldError('secret', '请填写商户密钥');
    const t = now();
    const newId = existing?.id ?? crypto.randomUUID();
    if (secret) secrets.set(newId, secret);
    const v = view({
      id: newId, name: input.name.trim(), provider, base_url: input.base_url.trim(), merchant_id: input.merchant_id.trim(),
      app_id: input.app_id || null, operator_id: input.operator_id || null, notify_url: input.notify_url || null,
      return_url: input.return_url || null, has_reply_secret: replySecret ? true : existing?.has_reply_secret ?? false,
      sandbox: input.sandbox, low_balance_fen: input.low_balance_fen, approval_threshold_fen: input.approval_threshold_fen ?? null, created_at: existing?.created_at ?? t, updated_at: t,
    });
    profiles = existing ? profiles.map((p) => (p.id === newId ? v : p)) : [...profiles, v];
    return v;
  }

  function lookupRemote(a: Args<'lookup_remote'>): OrderOutcome {
    const p = profileById(a.profile);
    const fields: FieldSpec[] = LOOKUP_FIELDS[`${p.provider}/${a.kind}`] ?? [];
    if (!a.orderNo.trim() && fields.every((f) => !f.required)) throw fieldError('order_no', '请填写商户订单号');
    const parsed = parseYuan(a.amount);
    if (!parsed.ok) throw fieldError('amount', '请输入下单时的金额，如 100 或 100.50');
    for (const f of fields) {
      const e = checkField(f, a.values);
      if (e) throw fieldError(f.id, e);
    }
    const at = now() - 3 * HOUR;
    const o = makeOrder(p, a.kind, {
      order_no: a.orderNo.trim(), amount_fen: parsed.fen, at, status: 'succeeded',
      account_no: a.values.account_no ?? null, fields: a.values,
    });
    o.updated_at = now();
    orders.unshift(o);
    orders.sort((x, y) => y.created_at - x.created_at || y.id - x.id);
    addEvent(o, 'lookup', [exchange(p, '/api/query', { mchOrderNo: o.order_no, ...a.values }, { code: 0, state: o.provider_status, msg: o.provider_message })]);
    return { order: structuredClone(o), error: null };
  }

  // The background sync, as the shell runs it: due orders are queried on the
  // schedule, every change is pushed as an event (no polling from the UI).
  const SCHEDULE_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
  const STUCK_MS = { payout: 30 * 60_000, deposit: 2 * HOUR };
  const syncRows = new Map<number, { last: number | null; attempts: number; reason: string | null; stuckAt: number | null }>();
  let alertPrefs: AlertPrefs = { payout_succeeded: true, payout_failed: true, stuck: true, low_balance: true, badge: true };
  const isOpen = (o: Order) => ['pending', 'processing', 'unknown'].includes(o.status);
  function nextCheck(o: Order): number | null {
    if (!isOpen(o)) return null;
    const r = syncRows.get(o.id);
    const n = r?.attempts ?? 0;
    const base = r?.last ?? o.created_at;
    return base + (SCHEDULE_MS[n] ?? 30 * 60_000);
  }
  function syncState(id: number) {
    const o = orders.find((x) => x.id === id);
    if (!o) throw new MockError('not_found', `没有编号为 ${id} 的订单`);
    const r = syncRows.get(id);
    return {
      order_id: id, last_checked_at: r?.last ?? null, next_check_at: nextCheck(o), attempts: r?.attempts ?? 0,
      last_reason: r?.reason ?? null, last_error_code: null, stuck_at: r?.stuckAt ?? null,
      awaiting_approval: o.status === 'awaiting_approval', settled: settledOf(o),
    };
  }
  // As the core says it: the first event that gave a final order its status.
  function settledOf(o: Order): SyncState['settled'] {
    if (!['succeeded', 'failed', 'rejected'].includes(o.status)) return null;
    const e = (events.get(o.id) ?? []).find((x) => x.status === o.status);
    if (!e) return null;
    const by = ({ notify: 'callback', create: 'create', reject: 'rejection' } as const)[e.action as 'notify'] ?? 'query';
    return { by, at: e.at };
  }
  const isStuck = (o: Order) => isOpen(o) && now() - o.created_at >= STUCK_MS[o.kind];
  function raise(kind: string, title: string, body: string) {
    handle.alerts.push({ kind, title, body, at: now() });
  }
  function syncPass(all = false): number {
    let checked = 0;
    for (const o of orders) {
      const at = nextCheck(o);
      if (at === null || (!all && at > now())) continue;
      const before = o.status;
      refresh(o.id);
      checked++;
      const r = syncRows.get(o.id) ?? { last: null, attempts: 0, reason: null, stuckAt: null };
      r.last = now();
      r.attempts++;
      r.reason = o.provider_message ?? statusWords(o.status);
      syncRows.set(o.id, r);
      if (before === o.status) continue;
      if (o.status === 'succeeded' || o.status === 'failed') {
        const e = { event: o.status, order: structuredClone(o) } as const;
        if (o.kind === 'payout' && (o.status === 'succeeded' ? alertPrefs.payout_succeeded : alertPrefs.payout_failed)) {
          raise(`payout_${o.status}`, o.status === 'succeeded' ? '代付成功' : '代付失败', `${o.profile} ${o.order_no} ${formatCny(o.amount_fen)}`);
        }
        emitBackendEvent('sync-event', ipc(e));
      }
    }
    for (const o of orders) {
      const r = syncRows.get(o.id);
      if (!isStuck(o) || r?.stuckAt) continue;
      syncRows.set(o.id, { last: r?.last ?? null, attempts: r?.attempts ?? 0, reason: r?.reason ?? null, stuckAt: now() });
      if (alertPrefs.stuck) raise('stuck', '订单长时间未完成', `${o.profile} ${o.order_no}`);
      emitBackendEvent('sync-event', ipc({ event: 'stuck', order: structuredClone(o), reason: r?.reason ?? null }));
    }
    if (checked > 0) emitBackendEvent('orders-changed', { checked });
    return checked;
  }
  // The listener's path: a verified callback moves an open order and is recorded as `notify`.
  function callback(no: string, status: 'succeeded' | 'failed') {
    const o = orders.find((x) => x.order_no === no && isOpen(x));
    if (!o) throw new MockError('not_found', `没有未完成的订单 ${no}`);
    o.status = status;
    [o.provider_status, o.provider_message] = providerStatusOf(status);
    o.updated_at = now();
    addEvent(o, 'notify', []);
    emitBackendEvent('orders-changed', { checked: 0 });
  }
  const statusWords = (s: OrderStatus) => ({ pending: '待处理', processing: '处理中', succeeded: '成功', failed: '失败', unknown: '状态未知', awaiting_approval: '待审批', rejected: '已驳回' })[s];
  // Opt-in (`?sync`): the browser tests drive passes with `syncPass()` so they stay deterministic.
  if (typeof window !== 'undefined' && params.has('sync')) setInterval(() => syncPass(false), 1000);
  const mockBatch = createMockBatch({
    profileById, now, fail: (code, message, field) => new MockError(code, message, field ?? null) as unknown as Error,
    keyless: (profileId) => handle.team !== null && !secrets.has(profileId),
  });
  handle.batch = mockBatch.handle;

  let listener = { enabled: false, bind: '127.0.0.1:47652' };
  const listenerStatus = () => ({
    enabled: listener.enabled, bind: listener.bind, addr: listener.enabled ? listener.bind : null, error: null,
    urls: profiles.map((p) => ({ profile: p.name, id: p.id, url: `http://${listener.bind}/notify/${p.id}` })),
  });

  // Maker-checker (team mode). The desk's role is 'finance01'; one seeded
  // payout is its own, so approving it shows the database's `same_operator`.
  const ME = 'finance01';
  handle.team = params.has('team') ? 'paydesk@127.0.0.1:5432/paydesk' : null;
  handle.approvals = [];
  handle.batchApprovals = [];
  function seedApprovals() {
    const seed: [number, string, number, string][] = [
      [0, '张伟', 12_345_600, 'maker01'],
      [2, '王芳', 5_000_000, 'maker02'],
      [0, '李娜', 880_000, ME],
    ];
    seed.forEach(([pi, payee, fen, maker], i) => {
      const p = profiles[pi];
      if (!p) return;
      const at = now() - (3 - i) * 17 * 60_000;
      const o = makeOrder(p, 'payout', {
        order_no: `PO2025030109${pad(30 + i, 2)}00${pad(i + 1, 3)}`, amount_fen: fen, payee_name: payee,
        account_no: `62220219${pad(1000000 + i * 7919, 11)}`, bank_name: BANKS[i], at, status: 'awaiting_approval',
      });
      o.created_by = maker;
      o.provider_order_id = null;
      orders.unshift(o);
      handle.approvals.push({
        order_id: o.id, order_no: o.order_no, profile: p.name, provider: p.provider, sandbox: p.sandbox, kind: 'payout', amount_fen: fen,
        payee_name: payee, account_no: o.account_no, bank_name: o.bank_name, status: 'awaiting_approval', maker, made_at: at,
        decision: null, checker: null, decided_at: null, reason: null, amount_text: formatCny(fen), amount_capital: amountInWords(fen),
      });
    });
  }
  function seedBatchApprovals() {
    const seed: [number, string, number, number, number, string][] = [
      [41, 'payday-2026-11.xlsx', 1200, 62_418_350, 1_000_000, 'maker02'],
      [42, 'bonus-2026-11.csv', 3, 4_500_000, 3_000_000, ME],
    ];
    const p = profiles[0];
    if (!p) return;
    for (const [id, file, rows, total, largest, maker] of seed) {
      handle.batchApprovals.push({
        batch_id: id, profile: p.name, provider: p.provider, file_name: file, state: 'awaiting_approval', rows, total_fen: total,
        largest_fen: largest, maker, made_at: now() - (50 - id) * 60_000, decision: null, checker: null, decided_at: null, reason: null,
        total_text: formatCny(total), total_capital: amountInWords(total), largest_text: formatCny(largest),
      });
    }
  }
  function batchApprovalOf(id: number): BatchApprovalView {
    if (!handle.team) throw new MockError('team_only', '审批需要团队模式：单机（本地 SQLite）没有审批');
    const a = handle.batchApprovals.find((x) => x.batch_id === id);
    if (!a) throw new MockError('not_found', `批次 ${id} 不需要审批`);
    if (a.decision) throw new MockError('conflict', `批次 ${id} 已由 ${a.checker} 于 ${new Date(a.decided_at ?? 0).toLocaleString('zh-CN')} ${a.decision === 'approved' ? '审批' : '驳回'}`);
    if (a.maker === ME) throw new MockError('same_operator', `制单人 ${ME} 不能审批或驳回自己提交的批次 ${id}：请由另一位复核人处理`);
    return a;
  }
  function decideBatch(a: BatchApprovalView, decision: 'approved' | 'rejected', reason: string | null): Batch {
    const state = decision === 'approved' ? 'running' : 'rejected';
    Object.assign(a, { decision, checker: ME, decided_at: now(), reason, state });
    return {
      id: a.batch_id, profile: a.profile, profile_id: profiles[0]?.id ?? '', provider: a.provider, state, file_name: a.file_name, file_hash: '',
      rows: a.rows, valid_rows: a.rows, total_fen: a.total_fen, total_text: a.total_text, total_capital: a.total_capital, columns: [], errors: [],
      warnings: [], pause_reason: reason, counts: {}, created_by: a.maker, created_at: a.made_at, updated_at: now(),
    };
  }
  function approvalOf(orderNo: string, profile: string | null): ApprovalView {
    if (!handle.team) throw new MockError('team_only', '审批需要团队模式：单机（本地 SQLite）没有审批');
    const a = handle.approvals.find((x) => x.order_no === orderNo.trim() && (!profile || x.profile === profile || profileById(profile).name === x.profile));
    if (!a) throw new MockError('not_found', `没有需要审批的代付 ${orderNo}`);
    if (a.decision) {
      throw new MockError('already_decided', `代付 ${a.order_no} 已由 ${a.checker} 于 ${new Date(a.decided_at ?? 0).toLocaleString('zh-CN')} ${a.decision === 'approved' ? '批准' : '驳回'}`);
    }
    if (a.maker === ME) throw new MockError('same_operator', `不能审批自己提交的代付 ${a.order_no}：需由制单人以外的审批人处理`);
    return a;
  }
  function decide(a: ApprovalView, decision: 'approved' | 'rejected', reason: string | null): Order {
    const o = orders.find((x) => x.id === a.order_id)!;
    const status: OrderStatus = decision === 'approved' ? 'processing' : 'rejected';
    Object.assign(a, { decision, checker: ME, decided_at: now(), reason, status });
    Object.assign(o, { status, updated_at: now(), message: reason });
    if (decision === 'approved') o.provider_order_id = `${o.provider.slice(0, 3).toUpperCase()}${pad(Math.floor(rand() * 1e10), 10)}`;
    addEvent(o, decision === 'approved' ? 'approve' : 'reject', []);
    emitBackendEvent('orders-changed', { checked: 0 });
    return structuredClone(o);
  }

  const handlers: { [K in Command]: (a: Args<K>) => Result<K> | Promise<Result<K>> } = {
    ui_ready: () => null,
    ...mockBatch.handlers,
    // `?startproblem`: the desk's database could not be opened at start (team
    // mode, the keyring locked), worded as src-tauri/src/state.rs words it.
    start_problem: () =>
      params.has('startproblem')
        ? {
            zh: '无法读取团队数据库 127.0.0.1:5432/paydesk 的操作员 finance01 的登录密码：系统密钥环不可用或拒绝访问：Locked collection。请确认已登录桌面会话并解锁密钥环。 处理方法：解锁（或启动）系统密钥环后重试；或用环境变量 PGPASSWORD 提供本次的密码；或运行 paydesk team leave 改用本机数据库。',
            en: "cannot read operator finance01's login password for the team database 127.0.0.1:5432/paydesk: the OS keyring is unavailable or refused access: Locked collection. Make sure a desktop session is running and the keyring is unlocked. To fix it: unlock (or start) the OS keyring and try again; or give the password for this run in PGPASSWORD; or run paydesk team leave to use this desk's own database.",
          }
        : null,
    app_info: (): AppInfo => ({ version: '0.1.0-mock', data_dir: '/home/finance/.local/share/paydesk', sandbox_url: SANDBOX, first_run: profiles.length === 0, os_user: 'finance01', team_database: handle.team }),
    get_settings: () => ({ ...settings }),
    save_settings: ({ settings: s }) => {
      if (s.balance_refresh_minutes < 0 || s.balance_refresh_minutes > 1440) throw fieldError('balance_refresh_minutes', '请填写 0–1440 之间的分钟数');
      if (s.order_refresh_minutes < 0 || s.order_refresh_minutes > 1440) throw fieldError('order_refresh_minutes', '请填写 0–1440 之间的分钟数');
      settings = { ...s };
      return null;
    },
    list_profiles: () => structuredClone(profiles.map((p) => view(p))),
    save_profile: (a) => saveProfile(a.id, a.input, a.secret, a.replySecret),
    remove_profile: ({ id }) => {
      profileById(id);
      profiles = profiles.filter((p) => p.id !== id);
      secrets.delete(id);
      return null;
    },
    test_profile: ({ id }) => {
      const p = profileById(id);
      if (hostile) return { ok: false, message: hostile };
      return p.sandbox || p.base_url.includes('127.0.0.1')
        ? { ok: true, message: `连接正常：网关已应答，签名校验通过（${80 + Math.floor(rand() * 60)} ms）` }
        : { ok: false, message: '签名错误：请检查商户密钥是否正确（网关返回 SIGNERROR）' };
    },
    add_sandbox_profiles: () => addSandbox(),
    get_form: ({ provider, kind }) => form(provider, kind),
    lookup_fields: ({ provider, kind }) => structuredClone(LOOKUP_FIELDS[`${provider}/${kind}`] ?? []),
    search_banks: ({ provider, query }) => searchBanks(banksFor(provider), query),
    prepare_order: ({ profile, kind, input }) => {
      const p = profileById(profile);
      const spec = form(p.provider, kind);
      const { fen, values } = validate(spec, input);
      return {
        profile: p.id, provider: p.provider, kind, order_no: input.order_no?.trim() || orderNoAt(now(), kind),
        amount_fen: fen, amount_text: formatCny(fen), amount_capital: amountInWords(fen), values, form: spec,
      };
    },
    create_order: ({ profile, kind, input }) => createOrder(profile, kind, input),
    refresh_order: ({ id }) => refresh(id),
    refresh_open: () => orders.filter((o) => ['pending', 'processing', 'unknown'].includes(o.status)).map((o) => refresh(o.id)),
    find_orders: ({ query }) => {
      const q = query.trim().toLowerCase();
      if (!q) return [];
      return structuredClone(orders.filter((o) => o.order_no.toLowerCase().includes(q) || (o.provider_order_id ?? '').toLowerCase().includes(q)).slice(0, 20));
    },
    lookup_remote: (a) => lookupRemote(a),
    list_orders: ({ filter }) => listOrders(filter),
    order_events: ({ id }) => structuredClone(events.get(id) ?? []),
    balances: () => profiles.map((p) => balanceView(p, true)),
    balance: ({ profile }) => balanceView(profileById(profile), true),
    balance_history: ({ profile, limit }) => structuredClone((readings.get(profileById(profile).id) ?? []).slice(-limit)),
    set_low_balance: ({ profile, lowBalanceFen }) => {
      const p = profileById(profile);
      const v = { ...p, low_balance_fen: lowBalanceFen, updated_at: now() };
      profiles = profiles.map((x) => (x.id === p.id ? v : x));
      return v;
    },
    arrivals: ({ profile, start, end }) => arrivals(profile, start, end),
    qr_svg: ({ text }) => qrSvg(text),
    open_pay_url: ({ url }) => {
      handle.opened.push(url);
      return null;
    },
    save_export: ({ fileName, format, table }) => {
      // The shell's save dialog is "accepted" with the suggested name in Downloads;
      // the CSV is rendered the way core's export module renders it.
      if (table.rows.some((r) => r.length !== table.columns.length)) throw new MockError('internal', 'export row has the wrong number of cells');
      const cells = table.rows.map((r) => r.map((v, j) => (v !== null && table.columns[j].kind === 'fen' ? fenToYuan2dp(Number(v)) : v)));
      const content = format === 'csv' ? toCsv(table.columns.map((c) => c.title), cells) : '';
      handle.exports.push({ fileName, format, table, content });
      return `/home/finance/Downloads/${fileName.replace(/[^\p{L}\p{N}._-]/gu, '_')}`;
    },
    open_folder: ({ path }) => {
      handle.revealed.push(path);
      return null;
    },
    sync_state: ({ id }) => syncState(id),
    stuck_orders: () =>
      orders.filter(isStuck).sort((a, b) => a.created_at - b.created_at).map((o) => ({ order: structuredClone(o), sync: syncState(o.id) })),
    order_counts: () => ({ open: Math.min(orders.filter(isOpen).length, 100), stuck: orders.filter(isStuck).length }),
    get_alert_prefs: () => alertPrefs,
    save_alert_prefs: ({ prefs }) => {
      alertPrefs = prefs;
      return null;
    },
    raised_alerts: () => handle.alerts,
    list_approvals: () => ({
      team_mode: !!handle.team, me: handle.team ? ME : null,
      approvals: handle.team ? structuredClone(handle.approvals.filter((a) => a.status === 'awaiting_approval').sort((a, b) => a.made_at - b.made_at)) : [],
      batches: handle.team ? structuredClone(handle.batchApprovals.filter((a) => a.decision === null).sort((a, b) => a.made_at - b.made_at)) : [],
    }),
    approve_batch: ({ id }) => decideBatch(batchApprovalOf(id), 'approved', null),
    reject_batch: ({ id, reason }) => {
      const r = reason.trim();
      if (!r) throw fieldError('reason', '请填写驳回原因');
      return decideBatch(batchApprovalOf(id), 'rejected', r);
    },
    approve_payout: ({ orderNo, profile }) => ({ order: decide(approvalOf(orderNo, profile), 'approved', null), error: null }),
    reject_payout: ({ orderNo, profile, reason }) => {
      const r = reason.trim();
      if (!r) throw fieldError('reason', '请填写驳回原因');
      if (r.length > 500) throw fieldError('reason', '驳回原因最长 500 个字符，且不能含控制字符');
      return decide(approvalOf(orderNo, profile), 'rejected', r);
    },
    listener_status: () => listenerStatus(),
    set_listener: ({ enabled, bind, confirmPublic }) => {
      const m = /^(.+):(\d{1,5})$/.exec(bind.trim());
      if (!m) throw fieldError('bind', '监听地址应为 主机:端口，例如 127.0.0.1:47652');
      const loopback = m[1] === 'localhost' || m[1].startsWith('127.') || m[1] === '[::1]';
      if (enabled && !loopback && !confirmPublic) {
        throw new MockError('confirm_required', `${m[1]} 不是本机地址：其他电脑也能访问回调接收。请确认后再开启。`, 'bind');
      }
      listener = { enabled, bind: bind.trim() };
      return listenerStatus();
    },
  };

  if (!fresh) addSandbox();
  // `?nokey=NAME`: this desk's keyring holds no key for that profile.
  const noKey = params.get('nokey');
  if (noKey) profiles.filter((p) => p.name === noKey).forEach((p) => secrets.delete(p.id));
  if (handle.team && !fresh) {
    seedApprovals();
    // `?batches`: two batches awaiting approval as a whole beside the payouts.
    if (params.has('batches')) seedBatchApprovals();
  }
  handle.call = async (cmd, args) => ipc(await (handlers[cmd as Command] as (a: unknown) => unknown)(ipc(args)));

  return {
    kind: 'mock',
    async call<K extends Command>(cmd: K, args: Args<K>): Promise<Result<K>> {
      handle.calls[cmd] = (handle.calls[cmd] ?? 0) + 1;
      // Arguments and results cross as JSON, as they do over Tauri's IPC
      // (this also unwraps Svelte state proxies).
      args = ipc(args);
      handle.log.push({ cmd, args: ipc(args) });
      let delay = delays[cmd] ?? 40;
      if (cmd === 'balance') {
        const id = (args as Args<'balance'>).profile;
        if (profiles.find((p) => p.id === id)?.provider === 'juyouke') delay = delays.balance_slow ?? 1800;
      }
      await sleep(delay);
      const handler = handlers[cmd] as (a: Commands[K][0]) => Result<K> | Promise<Result<K>>;
      return ipc(await handler(args));
    },
  };
}
