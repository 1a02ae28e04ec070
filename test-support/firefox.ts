import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Firefox ESR (`apt-get install firefox-esr`); FIREFOX_BIN overrides it. */
export const FIREFOX_BIN = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';

/**
 * Debian's Firefox, driven over WebDriver BiDi by puppeteer-core: no
 * geckodriver (Debian has none) and no browser download (puppeteer-core
 * never fetches one; Playwright's own patched Firefox cannot be had here).
 * Headless, in a temporary profile with puppeteer's automation preferences
 * (no updates, telemetry or safe-browsing requests), removed on close.
 */
export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_BIN, headless: true });
}
