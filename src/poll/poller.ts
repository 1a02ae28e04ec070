import type { PollOptions } from '../decide/poll-options.js';
import { planWait, returnDelay, shouldGiveUp } from '../decide/schedule.js';
import { UNREACHABLE, type AwayReason, type Verdict } from '../decide/verdict.js';

/**
 * - `waiting`: the app is away; a check is scheduled at `nextCheckAt`
 * - `awaiting-turn`: the app answers, but the server has not given this
 *   visitor a turn yet; it asks again for one at `nextCheckAt`
 * - `checking`: one check is in flight
 * - `paused`: the tab is hidden; nothing is scheduled
 * - `gave-up`: the limits were reached; only `checkNow()` starts again
 * - `stopped`: the visitor stopped the checks; only `checkNow()` starts again
 * - `back`: the app answered; the visitor is being sent back
 */
export type PollState = 'idle' | 'waiting' | 'awaiting-turn' | 'checking' | 'paused' | 'gave-up' | 'stopped' | 'back';

/** Whether a check is scheduled (`nextCheckAt`): the app is away, or the visitor awaits a turn. */
export function isScheduled(state: PollState): boolean {
  return state === 'waiting' || state === 'awaiting-turn';
}

/** What the page shows and what the events carry. */
export interface PollSnapshot {
  readonly state: PollState;
  /** Checks made since the page loaded (or since "Try again"), from 1. */
  readonly attempt: number;
  /** Milliseconds since the page loaded (or since "Try again"). */
  readonly elapsed: number;
  /** When the next check is due (ms since the epoch), while waiting. */
  readonly nextCheckAt: number | undefined;
  /**
   * Why the app is away, from the last check, when that check found it
   * away (undefined before the first check and while awaiting a turn).
   */
  readonly awayReason: AwayReason | undefined;
}

/** The events a poller emits, named as the element dispatches them. */
export type PollEventName = 'backsoon-attempt' | 'backsoon-back' | 'backsoon-give-up';

/** What a poller needs from the world; everything is injected so tests can fake it. */
export interface PollerDeps {
  /**
   * The current options, read each time the poller plans a wait, decides
   * whether to give up and how long to wait before going back: a change
   * takes effect from the next of these (a wait already planned runs its
   * course).
   */
  options: () => PollOptions;
  /** Makes one check; must settle soon after `signal` aborts. A rejection counts as unreachable. */
  check: (signal: AbortSignal) => Promise<Verdict>;
  now: () => number;
  random: () => number;
  /** The document, for `hidden` and `visibilitychange`. */
  visibility: EventTarget & { readonly hidden: boolean };
  /** The window, for `online`. */
  network: EventTarget;
  /** Bounces counted by the loop guard on arrival. */
  bounces: number;
  /** Called on every state change. */
  onChange: (snapshot: PollSnapshot) => void;
  /**
   * Called for each event; returns false when an integrator cancelled it
   * (only `backsoon-back` is cancelable).
   */
  emit: (name: PollEventName, snapshot: PollSnapshot) => boolean;
  /**
   * Sends the visitor back to the app. Not called when `autoReturn` is
   * false (a form was not sent: the visitor decides).
   */
  returnToApp: () => void;
  /** Whether to send the visitor back by itself once the app answers. */
  autoReturn: boolean;
  /** The end of maintenance announced by the operator, if any (ms since the epoch). */
  until: () => number | undefined;
}

/**
 * Checks whether the app is back, on the schedule of `planWait`, and sends
 * the visitor back when it is. `start()` and `stop()` are symmetric: stop
 * clears every timer, aborts the check in flight and removes every listener
 * that start added.
 */
export class Poller {
  #state: PollState = 'idle';
  #attempt = 0;
  #step = 0;
  #startedAt = 0;
  #nextCheckAt: number | undefined;
  #awayReason: AwayReason | undefined;
  #awaitingTurn = false;
  #retryAfter: number | undefined;
  #shared = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: AbortController | undefined;

  readonly #deps: PollerDeps;

  constructor(deps: PollerDeps) {
    this.#deps = deps;
  }

