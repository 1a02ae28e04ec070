import { describe, expect, it } from 'vitest';
import { RETURN_RECORD_KEY, readReturnRecord, writeReturnRecord } from './return-record-storage.js';

const url = 'http://example.test/deep/path?q=1#section';

describe('the stored record', () => {
  it('round-trips through storage and survives storage that throws or holds junk', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    writeReturnRecord(storage, { url, at: 5, bounces: 1 });
    expect(readReturnRecord(storage)).toEqual({ url, at: 5, bounces: 1 });
    store.set(RETURN_RECORD_KEY, '{not json');
    expect(readReturnRecord(storage)).toBeUndefined();
    const throwing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(readReturnRecord(throwing)).toBeUndefined();
    expect(() => writeReturnRecord(throwing, { url, at: 5, bounces: 0 })).not.toThrow();
    expect(readReturnRecord(undefined)).toBeUndefined();
  });
});
