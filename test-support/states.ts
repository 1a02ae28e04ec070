import type { Page } from '@playwright/test';
import type { DemoApp } from './app.js';
import type { RunningNginx } from './nginx.js';

/**
 * Every state of the page a visitor can see, and how to bring a real page
 * (real build, real nginx, real app) into it. Shared by the accessibility
 * tests and the screenshot script, so both look at the same things.
 */
export interface PageState {
  name: string;
  /** Attributes for <backsoon-page> in the installed page. */
  attributes?: Record<string, string | number>;
  /** Brings `page` into the state; the app starts stopped. */
  open: (page: Page, nginx: RunningNginx, app: DemoApp) => Promise<void>;
}

const element = (page: Page) => page.locator('backsoon-page');

/** The app's form, loaded while it is up and sent once it is down. */
async function submitIntoOutage(page: Page, nginx: RunningNginx, app: DemoApp): Promise<void> {
  await app.start();
  await page.goto(nginx.url('/form'));
  await app.stop();
  await page.getByRole('button', { name: 'Send' }).click();
  await element(page)
    .getByText(/Your form was not sent: the site/)
    .waitFor();
}

export const PAGE_STATES: PageState[] = [
  {
    name: 'checking',
    async open(page, nginx) {
      await page.goto(nginx.url('/deep/path?q=1#section'));
      await element(page)
        .getByText(/attempt 3/)
        .waitFor();
    },
  },
  {
    name: 'countdown',
    attributes: { 'quick-period': 0, 'min-timeout': 45_000, 'max-timeout': 45_000 },
    async open(page, nginx) {
      await page.goto(nginx.url('/reports/2026?sort=date'));
      await element(page)
        .getByText(/Checking again in \d+/)
        .waitFor();
    },
  },
  {
    name: 'gave-up',
    attributes: { retries: 3, 'min-timeout': 250 },
    async open(page, nginx) {
      await page.goto(nginx.url('/account'));
      await element(page)
        .getByText(/Stopped checking after/)
        .waitFor();
    },
  },
  {
    name: 'stopped',
    async open(page, nginx) {
      await page.goto(nginx.url('/account'));
      await page.getByRole('button', { name: 'Stop checking' }).click();
      await element(page).getByText('Automatic checks are stopped').waitFor();
    },
  },
  {
    name: 'maintenance',
    async open(page, nginx) {
      const until = new Date(Date.now() + 12 * 60_000 + 30_000).toISOString();
      await nginx.maintenance(true, { message: 'We are moving to a faster database.', until });
      await page.goto(nginx.url('/shop/cart'));
      await element(page)
        .getByText(/back around/)
        .waitFor();
    },
  },
  {
    name: 'form-not-sent',
    open: submitIntoOutage,
  },
  {
    name: 'form-back',
    async open(page, nginx, app) {
      await submitIntoOutage(page, nginx, app);
      await app.start();
      await element(page).getByText('Your form was not sent: you can send it again.').waitFor();
    },
  },
  {
    // As nginx marks the page after a read timeout or a reset.
    name: 'form-maybe-sent',
    attributes: { 'request-method': 'POST', 'form-sent': 'maybe' },
    async open(page, nginx) {
      await page.goto(nginx.url('/checkout/pay'));
      await element(page)
        .getByText(/Your form may have reached the site/)
        .waitFor();
    },
  },
];
