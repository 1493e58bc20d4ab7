// The one place for how long the action waits: every retry and poll names one of these policies, so that a change
// of timing is made here and nowhere else. retry.ts and poll.ts read them; the numbers are the real runs' ones.
//
// Tests need the same code to run fast, and production reads no test setting from the environment (a variable a
// workflow could set by accident would change a real run). So the test seam is an object on globalThis under
// TIMING_SEAM, read on every call: unit tests set it with setTiming(); the tests that run dist/ as the runner does
// hand it over with a preload (`node --require __tests__/helpers/timing-preload.cjs`), which runs before the
// bundle. globalThis, not a module variable, because dist/ is three bundles (index.js, org.js, github.js), each
// with its own copy of this module. Nothing in the action sets it.

import type { PackageValidation } from './model.ts';

export interface RetryPolicy {
  /** attempts in all, including the first (Infinity: until the caller's deadline, which bounds every policy) */
  attempts: number;
  /** the first wait between attempts; each later one is `factor` times longer, up to maxMs */
  baseMs: number;
  factor: number;
  maxMs: number;
  /**
   * 'equal': half of each wait fixed, half random, which spreads the reruns of many workflows that hit the same org
   * at once; 'none': the wait as computed, where nothing else contends (a look-up, an install started again).
   */
  jitter: 'equal' | 'none';
  /** each attempt's own time limit, where the caller makes the request itself */
  requestTimeoutMs?: number;
}

export interface PollPolicy {
  /** the wait before the second status read (before the first, when the caller already holds a status) */
  initialMs: number;
  maxMs: number;
  /** without `share`: each later wait is this many times the one before, up to maxMs */
  factor?: number;
  /** consecutive status reads that may fail on the way (5xx, dropped connection) before the poll gives up */
  errorBudget: number;
  /** each status read's own time limit, where the caller makes the request itself */
  requestTimeoutMs?: number;
  /**
   * The job's expected shape (poll.ts nextDelay), instead of `factor` growth: the wait is this share of the time
   * waited so far (a job that ends is seen at most that share of its time late), between initialMs and maxMs.
   */
  share?: number;
  /**
   * With the caller's expected end: the wait is at most nearMs from `near[0]` to `near[1]` times that end, and the
   * first read in that window comes when it opens.
   */
  nearMs?: number;
  near?: readonly [number, number];
}

