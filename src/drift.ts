// `mode: verify`: how the app in the org differs from what the inputs ask. Pure: it compares the plan apply would
// deploy (and, for what the plan leaves to the org, the procedure's secure baseline) with the settings the org
// returned (credentials.ts, `withSettings`), and judges each difference: `weaker` when the org's value lets more
// users, clients, flows, addresses or time through than asked, else `different`. Org values are untrusted text:
// each is checked against its documented shape before it is shown, and one of an unknown shape counts as weaker
// (fail closed). Why each kind matters: README, "Verify: what each kind of drift means"; sources: docs/platform-notes.md §24.
import type { AppSettings } from './credentials.ts';
import { checkUrl } from './checks.ts';
import { parseIpRange, withinAny } from './ip-ranges.ts';
import type { AppPlan, FailOnDrift, IpRange } from './model.ts';
import { isLoopback } from './loopback.ts';

export type DriftKind = 'weaker' | 'different';
export type DriftOrg = 'Dev Hub' | 'install target';

export interface Drift {
  org: DriftOrg;
  /** the setting as Setup names it */
  setting: string;
  /** what the inputs (or, where they decide nothing, the procedure's baseline) ask for */
  wanted: string;
  /** what the org holds, as far as it is safe to show */
  actual: string;
  /** the Salesforce security control (src/controls.ts) or procedure step the setting belongs to */
  control: string;
  kind: DriftKind;
  /** what the difference lets happen */
  why: string;
}

export interface DriftReport {
  appName: string;
  /** the orgs compared, in order */
  orgs: DriftOrg[];
  drifts: Drift[];
  failOn: FailOnDrift;
}

/** Salesforce's controls as src/controls.ts names them, and the procedure's steps where no control exists. */
export const CONTROL = {
  pkce: 'Require PKCE (partner requirement)',
  rotation: 'Enable Refresh Token Rotation (partner requirement)',
  idleTtl: 'Limit the Idle Refresh Token TTL to 30 days (partner requirement)',
  jwt: 'Issue JWT-based access tokens for named users',
  clientCredentials: 'Disable Client Credentials Flow',
  leastPrivilege: 'OAuth Scope Least Privilege',
  webServerSecret: 'Require Secret for Web Server Flow',
  refreshSecret: 'Require Secret for Refresh Token Flow',
  codeCredentials: 'Enable Authorization Code and Credentials Flow',
  jwtBearer: 'Enable JWT Bearer Flow',
  session: 'High-assurance session at sign-in',
  otherFlows: "the procedure's Security section: every other option off",
  ipRestriction: "the procedure's additional measure: restrict by IP address",
  refreshValidity: "the procedure's additional measure: refresh token validity of 30 days or less",
  singleLogout: "the procedure's additional measure: single logout",
  callbacks: "the procedure's step 5: the clients' callback URLs",
} as const;

/** Whether the step fails: on a weaker setting, or with `fail-on-drift: any` on any difference. */
export function failsStep(report: DriftReport): boolean {
  return report.drifts.some((d) => d.kind === 'weaker' || report.failOn === 'any');
}

/** One difference as one line (the annotation's text). */
export function driftMessage(d: Drift): string {
  return (
    `${d.setting} in the ${d.org}: the inputs ask for ${d.wanted}; the org has ${d.actual}. ` +
    `${d.kind === 'weaker' ? 'Weaker' : 'Different, not weaker'}: ${d.why} Salesforce control: ${d.control}.`
  );
}

// ===========================================================================================================
// The Dev Hub: everything apply deploys there

export function compareDevHub(plan: AppPlan, org: AppSettings): Drift[] {
  const found: Found[] = [];
  const missing = [
    !org.global && 'global OAuth settings',
    !org.oauth && 'OAuth settings',
    !org.policy && 'OAuth policy',
  ].filter(Boolean);
  if (missing.length) {
    found.push({
      setting: 'App components',
      wanted: 'global OAuth settings, OAuth settings and an OAuth policy',
      actual: `no ${missing.join(', no ')}`,
      control: CONTROL.otherFlows,
      kind: 'weaker',
      why: 'the settings those components hold cannot be checked, and the org applies its own defaults.',
    });
  }
  if (org.global) found.push(...compareGlobal(plan, org.global));
  if (org.oauth) found.push(...compareOauth(plan, org.oauth));
  if (org.policy) found.push(...comparePolicy(plan, org.policy));
  return found.map((d) => ({ org: 'Dev Hub', ...d }));
}

