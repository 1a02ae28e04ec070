import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { writeRelease } from '../scripts/release.js';
import { readmeBlock } from './debian-sandbox.js';
import { BROWSER, expect, test } from './fixtures.js';

// The package and the release archive, tested from the packed artifacts in
// fresh folders, never from the repository: `npm pack` → `npm install` →
// `backsoon install --nginx` → a real nginx; `npm run release` → tar → the
// install by hand → nginx. The commands are read from the README and
// docs/install-by-hand.md and run with the paths of the test's folders.

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

test('the README’s two commands, from the packed package, on Debian’s default site with an app behind it: the page, check, maintenance, a second run', async ({
  app,
}) => {
  const site = await installPackage();
  const conf = join(work, 'etc-nginx');
  const www = join(work, 'www');
  await mkdir(www);
  await mkdir(join(conf, 'conf.d'), { recursive: true });
  const main = await debianLikeNginx(conf, `include ${conf}/conf.d/*.conf;`);
  const port = await freePort();
  // Debian's default site, on this machine's stand-ins for port 80 and /var/www/html, its location a proxy to the app.
  await writeFile(
    join(conf, 'sites-enabled/default'),
    (await readFile('/etc/nginx/sites-available/default', 'utf8'))
      .replace(/^\tlisten 80 default_server;$/m, `\tlisten 127.0.0.1:${port} default_server;`)
      .replace(/^\tlisten \[::\]:80 default_server;$/m, '')
      .replace(/^\troot \/var\/www\/html;$/m, `\troot ${www};`)
      .replace('try_files $uri $uri/ =404;', `proxy_pass http://127.0.0.1:${app.port};`),
  );

  const [[installPackageLine, installLine]] = (await readmeBlocks('Install')) as [[string, string]];
  // The package is installed above (npm install of the packed archive stands in for the registry's).
  expect(installPackageLine).toBe('sudo npm install --global backsoon');
  const nginxFlags = `-c ${main} -p ${conf}`;
  const here = (line: string): string =>
    `${line.replaceAll('sudo ', '').replace(/^backsoon /, `${BIN} `)} ${nginxFlags}`;

  const nginx = new RunningNginx(port, conf, www, main);
  await nginx.resume();
  try {
    const installed = ok(here(installLine), site);
    expect(installed).toContain(`backsoon ${version}: install on nginx (${main})`);
    expect(installed).toContain('nginx -t: the configuration with backsoon is valid.');
    expect(installed).toContain(`The page is installed in ${www}/__backsoon/`);
    // The package's own snippets, beside nginx.conf.
    expect(await readdir(join(conf, 'snippets/backsoon'))).toEqual(['http', 'location', 'njs', 'server']);
    expect(await readdir(join(conf, 'snippets/backsoon/njs'))).toEqual(['backsoon-hold.js']);

    const deadline = Date.now() + 5000;
    while ((await fetchPage(nginx.url('/account?tab=2'))).marker !== 'crash' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const down = await fetchPage(nginx.url('/account?tab=2'));
    expect([down.status, down.marker]).toEqual([502, 'crash']);
    expect(down.body).toContain('<backsoon-page kind="crash"');
    const checked = ok(`${BIN} check ${nginxFlags}`, site);
    expect(checked).toContain('ok      backsoon is included, with planned maintenance');
    expect(checked).toContain('No problem found in 1 server block(s).');

    // down asks nginx (nginx -T) whether the server block shows the maintenance page: this test's nginx.
    const switched = ok(`${BIN} down --root ${www} -c ${main} -p ${conf} --message "New database" --until 15m`, site);
    expect(switched).toContain('Visitors get the maintenance page (503)');
    const planned = await fetchPage(nginx.url('/account'));
    expect([planned.status, planned.marker]).toEqual([503, 'maintenance']);
    expect(await (await fetch(nginx.url('/__backsoon/maintenance.json'))).json()).toMatchObject({
      message: 'New database',
    });
    expect(ok(`${BIN} status --root ${www}`, site)).toContain('message: New database');

    expect(ok(here(installLine), site)).toContain('Nothing to do');
    expect((await fetchPage(nginx.url('/account'))).marker).toBe('maintenance');

    ok(`${BIN} up --root ${www}`, site);
    await app.start();
    const back = await fetchPage(nginx.url('/account'));
    expect([back.status, back.marker]).toEqual([200, null]);
  } finally {
    await nginx.halt();
  }
});

test('npm run release: the archive, unpacked in a fresh folder and installed by hand as docs/install-by-hand.md says, serves the page; the same lines upgrade, keeping what is the operator’s', async ({
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
  const doc = await readFile(join(REPO, 'docs/install-by-hand.md'), 'utf8');
  const here = (line: string): string =>
    line
      .replaceAll('sudo ', '')
      .replaceAll('/var/www/html', www)
      .replaceAll('/var/www/backsoon', join(work, 'releases'))
      .replaceAll('/etc/nginx/snippets/backsoon', `${conf}/snippets/backsoon`)
      .replaceAll('backsoon-0.1.0', `backsoon-${version}`);
  const unpackAndCopy = here(`${readmeBlock(doc, 'unpack', 'e2e/package.spec.ts')}\n${readmeBlock(doc, 'copy')}`);
  ok(unpackAndCopy, work);

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
    ok(unpackAndCopy, work);
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
