import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NJS_MODULE, startNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { rawRequest } from '../test-support/raw-request.js';
import { BROWSER, VHOSTS, expect, expectBacksoonPage, test } from './fixtures.js';

// The hold (njs, Debian's libnginx-mod-http-js): nginx with the hold's
// three includes (e2e/vhosts/hold.conf: the defaults on /, a 1 s hold on
// /short/), the real page, a real app, Chromium.

const HOLD_VHOST = join(VHOSTS, 'hold.conf');

test.use({ siteOptions: { vhost: HOLD_VHOST, modules: [NJS_MODULE] } });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test.describe('the hold', () => {
  test('a GET that arrives during a 2 s restart gets the app’s page, and the error page is never shown', async ({
    page,
    site,
    app,
  }) => {
    const errors: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 500 || response.headers()['x-backsoon'])
        errors.push(`${response.status()} ${response.url()}`);
    });
    // The app is down (restarting); it is back 2 s after the visitor clicks.
    const startedAt = Date.now();
    const restart = sleep(2000).then(() => app.start());
    const response = await page.goto(site.url('/deep/path?q=1&x=%20y#section'));
    await restart;

    expect(response?.status()).toBe(200);
    await expect(page.locator('#app')).toHaveAttribute('data-status', '200');
    await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
    expect(page.url()).toBe(site.url('/deep/path?q=1&x=%20y#section'));
    expect(errors).toEqual([]);
    // It waited for the app, and the app got the request once.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
    expect(app.requests.map(({ method, url }) => ({ method, url }))).toEqual([
      { method: 'GET', url: '/deep/path?q=1&x=%20y' },
    ]);
  });

  test('holds a location reached through try_files and a named location', async ({ site, app }) => {
    const comingBack = sleep(1000).then(() => app.start());
    const response = await fetch(site.url('/static-first/page?x=1'), { headers: BROWSER });
    await comingBack;
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<code id="asked">/static-first/page?x=1</code>');
    expect(app.requests.map(({ method, url }) => ({ method, url }))).toEqual([
      { method: 'GET', url: '/static-first/page?x=1' },
    ]);
  });

  test('a POST that reached the app is not sent again', async ({ page, site, app }) => {
    await app.start();
    await page.goto(site.url('/form'));
    await expect(page.locator('#app form')).toBeVisible();
    // The app's worker dies with the form in hand: the connection closes unanswered.
    app.dropWhen = (method) => method === 'POST';

    const [response] = await Promise.all([
      page.waitForResponse(site.url('/submit?from=form')),
      page.getByRole('button', { name: 'Send' }).click(),
    ]);
    expect(response.status()).toBe(502);
    expect(response.headers()['x-backsoon']).toBe('crash');
    await expect(page.locator('backsoon-page')).toContainText('Your form may have been received');
    // The request is over (nginx logs it at its end) without a single try:
    // one POST, the one that reached the app.
    await expect
      .poll(async () => readFile(join(site.prefix, 'hold.log'), 'utf8'))
      .toMatch(/ \/submit\?from=form 502 tries=$/m);
    expect(app.requests.filter((r) => r.method === 'POST').map(({ method, url }) => ({ method, url }))).toEqual([
      { method: 'POST', url: '/submit?from=form' },
    ]);
  });

  test('a GET that reached the app is not sent again either', async ({ site, app }) => {
    await app.start();
    app.dropWhen = (method, url) => method === 'GET' && url === '/dies';
    const startedAt = Date.now();
    const response = await fetch(site.url('/dies'), { headers: BROWSER });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-backsoon')).toBe('crash');
    // Given up at once, not held.
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(app.requests.map(({ method, url }) => ({ method, url }))).toEqual([{ method: 'GET', url: '/dies' }]);
  });

  test('a refused POST is not held: the page says at once that it was not sent', async ({ site, app }) => {
    const startedAt = Date.now();
    const comingBack = sleep(300).then(() => app.start());
    const response = await fetch(site.url('/submit'), {
      method: 'POST',
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'message=hello',
    });
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('request-method="POST"');
    expect(Date.now() - startedAt).toBeLessThan(300);
    await comingBack;
    expect(app.requests.map(({ method, url }) => ({ method, url }))).toEqual([]);
  });

  test('gives up into backsoon’s page after its limit, and the page brings the visitor back', async ({
    page,
    site,
    app,
  }) => {
    const startedAt = Date.now();
    const response = await page.goto(site.url('/short/path?q=1'));
    const waited = Date.now() - startedAt;
    expect(response?.status()).toBe(502);
    expect(response?.headers()['x-backsoon']).toBe('crash');
    await expectBacksoonPage(page);
    // Held for the location's 1 s, not the default 5 s.
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(4000);
    const log = await readFile(join(site.prefix, 'hold.log'), 'utf8');
    expect(log).toMatch(/^GET \/short\/path\?q=1 502 tries=2$/m);

    await app.start();
    await expect(page.locator('#asked')).toHaveText('/short/path?q=1');
  });

  test('a held request writes one line to the error log, however many times it was tried', async ({ site }) => {
    const before = (await site.errorLog()).split('\n').length;
    const response = await fetch(site.url('/short/logged'), { headers: BROWSER });
    expect(response.status).toBe(502);
    await response.arrayBuffer();
    const added = (await site.errorLog()).split('\n').slice(before - 1);
    const log = await readFile(join(site.prefix, 'hold.log'), 'utf8');
    expect(log).toMatch(/^GET \/short\/logged 502 tries=2$/m);
    expect(added.filter((line) => /\[(error|crit|alert|emerg)\]/.test(line))).toHaveLength(1);
  });

  test('one client holds at most 20 requests at once; the others get the page at once', async ({ site, app }) => {
    const comingBack = sleep(1500).then(() => app.start());
    const startedAt = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        rawRequest(site.port, { path: `/many/${i}`, headers: BROWSER }).then((a) => ({
          status: a.status,
          ms: Date.now() - startedAt,
        })),
      ),
    );
    await comingBack;
    const held = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 502);
    expect([held.length, refused.length]).toEqual([20, 10]);
    for (const a of refused) expect(a.ms).toBeLessThan(1000);
    // Another client is held all the same.
    await app.stop();
    const other = sleep(500).then(() => app.start());
    expect((await rawRequest(site.port, { path: '/other', localAddress: '127.0.0.5', headers: BROWSER })).status).toBe(
      200,
    );
    await other;
  });

  test('a request with headers over 8 KB is not held: the page at once', async ({ site, app }) => {
    const comingBack = sleep(1500).then(() => app.start());
    const startedAt = Date.now();
    const answer = await rawRequest(site.port, {
      path: '/big-headers',
      // Over 8 KB in all, each line under nginx's 8 KB for one header.
      headers: { ...BROWSER, cookie: `big=${'x'.repeat(4000)}`, 'x-one': 'y'.repeat(3000), 'x-two': 'z'.repeat(3000) },
    });
    const waited = Date.now() - startedAt;
    await comingBack;
    expect([answer.status, answer.headers['x-backsoon']]).toEqual([502, 'crash']);
    expect(waited).toBeLessThan(1000);
    // The same request with small headers is held until the app answers.
    await app.stop();
    const again = sleep(500).then(() => app.start());
    expect(
      (await rawRequest(site.port, { path: '/small-cookie', headers: { ...BROWSER, cookie: 'a=1' } })).status,
    ).toBe(200);
    await again;
  });

  test('a held HEAD gets the app’s headers', async ({ site, app }) => {
    const comingBack = sleep(600).then(() => app.start());
    const response = await fetch(site.url('/head'), { method: 'HEAD', headers: BROWSER });
    await comingBack;
    expect(response.status).toBe(200);
    expect(response.headers.get('x-backsoon')).toBeNull();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(app.requests.map(({ method, url }) => ({ method, url }))).toEqual([{ method: 'HEAD', url: '/head' }]);
  });
});

