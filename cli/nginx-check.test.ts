import { describe, expect, it } from 'vitest';
import { backsoonRoots, checkConfig, errorPageCodes, firstErrorPage, hasProblems, type FileInfo } from './nginx-check.js';
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
  return [`# configuration file /e/nginx.conf:\n${main}\n`, ...Object.entries(files).map(([path, text]) => `# configuration file ${path}:\n${text}\n`)].join('\n');
}

const SNIPPET = { '/e/snippets/backsoon/server/backsoon.conf': 'error_page 502 504 $backsoon_crash_page;\nlocation ^~ /__backsoon/ { }' };

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

describe('checkConfig', () => {
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
      dump(`http { root www; server { include snippets/backsoon/server/backsoon.conf; }
                   server { root $site_root; include snippets/backsoon/server/backsoon.conf; }
                   server { root /srv/x; include snippets/backsoon/server/backsoon.conf; } }`, SNIPPET),
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
    expect(report.servers[0]!.findings.map((f) => f.message)).toContain("no root: nginx's default, /usr/share/nginx/html, is where the page must be");
    expect(hasProblems(report)).toBe(false);
  });

  it('fails the hold include without load_module of the JavaScript module, unless it is loaded or built in', () => {
    const hold = { '/e/snippets/backsoon/location/backsoon-hold.conf': 'js_content backsoon_hold.hold;' };
    const body = 'http { server { location / { include snippets/backsoon/location/backsoon-hold.conf; } } }';
    const without = checkConfig(loadDump(dump(body, hold)), { probe: probeOf({}) });
    expect(without.global[0]).toMatchObject({ level: 'problem' });
    expect(without.global[0]!.message).toMatch(/^the hold include is used \(\/e\/nginx\.conf:1\) but nginx's JavaScript module is not loaded/);

    const loaded = checkConfig(loadDump(dump(`load_module modules/ngx_http_js_module.so;\n${body}`, hold)), { probe: probeOf({}) });
    expect(loaded.global).toEqual([]);
    expect(checkConfig(loadDump(dump(body, hold)), { probe: probeOf({}), njsBuiltIn: true }).global).toEqual([]);
  });

  it('counts a js_import of backsoon’s hold script as the hold include', () => {
    const tree = loadDump(dump('http { js_import hold from /etc/nginx/snippets/backsoon/njs/hold.js; server { } }'));
    expect(checkConfig(tree, { probe: probeOf({}) }).global[0]!.message).toContain('the hold include is used');
    const other = loadDump(dump('http { js_import main from /srv/app/main.js; server { } }'));
    expect(checkConfig(other, { probe: probeOf({}) }).global).toEqual([]);
  });
});
