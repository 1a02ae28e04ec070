import { join } from 'node:path';
import type { PageVariant } from '../src/protocol.js';
import { DemoApp } from '../test-support/app.js';
import { FaultyUpstream } from '../test-support/faulty-upstream.js';
import { startNginx, type RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { BROWSER, VHOSTS, expect, expectBacksoonPage, test } from './fixtures.js';

// Every way the app can be away, against one nginx (e2e/vhosts/faults.conf):
// the status nginx gives, and a visitor in Chromium who returns by itself
// once the fault is over. The seconds to return are printed for the report.

let app: DemoApp;
let socketApp: DemoApp;
let faulty: FaultyUpstream;
let nginx: RunningNginx;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  faulty = new FaultyUpstream(await freePort());
  await faulty.listen();
  app = new DemoApp(await freePort());
  nginx = await startNginx({
    vhost: join(VHOSTS, 'faults.conf'),
    appPort: app.port,
    vars: { FAULTY: `127.0.0.1:${faulty.port}` },
  });
  socketApp = new DemoApp(0, join(nginx.prefix, 'app.sock'));
});

test.afterAll(async () => {
  await nginx.stop();
  await app.stop();
  await socketApp.stop();
  await faulty.close();
});

test.afterEach(async () => {
  app.status = 200;
  await app.stop();
  await socketApp.stop();
  faulty.fault = 'hang';
});

async function expectPage(path: string, status: number, variant: PageVariant = 'crash'): Promise<Response> {
  const response = await fetch(nginx.url(path), { headers: BROWSER });
  expect(response.status, path).toBe(status);
  // Each variant's marker is spelled as the variant.
  expect(response.headers.get('x-backsoon'), path).toBe(variant);
  expect(await response.clone().text(), path).toContain(`<backsoon-page kind="${variant}"`);
  return response;
}

interface FaultCase {
  name: string;
  path: string;
  status: number;
  /** The page the server answers with (its marker is spelled the same). */
  variant?: PageVariant;
  /** Puts the fault in place (the app starts stopped, the faulty upstream hanging). */
  arrange?: () => Promise<void>;
  /** Ends the fault. */
  fix: () => Promise<void>;
}

const CASES: FaultCase[] = [
  { name: 'upstream port refused', path: '/matrix?x=1', status: 502, fix: () => app.start() },
  { name: 'upstream unix socket gone', path: '/socket/orders?id=3', status: 502, fix: () => socketApp.start() },
  {
    name: 'upstream read timeout',
    path: '/slow/report?y=2026',
    status: 504,
    fix: async () => void (faulty.fault = 'answer'),
  },
  {
    name: 'upstream closes mid-response',
    path: '/early-close/feed',
    status: 502,
    arrange: async () => void (faulty.fault = 'close-early'),
    fix: async () => void (faulty.fault = 'answer'),
  },
  {
    name: 'the app’s own 503, with the intercept include',
    path: '/intercept/cart',
    status: 503,
    variant: 'maintenance',
    arrange: async () => {
      app.status = 503;
      await app.start();
    },
    fix: async () => void (app.status = 200),
  },
  {
    name: 'a location with its own error_page, with the errors include',
    path: '/own-errors/page',
    status: 502,
    fix: () => app.start(),
  },
];

for (const c of CASES) {
  test(`${c.name} → ${c.status}, and the visitor returns by itself`, async ({ page }) => {
    test.setTimeout(60_000);
    await c.arrange?.();
    await expectPage(c.path, c.status, c.variant);
    const response = await page.goto(nginx.url(c.path));
    expect(response?.status()).toBe(c.status);
    await expectBacksoonPage(page, c.variant);
    const fixedAt = Date.now();
    await c.fix();
    await expect(page.locator('#app')).toBeVisible({ timeout: 45_000 });
    expect(page.url()).toBe(nginx.url(c.path));
    const seconds = ((Date.now() - fixedAt) / 1000).toFixed(2);
    test.info().annotations.push({ type: 'returned after', description: `${seconds} s` });
    console.log(`fault matrix | ${c.name} | ${c.status} | returned in ${seconds} s`);
  });
}

test('uwsgi_pass and fastcgi_pass to a refused port, and uwsgi_pass to a gone socket → 502 with the page', async () => {
  await expectPage('/uwsgi/app', 502);
  await expectPage('/fastcgi/index.php', 502);
  await expectPage('/uwsgi-socket/app', 502);
});

test('the intercept include still passes the app’s other statuses through', async () => {
  await app.start();
  app.status = 502;
  await expectPage('/intercept/x', 502);
  app.status = 500;
  const passed = await fetch(nginx.url('/intercept/x'), { headers: BROWSER });
  expect(passed.status).toBe(500);
  expect(passed.headers.get('x-backsoon')).toBeNull();
});

test('a location with its own error_page and no include shows nginx’s stock 502 (the pitfall the include fixes)', async ({
  page,
}) => {
  const response = await page.goto(nginx.url('/own-errors-bare/x'));
  expect(response?.status()).toBe(502);
  await expect(page.locator('h1')).toHaveText('502 Bad Gateway');
  await expect(page.locator('backsoon-page')).toHaveCount(0);
});
