// Step 1 of the procedure: every input, parsed and validated into typed Settings.
// Every problem is collected before anything fails, so one run tells the user everything to fix. Messages name
// the input, say what is wrong and what would be right, and never repeat the value of a secret input.
// Free text is kept to what the two sinks (XML metadata and the Markdown job summary) can carry without
// escaping tricks; the renderers escape as well, so this is defence in depth, not the only guard.
import { COMPONENT_SUFFIX_MAX } from './component-names.ts';
import { createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CLIENTS, desktopClients, isClientId } from './clients.ts';
import type {
  ClientId,
  DevHubAuth,
  GithubSecretSettings,
  Hardening,
  IpRange,
  NewVersion,
  OrgRef,
  PackageSettings,
  Settings,
} from './model.ts';
import { CLIENT_IDS, NEW_VERSION_MODES } from './model.ts';
import { checkLoginOrigin, LOGIN_HOST_RULE } from './login-hosts.ts';
import { looksLikeCredential, redactInputs } from './mask.ts';
import { MCP_SERVERS, mcpServerName } from './mcp-servers.ts';

export interface InputProblem {
  /** the input's name as written in a workflow, e.g. `contact-email` */
  input: string;
  /** what is wrong and what would be right, without the input name */
  message: string;
}

/** All problems with the inputs; `message` has one line per problem, each starting with the input's name. */
export class InputError extends Error {
  override name = 'InputError';
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    super(problems.map((p) => `${p.input}: ${p.message}`).join('\n'));
    this.problems = problems;
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
  email: 254,
  packageName: 255,
  ipRanges: 128,
  refreshTokenDays: [1, 3650],
  waitMinutes: [1, 720],
  waitUntilUsable: [0, 120],
  url: 2000,
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
  checkApiName(p, 'app-name', appName, 40);
  if (appName.length <= 40 && appName.length > LIMITS.appName) {
    p.add(
      'app-name',
      `is ${appName.length} characters long; use at most ${LIMITS.appName}. Salesforce allows 40 characters per component name, and the app's ` +
        `components add up to ${COMPONENT_SUFFIX_MAX} more (e.g. ${appName}_glbloauth would be ${appName.length + '_glbloauth'.length}).`,
    );
  }
  // The default label is derived from a checked API name, so only a given label needs checking.
  const appLabel = get('app-label') || appName.replace(/_/g, ' ');
  if (get('app-label')) checkText(p, 'app-label', appLabel, LIMITS.appLabel);
  const contactEmail = get('contact-email');
  if (!contactEmail) p.add('contact-email', 'is required: the platform rejects an External Client App without a contact email. Give an address such as mcp-admins@example.com.');
  else {
    const error = checkEmail(contactEmail);
    if (error) p.add('contact-email', `${show(contactEmail)} ${error}`);
  }
  const description = get('description') || undefined;
  if (description !== undefined) checkText(p, 'description', description, LIMITS.description);

  // --- hardening -----------------------------------------------------------------------------------------
  const hardeningRaw = get('hardening').toLowerCase() || DEFAULTS.hardening;
  const hardening: Hardening = hardeningRaw === 'recommended' || hardeningRaw === 'strict' ? hardeningRaw : 'baseline';
  if (hardeningRaw !== 'baseline' && hardeningRaw !== 'recommended' && hardeningRaw !== 'strict') {
    p.add('hardening', `${show(get('hardening'))} is not a hardening preset. Use baseline (the procedure's required settings), recommended (baseline + 30-day refresh tokens with rotation) or strict (what Salesforce requires of partner apps).`);
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
  if (permissionSet !== undefined) checkPermissionSetName(p, permissionSet);
  const createPermissionSet = parseBool(p, 'create-permission-set', get('create-permission-set')) ?? false;
  if (createPermissionSet && permissionSet === undefined) {
    p.add('create-permission-set', 'is true but permission-set is empty: give the API name of the permission set to create in permission-set (e.g. MCP_Client_Users).');
  } else if (createPermissionSet && permissionSet?.includes('__')) {
    p.add('create-permission-set', `cannot create ${show(permissionSet)}: a name with a namespace prefix (ns__Name) belongs to an installed package. Give a name without the prefix, or set create-permission-set: false.`);
  }

  const ipRanges = parseIpRanges(p, get('ip-ranges'));

  const refreshTokenValidityDays = parseInteger(p, 'refresh-token-validity-days', get('refresh-token-validity-days'), LIMITS.refreshTokenDays);
  const refreshTokenRotation = parseBool(p, 'refresh-token-rotation', get('refresh-token-rotation'));

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
    p.add('single-logout', 'is false but single-logout-url is given, and the URL is what turns single logout on. Remove single-logout-url, or set single-logout: true.');
  }
  // The URL is the switch: giving it (without an explicit false, refused above) turns single logout on.
  const singleLogout = singleLogoutRaw ?? singleLogoutUrl !== undefined;

