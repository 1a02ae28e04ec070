/**
 * Simulated visitors for the load benchmark and the scale tests. A backsoon visitor runs the
 * page's own PollController (src/poll/poll-controller.ts: the Poller, the
 * schedule, the shared probe and its turns, the loop guard, the return),
 * with the DOM replaced by the few objects it touches, and HTTP requests to
 * the real nginx. A meta-refresh visitor loads its URL every 5 s until the
 * app answers it, as a browser does with `<meta http-equiv="refresh" content="5">`.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { ReactiveController } from 'lit';
import { DEFAULT_POLL_OPTIONS } from '../src/decide/poll-options.js';
import { PollController, type PollEnvironment } from '../src/poll/poll-controller.js';
import { MARKER_HEADER } from '../src/protocol.js';

/** One keep-alive pool for every simulated browser: nginx's cost per request is what counts, not per connection. */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 10_000 });

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
}

/** One HTTP request to nginx, from the visitor's address; the body is read and dropped, as a browser reads a page. */
function send(
  world: VisitorWorld,
  path: string,
  method: string,
  accept: string,
  signal?: AbortSignal,
): Promise<Answer> {
  world.onRequest?.(method, path);
  return new Promise((resolve, reject) => {
    const req = request(
      `${world.origin}${path}`,
      {
        method,
        agent,
        localAddress: world.address,
        headers: { accept, 'accept-encoding': 'gzip' },
        ...(signal ? { signal } : {}),
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** The `fetch` the page's code calls, for HEAD checks: status and headers are all it reads. */
function checkFetch(world: VisitorWorld): typeof globalThis.fetch {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const path = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const answer = await send(world, path, init?.method ?? 'GET', '*/*', init?.signal ?? undefined);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    return new Response(null, { status: answer.status, headers });
  };
}

/** What a Lit element gives its controllers, without a DOM. */
class Host extends EventTarget {
  addController(_controller: ReactiveController): void {}
  removeController(): void {}
  requestUpdate(): void {}
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

const NAVIGATE = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** What the harness learns of each visitor. */
export interface VisitorRecord {
  arrivedAt: number;
  /** When a page load of its URL was answered by the app. */
  backAt: number | undefined;
  /** Loads of its URL answered with the outage page after the first. */
  bounces: number;
}

export interface VisitorWorld {
  origin: string;
  /**
   * The visitor's own address (any of 127.0.0.0/8 is this machine): each
   * visitor is a client of its own to the server, as on the internet,
   * where the kit caps turns per address.
   */
  address: string;
  /** Stops every visitor (the bench's time is up). */
  signal: AbortSignal;
  /**
   * Milliseconds between the page sending the visitor back and its page
   * request reaching the server: the network and the browser, which on
   * loopback take nothing. @default 0
   */
  navigationDelay?: number | undefined;
  /** Called for each request the visitor sends (its checks and its page loads). */
  onRequest?: ((method: string, path: string) => void) | undefined;
}

/** Loads a URL as a navigation; undefined when the network failed. */
async function navigate(world: VisitorWorld, path: string): Promise<Answer | undefined> {
  try {
    return await send(world, path, 'GET', NAVIGATE);
  } catch {
    return undefined;
  }
}

/** A visitor with backsoon's page: arrives, waits on the page, goes back when the page sends it. */
export async function backsoonVisitor(world: VisitorWorld, path: string, record: VisitorRecord): Promise<void> {
  const session = new Map<string, string>(); // the tab's sessionStorage: the loop guard lives there
  const href = `${world.origin}${path}`;
  let loads = 0;
  for (;;) {
    if (world.signal.aborted) return;
    // Sent back by the page: the browser's way to the server takes a while (none the first time: it is already there).
    if (loads > 0 && world.navigationDelay) await new Promise((r) => setTimeout(r, world.navigationDelay));
    const answer = await navigate(world, path);
    loads += 1;
    if (answer && answer.headers[MARKER_HEADER.toLowerCase()] === undefined && answer.status < 500) {
      record.backAt = Date.now();
      return;
    }
    if (loads > 1) record.bounces += 1;
    // On the page: the page's own controller, until it sends the visitor back.
    await new Promise<void>((resolve) => {
      const host = new Host();
      const env: PollEnvironment = {
        location: { href, replace: () => leave(), reload: () => leave() },
        document: Object.assign(new EventTarget(), { hidden: false }),
        window: new EventTarget(),
        storage: { getItem: (k) => session.get(k) ?? null, setItem: (k, v) => void session.set(k, v) },
        fetch: checkFetch(world),
        now: Date.now,
        random: Math.random,
      };
      const controller = new PollController(
        host,
        () => ({ options: DEFAULT_POLL_OPTIONS, variant: 'crash', unsent: false }),
        () => env,
      );
      const stop = (): void => leave();
      function leave(): void {
        world.signal.removeEventListener('abort', stop);
        controller.hostDisconnected();
        resolve();
      }
      world.signal.addEventListener('abort', stop, { once: true });
      controller.hostConnected();
    });
  }
}

/** A visitor on a custom error page with a 5 s meta refresh. */
export async function metaRefreshVisitor(world: VisitorWorld, path: string, record: VisitorRecord): Promise<void> {
  while (!world.signal.aborted) {
    const answer = await navigate(world, path);
    if (answer && answer.status < 500) {
      record.backAt = Date.now();
      return;
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
}
