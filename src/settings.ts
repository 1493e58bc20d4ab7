// Step 1 of the procedure: every input, parsed and validated into typed Settings.
// Every problem is collected before anything fails, so one run tells the user everything to fix. Messages name
// the input, say what is wrong and what would be right, and never repeat the value of a secret input.
// What one value may look like is decided elsewhere: text, URLs, addresses and names in checks.ts, trusted IP
// ranges in ip-ranges.ts, the JWT key in jwt-key.ts, GitHub's secret names in secret-name.ts.
import { COMPONENT_SUFFIX_MAX } from './component-names.ts';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CLIENT_IDS, CLIENTS, desktopClients, isClientId } from './clients.ts';
import type { ClientId, FailOnDrift, Hardening, IpRange, Mode, Settings } from './model.ts';
import { FAIL_ON_DRIFT, MODES } from './model.ts';
import { checkApiName, checkEmail, checkPermissionSetName, checkText, checkUrl, show } from './checks.ts';
import { parseIpRange } from './ip-ranges.ts';
import { redactInputs } from './mask.ts';
import { ActionError, type InputProblem, problemLine } from './errors.ts';
import { DEFAULTS, LIMITS, parseBool, parseInteger, Problems, splitList } from './settings-parse.ts';
import { parseDevHub } from './settings-devhub.ts';
import { parsePackage } from './settings-package.ts';
import { parseGithub, parseKeyVariable } from './settings-publish.ts';

export { DEFAULTS, LIMITS, splitList };

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

/** Last line of defence: if a secret's text slipped into a message anyway, blank it out. */
function scrub(problems: InputProblem[], secrets: string[]): InputProblem[] {
  return problems.map(({ input, message }) => ({ input, message: redactInputs(message, secrets) }));
}

function secretInstallTarget(read: (name: string) => string): string[] {
  const v = (read('install-target') ?? '').trim();
  return v.toLowerCase().startsWith('force://') ? [v] : [];
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
