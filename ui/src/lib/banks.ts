import type { Bank } from './bindings';

/**
 * The same search the backend runs (`search_banks`), over the full list, so the
 * picker filters instantly: exact match first, then prefixes of the pinyin
 * initials / code / name, then substrings. Stable within a rank.
 */
export function searchBanks(banks: Bank[], query: string): Bank[] {
  const raw = query.trim();
  const q = raw.toLowerCase();
  if (!q) return banks.slice();
  const hits: { rank: number; i: number; bank: Bank }[] = [];
  banks.forEach((b, i) => {
    const code = (b.code ?? '').toLowerCase();
    const initials = b.initials.toLowerCase();
    let rank: number;
    if (b.name === raw || code === q || initials === q) rank = 0;
    else if (initials.startsWith(q) || code.startsWith(q) || b.name.startsWith(raw)) rank = 1;
    else if (b.name.includes(raw) || initials.includes(q) || code.includes(q)) rank = 2;
    else return;
    hits.push({ rank, i, bank: b });
  });
  hits.sort((a, b) => a.rank - b.rank || a.i - b.i);
  return hits.map((h) => h.bank);
}
