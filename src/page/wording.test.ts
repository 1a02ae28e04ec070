import { describe, expect, it } from 'vitest';
import {
  announcement,
  bodyText,
  clockLocale,
  formatClock,
  formatDuration,
  formNotice,
  heading,
  maintenanceLine,
  statusLine,
  type PageLanguage,
} from './wording.js';
import type { PollState } from '../poll/poller.js';
import { BUILT_IN_LOCALES } from '../i18n/locales/index.js';
import de from '../i18n/locales/de.js';
import en from '../i18n/locales/en.js';
import type { PollSnapshot } from '../poll/poller.js';

const EN: PageLanguage = { locale: 'en', messages: en };
const DE: PageLanguage = { locale: 'de', messages: de };

const snap = (s: Partial<PollSnapshot>): PollSnapshot => ({
  state: 'waiting',
  attempt: 0,
  elapsed: 0,
  nextCheckAt: undefined,
  awayReason: undefined,
  ...s,
});

describe('status text', () => {
  it('counts down to the next check and numbers it', () => {
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 3_500, EN, 'none')).toBe(
      'Checking again in 7 sec · attempt 4',
    );
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 9_999, EN, 'none')).toBe(
      'Checking again in 1 sec · attempt 4',
    );
    expect(statusLine(snap({ attempt: 3, nextCheckAt: 10_000 }), 3_500, DE, 'none')).toBe(
      'Nächste Prüfung in 7 Sek. · Versuch 4',
    );
  });

  it('says the site is back and counts down to asking again for a turn while the visitor awaits one', () => {
    expect(statusLine(snap({ state: 'awaiting-turn', attempt: 3, nextCheckAt: 10_000 }), 3_500, EN, 'none')).toBe(
      'The site is back and letting visitors in a few at a time · asking again for your turn in 7 sec',
    );
    expect(bodyText('awaiting-turn', 'crash', 'none', EN)).toBe(bodyText('waiting', 'crash', 'none', EN));
    expect(announcement(snap({ state: 'awaiting-turn' }), EN, 'none')).toBe('');
  });

  it('says when it gave up or was stopped, and what happens once the site is back', () => {
    expect(statusLine(snap({ state: 'gave-up', attempt: 5 }), 0, EN, 'none')).toBe('Stopped checking after attempt 5');
    expect(statusLine(snap({ state: 'stopped' }), 0, EN, 'none')).toBe('Automatic checks are stopped');
    expect(statusLine(snap({ state: 'back' }), 0, EN, 'none')).toBe('Taking you there…');
    // After a form the page does nothing more once the site is back: the notice says what to do.
    expect(statusLine(snap({ state: 'back' }), 0, EN, 'not-sent')).toBeUndefined();
    expect(statusLine(snap({ state: 'back' }), 0, EN, 'maybe-sent')).toBeUndefined();
  });

  it('announces state changes only, never the countdown', () => {
    expect(announcement(snap({ state: 'waiting', nextCheckAt: 5000 }), EN, 'none')).toBe('');
    expect(announcement(snap({ state: 'checking' }), EN, 'none')).toBe('');
    expect(announcement(snap({ state: 'gave-up' }), EN, 'none')).toMatch(/Stopped checking/);
    expect(announcement(snap({ state: 'stopped' }), EN, 'none')).toMatch(/stopped/);
    expect(announcement(snap({ state: 'back' }), EN, 'none')).toBe(en.announceBack);
    expect(announcement(snap({ state: 'back' }), EN, 'not-sent')).toBe(en.announceBackUnsent);
    expect(announcement(snap({ state: 'back' }), EN, 'maybe-sent')).toBe(en.announceBackMaybeSent);
  });
});

