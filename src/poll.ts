// The one place for waiting on asynchronous org jobs (deploys, retrieves, version creation, installs).
// Polls start fast, because against a quick org most jobs finish within a second, and back off to a ceiling,
// because a package version can take many minutes and each poll is an API call against the org's limits.
import { isTransientError } from './retry.ts';
import { timing, type PollPolicyName } from './timing.ts';

export interface PollOptions<T> {
  what: string;
  timeoutMs: number;
  /** the timing (timing.ts); default 'job' */
  policy?: PollPolicyName;
  /** by default the policy's */
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** called after each poll that is not yet done */
  onProgress?: (status: T, elapsedMs: number) => void;
  log?: (line: string) => void;
  /** consecutive transient errors tolerated while polling */
  errorBudget?: number;
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
  const policy = timing(opts.policy ?? 'job');
  let delay = opts.initialMs ?? policy.initialMs;
  const maxMs = opts.maxMs ?? policy.maxMs;
  const factor = opts.factor ?? 1.5;
  let errors = 0;
  for (;;) {
    let status: T | undefined;
    try {
      status = await check();
      errors = 0;
    } catch (error) {
      // A poll is a read: a dropped connection or a 5xx says nothing about the job, so look again.
      if (!isTransientError(error) || ++errors > (opts.errorBudget ?? 5)) throw error;
      opts.log?.(`${opts.what}: status check failed (${(error as Error).message?.split('\n')[0]}); looking again`);
    }
    const elapsed = Date.now() - started;
    if (status !== undefined) {
      if (done(status)) return status;
      opts.onProgress?.(status, elapsed);
    }
    if (elapsed + delay > opts.timeoutMs) {
      throw new PollTimeoutError(`${opts.what} did not finish within ${formatDuration(opts.timeoutMs)}.`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(maxMs, Math.round(delay * factor));
  }
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
  const limit = Math.max(1, Math.round(timeoutMs / 60_000));
  return (text, elapsedMs) => {
    const line = `${text}, ${Math.floor(elapsedMs / 60_000)} min of ${limit}`;
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
