import { existsSync } from 'node:fs';
import { lstat, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { DemoApp } from '../test-support/app.js';
import { REPO } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { DebianSandbox, insertAfterLine, readmeBlock } from './debian-sandbox.js';
import { BROWSER, DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// The install by hand (docs/install-by-hand.md), maintenance and upgrade,
// followed word for word on Debian's own default site and nginx.conf
// (e2e/debian/). The sandbox only moves Debian's paths into a temporary
// folder. (`backsoon install --nginx`, which does the same in one
// command, is e2e/nginx-install.spec.ts's.)

/** A token printed by `openssl rand -hex 24`, the staff file's recipe: 48 characters. */
const TOKEN = '736d4b5081a37ccfb017d36755b00a463b696643c9542ef2';

/** An operator's branding, written in the installed page's folder. */
const BRAND = ':root { --backsoon-accent: #0a7d55; }\n';

/** Marks the pages of the "new version" the upgrade installs. */
const NEW_BUILD = '<meta name="backsoon-test-build" content="2">';

/** Replaces the block that opens on the line `opening` (up to its closing brace) with `block`, indented like it. */
function replaceBlock(text: string, opening: string, block: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === opening);
  if (start < 0) throw new Error(`no "${opening}" in the site`);
  const indent = /^\s*/.exec(lines[start]!)![0];
  const end = lines.findIndex((line, i) => i > start && line === `${indent}}`);
  if (end < 0) throw new Error(`no end to "${opening}" in the site`);
  lines.splice(
    start,
    end - start + 1,
    ...block
      .trimEnd()
      .split('\n')
      .map((line) => indent + line),
  );
  return lines.join('\n');
}

/** Waits until `check` holds, polling: nginx applies a reload a moment after the signal. */
async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the install by hand, maintenance and upgrade work on Debian’s default site, word for word', async ({ page }) => {
  test.setTimeout(90_000);
  const readme = await readFile(join(REPO, 'docs/install-by-hand.md'), 'utf8');
  const app = new DemoApp(await freePort());
  const sandbox = await DebianSandbox.create(await freePort());
  const url = (path: string): string => `http://127.0.0.1:${sandbox.port}${path}`;
  const site = sandbox.path('/etc/nginx/sites-available/default');
  const html = sandbox.path('/var/www/html');
  const run = async (name: string): Promise<string> => {
    const { status, output } = await sandbox.run(readmeBlock(readme, name));
    expect(status, `docs/install-by-hand.md's block "${name}" failed:\n${output}`).toBe(0);
    return output;
  };

  try {
    await test.step('install: copy, add the include, turn the site into a proxy, check and start nginx', async () => {
      await run('copy');
      let text = await readFile(site, 'utf8');
      text = insertAfterLine(text, 'server_name _;', readmeBlock(readme, 'site-include'));
      text = replaceBlock(
        text,
        'location / {',
        readmeBlock(readme, 'site-location').replace('127.0.0.1:8000', `127.0.0.1:${app.port}`),
      );
      await writeFile(site, text);
      // One root: Debian's (a second is "duplicate" to nginx -t).
      expect(text.match(/^\s*root /gm)).toHaveLength(1);
      await sandbox.remapConfig();
      expect(await sandbox.masterPid()).toBeUndefined();
      const output = await run('load');
      expect(output).toContain('test is successful');
      expect(await sandbox.masterPid()).toBeDefined();
      expect(existsSync(join(html, '__backsoon/index.html'))).toBe(true);
      // The hold's script comes with the snippets (the hold's include reads it from there).
      expect(existsSync(sandbox.path('/etc/nginx/snippets/backsoon/njs/backsoon-hold.js'))).toBe(true);
    });

    await test.step('the page on a 502, and the return to the exact URL', async () => {
      const down = await fetch(url('/x'), { headers: BROWSER });
      expect([down.status, down.headers.get('x-backsoon')]).toEqual([502, 'crash']);
      await page.goto(url(DEEP));
      await expectBacksoonPage(page);
      await app.start();
      await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
      expect(page.url()).toBe(url(DEEP));
    });

    await test.step('at scale: the probe’s http half and its location, on Debian’s own layout', async () => {
      await run('probe-http');
      let text = await readFile(site, 'utf8');
      text = insertAfterLine(
        text,
        sandbox.remap(readmeBlock(readme, 'site-include').trim()),
        readmeBlock(readme, 'probe-location').replace('127.0.0.1:8000', `127.0.0.1:${app.port}`),
      );
      await writeFile(site, text);
      await sandbox.remapConfig();
      expect(await run('load')).toContain('test is successful');
      await until('the reload', async () => {
        const probe = await fetch(url('/__backsoon/probe'), { method: 'HEAD' });
        return probe.status === 200 && probe.headers.get('x-backsoon-probe') === '1';
      });
      expect(app.requests.at(-1)).toMatchObject({ method: 'HEAD', url: '/healthz' });
      // The cache folder nginx made where Debian lets it write.
      expect(existsSync(sandbox.path('/var/lib/nginx/backsoon-probe'))).toBe(true);
    });

    await test.step('maintenance: the staff file with a documented token, the include, the cookie line, a reload', async () => {
      await run('maintenance-staff');
      const staff = sandbox.path('/etc/nginx/conf.d/backsoon-staff.conf');
      // The README: add `"~^<token>\z"  1;` under `default 0;` of the token map.
      await writeFile(
        staff,
        (await readFile(staff, 'utf8')).replace(
          /(map \$backsoon_token \$backsoon_staff_token \{\n\s*default 0;)/,
          `$1\n    "~^${TOKEN}\\z"  1;`,
        ),
      );
      expect(await readFile(staff, 'utf8')).toContain(TOKEN);
      let text = await readFile(site, 'utf8');
      // (The include line as the sandbox moved it.)
      text = insertAfterLine(
        text,
        sandbox.remap(readmeBlock(readme, 'site-include').trim()),
        readmeBlock(readme, 'maintenance-include'),
      );
      text = insertAfterLine(text, 'include proxy_params;', readmeBlock(readme, 'maintenance-cookie'));
      await writeFile(site, text);
      await sandbox.remapConfig();
      const pid = await sandbox.masterPid();
      expect(await run('load')).toContain('test is successful');
      // Reloaded, not restarted: the same master.
      expect(await sandbox.masterPid()).toBe(pid);
      await until(
        'the reload',
        async () => (await fetch(url(`/__backsoon/bypass?token=${TOKEN}`), { redirect: 'manual' })).status === 302,
      );
    });

    await test.step('maintenance on: 503 for visitors, the app for staff, who never pass the cookie on', async () => {
      await run('maintenance-on');
      await writeFile(join(html, '__backsoon/maintenance.json'), JSON.stringify({ message: 'Moving house.' }));
      const visitor = await fetch(url('/x'), { headers: BROWSER });
      expect([visitor.status, visitor.headers.get('x-backsoon')]).toEqual([503, 'maintenance']);
      const link = await fetch(url(`/__backsoon/bypass?token=${TOKEN}`), { redirect: 'manual' });
      const cookie = (link.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect(cookie).toBe(`backsoon_bypass=${TOKEN}`);
      const staff = await fetch(url('/admin'), { headers: { cookie: `${cookie}; session=1` } });
      expect(staff.status).toBe(200);
      expect(app.requests.at(-1)).toMatchObject({ url: '/admin', headers: { cookie: 'session=1' } });
    });

    await test.step('upgrade: a new build replaces the page whole, while visitors keep getting whole pages', async () => {
      // Branding after the build, as docs/branding.md says: in place.
      await writeFile(join(html, '__backsoon/brand.css'), BRAND);
      await writeFile(join(html, '__backsoon/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
      const old = await readFile(join(sandbox.checkout, 'dist/maintenance.html'), 'utf8');
      for (const name of ['index.html', 'maintenance.html']) {
        const file = join(sandbox.checkout, 'dist', name);
        const text = (await readFile(file, 'utf8')).replace('<head>', `<head>${NEW_BUILD}`);
        await writeFile(file, text);
        await writeFile(`${file}.gz`, gzipSync(text, { level: 9 }));
        await writeFile(`${file}.br`, brotliCompressSync(text));
      }
      const fresh = await readFile(join(sandbox.checkout, 'dist/maintenance.html'), 'utf8');

      // A visitor reloading as fast as they can all through the upgrade.
      const seen = { old: 0, fresh: 0, nginx: 0, other: [] as string[] };
      let upgrading = true;
      const visitor = (async () => {
        while (upgrading) {
          const response = await fetch(url('/during'), { headers: BROWSER });
          const body = await response.text();
          if (response.status === 503 && body === old) seen.old++;
          else if (response.status === 503 && body === fresh) seen.fresh++;
          else if (response.status === 503 && body.includes('<center>nginx')) seen.nginx++;
          else seen.other.push(`${response.status} ${body.slice(0, 80)}`);
        }
      })();
      await run('copy');
      await sandbox.remapConfig();
      await run('load');
      await until(
        'the new page',
        async () => (await (await fetch(url('/after'), { headers: BROWSER })).text()) === fresh,
      );
      upgrading = false;
      await visitor;
      console.log(
        `debian upgrade | responses during it: ${seen.old} old page, ${seen.fresh} new page, ${seen.nginx} nginx's own 503`,
      );
      expect(seen.other).toEqual([]);
      expect(seen.nginx).toBe(0);
      expect(seen.old).toBeGreaterThan(0);

      // Replaced, not nested; nothing left beside it; maintenance still on, its message kept.
      expect(existsSync(join(html, '__backsoon/dist'))).toBe(false);
      expect((await readdir(html)).sort()).toEqual(['__backsoon']);
      expect((await lstat(join(html, '__backsoon'))).isSymbolicLink()).toBe(true);
      expect(await readdir(sandbox.path('/var/www/backsoon'))).toHaveLength(1);
      expect(existsSync(join(html, '__backsoon/maintenance.on'))).toBe(true);
      expect(await (await fetch(url('/__backsoon/maintenance.json'))).json()).toEqual({ message: 'Moving house.' });
      // The operator's branding is kept; the build's own files are the new ones.
      expect(await (await fetch(url('/__backsoon/brand.css'))).text()).toBe(BRAND);
      expect((await fetch(url('/__backsoon/logo.svg'))).status).toBe(200);
      expect(await (await fetch(url('/__backsoon/index.html'))).text()).toContain(NEW_BUILD);

      // Off, and the app down: the new crash page.
      await sandbox.run('sudo rm /var/www/html/__backsoon/maintenance.on');
      await app.stop();
      const crash = await fetch(url('/y'), { headers: BROWSER });
      expect(crash.status).toBe(502);
      expect(await crash.text()).toContain(NEW_BUILD);
    });
  } finally {
    await app.stop();
    await sandbox.destroy();
  }
});

test('an install made before these steps (a __backsoon folder) becomes a link, keeping what the operator added', async () => {
  const readme = await readFile(join(REPO, 'docs/install-by-hand.md'), 'utf8');
  const sandbox = await DebianSandbox.create(await freePort());
  const html = sandbox.path('/var/www/html');
  try {
    // The old README's step: `cp -r dist …/__backsoon`, then branding in place.
    expect((await sandbox.run('sudo cp -r dist /var/www/html/__backsoon')).status).toBe(0);
    await writeFile(join(html, '__backsoon/brand.css'), BRAND);
    for (const name of ['from-folder', 'copy']) {
      const { status, output } = await sandbox.run(readmeBlock(readme, name));
      expect(status, output).toBe(0);
    }
    expect((await lstat(join(html, '__backsoon'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(html, '__backsoon/brand.css'), 'utf8')).toBe(BRAND);
    expect(existsSync(join(html, '__backsoon/index.html'))).toBe(true);
    expect(await readdir(sandbox.path('/var/www/backsoon'))).toHaveLength(1);
  } finally {
    await sandbox.destroy();
  }
});
