import { request, type IncomingHttpHeaders } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BROTLI_MODULE, DIST, hasModule } from '../test-support/nginx.js';
import { BROWSER, VHOSTS, expect, expectBacksoonPage, test } from './fixtures.js';

// The pages in brotli (server/backsoon-brotli.conf) on Debian's nginx with
// its brotli_static module: what each client gets, byte for byte. Run on a
// site whose own brotli_static is off (the .br comes from the include
// alone) and on one where it is on for the whole server, as on many real
// sites (the form variants must stay uncompressed all the same).

test.skip(!hasModule(BROTLI_MODULE), 'apt-get install libnginx-mod-http-brotli-static');

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as it came over the wire, not decoded. */
  body: Buffer;
}

/** One request, the body kept as sent (fetch would decode it). */
function get(url: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What Chromium sends on a navigation over HTTPS. */
const ACCEPTS_BROTLI = { ...BROWSER, 'accept-encoding': 'gzip, deflate, br, zstd' };

for (const siteBrotli of ['off', 'on']) {
  test.describe(`with the site's own brotli_static ${siteBrotli}`, () => {
    test.use({
      siteOptions: {
        vhost: join(VHOSTS, 'brotli.conf'),
        modules: [BROTLI_MODULE],
        vars: { SITE_BROTLI: siteBrotli },
      },
    });

    test('a browser that takes brotli gets the .br page as built, with the 502, the marker and no-store', async ({
      site,
    }) => {
      const answer = await get(site.url('/deep/path?q=1'), ACCEPTS_BROTLI);
      expect(answer.status).toBe(502);
      expect(answer.headers['content-encoding']).toBe('br');
      expect(answer.headers['x-backsoon']).toBe('crash');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['vary']).toBe('Accept-Encoding');
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(answer.body.equals(await readFile(join(DIST, 'index.html.br')))).toBe(true);
      expect(brotliDecompressSync(answer.body).equals(await readFile(join(DIST, 'index.html')))).toBe(true);
    });

    test('a client without brotli gets the .gz, and one without either the page itself, still a 502', async ({
      site,
    }) => {
      const page = await readFile(join(DIST, 'index.html'));
      const gzip = await get(site.url('/'), { ...BROWSER, 'accept-encoding': 'gzip, deflate' });
      expect(gzip.status).toBe(502);
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(page)).toBe(true);
      const plain = await get(site.url('/'), { ...BROWSER, 'accept-encoding': 'identity' });
      expect(plain.status).toBe(502);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.equals(page)).toBe(true);
      // br refused by its weight is not taken.
      const refused = await get(site.url('/'), { ...BROWSER, 'accept-encoding': 'br;q=0, gzip' });
      expect(refused.headers['content-encoding']).toBe('gzip');
    });

    test('during maintenance the .br maintenance page goes out with the 503, the marker and Retry-After', async ({
      site,
    }) => {
      await site.maintenance(true);
      const answer = await get(site.url('/account'), ACCEPTS_BROTLI);
      expect(answer.status).toBe(503);
      expect(answer.headers['content-encoding']).toBe('br');
      expect(answer.headers['x-backsoon']).toBe('maintenance');
      expect(answer.headers['retry-after']).toBe('30');
      expect(brotliDecompressSync(answer.body).equals(await readFile(join(DIST, 'maintenance.html')))).toBe(true);
    });

    test('after a form, the page is never brotli (nor gzip): nginx marks it, whatever the server’s brotli_static says', async ({
      site,
    }) => {
      const form = { ...ACCEPTS_BROTLI, 'content-type': 'application/x-www-form-urlencoded' };
      const crash = await get(site.url('/orders'), form, 'POST', 'item=1');
      expect(crash.status).toBe(502);
      expect(crash.headers['content-encoding']).toBeUndefined();
      expect(crash.headers['x-backsoon']).toBe('crash');
      const text = crash.body.toString('utf8');
      expect(text).toContain('<backsoon-page request-method="POST" form-sent="no" kind="crash"');
      expect(text).toContain('<meta data-refresh-removed');

      await site.maintenance(true);
      const planned = await get(site.url('/orders'), form, 'POST', 'item=1');
      expect(planned.status).toBe(503);
      expect(planned.headers['content-encoding']).toBeUndefined();
      expect(planned.body.toString('utf8')).toContain(
        '<backsoon-page request-method="POST" form-sent="no" kind="maintenance"',
      );
    });

    test('the app’s own answers and the kit’s files are untouched by the include', async ({ site, app }) => {
      await app.start();
      const answer = await get(site.url('/deep/path?q=1'), ACCEPTS_BROTLI);
      expect(answer.status).toBe(200);
      expect(answer.headers['x-backsoon']).toBeUndefined();
      expect(answer.body.toString('utf8')).toContain('You asked for <code id="asked">/deep/path?q=1</code>');
    });

    test('a visitor’s browser gets the .br page, shows it and checks from it', async ({ site, page }) => {
      const response = await page.goto(site.url('/deep/path?q=1'));
      expect(response?.status()).toBe(502);
      // Chromium takes brotli from a secure context, as 127.0.0.1 is.
      expect(await response?.headerValue('content-encoding')).toBe('br');
      await expectBacksoonPage(page);
    });
  });
}