const DEFAULT_TIMING = {
  /** a token request (JWT bearer, auth URL refresh): login.ts */
  login: { attempts: 5, baseMs: 1000, factor: 2, maxMs: 20_000, jitter: 'equal' },
  /** any other call to an org (queries, metadata lists, a deploy repeated after a row lock, package create) */
  api: { attempts: 5, baseMs: 1000, factor: 2, maxMs: 20_000, jitter: 'equal' },
  /** deploys and retrieves: most are done within a second against a quick org */
  job: { initialMs: 100, maxMs: 10_000, factor: 1.5, errorBudget: 5 },
  /**
   * A package version build (5–30 min on a real org; EXPECTED_BUILD_MS below). Seen at most a tenth of its time
   * late, every 5 s from half to one and a half times the expected end, 15 s at most otherwise: about 90 reads for a
   * 5-minute build, 130 for a 10-minute one (CONTRIBUTING, Performance: the request budget), against a Dev Hub's
   * daily API requests in the tens of thousands.
   */
  versionBuild: { initialMs: 100, maxMs: 15_000, share: 0.1, nearMs: 5_000, near: [0.5, 1.5], errorBudget: 5 },
  /**
   * A new version reaching the target org's instance (its SubscriberPackageVersion query), until wait-minutes.
   * Replication takes minutes, not half an hour: seen at most a tenth of its time late, 5 s at most.
   */
  replication: { initialMs: 100, maxMs: 5_000, share: 0.1, errorBudget: 5 },
  /** the PackageInstallRequest create while the platform answers "not yet": until wait-minutes (attempts unbounded) */
  installRequest: { attempts: Infinity, baseMs: 1000, factor: 2, maxMs: 20_000, jitter: 'equal' },
  /**
   * After an install POST whose answer may have been lost, the look-up for the request it may have made: the list can
   * lag behind the create, so it is read again for about 40 s (1 + 2 + 4 + 8 + 8 + 8 + 8 s) before a second POST
   * could install twice: a wait that costs little against an install's minutes.
   */
  installLookup: { attempts: 8, baseMs: 1000, factor: 2, maxMs: 8_000, jitter: 'none' },
  /**
   * An install request's status: the first read after initialMs (the install answer was the read before it); then
   * as replication: a tenth of the time waited, 5 s at most.
   */
  install: { initialMs: 100, maxMs: 5_000, share: 0.1, errorBudget: 5 },
  /** a whole install again after it ended "not fully available": until wait-minutes, doubling without jitter */
  reinstall: { attempts: Infinity, baseMs: 1000, factor: 2, maxMs: 30_000, jitter: 'none' },
  /**
   * wait-until-usable: a poll is one anonymous authorize (or token) request; at most one every 30 s once it takes a
   * while. An answer the check cannot read (a 5xx) is read again, five times in a row at most.
   */
  usable: { initialMs: 2000, maxMs: 30_000, factor: 1.5, errorBudget: 5, requestTimeoutMs: 30_000 },
  /** the GitHub secrets API: a short outage is retried twice; each request gives up after requestTimeoutMs */
  github: { attempts: 3, baseMs: 1000, factor: 2, maxMs: 20_000, jitter: 'equal', requestTimeoutMs: 30_000 },
} satisfies Record<string, RetryPolicy | PollPolicy>;

export type Timing = typeof DEFAULT_TIMING;
export type TimingName = keyof Timing;
export type RetryPolicyName = { [K in TimingName]: Timing[K] extends RetryPolicy ? K : never }[TimingName];
export type PollPolicyName = { [K in TimingName]: Timing[K] extends PollPolicy ? K : never }[TimingName];
/** What the test seam holds: any field of any policy, the rest staying at its default. */
export type TimingOverride = { [K in TimingName]?: Partial<Timing[K]> };

/** The test seam (see the head of this file): Symbol.for, so that every bundle's copy finds the same object. */
export const TIMING_SEAM = Symbol.for('eca-action.timing');

type WithSeam = { [TIMING_SEAM]?: TimingOverride };

/** The policy of that name, with the test seam's fields (if any) over the defaults. */
export function timing<K extends TimingName>(name: K): Timing[K] {
  const override = (globalThis as WithSeam)[TIMING_SEAM]?.[name];
  return override ? { ...DEFAULT_TIMING[name], ...override } : DEFAULT_TIMING[name];
}

/** For tests in this process: install a timing override, or with undefined go back to the defaults. */
export function setTiming(override: TimingOverride | undefined): void {
  if (override) (globalThis as WithSeam)[TIMING_SEAM] = override;
  else delete (globalThis as WithSeam)[TIMING_SEAM];
}

/**
 * Where a package version build is expected to end on a real org, by package-validation (docs/platform-notes.md §19,
 * §30): the versionBuild poll reads most often around it. Async and skipped validation hand the version back after
 * the build, full after the validations.
 */
export const EXPECTED_BUILD_MS = { full: 10 * 60_000, async: 5 * 60_000, skip: 5 * 60_000 } satisfies Record<
  PackageValidation,
  number
>;

/**
 * The org's clock and ours differ: a record of this run is one created at most this long before the run began by
 * our clock (a request of another run for the same thing would do as well).
 */
export const CLOCK_SKEW_MS = 60_000;

/** Every wait bounded by wait-minutes gets at least this long, even when the minutes are nearly spent. */
export const LAST_WAIT_MS = 1000;

/** An input given in minutes (wait-minutes, wait-until-usable), in the milliseconds the waits count in. */
export function minutesMs(minutes: number): number {
  return minutes * 60_000;
}
