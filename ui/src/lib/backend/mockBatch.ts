// The mock's batch payouts: a built-in "chosen file" (the browser has no
// native dialog), the import rules the core applies (control totals,
// duplicates, same file, every error listed), and a run that pushes
// `batch-progress` events on `window` as the shell pushes Tauri events.
import type { Batch, BatchDetail, BatchProgress, BatchRow, BatchState, BatchWarning, ProfileView, RowIssue, RowStatus } from '../bindings';
import type { Args, Result } from './commands';
import { BATCH_PROGRESS, MOCK_EVENT_PREFIX } from './batchEvents';
import { amountInWords, formatCny, parseYuan } from '../money';
import { toCsv } from '../csv';

export interface MockBatchHandle {
  /** What the next "open file" dialog returns: `payday` (1,200 rows, two duplicate pairs), `errors`, `big` (10,000 rows). */
  file: 'payday' | 'errors' | 'big';
  /** Rows settled per 30 ms tick of a run. */
  perTick: number;
  /** Pause the run with this reason after this many rows (a gateway's "insufficient balance"). */
  pauseAfter: number | null;
  /** Every create the mock gateway saw, by order number (exactly once each). */
  creates: Record<string, number>;
  exports: { fileName: string; format: string; content: string }[];
}

type Deps = {
  profileById: (id: string) => ProfileView; now: () => number; fail: (code: string, message: string, field?: string) => Error;
  /** Team mode, this desk's keyring without the profile's key. */
  keyless: (profileId: string) => boolean;
};

const HEADERS = ['收款人姓名', '银行卡号', '开户银行', '金额（元）', '商户订单号'];
const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周杰', '吴霞'];
const BANKS = ['工商银行', '建设银行', '农业银行', '招商银行', '中国银行'];

