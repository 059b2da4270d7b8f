import { describe, expect, it } from 'vitest';
import { FORMS } from './backend/mockData';
import { checkForm, cleanValues, initialValues, isRequired, isShown } from './form';

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
});
