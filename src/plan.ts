// From validated Settings to what the app will be (AppPlan): the procedure's secure baseline, the chosen preset,
// and explicit inputs on top. Pure: the renderer and the summary both read the plan, never the raw settings, so
// what is deployed and what is reported cannot drift apart.
import { CLIENTS, cloudClients } from './clients.ts';
import type { AppPlan, ClientPlan, Level, SettingReport, Settings } from './model.ts';
import { coversEverything } from './ip-ranges.ts';
import { HARDENING, presetValue } from './hardening.ts';

/** Metadata tokens of the two scopes the procedure requires (UI: mcp_api, refresh_token). */
export const SCOPES = ['MCP', 'RefreshToken'] as const;

type Origin = 'baseline' | 'preset' | 'input';

export function planApp(settings: Settings): AppPlan {
  const clients: ClientPlan[] = settings.clients.map((id) => ({
    id,
    label: CLIENTS[id].label,
    callbackUrls: [...CLIENTS[id].callbackUrls],
    desktop: CLIENTS[id].desktop,
  }));
  const callbackUrls: string[] = [];
  for (const url of [...clients.flatMap((c) => c.callbackUrls), ...settings.callbackUrls]) {
    if (!callbackUrls.includes(url)) callbackUrls.push(url);
  }

  // Every value a preset decides comes from the one table (hardening.ts), an input's value first.
  const h = settings.hardening;
  const { value: days, origin: daysOrigin } = presetValue(
    'refreshTokenValidityDays',
    h,
    settings.refreshTokenValidityDays,
  );
  const { value: rotation, origin: rotationOrigin } = presetValue(
    'refreshTokenRotation',
    h,
    settings.refreshTokenRotation,
  );
  const idleLimit = presetValue('enforceRefreshTokenTtl', h).value;
  const sessionLevel = presetValue('requiredSessionLevel', h).value;
  const sessionAction = presetValue('sessionLevelAction', h).value;
  // There is no single-logout boolean in the metadata: the URL is the switch (docs/platform-notes.md §11), in every
  // preset (settings.ts refuses single-logout: false beside a URL).
  const singleLogoutUrl = settings.singleLogout ? settings.singleLogoutUrl : undefined;

  const plan: AppPlan = {
    appName: settings.appName,
    label: settings.appLabel,
    contactEmail: settings.contactEmail,
    ...(settings.description !== undefined ? { description: settings.description } : {}),
    // Only a Packaged app can go into a package; a Local one stays in the Dev Hub.
    distributionState: settings.package?.installMethod === 'package' ? 'Packaged' : 'Local',
    clients,
    callbackUrls,
    scopes: [...SCOPES],
    global: {
      isNamedUserJwtEnabled: true,
      isPkceRequired: true,
      isConsumerSecretOptional: !settings.requireSecret,
      isSecretRequiredForRefreshToken: false,
      isClientCredentialsFlowEnabled: false,
      isCodeCredFlowEnabled: false,
      isDeviceFlowEnabled: false,
      isTokenExchangeEnabled: false,
      isRefreshTokenRotationEnabled: rotation,
      isIntrospectAllTokens: false,
      isCodeCredPostOnly: false,
      isSecretRequiredForTokenExchange: false,
      // Salesforce's "Limit the Idle Refresh Token TTL" control; where no preset sets it, the org's default stays.
      ...(idleLimit !== undefined ? { isEnforceRefreshTokenTTL: idleLimit } : {}),
    },
    oauth: {
      trustedIpRanges: settings.ipRanges.map((r) => ({ ...r })),
      ...(singleLogoutUrl !== undefined ? { singleLogoutUrl } : {}),
    },
    policy: {
      permittedUsersPolicyType: settings.permissionSet ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized',
      ...(settings.permissionSet ? { permissionSet: settings.permissionSet } : {}),
      ipRelaxationPolicyType: 'Enforce',
      refreshTokenPolicyType: days !== undefined ? 'SpecificLifetime' : 'Infinite',
      ...(days !== undefined ? { refreshTokenValidityPeriod: days, refreshTokenValidityUnit: 'Days' as const } : {}),
      ...(singleLogoutUrl !== undefined ? { singleLogoutUrl } : {}),
      // HIGH_ASSURANCE: sign-in needs an MFA session; MCP clients sign in in a browser, where the step-up runs.
      requiredSessionLevel: sessionLevel,
      ...(sessionAction !== undefined ? { policyAction: sessionAction } : {}),
    },
    ...(settings.createPermissionSet && settings.permissionSet
      ? { createPermissionSet: { name: settings.permissionSet, label: settings.permissionSet.replace(/_/g, ' ') } }
      : {}),
    report: [],
    warnings: [],
  };
  plan.report = reportPlan(plan, {
    days: daysOrigin,
    rotation: rotationOrigin,
    hardening: settings.hardening,
    singleLogoutUrlGiven: settings.singleLogoutUrl !== undefined,
  });
  const notes: string[] = [];
  plan.warnings = warningsFor(plan, settings, notes);
  if (notes.length > 0) plan.notes = notes;
  return plan;
}

