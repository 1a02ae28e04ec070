import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { FaultyUpstream } from '../test-support/faulty-upstream.js';
import { DIST, REPO } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { startProxy, type RunningProxy } from '../test-support/proxies.js';
import { rawRequest, type RawAnswer } from '../test-support/raw-request.js';
import { PATHS } from '../src/protocol.js';
import { readmeBlock, Sandbox } from './debian-sandbox.js';
import { BROWSER, DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// Caddy (Debian's 2.6) set up from caddy-snippets/: the shared probe from
// Caddy's own health check, its turns, maintenance's open paths, the staff
// bypass, the hold, and the folder README's install run word for word.

const PROBE = PATHS.probe;
const TURN = PATHS.admit;
/** The example's turns a second per tenth of the visitors' addresses (examples/Caddyfile). */
const TURNS_PER_TENTH = 4;
const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const README = join(REPO, 'caddy-snippets/README.md');
const SPEC = 'e2e/caddy.spec.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The page's reading of a probe answer (src/decide/verdict.ts): the app answered, Caddy's error, or a turn refused. */
function reading(answer: RawAnswer): 'up' | 'down' | 'busy' {
  if (answer.headers['x-backsoon'] === 'busy') return 'busy';
  if (answer.headers['x-backsoon'] !== undefined) return 'down';
  return answer.headers['x-backsoon-probe'] === '1' ? 'up' : 'down';
}

/** The tenth of the addresses a client's turns are counted in: the last character of its address. */
const tenth = (address: string): string => address.slice(-1);

let proxy: RunningProxy | undefined;
test.afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/** Waits until the probe reads `expected` (Caddy's health check runs every second). */
async function probeReads(expected: 'up' | 'down'): Promise<void> {
  await expect
    .poll(async () => reading(await rawRequest(proxy!.port, { method: 'HEAD', path: PROBE })), {
      timeout: 5000,
      intervals: [100],
    })
    .toBe(expected);
}

test.describe('the shared probe', () => {
  test('200 visitors asking in a loop for 3 s cost the app one HEAD of the health path a second, with Host only', async ({
    app,
  }) => {
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port });
    await probeReads('up');
    const before = app.requests.length;
    const startedAt = Date.now();
    const readings = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const seen: string[] = [];
        while (Date.now() - startedAt < 3000) {
          const answer = await rawRequest(proxy!.port, {
            method: 'HEAD',
            path: PROBE,
            localAddress: `127.0.6.${i + 1}`,
          });
          seen.push(reading(answer));
        }
        return seen;
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const asked = readings.flat();
    const during = app.requests.slice(before);
    console.log(
      `200 visitors: ${asked.length} probes in ${seconds.toFixed(1)} s, ${during.length} requests to the app`,
    );
    expect(asked.length).toBeGreaterThan(1000);
    expect(new Set(asked)).toEqual(new Set(['up']));
    // The health check's one a second (Caddy's ticker: one more when a tick falls at each end).
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    for (const request of during) {
      expect([request.method, request.url]).toEqual(['HEAD', '/']);
      expect(request.headers).toEqual({ host: `127.0.0.1:${app.port}` });
    }
  });

  test('a POST, a query string, forwarded headers and cookies sent to the probe never reach the app', async ({
    app,
  }) => {
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port });
    await probeReads('up');
    const before = app.requests.length;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const answer = await rawRequest(proxy.port, {
        method,
        path: `${PROBE}?x=1`,
        headers: { 'content-type': 'application/json' },
        body: '{"drop":"table"}',
      });
      expect([method, answer.status, answer.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
    }
    // (A made-up Host reaches no site at all: Caddy picks the site block by it.)
    const visitor = {
      cookie: 'session=secret; backsoon_bypass=0123456789abcdef0123',
      authorization: 'Bearer secret',
      'x-forwarded-host': 'evil.test',
      'x-forwarded-for': '203.0.113.9',
      'user-agent': 'attacker',
    };
    for (const path of [`${PROBE}?x=%0a&slow=5`, `${PROBE}?admit=`, `${PROBE}/../probe?q`]) {
      const answer = await rawRequest(proxy.port, { method: 'HEAD', path, headers: visitor });
      expect(reading(answer), path).toBe('up');
      const get = await rawRequest(proxy.port, { method: 'GET', path, headers: visitor });
      expect([reading(get), get.body]).toEqual(['up', '']);
    }
    // Two more health checks: whatever reached the app in the meantime was the checker's own.
    const seen = app.requests.length;
    await expect.poll(() => app.requests.length).toBeGreaterThanOrEqual(seen + 2);
    for (const request of app.requests.slice(before)) {
      expect([request.method, request.url]).toEqual(['HEAD', '/']);
      expect(request.headers).toEqual({ host: `127.0.0.1:${app.port}` });
    }
  });

  test('the visitor gets 200 and the probe’s headers, none of the app’s, whatever the app answers', async ({ app }) => {
    app.status = 302;
    app.headers = {
      'Set-Cookie': 'sid=secret; HttpOnly',
      Location: '/login?next=/healthz',
      Link: '</internal>; rel=preload',
      'WWW-Authenticate': 'Basic realm="staff"',
    };
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port });
    await probeReads('up');
    const answer = await rawRequest(proxy.port, { method: 'GET', path: PROBE });
    expect([answer.status, answer.body, answer.headers['cache-control']]).toEqual([200, '', 'no-store']);
    for (const name of ['set-cookie', 'location', 'link', 'www-authenticate'])
      expect(answer.headers[name], name).toBeUndefined();
    expect(app.requests.at(-1)?.url).toBe('/');
  });

  test('says "down" within two seconds of the app stopping, with the crash marker, and "up" within two of its return', async ({
    app,
  }) => {
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port });
    await probeReads('up');
    await app.stop();
    const stoppedAt = Date.now();
    await probeReads('down');
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
    const down = await rawRequest(proxy.port, { method: 'HEAD', path: PROBE });
    expect([down.status, down.headers['x-backsoon'], down.headers['cache-control']]).toEqual([
      503,
      'crash',
      'no-store',
    ]);
    // No turn for an app that is down: the crash, not "busy".
    expect(reading(await rawRequest(proxy.port, { method: 'HEAD', path: TURN }))).toBe('down');
    await app.start();
    const startedAt = Date.now();
    await probeReads('up');
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });

  test.describe('an app that accepts connections and never answers', () => {
    let faulty: FaultyUpstream | undefined;
    test.afterEach(async () => faulty?.close());

    test('is "down" within 3 s, never "up" after that while it hangs', async () => {
      faulty = new FaultyUpstream(await freePort());
      faulty.fault = 'answer';
      await faulty.listen();
      proxy = await startProxy('caddy', { appPort: faulty.port });
      await probeReads('up');
      faulty.fault = 'hang';
      const hungAt = Date.now();
      // The next check (within a second), then its 2 s timeout.
      await sleep(3100);
      const answers: { at: number; reading: string }[] = [];
      while (Date.now() - hungAt < 7000) {
        const answer = await rawRequest(proxy.port, { method: 'HEAD', path: PROBE });
        answers.push({ at: Date.now() - hungAt, reading: reading(answer) });
        await sleep(200);
      }
      expect(answers.length).toBeGreaterThanOrEqual(10);
      expect(answers.filter((a) => a.reading !== 'down')).toEqual([]);
    });
  });
});

