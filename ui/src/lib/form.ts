// Form logic shared by every form rendered from a gateway's FormSpec:
// conditions, defaults and the client-side checks (the backend checks again).
import type { AmountRule, FieldSpec, FormSpec } from './bindings';
import { formatCny, parseYuan } from './money';
import { pick, t } from './i18n.svelte';

export type Values = Record<string, string>;
export type Errors = Record<string, string>;

export function initialValues(fields: FieldSpec[]): Values {
  const v: Values = {};
  for (const f of fields) v[f.id] = f.default ?? (f.input === 'checkbox' ? 'false' : '');
  return v;
}

function holds(values: Values, cond: FieldSpec['shown_when']): boolean {
  return !cond || (values[cond.field] ?? '') === cond.equals;
}

export function isShown(f: FieldSpec, values: Values): boolean {
  return holds(values, f.shown_when);
}

export function isRequired(f: FieldSpec, values: Values): boolean {
  return f.required || (f.required_when !== null && holds(values, f.required_when));
}

/** The values to send: trimmed, hidden and empty fields dropped. */
export function cleanValues(fields: FieldSpec[], values: Values): Values {
  const out: Values = {};
  for (const f of fields) {
    if (!isShown(f, values)) continue;
    let v = (values[f.id] ?? '').trim();
    if (f.input === 'account_no') v = normalizeAccount(v);
    if (v) out[f.id] = v;
  }
  return out;
}

export function checkField(f: FieldSpec, values: Values): string | null {
  if (!isShown(f, values)) return null;
  let v = (values[f.id] ?? '').trim();
  const label = pick(f.label_zh, f.label_en);
  if (!v) return isRequired(f, values) ? t(f.input === 'select' || f.input === 'bank' ? 'field.choose' : 'field.required', { label }) : null;
  if (f.input === 'account_no') {
    v = normalizeAccount(v);
    if (!/^[0-9]+$/.test(v)) return t('field.digits', { label });
    if (isCardField(f) && (v.length < CARD_MIN || v.length > CARD_MAX)) {
      return t('field.cardLength', { label, min: CARD_MIN, max: CARD_MAX, n: v.length });
    }
    if (f.max_len !== null && v.length > f.max_len) return t('field.digitsTooLong', { label, max: f.max_len, n: v.length });
    return null;
  }
  if (f.max_len !== null && [...v].length > f.max_len) return t('field.tooLong', { label, max: f.max_len });
  return null;
}

// Bank card numbers (the gateways' payee cards) are 12–19 digits.
const CARD_MIN = 12;
const CARD_MAX = 19;

/**
 * An account number as the gateway wants it: spaces (also the IME's full-width
 * space) and dashes stripped, full-width digits (０-９, as a Chinese IME types
 * them) read as ASCII digits.
 */
export function normalizeAccount(v: string): string {
  return v
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[\s\u3000\-\uFF0D]/g, '');
}

/** A field that holds a bank card number (as opposed to any account number). */
export function isCardField(f: FieldSpec): boolean {
  return f.input === 'account_no' && /card/i.test(f.label_en);
}

/** The Luhn check digit test that bank cards (UnionPay included) pass. */
export function luhnOk(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Warnings (not errors) for the confirm step: a card number failing Luhn. */
export function accountWarnings(fields: FieldSpec[], values: Values): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const f of fields) {
    const v = values[f.id];
    if (!v || !isCardField(f) || !isShown(f, values)) continue;
    const digits = normalizeAccount(v);
    if (/^\d+$/.test(digits) && !luhnOk(digits)) out.push({ field: f.id, message: t('field.luhn', { label: pick(f.label_zh, f.label_en) }) });
  }
  return out;
}

export function checkAmount(rule: AmountRule, text: string): string | null {
  const p = parseYuan(text);
  if (!p.ok) return t(`amount.${p.reason}`);
  if (p.fen < rule.min_fen) return t('amount.min', { min: formatCny(rule.min_fen) });
  if (rule.max_fen !== null && p.fen > rule.max_fen) return t('amount.max', { max: formatCny(rule.max_fen) });
  if (rule.whole_yuan && p.fen % 100 !== 0) return t('amount.whole');
  return null;
}

/** Every client-side error, keyed by field id (`amount`, `order_no`, or a spec field). */
export function checkForm(spec: FormSpec, amount: string, orderNo: string, values: Values): Errors {
  const errors: Errors = {};
  const a = checkAmount(spec.amount, amount);
  if (a) errors.amount = a;
  if (spec.order_no.sent && [...orderNo.trim()].length > spec.order_no.max_len) {
    errors.order_no = t('field.tooLong', { label: t('common.orderNo'), max: spec.order_no.max_len });
  }
  for (const f of spec.fields) {
    const e = checkField(f, values);
    if (e) errors[f.id] = e;
  }
  return errors;
}

/** The gateway's limits in words, for the form and the confirm step. */
export function amountRuleText(rule: AmountRule): string[] {
  const out = [t('amount.minRule', { min: formatCny(rule.min_fen) })];
  if (rule.max_fen !== null && rule.max_fen < 2147483647) out.push(t('amount.maxRule', { max: formatCny(rule.max_fen) }));
  if (rule.daily_max_fen !== null) out.push(t('amount.dailyRule', { max: formatCny(rule.daily_max_fen) }));
  if (rule.whole_yuan) out.push(t('amount.wholeRule'));
  const unit = rule.wire_unit === 'fen' ? t('amount.unit.fen') : rule.wire_unit === 'yuan' ? t('amount.unit.yuan') : rule.wire_unit;
  out.push(t('amount.wireUnit', { unit }));
  return out;
}
