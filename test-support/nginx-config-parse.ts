/**
 * Reads nginx configuration text into directives, the way nginx's own
 * tokenizer (ngx_conf_read_token) splits it: words, quoted strings, `;`,
 * `{`, `}` and `#` comments. Written here rather than taken from npm: the
 * parsers there (nginx-conf and the like) group a block's directives by
 * name, which loses the order between an `include` and an `error_page`,
 * the very thing the checks built on this read.
 */

/** One directive: its name, its arguments (quotes removed), where it is, and the block it opens. */
export interface Directive {
  name: string;
  args: string[];
  /** 1-based line of the directive's name. */
  line: number;
  /** The directives inside its `{ … }`, for a block directive (server, location…). */
  block?: Directive[];
}

/** A configuration nginx itself would reject: the message says where. */
export class NginxSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'NginxSyntaxError';
  }
}

interface Token {
  text: string;
  /** `;`, `{`, `}` outside quotes: the structure, not a word. */
  special: boolean;
  line: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === ';' || ch === '{' || ch === '}') {
      tokens.push({ text: ch, special: true, line });
      i++;
      continue;
    }
    const start = line;
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== ch) {
        // nginx unescapes \" \' \\ \t \r \n inside quotes and keeps any other backslash.
        if (text[i] === '\\' && i + 1 < text.length) {
          const next = text[i + 1]!;
          const unescaped = { '"': '"', "'": "'", '\\': '\\', t: '\t', r: '\r', n: '\n' }[next];
          value += unescaped ?? `\\${next}`;
          i += 2;
          continue;
        }
        if (text[i] === '\n') line++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new NginxSyntaxError('unterminated quoted string', start);
      i++;
      tokens.push({ text: value, special: false, line: start });
      continue;
    }
    let word = '';
    while (i < text.length) {
      const c = text[i]!;
      // A quote inside a word is part of it: nginx opens quotes at a token's start only.
      if (/\s/.test(c) || c === ';') break;
      // `${name}` is a variable, not a block: nginx keeps its braces in the word.
      if (c === '{' && word.endsWith('$')) {
        const close = text.indexOf('}', i);
        if (close < 0) throw new NginxSyntaxError('unterminated ${…} variable', line);
        word += text.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (c === '{' || c === '}') break;
      if (c === '\\' && i + 1 < text.length) {
        word += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      word += c;
      i++;
    }
    tokens.push({ text: word, special: false, line: start });
  }
  return tokens;
}

/** Every directive of one configuration file, in order, blocks nested. Throws NginxSyntaxError on text nginx would reject. */
export function parseNginxConfig(text: string): Directive[] {
  const tokens = tokenize(text);
  let at = 0;
  const readBlock = (depth: number): Directive[] => {
    const directives: Directive[] = [];
    while (at < tokens.length) {
      const first = tokens[at]!;
      if (first.special && first.text === '}') {
        if (depth === 0) throw new NginxSyntaxError('unexpected "}"', first.line);
        at++;
        return directives;
      }
      if (first.special) throw new NginxSyntaxError(`unexpected "${first.text}"`, first.line);
      const directive: Directive = { name: first.text, args: [], line: first.line };
      at++;
      for (;;) {
        const token = tokens[at];
        if (!token) throw new NginxSyntaxError(`"${directive.name}" is not terminated by ";" or "{"`, directive.line);
        at++;
        if (!token.special) {
          directive.args.push(token.text);
          continue;
        }
        if (token.text === ';') break;
        if (token.text === '{') {
          directive.block = readBlock(depth + 1);
          break;
        }
        throw new NginxSyntaxError('unexpected "}"', token.line);
      }
      directives.push(directive);
    }
    if (depth > 0) throw new NginxSyntaxError('unexpected end of file, expecting "}"', tokens.at(-1)?.line ?? 1);
    return directives;
  };
  return readBlock(0);
}

/**
 * The files of an `nginx -T` dump, by path, in the order nginx read them.
 * nginx prints each file whole after a `# configuration file PATH:` line
 * and does not expand `include` lines in place: a check follows them here.
 */
export function splitNginxDump(dump: string): Map<string, string> {
  const files = new Map<string, string>();
  const header = /^# configuration file (.+):$/gm;
  const starts = [...dump.matchAll(header)];
  starts.forEach((match, index) => {
    const from = match.index + match[0].length + 1;
    const to = starts[index + 1]?.index ?? dump.length;
    files.set(match[1]!, dump.slice(from, to));
  });
  return files;
}

/** The `server { … }` blocks of a file, wherever they are (in `http`, or at the top of an included file). */
export function serverBlocks(directives: Directive[]): Directive[] {
  return directives.flatMap((d) => (d.name === 'server' && d.block ? [d] : d.name === 'http' && d.block ? serverBlocks(d.block) : []));
}
