import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { writeRelease } from '../scripts/release.js';
import { BROWSER, expect, test } from './fixtures.js';

// The package and the release archive, tested from the packed artifacts in
// fresh folders, never from the repository: `npm pack` → `npm install` →
// `npx backsoon …` → a real nginx; `npm run release` → tar → cp → nginx.
// The README's commands are read from the README itself and run with the
// paths of the test's folders.

const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function sh(command: string, cwd: string): Run {
  const result = spawnSync('bash', ['-c', command], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ok(command: string, cwd: string): string {
  const run = sh(command, cwd);
  if (run.status !== 0) throw new Error(`${command}\nexited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** The lines of the README's `sh` blocks in a section, in order. */
async function readmeBlocks(section: string): Promise<string[][]> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(`## ${section}\n`);
  const body = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block!.trim().split('\n'));
}

/** What `npx backsoon` runs once the package is installed in the folder: called directly, without npm's start-up. */
const BIN = 'node_modules/.bin/backsoon';

/** A work folder per test, removed after it. */
let work: string;
let packFolder: string;
let packed: { filename: string; size: number; files: { path: string }[] };

test.beforeAll(async () => {
  const folder = (packFolder = await mkdtemp(join(tmpdir(), 'backsoon-pack-')));
  // --ignore-scripts: the package's prepack would rebuild dist/ under the other tests' feet; the global setup has just built it (e2e/global-setup.ts).
  const out = ok(`npm pack --ignore-scripts --json --pack-destination ${folder}`, REPO);
  const [result] = JSON.parse(out) as (typeof packed)[];
  if (!result) throw new Error(`npm pack said nothing:\n${out}`);
  packed = { ...result, filename: join(folder, result.filename) };
});

test.afterAll(async () => {
  await rm(packFolder, { recursive: true, force: true });
});

test.beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'backsoon-pkg-'));
  await chmod(work, 0o755);
});

test.afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Installs the packed package in a fresh folder, as `npx` would, with no network. */
async function installPackage(): Promise<string> {
  const site = join(work, 'site');
  await mkdir(site);
  await writeFile(join(site, 'package.json'), '{ "private": true }\n');
  ok(`npm install --offline --no-audit --no-fund ${packed.filename}`, site);
  return site;
}

