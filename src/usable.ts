// Step 12, with `wait-until-usable`: wait until the orgs accept the new app, without anyone signing in. The check is
// the first leg of a real sign-in: GET /services/oauth2/authorize with the app's key, a registered callback, the MCP
// scopes and a PKCE challenge. Sent on to the login page = usable with that callback and those scopes; an error =
// not (yet), and which one says why (an unknown client, a callback or scopes the org does not accept yet). Where that
// answer cannot be read, the token endpoint is asked to redeem a made-up code (invalid_client_id = not known yet).
// docs/platform-notes.md §17.
import { createHash, randomBytes } from 'node:crypto';
import { formatDuration, pollUntil, PollTimeoutError } from './poll.ts';
import { isTransientError } from './retry.ts';
import { minutesMs, timing } from './timing.ts';

export interface UsableTarget {
  /** how the org is named in messages, e.g. 'the Dev Hub' */
  role: string;
  instanceUrl: string;
  /** the org's own consumer key (install-method: deploy gives the install target an app of its own); default the app's */
  consumerKey?: string;
}

export class NotUsableError extends Error {
  override name = 'NotUsableError';
}

/**
 * An answer the check cannot read (a 5xx, a token error without an OAuth code): it says nothing about the app, so
 * the poll reads again (the usable policy's errorBudget in a row at most), as after a dropped connection.
 */
class UnreadableAnswer extends Error {
  override name = 'UnreadableAnswer';
}

const readAgain = (error: unknown): boolean => error instanceof UnreadableAnswer || isTransientError(error);

/** The answers that mean "this org does not know the client": not yet propagated, or not installed there. */
const UNKNOWN_CLIENT = new Set(['invalid_client_id', 'app_not_found', 'OAUTH_EC_APP_NOT_FOUND']);
/** Authorize-endpoint answers that mean "not with this callback or these scopes", which a new app also meets until its settings have propagated. */
const NOT_YET = new Map([
  ['redirect_uri_mismatch', 'does not accept the callback URL yet'],
  ['invalid_scope', 'does not grant the MCP scopes yet'],
]);
/** The OAuth scope names of the metadata tokens an MCP app carries (docs/platform-notes.md §12). */
const SCOPE_NAMES: Record<string, string> = { MCP: 'mcp_api', RefreshToken: 'refresh_token' };
const OAUTH_ERROR = /^[a-zA-Z_]{1,60}$/;

type Probe = { known: true } | { known: false; why: string };

/** Wait in each org in turn; the minutes are one budget for all of them. */
export async function waitUntilUsable(
  orgs: readonly UsableTarget[],
  app: { consumerKey: string; callbackUrl: string; scopes?: readonly string[] },
  minutes: number,
  log: (line: string) => void,
): Promise<void> {
  const timeoutMs = minutesMs(minutes);
  const started = Date.now();
  for (const org of orgs) {
    let last = '';
    let lastWhy = '';
    try {
      await pollUntil(
        () => probe(org.instanceUrl, { ...app, consumerKey: org.consumerKey ?? app.consumerKey }),
        (p) => p.known,
        {
          what: `The app in ${org.role}`,
          timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
          policy: 'usable',
          isTransient: readAgain,
          log,
          onProgress: (p) => {
            lastWhy = p.known ? '' : p.why;
            const line = `${cap(org.role)} ${describe(lastWhy)} (${lastWhy}), ${Math.floor((Date.now() - started) / minutesMs(1))} min of ${minutes}`;
            if (line !== last) log(line);
            last = line;
          },
        },
      );
    } catch (error) {
      if (!(error instanceof PollTimeoutError)) throw error;
      throw new NotUsableError(
        `wait-until-usable: ${org.role} did not accept the app's consumer key within ${formatDuration(timeoutMs)}${lastWhy ? ` (last answer: ${lastWhy}, it ${describe(lastWhy)})` : ''}. The app is created and its ` +
          'consumer key is in the outputs; Salesforce says a new app can take up to 30 minutes to become available. Connect later, or raise wait-until-usable.',
      );
    }
    log(
      `${cap(org.role)} knows the app and accepts its callback and scopes (${formatDuration(Date.now() - started)} after the wait began).`,
    );
  }
}

