// Step 2 of the procedure: reach the Dev Hub (and the install target) through @salesforce/core.
// JWT bearer, SFDX auth URL, or an sf CLI login made by an earlier step.
import { AuthInfo, Connection, Lifecycle, StateAggregator } from '@salesforce/core';
import type { DevHubAuth, OrgRef } from './model.ts';
import type { Workspace } from './workspace.ts';
import { redact } from './mask.ts';
import { guardLoginHosts } from './network.ts';
import { isRetryableLogin, isTransientError, withRetry } from './retry.ts';

export interface OrgSession {
  connection: Connection;
  username: string;
  orgId: string;
  instanceUrl: string;
  isDevHub: boolean;
  /** Organization.OrganizationType/IsSandbox, for the summary's MCP URL advice */
  orgType?: 'production' | 'sandbox' | 'developer' | 'scratch';
}

/** A problem a user can fix, said in their words; main turns it into a failed step without a stack. */
export class OrgError extends Error {
  override name = 'OrgError';
}

let warningsHooked = false;
function hookWarnings(log: (line: string) => void): void {
  if (warningsHooked) return;
  warningsHooked = true;
  // Without a listener core calls process.emitWarning, which prints a stack-like line on stderr.
  Lifecycle.getInstance().onWarning(async (w: string) => {
    if (IRRELEVANT_WARNINGS.some((re) => re.test(w))) return;
    log(`warning from the Salesforce libraries: ${redact(w)}`);
  });
}

/**
 * Library warnings about things this action does not do, which would only make a user look for a problem:
 * - @salesforce/core's scratchOrgSettingsGenerator warns about record-type capitalization in a scratch org
 *   definition file on every version create, and the action sends no definition file;
 * - sfdcUrl warns about http, which the inputs allow only for loopback hosts (local runs against a fake org).
 */
const IRRELEVANT_WARNINGS = [/^Record types defined in the scratch org definition file/, /^Using insecure protocol: http: on url: http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/];

export async function connectDevHub(auth: DevHubAuth, ws: Workspace, log: (line: string) => void): Promise<OrgSession> {
  hookWarnings(log);
  const session = await connect(auth, ws, 'dev hub', log);
  if (!session.isDevHub) session.isDevHub = await probeDevHub(session.connection, log);
  if (!session.isDevHub) {
    throw new OrgError(
      `The org of ${session.username} (${session.orgId}) is not a Dev Hub: it cannot own a packaged External Client App or create package versions. ` +
        'Enable Dev Hub in Setup → Dev Hub of your production or Developer Edition org, or authenticate to the org that is your Dev Hub.',
    );
  }
  return session;
}

export async function connectOrg(ref: OrgRef, ws: Workspace, log: (line: string) => void, role: string): Promise<OrgSession> {
  hookWarnings(log);
  return connect(ref, ws, role, log);
}

function loginRetry(what: string, log: (line: string) => void) {
  return { what, log, isTransient: isRetryableLogin };
}

/**
 * @salesforce/core decides "Dev Hub or not" with one ScratchOrgInfo query at login and takes any failure of it,
 * a dropped connection included, for "not a Dev Hub". Ask again over the connection (which retries and
 * refreshes its session): only an org that refuses the object itself is not a Dev Hub.
 */
async function probeDevHub(connection: Connection, log: (line: string) => void): Promise<boolean> {
  try {
    await withRetry(async () => connection.query('SELECT Id FROM ScratchOrgInfo LIMIT 1'), { what: 'Dev Hub check', log });
    return true;
  } catch (error) {
    if (isTransientError(error)) throw error;
    return false;
  }
}

