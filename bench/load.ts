/**
 * `npm run bench:load`: what N waiting visitors do to an app that comes
 * back, on a real nginx in front of a real capacity-limited app (Debian's
 * gunicorn, 4 sync workers pinned to one core, 2 s start-up, a set CPU time
 * per page: bench/load/app.py), side by side with the same visitors on a
 * custom error page with a 5 s meta refresh, and with turns at a rate tuned
 * by hand to the app (the way an operator had to pace returns before the
 * window).
 *
 * Each run: the app is down; N visitors arrive over the outage; backsoon's
 * visitors run the page's own controller (test-support/simulated-visitors.ts),
 * the meta ones reload every 5 s; then the app starts, and the run lasts
 * until every visitor is back or `--cap` seconds have passed. Loopback only.
 *
 * The rows (`--rows`, all by default, about 40 minutes):
 *   speeds    apps of three speeds (pages of 80, 20 and 5 ms of CPU), 1,000 visitors, 30 s outage
 *   slowdown  the 20 ms app slows to 80 ms 10 s into the recovery
 *   nodes     two nginx, each with the kit, in front of the 20 ms app (visitors spread over both)
 *   crowd     5,000 visitors on the 20 ms app
 *   network   the 80 and 20 ms apps with visitors 200 ms away (from being sent back to their page request)
 *
 *   npm run bench:load
 *   npm run bench:load -- --rows speeds --views 20 --modes backsoon
 *   npm run bench:load -- --rows speeds --views 5 --keep   # and keep the logs in .scratch/
 *   npm run bench:load -- --server caddy --rows speeds --views 20 --modes backsoon
 *   npm run bench:load -- --rows speeds --views 20 --navigation-delay 300   # visitors across the internet
 *
 * `--server caddy|haproxy|apache` puts that server in front, set up from the
 * example its snippet folder ships (test-support/proxies.ts), instead of
 * nginx, for backsoon's rows; the meta refresh rows stay on nginx. nginx's
 * own numbers (checks counted in its access log, its CPU) are then left out ("–").
 *
 * Prints a table and the targets met or missed, and writes its part of
 * bench/results.md (only when every row ran on nginx).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, startNginx, type RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { startProxy, type RunningProxy } from '../test-support/proxies.js';
import { writeResultsPart } from './results-file.js';
import {
  backsoonVisitor,
  metaRefreshVisitor,
  type VisitorRecord,
  type VisitorWorld,
} from '../test-support/simulated-visitors.js';
import { PATHS } from '../src/protocol.js';

const GROUPS = ['speeds', 'slowdown', 'nodes', 'crowd', 'network'] as const;
type Group = (typeof GROUPS)[number];
type Mode = 'backsoon' | 'tuned' | 'meta';
const MODES: readonly Mode[] = ['backsoon', 'tuned', 'meta'];
const SERVERS = ['nginx', 'caddy', 'haproxy', 'apache'] as const;

const { values: args } = parseArgs({
  options: {
    /** Which groups of rows to run. */
    rows: { type: 'string', default: GROUPS.join(',') },
    /** The app speeds of the `speeds` rows: ms of CPU per page. */
    views: { type: 'string', default: '80,20,5' },
    /** Which pages to put in front of the visitors. */
    modes: { type: 'string', default: MODES.join(',') },
    /** Visitors in the speeds, slowdown and nodes rows. */
    n: { type: 'string', default: '1000' },
    /** The outage, in seconds. */
    outage: { type: 'string', default: '30' },
    /** The longest recovery measured, in seconds. */
    cap: { type: 'string', default: '300' },
    /** Keep nginx's access log and the app's log of each run in .scratch/ (for a closer look). */
    keep: { type: 'boolean', default: false },
    /** The server in front of the app for backsoon's rows. */
    server: { type: 'string', default: 'nginx' },
    /**
     * Milliseconds between a page sending its visitor back and the page
     * request reaching the server (a browser across the internet; 0 on
     * loopback), for every row.
     */
    'navigation-delay': { type: 'string', default: '0' },
    /** The window of turns for backsoon's rows (location/backsoon-probe.conf's limit_conn), to try another. @default the shipped 4 */
    window: { type: 'string' },
  },
});