function describe(why: string): string {
  return NOT_YET.get(why) ?? 'does not know the app yet';
}

/** One authorize request; the token endpoint only where the answer is not one the check can read. */
async function probe(
  instanceUrl: string,
  app: { consumerKey: string; callbackUrl: string; scopes?: readonly string[] },
): Promise<Probe> {
  const verifier = randomBytes(48).toString('base64url');
  // The key is the app's public client id: every sign-in puts it into this same URL, and it goes only to the org.
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: app.consumerKey,
    redirect_uri: app.callbackUrl,
    scope: (app.scopes ?? ['MCP', 'RefreshToken']).map((t) => SCOPE_NAMES[t] ?? t.toLowerCase()).join(' '),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(16).toString('hex'),
  });
  const base = instanceUrl.replace(/\/+$/, '');
  const response = await fetch(`${base}/services/oauth2/authorize?${query}`, {
    redirect: 'manual',
    headers: { accept: 'text/html' },
    signal: AbortSignal.timeout(timing('usable').requestTimeoutMs),
  });
  if (response.status >= 500) throw new UnreadableAnswer(`authorize endpoint answered HTTP ${response.status}`);
  const answer = readAuthorize(response.status, response.headers.get('location'), await response.text(), base);
  if (answer === 'sign-in') return { known: true };
  if (answer) {
    if (UNKNOWN_CLIENT.has(answer) || NOT_YET.has(answer)) return { known: false, why: answer };
    return { known: true }; // another OAuth error: the org knows the client and judged the request
  }
  return tokenProbe(base, app);
}

/**
 * What an authorize answer says: 'sign-in' (sent on to the login or consent page), an OAuth error code, or undefined
 * (nothing the check can read). Org answers are untrusted: only an error code of OAuth's shape is taken from them.
 */
export function readAuthorize(status: number, location: string | null, body: string, base: string): string | undefined {
  if (status >= 300 && status < 400 && location) {
    let url: URL;
    try {
      url = new URL(location, base);
    } catch {
      return undefined;
    }
    const error = url.searchParams.get('error');
    if (error) return OAUTH_ERROR.test(error) ? error : undefined;
    const startUrl = url.searchParams.get('startURL') ?? '';
    if (/RemoteAccessAuthorizationPage\.apexp/.test(url.pathname + startUrl) || url.searchParams.has('startURL'))
      return 'sign-in';
    return undefined;
  }
  const m = /[?&"]error=([a-zA-Z_]{1,60})/.exec(body);
  return m?.[1];
}

/**
 * One token request. The key goes in the form body only; the code and verifier are random so that nothing is ever
 * redeemed. invalid_client_id: not known yet; any other OAuth error: known.
 */
async function tokenProbe(base: string, app: { consumerKey: string; callbackUrl: string }): Promise<Probe> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: `eca-action-probe-${randomBytes(16).toString('hex')}`,
    client_id: app.consumerKey,
    redirect_uri: app.callbackUrl,
    code_verifier: randomBytes(48).toString('base64url'),
  });
  const response = await fetch(`${base}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(timing('usable').requestTimeoutMs),
  });
  const text = await response.text();
  if (response.status >= 500) throw new UnreadableAnswer(`token endpoint answered HTTP ${response.status}`);
  let error: string | undefined;
  try {
    error = (JSON.parse(text) as { error?: string }).error;
  } catch {
    error = undefined;
  }
  if (response.ok) return { known: true }; // cannot happen with a made-up code; if it does, the client is known
  if (!error) throw new UnreadableAnswer(`token endpoint answered HTTP ${response.status} without an OAuth error`);
  return UNKNOWN_CLIENT.has(error) ? { known: false, why: error } : { known: true };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