// The page says only what is true in its state.
describe('what the page says, by state', () => {
  const CHECKING: PollState[] = ['idle', 'waiting', 'checking', 'paused'];

  it('promises to take the visitor back only while it checks, and never after a form', () => {
    for (const state of CHECKING) {
      expect(bodyText(state, 'crash', 'none', EN)).toBe(
        'The site is restarting or briefly unavailable. Keep this page open: it checks by itself and takes you back to where you were as soon as the site answers.',
      );
      expect(bodyText(state, 'maintenance', 'none', EN)).toMatch(
        /^We are making improvements\. Keep this page open: it checks by itself and takes you back/,
      );
      for (const form of ['not-sent', 'maybe-sent'] as const) {
        expect(bodyText(state, 'crash', form, EN)).toBe(
          'The site is restarting or briefly unavailable. Keep this page open: it checks by itself and tells you as soon as the site answers.',
        );
      }
    }
  });

  it('no longer claims to check by itself once stopped or given up', () => {
    for (const state of ['stopped', 'gave-up'] as const) {
      for (const form of ['none', 'not-sent', 'maybe-sent'] as const) {
        expect(bodyText(state, 'crash', form, EN)).toBe('The site is restarting or briefly unavailable.');
        expect(bodyText(state, 'maintenance', form, DE)).toBe('Wir verbessern gerade unsere Website.');
      }
    }
  });

  it('heads the page "The site is back" once it is, never "We’ll be right back" above it', () => {
    for (const form of ['none', 'not-sent', 'maybe-sent'] as const) {
      expect(heading('back', 'crash', EN)).toBe('The site is back');
      expect(heading('back', 'maintenance', EN)).toBe('The site is back');
      expect(bodyText('back', 'crash', form, EN)).toBeUndefined();
    }
    expect(heading('waiting', 'crash', EN)).toBe('We’ll be right back');
    expect(heading('stopped', 'maintenance', EN)).toBe('Down for planned maintenance');
  });

  it('tells a form that was not sent from one that may have been received, while away and once back', () => {
    expect(formNotice('waiting', 'none', EN)).toBeUndefined();
    expect(formNotice('back', 'none', EN)).toBeUndefined();
    expect(formNotice('waiting', 'not-sent', EN)).toMatch(
      /^Your form was not sent: the site did not receive it\. You can send it again/,
    );
    expect(formNotice('back', 'not-sent', EN)).toBe('Your form was not sent: you can send it again.');
    for (const state of ['waiting', 'stopped', 'back'] as const) {
      const maybe = formNotice(state, 'maybe-sent', EN);
      expect(maybe).toMatch(/^Your form may have (reached the site|been received)/);
      expect(maybe).toMatch(/check whether it went through before you send it again\.$/);
      expect(maybe).not.toMatch(/not sent|did not receive|can send it again/);
    }
  });

  it('has every new string in every built-in language, the body templates with their {reason}', () => {
    for (const [tag, messages] of Object.entries(BUILT_IN_LOCALES)) {
      const language: PageLanguage = { locale: tag, messages };
      for (const form of ['none', 'not-sent'] as const) {
        const body = bodyText('waiting', 'crash', form, language);
        expect(body, tag).toContain(messages.crashReason);
        expect(body, tag).not.toContain('{');
      }
      // Every language tells the cases apart, while away and once back.
      const notices = new Set(
        (['waiting', 'back'] as const).flatMap((state) => [
          formNotice(state, 'not-sent', language),
          formNotice(state, 'maybe-sent', language),
        ]),
      );
      expect(notices.size, tag).toBe(4);
      const announced = new Set(
        (['none', 'not-sent', 'maybe-sent'] as const).map((form) =>
          announcement(snap({ state: 'back' }), language, form),
        ),
      );
      expect(announced.size, tag).toBe(3);
      if (tag !== 'en') expect(messages.maybeSentNotice, tag).not.toBe(en.maybeSentNotice);
    }
  });
});

describe('maintenance line', () => {
  const now = Date.UTC(2026, 10, 21, 14, 18);
  const until = Date.UTC(2026, 10, 21, 14, 30);

  it('gives the clock time and the time left, in the visitor’s language', () => {
    expect(maintenanceLine(until, now, EN)).toMatch(
      /^Planned maintenance · back around \d{1,2}:30\s?[AP]M, in about 12 minutes$/,
    );
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

// An en-GB visitor once saw "back around 11:24 PM": times follow the visitor's convention.
describe('clock times', () => {
  const at = Date.UTC(2026, 10, 21, 23, 24);
  const clock = (page: string, visitor: string | undefined): string =>
    new Intl.DateTimeFormat(clockLocale(page, visitor), { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(
      at,
    );

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
