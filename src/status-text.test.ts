import { describe, expect, it } from 'vitest';
import type { PollSnapshot } from './poller.js';
import { announcement, statusLine } from './status-text.js';

const snap = (s: Partial<PollSnapshot>): PollSnapshot => ({
  state: 'waiting',
  attempt: 0,
  elapsed: 0,
  nextCheckAt: undefined,
  kind: undefined,
  ...s,
});

describe('status text', () => {
  it('counts down to the next check and numbers it', () => {
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 3_500)).toBe('Checking again in 7 s · attempt 4');
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 9_999)).toBe('Checking again in 1 s · attempt 4');
  });

  it('says when it gave up, with a plural that fits', () => {
    expect(statusLine(snap({ state: 'gave-up', attempt: 1 }), 0)).toBe('Stopped checking after 1 attempt');
    expect(statusLine(snap({ state: 'gave-up', attempt: 5 }), 0)).toBe('Stopped checking after 5 attempts');
  });

  it('announces state changes only, never the countdown', () => {
    expect(announcement(snap({ state: 'waiting', nextCheckAt: 5000 }))).toBe('');
    expect(announcement(snap({ state: 'checking' }))).toBe('');
    expect(announcement(snap({ state: 'gave-up' }))).toMatch(/Stopped checking/);
    expect(announcement(snap({ state: 'back' }))).toMatch(/back/);
  });
});
