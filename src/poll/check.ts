import { PATHS } from '../protocol.js';
import { probeVerdict, UNREACHABLE, verdictFromResponse, type Verdict } from '../decide/verdict.js';

export interface CheckOptions {
  /** Aborts the request (the check's deadline, or the poller stopping). */
  signal: AbortSignal;
  /** The clock used for Retry-After dates. */
  now: () => number;
  /** The fetch to use; the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/**
 * One HEAD request: the answer is in the status line and headers, so a check
 * costs a few hundred bytes, not the page again. `cache: 'no-store'` keeps
 * any cache out of the answer; `redirect: 'manual'` counts a redirect as the
 * app answering, even one to another origin (a login page), which `fetch`
 * could not follow. Resolves to undefined when the network fails or the
 * signal aborts. The fragment never leaves the browser.
 */
export async function head(url: string, options: CheckOptions): Promise<Response | undefined> {
  const { signal, fetch = globalThis.fetch } = options;
  try {
    return await fetch(url, {
      method: 'HEAD',
      cache: 'no-store',
      redirect: 'manual',
      // The answer is nginx's marker or the app's status: neither needs the
      // visitor's cookies or the URL as a referrer, and both weigh on every
      // check (a poll should cost under a kilobyte).
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal,
    });
  } catch {
    return undefined;
  }
}

/** Asks one URL (the page's own) whether the app is back. */
export async function checkUrl(url: string, options: CheckOptions): Promise<Verdict> {
  const response = await head(url, options);
  return response ? verdictFromResponse(response, options.now()) : UNREACHABLE;
}

/**
 * A signal that aborts after `timeout` ms or when `outer` aborts, whichever
 * comes first; `clear()` drops the timer and the listener. Every await of a
 * check runs under one such signal, so no part of it outlives the timeout.
 */
export function deadline(outer: AbortSignal, timeout: number): { signal: AbortSignal; clear: () => void } {
  const abort = new AbortController();
  const clear = (): void => {
    clearTimeout(timer);
    outer.removeEventListener('abort', onAbort);
  };
  // Either way the check is over: nothing of the deadline stays behind.
  const onAbort = (): void => {
    clear();
    abort.abort();
  };
  const timer = setTimeout(onAbort, timeout);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return { signal: abort.signal, clear };
}

/**
 * How the page checks for the app, and remembers what it learned:
 *
 * 1. It asks the shared probe (PATHS.probe), which nginx answers for every
 *    waiting visitor from a one-second cache (location/backsoon-probe.conf),
 *    not its own URL: N waiting visitors cost the app one request a second, not N.
 * 2. When the probe says the app answers and the visitor is to go back by
 *    itself, it asks for a turn (PATHS.admit): nginx grants turns at the
 *    app's pace (a turn is a request the app answers, a few at a time)
 *    and answers the rest "busy" (marker `busy`): those await
 *    their turn (the verdict `awaiting-turn`: the app is not away) and ask
 *    again soon, straight for a turn. A visitor turned away never
 *    navigates, so it never counts as a bounce.
 * 3. A server without the probe answers without the probe's header (its
 *    404): the page then asks its own URL from then on, as it always did,
 *    and goes back without asking for a turn.
 */
export class AppCheck {
  #probe: 'unknown' | 'present' | 'absent' = 'unknown';
  #awaitingTurn = false;

  /**
   * @param pageUrl the page's own URL, asked when the server has no probe
   * @param wantsTurn whether the visitor goes back by itself once the app
   *   answers (false for a lost form: it never navigates, so it takes no turn)
   */
  readonly #pageUrl: string;
  readonly #wantsTurn: boolean;

  constructor(pageUrl: string, wantsTurn: boolean) {
    this.#pageUrl = pageUrl;
    this.#wantsTurn = wantsTurn;
  }

  async run(options: CheckOptions): Promise<Verdict> {
    if (this.#probe !== 'absent') {
      const first = await this.#ask(this.#awaitingTurn ? PATHS.admit : PATHS.probe, options);
      if (first !== 'no-probe') {
        this.#probe = 'present';
        if (first.outcome !== 'back' || first.admitted || !this.#wantsTurn) return this.#settle(first);
        const turn = await this.#ask(PATHS.admit, options);
        return this.#settle(turn === 'no-probe' ? UNREACHABLE : turn);
      }
      this.#probe = 'absent';
    }
    return checkUrl(this.#pageUrl, options);
  }

  async #ask(url: string, options: CheckOptions): Promise<Verdict | 'no-probe'> {
    const response = await head(url, options);
    if (!response) return UNREACHABLE;
    const verdict = probeVerdict(response, options.now());
    if (verdict === 'no-probe' || verdict.outcome === 'awaiting-turn') return verdict;
    if (verdict.outcome === 'away') return { ...verdict, shared: true };
    return url === PATHS.admit ? { outcome: 'back', admitted: true } : verdict;
  }

  #settle(verdict: Verdict): Verdict {
    this.#awaitingTurn = verdict.outcome === 'awaiting-turn';
    return verdict;
  }
}
