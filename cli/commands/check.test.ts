import { cp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../backsoon.js';
import type { Io } from '../command.js';
import { makeToken, mapLine } from '../token.js';
import {
  installTestPage,
  nginxTest,
  nginxTestWithSnippets,
  SNIPPETS,
  type NginxTestRun,
} from '../../test-support/nginx-dump.js';

// `backsoon check` against the real nginx -T output of good and bad
// configurations, with the shipped snippets included as on Debian
// (snippets/backsoon/… relative to nginx's configuration folder).

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

async function configure(http: string, options: { main?: string; page?: boolean } = {}): Promise<NginxTestRun> {
  const run = await nginxTestWithSnippets(http, options);
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
/** Maintenance as the README adds it: the include, and the Cookie line where requests go to the app. */
const MAINTENANCE = `include snippets/backsoon/server/backsoon-maintenance.conf;
        location / { proxy_pass http://127.0.0.1:9; include /etc/nginx/proxy_params; proxy_set_header Cookie $backsoon_app_cookie; }`;

describe('backsoon check, on real nginx -T output', () => {
  it('passes a server block set up as the README says, maintenance included', async () => {
    const run = await configure(`${STAFF}\n${SERVER(`${MAINTENANCE}`)}`);
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
    const withMaintenance = await configure(`${STAFF}\n${SERVER(`${MAINTENANCE}`, 'error_page 503 /busy.html;')}`);
    const { code, output } = await check(withMaintenance);
    expect(output).toMatch(/PROBLEM error_page 503 \/busy\.html \([^)]*\) comes before backsoon's and wins for 503/);
    expect(code).toBe(1);
  });

  it('fails a root whose maintenance flag is set where the server block has no maintenance include', async () => {
    const run = await configure(SERVER(APP));
    expect(await check(run)).toMatchObject({ code: 0 });
    await writeFile(join(run.prefix, 'www/__backsoon/maintenance.on'), '');
    const { code, output } = await check(run);
    expect(output).toContain(
      `PROBLEM maintenance is switched on (${run.prefix}/www/__backsoon/maintenance.on exists) but this server block has no maintenance include: its visitors get the app, not the maintenance page.`,
    );
    expect(code).toBe(1);

    const included = await configure(`${STAFF}\n${SERVER(`${MAINTENANCE}`)}`);
    await writeFile(join(included.prefix, 'www/__backsoon/maintenance.on'), '');
    expect(await check(included)).toMatchObject({ code: 0 });
  });

  it('fails a location that gives the app the bypass cookie where maintenance is included (Debian’s proxy_params replacing the server’s Cookie line)', async () => {
    const run = await configure(
      `${STAFF}\n${SERVER(
        'location / { proxy_pass http://127.0.0.1:9; include /etc/nginx/proxy_params; }',
        'proxy_set_header Cookie $backsoon_app_cookie;\ninclude snippets/backsoon/server/backsoon-maintenance.conf;',
      )}`,
    );
    expect(run.ok).toBe(true);
    const { code, output } = await check(run);
    expect(output).toMatch(
      /PROBLEM location \/ \([^\n]*nginx\.conf:\d+\) passes requests to the app \(proxy_pass\) with the visitor's own Cookie header, bypass cookie included: its own proxy_set_header lines \(\/etc\/nginx\/proxy_params:\d+ \(included at [^\n]*\)\) replace all of the server block's, its Cookie line too\. Add to it, beside its other proxy_set_header lines: proxy_set_header Cookie \$backsoon_app_cookie;\n/,
    );
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

  describe('the staff file’s tokens (the shipped file, copied to conf.d/ with a token line added)', () => {
    /** The shipped staff file with `lines` in its token map, under "default 0;". */
    async function staffWith(...lines: string[]): Promise<NginxTestRun> {
      const shipped = await readFile(join(SNIPPETS, 'http/backsoon-staff.conf'), 'utf8');
      const map = shipped.indexOf('map $backsoon_token $backsoon_staff_token {');
      const at = shipped.indexOf('default 0;', map) + 'default 0;'.length;
      expect(map).toBeGreaterThan(0);
      const staff = `${shipped.slice(0, at)}${lines.map((l) => `\n    ${l}`).join('')}${shipped.slice(at)}`;
      const run = await nginxTestWithSnippets(`include conf.d/backsoon-staff.conf;\n${SERVER(MAINTENANCE)}`, {
        files: { 'conf.d/backsoon-staff.conf': staff },
      });
      runs.push(run);
      return run;
    }

    it('passes a token line as backsoon token writes it, of its default length and of the longest', async () => {
      const run = await staffWith(mapLine(makeToken()), mapLine(makeToken(128)));
      expect(run.ok, run.messages).toBe(true);
      expect(await check(run)).toMatchObject({ code: 0 });
    });

    it('fails a token written as a plain key, which nginx matches ignoring case', async () => {
      const run = await staffWith(`"${'c'.repeat(40)}" 1;`);
      expect(run.ok).toBe(true);
      const { code, output } = await check(run);
      expect(output).toMatch(
        /PROBLEM bypass token cccccccccc… \([^\n]*backsoon-staff\.conf:\d+ \(included at [^\n]*\)\) is a plain map key: nginx matches it ignoring case, and one of 47 characters or more stops nginx -t/,
      );
      expect(code).toBe(1);
    });

    it('explains nginx’s own refusal of a plain key of 48 characters', async () => {
      const run = await staffWith(`"${'a'.repeat(48)}" 1;`);
      expect(run.ok).toBe(false);
      const { code, output } = await check(run);
      expect(output).toContain('could not build map_hash, you should increase map_hash_bucket_size: 64');
      expect(output).toContain(
        'A bypass token in the map $backsoon_token $backsoon_staff_token block must be a regular expression, "~^<token>\\z" 1;',
      );
      expect(code).toBe(1);
    });

    it('fails a pattern that lets in more than one token, and a token the secret link cannot set', async () => {
      const run = await staffWith(
        `"~^${'d'.repeat(20)}" 1;`,
        '"~*^ABCDEFABCDEFABCDEF$" 1;',
        '"~^short.token$" 1;',
        '"~^0123456789$" 1;',
      );
      expect(run.ok).toBe(true);
      const { code, output } = await check(run);
      expect(
        output.match(/is not of the form "~\^<token>\\z": as a pattern, it lets in every token it matches/g),
      ).toHaveLength(3);
      expect(output).toMatch(
        /PROBLEM bypass token 0123456789… \([^\n]*\) is 10 characters, not 16 to 128: the secret link cannot set it/,
      );
      expect(code).toBe(1);
    });
  });

  it('explains the Cookie line, or the maintenance include, without the staff file in the http block', async () => {
    for (const body of [
      MAINTENANCE,
      'location / { proxy_pass http://127.0.0.1:9; proxy_set_header Cookie $backsoon_app_cookie; }',
    ]) {
      const run = await configure(SERVER(body));
      expect(run.ok).toBe(false);
      const { code, output } = await check(run);
      expect(output).toMatch(/unknown "backsoon_\w+" variable/);
      expect(output).toMatch(/→ \$backsoon_\w+ comes from the staff file, which is not in the http block/);
      expect(output).toContain('cp /etc/nginx/snippets/backsoon/http/backsoon-staff.conf /etc/nginx/conf.d/');
      expect(code).toBe(1);
    }
  });

  it('explains the hold include without nginx’s JavaScript module', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const prefix = await mkdtemp(join(tmpdir(), 'backsoon-check-'));
    await cp(SNIPPETS, join(prefix, 'snippets/backsoon'), { recursive: true });
    await installTestPage(join(prefix, 'www'));
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

  describe('the shared probe’s turns to go back', () => {
    const PROBE = `location = /__backsoon/probe { proxy_pass http://127.0.0.1:9/healthz; include snippets/backsoon/location/backsoon-probe.conf; }`;
    const OLD_ZONE = 'limit_req_zone $backsoon_admit_key zone=backsoon_admit:1m rate=40r/s;';
    /** The shipped http half, its cache under the prefix, with `edit` applied. */
    async function probeHttp(edit: (text: string) => string = (t) => t): Promise<string> {
      const shipped = await readFile(join(SNIPPETS, 'http/backsoon-probe.conf'), 'utf8');
      return edit(shipped.replace('/var/lib/nginx/backsoon-probe', 'tmp/backsoon-probe'));
    }
    async function withProbe(http: string, probe: string): Promise<NginxTestRun> {
      const run = await nginxTestWithSnippets(
        `include conf.d/backsoon-probe.conf;\n${http}\n${SERVER(`${PROBE}\n${APP}`)}`,
        {
          files: { 'conf.d/backsoon-probe.conf': probe },
        },
      );
      runs.push(run);
      return run;
    }

    it('passes this version’s, with nothing to say of a rate', async () => {
      const run = await withProbe('', await probeHttp());
      expect(run.ok, run.messages).toBe(true);
      const { code, output } = await check(run);
      expect(output).not.toMatch(/\brate\b|turns/);
      expect(code).toBe(0);
    });

    it('notes a rate zone of an older backsoon’s the operator left by hand, and passes', async () => {
      const run = await withProbe(OLD_ZONE, await probeHttp());
      expect(run.ok, run.messages).toBe(true);
      const { code, output } = await check(run);
      expect(output).toMatch(
        /^note {4}turns at a fixed rate from an older backsoon \(\S*\/nginx\.conf:\d+\): the kit's probe now paces turns by the app's own answers; reinstall \(`backsoon install --nginx`\) or replace the http file, and remove this zone$/m,
      );
      expect(output).toContain('No problem found in 1 server block(s).');
      expect(code).toBe(0);
    });

    it('explains nginx’s refusal of this version’s probe with an older http half (turns at a rate, no window)', async () => {
      const run = await withProbe(
        '',
        await probeHttp((t) => t.replace('limit_conn_zone $backsoon_admit_key zone=backsoon_turns:1m;', OLD_ZONE)),
      );
      expect(run.ok).toBe(false);
      const { code, output } = await check(run);
      expect(output).toContain('zero size shared memory zone "backsoon_turns"');
      expect(output).toContain(
        "→ the shared probe's location counts its turns to go back in the zone backsoon_turns, which the http block does not define: http/backsoon-probe.conf is missing, or is an older backsoon's",
      );
      expect(code).toBe(1);
    });

    it('explains nginx’s refusal of an older http half copied besides this version’s', async () => {
      const older = await probeHttp((t) =>
        t.replace('limit_conn_zone $backsoon_admit_key zone=backsoon_turns:1m;', OLD_ZONE),
      );
      const run = await withProbe(`include conf.d/old-probe.conf;`, await probeHttp());
      await writeFile(join(run.prefix, 'conf.d/old-probe.conf'), older);
      const { code, output } = await check(run);
      // nginx names the first thing it finds twice: here the cache folder (the copy by hand kept it).
      expect(output).toMatch(
        /the same path name "\S*\/tmp\/backsoon-probe" used in \S*backsoon-probe\.conf:\d+ and in \S*old-probe\.conf:\d+/,
      );
      expect(output).toContain("→ the probe's http half is in the http block twice");
      expect(code).toBe(1);
    });
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
