import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultyUpstream } from '../test-support/faulty-upstream.js';
import { DIST, REPO } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { startProxy, type RunningProxy } from '../test-support/proxies.js';
import { DemoApp } from '../test-support/app.js';
import { PATHS } from '../src/protocol.js';
import { readmeBlock } from './debian-sandbox.js';
import { HaproxySandbox } from './haproxy-sandbox.js';
import { BROWSER, DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// HAProxy beyond the contract every server keeps (e2e/other-servers.spec.ts):
// the shared probe answered from the health check, turns paced by stick
// tables, the hold, what stays open during maintenance, the staff link and
// cookie, and haproxy-snippets/README.md's steps on Debian's own
// haproxy.cfg. The example (haproxy-snippets/haproxy.cfg) runs as it is.

const README = join(REPO, 'haproxy-snippets/README.md');
const EXAMPLE = join(REPO, 'haproxy-snippets/haproxy.cfg');
const SPEC = 'e2e/haproxy.spec.ts';
const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

/**
 * One request with the path sent as written (fetch would resolve `..`) and
 * from the loopback address given (HAProxy counts turns and holds per
 * client address; all of 127.0.0.0/8 reaches 127.0.0.1).
 */
function send(
  proxy: RunningProxy,
  path: string,
  options: { method?: string; headers?: Record<string, string>; from?: string; body?: string } = {},
): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: proxy.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, ms: Date.now() - started }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const probe = (proxy: RunningProxy, from?: string): Promise<Answer> =>
  send(proxy, PATHS.probe, { method: 'HEAD', ...(from ? { from } : {}) });
const turn = (proxy: RunningProxy, from?: string): Promise<Answer> =>
  send(proxy, PATHS.admit, { method: 'HEAD', ...(from ? { from } : {}) });

/** What the probe says now: up, down, or something else (shown as is). */
async function probeSays(proxy: RunningProxy): Promise<string> {
  const answer = await probe(proxy);
  if (answer.status === 200 && answer.headers['x-backsoon-probe'] === '1') return 'up';
  if (answer.status === 503 && answer.headers['x-backsoon'] === 'crash') return 'down';
  return `${answer.status} ${String(answer.headers['x-backsoon'] ?? '')}`;
}

/** The requests the app got other than HAProxy's health check (HEAD / with a Host). */
function visitorRequests(app: DemoApp): string[] {
  return app.requests.filter((r) => !(r.method === 'HEAD' && r.url === '/')).map((r) => `${r.method} ${r.url}`);
}

/** The health check sends a Host and nothing else of anyone's. */
function expectHealthChecksOnly(app: DemoApp): void {
  expect(visitorRequests(app)).toEqual([]);
  for (const { headers } of app.requests) {
    expect(headers.host).toBe('example.com');
    expect(Object.keys(headers).filter((name) => name !== 'host' && name !== 'connection')).toEqual([]);
  }
}

let proxy: RunningProxy | undefined;
test.afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

