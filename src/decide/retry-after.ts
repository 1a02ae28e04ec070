/**
 * Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3): either a number of
 * seconds or an HTTP date.
 *
 * @param value the header's value, or null when absent
 * @param now the current time in ms since the epoch, for HTTP dates
 * @returns the wait in milliseconds (0 for a date in the past), or
 *   undefined when the header is absent or malformed
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only a date that names its weekday or month parses: Date.parse alone
  // would also accept fragments such as "12" or "1.5".
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
