import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_LENGTH, makeToken, mapLine } from './token.js';

describe('makeToken', () => {
  it('makes 48 hex digits by default, as the staff file recommends', () => {
    expect(DEFAULT_TOKEN_LENGTH).toBe(48);
    expect(makeToken()).toMatch(/^[0-9a-f]{48}$/);
  });

  it('makes any length the secret link accepts: no map hash to fit, tokens being regular expressions', () => {
    expect(makeToken(16)).toMatch(/^[0-9a-f]{16}$/);
    expect(makeToken(47)).toMatch(/^[0-9a-f]{47}$/);
    expect(makeToken(128)).toMatch(/^[0-9a-f]{128}$/);
  });

  it('draws from the random source it is given', () => {
    expect(makeToken(17, (n) => Buffer.alloc(n, 0xab))).toBe('abababababababab'.padEnd(17, 'a'));
  });

  it('refuses lengths the secret link would not take', () => {
    expect(() => makeToken(129)).toThrow(
      '--length 129: a token must be 16 to 128 characters, the lengths the secret link accepts',
    );
    expect(() => makeToken(15)).toThrow(/16 to 128/);
    expect(() => makeToken(20.5)).toThrow(/16 to 128/);
  });
});

describe('mapLine', () => {
  it('is the token as an anchored regular expression, and 1', () => {
    expect(mapLine('abc')).toBe('"~^abc\\z" 1;');
  });
});
