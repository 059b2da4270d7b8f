import { describe, expect, it } from 'vitest';
import { dayStartMs, formatTime, localInputToMs, msToLocalInput } from './time';
import { normalizeDay } from './time';

describe('time in UTC+8', () => {
  it('formats Unix ms in Asia/Shanghai', () => {
    expect(formatTime(0)).toBe('1970-01-01 08:00:00');
    expect(formatTime(Date.UTC(2024, 11, 31, 16, 5, 9))).toBe('2025-01-01 00:05:09');
    expect(formatTime(null)).toBe('');
  });
  it('reads calendar days and datetime-local values as UTC+8', () => {
    expect(dayStartMs('2025-01-01')).toBe(Date.UTC(2024, 11, 31, 16));
    expect(dayStartMs('nope')).toBeNull();
    const ms = Date.UTC(2025, 0, 1, 2, 30);
    expect(localInputToMs(msToLocalInput(ms))).toBe(ms);
  });
});

describe('day input', () => {
  it('reads a day however it is typed, as YYYY-MM-DD', () => {
    expect(normalizeDay('2026-11-28')).toBe('2026-11-28');
    expect(normalizeDay('2026/1/5')).toBe('2026-01-05');
    expect(normalizeDay('20261128')).toBe('2026-11-28');
    expect(normalizeDay('2026年11月28日')).toBe('2026-11-28');
    expect(normalizeDay('11/28/2026')).toBeNull();
    expect(normalizeDay('2026-02-30')).toBeNull();
  });
});
