import { expect, expectBacksoonPage, test, withAttributes } from './fixtures.js';

// Crafted URLs: the page never runs their script and never leaves its origin.

const HOSTILE = [
  '/<script>window.pwned=1</script>',
  '/%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E',
  '/search?q=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E&x="><img src=x onerror=window.pwned=1>',
  '/page#<img src=x onerror=window.pwned=1>',
  '/page#javascript:window.pwned=1',
  '//evil.test/path',
  '/\\evil.test/path',
  '/a%0d%0aSet-Cookie:%20pwned=1%0d%0a/b?c=%22%27%0a',
  `/long/${'a'.repeat(3000)}?q=${'b'.repeat(3000)}`,
];

test.describe('hostile URLs', () => {
  test.use({ siteOptions: { page: withAttributes({ 'min-timeout': 250 }) } });

  for (const path of HOSTILE) {
    test(`${path.slice(0, 60)}${path.length > 60 ? '…' : ''}`, async ({ page, site, app }) => {
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const origin = site.url('');
      const response = await page.goto(origin + path);
      expect(response?.status()).toBe(502);
      await expectBacksoonPage(page);
      const asked = page.url();
      await app.start();
      await expect(page.locator('#app')).toBeVisible();
      expect(page.url()).toBe(asked);
      expect(new URL(page.url()).origin).toBe(new URL(origin).origin);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect((await page.context().cookies()).map((c) => c.name)).not.toContain('pwned');
    });
  }
});
