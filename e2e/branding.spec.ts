import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { REPO, startNginx } from '../test-support/nginx.js';
import { expect, expectCleanPage, test } from './fixtures.js';

// Branding: after the build by editing brand.css, at build time from a config file.

const accentOf = (page: Page) =>
  page
    .getByRole('button', { name: /./ })
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor);

/**
 * Runs the real build with a config file; returns its output folder, or the
 * failure. (A wrong config, and the message naming what is wrong, is
 * vite-plugins/config.test.ts's; that it fails the build is
 * vite-plugins/vite-config.test.ts's.)
 */
function buildWith(config: unknown, work: string): { status: number | null; stderr: string; dist: string } {
  const dist = join(work, 'dist');
  const configPath = join(work, 'backsoon.config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const result = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir'], {
    cwd: REPO,
    env: { ...process.env, BACKSOON_CONFIG: configPath },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: `${result.stdout}\n${result.stderr}`, dist };
}

test('brand.css, edited after the build, restyles the page under the same strict policy', async ({
  page,
  site,
  pageLog,
}) => {
  await page.goto(site.url('/x'));
  expect(await accentOf(page)).toBe('rgb(33, 73, 194)');
  await writeFile(
    join(site.root, '__backsoon/brand.css'),
    ':root { --backsoon-accent: rgb(10, 125, 85); --backsoon-radius: 2px; }\n',
  );
  await page.reload();
  await expect.poll(() => accentOf(page)).toBe('rgb(10, 125, 85)');
  expect(
    await page
      .locator('backsoon-page')
      .locator('.card')
      .evaluate((el) => getComputedStyle(el).borderTopLeftRadius),
  ).toBe('2px');
  expectCleanPage(pageLog, site.url(''));
});

test('the service worker picks up an edited brand.css, and keeps it for offline visitors', async ({
  page,
  site,
  app,
  context,
}) => {
  app.worker = 'backsoon';
  await app.start();
  await page.goto(site.url('/home'));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await writeFile(join(site.root, '__backsoon/brand.css'), ':root { --backsoon-accent: rgb(120, 20, 90); }\n');
  await app.stop();
  await page.goto(site.url('/while-down'));
  await expect.poll(() => accentOf(page)).toBe('rgb(120, 20, 90)');
  await context.setOffline(true);
  await page.goto(site.url('/offline'));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect.poll(() => accentOf(page)).toBe('rgb(120, 20, 90)');
  await page.evaluate(async () => {
    for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
  });
});

// The operator's brand.css is cached for the offline page, even for a first-time visitor.
test('brand.css is there offline for a visitor who never saw the page online', async ({ page, site, app, context }) => {
  // The operator's branding, in place before this visitor's first visit.
  await writeFile(join(site.root, '__backsoon/brand.css'), ':root { --backsoon-accent: rgb(120, 20, 90); }\n');
  app.worker = 'backsoon';
  await app.start();
  // Only the app's own pages were seen: the worker installed from one of them.
  await page.goto(site.url('/home'));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.goto(site.url('/offline'));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect.poll(() => accentOf(page)).toBe('rgb(120, 20, 90)');
  await page.evaluate(async () => {
    for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
  });
});

test.describe('a build from a config file', () => {
  let work: string;
  let dist: string;

  test.beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'backsoon-brand-'));
    const built = buildWith(
      {
        languages: ['de', 'en'],
        strings: { de: { crashTitle: 'Gleich zurück' }, en: { crashTitle: 'Back in a moment' } },
        theme: { accent: '#0a7d55', 'accent-dark': '#5fd3a5', radius: '6px' },
        logo: join(REPO, 'e2e/assets/logo.svg'),
        poll: { retries: 7 },
      },
      work,
    );
    expect(built.status, built.stderr).toBe(0);
    dist = built.dist;
  });

  test.afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('ships only its languages, its strings, theme, logo and poll options', async ({ page, app }) => {
    const nginx = await startNginx({ vhost: join(REPO, 'nginx-snippets/examples/site.conf'), appPort: app.port, dist });
    try {
      expect((await readdir(join(dist, 'locales'))).sort()).toEqual(['en.json']);
      const html = await (await fetch(nginx.url('/x'), { headers: { accept: 'text/html' } })).text();
      expect(html).toContain('<html lang="de">');
      expect(html).toContain('<h1>Gleich zurück</h1>');
      expect(html).toContain('retries="7"');
      await page.goto(nginx.url('/x'));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Back in a moment');
      expect(await accentOf(page)).toBe('rgb(10, 125, 85)');
      const logo = page.locator('backsoon-page').locator('.logo');
      expect(await logo.evaluate((el) => [getComputedStyle(el).backgroundImage, getComputedStyle(el).height])).toEqual([
        `url("${nginx.url('/__backsoon/logo.svg')}")`,
        '40px',
      ]);
      expect((await fetch(nginx.url('/__backsoon/logo.svg'))).status).toBe(200);
    } finally {
      await nginx.stop();
    }
  });
});
