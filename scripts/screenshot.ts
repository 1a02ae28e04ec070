/**
 * `npm run screenshot`: pictures of the real build, served by a real nginx
 * with the app down, in Chromium, light and dark, desktop and phone.
 * Writes docs/*.png for the README.
 */
import { chromium } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM_LAUNCH } from './lib/chromium.js';
import { REPO, startNginx } from './lib/nginx.js';
import { freePort } from './lib/ports.js';

const shots = [
  { file: 'page-light.png', colorScheme: 'light', viewport: { width: 960, height: 600 } },
  { file: 'page-dark.png', colorScheme: 'dark', viewport: { width: 960, height: 600 } },
  { file: 'page-phone.png', colorScheme: 'light', viewport: { width: 390, height: 700 } },
] as const;

const nginx = await startNginx({ vhost: join(REPO, 'nginx-snippets/examples/site.conf'), appPort: await freePort() });
const browser = await chromium.launch(CHROMIUM_LAUNCH);
try {
  await mkdir(join(REPO, 'docs'), { recursive: true });
  for (const shot of shots) {
    const page = await browser.newPage({ colorScheme: shot.colorScheme, viewport: shot.viewport });
    await page.goto(nginx.url('/deep/path?q=1#section'));
    await page.locator('backsoon-page').getByText(/attempt 3/).waitFor();
    const path = join(REPO, 'docs', shot.file);
    await page.screenshot({ path });
    console.log(`wrote ${path}`);
    await page.close();
  }
} finally {
  await browser.close();
  await nginx.stop();
}
