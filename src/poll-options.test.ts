import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_OPTIONS, resolvePollOptions } from './poll-options.js';

describe('resolvePollOptions', () => {
  it('fills in every default', () => {
    expect(resolvePollOptions()).toEqual(DEFAULT_POLL_OPTIONS);
    expect(resolvePollOptions({ retries: 5 })).toEqual({ ...DEFAULT_POLL_OPTIONS, retries: 5 });
  });

  it('names an unknown option', () => {
    expect(() => resolvePollOptions({ retry: 5 })).toThrow(new TypeError('backsoon: unknown poll option "retry"'));
  });

  it('names the option whose value is wrong', () => {
    expect(() => resolvePollOptions({ retries: 0 })).toThrow(/option "retries" must be a whole number/);
    expect(() => resolvePollOptions({ minTimeout: Number.NaN })).toThrow(/option "minTimeout" must be a finite number/);
    expect(() => resolvePollOptions({ factor: 0.5 })).toThrow(/option "factor"/);
    expect(() => resolvePollOptions({ timeout: '5' })).toThrow(/option "timeout" must be a finite number \(got 5\)/);
    expect(() => resolvePollOptions({ maxTimeout: 500 })).toThrow(/option "maxTimeout" must be a number of at least minTimeout/);
  });
});
