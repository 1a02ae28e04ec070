import { describe, expect, it } from 'vitest';
import { maxMapKeyLength } from './map-limits.js';
import { DEFAULT_TOKEN_LENGTH, makeToken, mapLine } from './token.js';

describe('makeToken', () => {
  it('makes 40 hex digits by default, which fit the default map bucket and the secret link’s shape', () => {
    const token = makeToken();
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(DEFAULT_TOKEN_LENGTH).toBeLessThanOrEqual(maxMapKeyLength());
  });

  it('draws from the random source it is given', () => {
    expect(makeToken(17, (n) => Buffer.alloc(n, 0xab))).toBe('abababababababab'.padEnd(17, 'a'));
  });

  it('refuses lengths the map or the link would not take', () => {
    expect(() => makeToken(47)).toThrow(
      "--length 47: a token must be 16 to 46 characters to fit nginx's map (map_hash_bucket_size 64)",
    );
    expect(() => makeToken(15)).toThrow(/16 to 46/);
    expect(() => makeToken(20.5)).toThrow(/16 to 46/);
  });
});

describe('mapLine', () => {
  it('is a quoted key and 1', () => {
    expect(mapLine('abc')).toBe('"~^abc$" 1;');
  });
});
