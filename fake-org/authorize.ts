// GET /services/oauth2/authorize: the first leg of the web-server flow, as far as a client that is not signed in
// sees it (docs/platform-notes.md §17). The fake never signs anyone in: a request the app accepts is sent on to the
// login page with the consent page as startURL; one it refuses gets the error. Which answers and texts: see RULES.md.
import { randomBytes } from 'node:crypto';
import type { FakeResponse, OrgState } from './types.ts';
import { normalizedNodes, textOf } from './store.ts';

/** OAuth scope names a request may ask for, by the metadata token of ExtlClntAppOauthSettings that grants them. */
const SCOPE_NAMES: Record<string, string[]> = {
  MCP: ['mcp_api'],
  RefreshToken: ['refresh_token', 'offline_access'],
  Api: ['api'],
  Web: ['web'],
  Full: ['full'],
  OpenID: ['openid'],
  Basic: ['id', 'profile', 'email', 'address', 'phone'],
  Chatter: ['chatter_api'],
};

export interface AuthorizeDeps {
  orgs: () => readonly OrgState[];
  /** a new consumer is unknown for this long after its org got it (the same delay as the token endpoint's) */
  appUsableMs: () => number;
  /** a connected app of the fake (the CI login app): known, its callbacks not modelled, so any request goes on */
  isConnectedApp: (clientId: string) => boolean;
}

export function authorize(query: URLSearchParams, baseUrl: string, deps: AuthorizeDeps): FakeResponse {
  const clientId = query.get('client_id') ?? '';
  const redirectUri = query.get('redirect_uri') ?? '';
  const errorPage = (error: string, description: string): FakeResponse =>
    redirect(
      `${baseUrl}/setup/secur/RemoteAccessErrorPage.apexp?${new URLSearchParams({ error, error_description: description })}`,
    );
  const signIn = (): FakeResponse => {
    const consent = `/setup/secur/RemoteAccessAuthorizationPage.apexp?source=${randomBytes(12).toString('hex')}`;
    return redirect(`${baseUrl}/?ec=302&startURL=${encodeURIComponent(consent)}`);
  };
  if (deps.isConnectedApp(clientId)) return signIn();
  // One port serves every org and the request names none: a key is known once every org holding it knows it (the
  // token endpoint's strict reading, oauth.ts).
  const holders = deps
    .orgs()
    .flatMap((org) => [...org.consumers.values()].filter((c) => c.consumerKey === clientId).map((c) => ({ org, c })));
  const delay = deps.appUsableMs();
  if (!holders.length || !holders.every(({ c }) => (c.createdAt ?? 0) + delay <= Date.now()))
    return errorPage('invalid_client_id', 'client identifier invalid');
  const { org, c } = holders[0]!;
  const global = appComponent(org, 'ExtlClntAppGlobalOauthSettings', c.appName);
  const callbacks = (global && textOf(global, 'callbackUrl'))?.split(/\r?\n/).map((u) => u.trim()) ?? [];
  // Not redirected to an unregistered URI (RFC 6749 §4.1.2.1); Salesforce's text for the mismatch.
  if (!callbacks.includes(redirectUri))
    return errorPage('redirect_uri_mismatch', 'redirect_uri must match configuration');
  const back = (error: string, description: string): FakeResponse => {
    const url = new URL(redirectUri);
    url.searchParams.set('error', error);
    url.searchParams.set('error_description', description);
    return redirect(url.toString());
  };
  if (query.get('response_type') !== 'code') return back('unsupported_response_type', 'response type not supported');
  const pkce = global && textOf(global, 'isPkceRequired') === 'true';
  if (pkce && !query.get('code_challenge')) return back('invalid_request', 'missing required code challenge');
  const oauth = appComponent(org, 'ExtlClntAppOauthSettings', c.appName);
  const granted = new Set(
    ((oauth && textOf(oauth, 'commaSeparatedOauthScopes')) ?? '')
      .split(',')
      .flatMap((t) => SCOPE_NAMES[t.trim()] ?? []),
  );
  const asked = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (asked.some((s) => !granted.has(s))) return back('invalid_scope', 'the requested scope is not allowed');
  return signIn();
}

function appComponent(org: OrgState, type: string, app: string) {
  for (const xml of org.metadata.get(type)?.values() ?? []) {
    const nodes = normalizedNodes(type, xml);
    if (textOf(nodes, 'externalClientApplication') === app) return nodes;
  }
  return undefined;
}

function redirect(location: string): FakeResponse {
  return { status: 302, headers: { location, 'content-type': 'text/html;charset=UTF-8' }, body: '' };
}
