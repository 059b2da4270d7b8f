import { afterEach, describe, expect, it } from 'vitest';
import { allKeys, i18n, pick, raw, setLang, statusText, t, tn } from './i18n.svelte';
import { formatAge } from './time';

describe('i18n', () => {
  afterEach(() => setLang('zh-CN'));
  it('defaults to zh-CN and switches to English', () => {
    expect(i18n.lang).toBe('zh-CN');
    expect(t('nav.balances')).toBe('余额');
    setLang('en');
    expect(t('nav.balances')).toBe('Balances');
    expect(document.documentElement.lang).toBe('en');
  });
  it('fills placeholders', () => {
    expect(t('balances.auto', { n: 5 })).toBe('每 5 分钟自动刷新');
    setLang('en');
    expect(t('common.exported', { path: '/tmp/a.csv' })).toBe('Saved to /tmp/a.csv');
  });
  it('has every message in both languages', () => {
    for (const k of allKeys) {
      const [zh, en] = raw(k);
      expect(zh, k).not.toBe('');
      expect(en, k).not.toBe('');
      // placeholders match between the languages
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
      expect(ph(zh), k).toBe(ph(en));
    }
  });
  it('uses the shared status words', () => {
    expect(['pending', 'processing', 'succeeded', 'failed', 'unknown'].map((s) => statusText(s as never)))
      .toEqual(['待处理', '处理中', '成功', '失败', '状态未知']);
  });
  it('picks gateway-described labels by language, falling back', () => {
    expect(pick('收款人', 'Payee')).toBe('收款人');
    setLang('en');
    expect(pick('收款人', 'Payee')).toBe('Payee');
    expect(pick('只有中文', null)).toBe('只有中文');
  });
  it('says counts with the right English plural', () => {
    expect(tn('time.minutesAgo', 1)).toBe('1 分钟前');
    setLang('en');
    expect(tn('time.minutesAgo', 1)).toBe('1 minute ago');
    expect(tn('time.minutesAgo', 2)).toBe('2 minutes ago');
    const now = Date.UTC(2026, 10, 28, 12);
    expect(formatAge(now - 3600_000, now)).toBe('1 hour ago');
    expect(formatAge(now - 30_000, now)).toBe('just now');
    expect(formatAge(now - 3 * 86400_000, now)).toBe('3 days ago');
  });
});
