import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backsoonRoots,
  checkConfig,
  errorPageCodes,
  firstErrorPage,
  hasProblems,
  maintenanceServed,
  type FileInfo,
} from './nginx-check.js';
import { loadDump, parseConf } from './nginx-conf.js';

// The decisions alone, on hand-written dumps (commands/check.test.ts runs the
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

describe('an error_page line before backsoon’s, which wins while nginx -t is silent', () => {
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

describe('maintenanceServed', () => {
  const SNIPPETS = {
    ...SNIPPET,
    '/e/snippets/backsoon/server/backsoon-maintenance.conf': 'error_page 503 $backsoon_maintenance_page;',
  };
  const CRASH = 'include snippets/backsoon/server/backsoon.conf;';
  const MAINTENANCE = 'include snippets/backsoon/server/backsoon-maintenance.conf;';
  const served = (http: string, root: string): ReturnType<typeof maintenanceServed> =>
    maintenanceServed(loadDump(dump(`http { ${http} }`, SNIPPETS)), root, { prefix: '/p' });

  it('is served where a server block with the root has the maintenance include', () => {
    expect(served(`server { root /w; ${CRASH} ${MAINTENANCE} }`, '/w')).toEqual({ served: true });
    // A relative root, under the prefix.
    expect(served(`server { root www; ${CRASH} ${MAINTENANCE} }`, '/p/www')).toEqual({ served: true });
  });

  it('is not where any server block with the root has backsoon’s include without the maintenance one (its HTTPS twin, say)', () => {
    const result = served(
      `server { listen 80; root /w; ${CRASH} ${MAINTENANCE} } server { listen 443; server_name a.test; root /w; ${CRASH} }`,
      '/w',
    );
    expect(result.served).toBe(false);
    expect(!result.served && result.why).toMatch(
      /^server a\.test \(listen 443\) \(\/e\/nginx\.conf:1\) has root \/w and backsoon's include but not the maintenance one/,
    );
  });

  it('is not where the server blocks with the root have no backsoon, or none has the root', () => {
    const bare = served(`server { root /w; }`, '/w');
    expect(!bare.served && bare.why).toMatch(/^the server blocks with root \/w do not include backsoon/);
    const none = served(
      `server { root /w; ${CRASH} ${MAINTENANCE} } server { root $site; ${CRASH} ${MAINTENANCE} }`,
      '/x',
    );
    expect(!none.served && none.why).toBe(
      "no server block of nginx's configuration has root /x (those with backsoon have /w), or only one whose root is made of variables (/e/nginx.conf:1): a typo in the root, or a site nginx does not serve",
    );
  });
});

describe('the app’s Cookie header where maintenance is included', () => {
  const REPO_SNIPPETS = join(import.meta.dirname, '../nginx-snippets');
  /** Every shipped snippet, as Debian has them under /e/snippets/backsoon/. */
  const shipped = Object.fromEntries(
    ['http', 'server', 'location'].flatMap((folder) =>
      readdirSync(join(REPO_SNIPPETS, folder)).map((name) => [
        `/e/snippets/backsoon/${folder}/${name}`,
        readFileSync(join(REPO_SNIPPETS, folder, name), 'utf8'),
      ]),
    ),
  );
  const PROXY_PARAMS = {
    '/e/proxy_params':
      'proxy_set_header Host $http_host;\nproxy_set_header X-Real-IP $remote_addr;\nproxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\nproxy_set_header X-Forwarded-Proto $scheme;',
    '/e/fastcgi_params': 'fastcgi_param QUERY_STRING $query_string;\nfastcgi_param REQUEST_METHOD $request_method;',
  };

  /** An example of the repository, its placeholders filled as the demo fills them. */
  function example(name: string): string {
    return readFileSync(join(REPO_SNIPPETS, 'examples', name), 'utf8')
      .replaceAll('${STAFF}', '/e/snippets/backsoon/http/backsoon-staff.conf')
      .replaceAll('${PROBE}', '/e/snippets/backsoon/http/backsoon-probe.conf')
      .replaceAll('${SNIPPETS}', '/e/snippets/backsoon')
      .replaceAll('${LISTEN}', '127.0.0.1:8080')
      .replaceAll('${ROOT}', '/w')
      .replaceAll('${APP}', '127.0.0.1:8000');
  }

  /** The problems of a site file included from the http block, with the page installed. */
  function problems(site: string): string[] {
    const tree = loadDump(
      dump('load_module modules/ngx_http_js_module.so;\nhttp { include /e/sites/site.conf; }', {
        ...shipped,
        ...PROXY_PARAMS,
        '/e/sites/site.conf': site,
      }),
    );
    const report = checkConfig(tree, { probe: probeOf(pageAt('/w')) });
    return [...report.global, ...report.servers.flatMap((s) => s.findings)]
      .filter((f) => f.level === 'problem')
      .map((f) => f.message);
  }

  const COOKIE_LINE = /^\s*proxy_set_header Cookie \$backsoon_app_cookie;\n/m;

  it('finds nothing wrong in the example site (site.conf), whose location / has the Cookie line', () => {
    expect(example('site.conf')).toMatch(COOKIE_LINE);
    expect(problems(example('site.conf'))).toEqual([]);
  });

  it('fails the example with the hold (site-hold.conf) without the Cookie line, and passes it with the line', () => {
    const withHold = example('site-hold.conf');
    const without = withHold.replace(COOKIE_LINE, '');
    expect(problems(without)).toEqual([
      expect.stringMatching(
        /^location \/ \(\/e\/sites\/site\.conf:\d+ \(included at \/e\/nginx\.conf:2\)\) passes requests to the app \(proxy_pass\) with the visitor's own Cookie header, bypass cookie included\. Add to it, beside its other proxy_set_header lines: proxy_set_header Cookie \$backsoon_app_cookie;$/,
      ),
    ]);
    // The fixed shape: the line beside the location's other proxy_set_header lines.
    const fixed = COOKIE_LINE.test(withHold)
      ? withHold
      : withHold.replace(
          'proxy_set_header X-Forwarded-Proto $scheme;',
          '$&\n        proxy_set_header Cookie $backsoon_app_cookie;',
        );
    expect(problems(fixed)).toEqual([]);
  });

  /** A server block with both includes (and the staff file), then `body`. */
  const site = (body: string): string => `include /e/snippets/backsoon/http/backsoon-staff.conf;
server {
    root /w;
    include /e/snippets/backsoon/server/backsoon.conf;
    include /e/snippets/backsoon/server/backsoon-maintenance.conf;
    ${body}
}`;
  const cookieProblems = (body: string): string[] =>
    problems(site(body)).filter((m) => /Cookie|HTTP_COOKIE|cookie/.test(m));

  it('takes the server’s Cookie line in a location without lines of its own, and fails a location whose own lines replace it', () => {
    expect(
      cookieProblems('proxy_set_header Cookie $backsoon_app_cookie; location / { proxy_pass http://app; }'),
    ).toEqual([]);
    const [shadowed, ...rest] = cookieProblems(
      'proxy_set_header Cookie $backsoon_app_cookie; location / { proxy_pass http://app; include proxy_params; }',
    );
    expect(rest).toEqual([]);
    expect(shadowed).toMatch(
      /^location \/ \([^)]*\)+ passes requests to the app \(proxy_pass\) with the visitor's own Cookie header, bypass cookie included: its own proxy_set_header lines \(\/e\/proxy_params:1 \(included at [^)]*\)\) replace all of the server block's, its Cookie line too\. Add to it, beside its other proxy_set_header lines: proxy_set_header Cookie \$backsoon_app_cookie;$/,
    );
  });

  it('takes an enclosing location’s lines, and the http block’s', () => {
    expect(
      cookieProblems(
        'location /a/ { proxy_set_header Cookie $backsoon_app_cookie; location /a/b/ { proxy_pass http://app; } }',
      ),
    ).toEqual([]);
    const tree = loadDump(
      dump(`http { proxy_set_header Cookie $backsoon_app_cookie; include /e/sites/site.conf; }`, {
        ...shipped,
        '/e/sites/site.conf': site('location / { proxy_pass http://app; }'),
      }),
    );
    const findings = checkConfig(tree, { probe: probeOf(pageAt('/w')) }).servers[0]!.findings;
    expect(findings.filter((f) => f.level === 'problem')).toEqual([]);
  });

  it('fails a Cookie line with another value, and accepts an empty one (no Cookie header, as the probe sends)', () => {
    expect(cookieProblems('location / { proxy_pass http://app; proxy_set_header Cookie $http_cookie; }')).toEqual([
      expect.stringMatching(
        /with proxy_set_header Cookie \$http_cookie \(.*\), which passes the bypass cookie on to the app: make it proxy_set_header Cookie \$backsoon_app_cookie;$/,
      ),
    ]);
    expect(cookieProblems('location / { proxy_pass http://app; proxy_set_header Cookie ""; }')).toEqual([]);
    expect(cookieProblems('location / { proxy_pass http://app; proxy_pass_request_headers off; }')).toEqual([]);
  });

  it('reads FastCGI’s, uwsgi’s and gRPC’s own lines: a parameter named HTTP_COOKIE, grpc_set_header', () => {
    // fastcgi_params at the location replaces the server's fastcgi_param lines.
    expect(
      cookieProblems(
        'fastcgi_param HTTP_COOKIE $backsoon_app_cookie; location ~ \\.php$ { include fastcgi_params; fastcgi_pass unix:/run/php.sock; }',
      ),
    ).toEqual([
      expect.stringMatching(
        /^location ~ \\\.php\$ .*\(fastcgi_pass\).* fastcgi_param HTTP_COOKIE \$backsoon_app_cookie;$/,
      ),
    ]);
    expect(
      cookieProblems(
        'location ~ \\.php$ { include fastcgi_params; fastcgi_param HTTP_COOKIE $backsoon_app_cookie; fastcgi_pass unix:/run/php.sock; }',
      ),
    ).toEqual([]);
    expect(cookieProblems('location / { uwsgi_pass 127.0.0.1:9; }')).toEqual([
      expect.stringMatching(/\(uwsgi_pass\).* uwsgi_param HTTP_COOKIE \$backsoon_app_cookie;$/),
    ]);
    expect(
      cookieProblems(
        'location / { uwsgi_pass 127.0.0.1:9; uwsgi_param HTTP_COOKIE $backsoon_app_cookie if_not_empty; }',
      ),
    ).toEqual([]);
    expect(cookieProblems('location / { grpc_pass grpc://127.0.0.1:9; }')).toEqual([
      expect.stringMatching(/\(grpc_pass\).* grpc_set_header Cookie \$backsoon_app_cookie;$/),
    ]);
    expect(
      cookieProblems('location / { grpc_pass grpc://127.0.0.1:9; grpc_set_header Cookie $backsoon_app_cookie; }'),
    ).toEqual([]);
  });

  it('leaves alone a server block without the maintenance include: there is no bypass cookie there', () => {
    const tree = loadDump(
      dump(
        'http { server { root /w; include snippets/backsoon/server/backsoon.conf; location / { proxy_pass http://app; } } }',
        SNIPPET,
      ),
    );
    expect(hasProblems(checkConfig(tree, { probe: probeOf(pageAt('/w')) }))).toBe(false);
  });
});
