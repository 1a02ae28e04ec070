/**
 * Every string the page shows. Templates take `{name}` placeholders, filled
 * by `format()`; the result is always rendered as text, never as HTML.
 * Built-in translations live in ./locales/, one file per language; a site's
 * config can override any key in any language.
 */
export interface Messages {
  /** The page's title and heading after a crash or restart (502, 504). */
  crashTitle: string;
  /** What happened after a crash, and what the page does about it. */
  crashBody: string;
  /** Title and heading during planned maintenance (503). */
  maintenanceTitle: string;
  /** What happens during planned maintenance. */
  maintenanceBody: string;
  /** The announced end: {time} is a clock time, {duration} the time left ("12 minutes"). */
  maintenanceUntil: string;
  /** The announced end has passed. {time} is a clock time. */
  maintenanceOverdue: string;
  /** The submitted form did not reach the site. */
  unsentNotice: string;
  /** The no-JavaScript fallback's last line. */
  noScript: string;
  /** Status: {seconds} is a formatted duration ("7 sec"), {attempt} the next check's number. */
  statusWaiting: string;
  /**
   * Status when the site is back and nginx lets the waiting visitors in a
   * few at a time: {seconds} until this visitor asks for its turn again.
   */
  statusBusy: string;
  /** Status: {attempt} is the check in flight. */
  statusChecking: string;
  statusPaused: string;
  /** Status after giving up; {attempt} is the last check's number. */
  statusGaveUp: string;
  /** Status after the visitor stopped the checks. */
  statusStopped: string;
  statusBack: string;
  /** Status when the app is back after a form was not sent. */
  statusBackUnsent: string;
  tryNow: string;
  tryAgain: string;
  stop: string;
  resume: string;
  backToForm: string;
  reloadPage: string;
  /** Said by screen readers (polite live region). */
  announceGaveUp: string;
  announceStopped: string;
  announceBack: string;
  announceBackUnsent: string;
}

export type MessageKey = keyof Messages;

/** Fills `{name}` placeholders; unknown names stay as they are. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
