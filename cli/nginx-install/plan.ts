import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import {
  children,
  NginxConfError,
  parseConfLocated,
  where,
  type Directive,
  type LocatedDirective,
} from '../nginx-conf.js';
import { applyInsertions, insertAtEnd, insertBefore, type Insertion } from './edit.js';
import { confPath, type Layout } from './layout.js';
import { planProbe, PROBE_HTTP, quote } from './probe-target.js';
import { WRITTEN_BY } from './record.js';
import {
  effective,
  errorPageCodes,
  httpBlock,
  isKitErrorPage,
  PAGE_KINDS,
  walk,
  type PassKind,
  type PassSite,
  type ServerSite,
} from './servers.js';
import { definesTurns, isOldRateZone, OLD_RATE_ZONE } from './turns-note.js';

/**
 * What `backsoon install --nginx` will change, worked out before anything
 * is touched: the lines it adds to each file (in place, marked), the
 * files it writes whole for the http block, the folders it creates, the
 * roots that get the page. Pure: files are read through the functions it
 * is given, so that the same plan is the dry run's diff and the install.
 */

export interface InstallOptions {
  /** The shared probe and its turns. @default true */
  probe: boolean;
  /** The hold, where nginx's JavaScript module is loaded. @default true */
  hold: boolean;
  /**
   * The path the probe and its turns ask the app, as the app sees it.
   * @default /__backsoon/health (a path the app does not have), under the location's prefix; PHP's index script over FastCGI
   */
  health: string | undefined;
}

export interface FileEdit {
  /** The file's real path (a link in sites-enabled/ is followed). */
  path: string;
  /** The names nginx reads it by. */
  names: string[];
  before: string;
  after: string;
  insertions: Insertion[];
}

/** A file of the http block the install writes whole. */
export interface FileWrite {
  path: string;
  content: string;
  /** What it is, for the report. */
  what: string;
  /** new; an upgrade of the install's own copy; or the operator's (edited), kept as it is. */
  state: 'new' | 'upgrade' | 'same' | 'yours';
}

export interface ServerPlan {
  title: string;
  at: string;
  /** What the install does here, or says about it, line by line. */
  said: string[];
  /** Whether the kit is (or will be) in this block. */
  kit: boolean;
}

export interface Plan {
  servers: ServerPlan[];
  edits: FileEdit[];
  writes: FileWrite[];
  /** Folders to create, parents first. */
  dirs: string[];
  /** The roots the page goes under, each with the server blocks it serves. */
  roots: { path: string; servers: string[] }[];
  /** What the command could not handle, with why: said, and nothing is guessed. */
  cannot: string[];
  /** Whether a shared probe, and so its turns to go back, is (or will be) in some server block. */
  turns: boolean;
  /** What the report says besides, that changes nothing (an older backsoon's zone left over). */
  notes: string[];
}

