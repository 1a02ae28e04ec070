import { test as base, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import type { PageVariant } from '../src/protocol.js';
import { DemoApp } from '../test-support/app.js';
import { REPO, startNginx, type NginxOptions, type RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';

/** The example server block users are shown, run as it is. */
export const SITE_VHOST = join(REPO, 'nginx-snippets/examples/site.conf');
export const VHOSTS = join(REPO, 'e2e/vhosts');
/** The example server block with the hold (njs). */
export const HOLD_VHOST = join(REPO, 'nginx-snippets/examples/site-hold.conf');

/** The URL with every part the visitor must get back: path, query (an encoded space) and fragment. */
export const DEEP = '/deep/path?q=1&x=%20y#section';

export interface Fixtures {
  /** How the site's nginx is set up; override with `test.use({ siteOptions })`. */
  siteOptions: Partial<Omit<NginxOptions, 'appPort'>>;
  /** The upstream app, created stopped: tests start it when they want it up. */
  app: DemoApp;
  /** nginx in front of the app, with backsoon installed. */
  site: RunningNginx;
  /** Every request the page makes and every console message, for the checks in `expectCleanPage`. */
  pageLog: { requests: string[]; console: string[] };
}

export const test = base.extend<Fixtures>({
  siteOptions: [{}, { option: true }],

  app: async ({}, use) => {
    const app = new DemoApp(await freePort());
    await use(app);
    await app.stop();
  },

  // Torn down before `app`, since it depends on it.
  site: async ({ app, siteOptions }, use) => {
    const nginx = await startNginx({ vhost: SITE_VHOST, ...siteOptions, appPort: app.port });
    await use(nginx);
    await nginx.stop();
  },

  pageLog: async ({ page }, use) => {
    const log = { requests: [] as string[], console: [] as string[] };
    page.on('request', (r) => log.requests.push(r.url()));
    page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.console.push(`pageerror: ${e.message}`));
    await use(log);
  },
});

export { expect };

/** What a browser sends when it navigates: nginx picks the page by it. */
export const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Sets attributes on <backsoon-page> in the installed page, as a user editing dist/index.html would. */
export function withAttributes(attributes: Record<string, string | number>): (html: string) => string {
  const text = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${value}"`)
    .join('');
  return (html) => {
    if (!html.includes('<backsoon-page ')) throw new Error('no <backsoon-page> in the built page');
    return html.replace('<backsoon-page ', `<backsoon-page${text} `);
  };
}

/** The page is backsoon's, for a crash or for maintenance, and it is running its poller. */
export async function expectBacksoonPage(page: Page, variant: PageVariant = 'crash'): Promise<void> {
  const heading = variant === 'crash' ? 'We’ll be right back' : 'Down for planned maintenance';
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  await expect(page.locator('backsoon-page')).toContainText(/attempt \d+/);
}

/**
 * Nothing went to another origin, and the console holds nothing but the
 * browser's own note on loading a page served with an error status.
 */
export function expectCleanPage(log: Fixtures['pageLog'], origin: string): void {
  expect(log.requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
  expect(
    log.console.filter((line) => !/Failed to load resource: the server responded with a status of 50[234]/.test(line)),
  ).toEqual([]);
}
