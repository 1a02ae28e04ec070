import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backsoonRoots,
  checkConfig,
  errorPageCodes,
  firstErrorPage,
  hasProblems,
  type FileInfo,
} from './nginx-check.js';
import { loadDump, parseConf } from './nginx-conf.js';

// The decisions alone, on hand-written dumps (check-nginx.test.ts runs the
// real nginx -T).

const PAGE = ['index.html', 'maintenance.html', 'outage.json', 'outage.txt'];

function probeOf(files: Record<string, number>): (path: string) => FileInfo | undefined {
  return (path) => (path in files ? { mtimeMs: files[path]! } : undefined);
}

function pageAt(root: string): Record<string, number> {
  return Object.fromEntries(PAGE.map((name) => [`${root}/__backsoon/${name}`, 1]));
}

function dump(main: string, files: Record<string, string> = {}): string {
  return [
    `# configuration file /e/nginx.conf:\n${main}\n`,
    ...Object.entries(files).map(([path, text]) => `# configuration file ${path}:\n${text}\n`),
  ].join('\n');
}

const SNIPPET = {
  '/e/snippets/backsoon/server/backsoon.conf': 'error_page 502 504 $backsoon_crash_page;\nlocation ^~ /__backsoon/ { }',
};

describe('error_page lines', () => {
  it('reads the codes of a line, whatever its =code', () => {
    const [line] = parseConf('error_page 500 502 =503 /x.html;', 'f');
    expect(errorPageCodes(line!)).toEqual([500, 502]);
  });

  it('takes the first line for a code, as nginx does', () => {
    const lines = parseConf('error_page 404 /a; error_page 502 /b; error_page 502 504 /c;', 'f');
    expect(firstErrorPage(lines, 502)!.args.at(-1)).toBe('/b');
    expect(firstErrorPage(lines, 504)!.args.at(-1)).toBe('/c');
    expect(firstErrorPage(lines, 503)).toBeUndefined();
  });
});

describe('an error_page line before backsoon’s (issue 9)', () => {
  const CRASH = 'include snippets/backsoon/server/backsoon.conf;';
  const MAINTENANCE = 'include snippets/backsoon/server/backsoon-maintenance.conf;';
  const SNIPPETS = {
    ...SNIPPET,
    '/e/snippets/backsoon/server/backsoon-maintenance.conf': 'error_page 503 $backsoon_maintenance_page;',
  };
  const SITE = '/e/sites-enabled/site';

  /** Each line that wins a status of backsoon's, as [file:line, status], from a server block of these lines (the first on line 3 of SITE). */
  function shadowing(lines: string[], files: Record<string, string> = {}): [string, number][] {
    const site = ['server {', '    root /w;', ...lines.map((l) => `    ${l}`), '}'].join('\n');
    const tree = loadDump(dump('http {\n    include sites-enabled/*;\n}', { ...SNIPPETS, [SITE]: site, ...files }));
    const findings = checkConfig(tree, { probe: probeOf(pageAt('/w')) }).servers.flatMap((s) => s.findings);
    return findings.flatMap((f) => {
      const found =
        /^error_page .* \((\S+:\d+)(?: \(included at [^)]*\))?\) comes before backsoon's and wins for (\d{3}):/.exec(
          f.message,
        );
      return found ? [[found[1]!, Number(found[2])] as [string, number]] : [];
    });
  }

  it('finds nginx.org’s stock 50x line before backsoon’s includes, and says what to do', () => {
    expect(
      shadowing([
        'error_page   500 502 503 504  /50x.html;',
        CRASH,
        MAINTENANCE,
        'location / { proxy_pass http://app; }',
      ]),
    ).toEqual([
      [`${SITE}:3`, 502],
      [`${SITE}:3`, 504],
      [`${SITE}:3`, 503],
    ]);
    const tree = loadDump(
      dump('http { include sites-enabled/*; }', {
        ...SNIPPETS,
        [SITE]: `server { root /w; error_page 502 /50x.html; ${CRASH} }`,
      }),
    );
    expect(checkConfig(tree, { probe: probeOf(pageAt('/w')) }).servers[0]!.findings).toContainEqual({
      level: 'problem',
      message: `error_page 502 /50x.html (${SITE}:1 (included at /e/nginx.conf:1)) comes before backsoon's and wins for 502: move it below the include, or drop 502 from it`,
    });
  });

  it('finds nothing when backsoon’s includes come first', () => {
    expect(shadowing([CRASH, MAINTENANCE, 'error_page 500 502 503 504 /50x.html;'])).toEqual([]);
  });

  it('finds a 503 line between the two includes, which takes the maintenance page only', () => {
    expect(shadowing([CRASH, 'error_page 500 502 503 504 /50x.html;', MAINTENANCE])).toEqual([[`${SITE}:4`, 503]]);
  });

  it('counts 503 only when the maintenance include is there', () => {
    expect(shadowing(['error_page 503 /busy.html;', CRASH])).toEqual([]);
  });

  it('finds every form of the line that takes a status: with a response code, or as one of many', () => {
    expect(shadowing(['error_page 502 =200 /ok.html;', 'error_page 404 504 @app;', CRASH])).toEqual([
      [`${SITE}:3`, 502],
      [`${SITE}:4`, 504],
    ]);
  });

  it('ignores other statuses, lines inside locations, and servers without backsoon', () => {
    expect(shadowing(['error_page 404 /404.html;', 'location /x { error_page 502 /x.html; }', CRASH])).toEqual([]);
    expect(shadowing(['error_page 500 502 503 504 /50x.html;'])).toEqual([]);
  });

  it('follows includes: a line in the operator’s own snippet, relative to nginx’s folder', () => {
    expect(shadowing(['include errors.conf;', CRASH], { '/e/errors.conf': 'error_page 502 /down.html;' })).toEqual([
      ['/e/errors.conf:1', 502],
    ]);
  });

  it('takes backsoon’s own line written out, as the errors include writes it', () => {
    expect(shadowing(['error_page 500 502 /50x.html;', 'error_page 502 504 $backsoon_crash_page;'])).toEqual([
      [`${SITE}:3`, 502],
    ]);
  });
});

