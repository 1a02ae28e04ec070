/**
 * The loop guard: remembers, per tab, the last time the page sent the visitor
 * back, so that a page that loads again for the same URL soon after (the app
 * answered once, then fell over) slows down instead of bouncing the visitor
 * between the app and the page.
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

/** The sessionStorage key: per tab and per origin, gone with the tab. */
export const RETURN_RECORD_KEY = 'backsoon:return';

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
 * Counts the bounces of a visitor arriving on the page for `url` at `now`.
 * Anything malformed in the record counts as no record.
 */
export function bouncesOnArrival(record: unknown, url: string, now: number): number {
  if (!isReturnRecord(record) || record.url !== url) return 0;
  const since = now - record.at;
  return since >= 0 && since < BOUNCE_WINDOW ? record.bounces + 1 : 0;
}

/** Reads the record; storage that is missing, full or forbidden reads as none. */
export function readReturnRecord(storage: Pick<Storage, 'getItem'> | undefined): unknown {
  try {
    const text = storage?.getItem(RETURN_RECORD_KEY);
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the record; a storage that refuses only costs the guard. */
export function writeReturnRecord(storage: Pick<Storage, 'setItem'> | undefined, record: ReturnRecord): void {
  try {
    storage?.setItem(RETURN_RECORD_KEY, JSON.stringify(record));
  } catch {
    // Private modes and full quotas throw: the visitor still goes back.
  }
}
