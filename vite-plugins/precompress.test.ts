import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/nginx.js';
import { brotli, zopfliGzip } from './precompress.js';

/** Text like the pages': the kit's own sources, 40 KB of them. */
const TEXT = Buffer.concat(
  ['src/page/backsoon-page.ts', 'src/page/backsoon-page.css', 'src/poll/poller.ts', 'README.md'].map((file) =>
    readFileSync(join(REPO, file)),
  ),
).subarray(0, 40_000);

describe('the precompressed copies', () => {
  it.each([
    ['nothing', new Uint8Array(0)],
    ['one byte', Uint8Array.of(65)],
    ['text', TEXT],
  ])('give back %s when inflated', async (_name, input) => {
    expect(gunzipSync(await zopfliGzip(input)).equals(input)).toBe(true);
    expect(brotliDecompressSync(brotli(input)).equals(input)).toBe(true);
  });

  it('are the same bytes for the same page, with no time or name in the gzip header', async () => {
    const gzip = await zopfliGzip(TEXT);
    expect((await zopfliGzip(TEXT)).equals(gzip)).toBe(true);
    expect(brotli(TEXT).equals(brotli(TEXT))).toBe(true);
    // ID1 ID2 CM=deflate FLG=none MTIME=0 (RFC 1952, 2.3).
    expect([...gzip.subarray(0, 8)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
  });

  it('are smaller than zlib at its best level', async () => {
    const zlib = gzipSync(TEXT, { level: 9 }).length;
    const zopfli = (await zopfliGzip(TEXT)).length;
    console.log(`40 KB of the kit's text: zlib -9 ${zlib} B, Zopfli ${zopfli} B, brotli ${brotli(TEXT).length} B`);
    expect(zopfli).toBeLessThan(zlib * 0.98);
    expect(brotli(TEXT).length).toBeLessThan(zopfli);
  });
});