  get snapshot(): PollSnapshot {
    return {
      state: this.#state,
      attempt: this.#attempt,
      elapsed: this.#state === 'idle' ? 0 : this.#deps.now() - this.#startedAt,
      nextCheckAt: this.#nextCheckAt,
      awayReason: this.#awayReason,
    };
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#deps.visibility.addEventListener('visibilitychange', this.#onVisibilityChange);
    this.#deps.network.addEventListener('online', this.#onOnline);
    this.#restartBudget();
    if (this.#deps.visibility.hidden) this.#setState('paused');
    else this.#scheduleNext();
  }

  stop(): void {
    this.#deps.visibility.removeEventListener('visibilitychange', this.#onVisibilityChange);
    this.#deps.network.removeEventListener('online', this.#onOnline);
    this.#cancelPending();
    this.#state = 'idle';
  }

  /**
   * Checks at once: "Try now", "Try again", the tab coming back, the network
   * coming back. A check already in flight is not doubled. After giving up,
   * this starts a fresh round with a fresh budget.
   */
  checkNow(): void {
    if (this.#state === 'idle' || this.#state === 'checking' || this.#state === 'back') return;
    if (this.#state === 'gave-up' || this.#state === 'stopped') this.#restartBudget();
    void this.#runCheck(true);
  }

  /**
   * The visitor's own stop (WCAG 2.2.1: a timed change they can turn off):
   * no more checks, and so no automatic return, until `checkNow()`.
   */
  stopChecking(): void {
    if (this.#state === 'idle' || this.#state === 'back') return;
    this.#cancelPending();
    this.#setState('stopped');
  }

  #restartBudget(): void {
    this.#startedAt = this.#deps.now();
    this.#attempt = 0;
    this.#step = 0;
  }

  readonly #onVisibilityChange = (): void => {
    if (this.#deps.visibility.hidden) {
      if (isScheduled(this.#state) || this.#state === 'checking') {
        this.#cancelPending();
        this.#setState('paused');
      }
    } else if (this.#state === 'paused') {
      void this.#runCheck();
    }
  };

  readonly #onOnline = (): void => {
    if (isScheduled(this.#state)) void this.#runCheck();
  };

  /** @param asked the visitor asked for this check: no return spread then. */
  async #runCheck(asked = false): Promise<void> {
    this.#cancelPending();
    this.#attempt += 1;
    this.#setState('checking');
    this.#deps.emit('backsoon-attempt', this.snapshot);
    const abort = new AbortController();
    this.#inFlight = abort;
    // A check that throws must not leave the page at "Checking now".
    const verdict = await this.#deps.check(abort.signal).catch((): Verdict => UNREACHABLE);
    if (this.#inFlight !== abort) return; // stopped, paused or superseded meanwhile
    this.#inFlight = undefined;
    if (verdict.outcome === 'back') {
      this.#setState('back');
      if (this.#deps.emit('backsoon-back', this.snapshot) && this.#deps.autoReturn) {
        // A visitor given its turn by nginx's admission goes now: the turn is for now.
        const delay =
          asked || verdict.admitted
            ? 0
            : returnDelay(this.#deps.now() - this.#startedAt, this.#deps.options(), this.#deps.random);
        if (delay === 0) this.#deps.returnToApp();
        else this.#timer = setTimeout(() => this.#deps.returnToApp(), delay);
      }
      return;
    }
    const away = verdict.outcome === 'away' ? verdict : undefined;
    this.#awaitingTurn = verdict.outcome === 'awaiting-turn';
    this.#awayReason = away?.reason;
    this.#retryAfter = verdict.retryAfter;
    this.#shared = away?.shared === true;
    const elapsed = this.#deps.now() - this.#startedAt;
    if (shouldGiveUp(this.#attempt, elapsed, this.#deps.options())) {
      this.#setState('gave-up');
      this.#deps.emit('backsoon-give-up', this.snapshot);
      return;
    }
    this.#scheduleNext();
  }

  #scheduleNext(): void {
    const now = this.#deps.now();
    const until = this.#deps.until();
    const plan = planWait(
      {
        elapsed: now - this.#startedAt,
        step: this.#step,
        bounces: this.#deps.bounces,
        retryAfter: this.#retryAfter,
        untilIn: until === undefined ? undefined : until - now,
        awaitingTurn: this.#awaitingTurn,
        shared: this.#shared,
      },
      this.#deps.options(),
      this.#deps.random,
    );
    if (plan.advances) this.#step += 1;
    this.#nextCheckAt = now + plan.delay;
    this.#timer = setTimeout(() => void this.#runCheck(), plan.delay);
    this.#setState(this.#awaitingTurn ? 'awaiting-turn' : 'waiting');
  }

  #cancelPending(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextCheckAt = undefined;
    this.#inFlight?.abort();
    this.#inFlight = undefined;
  }

  #setState(state: PollState): void {
    this.#state = state;
    this.#deps.onChange(this.snapshot);
  }
}
