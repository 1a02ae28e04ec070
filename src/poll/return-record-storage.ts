import { parseReturnRecord, type ReturnRecord } from '../decide/loop-guard.js';

/**
 * Where the loop guard's record lives (src/decide/loop-guard.ts): the tab's
 * sessionStorage, per tab and per origin, gone with the tab.
 */
export const RETURN_RECORD_KEY = 'backsoon:return';

/** Reads the record; storage that is missing, full or forbidden, or holds junk, reads as none. */
export function readReturnRecord(storage: Pick<Storage, 'getItem'> | undefined): ReturnRecord | undefined {
  try {
    return parseReturnRecord(storage?.getItem(RETURN_RECORD_KEY));
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
