// Gateways that take a bank code (xxpay's HPT00002) store the code; people
// read the bank's name (中国工商银行). Names are loaded once per gateway.
import type { Order, ProviderKind } from './bindings';
import { call } from './backend';

const names = $state<Record<string, Record<string, string>>>({});
const loading = new Set<string>();

function load(provider: ProviderKind): void {
  if (loading.has(provider)) return;
  loading.add(provider);
  call('search_banks', { provider, query: '' })
    .then((list) => {
      const m: Record<string, string> = {};
      for (const b of list) if (b.code) m[b.code] = b.name;
      names[provider] = m;
    })
    .catch(() => loading.delete(provider));
}

/** The bank as people name it; a code the list does not know is shown as is. */
export function bankName(provider: ProviderKind, value: string | null): string | null {
  if (!value) return value;
  const m = names[provider];
  if (!m) {
    load(provider);
    return value;
  }
  return m[value] ?? value;
}

export function orderBank(o: Order | null): string | null {
  return o ? bankName(o.provider, o.bank_name) : null;
}

/** Load the names of every gateway among these orders (before an export). */
export async function ensureBankNames(orders: Order[]): Promise<void> {
  const providers = [...new Set(orders.filter((o) => o.bank_name).map((o) => o.provider))];
  await Promise.all(
    providers
      .filter((p) => !names[p])
      .map(async (p) => {
        const list = await call('search_banks', { provider: p, query: '' });
        const m: Record<string, string> = {};
        for (const b of list) if (b.code) m[b.code] = b.name;
        names[p] = m;
        loading.add(p);
      }),
  );
}
