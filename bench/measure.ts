import { chromium, type Page } from '@playwright/test';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CHROMIUM_LAUNCH } from '../test-support/chromium.js';
import { REPO, startNginx } from '../test-support/nginx.js';
import { freePort } from '../test-support/ports.js';

/**
 * Bytes on the wire, measured: a real Chromium loads each kind of error
 * page from a real nginx, and nginx's access log gives, per request, the
 * request's size ($request_length) and the response's ($bytes_sent,
 * headers included). Nothing here is estimated.
 */
export interface Measured {
  /** The 502 response carrying backsoon's page (gzip_static), with its request. */
  backsoon502: number;
  /** The 502 response alone: status line, headers and gzipped page. */
  backsoon502Response: number;
  /** The 503 response alone, in maintenance mode. */
  backsoon503Response: number;
  /** A whole load of backsoon's page: the 502 and brand.css (checks apart). */
  backsoonPage: number;
  /** One of backsoon's background checks (a HEAD). */
  backsoonCheck: number;
  /** A load of the same page reloaded by a 5 s meta refresh, as error_page serves it (no gzip on a 502). Loads count every request they make. */
  meta5: number;
  /** The same, had the operator set up a precompressed copy. */
  meta5Gzip: number;
  /** A page the size of tarampampam/error-pages' (60 KB), 30 s refresh. */
  errorPages: number;
  /** A page the size of Laravel's 503 (its minimal error layout, 6.6 KB), Refresh: 15. */
  laravel: number;
  /** nginx's stock 502 page. */
  stock: number;
  /** The built page's own sizes. */
  pageRaw: number;
  pageGzip: number;
}

/** A page of `size` bytes: a plain error page padded with a style block, as these pages carry CSS. */
function standIn(size: number, refresh: number): string {
  const head = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="${refresh}"><title>Service unavailable</title><style>`;
  const tail = '</style></head><body><h1>Service unavailable</h1><p>Please try again in a moment.</p></body></html>\n';
  let css = '';
  for (let i = 0; head.length + css.length + tail.length < size; i++)
    css += `.c${i}{margin:${i % 7}px;color:#${((i * 2654435761) % 0xffffff).toString(16).padStart(6, '0')}}`;
  return (head + css + tail).slice(0, size - tail.length) + tail;
}

async function logLines(
  path: string,
): Promise<{ method: string; uri: string; status: number; in: number; out: number }[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [method = '', uri = '', status = '0', requestLength = '0', bytesSent = '0'] = line.split(' ');
      return { method, uri, status: Number(status), in: Number(requestLength), out: Number(bytesSent) };
    });
}

export async function measure(): Promise<Measured> {
  const dist = join(REPO, 'dist');
  const page = await readFile(join(dist, 'index.html'), 'utf8');
  const classicPort = await freePort();
  const nginx = await startNginx({
    vhost: join(REPO, 'bench/vhost.conf'),
    appPort: await freePort(),
    vars: { CLASSIC: `127.0.0.1:${classicPort}` },
  });
  const classic = join(nginx.root, 'classic');
  await mkdir(classic, { recursive: true });
  // The same page, its poller's work done by a meta refresh.
  const meta5 = page.replace(
    '<noscript><meta http-equiv="refresh" content="30" /></noscript>',
    '<meta http-equiv="refresh" content="5" />',
  );
  await writeFile(join(classic, 'meta5.html'), meta5);
  await writeFile(join(classic, 'meta5-gzip.html'), meta5);
  await writeFile(join(classic, 'meta5-gzip.html.gz'), gzipSync(meta5, { level: 9 }));
  await writeFile(join(classic, 'error-pages.html'), standIn(60_000, 30));
  await writeFile(join(classic, 'laravel.html'), standIn(6_602, 15));

  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const log = join(nginx.prefix, 'bench.log');
  /** Loads `url` in a fresh tab and returns nginx's log lines for everything that load asked for. */
  const load = async (url: string, wait: (p: Page) => Promise<unknown> = async () => {}) => {
    const before = (await logLines(log)).length;
    const tab = await browser.newPage();
    await tab.goto(url);
    await wait(tab);
    await tab.close();
    await new Promise((r) => setTimeout(r, 100)); // nginx writes its log line after the response
    return (await logLines(log)).slice(before);
  };
  const bytes = (lines: { in: number; out: number }[]): number => lines.reduce((sum, l) => sum + l.in + l.out, 0);
  try {
    const lines = await load(nginx.url('/deep/path?q=1'), (p) =>
      p
        .locator('backsoon-page')
        .getByText(/attempt 2/)
        .waitFor(),
    );
    const head = lines.find((l) => l.method === 'HEAD');
    const get = lines.find((l) => l.method === 'GET' && l.status === 502);
    if (!head || !get) throw new Error(`no page load or check in the log: ${JSON.stringify(lines)}`);
    const classic = async (path: string): Promise<number> =>
      bytes(await load(`http://127.0.0.1:${classicPort}${path}`));
    await nginx.maintenance(true);
    const maintenance = (await load(nginx.url('/deep/path?q=1'))).find((l) => l.method === 'GET' && l.status === 503);
    await nginx.maintenance(false);
    if (!maintenance) throw new Error('no 503 in the log during maintenance');
    return {
      backsoon502: bytes([get]),
      backsoon502Response: get.out,
      backsoon503Response: maintenance.out,
      backsoonPage: bytes(lines.filter((l) => l.method !== 'HEAD')),
      backsoonCheck: bytes([head]),
      meta5: await classic('/meta5/deep/path?q=1'),
      meta5Gzip: await classic('/meta5-gzip/deep/path?q=1'),
      errorPages: await classic('/error-pages/deep/path?q=1'),
      laravel: await classic('/laravel/deep/path?q=1'),
      stock: await classic('/stock/deep/path?q=1'),
      pageRaw: Buffer.byteLength(page),
      pageGzip: (await readFile(join(dist, 'index.html.gz'))).length,
    };
  } finally {
    await browser.close();
    await nginx.stop();
  }
}
