import type { Messages } from './messages.js';
import { PATHS } from '../protocol.js';

/**
 * Only the default language is inlined in the page (a site pays for the
 * bytes of one language on every error response); the others are files
 * beside it, `<PATHS.locales><tag>.json`, fetched once by the visitors
 * who need them, from nginx's disk, which answers during an outage.
 */
/** A language file that takes longer than this is given up for the default language. */
export const LOCALE_TIMEOUT = 2000;

/** Whether `value` has every string `reference` has, as non-empty text. */
export function isCompleteMessages(value: unknown, reference: Messages): value is Messages {
  if (typeof value !== 'object' || value === null) return false;
  const table = value as Record<string, unknown>;
  return Object.keys(reference).every((key) => typeof table[key] === 'string' && table[key].trim() !== '');
}

/** The strings of one language, or undefined when the file is missing, slow or incomplete. */
export async function loadMessages(
  tag: string,
  reference: Messages,
  fetch: typeof globalThis.fetch = globalThis.fetch,
): Promise<Messages | undefined> {
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) return undefined;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), LOCALE_TIMEOUT);
  try {
    const response = await fetch(`${PATHS.locales}${tag}.json`, { signal: abort.signal, credentials: 'omit' });
    if (!response.ok) return undefined;
    const value: unknown = await response.json();
    return isCompleteMessages(value, reference) ? value : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
