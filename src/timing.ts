// The one place for how long the action waits: every retry and poll names one of these policies, so that a change
// of timing is made here and nowhere else. retry.ts and poll.ts read them; the numbers are the real runs' ones.
//
// Tests need the same code to run fast, and production reads no test setting from the environment (a variable a
// workflow could set by accident would change a real run). So the test seam is an object on globalThis under
// TIMING_SEAM, read on every call: unit tests set it with setTiming(); the tests that run dist/ as the runner does
// hand it over with a preload (`node --require __tests__/helpers/timing-preload.cjs`), which runs before the
// bundle. globalThis, not a module variable, because dist/ is three bundles (index.js, org.js, github.js), each
// with its own copy of this module. Nothing in the action sets it.

export interface RetryPolicy {
  /** attempts in all, including the first (a caller's deadline, where it gives one, bounds them instead) */
  attempts: number;
  /** the first wait between attempts; each later one doubles, up to maxMs */
  baseMs: number;
  maxMs: number;
  /** each attempt's own time limit, where the caller makes the request itself */
  requestTimeoutMs?: number;
}

export interface PollPolicy {
  /** the wait before the second status read; each later one is 1.5 times longer, up to maxMs */
  initialMs: number;
  maxMs: number;
  /** each status read's own time limit, where the caller makes the request itself */
  requestTimeoutMs?: number;
  /**
   * The job's expected shape (poll.ts nextDelay), instead of ×1.5 growth: the wait is this share of the time waited
   * so far (a job that ends is seen at most that share of its time late), between initialMs and maxMs.
   */
  share?: number;
  /** with the caller's expected end: the wait from half to one and a half times it */
  nearMs?: number;
}

const DEFAULT_TIMING = {
  /** a token request (JWT bearer, auth URL refresh): login.ts */
  login: { attempts: 5, baseMs: 1000, maxMs: 20_000 },
  /** any other call to an org (queries, metadata lists, a deploy repeated after a row lock, package create) */
  api: { attempts: 5, baseMs: 1000, maxMs: 20_000 },
  /** deploys and retrieves: most are done within a second against a quick org */
  job: { initialMs: 100, maxMs: 10_000 },
  /**
   * A package version build (5–30 min on a real org; packaging.ts gives its expected end). Seen at most a tenth of
   * its time late, every 5 s around the expected end, 15 s at most otherwise: about 90 reads for a 5-minute build,
   * 130 for a 10-minute one (CONTRIBUTING, Performance: the request budget), against a Dev Hub's daily API
   * requests in the tens of thousands.
   */
  versionBuild: { initialMs: 100, maxMs: 15_000, share: 0.1, nearMs: 5_000 },
  /**
   * A new version reaching the target org's instance (its SubscriberPackageVersion query), until wait-minutes.
   * Replication takes minutes, not half an hour: seen at most a tenth of its time late, 5 s at most.
   */
  replication: { initialMs: 100, maxMs: 5_000, share: 0.1 },
  /** the PackageInstallRequest create while the platform answers "not yet": until wait-minutes (attempts unbounded) */
  installRequest: { attempts: Infinity, baseMs: 1000, maxMs: 20_000 },
  /**
   * After an install POST whose answer may have been lost, the look-up for the request it may have made: the list can
   * lag behind the create, so it is read again for about 40 s (1 + 2 + 4 + 8 + 8 + 8 + 8 s) before a second POST
   * could install twice: a wait that costs little against an install's minutes.
   */
  installLookup: { attempts: 8, baseMs: 1000, maxMs: 8_000 },
  /** an install request's status: first read after initialMs; then as replication: a tenth of the time waited, 5 s at most */
  install: { initialMs: 100, maxMs: 5_000, share: 0.1 },
  /** a whole install again after it ended "not fully available": until wait-minutes, doubling without jitter */
  reinstall: { attempts: Infinity, baseMs: 1000, maxMs: 30_000 },
  /** wait-until-usable: a poll is one anonymous token request; at most one every 30 s once it takes a while */
  usable: { initialMs: 2000, maxMs: 30_000, requestTimeoutMs: 30_000 },
  /** the GitHub secrets API: a short outage is retried twice; each request gives up after requestTimeoutMs */
  github: { attempts: 3, baseMs: 1000, maxMs: 20_000, requestTimeoutMs: 30_000 },
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
