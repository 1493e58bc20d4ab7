// What an org's answer may be before the action uses it. An org (or a proxy with a trusted certificate on the way)
// controls its answers: an id, a version number or a URL it returns goes into outputs that workflows paste into
// shell commands, into SOQL, into URLs and into log lines. Each is checked here against its documented shape
// (docs/platform-notes.md §26) at the point where it enters; anything else fails as the org's fault, never an
// input's, and the value itself is not repeated (it may carry text meant for a shell, a log or a query).
import { isOrgHost } from './login-hosts.ts';
import { isLoopback } from './loopback.ts';
import { ActionError } from './errors.ts';

export class OrgAnswerError extends ActionError {
  override name = 'OrgAnswerError';
  constructor(message: string) {
    super('org-answer', message);
  }
}

/** Key prefixes of the records whose ids the action uses (docs/platform-notes.md §26). */
export const KEY_PREFIX = {
  organization: '00D',
  package: '0Ho',
  subscriberPackage: '033',
  subscriberPackageVersion: '04t',
  packageVersion: '05i',
  versionCreateRequest: '08c',
  installRequest: '0Hf',
} as const;

export type IdKind = keyof typeof KEY_PREFIX;

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

function refuse(what: string, expected: string): never {
  throw new OrgAnswerError(
    `The org answered ${what} with a value that is not ${expected} (not shown). It was not used: nothing was written, queried or printed with it. ` +
      'This is a fault of the org\u2019s answer (or of a proxy on the way), not of an input; run again, and if it persists check the network path to the org.',
  );
}

/** A Salesforce record id of that kind: 15 or 18 letters and digits, starting with its key prefix. */
export function orgId(value: unknown, kind: IdKind, what: string): string {
  if (typeof value !== 'string' || !ID.test(value) || !value.startsWith(KEY_PREFIX[kind]))
    refuse(what, `a ${KEY_PREFIX[kind]}\u2026 record id (15 or 18 letters and digits)`);
  return value;
}

/** A record id whose key prefix is not documented (an External Client App's, an OAuth consumer's): shape only. */
export function orgAnyId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ID.test(value)) refuse(what, 'a record id (15 or 18 letters and digits)');
  return value;
}

/** The largest value of an `int` field (MajorVersion, MinorVersion, PatchVersion, BuildNumber). */
export const MAX_VERSION_PART = 2_147_483_647;

/** Whether `part` is a decimal number an `int` version field can hold (no sign, no leading zeros). */
export function isVersionPart(part: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(part) && Number(part) <= MAX_VERSION_PART;
}

/** A package version number MAJOR.MINOR.PATCH.BUILD, each part an `int` field's value; from parts or text. */
export function orgVersionNumber(value: unknown, what: string): string {
  const text = Array.isArray(value) ? value.map((p) => (typeof p === 'number' ? String(p) : p)).join('.') : value;
  if (typeof text !== 'string' || !/^[^.]+\.[^.]+\.[^.]+\.[^.]+$/.test(text) || !text.split('.').every(isVersionPart))
    refuse(what, 'a version number MAJOR.MINOR.PATCH.BUILD (four whole numbers up to 2147483647)');
  return text;
}

/**
 * An org's instance URL, as a token endpoint names it: https on a Salesforce domain, or http(s) on loopback as
 * written (local runs). Returned as the action rebuilds it (scheme, host, port), nothing else of the answer.
 */
export function orgInstanceUrl(value: unknown, what: string): string {
  const m = typeof value === 'string' ? /^(https?):\/\/([a-zA-Z0-9.-]+|\[::1\])(?::(\d{1,5}))?\/?$/.exec(value) : null;
  const scheme = m?.[1]?.toLowerCase();
  const host = m?.[2]?.toLowerCase();
  const port = m?.[3];
  const ok =
    m &&
    host &&
    (port === undefined || (Number(port) >= 1 && Number(port) <= 65535)) &&
    (isLoopback(host) || (scheme === 'https' && isOrgHost(host) && !host.startsWith('.') && !host.includes('..')));
  if (!ok) refuse(what, 'an https URL of a Salesforce domain (or of this machine, for local runs)');
  return `${scheme}://${host}${port ? `:${port}` : ''}`;
}
