import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/nginx.js';
import { codeLengths, crc32, optimalDeflate, optimalGzip } from './optimal-gzip.js';

/** Bytes from a seeded generator: the same every run. */
function seededBytes(length: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** Text like the pages': the kit's own sources, 40 KB of them. */
const TEXT = Buffer.concat(
  [
    'src/page/backsoon-page.ts',
    'src/page/backsoon-page.css',
    'src/page/copy.ts',
    'src/poll/poller.ts',
    'README.md',
  ].map((file) => readFileSync(join(REPO, file))),
).subarray(0, 40_000);

describe('optimalGzip', () => {
  const inputs: [string, Uint8Array][] = [
    ['nothing', new Uint8Array(0)],
    ['one byte', Uint8Array.of(65)],
    ['every byte value', Uint8Array.from({ length: 256 }, (_, i) => i)],
    ['a run of 100,000 bytes', new Uint8Array(100_000).fill(32)],
    ['70 KB of noise (wider than the window)', seededBytes(70_000)],
    ['a block repeated at the window’s edge', Buffer.concat([seededBytes(32_760), seededBytes(2_000)])],
    ['text', TEXT],
  ];

  it.each(inputs)('gives back %s when inflated', (_name, input) => {
    const gzip = optimalGzip(input);
    expect(gunzipSync(gzip).equals(input)).toBe(true);
    // The raw stream alone, as gzip_static's clients inflate it.
    expect(inflateRawSync(optimalDeflate(input)).equals(input)).toBe(true);
  });

  it('writes the same bytes for the same input, with no time or name in the header', () => {
    const gzip = optimalGzip(TEXT);
    expect(optimalGzip(TEXT).equals(gzip)).toBe(true);
    // ID1 ID2 CM=deflate FLG=none MTIME=0 XFL=max OS=Unix (RFC 1952, 2.3).
    expect([...gzip.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
  });

  it('is smaller than zlib at its best level on text', () => {
    const zlib = gzipSync(TEXT, { level: 9 }).length;
    const optimal = optimalGzip(TEXT).length;
    console.log(`40 KB of the kit's text: zlib -9 ${zlib} B, optimalGzip ${optimal} B`);
    expect(optimal).toBeLessThan(zlib * 0.98);
  });
});

describe('codeLengths', () => {
  /** Kraft's sum of a code: 1 for a complete prefix code. */
  const kraft = (lengths: Uint8Array): number => [...lengths].reduce((sum, l) => sum + (l > 0 ? 2 ** -l : 0), 0);

  it('gives a complete code within the limit where Huffman would go deeper', () => {
    // Fibonacci weights make a Huffman tree as deep as there are symbols.
    const fibonacci = [1, 1];
    while (fibonacci.length < 30) fibonacci.push(fibonacci.at(-1)! + fibonacci.at(-2)!);
    const lengths = codeLengths(fibonacci, 15);
    expect(Math.max(...lengths)).toBe(15);
    expect(kraft(lengths)).toBe(1);
  });

  it('gives Huffman’s lengths when the limit is not reached', () => {
    // Weights 1, 1, 2, 4: a chain, lengths 3, 3, 2, 1.
    expect([...codeLengths([1, 1, 2, 4], 15)]).toEqual([3, 3, 2, 1]);
    expect([...codeLengths([0, 5, 0, 5], 7)]).toEqual([0, 1, 0, 1]);
    expect([...codeLengths([0, 9, 0], 7)]).toEqual([0, 1, 0]);
  });
});

describe('crc32', () => {
  it('is gzip’s CRC-32', () => {
    // The check value of CRC-32/ISO-HDLC.
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
