import { children, type Directive } from '../nginx-conf.js';
import { PATHS } from '../../src/protocol.js';
import type { PassKind, PassSite, ServerSite } from './servers.js';

/**
 * The shared probe's location for a server block, pointed at the app the
 * block already passes requests to, over the same protocol: proxy_pass
 * (HTTP, an upstream block, a unix socket), uwsgi_pass and fastcgi_pass
 * (their cache twins in location/backsoon-probe-uwsgi.conf and
 * -fastcgi.conf). gRPC has no cache in nginx 1.22, so no shared probe.
 */

/** The probe's location snippet per protocol, under the kit's snippets folder. */
export const PROBE_SNIPPETS: Partial<Record<PassKind, string>> = {
  proxy: 'location/backsoon-probe.conf',
  uwsgi: 'location/backsoon-probe-uwsgi.conf',
  fastcgi: 'location/backsoon-probe-fastcgi.conf',
};

/** Their http halves, besides http/backsoon-probe.conf (the turns, and proxy_pass's cache). */
export const PROBE_HTTP: Partial<Record<PassKind, { file: string; zone: string; directive: string }>> = {
  proxy: { file: 'http/backsoon-probe.conf', zone: 'backsoon_probe', directive: 'proxy_cache_path' },
  uwsgi: { file: 'http/backsoon-probe-uwsgi.conf', zone: 'backsoon_probe_uwsgi', directive: 'uwsgi_cache_path' },
  fastcgi: {
    file: 'http/backsoon-probe-fastcgi.conf',
    zone: 'backsoon_probe_fastcgi',
    directive: 'fastcgi_cache_path',
  },
};

export interface ProbePlan {
  kind: PassKind;
  /** The pass it copies the app's address from. */
  site: PassSite;
  /** The location's lines, without indentation (the snippet's include included). */
  lines: (snippets: string) => string[];
  /** The app and the path it is asked, for the reader. */
  describe: string;
  /** What the report says of the path the install chose (none when the operator named it). */
  note: string | undefined;
}

/**
 * The path the probe asks when the operator names none: one the app does
 * not have. Its 404, answered by the app's own workers (the queue its
 * pages wait in) at little cost, is all the probe and its turns need.
 */
export const DEFAULT_HEALTH = '/__backsoon/health';

/** Variables a visitor's request sets: never part of the app's address in the probe. */
const REQUEST_VARIABLES =
  /^\$(\{)?(http_|arg_|cookie_|request|uri|document_uri|args|query_string|is_args|host|remote_|binary_remote|content_|scheme|server_protocol)/;

/** The variables in a word (`$name` or `${name}`). */
function variables(word: string): string[] {
  return [...word.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]!);
}

/** Where each variable is defined, as nginx sees it from the probe's location. */
function defines(name: string, http: Directive | undefined, server: Directive): 'everywhere' | 'nowhere' {
  for (const d of http?.block ?? []) {
    if ((d.name === 'map' || d.name === 'geo' || d.name === 'split_clients') && d.args.at(-1) === `$${name}`)
      return 'everywhere';
    if (d.name === 'geo' && d.args.length === 1 && d.args[0] === `$${name}`) return 'everywhere';
  }
  // A `set` at the server level runs before any location.
  if (children(server.block, 'set').some((d) => d.args[0] === `$${name}`)) return 'everywhere';
  return 'nowhere';
}

/**
 * The probe's address from a pass's: the same app, with variables only
 * where the probe's location sees the same value (maps, a server-level
 * `set`, a `set` of the pass's own location copied over). Returns the
 * `set` lines to copy, or why it cannot.
 */
function copyableAddress(
  address: string,
  site: PassSite,
  http: Directive | undefined,
  server: Directive,
): { sets: string[] } | { reason: string } {
  const sets: string[] = [];
  for (const name of variables(address)) {
    if (REQUEST_VARIABLES.test(`$${name}`))
      return { reason: `its address ${address} is made from the visitor's request ($${name})` };
    if (defines(name, http, server) === 'everywhere') continue;
    const local = site.locations.flatMap((l) => children(l.block, 'set')).filter((d) => d.args[0] === `$${name}`);
    if (local.length === 0)
      return { reason: `its address ${address} uses $${name}, whose value the probe cannot know` };
    for (const d of local) {
      if (variables(d.args[1] ?? '').some((v) => REQUEST_VARIABLES.test(`$${v}`)))
        return { reason: `its address ${address} is made from the visitor's request ($${name})` };
      sets.push(`set ${d.args.map(quote).join(' ')};`);
    }
  }
  return { sets };
}

