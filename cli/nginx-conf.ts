import { posix } from 'node:path';

/**
 * nginx's configuration as `nginx -T` prints it: every file nginx read,
 * each under a `# configuration file PATH:` line, parsed into directives
 * and put back together by following the `include` lines, as nginx does.
 * Written here rather than taken from npm: the parsers there group a
 * block's directives by name, which loses the order between an `include`
 * and an `error_page`, the very thing `backsoon check` reads. The tests'
 * harness (e2e/error-page-order.spec.ts) reads nginx's output with this too.
 */

/** One directive: its name, arguments (quotes removed), block if any, and where it was written. */
export interface Directive {
  name: string;
  args: string[];
  /** The directives between its braces; undefined for a simple directive ending in `;`. */
  block?: Directive[] | undefined;
  file: string;
  line: number;
  /** The include lines that brought it in, outermost first ("file:line"). */
  via?: string[];
}

export class NginxConfError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'NginxConfError';
  }
}

const DUMP_HEADER = /^# configuration file (.+):$/;

/**
 * Splits `nginx -T` output into its files, by path, in the order nginx read
 * them. Lines before the first header (nginx's own "syntax is ok" lines,
 * when stderr went to the same place) are ignored.
 */
export function splitDump(text: string): Map<string, string> {
  const files = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    // nginx ends each file with an empty line of its own.
    if (current !== undefined) files.set(current, lines.join('\n').replace(/\n$/, ''));
  };
  for (const line of text.split('\n')) {
    const header = DUMP_HEADER.exec(line);
    if (header) {
      flush();
      current = header[1]!;
      lines = [];
    } else if (
      current !== undefined &&
      !/^nginx: (the )?configuration file .* (syntax is ok|test is successful)$/.test(line)
    ) {
      lines.push(line);
    }
  }
  flush();
  return files;
}

interface Token {
  text: string;
  /** `;`, `{` or `}` as syntax, not inside quotes. */
  punct: boolean;
  line: number;
  /** Where the token starts in the source (its opening quote, for a quoted string), and ends (just after it). */
  start: number;
  end: number;
}

/**
 * What nginx makes of a backslash and the character after it, in a word or
 * a quoted string alike: `\"`, `\'` and `\\` are the character, `\t`, `\r`
 * and `\n` the control character, and any other keeps its backslash (`\.`
 * in a regex stays `\.`).
 */
function unescape(next: string): string {
  return next === '"' || next === "'" || next === '\\'
    ? next
    : next === 'n'
      ? '\n'
      : next === 't'
        ? '\t'
        : next === 'r'
          ? '\r'
          : `\\${next}`;
}

/**
 * The words and the `;`, `{` and `}` of a file, as nginx's own tokenizer
 * (ngx_conf_read_token) reads them: a quote opens a quoted string only at
 * the start of a word (`a"b"` is one word), a `{` right after `$` is part of
 * a `${name}` variable, and `#` starts a comment only where a word could.
 */
function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push({ text: c, punct: true, line, start: i, end: i + 1 });
      i++;
    } else if (c === '"' || c === "'") {
      const start = line;
      const from = i;
      let text = '';
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === '\\' && i + 1 < source.length) {
          text += unescape(source[i + 1]!);
          i += 2;
          continue;
        }
        if (source[i] === '\n') line++;
        text += source[i];
        i++;
      }
      if (i >= source.length) throw new NginxConfError(file, start, 'a quoted string is not closed');
      i++;
      tokens.push({ text, punct: false, line: start, start: from, end: i });
    } else {
      const from = i;
      let text = '';
      while (i < source.length) {
        const d = source[i]!;
        if (/\s/.test(d) || d === ';') break;
        // `{` opens a block, but for `${name}`.
        if (d === '{' && !text.endsWith('$')) break;
        // `}` ends a word only outside `${…}`.
        if (d === '}' && !/\$\{[^}]*$/.test(text)) break;
        if (d === '\\' && i + 1 < source.length) {
          text += unescape(source[i + 1]!);
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      tokens.push({ text, punct: false, line, start: from, end: i });
    }
  }
  return tokens;
}

/**
 * A directive with where it is written in its file's text, for editing the
 * file in place: offsets in UTF-16 code units of the source string.
 */
export interface LocatedDirective extends Directive {
  block?: LocatedDirective[] | undefined;
  /** The first character of its name. */
  start: number;
  /** Just after its `;`, or after the `}` that closes its block. */
  end: number;
  /** For a block: its `{` and its `}`. */
  open?: number;
  close?: number;
}

