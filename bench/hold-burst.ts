/**
 * `npm run bench:hold-burst`: what 5,000 requests held at once cost nginx.
 * The app is down; 5,000 GETs arrive together (one connection each) and
 * are held (for up to 60 s here, so that all of them are in before the
 * first gives up). Once nginx holds them all (stub_status), measured on
 * its one worker for 3 s: memory (VmRSS), CPU time, the error log's growth
 * (one line per refused try). Then the app comes back, and what the
 * clients got is counted.
 * Run with the shipped cap (limit_conn 500 in server/backsoon-hold.conf)
 * and with the cap raised to 5,000. Prints a table and writes
 * bench/hold-burst-results.md; asserts nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoApp } from '../test-support/app.js';
import { NJS_MODULE, REPO, SNIPPETS, startNginx, type RunningNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';
import { percentile } from './restarts/load.js';
import { MARKER_HEADER } from '../src/protocol.js';

const BURST = Number(process.env.BURST ?? 5000);
/** How long the measure lasts once every request is in. */
const MEASURE = 3000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** nginx's worker: the master's only child. */
async function workerPid(nginx: RunningNginx): Promise<number> {
  const master = Number((await readFile(join(nginx.prefix, 'nginx.pid'), 'utf8')).trim());
  return Number(readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/)[0]);
}

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** User and system CPU time of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Outcome {
  status: number;
  marker: boolean;
  ms: number;
  error?: string;
}

function get(port: number, path: string, agent: Agent): Promise<Outcome> {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { accept: 'text/html' } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          marker: res.headers[MARKER_HEADER.toLowerCase()] !== undefined,
          ms: Date.now() - start,
        }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, marker: false, ms: Date.now() - start, error: error.code ?? error.message }),
    );
    req.end();
  });
}

async function burst(cap: number, every: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'backsoon-burst-'));
  // The server part as shipped, but for the cap.
  const serverPart = (await readFile(join(SNIPPETS, 'server/backsoon-hold.conf'), 'utf8')).replace(
    /limit_conn backsoon_hold \d+;/,
    `limit_conn backsoon_hold ${cap};`,
  );
  await writeFile(join(folder, 'backsoon-hold.conf'), serverPart);
  const vhost = join(folder, 'vhost.conf');
  await writeFile(
    vhost,
    `include \${SNIPPETS}/http/backsoon-hold.conf;
server {
    listen \${LISTEN};
    root \${ROOT};
    access_log off;
    include \${SNIPPETS}/server/backsoon.conf;
    include ${join(folder, 'backsoon-hold.conf')};
    location / {
        set $backsoon_hold_for 60s;
        set $backsoon_hold_every ${every};
        proxy_pass http://\${APP};
        include \${SNIPPETS}/location/backsoon-hold.conf;
    }
    location = /stub_status {
        stub_status;
    }
}
`,
  );
  const app = new DemoApp(await freePort());
  const nginx = await startNginx({ vhost, appPort: app.port, modules: [NJS_MODULE], workerConnections: 16_384 });
  try {
    const worker = await workerPid(nginx);
    // One request first, so that the worker has loaded what it needs.
    await app.start();
    await get(nginx.port, '/warm', new Agent());
    await app.stop();
    const rssBefore = rssKb(worker);

    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const startedAt = Date.now();
    const outcomes = Promise.all(Array.from({ length: BURST }, (_, i) => get(nginx.port, `/burst/${i}`, agent)));
    // In: every request held, or answered with the page over the cap.
    const status = new Agent({ keepAlive: true });
    let writing = 0;
    for (let before = -1; writing !== before || writing < 2;) {
      await sleep(500);
      before = writing;
      const text = await new Promise<string>((resolve) => {
        request({ host: '127.0.0.1', port: nginx.port, path: '/stub_status', agent: status }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        }).end();
      });
      // Requests being processed, the status request included.
      writing = Number(/Writing: (\d+)/.exec(text)?.[1]) - 1;
    }
    status.destroy();
    const inAfter = Date.now() - startedAt;
    const cpuBefore = cpuSeconds(worker);
    const logBefore = (await nginx.errorLog()).length;
    const rssIn = rssKb(worker);
    await sleep(MEASURE);
    const rssPeak = rssKb(worker);
    const cpuHeld = cpuSeconds(worker) - cpuBefore;
    const logAdded = (await nginx.errorLog()).slice(logBefore);
    const logGrowth = logAdded.length;
    // Each refused try logs one "connect() failed" line.
    const tries = (logAdded.match(/connect\(\) failed/g) ?? []).length;
    await app.start();
    const upAt = Date.now();
    const results = await outcomes;
    const rssAfter = rssKb(worker);

    const pagesAtOnce = results.filter((r) => r.marker).length;
    const served = results.filter((r) => r.status === 200);
    const failed = results.filter((r) => r.status === 0).length;
    const other = results.length - pagesAtOnce - served.length - failed;
    const waits = served.map((r) => startedAt + r.ms - upAt).sort((a, b) => a - b);
    const held = served.length;
    const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;
    const perTry = tries > 0 ? `${(((rssPeak - rssIn) * 1024) / tries / 1024).toFixed(1)} KB (${tries} tries)` : '–';
    console.log(
      `cap ${cap}, every ${every}: ${writing} held (all in after ${inAfter} ms); ${held} served, ${pagesAtOnce} pages, ${failed} failed, ${other} other; ` +
        `RSS ${rssBefore} → ${rssIn} → ${rssPeak} KB; ${tries} tries; CPU ${cpuHeld.toFixed(2)} s over ${MEASURE / 1000} s; error log +${(logGrowth / 1e6).toFixed(1)} MB`,
    );
    return `| ${cap} | ${every} | ${writing} | ${held} | ${pagesAtOnce} | ${failed + other} | ${mb(rssBefore)} | ${mb(rssIn)} | ${writing ? ((rssIn - rssBefore) / writing).toFixed(1) : '–'} KB | ${mb(rssPeak)} | ${perTry} | ${mb(rssAfter)} | ${((cpuHeld / (MEASURE / 1000)) * 100).toFixed(0)}% | ${(logGrowth / 1e6 / (MEASURE / 1000)).toFixed(2)} MB/s | ${(percentile(waits, 0.5) / 1000).toFixed(2)} s / ${((waits.at(-1) ?? NaN) / 1000).toFixed(2)} s |`;
  } finally {
    await nginx.stop();
    await app.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

const load0 = loadavg()[0]!;
// The shipped cap and pace; no try while measured (the cost of holding
// alone); the cap raised to hold them all, at the shipped pace.
const rows = [await burst(500, '500ms'), await burst(BURST, '60s'), await burst(BURST, '500ms')];
const table = `${BURST.toLocaleString('en')} GETs at once, the app down (nginx 1.22, njs 0.7.9, one worker; ${cpus().length} shared cores, load average ${load0.toFixed(1)}).
"All in": once nginx holds every request under the cap; the next columns ${MEASURE / 1000} s later. With a try every 60 s, no try happens while measured: the cost of holding alone.

| cap (limit_conn) | a try every | held at once | served once the app was back | backsoon's page (over the cap) | failed | worker RSS before | all in | per held request | ${MEASURE / 1000} s later | per try | after | worker CPU | error log | after the app is back: p50 / last |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
console.log(`\n${table}`);
await writeFile(
  join(REPO, 'bench/hold-burst-results.md'),
  `# 5,000 held requests\n\nMade by \`npm run bench:hold-burst\` (bench/hold-burst.ts).\n\n${table}`,
);
