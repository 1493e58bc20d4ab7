// Step 1 of the procedure: every input, parsed and validated into typed Settings.
// Every problem is collected before anything fails, so one run tells the user everything to fix. Messages name
// the input, say what is wrong and what would be right, and never repeat the value of a secret input.
// What one value may look like is decided elsewhere: text, URLs, addresses and names in checks.ts, trusted IP
// ranges in ip-ranges.ts, the JWT key in jwt-key.ts, GitHub's secret names in secret-name.ts.
import { COMPONENT_SUFFIX_MAX } from './component-names.ts';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CLIENT_IDS, CLIENTS, desktopClients, isClientId } from './clients.ts';
import type {
  ClientId,
  DevHubAuth,
  GithubSecretSettings,
  FailOnDrift,
  GithubVariableSettings,
  Hardening,
  IpRange,
  InstallMethod,
  Mode,
  NewVersion,
  OrgRef,
  PackageSettings,
  Settings,
} from './model.ts';
import { FAIL_ON_DRIFT, INSTALL_METHODS, MODES, NEW_VERSION_MODES, PACKAGE_VALIDATIONS } from './model.ts';
import {
  checkApiName,
  checkAuthUrl,
  checkEmail,
  checkNamespace,
  checkPermissionSetName,
  checkText,
  checkUrl,
  checkUsername,
  EMAIL_MAX,
  show,
  URL_MAX,
} from './checks.ts';
import { parseIpRange } from './ip-ranges.ts';
import { normalizeJwtKey } from './jwt-key.ts';
import { checkLoginOrigin, LOGIN_HOST_RULE } from './login-hosts.ts';
import { redactInputs } from './mask.ts';
import { isVersionPart, MAX_VERSION_PART } from './org-answers.ts';
import { MCP_SERVERS, mcpServerName } from './mcp-servers.ts';
import { secretNameProblem } from './secret-name.ts';
import { ActionError, type InputProblem, problemLine } from './errors.ts';

export type { InputProblem } from './errors.ts';

/** All problems with the inputs; `message` has one line per problem, each starting with the input's name. */
export class InputError extends ActionError {
  override name = 'InputError';
  declare readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    super('input', problems.map(problemLine).join('\n'), { problems });
  }
}

/** Inputs whose values are secrets: never echoed, in errors or anywhere else. */
export const SECRET_INPUTS = ['dev-hub-jwt-key', 'dev-hub-auth-url', 'installation-key', 'github-token'] as const;

export const DEFAULTS = {
  appName: 'MCP_Client_App',
  hardening: 'baseline' as Hardening,
  loginUrl: 'https://login.salesforce.com',
  packageVersionNumber: '1.0.0.NEXT',
  waitMinutes: 30,
} as const;

export const LIMITS = {
  // Every ECA component's DeveloperName "must be 40 characters or fewer" (Object Reference), and the app's parts
  // add their suffix to the app's name (component-names.ts: `_glbloauth`, `_oauthPlcy`, 10 characters).
  appName: 40 - COMPONENT_SUFFIX_MAX,
  appLabel: 80,
  description: 256,
  email: EMAIL_MAX,
  packageName: 255,
  ipRanges: 128,
  refreshTokenDays: [1, 3650],
  waitMinutes: [1, 720],
  waitUntilUsable: [0, 120],
  url: URL_MAX,
} as const;

/** Read the inputs the way @actions/core does: INPUT_<NAME>, name upper-cased, spaces → '_', hyphens kept. */
export function readSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  return readSettings((name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '', env);
}

/**
 * `read` returns an input's raw value ('' when unset), untrimmed, like core.getInput(name, {trimWhitespace:false}).
 * `env` supplies RUNNER_TEMP / GITHUB_WORKSPACE for the output-dir default and relative paths.
 */
