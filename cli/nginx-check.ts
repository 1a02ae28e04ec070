import { posix } from 'node:path';
import { children, where, type Directive } from './nginx-conf.js';
import {
  APP_COOKIE,
  KIT_FOLDER,
  NGINX_NAMES,
  PAGE_FILES,
  PATHS,
  STAFF_TOKEN_MAP,
  TOKEN_LENGTH,
} from '../src/protocol.js';

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

/** nginx's prefix on Debian: relative roots are under it, and a server without root uses its html/. */
export const DEFAULT_PREFIX = '/usr/share/nginx';

/** The directives that pass a request to an app: their failures are the 502 and 504 backsoon answers. */
const PASS = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass']);
/** The targets backsoon's snippets give error_page. */
const CRASH_TARGET = NGINX_NAMES.crashPage;
const MAINTENANCE_TARGET = NGINX_NAMES.maintenancePage;
/** The hold's target (location/backsoon-hold.conf): it retries, then answers with the crash page itself. */
const HOLD_TARGET = NGINX_NAMES.hold;
/** Whether an error_page line for 502/504 ends in backsoon's page. */
const isCrashLine = (d: Directive): boolean => d.args.at(-1) === CRASH_TARGET || d.args.at(-1) === HOLD_TARGET;
/** The files server/backsoon.conf answers with (besides the .gz copies). */
const CRASH_FILES = [PAGE_FILES.crash, PAGE_FILES.json, PAGE_FILES.text];
/** Besides those, for server/backsoon-maintenance.conf. */
const MAINTENANCE_FILES = [PAGE_FILES.maintenance];
/**
 * A location of server/backsoon-brotli.conf: the form variants go there,
 * with brotli_static off, once it is included.
 */
const BROTLI_FORM_LOCATION = '/__backsoon/_crash-form-br';
/** The shape of a token the secret link accepts (http/backsoon-maintenance.conf). */
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${TOKEN_LENGTH.min},${TOKEN_LENGTH.max}}$`);
/**
 * A token line of the staff file's map, as `backsoon token` writes it:
 * `"~^<token>\z" 1;` (`\z` is the very end; `$`, which lines written before
 * used, is as safe there: a token never holds a newline).
 */
const TOKEN_LINE = /^~\^(.*?)(?:\\z|\$)$/;

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

/**
 * How each directive that passes requests to an app is told the Cookie
 * header it sends: a header line (proxy, grpc) or a parameter named after
 * the header (FastCGI, uwsgi, SCGI: one named HTTP_COOKIE replaces the
 * visitor's header). memcached_pass sends no header.
 */
const COOKIE_LINES: Record<string, { directive: string; name: string; headers?: string }> = {
  proxy_pass: { directive: 'proxy_set_header', name: 'Cookie', headers: 'proxy_pass_request_headers' },
  grpc_pass: { directive: 'grpc_set_header', name: 'Cookie' },
  fastcgi_pass: { directive: 'fastcgi_param', name: 'HTTP_COOKIE', headers: 'fastcgi_pass_request_headers' },
  uwsgi_pass: { directive: 'uwsgi_param', name: 'HTTP_COOKIE', headers: 'uwsgi_pass_request_headers' },
  scgi_pass: { directive: 'scgi_param', name: 'HTTP_COOKIE', headers: 'scgi_pass_request_headers' },
};

/** Where a directive's block is, for the reader. */
function levelTitle(d: Directive): string {
  return d.name === 'location'
    ? `${locationTitle(d)} (${where(d)})`
    : d.name === 'server'
      ? 'the server block'
      : 'the http block';
}

/**
 * Whether the app gets the visitor's Cookie header (the bypass cookie in
 * it) from a pass directive, and why, or undefined when it gets
 * $backsoon_app_cookie (or no Cookie header at all). `levels` are the
 * blocks around it, outermost first (http, server, locations). nginx
 * takes a level's proxy_set_header lines (or _param lines) only when the
 * level below has none at all: any line of a location's own replaces all
 * of the server's.
 */
export function cookieLeak(pass: Directive, levels: Directive[]): string | undefined {
  const rule = COOKIE_LINES[pass.name];
  if (!rule) return undefined;
  const inner = [...levels].reverse();
  if (rule.headers) {
    const switched = inner.map((level) => children(level.block, rule.headers!).at(-1)).find((d) => d !== undefined);
    if (switched?.args[0] === 'off') return undefined;
  }
  const fix = `${rule.directive} ${rule.name} ${APP_COOKIE};`;
  const effective = inner.find((level) => children(level.block, rule.directive).length > 0);
  const lines = effective ? children(effective.block, rule.directive) : [];
  const cookie = lines.filter((d) => d.args[0]?.toLowerCase() === rule.name.toLowerCase());
  const wrong = cookie.find((d) => d.args[1] !== APP_COOKIE && d.args[1] !== '');
  if (wrong)
    return `with ${wrong.name} ${wrong.args.join(' ')} (${where(wrong)}), which passes the bypass cookie on to the app: make it ${fix}`;
  if (cookie.length > 0) return undefined;
  const outer = inner
    .slice(inner.indexOf(effective!) + 1)
    .find((level) =>
      children(level.block, rule.directive).some((d) => d.args[0]?.toLowerCase() === rule.name.toLowerCase()),
    );
  const target = effective ?? inner[0]!;
  const own = target === inner[0];
  const shadowed = outer
    ? `: ${own ? 'its own' : `${levelTitle(target)}'s own`} ${rule.directive} lines (${where(lines[0]!)}) replace all of ${levelTitle(outer)}'s, its Cookie line too`
    : '';
  return `with the visitor's own Cookie header, bypass cookie included${shadowed}. Add to ${own ? 'it' : levelTitle(target)}${lines.length > 0 ? `, beside its other ${rule.directive} lines` : ''}: ${fix}`;
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

