/**
 * `npm run bench:load`: what N waiting visitors do to an app that comes
 * back, on a real nginx in front of a real capacity-limited app (Debian's
 * gunicorn, 4 sync workers pinned to one core, 2 s start-up, 20 ms of CPU
 * per request: bench/load/app.py), side by side with the same visitors on a
 * custom error page with a 5 s meta refresh.
 *
 * Each run: the app is down; N visitors arrive over the outage; backsoon's
 * visitors run the page's own controller (test-support/simulated-visitors.ts), the meta
 * ones reload every 5 s; then the app starts, and the run lasts until every
 * visitor is back or `--cap` seconds have passed. Loopback only.
 *
 *   npm run bench:load                        # every row (about 50 minutes)
 *   npm run bench:load -- --n 2000 --outage 30 --modes backsoon
 *   npm run bench:load -- --n 500 --outage 30 --keep   # and keep the logs in .scratch/
 *   npm run bench:load -- --server caddy --n 1000 --outage 30 --modes backsoon
 *
 * `--server caddy|haproxy|apache` puts that server in front, set up from the
 * example its snippet folder ships (test-support/proxies.ts), instead of
 * nginx; the meta refresh rows stay on nginx. nginx's own numbers (checks
 * counted in its access log, its CPU) are then left out ("–").
 *
 * Prints a table and writes its part of bench/results.md (only when every row ran).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, startNginx, type RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { startProxy, type RunningProxy } from '../test-support/proxies.js';
import { writeResultsPart } from './results-file.js';
import { backsoonVisitor, metaRefreshVisitor, type VisitorRecord, type VisitorWorld } from '../test-support/simulated-visitors.js';
import { PATHS } from '../src/protocol.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '500,2000,5000' },
    outage: { type: 'string', default: '30,300' },
    modes: { type: 'string', default: 'backsoon,meta' },
    cap: { type: 'string', default: '300' },
    /** Keep nginx's access log and the app's log of each run in .scratch/ (for a closer look). */
    keep: { type: 'boolean', default: false },
    /** The server in front of the app for backsoon's rows. */
    server: { type: 'string', default: 'nginx' },
  },
});

const numbers = (text: string, name: string): number[] =>
  text.split(',').map((part) => {
    const value = Number(part);
    if (!Number.isFinite(value) || value <= 0)
      throw new TypeError(`bench:load: --${name} takes positive numbers (got "${part}")`);
    return value;
  });
const SIZES = numbers(args.n, 'n');
const OUTAGES = numbers(args.outage, 'outage').map((s) => s * 1000);
const CAP = numbers(args.cap, 'cap')[0]! * 1000;
type Mode = 'backsoon' | 'meta';
const MODES = args.modes.split(',').map((mode): Mode => {
  if (mode !== 'backsoon' && mode !== 'meta') throw new TypeError(`bench:load: unknown mode "${mode}"`);
  return mode;
});

const SERVERS = ['nginx', 'caddy', 'haproxy', 'apache'] as const;
function server(name: string): (typeof SERVERS)[number] {
  const found = SERVERS.find((known) => known === name);
  if (!found) throw new TypeError(`bench:load: --server takes ${SERVERS.join(', ')} (got "${name}")`);
  return found;
}
const SERVER = server(args.server);

const APP_DIR = join(REPO, 'bench/load');
/** The app's core: gunicorn and its workers share it, nginx and the visitors get the other. */
const APP_CORE = '0';
const WORKERS = 4;

