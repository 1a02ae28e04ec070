import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const now = Date.parse('2026-11-21T14:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Sat, 21 Nov 2026 14:00:30 GMT', now)).toBe(30_000);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Sat, 21 Nov 2026 13:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is absent or malformed', () => {
    for (const value of [null, undefined, '', 'soon', '-5', '1.5', '12abc', 'Not a day, 99 Foo']) {
      expect(parseRetryAfter(value, now), String(value)).toBeUndefined();
    }
  });
});
