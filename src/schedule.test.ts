import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_OPTIONS as defaults, type PollOptions } from './poll-options.js';
import { BUSY_SPREAD, SHARED_MAX_TIMEOUT, STEPS_PER_BOUNCE, advancesBackoff, inQuickPhase, nextDelay, planWait, returnDelay, shouldGiveUp } from './schedule.js';

const never = (): number => {
  throw new Error('random must not be drawn');
};

describe('nextDelay', () => {
  it('checks every minTimeout during the quick phase, without drawing randomness', () => {
    for (const elapsed of [0, 1000, defaults.quickPeriod - 1]) {
      expect(nextDelay({ elapsed, step: 0, bounces: 0 }, defaults, never)).toBe(defaults.minTimeout);
    }
  });

  it('after the quick phase draws the wait between half a growing ceiling and the ceiling', () => {
    const slow = { elapsed: defaults.quickPeriod, bounces: 0 };
    // step 3: ceiling = 1000 * 1.5^4 = 5062.5, waits from 2531.25 to 5062.5
    expect(nextDelay({ ...slow, step: 3 }, defaults, () => 0)).toBe(5062.5 / 2);
    expect(nextDelay({ ...slow, step: 3 }, defaults, () => 0.5)).toBe(5062.5 * 0.75);
    // step 0: ceiling 1500, but never under minTimeout
    expect(nextDelay({ ...slow, step: 0 }, defaults, () => 0)).toBe(1000);
    expect(nextDelay({ ...slow, step: 0 }, defaults, () => 0.5)).toBe(1125);
  });

  it('never exceeds maxTimeout, however long the outage', () => {
    const long = { elapsed: 3_600_000, step: 200, bounces: 0 };
    expect(nextDelay(long, defaults, () => 0.999999)).toBeLessThanOrEqual(defaults.maxTimeout);
    expect(nextDelay(long, defaults, () => 0)).toBe(defaults.maxTimeout / 2);
  });

  it('caps the waits at SHARED_MAX_TIMEOUT while the checks go to the shared probe', () => {
    const long = { elapsed: 3_600_000, step: 200, bounces: 0, shared: true };
    expect(nextDelay(long, defaults, () => 0)).toBe(SHARED_MAX_TIMEOUT / 2);
    expect(nextDelay(long, defaults, () => 0.999999)).toBeLessThan(SHARED_MAX_TIMEOUT);
    // A site that wants fewer checks still gets its own, smaller maxTimeout.
    expect(nextDelay(long, { ...defaults, maxTimeout: 3000 }, () => 0)).toBe(1500);
  });

  it('turned away by the admission: one to 1 + BUSY_SPREAD minTimeouts, not a backoff step', () => {
    const busy = { elapsed: 3_600_000, step: 7, bounces: 2, busy: true };
    expect(nextDelay(busy, defaults, () => 0)).toBe(defaults.minTimeout);
    expect(nextDelay(busy, defaults, () => 0.5)).toBe(defaults.minTimeout * (1 + BUSY_SPREAD / 2));
    expect(advancesBackoff(busy, defaults)).toBe(false);
  });

  it('paces to an announced end: slow waits, the last one landing on the end', () => {
    const input = { elapsed: 0, step: 0, bounces: 0, untilIn: 600_000 };
    expect(nextDelay(input, defaults, () => 0)).toBe(defaults.maxTimeout / 2);
    expect(nextDelay(input, defaults, () => 1)).toBe(defaults.maxTimeout);
    expect(nextDelay({ ...input, untilIn: 4000 }, defaults, () => 1)).toBe(4000);
    expect(nextDelay({ ...input, untilIn: 10, retryAfter: 30_000 }, defaults, () => 1)).toBe(defaults.minTimeout);
    // once passed, the server's Retry-After and the own schedule apply again
    expect(nextDelay({ ...input, untilIn: -5, retryAfter: 30_000 }, defaults, never)).toBe(30_000);
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
    expect(nextDelay(input, defaults, () => 0)).toBe(ceiling / 2);
    expect(nextDelay({ ...input, bounces: 2 }, defaults, () => 1)).toBeGreaterThan(ceiling);
  });
});

describe('the schedule as a whole', () => {
  /** A seeded source of numbers in (0, 1) (Park–Miller): the same seed, the same inputs. */
  function seeded(seed: number): () => number {
    let state = seed;
    return () => (state = (state * 16807) % 2147483647) / 2147483647;
  }

  it('gives the same waits as when the benchmarks were run, for 10 000 seeded inputs', () => {
    // bench/results.md measured this schedule. The inputs and the waits'
    // jitter share one seeded source, so a change of any wait, of which
    // waits count as a step, or of how many numbers a wait draws changes
    // these totals. If the schedule changed on purpose, run the benchmarks
    // again and record the new totals here.
    const random = seeded(1);
    const pick = <T,>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
    const optionSets: readonly PollOptions[] = [
      defaults,
      { ...defaults, maxTimeout: 3000 },
      { ...defaults, minTimeout: 500, factor: 2, maxTimeout: 60_000, quickPeriod: 0 },
    ];
    let total = 0;
    let steps = 0;
    for (let i = 0; i < 10_000; i++) {
      const options = pick(optionSets);
      const input = {
        elapsed: random() * 2 * options.quickPeriod + pick([0, 0, 3_600_000]),
        step: Math.floor(random() * 30),
        bounces: pick([0, 0, 0, 1, 2]),
        retryAfter: pick([undefined, undefined, undefined, random() * 400_000]),
        untilIn: pick([undefined, undefined, undefined, random() * 40_000 - 10_000]),
        busy: pick([false, false, false, false, true]),
        shared: pick([false, true]),
      };
      total += nextDelay(input, options, random);
      if (advancesBackoff(input, options)) steps += 1;
    }
    expect({ total, steps }).toEqual({ total: 370060359.54522973, steps: 4249 });
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

describe('planWait', () => {
  it('counts backoff steps, and only those', () => {
    const context = { now: 0, bounces: 0, retryAfter: undefined, until: undefined };
    const quick = planWait({ startedAt: 0, step: 0 }, context, defaults, () => 0.5);
    expect(quick).toEqual({ delay: 1000, state: { startedAt: 0, step: 0 } });
    const slow = planWait({ startedAt: 0, step: 2 }, { ...context, now: defaults.quickPeriod }, defaults, () => 0);
    expect(slow).toEqual({ delay: (1000 * 1.5 ** 3) / 2, state: { startedAt: 0, step: 3 } });
    const told = planWait({ startedAt: 0, step: 2 }, { ...context, now: 90_000, retryAfter: 20_000 }, defaults, never);
    expect(told).toEqual({ delay: 20_000, state: { startedAt: 0, step: 2 } });
    expect(advancesBackoff({ elapsed: 90_000, step: 0, bounces: 0, untilIn: 5000 }, defaults)).toBe(false);
  });
});

describe('returnDelay', () => {
  it('sends quick-phase visitors back at once and spreads the others over the seconds after', () => {
    expect(returnDelay(defaults.quickPeriod - 1, defaults, never)).toBe(0);
    expect(returnDelay(defaults.quickPeriod, defaults, () => 0)).toBe(1000);
    expect(returnDelay(600_000, defaults, () => 0.5)).toBe(1000 + defaults.returnSpread / 2);
    expect(returnDelay(600_000, { ...defaults, minTimeout: 60_000 }, () => 0)).toBe(1000);
  });
});