test.describe('the shared probe', () => {
  test('200 visitors asking it for 3 s cost the app one health request a second, and the page fits the buffer', async ({
    app,
  }) => {
    await app.start();
    proxy = await startProxy('haproxy', { appPort: app.port });
    const running = proxy;
    await expect.poll(() => probeSays(running)).toBe('up');
    // The page and its headers fit HAProxy's buffer with room for rewrites.
    expect(running.log()).not.toMatch(/runs over the buffer space|exceeds the buffer size/);

    const before = app.requests.length;
    const started = Date.now();
    let answers = 0;
    const wrong: string[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (Date.now() - started < 3000) {
          const response = await fetch(running.url(PATHS.probe), { method: 'HEAD' });
          const seen = `${response.status} ${response.headers.get('x-backsoon-probe')} ${response.headers.get('cache-control')}`;
          if (seen !== '200 1 no-store') wrong.push(seen);
          answers += 1;
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const during = app.requests.slice(before);
    console.log(
      `haproxy probe | 200 visitors, ${seconds.toFixed(1)} s: ${answers} answers, ${during.length} requests to the app`,
    );
    expect(wrong).toEqual([]);
    expect(answers).toBeGreaterThan(600);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(during.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expectHealthChecksOnly(app);
  });

  test('a POST, a query string, cookies, Authorization and X-Forwarded-Host to it never reach the app', async ({
    app,
  }) => {
    await app.start();
    proxy = await startProxy('haproxy', { appPort: app.port });
    const running = proxy;
    await expect.poll(() => probeSays(running)).toBe('up');
    const visitor = {
      cookie: `session=1; backsoon_bypass=${TOKEN}`,
      authorization: 'Basic dXNlcjpwYXNz',
      'x-forwarded-host': 'evil.test',
    };
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const refused = await send(running, PATHS.probe, { method, headers: visitor, body: 'a=1' });
      expect([method, refused.status, refused.headers.allow, refused.headers['cache-control']]).toEqual([
        method,
        405,
        'GET, HEAD',
        'no-store',
      ]);
    }
    for (const path of [`${PATHS.probe}?x=1`, `${PATHS.probe}?admit=1&x=%0d%0a`]) {
      const answer = await send(running, path, { headers: visitor });
      expect([answer.status, answer.headers['x-backsoon-probe'], answer.body]).toEqual([200, '1', '']);
      // None of the app's headers.
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    // Two health checks later, still nothing of the visitor's.
    const seen = app.requests.length;
    await expect.poll(() => app.requests.length, { timeout: 5000 }).toBeGreaterThanOrEqual(seen + 2);
    expectHealthChecksOnly(app);
  });

  test('it says down within a second of the app stopping, two of it hanging (the check’s interval and timeout)', async ({
    app,
  }) => {
    const hanging = new FaultyUpstream(await freePort());
    hanging.fault = 'answer';
    await hanging.listen();
    try {
      for (const [what, server, fail, bound] of [
        ['stops', app.port, () => app.stop(), 1000],
        ['hangs', hanging.port, () => (hanging.fault = 'hang'), 2000],
      ] as const) {
        if (what === 'stops') await app.start();
        const running = await startProxy('haproxy', { appPort: server });
        try {
          await expect.poll(() => probeSays(running)).toBe('up');
          const started = Date.now();
          await fail();
          await expect.poll(() => probeSays(running), { intervals: [50] }).toBe('down');
          const ms = Date.now() - started;
          console.log(`haproxy probe | the app ${what}: down after ${ms} ms`);
          // The probe's own polling and the machine's load: a quarter of a second.
          expect(ms).toBeLessThanOrEqual(bound + 250);
        } finally {
          await running.stop();
        }
      }
    } finally {
      await hanging.close();
    }
  });

  test('turns: 80 at once, the others busy at no cost to the app', async ({ app }) => {
    await app.start();
    proxy = await startProxy('haproxy', { appPort: app.port });
    const running = proxy;
    await expect.poll(() => probeSays(running)).toBe('up');
    // 150 visitors, each from an address of its own, ask for a turn at once.
    const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => turn(running, `127.0.1.${i + 2}`)));
    const admitted = answers.filter((a) => a.status === 200 && a.headers['x-backsoon-probe'] === '1');
    const busy = answers.filter((a) => a.status === 429 && a.headers['x-backsoon'] === 'busy');
    console.log(`haproxy turns | 150 at once: ${admitted.length} admitted, ${busy.length} busy`);
    expect(admitted.length).toBeGreaterThanOrEqual(80);
    expect(admitted.length).toBeLessThanOrEqual(90);
    expect(admitted.length + busy.length).toBe(150);
    for (const a of busy) expect(a.headers['cache-control']).toBe('no-store');
    expectHealthChecksOnly(app);
  });

  test('turns: one address asking in a loop gets 10, and another address still gets its own', async ({ app }) => {
    await app.start();
    proxy = await startProxy('haproxy', { appPort: app.port });
    const running = proxy;
    await expect.poll(() => probeSays(running)).toBe('up');
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await turn(running, '127.0.2.1')).status);
    expect(statuses).toEqual([...Array<number>(10).fill(200), ...Array<number>(15).fill(429)]);
    expect((await turn(running, '127.0.2.2')).status).toBe(200);
    // A turn while the app is down: the probe's down, never a turn.
    await app.stop();
    await expect.poll(() => probeSays(running)).toBe('down');
    const down = await turn(running, '127.0.2.3');
    expect([down.status, down.headers['x-backsoon']]).toEqual([503, 'crash']);
  });

  test('a waiting visitor asks the probe, never its own URL, and is back on it', async ({ page, app }) => {
    proxy = await startProxy('haproxy', { appPort: app.port });
    const running = proxy;
    await expect.poll(() => probeSays(running)).toBe('down');
    const response = await page.goto(running.url(DEEP));
    expect([response?.status(), response?.headers()['x-backsoon']]).toEqual([503, 'crash']);
    await expectBacksoonPage(page);
    await expect(page.locator('backsoon-page')).toContainText('attempt 2');
    await app.start();
    await expect(page.locator('#app')).toBeVisible();
    expect(page.url()).toBe(running.url(DEEP));
    // The visitor's URL reached the app once: its return, never a check.
    expect(visitorRequests(app)).toEqual(['GET /deep/path?q=1&x=%20y']);
  });
});

