import { format, type Messages } from './messages.js';
import type { PollSnapshot } from './poller.js';

/** The page's language: its tag (for Intl) and its strings. */
export interface Copy {
  locale: string;
  messages: Messages;
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

/** A clock time in the visitor's own time zone and convention: "2:30 PM", "14:30". */
export function formatClock(at: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(at);
}

/**
 * The line under the message: what the page is doing now. Redrawn every
 * second while waiting, so it is not a live region.
 */
export function statusLine(snapshot: PollSnapshot, now: number, copy: Copy, unsent: boolean): string {
  const { messages: m, locale } = copy;
  switch (snapshot.state) {
    case 'waiting':
      return format(snapshot.kind === 'busy' ? m.statusBusy : m.statusWaiting, {
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
      return unsent ? m.statusBackUnsent : m.statusBack;
    case 'idle':
      return format(m.statusChecking, { attempt: 1 });
  }
}

/**
 * What the polite live region says: only changes a visitor must hear, never
 * the countdown, so a screen reader is not interrupted every second.
 */
export function announcement(snapshot: PollSnapshot, copy: Copy, unsent: boolean): string {
  const m = copy.messages;
  switch (snapshot.state) {
    case 'gave-up':
      return m.announceGaveUp;
    case 'stopped':
      return m.announceStopped;
    case 'back':
      return unsent ? m.announceBackUnsent : m.announceBack;
    default:
      return '';
  }
}

/** The maintenance line, from the announced end: "… back around 14:30, in about 12 minutes". */
export function maintenanceLine(until: number, now: number, copy: Copy): string {
  const { messages: m, locale } = copy;
  const time = formatClock(until, locale);
  return until > now
    ? format(m.maintenanceUntil, { time, duration: formatDuration(until - now, locale) })
    : format(m.maintenanceOverdue, { time });
}
