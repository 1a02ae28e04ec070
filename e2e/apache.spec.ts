import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startProxy, type ProxyOptions, type RunningProxy } from '../test-support/proxies.js';
import { DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// Debian's Apache with the example VirtualHost (apache-snippets/examples/
// site.conf) in front of the test app: the staff bypass, maintenance's open
// paths, the shared probe and its turns (backsoon-probe.pl), as the other
// servers' contract asks. e2e/other-servers.spec.ts runs the common part.

const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

let proxy: RunningProxy | undefined;
test.afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

async function start(options: ProxyOptions): Promise<RunningProxy> {
  proxy = await startProxy('apache', options);
  return proxy;
}

/** The example with other options for the probe's program (its RewriteMap line). */
function probeOptions(options: string): (site: string) => string {
  return (site) => {
    const line = /^(\s*RewriteMap backsoon_probe "prg:.*?) rate=40 burst=80"/m;
    if (!line.test(site)) throw new Error('site.conf: no RewriteMap line for the probe with rate=40 burst=80');
    return site.replace(line, `$1 ${options}"`);
  };
}

/** A HEAD or GET from a given loopback address (127.0.0.x), with headers of the test's choosing. */
function ask(
  server: RunningProxy,
  path: string,
  {
    method = 'HEAD',
    from = '127.0.0.1',
    headers = {},
  }: { method?: string; from?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method, localAddress: from, headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** What the app was sent, without the framing headers of the proxy's connection. */
const seen = (requests: { method: string; url: string; headers: Record<string, unknown> }[]) =>
  requests.map(({ method, url, headers }) => ({ method, url, headers }));

test.describe('apache: the staff bypass', () => {
  test('only a token of the staff list sets the cookie; every link goes to the site', async ({ app }) => {
    const server = await start({ appPort: app.port, staffToken: TOKEN });
    const stranger = await fetch(server.url('/__backsoon/bypass?token=0123456789abcdef0123'), { redirect: 'manual' });
    expect([stranger.status, stranger.headers.get('set-cookie')]).toEqual([302, null]);
    expect(new URL(stranger.headers.get('location')!).pathname).toBe('/');

    const staff = await fetch(server.url(`/__backsoon/bypass?token=${TOKEN}`), { redirect: 'manual' });
    expect(staff.status).toBe(302);
    expect(staff.headers.get('set-cookie')).toBe(
      `backsoon_bypass=${TOKEN}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax`,
    );
    expect(staff.headers.get('cache-control')).toBe('no-store');
    // Behind a TLS terminator, the cookie is Secure.
    const tls = await fetch(server.url(`/__backsoon/bypass?token=${TOKEN}`), {
      redirect: 'manual',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure$/);
    // The token matches exactly, case included.
    const upper = await fetch(server.url(`/__backsoon/bypass?token=${TOKEN.toUpperCase()}`), { redirect: 'manual' });
    expect(upper.headers.get('set-cookie')).toBeNull();
    // The link never reaches the app.
    expect(app.requests).toEqual([]);
  });

  test('the app never sees the bypass cookie, whatever separates the cookies', async ({ app }) => {
    const server = await start({ appPort: app.port, staffToken: TOKEN });
    await app.start();
    await server.maintenance(true);
    const sent = [
      `session=1; backsoon_bypass=${TOKEN}; theme=dark`,
      `backsoon_bypass=${TOKEN}; session=1`,
      `session=1,backsoon_bypass=${TOKEN},theme=dark`,
      `session=1, BACKSOON_BYPASS=${TOKEN}`,
      `backsoon_bypass=${TOKEN};backsoon_bypass=${TOKEN}`,
    ];
    for (const cookie of sent) {
      const response = await ask(server, '/admin', { method: 'GET', headers: { cookie } });
      expect(response.status, cookie).toBe(200);
    }
    expect(app.requests.map((r) => r.headers.cookie)).toEqual([
      'session=1; theme=dark',
      'session=1',
      'session=1,theme=dark',
      'session=1',
      undefined,
    ]);
  });

  test('a token deleted from the list stops working at once, without a reload', async ({ app }) => {
    const server = await start({ appPort: app.port, staffToken: TOKEN });
    await app.start();
    await server.maintenance(true);
    const cookie = { cookie: `backsoon_bypass=${TOKEN}` };
    expect((await ask(server, '/admin', { method: 'GET', headers: cookie })).status).toBe(200);
    const list = join(server.prefix, 'backsoon/backsoon-tokens.txt');
    await writeFile(list, (await readFile(list, 'utf8')).replace(`${TOKEN} staff\n`, ''));
    expect((await ask(server, '/admin', { method: 'GET', headers: cookie })).status).toBe(503);
    // And a new one works at once too.
    await appendFile(list, `${TOKEN.replace(/^f/, 'e')} new\n`);
    const fresh = { cookie: `backsoon_bypass=${TOKEN.replace(/^f/, 'e')}` };
    expect((await ask(server, '/admin', { method: 'GET', headers: fresh })).status).toBe(200);
  });
});

test.describe('apache: planned maintenance', () => {
  test('opens ACME’s challenge and nothing else of /.well-known/, to its very end', async ({ app }) => {
    const server = await start({ appPort: app.port });
    await app.start();
    await server.maintenance(true);
    const closed = [
      '/.well-known/acme-challenge/abc%0a',
      '/.well-known/acme-challenge/abc%0A',
      '/.well-known/..;/admin',
      '/.well-known/security.txt',
      '/.well-known/acme-challenge/a/b',
      '/.well-known/acme-challenge/a;b',
    ];
    for (const path of closed) {
      const response = await ask(server, path, { method: 'GET' });
      expect([response.status, response.headers['x-backsoon']], path).toEqual([503, 'maintenance']);
    }
    expect(app.requests).toEqual([]);
    const challenge = await ask(server, '/.well-known/acme-challenge/Ab_9-xY', { method: 'GET' });
    expect(challenge.status).toBe(200);
    expect(app.requests.map((r) => r.url)).toEqual(['/.well-known/acme-challenge/Ab_9-xY']);
    // The switch itself is not served.
    expect((await ask(server, '/__backsoon/maintenance.on', { method: 'GET' })).status).toBe(404);
  });
});

test.describe('apache: the shared probe', () => {
  test('200 waiting visitors asking for 3 s cost the app about one request a second, a bare HEAD', async ({ app }) => {
    const server = await start({ appPort: app.port });
    await app.start();
    const answers: { asked: number; answered: number; key: string }[] = [];
    const startedAt = Date.now();
    const until = startedAt + 3000;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (Date.now() < until) {
          const asked = Date.now();
          const r = await fetch(server.url('/__backsoon/probe'), { method: 'HEAD' });
          const key = `${r.status} ${r.headers.get('x-backsoon-probe') ?? r.headers.get('x-backsoon')} ${r.headers.get('cache-control')}`;
          answers.push({ asked, answered: Date.now(), key });
        }
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const tally: Record<string, number> = {};
    for (const { key } of answers) tally[key] = (tally[key] ?? 0) + 1;
    console.log(
      `apache probe | ${answers.length} questions in ${seconds.toFixed(1)} s, ${app.requests.length} app requests; ${JSON.stringify(tally)}`,
    );
    // Until the first health request has answered: down (the crash answer); from then on, up for everyone.
    const firstUp = Math.min(...answers.filter((a) => a.key === '204 1 no-store').map((a) => a.answered));
    expect(answers.filter((a) => a.asked > firstUp && a.key !== '204 1 no-store')).toEqual([]);
    for (const key of Object.keys(tally)) expect(['204 1 no-store', '503 crash no-store']).toContain(key);
    expect(app.requests.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(seen(app.requests)).toEqual(
      app.requests.map(() => ({
        method: 'HEAD',
        url: '/',
        headers: { host: `127.0.0.1:${app.port}`, connection: 'close' },
      })),
    );
  });

  test('a POST, a query, X-Forwarded-Host, cookies or Authorization sent to the probe never reach the app', async ({
    app,
  }) => {
    const server = await start({ appPort: app.port });
    await app.start();
    const post = await ask(server, '/__backsoon/probe', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(app.requests).toEqual([]);
    const tricks = {
      'x-forwarded-host': 'evil.test',
      cookie: `session=1; backsoon_bypass=${TOKEN}`,
      authorization: 'Basic YWRtaW46YWRtaW4=',
    };
    await expect
      .poll(async () => (await ask(server, '/__backsoon/probe?x=%2Fadmin&admit=0', { headers: tricks })).status)
      .toBe(204);
    const up = await ask(server, '/__backsoon/probe?x=1', { method: 'GET', headers: tricks });
    expect([up.status, up.headers['x-backsoon-probe'], up.headers['cache-control']]).toEqual([204, '1', 'no-store']);
    // Nothing of the app's answer (its Content-Type, its Cache-Control) comes back either.
    expect(up.headers['content-type']).toBeUndefined();
    expect(seen(app.requests).length).toBeGreaterThan(0);
    for (const r of seen(app.requests))
      expect(r).toEqual({ method: 'HEAD', url: '/', headers: { host: `127.0.0.1:${app.port}`, connection: 'close' } });
  });

  test('says "down" with the crash marker when the app refuses or hangs, never a stale "up"', async ({ app }) => {
    const server = await start({ appPort: app.port });
    const refused = await ask(server, '/__backsoon/probe');
    expect([refused.status, refused.headers['x-backsoon'], refused.headers['cache-control']]).toEqual([
      503,
      'crash',
      'no-store',
    ]);
    expect(refused.headers['x-backsoon-probe']).toBeUndefined();
    await app.start();
    await expect.poll(async () => (await ask(server, '/__backsoon/probe')).status).toBe(204);

    // The app hangs: accepts connections, never answers.
    await app.stop();
    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(app.port, '127.0.0.1', resolve));
    try {
      const hungAt = Date.now();
      let lastUp = hungAt;
      // Asked all along for 4 s: "up" only from the last answer, for two seconds at most.
      while (Date.now() - hungAt < 4000) {
        const answer = await ask(server, '/__backsoon/probe');
        if (answer.status === 204) lastUp = Date.now();
        else expect([answer.status, answer.headers['x-backsoon']]).toEqual([503, 'crash']);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(lastUp - hungAt).toBeLessThan(2500);
    } finally {
      hanging.close();
    }
  });

  test('a lone visitor asking every 3 s (past the quick phase) is told "up" each time', async ({ app }) => {
    const server = await start({ appPort: app.port });
    await app.start();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 3000));
      statuses.push((await ask(server, '/__backsoon/probe')).status);
    }
    expect(statuses).toEqual([204, 204, 204]);
    // One health request per question: the app is asked only when someone asks.
    expect(app.requests).toHaveLength(3);
  });

  test('answers with the maintenance marker during maintenance', async ({ app }) => {
    const server = await start({ appPort: app.port });
    await app.start();
    await server.maintenance(true);
    for (const path of ['/__backsoon/probe', '/__backsoon/probe?admit=1']) {
      const answer = await ask(server, path);
      expect([answer.status, answer.headers['x-backsoon']], path).toEqual([503, 'maintenance']);
    }
  });

  test('grants turns at the pace set and tells the rest "busy", at no cost to the app', async ({ app }) => {
    const server = await start({ appPort: app.port, editSite: probeOptions('rate=5 burst=10 per-address=0') });
    await app.start();
    await expect.poll(async () => (await ask(server, '/__backsoon/probe')).status).toBe(204);
    const before = app.requests.length;
    const answers = await Promise.all(Array.from({ length: 40 }, () => ask(server, '/__backsoon/probe?admit=1')));
    const granted = answers.filter((a) => a.status === 204 && a.headers['x-backsoon-probe'] === '1');
    const busy = answers.filter(
      (a) => a.status === 429 && a.headers['x-backsoon'] === 'busy' && a.headers['cache-control'] === 'no-store',
    );
    // The burst, and the rate's turns while the questions came in.
    expect(granted.length).toBeGreaterThanOrEqual(10);
    expect(granted.length).toBeLessThanOrEqual(13);
    expect(granted.length + busy.length).toBe(40);
    // The probe's own health request at most: turns cost the app nothing.
    expect(app.requests.length - before).toBeLessThanOrEqual(1);
  });

  test('a client asking for turns in a loop takes its own share, never everyone’s', async ({ app }) => {
    const server = await start({ appPort: app.port, editSite: probeOptions('rate=5 burst=10') });
    await app.start();
    await expect.poll(async () => (await ask(server, '/__backsoon/probe')).status).toBe(204);
    let granted = 0;
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => ask(server, '/__backsoon/probe?admit=1', { from: '127.0.0.1' })),
      );
      granted += answers.filter((a) => a.status === 204).length;
    }
    // Two a second for one address (four at once): not the site's ten.
    expect(granted).toBeGreaterThanOrEqual(4);
    expect(granted).toBeLessThanOrEqual(9);
    const other = await ask(server, '/__backsoon/probe?admit=1', { from: '127.0.0.2' });
    expect([other.status, other.headers['x-backsoon-probe']]).toEqual([204, '1']);
  });

  test('a waiting page asks the probe, never its own URL, and goes back when the app answers', async ({
    page,
    app,
  }) => {
    const server = await start({ appPort: app.port });
    const response = await page.goto(server.url(DEEP));
    expect(response?.status()).toBe(503);
    await expectBacksoonPage(page);
    await expect(page.locator('backsoon-page')).toContainText('attempt 3');
    await app.start();
    await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
    expect(page.url()).toBe(server.url(DEEP));
    // The app: the probe's health requests, then the page itself, once.
    expect(app.requests.filter((r) => r.url !== '/').map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /deep/path?q=1&x=%20y',
    ]);
    expect(app.requests.filter((r) => r.url === '/').every((r) => r.method === 'HEAD')).toBe(true);
  });

  test('without the probe’s program the probe is a plain 404, and the page asks its own URL', async ({ page, app }) => {
    const server = await start({
      appPort: app.port,
      editSite: (site) => site.replace(/^\s*RewriteMap backsoon_probe .*\n/m, ''),
    });
    const probe = await ask(server, '/__backsoon/probe');
    expect([probe.status, probe.headers['x-backsoon-probe']]).toEqual([404, undefined]);
    await page.goto(server.url('/alone?x=1'));
    await expectBacksoonPage(page);
    await app.start();
    await expect(page.locator('#asked')).toHaveText('/alone?x=1');
  });

  test('the probe’s program stops with Apache', async ({ app }) => {
    const server = await start({ appPort: app.port });
    const running = (): string =>
      spawnSync('pgrep', ['-f', join(server.prefix, 'snippets/backsoon-probe.pl')], { encoding: 'utf8' }).stdout;
    expect(running()).not.toBe('');
    await server.stop();
    proxy = undefined;
    expect(running()).toBe('');
  });
});
