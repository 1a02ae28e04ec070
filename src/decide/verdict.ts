import { MARKER_HEADER, PROBE_HEADER, readMarker, type Marker } from '../protocol.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * Why the app is away, as far as the page can tell: the server's marker
 * (src/protocol.ts), or no answer at all.
 */
export type OutageKind = Marker | 'unreachable';

/**
 * The outcome of one check. `admitted`: nginx gave this visitor its turn
 * to go back now (the app is expecting it), so it goes at once. `shared`:
 * the answer came from the shared probe, which costs the app nothing per
 * visitor, so the schedule may ask more often.
 */
export type Verdict =
  | { down: false; admitted?: boolean }
  | { down: true; kind: OutageKind; retryAfter?: number | undefined; shared?: boolean };

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
  return {
    down: true,
    kind: readMarker(marker),
    retryAfter: parseRetryAfter(response.headers.get('Retry-After'), now),
  };
}

/**
 * Reads an answer of the shared probe (PATHS.probe): the marker
 * means down (or busy), the probe's own header means the app answered, and
 * neither means there is no probe on this server (the page then asks its
 * own URL, as before the probe existed).
 */
export function probeVerdict(response: ResponseLike, now: number): Verdict | 'no-probe' {
  const verdict = verdictFromResponse(response, now);
  if (verdict.down) return verdict;
  return response.headers.get(PROBE_HEADER) === null ? 'no-probe' : verdict;
}

/** A check that failed at the network level (refused, reset, timed out, offline). */
export const UNREACHABLE: Verdict = Object.freeze({ down: true, kind: 'unreachable' });
