import { DEEP, expect, expectBacksoonPage, expectCleanPage, test, withAttributes } from './fixtures.js';

// A visitor in Chromium, a real nginx, an app that stops and starts.

test('the visitor lands back on the exact URL, fragment included, with no action of theirs', async ({
  page,
  site,
  app,
  pageLog,
}) => {
  const response = await page.goto(site.url(DEEP));
  expect(response?.status()).toBe(502);
  await expectBacksoonPage(page);
  const historyBefore = await page.evaluate(() => history.length);

  await app.start();

  await expect(page.locator('#app')).toBeVisible();
  expect(page.url()).toBe(site.url(DEEP));
  await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
  expect(await page.evaluate(() => history.length)).toBe(historyBefore);
  expectCleanPage(pageLog, site.url(''));
});

test('the same without a fragment', async ({ page, site, app }) => {
  await page.goto(site.url('/plain?a=b'));
  await expectBacksoonPage(page);
  await app.start();
  await expect(page.locator('#asked')).toHaveText('/plain?a=b');
  expect(page.url()).toBe(site.url('/plain?a=b'));
});

test('an app that comes back answering 500 for the URL: the visitor is sent back and sees its 500', async ({
  page,
  site,
  app,
}) => {
  await page.goto(site.url(DEEP));
  await expectBacksoonPage(page);
  app.status = 500;
  await app.start();
  await expect(page.locator('#app')).toHaveAttribute('data-status', '500');
  expect(page.url()).toBe(site.url(DEEP));
});

test('the page passes its own strict Content-Security-Policy and asks nothing of other origins', async ({
  page,
  site,
  pageLog,
}) => {
  const violations: string[] = [];
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation: (v: string) => void }).reportViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      ),
    );
  });
  await page.goto(site.url('/'));
  await expectBacksoonPage(page);
  await expect(page.locator('backsoon-page')).toContainText('attempt 2', { timeout: 5000 });
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(violations).toEqual([]);
  expectCleanPage(pageLog, site.url(''));
});

test.describe('with a long schedule', () => {
  test.use({
    siteOptions: { page: withAttributes({ 'min-timeout': 60_000, 'quick-period': 0, 'max-timeout': 60_000 }) },
  });

  test('"Try now" checks at once', async ({ page, site, app }) => {
    await page.goto(site.url('/wait'));
    await expect(page.locator('backsoon-page')).toContainText(/Checking again in (5\d|60) sec · attempt 1/);
    await app.start();
    await page.getByRole('button', { name: 'Try now' }).click();
    await expect(page.locator('#asked')).toHaveText('/wait');
  });
});

test.describe('with a limit of three attempts', () => {
  test.use({ siteOptions: { page: withAttributes({ retries: 3, 'min-timeout': 200 }) } });

  test('gives up politely, and "Try again" brings the visitor back once the app is up', async ({ page, site, app }) => {
    await page.goto(site.url(DEEP));
    await expect(page.locator('backsoon-page')).toContainText('Stopped checking after attempt 3');
    await expect(page.getByRole('status')).toHaveText(/Stopped checking automatically/);
    await app.start();
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(page.locator('#asked')).toHaveText('/deep/path?q=1&x=%20y');
    expect(page.url()).toBe(site.url(DEEP));
  });
});

test.describe('with broken attributes', () => {
  test.use({ siteOptions: { page: withAttributes({ retries: 'lots' }) } });

  test('the page says which option is wrong and works on its defaults', async ({ page, site, app, pageLog }) => {
    await page.goto(site.url('/x'));
    await expectBacksoonPage(page);
    expect(pageLog.console.join('\n')).toContain('option "retries" must be a finite number');
    await app.start();
    await expect(page.locator('#asked')).toHaveText('/x');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the page still says what happened', async ({ page, site }) => {
    await page.goto(site.url('/x'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('We’ll be right back');
    await expect(page.getByText('The site is restarting or briefly unavailable')).toBeVisible();
  });
});
