import { describe, expect, it } from 'vitest';
import { announcement, clockLocale, formatClock, formatDuration, maintenanceLine, statusLine, type Copy } from './copy.js';
import de from './locales/de.js';
import en from './locales/en.js';
import type { PollSnapshot } from './poller.js';

const EN: Copy = { locale: 'en', messages: en };
const DE: Copy = { locale: 'de', messages: de };

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
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 3_500, EN, false)).toBe('Checking again in 7 sec · attempt 4');
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 9_999, EN, false)).toBe('Checking again in 1 sec · attempt 4');
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 3_500, DE, false)).toBe('Nächste Prüfung in 7 Sek. · Versuch 4');
  });

  it('says when it gave up or was stopped, and what happens after a lost form', () => {
    expect(statusLine(snap({ state: 'gave-up', attempt: 5 }), 0, EN, false)).toBe('Stopped checking after attempt 5');
    expect(statusLine(snap({ state: 'stopped' }), 0, EN, false)).toBe('Automatic checks are stopped');
    expect(statusLine(snap({ state: 'back' }), 0, EN, true)).toBe('The site is back. Your form was not sent.');
  });

  it('announces state changes only, never the countdown', () => {
    expect(announcement(snap({ state: 'waiting', nextCheckAt: 5000 }), EN, false)).toBe('');
    expect(announcement(snap({ state: 'checking' }), EN, false)).toBe('');
    expect(announcement(snap({ state: 'gave-up' }), EN, false)).toMatch(/Stopped checking/);
    expect(announcement(snap({ state: 'stopped' }), EN, false)).toMatch(/stopped/);
    expect(announcement(snap({ state: 'back' }), EN, false)).toBe(en.announceBack);
    expect(announcement(snap({ state: 'back' }), EN, true)).toBe(en.announceBackUnsent);
  });
});

describe('maintenance line', () => {
  const now = Date.UTC(2026, 10, 21, 14, 18);
  const until = Date.UTC(2026, 10, 21, 14, 30);

  it('gives the clock time and the time left, in the visitor’s language', () => {
    expect(maintenanceLine(until, now, EN)).toMatch(/^Planned maintenance · back around \d{1,2}:30\s?[AP]M, in about 12 minutes$/);
    expect(maintenanceLine(until, now, DE)).toMatch(/^Geplante Wartung · zurück gegen \d{2}:30, in etwa 12 Minuten$/);
  });

  it('owns up when the announced end has passed', () => {
    expect(maintenanceLine(until, until + 60_000, EN)).toMatch(/we hoped to be back by/);
  });

  it('rounds to minutes, then to hours', () => {
    expect(formatDuration(30_000, 'en')).toBe('1 minute');
    expect(formatDuration(89 * 60_000, 'en')).toBe('89 minutes');
    expect(formatDuration(150 * 60_000, 'en')).toBe('3 hours');
  });
});

// Issue 9, item 14: an en-GB visitor saw "back around 11:24 PM".
describe('clock times', () => {
  const at = Date.UTC(2026, 10, 21, 23, 24);
  const clock = (page: string, visitor: string | undefined): string =>
    new Intl.DateTimeFormat(clockLocale(page, visitor), { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(at);

  it('follow the visitor’s locale when it is a form of the page’s language', () => {
    expect(clock('en', 'en-GB')).toBe('23:24');
    expect(clock('en', 'en-US')).toMatch(/^11:24\sPM$/);
    expect(clockLocale('en', 'en-GB')).toBe('en-GB');
  });

  it('keep the page’s words with the visitor’s hour cycle otherwise', () => {
    expect(clock('en', 'sv-SE')).toBe('23:24');
    expect(clock('en', 'de-DE')).toBe('23:24');
    expect(clock('de', 'en-US')).toMatch(/^11:24\sPM$/);
    // Traditional Chinese is not a form of Simplified Chinese: the page's script stays.
    expect(clockLocale('zh-Hans', 'zh-TW')).toMatch(/^zh-Hans/);
  });

  it('fall back to the page’s language without a usable visitor locale', () => {
    expect(clockLocale('en', undefined)).toBe('en');
    expect(clockLocale('en', 'not a tag!')).toBe('en');
  });

  it('reach the maintenance line', () => {
    const now = at - 12 * 60_000;
    const gb = maintenanceLine(at, now, { ...EN, visitor: 'en-GB' });
    expect(gb).toBe(`Planned maintenance · back around ${formatClock(at, 'en-GB')}, in about 12 minutes`);
    expect(gb).toMatch(/around ([01]\d|2[0-3]):24,/);
    expect(maintenanceLine(at, now, { ...EN, visitor: 'en-US' })).toMatch(/around \d{1,2}:24\s[AP]M,/);
  });
});
