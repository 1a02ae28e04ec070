/**
 * `npm run bench`: 10,000 simulated visitors per outage, over the page's
 * real schedule (src/decide/schedule.ts) on a virtual clock with a seeded random
 * source, beside the usual workarounds. Byte costs are measured first on a
 * real nginx with a real Chromium (bench/measure.ts). Prints the table and
 * writes its part of bench/results.md.
 */
import { spawnSync } from 'node:child_process';
import { composition } from './composition.js';
import { measure } from './measure.js';
import { writeResultsPart } from './results-file.js';
import {
  backsoon,
  fixedPolling,
  reloadEvery,
  simulate,
  stockPage,
  type OutageSummary,
  type Strategy,
  type WireCosts,
} from './simulate.js';

const OUTAGES = [
  ['5 s', 5_000],
  ['30 s', 30_000],
  ['60 s', 60_000],
  ['10 min', 600_000],
  ['1 h', 3_600_000],
] as const;

const measured = await measure();
const parts = await composition();

const STRATEGIES: { name: string; strategy: Strategy; costs: WireCosts }[] = [
  {
    name: 'backsoon (defaults)',
    strategy: backsoon(),
    costs: { page: measured.backsoonPage, check: measured.backsoonCheck },
  },
  { name: 'meta refresh 5 s, same page', strategy: reloadEvery(5000), costs: { page: measured.meta5, check: 0 } },
  {
    name: 'meta refresh 5 s, same page, gzip_static',
    strategy: reloadEvery(5000),
    costs: { page: measured.meta5Gzip, check: 0 },
  },
  {
    name: 'refresh 30 s, 60 KB page (error-pages size)',
    strategy: reloadEvery(30_000),
    costs: { page: measured.errorPages, check: 0 },
  },
  { name: 'Laravel down --refresh=15', strategy: reloadEvery(15_000), costs: { page: measured.laravel, check: 0 } },
  { name: 'nginx stock page', strategy: stockPage, costs: { page: measured.stock, check: 0 } },
  {
    name: 'fixed 1 s polling',
    strategy: fixedPolling(1000),
    costs: { page: measured.backsoonPage, check: measured.backsoonCheck },
  },
];

const seconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'never');
const kb = (bytes: number): string => (bytes / 1000).toFixed(1);

const rows: string[] = [];
const results = new Map<string, OutageSummary>();
for (const [label, outage] of OUTAGES) {
  for (const { name, strategy, costs } of STRATEGIES) {
    const r = simulate(strategy, outage, costs);
    results.set(`${label}|${name}`, r);
    rows.push(
      `| ${label} | ${name} | ${seconds(r.p50)} | ${seconds(r.p95)} | ${seconds(r.max)} | ${r.requests.toFixed(1)} | ${kb(r.bytes)} | ${(r.herd * 100).toFixed(1)}% |`,
    );
  }
}

const get = (outage: string, name: string): OutageSummary => results.get(`${outage}|${name}`)!;
const ours = (o: string): OutageSummary => get(o, 'backsoon (defaults)');
const meta = get('10 min', 'meta refresh 5 s, same page');
const metaGzip = get('10 min', 'meta refresh 5 s, same page, gzip_static');
const targets = [
  [
    'outages up to 60 s: p95 return ≤ 1.2 s',
    Math.max(...['5 s', '30 s', '60 s'].map((o) => ours(o).p95)) <= 1200,
    ['5 s', '30 s', '60 s'].map((o) => seconds(ours(o).p95)).join(' / ') + ' s',
  ],
  ['10 min: p95 return ≤ 15 s', ours('10 min').p95 <= 15_000, `${seconds(ours('10 min').p95)} s`],
  [
    '10 min: fewer requests than a 5 s meta refresh',
    ours('10 min').requests < meta.requests,
    `${ours('10 min').requests.toFixed(1)} vs ${meta.requests.toFixed(1)}`,
  ],
  [
    '10 min: ≤ 1/20 of the bytes of the same page on a 5 s meta refresh',
    ours('10 min').bytes * 20 <= meta.bytes,
    `1/${(meta.bytes / ours('10 min').bytes).toFixed(1)} (1/${(metaGzip.bytes / ours('10 min').bytes).toFixed(1)} against a precompressed page)`,
  ],
  [
    'after 10 min: no second gets > 10% of the visitors',
    ours('10 min').herd <= 0.1,
    `${(ours('10 min').herd * 100).toFixed(1)}%`,
  ],
  [
    'a 502 or 503 response with the page ≤ 10 KB on the wire',
    Math.max(measured.backsoon502Response, measured.backsoon503Response) <= 10_000,
    `${measured.backsoon502Response} B (502), ${measured.backsoon503Response} B (503)`,
  ],
  ['a check ≤ 1 KB on the wire', measured.backsoonCheck <= 1000, `${measured.backsoonCheck} B`],
] as const;

