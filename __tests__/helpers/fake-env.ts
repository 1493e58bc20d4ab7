// Shared set-up for tests that run the bundle against the fake org.
import { readFileSync } from 'node:fs';
import type { FakeOrg } from '../../fake-org/server.ts';
import type { Secret } from './leaks.ts';
import { runAction, type ActionRun } from './run-action.ts';

export const APP = 'MCP_Client_App';

/** Inputs of a realistic run: JWT login to the fake Dev Hub, packaging in its namespace. */
export function jwtInputs(org: FakeOrg, extra: Record<string, string> = {}): Record<string, string> {
  return {
    clients: 'claude,cursor',
    'contact-email': 'mcp-admins@example.com',
    'dev-hub-username': org.username,
    'dev-hub-client-id': org.clientId,
    'dev-hub-jwt-key': readFileSync(org.privateKeyPath, 'utf8'),
    'dev-hub-login-url': org.loginUrl,
    'package-namespace': org.namespace,
    'wait-minutes': '2',
    ...extra,
  };
}

/** The runner's environment for a fake-org run: trust the fake's https side (SFDX auth URLs mean https). */
export function fakeEnv(org: FakeOrg, extra: Record<string, string> = {}): Record<string, string> {
  return { NODE_EXTRA_CA_CERTS: org.caCertPath, ...extra };
}

/** The realistic run against `org` (jwtInputs with `extra` laid over, the fake's environment), nothing else. */
export function runJwt(org: FakeOrg, extra: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({ inputs: jwtInputs(org, extra), env: fakeEnv(org) });
}

export function consumerOf(org: FakeOrg, app = APP): { key: string; secret: string } | undefined {
  const c = org.ctx.devHub.consumers.get(app);
  return c ? { key: c.consumerKey, secret: c.consumerSecret } : undefined;
}

/** Everything secret the fake knows of, for the leak scan. */
export function secretsOf(org: FakeOrg, extra: Secret[] = []): Secret[] {
  const found: Secret[] = [
    { what: 'the JWT private key', value: org.privateKeyPem },
    { what: 'the Dev Hub auth URL', value: org.devHubAuthUrl },
    { what: 'the scratch org auth URL', value: org.scratchAuthUrl },
    ...extra,
  ];
  for (const url of [org.devHubAuthUrl, org.scratchAuthUrl]) {
    const refresh = /^force:\/\/[^:]*:[^:]*:([^@]+)@/.exec(url)?.[1];
    found.push({ what: 'a refresh token', value: refresh });
  }
  for (const c of org.ctx.devHub.consumers.values()) {
    found.push(
      { what: `consumer key of ${c.appName}`, value: c.consumerKey },
      { what: `consumer secret of ${c.appName}`, value: c.consumerSecret },
    );
  }
  return found;
}
