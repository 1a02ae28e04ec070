/**
 * `npm run screenshot`: pictures of every state of the real build, served
 * by a real nginx in front of a real app, in Chromium: light and dark on a
 * desktop, light on a phone. Writes docs/states/*.png, and docs/page-*.png
 * for the top of the README.
 */
import { chromium } from '@playwright/test';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { CHROMIUM_LAUNCH } from '../test-support/chromium.js';
import { REPO, startNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { PAGE_STATES } from '../test-support/states.js';

const VIEWS = [
  { suffix: 'light', colorScheme: 'light', viewport: { width: 900, height: 620 } },
  { suffix: 'dark', colorScheme: 'dark', viewport: { width: 900, height: 620 } },
  { suffix: 'phone', colorScheme: 'light', viewport: { width: 390, height: 760 } },
] as const;

const out = join(REPO, 'docs/states');
await mkdir(out, { recursive: true });
const browser = await chromium.launch(CHROMIUM_LAUNCH);
try {
  for (const state of PAGE_STATES) {
    for (const view of VIEWS) {
      const app = new DemoApp(await freePort());
      const attributes = Object.entries(state.attributes ?? {})
        .map(([k, v]) => ` ${k}="${v}"`)
        .join('');
      const nginx = await startNginx({
        vhost: join(REPO, 'nginx-snippets/examples/site.conf'),
        appPort: app.port,
        page: (html) => html.replace('<backsoon-page ', `<backsoon-page${attributes} `),
      });
      const page = await browser.newPage({ colorScheme: view.colorScheme, viewport: view.viewport });
      try {
        await state.open(page, nginx, app);
        const path = join(out, `${state.name}-${view.suffix}.png`);
        await page.screenshot({ path });
        console.log(`wrote ${path}`);
      } finally {
        await page.close();
        await nginx.stop();
        await app.stop();
      }
    }
  }
  for (const view of VIEWS)
    await copyFile(join(out, `checking-${view.suffix}.png`), join(REPO, `docs/page-${view.suffix}.png`));
} finally {
  await browser.close();
}
