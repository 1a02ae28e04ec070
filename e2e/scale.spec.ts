import type { Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest } from '../test-support/raw-request.js';
import { expect, SITE_VHOST, test } from './fixtures.js';

// With many visitors waiting, the checks and the returns must never reach
// the app faster than it can serve them. The pages ask a shared
// probe that nginx answers from a one-second cache, and go back only when
// nginx gives them a turn (location/backsoon-probe.conf).

// The example site without its server_name line (Debian's default site has
// `server_name _;`): turns must be counted there too.
const UNNAMED_VHOST = join(tmpdir(), `backsoon-unnamed-${process.pid}.conf`);
writeFileSync(UNNAMED_VHOST, readFileSync(SITE_VHOST, 'utf8').replace(/^\s*server_name [^;]*;\n/m, ''));

const PATHS = ['/one?a=1', '/two#part', '/three/x?y=%20z'];

async function openWaiting(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status()).toBe(502);
  await expect(page.locator('backsoon-page')).toContainText(/attempt \d+/);
}

test('waiting pages ask the shared probe, never their own URLs, and each goes back to its exact URL', async ({
  context,
  site,
  app,
}) => {
  const pages = await Promise.all(PATHS.map(() => context.newPage()));
  await Promise.all(pages.map((p, i) => openWaiting(p, site.url(PATHS[i]))));
  // A few seconds of waiting: several checks per page.
  await expect(pages[0]!.locator('backsoon-page')).toContainText('attempt 3');

  const startedAt = Date.now();
  await app.start();
  for (const [i, p] of pages.entries()) {
    await expect(p.locator('#app')).toBeVisible();
    expect(p.url()).toBe(site.url(PATHS[i]));
  }
  const seconds = (Date.now() - startedAt) / 1000;
  const probes = app.requests.filter((r) => r.url === '/');
  const returns = app.requests.filter((r) => r.url !== '/');
  // Each page cost the app its own GET, once; no check ever asked its URL.
  expect(returns.map((r) => `${r.method} ${r.url}`).sort()).toEqual(PATHS.map((p) => `GET ${p.split('#')[0]}`).sort());
  // All pages' checks together: about one probe a second (nginx counts in whole seconds).
  expect(probes.every((r) => r.method === 'HEAD')).toBe(true);
  expect(probes.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
});

for (const [name, vhost] of [
  ['its server_name', SITE_VHOST],
  ['no server_name', UNNAMED_VHOST],
] as const) {
  test.describe(`in a server block with ${name}`, () => {
    test.use({ siteOptions: { vhost } });

    test('nginx grants turns at its rate and tells the rest "busy", at no cost to the app', async ({ site, app }) => {
      await app.start();
      // 150 visitors, each from an address of its own (127.0.1.x is this machine too).
      const answers = await Promise.all(
        Array.from({ length: 150 }, (_, i) =>
          rawRequest(site.port, {
            method: 'HEAD',
            path: '/__backsoon/probe?admit=1',
            localAddress: `127.0.1.${i + 1}`,
          }),
        ),
      );
      const admitted = answers.filter((r) => r.status === 200 && r.headers['x-backsoon-probe'] === '1');
      const busy = answers.filter((r) => r.status === 429 && r.headers['x-backsoon'] === 'busy');
      // The burst (80) and the rate's first tokens; the other 60 or so are busy.
      expect(admitted.length).toBeGreaterThanOrEqual(81);
      expect(admitted.length).toBeLessThanOrEqual(90);
      expect(admitted.length + busy.length).toBe(150);
      for (const r of busy) expect(r.headers['cache-control']).toBe('no-store');
      // 150 questions, one probe request at most reached the app.
      expect(app.requests.length).toBeLessThanOrEqual(1);
    });
  });
}

test.describe('when the turns are all taken', () => {
  // One turn every ten seconds, no burst to speak of: a client asking in a loop takes each one.
  test.use({ siteOptions: { admitRate: '6r/m', admitBurst: 1 } });

  test('a visitor turned away says so, waits its turn without bouncing, then goes back', async ({
    page,
    site,
    app,
  }) => {
    test.setTimeout(60_000);
    await openWaiting(page, site.url('/queued?n=1#here'));
    await app.start();
    // Others take every turn: clients asking for turns in a loop, from addresses of their own.
    let hogging = true;
    const hog = (async () => {
      while (hogging) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            rawRequest(site.port, {
              method: 'HEAD',
              path: '/__backsoon/probe?admit=1',
              localAddress: `127.0.2.${i + 1}`,
            }).catch(() => undefined),
          ),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const status = page.locator('backsoon-page');
    try {
      await expect(status).toContainText('letting visitors in a few at a time', { timeout: 15_000 });
      // Count the checks from here (the element's bubbling backsoon-attempt events).
      await page.evaluate(() => {
        const w = window as unknown as { checks: number };
        w.checks = 0;
        document.addEventListener('backsoon-attempt', () => (w.checks += 1));
      });
      // Turned away again and again: still here, no navigation, the app never asked for the URL.
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { checks: number }).checks), { timeout: 15_000 })
        .toBeGreaterThanOrEqual(2);
      await expect(status).toContainText('letting visitors in a few at a time');
      expect(app.requests.filter((r) => r.url.startsWith('/queued'))).toEqual([]);
    } finally {
      hogging = false;
      await hog;
    }
    await expect(page.locator('#app')).toBeVisible({ timeout: 20_000 });
    expect(page.url()).toBe(site.url('/queued?n=1#here'));
    // Went back once, and was not counted as a bounce by the loop guard.
    expect(app.requests.filter((r) => r.url.startsWith('/queued'))).toHaveLength(1);
    const record = await page.evaluate(() => sessionStorage.getItem('backsoon:return'));
    expect(record === null || (JSON.parse(record) as { bounces: number }).bounces === 0).toBe(true);
  });
});
