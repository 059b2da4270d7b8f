import { describe, expect, it } from 'vitest';
import { sparkScale } from './sparkScale';

describe('sparkline scale', () => {
  it('draws a 0.03% dip as a ripple, not a crash', () => {
    const values = [1_000_000_00, 999_700_00, 1_000_000_00];
    const { lo, hi } = sparkScale(values);
    const drop = (hi - 999_700_00) / (hi - lo);
    expect(drop).toBeLessThan(0.01);
  });
  it('keeps a real fall visible and fits the low-balance line', () => {
    const { lo, hi } = sparkScale([100_000, 20_000], 50_000);
    expect(lo).toBeLessThanOrEqual(20_000);
    expect(hi).toBe(100_000);
    expect(sparkScale([100, 100]).hi).toBeGreaterThan(sparkScale([100, 100]).lo);
  });
});