describe('checkConfig', () => {
  it('checks the server blocks of http, in included files too, not those of stream', () => {
    const tree = loadDump(
      dump('http { include sites/*; server { listen 2; } }\nstream { server { listen 3; } }', {
        '/e/sites/a': 'server { listen 1; }',
      }),
    );
    expect(checkConfig(tree, { probe: probeOf({}) }).servers.map((s) => s.title)).toEqual([
      'server (no server_name) (listen 1)',
      'server (no server_name) (listen 2)',
    ]);
  });

  it('finds a proxy_pass inside an if, and a location that inherits its parent location’s error_page', () => {
    const tree = loadDump(
      dump(
        `http { server { root /w; include snippets/backsoon/server/backsoon.conf;
           location /a/ { error_page 404 /nf; location /a/b/ { if ($x) { proxy_pass http://u; } } } } }`,
        SNIPPET,
      ),
    );
    const report = checkConfig(tree, { probe: probeOf(pageAt('/w')) });
    const messages = report.servers[0]!.findings.map((f) => `${f.level} ${f.message}`);
    expect(messages.some((m) => /^problem location \/a\/ .* \(nor in location \/a\/b\/\)/.test(m))).toBe(true);
  });

  it('takes the root from the http block, resolves a relative one against the prefix, and skips one made of variables', () => {
    const tree = loadDump(
      dump(
        `http { root www; server { include snippets/backsoon/server/backsoon.conf; }
                   server { root $site_root; include snippets/backsoon/server/backsoon.conf; }
                   server { root /srv/x; include snippets/backsoon/server/backsoon.conf; } }`,
        SNIPPET,
      ),
    );
    const report = checkConfig(tree, { probe: probeOf({ ...pageAt('/p/www'), ...pageAt('/srv/x') }), prefix: '/p' });
    expect(hasProblems(report)).toBe(false);
    expect(report.servers[0]!.findings.at(-1)!.message).toBe('the page is in /p/www/__backsoon/');
    expect(report.servers[1]!.findings.at(-1)!.message).toContain('made of variables');
    expect(backsoonRoots(tree, '/p')).toEqual(['/p/www', '/srv/x']);
  });

  it('says where a server with no root looks for the page', () => {
    const tree = loadDump(dump('http { server { include snippets/backsoon/server/backsoon.conf; } }', SNIPPET));
    const report = checkConfig(tree, { probe: probeOf(pageAt('/usr/share/nginx/html')) });
    expect(report.servers[0]!.findings.map((f) => f.message)).toContain(
      "no root: nginx's default, /usr/share/nginx/html, is where the page must be",
    );
    expect(hasProblems(report)).toBe(false);
  });

  it('fails the hold include without load_module of the JavaScript module, unless it is loaded or built in', () => {
    const hold = { '/e/snippets/backsoon/location/backsoon-hold.conf': 'js_content backsoon_hold.hold;' };
    const body = 'http { server { location / { include snippets/backsoon/location/backsoon-hold.conf; } } }';
    const without = checkConfig(loadDump(dump(body, hold)), { probe: probeOf({}) });
    expect(without.global[0]).toMatchObject({ level: 'problem' });
    expect(without.global[0]!.message).toMatch(
      /^the hold include is used \(\/e\/nginx\.conf:1\) but nginx's JavaScript module is not loaded/,
    );

    const loaded = checkConfig(loadDump(dump(`load_module modules/ngx_http_js_module.so;\n${body}`, hold)), {
      probe: probeOf({}),
    });
    expect(loaded.global).toEqual([]);
    expect(checkConfig(loadDump(dump(body, hold)), { probe: probeOf({}), njsBuiltIn: true }).global).toEqual([]);
  });

  it('takes the hold’s own error_page (to @backsoon_hold, which ends in the page) as backsoon’s', () => {
    const snippet = (path: string) => readFileSync(join(import.meta.dirname, '../nginx-snippets', path), 'utf8');
    const tree = loadDump(
      dump(
        `load_module modules/ngx_http_js_module.so;
         http { server { root /w; include snippets/backsoon/server/backsoon.conf;
           location / { proxy_pass http://app; include snippets/backsoon/location/backsoon-hold.conf; } } }`,
        {
          ...SNIPPET,
          '/e/snippets/backsoon/location/backsoon-hold.conf': snippet('location/backsoon-hold.conf'),
        },
      ),
    );
    const report = checkConfig(tree, { probe: probeOf(pageAt('/w')) });
    expect(report.servers[0]!.findings.filter((f) => f.level === 'problem')).toEqual([]);
    // Any other target there still wins over the page.
    const other = loadDump(
      dump(
        `http { server { root /w; include snippets/backsoon/server/backsoon.conf;
           location / { proxy_pass http://app; error_page 502 504 = @mine; } } }`,
        SNIPPET,
      ),
    );
    const problems = checkConfig(other, { probe: probeOf(pageAt('/w')) }).servers[0]!.findings;
    expect(problems.some((f) => f.level === 'problem' && f.message.includes('= @mine'))).toBe(true);
  });

  it('notes a server without the shared probe, and not one with it', () => {
    const report = (extra: string) =>
      checkConfig(
        loadDump(
          dump(
            `http { server { root /w; include snippets/backsoon/server/backsoon.conf;
               location / { proxy_pass http://app; } ${extra} } }`,
            SNIPPET,
          ),
        ),
        { probe: probeOf(pageAt('/w')) },
      ).servers[0]!.findings;
    const without = report('');
    expect(without.filter((f) => f.message.startsWith('no shared probe'))).toMatchObject([{ level: 'note' }]);
    expect(hasProblems({ global: [], servers: [{ title: 's', at: 'x:1', findings: without }] })).toBe(false);
    const withProbe = report('location = /__backsoon/probe { proxy_pass http://app/healthz; }');
    expect(withProbe.some((f) => f.message.startsWith('no shared probe'))).toBe(false);
  });

  it('fails brotli_static on for a server or its http block, unless backsoon’s brotli include gives the form pages theirs', () => {
    const brotli = {
      '/e/snippets/backsoon/server/backsoon-brotli.conf':
        'location = /__backsoon/_crash-form-br { brotli_static off; }',
    };
    const report = (http: string, server: string) =>
      checkConfig(
        loadDump(
          dump(
            `http { ${http} server { root /w; ${server} include snippets/backsoon/server/backsoon.conf;
               location / { proxy_pass http://app; } location = /__backsoon/probe { proxy_pass http://app/; } } }`,
            { ...SNIPPET, ...brotli },
          ),
        ),
        { probe: probeOf(pageAt('/w')) },
      ).servers[0]!.findings.filter((f) => f.level === 'problem');
    const include = 'include snippets/backsoon/server/backsoon-brotli.conf;';
    const found = report('', 'brotli_static on;');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(
      /^brotli_static on \(\/e\/nginx\.conf:1\) reaches backsoon's form pages: .* include snippets\/backsoon\/server\/backsoon-brotli\.conf;$/,
    );
    expect(report('brotli_static always;', '')).toHaveLength(1);
    // The server's own off wins over the http block's on; the include makes either safe.
    expect(report('brotli_static on;', 'brotli_static off;')).toEqual([]);
    expect(report('brotli_static on;', include)).toEqual([]);
    expect(report('', `brotli_static on; ${include}`)).toEqual([]);
    expect(report('', '')).toEqual([]);
  });

  it('fails a .br copy older than its page where the server sends it, and only there', () => {
    const brotli = {
      '/e/snippets/backsoon/server/backsoon-brotli.conf': 'location = /__backsoon/_crash-form-br { }',
    };
    const files = { ...pageAt('/w'), '/w/__backsoon/index.html.br': 0 };
    const report = (server: string) =>
      checkConfig(
        loadDump(
          dump(`http { server { root /w; include snippets/backsoon/server/backsoon.conf; ${server} } }`, {
            ...SNIPPET,
            ...brotli,
          }),
        ),
        { probe: probeOf(files) },
      ).servers[0]!.findings.filter((f) => f.level === 'problem');
    expect(report('include snippets/backsoon/server/backsoon-brotli.conf;')).toEqual([
      {
        level: 'problem',
        message:
          '/w/__backsoon/index.html.br is older than index.html: browsers get the old page (brotli_static). Run brotli -kf /w/__backsoon/index.html, or delete the .br',
      },
    ]);
    expect(report('')).toEqual([]);
  });

  it('counts a js_import of backsoon’s hold script as the hold include', () => {
    const tree = loadDump(dump('http { js_import hold from /etc/nginx/snippets/backsoon/njs/hold.js; server { } }'));
    expect(checkConfig(tree, { probe: probeOf({}) }).global[0]!.message).toContain('the hold include is used');
    const other = loadDump(dump('http { js_import main from /srv/app/main.js; server { } }'));
    expect(checkConfig(other, { probe: probeOf({}) }).global).toEqual([]);
  });
});
