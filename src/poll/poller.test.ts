import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLL_OPTIONS, type PollOptions } from '../decide/poll-options.js';
import { Poller, type PollEventName, type PollSnapshot } from './poller.js';
import type { Verdict } from '../decide/verdict.js';

const DOWN: Verdict = { outcome: 'away', reason: 'crash' };
const UP: Verdict = { outcome: 'back' };
const TURN_PENDING: Verdict = { outcome: 'awaiting-turn' };

function setup(
  options: Partial<PollOptions> = {},
  extra: { bounces?: number; hidden?: boolean; cancelBack?: boolean; autoReturn?: boolean; until?: number } = {},
) {
  const visibility = Object.assign(new EventTarget(), { hidden: extra.hidden ?? false });
  const network = new EventTarget();
  const verdicts: Verdict[] = [];
  const signals: AbortSignal[] = [];
  let release: ((v: Verdict) => void) | undefined;
  let hold = false;
  const check = vi.fn((signal: AbortSignal) => {
    signals.push(signal);
    if (hold) {
      return new Promise<Verdict>((resolve) => {
        release = resolve;
        signal.addEventListener('abort', () => resolve({ outcome: 'away', reason: 'unreachable' }));
      });
    }
    return Promise.resolve(verdicts.shift() ?? DOWN);
  });
  const events: { name: PollEventName; snapshot: PollSnapshot }[] = [];
  const states: string[] = [];
  const returnToApp = vi.fn();
  const current = { options: { ...DEFAULT_POLL_OPTIONS, ...options } };
  const poller = new Poller({
    options: () => current.options,
    check,
    now: () => Date.now(),
    random: () => 0.5,
    visibility,
    network,
    bounces: extra.bounces ?? 0,
    onChange: (s) => states.push(s.state),
    emit: (name, snapshot) => {
      events.push({ name, snapshot });
      return !(name === 'backsoon-back' && extra.cancelBack);
    },
    returnToApp,
    autoReturn: extra.autoReturn ?? true,
    until: () => extra.until,
  });
  return {
    poller,
    check,
    verdicts,
    signals,
    events,
    states,
    returnToApp,
    visibility,
    network,
    /** Changes options while the poller runs, as a page's attribute would. */
    setOptions: (changed: Partial<PollOptions>) => (current.options = { ...current.options, ...changed }),
    holdChecks: () => (hold = true),
    release: (v: Verdict) => release?.(v),
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-21T14:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Poller', () => {
  it('checks once a second during the quick phase, counting attempts from 1', async () => {
    const t = setup();
    t.poller.start();
    expect(t.check).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(999);
    expect(t.check).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.check).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(t.check).toHaveBeenCalledTimes(5);
    expect(t.events.map((e) => e.snapshot.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(t.events.every((e) => e.name === 'backsoon-attempt')).toBe(true);
    expect(t.poller.snapshot).toMatchObject({ state: 'waiting', attempt: 5, awayReason: 'crash' });
    t.poller.stop();
  });

  it('backs off after the quick phase', async () => {
    const t = setup({ quickPeriod: 3000 });
    t.poller.start();
    await vi.advanceTimersByTimeAsync(3000); // checks at 1, 2, 3 s
    expect(t.check).toHaveBeenCalledTimes(3);
    // elapsed 3 s: step 0, ceiling 1500, random 0.5 → max(1000, 1125)
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(1125);
    await vi.advanceTimersByTimeAsync(1125);
    // step 1: ceiling 2250 → 1687.5 ms
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(1687.5);
    t.poller.stop();
  });

  it('after the quick phase, goes back a little after finding the app, not in the quick ones’ second', async () => {
    const t = setup({ quickPeriod: 2000 });
    t.verdicts.push(DOWN, DOWN, UP);
    t.poller.start();
    await vi.advanceTimersByTimeAsync(2000 + 1125);
    expect(t.poller.snapshot.state).toBe('back');
    expect(t.returnToApp).not.toHaveBeenCalled();
    // 1 s + 0.5 * returnSpread
    await vi.advanceTimersByTimeAsync(1499);
    expect(t.returnToApp).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(t.returnToApp).toHaveBeenCalledOnce();
  });

  it('sends the visitor back as soon as a check finds the app, with the attempt and elapsed time', async () => {
    const t = setup();
    t.verdicts.push(DOWN, DOWN, UP);
    t.poller.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(t.returnToApp).toHaveBeenCalledOnce();
    const back = t.events.find((e) => e.name === 'backsoon-back');
    expect(back?.snapshot).toMatchObject({ state: 'back', attempt: 3, elapsed: 3000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.check).toHaveBeenCalledTimes(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a visitor given its turn by nginx goes at once, even after the quick phase', async () => {
    const t = setup({ quickPeriod: 2000 });
    t.verdicts.push(DOWN, DOWN, { outcome: 'back', admitted: true });
    t.poller.start();
    await vi.advanceTimersByTimeAsync(2000 + 1125);
    expect(t.returnToApp).toHaveBeenCalledOnce();
  });

  it('awaiting a turn, asks again after one to three seconds, without stepping the backoff', async () => {
    const t = setup({ quickPeriod: 0 });
    t.verdicts.push(TURN_PENDING, TURN_PENDING, TURN_PENDING);
    // The first wait is the backoff's first step (quickPeriod 0): ceiling 1500, random 0.5 → 1125.
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1125);
    // The app is not away: the visitor awaits its turn.
    expect(t.poller.snapshot).toMatchObject({ state: 'awaiting-turn', awayReason: undefined });
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(2000); // 1000 × (1 + 0.5 × 2)
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(2000);
    t.verdicts.push(DOWN);
    await vi.advanceTimersByTimeAsync(2000);
    // Back to the backoff where it stood: step 1, ceiling 2250 → 1687.5.
    expect(t.poller.snapshot).toMatchObject({ state: 'waiting', awayReason: 'crash', attempt: 4 });
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(1687.5);
    t.poller.stop();
  });

  it('awaiting a turn, checks at once when the network comes back, and pauses in a hidden tab', async () => {
    const t = setup({ quickPeriod: 0 });
    t.verdicts.push(TURN_PENDING, TURN_PENDING);
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1125);
    expect(t.poller.snapshot.state).toBe('awaiting-turn');
    t.network.dispatchEvent(new Event('online'));
    expect(t.check).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.poller.snapshot.state).toBe('awaiting-turn');
    t.visibility.hidden = true;
    t.visibility.dispatchEvent(new Event('visibilitychange'));
    expect(t.poller.snapshot.state).toBe('paused');
    expect(vi.getTimerCount()).toBe(0);
    t.poller.stop();
  });

  // A rejected check, once never caught, left the page at "Checking now".
  it('counts a check that throws as unreachable and goes on checking', async () => {
    const t = setup();
    t.check.mockImplementationOnce(() => Promise.reject(new Error('boom')));
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.poller.snapshot).toMatchObject({ state: 'waiting', awayReason: 'unreachable', attempt: 1 });
    t.verdicts.push(UP);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.returnToApp).toHaveBeenCalledOnce();
  });

  it('keeps the visitor on the page when an integrator cancels the back event', async () => {
    const t = setup({}, { cancelBack: true });
    t.verdicts.push(UP);
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.returnToApp).not.toHaveBeenCalled();
    expect(t.poller.snapshot.state).toBe('back');
  });

  it('waits as long as Retry-After asks, without jitter', async () => {
    const t = setup();
    t.verdicts.push({ outcome: 'away', reason: 'maintenance', retryAfter: 7000 });
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(7000);
    await vi.advanceTimersByTimeAsync(6999);
    expect(t.check).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.check).toHaveBeenCalledTimes(2);
    t.poller.stop();
  });

  it('gives up after the configured attempts, and "Try again" starts a fresh round', async () => {
    const t = setup({ retries: 3 });
    t.poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.check).toHaveBeenCalledTimes(3);
    expect(t.poller.snapshot.state).toBe('gave-up');
    expect(t.events.at(-1)).toMatchObject({ name: 'backsoon-give-up', snapshot: { attempt: 3, elapsed: 3000 } });
    expect(vi.getTimerCount()).toBe(0);
    t.verdicts.push(UP);
    t.poller.checkNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.check).toHaveBeenCalledTimes(4);
    expect(t.returnToApp).toHaveBeenCalledOnce();
  });

  it('uses changed options from the next wait on; the wait already planned runs its course', async () => {
    const t = setup();
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    t.setOptions({ minTimeout: 5000, maxTimeout: 5000, retries: 3 });
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.check).toHaveBeenCalledTimes(2);
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(5000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.check).toHaveBeenCalledTimes(3);
    expect(t.poller.snapshot.state).toBe('gave-up');
  });

  it('gives up after maxRetryTime', async () => {
    const t = setup({ maxRetryTime: 10_000 });
    t.poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.poller.snapshot.state).toBe('gave-up');
    expect(t.check).toHaveBeenCalledTimes(10);
  });

  it('pauses while the tab is hidden and checks at once when it is visible again', async () => {
    const t = setup();
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    t.visibility.hidden = true;
    t.visibility.dispatchEvent(new Event('visibilitychange'));
    expect(t.poller.snapshot.state).toBe('paused');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(t.check).toHaveBeenCalledTimes(1);
    t.visibility.hidden = false;
    t.visibility.dispatchEvent(new Event('visibilitychange'));
    expect(t.check).toHaveBeenCalledTimes(2);
    t.poller.stop();
  });

  it('starts paused in a hidden tab', async () => {
    const t = setup({}, { hidden: true });
    t.poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.check).not.toHaveBeenCalled();
    expect(t.poller.snapshot.state).toBe('paused');
    t.poller.stop();
  });

  it('aborts a check in flight when the tab is hidden', async () => {
    const t = setup();
    t.holdChecks();
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.poller.snapshot.state).toBe('checking');
    t.visibility.hidden = true;
    t.visibility.dispatchEvent(new Event('visibilitychange'));
    expect(t.signals[0]?.aborted).toBe(true);
    expect(t.poller.snapshot.state).toBe('paused');
    t.poller.stop();
  });

  it('checks at once when the network comes back', async () => {
    const t = setup({ quickPeriod: 0 });
    t.poller.start();
    t.network.dispatchEvent(new Event('online'));
    expect(t.check).toHaveBeenCalledTimes(1);
    t.poller.stop();
  });

  it('keeps one check in flight at most, whatever is pressed', async () => {
    const t = setup();
    t.holdChecks();
    t.poller.start();
    t.poller.checkNow();
    t.poller.checkNow();
    t.network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.check).toHaveBeenCalledTimes(1);
    t.release(UP);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.returnToApp).toHaveBeenCalledOnce();
  });

  it('"Try now" after the quick phase sends the visitor back at once, without the spread', async () => {
    const t = setup({ quickPeriod: 0 });
    t.poller.start();
    t.verdicts.push(UP);
    t.poller.checkNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.returnToApp).toHaveBeenCalledOnce();
  });

  it('"Try now" checks at once and the schedule goes on from there', async () => {
    const t = setup();
    t.poller.start();
    await vi.advanceTimersByTimeAsync(500);
    t.poller.checkNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.check).toHaveBeenCalledTimes(1);
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(1000);
    t.poller.stop();
  });

  it('starts slower after a bounce (loop guard)', async () => {
    const t = setup({}, { bounces: 1 });
    t.poller.start();
    // No quick phase: step 0 with one bounce → ceiling 1000 * 1.5^4, random 0.5
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(0.75 * 1000 * 1.5 ** 4);
    t.poller.stop();
  });

  it('stop() leaves nothing behind: no timer, no listener, the check in flight aborted', async () => {
    const t = setup();
    const added = vi.spyOn(t.visibility, 'addEventListener');
    const removed = vi.spyOn(t.visibility, 'removeEventListener');
    t.holdChecks();
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    t.poller.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(t.signals[0]?.aborted).toBe(true);
    expect(removed.mock.calls).toEqual(added.mock.calls);
    t.release(UP);
    t.visibility.dispatchEvent(new Event('visibilitychange'));
    t.network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.check).toHaveBeenCalledTimes(1);
    expect(t.returnToApp).not.toHaveBeenCalled();
  });

  it('paces checks to an announced end of maintenance: slow before it, one check right on it', async () => {
    const until = Date.now() + 20_000;
    const t = setup({}, { until });
    t.poller.start();
    // random 0.5: 7500 + 0.5 * 7500 = 11 250 ms, under the 20 s left
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(11_250);
    await vi.advanceTimersByTimeAsync(11_250);
    // 8750 ms left: the wait ends on the announced time
    expect(t.poller.snapshot.nextCheckAt).toBe(until);
    await vi.advanceTimersByTimeAsync(8750);
    expect(t.check).toHaveBeenCalledTimes(2);
    // past the end: the ordinary schedule again
    expect(t.poller.snapshot.nextCheckAt! - Date.now()).toBe(1000);
    t.poller.stop();
  });

  it('does not send the visitor anywhere when the return is not automatic (a form was not sent)', async () => {
    const t = setup({}, { autoReturn: false });
    t.verdicts.push(UP);
    t.poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.poller.snapshot.state).toBe('back');
    expect(t.events.map((e) => e.name)).toEqual(['backsoon-attempt', 'backsoon-back']);
    expect(t.returnToApp).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.check).toHaveBeenCalledTimes(1);
  });

  it('lets the visitor stop the checks (and so the automatic return), and resume them', async () => {
    const t = setup();
    t.poller.start();
    await vi.advanceTimersByTimeAsync(2000);
    t.poller.stopChecking();
    expect(t.poller.snapshot.state).toBe('stopped');
    expect(vi.getTimerCount()).toBe(0);
    t.network.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(600_000);
    expect(t.check).toHaveBeenCalledTimes(2);
    t.verdicts.push(UP);
    t.poller.checkNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.returnToApp).toHaveBeenCalledOnce();
    expect(t.poller.snapshot.attempt).toBe(1);
  });
});