/** A location that passes requests to an app, and the error_page lines it uses. */
interface Proxied {
  location: Directive;
  /** The locations around the pass, outermost first. */
  chain: Directive[];
  pass: Directive;
  /** Its own error_page lines, or its nearest enclosing location's; undefined: the server's. */
  own: Directive[] | undefined;
  /** The location those lines are in. */
  ownAt: Directive | undefined;
}

/** What the checks of one server block read, gathered once. */
interface ServerFacts {
  server: Directive;
  http: Directive;
  block: Directive[];
  errorPages: Directive[];
  /** server/backsoon.conf is included. */
  installed: boolean;
  /** server/backsoon-maintenance.conf is included. */
  maintenance: boolean;
  /** server/backsoon-brotli.conf is included. */
  brotli: boolean;
  proxied: Proxied[];
  options: Required<Omit<CheckOptions, 'njsBuiltIn'>>;
}

/** The locations that pass requests to an app, each with the error_page lines it uses. */
function proxiedLocations(block: Directive[]): Proxied[] {
  const proxied: Proxied[] = [];
  walk(block, (d, parents) => {
    if (!PASS.has(d.name)) return;
    const chain = parents.filter((p) => p.name === 'location');
    const location = chain.at(-1);
    if (!location) return;
    // nginx gives a location its own error_page lines or, if it has none, its parent's.
    for (const scope of [...chain].reverse()) {
      const own = children(scope.block, 'error_page');
      if (own.length > 0) {
        proxied.push({ location, chain, pass: d, own, ownAt: scope });
        return;
      }
    }
    proxied.push({ location, chain, pass: d, own: undefined, ownAt: undefined });
  });
  return proxied;
}

