import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { Order, SyncState } from '../bindings';
import type { Backend } from '../backend';
import { formatTime } from '../time';
import { setBackend } from '../backend';
import { createMockBackend } from '../backend/mock';
import { setLang } from '../i18n.svelte';
import { setTechnical } from '../app.svelte';
import OrderDetail from './OrderDetail.svelte';

let cleanup: (() => void)[] = [];
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

function order(over: Partial<Order>): Order {
  return {
    id: 1, profile_id: 'p', profile: '测试商户', provider: 'jstpay', sandbox: false, order_no: 'PDP2411210001',
    kind: 'payout', amount_fen: 12345, channel: null, payee_name: '张三', account_no: '6222020000000000',
    bank_name: '中国工商银行', fields: {}, status: 'pending', provider_status: null, provider_message: null,
    provider_order_id: null, pay_url: null, card: null, extra: {}, message: null, created_by: 'clerk',
    created_at: 1_700_000_000_000, updated_at: 1_700_000_000_000, ...over,
  };
}

async function render(o: Order) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  const cmp = mount(OrderDetail, { target, props: { order: o, timeline: false } });
  const detail = target;
  flushSync();
  await tick();
  flushSync();
  cleanup.push(() => {
    unmount(cmp);
    target.remove();
  });
  const row = (id: string) => {
    const dt = target.querySelector(`dt[data-field="${id}"]`);
    return dt ? [dt.textContent!.trim(), dt.nextElementSibling!.textContent!.trim()] : null;
  };
  return { row, detail };
}

beforeAll(() => setBackend(createMockBackend()));
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
  setLang('zh-CN');
});

describe('OrderDetail names submitted fields as the form does', () => {
  it('shows the form label, not the field id, and a field the form no longer has by its id', async () => {
    const { row } = await render(order({ fields: { branch: '上海分行浦东支行', legacy_note: 'x' } }));
    expect(row('branch')).toEqual(['开户支行', '上海分行浦东支行']);
    expect(row('legacy_note')).toEqual(['legacy_note', 'x']);
  });

  it('shows a choice by its label with the value sent, in the chosen language', async () => {
    setLang('en');
    const { row } = await render(order({ provider: 'xxpay', fields: { account_type: '2' } }));
    expect(row('account_type')).toEqual(['Account type', 'WeChat transfer (2)']);
  });

  it('says the gateway status in words: a bare "success" beside 待处理 shows only with the technical details', async () => {
    const { detail } = await render(order({ status: 'pending', provider_status: '0', provider_message: 'success' }));
    expect(detail.textContent).not.toContain('success');
    setTechnical(true);
    flushSync();
    expect(detail.textContent).toContain('success');
    setTechnical(false);
    flushSync();
    const { detail: d2 } = await render(order({ status: 'failed', provider_message: '收款账户户名与卡号不符' }));
    expect(d2.textContent).toContain('收款账户户名与卡号不符');
  });
});

describe('OrderDetail tells what the sync will and did do', () => {
  // The backend answers the detail's sync read as the core does for this order.
  function withSync(sync: Partial<SyncState>) {
    const mock = createMockBackend();
    setBackend({
      kind: 'mock',
      call: (async (cmd: string, args: unknown) =>
        cmd === 'sync_state'
          ? {
              order_id: 1, last_checked_at: null, next_check_at: null, attempts: 0, last_reason: null,
              last_error_code: null, stuck_at: null, awaiting_approval: false, settled: null, ...sync,
            }
          : mock.call(cmd as never, args as never)) as Backend['call'],
    });
    cleanup.push(() => setBackend(createMockBackend()));
  }

  it('shows what settled a final order (a callback, with its time), not the older last check', async () => {
    const at = 1_700_000_300_000;
    withSync({ last_checked_at: 1_700_000_100_000, attempts: 1, last_reason: '处理中 (1 处理中)', settled: { by: 'callback', at } });
    const { detail } = await render(order({ status: 'succeeded' }));
    const settled = detail.querySelector('[data-testid="sync-settled"]');
    expect(settled?.textContent).toContain('网关回调');
    expect(settled?.textContent).toContain(formatTime(at));
    expect(detail.querySelector('[data-testid="sync-reason"]')).toBeNull();
    expect(detail.textContent).not.toContain('处理中 (1 处理中)');
  });

  it('shows the last check while the order is open', async () => {
    withSync({ last_checked_at: 1_700_000_100_000, next_check_at: 1_700_000_200_000, attempts: 1, last_reason: '处理中' });
    const { detail } = await render(order({ status: 'processing' }));
    expect(detail.querySelector('[data-testid="sync-reason"]')?.textContent).toContain('处理中');
    expect(detail.querySelector('[data-testid="sync-settled"]')).toBeNull();
  });

  it('says an order awaiting approval is not queried: nothing was sent', async () => {
    setLang('en');
    withSync({ awaiting_approval: true });
    const { detail } = await render(order({ status: 'awaiting_approval' }));
    expect(detail.querySelector('[data-testid="sync-next"]')?.textContent?.trim()).toBe('none: awaiting approval, nothing sent yet');
  });
});