// ===========================================================================================================
// The install target: the installed app's OAuth policy

/**
 * A package cannot carry OAuth policies: an org that installs the app gets the platform's defaults, and apply does
 * not write the policy there. So in the install target only a policy weaker than the inputs ask is drift; a
 * stricter one is the target admin's choice.
 */
export function compareInstallTarget(plan: AppPlan, org: AppSettings): Drift[] {
  if (!org.policy) {
    return [
      {
        org: 'install target',
        setting: 'OAuth policy',
        wanted: 'the policy the inputs set',
        actual: 'none found for the installed app',
        control: CONTROL.leastPrivilege,
        kind: 'weaker',
        why: 'who may use the app and how long its tokens live cannot be checked there.',
      },
    ];
  }
  return comparePolicy(plan, org.policy)
    .filter((d) => d.kind === 'weaker')
    .map((d) => ({ org: 'install target' as const, ...d }));
}

// ===========================================================================================================
// Global OAuth settings

type Found = Omit<Drift, 'org'>;

/** A boolean flag, its protective value, and what turning it the other way does. */
interface Flag {
  field: keyof AppPlan['global'];
  setting: string;
  control: string;
  /** the value that protects; the other value is weaker */
  protective: boolean;
  /** why the unprotective value is weaker */
  weaker: string;
  /** what the protective value does when the inputs did not ask for it */
  stricter: string;
}

const FLAGS: Flag[] = [
  {
    field: 'isPkceRequired',
    setting: 'Require PKCE',
    control: CONTROL.pkce,
    protective: true,
    weaker: 'an intercepted authorization code can be redeemed without the code verifier.',
    stricter: 'clients must send PKCE.',
  },
  {
    field: 'isNamedUserJwtEnabled',
    setting: 'Issue JWT-based access tokens for named users',
    control: CONTROL.jwt,
    protective: true,
    weaker:
      'the app issues opaque session tokens, which the hosted MCP servers refuse and which are not scoped to the app.',
    stricter: 'the app issues JWT-based access tokens.',
  },
  {
    field: 'isConsumerSecretOptional',
    setting: 'Require secret for web server flow',
    control: CONTROL.webServerSecret,
    protective: false,
    weaker: 'a client no longer needs the consumer secret to redeem an authorization code.',
    stricter:
      'public clients (which keep no secret) can no longer sign in: the partner requirement says they must not send one.',
  },
  {
    field: 'isSecretRequiredForRefreshToken',
    setting: 'Require secret for refresh token flow',
    control: CONTROL.refreshSecret,
    protective: true,
    weaker: 'a refresh token alone, without the consumer secret, gets new access tokens.',
    stricter: 'public MCP clients can no longer refresh their tokens.',
  },
  {
    field: 'isClientCredentialsFlowEnabled',
    setting: 'Enable Client Credentials Flow',
    control: CONTROL.clientCredentials,
    protective: false,
    weaker: 'whoever holds the key and secret gets tokens as a fixed user, without any user signing in.',
    stricter: '',
  },
  {
    field: 'isCodeCredFlowEnabled',
    setting: 'Enable Authorization Code and Credentials Flow',
    control: CONTROL.codeCredentials,
    protective: false,
    weaker:
      "the app may send users' credentials to the authorize endpoint (headless login), which MCP clients never need.",
    stricter: '',
  },
  {
    field: 'isDeviceFlowEnabled',
    setting: 'Enable Device Flow',
    control: CONTROL.otherFlows,
    protective: false,
    weaker: 'a device code signs users in without PKCE and without the registered callback URLs.',
    stricter: '',
  },
  {
    field: 'isTokenExchangeEnabled',
    setting: 'Enable Token Exchange Flow',
    control: CONTROL.otherFlows,
    protective: false,
    weaker: "tokens of another identity provider can be exchanged for this app's Salesforce tokens.",
    stricter: '',
  },
  {
    field: 'isIntrospectAllTokens',
    setting: 'Introspect All Tokens',
    control: CONTROL.otherFlows,
    protective: false,
    weaker: 'the app may introspect every token of the org, not only its own.',
    stricter: '',
  },
  {
    field: 'isRefreshTokenRotationEnabled',
    setting: 'Enable Refresh Token Rotation',
    control: CONTROL.rotation,
    protective: true,
    weaker: 'a stolen refresh token stays valid after the client used it.',
    stricter:
      'each refresh returns a new refresh token and invalidates the old one; clients that refresh in parallel may be signed out.',
  },
  {
    field: 'isEnforceRefreshTokenTTL',
    setting: 'Limit Idle Refresh Token TTL to 30 Days',
    control: CONTROL.idleTtl,
    protective: true,
    weaker: 'a refresh token nobody used for 30 days still works.',
    stricter: 'refresh tokens unused for 30 days expire.',
  },
  {
    field: 'isCodeCredPostOnly',
    setting: 'Require POST for the authorization code and credentials flow',
    control: CONTROL.codeCredentials,
    protective: true,
    weaker: 'credentials of the headless flow may travel in a URL.',
    stricter: 'only matters with that flow, which is off.',
  },
  {
    field: 'isSecretRequiredForTokenExchange',
    setting: 'Require secret for token exchange flow',
    control: CONTROL.otherFlows,
    protective: true,
    weaker: 'token exchange works without the consumer secret.',
    stricter: 'only matters with token exchange, which is off.',
  },
];

