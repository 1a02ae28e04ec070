/**
 * What the operator says about planned maintenance, at run time, in
 * maintenance.json beside the page (PATHS.maintenanceInfo; the poller reads
 * it: src/poll/fetch-maintenance-info.ts):
 *
 *   { "message": "Moving to a faster database.", "until": "2026-11-21T14:30:00Z" }
 *
 * `message` is a string, or one string per language ({ "en": …, "de": … });
 * `until` is an ISO 8601 time with its zone. Both are optional. Anything
 * missing, malformed, oversized or out of range is ignored, and the page
 * shows its defaults. The message is only ever rendered as text.
 */
export interface MaintenanceInfo {
  /** The operator's message, by language tag ("*" for all languages). */
  message?: Record<string, string>;
  /** The announced end, in ms since the epoch. */
  until?: number;
}

/** A larger file is not read: it is not what the operator meant to write. */
export const MAX_INFO_CHARS = 4096;
/** A longer message is dropped, not cut: a cut sentence can say the opposite. */
export const MAX_MESSAGE_CHARS = 300;
/** An end further than this is ignored: a typo in the year, most likely. */
export const MAX_UNTIL_AHEAD = 7 * 24 * 3_600_000;
/** An end longer ago than this is ignored: a file left over. */
export const MAX_UNTIL_BEHIND = 24 * 3_600_000;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function cleanMessage(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Control characters (bidi overrides included) have no place in a notice.
  const text = value
    // eslint-disable-next-line no-control-regex -- control characters are what it removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text !== '' && text.length <= MAX_MESSAGE_CHARS ? text : undefined;
}

/** Parses the file's text; never throws. */
export function parseMaintenanceInfo(text: string, now: number): MaintenanceInfo {
  if (text.length > MAX_INFO_CHARS) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const { message, until } = raw as Record<string, unknown>;
  const info: MaintenanceInfo = {};

  if (typeof message === 'string') {
    const clean = cleanMessage(message);
    if (clean) info.message = { '*': clean };
  } else if (typeof message === 'object' && message !== null && !Array.isArray(message)) {
    const byLanguage: Record<string, string> = {};
    for (const [tag, value] of Object.entries(message)) {
      const clean = cleanMessage(value);
      if (clean && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) byLanguage[tag] = clean;
    }
    if (Object.keys(byLanguage).length > 0) info.message = byLanguage;
  }

  if (typeof until === 'string' && ISO_WITH_ZONE.test(until)) {
    const at = Date.parse(until);
    if (!Number.isNaN(at) && at - now <= MAX_UNTIL_AHEAD && now - at <= MAX_UNTIL_BEHIND) info.until = at;
  }
  return info;
}

/** The message for a language: its own, then its base language's, then the one for all. */
export function messageFor(info: MaintenanceInfo, locale: string): string | undefined {
  const messages = info.message;
  if (!messages) return undefined;
  return messages[locale] ?? messages[locale.split('-')[0] ?? ''] ?? messages['*'];
}
