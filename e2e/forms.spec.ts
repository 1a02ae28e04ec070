import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { FaultyUpstream, type ReceivedRequest } from '../test-support/faulty-upstream.js';
import { startNginx, type RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { BROWSER, VHOSTS, expect, test } from './fixtures.js';

// A real form POST that hits an outage: never re-sent, never navigated as if sent.

test.describe('a form submitted while the app is down', () => {
  test('says it was not sent, never re-sends it, and offers to go back to the form', async ({ page, site, app }) => {
    await app.start();
    await page.goto(site.url('/form'));
    await expect(page.locator('#app form')).toBeVisible();
    await app.stop();

    const [response] = await Promise.all([
      page.waitForResponse(site.url('/submit?from=form')),
      page.getByRole('button', { name: 'Send' }).click(),
    ]);
    expect(response.status()).toBe(502);
    expect(response.request().method()).toBe('POST');
    const element = page.locator('backsoon-page');
    await expect(element).toContainText('Your form was not sent');

    await app.start();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The site is back');
    await expect(element).toContainText('Your form was not sent: you can send it again.');
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

// After a read timeout or a reset, the app may
// well have the form (a visitor told "not sent" may pay twice); and with
// gzip_static on for the whole server, the form variant was served
// precompressed, unmarked, and the page went back by itself as for a GET.
test.describe('what nginx knows of a form that met an outage (e2e/vhosts/forms.conf)', () => {
  let app: DemoApp;
  let faulty: FaultyUpstream;
  let nginx: RunningNginx;

  test.describe.configure({ mode: 'serial' });

  test.beforeAll(async () => {
    faulty = new FaultyUpstream(await freePort());
    await faulty.listen();
    app = new DemoApp(await freePort());
    await app.start();
    nginx = await startNginx({
      vhost: join(VHOSTS, 'forms.conf'),
      appPort: app.port,
      vars: { FAULTY: `127.0.0.1:${faulty.port}` },
    });
  });

  test.afterAll(async () => {
    await nginx.stop();
    await app.stop();
    await faulty.close();
  });

  test.afterEach(async () => {
    faulty.fault = 'hang';
    if (!faulty.listening) await faulty.listen();
    await nginx.maintenance(false);
  });

  const posts = (): ReceivedRequest[] => faulty.received.filter((r) => r.method === 'POST');

  /** A form POST as a browser that accepts gzip sends it, and the page's own tag in the answer. */
  async function submit(path: string): Promise<{ status: number; encoding: string | null; tag: string }> {
    const response = await fetch(nginx.url(path), {
      method: 'POST',
      headers: { ...BROWSER, 'accept-encoding': 'gzip', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=100',
    });
    const body = await response.text();
    expect(body, 'the no-script refresh would send the form’s target a GET').not.toContain('http-equiv="refresh"');
    return {
      status: response.status,
      encoding: response.headers.get('content-encoding'),
      tag: /<backsoon-page [^>]*>/.exec(body)?.[0] ?? body.slice(0, 200),
    };
  }

  test('nginx marks the page by whether anything reached the app, and never serves it precompressed', async () => {
    await faulty.close();
    const refused = await submit('/submit?step=pay');
    expect(refused).toEqual({
      status: 502,
      encoding: null,
      tag: expect.stringMatching(/request-method="POST" form-sent="no"/),
    });
    await faulty.listen();

    const cases = [
      { fault: 'hang', status: 504 },
      { fault: 'close-early', status: 502 },
      { fault: 'reset', status: 502 },
    ] as const;
    for (const c of cases) {
      faulty.fault = c.fault;
      const before = posts().length;
      const answer = await submit(`/submit?fault=${c.fault}`);
      expect(answer, c.fault).toEqual({
        status: c.status,
        encoding: null,
        tag: expect.stringMatching(/request-method="POST" form-sent="maybe"/),
      });
      // The app did read the whole form: "not sent" would have been false.
      expect(posts().slice(before), c.fault).toEqual([
        { method: 'POST', path: `/submit?fault=${c.fault}`, body: 'amount=100' },
      ]);
    }

    // A GET is not a form: the precompressed page, unmarked.
    faulty.fault = 'hang';
    const get = await fetch(nginx.url('/submit?q=1'), { headers: { ...BROWSER, 'accept-encoding': 'gzip' } });
    expect(get.status).toBe(504);
    expect(get.headers.get('content-encoding')).toBe('gzip');
    const getTag = /<backsoon-page [^>]*>/.exec(await get.text())?.[0];
    expect(getTag).not.toContain('request-method');
    expect(getTag).not.toContain('form-sent');
  });

  test('a form that met planned maintenance was never sent, and the page says so', async () => {
    await nginx.maintenance(true);
    const before = faulty.received.length;
    const answer = await submit('/submit?step=pay');
    expect(answer).toEqual({ status: 503, encoding: null, tag: expect.stringMatching(/kind="maintenance"/) });
    expect(answer.tag).toMatch(/request-method="POST" form-sent="no"/);
    expect(faulty.received.length).toBe(before);
  });

  for (const c of [
    { name: 'a read timeout (504)', fault: 'hang', status: 504 },
    { name: 'a reset mid-response (502)', fault: 'reset', status: 502 },
  ] as const) {
    test(`after ${c.name}, the page says the form may have been received, and never offers it as safe to send again`, async ({
      page,
    }) => {
      await page.goto(nginx.url('/form'));
      faulty.fault = c.fault;
      const [response] = await Promise.all([
        page.waitForResponse(nginx.url('/submit?from=form')),
        page.getByRole('button', { name: 'Send' }).click(),
      ]);
      expect(response.status()).toBe(c.status);
      const element = page.locator('backsoon-page');
      await expect(element).toContainText(
        'Your form may have reached the site before it stopped answering: check whether it went through before you send it again.',
      );
      await expect(element).not.toContainText('not sent');
      // While it waits, it does not promise to take the visitor anywhere.
      await expect(element).toContainText('it checks by itself and tells you as soon as the site answers');
      await expect(element).not.toContainText('takes you back');
      expect(posts()).toContainEqual({ method: 'POST', path: '/submit?from=form', body: 'message=hello' });
      const sent = posts().length;

      faulty.fault = 'answer';
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('The site is back');
      await expect(element).toContainText(
        'Your form may have been received: check whether it went through before you send it again.',
      );
      await expect(page.getByRole('status')).toHaveText(
        'The site is back. Your form may have been received: check before you send it again.',
      );
      // Nothing sent again, and the visitor stays on the page.
      expect(posts()).toHaveLength(sent);
      expect(page.url()).toBe(nginx.url('/submit?from=form'));
      await expect(page.locator('#app')).toHaveCount(0);
    });
  }

  test('when the connection was refused, the page says the form was not sent and can be sent again', async ({
    page,
  }) => {
    await page.goto(nginx.url('/form'));
    await faulty.close();
    const [response] = await Promise.all([
      page.waitForResponse(nginx.url('/submit?from=form')),
      page.getByRole('button', { name: 'Send' }).click(),
    ]);
    expect(response.status()).toBe(502);
    const element = page.locator('backsoon-page');
    await expect(element).toContainText('Your form was not sent: the site did not receive it.');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('We’ll be right back');
    const sent = posts().length;

    faulty.fault = 'answer';
    await faulty.listen();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The site is back');
    await expect(element).toContainText('Your form was not sent: you can send it again.');
    expect(posts()).toHaveLength(sent);
    await page.getByRole('button', { name: 'Reload this page' }).click();
    await expect(page.locator('#method')).toHaveText('GET');
    expect(posts()).toHaveLength(sent);
  });
});
