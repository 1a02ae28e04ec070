import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { REPO } from '../test-support/nginx.js';
import { expect, test } from './fixtures.js';

// The built page's byte budget: deterministic, so a test (speed lives in bench/).
// Every byte here goes out on every error response to every visitor. The
// budget is today's size and 2% more; the goal (10 KB on the wire) is not
// met: see the README's "How fast". Last raised for the "may have been
// received" form notice, the states' own headings and texts, and clock
// times in the visitor's convention: 39,263 B raw, 13,953 B gzip, 2,680 B
// for the largest language (ja).
const BUDGET = {
  /** dist/index.html as written. */
  raw: 41_300,
  /** dist/index.html.gz, what nginx sends to browsers on a 502. */
  gzip: 14_700,
  /** One language's strings, fetched by visitors who need them. */
  locale: 2_900,
};

test('the built page stays within its byte budget', async () => {
  const dist = join(REPO, 'dist');
  const raw = (await stat(join(dist, 'index.html'))).size;
  const gzip = (await stat(join(dist, 'index.html.gz'))).size;
  console.log(`dist/index.html: ${raw} B raw (budget ${BUDGET.raw}), ${gzip} B gzip (budget ${BUDGET.gzip})`);
  expect(raw).toBeLessThanOrEqual(BUDGET.raw);
  expect(gzip).toBeLessThanOrEqual(BUDGET.gzip);
  // The .gz is the page itself, compressed, not a stale copy.
  expect(gzipSync(await readFile(join(dist, 'index.html')), { level: 9 }).length).toBe(gzip);
  for (const tag of ['de', 'fr', 'es', 'pt', 'ja', 'zh-Hans']) {
    expect((await stat(join(dist, 'locales', `${tag}.json`))).size, tag).toBeLessThanOrEqual(BUDGET.locale);
  }
});
