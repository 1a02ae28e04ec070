import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppCheck, checkUrl, deadline } from './check.js';
import { PATHS } from '../protocol.js';

const { probe: PROBE_URL, admit: ADMIT_URL } = PATHS;

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-21T14:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const marked = (marker = 'crash') =>
  new Response(null, {
    status: marker === 'busy' ? 429 : 502,
    headers: { 'X-Backsoon': marker, 'Retry-After': '30' },
  });
/** What the probe answers when the app answered it: the app's status, and the probe's header. */
const probeUp = () => new Response(null, { status: 200, headers: { 'X-Backsoon-Probe': '1' } });
/** What a server without the probe answers: its static 404, no marker, no probe header. */
const noProbe = () => new Response(null, { status: 404 });
const appUp = () => new Response(null, { status: 200 });

const options = (fetch: typeof globalThis.fetch) => ({ signal: new AbortController().signal, now: Date.now, fetch });

/** A fake network: each URL answers with the next response of its list. */
function network(answers: Record<string, (() => Response)[]>) {
  const asked: string[] = [];
  const fetch = vi.fn(async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    asked.push(url);
    const next = answers[url]?.shift();
    if (!next) throw new TypeError(`no answer for ${url}`);
    return next();
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, asked };
}

describe('checkUrl', () => {
  it('asks with one HEAD request that no cache answers and that does not follow redirects', async () => {
    const fetch = vi.fn(async () => marked());
    const verdict = await checkUrl('http://example.test/a?b=1', options(fetch));
    expect(verdict).toEqual({ outcome: 'away', reason: 'crash', retryAfter: 30_000 });
    expect(fetch).toHaveBeenCalledWith(
      'http://example.test/a?b=1',
      expect.objectContaining({ method: 'HEAD', cache: 'no-store', redirect: 'manual', credentials: 'omit' }),
    );
  });

  it('counts a network error as unreachable', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await checkUrl('/', options(fetch))).toEqual({ outcome: 'away', reason: 'unreachable' });
  });
});

describe('deadline', () => {
  it('aborts after the timeout, and not before', async () => {
    const limit = deadline(new AbortController().signal, 5000);
    await vi.advanceTimersByTimeAsync(4999);
    expect(limit.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(limit.signal.aborted).toBe(true);
  });

  it('aborts with the outer signal, and clear() leaves no timer behind', () => {
    const outer = new AbortController();
    const limit = deadline(outer.signal, 5000);
    outer.abort();
    expect(limit.signal.aborted).toBe(true);
    limit.clear();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('abandons a check that hangs past the timeout', async () => {
    const fetch = vi.fn(
      (_url: string | URL | Request, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const limit = deadline(new AbortController().signal, 5000);
    const pending = checkUrl('/', { signal: limit.signal, now: Date.now, fetch });
    await vi.advanceTimersByTimeAsync(5000);
    await expect(pending).resolves.toEqual({ outcome: 'away', reason: 'unreachable' });
    limit.clear();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('AppCheck', () => {
  it('asks the shared probe, not the page’s own URL, while the app is down', async () => {
    const net = network({ [PROBE_URL]: [() => marked(), () => marked()] });
    const check = new AppCheck('http://example.test/deep?q=1', true);
    expect(await check.run(options(net.fetch))).toMatchObject({ outcome: 'away', reason: 'crash' });
    expect(await check.run(options(net.fetch))).toMatchObject({ outcome: 'away', reason: 'crash' });
    expect(net.asked).toEqual([PROBE_URL, PROBE_URL]);
  });

  it('asks for a turn once the probe says the app answers, and goes when given one', async () => {
    const net = network({ [PROBE_URL]: [probeUp], [ADMIT_URL]: [probeUp] });
    const check = new AppCheck('/deep', true);
    expect(await check.run(options(net.fetch))).toEqual({ outcome: 'back', admitted: true });
    expect(net.asked).toEqual([PROBE_URL, ADMIT_URL]);
  });

  it('turned away (busy), it awaits its turn, and next time asks straight for one', async () => {
    const net = network({ [PROBE_URL]: [probeUp], [ADMIT_URL]: [() => marked('busy'), () => marked('busy'), probeUp] });
    const check = new AppCheck('/deep', true);
    // The busy answer's Retry-After goes with it, for the schedule.
    expect(await check.run(options(net.fetch))).toEqual({ outcome: 'awaiting-turn', retryAfter: 30_000 });
    expect(await check.run(options(net.fetch))).toEqual({ outcome: 'awaiting-turn', retryAfter: 30_000 });
    expect(await check.run(options(net.fetch))).toEqual({ outcome: 'back', admitted: true });
    expect(net.asked).toEqual([PROBE_URL, ADMIT_URL, ADMIT_URL, ADMIT_URL]);
  });

  it('a visitor waiting for its turn who meets the crash again goes back to the plain probe', async () => {
    const net = network({
      [PROBE_URL]: [probeUp, () => marked()],
      [ADMIT_URL]: [() => marked('busy'), () => marked()],
    });
    const check = new AppCheck('/deep', true);
    await check.run(options(net.fetch));
    expect(await check.run(options(net.fetch))).toMatchObject({ outcome: 'away', reason: 'crash' });
    expect(await check.run(options(net.fetch))).toMatchObject({ outcome: 'away', reason: 'crash' });
    expect(net.asked).toEqual([PROBE_URL, ADMIT_URL, ADMIT_URL, PROBE_URL]);
  });

  it('a lost form never takes a turn: it only learns that the app is back', async () => {
    const net = network({ [PROBE_URL]: [probeUp] });
    const check = new AppCheck('/form', false);
    expect(await check.run(options(net.fetch))).toEqual({ outcome: 'back' });
    expect(net.asked).toEqual([PROBE_URL]);
  });

  it('on a server without the probe, asks its own URL from then on and goes without a turn', async () => {
    const net = network({ [PROBE_URL]: [noProbe], '/deep?q=1': [() => marked(), appUp] });
    const check = new AppCheck('/deep?q=1', true);
    expect(await check.run(options(net.fetch))).toMatchObject({ outcome: 'away', reason: 'crash' });
    expect(await check.run(options(net.fetch))).toEqual({ outcome: 'back' });
    expect(net.asked).toEqual([PROBE_URL, '/deep?q=1', '/deep?q=1']);
  });

  it('an unreachable server says nothing about the probe: it is asked again next time', async () => {
    const net = network({ [PROBE_URL]: [probeUp], [ADMIT_URL]: [probeUp] });
    const failing = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const check = new AppCheck('/deep', true);
    expect(await check.run(options(failing))).toEqual({ outcome: 'away', reason: 'unreachable' });
    expect(await check.run(options(net.fetch))).toEqual({ outcome: 'back', admitted: true });
    expect(net.asked).toEqual([PROBE_URL, ADMIT_URL]);
  });
});