// ===========================================================================================================
// The report: one row per setting, compared with the procedure's baseline

export interface ReportContext {
  days?: Origin;
  rotation?: Origin;
  hardening?: Settings['hardening'];
  singleLogoutUrlGiven?: boolean;
}

/**
 * Judge each setting of `plan` against the procedure's baseline. The level is computed from the values, not
 * from which input set them, so a plan that somehow turned a flow on or PKCE off would be reported `weaker`.
 * No input can do that today: every input only adds restrictions (requiring the secret included — on a desktop
 * client it protects little, but it never weakens the flow; PKCE stays required).
 */
export function reportPlan(plan: Omit<AppPlan, 'report' | 'warnings'>, ctx: ReportContext = {}): SettingReport[] {
  const g = plan.global;
  const rows: SettingReport[] = [];
  const row = (setting: string, value: string, level: Level, note?: string): void => {
    rows.push({ setting, value, level, ...(note ? { note } : {}) });
  };
  const onOff = (b: boolean): string => (b ? 'on' : 'off');
  /** Turning on a protection the baseline leaves off is hardening; turning off one it requires is weaker. */
  const judge = (actual: boolean, baseline: boolean): Level =>
    actual === baseline ? 'baseline' : actual ? 'hardened' : 'weaker';
  const mustBeOff = (actual: boolean): Level => (actual ? 'weaker' : 'baseline');
  const from = (origin: Origin | undefined): string | undefined =>
    origin === 'preset'
      ? `from hardening: ${ctx.hardening ?? 'recommended'}`
      : origin === 'input'
        ? 'set by input'
        : undefined;

  const scopesOk = plan.scopes.length === 2 && plan.scopes.includes('MCP') && plan.scopes.includes('RefreshToken');
  row(
    'OAuth scopes',
    plan.scopes.map((s) => (s === 'MCP' ? 'mcp_api' : s === 'RefreshToken' ? 'refresh_token' : s)).join(', '),
    scopesOk ? 'baseline' : 'weaker',
    `metadata tokens ${plan.scopes.join(', ')}`,
  );
  row(
    'JWT-based access tokens for named users',
    onOff(g.isNamedUserJwtEnabled),
    judge(g.isNamedUserJwtEnabled, true),
    g.isNamedUserJwtEnabled ? undefined : 'the hosted MCP servers need JWT access tokens',
  );
  row('Require PKCE', onOff(g.isPkceRequired), judge(g.isPkceRequired, true));
  const desktop = plan.clients.filter((c) => c.desktop).map((c) => c.id);
  row(
    'Require secret for web server flow',
    onOff(!g.isConsumerSecretOptional),
    judge(!g.isConsumerSecretOptional, false),
    !g.isConsumerSecretOptional
      ? desktop.length > 0
        ? `clients must also send the consumer secret; ${desktop.join(', ')} ${desktop.length === 1 ? 'keeps' : 'keep'} it on users' machines, where it can be read — PKCE remains the real protection there`
        : 'clients must also send the consumer secret'
      : undefined,
  );
  row(
    'Require secret for refresh token flow',
    onOff(g.isSecretRequiredForRefreshToken),
    judge(g.isSecretRequiredForRefreshToken, false),
  );
  row('Client credentials flow', onOff(g.isClientCredentialsFlowEnabled), mustBeOff(g.isClientCredentialsFlowEnabled));
  row('Authorization code and credentials flow', onOff(g.isCodeCredFlowEnabled), mustBeOff(g.isCodeCredFlowEnabled));
  row('Device flow', onOff(g.isDeviceFlowEnabled), mustBeOff(g.isDeviceFlowEnabled));
  row('Token exchange flow', onOff(g.isTokenExchangeEnabled), mustBeOff(g.isTokenExchangeEnabled));
  row('Introspect all tokens', onOff(g.isIntrospectAllTokens), mustBeOff(g.isIntrospectAllTokens));

  const pol = plan.policy;
  row(
    'Permitted users',
    pol.permittedUsersPolicyType === 'AdminApprovedPreAuthorized'
      ? `admin-approved users are pre-authorized${pol.permissionSet ? `: permission set ${pol.permissionSet}` : ''}`
      : 'all users may self-authorize',
    pol.permittedUsersPolicyType === 'AdminApprovedPreAuthorized' ? 'hardened' : 'baseline',
    pol.permittedUsersPolicyType === 'AdminApprovedPreAuthorized'
      ? 'OAuth policy: applies in the Dev Hub; set it again in orgs that install the package'
      : undefined,
  );
  const ranges = plan.oauth.trustedIpRanges;
  row(
    'Trusted IP ranges',
    ranges.length === 0 ? 'none' : ranges.map((r) => (r.start === r.end ? r.start : `${r.start}-${r.end}`)).join(', '),
    // A range that spans every address restricts nothing: not hardened, whatever else is listed.
    ranges.length === 0 || ranges.some(coversEverything) ? 'baseline' : 'hardened',
    ranges.length === 0
      ? undefined
      : ranges.some(coversEverything)
        ? 'a range covers every address, so nothing is restricted'
        : `enforced (IP relaxation: ${pol.ipRelaxationPolicyType})`,
  );
  const lifetime = pol.refreshTokenPolicyType === 'SpecificLifetime' && pol.refreshTokenValidityPeriod !== undefined;
  row(
    'Refresh token validity',
    lifetime
      ? `${pol.refreshTokenValidityPeriod} ${(pol.refreshTokenValidityUnit ?? 'Days').toLowerCase()}`
      : 'never expires',
    lifetime ? 'hardened' : 'baseline',
    lifetime
      ? [from(ctx.days), pol.refreshTokenValidityPeriod! > 30 ? 'the procedure recommends 30 days or less' : undefined]
          .filter(Boolean)
          .join('; ') || undefined
      : 'the procedure recommends 30 days or less',
  );
  row(
    'Idle refresh token limit',
    g.isEnforceRefreshTokenTTL ? 'on: a refresh token unused for 30 days expires' : 'not set (the org default applies)',
    g.isEnforceRefreshTokenTTL ? 'hardened' : 'baseline',
    g.isEnforceRefreshTokenTTL
      ? 'Salesforce control "Limit the Idle Refresh Token TTL"; applies in every org that installs the app'
      : undefined,
  );
  row(
    'Refresh token rotation',
    onOff(g.isRefreshTokenRotationEnabled),
    judge(g.isRefreshTokenRotationEnabled, false),
    g.isRefreshTokenRotationEnabled
      ? from(ctx.rotation)
      : ctx.rotation === 'input' && ctx.hardening && HARDENING.refreshTokenRotation[ctx.hardening]
        ? `turned off by refresh-token-rotation: false (${ctx.hardening} would turn it on)`
        : undefined,
  );
  const slo = plan.oauth.singleLogoutUrl ?? pol.singleLogoutUrl;
  row(
    'Single logout',
    slo ? `on: ${slo}` : 'off',
    slo ? 'hardened' : 'baseline',
    slo
      ? "Salesforce calls this URL from the user's browser when their session ends; set by the logout URL (no on/off switch exists)"
      : ctx.hardening === 'recommended' && !ctx.singleLogoutUrlGiven
        ? 'recommended turns it on only when single-logout-url is given'
        : undefined,
  );
  row(
    'Session level at sign-in',
    pol.requiredSessionLevel === 'HIGH_ASSURANCE' ? 'high assurance (MFA), raised at sign-in when lower' : 'standard',
    pol.requiredSessionLevel === 'HIGH_ASSURANCE' ? 'hardened' : 'baseline',
    pol.requiredSessionLevel === 'HIGH_ASSURANCE'
      ? 'OAuth policy: applies in the Dev Hub; set it again in orgs that install the package'
      : undefined,
  );
  row(
    'Distribution',
    plan.distributionState === 'Packaged' ? 'Packaged (installable through a package)' : 'Local (this Dev Hub only)',
    'baseline',
    plan.distributionState === 'Packaged'
      ? 'the procedure: create it in the Dev Hub, package it, install the package in scratch orgs'
      : undefined,
  );
  return rows;
}

