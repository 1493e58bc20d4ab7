// The one place that knows which values are secret. Everything secret is registered here before it can reach a
// log line, an output or an error, and `redact` scrubs them (and access-token- and JWT-shaped text) from any text.
// How a line is written to the runner is log.ts's part.
import * as core from '@actions/core';

// Kept on globalThis: the bundle splits into a light entry and a heavy org module, each with its own copy of
// this file, and both must know every secret.
const KEY = Symbol.for('eca-action.secrets');
const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
const secrets: Set<string> = holder[KEY] ?? new Set<string>();
holder[KEY] = secrets;

/**
 * A Salesforce session id (access token): `<15- or 18-char org id>!<opaque part>`. Scrubbed whoever issued it,
 * as a second net behind masking the tokens the action knows of (an org may echo another session).
 */
const ACCESS_TOKEN = /00D[A-Za-z0-9]{12,15}![A-Za-z0-9._+/=-]{16,}/g;

/**
 * A JSON Web Token (a signed assertion, a JWT-based access token): three base64url parts, the header a JSON object
 * (`eyJ` is `{"`). @salesforce/core signs its assertions with `exp` in milliseconds, which a server reading seconds
 * never sees expire: one printed could be replayed. Scrubbed whoever echoes it.
 */
const JWT = /eyJ[A-Za-z0-9_-]{2,}(?:\.|%2E)[A-Za-z0-9_-]{2,}(?:(?:\.|%2E)[A-Za-z0-9_-]*)?/gi;

/** The public client id of the sf CLI's own connected app: in every CLI auth URL, no secret, and common text. */
const PUBLIC_CLIENT_IDS = new Set(['PlatformCLI']);

/** Mask a value in the runner's log (and each of its lines, and its common encodings) and remember it. */
export function maskSecret(value: string | undefined): void {
  if (!value) return;
  const forms = new Set<string>([value, value.trim()]);
  for (const line of value.split(/\r?\n/)) {
    // A PEM's armour lines are public; masking them would blank out harmless log text.
    if (line.trim().length >= 8 && !/^-----(BEGIN|END) /.test(line.trim())) forms.add(line.trim());
  }
  for (const form of wireForms(value)) forms.add(form);
  for (const form of forms) {
    if (form.length < 4 || secrets.has(form)) continue;
    secrets.add(form);
    core.setSecret(form);
  }
}

/**
 * Every form a value takes on the wire or in a library's debug log: as written, as a SOQL string literal and as XML
 * text (what goes into a query or a SOAP body), and each of those JSON-escaped, URI-encoded (encodeURIComponent,
 * encodeURI, form encoding with + for a space, URLSearchParams' stricter form) and in base64. The runner masks
 * exact strings only, so each distinct form is registered.
 */
export function wireForms(value: string): string[] {
  const soql = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const xml = value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
  const out = new Set<string>();
  for (const base of [value, soql, xml]) {
    out.add(base);
    out.add(JSON.stringify(base).slice(1, -1));
    out.add(encodeURIComponent(base));
    out.add(encodeURIComponent(base).replace(/%20/g, '+'));
    out.add(new URLSearchParams({ v: base }).toString().slice(2));
    out.add(encodeURI(base));
    out.add(Buffer.from(base, 'utf8').toString('base64'));
  }
  return [...out];
}

/**
 * An SFDX auth URL (force://<clientId>:<clientSecret>:<refreshToken>@<host>): the whole value and each secret
 * part on its own, since an org that refuses the refresh token may echo just that part.
 */
export function maskAuthUrl(authUrl: string | undefined): void {
  if (!authUrl) return;
  maskSecret(authUrl);
  const m = /^force:\/\/([^:@]*):([^:@]*):([^@]*)@/i.exec(authUrl.trim());
  if (!m) return;
  const [, clientId = '', clientSecret = '', refreshToken = ''] = m;
  if (!PUBLIC_CLIENT_IDS.has(clientId)) maskSecret(clientId);
  maskSecret(clientSecret);
  maskSecret(refreshToken);
}

/** Replace every known secret, and anything shaped like an access token or a JWT, in `text` with `***`. */
export function redact(text: string): string {
  return redactValues(text, secrets).replace(ACCESS_TOKEN, '***').replace(JWT, '***');
}

/**
 * Replace each of `values` (those of at least `minLength` characters: a shorter one would blank out common text) in
 * `text` with `***`. For secrets held apart from the registry: a request's own (github-secret.ts), and the raw
 * secret inputs (`redactInputs`). Longest first, so that parts of a secret never survive.
 */
export function redactValues(text: string, values: Iterable<string>, minLength = 4): string {
  let out = text;
  for (const s of [...values].filter((v) => v.length >= minLength).sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  return out;
}

/**
 * An input problem's text with the raw values of the secret inputs blanked out: the last line of defence, before
 * anything is registered, should a value slip into a message. Each value whole, trimmed, and line by line (a key
 * pasted as one line carries literal `\n`); not a PEM's armour lines, which are public text the messages quote.
 */
export function redactInputs(text: string, values: string[]): string {
  const forms = values
    .flatMap((s) => [s, s.trim(), ...s.split(/\r?\n|\\n/).map((l) => l.trim())])
    .filter((s) => !/^-----(BEGIN|END) /.test(s));
  return redactValues(text, forms, 6);
}

/** Whether a value is shaped like a credential (auth URL, private key, token), so that it is never echoed. */
export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (/force:\/\//i.test(v)) return true;
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----|PRIVATE KEY/.test(v)) return true;
  if (new RegExp(ACCESS_TOKEN.source).test(v)) return true;
  // GitHub tokens, JWTs, refresh tokens and consumer keys/secrets: long runs without spaces or URL structure.
  if (/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}/.test(v)) return true;
  if (/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(v)) return true;
  if (/\b(5Aep8|3MVG9)[A-Za-z0-9._]{20,}/.test(v)) return true;
  if ([...v.matchAll(/[^\s/:?#@.]+/g)].some(([run]) => run.length >= 40 && /\d/.test(run) && /[A-Za-z]/.test(run)))
    return true;
  return false;
}

/** Mask, then set: an output is never written before the runner knows to hide it. */
export function setSecretOutput(name: string, value: string): void {
  maskSecret(value);
  core.setOutput(name, value);
}