function parseTokens(tokens: Token[], file: string, located: boolean): LocatedDirective[] {
  let at = 0;
  const parseBlock = (closing: boolean): LocatedDirective[] => {
    const directives: LocatedDirective[] = [];
    let words: Token[] = [];
    while (at < tokens.length) {
      const token = tokens[at++]!;
      if (!token.punct) {
        words.push(token);
        continue;
      }
      if (token.text === '}') {
        if (!closing) throw new NginxConfError(file, token.line, 'unexpected "}"');
        if (words.length > 0) throw new NginxConfError(file, token.line, `"${words[0]!.text}" has no ";" before "}"`);
        at--;
        return directives;
      }
      const [name, ...args] = words;
      if (!name) throw new NginxConfError(file, token.line, `unexpected "${token.text}"`);
      const directive = { name: name.text, args: args.map((w) => w.text), file, line: name.line } as LocatedDirective;
      if (located) Object.assign(directive, { start: name.start, end: token.end });
      if (token.text === '{') {
        directive.block = parseBlock(true);
        const close = tokens[at++];
        if (!close) throw new NginxConfError(file, tokens.at(-1)?.line ?? 1, 'a block is not closed');
        if (located) Object.assign(directive, { open: token.start, close: close.start, end: close.end });
      }
      directives.push(directive);
      words = [];
    }
    if (closing) throw new NginxConfError(file, tokens.at(-1)?.line ?? 1, 'a block is not closed');
    if (words.length > 0) throw new NginxConfError(file, words[0]!.line, `"${words[0]!.text}" has no ";"`);
    return directives;
  };
  return parseBlock(false);
}

/** Parses one file's text into directives. @throws NginxConfError on unbalanced braces or a missing `;` */
export function parseConf(source: string, file: string): Directive[] {
  return parseTokens(tokenize(source, file), file, false);
}

/**
 * Parses one file's text into directives that say where they are written
 * (LocatedDirective), so that an edit can insert or remove text in place
 * and leave every other byte, the operator's comments and layout, as it is.
 * @throws NginxConfError as parseConf does
 */
export function parseConfLocated(source: string, file: string): LocatedDirective[] {
  return parseTokens(tokenize(source, file), file, true);
}

/** A shell glob of nginx's `include` (`*`, `?`, `[…]`) as a regular expression over whole paths. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * The whole configuration as one tree, from `nginx -T` output: the first
 * file is the main one, and each `include` is replaced by the directives
 * of the files it names (relative paths are relative to the main file's
 * folder, globs matched in name order), each marked with the include
 * lines that brought it in.
 */
export function loadDump(text: string): Directive[] {
  const files = splitDump(text);
  const [main] = files.keys();
  if (main === undefined) throw new Error('no "# configuration file" line: this is not the output of `nginx -T`');
  const parsed = new Map<string, Directive[]>();
  for (const [path, source] of files) parsed.set(path, parseConf(source, path));
  const prefix = posix.dirname(main);

  const expand = (directives: Directive[], via: string[], depth: number): Directive[] => {
    if (depth > 32) throw new Error(`includes nested too deep at ${via.at(-1)}`);
    const out: Directive[] = [];
    for (const d of directives) {
      const withVia: Directive = via.length > 0 ? { ...d, via } : { ...d };
      if (d.name === 'include' && d.args.length === 1) {
        const pattern = posix.resolve(prefix, d.args[0]!);
        const matcher = globToRegExp(pattern);
        const matches = [...parsed.keys()].filter((path) => matcher.test(path)).sort();
        const here = [...via, `${d.file}:${d.line}`];
        out.push({ ...withVia, block: undefined });
        for (const path of matches) out.push(...expand(parsed.get(path)!, here, depth + 1));
        continue;
      }
      if (d.block) withVia.block = expand(d.block, via, depth);
      out.push(withVia);
    }
    return out;
  };
  return expand(parsed.get(main)!, [], 0);
}

/** The directives named `name` directly in a block. */
export function children(block: Directive[] | undefined, name: string): Directive[] {
  return (block ?? []).filter((d) => d.name === name);
}

/** Where a directive was written, with the include that brought it in. */
export function where(d: Directive): string {
  const at = `${d.file}:${d.line}`;
  return d.via && d.via.length > 0 ? `${at} (included at ${d.via.at(-1)})` : at;
}
