// The one place for retries. Transient faults (5xx, dropped connections, timeouts, row locks), and answers a caller
// reads as "not yet", are tried again with bounded exponential backoff; everything else fails at once so a user sees
// the real cause. How often, how long and with what jitter: the named policies of timing.ts (waiting on a job's
// status is poll.ts, on the same policies).
import { timing, type RetryPolicy, type RetryPolicyName } from './timing.ts';
import { someCause } from './causes.ts';

export interface RetryOptions<T = unknown> {
  /** what is being tried, for the log */
  what: string;
  /** the timing (timing.ts); default 'api' */
  policy?: RetryPolicyName;
  /** for tests: attempts in all, including the first; by default the policy's */
  attempts?: number;
  /** for tests: by default the policy's */
  baseMs?: number;
  maxMs?: number;
  log?: (line: string) => void;
  /** instead of the standard log line, e.g. to word it for the caller's audience (`reason`: the error, or the result) */
  onRetry?: (reason: unknown, attempt: number, attempts: number, delayMs: number) => void;
  isTransient?: (error: unknown) => boolean;
  /**
   * An answer that says "not yet" (a list that does not show a record yet): asked again like a transient failure,
   * and returned as it is when the attempts or the deadline run out.
   */
  notYet?: (result: T) => boolean;
  /**
   * Stop trying at this time (epoch ms) even where attempts remain: for waits the user bounds with `wait-minutes`
   * (a policy with unbounded attempts, such as a package version that is not yet installable).
   */
  deadline?: number;
  /** for tests */
  sleep?: (ms: number) => Promise<void>;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_LIMIT_EXCEEDED',
]);

const TRANSIENT_TEXT =
  /socket hang up|other side closed|fetch failed|ECONNRESET|ETIMEDOUT|UNABLE_TO_LOCK_ROW|unable to obtain exclusive access|Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error|HTTP 50[0234]|status(Code| code:?)? 50[0234]|ERROR_HTTP_50[0234]|timed out|terminated/i;

export function isTransientError(error: unknown): boolean {
  return someCause(error, (e) => {
    for (const c of [e['code'], e['name'], e['errorCode']])
      if (typeof c === 'string' && TRANSIENT_CODES.has(c)) return true;
    const status =
      typeof e['statusCode'] === 'number' ? e['statusCode'] : typeof e['status'] === 'number' ? e['status'] : undefined;
    if (status !== undefined && (status >= 500 || status === 429)) return true;
    return typeof e['message'] === 'string' && TRANSIENT_TEXT.test(e['message']);
  });
}

const SESSION_REFUSED = /INVALID_SESSION_ID|Bad_OAuth_Token|Session expired or invalid/;
/**
 * A token endpoint that looked at the credentials and said no: OAuth error codes, and Salesforce's descriptions
 * of them (jsforce keeps only the description in the message).
 */
const CREDENTIALS_REFUSED =
  /invalid_grant|invalid_client|invalid_request|invalid_app_access|unauthorized_client|unsupported_grant_type|inactive_(user|org)|inactive user|inactive org|invalid assertion|audience is invalid|client identifier invalid|invalid client credentials|expired access\/refresh token|authentication failure|hasn't approved|not approved|not admin approved|IP restricted|invalid login hours|External client app is not installed/i;

function someText(error: unknown, test: (text: string) => boolean): boolean {
  return someCause(error, (e) =>
    [e['code'], e['name'], e['errorCode'], e['message']].some((text) => typeof text === 'string' && test(text)),
  );
}

/**
 * The org refused a session it had just issued (expired or revoked between the token call and the next one).
 * Not transient for an ordinary call (jsforce refreshes the session and repeats it), but a login that meets it
 * is safe to repeat: a fresh token call mints a new session.
 */
export function isSessionRefused(error: unknown): boolean {
  return someText(error, (t) => SESSION_REFUSED.test(t));
}

/** The token endpoint looked at the credentials and said no. */
export function isCredentialRefusal(error: unknown): boolean {
  return someText(error, (t) => CREDENTIALS_REFUSED.test(t));
}

/**
 * A login is repeated when it failed on the way (5xx, dropped connection) or met a refused fresh session, and
 * never when the token endpoint refused the credentials: a login tries several endpoints and audiences, and one
 * refusal among them (invalid_grant, invalid_client_id, …) means the inputs are wrong, whatever the others met.
 */
export function isRetryableLogin(error: unknown): boolean {
  if (someText(error, (t) => CREDENTIALS_REFUSED.test(t))) return false;
  return isTransientError(error) || isSessionRefused(error);
}

/**
 * Codes a SubscriberPackageVersion query fails with while a new version replicates: @salesforce/packaging
 * (lib/package/packageInstall.js, isErrorPackageNotAvailable) keeps waiting on exactly these.
 */
const VERSION_NOT_YET_CODES = new Set([
  'UNKNOWN_EXCEPTION',
  'PACKAGE_UNAVAILABLE',
  'PACKAGE_UNAVAILABLE_CRC',
  'PACKAGE_UNAVAILABLE_ZIP',
]);
/**
 * The install of a version that is not yet everywhere it must be: the install error quoted in
 * SFDO-Community/declarative-lookup-rollup-summaries#918, the "invalid cross reference id" a PackageInstallRequest
 * create meets before the version reached the target's instance, and the other texts CumulusCI
 * (cumulusci/salesforce_api/package_install.py RETRY_PACKAGE_ERRORS) retries an install on: "not yet available", the
 * missing "InstalledPackage version number", "doesn't yet exist or has been deleted", and the row lock
 * (docs/platform-notes.md §10). The jsforce errors carry no HTTP status, so the code and text decide.
 */