test.describe('turns', () => {
  test('at most the set number a second per tenth of the addresses; the rest are busy, at no cost to the app', async ({
    app,
  }) => {
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port });
    await probeReads('up');
    const before = app.requests.length;
    // 100 visitors at once, ten in each tenth of the addresses.
    const addresses = Array.from({ length: 100 }, (_, i) => `127.0.4.${i + 1}`);
    const startedAt = Date.now();
    const answers = await Promise.all(
      addresses.map((localAddress) => rawRequest(proxy!.port, { method: 'HEAD', path: TURN, localAddress })),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const granted = answers.flatMap((a, i) => (reading(a) === 'up' ? [addresses[i]!] : []));
    const busy = answers.filter((a) => reading(a) === 'busy');
    console.log(`100 turns asked at once: ${granted.length} granted, ${busy.length} busy, in ${seconds.toFixed(2)} s`);
    expect(granted.length + busy.length).toBe(100);
    for (const a of busy) expect([a.status, a.headers['cache-control']]).toEqual([429, 'no-store']);
    // Each tenth gave its turns, and no more than its count in each second it was asked, but for a
    // visitor that asked in the same instant as the last one counted (Caddy checks the count, then
    // counts the failed connection: rarely one more).
    const perTenth = new Map<string, number>();
    for (const address of granted) perTenth.set(tenth(address), (perTenth.get(tenth(address)) ?? 0) + 1);
    expect([...perTenth.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (const [digit, count] of perTenth)
      expect(count, `tenth ${digit}`).toBeLessThanOrEqual(TURNS_PER_TENTH * Math.ceil(seconds + 0.001) + 1);
    expect(granted.length).toBeLessThanOrEqual(TURNS_PER_TENTH * 10 * Math.ceil(seconds + 0.001) + 2);
    // Nothing of this reached the app but its health checks.
    for (const request of app.requests.slice(before)) expect([request.method, request.url]).toEqual(['HEAD', '/']);
    expect(app.requests.length - before).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
  });

  test('one client asking in a loop takes its tenth, and the visitors of the other tenths get their turns', async ({
    app,
  }) => {
    test.setTimeout(40_000);
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port });
    await probeReads('up');
    let hogging = true;
    let hogTurns = 0;
    let hogAsked = 0;
    // A client asking for turns 150 times a second, from one address.
    const hog = (async () => {
      while (hogging) {
        const answers = await Promise.all(
          Array.from({ length: 15 }, () =>
            rawRequest(proxy!.port, { method: 'HEAD', path: TURN, localAddress: '127.0.3.1' }).catch(() => undefined),
          ),
        );
        hogAsked += answers.length;
        hogTurns += answers.filter((a) => a && reading(a) === 'up').length;
        await sleep(100);
      }
    })();
    await sleep(2000);
    const startedAt = Date.now() - 2000;
    // Meanwhile 90 waiting visitors, none in the client's tenth, ask once a second until they get a turn.
    const visitors = Array.from({ length: 100 }, (_, i) => `127.0.4.${i + 1}`).filter((a) => tenth(a) !== '1');
    const waited = await Promise.all(
      visitors.map(async (localAddress) => {
        for (let tries = 1; ; tries += 1) {
          const answer = await rawRequest(proxy!.port, { method: 'HEAD', path: TURN, localAddress });
          if (reading(answer) === 'up') return tries;
          await sleep(1000);
        }
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    hogging = false;
    await hog;
    console.log(`the looping client: ${hogTurns} turns of ${hogAsked} asked in ${seconds.toFixed(1)} s`);
    expect(hogAsked).toBeGreaterThan(300);
    // Its tenth's count a second, never more.
    expect(hogTurns).toBeLessThanOrEqual(TURNS_PER_TENTH * Math.ceil(seconds + 1));
    // Nine visitors a tenth, four turns a second each: in at the third ask at the latest.
    expect(Math.max(...waited)).toBeLessThanOrEqual(Math.ceil(9 / TURNS_PER_TENTH));
  });
});

test.describe('planned maintenance', () => {
  test('opens only ACME’s challenge, exactly; the probe says maintenance', async ({ app }) => {
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port });
    await proxy.maintenance(true);
    const status = async (path: string): Promise<[string, number, string | undefined]> => {
      const answer = await rawRequest(proxy!.port, { path, headers: BROWSER });
      return [path, answer.status, answer.headers['x-backsoon'] as string | undefined];
    };
    expect(await status('/.well-known/acme-challenge/Ab-9_x')).toEqual([
      '/.well-known/acme-challenge/Ab-9_x',
      200,
      undefined,
    ]);
    for (const path of [
      '/x',
      '/.well-known/acme-challenge/Ab9%0a',
      '/.well-known/acme-challenge/Ab9%0A',
      '/.well-known/..;/admin',
      '/.well-known/acme-challenge/..;/admin',
      '/.well-known/acme-challenge/a/b',
      '/.well-known/acme-challenge/Ab9?x=1',
      '/.well-known/acme-challenge/..%2f..%2fadmin',
      '/admin/..%2f.well-known/acme-challenge/Ab9',
      '//.well-known/acme-challenge/Ab9',
      '/.well-known/security.txt',
      '/__backsoon/../admin',
      PROBE,
    ])
      expect(await status(path)).toEqual([path, 503, 'maintenance']);
    expect(app.requests.filter((r) => r.method !== 'HEAD').map((r) => r.url)).toEqual([
      '/.well-known/acme-challenge/Ab-9_x',
    ]);
    // The kit's files stay served; the switch is not one of them.
    expect((await status('/__backsoon/brand.css'))[1]).toBe(200);
    expect(await status(PATHS.maintenanceFlag)).toEqual([PATHS.maintenanceFlag, 503, 'maintenance']);
    await proxy.maintenance(false);
    expect((await status(PATHS.maintenanceFlag))[1]).toBe(404);
  });

  test('only a staff token sets the bypass cookie, and the app never sees it', async ({ app }) => {
    await app.start();
    proxy = await startProxy('caddy', { appPort: app.port, staffToken: TOKEN });
    await proxy.maintenance(true);
    const link = async (path: string, cookie?: string): Promise<string | undefined> => {
      const answer = await rawRequest(proxy!.port, { path, headers: cookie ? { cookie } : {} });
      expect([answer.status, answer.headers.location, answer.headers['cache-control']]).toEqual([302, '/', 'no-store']);
      return answer.headers['set-cookie']?.join();
    };
    // Anyone's well-formed token sets nothing (it would replace a staff member's cookie).
    expect(await link(`${PATHS.bypass}?token=0000000000000000`)).toBeUndefined();
    expect(await link(`${PATHS.bypass}?token=${TOKEN.toUpperCase()}`)).toBeUndefined();
    expect(await link(`${PATHS.bypass}?token=${TOKEN}x`)).toBeUndefined();
    // Another spelling of the link, with a staff member's cookie: never the query's token.
    expect(await link('/__BACKSOON/BYPASS?token=0000000000000000', `backsoon_bypass=${TOKEN}`)).toBeUndefined();
    expect(await link(`${PATHS.bypass}?token=${TOKEN}`)).toBe(
      `backsoon_bypass=${TOKEN}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax`,
    );

    for (const cookie of [
      `backsoon_bypass=${TOKEN}`,
      `a=1; backsoon_bypass=${TOKEN}`,
      `backsoon_bypass=${TOKEN}; a=1`,
      `a=1; backsoon_bypass=${TOKEN}; b=2; BACKSOON_BYPASS=${TOKEN},c=3`,
    ]) {
      const staff = await rawRequest(proxy.port, { path: '/x', headers: { ...BROWSER, cookie } });
      expect([cookie, staff.status, staff.headers['x-backsoon']]).toEqual([cookie, 200, undefined]);
    }
    // A visitor who sends the cookie after a `,`: no bypass (Caddy reads cookies split on `;`), and the app never sees it.
    await proxy.maintenance(false);
    await rawRequest(proxy.port, { path: '/y', headers: { cookie: `a=1,backsoon_bypass=${TOKEN}` } });
    await rawRequest(proxy.port, { path: '/z', headers: { cookie: `a=1, Backsoon_Bypass = ${TOKEN} ,b=2` } });
    const cookies = app.requests.filter((r) => r.method !== 'HEAD').map((r) => r.headers.cookie);
    expect(cookies).toEqual([undefined, 'a=1', 'a=1', 'a=1; b=2,c=3', 'a=1', 'a=1,b=2']);
    for (const cookie of cookies) expect(cookie ?? '').not.toContain(TOKEN);
  });
});