function choices<T extends string>(text: string, known: readonly T[], name: string): T[] {
  return text.split(',').map((part) => {
    const found = known.find((k) => k === part);
    if (!found) throw new TypeError(`bench:load: --${name} takes ${known.join(', ')} (got "${part}")`);
    return found;
  });
}
function numbers(text: string, name: string): number[] {
  return text.split(',').map((part) => {
    const value = Number(part);
    if (!Number.isFinite(value) || value <= 0)
      throw new TypeError(`bench:load: --${name} takes positive numbers (got "${part}")`);
    return value;
  });
}
const ROWS = choices(args.rows, GROUPS, 'rows');
const VIEWS = numbers(args.views, 'views');
const RUN_MODES = choices(args.modes, MODES, 'modes');
const N = numbers(args.n, 'n')[0]!;
const OUTAGE = numbers(args.outage, 'outage')[0]! * 1000;
const CAP = numbers(args.cap, 'cap')[0]! * 1000;
const SERVER = choices(args.server, SERVERS, 'server')[0]!;
const WINDOW = args.window === undefined ? undefined : numbers(args.window, 'window')[0];
const NAVIGATION_DELAY = Number(args['navigation-delay']);
if (!Number.isFinite(NAVIGATION_DELAY) || NAVIGATION_DELAY < 0)
  throw new TypeError(`bench:load: --navigation-delay takes milliseconds (got "${args['navigation-delay']}")`);

const APP_DIR = join(REPO, 'bench/load');
/** The app's core: gunicorn and its workers share it, nginx and the visitors get the other. */
const APP_CORE = '0';
/** nginx's and the simulated visitors' core, so that they never take the app's CPU. */
const FRONT_CORE = '1';
const WORKERS = 4;
/** The app's start-up: each worker imports the app this long before it serves. */
const START_SECONDS = 2;

/** How fast the app is: CPU per page, and a slowdown from some time on. */
interface AppSpeed {
  viewMs: number;
  /** Pages take `viewMs` ms from `afterMs` after the app's start (its start-up included). */
  slowdown?: { afterMs: number; viewMs: number };
}

/** Debian's gunicorn with the bench app, started and stopped like a deploy does. */
class AppServer {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly log: string,
    readonly speed: AppSpeed,
  ) {}

  async start(): Promise<void> {
    const { viewMs, slowdown } = this.speed;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BENCH_APP_LOG: this.log,
      BENCH_APP_START: String(START_SECONDS),
      BENCH_APP_VIEW_MS: String(viewMs),
    };
    if (slowdown) {
      env.BENCH_APP_SLOW_AT = String((Date.now() + slowdown.afterMs) / 1000);
      env.BENCH_APP_SLOW_MS = String(slowdown.viewMs);
    }
    this.child = spawn(
      'taskset',
      [
        '-c',
        APP_CORE,
        'gunicorn',
        '--workers',
        String(WORKERS),
        '--worker-class',
        'sync',
        '--backlog',
        '2048',
        '--bind',
        `127.0.0.1:${this.port}`,
        '--chdir',
        APP_DIR,
        '--log-level',
        'warning',
        'app:application',
      ],
      { env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }

  /** Quick shutdown (SIGINT): the workers stop at once, as in a crash or a hard restart. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Visitor i's own loopback address: 127.10.0.1, 127.10.0.2, … (62,500 of them). */
const visitorAddress = (i: number): string => `127.10.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Pages a second the app serves at `viewMs`, measured with 8 clients in a loop straight at it. */
async function measureCapacity(viewMs: number): Promise<number> {
  const port = await freePort();
  const log = join(REPO, '.scratch', `capacity-${process.pid}.log`);
  await writeFile(log, '');
  const app = new AppServer(port, log, { viewMs });
  await app.start();
  try {
    for (;;) {
      try {
        if ((await get(`http://127.0.0.1:${port}/`)) === 200) break;
      } catch {
        await sleep(100);
      }
    }
    let served = 0;
    const until = Date.now() + 8000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < until) if ((await get(`http://127.0.0.1:${port}/`)) === 200) served += 1;
      }),
    );
    return served / 8;
  } finally {
    await app.stop();
    await rm(log, { force: true });
  }
}

