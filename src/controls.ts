// Salesforce's own security controls for External Client Apps, judged for one plan: the Help topic "Review External
// Client Apps" (one page per control, each with a "Recommended Configuration"), the partner requirements of
// "Secure Your Connected Apps and External Client Apps" (PKCE, refresh token rotation, idle refresh-token TTL,
// refresh-token IP allowlist), and the settings the procedure names that no metadata field sets. Pure; the summary
// prints it. Sources: docs/platform-notes.md §22.
import type { AppPlan } from './model.ts';
import { howToSet } from './hardening.ts';

export type ControlStatus = 'met' | 'not met' | 'not applicable' | 'set in Setup';

export interface ControlRow {
  control: string;
  status: ControlStatus;
  /** why, and what to do where it is not met */
  how: string;
}

export function securityControls(plan: AppPlan): ControlRow[] {
  const g = plan.global;
  const pol = plan.policy;
  const rows: ControlRow[] = [];
  const add = (control: string, status: ControlStatus, how: string): void => {
    rows.push({ control, status, how });
  };
  const secretRequired = !g.isConsumerSecretOptional;

  add(
    'Require PKCE (partner requirement)',
    g.isPkceRequired ? 'met' : 'not met',
    'isPkceRequired; lock it in Setup for partner apps',
  );
  add(
    'Enable Refresh Token Rotation (partner requirement)',
    g.isRefreshTokenRotationEnabled ? 'met' : 'not met',
    g.isRefreshTokenRotationEnabled ? 'isRefreshTokenRotationEnabled' : howToSet('refreshTokenRotation', true),
  );
  add(
    'Limit the Idle Refresh Token TTL to 30 days (partner requirement)',
    g.isEnforceRefreshTokenTTL ? 'met' : 'not met',
    g.isEnforceRefreshTokenTTL ? 'isEnforceRefreshTokenTTL' : howToSet('enforceRefreshTokenTtl', true),
  );
  add(
    'Refresh Token IP Allowlist (partner requirement)',
    'set in Setup',
    'not written by this action: whether its ranges alone enforce the allowlist is not documented; Setup → External Client App Manager → the app → Settings',
  );
  add(
    'Issue JWT-based access tokens for named users',
    g.isNamedUserJwtEnabled ? 'met' : 'not met',
    'isNamedUserJwtEnabled; the hosted MCP servers need it',
  );
  add(
    'Disable Client Credentials Flow',
    !g.isClientCredentialsFlowEnabled ? 'met' : 'not met',
    'off in the OAuth settings and in the policy',
  );
  add(
    'OAuth Scope Least Privilege',
    pol.permittedUsersPolicyType === 'AdminApprovedPreAuthorized' ? 'met' : 'not met',
    pol.permittedUsersPolicyType === 'AdminApprovedPreAuthorized'
      ? `scopes ${plan.scopes.join(', ')}; admin-approved users are pre-authorized`
      : `scopes ${plan.scopes.join(', ')} only, but all users may self-authorize: set permission-set`,
  );
  add(
    'Require Secret for Web Server Flow',
    secretRequired ? 'met' : 'not applicable',
    secretRequired
      ? 'require-secret: true'
      : 'public clients must not send the secret (partner requirement for PKCE); require-secret for a client that keeps it on a server',
  );
  add(
    'Require Secret for Refresh Token Flow',
    g.isSecretRequiredForRefreshToken ? 'met' : 'not applicable',
    g.isSecretRequiredForRefreshToken
      ? 'isSecretRequiredForRefreshToken'
      : 'public MCP clients refresh without a secret',
  );
  add(
    'Enable Authorization Code and Credentials Flow',
    'not applicable',
    'kept off on purpose: MCP clients do not use it, and it lets an app send user credentials',
  );
  add('Enable JWT Bearer Flow', 'not applicable', 'for server-to-server apps; MCP clients sign users in interactively');
  add('Configure ID Token', 'not applicable', 'the app has no OpenID scope, so it issues no ID token');
  add(
    'High-assurance session at sign-in',
    pol.requiredSessionLevel === 'HIGH_ASSURANCE' ? 'met' : 'not met',
    pol.requiredSessionLevel === 'HIGH_ASSURANCE'
      ? 'requiredSessionLevel HIGH_ASSURANCE, raised at sign-in'
      : howToSet('requiredSessionLevel', 'HIGH_ASSURANCE'),
  );
  add(
    'Metadata Secrets Protection (org setting)',
    'set in Setup',
    'an org setting, not the app\'s: "Allow access to External Client App consumer secrets via Metadata API" off',
  );
  add(
    'REST API Secret Masking (org setting)',
    'set in Setup',
    secretRequired
      ? '"Allow access to External Client App consumer secrets via REST API" must stay on for this run to read the secret; turn it off afterwards if nothing else reads it'
      : 'an org setting: "Allow access to External Client App consumer secrets via REST API" off',
  );
  add(
    'Lock OAuth security controls (partner apps)',
    'set in Setup',
    'no metadata field; after locking, only Salesforce Support can change PKCE and rotation',
  );
  add(
    'Issue access tokens in access_token parameter (the procedure: off)',
    'set in Setup',
    'no metadata field exists for it; check in Setup that it is off',
  );
  return rows;
}
