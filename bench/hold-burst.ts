/**
 * `npm run bench:hold-burst`: what 5,000 requests held at once cost nginx.
 * The app is down; 5,000 GETs arrive together (one connection each, each
 * from an address of its own, as visitors do) and are held (for up to 60 s
 * here, so that all of them are in before the first gives up). Once nginx
 * holds them all (stub_status), measured on its one worker for 3 s: memory
 * (VmRSS), CPU time, the error log's growth. Then the app comes back, and
 * what the clients got is counted, with each request's tries (the access
 * log's $backsoon_hold_tries).
 * Run with the shipped cap (limit_conn 500 in server/backsoon-hold.conf)
 * and with the cap raised to 5,000; then 500 requests with the most headers
 * held (8 KB) and with more (21 KB), tried as fast as the settings allow.
 * Prints a table and writes bench/hold-burst-results.md; asserts nothing.
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

/** Request i's own loopback address: 127.11.0.1, 127.11.0.2, … */
const address = (i: number): string => `127.11.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function get(port: number, path: string, agent: Agent, localAddress = '127.0.0.1', padding = 0): Promise<Outcome> {
  const start = Date.now();
  // Padding in headers of at most 4 KB each (nginx refuses a longer header line).
  const headers: Record<string, string> = { accept: 'text/html' };
  for (let left = padding, n = 0; left > 0; left -= 4000, n += 1)
    headers[`x-padding-${n}`] = 'x'.repeat(Math.min(left, 4000));
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, localAddress, headers }, (res) => {
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

interface Burst {
  /** limit_conn backsoon_hold: how many requests nginx holds at once. */
  cap: number;
  /** $backsoon_hold_every */
  every: string;
  /** $backsoon_hold_for */
  holdFor: string;
  /** Requests sent at once. */
  size: number;
  /** Bytes of headers added to each request. */
  padding: number;
}

async function burst({ cap, every, holdFor, size, padding }: Burst): Promise<string> {
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
log_format tries '$backsoon_hold_tries';
server {
    listen \${LISTEN};
    root \${ROOT};
    access_log ${join(folder, 'tries.log')} tries;
    include \${SNIPPETS}/server/backsoon.conf;
    include ${join(folder, 'backsoon-hold.conf')};
    location / {
        set $backsoon_hold_for ${holdFor};
        set $backsoon_hold_every ${every};
        proxy_pass http://\${APP};
        include \${SNIPPETS}/location/backsoon-hold.conf;
    }
    location = /stub_status {
        access_log off;
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
    let settled = 0;
    const outcomes = Promise.all(
      Array.from({ length: size }, (_, i) =>
        get(nginx.port, `/burst/${i}`, agent, address(i), padding).finally(() => (settled += 1)),
      ),
    );
    // In: every request held, or answered with the page over the cap.
    const status = new Agent({ keepAlive: true });
    let writing = 0;
    // (Or none held: every request answered at once.)
    for (let before = -1; writing !== before || (writing < 2 && settled < size);) {
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
    const logGrowth = (await nginx.errorLog()).length - logBefore;
    await app.start();
    const upAt = Date.now();
    const results = await outcomes;
    const rssAfter = rssKb(worker);
    const errorLines = (await nginx.errorLog())
      .split('\n')
      .filter((line) => / \[error\] .*\/burst\//.test(line)).length;
    const tries = (await readFile(join(folder, 'tries.log'), 'utf8'))
      .split('\n')
      .map(Number)
      .filter((n) => n > 0);

    const pagesAtOnce = results.filter((r) => r.marker).length;
    const served = results.filter((r) => r.status === 200);
    const failed = results.filter((r) => r.status === 0).length;
    const other = results.length - pagesAtOnce - served.length - failed;
    const waits = served.map((r) => startedAt + r.ms - upAt).sort((a, b) => a - b);
    const held = served.length;
    const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;
    const triesPerHeld = tries.length ? Math.max(...tries) : 0;
    const perHeld = writing ? `${((rssPeak - rssBefore) / writing).toFixed(1)} KB` : '–';
    console.log(
      `cap ${cap}, every ${every}, hold ${holdFor}, ${padding} B of headers: ${writing} held (all in after ${inAfter} ms); ${held} served, ${pagesAtOnce} pages, ${failed} failed, ${other} other; ` +
        `RSS ${rssBefore} → ${rssIn} → ${rssPeak} KB; most tries ${triesPerHeld}; CPU ${cpuHeld.toFixed(2)} s over ${MEASURE / 1000} s; error lines ${errorLines}`,
    );
    return `| ${size} | ${(padding / 1000).toFixed(0)} KB | ${cap} | ${holdFor} / ${every} | ${writing} | ${held} | ${pagesAtOnce} | ${failed + other} | ${mb(rssBefore)} | ${mb(rssIn)} | ${mb(rssPeak)} | ${perHeld} | ${triesPerHeld} | ${mb(rssAfter)} | ${((cpuHeld / (MEASURE / 1000)) * 100).toFixed(0)}% | ${errorLines} (${(logGrowth / 1e3 / (MEASURE / 1000)).toFixed(1)} KB/s) | ${waits.length ? `${(percentile(waits, 0.5) / 1000).toFixed(2)} s / ${(waits.at(-1)! / 1000).toFixed(2)} s` : '–'} |`;
  } finally {
    await nginx.stop();
    await app.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

const load0 = loadavg()[0]!;
// The shipped cap and pace; no try while measured (the cost of holding
// alone); the cap raised to hold them all, at the shipped pace.
// The shipped cap and pace (a hold of 60 s spreads its ten tries 6 s
// apart); no try while measured (the cost of holding alone); the cap
// raised to hold them all; then the most headers a held request may have
// (8 KB) and more (21 KB), with the fastest pace the settings allow.
const rows = [
  await burst({ cap: 500, every: '500ms', holdFor: '60s', size: BURST, padding: 0 }),
  await burst({ cap: BURST, every: '60s', holdFor: '60s', size: BURST, padding: 0 }),
  await burst({ cap: BURST, every: '500ms', holdFor: '60s', size: BURST, padding: 0 }),
  await burst({ cap: 500, every: '50ms', holdFor: '5s', size: 500, padding: 7600 }),
  await burst({ cap: 500, every: '50ms', holdFor: '5s', size: 500, padding: 21_000 }),
];
const table = `GETs at once, each from an address of its own, the app down (nginx 1.22, njs 0.7.9, one worker; ${cpus().length} shared cores, load average ${load0.toFixed(1)}).
"All in": once nginx holds every request under the cap; the next columns ${MEASURE / 1000} s later. "Per held request": the worker's memory growth from before to ${MEASURE / 1000} s later, divided by the requests held. "Most tries": of any one request (a hold tries at most ten times). "Error lines": nginx's error lines for these requests, one per held request (the first refusal).

| requests | headers added | cap (limit_conn) | hold / a try every | held at once | served once the app was back | backsoon's page (over a cap, or not held) | failed | worker RSS before | all in | ${MEASURE / 1000} s later | per held request | most tries | after | worker CPU | error lines | after the app is back: p50 / last |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
console.log(`\n${table}`);
await writeFile(
  join(REPO, 'bench/hold-burst-results.md'),
  `# Held requests at once\n\nMade by \`npm run bench:hold-burst\` (bench/hold-burst.ts).\n\n${table}`,
);
