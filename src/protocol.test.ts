// The server snippets cannot import src/protocol.ts: this reads them, and
// fails when a name they use drifts from the one the page, the worker and
// the command use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/nginx.js';
import {
  APP_COOKIE,
  BRAND_CSS,
  FORM_MARKS,
  FORM_METHODS,
  FORM_SENT,
  NGINX_NAMES,
  PAGE_FILES,
  SAFE_METHODS,
  THEME_TOKENS,
  WORKER_FILES,
  KIT_PATH,
  MARKER_HEADER,
  MARKERS,
  PATHS,
  PROBE_HEADER,
  readMarker,
  REWRITES,
  STAFF_TOKEN_MAP,
  TOKEN_LENGTH,
} from './protocol.js';

const SNIPPET_FOLDERS = ['nginx-snippets', 'caddy-snippets', 'haproxy-snippets', 'apache-snippets'];

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every snippet file's lines that are configuration (comments and READMEs left out). */
const snippets = SNIPPET_FOLDERS.flatMap((folder) => filesUnder(join(REPO, folder)))
  .filter((path) => !path.endsWith('.md'))
  .map((path) => ({
    name: relative(REPO, path),
    lines: readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(#|\/\/)/.test(line)),
  }));
const config = snippets.flatMap(({ name, lines }) => lines.map((line) => ({ name, line })));

/** The files a build makes: the page's, the worker's, the operator's style sheet. */
const BUILT_FILES: string[] = [...Object.values(PAGE_FILES), ...Object.values(WORKER_FILES), BRAND_CSS];
/** Where the Branding table lives. */
const BRANDING_DOC = 'docs/branding.md';
/** Locations the snippets keep to themselves (`internal`), never asked by the page. */
const INTERNAL = /^_[a-z-]+$/;

describe('the snippets speak the protocol', () => {
  it('found the snippets of four servers', () => {
    for (const folder of SNIPPET_FOLDERS) expect(snippets.some((s) => s.name.startsWith(folder))).toBe(true);
  });

  it('set the marker header to known markers only', () => {
    const values = config.flatMap(({ name, line }) => {
      const match = new RegExp(`\\b${MARKER_HEADER}\\b(?!-)[\\s:"]+([a-z]+)`, 'i').exec(line);
      return match ? [{ name, line: line.trim(), value: match[1]! }] : [];
    });
    expect(values.length).toBeGreaterThanOrEqual(10);
    for (const { value, name, line } of values) expect(MARKERS, `${name}: ${line}`).toContain(value);
    // Each marker is set somewhere, and read back as itself.
    for (const marker of MARKERS) {
      expect(
        values.some((v) => v.value === marker),
        marker,
      ).toBe(true);
      expect(readMarker(` ${marker.toUpperCase()} `)).toBe(marker);
    }
  });

  it("name the probe's header as the page reads it", () => {
    const probe = config.filter(({ line }) => line.includes(`${MARKER_HEADER}-`));
    expect(probe.length).toBeGreaterThan(0);
    for (const { line } of probe) expect(line).toContain(PROBE_HEADER);
  });

  it('ask only for paths of the kit that exist', () => {
    const known = new Set([
      ...Object.values(PATHS).map((path) => path.split('?')[0]!.slice(KIT_PATH.length)),
      ...BUILT_FILES,
    ]);
    const used = config.flatMap(({ name, line }) =>
      [...line.matchAll(/\/__backsoon\/([A-Za-z0-9_.-]+)/g)].map((m) => ({ name, line: line.trim(), file: m[1]! })),
    );
    expect(used.length).toBeGreaterThan(20);
    for (const { name, line, file } of used) {
      expect(known.has(file) || INTERNAL.test(file), `${name}: ${line}`).toBe(true);
    }
  });

  it("rewrite the page's strings exactly as the worker does", () => {
    const nginx = config.filter(({ line }) => /^\s*sub_filter\s/.test(line)).map(({ line }) => line.trim());
    const unquote = (s: string) => s.replace(/\\"/g, '"');
    const pairs = nginx.map((line) => {
      const [, find, replace] = /^sub_filter\s+"((?:[^"\\]|\\.)*)"\s+"((?:[^"\\]|\\.)*)";$/.exec(line) ?? [];
      return { find: unquote(find ?? ''), replace: unquote(replace ?? '') };
    });
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    for (const { find, replace } of pairs) {
      const rewrite = Object.values(REWRITES).find((r) => r.find === find);
      expect(rewrite, `sub_filter "${find}"`).toBeDefined();
      if (rewrite && 'replace' in rewrite) expect(replace).toBe(rewrite.replace);
      else expect(replace.startsWith(find)).toBe(true);
    }
  });
});

describe('the staff bypass’s names, as the nginx snippets and the command spell them', () => {
  const linesOf = (file: string): string[] =>
    config.filter(({ name }) => name === join('nginx-snippets', file)).map(({ line }) => line.trim());
  const maps = (file: string): string[][] =>
    linesOf(file).flatMap((line) => {
      const match = /^map\s+("[^"]*"|\S+)\s+(\S+)\s*\{/.exec(line);
      return match ? [[match[1]!, match[2]!]] : [];
    });

  it('the staff file’s token map reads the token the kit’s half sets, and sets what it reads', () => {
    expect(maps('http/backsoon-staff.conf')).toContainEqual([STAFF_TOKEN_MAP.source, STAFF_TOKEN_MAP.result]);
    const kit = maps('http/backsoon-maintenance.conf');
    expect(kit.map(([, result]) => result)).toContain(STAFF_TOKEN_MAP.source);
    expect(kit.some(([source]) => source!.includes(STAFF_TOKEN_MAP.result))).toBe(true);
  });

  it('the Cookie header the app is given is the variable the kit’s half sets, wherever a snippet sets it', () => {
    expect(maps('http/backsoon-maintenance.conf')).toContainEqual(['$http_cookie', APP_COOKIE]);
    const cookieLines = config.filter(
      ({ name, line }) =>
        name.startsWith('nginx-snippets') &&
        /^\s*(proxy|grpc)_set_header\s+Cookie\s|^\s*\w+_param\s+HTTP_COOKIE\s/i.test(line),
    );
    expect(cookieLines.length).toBeGreaterThan(0);
    for (const { name, line } of cookieLines)
      expect(line, name).toMatch(new RegExp(`\\s(\\${APP_COOKIE}|"")(\\s+if_not_empty)?;`));
  });

  it('every server’s secret link accepts the token lengths the command makes', () => {
    const bounds = config.flatMap(({ name, line }) =>
      [...line.matchAll(/\[A-Za-z0-9_-\]\{(\d+),(\d+)\}/g)].map((m) => ({
        name,
        bounds: [Number(m[1]), Number(m[2])],
      })),
    );
    expect(bounds.some(({ name }) => name.startsWith('nginx-snippets'))).toBe(true);
    for (const { name, bounds: found } of bounds) expect(found, name).toEqual([TOKEN_LENGTH.min, TOKEN_LENGTH.max]);
  });
});

describe('the marks of a lost form, as nginx, the page and the worker spell them', () => {
  const crashConf = readFileSync(join(REPO, 'nginx-snippets/server/backsoon.conf'), 'utf8');

  it('nginx matches the form methods the page knows, and marks the page with the attributes it reads', () => {
    const methods = /\(\?<backsoon_method>([A-Z|]+)\)/.exec(crashConf)?.[1]?.split('|');
    expect(methods).toEqual([...FORM_METHODS]);
    const marks = crashConf
      .split('\n')
      .filter((line) => line.trim().startsWith('sub_filter "<backsoon-page "'))
      .map((line) => [...line.matchAll(/([a-z-]+)=\\"/g)].map((m) => m[1]));
    expect(marks.length).toBeGreaterThanOrEqual(2);
    for (const names of marks) expect(names).toEqual([FORM_MARKS.method, FORM_MARKS.sent]);
  });

  it('nginx says "no" or "maybe" as the page and the worker read them', () => {
    const values = [...crashConf.matchAll(/set \$backsoon_form_sent "([a-z]+)";/g)].map((m) => m[1]);
    expect(values.sort()).toEqual(Object.values(FORM_SENT).sort());
    // The worker writes the same marks from the protocol's names, never its own spelling.
    const worker = readFileSync(join(REPO, 'src/sw/navigation-handler.ts'), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
      .join('\n');
    expect(worker).not.toMatch(/form-sent|request-method|'maybe'|'no'/);
    expect(worker).toMatch(/FORM_MARKS\.sent/);
  });
});

describe('the njs hold, which nginx runs and cannot import the protocol', () => {
  const hold = readFileSync(join(REPO, 'nginx-snippets/njs/backsoon-hold.js'), 'utf8');

  it('sends again only the safe methods, never a form', () => {
    const start = hold.indexOf('function mayHold(');
    const mayHold = hold.slice(start, hold.indexOf('\n}\n', start));
    const checked = [...mayHold.matchAll(/method !== '([A-Z]+)'/g)].map((m) => m[1]);
    expect(checked).toEqual([...SAFE_METHODS]);
    for (const method of FORM_METHODS) expect(SAFE_METHODS as readonly string[]).not.toContain(method);
  });

  it("leaves the kit's own URLs alone", () => {
    expect(hold).toContain(`r.uri.indexOf('${KIT_PATH}') === 0`);
  });
});

describe('nginx names that the snippets define and backsoon check looks for', () => {
  const nginx = config.filter(({ name }) => name.startsWith('nginx-snippets')).map(({ line }) => line.trim());

  it('are defined by the snippets', () => {
    expect(nginx).toContain(`set ${NGINX_NAMES.crashPage} /__backsoon/_crash;`);
    expect(nginx).toContain(`set ${NGINX_NAMES.maintenancePage} /__backsoon/_maintenance;`);
    expect(nginx).toContain(`location ${NGINX_NAMES.hold} {`);
    expect(nginx).toContain(`limit_conn_zone $backsoon_admit_key zone=${NGINX_NAMES.turnsZone}:1m;`);
    // Each probe (HTTP, uwsgi, FastCGI) counts its turns there.
    expect(nginx.filter((line) => line === `limit_conn ${NGINX_NAMES.turnsZone} 4;`)).toHaveLength(3);
    expect(nginx.some((line) => line.startsWith('error_page') && line.endsWith(` ${NGINX_NAMES.crashPage};`))).toBe(
      true,
    );
  });

  it("the command's messages name include files that exist, and the protocol's variables", () => {
    const sources = [
      'cli/nginx-check.ts',
      'cli/nginx-errors.ts',
      'cli/commands/install.ts',
      'cli/commands/maintenance.ts',
    ];
    const named = sources.flatMap((file) =>
      [
        ...readFileSync(join(REPO, file), 'utf8').matchAll(
          /snippets\/backsoon\/((?:http|server|location|njs)\/[\w.-]+)/g,
        ),
      ].map((m) => ({ file, snippet: m[1]! })),
    );
    expect(named.length).toBeGreaterThan(5);
    for (const { file, snippet } of named)
      expect(
        statSync(join(REPO, 'nginx-snippets', snippet), { throwIfNoEntry: false }),
        `${file}: ${snippet}`,
      ).toBeDefined();
    const variables = new Set(nginx.flatMap((line) => [...line.matchAll(/\$backsoon_[a-z_]+/g)].map((m) => m[0])));
    for (const file of sources) {
      for (const [name] of readFileSync(join(REPO, file), 'utf8').matchAll(/\$backsoon_[a-z_]+/g))
        expect(variables.has(name), `${file}: ${name}`).toBe(true);
    }
  });
});

describe('the theme tokens, as the build, the styles and the docs spell them', () => {
  const css = ['src/page/backsoon-page.css', 'src/page/page.css']
    .map((file) => readFileSync(join(REPO, file), 'utf8'))
    .join('\n');
  /** Each token the styles read, with its default. */
  const defaults = new Map([...css.matchAll(/var\(--backsoon-([a-z-]+),\s*([^;]+?)\);/g)].map((m) => [m[1]!, m[2]!]));

  it('the styles read every token the build may set, and no other', () => {
    expect([...defaults.keys()].filter((token) => token !== 'logo').sort()).toEqual([...THEME_TOKENS].sort());
  });

  it("the Branding table lists each token with the styles' defaults", () => {
    const docs = readFileSync(join(REPO, BRANDING_DOC), 'utf8');
    for (const token of THEME_TOKENS) {
      const row = docs.split('\n').find((line) => line.startsWith('| ') && line.includes(`\`${token}\``));
      expect(row, token).toBeDefined();
      const value = defaults.get(token)!;
      if (/^#[0-9a-f]{6}$/i.test(value)) expect(row, token).toContain(`\`${value}\``);
    }
  });
});