test.describe('the hold', () => {
  /** The example with the README's hold lines in place of its reverse_proxy line. */
  async function withHold(site: string): Promise<string> {
    const hold = readmeBlock(await readFile(README, 'utf8'), 'hold', SPEC).replaceAll('127.0.0.1:8000', '${APP}');
    const line = '\treverse_proxy ${APP}\n';
    if (!site.includes(line)) throw new Error('examples/Caddyfile: no reverse_proxy line');
    return site.replace(
      line,
      hold
        .trimEnd()
        .split('\n')
        .map((l) => `\t${l}\n`)
        .join(''),
    );
  }

  test('a GET during a 2 s restart gets the app’s page; a POST gets the page at once, never held', async ({
    page,
    app,
  }) => {
    const site = await withHold(await readFile(join(REPO, 'caddy-snippets/examples/Caddyfile'), 'utf8'));
    proxy = await startProxy('caddy', { appPort: app.port, editSite: () => site });
    const errors: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 500 || response.headers()['x-backsoon'])
        errors.push(`${response.status()} ${response.url()}`);
    });
    const clickedAt = Date.now();
    const restart = sleep(2000).then(() => app.start());
    const response = await page.goto(proxy.url(DEEP));
    await restart;
    const held = Date.now() - clickedAt;
    console.log(`the GET was held ${held} ms`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
    expect(page.url()).toBe(proxy.url(DEEP));
    expect(errors).toEqual([]);
    expect(held).toBeGreaterThanOrEqual(2000);
    expect(app.requests.map(({ method, url }) => `${method} ${url}`).filter((r) => !r.startsWith('HEAD /'))).toEqual([
      'GET /deep/path?q=1&x=%20y',
    ]);

    // A form into a refused connection: the page with 502 at once, the app never asked.
    await app.stop();
    const sentAt = Date.now();
    const form = await rawRequest(proxy.port, {
      method: 'POST',
      path: '/submit?from=form',
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'message=hello',
    });
    const took = Date.now() - sentAt;
    console.log(`the POST got the page in ${took} ms`);
    expect([form.status, form.headers['x-backsoon']]).toEqual([502, 'crash']);
    expect(form.body).toContain('<backsoon-page kind="crash"');
    expect(took).toBeLessThan(1000);
    expect(app.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  test('gives up after 5 s with the page, and never sends a GET again once the app had it', async ({ app }) => {
    const site = await withHold(await readFile(join(REPO, 'caddy-snippets/examples/Caddyfile'), 'utf8'));
    proxy = await startProxy('caddy', { appPort: app.port, editSite: () => site });
    const sentAt = Date.now();
    const down = await rawRequest(proxy.port, { path: '/x', headers: BROWSER });
    const took = Date.now() - sentAt;
    expect([down.status, down.headers['x-backsoon']]).toEqual([502, 'crash']);
    expect(took).toBeGreaterThanOrEqual(5000);
    expect(took).toBeLessThan(6500);
    // The app takes the GET and dies with it: once, never again.
    await app.start();
    app.dropWhen = (method, url) => method === 'GET' && url === '/dies';
    const dropped = await rawRequest(proxy.port, { path: '/dies', headers: BROWSER });
    expect([dropped.status, dropped.headers['x-backsoon']]).toEqual([502, 'crash']);
    expect(app.requests.filter((r) => r.url === '/dies')).toHaveLength(1);
  });
});

/** Debian's absolute paths the caddy-snippets README writes to, moved under the sandbox. */
const CADDY_PATHS = ['/etc/caddy', '/var/www/example', '/var/lib/caddy'];

test('the folder README’s install, maintenance and staff link work on Debian’s Caddyfile, word for word', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const readme = await readFile(README, 'utf8');
  const app = new DemoApp(await freePort());
  const port = await freePort();
  const admin = await freePort();
  const root = await mkdtemp(join(tmpdir(), 'backsoon-caddy-debian-'));
  await chmod(root, 0o755);
  const pidfile = join(root, 'run/caddy.pid');
  // `caddy` runs Debian's binary with the service's home (its state) in the sandbox; `caddy start`
  // leaves its pid for the test to stop, and its output in a log (it would hold the shell's pipes).
  const shim = `caddy() {
  if [ "$1" = start ]; then
    HOME='${root}/var/lib/caddy' command caddy "$@" --pidfile '${pidfile}' >'${root}/caddy.log' 2>&1 || { cat '${root}/caddy.log' >&2; return 1; }
  else
    HOME='${root}/var/lib/caddy' command caddy "$@"
  fi
}`;
  const sandbox = new Sandbox(root, join(root, 'checkout'), CADDY_PATHS, '/run/caddy.pid', [shim]);
  const url = (path: string): string => `http://127.0.0.1:${port}${path}`;
  const caddyfile = sandbox.path('/etc/caddy/Caddyfile');
  const run = async (name: string): Promise<string> => {
    const { status, output } = await sandbox.run(readmeBlock(readme, name, SPEC));
    expect(status, `README block "${name}" failed:\n${output}`).toBe(0);
    return output;
  };
  try {
    await mkdir(sandbox.path('/run'), { recursive: true });
    await mkdir(sandbox.path('/etc/caddy'), { recursive: true });
    await mkdir(sandbox.path('/var/lib/caddy'), { recursive: true });
    await copyFile(join(REPO, 'e2e/debian/Caddyfile'), caddyfile);
    await cp(DIST, join(sandbox.checkout, 'dist'), { recursive: true });
    await cp(join(REPO, 'caddy-snippets'), join(sandbox.checkout, 'caddy-snippets'), { recursive: true });

    await test.step('install: copy, the site in place of Debian’s, check and start Caddy', async () => {
      await run('copy');
      const debian = await readFile(caddyfile, 'utf8');
      const start = debian.indexOf('\n:80 {\n');
      const end = debian.indexOf('\n}\n', start);
      expect([start, end].every((i) => i > 0)).toBe(true);
      const site = readmeBlock(readme, 'site', SPEC)
        .replaceAll('127.0.0.1:8000', `127.0.0.1:${app.port}`)
        // The probe's name, of the reader's choosing: the run's own (its sockets are the machine's).
        .replaceAll('backsoon-probe.caddy example ', `backsoon-probe.caddy sandbox${port} `)
        .replaceAll('backsoon-probe-example', `backsoon-probe-sandbox${port}`)
        // Sandbox only: a free loopback port instead of 80.
        .replace('\n:80 {\n', `\n:${port} {\n`);
      // Sandbox only: the admin endpoint (caddy reload's way in) on a free port, and loopback only.
      const global = `{\n\tadmin 127.0.0.1:${admin}\n\tdefault_bind 127.0.0.1\n}\n`;
      await writeFile(
        caddyfile,
        sandbox.remap(`${global}${debian.slice(0, start + 1)}${site}${debian.slice(end + 3)}`),
      );
      await run('load');
      expect(await readFile(pidfile, 'utf8')).toMatch(/^\d+/);
      expect((await readFile(sandbox.path('/var/www/example/__backsoon/index.html'), 'utf8')).length).toBeGreaterThan(
        0,
      );
      // Once more: the copy is an upgrade too, and keeps the staff file, the branding and the switch.
      const brand = sandbox.path('/var/www/example/__backsoon/brand.css');
      const flag = sandbox.path(`/var/www/example${PATHS.maintenanceFlag}`);
      await writeFile(sandbox.path('/etc/caddy/backsoon/backsoon-staff.caddy'), '# mine\n', { flag: 'a' });
      await writeFile(brand, ':root { --backsoon-accent: #0a7d55; }\n');
      await writeFile(flag, '');
      await run('copy');
      expect(await readFile(sandbox.path('/etc/caddy/backsoon/backsoon-staff.caddy'), 'utf8')).toMatch(/# mine\n$/);
      expect(await readFile(brand, 'utf8')).toBe(':root { --backsoon-accent: #0a7d55; }\n');
      expect(await readFile(flag, 'utf8')).toBe('');
      await rm(flag);
    });

    await test.step('the page on a 502, the probe, and the return to the exact URL', async () => {
      const down = await fetch(url('/x'), { headers: BROWSER });
      expect([down.status, down.headers.get('x-backsoon')]).toEqual([502, 'crash']);
      await page.goto(url(DEEP));
      await expectBacksoonPage(page);
      await app.start();
      await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
      expect(page.url()).toBe(url(DEEP));
      const probe = await rawRequest(port, { method: 'HEAD', path: PROBE });
      expect([probe.status, probe.headers['x-backsoon-probe']]).toEqual([200, '1']);
      expect(app.requests.filter((r) => r.method === 'HEAD').map((r) => r.url)).toContain('/healthz');
    });

    await test.step('a staff token as the README says, a reload, maintenance on: visitors 503, staff the app', async () => {
      const staff = sandbox.path('/etc/caddy/backsoon/backsoon-staff.caddy');
      const text = await readFile(staff, 'utf8');
      expect(text).toContain('\tdefault no\n');
      await writeFile(staff, text.replace('\tdefault no\n', `\tdefault no\n\t${TOKEN} yes\n`));
      await run('load');
      await run('maintenance-on');
      const visitor = await fetch(url('/x'), { headers: BROWSER });
      expect([visitor.status, visitor.headers.get('x-backsoon')]).toEqual([503, 'maintenance']);
      const link = await rawRequest(port, { path: `${PATHS.bypass}?token=${TOKEN}` });
      expect(link.headers['set-cookie']?.join()).toMatch(new RegExp(`^backsoon_bypass=${TOKEN};`));
      const member = await rawRequest(port, {
        path: '/staff',
        headers: { ...BROWSER, cookie: `backsoon_bypass=${TOKEN}; a=1` },
      });
      expect(member.status).toBe(200);
      expect(app.requests.at(-1)).toMatchObject({ url: '/staff', headers: { cookie: 'a=1' } });
    });
  } finally {
    await sandbox.destroy();
    await app.stop();
  }
});
