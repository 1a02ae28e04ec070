import { BROWSER, expect, test } from './fixtures.js';

// What nginx sends, as seen by an HTTP client: status, marker, caching, body.

test('with the app stopped, a browser gets the page with a 502, the marker and no-store', async ({ site }) => {
  const response = await fetch(site.url('/deep/path?q=1'), { headers: BROWSER });
  expect(response.status).toBe(502);
  expect(response.headers.get('x-backsoon')).toBe('crash');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('retry-after')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const body = await response.text();
  expect(body).toContain('<backsoon-page kind="crash"');
  expect(body).toContain('<title>We’ll be right back</title>');
});

test('a HEAD check gets the 502 and the marker, without a body', async ({ site }) => {
  const head = await fetch(site.url('/x'), { method: 'HEAD' });
  expect(head.status).toBe(502);
  expect(head.headers.get('x-backsoon')).toBe('crash');
  expect(await head.text()).toBe('');
});

test('a client that accepts gzip gets the precompressed page, still a 502', async ({ site }) => {
  const raw = await fetch(site.url('/'), { headers: { ...BROWSER, 'accept-encoding': 'identity' } });
  const gzipped = await fetch(site.url('/'), { headers: { ...BROWSER, 'accept-encoding': 'gzip' } });
  expect(gzipped.status).toBe(502);
  expect(gzipped.headers.get('content-encoding')).toBe('gzip');
  expect(Number(gzipped.headers.get('content-length'))).toBeLessThan(Number(raw.headers.get('content-length')) / 2);
  expect(await gzipped.text()).toBe(await raw.text());
});

test('an API client gets a small JSON body with the same status and the marker', async ({ site }) => {
  const response = await fetch(site.url('/api/orders'), { headers: { accept: 'application/json' } });
  expect(response.status).toBe(502);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(response.headers.get('x-backsoon')).toBe('crash');
  expect(await response.json()).toEqual({
    error: 'unavailable',
    message: expect.stringContaining('temporarily unavailable'),
  });
});

for (const [what, accept] of [
  ['an image', 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8'],
  ['a script', '*/*'],
  ['a stylesheet', 'text/css,*/*;q=0.1'],
] as const) {
  test(`${what} requested during an outage is not answered with the HTML page`, async ({ site }) => {
    const response = await fetch(site.url('/static/asset'), { headers: { accept } });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('x-backsoon')).toBe('crash');
    expect(await response.text()).not.toContain('<');
  });
}

test('with the app up, the app answers and nothing of backsoon is added', async ({ site, app }) => {
  await app.start();
  const response = await fetch(site.url('/deep/path?q=1'), { headers: BROWSER });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-backsoon')).toBeNull();
  expect(await response.text()).toContain('You asked for <code id="asked">/deep/path?q=1</code>');
});

for (const status of [500, 502, 503, 504]) {
  test(`the app’s own ${status} passes through untouched`, async ({ site, app }) => {
    await app.start();
    app.status = status;
    const response = await fetch(site.url('/'), { headers: BROWSER });
    expect(response.status).toBe(status);
    expect(response.headers.get('x-backsoon')).toBeNull();
    expect(response.headers.get('retry-after')).toBe(status === 503 ? '120' : null);
    expect(await response.text()).toContain(`The app’s own ${status} page`);
  });
}

test('the kit’s files are served as files, without the marker, and the error locations are internal', async ({
  site,
}) => {
  for (const file of ['index.html', 'maintenance.html', 'brand.css', 'locales/de.json']) {
    const response = await fetch(site.url(`/__backsoon/${file}`));
    expect(response.status, file).toBe(200);
    expect(response.headers.get('x-backsoon'), file).toBeNull();
  }
  for (const internal of ['_crash', '_maintenance', '_crash-form', '_maintenance-form']) {
    expect((await fetch(site.url(`/__backsoon/${internal}`))).status, internal).toBe(404);
  }
});

test.describe('the page file is missing', () => {
  test.use({ siteOptions: { page: () => null } });

  test('nginx falls back to its stock 502, not a 404, a 500 or a loop', async ({ site }) => {
    const response = await fetch(site.url('/deep/path'), { headers: BROWSER });
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(body).toContain('<h1>502 Bad Gateway</h1>');
    expect(body).not.toContain('backsoon-page');
  });
});