  // --- modes (needed to judge the Dev Hub inputs) --------------------------------------------------------
  const dryRun = parseBool(p, 'dry-run', get('dry-run')) ?? false;

  // --- the Dev Hub ---------------------------------------------------------------------------------------
  const devHub = parseDevHub(p, get, dryRun);

  // --- packaging and install -----------------------------------------------------------------------------
  const packageOn = parseBool(p, 'package', get('package')) ?? true;
  const pkg = parsePackage(p, get, packageOn, appName, dryRun);
  const waitUntilUsableMinutes = parseInteger(p, 'wait-until-usable', get('wait-until-usable'), LIMITS.waitUntilUsable) ?? 0;

  // --- publishing the key --------------------------------------------------------------------------------
  const github = parseGithub(p, get);

  const outputDirRaw = get('output-dir');
  if (/[\p{Cc}\p{Cf}]/u.test(outputDirRaw)) p.add('output-dir', 'contains a line break or control character; give a plain directory path.');
  const outputDir = outputDirRaw
    ? isAbsolute(outputDirRaw)
      ? resolve(outputDirRaw)
      : resolve(env.GITHUB_WORKSPACE || process.cwd(), outputDirRaw)
    : join(env.RUNNER_TEMP || tmpdir(), 'eca-action');

  if (p.list.length > 0) throw new InputError(scrub(p.list, SECRET_INPUTS.map((name) => read(name) ?? '').concat(secretInstallTarget(read))));

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
    dryRun,
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

/** A user-given value, quoted on one line, control characters made visible, long values cut. */
export function show(value: string): string {
  if (looksLikeCredential(value)) return 'the value (not shown: it looks like a credential, such as an auth URL, key or token)';
  const oneLine = value.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => {
    const map: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return map[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`;
  });
  return `'${oneLine.length > 80 ? `${oneLine.slice(0, 77)}…` : oneLine}'`;
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

function parseInteger(p: Problems, input: string, value: string, [min, max]: readonly [number, number]): number | undefined {
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

const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
// Markup that would change meaning in XML or Markdown if any sink ever forgot to escape it.
const MARKUP = /[<>&|`]/g;

function checkText(p: Problems, input: string, value: string, max: number): void {
  if (CONTROL.test(value)) {
    p.add(input, 'contains a line break or an invisible control character; use a single line of plain text.');
  }
  const bad = unique(value.match(MARKUP) ?? []);
  if (bad.length > 0) {
    p.add(
      input,
      `contains ${bad.map((c) => `'${c}'`).join(', ')}: these characters are refused because the text goes into XML metadata and the Markdown job summary. Use plain words (e.g. "and" instead of "&").`,
    );
  }
  if ([...value].length > max) p.add(input, `is ${[...value].length} characters long; use at most ${max}.`);
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

/** A Salesforce API name: letter first, letters/digits/single underscores, no trailing underscore. */
function checkApiName(p: Problems, input: string, value: string, max: number): void {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(value)) {
    p.add(input, `${show(value)} is not a valid API name. Start with a letter and use only letters, digits and underscores (e.g. MCP_Client_App).`);
  } else if (value.includes('__') || value.endsWith('_')) {
    p.add(input, `${show(value)} has a double or trailing underscore, which Salesforce API names do not allow (e.g. use MCP_Client_App).`);
  }
  if (value.length > max) p.add(input, `is ${value.length} characters long; an API name has at most ${max}.`);
}

function checkPermissionSetName(p: Problems, value: string): void {
  if (value.includes(',') || /\s/.test(value)) {
    p.add('permission-set', `${show(value)} is not one API name. Give the API name of one permission set (e.g. MCP_Client_Users).`);
    return;
  }
  // An optional namespace prefix (ns__Name) for a permission set that comes from an installed package.
  const m = /^(?:([A-Za-z][A-Za-z0-9_]{0,14})__)?(.*)$/.exec(value)!;
  const name = m[2] ?? '';
  const ns = m[1];
  if (ns !== undefined && (ns.includes('__') || ns.endsWith('_'))) {
    p.add('permission-set', `${show(value)} has an invalid namespace prefix. Use Name or ns__Name.`);
    return;
  }
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.includes('__') || name.endsWith('_')) {
    p.add('permission-set', `${show(value)} is not a permission set API name (the name, not the label): start with a letter; letters, digits and single underscores (e.g. MCP_Client_Users).`);
  } else if (name.length > 80) {
    p.add('permission-set', `is ${name.length} characters long; an API name has at most 80.`);
  }
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
// URLs

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// Schemes that can never be an OAuth redirect target; an attacker's favourite for "callback" fields.
const FORBIDDEN_SCHEMES = new Set([
  'javascript', 'data', 'file', 'vbscript', 'blob', 'about', 'filesystem', 'view-source', 'mailto', 'tel', 'sms',
  'ftp', 'ws', 'wss', 'jar',
]);
// RFC 3986 characters minus the ones that are markup in XML or Markdown (& ' < > " ` | \ { } ^) and space.
// `&` is refused too: a callback URL with several query parameters is not something an MCP client uses.
const URL_CHARS = /[^A-Za-z0-9\-._~:/?#[\]@%+=!$*(),;]/g;

interface UrlRules {
  /** http allowed for loopback hosts */
  loopbackHttp: boolean;
  /** private-use app schemes (cursor://, vscode://) allowed */
  appScheme: boolean;
  /**
   * http only for the host name `localhost`: Salesforce's callback validator refuses http on an IP address such as
   * 127.0.0.1 or [::1] ("Cannot be an HTTP URL", anthropics/claude-code#86233; docs/platform-notes.md §21).
   */
  httpHostLocalhostOnly?: boolean;
}

/** undefined when `value` is acceptable; otherwise the reason, phrased to follow the quoted value. */
export function checkUrl(value: string, rules: UrlRules): string | undefined {
  const right = rules.httpHostLocalhostOnly
    ? 'Use https://…, http:// only for the host localhost (Salesforce refuses http on an IP address such as 127.0.0.1: "Cannot be an HTTP URL"), or an app scheme such as cursor://…'
    : rules.appScheme
    ? 'Use https://…, http:// only for localhost, 127.0.0.1 or [::1], or an app scheme such as cursor://…'
    : rules.loopbackHttp
      ? 'Use https://…, or http:// only for localhost, 127.0.0.1 or [::1].'
      : 'Use an https:// URL.';
  if (/[\s\p{Cc}\p{Cf}]/u.test(value)) return `contains whitespace or a control character. Give one URL per line (or comma-separated). ${right}`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme && FORBIDDEN_SCHEMES.has(scheme)) return `uses the ${scheme}: scheme, which can never be an OAuth callback. ${right}`;
  const bad = unique(value.match(URL_CHARS) ?? []);
  if (bad.length > 0) {
    return `contains ${bad.map((c) => (/[^\x20-\x7e]/.test(c) ? 'non-ASCII characters' : `'${c}'`)).join(', ')}, which a callback URL here may not contain (they would be markup in XML or Markdown). Percent-encode them or leave them out.`;
  }
  if (value.length > LIMITS.url) return `is ${value.length} characters long; use at most ${LIMITS.url}.`;
  if (rules.httpHostLocalhostOnly && /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*:\*(?:[/?#]|$)/.test(value)) {
    // An org stores a `*` port, but Salesforce documents callback matching as exact (docs/platform-notes.md §21).
    return 'has a * port. Salesforce stores it, but it matches callback URLs exactly: give the fixed port the client uses (e.g. http://localhost:8080/callback).';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not an absolute URL. ${right}`;
  }
  if (url.username || url.password) return 'contains credentials (user:password@). Never put credentials in a URL; remove them.';
  if (value.includes('#')) return 'has a fragment (#…); an OAuth redirect URI must not have one (RFC 6749 §3.1.2). Remove it.';
  const proto = url.protocol.slice(0, -1);
  // WHATWG parsing reads `https:evil.example/cb` as https://evil.example/cb; the org and clients may not.
  if ((proto === 'https' || proto === 'http') && !/^https?:\/\/[^/]/i.test(value)) return `is not of the form ${proto}://host/path. ${right}`;
  if (proto === 'https') {
    if (!url.hostname) return `has no host. ${right}`;
    return undefined;
  }
  if (proto === 'http') {
    if (rules.httpHostLocalhostOnly) {
      if (url.hostname.toLowerCase() === 'localhost') return undefined;
      if (LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) {
        return `uses http on the IP address ${url.hostname}, which Salesforce refuses for a callback ("Cannot be an HTTP URL"). Use http://localhost${url.port ? `:${url.port}` : ''}${url.pathname === '/' ? '' : url.pathname} if the client accepts it, or the client's https redirect.`;
      }
    }
    if (rules.loopbackHttp && LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) return undefined;
    return rules.loopbackHttp
      ? `uses http for a host that is not loopback: tokens would cross the network unencrypted. ${right}`
      : `uses http. ${right}`;
  }
  if (rules.appScheme) {
    // A private-use scheme of a desktop app (RFC 8252 §7.1): needs scheme://authority/….
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]/.test(value)) return `is not of the form app-scheme://host/path. ${right}`;
    return undefined;
  }
  return `uses the ${proto}: scheme. ${right}`;
}

function parseLoginUrl(p: Problems, value: string): string | undefined {
  // Only Salesforce's login domains (and loopback) receive a signed assertion: src/login-hosts.ts says why.
  const error = checkLoginOrigin(value);
  if (error) {
    p.add('dev-hub-login-url', `${show(value)} is not accepted: ${error}. A signed login assertion goes only to Salesforce's own login domains. ${LOGIN_HOST_RULE}`);
    return undefined;
  }
  return new URL(value).origin;
}

// ===========================================================================================================
// Email, usernames, aliases

const EMAIL_LOCAL = /^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A conservative address: what every mail system and Setup page accepts. undefined when fine. */
export function checkEmail(value: string): string | undefined {
  const example = 'Give a plain address such as mcp-admins@example.com.';
  if (/[<>]/.test(value)) return `contains angle brackets; give only the address, not "Name <address>". ${example}`;
  if (/[\s\p{Cc}\p{Cf}]/u.test(value)) return `contains whitespace or a line break. ${example}`;
  if (/["'`|&;,\\()[\]]/.test(value)) return `contains quotes or punctuation an address here may not have. ${example}`;
  const at = value.lastIndexOf('@');
  if (at < 0 || value.indexOf('@') !== at) return `is not an email address (it needs exactly one @). ${example}`;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!local || local.length > 64 || !EMAIL_LOCAL.test(local)) return `has an invalid part before the @. ${example}`;
  const labels = domain.split('.');
  if (labels.length < 2) return `has no domain with a top-level domain after the @. ${example}`;
  if (!labels.every((l) => DOMAIN_LABEL.test(l))) return `has an invalid domain. ${example}`;
  const tld = labels[labels.length - 1]!;
  if (!/^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/.test(tld)) return `has no valid top-level domain (such as .com). ${example}`;
  if (value.length > LIMITS.email) return `is longer than ${LIMITS.email} characters. ${example}`;
  return undefined;
}

function checkUsername(p: Problems, input: string, value: string): void {
  if (!/^[^\s\p{Cc}\p{Cf}@<>"'`|&\\,;]+@[^\s\p{Cc}\p{Cf}@<>"'`|&\\,;]+$/u.test(value) || value.length > 80) {
    p.add(input, `${show(value)} is not a Salesforce username (it looks like an email address, e.g. admin@mycompany.com).`);
  }
}

const ALIAS = /^[A-Za-z0-9_.@+:-]{1,255}$/;

function parseOrgRef(p: Problems, input: string, value: string, allowAuthUrl: boolean): OrgRef | undefined {
  if (value.toLowerCase().startsWith('force://')) {
    if (!allowAuthUrl) {
      // Do not echo it: an SFDX auth URL is a credential.
      p.add(input, 'looks like an SFDX auth URL (force://…), which is a secret. Pass it in dev-hub-auth-url (from a secret) instead; dev-hub takes a username or alias of an earlier sf CLI login.');
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
    p.add(input, `${show(value)} is not a username or alias of an sf CLI login (letters, digits and . _ @ + - : only)${allowAuthUrl ? ', nor an SFDX auth URL (force://…)' : ''}.`);
    return undefined;
  }
  return { kind: 'cli', usernameOrAlias: value };
}

// The shape @salesforce/core's AuthInfo.parseSfdxAuthUrl accepts, anchored at both ends.
const AUTH_URL = /^force:\/\/([A-Za-z0-9._-]+={0,2}):([A-Za-z0-9._-]*={0,2}):([A-Za-z0-9._-]+={0,2})@([A-Za-z0-9:._-]+)\/?$/;

/** Never includes the value: an auth URL carries a refresh token. */
function checkAuthUrl(value: string): string | undefined {
  if (!value.startsWith('force://')) {
    return 'is not an SFDX auth URL: it must start with force:// (the value is not shown because it is a secret). Get it from `sf org display --verbose --json` (sfdxAuthUrl).';
  }
  const m = AUTH_URL.exec(value);
  if (!m) {
    return 'is not a complete SFDX auth URL (the value is not shown because it is a secret). The shape is force://<clientId>:<clientSecret>:<refreshToken>@<instance host>, as printed by `sf org display --verbose` (sfdxAuthUrl).';
  }
  // The refresh token and client secret go to that host: only a Salesforce login domain, or loopback.
  const hostError = checkLoginOrigin(`https://${m[4]!.replace(/\/$/, '')}`);
  if (hostError) return `is an SFDX auth URL whose instance host is not accepted: ${hostError.replace(/^its host/, 'the host')} (the value is not shown because it is a secret). ${LOGIN_HOST_RULE}`;
  return undefined;
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
    p.add('ip-ranges', `has ${ranges.length} ranges; an External Client App holds at most ${LIMITS.ipRanges}. Merge adjacent ranges.`);
  }
  return ranges;
}

/** 'START-END' (or one address) → the range, or the reason it is not one. */
export function parseIpRange(item: string): IpRange | string {
  const form = 'Write START-END, e.g. 203.0.113.0-203.0.113.255 or 2001:db8::-2001:db8::ffff.';
  if (item.includes('/')) {
    const hint = cidrHint(item);
    return `is CIDR notation, which the app's trusted IP ranges do not take. ${hint ? `Write it as ${hint}.` : form}`;
  }
  const parts = item.split('-').map((s) => s.trim());
  if (parts.length > 2) return `has more than one '-'. ${form}`;
  const start = parts[0] ?? '';
  const end = parts[1] ?? start;
  if (!start || !end) return `is missing an address. ${form}`;
  const fs = ipFamily(start);
  const fe = ipFamily(end);
  if (!fs) return `starts with ${show(start)}, which is not an IPv4 or IPv6 address. ${form}`;
  if (!fe) return `ends with ${show(end)}, which is not an IPv4 or IPv6 address. ${form}`;
  if (fs !== fe) return `mixes IPv${fs} and IPv${fe}; both ends of a range must be the same family. ${form}`;
  if (ipToBigInt(start, fs) > ipToBigInt(end, fe)) return `is reversed: the start is after the end. Write ${end}-${start}.`;
  return { start, end };
}

function ipFamily(addr: string): 4 | 6 | undefined {
  if (addr.includes('%')) return undefined; // zone ids (fe80::1%eth0) mean nothing to Salesforce
  const f = isIP(addr);
  return f === 4 || f === 6 ? f : undefined;
}

export function ipToBigInt(addr: string, family: 4 | 6): bigint {
  if (family === 4) return addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  // Expand '::' and a dotted IPv4 tail (::ffff:192.0.2.1) into eight 16-bit groups.
  let text = addr.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1]!, 4);
    text = text.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIp(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 0xffn).toString()).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':');
}

function cidrHint(item: string): string | undefined {
  const [addr = '', bitsText = ''] = item.split('/').map((s) => s.trim());
  const family = ipFamily(addr);
  if (!family || !/^\d+$/.test(bitsText)) return undefined;
  const width = family === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (bits > width) return undefined;
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  const start = ipToBigInt(addr, family) & ~hostMask & ((1n << BigInt(width)) - 1n);
  return `${bigIntToIp(start, family)}-${bigIntToIp(start | hostMask, family)}`;
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
    p.add(methods.map((m) => m.split(' + ')[0]).join(', '), `several Dev Hub logins are given (${methods.join('; ')}). ${how}.`);
  }
  if (methods.length === 0) {
    if (!dryRun) p.add('dev-hub', `no Dev Hub login is given. ${how}; or set dry-run: true to only generate the metadata.`);
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
      p.add(name!, 'is missing: the JWT bearer login needs dev-hub-username, dev-hub-client-id and dev-hub-jwt-key together.');
    }
    if (username) checkUsername(p, 'dev-hub-username', username);
    if (clientId && !/^[A-Za-z0-9._~+/=-]{8,255}$/.test(clientId)) {
      // Not echoed: a consumer key is not a secret, but it is nobody's business in a log either.
      p.add('dev-hub-client-id', 'is not a consumer key (one line of letters, digits and . _, like 3MVG9…). Copy the Consumer Key of the app used for CI login.');
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

export type JwtKeyResult = { ok: true; pem: string } | { ok: false; message: string };

/**
 * Repair a private key pasted into a secret: real newlines, literal \n escapes, everything on one line (newlines
 * turned into spaces or lost), or base64 of the PEM text. Re-wrapped at 64 characters like
 * salesforcecli/cli-plugins-testkit formatJwtKey, then parsed to be sure. Messages never contain the key.
 */
export function normalizeJwtKey(raw: string): JwtKeyResult {
  const fail = (message: string): JwtKeyResult => ({ ok: false, message: `${message} (the value is not shown because it is a secret).` });
  let text = raw.trim().replace(/\\r\\n|\\n|\\r/g, '\n');
  if (!text) return fail('is empty');
  if (!text.includes('-----BEGIN')) {
    const compact = text.replace(/\s+/g, '');
    const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64').toString('utf8') : '';
    if (!decoded.includes('-----BEGIN')) {
      return fail('is neither PEM text (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----) nor base64 of PEM text. Pass the whole private key file (server.key)');
    }
    text = decoded.trim().replace(/\\r\\n|\\n|\\r/g, '\n');
  }
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) return fail('has a -----BEGIN line but no matching -----END line: it is cut off. Pass the whole private key file');
  const block = blocks.find((b) => b[1]!.endsWith('PRIVATE KEY')) ?? blocks[0]!;
  const label = block[1]!;
  const body = block[2]!;
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(body)) {
    return fail('is encrypted with a passphrase, which the JWT login cannot use. Store the decrypted key instead (openssl pkey -in encrypted.key -out server.key)');
  }
  if (!label.endsWith('PRIVATE KEY')) {
    return fail(`is a ${label.toLowerCase()}, not a private key. Pass the private key whose certificate is uploaded to the CI login app`);
  }
  if (label !== 'PRIVATE KEY' && label !== 'RSA PRIVATE KEY') {
    return fail(`is a ${label.toLowerCase()}; the JWT bearer flow signs with RS256 and needs an RSA key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)`);
  }
  const b64 = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return fail('has characters that do not belong in a PEM key body. Pass the private key file unchanged');
  const pem = `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') {
      return fail(`is a ${key.asymmetricKeyType ?? 'non-RSA'} key; the JWT bearer flow signs with RS256 and needs an RSA key`);
    }
  } catch {
    return fail('could not be read as a private key: it is damaged or incomplete. Pass the whole private key file (server.key)');
  }
  return { ok: true, pem };
}

// ===========================================================================================================
// Packaging

function parsePackage(p: Problems, get: (name: string) => string, packageOn: boolean, appName: string, dryRun: boolean): PackageSettings | undefined {
  const name = get('package-name') || appName;
  if (get('package-name')) checkText(p, 'package-name', name, LIMITS.packageName);
  const namespace = get('package-namespace') || undefined;
  if (namespace !== undefined && (!/^[A-Za-z][A-Za-z0-9_]{0,14}$/.test(namespace) || namespace.includes('__') || namespace.endsWith('_'))) {
    p.add('package-namespace', `${show(namespace)} is not a namespace prefix: 1–15 letters, digits or single underscores, starting with a letter (the prefix linked to the Dev Hub, without "__").`);
  }
  if (namespace === undefined && packageOn && !dryRun) {
    // External Client Apps can only be packaged in managed 2GP packages, and those live in a namespace.
    p.add('package-namespace', 'is required when package is true: External Client Apps can only be packaged in a managed 2GP package, which needs the namespace prefix linked to your Dev Hub (Setup → Namespace Registries). Give it, or set package: false.');
  }
  const versionNumber = get('package-version-number') || DEFAULTS.packageVersionNumber;
  if (!/^\d+\.\d+\.\d+\.(\d+|NEXT)$/.test(versionNumber)) {
    p.add('package-version-number', `${show(versionNumber)} is not a version number. Use MAJOR.MINOR.PATCH.BUILD, where BUILD is a number or NEXT (e.g. 1.0.0.NEXT).`);
  }
  const installationKey = get('installation-key') || undefined;
  if (installationKey !== undefined && /[\p{Cc}\p{Cf}]/u.test(installationKey)) {
    p.add('installation-key', 'contains a line break or control character (the value is not shown because it is a secret). Use a single-line key.');
  }
  const waitMinutes = parseInteger(p, 'wait-minutes', get('wait-minutes'), LIMITS.waitMinutes) ?? DEFAULTS.waitMinutes;
  const targetRaw = get('install-target');
  const installTarget = targetRaw ? parseOrgRef(p, 'install-target', targetRaw, true) : undefined;
  if (targetRaw && !packageOn) {
    p.add('install-target', 'is given but package is false: only a package version can be installed into another org. Set package: true or remove install-target.');
  }
  const mcpServers = parseMcpServers(p, get('mcp-servers'), packageOn, targetRaw !== '');
  const newVersionRaw = get('new-version') || 'when-changed';
  if (!(NEW_VERSION_MODES as readonly string[]).includes(newVersionRaw)) {
    p.add('new-version', `${show(newVersionRaw)} is not a mode. Use when-changed (reuse a version built from the same package content) or always (build one on every run).`);
  }
  const newVersion: NewVersion = newVersionRaw === 'always' ? 'always' : 'when-changed';
  if (!packageOn) return undefined;
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    versionNumber,
    ...(installationKey !== undefined ? { installationKey } : {}),
    waitMinutes,
    ...(installTarget ? { installTarget } : {}),
    ...(mcpServers.length ? { mcpServers } : {}),
    newVersion,
  };
}

/** Hosted MCP servers are activated per org (Tooling McpServerAccess), so they need the org: the install target. */
function parseMcpServers(p: Problems, value: string, packageOn: boolean, hasTarget: boolean): string[] {
  const names: string[] = [];
  for (const item of splitList(value)) {
    const name = mcpServerName(item);
    if (!name) {
      p.add('mcp-servers', `${show(item)} is not a hosted MCP server this action can activate. Use one or more of: ${Object.keys(MCP_SERVERS).join(', ')} (with or without the platform/ prefix).`);
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
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretName)) {
      p.add('secret-name', `${show(secretName)} is not a GitHub secret name: letters, digits and underscores only, not starting with a digit (e.g. SALESFORCE_MCP_CLIENT_ID).`);
    } else if (/^GITHUB_/i.test(secretName)) {
      p.add('secret-name', `${show(secretName)} starts with GITHUB_, which GitHub reserves for its own secrets. Choose another name (e.g. SALESFORCE_MCP_CLIENT_ID).`);
    }
    if (!token) p.add('secret-name', 'needs github-token: a token allowed to write Actions secrets (a fine-grained token with "Secrets: write"; GITHUB_TOKEN cannot).');
  }
  if (token) {
    if (/\s/.test(token)) p.add('github-token', 'contains whitespace (the value is not shown because it is a secret). Pass the token alone.');
    if (!secretName) p.add('github-token', 'is given but secret-name is empty: name the secret to store the consumer key in, or remove github-token.');
  }
  if (environment) {
    if (!secretName) p.add('secret-environment', 'needs secret-name: name the secret to store in that environment.');
    if (/[\p{Cc}\p{Cf}]/u.test(environment) || environment.length > 255) {
      p.add('secret-environment', `${show(environment)} is not an environment name (one line, at most 255 characters).`);
    }
  }
  if (!token || !secretName) return undefined;
  return { token, secretName, ...(environment ? { environment } : {}) };
}
