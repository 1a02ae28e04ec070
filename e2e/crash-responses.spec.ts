import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startNginx, type RunningNginx } from '../scripts/lib/nginx.js';
import { freePort } from '../scripts/lib/ports.js';
import { BROWSER, VHOSTS, expect, test } from './fixtures.js';

// What nginx sends, as seen by an HTTP client: status, marker, caching.

test('with the app stopped, a request gets the page with a 502, the marker and no-store', async ({ site }) => {
  const response = await fetch(site.url('/deep/path?q=1'), { headers: BROWSER });
  expect(response.status).toBe(502);
  expect(response.headers.get('x-backsoon')).toBe('crash');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await response.text()).toContain('<backsoon-page');
});

test('a HEAD check and a form POST get the same 502 with the marker', async ({ site }) => {
  const head = await fetch(site.url('/x'), { method: 'HEAD' });
  expect(head.status).toBe(502);
  expect(head.headers.get('x-backsoon')).toBe('crash');
  const post = await fetch(site.url('/form'), {
    method: 'POST',
    body: 'a=1',
    headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(post.status).toBe(502);
  expect(await post.text()).toContain('<backsoon-page');
});

test('a client that accepts gzip gets the precompressed page, still a 502', async ({ site }) => {
  const raw = await fetch(site.url('/'), { headers: { ...BROWSER, 'accept-encoding': 'identity' } });
  const gzipped = await fetch(site.url('/'), { headers: { ...BROWSER, 'accept-encoding': 'gzip' } });
  expect(gzipped.status).toBe(502);
  expect(gzipped.headers.get('content-encoding')).toBe('gzip');
  expect(Number(gzipped.headers.get('content-length'))).toBeLessThan(Number(raw.headers.get('content-length')) / 2);
  expect(await gzipped.text()).toBe(await raw.text());
});

test('with the app up, the app answers and nothing of backsoon is added', async ({ site, app }) => {
  await app.start();
  const response = await fetch(site.url('/deep/path?q=1'));
  expect(response.status).toBe(200);
  expect(response.headers.get('x-backsoon')).toBeNull();
  expect(await response.text()).toContain('You asked for <code id="asked">/deep/path?q=1</code>');
});

for (const status of [500, 502, 503, 504]) {
  test(`the app’s own ${status} passes through untouched`, async ({ site, app }) => {
    await app.start();
    app.status = status;
    const response = await fetch(site.url('/'));
    expect(response.status).toBe(status);
    expect(response.headers.get('x-backsoon')).toBeNull();
    expect(response.headers.get('retry-after')).toBe(status === 503 ? '120' : null);
    expect(await response.text()).toContain(`The app’s own ${status} page`);
  });
}

test('the kit’s files are served as files, without the marker, and the error location is internal', async ({ site }) => {
  const page = await fetch(site.url('/__backsoon/index.html'));
  expect(page.status).toBe(200);
  expect(page.headers.get('x-backsoon')).toBeNull();
  expect((await fetch(site.url('/__backsoon/_crash'))).status).toBe(404);
});

test.describe('the page file is missing', () => {
  test.use({ siteOptions: { page: () => null } });

  test('nginx falls back to its stock 502, not a 404, a 500 or a loop', async ({ site }) => {
    const response = await fetch(site.url('/deep/path'), { headers: BROWSER });
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(body).toContain('<h1>502 Bad Gateway</h1>');
    expect(body).not.toContain('backsoon-page');
  });
});

test.describe('every way of passing to an app', () => {
  let hang: Server;
  let nginx: RunningNginx;

  test.beforeAll(async () => {
    const hangPort = await freePort();
    hang = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => hang.listen(hangPort, '127.0.0.1', resolve));
    nginx = await startNginx({ vhost: join(VHOSTS, 'upstreams.conf'), appPort: await freePort(), vars: { HANG: `127.0.0.1:${hangPort}` } });
  });

  test.afterAll(async () => {
    await nginx.stop();
    hang.close();
  });

  for (const [path, status] of [
    ['/', 502],
    ['/uwsgi/app', 502],
    ['/fastcgi/index.php', 502],
    ['/slow/report', 504],
  ] as const) {
    test(`${path} answers ${status} with the page`, async () => {
      const response = await fetch(nginx.url(path), { headers: BROWSER });
      expect(response.status).toBe(status);
      expect(response.headers.get('x-backsoon')).toBe('crash');
      expect(await response.text()).toContain('<backsoon-page');
    });
  }
});