/** A minimal main nginx.conf in `conf`, including `sites-enabled/*` as Debian's does. */
async function debianLikeNginx(conf: string, extraHttp = ''): Promise<string> {
  await mkdir(join(conf, 'sites-enabled'), { recursive: true });
  await mkdir(join(conf, 'tmp'), { recursive: true });
  const main = join(conf, 'nginx.conf');
  await writeFile(
    main,
    `pid ${conf}/nginx.pid;
error_log ${conf}/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${conf}/tmp/${t};`).join(' ')}
    ${extraHttp}
    include ${conf}/sites-enabled/*;
}
`,
  );
  return main;
}

async function fetchPage(
  url: string,
  accept = BROWSER.accept,
): Promise<{ status: number; marker: string | null; body: string }> {
  const response = await fetch(url, { headers: { accept } });
  return { status: response.status, marker: response.headers.get('x-backsoon'), body: await response.text() };
}

test('npm pack: the built page, every server’s snippets and the command, nothing else; it installs alone and runs without a build', async () => {
  const files = packed.files.map((f) => f.path);
  for (const needed of [
    'dist/index.html',
    'dist/index.html.gz',
    'dist/maintenance.html',
    'dist/sw-kill.js',
    'cli/dist/backsoon.js',
    'nginx-snippets/server/backsoon.conf',
    'caddy-snippets/backsoon.caddy',
    'haproxy-snippets/haproxy.cfg',
    'apache-snippets/backsoon.conf',
    'src/page/backsoon-page.ts',
    'vite.config.ts',
  ]) {
    expect(files).toContain(needed);
  }
  expect(
    files.filter((f) =>
      /\.test\.ts$|^(e2e|bench|docs|node_modules)\/|^(scripts|test-support)\/|^cli\/(?!dist\/)|^[a-z]+-snippets\/.*\.ts$/.test(
        f,
      ),
    ),
  ).toEqual([]);
  // 241 KB when last measured (the other servers' probes and the command grew
  // it); the pages' .gz and .br copies (51 KB, already compressed) are a
  // fifth of it.
  expect(packed.size).toBeLessThan(256 * 1024);

  const site = await installPackage();
  expect((await readdir(join(site, 'node_modules'))).filter((name) => !name.startsWith('.'))).toEqual(['backsoon']);
  expect(ok('npx backsoon --version', site).trim()).toBe(version);
  // npx straight from the archive, as from the registry: nothing else is fetched.
  expect(ok(`npx --yes --offline --package=${packed.filename} backsoon --version`, work).trim()).toBe(version);
});

test('the README’s three commands on Debian’s default site, then the app behind it: the page, check, maintenance, an upgrade', async ({
  app,
}) => {
  const site = await installPackage();
  const conf = join(work, 'etc-nginx');
  const www = join(work, 'www');
  await mkdir(www);
  const main = await debianLikeNginx(conf, `include ${conf}/snippets/backsoon/http/backsoon-staff.conf;`);
  const defaultSite = join(conf, 'sites-enabled/default');
  await cp('/etc/nginx/sites-available/default', defaultSite);

  const [install, include, checkAndReload] = (await readmeBlocks('Install from the package'))[0] ?? [];
  // The test's folders stand in for /var/www/html and /etc/nginx; the snippets never go to the real /etc/nginx.
  const here = (line: string): string =>
    line
      .replaceAll('sudo ', '')
      .replace(/npx (--yes )?backsoon(@latest)?/g, BIN)
      .replaceAll('/etc/nginx/sites-available/default', defaultSite)
      .replace(/install --root \/var\/www\/html/, `install --root ${www} --snippets ${conf}/snippets/backsoon`)
      .replace('nginx -t', `nginx -t -q -p ${conf} -c ${main}`)
      .replace(`${BIN} check`, `${BIN} check -c ${main} -p ${conf}`)
      .replace('systemctl reload nginx', 'true');

  const installed = ok(here(install!), site);
  expect(installed).toContain(`backsoon ${version}: the page is installed in ${www}/__backsoon/`);
  expect(installed).toContain(`include ${conf}/snippets/backsoon/server/backsoon.conf;`);
  expect(installed).toContain('nginx -t && npx backsoon check && nginx -s reload');
  // With maintenance, check fails a location that gives the app the bypass cookie: install says the line.
  expect(installed).toContain('    proxy_set_header Cookie $backsoon_app_cookie;\n');

  ok(here(include!), site);
  ok(here(include!), site);
  let edited = await readFile(defaultSite, 'utf8');
  expect(
    edited.match(/^\troot \/var\/www\/html;\n\tinclude snippets\/backsoon\/server\/backsoon\.conf;$/gm),
  ).toHaveLength(1);
  // Planned maintenance, with the line install printed for it, below the first.
  const maintenanceLine = /^ {4}(include \S+backsoon-maintenance\.conf;)$/m.exec(installed)![1]!;
  edited = edited.replace('\tinclude snippets/backsoon/server/backsoon.conf;\n', `$&\t${maintenanceLine}\n`);

  // This machine's stand-ins for port 80 and /var/www/html.
  const port = await freePort();
  await writeFile(
    defaultSite,
    edited
      .replace(/^\tlisten 80 default_server;$/m, `\tlisten 127.0.0.1:${port} default_server;`)
      .replace(/^\tlisten \[::\]:80 default_server;$/m, '')
      .replace(/^\troot \/var\/www\/html;$/m, `\troot ${www};`),
  );
  const checked = ok(here(checkAndReload!), site);
  expect(checked).toContain('ok      backsoon is included, with planned maintenance');
  expect(checked).toContain('No problem found in 1 server block(s).');

  // The site's own next step: its location passes requests to the app.
  await writeFile(
    defaultSite,
    (await readFile(defaultSite, 'utf8')).replace(
      'try_files $uri $uri/ =404;',
      `proxy_pass http://127.0.0.1:${app.port};`,
    ),
  );
  const nginx = new RunningNginx(port, conf, www, main);
  await nginx.resume();
  try {
    const down = await fetchPage(nginx.url('/account?tab=2'));
    expect([down.status, down.marker]).toEqual([502, 'crash']);
    expect(down.body).toContain('<backsoon-page kind="crash"');

    // down asks nginx (nginx -T) whether the server block shows the maintenance page: this test's nginx.
    const switched = ok(`${BIN} down --root ${www} -c ${main} -p ${conf} --message "New database" --until 15m`, site);
    expect(switched).toContain('Visitors get the maintenance page (503)');
    const planned = await fetchPage(nginx.url('/account'));
    expect([planned.status, planned.marker]).toEqual([503, 'maintenance']);
    expect(await (await fetch(nginx.url('/__backsoon/maintenance.json'))).json()).toMatchObject({
      message: 'New database',
    });
    expect(ok(`${BIN} status --root ${www}`, site)).toContain('message: New database');

    const upgraded = ok(here(install!), site);
    expect(upgraded).toContain(`the page is upgraded in place in ${www}/__backsoon/`);
    expect((await fetchPage(nginx.url('/account'))).marker).toBe('maintenance');

    ok(`${BIN} up --root ${www}`, site);
    await app.start();
    const back = await fetchPage(nginx.url('/account'));
    expect([back.status, back.marker]).toEqual([200, null]);
  } finally {
    await nginx.halt();
  }
});

test('npm run release: the archive, unpacked in a fresh folder and copied as the README says, serves the page; the manual upgrade keeps what is the operator’s', async ({
  app,
}) => {
  const archive = await writeRelease(work);
  expect(archive).toBe(join(work, `backsoon-${version}.tar.gz`));
  const listing = ok(`tar -tzf ${archive}`, work).trim().split('\n');
  for (const needed of [
    'dist/index.html',
    'nginx-snippets/server/backsoon.conf',
    'caddy-snippets/backsoon.caddy',
    'haproxy-snippets/haproxy.cfg',
    'apache-snippets/backsoon.conf',
    'README.md',
  ]) {
    expect(listing).toContain(`backsoon-${version}/${needed}`);
  }
  expect(listing.filter((f) => /node_modules|\.ts$|^[^/]+\/(src|cli|e2e)\//.test(f))).toEqual([]);

  const conf = join(work, 'etc-nginx');
  const www = join(work, 'www');
  await mkdir(join(conf, 'snippets'), { recursive: true });
  await mkdir(www);
  const here = (line: string): string =>
    line
      .replaceAll('sudo ', '')
      .replaceAll('/var/www/html', www)
      .replaceAll('/etc/nginx/snippets/backsoon', `${conf}/snippets/backsoon`)
      .replaceAll('backsoon-0.1.0', `backsoon-${version}`)
      .replaceAll('backsoon-0.2.0', `backsoon-${version}`);
  const [, unpackAndCopy, upgradeByHand] = await readmeBlocks('Install from the package');
  ok(here(unpackAndCopy!.join('\n')), work);

  const main = await debianLikeNginx(conf);
  const port = await freePort();
  await writeFile(
    join(conf, 'sites-enabled/site'),
    `server {\n    listen 127.0.0.1:${port};\n    root ${www};\n    include snippets/backsoon/server/backsoon.conf;\n    location / { proxy_pass http://127.0.0.1:${app.port}; }\n}\n`,
  );
  const nginx = new RunningNginx(port, conf, www, main);
  await nginx.resume();
  try {
    const down = await fetchPage(nginx.url('/x'));
    expect([down.status, down.marker]).toEqual([502, 'crash']);
    expect(down.body).toContain('<backsoon-page kind="crash"');

    await writeFile(join(www, '__backsoon/brand.css'), ':root { --backsoon-accent: #0a7d55; }');
    await writeFile(join(www, '__backsoon/maintenance.on'), '');
    ok(here(upgradeByHand!.join('\n')), work);
    expect(await readFile(join(www, '__backsoon/brand.css'), 'utf8')).toContain('#0a7d55');
    expect(await readFile(join(www, '__backsoon/index.html'), 'utf8')).toBe(
      await readFile(join(work, `backsoon-${version}/dist/index.html`), 'utf8'),
    );
    expect(await readdir(join(www, '__backsoon'))).toContain('maintenance.on');
    expect((await readdir(www)).sort()).toEqual(['__backsoon']);
    expect((await fetchPage(nginx.url('/x'))).marker).toBe('crash');
  } finally {
    await nginx.halt();
  }
});

test('backsoon build from the package: names the build tools when they are missing, and builds a branded page once they are beside it', async () => {
  const site = await installPackage();
  await writeFile(
    join(site, 'backsoon.config.json'),
    JSON.stringify({ languages: ['de', 'en'], theme: { accent: '#0a7d55' } }),
  );

  const missing = sh(`${BIN} build --config backsoon.config.json --out brand`, site);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(
    /^backsoon build: the build tools are not installed beside backsoon \(missing: @gfx\/zopfli, lit, vite,/m,
  );
  expect(missing.stderr).toContain(`npm install backsoon@${version} @gfx/zopfli@'^1.0.15' lit@'`);

  // The tools beside the package, as `npm install` would put them: here the repository's own, linked (no network).
  for (const name of await readdir(join(REPO, 'node_modules'))) {
    if (name.startsWith('.') || name === 'backsoon') continue;
    await symlink(join(REPO, 'node_modules', name), join(site, 'node_modules', name));
  }
  const built = ok(`${BIN} build --config backsoon.config.json --out brand`, site);
  expect(built).toContain(`Built into ${join(site, 'brand')}/.`);
  const page = await readFile(join(site, 'brand/index.html'), 'utf8');
  expect(/<html lang="de">/.test(page), 'the page in German').toBe(true);
  expect(/--backsoon-accent:\s*#0a7d55/.test(page), 'the accent of the config').toBe(true);
  expect(await readdir(join(site, 'brand'))).toEqual(
    expect.arrayContaining(['sw.js', 'maintenance.html', 'index.html.gz', 'outage.json']),
  );
  // Nothing of the build lands in the package's own folder.
  expect(
    (await readFile(join(site, 'node_modules/backsoon/dist/index.html'), 'utf8')).includes('<html lang="en">'),
    'the package’s own page untouched',
  ).toBe(true);
});