/** Debian's gunicorn with the bench app, started and stopped like a deploy does. */
class AppServer {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly log: string,
  ) {}

  async start(): Promise<void> {
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
      { env: { ...process.env, BENCH_APP_LOG: this.log }, stdio: ['ignore', 'ignore', 'inherit'] },
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

/** Requests a second the app serves, measured with 8 clients in a loop straight at it. */
async function measureCapacity(): Promise<number> {
  const port = await freePort();
  const log = join(REPO, '.scratch', `capacity-${process.pid}.log`);
  await writeFile(log, '');
  const app = new AppServer(port, log);
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

/** CPU seconds used so far by nginx's master and workers. */
async function nginxCpu(site: RunningNginx): Promise<number> {
  const master = (await readFile(join(site.prefix, 'nginx.pid'), 'utf8')).trim();
  const children = (await readFile(`/proc/${master}/task/${master}/children`, 'utf8'))
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  let ticks = 0;
  for (const pid of [master, ...children]) {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
  }
  return ticks / 100;
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Requests in each whole second of [from, to). */
function perSecond(times: number[], from: number, to: number): { mean: number; peak: number } {
  const seconds = Math.max(1, Math.ceil((to - from) / 1000));
  const buckets = new Array<number>(seconds).fill(0);
  let count = 0;
  for (const t of times) {
    if (t < from || t >= to) continue;
    buckets[Math.floor((t - from) / 1000)]! += 1;
    count += 1;
  }
  return { mean: count / ((to - from) / 1000), peak: Math.max(...buckets) };
}

interface Row {
  mode: Mode;
  outage: number;
  n: number;
  back: number;
  p50: number;
  p95: number;
  appPerReturned: number;
  appRate: { mean: number; peak: number };
  goodput: number;
  checksOutage: { mean: number; peak: number };
  checksRecovery: { mean: number; peak: number };
  errorsAfterRestart: number;
  fresh: { p50: number; p95: number; failed: number; count: number };
  nginxCpu: number;
  recovery: number;
}

async function run(mode: Mode, outage: number, n: number, capacity: number): Promise<Row> {
  const appPort = await freePort();
  const metaPort = await freePort();
  const site = await startNginx({
    vhost: join(APP_DIR, 'vhost.conf'),
    appPort,
    vars: { META: `127.0.0.1:${metaPort}` },
    // As the README tells an operator: turns at a little under the app's
    // capacity, a burst of about two seconds of it.
    admitRate: `${Math.floor(capacity * 0.95)}r/s`,
    admitBurst: Math.round(capacity * 2),
    workerConnections: 16_384,
  });
  await writeFile(
    join(site.root, 'meta-refresh.html'),
    '<!doctype html><meta http-equiv="refresh" content="5"><title>Back soon</title><p>We’ll be right back.</p>\n',
  );
  const appLog = join(site.prefix, 'app.log');
  await writeFile(appLog, '');
  const app = new AppServer(appPort, appLog);
  const stopVisitors = new AbortController();
  setMaxListeners(n + 10, stopVisitors.signal); // every visitor listens for the end of the run
  const world: Omit<VisitorWorld, 'address'> = {
    origin: mode === 'backsoon' ? site.url('').replace(/\/$/, '') : `http://127.0.0.1:${metaPort}`,
    signal: stopVisitors.signal,
  };
  // Another server in front of the app for backsoon's visitors, from its folder's example.
  const front: RunningProxy | undefined =
    mode === 'backsoon' && SERVER !== 'nginx' ? await startProxy(SERVER, { appPort }) : undefined;
  if (front) world.origin = front.url('').replace(/\/$/, '');
  const visit = mode === 'backsoon' ? backsoonVisitor : metaRefreshVisitor;
  const records: VisitorRecord[] = [];
  const running: Promise<void>[] = [];
  const cpuBefore = await nginxCpu(site);
  const begin = Date.now();
  try {
    // N visitors arrive over the outage, at random.
    const arrivals = Array.from({ length: n }, () => Math.random() * outage).sort((a, b) => a - b);
    const arriving = (async () => {
      for (const [i, at] of arrivals.entries()) {
        const wait = begin + at - Date.now();
        if (wait > 0) await sleep(wait);
        const record: VisitorRecord = { arrivedAt: Date.now(), backAt: undefined, bounces: 0 };
        records.push(record);
        running.push(
          visit({ ...world, address: visitorAddress(i) }, `/item/${i}?from=bench`, record).catch(() => undefined),
        );
      }
    })();
    await sleep(begin + outage - Date.now());
    await arriving;
    const appStartedAt = Date.now();
    await app.start();
    const deadline = appStartedAt + CAP;
    // Someone who was not waiting opens the site once a second during the
    // recovery: what the app's queue means for everyone else.
    const freshLoads: Promise<{ ms: number; ok: boolean }>[] = [];
    const freshVisitors = setInterval(() => {
      const sentAt = Date.now();
      freshLoads.push(
        get(`${world.origin}/fresh/${freshLoads.length}`).then(
          (status) => ({ ms: Date.now() - sentAt, ok: status < 500 }),
          () => ({ ms: Date.now() - sentAt, ok: false }),
        ),
      );
    }, 1000);
    while (Date.now() < deadline && records.some((r) => r.backAt === undefined)) await sleep(250);
    clearInterval(freshVisitors);
    const end = Date.now();
    stopVisitors.abort();
    await Promise.all(running);
    const fresh = await Promise.all(freshLoads);
    const freshTimes = fresh
      .filter((f) => f.ok)
      .map((f) => f.ms)
      .sort((a, b) => a - b);
    const cpu = (await nginxCpu(site)) - cpuBefore;

    const appTimes = (await readFile(appLog, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [t, method, path] = line.split(' ');
        return { at: Number(t) * 1000, method: method!, path: path! };
      });
    const appBack = appTimes[0]?.at ?? end;
    const access = (await readFile(join(site.prefix, 'access.log'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [t, method, uri, status] = line.split(' ');
        return { at: Number(t) * 1000, method: method!, uri: uri!, status: Number(status) };
      });
    const back = records.filter((r) => r.backAt !== undefined);
    const lastBack = Math.max(appBack + 1, ...back.map((r) => r.backAt!));
    const returns = back.map((r) => Math.max(0, r.backAt! - appBack)).sort((a, b) => a - b);
    const isCheck =
      mode === 'backsoon' ? (uri: string) => uri.startsWith(PATHS.probe) : (uri: string) => uri.startsWith('/item/');
    const checks = access.filter((a) => isCheck(a.uri)).map((a) => a.at);
    // Another server in front: nginx saw none of backsoon's traffic, so its numbers say nothing.
    const unknown = { mean: Number.NaN, peak: Number.NaN };
    const isPage = (path: string): boolean => path.startsWith('/item/') || path.startsWith('/fresh/');
    const pagesServed = appTimes.filter((a) => isPage(a.path) && a.at >= appBack && a.at <= lastBack).length;
    return {
      mode,
      outage,
      n,
      back: back.length,
      p50: quantile(returns, 0.5),
      p95: quantile(returns, 0.95),
      appPerReturned: appTimes.filter((a) => !a.path.startsWith('/fresh/')).length / Math.max(1, back.length),
      appRate: perSecond(
        appTimes.map((a) => a.at),
        appBack,
        lastBack,
      ),
      goodput: pagesServed / (((lastBack - appBack) / 1000) * capacity),
      checksOutage: front ? unknown : perSecond(checks, begin, appStartedAt),
      checksRecovery: front ? unknown : perSecond(checks, appStartedAt, lastBack),
      errorsAfterRestart: front
        ? Number.NaN
        : access.filter((a) => a.at >= appStartedAt && a.uri.startsWith('/item/') && a.status >= 500).length,
      fresh: {
        p50: quantile(freshTimes, 0.5),
        p95: quantile(freshTimes, 0.95),
        failed: fresh.length - freshTimes.length,
        count: fresh.length,
      },
      nginxCpu: front ? Number.NaN : cpu / ((end - begin) / 1000),
      recovery: (lastBack - appBack) / 1000,
    };
  } finally {
    stopVisitors.abort();
    await app.stop();
    if (args.keep) {
      const name = join(REPO, '.scratch', `load-${mode}-${n}-${outage / 1000}s`);
      await cp(join(site.prefix, 'access.log'), `${name}.access.log`).catch(() => undefined);
      await cp(appLog, `${name}.app.log`).catch(() => undefined);
    }
    await front?.stop();
    await site.stop();
  }
}

const s = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');
const rate = (r: { mean: number; peak: number }): string =>
  Number.isFinite(r.mean) ? `${r.mean.toFixed(0)} / ${r.peak}` : '–';
const count = (n: number): string => (Number.isFinite(n) ? String(n) : '–');
const percent = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '–');
const targetP95 = (n: number, capacity: number): number => (1.2 * n) / capacity + 2;

const HEADER =
  "| outage | N | page | back | return p50 / p95 (s) | target p95 (s) | app requests per returned visitor | app req/s in recovery (mean / peak) | goodput | checks/s at nginx, outage (mean / peak) | checks/s at nginx, recovery (mean / peak) | 5xx loads of visitors' URLs after restart | a new visitor's page in recovery: p50 / p95 (s), failed | nginx CPU |\n" +
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';

function line(row: Row, capacity: number): string {
  return `| ${row.outage / 1000} s | ${row.n} | ${row.mode === 'backsoon' ? (SERVER === 'nginx' ? 'backsoon' : `backsoon on ${SERVER}`) : 'meta refresh 5 s'} | ${row.back}/${row.n} | ${s(row.p50)} / ${s(row.p95)} | ${targetP95(row.n, capacity).toFixed(1)} | ${row.appPerReturned.toFixed(2)} | ${rate(row.appRate)} | ${(row.goodput * 100).toFixed(0)}% | ${rate(row.checksOutage)} | ${rate(row.checksRecovery)} | ${count(row.errorsAfterRestart)} | ${s(row.fresh.p50)} / ${s(row.fresh.p95)}, ${row.fresh.failed} of ${row.fresh.count} | ${percent(row.nginxCpu)} |`;
}

/** The targets for one backsoon row, beside the meta refresh's row of the same N and outage. */
function missed(row: Row, meta: Row | undefined, capacity: number): string[] {
  const misses: string[] = [];
  if (row.back < row.n) misses.push(`${row.n - row.back} not back`);
  if (row.appPerReturned > 1.1) misses.push(`${row.appPerReturned.toFixed(2)} app requests per returned visitor`);
  if (row.p95 > targetP95(row.n, capacity) * 1000)
    misses.push(`p95 ${s(row.p95)} s over ${targetP95(row.n, capacity).toFixed(1)} s`);
  if (meta && row.p95 >= meta.p95) misses.push(`p95 ${s(row.p95)} s not below the meta refresh's ${s(meta.p95)} s`);
  if (row.goodput < 0.9) misses.push(`goodput ${(row.goodput * 100).toFixed(0)}%`);
  return misses;
}

await mkdir(join(REPO, '.scratch'), { recursive: true });
const capacity = await measureCapacity();
console.log(`app capacity: ${capacity.toFixed(1)} requests/s (${WORKERS} sync workers on one core)`);
console.log(HEADER);
const rows: Row[] = [];
for (const outage of OUTAGES) {
  for (const n of SIZES) {
    for (const mode of MODES) {
      const row = await run(mode, outage, n, capacity);
      rows.push(row);
      console.log(line(row, capacity));
    }
  }
}

const verdicts = rows
  .filter((row) => row.mode === 'backsoon')
  .map((row) => {
    const meta = rows.find((m) => m.mode === 'meta' && m.n === row.n && m.outage === row.outage);
    const misses = missed(row, meta, capacity);
    return `| ${row.outage / 1000} s | ${row.n} | ${misses.length === 0 ? 'all met' : misses.join('; ')} |`;
  });
const targets = ['| outage | N | backsoon against the targets |', '|---|---|---|', ...verdicts].join('\n');
console.log(`\n${targets}`);

const complete =
  args.n === '500,2000,5000' && args.outage === '30,300' && args.modes === 'backsoon,meta' && SERVER === 'nginx';
if (complete) {
  await writeResultsPart(
    'load',
    `## Under load: thousands of visitors and a capacity-limited app (\`npm run bench:load\`)

Written by bench/load.ts on ${new Date().toISOString().slice(0, 10)}. Debian nginx (1 worker) in front of Debian gunicorn
(${WORKERS} sync workers pinned to one core, 2 s start-up, 20 ms CPU per request: measured capacity
**${capacity.toFixed(1)} requests/s**). N visitors arrive at random during the outage; backsoon's run the page's own
PollController (shared probe, turns at ${Math.floor(capacity * 0.95)} r/s with a burst of ${Math.round(capacity * 2)}), the others a 5 s meta refresh.
Returns are timed from the app's first answer; recovery ends with the last visitor back (or ${CAP / 1000} s).
Target p95 = 1.2 × N / capacity + 2 s (N / capacity is the physical limit). "Checks" are probe requests for backsoon
and page loads for the meta refresh. Goodput: pages the app served during recovery ÷ (recovery time × capacity).
A new visitor (one who was not waiting) opens the site once a second during recovery.

${HEADER}
${rows.map((row) => line(row, capacity)).join('\n')}

${targets}`,
  );
  console.log('wrote its part of bench/results.md');
}
