// Step 1's collecting of problems and its primitive parsers, shared by settings.ts and the settings-*.ts modules
// that parse a group of inputs each; the defaults and limits the messages name.
import { COMPONENT_SUFFIX_MAX } from './component-names.ts';
import type { Hardening } from './model.ts';
import { EMAIL_MAX, show, URL_MAX } from './checks.ts';
import type { InputProblem } from './errors.ts';

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

export class Problems {
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

/** Lists accept commas or newlines; blanks are dropped. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** YAML 1.2 core-schema booleans, as core.getBooleanInput; '' → undefined (not given). */
export function parseBool(p: Problems, input: string, value: string): boolean | undefined {
  if (value === '') return undefined;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  p.add(input, `${show(value)} is not a boolean. Use true or false (also True/TRUE, False/FALSE).`);
  return undefined;
}

export function parseInteger(
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

/** One of a fixed set of words; a wrong one is refused with each allowed word and what it does. */
export function parseChoice<T extends string>(
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