const table = [
  '| outage | strategy | return p50 (s) | p95 (s) | max (s) | requests / visitor | KB / visitor | herd (max share in 1 s) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
].join('\n');
const targetTable = [
  '| target | met | measured |',
  '| --- | --- | --- |',
  ...targets.map(([t, ok, v]) => `| ${t} | ${ok ? 'yes' : '**no**'} | ${v} |`),
].join('\n');
const wire = [
  '| what | bytes on the wire (request + response) |',
  '| --- | --- |',
  `| backsoon's 502 with the page (gzip_static) | ${measured.backsoon502} (response alone: ${measured.backsoon502Response}) |`,
  `| backsoon's 503 with the page, maintenance (response alone) | ${measured.backsoon503Response} |`,
  `| a whole load of it (the 502 and brand.css) | ${measured.backsoonPage} |`,
  `| backsoon check (HEAD) | ${measured.backsoonCheck} |`,
  `| a load of the same page on a 502, no gzip (classic error_page) | ${measured.meta5} |`,
  `| a load of the same page on a 502, gzip_static | ${measured.meta5Gzip} |`,
  `| a load of a 60 KB page (error-pages size) | ${measured.errorPages} |`,
  `| a load of a Laravel-size 503 page (6.6 KB) | ${measured.laravel} |`,
  `| a load of nginx's stock 502 | ${measured.stock} |`,
  `| dist/index.html | ${measured.pageRaw} raw, ${measured.pageGzip} gzip |`,
].join('\n');

const made = [
  '| part | gzip bytes |',
  '| --- | --- |',
  `| Lit's floor: a minimal LitElement, built and minified the same way | ${parts.litFloor} |`,
  `| the page's script (Lit and backsoon's code, the element's style, the default language's strings) | ${parts.script} |`,
  `| the document's style (the no-JavaScript text) | ${parts.style} |`,
  `| the HTML around them (CSP, no-JavaScript text, links) | ${parts.html} |`,
  `| dist/index.html.gz, the whole, as served | ${parts.page} |`,
].join('\n');

/** "1.22.1": the nginx the byte costs were measured on. */
const nginxVersion = /nginx\/(\S+)/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr)?.[1] ?? 'unknown';

const report = `## The page's schedule, simulated (\`npm run bench\`)

Made by \`npm run bench\` (bench/run.ts): 10,000 visitors arriving uniformly
during each outage, the page's real schedule on a virtual clock (seed 1),
byte costs measured on nginx ${nginxVersion} with Chromium. A visitor's return
time runs from the app's return to their reaching it; "herd" is the largest
share of all visitors reaching the app within one second.

### Targets

${targetTable}

### All strategies

${table}

### Bytes measured

${wire}

### What the page is made of

Each part gzipped alone (so they do not add up to the whole exactly).

${made}
`;

console.log(report);
await writeResultsPart('simulation', report);
console.log('wrote its part of bench/results.md');
