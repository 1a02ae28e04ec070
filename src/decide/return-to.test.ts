import { describe, expect, it, vi } from 'vitest';
import { returnNavigation, returnToUrl } from './return-to.js';

describe('returning to the URL', () => {
  it('replaces the entry with a fresh load of the same URL when there is no fragment', () => {
    const location = { href: 'http://example.test/deep/path?q=1&x=%20y', replace: vi.fn(), reload: vi.fn() };
    returnToUrl(location);
    expect(location.replace).toHaveBeenCalledWith('http://example.test/deep/path?q=1&x=%20y');
    expect(location.reload).not.toHaveBeenCalled();
  });

  it('reloads when the URL has a fragment, which replace() would treat as a same-document jump', () => {
    expect(returnNavigation('http://example.test/a#section')).toBe('reload');
    const location = { href: 'http://example.test/a#section', replace: vi.fn(), reload: vi.fn() };
    returnToUrl(location);
    expect(location.reload).toHaveBeenCalledOnce();
    expect(location.replace).not.toHaveBeenCalled();
  });
});
