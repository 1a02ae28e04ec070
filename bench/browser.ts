/**
 * `npm run bench:browser`: real nginx, real Chromium, a real app restarted
 * with outages of 2 to 30 s. For each restart, three visitors open a page
 * at different moments of the outage; the return time runs from the moment
 * the app accepts connections again to the app's page having loaded in
 * each visitor's tab. Prints a table; asserts nothing.
 */
import { chromium, type Page } from '@playwright/test';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { CHROMIUM_LAUNCH } from '../test-support/chromium.js';
import { REPO, startNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';

const RESTARTS = Number(process.env.RESTARTS ?? 20);
const VISITORS = 3;
const outages = Array.from({ length: RESTARTS }, (_, i) => Math.round(2000 + (28_000 * i) / Math.max(1, RESTARTS - 1)));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const app = new DemoApp(await freePort());
await app.start();
const nginx = await startNginx({ vhost: join(REPO, 'nginx-snippets/examples/site.conf'), appPort: app.port });
const browser = await chromium.launch(CHROMIUM_LAUNCH);
const samples: { outage: number; returned: number }[] = [];

try {
  for (const [n, outage] of outages.entries()) {
    await app.stop();
    const startedAt = Date.now();
    const tabs: Promise<number>[] = [];
    for (let v = 0; v < VISITORS; v++) {
      // Visitors arrive spread over the outage, the last one 1 s before its end.
      const arriveAt = ((outage - 1000) * v) / VISITORS;
      tabs.push(
        (async () => {
          await sleep(arriveAt);
          const context = await browser.newContext();
          const page: Page = await context.newPage();
          await page.goto(nginx.url(`/bench/${n}/${v}?q=1#here`));
          await page.locator('#app').waitFor({ timeout: 120_000 });
          await page.waitForLoadState('load');
          // When the app's document finished loading, by the browser's own clock
          // (the same clock as this process's Date.now on one machine).
          const loaded = await page.evaluate(() => {
            const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
            return performance.timeOrigin + (navigation?.loadEventEnd ?? performance.now());
          });
          await context.close();
          return loaded;
        })(),
      );
    }
    await sleep(outage - (Date.now() - startedAt));
    await app.start();
    const upAt = Date.now();
    for (const loaded of await Promise.all(tabs)) samples.push({ outage, returned: loaded - upAt });
    console.log(
      `restart ${n + 1}/${outages.length}: outage ${(outage / 1000).toFixed(1)} s, returns ${samples
        .slice(-VISITORS)
        .map((s) => (s.returned / 1000).toFixed(2))
        .join(', ')} s`,
    );
  }
} finally {
  await browser.close();
  await nginx.stop();
  await app.stop();
}

const sorted = samples.map((s) => s.returned).sort((a, b) => a - b);
const pct = (p: number): string =>
  ((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN) / 1000).toFixed(2);
const report = `
## Real browser (npm run bench:browser)

${outages.length} restarts of the app, outages of 2 to 30 s, ${VISITORS} visitors each (${sorted.length} returns),
real nginx and Chromium; time from the app accepting connections to its page loaded in the tab:

| returns | p50 (s) | p95 (s) | max (s) |
| --- | --- | --- | --- |
| ${sorted.length} | ${pct(0.5)} | ${pct(0.95)} | ${pct(1)} |
`;
console.log(report);
if (process.env.APPEND_RESULTS) await appendFile(join(REPO, 'bench/results.md'), report);
