/**
 * The page's wording by state: which of the language's strings the page
 * shows (heading, text, status line, what the live region announces), for
 * the poller's state, the page's variant and what became of a form. Pure
 * functions; the element only puts their results in the DOM.
 */
import type { FormState } from '../decide/lost-form.js';
import { format, type Messages } from '../i18n/messages.js';
import type { PollSnapshot, PollState } from '../poll/poller.js';
import type { PageVariant } from '../protocol.js';

/** The page's language: its tag (for Intl), its strings, and the visitor's locale for clock times. */
export interface PageLanguage {
  locale: string;
  messages: Messages;
  /**
   * The visitor's own locale (`navigator.language`), for clock times: it
   * carries their convention (en-GB writes 23:24, en-US 11:24 PM), which
   * the page's language alone does not. @default the page's language
   */
  visitor?: string;
}

/** A whole number of seconds, rounded up, at least 1: "7 sec", "7 Sek.", "7秒". */
export function formatSeconds(ms: number, locale: string): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short' }).format(seconds);
}

/** A wait in whole minutes (rounded up) under 90 minutes, in hours above: "12 minutes", "2 hours". */
export function formatDuration(ms: number, locale: string): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const [value, unit] = minutes < 90 ? [minutes, 'minute'] : [Math.round(minutes / 60), 'hour'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** Language and script, the way pickLocale matches them: en-GB and en → "en-Latn", zh-TW → "zh-Hant". */
function languageAndScript(tag: string): string {
  const locale = new Intl.Locale(tag).maximize();
  return `${locale.language}-${locale.script ?? ''}`;
}

/**
 * The locale a clock time is written in, for a page in `page` read by a
 * visitor whose browser says `visitor`: the visitor's own locale when it
 * is a form of the page's language (en-GB on an English page: "23:24"),
 * else the page's language with the visitor's hour cycle (a German browser
 * on an English page: "23:24", not "11:24 PM"; the words stay the page's).
 */
export function clockLocale(page: string, visitor: string | undefined): string {
  if (!visitor) return page;
  try {
    if (languageAndScript(visitor) === languageAndScript(page)) return new Intl.Locale(visitor).toString();
    const { hourCycle } = new Intl.DateTimeFormat(visitor, { hour: 'numeric' }).resolvedOptions();
    return hourCycle ? new Intl.Locale(page, { hourCycle }).toString() : page;
  } catch {
    return page; // a malformed tag from the browser: the page's convention
  }
}

/** A clock time in the visitor's own time zone and convention: "2:30 PM", "14:30". */
export function formatClock(at: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(at);
}

/** The heading (and the document's title): what happened, until the site answers again. */
export function heading(state: PollState, variant: PageVariant, language: PageLanguage): string {
  const m = language.messages;
  if (state === 'back') return m.backTitle;
  return variant === 'maintenance' ? m.maintenanceTitle : m.crashTitle;
}

/**
 * The text under the heading: what happened, then what the page does about
 * it, only while it does it. Once the visitor stopped the checks, or the
 * page gave up, it no longer claims to check by itself; after a form it
 * never claims to take the visitor anywhere; once the site is back, the
 * heading and the status say it all (`undefined`: no text).
 */
export function bodyText(
  state: PollState,
  variant: PageVariant,
  form: FormState,
  language: PageLanguage,
): string | undefined {
  const m = language.messages;
  if (state === 'back') return undefined;
  const reason = variant === 'maintenance' ? m.maintenanceReason : m.crashReason;
  if (state === 'stopped' || state === 'gave-up') return reason;
  return format(form === 'none' ? m.bodyReturn : m.bodyForm, { reason });
}

/**
 * What became of the visitor's form, when there was one: what happened
 * while the site is away, what to do once it is back (the notice then
 * stands alone under the heading, without a status line).
 */
export function formNotice(state: PollState, form: FormState, language: PageLanguage): string | undefined {
  const m = language.messages;
  if (form === 'none') return undefined;
  if (state === 'back') return form === 'not-sent' ? m.unsentNoticeBack : m.maybeSentNoticeBack;
  return form === 'not-sent' ? m.unsentNotice : m.maybeSentNotice;
}

/**
 * The line under the message: what the page is doing now. Redrawn every
 * second while waiting, so it is not a live region. None once the site is
 * back after a form: the page does nothing more, and the form notice says
 * what to do.
 */
export function statusLine(
  snapshot: PollSnapshot,
  now: number,
  language: PageLanguage,
  form: FormState,
): string | undefined {
  const { messages: m, locale } = language;
  switch (snapshot.state) {
    case 'waiting':
    case 'awaiting-turn':
      return format(snapshot.state === 'awaiting-turn' ? m.statusBusy : m.statusWaiting, {
        seconds: formatSeconds((snapshot.nextCheckAt ?? now) - now, locale),
        attempt: snapshot.attempt + 1,
      });
    case 'checking':
      return format(m.statusChecking, { attempt: snapshot.attempt });
    case 'paused':
      return m.statusPaused;
    case 'gave-up':
      return format(m.statusGaveUp, { attempt: snapshot.attempt });
    case 'stopped':
      return m.statusStopped;
    case 'back':
      return form === 'none' ? m.statusBack : undefined;
    case 'idle':
      return format(m.statusChecking, { attempt: 1 });
  }
}

/**
 * What the polite live region says: only changes a visitor must hear, never
 * the countdown, so a screen reader is not interrupted every second.
 */
export function announcement(snapshot: PollSnapshot, language: PageLanguage, form: FormState): string {
  const m = language.messages;
  switch (snapshot.state) {
    case 'gave-up':
      return m.announceGaveUp;
    case 'stopped':
      return m.announceStopped;
    case 'back':
      return form === 'not-sent'
        ? m.announceBackUnsent
        : form === 'maybe-sent'
          ? m.announceBackMaybeSent
          : m.announceBack;
    default:
      return '';
  }
}

/** The maintenance line, from the announced end: "… back around 14:30, in about 12 minutes". */
export function maintenanceLine(until: number, now: number, language: PageLanguage): string {
  const { messages: m, locale } = language;
  const time = formatClock(until, clockLocale(locale, language.visitor));
  return until > now
    ? format(m.maintenanceUntil, { time, duration: formatDuration(until - now, locale) })
    : format(m.maintenanceOverdue, { time });
}
