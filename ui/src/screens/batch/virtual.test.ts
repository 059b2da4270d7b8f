import { describe, expect, it } from 'vitest';
import { visibleWindow } from './virtual';

describe('visibleWindow', () => {
  it('renders only the rows in view plus the overscan at the top', () => {
    const w = visibleWindow(0, 400, 40, 10_000, 5);
    expect(w).toEqual({ start: 0, end: 16, padTop: 0, padBottom: (10_000 - 16) * 40 });
  });

  it('keeps the total height constant wherever it scrolls', () => {
    for (const top of [0, 39, 40, 12_345, 399_600, 1e9]) {
      const w = visibleWindow(top, 400, 40, 10_000, 5);
      expect(w.padTop + (w.end - w.start) * 40 + w.padBottom).toBe(400_000);
      expect(w.end - w.start).toBeLessThanOrEqual(10 + 1 + 10);
    }
  });

  it('covers the viewport at a mid-list scroll position', () => {
    const w = visibleWindow(12_345, 400, 40, 10_000, 5);
    // Rows 308..318 are (partly) visible.
    expect(w.start).toBe(308 - 5);
    expect(w.end).toBe(308 + 11 + 5);
    expect(w.padTop).toBe(303 * 40);
  });

  it('clamps past the end so the last rows are rendered', () => {
    const w = visibleWindow(1e9, 400, 40, 10_000, 5);
    expect(w.end).toBe(10_000);
    expect(w.padBottom).toBe(0);
    expect(w.start).toBe(10_000 - 10 - 5);
  });

  it('handles short and empty lists', () => {
    expect(visibleWindow(0, 400, 40, 3)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(visibleWindow(50, 400, 40, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
    expect(visibleWindow(-20, 400, 40, 3).start).toBe(0);
  });
});
