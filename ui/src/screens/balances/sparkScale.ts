/** The sparkline's vertical range never spans less than this share of the balance. */
export const MIN_SPAN = 0.2;

/**
 * The value range a balance sparkline draws: every reading (and the low-balance
 * line) fits, and the range is at least MIN_SPAN of the highest balance, so a
 * 0.03% dip is a ripple, not a crash. The bottom is the baseline (drawn).
 */
export function sparkScale(values: number[], low: number | null = null): { lo: number; hi: number } {
  const vals = low === null ? values : [...values, low];
  let lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const span = Math.max(hi - lo, Math.abs(hi) * MIN_SPAN, 1);
  if (hi - lo < span) lo = Math.max(Math.min(lo, 0), hi - span);
  if (hi === lo) lo = hi - 1;
  return { lo, hi };
}
