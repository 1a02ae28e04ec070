import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('writes diff -u’s hunks: three lines of context, ranges as start,count', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n';
    const after = ['a', 'b', 'c', 'd', 'X', 'e', 'f', 'g', 'h', 'i', 'Y'].join('\n') + '\n';
    expect(unifiedDiff('f', 'f (new)', before, after)).toBe(
      [
        '--- f',
        '+++ f (new)',
        '@@ -2,9 +2,10 @@',
        ' b',
        ' c',
        ' d',
        '+X',
        ' e',
        ' f',
        ' g',
        ' h',
        ' i',
        '-j',
        '+Y',
        '',
      ].join('\n'),
    );
  });

  it('keeps far changes in hunks of their own', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const after = [...lines];
    after.splice(1, 0, 'first');
    after.push('last');
    const diff = unifiedDiff('x', 'y', `${lines.join('\n')}\n`, `${after.join('\n')}\n`);
    expect(diff.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,4 +1,5 @@', '@@ -18,3 +19,4 @@']);
  });

  it('gives nothing for equal texts, and /dev/null for a new or a removed file', () => {
    expect(unifiedDiff('a', 'b', 'x\n', 'x\n')).toBe('');
    expect(unifiedDiff('a', 'b', undefined, 'x\n')).toBe('--- /dev/null\n+++ b\n@@ -0,0 +1 @@\n+x\n');
    expect(unifiedDiff('a', 'b', 'x\n', undefined)).toBe('--- a\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n');
  });
});
