// Step 1, the logins (settings.ts reads every input): the Dev Hub by JWT, auth URL or sf CLI login, and orgs given
// by name or auth URL (the install target).
import type { DevHubAuth, OrgRef } from './model.ts';
import { checkAuthUrl, checkUsername, show } from './checks.ts';
import { normalizeJwtKey } from './jwt-key.ts';
import { checkLoginOrigin, LOGIN_HOST_RULE } from './login-hosts.ts';
import { DEFAULTS, type Problems } from './settings-parse.ts';

// The login URL, and orgs given by name or auth URL

// Logins: the login URL, and orgs given by name or auth URL

export function parseLoginUrl(p: Problems, value: string): string | undefined {
  // Only Salesforce's login domains (and loopback) receive a signed assertion: src/login-hosts.ts says why.
  const error = checkLoginOrigin(value);
  if (error) {
    p.add(
      'dev-hub-login-url',
      `${show(value)} is not accepted: ${error}. A signed login assertion goes only to Salesforce's own login domains. ${LOGIN_HOST_RULE}`,
    );
    return undefined;
  }
  return new URL(value).origin;
}

const ALIAS = /^[A-Za-z0-9_.@+:-]{1,255}$/;

export function parseOrgRef(p: Problems, input: string, value: string, allowAuthUrl: boolean): OrgRef | undefined {
  if (value.toLowerCase().startsWith('force://')) {
    if (!allowAuthUrl) {
      // Do not echo it: an SFDX auth URL is a credential.
      p.add(
        input,
        'looks like an SFDX auth URL (force://…), which is a secret. Pass it in dev-hub-auth-url (from a secret) instead; dev-hub takes a username or alias of an earlier sf CLI login.',
      );
      return undefined;
    }
    const error = checkAuthUrl(value);
    if (error) {
      p.add(input, error);
      return undefined;
    }
    return { kind: 'authUrl', authUrl: value };
  }
  if (!ALIAS.test(value)) {
    p.add(
      input,
      `${show(value)} is not a username or alias of an sf CLI login (letters, digits and . _ @ + - : only)${allowAuthUrl ? ', nor an SFDX auth URL (force://…)' : ''}.`,
    );
    return undefined;
  }
  return { kind: 'cli', usernameOrAlias: value };
}

// The Dev Hub

// The Dev Hub

export function parseDevHub(p: Problems, get: (name: string) => string, dryRun: boolean): DevHubAuth | undefined {
  const username = get('dev-hub-username');
  const clientId = get('dev-hub-client-id');
  const jwtKey = get('dev-hub-jwt-key');
  const authUrl = get('dev-hub-auth-url');
  const cli = get('dev-hub');
  const loginUrl = parseLoginUrl(p, get('dev-hub-login-url') || DEFAULTS.loginUrl);

  const methods: string[] = [];
  if (username || clientId || jwtKey) methods.push('dev-hub-username + dev-hub-client-id + dev-hub-jwt-key');
  if (authUrl) methods.push('dev-hub-auth-url');
  if (cli) methods.push('dev-hub');
  const how =
    'Give exactly one of: dev-hub-username + dev-hub-client-id + dev-hub-jwt-key (JWT bearer), dev-hub-auth-url (an SFDX auth URL), or dev-hub (an sf CLI login from an earlier step)';
  if (methods.length > 1) {
    p.add(
      methods.map((m) => m.split(' + ')[0]).join(', '),
      `several Dev Hub logins are given (${methods.join('; ')}). ${how}.`,
    );
  }
  if (methods.length === 0) {
    if (!dryRun)
      p.add('dev-hub', `no Dev Hub login is given. ${how}; or set dry-run: true to only generate the metadata.`);
    return undefined;
  }

  let result: DevHubAuth | undefined;
  if (username || clientId || jwtKey) {
    const missing = [
      ['dev-hub-username', username],
      ['dev-hub-client-id', clientId],
      ['dev-hub-jwt-key', jwtKey],
    ].filter(([, v]) => !v);
    for (const [name] of missing) {
      p.add(
        name!,
        'is missing: the JWT bearer login needs dev-hub-username, dev-hub-client-id and dev-hub-jwt-key together.',
      );
    }
    if (username) p.check('dev-hub-username', checkUsername(username));
    if (clientId && !/^[A-Za-z0-9._~+/=-]{8,255}$/.test(clientId)) {
      // Not echoed: a consumer key is not a secret, but it is nobody's business in a log either.
      p.add(
        'dev-hub-client-id',
        'is not a consumer key (one line of letters, digits and . _, like 3MVG9…). Copy the Consumer Key of the app used for CI login.',
      );
    }
    let pem: string | undefined;
    if (jwtKey) {
      const key = normalizeJwtKey(jwtKey);
      if (key.ok) pem = key.pem;
      else p.add('dev-hub-jwt-key', key.message);
    }
    if (username && clientId && pem && loginUrl) result = { kind: 'jwt', username, clientId, jwtKey: pem, loginUrl };
  }
  if (authUrl) {
    const error = checkAuthUrl(authUrl);
    if (error) p.add('dev-hub-auth-url', error);
    else result = { kind: 'authUrl', authUrl };
  }
  if (cli) {
    const ref = parseOrgRef(p, 'dev-hub', cli, false);
    if (ref) result = ref;
  }
  return result;
}
