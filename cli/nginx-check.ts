import { posix } from 'node:path';
import { DEFAULT_MAP_BUCKET_SIZE, maxMapKeyLength } from './map-limits.js';
import { children, where, type Directive } from './nginx-conf.js';
import { KIT_FOLDER, PATHS } from '../src/protocol.js';

/**
 * What would silently fail in an nginx configuration that uses backsoon,
 * server block by server block. Pure: the files on disk are read through
 * the `probe` it is given.
 */

export interface Finding {
  /** A problem makes `backsoon check` fail; a note is said and passes. */
  level: 'problem' | 'ok' | 'note';
  message: string;
}

export interface ServerReport {
  /** server_name and listen, for the reader. */
  title: string;
  /** Where the server block starts. */
  at: string;
  findings: Finding[];
}

export interface CheckReport {
  /** Findings about the http block and the whole configuration. */
  global: Finding[];
  servers: ServerReport[];
}

/** A file on disk, as far as the check needs it. */
export interface FileInfo {
  mtimeMs: number;
}

export interface CheckOptions {
  /** Returns a file's modification time, or undefined when it does not exist. */
  probe: (path: string) => FileInfo | undefined;
  /** nginx's prefix, for relative roots and the default root (`html` under it). @default /usr/share/nginx (Debian) */
  prefix?: string;
  /** The nginx binary has njs built in (not as a loadable module): the hold include then needs no load_module. */
  njsBuiltIn?: boolean;
}

/** The directives that pass a request to an app: their failures are the 502 and 504 backsoon answers. */
const PASS = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass']);
/** The targets backsoon's snippets give error_page. */
const CRASH_TARGET = '$backsoon_crash_page';
const MAINTENANCE_TARGET = '$backsoon_maintenance_page';
/** The hold's target (location/backsoon-hold.conf): it retries, then answers with the crash page itself. */
const HOLD_TARGET = '@backsoon_hold';
/** Whether an error_page line for 502/504 ends in backsoon's page. */
const isCrashLine = (d: Directive): boolean => d.args.at(-1) === CRASH_TARGET || d.args.at(-1) === HOLD_TARGET;
/** The files server/backsoon.conf answers with (besides the .gz copies). */
const CRASH_FILES = ['index.html', 'outage.json', 'outage.txt'];
/** Besides those, for server/backsoon-maintenance.conf. */
const MAINTENANCE_FILES = ['maintenance.html'];
/**
 * A location of server/backsoon-brotli.conf: the form variants go there,
 * with brotli_static off, once it is included.
 */
const BROTLI_FORM_LOCATION = '/__backsoon/_crash-form-br';
/** The bypass tokens' map, and the shape /__backsoon/bypass accepts (http/backsoon-staff.conf). */
const TOKEN_MAP_SOURCE = '$cookie_backsoon_bypass';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** The status codes an `error_page` line covers (its arguments before the `=code` and the target). */
export function errorPageCodes(d: Directive): number[] {
  return d.args
    .slice(0, -1)
    .filter((a) => /^\d{3}$/.test(a))
    .map(Number);
}

/**
 * The first error_page line of a list that covers `code`: the one nginx
 * uses (it keeps every line, and the first match wins).
 */
export function firstErrorPage(lines: Directive[], code: number): Directive | undefined {
  return lines.find((d) => errorPageCodes(d).includes(code));
}

/** Every directive in a block and in the blocks nested in it (locations, ifs, limit_except). */
function walk(
  block: Directive[] | undefined,
  visit: (d: Directive, parents: Directive[]) => void,
  parents: Directive[] = [],
): void {
  for (const d of block ?? []) {
    visit(d, parents);
    if (d.block) walk(d.block, visit, [...parents, d]);
  }
}

function locationTitle(d: Directive): string {
  return `location ${d.args.join(' ')}`;
}

function serverTitle(server: Directive): string {
  const names = children(server.block, 'server_name').flatMap((d) => d.args);
  const listens = children(server.block, 'listen').map((d) => d.args[0]);
  return `server ${names.length > 0 ? names.join(' ') : '(no server_name)'}${listens.length > 0 ? ` (listen ${listens.join(', ')})` : ''}`;
}

