import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { maxMapKeyLength } from './map-limits.js';
import { nginxTest } from './test-nginx.js';

describe('maxMapKeyLength', () => {
  it('follows nginx hash element sizes', () => {
    expect(maxMapKeyLength()).toBe(46);
    expect(maxMapKeyLength(64)).toBe(46);
    expect(maxMapKeyLength(128)).toBe(110);
    expect(maxMapKeyLength(32)).toBe(14);
  });

  it('is the real limit of Debian nginx with the default bucket: the longest key passes nginx -t, one more fails', async () => {
    const map = (length: number): string =>
      `map $cookie_backsoon_bypass $staff { default 0; "${'a'.repeat(length)}" 1; }`;
    const longest = await nginxTest(map(maxMapKeyLength()));
    const longer = await nginxTest(map(maxMapKeyLength() + 1));
    for (const run of [longest, longer]) await rm(run.prefix, { recursive: true, force: true });
    expect(longest.ok).toBe(true);
    expect(longer.ok).toBe(false);
    expect(longer.messages).toContain('could not build map_hash, you should increase map_hash_bucket_size: 64');
  });
});
