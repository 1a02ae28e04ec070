import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { REPO } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { ApacheSandbox } from './apache-sandbox.js';
import { insertAfterLine, readmeBlock } from './debian-sandbox.js';
import { BROWSER, DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// apache-snippets/README.md's install, maintenance and staff link, followed
// word for word on Debian's own Apache files (e2e/apache-sandbox.ts moves
// Debian's paths into a temporary folder, nothing else).

const SPEC = 'e2e/apache-install.spec.ts';

test('apache-snippets/README.md’s install, probe, maintenance and staff link work on Debian’s default site, word for word', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const readme = await readFile(join(REPO, 'apache-snippets/README.md'), 'utf8');
  const block = (name: string): string => readmeBlock(readme, name, SPEC);
  const app = new DemoApp(await freePort());
  const sandbox = await ApacheSandbox.create(await freePort());
  const url = (path: string): string => `http://127.0.0.1:${sandbox.port}${path}`;
  const site = sandbox.path('/etc/apache2/sites-available/000-default.conf');
  const tokens = sandbox.path('/etc/apache2/backsoon/backsoon-tokens.txt');
  const withApp = (text: string): string => text.replaceAll('127.0.0.1:8000', `127.0.0.1:${app.port}`);
  const run = async (name: string): Promise<string> => {
    const { status, output } = await sandbox.run(block(name));
    expect(status, `README block "${name}" failed:\n${output}`).toBe(0);
    return output;
  };

  try {
    await test.step('install: modules, snippets and page, the lines in the VirtualHost, check and start', async () => {
      await run('install');
      const text = await readFile(site, 'utf8');
      await writeFile(site, insertAfterLine(text, sandbox.remap('DocumentRoot /var/www/html'), withApp(block('site'))));
      await run('log');
      expect(await readFile(site, 'utf8')).toMatch(/CustomLog .* combined env=!BACKSOON_LINK\n/);
      await sandbox.remapConfig();
      expect(await sandbox.masterPid()).toBeUndefined();
      expect(await run('load')).toContain('Syntax OK');
      await expect.poll(async () => (await fetch(url('/x')).catch(() => undefined))?.status).toBe(503);
    });

    await test.step('the page on a crash, the probe, and the return to the exact URL', async () => {
      const down = await fetch(url('/x'), { headers: BROWSER });
      expect([down.status, down.headers.get('x-backsoon')]).toEqual([503, 'crash']);
      expect(await down.text()).toContain('<backsoon-page kind="crash"');
      const probe = await fetch(url('/__backsoon/probe'), { method: 'HEAD' });
      expect([probe.status, probe.headers.get('x-backsoon')]).toEqual([503, 'crash']);
      await page.goto(url(DEEP));
      await expectBacksoonPage(page);
      await app.start();
      await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
      expect(page.url()).toBe(url(DEEP));
      const up = await fetch(url('/__backsoon/probe'), { method: 'HEAD' });
      expect([up.status, up.headers.get('x-backsoon-probe')]).toEqual([204, '1']);
      // The probe's health requests: a bare HEAD of the path the README names.
      for (const r of app.requests.filter((r) => r.method === 'HEAD'))
        expect(r).toMatchObject({ url: '/', headers: { host: `127.0.0.1:${app.port}`, connection: 'close' } });
    });

    await test.step('maintenance, a token added, the link, and the app without the cookie', async () => {
      await run('maintenance-on');
      const visitor = await fetch(url('/x'), { headers: BROWSER });
      expect([visitor.status, visitor.headers.get('x-backsoon')]).toEqual([503, 'maintenance']);
      await run('token');
      const token = /^([0-9a-f]{40}) alice$/m.exec(await readFile(tokens, 'utf8'))?.[1];
      expect(token).toBeDefined();
      const link = await fetch(url(`/__backsoon/bypass?token=${token}`), { redirect: 'manual' });
      expect(link.status).toBe(302);
      const cookie = (link.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect(cookie).toBe(`backsoon_bypass=${token}`);
      const staff = await fetch(url('/admin'), { headers: { cookie: `${cookie}; session=1` } });
      expect(staff.status).toBe(200);
      expect(app.requests.at(-1)).toMatchObject({ url: '/admin', headers: { cookie: 'session=1' } });
      // The site's access log has the visitors' requests, not the link (its token).
      const log = await readFile(sandbox.path('/var/log/apache2/access.log'), 'utf8');
      expect(log).toContain('GET /admin ');
      expect(log).not.toContain(token);
    });

    await test.step('the whole VirtualHost as the README shows it passes the check and runs', async () => {
      // As the sandbox does for Debian's own file: its port instead of 80.
      const vhost = withApp(block('vhost')).replace('<VirtualHost *:80>', `<VirtualHost *:${sandbox.port}>`);
      await writeFile(site, vhost);
      await sandbox.remapConfig();
      await sandbox.run('sudo rm /var/www/html/__backsoon/maintenance.on');
      expect(await run('load')).toContain('Syntax OK');
      await expect.poll(async () => (await fetch(url('/after'))).status).toBe(200);
      // The reload started the probe's program again, and the old one is gone.
      await expect.poll(async () => (await fetch(url('/__backsoon/probe'), { method: 'HEAD' })).status).toBe(204);
      const programs = (): string[] =>
        spawnSync('pgrep', ['-f', sandbox.path('/etc/apache2/backsoon/backsoon-probe.pl')], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter(Boolean);
      await expect.poll(programs).toHaveLength(1);
    });
  } finally {
    await app.stop();
    await sandbox.destroy();
  }
});
