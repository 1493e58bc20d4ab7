// Step 12, with `wait-until-usable`: wait until the orgs accept the new app's consumer key, without anyone
// signing in. The token endpoint is asked to redeem a made-up authorization code: an org that does not (yet) know
// the client answers invalid_client_id, one that knows it turns down the code (invalid_grant). docs/platform-notes.md §17.
import { randomBytes } from 'node:crypto';
import { formatDuration, pollUntil, PollTimeoutError } from './poll.ts';
import { timing } from './timing.ts';

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

/** The answers that mean "this org does not know the client": not yet propagated, or not installed there. */
const UNKNOWN_CLIENT = new Set(['invalid_client_id', 'app_not_found', 'OAUTH_EC_APP_NOT_FOUND']);

type Probe = { known: true } | { known: false; why: string };

/** Wait in each org in turn; the minutes are one budget for all of them. */
export async function waitUntilUsable(
  orgs: readonly UsableTarget[],
  app: { consumerKey: string; callbackUrl: string },
  minutes: number,
  log: (line: string) => void,
): Promise<void> {
  const timeoutMs = minutes * 60_000;
  const started = Date.now();
  for (const org of orgs) {
    let last = '';
    try {
      await pollUntil(
        () => probe(org.instanceUrl, { ...app, consumerKey: org.consumerKey ?? app.consumerKey }),
        (p) => p.known,
        {
          what: `The app in ${org.role}`,
          timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
          policy: 'usable',
          log,
          onProgress: (p) => {
            const line = `${cap(org.role)} does not know the app yet (${p.known ? '' : p.why}), ${Math.floor((Date.now() - started) / 60_000)} min of ${minutes}`;
            if (line !== last) log(line);
            last = line;
          },
        },
      );
    } catch (error) {
      if (!(error instanceof PollTimeoutError)) throw error;
      throw new NotUsableError(
        `wait-until-usable: ${org.role} did not accept the app's consumer key within ${formatDuration(timeoutMs)}. The app is created and its ` +
          'consumer key is in the outputs; Salesforce says a new app can take up to 30 minutes to become available. Connect later, or raise wait-until-usable.',
      );
    }
    log(`${cap(org.role)} knows the app (${formatDuration(Date.now() - started)} after the wait began).`);
  }
}

/**
 * One token request. The key goes in the form body only (never in a URL, which proxies and logs keep); the code
 * and verifier are random so that nothing is ever redeemed.
 */
async function probe(instanceUrl: string, app: { consumerKey: string; callbackUrl: string }): Promise<Probe> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: `eca-action-probe-${randomBytes(16).toString('hex')}`,
    client_id: app.consumerKey,
    redirect_uri: app.callbackUrl,
    code_verifier: randomBytes(48).toString('base64url'),
  });
  const response = await fetch(`${instanceUrl.replace(/\/+$/, '')}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(timing('usable').requestTimeoutMs),
  });
  const text = await response.text();
  if (response.status >= 500)
    throw Object.assign(new Error(`token endpoint answered HTTP ${response.status}`), { code: 'ECONNRESET' });
  let error: string | undefined;
  try {
    error = (JSON.parse(text) as { error?: string }).error;
  } catch {
    error = undefined;
  }
  if (response.ok) return { known: true }; // cannot happen with a made-up code; if it does, the client is known
  if (!error)
    throw Object.assign(new Error(`token endpoint answered HTTP ${response.status} without an OAuth error`), {
      code: 'ECONNRESET',
    });
  return UNKNOWN_CLIENT.has(error) ? { known: false, why: error } : { known: true };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
