import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_OPTIONS as defaults, type PollOptions } from './poll-options.js';
import { TURN_SPREAD, SHARED_MAX_TIMEOUT, STEPS_PER_BOUNCE, planWait, returnDelay, shouldGiveUp } from './schedule.js';

const never = (): number => {
  throw new Error('random must not be drawn');
};

/** The wait planWait picks, for the tests about the wait alone. */
const delay = (...args: Parameters<typeof planWait>): number => planWait(...args).delay;

describe('planWait', () => {
  it('checks every minTimeout during the quick phase, without drawing randomness or stepping the backoff', () => {
    for (const elapsed of [0, 1000, defaults.quickPeriod - 1]) {
      expect(planWait({ elapsed, step: 0, bounces: 0 }, defaults, never)).toEqual({
        delay: defaults.minTimeout,
        advances: false,
      });
    }
  });

  it('after the quick phase draws the wait between half a growing ceiling and the ceiling, one step each', () => {
    const slow = { elapsed: defaults.quickPeriod, bounces: 0 };
    // step 3: ceiling = 1000 * 1.5^4 = 5062.5, waits from 2531.25 to 5062.5
    expect(planWait({ ...slow, step: 3 }, defaults, () => 0)).toEqual({ delay: 5062.5 / 2, advances: true });
    expect(delay({ ...slow, step: 3 }, defaults, () => 0.5)).toBe(5062.5 * 0.75);
    // step 0: ceiling 1500, but never under minTimeout
    expect(planWait({ ...slow, step: 0 }, defaults, () => 0)).toEqual({ delay: 1000, advances: true });
    expect(delay({ ...slow, step: 0 }, defaults, () => 0.5)).toBe(1125);
  });

  it('never exceeds maxTimeout, however long the outage', () => {
    const long = { elapsed: 3_600_000, step: 200, bounces: 0 };
    expect(delay(long, defaults, () => 0.999999)).toBeLessThanOrEqual(defaults.maxTimeout);
    expect(delay(long, defaults, () => 0)).toBe(defaults.maxTimeout / 2);
  });

  it('caps the waits at SHARED_MAX_TIMEOUT while the checks go to the shared probe', () => {
    const long = { elapsed: 3_600_000, step: 200, bounces: 0, shared: true };
    expect(delay(long, defaults, () => 0)).toBe(SHARED_MAX_TIMEOUT / 2);
    expect(delay(long, defaults, () => 0.999999)).toBeLessThan(SHARED_MAX_TIMEOUT);
    // A site that wants fewer checks still gets its own, smaller maxTimeout.
    expect(delay(long, { ...defaults, maxTimeout: 3000 }, () => 0)).toBe(1500);
  });

  it('awaiting a turn from the admission: one to 1 + TURN_SPREAD minTimeouts, not a backoff step', () => {
    const awaiting = { elapsed: 3_600_000, step: 7, bounces: 2, awaitingTurn: true };
    expect(planWait(awaiting, defaults, () => 0)).toEqual({ delay: defaults.minTimeout, advances: false });
    expect(delay(awaiting, defaults, () => 0.5)).toBe(defaults.minTimeout * (1 + TURN_SPREAD / 2));
    expect(delay(awaiting, defaults, () => 0.999999)).toBeCloseTo(defaults.minTimeout * (1 + TURN_SPREAD), -1);
  });

  it('awaiting a turn: spread from half to one and a half times the busy answer’s Retry-After', () => {
    const awaiting = { elapsed: 60_000, step: 3, bounces: 0, awaitingTurn: true, retryAfter: 4000 };
    expect(planWait(awaiting, defaults, () => 0)).toEqual({ delay: 2000, advances: false });
    expect(delay(awaiting, defaults, () => 0.5)).toBe(4000);
    expect(delay(awaiting, defaults, () => 0.999999)).toBeCloseTo(6000, -1);
    // Never under minTimeout, never over maxRetryAfter.
    expect(delay({ ...awaiting, retryAfter: 0 }, defaults, () => 0.5)).toBe(defaults.minTimeout);
    expect(delay({ ...awaiting, retryAfter: 10 * defaults.maxRetryAfter }, defaults, () => 0.5)).toBe(
      defaults.maxRetryAfter,
    );
  });

  it('paces to an announced end: slow waits, the last one landing on the end', () => {
    const input = { elapsed: 0, step: 0, bounces: 0, untilIn: 600_000 };
    expect(planWait(input, defaults, () => 0)).toEqual({ delay: defaults.maxTimeout / 2, advances: false });
    expect(delay(input, defaults, () => 1)).toBe(defaults.maxTimeout);
    expect(delay({ ...input, untilIn: 4000 }, defaults, () => 1)).toBe(4000);
    expect(delay({ ...input, untilIn: 10, retryAfter: 30_000 }, defaults, () => 1)).toBe(defaults.minTimeout);
    // once passed, the server's Retry-After and the own schedule apply again
    expect(delay({ ...input, untilIn: -5, retryAfter: 30_000 }, defaults, never)).toBe(30_000);
  });

  it('lets Retry-After win, without jitter, clamped to [minTimeout, maxRetryAfter]', () => {
    const input = { elapsed: 0, step: 0, bounces: 0 };
    expect(planWait({ ...input, retryAfter: 7000 }, defaults, never)).toEqual({ delay: 7000, advances: false });
    expect(delay({ ...input, retryAfter: 0 }, defaults, never)).toBe(defaults.minTimeout);
    expect(delay({ ...input, retryAfter: 86_400_000 }, defaults, never)).toBe(defaults.maxRetryAfter);
  });

  it('skips the quick phase after a bounce and starts further up the backoff', () => {
    const input = { elapsed: 0, step: 0, bounces: 1 };
    const ceiling = 1000 * 1.5 ** (1 + STEPS_PER_BOUNCE);
    expect(planWait(input, defaults, () => 1)).toEqual({ delay: ceiling, advances: true });
    expect(delay(input, defaults, () => 0)).toBe(ceiling / 2);
    expect(delay({ ...input, bounces: 2 }, defaults, () => 1)).toBeGreaterThan(ceiling);
  });

  it('counts as a backoff step only the waits of the backoff', () => {
    const slow = { elapsed: 90_000, step: 2, bounces: 0 };
    expect(planWait(slow, defaults, () => 0).advances).toBe(true);
    expect(planWait({ ...slow, elapsed: 0 }, defaults, never).advances).toBe(false);
    expect(planWait({ ...slow, awaitingTurn: true }, defaults, () => 0).advances).toBe(false);
    expect(planWait({ ...slow, untilIn: 5000 }, defaults, () => 0).advances).toBe(false);
    expect(planWait({ ...slow, retryAfter: 20_000 }, defaults, never).advances).toBe(false);
    // once the announced end has passed, the backoff takes over again
    expect(planWait({ ...slow, untilIn: -5 }, defaults, () => 0).advances).toBe(true);
  });
});

