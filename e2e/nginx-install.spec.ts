import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, lstat, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { DIST, REPO } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { rawRequest } from '../test-support/raw-request.js';
import { UwsgiApp } from '../test-support/uwsgi-app.js';
import { DebianSandbox, readmeBlock } from './debian-sandbox.js';
import { BROWSER, DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// `backsoon install --nginx` and `backsoon uninstall --nginx` as users run
// them: the README's two commands on Debian's own default site with an app
// behind it, nginx.org's layout, a hand-written nginx.conf with several
// server blocks (TLS, an upstream, included files, a Python app under
// uWSGI and one over FastCGI), a failing nginx -t, two runs in a row, the
// uninstall checked byte for byte, and upgrades under a visitor's loop.
// Real nginx, real apps, in a sandbox that only moves the system's paths
// into a temporary folder (e2e/debian-sandbox.ts).

const OWNER = 'e2e/nginx-install.spec.ts';
const MARKER = '# added by backsoon';

/** The README's install, without its first line (installing the package: here the checkout's build is the command). */
async function readmeInstall(): Promise<string> {
  const lines = readmeBlock(await readFile(join(REPO, 'README.md'), 'utf8'), 'install', OWNER)
    .trim()
    .split('\n');
  expect(lines[0]).toBe('sudo npm install --global backsoon');
  expect(lines).toHaveLength(2);
  return lines[1]!;
}

/** Debian's default site, its location turned into a proxy to the app, as the operator's own step. */
function proxySite(app: number): (text: string) => string {
  return (text) =>
    text.replace(
      '\t\ttry_files $uri $uri/ =404;',
      `\t\tproxy_pass http://127.0.0.1:${app};\n\t\tinclude proxy_params;`,
    );
}

async function debianSite(app: DemoApp, edit?: (text: string) => string): Promise<DebianSandbox> {
  const sandbox = await DebianSandbox.create(await freePort());
  const site = sandbox.path('/etc/nginx/sites-available/default');
  let text = proxySite(app.port)(await readFile(site, 'utf8'));
  if (edit) text = edit(text);
  await writeFile(site, text);
  await sandbox.remapConfig();
  await sandbox.start();
  return sandbox;
}

async function ok(sandbox: DebianSandbox, lines: string): Promise<string> {
  const { status, output } = await sandbox.run(lines);
  expect(status, `${lines}\n${output}`).toBe(0);
  return output;
}

/**
 * Waits until `check` holds five times in a row: nginx applies a reload a
 * moment after the signal, and an old worker may still take a connection
 * or two before it stops listening.
 */
async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (let streak = 0; streak < 5;) {
    streak = (await check()) ? streak + 1 : 0;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** The marker of a fresh connection's answer (no keep-alive: each asks whichever worker accepts). */
async function marker(port: number, path = '/x', method = 'GET'): Promise<string | undefined> {
  const answer = await rawRequest(port, { method, path, headers: BROWSER });
  return answer.headers['x-backsoon'] as string | undefined;
}

/** A file's text in the sandbox. */
const text = (sandbox: DebianSandbox, path: string): Promise<string> => readFile(sandbox.path(path), 'utf8');

/** The snapshots differ only in these paths (by system path). */
function expectSameBut(
  before: Map<string, string>,
  after: Map<string, string>,
  sandbox: DebianSandbox,
  allowed: string[] = [],
): void {
  const changed = [...new Set([...before.keys(), ...after.keys()])]
    .filter((path) => before.get(path) !== after.get(path))
    .map((path) => path.slice(sandbox.root.length));
  expect(changed.sort()).toEqual(allowed.sort());
}

/**
 * A visitor requesting a page in a loop, as fast as nginx answers, while
 * the app is down: every answer should be backsoon's page; nginx's own
 * page (its `<center>nginx</center>` and no marker) is what an upgrade
 * must never show.
 */
function visitorLoop(
  port: number,
  path: string,
): { stop: () => Promise<{ backsoon: number; stock: number; other: string[] }> } {
  const seen = { backsoon: 0, stock: 0, other: [] as string[] };
  let running = true;
  const loop = (async () => {
    while (running) {
      // A connection of its own each time: a kept-alive one that the reload
      // closes under it is the client's matter (a browser sends again).
      try {
        const { status, headers, body } = await rawRequest(port, { path, headers: BROWSER });
        if (headers['x-backsoon'] && body.includes('<backsoon-page')) seen.backsoon++;
        else if (body.includes('<center>nginx</center>')) seen.stock++;
        else seen.other.push(`${status} ${body.slice(0, 60)}`);
      } catch (error) {
        // Counted, not thrown: the test fails on it, and still stops what it started.
        seen.other.push(`no answer: ${(error as Error).message}`);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** A build that differs from dist/ (a marker in each page), as a new version of the package. */
async function newBuild(folder: string, mark: string): Promise<string> {
  await cp(DIST, folder, { recursive: true });
  for (const name of ['index.html', 'maintenance.html']) {
    const file = join(folder, name);
    const page = (await readFile(file, 'utf8')).replace(
      '<head>',
      `<head><meta name="backsoon-test-build" content="${mark}">`,
    );
    await writeFile(file, page);
    // The .gz copy nginx sends first (gzip_static) is the new page too.
    spawnSync('gzip', ['-kf9', file]);
  }
  return folder;
}

test.describe('on Debian’s default site with an app behind it', () => {
  test('the README’s two commands: the page on a stopped app in Chromium and the return, the probe, maintenance, 200 waiting visitors', async ({
    page,
  }) => {
    test.setTimeout(60_000);
    const app = new DemoApp(await freePort());
    const sandbox = await debianSite(app);
    const url = (path: string): string => `http://127.0.0.1:${sandbox.port}${path}`;
    try {
      const before = await sandbox.snapshot(['/etc/nginx', '/var/www']);
      const dry = await ok(sandbox, 'sudo backsoon install --nginx --dry-run');
      console.log(`--- install --nginx --dry-run on Debian's default site ---\n${dry}`);
      expect(dry).toContain('Dry run: nothing was changed.');
      expect(dry).toContain(`+\tinclude snippets/backsoon/server/backsoon.conf; ${MARKER}`);
      expectSameBut(before, await sandbox.snapshot(['/etc/nginx', '/var/www']), sandbox);

      const output = await ok(sandbox, await readmeInstall());
      console.log(`--- ${await readmeInstall()} on Debian's default site ---\n${output}`);
      expect(output).toContain(`passes requests to http://127.0.0.1:${app.port} (proxy_pass in location /)`);
      expect(output).toContain(
        `the shared probe asks HEAD /__backsoon/health to http://127.0.0.1:${app.port}: once a second for everyone, and once for each visitor's turn to go back`,
      );
      expect(output).toContain("Turns to go back follow the app's own pace");
      expect(output).not.toMatch(/rate the install wrote|yours to tune/);
      expect(output).toContain('nginx -t: the configuration with backsoon is valid.');
      expect(output).toMatch(/nginx reloaded \(nginx -s reload/);
      await until('the reload', async () => (await marker(sandbox.port)) === 'crash');

      // A visitor on the stopped app gets the page, with the real status, and comes back to the exact URL.
      const down = await fetch(url('/x'), { headers: BROWSER });
      expect([down.status, down.headers.get('x-backsoon')]).toEqual([502, 'crash']);
      await page.goto(url(DEEP));
      await expectBacksoonPage(page);
      await app.start();
      await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
      expect(page.url()).toBe(url(DEEP));

      // The probe answers from the app, with its header; the app got HEAD of a path it does not have, and nothing of the visitor's.
      // (The visitor's own checks may have filled this second's answer: ask until the app is asked.)
      const asked = app.requests.length;
      let probe: Response | undefined;
      await until('a probe that reaches the app', async () => {
        probe = await fetch(url('/__backsoon/probe?slow=5'), { method: 'HEAD', headers: { cookie: 'session=1' } });
        return app.requests.length > asked;
      });
      expect([probe!.status, probe!.headers.get('x-backsoon-probe')]).toEqual([200, '1']);
      expect(app.requests.at(-1)).toMatchObject({ method: 'HEAD', url: '/__backsoon/health' });
      expect(app.requests.at(-1)!.headers.cookie).toBeUndefined();

      // Planned maintenance works at once: the install put in the include, the staff file and the cookie line.
      await ok(sandbox, 'sudo backsoon down --root /var/www/html --message "New database"');
      const maintenance = await fetch(url('/x'), { headers: BROWSER });
      expect([maintenance.status, maintenance.headers.get('x-backsoon')]).toEqual([503, 'maintenance']);
      await ok(sandbox, 'sudo backsoon up --root /var/www/html');
      expect((await fetch(url('/x'))).status).toBe(200);

      // 200 waiting visitors, each from an address of its own, asking once a second: about one probe a second reaches the app.
      const probesBefore = app.requests.filter((r) => r.method === 'HEAD').length;
      const started = Date.now();
      for (let second = 0; second < 5; second++) {
        await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            rawRequest(sandbox.port, { method: 'HEAD', path: '/__backsoon/probe', localAddress: `127.0.3.${i + 1}` }),
          ),
        );
        await new Promise((r) => setTimeout(r, Math.max(0, started + (second + 1) * 1000 - Date.now())));
      }
      const seconds = (Date.now() - started) / 1000;
      const probes = app.requests.filter((r) => r.method === 'HEAD').length - probesBefore;
      console.log(
        `debian install | 200 visitors × 5 checks in ${seconds.toFixed(1)} s: ${probes} probe requests reached the app`,
      );
      expect(probes).toBeLessThanOrEqual(Math.ceil(seconds) + 2);

      // `check` finds nothing wrong, and has no rate to speak of: turns follow the app's own pace.
      const checked = await ok(sandbox, 'sudo backsoon check');
      expect(checked).not.toMatch(/\brate\b/);
      expect(checked).toContain('No problem found in 1 server block(s).');
    } finally {
      await app.stop();
      await sandbox.destroy();
    }
  });

  test('twice in a row changes nothing; the uninstall puts every file back byte for byte but what the operator made meanwhile', async () => {
    const app = new DemoApp(await freePort());
    const sandbox = await debianSite(app);
    try {
      const before = await sandbox.snapshot(['/etc/nginx', '/var/www', '/var/lib/nginx']);
      await ok(sandbox, 'sudo backsoon install --nginx --reload');
      const installed = await sandbox.snapshot(['/etc/nginx', '/var/www']);
      const again = await ok(sandbox, 'sudo backsoon install --nginx --reload');
      console.log(`--- the second run ---\n${again}`);
      expect(again).toContain('Nothing to do: every server block above has the kit, and every file is up to date.');
      expect(again).not.toContain('nginx reloaded');
      expectSameBut(installed, await sandbox.snapshot(['/etc/nginx', '/var/www']), sandbox);

      // The operator brands the page and starts a maintenance.
      await writeFile(sandbox.path('/var/www/html/__backsoon/brand.css'), ':root { --backsoon-accent: #0a7d55; }\n');
      await ok(sandbox, 'sudo backsoon down --root /var/www/html');
      const refused = await sandbox.run('sudo backsoon uninstall --nginx --reload');
      expect(refused.status).toBe(1);
      expect(refused.output).toContain('maintenance is on: after the uninstall nginx no longer answers 503 for it');
      expect(refused.output).toContain('/var/www/html/__backsoon/brand.css: edited, kept');

      const output = await ok(sandbox, 'sudo backsoon uninstall --nginx --reload --yes');
      console.log(`--- uninstall --nginx --yes ---\n${output}`);
      expect(output).toContain('back as it was before the install (its backup)');
      expect(output).toMatch(
        /__backsoon keeps what is yours: brand\.css \(edited\), maintenance\.on \(maintenance is on\)/,
      );
      // Byte for byte: nginx's files, the site's folder, nginx's own folder (its probe cache gone); the operator's files kept.
      expectSameBut(before, await sandbox.snapshot(['/etc/nginx', '/var/www', '/var/lib/nginx']), sandbox, [
        '/var/www/html/__backsoon',
        '/var/www/html/__backsoon/brand.css',
        '/var/www/html/__backsoon/maintenance.on',
      ]);
      expect(await text(sandbox, '/var/www/html/__backsoon/brand.css')).toContain('#0a7d55');
      await until('the reload', async () => (await marker(sandbox.port)) === undefined);
    } finally {
      await app.stop();
      await sandbox.destroy();
    }
  });

  test('a failing nginx -t: every file back byte for byte, nothing reloaded, and why', async () => {
    const app = new DemoApp(await freePort());
    // The operator serves something of their own at /__backsoon/, which the kit's location duplicates.
    const sandbox = await debianSite(app, (site) =>
      site.replace('\tlocation / {', '\tlocation /__backsoon/ {\n\t\treturn 404;\n\t}\n\n\tlocation / {'),
    );
    try {
      const before = await sandbox.snapshot(['/etc/nginx', '/var/www', '/var/lib/nginx']);
      const pid = await sandbox.masterPid();
      const { status, output } = await sandbox.run('sudo backsoon install --nginx --reload');
      console.log(`--- a failing nginx -t ---\n${output.split('\n').slice(-6).join('\n')}`);
      expect(status).toBe(1);
      expect(output).toContain('duplicate location "/__backsoon/"');
      expect(output).toContain("every URL under /__backsoon/ is the kit's");
      expect(output).toContain(
        'nginx -t failed: every file is back as it was before the command (nothing was reloaded)',
      );
      expectSameBut(before, await sandbox.snapshot(['/etc/nginx', '/var/www', '/var/lib/nginx']), sandbox);
      expect(await sandbox.masterPid()).toBe(pid);
    } finally {
      await sandbox.destroy();
    }
  });
  test('an older install’s turns at a rate, its rate tuned by the operator: check says so, and install --nginx upgrades them to turns at the app’s pace', async () => {
    const app = new DemoApp(await freePort());
    const sandbox = await debianSite(app);
    const PROBE_HTTP = '/etc/nginx/conf.d/backsoon-probe.conf';
    const WINDOW = 'limit_conn_zone $backsoon_admit_key zone=backsoon_turns:1m;';
    const RATE = (rate: number): string => `limit_req_zone $backsoon_admit_key zone=backsoon_admit:1m rate=${rate}r/s;`;
    const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
    try {
      await ok(sandbox, 'sudo backsoon install --nginx --reload');
      const installed = await text(sandbox, PROBE_HTTP);

      // What an older install left: its http file (its header, turns at 40 a second) with the record of it, and the
      // location snippet's limit_req on that zone. The operator then tuned the rate, as that install told them they may.
      const older = [
        '# Written by `backsoon install --nginx` (backsoon 0.0.9) from snippets/backsoon/http/backsoon-probe.conf,',
        `# with the probe's cache in ${sandbox.path('/var/lib/nginx/backsoon-probe')} and turns to go back at`,
        '# 40 a second: a rate the install wrote, yours to tune (a little under what',
        '# your app serves in a second). An upgrade rewrites this file only while it is as written here.',
        '',
        installed.slice(installed.indexOf('\n\n') + 2).replace(WINDOW, RATE(40)),
      ].join('\n');
      expect(older).toContain(RATE(40));
      await writeFile(sandbox.path(PROBE_HTTP), older.replace(RATE(40), RATE(25)));
      const recordPath = sandbox.path('/etc/nginx/backsoon-install/record.json');
      const record = JSON.parse(await readFile(recordPath, 'utf8')) as {
        files: { path: string; sha256: string }[];
        rate?: number;
      };
      record.files.find((f) => f.path === sandbox.path(PROBE_HTTP))!.sha256 = sha256(older);
      record.rate = 40;
      await writeFile(recordPath, JSON.stringify(record, null, 2));
      const location = sandbox.path('/etc/nginx/snippets/backsoon/location/backsoon-probe.conf');
      await writeFile(
        location,
        (await readFile(location, 'utf8')).replace(
          'limit_conn backsoon_turns 4;',
          'limit_req zone=backsoon_admit burst=80 nodelay;',
        ),
      );
      await ok(sandbox, 'sudo nginx -t && sudo nginx -s reload');

      const before = await ok(sandbox, 'sudo backsoon check');
      expect(before).toMatch(
        /note {4}turns at a fixed rate from an older backsoon \(\S*\/etc\/nginx\/conf\.d\/backsoon-probe\.conf:\d+ \(included at \S*nginx\.conf:\d+\)\): the kit's probe now paces turns by the app's own answers; reinstall \(`backsoon install --nginx`\) or replace the http file, and remove this zone/,
      );
      expect(before).toContain('No problem found in 1 server block(s).');

      const output = await ok(sandbox, 'sudo backsoon install --nginx --reload');
      console.log(`--- install --nginx over an older install's turns at a rate ---\n${output}`);
      expect(output).toContain(`upgrade ${sandbox.path(PROBE_HTTP)}: the probe's cache`);
      expect(output).toContain(`upgrade ${sandbox.path('/etc/nginx/snippets/backsoon')}/ (the kit's snippets)`);
      expect(output).toMatch(
        /turns at a fixed rate \(25r\/s\) from an older backsoon \(\S*backsoon-probe\.conf:\d+ .*\): upgraded with its file, the turns now follow the app's own pace/,
      );
      expect(output).toContain('nginx -t: the configuration with backsoon is valid.');
      expect(await text(sandbox, PROBE_HTTP)).toBe(installed);
      expect(JSON.parse(await readFile(recordPath, 'utf8'))).not.toHaveProperty('rate');
      const after = await ok(sandbox, 'sudo backsoon check');
      expect(after).not.toMatch(/\brate\b/);

      // A turn is the probe's own request past the cache: the app answers it, HEAD of the path it does not have.
      // (Each from an address of its own: an address gets 2 turns a second.)
      await app.start();
      let visitor = 0;
      await until('the reload', async () => {
        const asked = app.requests.length;
        const turn = await rawRequest(sandbox.port, {
          method: 'HEAD',
          path: '/__backsoon/probe?admit=1',
          localAddress: `127.0.5.${++visitor}`,
        });
        return turn.status === 200 && turn.headers['x-backsoon-probe'] === '1' && app.requests.length > asked;
      });
      expect(app.requests.at(-1)).toMatchObject({ method: 'HEAD', url: '/__backsoon/health' });
    } finally {
      await app.stop();
      await sandbox.destroy();
    }
  });
});

test('upgrades under a visitor’s loop: install --nginx again, from an older folder, install --root: never nginx’s own page', async ({}, testInfo) => {
  test.setTimeout(60_000);
  const app = new DemoApp(await freePort());
  const sandbox = await debianSite(app);
  const html = sandbox.path('/var/www/html');
  try {
    await ok(sandbox, 'sudo backsoon install --nginx --reload');
    await until('the reload', async () => (await marker(sandbox.port, '/during')) === 'crash');
    const counts: string[] = [];
    const measure = async (name: string, lines: string, mark: string): Promise<void> => {
      const visitor = visitorLoop(sandbox.port, '/during');
      await new Promise((r) => setTimeout(r, 200));
      await ok(sandbox, lines);
      await until('the new page', async () =>
        (await rawRequest(sandbox.port, { path: '/during', headers: BROWSER })).body.includes(`content="${mark}"`),
      );
      await new Promise((r) => setTimeout(r, 200));
      const seen = await visitor.stop();
      counts.push(`${name}: ${seen.stock} of nginx's own in ${seen.backsoon + seen.stock + seen.other.length}`);
      expect(seen.other).toEqual([]);
      expect(seen.stock, name).toBe(0);
      expect(seen.backsoon).toBeGreaterThan(50);
    };

    await measure(
      'install --nginx, a newer build',
      `sudo backsoon install --nginx --reload --dist ${await newBuild(testInfo.outputPath('v2'), 'v2')}`,
      'v2',
    );
    expect((await lstat(join(html, '__backsoon'))).isSymbolicLink()).toBe(true);

    // An install from before the link (a plain folder), upgraded: the folder becomes the link in one step.
    const release = join(html, await readlink(join(html, '__backsoon')));
    spawnSync('bash', ['-c', `rm ${join(html, '__backsoon')} && cp -a ${release} ${join(html, '__backsoon')}`]);
    await writeFile(join(html, '__backsoon/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect((await lstat(join(html, '__backsoon'))).isDirectory()).toBe(true);
    await measure(
      'install --nginx over a folder',
      `sudo backsoon install --nginx --reload --dist ${await newBuild(testInfo.outputPath('v3'), 'v3')}`,
      'v3',
    );
    expect((await lstat(join(html, '__backsoon'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(html, '__backsoon/logo.svg'), 'utf8')).toContain('<svg');

    await measure(
      'install --root',
      `sudo backsoon install --root /var/www/html --no-snippets --dist ${await newBuild(testInfo.outputPath('v4'), 'v4')}`,
      'v4',
    );
    console.log(`upgrades under load | ${counts.join(' | ')}`);
  } finally {
    await app.stop();
    await sandbox.destroy();
  }
});

test('nginx.org’s layout: conf.d/default.conf, no sites-enabled, the cache in /var/cache/nginx; the uninstall byte for byte', async () => {
  const app = new DemoApp(await freePort());
  const sandbox = await DebianSandbox.nginxOrg(await freePort(), (site) =>
    site.replace(
      /location \/ \{\n\s*root\s+\/usr\/share\/nginx\/html;\n\s*index\s+index\.html index\.htm;\n\s*\}/,
      `location / {\n        proxy_pass http://127.0.0.1:${app.port};\n    }`,
    ),
  );
  const url = (path: string): string => `http://127.0.0.1:${sandbox.port}${path}`;
  try {
    await sandbox.start();
    const before = await sandbox.snapshot(['/etc/nginx', '/var/cache/nginx', '/usr/share/nginx']);
    const output = await ok(sandbox, 'sudo backsoon install --nginx --reload');
    console.log(`--- install --nginx on nginx.org's layout ---\n${output}`);
    expect(output).toContain(
      `has no root: the page goes under nginx's default one, ${sandbox.path('/etc/nginx/html')}`,
    );
    expect(output).toMatch(/backsoon's pages come before error_page 500 502 503 504 \/50x\.html .* for 502, 503, 504/);
    expect(await text(sandbox, '/etc/nginx/conf.d/backsoon-probe.conf')).toContain(
      `proxy_cache_path ${sandbox.path('/var/cache/nginx/backsoon-probe')} levels=1`,
    );
    await until('the reload', async () => (await marker(sandbox.port)) === 'crash');
    const down = await fetch(url('/x'), { headers: BROWSER });
    expect([down.status, down.headers.get('x-backsoon')]).toEqual([502, 'crash']);
    await app.start();
    const probe = await fetch(url('/__backsoon/probe'), { method: 'HEAD' });
    expect([probe.status, probe.headers.get('x-backsoon-probe')]).toEqual([200, '1']);
    expect(existsSync(sandbox.path('/var/cache/nginx/backsoon-probe'))).toBe(true);

    await ok(sandbox, 'sudo backsoon uninstall --nginx --reload');
    expectSameBut(before, await sandbox.snapshot(['/etc/nginx', '/var/cache/nginx', '/usr/share/nginx']), sandbox);
  } finally {
    await app.stop();
    await sandbox.destroy();
  }
});

/** An HTTPS request to the sandbox's TLS server (its certificate is self-signed, made by the test). */
function https(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        rejectUnauthorized: false,
        servername: 'example.test',
        headers: { host: 'example.test', ...BROWSER },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('a hand-written nginx.conf: an upstream, listen 443 ssl, a redirect, included sites, apps under uWSGI and FastCGI', async () => {
  test.setTimeout(60_000);
  const app = new DemoApp(await freePort());
  const [http, tls, api, fcgi, statics] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const sandbox = await DebianSandbox.handWritten(http, {
    '/srv/nginx/nginx.conf': `load_module /usr/lib/nginx/modules/ngx_http_js_module.so;
user www-data;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events { worker_connections 256; }

http {
    include mime.types;
    client_body_temp_path /var/lib/nginx/body; proxy_temp_path /var/lib/nginx/proxy; fastcgi_temp_path /var/lib/nginx/fastcgi; uwsgi_temp_path /var/lib/nginx/uwsgi; scgi_temp_path /var/lib/nginx/scgi;
    access_log /var/log/nginx/access.log;

    upstream app {
        server 127.0.0.1:${app.port};
    }

    # Plain HTTP goes to HTTPS.
    server {
        listen 127.0.0.1:${http};
        server_name example.test;
        return 301 https://$host:${tls}$request_uri;
    }

    server {
        listen 127.0.0.1:${tls} ssl;
        server_name example.test;
        ssl_certificate /srv/tls/cert.pem;
        ssl_certificate_key /srv/tls/key.pem;
        root /srv/www;

        location / {
            proxy_pass http://app;
            proxy_set_header Host $host;
        }
        location /static/ {
            expires 1d;
        }
    }

    include sites/*.conf;
}
`,
    '/srv/nginx/sites/api.conf': `# The API: a Python app under uWSGI, on a unix socket.
server {
  listen 127.0.0.1:${api};
  server_name api.example.test;
  root /srv/api;
  location / {
    include uwsgi_params;
    uwsgi_pass unix:/srv/run/api.sock;
  }
}
`,
    '/srv/nginx/sites/legacy.conf': `server {
    listen 127.0.0.1:${fcgi};
    server_name legacy.example.test;
    root /srv/legacy;
    location / {
        include fastcgi_params;
        fastcgi_pass unix:/srv/run/legacy.sock;
    }
}
`,
    '/srv/nginx/sites/static.conf': `server {\n    listen 127.0.0.1:${statics};\n    root /srv/static;\n}\n`,
  });
  const uwsgi = await UwsgiApp.create('uwsgi', sandbox.path('/srv/run/api.sock'));
  const fastcgi = await UwsgiApp.create('fastcgi', sandbox.path('/srv/run/legacy.sock'));
  try {
    for (const file of ['mime.types', 'uwsgi_params', 'fastcgi_params'])
      await copyFile(`/etc/nginx/${file}`, sandbox.path(`/srv/nginx/${file}`));
    for (const dir of ['/srv/tls', '/srv/www', '/srv/api', '/srv/legacy', '/srv/static', '/srv/run'])
      await mkdir(sandbox.path(dir), { recursive: true });
    const cert = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=example.test',
        '-keyout',
        sandbox.path('/srv/tls/key.pem'),
        '-out',
        sandbox.path('/srv/tls/cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(cert.status, cert.stderr).toBe(0);
    await sandbox.start();
    const before = await sandbox.snapshot(['/srv']);

    const output = await ok(sandbox, 'sudo backsoon install --nginx --reload');
    console.log(`--- install --nginx on a hand-written nginx.conf ---\n${output}`);
    expect(output).toContain('server example.test (listen 127.0.0.1:' + http + ')');
    expect(output).toContain('passes no request to an app: left as it is');
    expect(output).toContain('adds the page on 502 and 504, planned maintenance, the hold, the shared probe');
    expect(output).toContain('the shared probe asks HEAD /__backsoon/health to http://app');
    expect(output).toContain(
      `the shared probe asks HEAD /__backsoon/health over uwsgi to unix:${sandbox.path('/srv/run/api.sock')} (Host api.example.test)`,
    );
    expect(output).toContain(
      `the shared probe asks HEAD / over FastCGI to unix:${sandbox.path('/srv/run/legacy.sock')} (Host legacy.example.test)`,
    );
    // Over FastCGI the probe asks PHP's way in, a page: the report says each turn costs one.
    expect(output).toContain(
      'each turn to go back costs the app a page (HEAD /): name a cheap script with --health, one that touches nothing',
    );
    expect(await text(sandbox, '/srv/nginx/nginx.conf')).toContain(`    include conf.d/backsoon-*.conf; ${MARKER}`);
    // The redirect's block is as it was.
    expect(await text(sandbox, '/srv/nginx/nginx.conf')).toContain(
      `        server_name example.test;\n        return 301 https://$host:${tls}$request_uri;\n    }`,
    );

    // A form is never held: it gets the page at once, through HTTPS and the upstream block.
    await until('the reload', async () => (await https(tls, '/x', 'POST')).headers['x-backsoon'] === 'crash');
    expect((await https(tls, '/x', 'POST')).status).toBe(502);
    // njs is loaded, so the install added the hold: a GET during a restart waits for the app instead of the page.
    const held = https(tls, '/held');
    await new Promise((r) => setTimeout(r, 700));
    await app.start();
    const answer = await held;
    expect([answer.status, answer.body]).toEqual([
      200,
      expect.stringContaining('You asked for <code id="asked">/held</code>'),
    ]);
    const probe = await https(tls, '/__backsoon/probe', 'HEAD');
    expect([probe.status, probe.headers['x-backsoon-probe']]).toEqual([200, '1']);

    // uWSGI and FastCGI: the page while the app is down, the probe over the app's own protocol once it is up, once for many.
    for (const [port, server, asked] of [
      [api, uwsgi, 'HEAD /__backsoon/health api.example.test'],
      [fcgi, fastcgi, 'HEAD / legacy.example.test'],
    ] as const) {
      const down = await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', headers: BROWSER });
      expect([down.status, down.headers.get('x-backsoon')]).toEqual([502, 'crash']);
      await server.start();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          rawRequest(port, { method: 'HEAD', path: '/__backsoon/probe', localAddress: `127.0.4.${i + 1}` }),
        ),
      );
      expect(answers.map((a) => `${a.status} ${String(a.headers['x-backsoon-probe'])}`)).toEqual(
        Array(50).fill('200 1'),
      );
      const got = (await server.requests()).filter((r) => r.startsWith('HEAD'));
      console.log(`${server.protocol} probe | 50 probes at once: the app got ${got.length} (${got.join(', ')})`);
      expect(got.length).toBeLessThanOrEqual(2);
      expect(got[0]).toBe(asked);
      expect(await (await fetch(`http://127.0.0.1:${port}/page`)).text()).toContain('The Python app is up');
    }

    const again = await ok(sandbox, 'sudo backsoon install --nginx --reload');
    expect(again).toContain('Nothing to do');

    await ok(sandbox, 'sudo backsoon uninstall --nginx --reload');
    const after = await sandbox.snapshot(['/srv']);
    // The app servers' sockets are theirs, not the install's.
    for (const socket of ['/srv/run/api.sock', '/srv/run/legacy.sock']) after.delete(sandbox.path(socket));
    expectSameBut(before, after, sandbox);
  } finally {
    await Promise.all([app.stop(), uwsgi.destroy(), fastcgi.destroy()]);
    await sandbox.destroy();
  }
});
