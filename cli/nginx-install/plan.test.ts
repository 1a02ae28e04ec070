import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDump, splitDump } from '../nginx-conf.js';
import { REPO } from '../../test-support/nginx.js';
import { applyInsertions, MARKER, removeMarkedLines } from './edit.js';
import { readLayout, type BuildInfo } from './layout.js';
import { planInstall, sha256, type InstallOptions, type Plan } from './plan.js';
import { WRITTEN_BY } from './record.js';
import { findServers } from './servers.js';

/** A configuration as files (the first is the main one), planned as `install --nginx` plans it. */
function plan(
  files: Record<string, string>,
  options: Partial<InstallOptions> = {},
  extra: {
    njs?: boolean;
    dirs?: string[];
    links?: Record<string, string>;
    written?: Record<string, string>;
    build?: Partial<BuildInfo>;
  } = {},
): Plan & { files: Record<string, string> } {
  const dumpText = Object.entries(files)
    .map(([path, text]) => `# configuration file ${path}:\n${text}\n`)
    .join('');
  const tree = loadDump(dumpText);
  const main = Object.keys(files)[0]!;
  const build: BuildInfo = {
    version: '1.22.1',
    prefix: '/usr/share/nginx',
    proxyTempPath: '/var/lib/nginx/proxy',
    njsBuiltIn: extra.njs ?? false,
    ...extra.build,
  };
  const layout = readLayout(tree, main, build);
  const real = (path: string): string => extra.links?.[path] ?? path;
  const result = planInstall({
    tree,
    dump: splitDump(dumpText),
    layout,
    servers: findServers(tree, layout.prefix),
    options: { probe: true, hold: true, health: undefined, ...options },
    realPath: real,
    read: (path) => files[path] ?? Object.entries(files).find(([name]) => real(name) === path)?.[1],
    isDir: (path) =>
      ['/', '/etc', '/etc/nginx', '/var', '/var/lib', '/var/lib/nginx', '/var/www', ...(extra.dirs ?? [])].includes(
        path,
      ),
    snippet: (relative) => readFileSync(join(REPO, 'nginx-snippets', relative), 'utf8'),
    written: (path) => extra.written?.[path],
    version: '0.1.0',
  });
  return { ...result, files };
}

/** The files after the plan's edits. */
function applied(result: ReturnType<typeof plan>): Record<string, string> {
  const out = { ...result.files };
  for (const edit of result.edits) for (const name of edit.names) out[name] = edit.after;
  return out;
}

const DEBIAN_MAIN = readFileSync(join(REPO, 'e2e/debian/nginx.conf'), 'utf8');
/** Debian's default site, its location turned into a proxy as the operator does. */
const DEBIAN_SITE = readFileSync(join(REPO, 'e2e/debian/sites-available-default'), 'utf8').replace(
  '\t\ttry_files $uri $uri/ =404;',
  '\t\tproxy_pass http://127.0.0.1:8000;\n\t\tinclude proxy_params;',
);
const PROXY_PARAMS = readFileSync(join(REPO, 'e2e/debian/proxy_params'), 'utf8');

function debian(site = DEBIAN_SITE): Record<string, string> {
  return {
    '/etc/nginx/nginx.conf': DEBIAN_MAIN,
    '/etc/nginx/sites-enabled/default': site,
    '/etc/nginx/proxy_params': PROXY_PARAMS,
  };
}

