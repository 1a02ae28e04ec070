/**
 * `npm run bench:restarts`: what visitors see while the app, or nginx
 * itself, restarts, under a steady load of page loads. Debian's gunicorn
 * runs bench/restarts/app.py (2 s to load, 5 ms of CPU a page) on a unix
 * socket behind Debian's nginx (bench/restarts/vhost.conf); each way of
 * restarting runs for a few seconds before and after. Prints the table and
 * writes bench/restarts-results.md. A benchmark: it asserts nothing.
 *
 *   RATE=50 npm run bench:restarts              page loads a second
 *   ONLY=hold npm run bench:restarts            the scenarios whose name has "hold"
 */
import { mkdtemp, chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { NGINX, NJS_MODULE, REPO, startNginx, type RunningNginx } from '../test-support/nginx.js';
import { Gunicorn, alive, until } from './restarts/gunicorn.js';
import { SteadyLoad, summarize, type LoadSummary, type PageLoad } from './restarts/load.js';

const RATE = Number(process.env.RATE ?? 50);
/** Seconds of steady load before the restart, and after it is over. */
const BEFORE = 3000;
const AFTER = 3000;
/** Loads that started up to this long after the restart was over still count as "around" it. */
const SETTLE = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Context {
  nginx: RunningNginx;
  a: Gunicorn;
  b: Gunicorn;
}

interface Scenario {
  name: string;
  /** The location the load goes to (bench/restarts/vhost.conf). */
  path: string;
  /** Which app servers run: one with 8 workers (loading the app in the master with --preload), or a pair with 4 each. */
  apps: 'one' | 'one, preload' | 'one, socket activation' | 'pair';
  /** The restart; resolves once it is over (the app answers again). */
  restart: (ctx: Context) => Promise<void>;
}

/** nginx's master pid, from its pid file. */
async function nginxPid(nginx: RunningNginx): Promise<number> {
  return Number((await readFile(join(nginx.prefix, 'nginx.pid'), 'utf8')).trim());
}

const SCENARIOS: Scenario[] = [
  { name: 'gunicorn `kill -HUP` (8 workers)', path: '/plain/', apps: 'one', restart: ({ a }) => a.reload() },
  {
    name: 'gunicorn `kill -USR2`, then TERM the old master',
    path: '/plain/',
    apps: 'one',
    restart: ({ a }) => a.upgrade(),
  },
  { name: 'gunicorn stop, start', path: '/plain/', apps: 'one', restart: ({ a }) => a.restart() },
  { name: 'gunicorn stop, start, with the hold (njs)', path: '/hold/', apps: 'one', restart: ({ a }) => a.restart() },
  { name: 'gunicorn `--preload` stop, start', path: '/plain/', apps: 'one, preload', restart: ({ a }) => a.restart() },
  {
    name: 'gunicorn `--preload` stop, start, with the hold (njs)',
    path: '/hold/',
    apps: 'one, preload',
    restart: ({ a }) => a.restart(),
  },
  {
    name: 'gunicorn stop, start, socket kept open (socket activation)',
    path: '/plain/',
    apps: 'one, socket activation',
    restart: ({ a }) => a.restart(),
  },
  {
    name: 'blue/green pair, nginx defaults (max_fails=1 fail_timeout=10s)',
    path: '/pair/',
    apps: 'pair',
    restart: async ({ a, b }) => {
      await a.restart();
      await b.restart();
    },
  },
  {
    name: 'blue/green pair, `max_fails=0`',
    path: '/pair-never-down/',
    apps: 'pair',
    restart: async ({ a, b }) => {
      await a.restart();
      await b.restart();
    },
  },
  {
    name: 'nginx `-s reload`',
    path: '/plain/',
    apps: 'one',
    restart: async ({ nginx }) => {
      execFileSync(NGINX, [
        '-p',
        nginx.prefix,
        '-e',
        join(nginx.prefix, 'error.log'),
        '-c',
        join(nginx.prefix, 'nginx.conf'),
        '-s',
        'reload',
      ]);
      // Over when the new worker has started and the old one has exited.
      await until('the old nginx worker to exit', async () =>
        /gracefully shutting down[\s\S]*exited with code 0/.test(await nginx.errorLog()),
      );
    },
  },
  {
    name: 'nginx stop (QUIT, graceful), start',
    path: '/plain/',
    apps: 'one',
    restart: async ({ nginx }) => {
      const pid = await nginxPid(nginx);
      process.kill(pid, 'SIGQUIT');
      await until('nginx to exit', () => !alive(pid));
      await nginx.resume();
    },
  },
];

interface Row {
  scenario: Scenario;
  around: LoadSummary;
  all: LoadSummary;
  restartMs: number;
  held: number;
  maxTries: number;
  noLiveUpstreams: number;
  /** The network errors of the loads that got no answer. */
  errors: string[];
}

async function runScenario(scenario: Scenario, nginx: RunningNginx, folder: string): Promise<Row> {
  const pair = scenario.apps === 'pair';
  const socketActivation = scenario.apps === 'one, socket activation';
  const preload = scenario.apps === 'one, preload';
  const a = new Gunicorn({
    socket: join(folder, 'a.sock'),
    workers: pair ? 4 : 8,
    folder,
    name: 'a',
    socketActivation,
    preload,
  });
  const b = new Gunicorn({ socket: join(folder, 'b.sock'), workers: 4, folder, name: 'b' });
  await rm(a.readyFile, { force: true });
  await rm(b.readyFile, { force: true });
  await a.start();
  if (pair) await b.start();
  const logBefore = (await nginx.errorLog()).length;
  const accessBefore = (await readFile(join(nginx.prefix, 'restarts.log'), 'utf8').catch(() => '')).length;

  const load = new SteadyLoad(nginx.port, `${scenario.path}${Date.now()}/`, RATE);
  try {
    load.start();
    await sleep(BEFORE);
    const startedAt = Date.now();
    await scenario.restart({ nginx, a, b });
    const overAt = Date.now();
    await sleep(AFTER);
    await load.stop();

    const around = load.loads.filter((l: PageLoad) => l.start >= startedAt && l.start < overAt + SETTLE);
    if (process.env.DUMP) {
      const lines = load.loads.map(
        (l) => `${l.start - startedAt} ${l.end - l.start} ${l.status} ${l.marker ?? ''} ${l.error ?? ''} ${l.path}`,
      );
      await writeFile(process.env.DUMP, `over ${overAt - startedAt}\n${lines.join('\n')}\n`);
    }
    const access = (await readFile(join(nginx.prefix, 'restarts.log'), 'utf8')).slice(accessBefore);
    const tries = new Map<string, number>();
    for (const line of access.split('\n')) {
      const match = /^(\S+) \d+ tries=(\d*)$/.exec(line);
      if (match) tries.set(match[1]!, Number(match[2] || 0));
    }
    const heldTries = around.map((l) => tries.get(l.path) ?? 0).filter((t) => t > 0);
    const errorLog = (await nginx.errorLog()).slice(logBefore);
    return {
      scenario,
      around: summarize(around),
      all: summarize(load.loads),
      restartMs: overAt - startedAt,
      held: heldTries.length,
      maxTries: Math.max(0, ...heldTries),
      noLiveUpstreams: (errorLog.match(/no live upstreams/g) ?? []).length,
      errors: around.flatMap((l) => (l.error ? [l.error] : [])),
    };
  } finally {
    await a.stop();
    await b.stop();
  }
}

const seconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–');

function note(row: Row): string {
  const notes: string[] = [];
  if (row.held) notes.push(`${row.held} loads held, ≤ ${row.maxTries} tries`);
  if (row.noLiveUpstreams) notes.push(`"no live upstreams" ${row.noLiveUpstreams}×`);
  if (row.around.resent) notes.push(`${row.around.resent} sent again by the client (a kept-alive connection closed)`);
  const errorCodes = [...new Set(row.errors)];
  if (errorCodes.length) notes.push(`no answer: ${errorCodes.join(', ')}`);
  const errors = (l: LoadSummary): number => l.pages + l.failed + l.otherErrors;
  if (errors(row.all) > errors(row.around)) notes.push(`${errors(row.all)} errors over the whole run`);
  return notes.join('; ');
}

const folder = await mkdtemp(join(tmpdir(), 'backsoon-restarts-'));
await chmod(folder, 0o755);
const nginx = await startNginx({
  vhost: join(REPO, 'bench/restarts/vhost.conf'),
  appPort: 9,
  modules: [NJS_MODULE],
  workerConnections: 4096,
  vars: { SOCK_A: join(folder, 'a.sock'), SOCK_B: join(folder, 'b.sock') },
});
const load0 = loadavg()[0]!;
const startedAt = new Date();
const rows: Row[] = [];
try {
  for (const scenario of SCENARIOS.filter((s) => !process.env.ONLY || s.name.includes(process.env.ONLY))) {
    const row = await runScenario(scenario, nginx, folder);
    rows.push(row);
    const { around } = row;
    console.log(
      `${scenario.name}: ${around.pages} pages, ${around.failed} no answer, ${around.otherErrors} other 5xx / ${around.loads} loads; ` +
        `p50 ${seconds(around.p50)} s, p95 ${seconds(around.p95)} s, max ${seconds(around.max)} s; restart ${seconds(row.restartMs)} s ${note(row)}`,
    );
  }
} finally {
  await nginx.stop();
  await rm(folder, { recursive: true, force: true });
}

const table = [
  '| restart | backsoon pages / loads | no answer | other 5xx | p50 | p95 | max | restart took | notes |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.scenario.name} | ${r.around.pages} / ${r.around.loads} | ${r.around.failed} | ${r.around.otherErrors} | ${seconds(r.around.p50)} s | ${seconds(r.around.p95)} s | ${seconds(r.around.max)} s | ${seconds(r.restartMs)} s | ${note(r)} |`,
  ),
].join('\n');

const report = `# What visitors see during restarts

Made by \`npm run bench:restarts\` (bench/restarts.ts) on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC:
Debian's nginx 1.22 (one worker) and gunicorn 20.1 (sync workers, backlog 2048, unix socket)
running bench/restarts/app.py (2 s to load, 5 ms of CPU a page), ${RATE} page loads a second
(GET, keep-alive, an open loop) for ${BEFORE / 1000} s before each restart and ${AFTER / 1000} s after it.
The counts and times are over the loads that started between the restart's beginning and
${SETTLE / 1000} s after its end. "backsoon pages": answers with backsoon's page (502 and the marker);
"no answer": connection refused or reset, where a browser shows its own error page.
${cpus().length} cores shared with other work (load average ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end).

${table}
`;
console.log(`\n${table}`);
// A partial run (ONLY) prints its rows and writes nothing.
if (!process.env.ONLY) await writeFile(join(REPO, 'bench/restarts-results.md'), report);
