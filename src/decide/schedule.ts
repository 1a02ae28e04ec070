import type { PollOptions } from './poll-options.js';

/** What the schedule knows when it plans the wait before the next check (planWait). */
export interface ScheduleInput {
  /** Milliseconds since the page started checking (or since "Try again"). */
  elapsed: number;
  /** Backoff steps taken so far: the plans whose `advances` was true (0 at first). */
  step: number;
  /** Times the visitor was sent back to this URL and returned (loop guard). */
  bounces: number;
  /** The wait asked for by the last response's `Retry-After`, if any. */
  retryAfter?: number | undefined;
  /** Time left until the end announced in maintenance.json, if any (negative once passed). */
  untilIn?: number | undefined;
  /** The app is back and the server has not given this visitor a turn yet (the verdict `awaiting-turn`). */
  awaitingTurn?: boolean | undefined;
  /** The last check went to the shared probe (cached by nginx), not to the app. */
  shared?: boolean | undefined;
}

/**
 * Backoff steps added for each bounce: a visitor who was sent back and fell
 * straight onto the page again skips the quick phase and starts as if three
 * slow checks had already failed (with the defaults: waits of up to 3.4 s,
 * then 5 s, 7.6 s…), so a flapping app is not met with a redirect loop.
 */
export const STEPS_PER_BOUNCE = 3;

/**
 * A visitor awaiting its turn (nginx's admission answered "busy") asks again
 * after the busy answer's Retry-After (2 s from nginx), spread from half of
 * it to one and a half times it (1 to 3 s), never under minTimeout: asking
 * costs nginx only, never the app, so it can be soon, and the spread keeps
 * the visitors it turned away from asking in step. Without a Retry-After,
 * the wait is spread the same way around 1 + TURN_SPREAD / 2 times
 * minTimeout (1 to 3 s with the defaults). The turns themselves come at the
 * pace the app answers them, whatever this pace, as long as somebody asks
 * whenever a turn frees up: thousands asking every 2 s do; the last few
 * dozen of a crowd ask less often than a fast app frees turns, which costs
 * them about a second at the end (bench/results.md, the 5 ms app).
 */
export const TURN_SPREAD = 2;

/**
 * The longest wait while the checks go to the shared probe: nginx answers
 * them from its one-second cache, so however many visitors wait, they cost
 * the app one request a second, and a check costs nginx a cached answer of
 * a few hundred bytes. Long-waiting visitors can then ask every 2.5 to 5 s
 * (not 7.5 to 15) and learn of the return within 5 s, which is what lets a
 * long outage's crowd back as soon as a 5 s meta refresh would (bench/results.md).
 * A server without the probe keeps maxTimeout: there, every check is a
 * request to the app.
 */
export const SHARED_MAX_TIMEOUT = 5000;

/** The wait before the next check, and whether it is a step of the backoff. */
export interface WaitPlan {
  /** Milliseconds until the next check. */
  delay: number;
  /**
   * The wait is a step of the backoff (not the quick phase, nor a wait set
   * by the admission, the operator or the server): the caller adds one to
   * `step` for the next plan.
   */
  advances: boolean;
}

/**
 * Plans the wait before the next check. The page's poller and the
 * benchmarks both call this, so the benchmarks measure the page's real
 * schedule.
 *
 * - A visitor awaiting its turn from nginx's admission asks again soon,
 *   about when the busy answer's Retry-After says (TURN_SPREAD).
 * - Before an announced end of maintenance, checks are slow (between half
 *   of maxTimeout and maxTimeout: equalJitter) and the last one lands on
 *   the announced time: an operator who finishes early is noticed within
 *   maxTimeout, and nobody hammers a server that said when it would be back.
 * - An explicit `Retry-After` wins, clamped to [minTimeout, maxRetryAfter],
 *   with no jitter: the server's timing beats the client's.
 * - While the outage is young (elapsed < quickPeriod, no bounce) every wait
 *   is minTimeout.
 * - Then the backoff: the wait is drawn between half a ceiling and the
 *   ceiling (equalJitter), and the ceiling grows by `factor` per step up to
 *   maxTimeout, or SHARED_MAX_TIMEOUT when the checks go to the shared
 *   probe (backoffCeiling). Only these waits advance the step.
 *
 * @param random a source of numbers in [0, 1), injected for tests and benchmarks
 */
