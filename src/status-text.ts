import type { PollSnapshot } from './poller.js';

/**
 * The line under the message: what the page is doing now. Redrawn every
 * second while waiting, so it is not a live region.
 */
export function statusLine(snapshot: PollSnapshot, now: number): string {
  const next = snapshot.attempt + 1;
  switch (snapshot.state) {
    case 'waiting': {
      const seconds = Math.max(1, Math.ceil(((snapshot.nextCheckAt ?? now) - now) / 1000));
      return `Checking again in ${seconds} s · attempt ${next}`;
    }
    case 'checking':
      return `Checking now · attempt ${snapshot.attempt}`;
    case 'paused':
      return 'Paused while this tab is in the background';
    case 'gave-up':
      return `Stopped checking after ${snapshot.attempt} ${snapshot.attempt === 1 ? 'attempt' : 'attempts'}`;
    case 'back':
      return 'It’s back. Taking you there…';
    case 'idle':
      return 'Checking automatically';
  }
}

/**
 * What the polite live region says: only changes a visitor must hear, never
 * the countdown, so a screen reader is not interrupted every second.
 */
export function announcement(snapshot: PollSnapshot): string {
  switch (snapshot.state) {
    case 'gave-up':
      return 'Stopped checking automatically. Use Try again to check.';
    case 'back':
      return 'The site is back. Taking you there.';
    default:
      return '';
  }
}
