// Every value a hardening preset decides, in one table: a row per value, a column per preset, and the input that
// overrides it (if any). plan.ts reads it to plan the app (input > preset); controls.ts reads it to say which preset
// or input turns a control on; CONTRIBUTING's "Where a change goes" names the files a new row touches.
//
// What no preset decides stays out: PKCE, JWT tokens for named users and every other flow off (the procedure's
// baseline, equal in every preset), require-secret, permission-set, ip-ranges, and single logout, which is on exactly
// when single-logout-url is given whatever the preset (the URL is the switch: docs/platform-notes.md §11).
import type { Hardening } from './model.ts';

/**
 * One value under each preset: baseline (the procedure's required settings), recommended (the procedure's "Refresh
 * Token Validity: 30 days or less … Enable rotation", and the idle refresh-token limit), strict (recommended plus what
 * Salesforce requires of partner apps: docs/platform-notes.md §22).
 */
export type PresetRow<V> = { readonly [P in Hardening]: V } & {
  /** the action input that overrides the preset (its Settings field has the row's name); null: none does */
  readonly input: string | null;
};

/** A row with every column: a preset added to Hardening, or a column left out, fails the type check. */
function row<V>(r: PresetRow<V>): PresetRow<V> {
  return r;
}

export const HARDENING = {
  /** refresh-token lifetime in days; undefined: never expires (refreshTokenPolicyType Infinite) */
  refreshTokenValidityDays: row<number | undefined>({
    baseline: undefined,
    recommended: 30,
    strict: 30,
    input: 'refresh-token-validity-days',
  }),
  /** isRefreshTokenRotationEnabled */
  refreshTokenRotation: row<boolean>({
    baseline: false,
    recommended: true,
    strict: true,
    input: 'refresh-token-rotation',
  }),
  /** isEnforceRefreshTokenTTL, Salesforce's "Limit the Idle Refresh Token TTL"; undefined: the org's default stays */
  enforceRefreshTokenTtl: row<true | undefined>({
    baseline: undefined,
    recommended: true,
    strict: true,
    input: null,
  }),
  /** the OAuth policy's requiredSessionLevel: HIGH_ASSURANCE asks for an MFA session at sign-in */
  requiredSessionLevel: row<'STANDARD' | 'HIGH_ASSURANCE'>({
    baseline: 'STANDARD',
    recommended: 'STANDARD',
    strict: 'HIGH_ASSURANCE',
    input: null,
  }),
  /** the OAuth policy's policyAction for a lower session: raise it at sign-in (MCP clients sign in in a browser) */
  sessionLevelAction: row<'RaiseSessionLevel' | undefined>({
    baseline: undefined,
    recommended: undefined,
    strict: 'RaiseSessionLevel',
    input: null,
  }),
};

export type PresetField = keyof typeof HARDENING;
export type PresetValue<K extends PresetField> = (typeof HARDENING)[K]['baseline'];
export const PRESET_NAMES: readonly Hardening[] = ['baseline', 'recommended', 'strict'];

/**
 * The value for `hardening`, or the input's where one was given, and which of the three decided: 'preset' only
 * where the preset's value differs from the baseline (the report says "from hardening: …" there).
 */
export function presetValue<K extends PresetField>(
  key: K,
  hardening: Hardening,
  given?: PresetValue<K>,
): { value: PresetValue<K>; origin: 'baseline' | 'preset' | 'input' } {
  const r = HARDENING[key] as PresetRow<PresetValue<K>>;
  if (r.input !== null && given !== undefined) return { value: given, origin: 'input' };
  const value = r[hardening];
  return { value, origin: value === r.baseline ? 'baseline' : 'preset' };
}

/** How to reach `value`, for a "what to do" text: "hardening: recommended or strict, or refresh-token-rotation: true". */
export function howToSet<K extends PresetField>(key: K, value: PresetValue<K>): string {
  const r = HARDENING[key] as PresetRow<PresetValue<K>>;
  const presets = PRESET_NAMES.filter((p) => r[p] === value);
  const ways = presets.length > 0 ? [`hardening: ${presets.join(' or ')}`] : [];
  if (r.input !== null) ways.push(`${r.input}: ${String(value)}`);
  return ways.join(', or ');
}