async function connect(auth: DevHubAuth, ws: Workspace, role: string, log: (line: string) => void): Promise<OrgSession> {
  let authInfo: AuthInfo;
  switch (auth.kind) {
    case 'jwt': {
      guardLoginHosts(auth.loginUrl);
      const keyPath = ws.secretFile(`jwt-${Date.now()}.key`, auth.jwtKey);
      try {
        authInfo = await withRetry(
          () =>
            AuthInfo.create({
              username: auth.username,
              oauth2Options: { clientId: auth.clientId, privateKey: keyPath, loginUrl: auth.loginUrl },
            }),
          loginRetry(`JWT login of ${auth.username}`, log),
        );
      } catch (error) {
        throw new OrgError(explainJwtError(error, auth));
      }
      break;
    }
    case 'authUrl': {
      let options;
      try {
        options = AuthInfo.parseSfdxAuthUrl(auth.authUrl);
      } catch {
        throw new OrgError(
          `The ${role} auth URL is not an SFDX auth URL. Expected force://<clientId>:<clientSecret>:<refreshToken>@<instanceUrl>, as printed by 'sf org display --verbose --json' (sfdxAuthUrl).`,
        );
      }
      guardLoginHosts(options.loginUrl ?? "https://login.salesforce.com");
      try {
        authInfo = await withRetry(() => AuthInfo.create({ oauth2Options: options }), loginRetry(`Login to the ${role}`, log));
      } catch (error) {
        throw new OrgError(
          `Could not log in to the ${role} with its auth URL: ${oneLine(error)}. The refresh token may have been revoked or expired, or the org deleted; create a new auth URL with 'sf org display --verbose'.`,
        );
      }
      break;
    }
    case 'cli': {
      const username = (await StateAggregator.getInstance()).aliases.resolveUsername(auth.usernameOrAlias) ?? auth.usernameOrAlias;
      try {
        authInfo = await AuthInfo.create({ username });
      } catch (error) {
        throw new OrgError(
          `No sf CLI login found for '${auth.usernameOrAlias}' (${oneLine(error)}). Log in in an earlier step (sf org login jwt|sfdx-url) with that username or alias, on the same runner.`,
        );
      }
      break;
    }
  }
  const connection = await Connection.create({ authInfo });
  const fields = authInfo.getFields();
  const orgType = fields.isScratch
    ? 'scratch'
    : fields.isSandbox
      ? 'sandbox'
      : /developer/i.test(fields.orgEdition ?? '')
        ? 'developer'
        : 'production';
  return {
    connection,
    username: authInfo.getUsername(),
    orgId: fields.orgId ?? '',
    instanceUrl: connection.instanceUrl,
    isDevHub: fields.isDevHub === true || (auth.kind === 'cli' && Boolean(fields.isDevHub)),
    orgType,
  };
}

/** Turn JwtAuthError's list of attempts into the cause a user can fix. */
function explainJwtError(error: unknown, auth: Extract<DevHubAuth, { kind: 'jwt' }>): string {
  const text = redact(error instanceof Error ? error.message : String(error));
  const where = `JWT login of ${auth.username} at ${auth.loginUrl} was refused`;
  if (/user hasn't approved this consumer|not approved/i.test(text))
    // Salesforce answers the same for an unknown username and for a user the app does not admit.
    return `${where}: "user hasn't approved this consumer". Either dev-hub-username is not a user of that org, or the user is not pre-authorized for the CI app: in the CI app's policies set "Admin approved users are pre-authorized" and add the user's profile or a permission set of theirs.`;
  if (/invalid_client_id|client identifier invalid/i.test(text))
    return `${where}: dev-hub-client-id is not the consumer key of an app in that org (or the app is not yet available, which can take up to 30 minutes after it is created).`;
  if (/invalid assertion|invalid signature|JWT.*signature/i.test(text))
    return `${where}: the signature does not verify. dev-hub-jwt-key must be the private key whose certificate is uploaded to the CI app (Use digital signatures / JWT bearer certificate).`;
  if (/audience|aud/i.test(text))
    return `${where}: wrong audience. Use dev-hub-login-url https://login.salesforce.com for production and Developer Edition orgs, https://test.salesforce.com for sandboxes, or the org's My Domain URL.`;
  if (/user.*(not found|inactive|locked)|invalid_grant.*user/i.test(text))
    return `${where}: dev-hub-username is not an active user of that org.`;
  if (/ENOTFOUND|ECONNREFUSED|fetch failed|getaddrinfo/i.test(text))
    return `${where}: ${auth.loginUrl} could not be reached. Check dev-hub-login-url.`;
  return `${where}: ${firstAttempt(text)}`;
}

function firstAttempt(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() && !/^Error authenticating with JWT|^Errors encountered/.test(l));
  return (lines[0] ?? text).trim();
}

export function oneLine(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error))
    .split('\n')[0]!
    .slice(0, 300);
}