test.describe('a held answer', () => {
  let upstream: Server;
  let port: number;

  test.beforeEach(async () => {
    port = await freePort();
    upstream = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: '/elsewhere?x=1' });
        res.end('moved');
      } else if (req.url === '/binary') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(Buffer.from([0, 1, 2, 0xff, 0xfe, 0xc3, 0x28]));
      } else if (req.url === '/not-found') {
        res.writeHead(404, {
          'Content-Type': 'text/plain',
          'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'],
          'X-App': 'yes',
        });
        res.end('the app’s own 404');
      } else {
        // Chunked: no Content-Length.
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.write('part one, ');
        res.end('part two: é');
      }
    });
  });

  test.afterEach(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  test('is the answer the app gives when it is up: status, headers, bytes', async () => {
    const nginx = await startNginx({ vhost: HOLD_VHOST, appPort: port, modules: [NJS_MODULE] });
    const listen = (): Promise<void> => new Promise((resolve) => upstream.listen(port, '127.0.0.1', resolve));
    const close = (): Promise<void> => {
      upstream.closeAllConnections();
      return new Promise((resolve) => upstream.close(() => resolve()));
    };
    const answer = async (response: Response): Promise<unknown> => {
      // All but the framing: a held answer always has a Content-Length.
      const framing = ['date', 'connection', 'content-length', 'transfer-encoding'];
      const headers = Object.fromEntries([...response.headers].filter(([name]) => !framing.includes(name)));
      return {
        status: response.status,
        headers,
        cookies: response.headers.getSetCookie(),
        body: [...new Uint8Array(await response.arrayBuffer())],
      };
    };
    try {
      for (const path of ['/redirect', '/binary', '/not-found', '/chunked']) {
        await listen();
        const direct = await answer(await fetch(nginx.url(path), { redirect: 'manual' }));
        await close();
        // Down when the request arrives, back 400 ms later.
        const comingBack = sleep(400).then(listen);
        const held = await answer(await fetch(nginx.url(path), { redirect: 'manual' }));
        await comingBack;
        await close();
        expect({ path, ...(held as object) }).toEqual({ path, ...(direct as object) });
      }
      const log = await readFile(join(nginx.prefix, 'hold.log'), 'utf8');
      expect(log.split('\n').filter((line) => / tries=[1-9]/.test(line))).toHaveLength(4);
    } finally {
      await nginx.stop();
    }
  });
});