/** A server block that passes requests to an app without backsoon's include. */
function checkInstalled({ installed, maintenance, proxied }: ServerFacts): Finding[] {
  if (installed)
    return [{ level: 'ok', message: `backsoon is included${maintenance ? ', with planned maintenance' : ''}` }];
  if (proxied.length === 0)
    return [{ level: 'note', message: 'passes no request to an app: nothing for backsoon to do' }];
  const first = proxied[0]!;
  return [
    {
      level: 'problem',
      message: `passes requests to an app (${first.pass.name} in ${locationTitle(first.location)}, ${where(first.pass)}) without backsoon: its visitors get nginx's stock 502. Add to this server block: include snippets/backsoon/server/backsoon.conf;`,
    },
  ];
}

/** Without the shared probe, each waiting visitor's checks reach the app. */
function checkProbe({ block }: ServerFacts): Finding[] {
  if (hasProbe(block)) return [];
  return [
    {
      level: 'note',
      message: `no shared probe (location = ${PATHS.probe}): each waiting visitor's checks go to the app, which is fine for a few but not for thousands at once. See docs/at-scale.md (http/backsoon-probe.conf, location/backsoon-probe.conf)`,
    },
  ];
}

/**
 * brotli_static on for the whole server reaches backsoon.conf's form
 * locations, which sub_filter must mark: an unmarked page takes the
 * visitor back after a form as after a GET.
 */
function checkBrotli({ block, http, brotli }: ServerFacts): Finding[] {
  const line = children(block, 'brotli_static').at(-1) ?? children(http.block, 'brotli_static').at(-1);
  if (!line || line.args[0] === 'off' || brotli) return [];
  return [
    {
      level: 'problem',
      message: `brotli_static ${line.args.join(' ')} (${where(line)}) reaches backsoon's form pages: after a form they go out in brotli, unmarked, and take the visitor back as after a GET. Add below backsoon's include: include snippets/backsoon/server/backsoon-brotli.conf;`,
    },
  ];
}

/** The first error_page for a code wins: an earlier one hides backsoon's. */
function checkErrorPageOrder({ errorPages, maintenance }: ServerFacts): Finding[] {
  const codes: [number, string][] = [
    [502, CRASH_TARGET],
    [504, CRASH_TARGET],
  ];
  if (maintenance) codes.push([503, MAINTENANCE_TARGET]);
  const findings: Finding[] = [];
  for (const [code, target] of codes) {
    const first = firstErrorPage(errorPages, code);
    if (first && first.args.at(-1) !== target) {
      findings.push({
        level: 'problem',
        message: `error_page ${first.args.join(' ')} (${where(first)}) comes before backsoon's and wins for ${code}: move it below the include, or drop ${code} from it`,
      });
    }
  }
  return findings;
}

/** A location with error_page lines of its own does not inherit the server's. */
function checkLocationErrorPages({ proxied }: ServerFacts): Finding[] {
  const findings: Finding[] = [];
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
  return findings;
}

/** With maintenance, the app must never get the bypass cookie. */
function checkCookieLines({ maintenance, proxied, http, server }: ServerFacts): Finding[] {
  if (!maintenance) return [];
  const findings: Finding[] = [];
  const leaking = new Set<Directive>();
  for (const { location, chain, pass } of proxied) {
    if (leaking.has(location)) continue;
    const leak = cookieLeak(pass, [http, server, ...chain]);
    if (leak) {
      leaking.add(location);
      findings.push({
        level: 'problem',
        message: `${locationTitle(location)} (${where(location)}) passes requests to the app (${pass.name}) ${leak}`,
      });
    }
  }
  return findings;
}