// ===========================================================================================================
// Warnings: true facts the user should act on, in the order they matter. Notes: true facts about the platform that
// every run with these clients or presets meets and no input changes; a warning on each run would be noise.

function warningsFor(plan: AppPlan, settings: Settings, notes: string[]): string[] {
  const w: string[] = [];
  for (const id of settings.clients) notes.push(...CLIENTS[id].warnings);

  const desktop = plan.clients.filter((c) => c.desktop).map((c) => c.id);
  if (!plan.global.isConsumerSecretOptional && desktop.length > 0) {
    w.push(
      `require-secret with ${desktop.join(', ')} (allowed by allow-secret-for-desktop): the consumer secret will be stored in each user's client configuration. ` +
        'Treat it as known to every user of those clients.',
    );
  }

  const ranges = plan.oauth.trustedIpRanges;
  if (ranges.length > 0) {
    const cloud = cloudClients(settings.clients);
    if (cloud.length > 0) {
      w.push(
        `ip-ranges is enforced, but ${cloud.join(' and ')} ${cloud.length === 1 ? 'connects' : 'connect'} to Salesforce from the vendor's cloud, not from your network: ` +
          "unless the vendor's egress ranges are in ip-ranges, sign-in and MCP calls are refused. Some vendors use more ranges than the 128 an app can hold; check with the vendor first.",
      );
    }
    for (const r of ranges) {
      if (coversEverything(r)) w.push(`ip range ${r.start}-${r.end} covers every address, so it restricts nothing.`);
    }
  }

  if (plan.policy.permissionSet) {
    w.push(
      plan.createPermissionSet
        ? `Only users with the permission set ${plan.policy.permissionSet} may use the app. It is created empty: assign it to those users.`
        : `Only users with the permission set ${plan.policy.permissionSet} may use the app. It must already exist in the Dev Hub (the deploy fails otherwise); assign it to those users.`,
    );
  }

  if (plan.distributionState === 'Packaged') {
    const policyOnly: string[] = [];
    if (plan.policy.permittedUsersPolicyType === 'AdminApprovedPreAuthorized')
      policyOnly.push('the permitted-users policy');
    if (plan.policy.refreshTokenPolicyType !== 'Infinite') policyOnly.push('the refresh-token validity');
    if (policyOnly.length > 0) {
      notes.push(
        `${capitalise(policyOnly.join(' and '))} ${policyOnly.length === 1 ? 'is an OAuth policy, which applies' : 'are OAuth policies, which apply'} only in the org where they are set: ` +
          'a package does not carry them, and an org that installs it gets the platform defaults. Set them there too (Setup → External Client App Manager → Edit Policies).',
      );
    }
  }
  return w;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