function compareGlobal(plan: AppPlan, global: Record<string, unknown>): Found[] {
  const out: Found[] = [];
  for (const flag of FLAGS) {
    const wanted = plan.global[flag.field];
    // undefined: the plan leaves the field to the org (isEnforceRefreshTokenTTL with baseline).
    if (wanted === undefined) continue;
    const actual = bool(global[flag.field]);
    if (actual === wanted) continue;
    const onOff = (b: boolean | 'unknown'): string =>
      b === 'unknown' ? 'a value that is not true or false' : b ? 'on' : 'off';
    // isConsumerSecretOptional reads the other way round from its Setup checkbox.
    const shown = (b: boolean | 'unknown'): string =>
      flag.field === 'isConsumerSecretOptional' && b !== 'unknown' ? onOff(!b) : onOff(b);
    const weaker = actual === 'unknown' || actual !== flag.protective;
    out.push({
      setting: flag.setting,
      wanted: shown(wanted),
      actual: shown(actual),
      control: flag.control,
      kind: weaker ? 'weaker' : 'different',
      why: weaker ? flag.weaker : flag.stricter,
    });
  }
  out.push(...compareCallbacks(plan, global.callbackUrl));
  // Left to the org by the plan; the procedure's baseline has no JWT bearer flow.
  if (text(global.certificate) !== undefined) {
    out.push({
      setting: 'Enable JWT Bearer Flow (a certificate)',
      wanted: 'no certificate',
      actual: 'a certificate',
      control: CONTROL.jwtBearer,
      kind: 'weaker',
      why: "whoever holds the certificate's private key can get tokens for any pre-authorized user without a sign-in.",
    });
  }
  return out;
}