export function readSettings(read: (name: string) => string, env: NodeJS.ProcessEnv = process.env): Settings {
  const p = new Problems();
  const get = (name: string): string => (read(name) ?? '').trim();

  // --- the app -------------------------------------------------------------------------------------------
  const clients = parseClients(p, get('clients'));
  const callbackUrls: string[] = [];
  for (const url of splitList(get('callback-urls'))) {
    const error = checkUrl(url, { loopbackHttp: true, appScheme: true, httpHostLocalhostOnly: true });
    if (error) p.add('callback-urls', `${show(url)} ${error}`);
    else if (!callbackUrls.includes(url)) callbackUrls.push(url);
  }
  if (callbackUrls.length === 0 && !p.has('callback-urls')) {
    for (const id of clients) {
      const hint = CLIENTS[id].needsCallbackUrls ? CLIENTS[id].callbackHint : undefined;
      if (hint) p.add('callback-urls', `is required: ${hint}.`);
    }
  }

  const appName = get('app-name') || DEFAULTS.appName;
  p.check('app-name', checkApiName(appName, 40));
  if (appName.length <= 40 && appName.length > LIMITS.appName) {
    p.add(
      'app-name',
      `is ${appName.length} characters long; use at most ${LIMITS.appName}. Salesforce allows 40 characters per component name, and the app's ` +
        `components add up to ${COMPONENT_SUFFIX_MAX} more (e.g. ${appName}_glbloauth would be ${appName.length + '_glbloauth'.length}).`,
    );
  }
  // The default label is derived from a checked API name, so only a given label needs checking.
  const appLabel = get('app-label') || appName.replace(/_/g, ' ');
  if (get('app-label')) p.check('app-label', checkText(appLabel, LIMITS.appLabel));
  const contactEmail = get('contact-email');
  if (!contactEmail)
    p.add(
      'contact-email',
      'is required: the platform rejects an External Client App without a contact email. Give an address such as mcp-admins@example.com.',
    );
  else {
    const error = checkEmail(contactEmail);
    if (error) p.add('contact-email', `${show(contactEmail)} ${error}`);
  }
  const description = get('description') || undefined;
  if (description !== undefined) p.check('description', checkText(description, LIMITS.description));

  // --- hardening -----------------------------------------------------------------------------------------
  const hardeningRaw = get('hardening').toLowerCase() || DEFAULTS.hardening;
  const hardening: Hardening = hardeningRaw === 'recommended' || hardeningRaw === 'strict' ? hardeningRaw : 'baseline';
  if (hardeningRaw !== 'baseline' && hardeningRaw !== 'recommended' && hardeningRaw !== 'strict') {
    p.add(
      'hardening',
      `${show(get('hardening'))} is not a hardening preset. Use baseline (the procedure's required settings), recommended (baseline + 30-day refresh tokens with rotation) or strict (what Salesforce requires of partner apps).`,
    );
  }
  const requireSecret = parseBool(p, 'require-secret', get('require-secret')) ?? false;
  const allowSecretForDesktop = parseBool(p, 'allow-secret-for-desktop', get('allow-secret-for-desktop')) ?? false;
  const desktop = desktopClients(clients);
  if (requireSecret && desktop.length > 0 && !allowSecretForDesktop) {
    p.add(
      'require-secret',
      `${desktop.join(', ')} ${desktop.length === 1 ? 'is a desktop client' : 'are desktop clients'}: a client secret stored there can be read from the app or its config, ` +
        'so requiring it adds no protection. Leave require-secret false (PKCE still protects the flow), ' +
        'or set allow-secret-for-desktop: true if the vendor confirms secure secret storage.',
    );
  }

  const permissionSet = get('permission-set') || undefined;
  if (permissionSet !== undefined) p.check('permission-set', checkPermissionSetName(permissionSet));
  const createPermissionSet = parseBool(p, 'create-permission-set', get('create-permission-set')) ?? false;
  if (createPermissionSet && permissionSet === undefined) {
    p.add(
      'create-permission-set',
      'is true but permission-set is empty: give the API name of the permission set to create in permission-set (e.g. MCP_Client_Users).',
    );
  } else if (createPermissionSet && permissionSet?.includes('__')) {
    p.add(
      'create-permission-set',
      `cannot create ${show(permissionSet)}: a name with a namespace prefix (ns__Name) belongs to an installed package. Give a name without the prefix, or set create-permission-set: false.`,
    );
  }

  const ipRanges = parseIpRanges(p, get('ip-ranges'));

  const refreshTokenValidityDays = parseInteger(
    p,
    'refresh-token-validity-days',
    get('refresh-token-validity-days'),
    LIMITS.refreshTokenDays,
  );
  const refreshTokenRotation = parseBool(p, 'refresh-token-rotation', get('refresh-token-rotation'));
  // strict promises what Salesforce requires of partner apps (docs/platform-notes.md §22): an input that takes one of
  // those back is refused rather than weakening strict while the summary still says strict.
  if (hardening === 'strict' && refreshTokenRotation === false) {
    p.add(
      'refresh-token-rotation',
      'false turns off refresh token rotation, which hardening: strict requires (Salesforce requires it of partner apps). Remove refresh-token-rotation, or choose hardening: recommended or baseline to run without rotation.',
    );
  }
  if (hardening === 'strict' && refreshTokenValidityDays !== undefined && refreshTokenValidityDays > 30) {
    p.add(
      'refresh-token-validity-days',
      `${refreshTokenValidityDays} is longer than the 30 days hardening: strict sets. Give 30 or fewer, or choose hardening: recommended or baseline.`,
    );
  }

  const singleLogoutRaw = parseBool(p, 'single-logout', get('single-logout'));
  const singleLogoutUrl = get('single-logout-url') || undefined;
  if (singleLogoutUrl !== undefined) {
    const error = checkUrl(singleLogoutUrl, { loopbackHttp: false, appScheme: false });
    if (error) p.add('single-logout-url', `${show(singleLogoutUrl)} ${error}`);
  }
  if (singleLogoutRaw === true && singleLogoutUrl === undefined) {
    p.add(
      'single-logout',
      "is true but single-logout-url is empty. The platform has no single-logout on/off switch: single logout is on exactly when a logout URL is set, so the URL is the switch. Give the MCP client's logout endpoint in single-logout-url (https).",
    );
  }
  if (singleLogoutRaw === false && singleLogoutUrl !== undefined) {
    p.add(
      'single-logout',
      'is false but single-logout-url is given, and the URL is what turns single logout on. Remove single-logout-url, or set single-logout: true.',
    );
  }
  // The URL is the switch: giving it (without an explicit false, refused above) turns single logout on.
  const singleLogout = singleLogoutRaw ?? singleLogoutUrl !== undefined;

  // --- modes (needed to judge the Dev Hub inputs) --------------------------------------------------------
  const dryRun = parseBool(p, 'dry-run', get('dry-run')) ?? false;
  const { mode, failOnDrift } = parseMode(p, get, dryRun);

  // --- the Dev Hub ---------------------------------------------------------------------------------------
  const devHub = parseDevHub(p, get, dryRun);

  // --- packaging and install -----------------------------------------------------------------------------
  const packageOn = parseBool(p, 'package', get('package')) ?? true;
  const pkg = parsePackage(p, get, packageOn, appName, dryRun);
  const waitUntilUsableMinutes =
    parseInteger(p, 'wait-until-usable', get('wait-until-usable'), LIMITS.waitUntilUsable) ?? 0;

  // --- publishing the key --------------------------------------------------------------------------------
  const github = parseGithub(p, get);
  const keyVariable = parseKeyVariable(p, get);

  const outputDirRaw = get('output-dir');
  if (/[\p{Cc}\p{Cf}]/u.test(outputDirRaw))
    p.add('output-dir', 'contains a line break or control character; give a plain directory path.');
  const outputDir = outputDirRaw
    ? isAbsolute(outputDirRaw)
      ? resolve(outputDirRaw)
      : resolve(env.GITHUB_WORKSPACE || process.cwd(), outputDirRaw)
    : join(env.RUNNER_TEMP || tmpdir(), 'eca-action');

  if (p.list.length > 0)
    throw new InputError(
      scrub(p.list, SECRET_INPUTS.map((name) => read(name) ?? '').concat(secretInstallTarget(read))),
    );

  return {
    clients,
    callbackUrls,
    appName,
    appLabel,
    contactEmail,
    ...(description !== undefined ? { description } : {}),
    hardening,
    requireSecret,
    allowSecretForDesktop,
    ...(permissionSet !== undefined ? { permissionSet } : {}),
    createPermissionSet,
    ipRanges,
    ...(refreshTokenValidityDays !== undefined ? { refreshTokenValidityDays } : {}),
    ...(refreshTokenRotation !== undefined ? { refreshTokenRotation } : {}),
    singleLogout,
    ...(singleLogoutUrl !== undefined ? { singleLogoutUrl } : {}),
    ...(devHub ? { devHub } : {}),
    ...(pkg ? { package: pkg } : {}),
    ...(waitUntilUsableMinutes ? { waitUntilUsableMinutes } : {}),
    ...(github ? { github } : {}),
    ...(keyVariable ? { keyVariable } : {}),
    dryRun,
    mode,
    failOnDrift,
    outputDir,
  };
}

