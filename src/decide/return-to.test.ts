import { describe, expect, it } from 'vitest';
import { reloadAsGetUrl, returnNavigation } from './return-to.js';

describe('returnNavigation', () => {
  it('replaces the entry with a fresh load of the same URL when there is no fragment', () => {
    expect(returnNavigation('http://example.test/deep/path?q=1&x=%20y')).toBe('replace');
  });

  it('reloads when the URL has a fragment, which replace() would treat as a same-document jump', () => {
    expect(returnNavigation('http://example.test/a#section')).toBe('reload');
  });
});

describe('reloadAsGetUrl', () => {
  it('is the page’s own URL without its fragment', () => {
    expect(reloadAsGetUrl('http://example.test/form?step=2#total')).toBe('http://example.test/form?step=2');
    expect(reloadAsGetUrl('http://example.test/form?step=2')).toBe('http://example.test/form?step=2');
  });
});
