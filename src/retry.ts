// The one place for retries. Transient faults (5xx, dropped connections, timeouts, row locks) are retried
// with bounded, jittered exponential backoff; everything else fails at once so a user sees the real cause.

export interface RetryOptions {
  /** what is being tried, for the log */
  what: string;
  /** attempts in all, including the first */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  log?: (line: string) => void;
  /** instead of the standard log line, e.g. to word it for the caller's audience */
  onRetry?: (error: unknown, attempt: number, attempts: number, delayMs: number) => void;
  isTransient?: (error: unknown) => boolean;
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
  /socket hang up|other side closed|fetch failed|ECONNRESET|ETIMEDOUT|UNABLE_TO_LOCK_ROW|unable to obtain exclusive access|Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error|HTTP 50[0234]|status(Code)? 50[0234]|ERROR_HTTP_50[0234]|timed out|terminated/i;

export function isTransientError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; name?: unknown; errorCode?: unknown; statusCode?: unknown; status?: unknown; message?: unknown; cause?: unknown };
  for (const c of [e.code, e.name, e.errorCode]) if (typeof c === 'string' && TRANSIENT_CODES.has(c)) return true;
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (typeof e.message === 'string' && TRANSIENT_TEXT.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== error && isTransientError(e.cause);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const attempts = opts.attempts ?? Number(process.env.ECA_ACTION_RETRY_ATTEMPTS ?? 5);
  const baseMs = opts.baseMs ?? Number(process.env.ECA_ACTION_RETRY_BASE_MS ?? 1000);
  const maxMs = opts.maxMs ?? 20_000;
  const transient = opts.isTransient ?? isTransientError;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !transient(error)) throw error;
      // Full jitter: spreads reruns of many workflows hitting the same org at once.
      const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
      if (opts.onRetry) opts.onRetry(error, attempt, attempts, delay);
      else opts.log?.(`${opts.what}: transient failure (${describe(error)}); retry ${attempt}/${attempts - 1} in ${delay} ms`);
      await sleep(delay);
    }
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  const head = e.code ?? e.name ?? 'Error';
  const msg = (e.message ?? String(error)).split('\n')[0]!.slice(0, 160);
  return `${head}: ${msg}`;
}
