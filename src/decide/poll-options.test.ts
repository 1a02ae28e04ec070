import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_OPTIONS, POLL_OPTION_NAMES, attributeName, resolvePollOptions } from './poll-options.js';

describe('resolvePollOptions', () => {
  it('fills in every default', () => {
    expect(resolvePollOptions()).toEqual(DEFAULT_POLL_OPTIONS);
    expect(resolvePollOptions({ retries: 5 })).toEqual({ ...DEFAULT_POLL_OPTIONS, retries: 5 });
  });

  it('names an unknown option', () => {
    expect(() => resolvePollOptions({ retry: 5 })).toThrow(new TypeError('backsoon: unknown poll option "retry"'));
    expect(() => resolvePollOptions({ toString: 5 })).toThrow(/unknown poll option "toString"/);
  });

  it('names the option whose value is wrong', () => {
    expect(() => resolvePollOptions({ retries: 0 })).toThrow(/option "retries" must be a whole number/);
    expect(() => resolvePollOptions({ minTimeout: Number.NaN })).toThrow(/option "minTimeout" must be a finite number/);
    expect(() => resolvePollOptions({ factor: 0.5 })).toThrow(/option "factor"/);
    expect(() => resolvePollOptions({ timeout: '5' })).toThrow(/option "timeout" must be a finite number \(got 5\)/);
    expect(() => resolvePollOptions({ maxTimeout: 500 })).toThrow(
      /option "maxTimeout" must be a number of at least minTimeout/,
    );
  });
});

describe('attributeName', () => {
  it('is the option in kebab-case', () => {
    expect(attributeName('maxRetryAfter')).toBe('max-retry-after');
    expect(attributeName('retries')).toBe('retries');
  });

  // The built pages, the e2e specs and integrators' pages spell the attributes so.
  it('gives every option the attribute it has always had', () => {
    expect(POLL_OPTION_NAMES.map(attributeName)).toEqual([
      'retries',
      'max-retry-time',
      'min-timeout',
      'quick-period',
      'factor',
      'max-timeout',
      'max-retry-after',
      'return-spread',
      'timeout',
    ]);
  });
});

describe('the Options table of docs/how-the-page-decides.md', () => {
  /** The rows of the table under "## Options": option, attribute and default, as written. */
  function readmeRows(): string[][] {
    const readme = readFileSync(new URL('../../docs/how-the-page-decides.md', import.meta.url), 'utf8');
    const section = /^## Options\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    return section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .split('|')
          .slice(1, 4)
          .map((cell) => cell.trim()),
      );
  }

  it('lists every option of POLL_OPTIONS, in its order, and nothing else', () => {
    expect(readmeRows().map(([option]) => option)).toEqual(POLL_OPTION_NAMES.map((name) => `\`${name}\``));
  });

  it('gives each its attribute and its default', () => {
    const rows = readmeRows().map(([option, attribute, given]) => [
      option,
      attribute,
      // "7 200 000 (2 h)" → 7200000
      Number(given!.replace(/\(.*\)/, '').replace(/\s/g, '')),
    ]);
    expect(rows).toEqual(
      POLL_OPTION_NAMES.map((name) => [`\`${name}\``, `\`${attributeName(name)}\``, DEFAULT_POLL_OPTIONS[name]]),
    );
  });
});
