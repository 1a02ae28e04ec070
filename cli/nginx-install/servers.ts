import { posix } from 'node:path';
import { children, where, type Directive } from '../nginx-conf.js';
import { PATHS } from '../../src/protocol.js';

/**
 * The server blocks of an nginx configuration (loadDump's tree) that pass
 * requests to an app, and what of backsoon each already has. Pure: the
 * install plans from this, and says what it found.
 */

/** The directives that pass a request to an app, by the protocol they speak. */
export const PASS_KINDS = {
  proxy_pass: 'proxy',
  uwsgi_pass: 'uwsgi',
  fastcgi_pass: 'fastcgi',
  scgi_pass: 'scgi',
  grpc_pass: 'grpc',
  memcached_pass: 'memcached',
} as const;
export type PassKind = (typeof PASS_KINDS)[keyof typeof PASS_KINDS];

/** Apps that serve pages to browsers: the kit is for them. gRPC and memcached answer programs. */
export const PAGE_KINDS: readonly PassKind[] = ['proxy', 'uwsgi', 'fastcgi', 'scgi'];

/** A directive that passes requests to an app, and the location it is in. */
export interface PassSite {
  kind: PassKind;
  pass: Directive;
  /** The innermost location around it. */
  location: Directive;
  /** The locations around it, outermost first (the last is `location`). */
  locations: Directive[];
}

export interface ServerSite {
  server: Directive;
  /** server_name and listen, for the reader. */
  title: string;
  /** Where the server block starts (file:line, and the include that brought it). */
  at: string;
  passes: PassSite[];
  /** The folder the page goes under: the server's root, else the http block's, else nginx's default. */
  root: { written: string; path: string | undefined; origin: 'server' | 'http' | 'default' };
  /** What of the kit the block has already, written by the operator or by an earlier install. */
  kit: { crash: boolean; maintenance: boolean; hold: boolean; probe: boolean };
}

/** error_page targets of the kit's snippets. */
export const KIT_TARGETS = ['$backsoon_crash_page', '$backsoon_maintenance_page', '@backsoon_hold'];

/** Whether an error_page line is one of the kit's. */
export function isKitErrorPage(d: Directive): boolean {
  return KIT_TARGETS.includes(d.args.at(-1) ?? '');
}

/** The status codes an error_page line covers. */
export function errorPageCodes(d: Directive): number[] {
  return d.args
    .slice(0, -1)
    .filter((a) => /^\d{3}$/.test(a))
    .map(Number);
}

/** Every directive in a block and in the blocks in it, with the directives around it. */
export function walk(
  block: Directive[] | undefined,
  visit: (d: Directive, parents: Directive[]) => void,
  parents: Directive[] = [],
): void {
  for (const d of block ?? []) {
    visit(d, parents);
    if (d.block) walk(d.block, visit, [...parents, d]);
  }
}

/** The location of the shared probe, which passes to the app but is the kit's own. */
export function isProbeLocation(d: Directive): boolean {
  return d.name === 'location' && d.args.at(-1) === PATHS.probe;
}

function serverTitle(server: Directive): string {
  const names = children(server.block, 'server_name').flatMap((d) => d.args);
  const listens = children(server.block, 'listen').map((d) => d.args.join(' '));
  return `server ${names.length > 0 ? names.join(' ') : '(no server_name)'}${listens.length > 0 ? ` (listen ${listens.join(', ')})` : ''}`;
}

/** The http block of a configuration (nginx allows one). */
export function httpBlock(tree: Directive[]): Directive | undefined {
  return children(tree, 'http')[0];
}

/**
 * Every server block of the http block, with the places it passes requests
 * to an app, its root and what of the kit it has.
 * @param prefix nginx's prefix: a relative root is under it, and a server without root uses `<prefix>/html`
 */
export function findServers(tree: Directive[], prefix: string): ServerSite[] {
  const http = httpBlock(tree);
  if (!http) return [];
  const httpRoot = children(http.block, 'root').at(-1);
  return children(http.block, 'server').map((server) => {
    const passes: PassSite[] = [];
    let probe = false;
    let hold = false;
    walk(server.block, (d, parents) => {
      if (isProbeLocation(d)) probe = true;
      if (d.name === 'location' && d.args[0] === '@backsoon_hold') hold = true;
      const kind = (PASS_KINDS as Record<string, PassKind | undefined>)[d.name];
      if (!kind) return;
      const locations = parents.filter((p) => p.name === 'location');
      const location = locations.at(-1);
      if (!location || locations.some(isProbeLocation)) return;
      passes.push({ kind, pass: d, location, locations });
    });
    const errorPages = children(server.block, 'error_page');
    const rootLine = children(server.block, 'root').at(-1);
    const written = (rootLine ?? httpRoot)?.args[0] ?? 'html';
    return {
      server,
      title: serverTitle(server),
      at: where(server),
      passes,
      root: {
        written,
        path: written.includes('$') ? undefined : posix.resolve(prefix, written),
        origin: rootLine ? 'server' : httpRoot ? 'http' : 'default',
      },
      kit: {
        crash: errorPages.some((d) => d.args.at(-1) === '$backsoon_crash_page'),
        maintenance: errorPages.some((d) => d.args.at(-1) === '$backsoon_maintenance_page'),
        hold,
        probe,
      },
    };
  });
}

/**
 * The directives named `name` that a block uses: its own (after includes),
 * or, when it has none, those of the nearest block around it that has some
 * (nginx's rule for array directives: error_page, proxy_set_header,
 * fastcgi_param…). `scopes` runs from the outermost (http) to the block.
 */
export function effective(
  name: string,
  scopes: readonly Directive[],
): { lines: Directive[]; from: Directive | undefined } {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const lines = children(scopes[i]!.block, name);
    if (lines.length > 0) return { lines, from: scopes[i] };
  }
  return { lines: [], from: undefined };
}