test.describe('the hold', () => {
  test('a GET while the app restarts gets the app’s page; a POST gets backsoon’s page at once and is never sent', async ({
    app,
  }) => {
    await app.start();
    proxy = await startProxy('haproxy', { appPort: app.port });
    const running = proxy;
    await expect.poll(() => probeSays(running)).toBe('up');
    await app.stop();
    await expect.poll(() => probeSays(running)).toBe('down');

    const html = { accept: BROWSER.accept };
    const form = await send(running, '/submit', {
      method: 'POST',
      headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'message=hello',
    });
    expect([form.status, form.headers['x-backsoon']]).toEqual([503, 'crash']);
    expect(form.body).toContain('<backsoon-page kind="crash"');
    expect(form.ms).toBeLessThan(1000);

    // The app is back 2 s after the visitor clicks.
    const restart = new Promise((r) => setTimeout(r, 2000)).then(() => app.start());
    const held = await send(running, '/deep/path?q=1&x=%20y', { headers: html });
    await restart;
    expect(held.status).toBe(200);
    expect(held.body).toContain('<code id="asked">/deep/path?q=1&#38;x=%20y</code>');
    expect(held.ms).toBeGreaterThanOrEqual(1900);
    console.log(`haproxy hold | a GET during a 2 s restart: the app's page after ${held.ms} ms`);
    expect(visitorRequests(app)).toEqual(['GET /deep/path?q=1&x=%20y']);
  });

  test('at most 10 page requests are held per address; the others get the page at once', async ({ app }) => {
    proxy = await startProxy('haproxy', { appPort: app.port });
    const running = proxy;
    await expect.poll(() => probeSays(running)).toBe('down');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(running, `/page/${i}`, { headers: { accept: BROWSER.accept }, from: '127.0.3.1' }),
      ),
    );
    for (const a of answers) {
      expect([a.status, a.headers['x-backsoon']]).toEqual([503, 'crash']);
      expect(a.body).toContain('<backsoon-page kind="crash"');
    }
    const held = answers.filter((a) => a.ms >= 4000);
    const atOnce = answers.filter((a) => a.ms < 1000);
    console.log(`haproxy hold | 12 from one address: ${held.length} held, ${atOnce.length} at once`);
    expect(held.length + atOnce.length).toBe(12);
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.length).toBeLessThanOrEqual(10);
    // API clients are never held either.
    const json = await send(running, '/api', { headers: { accept: 'application/json' } });
    expect([json.status, json.headers['content-type'], json.ms < 1000]).toEqual([503, 'application/json', true]);
  });
});

