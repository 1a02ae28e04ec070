import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEEP, withAttributes } from './fixtures.js';
import { ENGINES, expect, expectBacksoonPage, pageFor, test, textOf, type Visitor } from './engines.js';

// The same visitor in Firefox (Debian's firefox-esr) and WebKit (WebKitGTK's
// MiniBrowser): back to the exact URL, maintenance, the worker's offline
// page, and a console free of CSP and Trusted Types errors. The offline test
// also guards Firefox's navigation preload answer and brand.css offline.

/** What the app's page says it was asked for: path and query, as nginx passed them on. */
const asked = (visitor: Visitor) => textOf(visitor, '#asked');
/** The main button's colour: the page's accent, or brand.css's. */
const accent = (visitor: Visitor) =>
  visitor.evaluate<string | null>(
    "(() => { const b = document.querySelector('backsoon-page')?.shadowRoot?.querySelector('button'); return b ? getComputedStyle(b).backgroundColor : null; })()",
  );

// One worker runs this file, in order: each browser starts once (a second
// Firefox in the other worker cost more than the tests it would run there).
test.describe.configure({ mode: 'default' });

for (const engine of ENGINES) {
  test.describe(engine, () => {
    test.use({ engine, siteOptions: { page: pageFor(engine) } });

    test('back on the exact URL, fragment included, with nothing in the console', async ({ visitor, site, app }) => {
      await visitor.goto(site.url(DEEP));
      await expectBacksoonPage(visitor);
      // A check has come and gone, and the page has rendered its result.
      await expect.poll(() => textOf(visitor, '.status')).toMatch(/attempt [2-9]/);
      expect(await visitor.problems()).toEqual([]);
      const historyBefore = await visitor.evaluate<number>('history.length');

      await app.start();

      await expect.poll(() => asked(visitor)).toBe('/deep/path?q=1&x=%20y');
      expect(await visitor.url()).toBe(site.url(DEEP));
      expect(await visitor.evaluate<number>('history.length')).toBe(historyBefore);
    });

    test('back on the exact URL without a fragment', async ({ visitor, site, app }) => {
      await visitor.goto(site.url('/plain?a=b'));
      await expectBacksoonPage(visitor);
      await app.start();
      await expect.poll(() => asked(visitor)).toBe('/plain?a=b');
      expect(await visitor.url()).toBe(site.url('/plain?a=b'));
    });

    test.describe('during maintenance', () => {
      // The snippet's Retry-After (30 s), capped to 1 s to keep the test short.
      test.use({ siteOptions: { page: pageFor(engine, withAttributes({ 'max-retry-after': 1000 })) } });

      test('the maintenance page, then back on the URL when the flag goes', async ({ visitor, site, app }) => {
        await site.maintenance(true);
        await app.start();
        await visitor.goto(site.url('/orders?page=2#list'));
        await expectBacksoonPage(visitor, 'maintenance');
        await expect.poll(() => textOf(visitor, '.status')).toMatch(/attempt [2-9]/);
        expect(await visitor.problems()).toEqual([]);
        await site.maintenance(false);
        await expect.poll(() => asked(visitor)).toBe('/orders?page=2');
        expect(await visitor.url()).toBe(site.url('/orders?page=2#list'));
      });
    });

    test('with nginx stopped, the worker shows the page, branded, and the visitor returns', async ({
      visitor,
      site,
      app,
    }) => {
      // The operator's branding, in place before the visitor's first visit:
      // the worker fetches it when it installs (the visitor never sees the page online).
      await writeFile(join(site.root, '__backsoon/brand.css'), ':root { --backsoon-accent: rgb(120, 20, 90); }\n');
      app.worker = 'backsoon';
      await app.start();
      await visitor.goto(site.url('/home'));
      await expect
        .poll(() => visitor.evaluate<string | null>('navigator.serviceWorker.controller?.scriptURL ?? null'), {
          timeout: 15_000,
        })
        .toBe(site.url('/__backsoon/sw.js'));

      await app.stop();
      await site.halt();
      await visitor.goto(site.url(DEEP));
      await expectBacksoonPage(visitor);
      expect(await accent(visitor)).toBe('rgb(120, 20, 90)');
      expect(await visitor.problems()).toEqual([]);

      await site.resume();
      await app.start();
      await expect.poll(() => asked(visitor)).toBe('/deep/path?q=1&x=%20y');
      expect(await visitor.url()).toBe(site.url(DEEP));
    });

    test.describe('with a page that breaks its policy', () => {
      // An inline script without a hash in the policy: the browser must refuse it.
      const blockedScript = (html: string) => html.replace('</body>', '<script>document.title = "ran"</script></body>');
      test.use({ siteOptions: { page: pageFor(engine, blockedScript) } });

      test('the console check sees the CSP and Trusted Types violations', async ({ visitor, site }) => {
        await visitor.goto(site.url('/x'));
        await expectBacksoonPage(visitor);
        // A string into an HTML sink, which require-trusted-types-for forbids.
        const threw = await visitor.evaluate<boolean>(
          "(() => { try { document.body.innerHTML = '<b>x</b>'; return false; } catch { return true; } })()",
        );
        expect(threw).toBe(true);
        expect(await visitor.evaluate<string>('document.title')).not.toBe('ran');
        await expect.poll(async () => (await visitor.problems()).join('\n')).toMatch(/script-src/);
        await expect.poll(async () => (await visitor.problems()).join('\n')).toMatch(/require-trusted-types-for/);
      });
    });
  });
}
