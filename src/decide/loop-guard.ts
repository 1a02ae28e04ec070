/**
 * The loop guard: the page remembers, per tab, the last time it sent the
 * visitor back (src/poll/return-record-storage.ts keeps the record), so that
 * a page that loads again for the same URL soon after (the app answered
 * once, then fell over) slows down instead of bouncing the visitor between
 * the app and the page. What a record means is decided here.
 */

/** What the page writes just before sending the visitor back. */
export interface ReturnRecord {
  url: string;
  /** When the visitor was sent back, in ms since the epoch. */
  at: number;
  /** The bounces counted when the visitor was sent back. */
  bounces: number;
}

/**
 * How soon after being sent back an arrival counts as a bounce.
 * 60 s: a restart that fails again usually does so within its first minute.
 */
export const BOUNCE_WINDOW = 60_000;

function isReturnRecord(value: unknown): value is ReturnRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.url === 'string' &&
    typeof r.at === 'number' &&
    Number.isFinite(r.at) &&
    typeof r.bounces === 'number' &&
    Number.isInteger(r.bounces) &&
    r.bounces >= 0
  );
}

/**
 * Reads a stored record (its JSON); anything absent or malformed is no
 * record. Never throws.
 */
export function parseReturnRecord(text: string | null | undefined): ReturnRecord | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return isReturnRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Counts the bounces of a visitor arriving on the page for `url` at `now`. */
export function bouncesOnArrival(record: ReturnRecord | undefined, url: string, now: number): number {
  if (record?.url !== url) return 0;
  const since = now - record.at;
  return since >= 0 && since < BOUNCE_WINDOW ? record.bounces + 1 : 0;
}
