// OAuth: the token endpoint (JWT bearer and refresh token grants), sessions, userinfo and the identity URL, and the
// dispatch of /services/oauth2/* and /id/… (oauthCall; the authorize page itself is authorize.ts).
// Error bodies use Salesforce's {error, error_description} pairs (docs/platform-notes.md §8; real wordings:
// "client identifier invalid", "invalid assertion", "audience is invalid", "expired authorization code",
// "user hasn't approved this consumer", "expired access/refresh token").
import { createPublicKey, createHmac, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { CallOutcome, FakeResponse, OrgState } from './types.ts';
import { authorize } from './authorize.ts';
import { newAccessToken, newRefreshToken } from './ids.ts';

export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** OrgState.ext key: the client id Proxy Signup replicated into a scratch org made by signup (scratch-signup.ts). */
export const SIGNUP_APP = 'scratchSignupApp';
/** Audiences Salesforce accepts besides the login URL itself (docs/platform-notes.md, "Library wire notes"). */
const STANDARD_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];
/** Leeway for clock skew, and for @salesforce/core's exp of Date.now()+300 *milliseconds*. */
const EXP_LEEWAY_SECONDS = 300;

export interface ConnectedApp {
  clientId: string;
  /** '' for apps without a secret (the sf CLI's PlatformCLI) */
  clientSecret: string;
  /** the uploaded certificate; its key verifies JWT bearer assertions */
  certificate?: KeyObject;
  /**
   * What kind of app the org holds this key for: Proxy Signup can replicate a Connected App into a new scratch
   * org, not an External Client App (docs/platform-notes.md §29). Default 'connected-app'.
   */
  kind: 'connected-app' | 'external-client-app';
}

/** A one-time code of the web-server flow, as scratch-org signup leaves in ScratchOrgInfo.AuthCode. */
interface AuthCode {
  org: OrgState;
  clientId: string;
  redirectUri: string;
  used: boolean;
}

export interface Session {
  token: string;
  org: OrgState;
  clientId: string;
  valid: boolean;
}

interface RefreshGrant {
  org: OrgState;
  clientId: string;
}