test.describe('planned maintenance', () => {
  test('only ACME’s challenge is open; the probe says maintenance', async ({ app }) => {
    await app.start();
    proxy = await startProxy('haproxy', { appPort: app.port });
    await proxy.maintenance(true);
    const closed = [
      '/.well-known/acme-challenge/abc%0a',
      '/.well-known/acme-challenge/abc%0A',
      '/.well-known/..;/admin',
      '/.well-known/acme-challenge/../../admin',
      '/.well-known/acme-challenge/a/b',
      '/.well-known/acme-challenge/',
      '/.well-known/security.txt',
      '/__backsoon/..;/admin',
      '/__backsoon/%2e%2e/admin',
      '/__backsoon/locales/de.json',
      PATHS.probe,
      PATHS.admit,
    ];
    for (const path of closed) {
      const answer = await send(proxy, path, { headers: { accept: BROWSER.accept } });
      expect([path, answer.status, answer.headers['x-backsoon']]).toEqual([path, 503, 'maintenance']);
    }
    const acme = await send(proxy, '/.well-known/acme-challenge/Ab-9_xYz');
    expect(acme.status).toBe(200);
    expect(visitorRequests(app)).toEqual(['GET /.well-known/acme-challenge/Ab-9_xYz']);
  });

  test('only a staff token’s link sets the cookie, and the app never sees it', async ({ app }) => {
    await app.start();
    proxy = await startProxy('haproxy', { appPort: app.port, staffToken: TOKEN });
    await proxy.maintenance(true);

    const stranger = await send(proxy, `${PATHS.bypass}?token=${'a'.repeat(32)}`);
    expect([stranger.status, stranger.headers.location, stranger.headers['set-cookie']]).toEqual([302, '/', undefined]);
    const staff = await send(proxy, `${PATHS.bypass}?token=${TOKEN}`);
    expect([staff.status, staff.headers['set-cookie']]).toEqual([
      302,
      [`backsoon_bypass=${TOKEN}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax`],
    ]);
    expect(staff.headers['referrer-policy']).toBe('no-referrer');

    // What the staff's browser (or a hand-made request) sends → what the app gets.
    const cookies: [string, string | undefined][] = [
      [`backsoon_bypass=${TOKEN}`, undefined],
      [`session=1; backsoon_bypass=${TOKEN}`, 'session=1'],
      [`backsoon_bypass=${TOKEN}; session=1`, 'session=1'],
      [`a=1; backsoon_bypass=${TOKEN}; b=2`, 'a=1; b=2'],
      [`a=1,backsoon_bypass=${TOKEN}`, 'a=1'],
      [`a=1, backsoon_bypass=${TOKEN},b=2`, 'a=1,b=2'],
      [`a=1; BACKSOON_BYPASS=x; backsoon_bypass=${TOKEN}`, undefined],
      [`a=1; backsoon_bypass=x; backsoon_bypass=${TOKEN}`, undefined],
    ];
    for (const [sent, expected] of cookies) {
      const answer = await send(proxy, '/admin', { headers: { cookie: sent } });
      expect([sent, answer.status, answer.headers['x-backsoon']]).toEqual([sent, 200, undefined]);
      expect([sent, app.requests.at(-1)?.headers.cookie]).toEqual([sent, expected]);
    }
    // Another cookie that merely ends like it is the app's.
    await proxy.maintenance(false);
    await send(proxy, '/x', { headers: { cookie: 'xbacksoon_bypass=1; a=2' } });
    expect(app.requests.at(-1)?.headers.cookie).toBe('xbacksoon_bypass=1; a=2');
  });
});

