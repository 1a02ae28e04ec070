import type { Page } from '@playwright/test';
import { setMaxListeners } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest } from '../test-support/raw-request.js';
import { backsoonVisitor, type VisitorRecord } from '../test-support/simulated-visitors.js';
import { expect, SITE_VHOST, test } from './fixtures.js';

// With many visitors waiting, the checks and the returns must never reach
// the app faster than it can serve them. The pages ask a shared
// probe that nginx answers from a one-second cache, and go back only when
// nginx gives them a turn: the probe's request sent to the app, a few at a
// time, granted when the app answers it (location/backsoon-probe.conf).

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
  const probes = app.requests.filter((r) => r.url === '/healthz');
  const returns = app.requests.filter((r) => r.url !== '/healthz');
  // Each page cost the app its own GET, once; no check ever asked its URL.
  expect(returns.map((r) => `${r.method} ${r.url}`).sort()).toEqual(PATHS.map((p) => `GET ${p.split('#')[0]}`).sort());
  // All pages' checks together: about one probe a second (nginx counts in whole seconds),
  // and one health request more for each page's turn to go back.
  expect(probes.every((r) => r.method === 'HEAD')).toBe(true);
  expect(probes.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2 + PATHS.length);
});

/** A turn, asked as the page asks it. */
const TURN = '/__backsoon/probe?admit=1';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

for (const [name, vhost] of [
  ['its server_name', SITE_VHOST],
  ['no server_name', UNNAMED_VHOST],
] as const) {
  test.describe(`in a server block with ${name}`, () => {
    test.use({ siteOptions: { vhost } });

    test('nginx lets 4 turns at a time reach the app and tells the rest "busy" (ask again in 2 s), at no cost to the app', async ({
      site,
      app,
    }) => {
      // The app answers turns only when the test says: as if its queue were full of pages.
      const queue = gate();
      app.holdWhen = (method) => (method === 'HEAD' ? queue.opened : undefined);
      await app.start();
      // 20 visitors ask at once, each from an address of its own (127.0.1.x is this machine too).
      const answers: Awaited<ReturnType<typeof rawRequest>>[] = [];
      const asking = Array.from({ length: 20 }, (_, i) =>
        rawRequest(site.port, { method: 'HEAD', path: TURN, localAddress: `127.0.1.${i + 1}` }).then((answer) => {
          answers.push(answer);
          return answer;
        }),
      );
      // Four reach the app and wait there; nginx answers the other sixteen at once.
      await expect.poll(() => answers.length).toBe(16);
      expect(app.pending).toBe(4);
      for (const busy of answers) {
        expect(busy.status).toBe(429);
        expect(busy.headers['x-backsoon']).toBe('busy');
        expect(busy.headers['retry-after']).toBe('2');
        expect(busy.headers['cache-control']).toBe('no-store');
      }
      // The app answers the four: those are the turns, each one of its answers, never a cached one.
      queue.open();
      const all = await Promise.all(asking);
      const admitted = all.filter((r) => r.status === 200 && r.headers['x-backsoon-probe'] === '1');
      expect(admitted).toHaveLength(4);
      expect(app.requests.map((r) => `${r.method} ${r.url}`)).toEqual(Array(4).fill('HEAD /healthz'));
      // The window is free again: the next visitor's turn goes straight through.
      app.holdWhen = undefined;
      const next = await rawRequest(site.port, { method: 'HEAD', path: TURN, localAddress: '127.0.1.99' });
      expect(next.status).toBe(200);
      expect(app.requests).toHaveLength(5);
    });
  });
}

test('a turn the app cannot answer is nginx\'s crash answer, not "busy" and never the cached "up"', async ({
  site,
  app,
}) => {
  await app.start();
  const probe = await rawRequest(site.port, { method: 'HEAD', path: '/__backsoon/probe' });
  expect(probe.status).toBe(200);
  await app.stop();
  // Within the second the probe's "up" is cached, a turn asks the app itself: refused.
  const turn = await rawRequest(site.port, { method: 'HEAD', path: TURN, localAddress: '127.0.1.7' });
  expect(turn.status).toBe(502);
  expect(turn.headers['x-backsoon']).toBe('crash');
  expect(turn.headers['cache-control']).toBe('no-store');
});

