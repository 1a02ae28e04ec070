import { UNREACHABLE, verdictFromResponse, type Verdict } from './verdict.js';

export interface CheckOptions {
  /** Milliseconds before the check is abandoned and counts as failed. */
  timeout: number;
  /** Aborts the check from outside (the poller stopping). */
  signal: AbortSignal;
  /** The clock used for Retry-After dates. */
  now: () => number;
  /** The fetch to use; the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Asks the page's own URL whether the app is back, with one HEAD request.
 *
 * HEAD because the answer is in the status line and headers: an outage
 * check costs a few hundred bytes, not the page again. `cache: 'no-store'`
 * keeps any cache out of the answer; `redirect: 'manual'` counts a redirect
 * as the app answering, even one to another origin (a login page), which
 * `fetch` could not follow. The fragment never leaves the browser.
 */
export async function checkUrl(url: string, options: CheckOptions): Promise<Verdict> {
  const { timeout, signal, now, fetch = globalThis.fetch } = options;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  const onAbort = (): void => {
    clearTimeout(timer);
    abort.abort();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(url, {
      method: 'HEAD',
      cache: 'no-store',
      redirect: 'manual',
      // The answer is nginx's marker or the app's status: neither needs the
      // visitor's cookies or the URL as a referrer, and both weigh on every
      // check (a poll should cost under a kilobyte).
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: abort.signal,
    });
    return verdictFromResponse(response, now());
  } catch {
    return UNREACHABLE;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
