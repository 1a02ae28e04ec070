import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkUrl } from './check.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-21T14:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const marked = () => new Response(null, { status: 502, headers: { 'X-Backsoon': 'crash', 'Retry-After': '30' } });

describe('checkUrl', () => {
  it('asks with one HEAD request that no cache answers and that does not follow redirects', async () => {
    const fetch = vi.fn(async () => marked());
    const verdict = await checkUrl('http://example.test/a?b=1', {
      timeout: 5000,
      signal: new AbortController().signal,
      now: Date.now,
      fetch,
    });
    expect(verdict).toEqual({ down: true, kind: 'crash', retryAfter: 30_000 });
    expect(fetch).toHaveBeenCalledWith(
      'http://example.test/a?b=1',
      expect.objectContaining({ method: 'HEAD', cache: 'no-store', redirect: 'manual' }),
    );
  });

  it('counts a network error as unreachable', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const verdict = await checkUrl('/', { timeout: 5000, signal: new AbortController().signal, now: Date.now, fetch });
    expect(verdict).toEqual({ down: true, kind: 'unreachable' });
  });

  it('abandons a check that takes longer than the timeout', async () => {
    let seen: AbortSignal | undefined;
    const fetch = vi.fn(
      (_url: string | URL | Request, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          seen = init?.signal ?? undefined;
          seen?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const pending = checkUrl('/', { timeout: 5000, signal: new AbortController().signal, now: Date.now, fetch });
    await vi.advanceTimersByTimeAsync(4999);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toEqual({ down: true, kind: 'unreachable' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