/** The page's files under the root, and a maintenance flag that would do nothing. */
function checkRoot({ block, http, maintenance, brotli, options }: ServerFacts): Finding[] {
  const rootDirective = children(block, 'root').at(-1) ?? children(http.block, 'root').at(-1);
  const rootArg = rootDirective?.args[0] ?? 'html';
  if (rootArg.includes('$'))
    return [{ level: 'note', message: `root ${rootArg} is made of variables: the page's files were not checked` }];
  const findings: Finding[] = [];
  const root = posix.resolve(options.prefix, rootArg);
  if (!rootDirective)
    findings.push({ level: 'note', message: `no root: nginx's default, ${root}, is where the page must be` });
  findings.push(...checkPage(root, maintenance, brotli, options.probe));
  const flag = posix.join(root, PATHS.maintenanceFlag);
  if (!maintenance && options.probe(flag)) {
    findings.push({
      level: 'problem',
      message: `maintenance is switched on (${flag} exists) but this server block has no maintenance include: its visitors get the app, not the maintenance page. Add below the include of server/backsoon.conf: include snippets/backsoon/server/backsoon-maintenance.conf; (and the staff file in the http block), or switch it off: backsoon up --root ${root}`,
    });
  }
  return findings;
}

/** The checks of a server block that has backsoon, in the order the report lists them. */
const SERVER_CHECKS = [
  checkProbe,
  checkBrotli,
  checkErrorPageOrder,
  checkLocationErrorPages,
  checkCookieLines,
  checkRoot,
];

function checkServer(
  server: Directive,
  http: Directive,
  options: Required<Omit<CheckOptions, 'njsBuiltIn'>>,
): Finding[] {
  const block = server.block ?? [];
  const errorPages = children(block, 'error_page');
  const facts: ServerFacts = {
    server,
    http,
    block,
    errorPages,
    installed: errorPages.some((d) => d.args.at(-1) === CRASH_TARGET),
    maintenance: errorPages.some((d) => d.args.at(-1) === MAINTENANCE_TARGET),
    brotli: hasBrotliInclude(block),
    proxied: proxiedLocations(block),
    options,
  };
  const findings = checkInstalled(facts);
  if (!facts.installed) return findings;
  return [...findings, ...SERVER_CHECKS.flatMap((check) => check(facts))];
}

function checkTokens(http: Directive): Finding[] {
  const findings: Finding[] = [];
  const shown = (key: string): string => `${key.slice(0, 10)}…`;
  for (const map of children(http.block, 'map')) {
    if (map.args[0] !== STAFF_TOKEN_MAP.source || map.args[1] !== STAFF_TOKEN_MAP.result) continue;
    for (const entry of map.block ?? []) {
      if (['default', 'hostnames', 'include', 'volatile'].includes(entry.name)) continue;
      const key = entry.name;
      const regex = TOKEN_LINE.exec(key);
      if (!key.startsWith('~')) {
        findings.push({
          level: 'problem',
          message: `bypass token ${shown(key)} (${where(entry)}) is a plain map key: nginx matches it ignoring case, and one of 47 characters or more stops nginx -t (map_hash_bucket_size). Write it as a regular expression: "~^<the token>\\z" 1;`,
        });
      } else if (!regex || /[^A-Za-z0-9_-]/.test(regex[1]!)) {
        findings.push({
          level: 'problem',
          message: `bypass token line "${shown(key)}" (${where(entry)}) is not of the form "~^<token>\\z": as a pattern, it lets in every token it matches. Write one token, letters, digits, "-" and "_" only, between ~^ and \\z`,
        });
      } else if (!TOKEN_SHAPE.test(regex[1]!)) {
        findings.push({
          level: 'problem',
          message: `bypass token ${shown(regex[1]!)} (${where(entry)}) is ${regex[1]!.length} characters, not ${TOKEN_LENGTH.min} to ${TOKEN_LENGTH.max}: the secret link cannot set it. Make one: backsoon token`,
        });
      }
    }
  }
  return findings;
}

