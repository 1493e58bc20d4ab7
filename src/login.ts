// Step 4 of the procedure: reach the Dev Hub (and the install target) through @salesforce/core.
// JWT bearer, SFDX auth URL, or an sf CLI login made by an earlier step.
import { AuthInfo, Connection, Lifecycle, StateAggregator } from '@salesforce/core';
import type { DevHubAuth, OrgRef } from './model.ts';
import type { Workspace } from './workspace.ts';
import { maskSecret, redact } from './mask.ts';
import { guardLoginHosts, installNetworkGuard, isUnreachable, tlsChecksOff } from './network.ts';
import { isLoopback } from './loopback.ts';
import { checkLoginOrigin } from './login-hosts.ts';
import { orgId, orgInstanceUrl } from './org-answers.ts';
import { ActionError, type ActionErrorFields, isActionError } from './errors.ts';
import { isCredentialRefusal, isRetryableLogin, isTransientError, withRetry, type RetryOptions } from './retry.ts';

export interface OrgSession {
  connection: Connection;
  username: string;
  orgId: string;
  instanceUrl: string;
  isDevHub: boolean;
  /** Organization.OrganizationType/IsSandbox, for the summary's MCP URL advice */
  orgType?: 'production' | 'sandbox' | 'developer' | 'scratch';
}

/**
 * A login or org problem a user can fix, said in their words and, where known, naming the input at fault (`input`),
 * so that its message is the whole report.
 */
export class OrgError extends ActionError {
  override name = 'OrgError';
  constructor(message: string, fields: ActionErrorFields = {}) {
    super('org', message, fields);
  }
}

/** The input a Dev Hub login came from, for errors that name it. */
export function devHubInput(auth: DevHubAuth): string {
  return auth.kind === 'jwt' ? 'dev-hub-username' : auth.kind === 'authUrl' ? 'dev-hub-auth-url' : 'dev-hub';
}