/** The include lines anywhere in a tree, and the js_import lines. */
function holdUses(tree: Directive[]): Directive[] {
  const uses: Directive[] = [];
  walk(tree, (d) => {
    const last = d.args.at(-1) ?? '';
    if (d.name === 'include' && /^backsoon-hold[^/]*\.conf$/.test(posix.basename(last))) uses.push(d);
    // js_import [name from] file.js: a hold script of backsoon's, by its name or its folder.
    if (d.name === 'js_import' && /hold[^/]*\.m?js$/.test(posix.basename(last)) && /backsoon/.test(`${last} ${d.file}`))
      uses.push(d);
  });
  return uses;
}

/**
 * The page's files under `root`, and the precompressed copies nginx sends
 * in their place: the .gz always (gzip_static), the .br when `brotli` (the
 * server sends it, server/backsoon-brotli.conf).
 */
function checkPage(root: string, withMaintenance: boolean, brotli: boolean, probe: CheckOptions['probe']): Finding[] {
  const folder = posix.join(root, KIT_FOLDER);
  const findings: Finding[] = [];
  const files = [...CRASH_FILES, ...(withMaintenance ? MAINTENANCE_FILES : [])];
  const missing = files.filter((name) => !probe(posix.join(folder, name)));
  if (missing.length > 0) {
    findings.push({
      level: 'problem',
      message: `the page is missing from ${folder}/ (${missing.join(', ')}): visitors get nginx's stock error page. Install it: backsoon install --root ${root}`,
    });
  }
  const copies = [
    { suffix: '.gz', module: 'gzip_static', remake: 'gzip -kf9' },
    ...(brotli ? [{ suffix: '.br', module: 'brotli_static', remake: 'brotli -kf' }] : []),
  ];
  for (const name of files) {
    const page = probe(posix.join(folder, name));
    for (const { suffix, module, remake } of copies) {
      const copy = probe(posix.join(folder, `${name}${suffix}`));
      if (page && copy && copy.mtimeMs < page.mtimeMs) {
        findings.push({
          level: 'problem',
          message: `${folder}/${name}${suffix} is older than ${name}: browsers get the old page (${module}). Run ${remake} ${folder}/${name}, or delete the ${suffix}`,
        });
      }
    }
  }
  if (findings.length === 0) findings.push({ level: 'ok', message: `the page is in ${folder}/` });
  return findings;
}

/** Whether a server block has the shared probe's location (location/backsoon-probe.conf). */
function hasProbe(block: Directive[]): boolean {
  let found = false;
  walk(block, (d) => {
    if (d.name === 'location' && d.args.at(-1) === PATHS.probe) found = true;
  });
  return found;
}

/** Whether a server block has server/backsoon-brotli.conf's locations. */
function hasBrotliInclude(block: Directive[]): boolean {
  let found = false;
  walk(block, (d) => {
    if (d.name === 'location' && d.args.at(-1) === BROTLI_FORM_LOCATION) found = true;
  });
  return found;
}

