import { expect, test } from './fixtures.js';

// A real form POST that hits an outage: never re-sent, never navigated as if sent.

test.describe('a form submitted while the app is down', () => {
  test('says it was not sent, never re-sends it, and offers to go back to the form', async ({ page, site, app }) => {
    await app.start();
    await page.goto(site.url('/form'));
    await expect(page.locator('#app form')).toBeVisible();
    await app.stop();

    const [response] = await Promise.all([page.waitForResponse(site.url('/submit?from=form')), page.getByRole('button', { name: 'Send' }).click()]);
    expect(response.status()).toBe(502);
    expect(response.request().method()).toBe('POST');
    const element = page.locator('backsoon-page');
    await expect(element).toContainText('Your form was not sent');

    await app.start();
    await expect(element).toContainText('The site is back. Your form was not sent.');
    await expect(page.getByRole('status')).toHaveText(/go back to the form or reload this page/);
    // Nothing was sent to the app, and the visitor is still on the page.
    expect(app.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
    expect(page.url()).toBe(site.url('/submit?from=form'));
    await expect(page.locator('#app')).toHaveCount(0);

    await page.getByRole('button', { name: 'Go back to the form' }).click();
    await expect(page.locator('#app form')).toBeVisible();
    expect(page.url()).toBe(site.url('/form'));
    expect(app.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  test('"Reload this page" loads the form’s target with a GET, not a second POST', async ({ page, site, app }) => {
    await app.start();
    await page.goto(site.url('/form'));
    await app.stop();
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('backsoon-page')).toContainText('Your form was not sent');
    await app.start();
    await page.getByRole('button', { name: 'Reload this page' }).click();
    await expect(page.locator('#method')).toHaveText('GET');
    await expect(page.locator('#asked')).toHaveText('/submit?from=form');
    expect(app.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  test('a GET that hits an outage is not mistaken for a form', async ({ page, site }) => {
    await page.goto(site.url('/search?q=x'));
    await expect(page.locator('backsoon-page')).toContainText(/attempt \d/);
    await expect(page.locator('backsoon-page')).not.toContainText('not sent');
  });
});