/** An org's refusal, said as a problem with the input that chose the org (unless the thrower named one already). */
export function withInput(error: unknown, input: string): Error {
  // An org's answer of the wrong shape is the org's fault, not the input's.
  if (isActionError(error) && (error.input || error.problems || error.kind === 'org-answer')) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new OrgError(`${input}: ${redact(text)}`, { input, cause: error });
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
const IRRELEVANT_WARNINGS = [
  /^Record types defined in the scratch org definition file/,
  /^Using insecure protocol: http: on url: http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/,
];

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

export async function connectOrg(
  ref: OrgRef,
  ws: Workspace,
  log: (line: string) => void,
  role: string,
): Promise<OrgSession> {
  hookWarnings(log);
  return connect(ref, ws, role, log);
}

/** A login is repeated only after a network failure on the way, never after a refusal or an unreachable host. */
function loginRetry(what: string, loginUrl: string, log: (line: string) => void): RetryOptions {
  return {
    what,
    log,
    policy: 'login',
    isTransient: (error: unknown) => !isUnreachable(loginUrl) && isRetryableLogin(error),
  };
}

/**
 * @salesforce/core decides "Dev Hub or not" with one ScratchOrgInfo query at login and takes any failure of it,
 * a dropped connection included, for "not a Dev Hub". Ask again over the connection (which retries and
 * refreshes its session): only an org that refuses the object itself is not a Dev Hub.
 */
async function probeDevHub(connection: Connection, log: (line: string) => void): Promise<boolean> {
  try {
    await withRetry(async () => connection.query('SELECT Id FROM ScratchOrgInfo LIMIT 1'), {
      what: 'Dev Hub check',
      log,
    });
    return true;
  } catch (error) {
    if (isTransientError(error)) throw error;
    return false;
  }
}

async function connect(
  auth: DevHubAuth,
  ws: Workspace,
  role: string,
  log: (line: string) => void,
): Promise<OrgSession> {
  let authInfo: AuthInfo;
  installNetworkGuard();
  switch (auth.kind) {
    case 'jwt': {
      refuseWithoutTls(auth.loginUrl, 'dev-hub-login-url', 'dev-hub-login-url');
      guardLoginHosts(auth.loginUrl);
      const keyPath = ws.secretFile(`jwt-${Date.now()}.key`, auth.jwtKey);
      try {
        authInfo = await withRetry(
          () =>
            AuthInfo.create({
              username: auth.username,
              oauth2Options: { clientId: auth.clientId, privateKey: keyPath, loginUrl: auth.loginUrl },
            }),
          loginRetry(`JWT login of ${auth.username}`, auth.loginUrl, log),
        );
      } catch (error) {
        const explained = explainJwtError(error, auth);
        throw new OrgError(explained.message, { input: explained.input, cause: error });
      }
      break;
    }
    case 'authUrl': {
      let options: ReturnType<typeof AuthInfo.parseSfdxAuthUrl>;
      try {
        options = AuthInfo.parseSfdxAuthUrl(auth.authUrl);
      } catch {
        throw new OrgError(
          `The ${role} auth URL is not an SFDX auth URL. Expected force://<clientId>:<clientSecret>:<refreshToken>@<instanceUrl>, as printed by 'sf org display --verbose --json' (sfdxAuthUrl).`,
        );
      }
      const loginUrl = options.loginUrl ?? 'https://login.salesforce.com';
      refuseWithoutTls(loginUrl, `the ${role} auth URL`);
      guardLoginHosts(loginUrl);
      try {
        authInfo = await withRetry(
          () => AuthInfo.create({ oauth2Options: options }),
          loginRetry(`Login to the ${role}`, loginUrl, log),
        );
      } catch (error) {
        if (isUnreachable(loginUrl) || (!isCredentialRefusal(error) && isTransientError(error))) {
          throw new OrgError(
            `Could not log in to the ${role} with its auth URL: its instance ${new URL(loginUrl).host} could not be reached (${oneLine(error)}).`,
          );
        }
        throw new OrgError(
          `Could not log in to the ${role} with its auth URL: ${oneLine(error)}. The refresh token may have been revoked or expired, or the org deleted; create a new auth URL with 'sf org display --verbose'.`,
        );
      }
      break;
    }
    case 'cli': {
      const username =
        (await StateAggregator.getInstance()).aliases.resolveUsername(auth.usernameOrAlias) ?? auth.usernameOrAlias;
      try {
        authInfo = await AuthInfo.create({ username });
      } catch (error) {
        throw new OrgError(
          `No sf CLI login found for '${auth.usernameOrAlias}' (${oneLine(error)}). Log in in an earlier step (sf org login jwt|sfdx-url) with that username or alias, on the same runner.`,
        );
      }
      // The login file names where its token goes: the same hosts as any other login, and a refresh at its own
      // login URL when that is one (the guard refuses login/test.salesforce.com otherwise).
      const saved = authInfo.getFields();
      for (const url of [saved.instanceUrl, saved.loginUrl])
        if (url) refuseWithoutTls(url, `the sf CLI login '${auth.usernameOrAlias}'`);
      if (saved.loginUrl && !checkLoginOrigin(saved.loginUrl.replace(/\/+$/, ''))) guardLoginHosts(saved.loginUrl);
      break;
    }
  }
  // The libraries keep these in memory and in the private HOME; an org that echoes one must not print it.
  const secretFields = authInfo.getFields(true);
  for (const value of [secretFields.accessToken, secretFields.refreshToken, secretFields.clientSecret])
    maskSecret(value);
  const connection = await Connection.create({ authInfo });
  maskSecret(connection.accessToken ?? undefined);
  // The token endpoint names the instance URL: it reaches the summary, log lines and the usable probe's requests.
  const instanceUrl = orgInstanceUrl(connection.instanceUrl, `the ${role}'s instance URL`);
  refuseWithoutTls(instanceUrl, `the ${role}'s instance URL`);
  // jsforce renews an expired session on its own and says so with this event: the new token is masked at once.
  connection.on('refresh', (accessToken: string) => maskSecret(accessToken));
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
    orgId: fields.orgId ? orgId(fields.orgId, 'organization', `the ${role}'s org id`) : '',
    instanceUrl,
    isDevHub: fields.isDevHub === true || (auth.kind === 'cli' && Boolean(fields.isDevHub)),
    orgType,
  };
}

/**
 * With NODE_TLS_REJECT_UNAUTHORIZED=0 no certificate is checked: a proxy on the way could read a signed assertion,
 * a refresh token or a session. Refused for any host but this machine, before anything is sent (docs/SECURITY.md).
 */
