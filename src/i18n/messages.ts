/**
 * Every string the page shows. Templates take `{name}` placeholders, filled
 * by `format()`; the result is always rendered as text, never as HTML.
 * Built-in translations live in ./locales/, one file per language; a site's
 * config can override any key in any language.
 */
export interface Messages {
  /** The page's title and heading after a crash or restart (502, 504). */
  crashTitle: string;
  /** What happened, after a crash: one sentence, the start of the page's text. */
  crashReason: string;
  /** Title and heading during planned maintenance (503). */
  maintenanceTitle: string;
  /** What is happening, during planned maintenance: one sentence. */
  maintenanceReason: string;
  /** Title and heading once the site answers again (the visitor is being taken back, or has a lost form to see to). */
  backTitle: string;
  /** The page's text while it checks: {reason} is crashReason or maintenanceReason, then what the page does. */
  bodyReturn: string;
  /** The same after a form submission, when the page does not take the visitor anywhere by itself. */
  bodyForm: string;
  /** The announced end: {time} is a clock time, {duration} the time left ("12 minutes"). */
  maintenanceUntil: string;
  /** The announced end has passed. {time} is a clock time. */
  maintenanceOverdue: string;
  /** The submitted form did not reach the site (nginx could not pass it on): safe to send again. */
  unsentNotice: string;
  /** The submitted form may have reached the site (it stopped answering after nginx passed it on): check before sending again. */
  maybeSentNotice: string;
  /** In place of unsentNotice once the site is back (under backTitle). */
  unsentNoticeBack: string;
  /** In place of maybeSentNotice once the site is back (under backTitle). */
  maybeSentNoticeBack: string;
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
  announceBackMaybeSent: string;
}

export type MessageKey = keyof Messages;

/** Fills `{name}` placeholders; unknown names stay as they are. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
