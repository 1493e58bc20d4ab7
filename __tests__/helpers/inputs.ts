// The smallest good set of action inputs, and the settings and plan made from it with some inputs changed: one
// fixture for the settings, plan, render and summary unit tests.
import { planApp } from '../../src/plan.ts';
import { readSettings } from '../../src/settings.ts';
import type { AppPlan, Settings } from '../../src/model.ts';

export type Inputs = Record<string, string>;

export const BASE_INPUTS: Readonly<Inputs> = {
  clients: 'claude',
  'contact-email': 'mcp-admins@example.com',
  'dev-hub': 'hub',
  'package-namespace': 'acme',
};

/** Settings as readSettings makes them from BASE_INPUTS with `overrides` laid over (an empty string unsets). */
export function settingsOf(overrides: Inputs = {}, env: NodeJS.ProcessEnv = {}): Settings {
  const inputs: Inputs = { ...BASE_INPUTS, ...overrides };
  return readSettings((name) => inputs[name] ?? '', env);
}

export function planOf(overrides: Inputs = {}, env: NodeJS.ProcessEnv = {}): AppPlan {
  return planApp(settingsOf(overrides, env));
}
