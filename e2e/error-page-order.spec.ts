import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkConfig } from '../cli/nginx-check.js';
import { loadDump } from '../cli/nginx-conf.js';
import { PATHS } from '../src/protocol.js';
import type { RunningNginx } from '../test-support/nginx.js';
import { BROWSER, VHOSTS, expect, expectBacksoonPage, test } from './fixtures.js';

// An `error_page 500 502 503 504 /50x.html;` line before the include
// silently wins. What nginx does in each order, and the check that
// `backsoon check` runs on `nginx -T` finding the line.

const SITE_PAGE = "the site's own 50x page";

/**
 * The problems `backsoon check` finds in the run's `nginx -T` (its own
 * code, cli/nginx-check.ts), the page's files taken as there and
 * maintenance off: only the configuration is in question here.
 */
function checkProblems(site: RunningNginx): string[] {
  const report = checkConfig(loadDump(site.dump()), {
    probe: (path) => (path.endsWith(PATHS.maintenanceFlag) ? undefined : { mtimeMs: 0 }),
  });
  return [...report.global, ...report.servers.flatMap((s) => s.findings)]
    .filter((f) => f.level === 'problem')
    .map((f) => f.message);
}

test.describe('an error_page line for 502 before backsoon’s include', () => {
  test.use({ siteOptions: { vhost: join(VHOSTS, 'error-page-first.conf') } });

  test('wins without a word from nginx -t; the check names the line', async ({ site, page }) => {
    await writeFile(join(site.root, '50x.html'), SITE_PAGE);
    for (const path of ['/x', '/deep/path?q=1']) {
      const response = await fetch(site.url(path), { headers: BROWSER });
      expect(response.status).toBe(502);
      expect(response.headers.get('x-backsoon')).toBeNull();
      expect(await response.text()).toBe(SITE_PAGE);
    }
    await page.goto(site.url('/x'));
    await expect(page.locator('body')).toHaveText(SITE_PAGE);

    const problems = checkProblems(site);
    expect(problems).toHaveLength(2);
    for (const [i, code] of [502, 504].entries()) {
      expect(problems[i]).toMatch(
        new RegExp(
          `^error_page 500 502 503 504 /50x\\.html \\(\\S+/vhost\\.conf:9 .*\\) comes before backsoon's and wins for ${code}:`,
        ),
      );
    }
  });
});

test.describe('the same line after backsoon’s include', () => {
  test.use({ siteOptions: { vhost: join(VHOSTS, 'error-page-last.conf') } });

  test('leaves 502 to backsoon and keeps 500 for the site; the check finds nothing', async ({ site, app, page }) => {
    await writeFile(join(site.root, '50x.html'), SITE_PAGE);
    await page.goto(site.url('/x'));
    await expectBacksoonPage(page);
    // The app's own 500 is not proxy-intercepted: it passes through as ever.
    app.status = 500;
    await app.start();
    await expect(page.locator('#app')).toHaveAttribute('data-status', '500');
    await expect(page.locator('#asked')).toHaveText('/x');
    expect(checkProblems(site)).toEqual([]);
  });
});
