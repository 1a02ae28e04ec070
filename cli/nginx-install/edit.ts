import type { LocatedDirective } from '../nginx-conf.js';

/**
 * Edits of an nginx file's text made the way certbot's nginx plugin makes
 * them, but in place: lines are inserted at a directive's offset, every
 * other byte (the operator's comments, blank lines, indentation) stays as
 * it was, and each added line ends with MARKER, so that the uninstall, or
 * the operator, finds exactly what the install added.
 */

/** The comment at the end of every line the install adds. */
export const MARKER = '# added by backsoon';

/** Text inserted into a file at an offset. */
export interface Insertion {
  /** The file as nginx names it (nginx -T); edits go to its real path. */
  file: string;
  offset: number;
  text: string;
  /** What the lines do, for the report. */
  why: string;
}

/** Applies insertions to a text, the later offsets first so that each offset stays right. */
export function applyInsertions(text: string, insertions: readonly Pick<Insertion, 'offset' | 'text'>[]): string {
  // Stable: two insertions at one offset keep their order.
  const sorted = insertions
    .map((ins, order) => ({ ...ins, order }))
    .sort((a, b) => b.offset - a.offset || b.order - a.order);
  let out = text;
  for (const { offset, text: added } of sorted) out = out.slice(0, offset) + added + out.slice(offset);
  return out;
}

/** Whether a line is one the install added. */
export function isMarkedLine(line: string): boolean {
  return line.trimEnd().endsWith(MARKER);
}

/**
 * The text without the lines the install added (those ending in MARKER):
 * what the uninstall does to a file the operator changed after the install,
 * so that their own changes stay. Says how many lines went.
 */
export function removeMarkedLines(text: string): { text: string; removed: number } {
  const lines = text.split('\n');
  const kept = lines.filter((line) => !isMarkedLine(line));
  return { text: kept.join('\n'), removed: lines.length - kept.length };
}

/** Where the line holding `offset` starts. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace that starts the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}

/** Whether only whitespace precedes `offset` on its line. */
function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

/** One level of indentation as the file writes it: a tab if its lines start with tabs, else four spaces (or the block's own step). */
export function indentUnit(text: string): string {
  const tabs = (text.match(/^\t+\S/gm) ?? []).length;
  const spaces = (text.match(/^ +\S/gm) ?? []).length;
  if (tabs > spaces) return '\t';
  const widths = (text.match(/^ +(?=\S)/gm) ?? []).map((s) => s.length).filter((n) => n > 0);
  const smallest = widths.length > 0 ? Math.min(...widths) : 4;
  return ' '.repeat(smallest >= 2 && smallest <= 8 ? smallest : 4);
}

/** The lines as they are written into the file: indented, each ending with the marker. */
export function markedLines(lines: readonly string[], indent: string, unit: string): string[] {
  let depth = 0;
  return lines.map((line) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('}')) depth--;
    const written = `${indent}${unit.repeat(Math.max(0, depth))}${trimmed} ${MARKER}`;
    if (trimmed.endsWith('{')) depth++;
    return written;
  });
}

/**
 * An insertion of `lines` (a block's content, `{` and `}` ending and
 * starting lines) just before a directive, at its indentation. A directive
 * that does not start its line gets the lines on lines of their own before
 * it.
 */
export function insertBefore(
  file: string,
  text: string,
  directive: LocatedDirective,
  lines: readonly string[],
  why: string,
): Insertion {
  const unit = indentUnit(text);
  if (startsLine(text, directive.start)) {
    const indent = indentAt(text, directive.start);
    const written = markedLines(lines, indent, unit);
    return { file, offset: lineStart(text, directive.start), text: `${written.join('\n')}\n`, why };
  }
  const indent = indentAt(text, directive.start) + unit;
  const written = markedLines(lines, indent, unit);
  return { file, offset: directive.start, text: `\n${written.join('\n')}\n${indent}`, why };
}

/**
 * An insertion of `lines` at the end of a block, before its `}`, indented
 * like the block's directives (or one step further than the block).
 */
export function insertAtEnd(
  file: string,
  text: string,
  block: LocatedDirective,
  lines: readonly string[],
  why: string,
): Insertion {
  if (block.close === undefined) throw new Error(`${file}:${block.line}: ${block.name} has no block`);
  const unit = indentUnit(text);
  const last = block.block?.at(-1);
  const blockIndent = indentAt(text, block.start);
  const inner = last && startsLine(text, last.start) ? indentAt(text, last.start) : blockIndent + unit;
  const written = markedLines(lines, inner, unit);
  if (startsLine(text, block.close)) {
    return { file, offset: lineStart(text, block.close), text: `${written.join('\n')}\n`, why };
  }
  // `location / { proxy_pass x; }` on one line: the lines go between, the brace on a line of its own.
  return { file, offset: block.close, text: `\n${written.join('\n')}\n${blockIndent}`, why };
}
