import { parseRetryAfter } from './retry-after.js';

/**
 * The header nginx adds (through backsoon's snippets) to the error responses
 * it serves itself, and to nothing else. Its value says why the app is away.
 */
export const MARKER_HEADER = 'X-Backsoon';

/** Why the app is away, as far as the page can tell. */
export type OutageKind = 'crash' | 'maintenance' | 'unreachable';

/** The outcome of one check. */
export type Verdict =
  | { down: false }
  | { down: true; kind: OutageKind; retryAfter?: number | undefined };

/** The parts of a fetch Response the decision reads. */
export interface ResponseLike {
  readonly headers: { get(name: string): string | null };
}

/**
 * Decides whether the app is back from a check's response.
 *
 * Only a response carrying the marker means "still down": it came from
 * nginx's error page, not from the app. Anything else, the app's own 404,
 * 500 or 503 included, or a redirect (an opaque one too), means the app is
 * answering, so the visitor should see its answer.
 */
export function verdictFromResponse(response: ResponseLike, now: number): Verdict {
  const marker = response.headers.get(MARKER_HEADER);
  if (marker === null) return { down: false };
  const kind: OutageKind = marker.trim().toLowerCase() === 'maintenance' ? 'maintenance' : 'crash';
  return { down: true, kind, retryAfter: parseRetryAfter(response.headers.get('Retry-After'), now) };
}

/** A check that failed at the network level (refused, reset, timed out, offline). */
export const UNREACHABLE: Verdict = Object.freeze({ down: true, kind: 'unreachable' });
