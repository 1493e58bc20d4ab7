// The one place for waiting on asynchronous org jobs (deploys, retrieves, version creation, installs) and on the app
// becoming usable. Polls start fast, because against a quick org most jobs finish within a second, and back off to a
// ceiling, because a package version can take many minutes and each poll is an API call against the org's limits.
// How fast and in what shape: the named policies of timing.ts.
import { isTransientError } from './retry.ts';
import { minutesMs, timing, type PollPolicy, type PollPolicyName } from './timing.ts';

export interface PollOptions<T> {
  what: string;
  timeoutMs: number;
  /** the timing (timing.ts); default 'job' */
  policy?: PollPolicyName;
  /** for tests: by default the policy's */
  initialMs?: number;
  maxMs?: number;
  /** called after each poll that is not yet done */
  onProgress?: (status: T, elapsedMs: number) => void;
  log?: (line: string) => void;
  /**
   * A failed status read that says nothing about the job (by default isTransientError: a dropped connection, a 5xx):
   * read again, up to the policy's errorBudget in a row.
   */
  isTransient?: (error: unknown) => boolean;
  /** when the job is expected to end on a real org: with the policy's nearMs, reads are frequent around it */
  expectedMs?: number;
  /** a status the caller read just now (the answer that started the job): the first read waits initialMs */
  first?: T;
}

export class PollTimeoutError extends Error {
  override name = 'PollTimeoutError';
}

export async function pollUntil<T>(
  check: () => Promise<T>,
  done: (status: T) => boolean,
  opts: PollOptions<T>,
): Promise<T> {
  const started = Date.now();
  const policy: PollPolicy = timing(opts.policy ?? 'job');
  let delay = opts.initialMs ?? policy.initialMs;
  const maxMs = opts.maxMs ?? policy.maxMs;
  const shape = { ...policy, initialMs: delay, maxMs, expectedMs: opts.expectedMs };
  const read = statusReader(check, opts, policy.errorBudget);
  if (opts.first !== undefined && done(opts.first)) return opts.first;
  // The caller's status counts as the first read: the loop starts with the wait.
  for (let first = opts.first !== undefined; ; first = false) {
    const status = first ? undefined : await read();
    const elapsed = Date.now() - started;
    if (status !== undefined) {
      if (done(status)) return status;
      opts.onProgress?.(status, elapsed);
    }
    if (elapsed + delay > opts.timeoutMs) {
      throw new PollTimeoutError(`${opts.what} did not finish within ${formatDuration(opts.timeoutMs)}.`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay =
      policy.share !== undefined
        ? nextDelay(shape, Date.now() - started)
        : Math.min(maxMs, Math.round(delay * (policy.factor ?? 1)));
  }
}

/**
 * One status read: undefined after a failed read that says nothing about the job (a dropped connection, a 5xx, or
 * what the caller's isTransient names), which is logged and tolerated up to errorBudget times in a row.
 */
function statusReader<T>(
  check: () => Promise<T>,
  opts: PollOptions<T>,
  errorBudget: number,
): () => Promise<T | undefined> {
  const transient = opts.isTransient ?? isTransientError;
  let errors = 0;
  return async () => {
    try {
      const status = await check();
      errors = 0;
      return status;
    } catch (error) {
      if (!transient(error) || ++errors > errorBudget) throw error;
      opts.log?.(`${opts.what}: status check failed (${(error as Error).message?.split('\n')[0]}); looking again`);
      return undefined;
    }
  };
}

/**
 * The wait before the next read of a job that follows its expected shape (a policy with `share`): patient at
 * first, the wait grows with the time waited (share × elapsed, so a job is seen at most that share of its time
 * late); inside the policy's `near` window around the expected end, every nearMs; never below initialMs or above
 * maxMs.
 */
export function nextDelay(
  shape: Pick<PollPolicy, 'initialMs' | 'maxMs' | 'share' | 'nearMs' | 'near'> & { expectedMs?: number },
  elapsedMs: number,
): number {
  const grown = Math.round((shape.share ?? 0) * elapsedMs);
  let delay = Math.min(shape.maxMs, Math.max(shape.initialMs, grown));
  const { expectedMs, nearMs, near } = shape;
  if (expectedMs && nearMs && near) {
    const from = expectedMs * near[0];
    const to = expectedMs * near[1];
    if (elapsedMs >= from && elapsedMs < to) delay = Math.min(delay, nearMs);
    // Not past the window's start: the first read in it comes when it opens.
    else if (elapsedMs < from) delay = Math.min(delay, Math.max(shape.initialMs, from - elapsedMs));
  }
  return Math.max(1, delay);
}

/**
 * How many status reads a job of `durationMs` costs under a shaped policy (the request budget in CONTRIBUTING's
 * Performance section comes from this): the reads until the first one at or after its end.
 */
export function plannedReads(
  shape: Pick<PollPolicy, 'initialMs' | 'maxMs' | 'share' | 'nearMs' | 'near'> & { expectedMs?: number },
  durationMs: number,
): { reads: number; lateMs: number } {
  let t = 0;
  let reads = 1;
  let delay = shape.initialMs;
  while (t < durationMs) {
    t += delay;
    reads++;
    delay = nextDelay(shape, t);
  }
  return { reads, lateMs: t - durationMs };
}

/**
 * Wait for a Metadata API job of source-deploy-retrieve (a deploy or a retrieve) on the 'job' policy: deploys and
 * retrieves poll alike, so they share this.
 */
export function pollMetadataJob<T extends { done: boolean }>(
  operation: { id?: string; checkStatus(): Promise<T> },
  what: string,
  opts: { timeoutMs: number; log: (line: string) => void; onProgress?: (status: T, elapsedMs: number) => void },
): Promise<T> {
  return pollUntil(
    () => operation.checkStatus(),
    (s) => s.done,
    { what: `${what} ${operation.id}`, policy: 'job', ...opts },
  );
}

/**
 * Progress of a long wait as "<what>: <status>, 4 min of 30", logged only when the line changes: a job polled
 * every 30 s for half an hour says what it does once per status and minute, not sixty times.
 */
export function progressReporter(
  log: (line: string) => void,
  timeoutMs: number,
): (text: string, elapsedMs: number) => void {
  let last = '';
  const limit = Math.max(1, Math.round(timeoutMs / minutesMs(1)));
  return (text, elapsedMs) => {
    const line = `${text}, ${Math.floor(elapsedMs / minutesMs(1))} min of ${limit}`;
    if (line === last) return;
    last = line;
    log(line);
  };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