function compareCallbacks(plan: AppPlan, value: unknown): Found[] {
  const out: Found[] = [];
  const actual = (text(value) ?? '')
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of actual) {
    if (plan.callbackUrls.includes(url)) continue;
    // Its shape only: whether http is acceptable is judged below, so http is checked as https would be.
    const readable = checkUrl(url.replace(/^http:/i, 'https:'), { loopbackHttp: true, appScheme: true }) === undefined;
    // https, a loopback http or an app scheme is where a registered client may receive a code (RFC 8252), and PKCE
    // still guards it; plain http elsewhere sends the code in clear text.
    const weaker = !readable || (/^http:/i.test(url) && !isLoopback(LOOPBACK_HTTP.exec(url)?.[1] ?? ''));
    out.push({
      setting: 'Callback URL',
      wanted: 'not registered',
      actual: readable ? `${url} registered` : 'a callback URL of an unexpected shape registered (not shown)',
      control: CONTROL.callbacks,
      kind: weaker ? 'weaker' : 'different',
      why: weaker
        ? 'authorization codes may be sent to an address that is not secure.'
        : 'another client (or another party) can receive authorization codes for this app; PKCE still guards each code.',
    });
  }
  for (const url of plan.callbackUrls) {
    if (actual.includes(url)) continue;
    out.push({
      setting: 'Callback URL',
      wanted: `${url} registered`,
      actual: 'not registered',
      control: CONTROL.callbacks,
      kind: 'different',
      why: 'the client that uses it can no longer sign in.',
    });
  }
  return out;
}

// ===========================================================================================================
// OAuth settings

