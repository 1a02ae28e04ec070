/**
 * A unified diff (`diff -u`'s format) between two texts, for `--dry-run`
 * and the report: what the install or the uninstall changes in a file,
 * line by line, with three lines of context.
 */

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** The edit script between two lists of lines: a longest common subsequence, the common ends trimmed first. */
function lineOps(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  // lengths[i][j]: the longest common subsequence of midA[i..] and midB[j..].
  const lengths = Array.from({ length: midA.length + 1 }, () => new Uint32Array(midB.length + 1));
  for (let i = midA.length - 1; i >= 0; i--)
    for (let j = midB.length - 1; j >= 0; j--)
      lengths[i]![j] =
        midA[i] === midB[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ kind: ' ', line: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < midA.length || j < midB.length) {
    if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
      ops.push({ kind: ' ', line: midA[i]!, a: head + i, b: head + j });
      i++;
      j++;
    } else if (i < midA.length && (j === midB.length || lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) {
      // Removed lines before added ones, as diff writes them.
      ops.push({ kind: '-', line: midA[i]!, a: head + i, b: head + j });
      i++;
    } else {
      ops.push({ kind: '+', line: midB[j]!, a: head + i, b: head + j });
      j++;
    }
  }
  for (let k = 0; k < tail; k++)
    ops.push({ kind: ' ', line: a[a.length - tail + k]!, a: a.length - tail + k, b: b.length - tail + k });
  return ops;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** A hunk's range as `diff -u` writes it: `start,count`, or `start-1,0` for an empty side. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/**
 * The unified diff from `before` to `after`, with `---`/`+++` lines naming
 * them; the empty string when they are equal. `before` undefined is a new
 * file, `after` undefined a removed one.
 */
export function unifiedDiff(
  beforeName: string,
  afterName: string,
  before: string | undefined,
  after: string | undefined,
  context = 3,
): string {
  if (before === after) return '';
  const a = splitLines(before ?? '');
  const b = splitLines(after ?? '');
  const ops = lineOps(a, b);
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) {
    // Only the final newline differs.
    return `--- ${beforeName}\n+++ ${afterName}\n(only the newline at the end of the file differs)\n`;
  }
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length - 1, index + context);
    const last = hunks.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else hunks.push([from, to]);
  }
  const out = [
    `--- ${before === undefined ? '/dev/null' : beforeName}`,
    `+++ ${after === undefined ? '/dev/null' : afterName}`,
  ];
  for (const [from, to] of hunks) {
    const slice = ops.slice(from, to + 1);
    const aCount = slice.filter((op) => op.kind !== '+').length;
    const bCount = slice.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(slice[0]!.a, aCount)} +${range(slice[0]!.b, bCount)} @@`);
    for (const op of slice) out.push(`${op.kind}${op.line}`);
  }
  return `${out.join('\n')}\n`;
}
