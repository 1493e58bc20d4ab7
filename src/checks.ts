// The checks behind the inputs: is this text, URL, address or API name something the app's metadata, the org and
// the job summary can carry? Each returns the reason a value is refused (phrased to follow the input's name or the
// quoted value, saying what would be right), or nothing when the value is fine. Parsing the inputs and collecting
// the problems is settings.ts's job; these know nothing about inputs.
// Free text is kept to what the two sinks (XML metadata and the Markdown job summary) can carry without
// escaping tricks; the renderers escape as well, so this is defence in depth, not the only guard.
import { checkLoginOrigin, LOGIN_HOST_RULE } from './login-hosts.ts';
import { looksLikeCredential } from './mask.ts';
import { isLoopback } from './loopback.ts';

/** Longest callback or logout URL accepted. */
export const URL_MAX = 2000;
/** Longest email address accepted. */
export const EMAIL_MAX = 254;

/** A user-given value, quoted on one line, control characters made visible, long values cut. */
export function show(value: string): string {
  if (looksLikeCredential(value))
    return 'the value (not shown: it looks like a credential, such as an auth URL, key or token)';
  const oneLine = value.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => {
    const map: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return map[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`;
  });
  return `'${oneLine.length > 80 ? `${oneLine.slice(0, 77)}…` : oneLine}'`;
}

// ===========================================================================================================
// Text and API names

const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
// Markup that would change meaning in XML or Markdown if any sink ever forgot to escape it.
const MARKUP = /[<>&|`]/g;

/** One line of plain text for XML metadata and the Markdown summary, at most `max` characters. */
export function checkText(value: string, max: number): string[] {
  const problems: string[] = [];
  if (CONTROL.test(value)) {
    problems.push('contains a line break or an invisible control character; use a single line of plain text.');
  }
  const bad = unique(value.match(MARKUP) ?? []);
  if (bad.length > 0) {
    problems.push(
      `contains ${bad.map((c) => `'${c}'`).join(', ')}: these characters are refused because the text goes into XML metadata and the Markdown job summary. Use plain words (e.g. "and" instead of "&").`,
    );
  }
  if ([...value].length > max) problems.push(`is ${[...value].length} characters long; use at most ${max}.`);
  return problems;
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

/** A Salesforce API name: letter first, letters/digits/single underscores, no trailing underscore. */
export function checkApiName(value: string, max: number): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(value)) {
    problems.push(
      `${show(value)} is not a valid API name. Start with a letter and use only letters, digits and underscores (e.g. MCP_Client_App).`,
    );
  } else if (value.includes('__') || value.endsWith('_')) {
    problems.push(
      `${show(value)} has a double or trailing underscore, which Salesforce API names do not allow (e.g. use MCP_Client_App).`,
    );
  }
  if (value.length > max) problems.push(`is ${value.length} characters long; an API name has at most ${max}.`);
  return problems;
}

/** One permission set API name, optionally with the namespace prefix of an installed package (ns__Name). */
export function checkPermissionSetName(value: string): string | undefined {
  if (value.includes(',') || /\s/.test(value)) {
    return `${show(value)} is not one API name. Give the API name of one permission set (e.g. MCP_Client_Users).`;
  }
  // An optional namespace prefix (ns__Name) for a permission set that comes from an installed package.
  const m = /^(?:([A-Za-z][A-Za-z0-9_]{0,14})__)?(.*)$/.exec(value)!;
  const name = m[2] ?? '';
  const ns = m[1];
  if (ns !== undefined && (ns.includes('__') || ns.endsWith('_'))) {
    return `${show(value)} has an invalid namespace prefix. Use Name or ns__Name.`;
  }
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.includes('__') || name.endsWith('_')) {
    return `${show(value)} is not a permission set API name (the name, not the label): start with a letter; letters, digits and single underscores (e.g. MCP_Client_Users).`;
  }
  if (name.length > 80) return `is ${name.length} characters long; an API name has at most 80.`;
  return undefined;
}

/** A namespace prefix as linked to a Dev Hub: 1–15 letters, digits or single underscores, starting with a letter. */
export function checkNamespace(value: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,14}$/.test(value) || value.includes('__') || value.endsWith('_')) {
    return `${show(value)} is not a namespace prefix: 1–15 letters, digits or single underscores, starting with a letter (the prefix linked to the Dev Hub, without "__").`;
  }
  return undefined;
}

// ===========================================================================================================
// URLs

