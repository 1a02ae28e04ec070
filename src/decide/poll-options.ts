/**
 * The poller's options: one table, `POLL_OPTIONS`, gives each its name, its
 * documentation, its default and what a valid value is. Everything else is
 * derived from it: the `PollOptions` type, the defaults, the checks, the
 * attributes of `<backsoon-page>` (`attributeName`), the build config's
 * `poll` keys. The README's "Options" table must list the same options (a
 * unit test compares them). Times are milliseconds, attempts count from 1.
 *
 * A new option is one entry below (and its README row); then use it where
 * the schedule needs it.
 */

/** What a valid value is: undefined when `value` is one, else what it must be ("a number greater than 0"). */
type Rule = (value: number, options: { readonly minTimeout: number }) => string | undefined;

interface OptionSpec {
  /** The value used when none is given. */
  readonly default: number;
  readonly rule: Rule;
}

const positive: Rule = (v) => (v > 0 ? undefined : 'a number greater than 0');
const nonNegative: Rule = (v) => (v >= 0 ? undefined : 'a number of 0 or more');
const wholePositive: Rule = (v) => (Number.isInteger(v) && v > 0 ? undefined : 'a whole number greater than 0');
const atLeastMinTimeout: Rule = (v, o) =>
  v >= o.minTimeout ? undefined : `a number of at least minTimeout (${o.minTimeout})`;

/**
 * Every option, in the order the README lists them. The doc comment of an
 * entry is the option's documentation (it shows on `PollOptions` and on the
 * element's property); the comment on its `default` says why that value.
 */
export const POLL_OPTIONS = {
  /** Checks to make before giving up and showing "Try again". */
  retries: {
    // More than two hours at the longest waits: maxRetryTime comes first.
    default: 1000,
    rule: wholePositive,
  },
  /**
   * Total time to keep checking before giving up, measured from the page's
   * load (or from the last "Try again").
   */
  maxRetryTime: {
    // Two hours: a visitor who left the tab open through a long outage still
    // gets back; past that, the page stops costing requests.
    default: 7_200_000,
    rule: positive,
  },
  /** The shortest wait between two checks, and the wait used during the quick phase. */
  minTimeout: {
    // Most restarts take a few seconds: one check a second finds the app
    // within a second of its return, for one small request a second.
    default: 1000,
    rule: positive,
  },
  /**
   * How long the quick phase lasts, from the page's load. After it, waits
   * grow by `factor` per check, jittered, up to `maxTimeout`.
   */
  quickPeriod: {
    // The benchmarks' balance: 95% of the visitors of a one-minute outage are
    // still in their quick phase and return within a second, while after a
    // ten-minute outage the quick ones, arriving all in the first second,
    // stay under a tenth of the visitors.
    default: 58_000,
    rule: nonNegative,
  },
  /** Growth of the wait's ceiling per check after the quick phase. */
  factor: {
    default: 1.5,
    rule: (v) => (v >= 1 ? undefined : 'a number of 1 or more'),
  },
  /** The longest wait the page's own schedule uses. */
  maxTimeout: {
    // Waits of 7.5 to 15 s once it is reached: a long outage's visitors notice
    // the return within 15 s, 12 s for 95% of them, and cost the server one
    // request per visitor per 11 s.
    default: 15_000,
    rule: atLeastMinTimeout,
  },
  /**
   * The longest wait a `Retry-After` header may ask for; longer ones are cut
   * to this. Shorter ones are raised to `minTimeout`.
   */
  maxRetryAfter: {
    // A server's estimate can be far too long: the visitor still learns of the
    // return within five minutes.
    default: 300_000,
    rule: atLeastMinTimeout,
  },
  /**
   * After the quick phase, how long a visitor waits, once the app has
   * answered, before going back: one second plus a random share of this, so
   * the visitors of a long outage do not land on the app in one second.
   * Visitors still in the quick phase, and any who press "Try now", go back
   * at once.
   */
  returnSpread: {
    default: 1000,
    rule: nonNegative,
  },
  /** How long one check may take before it counts as failed. */
  timeout: {
    // nginx answers a refused or dead upstream at once; a check that hangs
    // this long is a hung app.
    default: 10_000,
    rule: positive,
  },
} as const satisfies Record<string, OptionSpec>;

export type PollOptionName = keyof typeof POLL_OPTIONS;

/**
 * The poller's options, all given. (Mapped over `keyof typeof POLL_OPTIONS`,
 * spelled out, so that editors show each entry's doc comment on its property.)
 */
export type PollOptions = { -readonly [K in keyof typeof POLL_OPTIONS]: number };

/** The options' names, in the table's order. */
export const POLL_OPTION_NAMES = Object.keys(POLL_OPTIONS) as readonly PollOptionName[];

export const DEFAULT_POLL_OPTIONS: Readonly<PollOptions> = Object.freeze(
  Object.fromEntries(POLL_OPTION_NAMES.map((name) => [name, POLL_OPTIONS[name].default])) as PollOptions,
);

/**
 * The HTML attribute of an option on `<backsoon-page>`, its name in
 * kebab-case: `attributeName('maxRetryAfter') === 'max-retry-after'`. The
 * element and the build (vite-plugins/pages.ts) both call this.
 */
export function attributeName(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A wrong value as the error message shows it: text as it was written, anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

/**
 * Fills in the defaults and checks every option.
 * @throws TypeError naming the first option that is unknown or out of range.
 */
export function resolvePollOptions(input: Partial<Record<string, unknown>> = {}): PollOptions {
  for (const name of Object.keys(input)) {
    if (!(POLL_OPTION_NAMES as readonly string[]).includes(name))
      throw new TypeError(`backsoon: unknown poll option "${name}"`);
  }
  const merged: PollOptions = { ...DEFAULT_POLL_OPTIONS };
  for (const name of POLL_OPTION_NAMES) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError(`backsoon: option "${name}" must be a finite number (got ${shown(value)})`);
    }
    merged[name] = value;
  }
  for (const name of POLL_OPTION_NAMES) {
    const problem = POLL_OPTIONS[name].rule(merged[name], merged);
    if (problem) throw new TypeError(`backsoon: option "${name}" must be ${problem} (got ${merged[name]})`);
  }
  return merged;
}
