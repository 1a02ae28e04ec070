import { describe, expect, it } from 'vitest';
import {
  BOUNCE_WINDOW,
  RETURN_RECORD_KEY,
  bouncesOnArrival,
  readReturnRecord,
  writeReturnRecord,
} from './loop-guard.js';

const url = 'http://example.test/deep/path?q=1#section';

describe('bouncesOnArrival', () => {
  it('counts no bounce without a record, for another URL, or after the window', () => {
    expect(bouncesOnArrival(undefined, url, 1000)).toBe(0);
    expect(bouncesOnArrival({ url: 'http://example.test/other', at: 1000, bounces: 0 }, url, 2000)).toBe(0);
    expect(bouncesOnArrival({ url, at: 1000, bounces: 0 }, url, 1000 + BOUNCE_WINDOW)).toBe(0);
  });

  it('counts one more bounce each time the visitor comes straight back', () => {
    expect(bouncesOnArrival({ url, at: 1000, bounces: 0 }, url, 3000)).toBe(1);
    expect(bouncesOnArrival({ url, at: 1000, bounces: 2 }, url, 3000)).toBe(3);
  });

  it('treats a malformed record as none', () => {
    for (const record of [null, 'x', 42, { url }, { url, at: 'now', bounces: 0 }, { url, at: 1, bounces: -1 }]) {
      expect(bouncesOnArrival(record, url, 2)).toBe(0);
    }
  });
});

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
