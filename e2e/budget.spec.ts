import { readFile, stat } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { REPO } from '../test-support/nginx.js';
import { expect, test } from './fixtures.js';

// The built pages' byte budget: deterministic, so a test (speed lives in bench/).
// Every byte here goes out on every error response to every visitor. The
// gzip copy must fit the first round trip: Linux's initial congestion
// window is ten segments, about 14,480 bytes of payload, and the response
// headers come out of it too; 13,500 leaves them about 1 KB. Measured when
// last set: 38,013 B raw, 13,463 B gzip, 12,431 B brotli (index.html), and
// 2,790 B for the largest language (ja). The other budgets are that and
// about 2% more.
const BUDGET = {
  /** dist/index.html and maintenance.html as written. */
  raw: 38_200,
  /** Their .gz copies, what nginx sends to browsers on a 502, 503 or 504. */
  gzip: 13_500,
  /** Their .br copies, for servers with nginx's brotli_static module. */
  brotli: 12_500,
  /** One language's strings, fetched by visitors who need them. */
  locale: 2_900,
};

for (const name of ['index.html', 'maintenance.html']) {
  test(`${name} stays within its byte budget, and its .gz and .br are the page itself`, async () => {
    const dist = join(REPO, 'dist');
    const page = await readFile(join(dist, name));
    const gzip = await readFile(join(dist, `${name}.gz`));
    const brotli = await readFile(join(dist, `${name}.br`));
    console.log(
      `dist/${name}: ${page.length} B raw (budget ${BUDGET.raw}), ${gzip.length} B gzip (budget ${BUDGET.gzip}), ${brotli.length} B brotli (budget ${BUDGET.brotli})`,
    );
    expect(page.length).toBeLessThanOrEqual(BUDGET.raw);
    expect(gzip.length).toBeLessThanOrEqual(BUDGET.gzip);
    expect(brotli.length).toBeLessThanOrEqual(BUDGET.brotli);
    // The copies are the page itself, compressed, not stale ones.
    expect(gunzipSync(gzip).equals(page)).toBe(true);
    expect(brotliDecompressSync(brotli).equals(page)).toBe(true);
  });
}

test('each language’s strings stay within their budget', async () => {
  for (const tag of ['de', 'fr', 'es', 'pt', 'ja', 'zh-Hans']) {
    expect((await stat(join(REPO, 'dist', 'locales', `${tag}.json`))).size, tag).toBeLessThanOrEqual(BUDGET.locale);
  }
});
