import { describe, expect, it, vi } from 'vitest';
import { reloadAsGet, returnToUrl } from './navigate.js';

describe('returnToUrl', () => {
  it('replaces the entry with a fresh load of the same URL when there is no fragment', () => {
    const location = { href: 'http://example.test/deep/path?q=1&x=%20y', replace: vi.fn(), reload: vi.fn() };
    returnToUrl(location);
    expect(location.replace).toHaveBeenCalledWith('http://example.test/deep/path?q=1&x=%20y');
    expect(location.reload).not.toHaveBeenCalled();
  });

  it('reloads when the URL has a fragment', () => {
    const location = { href: 'http://example.test/a#section', replace: vi.fn(), reload: vi.fn() };
    returnToUrl(location);
    expect(location.reload).toHaveBeenCalledOnce();
    expect(location.replace).not.toHaveBeenCalled();
  });
});

describe('reloadAsGet', () => {
  it('replaces the entry with the URL without its fragment, never reloading (which would send a form again)', () => {
    const location = { href: 'http://example.test/form#total', replace: vi.fn(), reload: vi.fn() };
    reloadAsGet(location);
    expect(location.replace).toHaveBeenCalledWith('http://example.test/form');
    expect(location.reload).not.toHaveBeenCalled();
  });
});
