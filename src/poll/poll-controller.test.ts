import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveController } from 'lit';
import { PollController, type PollEnvironment, type PollSetup, type PollEventDetail } from './poll-controller.js';
import { DEFAULT_POLL_OPTIONS } from '../decide/poll-options.js';
import { RETURN_RECORD_KEY } from './return-record-storage.js';
import { PATHS } from '../protocol.js';

const URL_ASKED = 'http://example.test/deep/path?q=1&x=%20y#section';

/** A Lit host without a DOM: what the controller needs of one. */
class FakeHost extends EventTarget {
  controllers: ReactiveController[] = [];
  updates = 0;
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates += 1;
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

function environment(respond: () => Response | Promise<Response>) {
  const store = new Map<string, string>();
  const document = Object.assign(new EventTarget(), { hidden: false });
  const window = new EventTarget();
  const location = { href: URL_ASKED, replace: vi.fn(), reload: vi.fn() };
  const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => respond());
  const env: PollEnvironment = {
    location,
    document,
    window,
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
    fetch,
    now: () => Date.now(),
    random: () => 0.5,
  };
  return { env, store, document, window, location, fetch };
}

const crash: PollSetup = { options: DEFAULT_POLL_OPTIONS, variant: 'crash', unsent: false };
/** The controller under test on `host`, in `world`, with `setup` (read at each use, as the element's is). */
function controllerOn(host: FakeHost, world: ReturnType<typeof environment>, setup: () => PollSetup = () => crash) {
  return new PollController(host, setup, () => world.env);
}
const down = () => new Response(null, { status: 502, headers: { 'X-Backsoon': 'crash' } });

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-21T14:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('PollController', () => {
  it('starts checking through the shared probe when the host connects', async () => {
    const host = new FakeHost();
    const world = environment(down);
    const controller = controllerOn(host, world);
    expect(host.controllers).toEqual([controller]);
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000);
    expect(world.fetch.mock.calls).toEqual([[PATHS.probe, expect.objectContaining({ method: 'HEAD' })]]);
    expect(controller.snapshot).toMatchObject({ state: 'waiting', attempt: 1 });
    controller.hostDisconnected();
  });

  it('redraws the countdown once a second while waiting', async () => {
    const host = new FakeHost();
    const controller = new PollController(
      host,
      () => ({
        ...crash,
        options: { ...DEFAULT_POLL_OPTIONS, quickPeriod: 0, minTimeout: 10_000, maxTimeout: 10_000 },
      }),
      () => environment(down).env,
    );
    controller.hostConnected();
    const before = host.updates;
    await vi.advanceTimersByTimeAsync(5000);
    expect(host.updates - before).toBe(5);
    controller.hostDisconnected();
  });

  it('redraws the countdown once a second while the visitor awaits a turn', async () => {
    const host = new FakeHost();
    const world = environment(down);
    world.fetch.mockImplementation(async (url) =>
      url === PATHS.admit
        ? new Response(null, { status: 429, headers: { 'X-Backsoon': 'busy' } })
        : new Response(null, { status: 200, headers: { 'X-Backsoon-Probe': '1' } }),
    );
    const options = { ...DEFAULT_POLL_OPTIONS, quickPeriod: 0, minTimeout: 10_000, maxTimeout: 10_000 };
    const controller = controllerOn(host, world, () => ({ ...crash, options }));
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(controller.snapshot).toMatchObject({ state: 'awaiting-turn', attempt: 1 });
    const before = host.updates;
    await vi.advanceTimersByTimeAsync(5000);
    expect(host.updates - before).toBe(5);
    controller.hostDisconnected();
  });

  it('dispatches bubbling, composed events from the host with attempt and elapsed time', async () => {
    const host = new FakeHost();
    const seen: CustomEvent<PollEventDetail>[] = [];
    for (const name of ['backsoon-attempt', 'backsoon-back'])
      host.addEventListener(name, (e) => seen.push(e as CustomEvent<PollEventDetail>));
    let up = false;
    const world = environment(() => (up ? new Response('app', { status: 500 }) : down()));
    const controller = controllerOn(host, world);
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000);
    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen.map((e) => [e.type, e.detail, e.bubbles, e.composed])).toEqual([
      ['backsoon-attempt', { attempt: 1, elapsed: 1000 }, true, true],
      ['backsoon-attempt', { attempt: 2, elapsed: 2000 }, true, true],
      ['backsoon-back', { attempt: 2, elapsed: 2000 }, true, true],
    ]);
    expect(seen[2]?.cancelable).toBe(true);
  });

  it('sends the visitor back by reloading the URL with its fragment, and remembers it for the loop guard', async () => {
    const host = new FakeHost();
    const world = environment(() => new Response('app'));
    const controller = controllerOn(host, world);
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000);
    expect(world.location.reload).toHaveBeenCalledOnce();
    expect(JSON.parse(world.store.get(RETURN_RECORD_KEY) ?? '')).toEqual({
      url: URL_ASKED,
      at: Date.now(),
      bounces: 0,
    });
  });

  it('slows down when the visitor lands on the page again right after being sent back', async () => {
    const host = new FakeHost();
    const world = environment(down);
    world.store.set(RETURN_RECORD_KEY, JSON.stringify({ url: URL_ASKED, at: Date.now() - 2000, bounces: 0 }));
    const controller = controllerOn(host, world);
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000);
    expect(world.fetch).not.toHaveBeenCalled();
    expect(controller.snapshot.nextCheckAt! - Date.now()).toBeGreaterThan(1000);
    controller.hostDisconnected();
  });

  it('cleans up on disconnect: no timer, no listener, no fetch in flight', async () => {
    const host = new FakeHost();
    let signal: AbortSignal | undefined;
    const world = environment(() => new Promise<Response>(() => {}));
    world.fetch.mockImplementation(async (_url, init) => {
      signal = init?.signal ?? undefined;
      return new Promise<Response>(() => {});
    });
    const docAdd = vi.spyOn(world.document, 'addEventListener');
    const docRemove = vi.spyOn(world.document, 'removeEventListener');
    const winAdd = vi.spyOn(world.window, 'addEventListener');
    const winRemove = vi.spyOn(world.window, 'removeEventListener');
    const controller = controllerOn(host, world);
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000);
    expect(controller.snapshot.state).toBe('checking');
    controller.hostDisconnected();
    expect(signal?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(docRemove.mock.calls).toEqual(docAdd.mock.calls);
    expect(winRemove.mock.calls).toEqual(winAdd.mock.calls);
    const updates = host.updates;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(host.updates).toBe(updates);
  });

  it('reads maintenance.json during maintenance and paces the checks to its end', async () => {
    const host = new FakeHost();
    const until = Date.now() + 120_000;
    const world = environment(down);
    world.fetch.mockImplementation(async (url) =>
      url === '/__backsoon/maintenance.json'
        ? new Response(JSON.stringify({ message: 'Moving house', until: new Date(until).toISOString() }))
        : new Response(null, { status: 503, headers: { 'X-Backsoon': 'maintenance', 'Retry-After': '30' } }),
    );
    const controller = controllerOn(host, world, () => ({ ...crash, variant: 'maintenance' }));
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(0);
    expect(controller.info).toEqual({ message: { '*': 'Moving house' }, until });
    // The first wait was scheduled before the file arrived; the next ones follow it.
    await vi.advanceTimersByTimeAsync(1000);
    const wait = controller.snapshot.nextCheckAt! - Date.now();
    expect(wait).toBeGreaterThanOrEqual(7500);
    expect(wait).toBeLessThanOrEqual(15_000);
    controller.hostDisconnected();
  });

  // A maintenance.json request that never answered once left the page at "Checking now".
  it('gives a hanging maintenance.json no more than the check’s timeout, then goes on checking', async () => {
    const host = new FakeHost();
    const world = environment(down);
    let up = false;
    world.fetch.mockImplementation(async (url, init) => {
      if (url === '/__backsoon/maintenance.json') {
        return new Promise<Response>((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      }
      if (up) return new Response(null, { status: 200, headers: { 'X-Backsoon-Probe': '1' } });
      return new Response(null, { status: 503, headers: { 'X-Backsoon': 'maintenance' } });
    });
    const options = { ...DEFAULT_POLL_OPTIONS, timeout: 3000 };
    const controller = controllerOn(host, world, () => ({ ...crash, options }));
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000);
    expect(controller.snapshot.state).toBe('checking');
    await vi.advanceTimersByTimeAsync(3000);
    expect(controller.snapshot.state).toBe('waiting');
    up = true;
    await vi.advanceTimersByTimeAsync(options.maxRetryAfter);
    expect(controller.snapshot.state).toBe('back');
    expect(world.location.reload).toHaveBeenCalledOnce();
  });

  it('reads the host’s options again for each check: a changed timeout applies to the next one', async () => {
    const host = new FakeHost();
    const world = environment(down);
    world.fetch.mockImplementation(
      async (_url, init) =>
        new Promise<Response>((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
    );
    let options = { ...DEFAULT_POLL_OPTIONS, timeout: 3000 };
    const controller = controllerOn(host, world, () => ({ ...crash, options }));
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000 + 3000);
    expect(controller.snapshot).toMatchObject({ state: 'waiting', attempt: 1 });
    options = { ...options, timeout: 6000 };
    await vi.advanceTimersByTimeAsync(1000 + 3000);
    expect(controller.snapshot).toMatchObject({ state: 'checking', attempt: 2 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(controller.snapshot).toMatchObject({ state: 'waiting', attempt: 2 });
    controller.hostDisconnected();
  });

  it('never navigates after a form that was not sent', async () => {
    const host = new FakeHost();
    const world = environment(() => new Response('app'));
    const controller = controllerOn(host, world, () => ({ ...crash, unsent: true }));
    controller.hostConnected();
    await vi.advanceTimersByTimeAsync(1000);
    expect(controller.snapshot.state).toBe('back');
    expect(world.location.reload).not.toHaveBeenCalled();
    expect(world.location.replace).not.toHaveBeenCalled();
  });
});
