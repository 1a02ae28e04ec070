import { describe, expect, it } from 'vitest';
import { withPart } from './results-file.js';

describe('withPart', () => {
  it('starts a new file with the title and the part', () => {
    expect(withPart('', 'load', '## Load\nrows')).toBe(
      '# backsoon benchmark results\n\n<!-- part: load -->\n## Load\nrows\n<!-- end of part: load -->\n',
    );
  });

  it('replaces its own part in place and keeps the others', () => {
    const text = withPart(withPart(withPart('', 'a', 'one'), 'b', 'two'), 'c', 'three');
    const next = withPart(text, 'b', 'TWO');
    expect(next).toContain('one');
    expect(next).toContain('three');
    expect(next).not.toContain('two');
    expect(next.indexOf('one')).toBeLessThan(next.indexOf('TWO'));
    expect(next.indexOf('TWO')).toBeLessThan(next.indexOf('three'));
  });

  it('adds a part at the end of a file written before parts existed', () => {
    expect(withPart('# old\n\ntext\n', 'load', 'rows')).toBe(
      '# old\n\ntext\n\n<!-- part: load -->\nrows\n<!-- end of part: load -->\n',
    );
  });
});
