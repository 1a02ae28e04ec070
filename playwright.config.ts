import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './test-support/chromium.js';

/**
 * End-to-end tests: Debian's Chromium (Playwright cannot download its own
 * browser here) against a real nginx and a real Node app, both started by
 * the fixtures in e2e/fixtures.ts on free ports. e2e/engines.spec.ts drives
 * Debian's Firefox ESR and WebKitGTK from the same runner (e2e/engines.ts).
 * Every run builds first (e2e/global-setup.ts): the tests never meet a stale
 * dist/.
 */
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  forbidOnly: !!process.env.CI,
  fullyParallel: true,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
});
