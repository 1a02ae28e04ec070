import AxeBuilder from '@axe-core/playwright';
import { PAGE_STATES } from '../test-support/states.js';
import { expect, test, withAttributes } from './fixtures.js';

// axe-core's WCAG 2.x A and AA rules in every state of the page, light and
// dark; the keyboard; what screen readers hear; the visitor's own stop.

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

for (const state of PAGE_STATES) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test.describe(`${state.name}, ${colorScheme}`, () => {
      test.use({ colorScheme, siteOptions: state.attributes ? { page: withAttributes(state.attributes) } : {} });

      test('has no WCAG A/AA violation', async ({ page, site, app }) => {
        await state.open(page, site, app);
        const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
        expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
          [],
        );
        expect(results.passes.length).toBeGreaterThan(10);
      });
    });
  }
}

test('the buttons are reached with the keyboard and visibly focused', async ({ page, site }) => {
  await page.goto(site.url('/x'));
  await expect(page.locator('backsoon-page')).toContainText(/attempt/);
  const focused = async () =>
    page.evaluate(() => {
      const button = document.querySelector('backsoon-page')?.shadowRoot?.activeElement as HTMLElement | null;
      if (!button) return null;
      const style = getComputedStyle(button);
      return { text: button.textContent?.trim(), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
  await page.keyboard.press('Tab');
  expect(await focused()).toEqual({ text: 'Try now', outline: 'solid', width: 3 });
  await page.keyboard.press('Tab');
  expect(await focused()).toEqual({ text: 'Stop checking', outline: 'solid', width: 3 });
  // Stopping removes that button: the focus lands on the one that resumes.
  await page.keyboard.press('Enter');
  await expect.poll(focused).toEqual({ text: 'Resume checking', outline: 'solid', width: 3 });
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused())?.text).toBe('Try now');
});

test('screen readers hear state changes, not the countdown', async ({ page, site }) => {
  await page.goto(site.url('/x'));
  const status = page.locator('backsoon-page').locator('.status');
  await expect(status).toContainText(/attempt 2/);
  await page.evaluate(() => {
    const region = document.querySelector('backsoon-page')!.shadowRoot!.querySelector('[role="status"]')!;
    (window as unknown as { changes: number }).changes = 0;
    new MutationObserver(() => (window as unknown as { changes: number }).changes++).observe(region, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  await expect(status).toContainText(/attempt 5/);
  expect(await page.evaluate(() => (window as unknown as { changes: number }).changes)).toBe(0);
  await page.getByRole('button', { name: 'Stop checking' }).click();
  await expect(page.getByRole('status')).toHaveText('Automatic checks stopped.');
});

test('the visitor can stop the automatic return and start it again', async ({ page, site, app }) => {
  await page.goto(site.url('/stay?here=1'));
  await page.getByRole('button', { name: 'Stop checking' }).click();
  await expect(page.locator('backsoon-page')).toContainText('Automatic checks are stopped');
  // Stopped, the page no longer says it checks by itself.
  await expect(page.locator('backsoon-page')).not.toContainText('checks by itself');
  await expect(page.locator('backsoon-page')).toContainText('The site is restarting or briefly unavailable.');
  await app.start();
  await expect(page.getByRole('button', { name: 'Resume checking' })).toBeVisible();
  expect(page.url()).toBe(site.url('/stay?here=1'));
  await page.getByRole('button', { name: 'Resume checking' }).click();
  await expect(page.locator('#asked')).toHaveText('/stay?here=1');
});

test.describe('with reduced motion', () => {
  test.use({ reducedMotion: 'reduce' });

  test('the spinner does not spin', async ({ page, site }) => {
    await page.goto(site.url('/x'));
    const spinner = page.locator('backsoon-page').locator('.spinner');
    await expect(spinner).toBeVisible();
    expect(await spinner.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
  });
});

test('without reduced motion it does', async ({ page, site }) => {
  await page.goto(site.url('/x'));
  const spinner = page.locator('backsoon-page').locator('.spinner');
  await expect(spinner).toBeVisible();
  expect(await spinner.evaluate((el) => getComputedStyle(el).animationName)).toBe('spin');
});