// ===========================================================================================================
// Collecting problems

class Problems {
  readonly list: InputProblem[] = [];
  add(input: string, message: string): void {
    this.list.push({ input, message });
  }
  /** Adds what a check in checks.ts found wrong, if anything. */
  check(input: string, found: string | string[] | undefined): void {
    for (const message of typeof found === 'string' ? [found] : (found ?? [])) this.add(input, message);
  }
  has(input: string): boolean {
    return this.list.some((p) => p.input === input);
  }
}

/** Last line of defence: if a secret's text slipped into a message anyway, blank it out. */
function scrub(problems: InputProblem[], secrets: string[]): InputProblem[] {
  return problems.map(({ input, message }) => ({ input, message: redactInputs(message, secrets) }));
}

function secretInstallTarget(read: (name: string) => string): string[] {
  const v = (read('install-target') ?? '').trim();
  return v.toLowerCase().startsWith('force://') ? [v] : [];
}

// ===========================================================================================================
// Primitive parsers

/** Lists accept commas or newlines; blanks are dropped. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** YAML 1.2 core-schema booleans, as core.getBooleanInput; '' → undefined (not given). */
function parseBool(p: Problems, input: string, value: string): boolean | undefined {
  if (value === '') return undefined;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  p.add(input, `${show(value)} is not a boolean. Use true or false (also True/TRUE, False/FALSE).`);
  return undefined;
}