describe('planInstall on Debian’s default site', () => {
  const links = { '/etc/nginx/sites-enabled/default': '/etc/nginx/sites-available/default' };
  const result = plan(debian(), {}, { links, dirs: ['/var/www/html', '/etc/nginx/conf.d'] });

  it('edits the site’s real file in place: the kit below server_name, the cookie line in location /, every line marked', () => {
    expect(result.cannot).toEqual([]);
    expect(result.edits).toHaveLength(1);
    const [edit] = result.edits;
    expect(edit!.path).toBe('/etc/nginx/sites-available/default');
    expect(edit!.names).toEqual(['/etc/nginx/sites-enabled/default']);
    expect(edit!.after).toContain(
      [
        '\tserver_name _;',
        '',
        `\tinclude snippets/backsoon/server/backsoon.conf; ${MARKER}`,
        `\tinclude snippets/backsoon/server/backsoon-maintenance.conf; ${MARKER}`,
        `\tlocation = /__backsoon/probe { ${MARKER}`,
        `\t\tproxy_pass http://127.0.0.1:8000/__backsoon/health; ${MARKER}`,
        `\t\tinclude snippets/backsoon/location/backsoon-probe.conf; ${MARKER}`,
        `\t} ${MARKER}`,
        '\tlocation / {',
      ].join('\n'),
    );
    expect(edit!.after).toContain(
      `\t\tinclude proxy_params;\n\t\tproxy_set_header Cookie $backsoon_app_cookie; ${MARKER}\n\t}`,
    );
    // Nothing else changed: without the marked lines it is the file as it was, byte for byte.
    expect(removeMarkedLines(edit!.after).text).toBe(DEBIAN_SITE);
  });

  it('writes the http block’s files into conf.d, which Debian’s nginx.conf reads: the staff file and the probe’s, with no rate in it', () => {
    expect(result.writes.map((w) => [w.path, w.state])).toEqual([
      ['/etc/nginx/conf.d/backsoon-staff.conf', 'new'],
      ['/etc/nginx/conf.d/backsoon-probe.conf', 'new'],
    ]);
    const probe = result.writes[1]!.content;
    expect(probe).toMatch(/^# Written by `backsoon install --nginx` \(backsoon 0\.1\.0\)/);
    expect(probe).toContain(
      "Turns to go back follow the app's own\n# pace (a few at a time, each as the app answers one): there is no number to set.",
    );
    // The shipped snippet, with only the cache folder replaced.
    expect(probe.slice(probe.indexOf('\n\n') + 2)).toBe(
      readFileSync(join(REPO, 'nginx-snippets/http/backsoon-probe.conf'), 'utf8'),
    );
    expect(probe).toContain('proxy_cache_path /var/lib/nginx/backsoon-probe levels=1');
    expect(probe).toContain('limit_conn_zone $backsoon_admit_key zone=backsoon_turns:1m;');
    expect(probe).not.toContain('zone=backsoon_admit:');
    expect(result.writes[1]!.what).toBe(
      "the probe's cache (/var/lib/nginx/backsoon-probe) and its turns to go back, at the app's own pace",
    );
    expect([result.turns, result.notes]).toEqual([true, []]);
    // The staff file includes the kit's half from where the install puts the snippets.
    expect(result.writes[0]!.content).toContain('include snippets/backsoon/http/backsoon-maintenance.conf;');
    expect(result.dirs).toEqual([]);
    expect(result.roots).toEqual([
      { path: '/var/www/html', servers: ['server _ (listen 80 default_server, [::]:80 default_server)'] },
    ]);
  });

  it('the probe asks a path the app does not have, and says so; a given health path is written instead', () => {
    expect(result.servers[0]!.said).toContain(
      "the shared probe asks HEAD /__backsoon/health to http://127.0.0.1:8000: once a second for everyone, and once for each visitor's turn to go back",
    );
    expect(result.servers[0]!.said).toContain(
      "/__backsoon/health is a path your app does not have: its 404, from the app's own workers at little cost, is all the probe needs (--health names a health view of yours instead)",
    );
    const tuned = plan(debian(), { health: '/healthz' }, { links });
    expect(tuned.edits[0]!.after).toContain(`proxy_pass http://127.0.0.1:8000/healthz; ${MARKER}`);
    expect(tuned.servers[0]!.said).toContain(
      "the shared probe asks HEAD /healthz to http://127.0.0.1:8000: once a second for everyone, and once for each visitor's turn to go back",
    );
    expect(tuned.servers[0]!.said.join('\n')).not.toContain('a path your app does not have');
  });

  it('plans nothing on the site it has installed (run twice, the second changes nothing)', () => {
    const installed = applied(result);
    installed['/etc/nginx/conf.d/backsoon-staff.conf'] = result.writes[0]!.content;
    installed['/etc/nginx/conf.d/backsoon-probe.conf'] = result.writes[1]!.content;
    // The snippets the site now includes, as nginx -T shows them.
    for (const file of [
      'server/backsoon.conf',
      'server/backsoon-maintenance.conf',
      'location/backsoon-probe.conf',
      'http/backsoon-maintenance.conf',
    ])
      installed[`/etc/nginx/snippets/backsoon/${file}`] = readFileSync(join(REPO, 'nginx-snippets', file), 'utf8');
    const again = plan(installed, {}, { links, dirs: ['/var/www/html', '/etc/nginx/conf.d'] });
    expect(again.edits).toEqual([]);
    expect(again.writes.map((w) => w.state)).toEqual(['same', 'same']);
    expect(again.servers[0]!.said).toContain('has the kit already');
  });

  it('with --no-probe, no probe and no probe file, and it says so', () => {
    const none = plan(debian(), { probe: false }, { links });
    expect(none.edits[0]!.after).not.toContain('/__backsoon/probe');
    expect(none.writes.map((w) => w.path)).toEqual(['/etc/nginx/conf.d/backsoon-staff.conf']);
    expect(none.servers[0]!.said).toContain('no shared probe (--no-probe): each waiting page asks its own URL');
  });

  it('a site that serves files only is left as it is', () => {
    const stock = plan(debian(readFileSync(join(REPO, 'e2e/debian/sites-available-default'), 'utf8')));
    expect(stock.edits).toEqual([]);
    expect(stock.writes).toEqual([]);
    expect(stock.servers[0]!.said).toEqual(['passes no request to an app: left as it is']);
  });
});

describe('planInstall on nginx.org’s layout', () => {
  const main = readFileSync(join(REPO, 'e2e/nginx-org/nginx.conf'), 'utf8');
  const site = readFileSync(join(REPO, 'e2e/nginx-org/default.conf'), 'utf8').replace(
    /location \/ \{\n\s*root\s+\/usr\/share\/nginx\/html;\n\s*index\s+index\.html index\.htm;\n\s*\}/,
    'location / {\n        proxy_pass http://127.0.0.1:8000;\n    }',
  );
  const result = plan(
    { '/etc/nginx/nginx.conf': main, '/etc/nginx/conf.d/default.conf': site },
    {},
    {
      dirs: ['/etc/nginx/conf.d', '/var/cache', '/var/cache/nginx'],
      build: { prefix: '/etc/nginx', proxyTempPath: '/var/cache/nginx/proxy_temp' },
    },
  );

  it('puts the kit above the stock `error_page 500 502 503 504 /50x.html;`, and says its pages come first', () => {
    expect(result.cannot).toEqual([]);
    const after = result.edits[0]!.after;
    expect(after.indexOf('server/backsoon.conf')).toBeLessThan(
      after.indexOf('error_page   500 502 503 504  /50x.html;'),
    );
    expect(result.servers[0]!.said.join('\n')).toMatch(
      /backsoon's pages come before error_page 500 502 503 504 \/50x\.html .* for 502, 503, 504/,
    );
  });

  it('the page goes under nginx’s default root (the server block has none), which it says and creates', () => {
    expect(result.roots.map((r) => r.path)).toEqual(['/etc/nginx/html']);
    expect(result.servers[0]!.said).toContain("has no root: the page goes under nginx's default one, /etc/nginx/html");
    expect(result.dirs).toEqual(['/etc/nginx/html']);
  });

  it('the probe’s cache goes under /var/cache/nginx, where nginx.org’s nginx writes', () => {
    expect(result.writes.map((w) => w.path)).toEqual([
      '/etc/nginx/conf.d/backsoon-staff.conf',
      '/etc/nginx/conf.d/backsoon-probe.conf',
    ]);
    expect(result.writes[1]!.content).toContain('proxy_cache_path /var/cache/nginx/backsoon-probe levels=1');
  });

  it('creates the cache folder’s parents when they are missing (nginx makes only the last level)', () => {
    const bare = plan(
      { '/etc/nginx/nginx.conf': main, '/etc/nginx/conf.d/default.conf': site },
      {},
      { dirs: ['/etc/nginx/conf.d'], build: { prefix: '/etc/nginx', proxyTempPath: '/var/cache/nginx/proxy_temp' } },
    );
    expect(bare.dirs).toEqual(['/var/cache', '/var/cache/nginx', '/etc/nginx/html']);
  });
});

/** A hand-written nginx.conf: an upstream, TLS, a redirect, included sites, an app under uWSGI, PHP-FPM, gRPC. */
const HAND = {
  '/srv/nginx/nginx.conf': `events {}
http {
    error_page 404 /404.html;
    proxy_set_header X-Site hand;
    upstream app {
        server 127.0.0.1:8000;
        server unix:/run/app.sock backup;
    }
    server {
        listen 80;
        server_name example.com;
        return 301 https://$host$request_uri;
    }
    server {
        listen 443 ssl;
        server_name example.com www.example.com;
        ssl_certificate /srv/tls/cert.pem;
        ssl_certificate_key /srv/tls/key.pem;
        root /srv/www;
        location / { proxy_pass http://app; }
        location /shop/ {
            error_page 404 /shop-404.html;
            proxy_pass http://app;
            proxy_set_header Host $host;
        }
    }
    include sites/*.conf;
}
`,
  '/srv/nginx/sites/api.conf': `server {
  listen 8080;
  server_name api.example.com;
  root /srv/api;
  location / {
    include uwsgi_params;
    uwsgi_pass unix:/run/uwsgi/api.sock;
  }
  location /grpc/ { grpc_pass grpc://127.0.0.1:9000; }
}
`,
  '/srv/nginx/uwsgi_params': 'uwsgi_param QUERY_STRING $query_string;\nuwsgi_param REQUEST_METHOD $request_method;\n',
  '/srv/nginx/sites/php.conf': `server {
    listen 8081;
    server_name php.example.com;
    root /srv/php;
    set $fpm unix:/run/php/fpm.sock;
    location ~ \\.php$ {
        fastcgi_pass $fpm;
    }
}
`,
};

describe('planInstall on a hand-written nginx.conf with several server blocks', () => {
  const result = plan(HAND, {}, { dirs: ['/srv', '/srv/nginx', '/srv/www', '/srv/api', '/srv/php'] });
  const after = applied(result);

  it('gives the http block one include line for the kit’s files, in a conf.d/ it creates', () => {
    expect(after['/srv/nginx/nginx.conf']).toContain(
      `    include conf.d/backsoon-*.conf; ${MARKER}\n    server {\n        listen 80;`,
    );
    expect(result.dirs).toEqual(['/srv/nginx/conf.d']);
    expect(result.writes.map((w) => w.path.replace('/srv/nginx/conf.d/', ''))).toEqual([
      'backsoon-staff.conf',
      'backsoon-probe.conf',
      'backsoon-probe-uwsgi.conf',
      'backsoon-probe-fastcgi.conf',
    ]);
  });

  it('leaves the redirect alone, and points each probe at its own block’s app over its own protocol', () => {
    const said = result.servers.map((s) => `${s.title}: ${s.said.join(' | ')}`).join('\n');
    expect(said).toContain('server example.com (listen 80): passes no request to an app: left as it is');
    const main = after['/srv/nginx/nginx.conf']!;
    expect(main).toContain(`proxy_pass http://app/__backsoon/health; ${MARKER}`);
    const api = after['/srv/nginx/sites/api.conf']!;
    expect(api).toContain(
      `  location = /__backsoon/probe { ${MARKER}\n    set $backsoon_probe_path /__backsoon/health; ${MARKER}\n    set $backsoon_probe_host api.example.com; ${MARKER}\n    uwsgi_pass unix:/run/uwsgi/api.sock; ${MARKER}\n    include snippets/backsoon/location/backsoon-probe-uwsgi.conf; ${MARKER}\n  } ${MARKER}`,
    );
    const php = after['/srv/nginx/sites/php.conf']!;
    // The server-level `set` is seen by the probe's location: the variable is kept.
    expect(php).toContain(`set $backsoon_probe_path /index.php; ${MARKER}`);
    expect(php).toContain(`fastcgi_pass $fpm; ${MARKER}`);
    // PHP's index script is a page: each turn costs one, which the report says.
    expect(said).toContain(
      "each turn to go back costs the app a page (HEAD /index.php, PHP's index script): name a cheap script with --health, one that touches nothing",
    );
  });

  it('adds the cookie line per protocol, repeating the inherited proxy_set_header lines where a location had none', () => {
    const main = after['/srv/nginx/nginx.conf']!;
    expect(main).toContain(
      `location / { proxy_pass http://app; \n            proxy_set_header X-Site hand; ${MARKER}\n            proxy_set_header Cookie $backsoon_app_cookie; ${MARKER}\n        }`,
    );
    expect(main).toContain(
      `            proxy_set_header Host $host;\n            include snippets/backsoon/location/backsoon-errors.conf; ${MARKER}\n            proxy_set_header Cookie $backsoon_app_cookie; ${MARKER}\n        }`,
    );
    expect(after['/srv/nginx/sites/api.conf']).toContain(
      `    uwsgi_pass unix:/run/uwsgi/api.sock;\n    uwsgi_param HTTP_COOKIE $backsoon_app_cookie; ${MARKER}\n  }`,
    );
    expect(after['/srv/nginx/sites/php.conf']).toContain(`fastcgi_param HTTP_COOKIE $backsoon_app_cookie; ${MARKER}`);
  });

  it('gives a location with its own error_page backsoon’s, and repeats the http block’s error_page in the blocks that get their own', () => {
    const main = after['/srv/nginx/nginx.conf']!;
    expect(main).toContain(`include snippets/backsoon/location/backsoon-errors.conf; ${MARKER}`);
    expect(main).toContain(
      `include snippets/backsoon/server/backsoon-maintenance.conf; ${MARKER}\n        error_page 404 /404.html; ${MARKER}`,
    );
  });

  it('leaves gRPC locations alone, and says so where it is the only app', () => {
    expect(after['/srv/nginx/sites/api.conf']).not.toMatch(/grpc_set_header/);
    const grpcOnly = plan({
      '/e/nginx.conf': 'events {}\nhttp { server { listen 81; location / { grpc_pass grpc://127.0.0.1:9000; } } }',
    });
    expect(grpcOnly.servers[0]!.said).toEqual([
      'passes requests to grpc_pass only (programs, not browsers): left as it is',
    ]);
  });

  it('with njs loaded: the hold in the server and in each page location, which keeps the error pages it inherited', () => {
    const held = applied(plan(HAND, {}, { njs: true, dirs: ['/srv/www', '/srv/api', '/srv/php'] }));
    const main = held['/srv/nginx/nginx.conf']!;
    expect(main).toContain(`include snippets/backsoon/server/backsoon-hold.conf; ${MARKER}`);
    expect(main).toContain(
      `            proxy_set_header Cookie $backsoon_app_cookie; ${MARKER}\n            include snippets/backsoon/location/backsoon-hold.conf; ${MARKER}\n            error_page 404 /404.html; ${MARKER}\n        }`,
    );
    expect(main).not.toContain('backsoon-errors.conf');
    expect(plan(HAND, {}, { njs: true }).writes.map((w) => w.path)).toContain('/srv/nginx/conf.d/backsoon-hold.conf');
    expect(applied(plan(HAND, { hold: false }, { njs: true }))['/srv/nginx/nginx.conf']).not.toContain('hold');
  });

  it('says what it cannot handle rather than guessing', () => {
    const odd = plan({
      '/e/nginx.conf': `events {}
http {
    server { listen 1; root /srv/$host; location / { proxy_pass http://127.0.0.1:8000; } }
    server { listen 2; root /srv/b; location / { proxy_pass http://$http_x_app; } }
    server { listen 3; root /srv/c; location / { proxy_set_header Cookie "a=1"; proxy_pass http://127.0.0.1:8000; } }
}`,
    });
    expect(odd.cannot).toEqual([
      "server (no server_name) (listen 1) (/e/nginx.conf:3): root /srv/$host is made of variables: the page's folder cannot be known, so the block is left as it is",
      "server (no server_name) (listen 2) (/e/nginx.conf:4): no shared probe: its address http://$http_x_app is made from the visitor's request ($http_x_app)",
      'server (no server_name) (listen 3), location /: sets the Cookie for the app itself: the bypass cookie line is not added',
    ]);
  });

  it('upgrades its own http files only while they are as it wrote them', () => {
    const installed = applied(result);
    const staleProbe = '# an older version\nlimit_req_zone $backsoon_admit_key zone=backsoon_admit:1m rate=40r/s;\n';
    installed['/srv/nginx/conf.d/backsoon-probe.conf'] = staleProbe;
    const ours = plan(installed, {}, { written: { '/srv/nginx/conf.d/backsoon-probe.conf': sha256(staleProbe) } });
    expect(ours.writes.find((w) => w.path.endsWith('/backsoon-probe.conf'))!.state).toBe('upgrade');
    const yours = plan(installed);
    expect(yours.writes.find((w) => w.path.endsWith('/backsoon-probe.conf'))!.state).toBe('yours');
  });
});

describe('turns at a fixed rate from an older backsoon', () => {
  const links = { '/etc/nginx/sites-enabled/default': '/etc/nginx/sites-available/default' };
  const dirs = ['/var/www/html', '/etc/nginx/conf.d'];
  const PROBE = '/etc/nginx/conf.d/backsoon-probe.conf';
  const first = plan(debian(), {}, { links, dirs });
  const shipped = readFileSync(join(REPO, 'nginx-snippets/http/backsoon-probe.conf'), 'utf8');
  const OLD_ZONE = 'limit_req_zone $backsoon_admit_key zone=backsoon_admit:1m rate=40r/s;';
  /** The http half of an older backsoon: the turns at a rate, in place of the window. */
  const oldSnippet = shipped.replace('limit_conn_zone $backsoon_admit_key zone=backsoon_turns:1m;', OLD_ZONE);
  /** The file an older `install --nginx` wrote, its header as it wrote it. */
  const oldInstallFile = [
    `${WRITTEN_BY} (backsoon 0.0.9) from snippets/backsoon/http/backsoon-probe.conf,`,
    "# with the probe's cache in /var/lib/nginx/backsoon-probe and turns to go back at",
    '# 40 a second: a rate the install wrote, yours to tune (a little under what',
    '# your app serves in a second). An upgrade rewrites this file only while it is as written here.',
    '',
    oldSnippet,
  ].join('\n');

  /** Debian's site as an older install left it, with `files` in place of (or besides) the probe's http file. */
  function older(files: Record<string, string>, written: Record<string, string> = {}): ReturnType<typeof plan> {
    const installed = applied(first);
    installed['/etc/nginx/conf.d/backsoon-staff.conf'] = first.writes[0]!.content;
    for (const file of ['server/backsoon.conf', 'server/backsoon-maintenance.conf', 'http/backsoon-maintenance.conf'])
      installed[`/etc/nginx/snippets/backsoon/${file}`] = readFileSync(join(REPO, 'nginx-snippets', file), 'utf8');
    return plan({ ...installed, ...files }, {}, { links, dirs, written });
  }
  const probeWrite = (result: Plan): Plan['writes'][number] | undefined => result.writes.find((w) => w.path === PROBE);
  /** The line of a file's first line that has `needle`. */
  const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;
  const zoneLine = (text: string): number => lineOf(text, 'zone=backsoon_admit:');
  const included = `(included at /etc/nginx/nginx.conf:${lineOf(DEBIAN_MAIN, 'include /etc/nginx/conf.d/*.conf;')})`;

  it('the file an older install wrote is upgraded, its rate tuned by the operator or not, and the report says the rate is gone', () => {
    const asWritten = older({ [PROBE]: oldInstallFile }, { [PROBE]: sha256(oldInstallFile) });
    expect(probeWrite(asWritten)).toMatchObject({ state: 'upgrade', content: first.writes[1]!.content });
    expect(asWritten.cannot).toEqual([]);

    // That install said the rate was the operator's to tune: a file edited there only is still as it wrote it.
    const tuned = oldInstallFile.replace('rate=40r/s;', 'rate=25r/s;');
    const retuned = older({ [PROBE]: tuned }, { [PROBE]: sha256(oldInstallFile) });
    expect(probeWrite(retuned)).toMatchObject({ state: 'upgrade', content: first.writes[1]!.content });
    expect(retuned.notes).toEqual([
      `turns at a fixed rate (25r/s) from an older backsoon (${PROBE}:${zoneLine(tuned)} ${included}): upgraded with its file, the turns now follow the app's own pace`,
    ]);
    expect(retuned.cannot).toEqual([]);
  });

  it('an older install’s file edited elsewhere than its rate is kept, and the report says nginx -t will refuse it and what to do', () => {
    const edited = oldInstallFile.replace('rate=40r/s;', 'rate=25r/s;').replace('levels=1', 'levels=1:2');
    const kept = older({ [PROBE]: edited }, { [PROBE]: sha256(oldInstallFile) });
    expect(probeWrite(kept)!.state).toBe('yours');
    expect(kept.cannot).toEqual([
      expect.stringMatching(
        /^turns at a fixed rate \(25r\/s\) from an older backsoon \(\/etc\/nginx\/conf\.d\/backsoon-probe\.conf:\d+ .*\): \/etc\/nginx\/conf\.d\/backsoon-probe\.conf is an older backsoon's http half, edited since or copied by hand, so it is kept; nginx -t refuses this version's probe without its zone backsoon_turns\. Replace it with snippets\/backsoon\/http\/backsoon-probe\.conf/,
      ),
    ]);
    // A copy made by hand (no header, no record) is the operator's too.
    expect(older({ [PROBE]: oldSnippet }).cannot).toEqual([expect.stringContaining('copied by hand, so it is kept')]);
  });

  it('a rate zone of the operator’s elsewhere is no definition of the turns: the install writes its file, and says the zone may go', () => {
    const main = '/etc/nginx/nginx.conf';
    const withZone = DEBIAN_MAIN.replace('http {\n', `http {\n\t${OLD_ZONE}\n`);
    const result = older({ [main]: withZone });
    expect(probeWrite(result)).toMatchObject({ state: 'new', content: first.writes[1]!.content });
    expect(result.notes).toEqual([
      `turns at a fixed rate (40r/s) from an older backsoon (${main}:${zoneLine(withZone)}): the kit's probe no longer uses this zone; it may be removed`,
    ]);
    expect(result.cannot).toEqual([]);
  });

  it('an older http half copied by hand elsewhere, besides the one the install writes: the report says nginx -t will refuse the two', () => {
    const result = older({ '/etc/nginx/conf.d/probe.conf': oldSnippet });
    expect(probeWrite(result)!.state).toBe('new');
    expect(result.cannot).toEqual([
      expect.stringContaining(
        `/etc/nginx/conf.d/probe.conf is an older backsoon's http half, besides the one the install writes (${PROBE}): nginx -t refuses the two (the probe's cache and zones twice). Remove it`,
      ),
    ]);
  });
});

describe('edits', () => {
  it('a block on one line gets its lines on lines of their own', () => {
    const one = plan(
      {
        '/e/nginx.conf':
          'events {}\nhttp { server { listen 1; root /srv; location / { proxy_pass http://127.0.0.1:8000; } } }\n',
      },
      { probe: false },
    );
    const after = applyInsertions(one.files['/e/nginx.conf']!, one.edits[0]!.insertions);
    expect(after).toBe(
      [
        'events {}',
        'http { ',
        `    include conf.d/backsoon-*.conf; ${MARKER}`,
        '    server { listen 1; root /srv; ',
        `    include snippets/backsoon/server/backsoon.conf; ${MARKER}`,
        `    include snippets/backsoon/server/backsoon-maintenance.conf; ${MARKER}`,
        '    location / { proxy_pass http://127.0.0.1:8000; ',
        `    proxy_set_header Cookie $backsoon_app_cookie; ${MARKER}`,
        '} } }',
        '',
      ].join('\n'),
    );
    expect(removeMarkedLines(after).text).not.toContain('backsoon');
  });

  it('a file nginx read differently from the disk is not edited', () => {
    const files = debian();
    const dumpText = Object.entries(files)
      .map(([path, text]) => `# configuration file ${path}:\n${text}\n`)
      .join('');
    const tree = loadDump(dumpText);
    const layout = readLayout(tree, '/etc/nginx/nginx.conf', {
      version: undefined,
      prefix: '/usr/share/nginx',
      proxyTempPath: undefined,
      njsBuiltIn: false,
    });
    const changed = planInstall({
      tree,
      dump: splitDump(dumpText),
      layout,
      servers: findServers(tree, layout.prefix),
      options: { probe: true, hold: true, health: undefined },
      realPath: (p) => p,
      read: (p) => (p.endsWith('default') ? `${files[p]}\n# edited since\n` : files[p]),
      isDir: () => true,
      snippet: (relative) => readFileSync(join(REPO, 'nginx-snippets', relative), 'utf8'),
      written: () => undefined,
      version: '0.1.0',
    });
    expect(changed.edits).toEqual([]);
    expect(changed.cannot[0]).toMatch(/sites-enabled\/default changed since nginx read it: run the command again/);
  });
});
