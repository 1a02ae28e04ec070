import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { REPO } from '../test-support/nginx.js';
import { DEEP, expect, expectBacksoonPage, test } from './fixtures.js';

// The optional service worker: the page when the server cannot be reached at all.

async function controlledBy(page: Page, script: string): Promise<void> {
  await page.waitForFunction((s) => navigator.serviceWorker.controller?.scriptURL.endsWith(s) ?? false, script, {
    timeout: 10_000,
  });
}

test.afterEach(async ({ page }) => {
  // Workers go with the browser context too; unregistering says so out loud.
  await page
    .evaluate(async () => {
      for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    })
    .catch(() => undefined);
});

test.describe('backsoon’s worker, registered by the app with one script tag', () => {
  test.beforeEach(async ({ app, site, page }) => {
    app.worker = 'backsoon';
    await app.start();
    await page.goto(site.url('/home'));
    await controlledBy(page, '/__backsoon/sw.js');
  });

  test('is served for scope / and never cached', async ({ site }) => {
    const response = await fetch(site.url('/__backsoon/sw.js'));
    expect(response.headers.get('service-worker-allowed')).toBe('/');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/javascript/);
  });

  test('offline, a navigation shows the page from the worker; back online, the visitor is on the URL', async ({
    page,
    site,
    context,
  }) => {
    await context.setOffline(true);
    const response = await page.goto(site.url(DEEP));
    expect(response?.status()).toBe(503);
    expect(response?.fromServiceWorker()).toBe(true);
    await expectBacksoonPage(page);
    await context.setOffline(false);
    await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
    expect(page.url()).toBe(site.url(DEEP));
  });

  test('with nginx itself stopped, the worker’s page shows and returns when nginx and the app are back', async ({
    page,
    site,
    app,
  }) => {
    await app.stop();
    await site.halt();
    await page.goto(site.url('/orders?id=7'));
    await expectBacksoonPage(page);
    await site.resume();
    await app.start();
    await expect(page.locator('#asked')).toHaveText('/orders?id=7');
  });

  test('nginx’s own error page (the marker) is answered with the cached page and nginx’s status', async ({
    page,
    site,
    app,
  }) => {
    await app.stop();
    const response = await page.goto(site.url('/x'));
    expect(response?.status()).toBe(502);
    expect(response?.fromServiceWorker()).toBe(true);
    expect(await response?.headerValue('x-backsoon')).toBe('crash');
    await expectBacksoonPage(page);
  });

  test('the app’s own 500 passes through untouched', async ({ page, site, app }) => {
    app.status = 500;
    const response = await page.goto(site.url('/broken'));
    expect(response?.status()).toBe(500);
    await expect(page.locator('#app')).toHaveAttribute('data-status', '500');
  });

  // A failed fetch does not say whether the form went out before the
  // connection broke: the worker's page never claims it was not sent.
  test('a form sent offline gets the form page, which asks to check before sending again, and is never re-sent', async ({
    page,
    site,
    app,
    context,
  }) => {
    await page.goto(site.url('/form'));
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('backsoon-page')).toContainText('Your form may have reached the site');
    await context.setOffline(false);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The site is back');
    await expect(page.locator('backsoon-page')).toContainText(
      'Your form may have been received: check whether it went through before you send it again.',
    );
    expect(app.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  test('a new build’s page replaces the cached one', async ({ page, site, context }) => {
    test.setTimeout(60_000);
    const work = await mkdtemp(join(tmpdir(), 'backsoon-build-'));
    try {
      await writeFile(
        join(work, 'config.json'),
        JSON.stringify({ strings: { en: { crashTitle: 'Back in a moment (build 2)' } } }),
      );
      const built = spawnSync('npx', ['vite', 'build', '--outDir', join(work, 'dist'), '--emptyOutDir'], {
        cwd: REPO,
        env: { ...process.env, BACKSOON_CONFIG: join(work, 'config.json') },
        encoding: 'utf8',
      });
      expect(built.status, built.stderr).toBe(0);
      await cp(join(work, 'dist'), join(site.root, '__backsoon'), { recursive: true, force: true });
      // The new worker installs, precaches the new page, and takes over.
      await page.evaluate(async () => {
        const changed = new Promise((resolve) =>
          navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
        );
        await (await navigator.serviceWorker.getRegistration())?.update();
        await changed;
      });
      await context.setOffline(true);
      await page.goto(site.url('/after-deploy'));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Back in a moment (build 2)');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  test('the kill switch removes the worker and its caches from the visitor', async ({ page, site, app, context }) => {
    await copyFile(join(site.root, '__backsoon/sw-kill.js'), join(site.root, '__backsoon/sw.js'));
    // The app drops the script tag in the same deploy (left in, it would
    // register the kill worker again, which would remove itself again).
    app.worker = 'none';
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistrations()).length === 0, undefined, {
      timeout: 15_000,
    });
    await page.waitForFunction(async () => !(await caches.keys()).some((k) => k.startsWith('backsoon-')));
    // A fresh tab is not controlled. (The tab that was, reloaded, may keep
    // the unregistered kill worker as its controller until it closes: that
    // worker has no fetch handler, so every request goes to the network.)
    const fresh = await context.newPage();
    await fresh.goto(site.url('/home'));
    expect(await fresh.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
    await context.setOffline(true);
    await expect(page.goto(site.url('/gone'))).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    await expect(fresh.goto(site.url('/gone'))).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
  });

  test('with the script tag left in, the kill worker still serves nothing and keeps removing itself', async ({
    page,
    site,
    context,
  }) => {
    await copyFile(join(site.root, '__backsoon/sw-kill.js'), join(site.root, '__backsoon/sw.js'));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistrations()).length === 0, undefined, {
      timeout: 15_000,
    });
    await page.reload();
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistrations()).length === 0, undefined, {
      timeout: 15_000,
    });
    expect(await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('backsoon-')))).toEqual([]);
    await context.setOffline(true);
    await expect(page.goto(site.url('/gone'))).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
  });
});

test.describe('an app with its own worker at /', () => {
  test('imports backsoon’s routes and keeps its own', async ({ app, site, page, context }) => {
    app.worker = 'own';
    await app.start();
    await page.goto(site.url('/home'));
    await controlledBy(page, '/app-sw.js');
    expect(await page.evaluate(async () => (await fetch('/app-sw-ping')).text())).toBe('pong from the app’s worker');
    await context.setOffline(true);
    await page.goto(site.url('/offline/path?x=1'));
    await expectBacksoonPage(page);
    await context.setOffline(false);
    await expect(page.locator('#asked')).toHaveText('/offline/path?x=1');
  });
});
