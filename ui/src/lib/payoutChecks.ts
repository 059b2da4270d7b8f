// What the payout confirm step checks before the button goes live: the
// profile's last known balance, and the same payee account and amount paid
// recently (a double payout typed twice).
import type { BalanceReading, Order, OrderPage, ProfileView } from './bindings';
import { call } from './backend';
import { normalizeAccount } from './form';

const HOURS_KEY = 'paydesk.duplicateHours';
export const DEFAULT_DUPLICATE_HOURS = 24;
const PAGE = 200;
const MAX_PAGES = 10;

/** The look-back window for duplicate payouts, in hours (0 turns the check off). */
export function duplicateHours(): number {
  try {
    const v = Number(localStorage.getItem(HOURS_KEY) ?? DEFAULT_DUPLICATE_HOURS);
    return Number.isInteger(v) && v >= 0 && v <= 24 * 31 ? v : DEFAULT_DUPLICATE_HOURS;
  } catch {
    return DEFAULT_DUPLICATE_HOURS;
  }
}

export function setDuplicateHours(h: number): void {
  try {
    localStorage.setItem(HOURS_KEY, String(h));
  } catch {
    // Not stored: the default stays.
  }
}

/** Payouts to the same account for the same amount within the window, newest first. */
export async function findDuplicates(account: string, amountFen: number, hours = duplicateHours(), now = Date.now()): Promise<Order[]> {
  const want = normalizeAccount(account);
  if (!want || hours <= 0) return [];
  const hits: Order[] = [];
  let after: [number, number] | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page: OrderPage = await call('list_orders', {
      filter: { profile: null, kind: 'payout', status: null, from_ms: now - hours * 3600_000, to_ms: null, search: null, after, limit: PAGE },
    });
    for (const o of page.orders) {
      // A payout the gateway refused moved no money: not a duplicate.
      if (o.status === 'failed') continue;
      if (o.amount_fen === amountFen && o.account_no && normalizeAccount(o.account_no) === want) hits.push(o);
    }
    if (!page.next) break;
    after = page.next;
  }
  return hits;
}

/** The profile's last stored balance reading, if it has a balance call. */
export async function lastBalance(p: ProfileView): Promise<BalanceReading | null> {
  if (!p.capabilities.balance) return null;
  const list = await call('balance_history', { profile: p.id, limit: 1 });
  return list.at(-1) ?? null;
}
