import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_OPTIONS as defaults } from './poll-options.js';
import { STEPS_PER_BOUNCE, inQuickPhase, nextDelay, shouldGiveUp } from './schedule.js';

const never = (): number => {
  throw new Error('random must not be drawn');
};

describe('nextDelay', () => {
  it('checks every minTimeout during the quick phase, without drawing randomness', () => {
    for (const elapsed of [0, 1000, defaults.quickPeriod - 1]) {
      expect(nextDelay({ elapsed, step: 0, bounces: 0 }, defaults, never)).toBe(defaults.minTimeout);
    }
  });

  it('after the quick phase draws the wait uniformly between minTimeout and a growing ceiling', () => {
    const slow = { elapsed: defaults.quickPeriod, bounces: 0 };
    // step 0: ceiling = 1000 * 1.5 = 1500
    expect(nextDelay({ ...slow, step: 0 }, defaults, () => 0)).toBe(1000);
    expect(nextDelay({ ...slow, step: 0 }, defaults, () => 0.5)).toBe(1250);
    // step 3: ceiling = 1000 * 1.5^4 = 5062.5
    expect(nextDelay({ ...slow, step: 3 }, defaults, () => 0.5)).toBe(1000 + 0.5 * 4062.5);
  });

  it('never exceeds maxTimeout, however long the outage', () => {
    const long = { elapsed: 3_600_000, step: 200, bounces: 0 };
    expect(nextDelay(long, defaults, () => 0.999999)).toBeLessThanOrEqual(defaults.maxTimeout);
    expect(nextDelay(long, defaults, () => 0.5)).toBe(1000 + 0.5 * (defaults.maxTimeout - 1000));
  });

  it('lets Retry-After win, without jitter, clamped to [minTimeout, maxRetryAfter]', () => {
    const input = { elapsed: 0, step: 0, bounces: 0 };
    expect(nextDelay({ ...input, retryAfter: 7000 }, defaults, never)).toBe(7000);
    expect(nextDelay({ ...input, retryAfter: 0 }, defaults, never)).toBe(defaults.minTimeout);
    expect(nextDelay({ ...input, retryAfter: 86_400_000 }, defaults, never)).toBe(defaults.maxRetryAfter);
  });

  it('skips the quick phase after a bounce and starts further up the backoff', () => {
    const input = { elapsed: 0, step: 0, bounces: 1 };
    expect(inQuickPhase(input, defaults)).toBe(false);
    const ceiling = 1000 * 1.5 ** (1 + STEPS_PER_BOUNCE);
    expect(nextDelay(input, defaults, () => 1)).toBe(ceiling);
    expect(nextDelay({ ...input, bounces: 2 }, defaults, () => 1)).toBeGreaterThan(ceiling);
  });
});

describe('shouldGiveUp', () => {
  it('stops at the attempt limit or the time limit, whichever comes first', () => {
    const options = { ...defaults, retries: 3, maxRetryTime: 60_000 };
    expect(shouldGiveUp(2, 59_999, options)).toBe(false);
    expect(shouldGiveUp(3, 0, options)).toBe(true);
    expect(shouldGiveUp(1, 60_000, options)).toBe(true);
  });
});