function parseInteger(
  p: Problems,
  input: string,
  value: string,
  [min, max]: readonly [number, number],
): number | undefined {
  if (value === '') return undefined;
  if (!/^\d+$/.test(value)) {
    p.add(input, `${show(value)} is not a whole number. Use a whole number from ${min} to ${max}.`);
    return undefined;
  }
  const n = Number(value);
  if (n < min || n > max) {
    p.add(input, `${show(value)} is out of range. Use a whole number from ${min} to ${max}.`);
    return undefined;
  }
  return n;
}

// ===========================================================================================================
// Modes

function parseMode(
  p: Problems,
  get: (name: string) => string,
  dryRun: boolean,
): { mode: Mode; failOnDrift: FailOnDrift } {
  const modeRaw = get('mode').toLowerCase() || 'apply';
  const mode: Mode = modeRaw === 'verify' ? 'verify' : 'apply';
  if (!(MODES as readonly string[]).includes(modeRaw)) {
    p.add(
      'mode',
      `${show(get('mode'))} is not a mode. Use apply (create or update the app) or verify (change nothing; report where the app in the org differs from these inputs).`,
    );
  }
  const failRaw = get('fail-on-drift').toLowerCase() || 'weaker';
  const failOnDrift: FailOnDrift = failRaw === 'any' ? 'any' : 'weaker';
  if (!(FAIL_ON_DRIFT as readonly string[]).includes(failRaw)) {
    p.add(
      'fail-on-drift',
      `${show(get('fail-on-drift'))} is not accepted. Use weaker (fail when a setting in the org is weaker than these inputs ask) or any (fail on every difference).`,
    );
  }
  if (mode === 'verify' && dryRun) {
    p.add(
      'dry-run',
      'is true with mode: verify, but verify reads the app from the org and a dry run touches no org. Set dry-run: false to verify, or mode: apply to only generate the metadata.',
    );
  }
  return { mode, failOnDrift };
}

