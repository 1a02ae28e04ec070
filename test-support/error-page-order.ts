import { dirname, join } from 'node:path/posix';
import { parseNginxConfig, serverBlocks, splitNginxDump, type Directive } from './nginx-config-parse.js';

/**
 * nginx uses the first `error_page` line of a server for a status and
 * ignores later ones without a word, `nginx -t` included. A server whose
 * `error_page 500 502 503 504 /50x.html;` (nginx.org's stock default.conf
 * has it) comes before backsoon's include keeps its own page: backsoon's
 * is never served. These functions find such lines.
 */

/** backsoon's statuses by include file name, for an include whose text is not at hand. */
const BACKSOON_INCLUDES: Readonly<Record<string, readonly number[]>> = {
  'backsoon.conf': [502, 504],
  'backsoon-maintenance.conf': [503],
};

/** How deep includes are followed: nginx itself stops a loop at a similar depth. */
const MAX_INCLUDE_DEPTH = 32;

/** An `error_page` line that comes before backsoon's and takes some of its statuses. */
export interface ShadowingErrorPage {
  /** backsoon's statuses that this line takes, ascending. */
  codes: number[];
  /** The line as nginx reads it: `error_page 500 502 503 504 /50x.html`. */
  directive: string;
  /** The file it is in, when known (an `nginx -T` dump names it). */
  file: string | undefined;
  /** Its line in that file. */
  line: number;
  /** What is wrong and what to do, in a sentence. */
  message: string;
}

/**
 * The files an `include` argument names, parsed, or `undefined` when they
 * are not at hand (the check then knows backsoon's includes by name).
 */
export type IncludeResolver = (pattern: string) => { file: string; directives: Directive[] }[] | undefined;

/** The statuses of an `error_page` directive's arguments (`500 502 =200 /x` → 500, 502). */
function statuses(args: string[]): number[] {
  return args.filter((a) => /^[3-5]\d\d$/.test(a)).map(Number);
}

/** backsoon's own lines send to its variables (`$backsoon_crash_page`). */
function isBacksoons(args: string[]): boolean {
  return args.at(-1)?.startsWith('$backsoon_') ?? false;
}

/**
 * The `error_page` lines of one server block that come before backsoon's
 * and take its statuses, following includes with `resolve`. Lines inside
 * `location` blocks are not the server's and are not counted.
 */
export function findShadowingErrorPages(server: Directive[], resolve: IncludeResolver = () => undefined, file?: string): ShadowingErrorPage[] {
  /** The first line that claimed each status, if it is not backsoon's. */
  const claimed = new Map<number, { directive: Directive; file: string | undefined } | 'backsoon'>();
  const found = new Map<Directive, { file: string | undefined; codes: Set<number> }>();

  const backsoonClaims = (codes: readonly number[]): void => {
    for (const code of codes) {
      const first = claimed.get(code);
      if (first === undefined) claimed.set(code, 'backsoon');
      else if (first !== 'backsoon') {
        const entry = found.get(first.directive) ?? { file: first.file, codes: new Set<number>() };
        entry.codes.add(code);
        found.set(first.directive, entry);
      }
    }
  };

  const visit = (directives: Directive[], inFile: string | undefined, depth: number): void => {
    if (depth > MAX_INCLUDE_DEPTH) throw new Error(`includes nested deeper than ${MAX_INCLUDE_DEPTH}: a loop?`);
    for (const d of directives) {
      if (d.name === 'error_page') {
        const codes = statuses(d.args);
        if (isBacksoons(d.args)) backsoonClaims(codes);
        else for (const code of codes) if (!claimed.has(code)) claimed.set(code, { directive: d, file: inFile });
      } else if (d.name === 'include' && d.args[0] !== undefined) {
        const files = resolve(d.args[0]);
        if (files) for (const f of files) visit(f.directives, f.file, depth + 1);
        else backsoonClaims(BACKSOON_INCLUDES[d.args[0].split('/').at(-1)!] ?? []);
      }
    }
  };
  visit(server, file, 0);

  return [...found].map(([directive, { file: where, codes }]) => {
    const sorted = [...codes].sort((a, b) => a - b);
    const text = ['error_page', ...directive.args].join(' ');
    return {
      codes: sorted,
      directive: text,
      file: where,
      line: directive.line,
      message:
        `${where ?? 'server block'}:${directive.line}: "${text}" comes before backsoon's include and takes ${sorted.join(', ')}: ` +
        `nginx uses the first error_page line for a status, so backsoon's page is never served for ${sorted.length > 1 ? 'them' : 'it'}. ` +
        `Put backsoon's includes above it, or take ${sorted.join(', ')} out of it.`,
    };
  });
}

/** A glob of an `include` line (`*`, `?`) as a regular expression on whole paths. */
function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`);
}

/**
 * Every shadowing `error_page` line of every server block in an `nginx -T`
 * dump (what `backsoon check` reads). Relative includes are read from the
 * directory of the first file, the main configuration, as nginx does.
 */
export function checkErrorPageOrder(dump: string): ShadowingErrorPage[] {
  const files = splitNginxDump(dump);
  const main = files.keys().next().value;
  if (main === undefined) throw new Error('not an `nginx -T` dump: no "# configuration file" line');
  const parsed = new Map<string, Directive[]>();
  const directivesOf = (path: string): Directive[] => {
    let directives = parsed.get(path);
    if (!directives) {
      directives = parseNginxConfig(files.get(path)!);
      parsed.set(path, directives);
    }
    return directives;
  };
  const resolve: IncludeResolver = (pattern) => {
    const absolute = pattern.startsWith('/') ? pattern : join(dirname(main), pattern);
    if (/[*?]/.test(absolute)) {
      const matcher = globToRegExp(absolute);
      return [...files.keys()].filter((path) => matcher.test(path)).map((path) => ({ file: path, directives: directivesOf(path) }));
    }
    return files.has(absolute) ? [{ file: absolute, directives: directivesOf(absolute) }] : undefined;
  };
  return [...files.keys()].flatMap((path) =>
    serverBlocks(directivesOf(path)).flatMap((server) => findShadowingErrorPages(server.block ?? [], resolve, path)),
  );
}