function checkServer(
  server: Directive,
  http: { root: Directive | undefined; brotli: Directive | undefined },
  options: Required<Omit<CheckOptions, 'njsBuiltIn'>>,
): Finding[] {
  const findings: Finding[] = [];
  const block = server.block ?? [];
  const errorPages = children(block, 'error_page');
  const installed = errorPages.some((d) => d.args.at(-1) === CRASH_TARGET);
  const maintenance = errorPages.some((d) => d.args.at(-1) === MAINTENANCE_TARGET);

  // The locations that pass requests to an app, each with the error_page
  // lines it uses: its own, or its nearest enclosing location's, or
  // (undefined) the server's.
  const proxied: {
    location: Directive;
    pass: Directive;
    own: Directive[] | undefined;
    ownAt: Directive | undefined;
  }[] = [];
  walk(block, (d, parents) => {
    if (!PASS.has(d.name)) return;
    const chain = parents.filter((p) => p.name === 'location');
    const location = chain.at(-1);
    if (!location) return;
    // nginx gives a location its own error_page lines or, if it has none, its parent's.
    for (const scope of [...chain].reverse()) {
      const own = children(scope.block, 'error_page');
      if (own.length > 0) {
        proxied.push({ location, pass: d, own, ownAt: scope });
        return;
      }
    }
    proxied.push({ location, pass: d, own: undefined, ownAt: undefined });
  });

  if (!installed) {
    if (proxied.length === 0) {
      findings.push({ level: 'note', message: 'passes no request to an app: nothing for backsoon to do' });
    } else {
      const first = proxied[0]!;
      findings.push({
        level: 'problem',
        message: `passes requests to an app (${first.pass.name} in ${locationTitle(first.location)}, ${where(first.pass)}) without backsoon: its visitors get nginx's stock 502. Add to this server block: include snippets/backsoon/server/backsoon.conf;`,
      });
    }
    return findings;
  }
  findings.push({ level: 'ok', message: `backsoon is included${maintenance ? ', with planned maintenance' : ''}` });
  if (!hasProbe(block)) {
    findings.push({
      level: 'note',
      message: `no shared probe (location = ${PATHS.probe}): each waiting visitor's checks go to the app, which is fine for a few but not for thousands at once. See "At scale" in the README (http/backsoon-probe.conf, location/backsoon-probe.conf)`,
    });
  }

  // brotli_static on for the whole server reaches backsoon.conf's form
  // locations, which sub_filter must mark: an unmarked page takes the
  // visitor back after a form as after a GET.
  const brotliInclude = hasBrotliInclude(block);
  const brotliLine = children(block, 'brotli_static').at(-1) ?? http.brotli;
  if (brotliLine && brotliLine.args[0] !== 'off' && !brotliInclude) {
    findings.push({
      level: 'problem',
      message: `brotli_static ${brotliLine.args.join(' ')} (${where(brotliLine)}) reaches backsoon's form pages: after a form they go out in brotli, unmarked, and take the visitor back as after a GET. Add below backsoon's include: include snippets/backsoon/server/backsoon-brotli.conf;`,
    });
  }

  // The first error_page for a code wins: an earlier one hides backsoon's.
  const codes: [number, string][] = [
    [502, CRASH_TARGET],
    [504, CRASH_TARGET],
  ];
  if (maintenance) codes.push([503, MAINTENANCE_TARGET]);
  for (const [code, target] of codes) {
    const first = firstErrorPage(errorPages, code);
    if (first && first.args.at(-1) !== target) {
      findings.push({
        level: 'problem',
        message: `error_page ${first.args.join(' ')} (${where(first)}) comes before backsoon's and wins for ${code}: move it below the include, or drop ${code} from it`,
      });
    }
  }

  // A location with error_page lines of its own does not inherit the server's.
  const reported = new Set<Directive>();
  for (const { location, own, ownAt } of proxied) {
    if (!own || !ownAt || reported.has(ownAt)) continue;
    reported.add(ownAt);
    for (const code of [502, 504]) {
      const first = firstErrorPage(own, code);
      if (!first) {
        findings.push({
          level: 'problem',
          message: `${locationTitle(ownAt)} (${where(ownAt)}) has error_page lines of its own, so backsoon's are not used there for ${code}${ownAt !== location ? ` (nor in ${locationTitle(location)})` : ''}: add to it include snippets/backsoon/location/backsoon-errors.conf;`,
        });
        break;
      }
      if (!isCrashLine(first)) {
        findings.push({
          level: 'problem',
          message: `error_page ${first.args.join(' ')} (${where(first)}) wins for ${code} in ${locationTitle(ownAt)}: move it below backsoon's, or drop ${code} from it`,
        });
      }
    }
  }

  const rootDirective = children(block, 'root').at(-1) ?? http.root;
  const rootArg = rootDirective?.args[0] ?? 'html';
  if (rootArg.includes('$')) {
    findings.push({
      level: 'note',
      message: `root ${rootArg} is made of variables: the page's files were not checked`,
    });
  } else {
    const root = posix.resolve(options.prefix, rootArg);
    if (!rootDirective)
      findings.push({ level: 'note', message: `no root: nginx's default, ${root}, is where the page must be` });
    findings.push(...checkPage(root, maintenance, brotliInclude, options.probe));
  }
  return findings;
}