/** Checks a whole configuration (from loadDump). */
export function checkConfig(tree: Directive[], options: CheckOptions): CheckReport {
  const settings = { probe: options.probe, prefix: options.prefix ?? DEFAULT_PREFIX };
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
    for (const server of children(http.block, 'server')) {
      servers.push({
        title: serverTitle(server),
        at: where(server),
        findings: checkServer(server, http, settings),
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

/** A server block, as far as planned maintenance is concerned. */
export interface ServerUse {
  server: Directive;
  /** Its root, resolved against the prefix; undefined when made of variables. */
  root: string | undefined;
  /** It includes server/backsoon.conf (its error_page for 502 and 504). */
  crash: boolean;
  /** It includes server/backsoon-maintenance.conf (its error_page for 503). */
  maintenance: boolean;
}

/** Every server block of the http blocks, with its root and backsoon's includes. */
export function serverUses(tree: Directive[], prefix = DEFAULT_PREFIX): ServerUse[] {
  const uses: ServerUse[] = [];
  for (const http of children(tree, 'http')) {
    const httpRoot = children(http.block, 'root').at(-1);
    for (const server of children(http.block, 'server')) {
      const errorPages = children(server.block, 'error_page');
      const root = (children(server.block, 'root').at(-1) ?? httpRoot)?.args[0] ?? 'html';
      uses.push({
        server,
        root: root.includes('$') ? undefined : posix.resolve(prefix, root),
        crash: errorPages.some((d) => d.args.at(-1) === CRASH_TARGET),
        maintenance: errorPages.some((d) => d.args.at(-1) === MAINTENANCE_TARGET),
      });
    }
  }
  return uses;
}

/**
 * The roots of the server blocks that include backsoon (without variables),
 * each once: where `backsoon down` and friends look when no --root is given.
 */
export function backsoonRoots(tree: Directive[], prefix = DEFAULT_PREFIX): string[] {
  const roots = new Set<string>();
  for (const use of serverUses(tree, prefix)) if (use.crash && use.root !== undefined) roots.add(use.root);
  return [...roots];
}

/**
 * Whether switching maintenance on for `root` shows visitors the
 * maintenance page: some server block with that root includes
 * server/backsoon-maintenance.conf, and none includes server/backsoon.conf
 * without it. Otherwise, what is missing and the fix, to refuse with.
 * `sameRoot` compares two paths (the caller may resolve symlinks).
 */
export function maintenanceServed(
  tree: Directive[],
  root: string,
  options: { prefix?: string; sameRoot?: (a: string, b: string) => boolean } = {},
): { served: true } | { served: false; why: string } {
  const same = options.sameRoot ?? ((a, b) => a === b);
  const uses = serverUses(tree, options.prefix);
  const here = uses.filter((use) => use.root !== undefined && same(use.root, root));
  const staff =
    'the staff file, once, in the http block (cp /etc/nginx/snippets/backsoon/http/backsoon-staff.conf /etc/nginx/conf.d/)';
  const include = 'include snippets/backsoon/server/backsoon-maintenance.conf;';
  const without = here.filter((use) => use.crash && !use.maintenance);
  if (without.length > 0) {
    return {
      served: false,
      why: `${without.map((use) => `${serverTitle(use.server)} (${where(use.server)})`).join(', ')} ha${without.length > 1 ? 've' : 's'} root ${root} and backsoon's include but not the maintenance one: its visitors would get the app, not the maintenance page. Add below its include of server/backsoon.conf:\n\n    ${include}\n\nand ${staff}; then nginx -t && nginx -s reload`,
    };
  }
  if (here.some((use) => use.maintenance)) return { served: true };
  const variable = uses.filter((use) => use.root === undefined && use.maintenance);
  const seen = [...new Set(uses.flatMap((use) => (use.root !== undefined && use.crash ? [use.root] : [])))];
  return {
    served: false,
    why:
      here.length > 0
        ? `the server blocks with root ${root} do not include backsoon: add to them include snippets/backsoon/server/backsoon.conf; and ${include}, and ${staff}`
        : `no server block of nginx's configuration has root ${root}${seen.length > 0 ? ` (those with backsoon have ${seen.join(', ')})` : ''}${variable.length > 0 ? `, or only one whose root is made of variables (${where(variable[0]!.server)})` : ''}: a typo in the root, or a site nginx does not serve`,
  };
}
