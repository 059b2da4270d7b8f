import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import type { FormSpec } from '../bindings';
import { setBackend } from '../backend';
import { createMockBackend } from '../backend/mock';
import { FORMS } from '../backend/mockData';
import { initialValues, type Values } from '../form';
import { setLang } from '../i18n.svelte';
import { setTechnical } from '../app.svelte';
import FormFields from './FormFields.svelte';
import OrderForm from './OrderForm.svelte';

const spec = (key: keyof typeof FORMS): FormSpec => structuredClone(FORMS[key]!);
let cleanup: (() => void)[] = [];

function render(s: FormSpec, errors: Record<string, string> = {}) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  const props = $state({ fields: s.fields, values: initialValues(s.fields) as Values, errors, provider: s.provider, idPrefix: 't' });
  const cmp = mount(FormFields, { target, props });
  flushSync();
  cleanup.push(() => {
    unmount(cmp);
    target.remove();
  });
  return { target, props, q: (sel: string) => target.querySelector(sel) };
}

const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => setBackend(createMockBackend()));

afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
  setLang('zh-CN');
});

describe('FormFields renders a FormSpec', () => {
  it('renders each field by its input kind with labels, required marks, wire names and help', () => {
    const { q, target } = render(spec('jstpay/payout'));
    const ids = [...target.querySelectorAll('[data-field]')].map((el) => el.getAttribute('data-field'));
    expect(ids).toEqual(['payee_name', 'account_no', 'bank_name', 'branch', 'province', 'city']);
    const payee = q('[data-field=payee_name]')!;
    expect(payee.querySelector('label')!.textContent).toContain('收款人户名');
    expect(payee.querySelector('.req')).not.toBeNull();
    // Wire names are technical details: shown only with the switch on.
    expect(payee.querySelector('.wire')).toBeNull();
    setTechnical(true);
    flushSync();
    expect(payee.querySelector('.wire')!.textContent).toBe('payee_name');
    setTechnical(false);
    flushSync();
    expect(payee.textContent).toContain('最长 50 字');
    expect(payee.querySelector('.help')!.textContent).toBe('与银行卡开户名一致');
    expect((q('#t-account_no') as HTMLInputElement).inputMode).toBe('numeric');
    expect(q('#t-bank_name')!.getAttribute('role')).toBe('combobox');
  });

  it('renders select choices with defaults, and optional fields without a required mark', () => {
    const { q } = render(spec('xxpay/payout'));
    const type = q('#t-account_type') as HTMLSelectElement;
    expect([...type.options].map((o) => o.value)).toEqual(['1', '2', '3', '4']);
    expect(type.value).toBe('1');
    expect(type.options[0].textContent).toBe('银行卡转账 (1)');
    const attr = q('#t-account_attr') as HTMLSelectElement;
    expect([...attr.options].map((o) => o.value)).toEqual(['', '0', '1']);
    expect(q('[data-field=account_attr] .req')).toBeNull();
  });

  it('shows and requires fields only when their condition holds', () => {
    const { q, props } = render(spec('xxpay/deposit'));
    expect(q('[data-field=payer_name]')).toBeNull();
    expect(q('[data-field=payer_bank_code]')).toBeNull();
    const channel = q('#t-channel') as HTMLSelectElement;
    channel.value = '8000';
    channel.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(props.values.channel).toBe('8000');
    expect(q('[data-field=payer_name] .req')).not.toBeNull();
    expect(q('[data-field=payer_bank_code] [role=combobox]')).not.toBeNull();
    expect(q('[data-field=payer_account_no]')).not.toBeNull();
    props.values.channel = '8002';
    flushSync();
    expect(q('[data-field=payer_name]')).toBeNull();
  });

  it('toggles fields on a checkbox (jstpay create2card)', () => {
    const { q, props } = render(spec('jstpay/deposit'));
    expect(q('[data-field=fund_id]')).not.toBeNull();
    expect(q('[data-field=payer_name]')).toBeNull();
    const box = q('#t-to_card') as HTMLInputElement;
    expect(box.type).toBe('checkbox');
    box.click();
    flushSync();
    expect(props.values.to_card).toBe('true');
    expect(q('[data-field=payer_name]')).not.toBeNull();
    expect(q('[data-field=fund_id]')).toBeNull();
  });

  it('lets a select with allow_other take a typed value', () => {
    const { q, props } = render(spec('jeepay/payout'));
    const ifCode = q('#t-if_code') as HTMLSelectElement;
    expect([...ifCode.options].map((o) => o.textContent)).toContain('其他…');
    ifCode.value = ifCode.options[ifCode.options.length - 1].value;
    ifCode.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    const other = q('#t-if_code-other') as HTMLInputElement;
    other.value = 'ysfpay';
    other.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect(props.values.if_code).toBe('ysfpay');
    // The bank field of jeepay appears only for bank cards.
    expect(q('[data-field=bank_name]')).toBeNull();
    props.values.entry_type = 'BANK_CARD';
    flushSync();
    expect(q('[data-field=bank_name]')).not.toBeNull();
  });

  it('shows an error next to its field instead of the help text', () => {
    const { q } = render(spec('jstpay/payout'), { account_no: '银行卡号应为 12–19 位数字' });
    const field = q('[data-field=account_no]')!;
    expect(field.querySelector('.err')!.textContent).toBe('银行卡号应为 12–19 位数字');
    expect(field.querySelector('input')!.getAttribute('aria-invalid')).toBe('true');
    expect(q('[data-field=payee_name] .err')).toBeNull();
  });

  it('uses English labels when the language is English', () => {
    setLang('en');
    const { q } = render(spec('jstpay/payout'));
    expect(q('[data-field=payee_name] label')!.textContent).toContain('Payee name');
    expect(q('[data-field=payee_name] .help')!.textContent).toBe('exactly as on the bank account');
  });

  it('picks a bank by pinyin initials with the keyboard', async () => {
    const { q, props } = render(spec('xxpay/payout'));
    const box = q('#t-bank_code') as HTMLInputElement;
    box.focus();
    box.value = 'gsyh';
    box.dispatchEvent(new Event('input', { bubbles: true }));
    // The bank list arrives from the backend once.
    for (let i = 0; i < 40 && !q('#t-bank_code-list li[aria-selected=true]'); i++) {
      await tick(25);
      flushSync();
    }
    const first = q('#t-bank_code-list li')!;
    expect(first.textContent).toContain('中国工商银行');
    expect(first.textContent).toContain('HPT00002');
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    flushSync();
    expect(props.values.bank_code).toBe('HPT00002');
    expect(box.value).toBe('中国工商银行');
  });
});