function checkTokens(http: Directive): Finding[] {
  const findings: Finding[] = [];
  const bucketLine = children(http.block, 'map_hash_bucket_size').at(-1);
  const bucket = bucketLine ? Number(bucketLine.args[0]) : DEFAULT_MAP_BUCKET_SIZE;
  const limit = maxMapKeyLength(Number.isFinite(bucket) ? bucket : DEFAULT_MAP_BUCKET_SIZE);
  for (const map of children(http.block, 'map')) {
    if (map.args[0] !== TOKEN_MAP_SOURCE) continue;
    for (const entry of map.block ?? []) {
      if (['default', 'hostnames', 'include', 'volatile'].includes(entry.name) || entry.name.startsWith('~')) continue;
      const token = entry.name;
      if (token.length > limit) {
        findings.push({
          level: 'problem',
          message: `bypass token ${token.slice(0, 8)}… (${where(entry)}) is ${token.length} characters: a map key fits in ${limit} with map_hash_bucket_size ${bucket}, and a longer one stops nginx -t. Make one that fits: backsoon token`,
        });
      } else if (!TOKEN_SHAPE.test(token)) {
        findings.push({
          level: 'problem',
          message: `bypass token ${token.slice(0, 8)}… (${where(entry)}) is not 16 to 128 letters, digits, "-" or "_": the secret link cannot set it. Make one: backsoon token`,
        });
      }
    }
  }
  return findings;
}

/** Checks a whole configuration (from loadDump). */
export function checkConfig(tree: Directive[], options: CheckOptions): CheckReport {
  const settings = { probe: options.probe, prefix: options.prefix ?? '/usr/share/nginx' };
  const global: Finding[] = [];

  const uses = holdUses(tree);
  const loaded = children(tree, 'load_module').some((d) => /ngx_http_js_module\.so$/.test(d.args[0] ?? ''));
  if (uses.length > 0 && !loaded && !options.njsBuiltIn) {
    global.push({
      level: 'problem',
      message: `the hold include is used (${where(uses[0]!)}) but nginx's JavaScript module is not loaded: add load_module modules/ngx_http_js_module.so; at the top of nginx.conf (Debian: apt-get install libnginx-mod-http-js does it)`,
    });
  }

  const servers: ServerReport[] = [];
  for (const http of children(tree, 'http')) {
    global.push(...checkTokens(http));
    const httpSettings = {
      root: children(http.block, 'root').at(-1),
      brotli: children(http.block, 'brotli_static').at(-1),
    };
    for (const server of children(http.block, 'server')) {
      servers.push({
        title: serverTitle(server),
        at: where(server),
        findings: checkServer(server, httpSettings, settings),
      });
    }
  }
  return { global, servers };
}

/** True when any finding is a problem. */
export function hasProblems(report: CheckReport): boolean {
  return [...report.global, ...report.servers.flatMap((s) => s.findings)].some((f) => f.level === 'problem');
}

/** The report as the command prints it. */
export function formatReport(report: CheckReport): string {
  const label = { problem: 'PROBLEM', ok: 'ok     ', note: 'note   ' } as const;
  const lines: string[] = [];
  for (const f of report.global) lines.push(`${label[f.level]} ${f.message}`);
  for (const server of report.servers) {
    lines.push('', `${server.title}, ${server.at}`);
    for (const f of server.findings) lines.push(`  ${label[f.level]} ${f.message}`);
  }
  const problems = [...report.global, ...report.servers.flatMap((s) => s.findings)].filter(
    (f) => f.level === 'problem',
  ).length;
  lines.push(
    '',
    problems === 0 ? `No problem found in ${report.servers.length} server block(s).` : `${problems} problem(s) found.`,
  );
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
}

/**
 * The roots of the server blocks that include backsoon (without variables),
 * each once: where `backsoon down` and friends look when no --root is given.
 */
export function backsoonRoots(tree: Directive[], prefix = '/usr/share/nginx'): string[] {
  const roots = new Set<string>();
  for (const http of children(tree, 'http')) {
    const httpRoot = children(http.block, 'root').at(-1);
    for (const server of children(http.block, 'server')) {
      if (!children(server.block, 'error_page').some((d) => d.args.at(-1) === CRASH_TARGET)) continue;
      const root = (children(server.block, 'root').at(-1) ?? httpRoot)?.args[0] ?? 'html';
      if (!root.includes('$')) roots.add(posix.resolve(prefix, root));
    }
  }
  return [...roots];
}
