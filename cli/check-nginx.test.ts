import { cp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from './backsoon.js';
import type { Io } from './command.js';
import { nginxTest, type NginxTestRun } from './test-nginx.js';

// `backsoon check` against the real nginx -T output of good and bad
// configurations, with the shipped snippets included as on Debian
// (snippets/backsoon/… relative to nginx's configuration folder).

const SNIPPETS = resolve(import.meta.dirname, '../nginx-snippets');
const runs: NginxTestRun[] = [];

afterEach(async () => {
  for (const run of runs.splice(0)) await rm(run.prefix, { recursive: true, force: true });
});

function captureIo(): Io & { output: () => string } {
  let text = '';
  return {
    out: (t) => void (text += t),
    err: (t) => void (text += t),
    now: () => Date.now(),
    env: {},
    stdin: async () => '',
    output: () => text,
  };
}

/** A page as `backsoon install` leaves it (the check only looks at the files' presence and times). */
async function installPage(root: string): Promise<void> {
  await mkdir(join(root, '__backsoon'), { recursive: true });
  for (const name of [
    'index.html',
    'maintenance.html',
    'outage.json',
    'outage.txt',
    'index.html.gz',
    'maintenance.html.gz',
  ]) {
    await writeFile(join(root, '__backsoon', name), name);
  }
}

async function configure(http: string, options: { main?: string; page?: boolean } = {}): Promise<NginxTestRun> {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const prefix = await mkdtemp(join(tmpdir(), 'backsoon-check-'));
  await cp(SNIPPETS, join(prefix, 'snippets/backsoon'), { recursive: true });
  if (options.page !== false) await installPage(join(prefix, 'www'));
  const run = await nginxTest(http.replaceAll('PREFIX', prefix), {
    prefix,
    ...(options.main ? { main: options.main } : {}),
  });
  runs.push(run);
  return run;
}

async function check(run: NginxTestRun): Promise<{ code: number; output: string }> {
  const io = captureIo();
  const code = await main(['check', '-c', run.conf, '-p', run.prefix], io);
  return { code, output: io.output() };
}

const STAFF = 'include snippets/backsoon/http/backsoon-staff.conf;';
const SERVER = (body: string, extra = ''): string => `
    server {
        listen 127.0.0.1:9;
        server_name example.test;
        root PREFIX/www;
        ${extra}
        include snippets/backsoon/server/backsoon.conf;
        ${body}
    }`;
const APP = 'location / { proxy_pass http://127.0.0.1:9; }';

describe('backsoon check, on real nginx -T output', () => {
  it('passes a server block set up as the README says, maintenance included', async () => {
    const run = await configure(
      `${STAFF}\n${SERVER(`include snippets/backsoon/server/backsoon-maintenance.conf;\n${APP}`)}`,
    );
    expect(run.ok).toBe(true);
    const { code, output } = await check(run);
    expect(output).toContain('server example.test (listen 127.0.0.1:9)');
    expect(output).toContain('backsoon is included, with planned maintenance');
    expect(output).toContain(`the page is in ${run.prefix}/www/__backsoon/`);
    expect(output).toContain('No problem found in 1 server block(s).');
    expect(code).toBe(0);
  });

  it('fails a proxied server without the include, and leaves a static one alone', async () => {
    const run = await configure(`
    server { listen 127.0.0.1:9; server_name app.test; location /api/ { uwsgi_pass 127.0.0.1:9; } }
    server { listen 127.0.0.1:9; server_name static.test; root PREFIX/www; }`);
    const { code, output } = await check(run);
    expect(output).toMatch(
      /server app\.test[^\n]*\n\s+PROBLEM passes requests to an app \(uwsgi_pass in location \/api\/, [^)]*nginx\.conf:\d+\) without backsoon/,
    );
    expect(output).toMatch(/server static\.test[^\n]*\n\s+note\s+passes no request to an app/);
    expect(code).toBe(1);
  });

  it('fails a proxied location whose own error_page hides backsoon’s, and passes it with the errors include', async () => {
    const bad = await configure(
      SERVER(`location /shop/ { error_page 404 /404.html; location /shop/cart/ { proxy_pass http://127.0.0.1:9; } }`),
    );
    const result = await check(bad);
    expect(result.output).toMatch(
      /PROBLEM location \/shop\/ \([^)]*nginx\.conf:\d+\) has error_page lines of its own, so backsoon's are not used there for 502 \(nor in location \/shop\/cart\/\): add to it include snippets\/backsoon\/location\/backsoon-errors.conf;/,
    );
    expect(result.code).toBe(1);

    const good = await configure(
      SERVER(
        `location /shop/ { error_page 404 /404.html; include snippets/backsoon/location/backsoon-errors.conf; proxy_pass http://127.0.0.1:9; }`,
      ),
    );
    expect(await check(good)).toMatchObject({ code: 0 });
  });

  it('fails an earlier error_page for 502 in the server block (Debian’s commented 50x line, uncommented)', async () => {
    const run = await configure(SERVER(APP, 'error_page 500 502 503 504 /50x.html;'));
    const { code, output } = await check(run);
    expect(output).toMatch(
      /PROBLEM error_page 500 502 503 504 \/50x\.html \([^)]*\) comes before backsoon's and wins for 502/,
    );
    expect(output).toMatch(/wins for 504/);
    expect(code).toBe(1);
  });

  it('fails an earlier error_page 503 only where maintenance is included', async () => {
    const without = await configure(SERVER(APP, 'error_page 503 /busy.html;'));
    expect(await check(without)).toMatchObject({ code: 0 });
    const withMaintenance = await configure(
      `${STAFF}\n${SERVER(`include snippets/backsoon/server/backsoon-maintenance.conf;\n${APP}`, 'error_page 503 /busy.html;')}`,
    );
    const { code, output } = await check(withMaintenance);
    expect(output).toMatch(/PROBLEM error_page 503 \/busy\.html \([^)]*\) comes before backsoon's and wins for 503/);
    expect(code).toBe(1);
  });

  it('fails a missing page, and a .gz copy older than its page', async () => {
    const missing = await configure(SERVER(APP), { page: false });
    const result = await check(missing);
    expect(result.output).toContain(
      `PROBLEM the page is missing from ${missing.prefix}/www/__backsoon/ (index.html, outage.json, outage.txt)`,
    );
    expect(result.output).toContain(`backsoon install --root ${missing.prefix}/www`);
    expect(result.code).toBe(1);

    const stale = await configure(SERVER(APP));
    const past = new Date(Date.now() - 3_600_000);
    await utimes(join(stale.prefix, 'www/__backsoon/index.html.gz'), past, past);
    const staleResult = await check(stale);
    expect(staleResult.output).toContain(
      `PROBLEM ${stale.prefix}/www/__backsoon/index.html.gz is older than index.html`,
    );
    expect(staleResult.code).toBe(1);
  });

  it('explains a bypass token too long for the map, from nginx’s own refusal', async () => {
    const token = 'a'.repeat(48);
    const staff = `geo $backsoon_staff_ip { default 0; }
    map $cookie_backsoon_bypass $backsoon_staff_cookie { default 0; "${token}" 1; }
    map "$backsoon_staff_ip$backsoon_staff_cookie" $backsoon_staff { "00" 0; default 1; }
    map $arg_token $backsoon_bypass_cookie { default ""; }`;
    const run = await configure(
      `${staff}\n${SERVER(`include snippets/backsoon/server/backsoon-maintenance.conf;\n${APP}`)}`,
    );
    expect(run.ok).toBe(false);
    const { code, output } = await check(run);
    expect(output).toContain('could not build map_hash, you should increase map_hash_bucket_size: 64');
    expect(output).toContain('keys fit in 46 characters');
    expect(output).toContain('backsoon token');
    expect(code).toBe(1);
  });

  it('accepts a longer token where map_hash_bucket_size was raised for it, and fails one the secret link cannot set', async () => {
    const raised = await configure(`map_hash_bucket_size 128;
    map $cookie_backsoon_bypass $t { default 0; "${'b'.repeat(60)}" 1; }
    ${SERVER(APP)}`);
    expect(raised.ok).toBe(true);
    expect(await check(raised)).toMatchObject({ code: 0 });

    const misshapen = await configure(`map $cookie_backsoon_bypass $t { default 0; "short.token" 1; }\n${SERVER(APP)}`);
    expect(misshapen.ok).toBe(true);
    const { code, output } = await check(misshapen);
    expect(output).toMatch(
      /PROBLEM bypass token short.to… \([^)]*nginx\.conf:\d+\) is not 16 to 128 letters, digits, "-" or "_": the secret link cannot set it/,
    );
    expect(code).toBe(1);
  });

  it('explains the hold include without nginx’s JavaScript module', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const prefix = await mkdtemp(join(tmpdir(), 'backsoon-check-'));
    await cp(SNIPPETS, join(prefix, 'snippets/backsoon'), { recursive: true });
    await installPage(join(prefix, 'www'));
    const hold = 'js_import backsoon_hold from backsoon/hold.js;\njs_content backsoon_hold.hold;\n';
    const run = await nginxTest(
      SERVER(`location / { include snippets/backsoon/location/backsoon-hold.conf; }`).replaceAll('PREFIX', prefix),
      {
        prefix,
        files: { 'snippets/backsoon/location/backsoon-hold.conf': hold },
      },
    );
    runs.push(run);
    expect(run.ok).toBe(false);
    const { code, output } = await check(run);
    expect(output).toMatch(/unknown directive "js_import"/);
    expect(output).toContain("needs nginx's JavaScript module, which is not loaded");
    expect(output).toContain('load_module modules/ngx_http_js_module.so;');
    expect(code).toBe(1);
  });

  it('passes the brotli include with nginx’s brotli_static module, and explains it without the module', async () => {
    const BROTLI = 'include snippets/backsoon/server/backsoon-brotli.conf;';
    const withModule = await configure(SERVER(`${BROTLI}\n${APP}`, 'brotli_static on;'), {
      main: 'load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;',
    });
    expect(withModule.ok).toBe(true);
    const passed = await check(withModule);
    expect(passed.output).not.toContain('PROBLEM');
    expect(passed.code).toBe(0);

    const without = await configure(SERVER(`${BROTLI}\n${APP}`));
    expect(without.ok).toBe(false);
    const { code, output } = await check(without);
    expect(output).toMatch(/unknown directive "brotli_static" in \S*backsoon-brotli\.conf/);
    expect(output).toContain('apt-get install libnginx-mod-http-brotli-static');
    expect(code).toBe(1);
  });

  it('reads saved nginx -T output with --from, and says when it is not one', async () => {
    const run = await configure(SERVER(APP));
    const saved = join(run.prefix, 'dump.txt');
    await writeFile(saved, `${run.messages}${run.dump}`);
    const io = captureIo();
    expect(await main(['check', '--from', saved, '-p', run.prefix], io)).toBe(0);
    expect(io.output()).toContain('No problem found in 1 server block(s).');

    await writeFile(saved, 'nginx: [emerg] unknown directive "foo" in /etc/nginx/nginx.conf:3\n');
    const failed = captureIo();
    expect(await main(['check', '--from', saved], failed)).toBe(1);
    expect(failed.output()).toContain('unknown directive "foo"');
    expect(failed.output()).toContain('is not a successful `nginx -T` output');
  });
});
