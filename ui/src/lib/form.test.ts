import { describe, expect, it } from 'vitest';
import { FORMS } from './backend/mockData';
import { accountWarnings, checkField, checkForm, cleanValues, initialValues, isCardField, isRequired, isShown, luhnOk, normalizeAccount } from './form';

describe('form logic', () => {
  const xx = FORMS['xxpay/deposit']!;
  it('fills defaults and evaluates conditions', () => {
    const v = initialValues(xx.fields);
    expect(v.subject).toBe('在线支付');
    const payer = xx.fields.find((f) => f.id === 'payer_name')!;
    expect(isShown(payer, v)).toBe(false);
    expect(isRequired(payer, { ...v, channel: '8000' })).toBe(true);
  });
  it('drops hidden and empty fields and strips spaces from account numbers', () => {
    const v = { ...initialValues(xx.fields), channel: '8002', payer_name: 'hidden', payer_account_no: '6222 0202' };
    expect(cleanValues(xx.fields, v)).toEqual({ channel: '8002', subject: '在线支付', body: '在线支付' });
    expect(cleanValues(xx.fields, { ...v, channel: '8000' }).payer_account_no).toBe('62220202');
  });
  it('checks amount rules and required fields, naming the field', () => {
    const jst = FORMS['jstpay/payout']!;
    const errs = checkForm(jst, '100.50', '', initialValues(jst.fields));
    expect(errs.amount).toContain('整数元');
    expect(errs.payee_name).toBe('请填写收款人户名');
    expect(checkForm(jst, '0.5', '', {}).amount).toContain('¥ 1.00');
    const juy = FORMS['juyouke/payout']!;
    expect(checkForm(juy, '50001', '', {}).amount).toContain('¥ 50,000.00');
    expect(checkForm(jst, '100', 'x'.repeat(33), {}).order_no).toContain('32');
  });
  it('reads account numbers as the IME types them', () => {
    expect(normalizeAccount('６２２２　０２１０-０１１２ 3456 789')).toBe('6222021001123456789');
    const jst = FORMS['jstpay/payout']!;
    const card = jst.fields.find((f) => f.id === 'account_no')!;
    expect(isCardField(card)).toBe(true);
    expect(checkField(card, { account_no: '６２２２０２１００１１２３４５６７８９' })).toBeNull();
    expect(cleanValues([card], { account_no: '６２２２ ０２１０ ０１１２ ３４５６ ７８９' }).account_no).toBe('6222021001123456789');
    expect(checkField(card, { account_no: '6222abc' })).toContain('只能包含数字');
    expect(checkField(card, { account_no: '6222 0202' })).toContain('12–19 位数字，现在是 8 位');
    expect(checkField(card, { account_no: '62220202001122334455' })).toContain('现在是 20 位');
    // Not a card (an xxpay account): any length up to the gateway's maximum.
    const xx = FORMS['xxpay/payout']!.fields.find((f) => f.id === 'account_no')!;
    expect(isCardField(xx)).toBe(false);
    expect(checkField(xx, { account_no: '12345' })).toBeNull();
    expect(checkField(xx, { account_no: '1'.repeat(65) })).toContain('最长 64 位');
  });
  it('warns (does not refuse) on a card number failing Luhn', () => {
    expect(luhnOk('6222021001123456789')).toBe(true);
    expect(luhnOk('6222020200112233445')).toBe(false);
    const jst = FORMS['jstpay/payout']!;
    expect(accountWarnings(jst.fields, { account_no: '6222020200112233445' })).toHaveLength(1);
    expect(accountWarnings(jst.fields, { account_no: '6222021001123456789' })).toHaveLength(0);
    expect(checkField(jst.fields.find((f) => f.id === 'account_no')!, { account_no: '6222020200112233445' })).toBeNull();
  });
});