test('the link’s cookie is Secure when HAProxy terminates TLS', async ({ app }) => {
  // A self-signed certificate for 127.0.0.1, in the PEM HAProxy reads (certificate, then key).
  const folder = await mkdtemp(join(tmpdir(), 'backsoon-haproxy-tls-'));
  try {
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-keyout',
        join(folder, 'key.pem'),
        '-out',
        join(folder, 'cert.pem'),
      ]),
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    const pem = join(folder, 'site.pem');
    await writeFile(
      pem,
      (await readFile(join(folder, 'cert.pem'), 'utf8')) + (await readFile(join(folder, 'key.pem'), 'utf8')),
    );
    proxy = await startProxy('haproxy', { appPort: app.port, staffToken: TOKEN, haproxyBind: `ssl crt ${pem}` });
    const cookie = await new Promise<string | undefined>((resolve, reject) => {
      const request = httpsRequest(
        { host: '127.0.0.1', port: proxy!.port, path: `${PATHS.bypass}?token=${TOKEN}`, rejectUnauthorized: false },
        (response) => {
          response.resume();
          resolve(response.headers['set-cookie']?.[0]);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(cookie).toBe(`backsoon_bypass=${TOKEN}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax; Secure`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test.describe('haproxy-snippets/README.md', () => {
  /** Config lines without comments and blank lines, trimmed. */
  const configLines = (text: string): string[] =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));

  /** The README's Debian paths and addresses, as the example's placeholders. */
  const asExample = (text: string): string =>
    text
      .replaceAll('/var/www/example', '${ROOT}')
      .replaceAll('127.0.0.1:8000', '${APP}')
      .replaceAll('/etc/haproxy/backsoon-maintenance.acl', '${MAINTENANCE_ACL}')
      .replaceAll('/etc/haproxy/backsoon-staff.lst', '${STAFF_TOKENS}')
      .replace(/^(\s*)bind :80$/m, '$1bind ${LISTEN}');

  test('gives the example’s lines, and the page’s real sizes', async () => {
    const readme = await readFile(README, 'utf8');
    const example = await readFile(EXAMPLE, 'utf8');
    // The site: the example's frontend and backends, line for line.
    expect(configLines(asExample(readmeBlock(readme, 'site', SPEC)))).toEqual(
      configLines(example.slice(example.indexOf('\nfrontend web'))),
    );
    for (const name of ['global', 'defaults']) {
      for (const line of configLines(asExample(readmeBlock(readme, name, SPEC))))
        expect(configLines(example), `${name}: ${line}`).toContain(line);
    }
    // Sizes as the build writes them (kB of 1000 bytes, as Vite prints them).
    const kb = async (file: string): Promise<number> => (await stat(join(DIST, file))).size / 1000;
    const [, raw, gzipped] = /The page is ([\d.]+) KB raw and ([\d.]+) KB\s+gzipped/.exec(readme) ?? [];
    expect(Math.abs(Number(raw) - (await kb('index.html')))).toBeLessThan(0.5);
    expect(Math.abs(Number(gzipped) - (await kb('index.html.gz')))).toBeLessThan(0.5);
    expect(example).toContain(`(${raw} KB)`);
  });

  test('its steps work on Debian’s haproxy.cfg, word for word', async () => {
    test.setTimeout(90_000);
    const readme = await readFile(README, 'utf8');
    const block = (name: string): string => readmeBlock(readme, name, SPEC);
    const app = new DemoApp(await freePort());
    const sandbox = await HaproxySandbox.create(await freePort());
    const url = (path: string): string => `http://127.0.0.1:${sandbox.port}${path}`;
    const run = async (name: string): Promise<string> => {
      const { status, output } = await sandbox.run(block(name));
      expect(status, `README block "${name}" failed:\n${output}`).toBe(0);
      return output;
    };
    const says = async (): Promise<string> => {
      const r = await fetch(url(PATHS.probe), { method: 'HEAD' }).catch(() => undefined);
      return r ? `${r.status} ${r.headers.get('x-backsoon') ?? r.headers.get('x-backsoon-probe')}` : 'no answer';
    };

    let token = '';

    try {
      await test.step('install: the files, the three edits, a check and a reload', async () => {
        const pid = await sandbox.masterPid();
        expect(pid).toBeDefined();
        await run('copy');
        let cfg = await readFile(sandbox.config, 'utf8');
        const socketLine = 'stats socket /run/haproxy/admin.sock mode 660 level admin';
        expect(cfg).toContain(`\t${sandbox.remap(socketLine)}\n`);
        cfg = cfg.replace(`${sandbox.remap(socketLine)}\n`, `$&\t${block('global').trim()}\n`);
        // The defaults' three errorfile lines give way to the page's.
        const errorfiles = /^\s*errorfile 50[234] .*\n/gm;
        expect(cfg.match(errorfiles)).toHaveLength(3);
        cfg = cfg.replace(errorfiles, '').replace(
          /^(\s*errorfile 500 .*\n)/m,
          `$1${block('defaults')
            .trimEnd()
            .split('\n')
            .map((line) => `\t${line}\n`)
            .join('')}`,
        );
        cfg += `\n${block('site').replaceAll('127.0.0.1:8000', `127.0.0.1:${app.port}`)}`;
        await writeFile(sandbox.config, cfg);
        await sandbox.remapConfig();
        expect(await run('load')).toContain('Configuration file is valid');
        await expect.poll(says).toBe('503 crash');
        // Reloaded, not restarted.
        expect(await sandbox.masterPid()).toBe(pid);
        expect(existsSync(sandbox.path('/var/www/example/__backsoon/index.html'))).toBe(true);
      });

      await test.step('the page for a form while the app is down, then the app', async () => {
        const form = await fetch(url('/submit'), { method: 'POST', headers: BROWSER, body: 'a=1' });
        expect([form.status, form.headers.get('x-backsoon')]).toEqual([503, 'crash']);
        expect(await form.text()).toContain('<backsoon-page kind="crash"');
        await app.start();
        await expect.poll(says).toBe('200 1');
        expect((await fetch(url('/x'), { headers: BROWSER })).status).toBe(200);
      });

      await test.step('maintenance on, a staff token and its link, maintenance off', async () => {
        await run('maintenance-on');
        const visitor = await fetch(url('/x'), { headers: BROWSER });
        expect([visitor.status, visitor.headers.get('x-backsoon')]).toEqual([503, 'maintenance']);
        expect(await says()).toBe('503 maintenance');
        const output = await run('staff-token');
        token = /^https:\/\/example\.com\/__backsoon\/bypass\?token=([0-9a-f]{48})$/m.exec(output)?.[1] ?? '';
        expect(token).not.toBe('');
        const link = await fetch(url(`${PATHS.bypass}?token=${token}`), { redirect: 'manual' });
        const cookie = (link.headers.get('set-cookie') ?? '').split(';')[0]!;
        expect(cookie).toBe(`backsoon_bypass=${token}`);
        const staff = await fetch(url('/admin'), { headers: { cookie: `${cookie}; session=1` } });
        expect(staff.status).toBe(200);
        expect(app.requests.at(-1)).toMatchObject({ url: '/admin', headers: { cookie: 'session=1' } });
        await run('maintenance-off');
        expect((await fetch(url('/x'), { headers: BROWSER })).status).toBe(200);
        await run('maintenance-on');
      });

      await test.step('upgrade: a new build, the branding, the switch and the tokens kept', async () => {
        const brand = ':root { --backsoon-accent: #0a7d55; }\n';
        await writeFile(sandbox.path('/var/www/example/__backsoon/brand.css'), brand);
        const page = join(sandbox.checkout, 'dist/maintenance.html');
        const marker = '<meta name="backsoon-test-build" content="2">';
        await writeFile(page, (await readFile(page, 'utf8')).replace('<head>', `<head>${marker}`));
        const pid = await sandbox.masterPid();
        await run('copy');
        await run('load');
        await expect.poll(async () => (await fetch(url('/y'), { headers: BROWSER })).text()).toContain(marker);
        expect(await sandbox.masterPid()).toBe(pid);
        // Still in maintenance after the reload (the ACL file), the operator's brand.css kept.
        expect((await fetch(url('/y'), { headers: BROWSER })).status).toBe(503);
        expect(await (await fetch(url(PATHS.brandCss))).text()).toBe(brand);
        // The token added at run time was written in the list too: its link still works.
        const link = await fetch(url(`${PATHS.bypass}?token=${token}`), { redirect: 'manual' });
        expect(link.headers.get('set-cookie')).toMatch(new RegExp(`^backsoon_bypass=${token};`));
        await run('maintenance-off');
        expect((await fetch(url('/y'), { headers: BROWSER })).status).toBe(200);
      });
    } finally {
      await app.stop();
      await sandbox.destroy();
    }
  });
});
