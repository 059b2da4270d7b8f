import { describe, expect, it } from 'vitest';
import { batchKeys, batchRaw } from './text';

describe('batch screen words', () => {
  it('has zh-CN and English for every key', () => {
    for (const k of batchKeys) {
      const [zh, en] = batchRaw(k);
      expect(zh.trim(), k).not.toBe('');
      expect(en.trim(), k).not.toBe('');
      expect(/[\u4e00-\u9fff]/.test(en), `${k} English has Chinese`).toBe(false);
    }
  });
});