/** What the planner reads from the machine. */
export interface PlanInput {
  tree: Directive[];
  /** Each file's text as `nginx -T` printed it. */
  dump: Map<string, string>;
  layout: Layout;
  servers: ServerSite[];
  options: InstallOptions;
  /** A file's real path (links followed). */
  realPath: (path: string) => string;
  /** A file's text on disk, or undefined when it does not exist. */
  read: (path: string) => string | undefined;
  /** Whether a folder exists. */
  isDir: (path: string) => boolean;
  /** A snippet of the package (`http/backsoon-staff.conf`). */
  snippet: (relative: string) => string;
  /** The sha256 the previous install wrote a file with, if it wrote it. */
  written: (path: string) => string | undefined;
  /** The package's version, for the written files' header. */
  version: string;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Directives a server's kit lines go above: the error pages (the first wins), the locations, and the rewrite module's, which run in order. */
const SERVER_ANCHORS = new Set(['error_page', 'location', 'if', 'set', 'rewrite', 'return', 'break', 'include']);

/** The header of a directive as it is written back. */
function written(d: Directive): string {
  return `${d.name} ${d.args.map(quote).join(' ')};`;
}

/** The located twin of a tree directive, in the same file: same line, name and arguments. */
function locate(located: LocatedDirective[], d: Directive): LocatedDirective | undefined {
  for (const candidate of located) {
    if (
      candidate.line === d.line &&
      candidate.name === d.name &&
      candidate.args.length === d.args.length &&
      candidate.args.every((a, i) => a === d.args[i])
    )
      return candidate;
    const inner = locate(candidate.block ?? [], d);
    if (inner) return inner;
  }
  return undefined;
}

/** The cookie line for the app, per protocol: the array directive it joins, and the line. */
const COOKIE: Partial<Record<PassKind, { array: string; line: string; name: string }>> = {
  proxy: { array: 'proxy_set_header', line: 'proxy_set_header Cookie $backsoon_app_cookie;', name: 'cookie' },
  uwsgi: { array: 'uwsgi_param', line: 'uwsgi_param HTTP_COOKIE $backsoon_app_cookie;', name: 'http_cookie' },
  fastcgi: { array: 'fastcgi_param', line: 'fastcgi_param HTTP_COOKIE $backsoon_app_cookie;', name: 'http_cookie' },
  scgi: { array: 'scgi_param', line: 'scgi_param HTTP_COOKIE $backsoon_app_cookie;', name: 'http_cookie' },
};

function locationTitle(d: Directive): string {
  return `location ${d.args.join(' ')}`;
}

/** The kit's definitions in the http block (written by the operator or an earlier install), by what they define. */
function httpDefinition(http: Directive | undefined, test: (d: Directive) => boolean): Directive | undefined {
  let found: Directive | undefined;
  walk(http?.block, (d, parents) => {
    if (!found && parents.every((p) => p.name !== 'server') && test(d)) found = d;
  });
  return found;
}

const defines = {
  staff: (d: Directive) => d.name === 'geo' && d.args.includes('$backsoon_staff_ip'),
  turns: definesTurns,
  hold: (d: Directive) => d.name === 'js_import' && d.args.includes('backsoon_hold'),
  cache: (directive: string, zone: string) => (d: Directive) =>
    d.name === directive && d.args.some((a) => a.startsWith(`keys_zone=${zone}:`)),
};

/** The header of a file the install writes for the http block. */
function header(lines: string[]): string {
  return `${lines.map((l) => `# ${l}`).join('\n')}\n\n`;
}

/**
 * An http file of an older install, with the rate that install wrote put
 * back in its rate zone: it said the rate was the operator's to tune, so a
 * file edited there only is still as it wrote it (and is upgraded). Any
 * other text is returned as it is.
 */
export function withWrittenRate(text: string): string {
  if (!text.startsWith(WRITTEN_BY)) return text;
  const wrote = /^# (\d+) a second: a rate the install wrote/m.exec(text)?.[1];
  if (wrote === undefined) return text;
  const zone = new RegExp(`^(limit_req_zone \\$backsoon_admit_key zone=${OLD_RATE_ZONE}:\\S+ rate=)[^;\\s]+;`, 'm');
  return text.replace(zone, `$1${wrote}r/s;`);
}

export function planInstall(input: PlanInput): Plan {
  const { tree, layout, options } = input;
  const http = httpBlock(tree);
  const snippets = layout.snippets.include;
  const cannot: string[] = [];
  const servers: ServerPlan[] = [];
  const insertions: Insertion[] = [];
  const roots = new Map<string, string[]>();
  const probeKinds = new Set<PassKind>();
  let holdUsed = false;
  let kitAnywhere = false;

  // Files are edited from their text on disk, which must be what nginx read.
  const located = new Map<string, { text: string; tree: LocatedDirective[] } | { error: string }>();
  const locatedFile = (file: string): { text: string; tree: LocatedDirective[] } | { error: string } => {
    const cached = located.get(file);
    if (cached) return cached;
    let result: { text: string; tree: LocatedDirective[] } | { error: string };
    const text = input.read(input.realPath(file));
    const dumped = input.dump.get(file);
    if (text === undefined) result = { error: `${file} cannot be read` };
    else if (dumped === undefined || text.replace(/\n+$/, '') !== dumped.replace(/\n+$/, ''))
      result = { error: `${file} changed since nginx read it: run the command again` };
    else {
      try {
        result = { text, tree: parseConfLocated(text, file) };
      } catch (error) {
        result = { error: error instanceof NginxConfError ? error.message : String(error) };
      }
    }
    located.set(file, result);
    return result;
  };
  /** The located directive and its file's text, or undefined with the reason added to `cannot`. */
  const find = (d: Directive, what: string): { text: string; at: LocatedDirective } | undefined => {
    const file = locatedFile(d.file);
    if ('error' in file) {
      cannot.push(`${what}: ${file.error}`);
      return undefined;
    }
    const at = locate(file.tree, d);
    if (!at) cannot.push(`${what}: ${d.file}:${d.line} was not found as nginx read it`);
    return at ? { text: file.text, at } : undefined;
  };

  const httpErrorPages = children(http?.block, 'error_page').filter((d) => !isKitErrorPage(d));
  const disabledSymlinks = (scope: Directive | undefined): boolean =>
    children(scope?.block, 'disable_symlinks').some((d) => d.args[0] !== 'off');

  for (const site of input.servers) {
    const said: string[] = [];
    const plan: ServerPlan = { title: site.title, at: site.at, said, kit: false };
    servers.push(plan);
    const pagePasses = site.passes.filter((p) => PAGE_KINDS.includes(p.kind));
    if (pagePasses.length === 0) {
      said.push(
        site.passes.length === 0
          ? 'passes no request to an app: left as it is'
          : `passes requests to ${site.passes.map((p) => p.pass.name).join(', ')} only (programs, not browsers): left as it is`,
      );
      continue;
    }
    said.push(
      `passes requests to ${[...new Set(pagePasses.map((p) => `${p.pass.args[0]} (${p.pass.name} in ${locationTitle(p.location)})`))].join(', ')}`,
    );
    if (!site.root.path) {
      cannot.push(
        `${site.title} (${site.at}): root ${site.root.written} is made of variables: the page's folder cannot be known, so the block is left as it is`,
      );
      said.push(`root ${site.root.written} is made of variables: left as it is`);
      continue;
    }
    if (disabledSymlinks(http) || disabledSymlinks(site.server)) {
      cannot.push(
        `${site.title} (${site.at}): disable_symlinks is on, and the page is a link to its release: left as it is`,
      );
      said.push('disable_symlinks is on: left as it is');
      continue;
    }
    const server = find(site.server, site.title);
    if (!server) continue;
    plan.kit = true;
    kitAnywhere = true;
    roots.set(site.root.path, [...(roots.get(site.root.path) ?? []), site.title]);
    if (site.root.origin === 'default')
      said.push(`has no root: the page goes under nginx's default one, ${site.root.path}`);

    // The server's own lines, above its first error_page, location or rewrite.
    const serverLines: string[] = [];
    const serverWhy: string[] = [];
    const holdHere = options.hold && layout.njs;
    if (!site.kit.crash) {
      serverLines.push(`include ${snippets}/server/backsoon.conf;`);
      serverWhy.push('the page on 502 and 504');
    }
    if (!site.kit.maintenance) {
      serverLines.push(`include ${snippets}/server/backsoon-maintenance.conf;`);
      serverWhy.push('planned maintenance');
    }
    if (holdHere && !site.kit.hold) {
      serverLines.push(`include ${snippets}/server/backsoon-hold.conf;`);
      serverWhy.push('the hold');
    }
    const serverErrorPages = children(site.server.block, 'error_page');
    const operatorServerPages = serverErrorPages.filter((d) => !isKitErrorPage(d));
    if (serverErrorPages.length === 0 && httpErrorPages.length > 0 && serverLines.length > 0) {
      // The block gets error_page lines of its own, and so loses the http block's: they are repeated here.
      serverLines.push(...httpErrorPages.map(written));
      serverWhy.push("the http block's error_page lines, which a block with its own no longer inherits");
    }
    for (const d of operatorServerPages) {
      const codes = errorPageCodes(d).filter((c) => [502, 503, 504].includes(c));
      if (codes.length > 0 && !site.kit.crash)
        said.push(
          `backsoon's pages come before error_page ${d.args.join(' ')} (${d.file}:${d.line}) for ${codes.join(', ')}`,
        );
    }
    if (options.probe && !site.kit.probe) {
      const planned = planProbe(site, http, options.health);
      if ('reason' in planned) {
        said.push(`no shared probe: ${planned.reason}`);
        cannot.push(`${site.title} (${site.at}): no shared probe: ${planned.reason}`);
      } else {
        probeKinds.add(planned.kind);
        serverLines.push(...planned.lines(snippets));
        serverWhy.push('the shared probe');
        said.push(
          `the shared probe asks ${planned.describe}: once a second for everyone, and once for each visitor's turn to go back`,
        );
        if (planned.note) said.push(planned.note);
      }
    } else if (site.kit.probe) {
      // An existing probe location: its http half is still needed.
      walk(site.server.block, (d, parents) => {
        if (parents.some((p) => p.name === 'location' && p.args.at(-1) === '/__backsoon/probe')) {
          if (d.name === 'proxy_pass') probeKinds.add('proxy');
          if (d.name === 'uwsgi_pass') probeKinds.add('uwsgi');
          if (d.name === 'fastcgi_pass') probeKinds.add('fastcgi');
        }
      });
    } else if (!options.probe) {
      said.push('no shared probe (--no-probe): each waiting page asks its own URL');
    }
    if (serverLines.length > 0) {
      const anchor = server.at.block?.find((d) => SERVER_ANCHORS.has(d.name));
      insertions.push(
        anchor
          ? insertBefore(site.server.file, server.text, anchor, serverLines, serverWhy.join(', '))
          : insertAtEnd(site.server.file, server.text, server.at, serverLines, serverWhy.join(', ')),
      );
      said.push(`adds ${serverWhy.join(', ')}`);
    } else {
      said.push('has the kit already');
    }

    // Each location that passes pages: the cookie line, the hold or the error pages.
    const scopesOf = (p: PassSite): Directive[] => [...(http ? [http] : []), site.server, ...p.locations];
    const seen = new Set<Directive>();
    for (const p of pagePasses) {
      if (seen.has(p.location)) continue;
      seen.add(p.location);
      const location = find(p.location, `${site.title}, ${locationTitle(p.location)}`);
      if (!location) continue;
      const lines: string[] = [];
      const why: string[] = [];
      const cookie = COOKIE[p.kind];
      if (cookie) {
        const { lines: arrayLines, from } = effective(cookie.array, scopesOf(p));
        const own = from === p.location;
        const cookieLines = arrayLines.filter((d) => d.args[0]?.toLowerCase() === cookie.name);
        if (own && cookieLines.some((d) => d.args[1] === '$backsoon_app_cookie')) {
          // Already there.
        } else if (own && cookieLines.length > 0) {
          said.push(
            `${locationTitle(p.location)} sets ${cookieLines[0]!.args[0]} itself (${cookieLines[0]!.file}:${cookieLines[0]!.line}): make it $backsoon_app_cookie, or the app sees the bypass cookie`,
          );
          cannot.push(
            `${site.title}, ${locationTitle(p.location)}: sets the Cookie for the app itself: the bypass cookie line is not added`,
          );
        } else {
          if (!own && arrayLines.length > 0) {
            lines.push(...arrayLines.map(written));
            why.push(`the ${cookie.array} lines it inherited, which a location with its own no longer does`);
          }
          lines.push(cookie.line);
          why.push('the app never sees the bypass cookie');
        }
      }
      // Error pages: the hold (502/504 go to it), or backsoon's where the location has its own.
      const pages = effective('error_page', scopesOf(p));
      const ownPages = children(p.location.block, 'error_page');
      const theirs = (lines_: Directive[]): Directive[] =>
        lines_.filter((d) => !isKitErrorPage(d) && errorPageCodes(d).some((c) => c === 502 || c === 504));
      const hasHold = ownPages.some((d) => d.args.at(-1) === '@backsoon_hold');
      if (pages.from && pages.from !== site.server && pages.from !== http && theirs(pages.lines).length > 0) {
        const d = theirs(pages.lines)[0]!;
        said.push(`${locationTitle(pages.from)} keeps its own error_page ${d.args.join(' ')} (${d.file}:${d.line})`);
      } else if (holdHere && !hasHold && p.kind !== 'grpc') {
        lines.push(`include ${snippets}/location/backsoon-hold.conf;`);
        why.push('the hold');
        holdUsed = true;
        if (ownPages.length === 0) {
          // The location gets error_page lines of its own: it keeps those it inherited.
          const inherited = pages.from === http ? httpErrorPages : pages.lines.filter((d) => !isKitErrorPage(d));
          if (inherited.length > 0) {
            lines.push(...inherited.map(written));
            why.push('the error_page lines it inherited');
          }
        }
      } else if (hasHold) {
        holdUsed = true;
      } else if (
        pages.from &&
        pages.from !== site.server &&
        pages.from !== http &&
        !pages.lines.some((d) => d.args.at(-1) === '$backsoon_crash_page')
      ) {
        // A location with error pages of its own does not inherit the server's.
        const owner = find(pages.from, `${site.title}, ${locationTitle(pages.from)}`);
        if (owner)
          insertions.push(
            insertAtEnd(
              pages.from.file,
              owner.text,
              owner.at,
              [`include ${snippets}/location/backsoon-errors.conf;`],
              "backsoon's error pages, in a location with its own",
            ),
          );
      }
      if (lines.length > 0) {
        insertions.push(insertAtEnd(p.location.file, location.text, location.at, lines, why.join(', ')));
        said.push(`${locationTitle(p.location)}: ${why.join(', ')}`);
      }
    }
    if (holdHere && site.kit.hold) holdUsed = true;
  }
  for (const site of input.servers) if (site.kit.hold) holdUsed = true;

  // The http block's files: written whole, where the http block reads them.
  const writes: FileWrite[] = [];
  const dir = layout.httpFolder.dir;
  const want = (name: string, defined: Directive | undefined, content: string, what: string, ownFile = false): void => {
    const path = posix.join(dir, name);
    if (defined && defined.file !== path) return;
    const existing = input.read(path);
    let state: FileWrite['state'];
    const recorded = input.written(path);
    if (existing === undefined) state = 'new';
    else if (existing === content) state = 'same';
    else if (
      !ownFile &&
      recorded !== undefined &&
      (recorded === sha256(existing) || recorded === sha256(withWrittenRate(existing)))
    )
      state = 'upgrade';
    else state = 'yours';
    writes.push({ path, content, what, state });
  };
  const stamp = `${WRITTEN_BY.slice(2)} (backsoon ${input.version})`;
  if (kitAnywhere) {
    want(
      'backsoon-staff.conf',
      httpDefinition(http, defines.staff),
      header([
        `${stamp} from ${snippets}/http/backsoon-staff.conf.`,
        'Yours to edit: an upgrade never replaces it. `backsoon uninstall --nginx`',
        'removes it only as written here, and keeps it aside once you have edited it.',
      ]) + input.snippet('http/backsoon-staff.conf'),
      'who gets past planned maintenance: staff addresses and bypass tokens, yours to edit',
      true,
    );
  }
  const cacheFolder = (suffix: string): string => posix.join(layout.cacheParent, `backsoon-probe${suffix}`);
  const probeFile = posix.join(dir, 'backsoon-probe.conf');
  const notes: string[] = [];
  if (probeKinds.size > 0) {
    const turns = httpDefinition(http, defines.turns);
    if (!turns || turns.file === probeFile) {
      const text = input.snippet('http/backsoon-probe.conf').replace('/var/lib/nginx/backsoon-probe', cacheFolder(''));
      want(
        'backsoon-probe.conf',
        turns,
        header([
          `${stamp} from ${snippets}/http/backsoon-probe.conf,`,
          `with the probe's cache in ${cacheFolder('')}. Turns to go back follow the app's own`,
          'pace (a few at a time, each as the app answers one): there is no number to set.',
          'An upgrade rewrites this file only while it is as written here.',
        ]) + text,
        `the probe's cache (${cacheFolder('')}) and its turns to go back, at the app's own pace`,
      );
    }
    for (const kind of ['uwsgi', 'fastcgi'] as const) {
      if (!probeKinds.has(kind)) continue;
      const { file, zone, directive } = PROBE_HTTP[kind]!;
      const name = posix.basename(file);
      const suffix = `-${kind}`;
      want(
        name,
        httpDefinition(http, defines.cache(directive, zone)),
        header([`${stamp} from ${snippets}/${file}, with the cache in ${cacheFolder(suffix)}.`]) +
          input.snippet(file).replace(`/var/lib/nginx/backsoon-probe${suffix}`, cacheFolder(suffix)),
        `the ${kind} probe's cache (${cacheFolder(suffix)})`,
      );
    }
  }
  // An older backsoon's turns at a fixed rate: replaced with its file, in the way of the new one, or left over.
  const probeWrite = writes.find((w) => w.path === probeFile);
  walk(http?.block, (d, parents) => {
    if (parents.some((p) => p.name === 'server') || !isOldRateZone(d)) return;
    const rate = d.args.find((a) => a.startsWith('rate='))?.slice('rate='.length);
    const old = `turns at a fixed rate${rate ? ` (${rate})` : ''} from an older backsoon (${where(d)})`;
    if (d.file === probeFile && probeWrite?.state === 'upgrade') {
      notes.push(`${old}: upgraded with its file, the turns now follow the app's own pace`);
    } else if (d.file === probeFile && probeWrite?.state === 'yours') {
      cannot.push(
        `${old}: ${probeFile} is an older backsoon's http half, edited since or copied by hand, so it is kept; nginx -t refuses this version's probe without its zone backsoon_turns. Replace it with ${snippets}/http/backsoon-probe.conf (with your cache folder), then run the command again`,
      );
    } else if (
      probeWrite &&
      probeWrite.state !== 'yours' &&
      d.file !== probeFile &&
      httpDefinition(http, (c) => c.file === d.file && defines.cache('proxy_cache_path', 'backsoon_probe')(c))
    ) {
      cannot.push(
        `${old}: ${d.file} is an older backsoon's http half, besides the one the install writes (${probeFile}): nginx -t refuses the two (the probe's cache and zones twice). Remove it, or the line that includes it, then run the command again`,
      );
    } else {
      notes.push(`${old}: the kit's probe no longer uses this zone; it may be removed`);
    }
  });
  if (holdUsed && options.hold && layout.njs) {
    want(
      'backsoon-hold.conf',
      httpDefinition(http, defines.hold),
      header([`${stamp} from ${snippets}/http/backsoon-hold.conf.`]) + input.snippet('http/backsoon-hold.conf'),
      "the hold's script and its settings",
    );
  }

  // The http block reads the folder, or gets the line that makes it.
  if (layout.httpFolder.includeLine && writes.some((w) => w.state !== 'same' && w.state !== 'yours') && http) {
    const at = find(http, 'the http block');
    if (at) {
      const anchor = at.at.block?.find((d) => d.name === 'server' || d.name === 'include');
      const lines = [layout.httpFolder.includeLine];
      insertions.push(
        anchor
          ? insertBefore(http.file, at.text, anchor, lines, "the kit's files for the http block")
          : insertAtEnd(http.file, at.text, at.at, lines, "the kit's files for the http block"),
      );
    }
  }

  // Folders: the http files', the caches' parent (nginx makes only the last level), the roots.
  const dirs: string[] = [];
  const need = (path: string): void => {
    const missing: string[] = [];
    for (let d = path; d !== '/' && !input.isDir(d) && !dirs.includes(d); d = posix.dirname(d)) missing.unshift(d);
    dirs.push(...missing);
  };
  if (writes.some((w) => w.state === 'new')) need(dir);
  if (probeKinds.size > 0) need(layout.cacheParent);
  for (const root of roots.keys()) need(root);

  // One edit per real file, the insertions of every name it is read by.
  const byFile = new Map<string, FileEdit>();
  const keys = new Set<string>();
  for (const ins of insertions) {
    const path = input.realPath(ins.file);
    const key = `${path}\0${ins.offset}\0${ins.text}`;
    if (keys.has(key)) continue;
    keys.add(key);
    const file = locatedFile(ins.file);
    if ('error' in file) continue;
    const edit = byFile.get(path) ?? { path, names: [], before: file.text, after: file.text, insertions: [] };
    if (!edit.names.includes(ins.file)) edit.names.push(ins.file);
    edit.insertions.push(ins);
    byFile.set(path, edit);
  }
  for (const edit of byFile.values()) edit.after = applyInsertions(edit.before, edit.insertions);

  return {
    servers,
    edits: [...byFile.values()],
    writes,
    dirs,
    roots: [...roots].map(([path, names]) => ({ path, servers: names })),
    cannot,
    turns: probeKinds.size > 0,
    notes,
  };
}

/** How the configuration names a file of the http folder (for the report). */
export function describePath(layout: Layout, path: string): string {
  return confPath(layout.confDir, path);
}