/** nginx's master and workers' pids. */
async function nginxPids(site: RunningNginx): Promise<string[]> {
  const master = (await readFile(join(site.prefix, 'nginx.pid'), 'utf8')).trim();
  const children = (await readFile(`/proc/${master}/task/${master}/children`, 'utf8'))
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return [master, ...children];
}

/** Keeps a process (all its threads) on FRONT_CORE. */
function pinToFront(pid: string | number): void {
  execFileSync('taskset', ['-a', '-cp', FRONT_CORE, String(pid)], { stdio: 'ignore' });
}

/** CPU seconds used so far by nginx's master and workers. */
async function nginxCpu(site: RunningNginx): Promise<number> {
  let ticks = 0;
  for (const pid of await nginxPids(site)) {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
  }
  return ticks / 100;
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Events in each whole second of [from, to): the mean and the busiest second. */
function perSecond(times: number[], from: number, to: number): { mean: number; peak: number } {
  const seconds = Math.max(1, Math.ceil((to - from) / 1000));
  const buckets = new Array<number>(seconds).fill(0);
  let count = 0;
  for (const t of times) {
    if (t < from || t >= to) continue;
    buckets[Math.floor((t - from) / 1000)]! += 1;
    count += 1;
  }
  return { mean: count / Math.max(0.001, (to - from) / 1000), peak: Math.max(...buckets) };
}

/** One row to run: the app, the visitors, the page in front of them, and how many nginx. */
interface Plan {
  group: Group;
  /** Milliseconds between a page sending its visitor back and the page request reaching nginx. */
  navigationDelay: number;
  /** The app's name in the table, and its speed. */
  app: string;
  speed: AppSpeed;
  /** The capacity the tuned rate is set to, and the targets are checked against (pages a second). */
  capacity: number;
  n: number;
  mode: Mode;
  nodes: number;
}

interface Row extends Plan {
  back: number;
  p50: number;
  p95: number;
  bounces: number;
  /** App page requests (the visitors' own URLs) per returned visitor. */
  pagesPerReturned: number;
  /** App requests to the health path (probes and turns) per returned visitor. */
  healthPerReturned: number;
  /** Probe requests that reached the app, a second per node, during recovery (cache misses). */
  probesPerNode: number;
  /** Pages the app served a second during recovery: mean and busiest second. */
  appPages: { mean: number; peak: number };
  /** Busy answers a second during recovery, all nodes. */
  busy: number;
  fresh: { p50: number; p95: number; failed: number; count: number };
  nginxCpu: number;
  recovery: number;
}

interface LogLine {
  at: number;
  method: string;
  uri: string;
  status: number;
  cache: string;
}

async function readAccessLog(site: RunningNginx): Promise<LogLine[]> {
  return (await readFile(join(site.prefix, 'access.log'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [t, method, uri, status, cache] = line.split(' ');
      return { at: Number(t) * 1000, method: method!, uri: uri!, status: Number(status), cache: cache! };
    });
}

async function run(plan: Plan): Promise<Row> {
  const { mode, n, nodes, speed, capacity } = plan;
  const appPort = await freePort();
  // The meta refresh's server block (vhost.conf's second) on the first node.
  const metaPorts = await Promise.all(Array.from({ length: nodes }, () => freePort()));
  const sites: RunningNginx[] = [];
  for (let node = 0; node < nodes; node += 1) {
    sites.push(
      await startNginx({
        vhost: join(APP_DIR, 'vhost.conf'),
        appPort,
        vars: { META: `127.0.0.1:${metaPorts[node]!}` },
        // The hand-tuned rows: turns at a little under the app's capacity, a
        // burst of about two seconds of it, on each node, as the kit's
        // snippets told an operator to set them before the window.
        ...(mode === 'tuned'
          ? { turnRate: { rate: Math.floor(capacity * 0.95), burst: Math.round(capacity * 2) } }
          : {}),
        ...(mode === 'backsoon' && WINDOW !== undefined ? { turnWindow: WINDOW } : {}),
        workerConnections: 16_384,
      }),
    );
  }
  for (const site of sites) for (const pid of await nginxPids(site)) pinToFront(pid);
  const first = sites[0]!;
  await writeFile(
    join(first.root, 'meta-refresh.html'),
    '<!doctype html><meta http-equiv="refresh" content="5"><title>Back soon</title><p>We’ll be right back.</p>\n',
  );
  const appLog = join(first.prefix, 'app.log');
  await writeFile(appLog, '');
  const app = new AppServer(appPort, appLog, speed);
  const stopVisitors = new AbortController();
  setMaxListeners(n + 10, stopVisitors.signal); // every visitor listens for the end of the run
  // Another server in front of the app for backsoon's visitors, from its folder's example.
  const front: RunningProxy | undefined =
    mode !== 'meta' && SERVER !== 'nginx' ? await startProxy(SERVER, { appPort }) : undefined;
  const origins =
    mode === 'meta'
      ? [`http://127.0.0.1:${metaPorts[0]!}`]
      : front
        ? [front.url('').replace(/\/$/, '')]
        : sites.map((site) => site.url('').replace(/\/$/, ''));
  // A load balancer in front of the nodes: each visitor sticks to one.
  const originOf = (i: number): string => origins[i % origins.length]!;
  const visit = mode === 'meta' ? metaRefreshVisitor : backsoonVisitor;
  const records: VisitorRecord[] = [];
  const running: Promise<void>[] = [];
  const cpuBefore = await Promise.all(sites.map(nginxCpu));
  const begin = Date.now();
  try {
    // N visitors arrive over the outage, at random.
    const arrivals = Array.from({ length: n }, () => Math.random() * OUTAGE).sort((a, b) => a - b);
    const arriving = (async () => {
      for (const [i, at] of arrivals.entries()) {
        const wait = begin + at - Date.now();
        if (wait > 0) await sleep(wait);
        const record: VisitorRecord = { arrivedAt: Date.now(), backAt: undefined, bounces: 0 };
        records.push(record);
        const world: VisitorWorld = {
          origin: originOf(i),
          address: visitorAddress(i),
          signal: stopVisitors.signal,
          navigationDelay: plan.navigationDelay,
        };
        running.push(visit(world, `/item/${i}?from=bench`, record).catch(() => undefined));
      }
    })();
    await sleep(begin + OUTAGE - Date.now());
    await arriving;
    const appStartedAt = Date.now();
    await app.start();
    const deadline = appStartedAt + CAP;
    // Someone who was not waiting opens the site once a second during the
    // recovery: what the app's queue means for everyone else.
    const freshLoads: Promise<{ at: number; ms: number; ok: boolean }>[] = [];
    const freshVisitors = setInterval(() => {
      const sentAt = Date.now();
      const i = freshLoads.length;
      freshLoads.push(
        get(`${originOf(i)}/fresh/${i}`).then(
          (status) => ({ at: sentAt, ms: Date.now() - sentAt, ok: status < 500 }),
          () => ({ at: sentAt, ms: Date.now() - sentAt, ok: false }),
        ),
      );
    }, 1000);
    while (Date.now() < deadline && records.some((r) => r.backAt === undefined)) await sleep(250);
    clearInterval(freshVisitors);
    const end = Date.now();
    stopVisitors.abort();
    await Promise.all(running);
    const fresh = await Promise.all(freshLoads);
    if (args.keep) {
      const name = join(
        REPO,
        '.scratch',
        `load-${plan.group}-${plan.app}-${mode}-${nodes}-${n}-${plan.navigationDelay}`,
      );
      const times = (at: number): number => (at - appStartedAt) / 1000;
      await writeFile(
        `${name}.fresh.txt`,
        fresh
          .map((f) => `${times(f.at).toFixed(1)} s after the app's start: ${f.ms} ms${f.ok ? '' : ', failed'}`)
          .join('\n'),
      );
    }
    const freshTimes = fresh
      .filter((f) => f.ok)
      .map((f) => f.ms)
      .sort((a, b) => a - b);
    const cpuAfter = await Promise.all(sites.map(nginxCpu));
    const cpu = cpuAfter.reduce((sum, after, i) => sum + after - cpuBefore[i]!, 0);

    const appTimes = (await readFile(appLog, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [t, method, path] = line.split(' ');
        return { at: Number(t) * 1000, method: method!, path: path! };
      });
    const appBack = appTimes[0]?.at ?? end;
    const access = (await Promise.all(sites.map(readAccessLog))).flat();
    const back = records.filter((r) => r.backAt !== undefined);
    const lastBack = Math.max(appBack + 1, ...back.map((r) => r.backAt!));
    const returns = back.map((r) => Math.max(0, r.backAt! - appBack)).sort((a, b) => a - b);
    const recoverySeconds = (lastBack - appBack) / 1000;
    const isPage = (path: string): boolean => path.startsWith('/item/');
    const onNginx = !front && mode !== 'meta';
    const probes = access.filter((a) => a.uri.startsWith(PATHS.probe));
    return {
      ...plan,
      back: back.length,
      p50: quantile(returns, 0.5),
      p95: quantile(returns, 0.95),
      bounces: records.reduce((sum, r) => sum + r.bounces, 0),
      pagesPerReturned: appTimes.filter((a) => isPage(a.path)).length / Math.max(1, back.length),
      healthPerReturned: appTimes.filter((a) => a.path === '/healthz').length / Math.max(1, back.length),
      probesPerNode: onNginx
        ? probes.filter((a) => a.at >= appBack && a.at < lastBack && (a.cache === 'MISS' || a.cache === 'EXPIRED'))
            .length /
          Math.max(1, recoverySeconds) /
          nodes
        : Number.NaN,
      appPages: perSecond(
        appTimes.filter((a) => isPage(a.path) || a.path.startsWith('/fresh/')).map((a) => a.at),
        appBack,
        lastBack,
      ),
      busy: onNginx
        ? probes.filter((a) => a.status === 429 && a.at >= appBack && a.at < lastBack).length /
          Math.max(1, recoverySeconds)
        : Number.NaN,
      fresh: {
        p50: quantile(freshTimes, 0.5),
        p95: quantile(freshTimes, 0.95),
        failed: fresh.length - freshTimes.length,
        count: fresh.length,
      },
      nginxCpu: front ? Number.NaN : cpu / ((end - begin) / 1000),
      recovery: recoverySeconds,
    };
  } finally {
    stopVisitors.abort();
    await app.stop();
    if (args.keep) {
      const name = join(
        REPO,
        '.scratch',
        `load-${plan.group}-${plan.app}-${mode}-${nodes}-${n}-${plan.navigationDelay}`,
      );
      for (const [i, site] of sites.entries())
        await cp(join(site.prefix, 'access.log'), `${name}.access-${i}.log`).catch(() => undefined);
      await cp(appLog, `${name}.app.log`).catch(() => undefined);
    }
    await front?.stop();
    for (const site of sites) await site.stop();
  }
}

const s = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');
const fixed = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const percent = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '–');

const PAGE_NAMES: Record<Mode, string> = {
  backsoon: 'backsoon (shipped)',
  tuned: 'turns at a hand-tuned rate',
  meta: 'meta refresh 5 s',
};
const pageName = (row: Row): string =>
  row.mode !== 'backsoon'
    ? PAGE_NAMES[row.mode]
    : SERVER !== 'nginx'
      ? `backsoon on ${SERVER}`
      : WINDOW !== undefined
        ? `backsoon, a window of ${WINDOW}`
        : PAGE_NAMES.backsoon;

const HEADER =
  '| app (capacity) | N | nginx nodes | page | back | return p50 / p95 (s) | bounces | app pages per returned visitor | health requests per returned visitor | probe requests to the app a second, per node | app pages a second in recovery (mean / peak) | busy answers a second | a new visitor’s page in recovery: p50 / p95 (s), failed | nginx CPU |\n' +
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';

function line(row: Row): string {
  const tuned =
    row.mode === 'tuned' ? ` (${Math.floor(row.capacity * 0.95)} r/s, burst ${Math.round(row.capacity * 2)})` : '';
  const away = row.navigationDelay > 0 ? `, visitors ${row.navigationDelay} ms away` : '';
  return `| ${row.app} (${row.capacity.toFixed(0)} r/s)${away} | ${row.n} | ${row.nodes} | ${pageName(row)}${tuned} | ${row.back}/${row.n} | ${s(row.p50)} / ${s(row.p95)} | ${row.bounces} | ${fixed(row.pagesPerReturned)} | ${fixed(row.healthPerReturned)} | ${fixed(row.probesPerNode, 1)} | ${fixed(row.appPages.mean, 0)} / ${row.appPages.peak} | ${fixed(row.busy, 0)} | ${s(row.fresh.p50)} / ${s(row.fresh.p95)}, ${row.fresh.failed} of ${row.fresh.count} | ${percent(row.nginxCpu)} |`;
}

/**
 * The targets for a row with the shipped defaults, beside the meta
 * refresh's row of the same app and crowd: every visitor back, none
 * bounced; return p95 within 10% + 1 s of the meta refresh's (the physical
 * limit, N ÷ capacity, is where both end); a new visitor's page p95 ≤ 2 s;
 * ≤ 1.1 app pages per returned visitor; the health path at most once per
 * returned visitor besides the probe's one request a second per node.
 */
function missed(row: Row, meta: Row | undefined): string[] {
  const misses: string[] = [];
  if (row.back < row.n) misses.push(`${row.n - row.back} not back`);
  if (row.bounces > 0) misses.push(`${row.bounces} bounces`);
  if (meta && row.p95 > meta.p95 * 1.1 + 1000)
    misses.push(`p95 ${s(row.p95)} s over ${s(meta.p95 * 1.1 + 1000)} s (meta refresh ${s(meta.p95)} s × 1.1 + 1 s)`);
  if (!meta) misses.push('no meta refresh row to compare with');
  if (!(row.fresh.p95 <= 2000)) misses.push(`new visitor p95 ${s(row.fresh.p95)} s`);
  if (row.fresh.failed > 0) misses.push(`${row.fresh.failed} new visitors' pages failed`);
  if (row.pagesPerReturned > 1.1) misses.push(`${row.pagesPerReturned.toFixed(2)} app pages per returned visitor`);
  const probes = (row.recovery * row.nodes) / Math.max(1, row.back);
  if (row.healthPerReturned > 1 + probes + 0.02)
    misses.push(`${row.healthPerReturned.toFixed(2)} health requests per returned visitor`);
  return misses;
}

/** The rows to run, in order. */
function plans(capacities: Map<number, number>): Plan[] {
  const list: Plan[] = [];
  const add = (
    group: Group,
    app: string,
    speed: AppSpeed,
    n: number,
    nodes: number,
    modes: readonly Mode[],
    navigationDelay = NAVIGATION_DELAY,
  ) => {
    for (const mode of modes) {
      if (!RUN_MODES.includes(mode)) continue;
      list.push({ group, app, speed, capacity: capacities.get(speed.viewMs)!, n, mode, nodes, navigationDelay });
    }
  };
  if (ROWS.includes('speeds')) for (const viewMs of VIEWS) add('speeds', `${viewMs} ms`, { viewMs }, N, 1, MODES);
  if (ROWS.includes('slowdown')) {
    // 10 s into the recovery: the app's start-up, then ten seconds of serving.
    const speed = { viewMs: 20, slowdown: { afterMs: START_SECONDS * 1000 + 10_000, viewMs: 80 } };
    add('slowdown', '20 → 80 ms after 10 s', speed, N, 1, MODES);
  }
  if (ROWS.includes('nodes')) add('nodes', '20 ms', { viewMs: 20 }, N, 2, ['backsoon', 'tuned']);
  if (ROWS.includes('crowd')) add('crowd', '20 ms', { viewMs: 20 }, 5000, 1, ['backsoon', 'meta']);
  // The meta refresh's reloads go at their own pace whatever the distance: its rows above stand for these.
  if (ROWS.includes('network'))
    for (const viewMs of [80, 20]) add('network', `${viewMs} ms`, { viewMs }, N, 1, ['backsoon', 'tuned'], 200);
  return list;
}

/** The meta refresh row a row is compared with: same app and crowd (one node: the refresh has no turns). */
function metaFor(row: Row, rows: Row[]): Row | undefined {
  return rows.find(
    (m) =>
      m.mode === 'meta' &&
      m.n === row.n &&
      m.speed.viewMs === row.speed.viewMs &&
      (m.speed.slowdown === undefined) === (row.speed.slowdown === undefined),
  );
}

await mkdir(join(REPO, '.scratch'), { recursive: true });
// The visitors (this process) and nginx on one core, the app alone on the other.
pinToFront(process.pid);
const speeds = new Set<number>([
  ...(ROWS.includes('speeds') ? VIEWS : []),
  20,
  ...(ROWS.includes('network') ? [80] : []),
]);
const capacities = new Map<number, number>();
for (const viewMs of speeds) {
  capacities.set(viewMs, await measureCapacity(viewMs));
  console.log(
    `app at ${viewMs} ms a page: ${capacities.get(viewMs)!.toFixed(1)} pages/s (${WORKERS} sync workers on one core)`,
  );
}
console.log(HEADER);
const rows: Row[] = [];
for (const plan of plans(capacities)) {
  const row = await run(plan);
  rows.push(row);
  console.log(line(row));
}

const verdicts = rows
  .filter((row) => row.mode === 'backsoon')
  .map((row) => {
    const misses = missed(row, metaFor(row, rows));
    const away = row.navigationDelay > 0 ? `, visitors ${row.navigationDelay} ms away` : '';
    return `| ${row.app}${away} | ${row.n} | ${row.nodes} | ${misses.length === 0 ? 'all met' : misses.join('; ')} |`;
  });
const targets = [
  '| app | N | nginx nodes | backsoon (shipped) against the targets |',
  '|---|---|---|---|',
  ...verdicts,
].join('\n');
console.log(`\n${targets}`);

const complete =
  args.rows === GROUPS.join(',') &&
  args.views === '80,20,5' &&
  args.modes === MODES.join(',') &&
  args.n === '1000' &&
  args.outage === '30' &&
  NAVIGATION_DELAY === 0 &&
  WINDOW === undefined &&
  SERVER === 'nginx';
if (complete) {
  await writeResultsPart(
    'load',
    `## Under load: a crowd and a capacity-limited app (\`npm run bench:load\`)

Written by bench/load.ts on ${new Date().toISOString().slice(0, 10)}. Debian nginx (1 worker each, with the simulated visitors on one core) in front of Debian
gunicorn (${WORKERS} sync workers pinned to one core, ${START_SECONDS} s start-up, pages of 80, 20 or 5 ms of CPU; the
app's \`/healthz\` is answered by the same workers at no CPU of its own). N visitors arrive at random during a
${OUTAGE / 1000} s outage. backsoon's visitors run the page's own PollController against the kit's snippets as shipped
(the probe and its turns ask \`/healthz\`; no number set); "turns at a hand-tuned rate" is the same kit with
the turns paced by \`limit_req\` at 95% of the app's measured capacity with a burst of two seconds of it, the
best an operator who measured the app could set (on each node in the two-node row); the others see a 5 s meta
refresh. Returns are timed from the app's first answer; recovery ends with the last visitor back (or ${CAP / 1000} s).
A new visitor (one who was not waiting) opens the site once a second during recovery. Two nodes: visitors
are spread over two nginx, each with the kit, in front of the one app. Visitors 200 ms away: each page request
of a visitor sent back reaches nginx 200 ms after the page sent it (a browser across the internet; on loopback
it takes nothing), compared with the meta refresh's row of the same app.

${HEADER}
${rows.map(line).join('\n')}

Targets for the shipped defaults: every visitor back, none bounced; return p95 within 10% + 1 s of the meta
refresh's (the physical limit, N ÷ capacity, is where both end); a new visitor's page p95 ≤ 2 s; ≤ 1.1 app pages
per returned visitor; at most one health request per returned visitor besides the probe's one a second per node.

${targets}`,
  );
  console.log('wrote its part of bench/results.md');
}