// ===========================================================================================================
// Clients

function parseClients(p: Problems, value: string): ClientId[] {
  const choices = `Use one or more of: ${CLIENT_IDS.join(', ')}.`;
  const items = splitList(value);
  if (items.length === 0) {
    p.add('clients', `is required: name the MCP clients the app serves. ${choices}`);
    return [];
  }
  const out: ClientId[] = [];
  for (const item of items) {
    const id = item.toLowerCase();
    if (!isClientId(id)) p.add('clients', `${show(item)} is not a known client. ${choices}`);
    else if (!out.includes(id)) out.push(id);
  }
  return out;
}

// ===========================================================================================================
// Logins: the login URL, and orgs given by name or auth URL

function parseLoginUrl(p: Problems, value: string): string | undefined {
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

function parseOrgRef(p: Problems, input: string, value: string, allowAuthUrl: boolean): OrgRef | undefined {
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

// ===========================================================================================================
// IP ranges

function parseIpRanges(p: Problems, value: string): IpRange[] {
  const ranges: IpRange[] = [];
  const items = splitList(value);
  for (const item of items) {
    const error = parseIpRange(item);
    if (typeof error === 'string') p.add('ip-ranges', `${show(item)} ${error}`);
    else if (!ranges.some((r) => r.start === error.start && r.end === error.end)) ranges.push(error);
  }
  if (ranges.length > LIMITS.ipRanges) {
    p.add(
      'ip-ranges',
      `has ${ranges.length} ranges; an External Client App holds at most ${LIMITS.ipRanges}. Merge adjacent ranges.`,
    );
  }
  return ranges;
}

// ===========================================================================================================
// The Dev Hub

function parseDevHub(p: Problems, get: (name: string) => string, dryRun: boolean): DevHubAuth | undefined {
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

// ===========================================================================================================
// Packaging

function parsePackage(
  p: Problems,
  get: (name: string) => string,
  packageOn: boolean,
  appName: string,
  dryRun: boolean,
): PackageSettings | undefined {
  const name = get('package-name') || appName;
  if (get('package-name')) p.check('package-name', checkText(name, LIMITS.packageName));
  const namespace = get('package-namespace') || undefined;
  if (namespace !== undefined) p.check('package-namespace', checkNamespace(namespace));
  const installMethod = parseInstallMethod(p, get);
  // install-method: deploy builds no package: the app goes straight into install-target.
  const deploy = installMethod === 'deploy';
  if (namespace === undefined && packageOn && !deploy && !dryRun) {
    // External Client Apps can only be packaged in managed 2GP packages, and those live in a namespace.
    p.add(
      'package-namespace',
      'is required when package is true: External Client Apps can only be packaged in a managed 2GP package, which needs the namespace prefix linked to your Dev Hub (Setup → Namespace Registries). Give it, or set package: false.',
    );
  }
  const versionNumber = get('package-version-number') || DEFAULTS.packageVersionNumber;
  if (!/^\d+\.\d+\.\d+\.(\d+|NEXT)$/.test(versionNumber)) {
    p.add(
      'package-version-number',
      `${show(versionNumber)} is not a version number. Use MAJOR.MINOR.PATCH.BUILD, where BUILD is a number or NEXT (e.g. 1.0.0.NEXT).`,
    );
  } else if (!versionNumber.split('.').every((part) => part === 'NEXT' || isVersionPart(part))) {
    // Each part is an int field of the version (MajorVersion … BuildNumber): larger numbers, or leading zeros that
    // make two spellings of one version, fail only after the app was deployed (docs/platform-notes.md §26).
    p.add(
      'package-version-number',
      `${show(versionNumber)} has a part that is not a whole number from 0 to ${MAX_VERSION_PART} without leading zeros. Use MAJOR.MINOR.PATCH.BUILD with each part in that range (e.g. 1.0.0.NEXT).`,
    );
  }
  const installationKey = get('installation-key') || undefined;
  if (installationKey !== undefined && /[\p{Cc}\p{Cf}]/u.test(installationKey)) {
    p.add(
      'installation-key',
      'contains a line break or control character (the value is not shown because it is a secret). Use a single-line key.',
    );
  }
  const waitMinutes = parseInteger(p, 'wait-minutes', get('wait-minutes'), LIMITS.waitMinutes) ?? DEFAULTS.waitMinutes;
  const targetRaw = get('install-target');
  const installTarget = targetRaw ? parseOrgRef(p, 'install-target', targetRaw, true) : undefined;
  if (targetRaw && !packageOn && !deploy) {
    p.add(
      'install-target',
      'is given but package is false: only a package version can be installed into another org. Set package: true, or install-method: deploy to deploy the app into it, or remove install-target.',
    );
  }
  if (deploy && !targetRaw) {
    p.add(
      'install-method',
      'is deploy but install-target is empty: deploy puts the app straight into the install target. Give install-target (a scratch org), or use install-method: package.',
    );
  }
  const validation = parseChoice(p, 'package-validation', get('package-validation') || 'async', PACKAGE_VALIDATIONS, {
    async: 'the version installs at once, its validations finish afterwards',
    full: 'wait for every validation',
    skip: 'no validation; such a version can never be promoted',
  });
  const mcpServers = parseMcpServers(p, get('mcp-servers'), packageOn || deploy, targetRaw !== '');
  const newVersionRaw = get('new-version') || 'when-changed';
  if (!(NEW_VERSION_MODES as readonly string[]).includes(newVersionRaw)) {
    p.add(
      'new-version',
      `${show(newVersionRaw)} is not a mode. Use when-changed (reuse a version built from the same package content) or always (build one on every run).`,
    );
  }
  const newVersion: NewVersion = newVersionRaw === 'always' ? 'always' : 'when-changed';
  if (!packageOn && !deploy) return undefined;
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    versionNumber,
    ...(installationKey !== undefined ? { installationKey } : {}),
    waitMinutes,
    ...(installTarget ? { installTarget } : {}),
    ...(mcpServers.length ? { mcpServers } : {}),
    newVersion,
    validation,
    installMethod,
  };
}

function parseInstallMethod(p: Problems, get: (name: string) => string): InstallMethod {
  return parseChoice(p, 'install-method', get('install-method') || 'package', INSTALL_METHODS, {
    package: "install the Dev Hub app's package version into install-target",
    deploy: 'deploy the app straight into install-target, no package version',
  });
}

/** One of a fixed set of words; a wrong one is refused with each allowed word and what it does. */
function parseChoice<T extends string>(
  p: Problems,
  input: string,
  value: string,
  allowed: readonly T[],
  meaning: Record<T, string>,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  p.add(input, `${show(value)} is not allowed. Use ${allowed.map((a) => `${a} (${meaning[a]})`).join(', or ')}.`);
  return allowed[0]!;
}

/** Hosted MCP servers are activated per org (Tooling McpServerAccess), so they need the org: the install target. */
function parseMcpServers(p: Problems, value: string, packageOn: boolean, hasTarget: boolean): string[] {
  const names: string[] = [];
  for (const item of splitList(value)) {
    const name = mcpServerName(item);
    if (!name) {
      p.add(
        'mcp-servers',
        `${show(item)} is not a hosted MCP server this action can activate. Use one or more of: ${Object.keys(MCP_SERVERS).join(', ')} (with or without the platform/ prefix).`,
      );
    } else if (!names.includes(name)) names.push(name);
  }
  if (names.length && (!packageOn || !hasTarget)) {
    p.add(
      'mcp-servers',
      'needs install-target: the servers are activated in the scratch org the package is installed into. For the Dev Hub itself, activate them once in Setup → API Catalog → MCP Servers (a production change this action does not make).',
    );
  }
  return names;
}

// ===========================================================================================================
// Publishing the key

function parseGithub(p: Problems, get: (name: string) => string): GithubSecretSettings | undefined {
  const token = get('github-token');
  const secretName = get('secret-name');
  const environment = get('secret-environment');
  if (secretName) {
    const problem = secretNameProblem(secretName);
    if (problem === 'characters') {
      p.add(
        'secret-name',
        `${show(secretName)} is not a GitHub secret name: letters, digits and underscores only, not starting with a digit (e.g. SALESFORCE_MCP_CLIENT_ID).`,
      );
    } else if (problem === 'reserved') {
      p.add(
        'secret-name',
        `${show(secretName)} starts with GITHUB_, which GitHub reserves for its own secrets. Choose another name (e.g. SALESFORCE_MCP_CLIENT_ID).`,
      );
    }
    if (!token)
      p.add(
        'secret-name',
        'needs github-token: a token allowed to write Actions secrets (a fine-grained token with "Secrets: write"; GITHUB_TOKEN cannot).',
      );
  }
  if (token) {
    if (/\s/.test(token))
      p.add(
        'github-token',
        'contains whitespace (the value is not shown because it is a secret). Pass the token alone.',
      );
    if (!secretName && !get('consumer-key-variable'))
      p.add(
        'github-token',
        'is given but secret-name and consumer-key-variable are empty: name the secret (or variable) to store the consumer key in, or remove github-token.',
      );
  }
  if (environment) {
    if (!secretName) p.add('secret-environment', 'needs secret-name: name the secret to store in that environment.');
    if (/[\p{Cc}\p{Cf}]/u.test(environment) || environment.length > 255) {
      p.add(
        'secret-environment',
        `${show(environment)} is not an environment name (one line, at most 255 characters).`,
      );
    }
  }
  if (!token || !secretName) return undefined;
  return { token, secretName, ...(environment ? { environment } : {}) };
}

/**
 * `consumer-key-variable`: opt-in, the key only (a client id is public in OAuth; the secret never goes into a
 * variable). GitHub names variables by the same rule as secrets (docs/platform-notes.md §25).
 */
function parseKeyVariable(p: Problems, get: (name: string) => string): GithubVariableSettings | undefined {
  const variableName = get('consumer-key-variable');
  if (!variableName) return undefined;
  const token = get('github-token');
  const problem = secretNameProblem(variableName);
  if (problem === 'characters') {
    p.add(
      'consumer-key-variable',
      `${show(variableName)} is not a GitHub variable name: letters, digits and underscores only, not starting with a digit (e.g. SALESFORCE_MCP_CLIENT_ID).`,
    );
  } else if (problem === 'reserved') {
    p.add(
      'consumer-key-variable',
      `${show(variableName)} starts with GITHUB_, which GitHub reserves for its own variables. Choose another name (e.g. SALESFORCE_MCP_CLIENT_ID).`,
    );
  }
  if (!token) {
    p.add(
      'consumer-key-variable',
      'needs github-token: a token allowed to write Actions variables (a fine-grained token with "Variables: Read and write"; GITHUB_TOKEN cannot).',
    );
    return undefined;
  }
  return { token, variableName };
}
