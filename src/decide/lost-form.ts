import { FORM_METHODS, FORM_SENT } from '../protocol.js';

/**
 * Whether a request with this method carried a form (FORM_METHODS: the
 * server snippets match the same ones): when it met an outage, the page
 * must never send it again by itself.
 */
export function isLostForm(method: string): boolean {
  return (FORM_METHODS as readonly string[]).includes(method.toUpperCase());
}

/**
 * What became of the request that met the outage, as far as anyone can know:
 *
 * - `none`: not a form (a GET or a HEAD): nothing was lost, the page takes
 *   the visitor back by itself;
 * - `not-sent`: a form that never reached the app (nginx could not connect,
 *   or the site was in maintenance): safe to send again;
 * - `maybe-sent`: a form that nginx had passed on, at least in part, when
 *   the app stopped answering (a read timeout, a reset): the app may have
 *   it, and acted on it. The visitor must check before sending it again.
 */
export type FormState = 'none' | 'not-sent' | 'maybe-sent';

/**
 * Reads the marks nginx puts on the page (`request-method`, and `form-sent`:
 * "no" or "maybe", from `$upstream_bytes_sent`). Without nginx's word that
 * nothing was sent (a snippet older than the page, or the service worker,
 * which cannot know what a failed fetch carried), a form counts as maybe
 * sent: telling a visitor "not sent" when it was is what makes them pay
 * twice.
 */
export function formState(method: string, formSent: string | undefined): FormState {
  if (!isLostForm(method)) return 'none';
  return formSent?.trim().toLowerCase() === FORM_SENT.notSent ? 'not-sent' : 'maybe-sent';
}