export function createOAuth(opts: { orgs: () => readonly OrgState[]; appUsableMs?: () => number }) {
  const apps = new Map<string, ConnectedApp>();
  const sessions = new Map<string, Session>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const authCodes = new Map<string, AuthCode>();
  const signingKey = randomBytes(32);

  function registerApp(app: {
    clientId: string;
    clientSecret?: string;
    certificatePem?: string;
    kind?: ConnectedApp['kind'];
  }): void {
    apps.set(app.clientId, {
      clientId: app.clientId,
      clientSecret: app.clientSecret ?? '',
      ...(app.certificatePem ? { certificate: createPublicKey(app.certificatePem) } : {}),
      kind: app.kind ?? 'connected-app',
    });
  }

  function appOf(clientId: string): ConnectedApp | undefined {
    return apps.get(clientId);
  }

  /** The AuthCode a finished scratch-org signup hands out: one exchange, by `clientId`, with `redirectUri`. */
  function issueAuthCode(org: OrgState, clientId: string, redirectUri: string): string {
    const code = `aPrx${randomBytes(36).toString('base64url')}`;
    authCodes.set(code, { org, clientId, redirectUri, used: false });
    return code;
  }

  /** A deleted org's sessions and refresh tokens stop working at once. */
  function forgetOrg(org: OrgState): void {
    for (const s of sessions.values()) if (s.org === org) s.valid = false;
    for (const [token, grant] of refreshTokens) if (grant.org === org) refreshTokens.delete(token);
  }

  /** A refresh token for `org`'s user issued to `clientId`, as an earlier web login would have left. */
  function issueRefreshToken(org: OrgState, clientId: string): string {
    const token = newRefreshToken();
    refreshTokens.set(token, { org, clientId });
    return token;
  }

  function session(token: string | undefined): Session | undefined {
    const s = token ? sessions.get(token) : undefined;
    return s?.valid ? s : undefined;
  }

  function expireAll(): void {
    for (const s of sessions.values()) s.valid = false;
  }

  function tokenResponse(org: OrgState, clientId: string, baseUrl: string, scope: string): FakeResponse {
    const token = newAccessToken(org.orgId);
    sessions.set(token, { token, org, clientId, valid: true });
    const id = `${baseUrl}/id/${org.orgId}/${org.userId}`;
    const issuedAt = String(Date.now());
    return json(200, {
      access_token: token,
      signature: createHmac('sha256', signingKey)
        .update(id + issuedAt)
        .digest('base64'),
      scope,
      instance_url: baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    });
  }

  /** POST /services/oauth2/token. `loginUrl` is how the client reached us (its JWT audience). */
  function token(body: string, contentType: string, baseUrl: string): FakeResponse {
    if (!/^application\/x-www-form-urlencoded/i.test(contentType))
      return oauthError(400, 'unsupported_grant_type', 'grant type not supported');
    const form = new URLSearchParams(body);
    switch (form.get('grant_type')) {
      case JWT_GRANT:
        return jwtBearer(form.get('assertion') ?? '', baseUrl);
      case 'refresh_token':
        return refresh(form, baseUrl);
      case 'authorization_code':
        return authorizationCode(form, baseUrl);
      default:
        return oauthError(400, 'unsupported_grant_type', 'grant type not supported');
    }
  }

  function jwtBearer(assertion: string, baseUrl: string): FakeResponse {
    const parts = assertion.split('.');
    if (parts.length !== 3) return oauthError(400, 'invalid_grant', 'invalid assertion');
    let header: { alg?: string };
    let claims: { iss?: string; sub?: string; aud?: string | string[]; exp?: number };
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return oauthError(400, 'invalid_grant', 'invalid assertion');
    }
    const app = claims.iss ? apps.get(claims.iss) : undefined;
    if (!app?.certificate) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (header.alg !== 'RS256') return oauthError(400, 'invalid_grant', 'invalid assertion');
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      app.certificate,
      Buffer.from(parts[2]!, 'base64url'),
    );
    if (!signed) return oauthError(400, 'invalid_grant', 'invalid assertion');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const accepted = [baseUrl, ...STANDARD_AUDIENCES].map(trimSlash);
    if (!audiences.some((a) => typeof a === 'string' && accepted.includes(trimSlash(a)))) {
      return oauthError(400, 'invalid_grant', 'audience is invalid');
    }
    if (typeof claims.exp !== 'number') return oauthError(400, 'invalid_grant', 'invalid assertion');
    // RFC 7519 says seconds; @salesforce/core sends milliseconds. A value that large can only be milliseconds.
    const expSeconds = claims.exp > 1e11 ? claims.exp / 1000 : claims.exp;
    if (expSeconds + EXP_LEEWAY_SECONDS < Date.now() / 1000)
      return oauthError(400, 'invalid_grant', 'expired authorization code');
    const org = opts.orgs().find((o) => o.username === claims.sub);
    if (!org) return oauthError(400, 'invalid_grant', "user hasn't approved this consumer");
    // A scratch org made by signup knows only the app Proxy Signup replicated into it (docs/platform-notes.md §29).
    const replicated = org.ext.get(SIGNUP_APP);
    if (typeof replicated === 'string' && replicated !== app.clientId)
      return oauthError(400, 'invalid_client_id', 'client identifier invalid');
    return tokenResponse(org, app.clientId, baseUrl, 'web api id');
  }

  function refresh(form: URLSearchParams, baseUrl: string): FakeResponse {
    const clientId = form.get('client_id') ?? '';
    const app = apps.get(clientId);
    if (!app) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
    if (app.clientSecret && form.get('client_secret') !== app.clientSecret)
      return oauthError(400, 'invalid_client', 'invalid client credentials');
    const grant = refreshTokens.get(form.get('refresh_token') ?? '');
    if (!grant || grant.clientId !== clientId) return oauthError(400, 'invalid_grant', 'expired access/refresh token');
    return tokenResponse(grant.org, clientId, baseUrl, 'web openid api id refresh_token');
  }

  /**
   * The web-server flow's code exchange. No code is ever issued here (there is no authorize endpoint), so every
   * request fails; what matters is how: a client the org does not know yet gets invalid_client_id, a known one
   * invalid_grant (docs/platform-notes.md §17). A new app's consumer becomes known appUsableMs after the org got it.
   * One port serves every org and this request names none, so a key counts as known only once every org holding
   * it knows it (our choice, no evidence: the strict reading; a real org is told apart by its host).
   */
  function authorizationCode(form: URLSearchParams, baseUrl: string): FakeResponse {
    const clientId = form.get('client_id') ?? '';
    const issued = authCodes.get(form.get('code') ?? '');
    if (issued) {
      if (issued.clientId !== clientId) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
      if (issued.redirectUri !== (form.get('redirect_uri') ?? ''))
        return oauthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      if (issued.used || !opts.orgs().includes(issued.org))
        return oauthError(400, 'invalid_grant', 'expired authorization code');
      issued.used = true;
      const response = tokenResponse(issued.org, clientId, baseUrl, 'web openid api id refresh_token');
      const body = JSON.parse(String(response.body)) as Record<string, unknown>;
      body.refresh_token = issueRefreshToken(issued.org, clientId);
      return json(200, body);
    }
    const delay = opts.appUsableMs?.() ?? 0;
    const holders = opts.orgs().flatMap((o) => [...o.consumers.values()].filter((c) => c.consumerKey === clientId));
    const known =
      apps.has(clientId) || (holders.length > 0 && holders.every((c) => (c.createdAt ?? 0) + delay <= Date.now()));
    if (!known) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
    return oauthError(400, 'invalid_grant', 'invalid authorization code');
  }

  function revokeRefreshTokens(): void {
    refreshTokens.clear();
  }

  /** a connected app registered here (the CI login app, the CLI's), known to every org at once */
  const isRegistered = (clientId: string): boolean => apps.has(clientId);

  return {
    registerApp,
    appOf,
    issueAuthCode,
    forgetOrg,
    issueRefreshToken,
    session,
    expireAll,
    token,
    revokeRefreshTokens,
    isRegistered,
  };
}

