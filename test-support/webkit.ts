import { spawn, type ChildProcess } from 'node:child_process';
import { Builder, Capabilities, type WebDriver } from 'selenium-webdriver';
import { freePort } from './ports.js';

/** Debian's WebKitGTK driver (`apt-get install webkit2gtk-driver`); WEBKIT_DRIVER_BIN overrides it. */
export const WEBKIT_DRIVER_BIN = process.env.WEBKIT_DRIVER_BIN ?? '/usr/bin/WebKitWebDriver';
/** The browser it drives: WebKitGTK's MiniBrowser, from libwebkit2gtk-4.1-0 (a dependency of the driver). */
export const MINIBROWSER_BIN = process.env.MINIBROWSER_BIN ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
/** The X server MiniBrowser draws on (`apt-get install xvfb`): it has no headless mode. */
export const XVFB_BIN = process.env.XVFB_BIN ?? 'Xvfb';

/** Resolves with the first line a child prints on stdout; rejects if it exits or stays silent. */
function firstLine(child: ChildProcess, what: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => done(new Error(`${what} printed nothing within ${ms} ms:\n${err}`)), ms);
    const onExit = (code: number | null): void => done(new Error(`${what} exited with ${code}:\n${err}`));
    const onError = (error: Error): void => done(new Error(`cannot run ${what}: ${error.message}`));
    const onOut = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('\n')) done(undefined, out.split('\n')[0]!.trim());
    };
    const onErr = (chunk: Buffer): void => {
      err += chunk.toString();
    };
    function done(error: Error | undefined, line?: string): void {
      clearTimeout(timer);
      child.off('exit', onExit).off('error', onError);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      if (error) reject(error);
      else resolve(line!);
    }
    child.once('exit', onExit).once('error', onError);
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
  });
}

async function waitForDriver(url: string, child: ChildProcess, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${WEBKIT_DRIVER_BIN} exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/status`).then(
      async (r) => ((await r.json()) as { value?: { ready?: boolean } }).value?.ready === true,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`${WEBKIT_DRIVER_BIN} was not ready on ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * WebKitGTK, driven over classic WebDriver by selenium-webdriver: an Xvfb
 * of its own on a free display (`-displayfd` lets the X server pick one, so
 * parallel test workers never collide), and WebKitWebDriver on a free port.
 * Each session is a fresh MiniBrowser with an ephemeral profile.
 *
 * (!) There is no WebDriver BiDi in WebKitGTK 2.50's driver, so no console
 * events; MiniBrowser's console-to-stdout setting prints nothing in
 * automation mode.
 */
export class WebKitDriver {
  private constructor(
    private readonly xvfb: ChildProcess,
    private readonly driver: ChildProcess,
    /** The driver's URL. */
    readonly url: string,
  ) {}

  static async start(): Promise<WebKitDriver> {
    const xvfb = spawn(XVFB_BIN, ['-displayfd', '1', '-nolisten', 'tcp', '-screen', '0', '1280x800x24'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let driver: ChildProcess | undefined;
    try {
      const display = await firstLine(xvfb, XVFB_BIN, 10_000);
      // Keep reading (and dropping) what it prints, so a full pipe never blocks it.
      xvfb.stdout?.resume();
      xvfb.stderr?.resume();
      const port = await freePort();
      driver = spawn(WEBKIT_DRIVER_BIN, [`--port=${port}`], {
        env: { ...process.env, DISPLAY: `:${display}` },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const url = `http://127.0.0.1:${port}`;
      await Promise.race([
        waitForDriver(url, driver),
        new Promise((_, reject) =>
          driver!.once('error', (e) => reject(new Error(`cannot run ${WEBKIT_DRIVER_BIN}: ${e.message}`))),
        ),
      ]);
      return new WebKitDriver(xvfb, driver, url);
    } catch (error) {
      await kill(driver);
      await kill(xvfb);
      throw error;
    }
  }

  /** A new browser session: one MiniBrowser window. Quit it when done. */
  session(): Promise<WebDriver> {
    const capabilities = new Capabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER_BIN, args: ['--automation'] },
    });
    return new Builder().usingServer(this.url).withCapabilities(capabilities).build();
  }

  /** Stops the driver, then the X server (which takes any MiniBrowser left behind with it). */
  async stop(): Promise<void> {
    await kill(this.driver);
    await kill(this.xvfb);
  }
}
