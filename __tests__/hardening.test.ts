// The hardening table (src/hardening.ts) is the one place a preset's values live: the plan follows it for every
// preset, each row's input overrides it and is an action input, and controls.ts names the presets from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HARDENING, howToSet, PRESET_NAMES, type PresetField } from '../src/hardening.ts';
import type { AppPlan } from '../src/model.ts';
import { planOf } from './helpers/inputs.ts';

/** Where each row lands in the plan: a new row fails the type check here until it is given one. */
const IN_PLAN: Record<PresetField, (p: AppPlan) => unknown> = {
  refreshTokenValidityDays: (p) => p.policy.refreshTokenValidityPeriod,
  refreshTokenRotation: (p) => p.global.isRefreshTokenRotationEnabled,
  enforceRefreshTokenTtl: (p) => p.global.isEnforceRefreshTokenTTL,
  requiredSessionLevel: (p) => p.policy.requiredSessionLevel,
  sessionLevelAction: (p) => p.policy.policyAction,
};

const fields = Object.keys(HARDENING) as PresetField[];

test('each preset plans exactly the values of its column', () => {
  for (const preset of PRESET_NAMES) {
    const p = planOf({ hardening: preset }, { RUNNER_TEMP: '/tmp' });
    for (const field of fields) assert.equal(IN_PLAN[field](p), HARDENING[field][preset], `${preset}: ${field}`);
  }
});

test("each row's input is an action input, and a value given there wins over the preset", () => {
  const inputs = (
    parseYaml(readFileSync(join(import.meta.dirname, '..', 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    }
  ).inputs;
  const sample: Partial<Record<PresetField, [string, unknown]>> = {
    refreshTokenValidityDays: ['7', 7],
    refreshTokenRotation: ['false', false],
  };
  for (const field of fields) {
    const input = HARDENING[field].input;
    if (input === null) continue;
    assert.ok(Object.hasOwn(inputs, input), `${input} is in action.yml`);
    const [given, value] = sample[field] ?? assert.fail(`a sample value for ${input}`);
    const p = planOf({ hardening: 'recommended', [input]: given }, { RUNNER_TEMP: '/tmp' });
    assert.equal(IN_PLAN[field](p), value, input);
  }
});

test('the controls name the presets and the input that turn a control on, from the table', () => {
  assert.equal(
    howToSet('refreshTokenRotation', true),
    'hardening: recommended or strict, or refresh-token-rotation: true',
  );
  assert.equal(howToSet('enforceRefreshTokenTtl', true), 'hardening: recommended or strict');
  assert.equal(howToSet('requiredSessionLevel', 'HIGH_ASSURANCE'), 'hardening: strict');
});
