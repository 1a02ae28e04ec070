import type { Browser } from 'puppeteer-core';
import type { WebDriver } from 'selenium-webdriver';
import type { PageVariant } from '../src/protocol.js';
import { launchFirefox } from '../test-support/firefox.js';
import { WebKitDriver } from '../test-support/webkit.js';
import { withConsoleProbe } from './console-probe.js';
import { expect, test as base } from './fixtures.js';

// Firefox and WebKit inside Playwright's runner: Playwright cannot drive
// Debian's builds of either, so puppeteer-core (WebDriver BiDi) drives
// firefox-esr and selenium-webdriver (classic WebDriver) drives WebKitGTK.
// The site, the app and nginx are the same fixtures as Chromium's.

export type Engine = 'firefox' | 'webkit';
export const ENGINES: readonly Engine[] = ['firefox', 'webkit'];

/** A visitor's tab, through the few things the tests do with it, in either engine. */
export interface Visitor {
  readonly engine: Engine;
  /** Navigates and waits for the load. */
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  /** The value of a JavaScript expression in the page (a promise is awaited). */
  evaluate<T>(expression: string): Promise<T>;
  /**
   * CSP and Trusted Types violations, script errors and console messages
   * seen so far. Firefox: its console, over BiDi. WebKit: the console probe
   * in the page (it has no console events), for the current document only.
   */
  problems(): Promise<string[]>;
  close(): Promise<void>;
}

async function firefoxVisitor(browser: Browser): Promise<Visitor> {
  // A browser context per test: its own cookies, caches and workers.
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const log: string[] = [];
  // Firefox reports CSP and Trusted Types violations as errors over BiDi.
  page.on('console', (message) => log.push(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => log.push(`error: ${error instanceof Error ? error.message : String(error)}`));
  return {
    engine: 'firefox',
    goto: async (url) => {
      await page.goto(url);
    },
    url: async () => page.url(),
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    problems: async () => [...log],
    close: () => context.close(),
  };
}

async function webkitVisitor(driver: WebDriver): Promise<Visitor> {
  return {
    engine: 'webkit',
    goto: (url) => driver.get(url),
    url: () => driver.getCurrentUrl(),
    evaluate: <T>(expression: string) => driver.executeScript<T>(`return (${expression});`),
    problems: async () => {
      const seen = await driver.executeScript<string[] | null>('return window.__backsoonProbe ?? null;');
      if (seen === null)
        throw new Error('the console probe is not in this page (siteOptions: { page: withConsoleProbe })');
      return seen;
    },
    close: () => driver.quit(),
  };
}

/**
 * The edit to the built pages (startNginx's `page`) for an engine's tests:
 * `edit`, and in WebKit the console probe after it. None at all, when there
 * is nothing to change, so that the pages stay as built (their .gz too).
 */
export function pageFor(engine: Engine, edit?: (html: string) => string): ((html: string) => string) | undefined {
  if (engine === 'webkit') return (html) => withConsoleProbe(edit ? edit(html) : html);
  return edit;
}

interface EngineFixtures {
  /** Which engine the visitor uses; set with `test.use({ engine })`. */
  engine: Engine;
  /** A fresh tab (Firefox: a new browser context; WebKit: a new session), closed after the test. */
  visitor: Visitor;
}

interface WorkerFixtures {
  /** The browsers, launched on first use and shared by one worker's tests. */
  browsers: { firefox(): Promise<Browser>; webkit(): Promise<WebKitDriver> };
}

export const test = base.extend<EngineFixtures, WorkerFixtures>({
  engine: ['firefox', { option: true }],

  browsers: [
    async ({}, use) => {
      let firefox: Promise<Browser> | undefined;
      let webkit: Promise<WebKitDriver> | undefined;
      await use({ firefox: () => (firefox ??= launchFirefox()), webkit: () => (webkit ??= WebKitDriver.start()) });
      await (await firefox?.catch(() => undefined))?.close();
      await (await webkit?.catch(() => undefined))?.stop();
    },
    { scope: 'worker' },
  ],

  visitor: async ({ engine, browsers }, use) => {
    const visitor =
      engine === 'firefox'
        ? await firefoxVisitor(await browsers.firefox())
        : await webkitVisitor(await (await browsers.webkit()).session());
    await use(visitor);
    await visitor.close();
  },
});

export { expect };

/** The text of the first match of `selector` in backsoon's page (through its shadow root) or the app's, or null. */
export function textOf(visitor: Visitor, selector: string): Promise<string | null> {
  return (
    visitor
      .evaluate<string | null>(
        `(document.querySelector('backsoon-page')?.shadowRoot?.querySelector(${JSON.stringify(selector)}) ?? document.querySelector(${JSON.stringify(selector)}))?.textContent ?? null`,
      )
      // Between two documents (the page sending the visitor back) there is nothing to read yet.
      .catch(() => null)
  );
}

/** backsoon's page for a crash or for maintenance, running its checks (as `expectBacksoonPage` for Chromium). */
export async function expectBacksoonPage(visitor: Visitor, variant: PageVariant = 'crash'): Promise<void> {
  const heading = variant === 'crash' ? 'We’ll be right back' : 'Down for planned maintenance';
  await expect.poll(() => textOf(visitor, 'h1')).toBe(heading);
  await expect.poll(() => textOf(visitor, '.status')).toMatch(/attempt \d+/);
}
