import { MARKER_HEADER, PROBE_HEADER, readMarker } from '../protocol.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * Why the app is away, as far as the page can tell: the server's marker
 * says a crash (or a restart) or planned maintenance, or nothing answered
 * at all.
 */
export type AwayReason = 'crash' | 'maintenance' | 'unreachable';

/**
 * The outcome of one check:
 *
 * - `back`: the app answers (its own 404, 500 or 503 included), so the
 *   visitor goes back. `admitted`: the server gave this visitor its turn
 *   for now (the app is expecting it), so it goes at once.
 * - `awaiting-turn`: the app answers, but the server has not given this
 *   visitor a turn yet (the probe's 429, marker `busy`): it asks again
 *   soon, for a turn, about when the answer's Retry-After says. The app is
 *   not away.
 * - `away`: the app is away, and why. `shared`: the answer came from the
 *   shared probe, which costs the app nothing per visitor, so the schedule
 *   may ask more often.
 */
export type Verdict =
  | { outcome: 'back'; admitted?: boolean }
  | { outcome: 'awaiting-turn'; retryAfter?: number | undefined }
  | { outcome: 'away'; reason: AwayReason; retryAfter?: number | undefined; shared?: boolean };

/** The parts of a fetch Response the decision reads. */
export interface ResponseLike {
  readonly headers: { get(name: string): string | null };
}

/**
 * Decides whether the app is back from a check's response.
 *
 * Only a response carrying the marker comes from the server rather than the
 * app: its error page ("away"), or its "busy" (the app is back, the turn is
 * not yet this visitor's). Anything else, the app's own 404, 500 or 503
 * included, or a redirect (an opaque one too), means the app is answering,
 * so the visitor should see its answer.
 */
export function verdictFromResponse(response: ResponseLike, now: number): Verdict {
  const value = response.headers.get(MARKER_HEADER);
  if (value === null) return { outcome: 'back' };
  const marker = readMarker(value);
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'), now);
  return marker === 'busy' ? { outcome: 'awaiting-turn', retryAfter } : { outcome: 'away', reason: marker, retryAfter };
}

/**
 * Reads an answer of the shared probe (PATHS.probe): the marker means away
 * (or awaiting a turn), the probe's own header means the app answered, and
 * neither means there is no probe on this server (the page then asks its
 * own URL, as before the probe existed).
 */
export function probeVerdict(response: ResponseLike, now: number): Verdict | 'no-probe' {
  const verdict = verdictFromResponse(response, now);
  if (verdict.outcome !== 'back') return verdict;
  return response.headers.get(PROBE_HEADER) === null ? 'no-probe' : verdict;
}

/** A check that failed at the network level (refused, reset, timed out, offline). */
export const UNREACHABLE: Verdict = Object.freeze({ outcome: 'away', reason: 'unreachable' });
