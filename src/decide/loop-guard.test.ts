import { describe, expect, it } from 'vitest';
import { BOUNCE_WINDOW, bouncesOnArrival, parseReturnRecord } from './loop-guard.js';

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
});

describe('parseReturnRecord', () => {
  it('reads a record as it was stored', () => {
    expect(parseReturnRecord(JSON.stringify({ url, at: 5, bounces: 1 }))).toEqual({ url, at: 5, bounces: 1 });
  });

  it('treats an absent or malformed record as none', () => {
    for (const text of [null, undefined, '', '{not json', 'null', '"x"', '42']) {
      expect(parseReturnRecord(text), String(text)).toBeUndefined();
    }
    for (const record of [
      { url },
      { url, at: 'now', bounces: 0 },
      { url, at: 1, bounces: -1 },
      { url, at: 1, bounces: 0.5 },
    ]) {
      expect(parseReturnRecord(JSON.stringify(record)), JSON.stringify(record)).toBeUndefined();
    }
  });
});