test.describe('when the turns are all taken', () => {
  test('a visitor turned away says so, waits its turn without bouncing, then goes back', async ({
    page,
    site,
    app,
  }) => {
    test.setTimeout(60_000);
    await openWaiting(page, site.url('/queued?n=1#here'));
    // Other visitors keep the window full: the app takes 2.8 s to answer a
    // turn (under nginx's 3 s read timeout, as behind a queue of pages),
    // and each of them asks again the moment it is answered.
    app.holdWhen = (method) => (method === 'HEAD' ? new Promise<void>((r) => setTimeout(r, 2800)) : undefined);
    await app.start();
    let hogging = true;
    const others = Array.from({ length: 6 }, async (_, i) => {
      while (hogging) {
        const answer = await rawRequest(site.port, { method: 'HEAD', path: TURN, localAddress: `127.0.2.${i + 1}` });
        // Turned away: again shortly (its address may ask twice a second).
        if (answer.status === 429) await new Promise((r) => setTimeout(r, 100));
      }
    });
    await expect.poll(() => app.pending).toBeGreaterThanOrEqual(4);
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
      await Promise.all(others);
    }
    await expect(page.locator('#app')).toBeVisible({ timeout: 20_000 });
    expect(page.url()).toBe(site.url('/queued?n=1#here'));
    // Went back once, and was not counted as a bounce by the loop guard.
    expect(app.requests.filter((r) => r.url.startsWith('/queued'))).toHaveLength(1);
    const record = await page.evaluate(() => sessionStorage.getItem('backsoon:return'));
    expect(record === null || (JSON.parse(record) as { bounces: number }).bounces === 0).toBe(true);
  });
});

test('the app dies again in the middle of the admissions: the pages go back to waiting, without a storm', async ({
  site,
  app,
}) => {
  test.setTimeout(90_000);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // 40 visitors on the page (the page's own controller, each from its own address) while the app is down.
  const n = 40;
  const done = new AbortController();
  setMaxListeners(n + 10, done.signal);
  const asked: { at: number; turn: boolean }[] = [];
  const records: VisitorRecord[] = [];
  const visitors = Array.from({ length: n }, (_, i) => {
    const record: VisitorRecord = { arrivedAt: Date.now(), backAt: undefined, bounces: 0 };
    records.push(record);
    return backsoonVisitor(
      {
        origin: site.url('').replace(/\/$/, ''),
        address: `127.0.5.${i + 1}`,
        signal: done.signal,
        onRequest: (method, path) => {
          if (method === 'HEAD') asked.push({ at: Date.now(), turn: path.includes('admit=') });
        },
      },
      `/item/${i}`,
      record,
    );
  });
  const back = () => records.filter((r) => r.backAt !== undefined).length;
  try {
    await sleep(3000);
    // The app comes back slowly (each turn takes it 250 ms: 4 at a time, about 16 a second)…
    app.holdWhen = (method) => (method === 'HEAD' ? sleep(250).then(() => undefined) : undefined);
    await app.start();
    await expect.poll(back, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    // …and dies again in the middle of the admissions.
    await app.stop();
    const diedAt = Date.now();
    const backBefore = back();
    expect(backBefore).toBeLessThan(n);
    await sleep(8000);
    // Back to waiting: once each page has met the crash answer (a few seconds), nobody asks for a turn.
    const late = asked.filter((a) => a.at > diedAt + 4000);
    expect(late.filter((a) => a.turn)).toEqual([]);
    // No storm: the pages wait on the shared probe, at most one check a second each.
    expect(late.length).toBeLessThanOrEqual((n - backBefore) * 4);
    expect(back()).toBe(backBefore);

    // The app comes back for good: everyone returns, each page once more, at one probe a second and a turn each.
    app.holdWhen = undefined;
    const from = app.requests.length;
    const restartedAt = Date.now();
    await app.start();
    await expect.poll(back, { timeout: 30_000 }).toBe(n);
    const seconds = (Date.now() - restartedAt) / 1000;
    const after = app.requests.slice(from);
    const pages = after.filter((r) => r.method === 'GET').map((r) => r.url);
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages.length).toBe(n - backBefore);
    const heads = after.filter((r) => r.method === 'HEAD').length;
    expect(heads).toBeLessThanOrEqual(n - backBefore + Math.ceil(seconds) + 2);
  } finally {
    done.abort();
    await Promise.all(visitors);
  }
});
