import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { bouncesOnArrival } from '../decide/loop-guard.js';
import type { MaintenanceInfo } from '../decide/maintenance-info.js';
import type { PollOptions } from '../decide/poll-options.js';
import type { PageVariant } from '../protocol.js';
import { AppCheck, deadline } from './check.js';
import { fetchMaintenanceInfo } from './fetch-maintenance-info.js';
import { returnToUrl } from './navigate.js';
import { isScheduled, Poller, type PollEventName, type PollSnapshot } from './poller.js';
import { readReturnRecord, writeReturnRecord } from './return-record-storage.js';

/** The parts of the browser the controller touches; tests pass fakes. */
export interface PollEnvironment {
  location: Pick<Location, 'href' | 'replace' | 'reload'>;
  document: EventTarget & { readonly hidden: boolean };
  window: EventTarget;
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  fetch: typeof globalThis.fetch;
  now: () => number;
  random: () => number;
}

/** The real browser. */
export function browserEnvironment(): PollEnvironment {
  let storage: Storage | undefined;
  try {
    storage = window.sessionStorage;
  } catch {
    storage = undefined; // blocked storage throws on access: no loop guard, still works
  }
  return {
    location: window.location,
    document,
    window,
    storage,
    fetch: window.fetch.bind(window),
    now: Date.now,
    random: Math.random,
  };
}

/**
 * What the host tells the controller. `variant` and `unsent` are read when
 * the host connects; `options` again before each check and each wait, so
 * that a changed option takes effect from the next one.
 */
export interface PollSetup {
  options: PollOptions;
  /** The page the server chose: maintenance's reads maintenance.json at once. */
  variant: PageVariant;
  /** A form submission that did not reach the app: never navigate by ourselves. */
  unsent: boolean;
}

/** The detail of every backsoon event. */
export interface PollEventDetail {
  /** Checks made so far, from 1. */
  attempt: number;
  /** Milliseconds since the page started checking. */
  elapsed: number;
}

/** Redraws the countdown once a second while a check is scheduled. */
const TICK = 1000;
/** Reads maintenance.json again at most this often while maintenance lasts: operators revise their estimate. */
const INFO_REFRESH = 60_000;

/**
 * Wires a Poller to a Lit element: starts it when the element is connected,
 * stops it (timers, fetches, listeners) when disconnected, redraws the host
 * on every change and every countdown second, reads maintenance.json while
 * maintenance lasts, and dispatches the poller's events from the host as
 * bubbling, composed events.
 */
export class PollController implements ReactiveController {
  /** The latest state, for render(). */
  snapshot: PollSnapshot = { state: 'idle', attempt: 0, elapsed: 0, nextCheckAt: undefined, awayReason: undefined };
  /** The operator's word on planned maintenance, once read. */
  info: MaintenanceInfo = {};

  #poller: Poller | undefined;
  #environment: PollEnvironment | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #infoAbort: AbortController | undefined;
  #infoReadAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly setup: () => PollSetup,
    private readonly env: () => PollEnvironment = browserEnvironment,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const env = (this.#environment = this.env());
    const { variant, unsent } = this.setup();
    const url = env.location.href;
    const bounces = bouncesOnArrival(readReturnRecord(env.storage), url, env.now());
    this.#infoAbort = new AbortController();
    if (variant === 'maintenance') void this.#readInfo(env, this.#infoAbort.signal);
    const appCheck = new AppCheck(url, !unsent);
    this.#poller = new Poller({
      options: () => this.setup().options,
      bounces,
      autoReturn: !unsent,
      now: env.now,
      random: env.random,
      visibility: env.document,
      network: env.window,
      until: () => this.info.until,
      // One deadline for the whole check, the maintenance.json read included:
      // nothing in it may outlive `timeout`.
      check: async (signal) => {
        const limit = deadline(signal, this.setup().options.timeout);
        try {
          const verdict = await appCheck.run({ signal: limit.signal, now: env.now, fetch: env.fetch });
          const maintenance = verdict.outcome === 'away' && verdict.reason === 'maintenance';
          if (maintenance && env.now() - this.#infoReadAt >= INFO_REFRESH) {
            await this.#readInfo(env, limit.signal);
          }
          return verdict;
        } finally {
          limit.clear();
        }
      },
      onChange: (snapshot) => this.#update(snapshot),
      emit: (name, snapshot) => this.#dispatch(name, snapshot),
      returnToApp: () => {
        writeReturnRecord(env.storage, { url, at: env.now(), bounces });
        returnToUrl(env.location);
      },
    });
    this.#poller.start();
  }

  hostDisconnected(): void {
    this.#poller?.stop();
    this.#poller = undefined;
    this.#infoAbort?.abort();
    this.#infoAbort = undefined;
    this.#setTicking(false);
  }

  /** The environment's clock, for the countdown. */
  now(): number {
    return (this.#environment ?? this.env()).now();
  }

  /** "Try now", "Try again" and "Resume checking". */
  checkNow(): void {
    this.#poller?.checkNow();
  }

  /** "Stop checking". */
  stopChecking(): void {
    this.#poller?.stopChecking();
  }

  async #readInfo(env: PollEnvironment, signal: AbortSignal): Promise<void> {
    this.#infoReadAt = env.now();
    const info = await fetchMaintenanceInfo(env.fetch, env.now, signal);
    if (signal.aborted) return;
    this.info = info;
    this.host.requestUpdate();
  }

  #update(snapshot: PollSnapshot): void {
    this.snapshot = snapshot;
    this.#setTicking(isScheduled(snapshot.state));
    this.host.requestUpdate();
  }

  #setTicking(on: boolean): void {
    if (on && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.host.requestUpdate(), TICK);
    } else if (!on && this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  #dispatch(name: PollEventName, snapshot: PollSnapshot): boolean {
    const detail: PollEventDetail = { attempt: snapshot.attempt, elapsed: snapshot.elapsed };
    return this.host.dispatchEvent(
      new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: name === 'backsoon-back' }),
    );
  }
}
