import type { LaunchOptions } from '@playwright/test';

/**
 * Debian's Chromium, as Playwright should launch it here: Playwright cannot
 * download a browser of its own on this network. The flags keep Chromium
 * from reaching for Google's services (refused here) at every start.
 */
export const CHROMIUM_LAUNCH: LaunchOptions = {
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