/** A word as nginx reads it back: quoted when it has spaces, quotes, `;`, braces or `#`. */
export function quote(word: string): string {
  return /^[^\s"';{}#\\]+$/.test(word) ? word : `"${word.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * A proxy_pass address's parts: `http://host:port/uri`, or
 * `http://unix:/path/to.sock:/uri` (a unix socket's URI follows a colon).
 */
export function splitProxyPass(
  address: string,
): { scheme: string; host: string; uri: string | undefined; unix: boolean } | undefined {
  const match = /^(https?:\/\/)(.+)$/.exec(address);
  if (!match) return undefined;
  const [, scheme, rest] = match as unknown as [string, string, string];
  if (rest.startsWith('unix:')) {
    const colon = rest.indexOf(':', 'unix:'.length);
    return colon < 0
      ? { scheme, host: rest, uri: undefined, unix: true }
      : { scheme, host: rest.slice(0, colon), uri: rest.slice(colon + 1), unix: true };
  }
  const slash = rest.indexOf('/');
  return slash < 0
    ? { scheme, host: rest, uri: undefined, unix: false }
    : { scheme, host: rest.slice(0, slash), uri: rest.slice(slash), unix: false };
}

/** The pass the probe follows: the one of `location /`, else the first page pass. */
export function probeSite(server: ServerSite): PassSite | undefined {
  const pages = server.passes.filter((p) => p.kind in PROBE_SNIPPETS || ['scgi', 'grpc'].includes(p.kind));
  const root = pages.find(
    (p) => p.locations.length === 1 && (p.location.args.join(' ') === '/' || p.location.args.join(' ') === '^~ /'),
  );
  return root ?? pages.find((p) => p.kind !== 'grpc') ?? pages[0];
}

/** The path the app gets for the location's own prefix (`/` when it cannot be known). */
function appPrefix(site: PassSite, uriPart: string | undefined): string {
  if (uriPart !== undefined && uriPart !== '' && !uriPart.includes('$')) return uriPart;
  const [first, second] = site.location.args;
  const prefix = second === undefined ? first : first === '^~' ? second : undefined;
  return prefix && prefix.startsWith('/') && !prefix.includes('$') ? prefix : '/';
}

/**
 * The health path when the operator names none: DEFAULT_HEALTH, under the
 * prefix the app gets for the location (an app mounted at /shop/ is asked
 * /shop/__backsoon/health, so that the app serving the block's pages
 * answers it, not a neighbour). Over FastCGI, PHP's index script (or /)
 * as before: a page, which the report says each turn then costs.
 */
function defaultHealthPath(site: PassSite, uriPart: string | undefined): string {
  if (site.kind === 'fastcgi') {
    // A regex location (`~ \.php$`) means the app's index script.
    return /php/.test(site.location.args.join(' ')) ? '/index.php' : '/';
  }
  return `${appPrefix(site, uriPart).replace(/\/$/, '')}${DEFAULT_HEALTH}`;
}

/** What the report says of the health path the install chose. */
function healthNote(kind: PassKind, path: string): string {
  return kind === 'fastcgi'
    ? `each turn to go back costs the app a page (HEAD ${path}${path === '/index.php' ? ", PHP's index script" : ''}): name a cheap script with --health, one that touches nothing`
    : `${path} is a path your app does not have: its 404, from the app's own workers at little cost, is all the probe needs (--health names a health view of yours instead)`;
}

/** The name the uwsgi/FastCGI app is told it is: the server's first plain server_name, else localhost. */
function probeHost(server: Directive): string {
  const names = children(server.block, 'server_name').flatMap((d) => d.args);
  return names.find((n) => /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(n)) ?? 'localhost';
}

/**
 * The probe for a server block, or why there is none. `health` is the path
 * the operator named (`--health`), as the app sees it.
 */
export function planProbe(
  server: ServerSite,
  http: Directive | undefined,
  health: string | undefined,
): ProbePlan | { reason: string } {
  const site = probeSite(server);
  if (!site) return { reason: 'it passes no page to an app' };
  if (!(site.kind in PROBE_SNIPPETS)) {
    return {
      reason:
        site.kind === 'grpc'
          ? 'grpc_pass: nginx 1.22 has no cache for gRPC, so no shared probe (its pages ask their own URL)'
          : `${site.pass.name}: the command writes no probe for it (its pages ask their own URL)`,
    };
  }
  const address = site.pass.args[0] ?? '';
  const snippet = PROBE_SNIPPETS[site.kind]!;
  if (site.kind === 'proxy') {
    const url = splitProxyPass(address);
    if (!url) return { reason: `proxy_pass ${address}: not an address the command can read` };
    const { scheme, host: hostPart, uri: uriPart, unix: isUnix } = url;
    const copied = copyableAddress(`${scheme}${hostPart}`, site, http, server.server);
    if ('reason' in copied) return copied;
    const path = health ?? defaultHealthPath(site, uriPart);
    // A unix socket's URI follows a colon: http://unix:/run/app.sock:/healthz.
    const target = `${scheme}${hostPart}${isUnix ? ':' : ''}${path}`;
    return {
      kind: 'proxy',
      site,
      describe: `HEAD ${path} to ${scheme}${hostPart}`,
      note: health === undefined ? healthNote('proxy', path) : undefined,
      lines: (snippets) => [
        `location = ${PATHS.probe} {`,
        ...copied.sets,
        `proxy_pass ${quote(target)};`,
        `include ${snippets}/${snippet};`,
        '}',
      ],
    };
  }
  const copied = copyableAddress(address, site, http, server.server);
  if ('reason' in copied) return copied;
  const path = health ?? defaultHealthPath(site, undefined);
  const host = probeHost(server.server);
  return {
    kind: site.kind,
    site,
    describe: `HEAD ${path} over ${site.kind === 'uwsgi' ? 'uwsgi' : 'FastCGI'} to ${address} (Host ${host})`,
    note: health === undefined ? healthNote(site.kind, path) : undefined,
    lines: (snippets) => [
      `location = ${PATHS.probe} {`,
      ...copied.sets,
      `set $backsoon_probe_path ${quote(path)};`,
      `set $backsoon_probe_host ${quote(host)};`,
      `${site.pass.name} ${quote(address)};`,
      `include ${snippets}/${snippet};`,
      '}',
    ],
  };
}