const VERSION_NOT_YET_TEXT =
  /The package version is not fully available|invalid cross reference id|This package is not yet available|InstalledPackage version number|The requested package doesn.t yet exist or has been deleted|unable to obtain exclusive access to this record/i;

/**
 * A package version that is reported available may still not be installable: wait and try again. `phase` 'query'
 * is the SubscriberPackageVersion query, where the library's codes apply (UNKNOWN_EXCEPTION included); 'install'
 * is the install request, where only the texts above and the PACKAGE_UNAVAILABLE codes say "not yet" (an
 * UNKNOWN_EXCEPTION there has no evidence of meaning that and fails at once).
 */
export function isVersionNotYetInstallable(error: unknown, phase: 'query' | 'install' = 'install'): boolean {
  if (someText(error, (t) => VERSION_NOT_YET_TEXT.test(t))) return true;
  return someCause(error, (e) =>
    [e['name'], e['errorCode']].some(
      (c) => typeof c === 'string' && VERSION_NOT_YET_CODES.has(c) && (phase === 'query' || c !== 'UNKNOWN_EXCEPTION'),
    ),
  );
}

/**
 * A GitHub API call worth repeating (github-secret.ts): a 5xx answer, or no answer at all (Octokit reports network
 * errors and timeouts as status 500, or with no status).
 */
export function isTransientGithubError(e: unknown): boolean {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s !== 'number' || s >= 500;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions<T>): Promise<T> {
  const named = timing(opts.policy ?? 'api');
  const policy = { ...named, baseMs: opts.baseMs ?? named.baseMs, maxMs: opts.maxMs ?? named.maxMs };
  const attempts = opts.attempts ?? policy.attempts;
  const transient = opts.isTransient ?? isTransientError;
  for (let attempt = 1; ; attempt++) {
    const outcome = await tryOnce(fn, attempt, transient, opts.notYet);
    if (outcome.kind === 'done') return outcome.value;
    const delay = backoff(policy, attempt);
    const spent = attempt >= attempts || (opts.deadline !== undefined && Date.now() + delay > opts.deadline);
    if (spent) return lastOutcome(outcome);
    reportRetry(opts, outcome, attempt, attempts, delay);
    await (opts.sleep ?? defaultSleep)(delay);
  }
}

/** When the attempts or the deadline run out: the last "not yet" answer as it is, or the last failure thrown. */
function lastOutcome<T>(outcome: Exclude<Outcome<T>, { kind: 'done' }>): T {
  if (outcome.kind === 'failed') throw outcome.error;
  return outcome.value;
}

function reportRetry<T>(
  opts: RetryOptions<T>,
  outcome: Outcome<T>,
  attempt: number,
  attempts: number,
  delay: number,
): void {
  const reason = outcome.kind === 'failed' ? outcome.error : outcome.value;
  if (opts.onRetry) opts.onRetry(reason, attempt, attempts, delay);
  else if (outcome.kind === 'failed') opts.log?.(retryLine(opts.what, reason, attempt, attempts, delay));
  else opts.log?.(`${opts.what}: not yet; ${again(attempt, attempts, delay)}`);
}

type Outcome<T> = { kind: 'done'; value: T } | { kind: 'not yet'; value: T } | { kind: 'failed'; error: unknown };

/** One attempt: its answer, an answer that says "not yet", or a transient failure (any other failure is thrown). */
async function tryOnce<T>(
  fn: (attempt: number) => Promise<T>,
  attempt: number,
  transient: (error: unknown) => boolean,
  notYet: ((result: T) => boolean) | undefined,
): Promise<Outcome<T>> {
  try {
    const value = await fn(attempt);
    return notYet?.(value) ? { kind: 'not yet', value } : { kind: 'done', value };
  } catch (error) {
    if (!transient(error)) throw error;
    return { kind: 'failed', error };
  }
}

/** The wait after that attempt: the policy's exponential backoff, with its jitter. */
function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** (attempt - 1));
  // Equal jitter: half the wait fixed, half random (timing.ts RetryPolicy.jitter says where and why).
  return policy.jitter === 'equal' ? Math.round(ceiling / 2 + Math.random() * (ceiling / 2)) : ceiling;
}

function again(attempt: number, attempts: number, delayMs: number): string {
  const count = Number.isFinite(attempts) ? `${attempt}/${attempts - 1}` : `${attempt}`;
  return `retry ${count} in ${delayMs} ms`;
}

/** The standard log line of a retry. */
export function retryLine(what: string, error: unknown, attempt: number, attempts: number, delayMs: number): string {
  return `${what}: transient failure (${describe(error)}); ${again(attempt, attempts, delayMs)}`;
}

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  const head = e.code ?? e.name ?? 'Error';
  const msg = (e.message ?? String(error)).split('\n')[0]!.slice(0, 160);
  return `${head}: ${msg}`;
}
