import { DEFAULT_POLL_OPTIONS, type PollOptions } from '../src/decide/poll-options.js';
import { planWait, returnDelay, shouldGiveUp } from '../src/decide/schedule.js';

/**
 * Visitors waiting out an outage, on a virtual clock: no timers, no sleeps.
 * The backsoon strategy runs the page's own schedule (src/decide/schedule.ts:
 * planWait, shouldGiveUp, returnDelay), the others the fixed reloads of
 * the usual workarounds.
 */

/** A seeded source of numbers in [0, 1) (mulberry32): the same seed, the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One visitor's outcome. */
export interface VisitorResult {
  /** When the visitor reached the app, in ms after the app came back; Infinity for never. */
  returnAfter: number;
  /** Full loads of the error page, the first one included. */
  pageLoads: number;
  /** Background checks (HEAD requests). */
  checks: number;
}

/** How a visitor waits: given their arrival and the outage's end, what happens. */
export type Strategy = (arrival: number, outageEnd: number, random: () => number) => VisitorResult;

/** backsoon's page: the real schedule, checks until the app answers or the page gives up. */
export function backsoon(options: PollOptions = DEFAULT_POLL_OPTIONS, checkLatency = 5): Strategy {
  return (arrival, outageEnd, random) => {
    let step = 0;
    let now = arrival;
    let checks = 0;
    for (;;) {
      const plan = planWait({ elapsed: now - arrival, step, bounces: 0 }, options, random);
      if (plan.advances) step += 1;
      now += plan.delay;
      checks += 1;
      if (now >= outageEnd) {
        const back = now + checkLatency + returnDelay(now - arrival, options, random);
        return { returnAfter: back - outageEnd, pageLoads: 1, checks };
      }
      if (shouldGiveUp(checks, now - arrival, options)) return { returnAfter: Infinity, pageLoads: 1, checks };
    }
  };
}

/** A page that reloads itself every `period` ms (meta refresh, Refresh header). */
export function reloadEvery(period: number): Strategy {
  return (arrival, outageEnd) => {
    const reloads = Math.max(1, Math.ceil((outageEnd - arrival) / period));
    return { returnAfter: arrival + reloads * period - outageEnd, pageLoads: reloads, checks: 0 };
  };
}

/** nginx's stock page: nothing brings the visitor back. */
export const stockPage: Strategy = () => ({ returnAfter: Infinity, pageLoads: 1, checks: 0 });

/** A page that checks every `period` ms from its load, forever, and returns at once. */
export function fixedPolling(period: number, checkLatency = 5): Strategy {
  return (arrival, outageEnd) => {
    const checks = Math.max(1, Math.ceil((outageEnd - arrival) / period));
    return { returnAfter: arrival + checks * period + checkLatency - outageEnd, pageLoads: 1, checks };
  };
}

export interface OutageSummary {
  p50: number;
  p95: number;
  max: number;
  /** Mean requests per visitor: page loads and checks. */
  requests: number;
  pageLoads: number;
  checks: number;
  /** Mean bytes on the wire per visitor. */
  bytes: number;
  /** The largest share of visitors reaching the app in any one second after its return. */
  herd: number;
}

/** What one request costs on the wire, measured on the real nginx (see bench/measure.ts). */
export interface WireCosts {
  /** A load of the error page: request and response, headers included. */
  page: number;
  /** One background check (HEAD): request and response. */
  check: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/**
 * Runs `visitors` visitors arriving uniformly over an outage of `outage` ms
 * (the app returns at `outage`).
 */
export function simulate(
  strategy: Strategy,
  outage: number,
  costs: WireCosts,
  visitors = 10_000,
  seed = 1,
): OutageSummary {
  const random = seededRandom(seed);
  const results: VisitorResult[] = [];
  for (let i = 0; i < visitors; i++) results.push(strategy(random() * outage, outage, random));
  const times = results.map((r) => r.returnAfter).sort((a, b) => a - b);
  const perSecond = new Map<number, number>();
  for (const t of times)
    if (Number.isFinite(t)) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  const mean = (f: (r: VisitorResult) => number): number => results.reduce((s, r) => s + f(r), 0) / results.length;
  const pageLoads = mean((r) => r.pageLoads);
  const checks = mean((r) => r.checks);
  return {
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    max: times[times.length - 1] ?? Number.NaN,
    requests: pageLoads + checks,
    pageLoads,
    checks,
    bytes: pageLoads * costs.page + checks * costs.check,
    herd: Math.max(0, ...perSecond.values()) / visitors,
  };
}