// Schemes that can never be an OAuth redirect target; an attacker's favourite for "callback" fields.
const FORBIDDEN_SCHEMES = new Set([
  'javascript',
  'data',
  'file',
  'vbscript',
  'blob',
  'about',
  'filesystem',
  'view-source',
  'mailto',
  'tel',
  'sms',
  'ftp',
  'ws',
  'wss',
  'jar',
]);
// RFC 3986 characters minus the ones that are markup in XML or Markdown (& ' < > " ` | \ { } ^) and space.
// `&` is refused too: a callback URL with several query parameters is not something an MCP client uses.
const URL_CHARS = /[^A-Za-z0-9\-._~:/?#[\]@%+=!$*(),;]/g;

export interface UrlRules {
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
  if (/[\s\p{Cc}\p{Cf}]/u.test(value))
    return `contains whitespace or a control character. Give one URL per line (or comma-separated). ${right}`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme && FORBIDDEN_SCHEMES.has(scheme))
    return `uses the ${scheme}: scheme, which can never be an OAuth callback. ${right}`;
  const bad = unique(value.match(URL_CHARS) ?? []);
  if (bad.length > 0) {
    return `contains ${bad.map((c) => (/[^\x20-\x7e]/.test(c) ? 'non-ASCII characters' : `'${c}'`)).join(', ')}, which a callback URL here may not contain (they would be markup in XML or Markdown). Percent-encode them or leave them out.`;
  }
  if (value.length > URL_MAX) return `is ${value.length} characters long; use at most ${URL_MAX}.`;
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
  if (url.username || url.password)
    return 'contains credentials (user:password@). Never put credentials in a URL; remove them.';
  if (value.includes('#'))
    return 'has a fragment (#…); an OAuth redirect URI must not have one (RFC 6749 §3.1.2). Remove it.';
  const proto = url.protocol.slice(0, -1);
  // WHATWG parsing reads `https:evil.example/cb` as https://evil.example/cb; the org and clients may not.
  if ((proto === 'https' || proto === 'http') && !/^https?:\/\/[^/]/i.test(value))
    return `is not of the form ${proto}://host/path. ${right}`;
  if (proto === 'https') {
    if (!url.hostname) return `has no host. ${right}`;
    return undefined;
  }
  if (proto === 'http') {
    if (rules.httpHostLocalhostOnly) {
      if (url.hostname.toLowerCase() === 'localhost') return undefined;
      if (isLoopback(url.hostname)) {
        return `uses http on the IP address ${url.hostname}, which Salesforce refuses for a callback ("Cannot be an HTTP URL"). Use http://localhost${url.port ? `:${url.port}` : ''}${url.pathname === '/' ? '' : url.pathname} if the client accepts it, or the client's https redirect.`;
      }
    }
    if (rules.loopbackHttp && isLoopback(url.hostname)) return undefined;
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

// ===========================================================================================================
// Email, usernames, auth URLs

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
  if (!/^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/.test(tld))
    return `has no valid top-level domain (such as .com). ${example}`;
  if (value.length > EMAIL_MAX) return `is longer than ${EMAIL_MAX} characters. ${example}`;
  return undefined;
}

/** A Salesforce username has the shape of an email address. */
export function checkUsername(value: string): string | undefined {
  if (!/^[^\s\p{Cc}\p{Cf}@<>"'`|&\\,;]+@[^\s\p{Cc}\p{Cf}@<>"'`|&\\,;]+$/u.test(value) || value.length > 80) {
    return `${show(value)} is not a Salesforce username (it looks like an email address, e.g. admin@mycompany.com).`;
  }
  return undefined;
}

// The shape @salesforce/core's AuthInfo.parseSfdxAuthUrl accepts, anchored at both ends.
const AUTH_URL =
  /^force:\/\/([A-Za-z0-9._-]+={0,2}):([A-Za-z0-9._-]*={0,2}):([A-Za-z0-9._-]+={0,2})@([A-Za-z0-9:._-]+)\/?$/;

/** Never includes the value: an auth URL carries a refresh token. */
export function checkAuthUrl(value: string): string | undefined {
  if (!value.startsWith('force://')) {
    return 'is not an SFDX auth URL: it must start with force:// (the value is not shown because it is a secret). Get it from `sf org display --verbose --json` (sfdxAuthUrl).';
  }
  const m = AUTH_URL.exec(value);
  if (!m) {
    return 'is not a complete SFDX auth URL (the value is not shown because it is a secret). The shape is force://<clientId>:<clientSecret>:<refreshToken>@<instance host>, as printed by `sf org display --verbose` (sfdxAuthUrl).';
  }
  // The refresh token and client secret go to that host: only a Salesforce login domain, or loopback.
  const hostError = checkLoginOrigin(`https://${m[4]!.replace(/\/$/, '')}`);
  if (hostError)
    return `is an SFDX auth URL whose instance host is not accepted: ${hostError.replace(/^its host/, 'the host')} (the value is not shown because it is a secret). ${LOGIN_HOST_RULE}`;
  return undefined;
}
