// Balances live outside the screen so switching screens keeps the readings.
import type { BalanceReading, BalanceView, ErrorInfo } from '../../lib/bindings';
import { call, toErrorInfo } from '../../lib/backend';

export interface CardState {
  view: BalanceView | null;
  history: BalanceReading[];
  loading: boolean;
  error: ErrorInfo | null;
}

export const cards = $state<Record<string, CardState>>({});

function entry(id: string): CardState {
  cards[id] ??= { view: null, history: [], loading: false, error: null };
  return cards[id];
}

export async function loadHistory(id: string): Promise<void> {
  const c = entry(id);
  try {
    c.history = await call('balance_history', { profile: id, limit: 30 });
  } catch {
    // History is decoration; the live reading says what matters.
  }
}

/** Ask one gateway; only this card shows progress. */
export async function refreshOne(id: string): Promise<void> {
  const c = entry(id);
  if (c.loading) return;
  c.loading = true;
  c.error = null;
  try {
    const v = await call('balance', { profile: id });
    c.view = v;
    c.error = v.error;
    if (v.balance_fen !== null && v.at !== null) {
      c.history = [...c.history, { profile_id: id, at: v.at, balance_fen: v.balance_fen, details: v.details }].slice(-30);
    }
  } catch (e) {
    c.error = toErrorInfo(e);
  } finally {
    c.loading = false;
  }
}