describe('OrderForm', () => {
  it('shows the amount rule, the order number hint and the notes, and submits on Enter', () => {
    const target = document.createElement('div');
    document.body.appendChild(target);
    let submitted = 0;
    const s = spec('jstpay/payout');
    const props = $state({
      spec: s, amount: '1234', orderNo: '', values: initialValues(s.fields) as Values, errors: {},
      submitLabel: '下一步', onsubmit: () => submitted++, idPrefix: 'o',
    });
    const cmp = mount(OrderForm, { target, props });
    flushSync();
    cleanup.push(() => {
      unmount(cmp);
      target.remove();
    });
    expect(target.querySelector('.rules')!.textContent).toContain('只能整数元');
    expect(target.querySelector('[data-testid=amount-in-words]')!.textContent).toBe('壹仟贰佰叁拾肆元整');
    expect(target.querySelector('[data-field=order_no] .wire')).toBeNull();
    setTechnical(true);
    flushSync();
    expect(target.querySelector('[data-field=order_no] .wire')!.textContent).toBe('client_order_id');
    setTechnical(false);
    flushSync();
    expect(target.querySelector('.notes')!.textContent).toContain('金额只能是整数元');
    target.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(submitted).toBe(1);
  });

  it('says when a gateway needs only the amount (juyouke withdrawal)', () => {
    const target = document.createElement('div');
    document.body.appendChild(target);
    const s = spec('juyouke/payout');
    const props = $state({ spec: s, amount: '', orderNo: '', values: {} as Values, submitLabel: 'x', onsubmit: () => {} });
    const cmp = mount(OrderForm, { target, props });
    flushSync();
    cleanup.push(() => {
      unmount(cmp);
      target.remove();
    });
    expect(target.querySelector('[data-field=order_no]')).toBeNull();
    expect(target.textContent).toContain('该网关只需要金额');
    expect(target.querySelector('.rules')!.textContent).toContain('单日最高 ¥ 1,000,000.00');
  });
});
