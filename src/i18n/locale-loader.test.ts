import { describe, expect, it, vi } from 'vitest';
import en from './locales/en.js';
import de from './locales/de.js';
import { isCompleteMessages, loadMessages } from './locale-loader.js';

describe('loading a language', () => {
  it('accepts a file with every string, and nothing less', () => {
    expect(isCompleteMessages(de, en)).toBe(true);
    expect(isCompleteMessages({ ...de, tryNow: '' }, en)).toBe(false);
    const { tryNow: _dropped, ...partial } = de;
    expect(isCompleteMessages(partial, en)).toBe(false);
    expect(isCompleteMessages('de', en)).toBe(false);
  });

  it('fetches /__backsoon/locales/<tag>.json and falls back on anything wrong', async () => {
    // The loader asks by path (a string).
    const fetch = vi.fn(async (url: string | URL | Request) =>
      (url as string).endsWith('/de.json') ? new Response(JSON.stringify(de)) : new Response('nope', { status: 404 }),
    );
    expect(await loadMessages('de', en, fetch)).toEqual(de);
    expect(fetch).toHaveBeenCalledWith('/__backsoon/locales/de.json', expect.anything());
    expect(await loadMessages('fr', en, fetch)).toBeUndefined();
    expect(await loadMessages('../secret', en, fetch)).toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});