export function createMockBatch(d: Deps) {
  const handle: MockBatchHandle = { file: 'payday', perTick: 8, pauseAfter: null, creates: {}, exports: [] };
  const batches = new Map<number, { batch: Batch; rows: BatchRow[]; timer: ReturnType<typeof setInterval> | null; started: number; sentThisRun: number }>();
  const hashes = new Set<string>();
  let nextId = 1;

  function fileRows(kind: MockBatchHandle['file']): { name: string; cells: string[][] } {
    const n = kind === 'big' ? 10_000 : kind === 'errors' ? 12 : 1200;
    const cells: string[][] = [];
    for (let i = 0; i < n; i++) {
      const fen = 50_000 + ((i * 7919) % 950_000);
      cells.push([NAMES[i % NAMES.length], `62220210010${String(10_000_000 + i * 37).slice(-8)}`, BANKS[i % BANKS.length], (fen / 100).toFixed(2), '']);
    }
    if (kind === 'payday') {
      cells[9] = [...cells[8]]; // two duplicate pairs: rows 10 and 11, rows 31 and 32
      cells[30] = [...cells[29]];
    }
    if (kind === 'errors') {
      cells[2][3] = '12,5x';
      cells[5][1] = '6222 0210';
      cells[7][0] = '';
      cells[10][3] = '80000.00';
    }
    return { name: kind === 'big' ? 'payday-10000.xlsx' : kind === 'errors' ? 'payday-errors.csv' : 'payday-2026-11.xlsx', cells };
  }

  function progressOf(e: { batch: Batch; rows: BatchRow[]; started: number; sentThisRun: number }, changed: BatchRow[]): BatchProgress {
    const c = (s: RowStatus) => e.rows.filter((r) => r.status === s).length;
    const sentRows = e.rows.filter((r) => ['pending', 'processing', 'succeeded', 'failed', 'unknown'].includes(r.status));
    const secs = Math.max(0.001, (d.now() - e.started) / 1000);
    const rate = e.sentThisRun / secs;
    const queued = c('queued');
    return {
      batch_id: e.batch.id, state: e.batch.state, total: e.batch.valid_rows, sent: sentRows.length,
      succeeded: c('succeeded'), failed: c('failed'), unknown: c('unknown'), in_progress: c('pending') + c('processing'),
      queued, cancelled: c('cancelled'), amount_sent_fen: sentRows.reduce((s, r) => s + r.amount_fen, 0),
      rate, eta_seconds: rate > 0 ? Math.ceil(queued / rate) : null, pause_reason: e.batch.pause_reason, rows: changed,
    };
  }

  function emit(p: BatchProgress) {
    window.dispatchEvent(new CustomEvent(MOCK_EVENT_PREFIX + BATCH_PROGRESS, { detail: JSON.parse(JSON.stringify(p)) }));
  }

  function counts(rows: BatchRow[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
    return out;
  }

  function entry(id: number) {
    const e = batches.get(id);
    if (!e) throw d.fail('not_found', `批次 ${id} 不存在`, 'batch');
    return e;
  }

  function detail(id: number): BatchDetail {
    const e = entry(id);
    return structuredClone({ batch: { ...e.batch, counts: counts(e.rows) }, rows: e.rows });
  }

  function setState(e: { batch: Batch }, state: BatchState, reason: string | null = e.batch.pause_reason) {
    e.batch = { ...e.batch, state, pause_reason: reason, updated_at: d.now() };
  }

  const handlers = {
    batch_template: ({ profile, format }: Args<'batch_template'>): Result<'batch_template'> =>
      `/home/finance/Downloads/paydesk-batch-template-${d.profileById(profile).provider}.${format}`,
    batch_import: (a: Args<'batch_import'>): Result<'batch_import'> => {
      const p = d.profileById(a.profile);
      const kind = a.path ? (a.path.includes('errors') ? 'errors' : a.path.includes('10000') ? 'big' : 'payday') : handle.file;
      const file = fileRows(kind);
      const path = a.path ?? `/home/finance/Documents/${file.name}`;
      const errors: RowIssue[] = [];
      const warnings: BatchWarning[] = [];
      const rows: BatchRow[] = file.cells.map((cells, i) => {
        const row = i + 2;
        const issues: RowIssue[] = [];
        const yuan = parseYuan(cells[3]);
        if (!yuan.ok) issues.push({ row, column: HEADERS[3], field: 'amount', message: `金额格式不正确：“${cells[3]}”` });
        else if (yuan.fen > 5_000_000) issues.push({ row, column: HEADERS[3], field: 'amount', message: '单笔金额不能超过 ¥ 50,000.00' });
        if (!/^\d{12,19}$/.test(cells[1])) issues.push({ row, column: HEADERS[1], field: 'account_no', message: '银行卡号应为 12–19 位数字' });
        if (!cells[0].trim()) issues.push({ row, column: HEADERS[0], field: 'payee_name', message: '请填写收款人姓名' });
        errors.push(...issues);
        return {
          row, order_no: `B${String(nextId).padStart(4, '0')}${String(row).padStart(6, '0')}`, amount_fen: yuan.ok ? yuan.fen : 0,
          status: issues.length ? 'invalid' : 'queued', order_id: null, provider_order_id: null, message: issues[0]?.message ?? null,
          fields: { payee_name: cells[0], account_no: cells[1], bank_name: cells[2] }, cells,
        };
      });
      const total = rows.reduce((s, r) => s + r.amount_fen, 0);
      if (a.expectCount !== null && a.expectCount !== rows.length)
        throw d.fail('invalid_input', `笔数不符：填写 ${a.expectCount} 笔，文件中 ${rows.length} 笔`, 'expect_count');
      if (a.expectTotal !== null) {
        const t = parseYuan(a.expectTotal);
        if (!t.ok) throw d.fail('invalid_input', `预期总金额格式不正确：“${a.expectTotal}”`, 'expect_total');
        if (t.fen !== total) throw d.fail('invalid_input', `总金额不符：填写 ${formatCny(t.fen)}，文件合计 ${formatCny(total)}`, 'expect_total');
      }
      const groups = new Map<string, number[]>();
      for (const r of rows) {
        const k = `${r.fields.account_no}|${r.amount_fen}`;
        groups.set(k, [...(groups.get(k) ?? []), r.row]);
      }
      const open: string[] = [];
      for (const [k, rs] of groups) {
        if (rs.length < 2) continue;
        const [acct, fen] = k.split('|');
        // Accepted group by group, by key, as the core does.
        const key = `dup:${acct}:${fen}`;
        const ok = a.allowDuplicates || a.acceptedDuplicates.includes(key);
        warnings.push({ kind: 'duplicate', key, rows: rs, message: `同一账号 ${acct} 同一金额 ${formatCny(Number(fen))} 出现 ${rs.length} 次`, accepted: ok });
        if (!ok) open.push(rs.join(', '));
      }
      if (open.length) errors.push({ row: null, column: null, field: 'allow_duplicates', message: `有 ${open.length} 组收款账号和金额都相同的行未确认（第 ${open.join('; ')} 行）` });
      const hash = `${kind}`;
      if (hashes.has(hash)) {
        warnings.push({ kind: 'same_file', key: null, rows: [], message: '这个文件之前已导入过（内容相同）', accepted: a.allowSameFile });
        if (!a.allowSameFile) errors.push({ row: null, column: null, field: 'allow_same_file', message: '同一文件已导入过，需确认后才能再次导入' });
      }
      const id = nextId++;
      const state: BatchState = errors.length ? 'invalid' : 'draft';
      if (state === 'draft') hashes.add(hash);
      const valid = rows.filter((r) => r.status !== 'invalid');
      const batch: Batch = {
        id, profile: p.name, profile_id: p.id, provider: p.provider, state, file_name: file.name, file_hash: hash,
        rows: rows.length, valid_rows: valid.length, total_fen: total, total_text: formatCny(total), total_capital: amountInWords(total),
        columns: HEADERS, errors, warnings, pause_reason: null, counts: {}, created_by: 'finance01', created_at: d.now(), updated_at: d.now(),
      };
      batches.set(id, { batch, rows, timer: null, started: d.now(), sentThisRun: 0 });
      return { path, detail: detail(id) };
    },
    batch_show: ({ id }: Args<'batch_show'>): Result<'batch_show'> => detail(id),
    batch_list: ({ limit }: Args<'batch_list'>): Result<'batch_list'> =>
      structuredClone([...batches.values()].map((e) => ({ ...e.batch, counts: counts(e.rows) })).reverse().slice(0, limit ?? 200)),
    batch_run: ({ id }: Args<'batch_run'>): Result<'batch_run'> => {
      const e = entry(id);
      if (e.batch.state === 'invalid') throw d.fail('invalid_input', `批次 ${id} 有错误，不能执行；请修改文件后重新导入`, 'batch');
      if (e.batch.state === 'done' || e.batch.state === 'cancelled' || e.timer) return null;
      if (d.keyless(e.batch.profile_id)) {
        // As the core's gate on a desk without the key: submitted for
        // approval as a whole, one event saying so, nothing sent.
        const why = `运行批次的电脑没有商户配置“${e.batch.profile}”的密钥，批次已提交审批：由持有该密钥的电脑上的复核人审批后执行；尚未发送任何一行`;
        setState(e, 'awaiting_approval', why);
        emit(progressOf(e, []));
        return null;
      }
      setState(e, 'running', null);
      e.started = d.now();
      e.sentThisRun = 0;
      emit(progressOf(e, []));
      // As the core does: one event per tick with the rows changed in it.
      e.timer = setInterval(() => {
        if (e.batch.state !== 'running') return;
        const changed: BatchRow[] = [];
        for (let k = 0; k < handle.perTick; k++) {
          const r = e.rows.find((x) => x.status === 'queued');
          if (!r) break;
          if (handle.pauseAfter !== null && e.sentThisRun >= handle.pauseAfter) {
            handle.pauseAfter = null;
            setState(e, 'paused', '余额不足：网关拒绝了付款，已暂停本商户其余的行');
            break;
          }
          handle.creates[r.order_no] = (handle.creates[r.order_no] ?? 0) + 1;
          const n = r.row % 97;
          r.status = n === 13 ? 'failed' : n === 41 ? 'unknown' : 'succeeded';
          r.provider_order_id = r.status === 'failed' ? null : `T${r.order_no.slice(1)}`;
          r.message = r.status === 'failed' ? '收款账户户名与卡号不符' : r.status === 'unknown' ? '网关超时：需查询状态' : '代付成功';
          e.sentThisRun++;
          changed.push(r);
        }
        if (e.batch.state === 'running' && !e.rows.some((x) => x.status === 'queued')) setState(e, 'done');
        if (e.batch.state !== 'running') {
          clearInterval(e.timer!);
          e.timer = null;
        }
        if (changed.length || e.batch.state !== 'running') emit(progressOf(e, changed));
      }, 30);
      return null;
    },
    batch_pause: ({ id }: Args<'batch_pause'>): Result<'batch_pause'> => {
      const e = entry(id);
      if (e.batch.state !== 'running' && e.batch.state !== 'draft') throw d.fail('invalid_input', `批次 ${id} 当前不能暂停`, 'batch');
      setState(e, 'paused', '操作员暂停');
      return structuredClone(e.batch);
    },
    batch_cancel: ({ id }: Args<'batch_cancel'>): Result<'batch_cancel'> => {
      const e = entry(id);
      if (!['running', 'paused', 'draft'].includes(e.batch.state)) throw d.fail('invalid_input', `批次 ${id} 当前不能取消`, 'batch');
      for (const r of e.rows) if (r.status === 'queued') r.status = 'cancelled';
      setState(e, 'cancelled');
      return structuredClone(e.batch);
    },
    batch_export: ({ id, format }: Args<'batch_export'>): Result<'batch_export'> => {
      const e = entry(id);
      const header = [...e.batch.columns, '商户订单号', '状态', '平台订单号', '说明'];
      const content = toCsv(header, e.rows.map((r) => [...r.cells, r.order_no, r.status, r.provider_order_id ?? '', r.message ?? '']));
      const fileName = `paydesk-batch-${id}.${format}`;
      handle.exports.push({ fileName, format, content: format === 'csv' ? content : '' });
      return `/home/finance/Downloads/${fileName}`;
    },
  };
  return { handle, handlers };
}