export function planWait(input: ScheduleInput, options: PollOptions, random: () => number): WaitPlan {
  const { minTimeout, maxTimeout, maxRetryAfter } = options;
  if (input.awaitingTurn) {
    const mean = input.retryAfter ?? minTimeout * (1 + TURN_SPREAD / 2);
    return { delay: Math.min(maxRetryAfter, Math.max(minTimeout, mean * (0.5 + random()))), advances: false };
  }
  if (input.untilIn !== undefined && input.untilIn > 0) {
    const slow = equalJitter(maxTimeout, minTimeout, random);
    return { delay: Math.max(minTimeout, Math.min(input.untilIn, slow)), advances: false };
  }
  if (input.retryAfter !== undefined) {
    return { delay: Math.min(maxRetryAfter, Math.max(minTimeout, input.retryAfter)), advances: false };
  }
  if (inQuickPhase(input, options)) return { delay: minTimeout, advances: false };
  return { delay: equalJitter(backoffCeiling(input, options), minTimeout, random), advances: true };
}

/** Whether the outage is still young enough for one check per minTimeout. */
function inQuickPhase(input: ScheduleInput, options: PollOptions): boolean {
  return input.bounces === 0 && input.elapsed < options.quickPeriod;
}

/**
 * The longest backoff wait at `input.step`: minTimeout times `factor` per
 * step (STEPS_PER_BOUNCE more per bounce), up to maxTimeout, or to
 * SHARED_MAX_TIMEOUT while the checks go to the shared probe.
 */
function backoffCeiling(input: ScheduleInput, options: PollOptions): number {
  const { minTimeout, maxTimeout, factor } = options;
  const exponent = input.step + 1 + input.bounces * STEPS_PER_BOUNCE;
  const longest = input.shared ? Math.max(minTimeout, Math.min(maxTimeout, SHARED_MAX_TIMEOUT)) : maxTimeout;
  return Math.min(longest, minTimeout * factor ** exponent);
}

/**
 * A wait drawn uniformly between half of `ceiling` and `ceiling` ("equal
 * jitter"), never under `floor`, so visitors who arrived together spread
 * out. Not full jitter (0 to the ceiling): its many short waits make a
 * visitor check more often on average for the same ceiling, which put more
 * than a tenth of the visitors on the app in the second after a ten-minute
 * outage (bench/results.md).
 */
function equalJitter(ceiling: number, floor: number, random: () => number): number {
  return Math.max(floor, ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Whether the poller should stop after `attempt` failed checks.
 */
export function shouldGiveUp(attempt: number, elapsed: number, options: PollOptions): boolean {
  return attempt >= options.retries || elapsed >= options.maxRetryTime;
}

/**
 * How long a visitor waits, once the app has answered, before going back.
 * Visitors still in the quick phase go at once. Those who waited longer go
 * between 1 s and 1 s + returnSpread later: never in the same second as the
 * quick ones, and spread over the next ones. (A visitor who pressed "Try
 * now" goes at once: the poller does not ask.) Without it, the
 * quick visitors (up to a tenth of all after a ten-minute outage) and the
 * first of the slow ones land on an app just back, caches cold, in the
 * same second (bench/: "herd").
 */
export function returnDelay(elapsed: number, options: PollOptions, random: () => number): number {
  return elapsed < options.quickPeriod ? 0 : RETURN_FLOOR + random() * options.returnSpread;
}

/** One second: the window in which the quick visitors land, kept for them. */
export const RETURN_FLOOR = 1000;