function refuseWithoutTls(url: string, what: string, input?: string): void {
  if (!tlsChecksOff()) return;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    host = '';
  }
  if (isLoopback(host)) return;
  throw new OrgError(
    `NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: TLS certificates are not checked, so anyone on the network path to ${what} could read the credentials sent there. ` +
      'Nothing was sent. Remove NODE_TLS_REJECT_UNAUTHORIZED from the workflow (env: of the job or step); for a proxy with its own certificate authority, give its certificate in NODE_EXTRA_CA_CERTS instead.',
    { input },
  );
}

/** Turn JwtAuthError's list of attempts into the cause a user can fix, and the input it names (if it names one). */
function explainJwtError(
  error: unknown,
  auth: Extract<DevHubAuth, { kind: 'jwt' }>,
): { message: string; input?: string } {
  const named = (input: string, message: string) => ({ input, message });
  const text = redact(error instanceof Error ? error.message : String(error));
  const where = `JWT login of ${auth.username} at ${auth.loginUrl} was refused`;
  if (isUnreachable(auth.loginUrl))
    return named(
      'dev-hub-login-url',
      `JWT login of ${auth.username} failed: ${auth.loginUrl} could not be reached. Check dev-hub-login-url.`,
    );
  // The token endpoint's answers, not the attempts that never reached it (the fallback hosts network.ts blocks).
  const answers = attempts(text).filter((line) => !NETWORK_FAILURE.test(line));
  const answer = answers.join('\n');
  if (/user hasn't approved this consumer/i.test(answer))
    // Salesforce answers the same for an unknown username and for a user the app does not admit.
    return named(
      'dev-hub-username',
      `${where}: "user hasn't approved this consumer". Either dev-hub-username is not a user of that org, or the user is not pre-authorized for the CI app: in the CI app's policies set "Admin approved users are pre-authorized" and add the user's profile or a permission set of theirs.`,
    );
  if (/not admin approved/i.test(answer))
    return named(
      'dev-hub-username',
      `${where}: "user is not admin approved to access this app". The CI app admits only pre-authorized users: add dev-hub-username's profile, or a permission set of theirs, to the CI app's policies.`,
    );
  if (/inactive user|user.*(inactive|frozen|locked)/i.test(answer))
    return named(
      'dev-hub-username',
      `${where}: "inactive user". dev-hub-username is deactivated, frozen or locked in that org; use an active user.`,
    );
  if (/inactive.?org|organization.*(inactive|locked)/i.test(answer))
    return { message: `${where}: the org is inactive or locked.` };
  if (/authentication failure/i.test(answer))
    return {
      message: `${where}: "authentication failure". The org refused the user at login (for example login IP ranges or login hours of the user's profile, or a frozen user); check the user's login history in that org.`,
    };
  if (/invalid_client_id|client identifier invalid/i.test(answer))
    return named(
      'dev-hub-client-id',
      `${where}: dev-hub-client-id is not the consumer key of an app in that org (or the app is not yet available, which can take up to 30 minutes after it is created).`,
    );
  if (/invalid assertion|invalid signature|JWT.*signature/i.test(answer))
    return named(
      'dev-hub-jwt-key',
      `${where}: the signature does not verify. dev-hub-jwt-key must be the private key whose certificate is uploaded to the CI app (Use digital signatures / JWT bearer certificate).`,
    );
  if (/audience/i.test(answer))
    return named(
      'dev-hub-login-url',
      `${where}: wrong audience. Use dev-hub-login-url https://login.salesforce.com for production and Developer Edition orgs, https://test.salesforce.com for sandboxes, or the org's My Domain URL.`,
    );
  if (answers.length === 0)
    return named(
      'dev-hub-login-url',
      `JWT login of ${auth.username} failed: ${auth.loginUrl} could not be reached. Check dev-hub-login-url (${firstAttempt(text)}).`,
    );
  return { message: `${where}: ${answers[0]!.trim()}` };
}

// What an attempt that never got an answer from a token endpoint says (jsforce over undici).
const NETWORK_FAILURE =
  /fetch failed|not contacted|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|socket hang up|other side closed|terminated|getaddrinfo/i;

function attempts(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() && !/^Error authenticating with JWT|^Errors encountered/.test(l));
}

function firstAttempt(text: string): string {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() && !/^Error authenticating with JWT|^Errors encountered/.test(l));
  return (lines[0] ?? text).trim();
}

export function oneLine(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error))
    .split('\n')[0]!
    .slice(0, 300);
}
