import { describe, expect, it } from 'vitest';
import { searchBanks } from './banks';
import { COMMON_BANKS, HPT_BANKS } from './backend/mockData';

describe('searchBanks', () => {
  it('finds 中国工商银行 by its pinyin initials gsyh', () => {
    expect(searchBanks(COMMON_BANKS, 'gsyh')[0].name).toBe('中国工商银行');
    expect(searchBanks(COMMON_BANKS, 'GSYH')[0].name).toBe('中国工商银行');
  });
  it('ranks an exact name before prefixes and substrings', () => {
    const hits = searchBanks(COMMON_BANKS, '中国银行');
    expect(hits[0].name).toBe('中国银行');
    expect(searchBanks(COMMON_BANKS, '招商')[0].name).toBe('招商银行');
  });
  it('ranks initials prefixes before initials substrings', () => {
    const hits = searchBanks(COMMON_BANKS, 'zg');
    expect(hits.length).toBeGreaterThan(3);
    expect(hits.every((b) => b.initials.includes('zg'))).toBe(true);
    const firstNonPrefix = hits.findIndex((b) => !b.initials.startsWith('zg'));
    if (firstNonPrefix >= 0) expect(hits.slice(firstNonPrefix).every((b) => !b.initials.startsWith('zg'))).toBe(true);
  });
  it('searches gateway codes', () => {
    expect(searchBanks(HPT_BANKS, 'HPT00002')[0].name).toBe('中国工商银行');
    expect(searchBanks(HPT_BANKS, 'hpt0000').length).toBe(9);
    expect(searchBanks(HPT_BANKS, 'gsyh')[0].code).toBe('HPT00002');
  });
  it('returns the whole list for an empty query and nothing for no match', () => {
    expect(searchBanks(COMMON_BANKS, '  ')).toHaveLength(COMMON_BANKS.length);
    expect(searchBanks(COMMON_BANKS, 'zzzz')).toEqual([]);
  });
  it('uses bank-name readings of polyphones (重庆 chong, 长沙 chang)', () => {
    expect(searchBanks(COMMON_BANKS, 'cqncsyyh')[0].name).toBe('重庆农村商业银行');
    expect(searchBanks(COMMON_BANKS, 'csyh')[0].name).toBe('长沙银行');
  });
});
