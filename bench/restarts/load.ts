import { Agent, request } from 'node:http';
import { MARKER_HEADER } from '../../src/protocol.js';

/** One page load of the steady load: when it started and ended, and what came back. */
export interface PageLoad {
  /** The URL's path: unique, to find the load in nginx's log. */
  path: string;
  start: number;
  end: number;
  /** The HTTP status, or 0 when no answer came (the connection failed). */
  status: number;
  /** The X-Backsoon marker: backsoon's page was shown. */
  marker: string | undefined;
  /** The network error, when no answer came (what the browser shows on its own). */
  error: string | undefined;
  /** Sent again after a kept-alive connection closed under it, as browsers do. */
  resent: boolean;
}

/**
 * Errors after which a browser sends a request again by itself, when it
 * went out on a kept-alive connection that the server closed meanwhile
 * (Chromium: HttpNetworkTransaction::ShouldResendRequest).
 */
const RESENT_ON = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * A steady load of page loads: `rate` GETs a second, each started on time
 * whether or not the earlier ones have finished (an open loop, as visitors
 * do not wait for each other), over keep-alive connections as a browser
 * keeps them. `stop()` stops starting new ones and waits for the rest.
 */
export class SteadyLoad {
  readonly loads: PageLoad[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();
  private n = 0;

  constructor(
    private readonly port: number,
    private readonly prefix: string,
    private readonly rate: number,
  ) {}

  start(): void {
    const period = 1000 / this.rate;
    const first = Date.now();
    const tick = (): void => {
      const due = Math.floor((Date.now() - first) / period) + 1;
      while (this.n < due) this.fire();
      this.timer = setTimeout(tick, period / 2);
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await Promise.all([...this.pending]);
    this.agent.destroy();
  }

  private fire(): void {
    const path = `${this.prefix}${++this.n}`;
    const load: PageLoad = {
      path,
      start: Date.now(),
      end: 0,
      status: 0,
      marker: undefined,
      error: undefined,
      resent: false,
    };
    this.loads.push(load);
    const done = this.send(load);
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  private send(load: PageLoad): Promise<void> {
    const { path } = load;
    return new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          agent: this.agent,
          headers: { accept: 'text/html' },
          timeout: 60_000,
        },
        (res) => {
          load.status = res.statusCode ?? 0;
          const marker = res.headers[MARKER_HEADER.toLowerCase()];
          load.marker = typeof marker === 'string' ? marker : undefined;
          res.resume();
          res.on('end', () => {
            load.end = Date.now();
            resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (req.reusedSocket && !load.resent && RESENT_ON.has(error.code ?? '')) {
          load.resent = true;
          void this.send(load).then(resolve);
          return;
        }
        load.end = Date.now();
        load.error = error.code ?? error.message;
        resolve();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
  }
}

export interface LoadSummary {
  loads: number;
  /** Loads answered with backsoon's page (the marker). */
  pages: number;
  /** Other answers of 500 and above: nginx's stock pages, the app's own errors. */
  otherErrors: number;
  /** Loads that got no answer: the browser's own error page. */
  failed: number;
  /** Loads sent again on a new connection, unseen by the visitor. */
  resent: number;
  p50: number;
  p95: number;
  max: number;
}

/** Percentile by rank: the value below which `p` of the sorted values fall. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** What visitors saw, over the loads given. */
export function summarize(loads: PageLoad[]): LoadSummary {
  const times = loads.map((l) => l.end - l.start).sort((a, b) => a - b);
  return {
    loads: loads.length,
    pages: loads.filter((l) => l.marker !== undefined).length,
    otherErrors: loads.filter((l) => l.marker === undefined && l.status >= 500).length,
    failed: loads.filter((l) => l.status === 0).length,
    resent: loads.filter((l) => l.resent).length,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    max: times.at(-1) ?? NaN,
  };
}
