/**
 * The poller's options. Every option is declared and documented here, once;
 * the element exposes each as a kebab-case attribute of the same name
 * (`minTimeout` → `min-timeout`). Times are milliseconds, attempts count from 1.
 */
export interface PollOptions {
  /**
   * Checks to make before giving up and showing "Try again".
   * @default 1000 (more than two hours at the longest waits: maxRetryTime
   * comes first)
   */
  retries: number;
  /**
   * Total time to keep checking before giving up, measured from the page's
   * load (or from the last "Try again").
   * @default 7_200_000 (two hours: a visitor who left the tab open through a
   * long outage still gets back; past that, the page stops costing requests)
   */
  maxRetryTime: number;
  /**
   * The shortest wait between two checks, and the wait used during the quick phase.
   * @default 1000 (most restarts take a few seconds: one check a second finds
   * the app within a second of its return, for one small request a second)
   */
  minTimeout: number;
  /**
   * How long the quick phase lasts, from the page's load. After it, waits
   * grow by `factor` per check, jittered, up to `maxTimeout`.
   * @default 58_000 (the benchmarks' balance: 95% of the visitors of a
   * one-minute outage are still in their quick phase and return within a
   * second, while after a ten-minute outage the quick ones, arriving all in
   * the first second, stay under a tenth of the visitors)
   */
  quickPeriod: number;
  /**
   * Growth of the wait's ceiling per check after the quick phase.
   * @default 1.5
   */
  factor: number;
  /**
   * The longest wait the page's own schedule uses.
   * @default 15_000 (waits of 7.5 to 15 s once it is reached: a long
   * outage's visitors notice the return within 15 s, 12 s for 95% of them,
   * and cost the server one request per visitor per 11 s)
   */
  maxTimeout: number;
  /**
   * The longest wait a `Retry-After` header may ask for; longer ones are cut
   * to this. Shorter ones are raised to `minTimeout`.
   * @default 300_000 (a server's estimate can be far too long: the visitor
   * still learns of the return within five minutes)
   */
  maxRetryAfter: number;
  /**
   * After the quick phase, how long a visitor waits, once the app has
   * answered, before going back: one second plus a random share of this, so
   * the visitors of a long outage do not land on the app in one second.
   * Visitors still in the quick phase, and any who press "Try now", go back
   * at once.
   * @default 1000
   */
  returnSpread: number;
  /**
   * How long one check may take before it counts as failed.
   * @default 10_000 (nginx answers a refused or dead upstream at once;
   * a check that hangs this long is a hung app)
   */
  timeout: number;
}

export const DEFAULT_POLL_OPTIONS: Readonly<PollOptions> = Object.freeze({
  retries: 1000,
  maxRetryTime: 7_200_000,
  minTimeout: 1000,
  quickPeriod: 58_000,
  factor: 1.5,
  maxTimeout: 15_000,
  maxRetryAfter: 300_000,
  returnSpread: 1000,
  timeout: 10_000,
});

type Rule = (value: number, options: PollOptions) => string | undefined;

const positive: Rule = (v) => (v > 0 ? undefined : 'a number greater than 0');
const nonNegative: Rule = (v) => (v >= 0 ? undefined : 'a number of 0 or more');
const wholePositive: Rule = (v) => (Number.isInteger(v) && v > 0 ? undefined : 'a whole number greater than 0');

const RULES: Record<keyof PollOptions, Rule> = {
  retries: wholePositive,
  maxRetryTime: positive,
  minTimeout: positive,
  quickPeriod: nonNegative,
  factor: (v) => (v >= 1 ? undefined : 'a number of 1 or more'),
  maxTimeout: (v, o) => (v >= o.minTimeout ? undefined : `a number of at least minTimeout (${o.minTimeout})`),
  maxRetryAfter: (v, o) => (v >= o.minTimeout ? undefined : `a number of at least minTimeout (${o.minTimeout})`),
  returnSpread: nonNegative,
  timeout: positive,
};

/**
 * Fills in the defaults and checks every option.
 * @throws TypeError naming the first option that is unknown or out of range.
 */
export function resolvePollOptions(input: Partial<Record<string, unknown>> = {}): PollOptions {
  for (const name of Object.keys(input)) {
    if (!(name in RULES)) throw new TypeError(`backsoon: unknown poll option "${name}"`);
  }
  const merged = { ...DEFAULT_POLL_OPTIONS } as PollOptions;
  for (const name of Object.keys(RULES) as (keyof PollOptions)[]) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError(`backsoon: option "${name}" must be a finite number (got ${String(value)})`);
    }
    merged[name] = value;
  }
  for (const name of Object.keys(RULES) as (keyof PollOptions)[]) {
    const problem = RULES[name](merged[name], merged);
    if (problem) throw new TypeError(`backsoon: option "${name}" must be ${problem} (got ${merged[name]})`);
  }
  return merged;
}