export type OAuth = ReturnType<typeof createOAuth>;

export interface OAuthDispatchDeps {
  oauth: OAuth;
  orgs: () => readonly OrgState[];
  appUsableMs: () => number;
  /** The server's armed faults for `route`: what replaces the answer, or undefined to answer. */
  applyFaults: (route: string) => Promise<Omit<CallOutcome, 'route'> | undefined>;
}

export interface OAuthCall {
  /** the path without the query string and trailing slashes */
  path: string;
  method: string;
  query: URLSearchParams;
  body: Buffer;
  contentType: string;
  /** the access token of an Authorization: Bearer (or OAuth) header */
  bearer: string | undefined;
  /** how the client reached us: its JWT audience and the base of the URLs we answer with */
  baseUrl: string;
}

/**
 * The /services/oauth2/* and /id/… endpoints: token, authorize (authorize.ts), userinfo and the identity URL.
 * Undefined when the call is none of them, so the server routes it on.
 */
export async function oauthCall(deps: OAuthDispatchDeps, call: OAuthCall): Promise<CallOutcome | undefined> {
  const { path, method, baseUrl } = call;
  if (path === '/services/oauth2/token') {
    if (method !== 'POST')
      return { route: 'oauth.token', response: oauthError(400, 'invalid_request', 'must use HTTP POST') };
    const faulted = await deps.applyFaults('oauth.token');
    if (faulted && !faulted.lose) return { route: 'oauth.token', ...faulted };
    const response = deps.oauth.token(call.body.toString('utf8'), call.contentType, baseUrl);
    return faulted?.lose ? { route: 'oauth.token', drop: true, fault: 'lose' } : { route: 'oauth.token', response };
  }
  if (path === '/services/oauth2/authorize' && method === 'GET') {
    const faulted = await deps.applyFaults('oauth.authorize');
    if (faulted) return { route: 'oauth.authorize', ...faulted };
    return {
      route: 'oauth.authorize',
      response: authorize(call.query, baseUrl, {
        orgs: deps.orgs,
        appUsableMs: deps.appUsableMs,
        isConnectedApp: deps.oauth.isRegistered,
      }),
    };
  }
  if (path === '/services/oauth2/userinfo' || path.startsWith('/id/')) {
    const route = path.startsWith('/id/') ? 'oauth.identity' : 'oauth.userinfo';
    const faulted = await deps.applyFaults(route);
    if (faulted) return { route, ...faulted };
    const session = deps.oauth.session(call.bearer);
    // Salesforce's identity endpoints answer a bad token with 403 and this plain text.
    if (!session)
      return { route, response: { status: 403, headers: { 'content-type': 'text/plain' }, body: 'Bad_OAuth_Token' } };
    if (route === 'oauth.identity' && path !== `/id/${session.org.orgId}/${session.org.userId}`) {
      return {
        route,
        org: session.org,
        response: { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Bad_Id' },
      };
    }
    return {
      route,
      org: session.org,
      response: route === 'oauth.userinfo' ? userInfo(session.org, baseUrl) : identity(session.org, baseUrl),
    };
  }
  return undefined;
}

/** GET /services/oauth2/userinfo (OpenID Connect; core reads user_id, organization_id, preferred_username). */
export function userInfo(org: OrgState, baseUrl: string): FakeResponse {
  return json(200, {
    sub: `${baseUrl}/id/${org.orgId}/${org.userId}`,
    user_id: org.userId,
    organization_id: org.orgId,
    preferred_username: org.username,
    nickname: org.username.split('@')[0],
    name: 'Fake User',
    email: org.username,
    email_verified: true,
    given_name: 'Fake',
    family_name: 'User',
    zoneinfo: 'America/Los_Angeles',
    locale: 'en_US',
    language: 'en_US',
    active: true,
    user_type: 'STANDARD',
    is_app_installed: true,
    updated_at: '2026-01-01T00:00:00Z',
  });
}

/** GET /id/<orgId>/<userId>: the identity service the token's `id` points at. */
export function identity(org: OrgState, baseUrl: string): FakeResponse {
  return json(200, {
    id: `${baseUrl}/id/${org.orgId}/${org.userId}`,
    asserted_user: true,
    user_id: org.userId,
    organization_id: org.orgId,
    username: org.username,
    nick_name: org.username.split('@')[0],
    display_name: 'Fake User',
    email: org.username,
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: -28800000,
    urls: {
      rest: `${baseUrl}/services/data/v{version}/`,
      sobjects: `${baseUrl}/services/data/v{version}/sobjects/`,
      query: `${baseUrl}/services/data/v{version}/query/`,
      metadata: `${baseUrl}/services/Soap/m/{version}/${org.orgId.slice(0, 15)}`,
    },
  });
}

export function oauthError(status: number, error: string, description: string): FakeResponse {
  return json(status, { error, error_description: description });
}

function json(status: number, body: unknown): FakeResponse {
  return { status, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(body) };
}

function trimSlash(url: string | undefined): string {
  return (url ?? '').replace(/\/+$/, '');
}
