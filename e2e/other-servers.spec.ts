import { startProxy, type ProxyKind, type RunningProxy } from '../test-support/proxies.js';
import { BROWSER, DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// Caddy, HAProxy and Apache from Debian, each set up from the example its
// snippet folder ships, in front of the same app as nginx in the other specs.

/** The status each server gives when the app refuses connections, kept by the page. */
const OUTAGE_STATUS: Record<ProxyKind, number> = { caddy: 502, haproxy: 503, apache: 503 };

async function get(
  proxy: RunningProxy,
  path: string,
  accept: string,
  method = 'GET',
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(proxy.url(path), {
    method,
    headers: { accept, 'accept-encoding': 'identity' },
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

for (const kind of ['caddy', 'haproxy', 'apache'] as const) {
  test.describe(kind, () => {
    let proxy: RunningProxy | undefined;
    test.afterEach(async () => {
      await proxy?.stop();
      proxy = undefined;
    });

    test(`a visitor gets the page with ${OUTAGE_STATUS[kind]} and is back on the exact URL when the app answers`, async ({
      page,
      app,
    }) => {
      proxy = await startProxy(kind, { appPort: app.port });
      const response = await page.goto(proxy.url(DEEP));
      expect(response?.status()).toBe(OUTAGE_STATUS[kind]);
      expect(response?.headers()['x-backsoon']).toBe('crash');
      await expectBacksoonPage(page);

      await app.start();
      await expect(page.locator('#app')).toBeVisible();
      expect(page.url()).toBe(proxy.url(DEEP));
      await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
    });

    test('keeps the contract: marker, no-store, JSON and text for other clients, planned maintenance and the staff link, the app’s own errors untouched', async ({
      app,
    }) => {
      const token = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
      proxy = await startProxy(kind, { appPort: app.port, staffToken: token });
      const status = OUTAGE_STATUS[kind];

      const html = await get(proxy, '/x', BROWSER.accept);
      expect(html.status).toBe(status);
      expect(html.headers.get('x-backsoon')).toBe('crash');
      expect(html.headers.get('cache-control')).toBe('no-store');
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.body).toContain('<backsoon-page kind="crash"');

      // The build's .gz copy for browsers that take gzip (servers do not compress error responses themselves).
      const gzipped = await fetch(proxy.url('/x'), { headers: { accept: BROWSER.accept, 'accept-encoding': 'gzip' } });
      expect(gzipped.headers.get('content-encoding')).toBe(kind === 'haproxy' ? null : 'gzip');
      await gzipped.arrayBuffer();

      const head = await get(proxy, '/x', '*/*', 'HEAD');
      expect([head.status, head.headers.get('x-backsoon'), head.body]).toEqual([status, 'crash', '']);

      // HAProxy answers other clients with their own body once its health check found the app down.
      await expect
        .poll(async () => (await get(proxy!, '/api', 'application/json')).headers.get('content-type'))
        .toMatch(/^application\/json/);
      const json = await get(proxy, '/api', 'application/json');
      expect([json.status, json.headers.get('x-backsoon'), json.headers.get('cache-control')]).toEqual([
        status,
        'crash',
        'no-store',
      ]);
      expect(JSON.parse(json.body)).toMatchObject({ error: 'unavailable' });
      const asset = await get(proxy, '/logo.png', 'image/avif,image/webp,*/*');
      expect([asset.status, asset.headers.get('x-backsoon')]).toEqual([status, 'crash']);
      expect(asset.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(asset.body).not.toContain('<');

      await app.start();
      app.status = 503;
      await expect.poll(async () => (await get(proxy!, '/x', BROWSER.accept)).body).toContain('The app’s own 503 page');
      const own = await get(proxy, '/x', BROWSER.accept);
      expect([own.status, own.headers.get('x-backsoon'), own.headers.get('retry-after')]).toEqual([503, null, '120']);
      app.status = 200;

      await proxy.maintenance(true);
      const planned = await get(proxy, '/x', BROWSER.accept);
      expect([
        planned.status,
        planned.headers.get('x-backsoon'),
        planned.headers.get('retry-after'),
        planned.headers.get('cache-control'),
      ]).toEqual([503, 'maintenance', '30', 'no-store']);
      expect(planned.body).toContain('<backsoon-page kind="maintenance"');
      const plannedJson = await get(proxy, '/api', 'application/json');
      expect([
        plannedJson.status,
        plannedJson.headers.get('x-backsoon'),
        plannedJson.headers.get('content-type')?.split(';')[0],
      ]).toEqual([503, 'maintenance', 'application/json']);
      // The page's own files stay reachable.
      expect((await get(proxy, '/__backsoon/brand.css', 'text/css')).status).toBe(200);
      // Staff: the secret link sets the cookie, which reaches the app.
      const link = await fetch(proxy.url(`/__backsoon/bypass?token=${token}`), { redirect: 'manual' });
      expect(link.status).toBe(302);
      expect(new URL(link.headers.get('location')!, proxy.url()).pathname).toBe('/');
      expect(link.headers.get('set-cookie')).toMatch(
        new RegExp(`^backsoon_bypass=${token}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax$`),
      );
      const staff = await fetch(proxy.url('/x'), {
        headers: { accept: BROWSER.accept, cookie: `backsoon_bypass=${token}` },
      });
      expect([staff.status, staff.headers.get('x-backsoon')]).toEqual([200, null]);
      const stranger = await fetch(proxy.url('/x'), {
        headers: { accept: BROWSER.accept, cookie: 'backsoon_bypass=0000000000000000' },
      });
      expect(stranger.status).toBe(503);

      await proxy.maintenance(false);
      const back = await get(proxy, '/x', BROWSER.accept);
      expect([back.status, back.headers.get('x-backsoon')]).toEqual([200, null]);
    });

    test('a missing page falls back to the server’s own error, never a 404 or a loop', async ({ app }) => {
      if (kind === 'haproxy') {
        // HAProxy reads the page when it starts: a missing page is refused then, not served broken.
        await expect(startProxy(kind, { appPort: app.port, withoutPage: true })).rejects.toThrow(
          /maintenance\.html|index\.html/,
        );
        return;
      }
      proxy = await startProxy(kind, { appPort: app.port, withoutPage: true });
      const response = await get(proxy, '/x', BROWSER.accept);
      expect(response.status).toBe(OUTAGE_STATUS[kind]);
      expect(response.body).not.toContain('<backsoon-page');
    });
  });
}
