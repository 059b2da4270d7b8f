import { describe, expect, it } from 'vitest';
import { amountInWords, fenToYuan2dp, formatCny, parseYuan } from './money';

describe('amountInWords', () => {
  const cases: [number, string][] = [
    [5, '伍分'], // 0.05
    [1, '壹分'],
    [50, '伍角'],
    [1050, '壹拾元伍角'], // 10.50
    [10000, '壹佰元整'], // 100
    [100100, '壹仟零壹元整'], // 1001
    [123456, '壹仟贰佰叁拾肆元伍角陆分'], // 1234.56
    [100_000_000, '壹佰万元整'], // 1,000,000 yuan
    [10_000_000_000, '壹亿元整'], // 100,000,000 yuan
    [10_005, '壹佰元零伍分'],
    [1_000_100, '壹万零壹元整'],
    [1_000_010_000, '壹仟万零壹佰元整'],
    [100_000_000_000, '壹拾亿元整'],
    [1_000_000_010_000, '壹佰亿零壹佰元整'],
    [10_101_000, '壹拾万壹仟零壹拾元整'],
    [10_010_000, '壹拾万零壹佰元整'],
    [1_000, '壹拾元整'],
    [10_000_000, '壹拾万元整'],
    [12_000_300, '壹拾贰万零叁元整'],
    [300_000_100, '叁佰万零壹元整'],
    [2_010_000_000, '贰仟零壹拾万元整'],
    [7, '柒分'],
    [99, '玖角玖分'],
    [1_999_999_999, '壹仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
    [0, '零元整'],
  ];
  it.each(cases)('%i fen → %s', (fen, words) => {
    expect(amountInWords(fen)).toBe(words);
  });
  it('marks negative amounts and refuses fractions of a fen', () => {
    expect(amountInWords(-10000)).toBe('负壹佰元整');
    expect(() => amountInWords(1.5)).toThrow();
  });
});

describe('money formatting', () => {
  it('formats fen as yuan with the unit and grouping', () => {
    expect(formatCny(123456789)).toBe('¥ 1,234,567.89');
    expect(formatCny(5)).toBe('¥ 0.05');
    expect(formatCny(0)).toBe('¥ 0.00');
    expect(formatCny(100000)).toBe('¥ 1,000.00');
    expect(formatCny(-12345)).toBe('-¥ 123.45');
    expect(fenToYuan2dp(10050)).toBe('100.50');
  });
  it('parses typed yuan exactly', () => {
    expect(parseYuan('100')).toEqual({ ok: true, fen: 10000 });
    expect(parseYuan('100.5')).toEqual({ ok: true, fen: 10050 });
    expect(parseYuan('0.01')).toEqual({ ok: true, fen: 1 });
    expect(parseYuan('.5')).toEqual({ ok: true, fen: 50 });
    expect(parseYuan('1,234.56')).toEqual({ ok: true, fen: 123456 });
    expect(parseYuan(' ¥12 ')).toEqual({ ok: true, fen: 1200 });
    expect(parseYuan('100.500')).toEqual({ ok: true, fen: 10050 });
    expect(parseYuan('19.99')).toEqual({ ok: true, fen: 1999 });
  });
  it('names why an amount is refused', () => {
    expect(parseYuan('')).toEqual({ ok: false, reason: 'empty' });
    expect(parseYuan('-5')).toEqual({ ok: false, reason: 'negative' });
    expect(parseYuan('0.00')).toEqual({ ok: false, reason: 'zero' });
    expect(parseYuan('1.234')).toEqual({ ok: false, reason: 'decimals' });
    expect(parseYuan('12345678901234')).toEqual({ ok: false, reason: 'too_large' });
    for (const bad of ['abc', '1e3', '1,23', '1.2.3', 'NaN', '１００', '.']) {
      expect(parseYuan(bad)).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});