function compareOauth(plan: AppPlan, oauth: Record<string, unknown>): Found[] {
  const out: Found[] = [];
  // Scope tokens are letters (MCP, RefreshToken, Api, Full, …); anything else is not shown.
  const scopes = (text(oauth.commaSeparatedOauthScopes) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const has = (list: string[], s: string): boolean => list.some((x) => x.toLowerCase() === s.toLowerCase());
  const extra = scopes.filter((s) => !has(plan.scopes, s));
  const missing = plan.scopes.filter((s) => !has(scopes, s));
  if (extra.length || missing.length) {
    out.push({
      setting: 'OAuth scopes',
      wanted: plan.scopes.join(', '),
      actual: scopes.length ? scopes.map((s) => (/^[A-Za-z]{1,40}$/.test(s) ? s : '(not shown)')).join(', ') : 'none',
      control: CONTROL.leastPrivilege,
      kind: extra.length ? 'weaker' : 'different',
      why: extra.length
        ? 'tokens of the app carry more access than the MCP clients need.'
        : 'clients cannot get the scopes they ask for, so sign-in or the MCP calls fail.',
    });
  }
  if (text(oauth.commaSeparatedCustomScopes) !== undefined) {
    out.push({
      setting: 'Custom scopes',
      wanted: 'none',
      actual: 'custom scopes',
      control: CONTROL.leastPrivilege,
      kind: 'weaker',
      why: 'tokens of the app carry more access than the MCP clients need.',
    });
  }
  out.push(...compareIpRanges(plan.oauth.trustedIpRanges, oauth.trustedIpRanges));
  const slo = compareUrl('Single logout URL (OAuth settings)', plan.oauth.singleLogoutUrl, oauth.singleLogoutUrl);
  if (slo) out.push(slo);
  return out;
}

function compareIpRanges(wanted: IpRange[], value: unknown): Found[] {
  const actual: IpRange[] = [];
  let unreadable = 0;
  for (const item of list(value)) {
    const r = item && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const parsed = parseIpRange(`${text(r.startIpAddress) ?? ''}-${text(r.endIpAddress) ?? ''}`);
    if (typeof parsed === 'string') unreadable++;
    else actual.push(parsed);
  }
  const key = (r: IpRange): string => `${r.start}-${r.end}`.toLowerCase();
  const same =
    unreadable === 0 && actual.length === wanted.length && actual.every((r) => wanted.some((w) => key(w) === key(r)));
  if (same) return [];
  // Weaker when some address gets in that the inputs' ranges keep out, or when no range is left to enforce.
  const weaker =
    unreadable > 0 || (wanted.length > 0 && (actual.length === 0 || actual.some((r) => !withinAny(r, wanted))));
  const show = (ranges: IpRange[], extra = 0): string =>
    [
      ...ranges.map((r) => (r.start === r.end ? r.start : `${r.start}-${r.end}`)),
      ...(extra ? [`${extra} unreadable`] : []),
    ].join(', ') || 'none (any address)';
  return [
    {
      setting: 'Trusted IP ranges',
      wanted: show(wanted),
      actual: show(actual, unreadable),
      control: CONTROL.ipRestriction,
      kind: weaker ? 'weaker' : 'different',
      why: weaker
        ? 'sign-in and tokens are accepted from addresses the inputs keep out.'
        : 'fewer addresses are trusted than the inputs ask, so clients from the others are refused.',
    },
  ];
}

/** A URL field: set where it should not be, absent where it should be, or another URL. */
function compareUrl(setting: string, wanted: string | undefined, value: unknown): Found | undefined {
  const actual = text(value);
  if (actual === wanted) return undefined;
  const readable = actual !== undefined && checkUrl(actual, { loopbackHttp: false, appScheme: false }) === undefined;
  const shown =
    actual === undefined ? 'none (single logout off)' : readable ? actual : 'a URL of an unexpected shape (not shown)';
  const weaker = wanted !== undefined && actual === undefined;
  return {
    setting,
    wanted: wanted ?? 'none (single logout off)',
    actual: shown,
    control: CONTROL.singleLogout,
    kind: weaker ? 'weaker' : 'different',
    why: weaker
      ? "ending a user's Salesforce session no longer ends the MCP client's session."
      : wanted === undefined
        ? "Salesforce calls that URL from the user's browser when their session ends."
        : 'logout requests go to another address than the client expects.',
  };
}

// ===========================================================================================================
// OAuth policy (the admin side; in the Dev Hub and in an org that installed the app)

const PERMITTED = ['AllSelfAuthorized', 'AdminApprovedPreAuthorized'] as const;
const IP_RELAXATION = ['Enforce', 'Bypass', 'Bypass_2factor', 'Enforce_RelaxRefresh'] as const;
const REFRESH_POLICY = ['Infinite', 'Zero', 'SpecificLifetime', 'SpecificInactivity'] as const;
const SESSION_LEVEL = ['LOW', 'STANDARD', 'HIGH_ASSURANCE'] as const;
const POLICY_ACTION = ['Block', 'RaiseSessionLevel', 'StepUpMFA'] as const;
const UNIT_HOURS: Record<string, number> = { Hours: 1, Days: 24, Months: 31 * 24 };

function comparePolicy(plan: AppPlan, policy: Record<string, unknown>): Found[] {
  const p = plan.policy;
  const out: Found[] = [];

  // Permitted users, and with admin approval the permission sets and profiles that admit them.
  const permitted = oneOf(policy.permittedUsersPolicyType, PERMITTED);
  const describe = (v: string | undefined): string =>
    v === 'AdminApprovedPreAuthorized'
      ? 'admin-approved users are pre-authorized'
      : v === 'AllSelfAuthorized'
        ? 'all users may self-authorize'
        : unknown(policy.permittedUsersPolicyType);
  if (permitted !== p.permittedUsersPolicyType) {
    const weaker = p.permittedUsersPolicyType === 'AdminApprovedPreAuthorized' || permitted === undefined;
    out.push({
      setting: 'Permitted users',
      wanted: describe(p.permittedUsersPolicyType),
      actual: describe(permitted),
      control: CONTROL.leastPrivilege,
      kind: weaker ? 'weaker' : 'different',
      why: weaker
        ? 'every user of the org can authorize the app, not only those given the permission set.'
        : 'only pre-authorized users can use the app; nobody else can sign in.',
    });
  } else if (permitted === 'AdminApprovedPreAuthorized') {
    const sets = names(policy.commaSeparatedPermissionSet);
    const profiles = names(policy.commaSeparatedProfile);
    const wanted = p.permissionSet ? [p.permissionSet] : [];
    const extra = sets.filter((s) => !wanted.includes(s));
    const missing = wanted.filter((s) => !sets.includes(s));
    if (extra.length || missing.length || profiles.length) {
      const weaker = extra.length > 0 || profiles.length > 0;
      const shown = (xs: string[]): string => xs.map((x) => (API_NAME.test(x) ? x : '(not shown)')).join(', ');
      out.push({
        setting: 'Permitted users: permission sets and profiles',
        wanted: wanted.length ? `permission set ${wanted.join(', ')}` : 'no permission set',
        actual:
          [sets.length && `permission sets ${shown(sets)}`, profiles.length && `profiles ${shown(profiles)}`]
            .filter(Boolean)
            .join('; ') || 'none',
        control: CONTROL.leastPrivilege,
        kind: weaker ? 'weaker' : 'different',
        why: weaker
          ? 'users of other permission sets or profiles are pre-authorized too.'
          : 'users of the permission set the inputs name are no longer admitted.',
      });
    }
  }

  const ip = oneOf(policy.ipRelaxationPolicyType, IP_RELAXATION);
  if (ip !== p.ipRelaxationPolicyType) {
    out.push({
      setting: 'IP relaxation',
      wanted: 'enforce IP restrictions',
      actual: ip ?? unknown(policy.ipRelaxationPolicyType),
      control: CONTROL.ipRestriction,
      kind: 'weaker',
      why: 'the trusted IP ranges (and the profile IP restrictions) are relaxed or bypassed for this app.',
    });
  }

  const refresh = compareRefresh(plan, policy);
  if (refresh) out.push(refresh);

  // Session level: LOW < STANDARD < HIGH_ASSURANCE; with HIGH_ASSURANCE, how a lower session is raised.
  const level =
    oneOf(policy.requiredSessionLevel, SESSION_LEVEL) ?? (text(policy.requiredSessionLevel) ? undefined : 'STANDARD');
  const action = oneOf(policy.policyAction, POLICY_ACTION);
  const rank = (l: string | undefined): number => (l === undefined ? -1 : SESSION_LEVEL.indexOf(l as never));
  const showLevel = (l: string | undefined, a: string | undefined): string =>
    l === undefined
      ? 'a value this action does not know'
      : l === 'HIGH_ASSURANCE'
        ? `HIGH_ASSURANCE (${a ?? 'no action'})`
        : l;
  const actionDiffers = p.requiredSessionLevel === 'HIGH_ASSURANCE' && action !== p.policyAction;
  if (level !== p.requiredSessionLevel || actionDiffers) {
    const weaker = rank(level) < rank(p.requiredSessionLevel);
    out.push({
      setting: 'Session security level required at sign-in',
      wanted: showLevel(p.requiredSessionLevel, p.policyAction),
      actual: showLevel(level, action),
      control: CONTROL.session,
      kind: weaker ? 'weaker' : 'different',
      why: weaker
        ? 'users sign in to the app without the high-assurance (MFA) session the inputs ask for.'
        : 'sign-in asks for another session level or handles a low session otherwise than the inputs ask.',
    });
  }

  // The policy's own flow switches must stay off (the procedure; apply writes them off).
  for (const [field, setting, control, why] of [
    [
      'isClientCredentialsFlowEnabled',
      'Client credentials flow (policy)',
      CONTROL.clientCredentials,
      'whoever holds the key and secret gets tokens as a fixed user, without any user signing in.',
    ],
    [
      'isTokenExchangeFlowEnabled',
      'Token exchange flow (policy)',
      CONTROL.otherFlows,
      "tokens of another identity provider can be exchanged for this app's Salesforce tokens.",
    ],
    [
      'isGuestCodeCredFlowEnabled',
      'Guest authorization code and credentials flow (policy)',
      CONTROL.codeCredentials,
      'guest users may get tokens through the headless flow.',
    ],
  ] as const) {
    const on = bool(policy[field]);
    if (on === false) continue;
    out.push({
      setting,
      wanted: 'off',
      actual: on === true ? 'on' : 'a value that is not true or false',
      control,
      kind: 'weaker',
      why,
    });
  }

  // Apply writes UserSession: JWT access tokens live as long as the user's session.
  const jwtTimeout = text(policy.namedUserJwtSessionTimeoutType);
  if (jwtTimeout !== undefined && jwtTimeout !== 'UserSession') {
    out.push({
      setting: 'JWT-based access token timeout',
      wanted: "the user's session",
      actual: jwtTimeout === 'Custom' ? 'a custom timeout' : 'a value this action does not know',
      control: CONTROL.jwt,
      kind: 'different',
      why: "access tokens expire on their own timeout rather than with the user's session.",
    });
  }

  const slo = compareUrl('Single logout URL (OAuth policy)', p.singleLogoutUrl, policy.singleLogoutUrl);
  if (slo) out.push(slo);
  return out;
}

/** A refresh token's lifetime as an order: 0 = expires at once … Infinity = never; inactivity sits just below never. */
function compareRefresh(plan: AppPlan, policy: Record<string, unknown>): Found | undefined {
  const p = plan.policy;
  // The plan's own values always make a lifetime (plan.ts writes a period and unit with SpecificLifetime).
  const wanted = lifetime(p.refreshTokenPolicyType, p.refreshTokenValidityPeriod, p.refreshTokenValidityUnit)!;
  const type = oneOf(policy.refreshTokenPolicyType, REFRESH_POLICY);
  const actual = type
    ? lifetime(type, int(policy.refreshTokenValidityPeriod), text(policy.refreshTokenValidityUnit))
    : undefined;
  // The same lifetime in another unit (30 days, 720 hours) is no difference.
  if (actual && actual.order === wanted.order) return undefined;
  const weaker = !actual || actual.order > wanted.order;
  return {
    setting: 'Refresh token policy',
    wanted: wanted.text,
    actual: actual?.text ?? (type ? 'a value this action does not know' : unknown(policy.refreshTokenPolicyType)),
    control: CONTROL.refreshValidity,
    kind: weaker ? 'weaker' : 'different',
    why: weaker
      ? 'a stolen refresh token stays usable longer than the inputs allow.'
      : 'refresh tokens expire sooner than the inputs ask, so users sign in again more often.',
  };
}

function lifetime(
  type: string,
  period: number | undefined,
  unit: string | undefined,
): { order: number; text: string } | undefined {
  if (type === 'Infinite') return { order: Number.POSITIVE_INFINITY, text: 'valid until revoked (never expires)' };
  if (type === 'Zero') return { order: 0, text: 'expires immediately' };
  const hours = unit !== undefined ? UNIT_HOURS[unit] : undefined;
  if (period === undefined || hours === undefined) return undefined;
  const span = `${period} ${unit!.toLowerCase()}`;
  if (type === 'SpecificLifetime') return { order: period * hours, text: `expires after ${span}` };
  // Expiry after inactivity bounds no total lifetime: weaker than any fixed one, stronger than never.
  if (type === 'SpecificInactivity') return { order: Number.MAX_VALUE, text: `expires after ${span} unused` };
  return undefined;
}

// ===========================================================================================================
// Reading untrusted values

/** An http URL's host as written (the port may be `*`, which WHATWG parsing refuses); `isLoopback` judges it. */
const LOOPBACK_HTTP = /^http:\/\/([^/?#:[\]]+|\[[^\]]*\])(?::(?:\d{1,5}|\*))?(?:[/?#]|$)/i;
const API_NAME = /^(?:[A-Za-z][A-Za-z0-9_]{0,14}__)?[A-Za-z][A-Za-z0-9_]{0,79}$/;

/** How a value outside the documented set is shown: never its text. */
function unknown(v: unknown): string {
  return text(v) === undefined ? 'not set' : 'a value this action does not know';
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function bool(v: unknown): boolean | 'unknown' {
  const t = text(v);
  if (t === undefined || t === 'false') return false; // an absent flag is off
  return t === 'true' ? true : 'unknown';
}

function int(v: unknown): number | undefined {
  const t = text(v);
  return t !== undefined && /^\d{1,6}$/.test(t) ? Number(t) : undefined;
}

function oneOf<T extends string>(v: unknown, values: readonly T[]): T | undefined {
  const t = text(v);
  return values.find((x) => x === t);
}

function list(v: unknown): unknown[] {
  return v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v];
}

function names(v: unknown): string[] {
  return (text(v) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