describe('the schedule as a whole', () => {
  /** A seeded source of numbers in (0, 1) (Park–Miller): the same seed, the same inputs. */
  function seeded(seed: number): () => number {
    let state = seed;
    return () => (state = (state * 16807) % 2147483647) / 2147483647;
  }

  it('keeps the waits and steps it gave 10 000 seeded inputs when these totals were recorded', () => {
    // The benchmarks (bench/) measure this schedule. The inputs and the
    // waits' jitter share one seeded source, so a change of any wait, of
    // which waits count as a step, or of how many numbers a wait draws
    // changes these totals. If the schedule changed on purpose, record the
    // new totals here and run the benchmarks again.
    const random = seeded(1);
    const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
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
        awaitingTurn: pick([false, false, false, false, true]),
        shared: pick([false, true]),
      };
      const plan = planWait(input, options, random);
      total += plan.delay;
      if (plan.advances) steps += 1;
    }
    expect({ total, steps }).toEqual({ total: 457047744.875381, steps: 4249 });
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

describe('returnDelay', () => {
  it('sends quick-phase visitors back at once and spreads the others over the seconds after', () => {
    expect(returnDelay(defaults.quickPeriod - 1, defaults, never)).toBe(0);
    expect(returnDelay(defaults.quickPeriod, defaults, () => 0)).toBe(1000);
    expect(returnDelay(600_000, defaults, () => 0.5)).toBe(1000 + defaults.returnSpread / 2);
    expect(returnDelay(600_000, { ...defaults, minTimeout: 60_000 }, () => 0)).toBe(1000);
  });
});
