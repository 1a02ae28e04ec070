import { request } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BROWSER, expect, expectCleanPage, test, withAttributes } from './fixtures.js';

// Planned maintenance: the flag file, the operator's JSON, the staff bypass.

const TOKEN = 'x7Kp2QvN9dR4mT8wYb3Lc6Hs';

/** A GET from a chosen local address (127.0.0.2 is this machine too). */
function getFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.describe('maintenance mode', () => {
  test.use({ siteOptions: { staff: { ips: ['127.0.0.2'], tokens: [TOKEN] } } });

  test('the flag file switches every request to the 503 page with Retry-After, without a reload, and back', async ({ site, app }) => {
    await app.start();
    expect((await fetch(site.url('/shop'), { headers: BROWSER })).status).toBe(200);

    await site.maintenance(true);
    const down = await fetch(site.url('/shop?item=1'), { headers: BROWSER });
    expect(down.status).toBe(503);
    expect(down.headers.get('x-backsoon')).toBe('maintenance');
    expect(down.headers.get('retry-after')).toBe('30');
    expect(down.headers.get('cache-control')).toBe('no-store');
    const body = await down.text();
    expect(body).toContain('<backsoon-page kind="maintenance"');
    expect(body).toContain('<title>Down for planned maintenance</title>');
    const api = await fetch(site.url('/api/x'), { headers: { accept: 'application/json' } });
    expect([api.status, api.headers.get('content-type'), api.headers.get('retry-after')]).toEqual([503, 'application/json', '30']);
    // The kit's own files and /.well-known/ are still served.
    expect((await fetch(site.url('/__backsoon/index.html'))).status).toBe(200);
    expect((await fetch(site.url('/.well-known/acme-challenge/x'))).status).toBe(200);
    expect(app.requests.filter((r) => r.url.startsWith('/shop'))).toHaveLength(1);

    await site.maintenance(false);
    expect((await fetch(site.url('/shop'), { headers: BROWSER })).status).toBe(200);
  });

  test('crash and maintenance pages say different things', async ({ site, page }) => {
    await page.goto(site.url('/a'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('We’ll be right back');
    await site.maintenance(true);
    await page.goto(site.url('/b'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Down for planned maintenance');
    await expect(page).toHaveTitle('Down for planned maintenance');
  });

  test('staff on an allowed address reach the app; others do not', async ({ site, app }) => {
    await app.start();
    await site.maintenance(true);
    expect((await getFrom(site.url('/admin'), '127.0.0.2')).status).toBe(200);
    expect((await getFrom(site.url('/admin'), '127.0.0.1')).status).toBe(503);
  });

  test('the secret link sets a bypass cookie and goes to the site; a wrong or malformed token gets nothing', async ({ site, app }) => {
    await app.start();
    await site.maintenance(true);
    const link = await fetch(site.url(`/__backsoon/bypass?token=${TOKEN}`), { redirect: 'manual' });
    expect(link.status).toBe(302);
    expect(link.headers.get('location')).toBe('/');
    const cookie = link.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^backsoon_bypass=${TOKEN}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax$`));
    expect((await fetch(site.url('/admin'), { headers: { cookie: `backsoon_bypass=${TOKEN}` } })).status).toBe(200);
    expect((await fetch(site.url('/admin'), { headers: { cookie: 'backsoon_bypass=guessedguessedguessed' } })).status).toBe(503);

    const malformed = await fetch(site.url('/__backsoon/bypass?token=%0d%0aSet-Cookie:%20evil=1'), { redirect: 'manual' });
    expect(malformed.headers.get('set-cookie')).toBeNull();
  });

  test('the secret is never in the page or anything under __backsoon/', async ({ site }) => {
    await site.maintenance(true);
    const served = await (await fetch(site.url('/x'), { headers: BROWSER })).text();
    expect(served).not.toContain(TOKEN);
    const folder = join(site.root, '__backsoon');
    for (const name of await readdir(folder, { recursive: true })) {
      const path = join(folder, name);
      const text = await readFile(path).then((b) => b.toString('latin1'), () => '');
      expect(text, name).not.toContain(TOKEN);
    }
  });

  test('a browser in the bypass sees the app', async ({ site, app, page }) => {
    await app.start();
    await site.maintenance(true);
    await page.goto(site.url(`/__backsoon/bypass?token=${TOKEN}`));
    await expect(page.locator('#app')).toBeVisible();
    expect(page.url()).toBe(site.url('/'));
  });
});

test.describe('the page during maintenance', () => {
  test.use({ siteOptions: { page: withAttributes({ 'max-retry-after': 1000 }) } });

  test('shows the operator’s message and end time, and takes visitors back when the flag goes', async ({ site, app, page, pageLog }) => {
    await site.maintenance(true, { message: 'Moving to a faster database.', until: new Date(Date.now() + 12 * 60_000).toISOString() });
    await app.start();
    await page.goto(site.url('/deep/path?q=1#section'));
    const element = page.locator('backsoon-page');
    await expect(element).toContainText('Moving to a faster database.');
    await expect(element).toContainText(/Planned maintenance · back around .+, in about 1[23] minutes/);
    // After the first check the next ones are paced to the announced end
    // (7.5 to 15 s apart), not once a second.
    await expect(element).toContainText(/Checking again in ([89]|1[0-5]) sec · attempt 2/);

    await site.maintenance(false);
    await page.getByRole('button', { name: 'Try now' }).click();
    await expect(page.locator('#asked')).toHaveText('/deep/path?q=1');
    expect(page.url()).toBe(site.url('/deep/path?q=1#section'));
    expectCleanPage(pageLog, site.url(''));
  });

  test('without an end time, visitors go back on their own when the flag is removed', async ({ site, app, page }) => {
    await site.maintenance(true);
    await app.start();
    await page.goto(site.url('/orders?page=2'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Down for planned maintenance');
    // A check has met the 503 and its Retry-After (30 s, clamped to 1 s here)
    // before the flag goes: the visitor returns on that paced schedule.
    await expect(page.locator('backsoon-page')).toContainText(/attempt 2/);
    const offAt = Date.now();
    await site.maintenance(false);
    await expect(page.locator('#asked')).toHaveText('/orders?page=2');
    console.log(`fault matrix | maintenance flag removed | 503 | returned in ${((Date.now() - offAt) / 1000).toFixed(2)} s`);
  });

  for (const [what, file] of [
    ['malformed', '{"message": "unclosed'],
    ['oversized', JSON.stringify({ message: 'x'.repeat(5000) })],
    ['hostile', JSON.stringify({ message: '<img src=x onerror="document.title=1">Back soon', until: 'javascript:alert(1)' })],
  ] as const) {
    test(`a ${what} maintenance.json is ignored or shown as plain text; nothing breaks`, async ({ site, page, pageLog }) => {
      await site.maintenance(true, file);
      await page.goto(site.url('/x'));
      const element = page.locator('backsoon-page');
      await expect(element).toContainText(/attempt \d/);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Down for planned maintenance');
      expect(await element.evaluate((el) => el.shadowRoot?.querySelectorAll('img').length)).toBe(0);
      if (what === 'hostile') await expect(element).toContainText('<img src=x onerror="document.title=1">Back soon');
      else await expect(page.locator('backsoon-page').getByText('x'.repeat(20))).toHaveCount(0);
      await expect(element).not.toContainText('Planned maintenance ·');
      await expect(page).toHaveTitle('Down for planned maintenance');
      expectCleanPage(pageLog, site.url(''));
    });
  }
});
