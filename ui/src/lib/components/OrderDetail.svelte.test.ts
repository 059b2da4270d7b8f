import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { Order } from '../bindings';
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
