// Which hosts may receive a login: a signed JWT assertion (its `aud` is login/test.salesforce.com, and
// @salesforce/core sets `exp` to Date.now() + 300 in *milliseconds*, so it stays replayable for a very long
// time), a refresh token, a client secret. Only Salesforce's own login domains, and loopback for local runs.
// Sources (docs/platform-notes.md §14): login.salesforce.com / test.salesforce.com (Help, "Set the My Domain
// Login Policy"); <name>.my.salesforce.com and <name>--<sandbox>.sandbox.my.salesforce.com (Help, "Move a My
// Domain Name to a Different Org"); the partitions develop, demo, patch, scratch, sandbox, trailblaze, free
// (Tooling API OrgDomainLog.DomainPartition); my.salesforce.mil and my.sfcrmproducts.cn (@salesforce/core
// lib/util/sfdcUrl.js, toLightningDomain / isSalesforceDomain).
//
// The host is judged on the text as given, before WHATWG URL parsing: that parser turns `127.1`, `0x7f.1` or
// `2130706433` into 127.0.0.1 and keeps a trailing dot, so a check on URL.hostname would pass forms nobody means.

import { isLoopback } from './loopback.ts';

const GENERIC_LOGIN_HOSTS = new Set(['login.salesforce.com', 'test.salesforce.com']);
const MY_DOMAIN_SUFFIXES = ['my.salesforce.com', 'my.salesforce.mil', 'my.sfcrmproducts.cn'];
const PARTITIONS = new Set(['sandbox', 'scratch', 'develop', 'demo', 'patch', 'trailblaze', 'free']);
// A My Domain name: letters, digits and hyphens (a sandbox adds --<sandbox name>), no punycode (xn--).
const MY_DOMAIN_NAME = /^(?!xn--)[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;

export const LOGIN_HOST_RULE =
  'Use https://login.salesforce.com, https://test.salesforce.com, or a My Domain login URL (https://<name>.my.salesforce.com, https://<name>--<sandbox>.sandbox.my.salesforce.com, https://<name>.<develop|scratch|demo|patch|trailblaze>.my.salesforce.com, or the .my.salesforce.mil / .my.sfcrmproducts.cn forms); for a local run, http(s)://localhost, 127.0.0.1 or [::1] with a port.';

/** A Salesforce login host (lower case, no port, no trailing dot). */
export function isSalesforceLoginHost(host: string): boolean {
  if (GENERIC_LOGIN_HOSTS.has(host)) return true;
  for (const suffix of MY_DOMAIN_SUFFIXES) {
    if (!host.endsWith(`.${suffix}`)) continue;
    const labels = host.slice(0, -suffix.length - 1).split('.');
    if (labels.length === 1) return MY_DOMAIN_NAME.test(labels[0]!);
    if (labels.length === 2) return MY_DOMAIN_NAME.test(labels[0]!) && PARTITIONS.has(labels[1]!);
    return false;
  }
  return false;
}

/**
 * Judge `scheme://host[:port]` (with an optional `/`) as written. undefined when fine; otherwise why not, in words
 * that follow "… is not accepted:" and never repeat the value (it may be a pasted secret).
 */
export function checkLoginOrigin(value: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/?)$/.exec(value);
  if (!m) return 'it is not of the form https://<host>, with no path, query or fragment';
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  if (authority.includes('@')) return 'it carries credentials (user@ or user:password@)';
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(authority);
  if (!hp) return 'its host or port is malformed';
  const host = hp[1]!.toLowerCase();
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return 'its port is out of range';
  if (isLoopback(host)) {
    if (scheme !== 'http' && scheme !== 'https') return 'it uses neither https nor http';
    return undefined;
  }
  if (scheme !== 'https') return 'a Salesforce login URL uses https';
  if (!isSalesforceLoginHost(host)) return 'its host is not a Salesforce login domain';
  if (port !== undefined && port !== 443) return 'a Salesforce login URL has no port other than 443';
  return undefined;
}

// Hosts a connection may go to once logged in: the org's own domains (the token endpoint names the instance URL),
// as @salesforce/core's SfdcUrl.isSalesforceDomain lists them (from Help article 000003652), and loopback.
const SALESFORCE_DOMAINS = [
  'salesforce.com',
  'force.com',
  'cloudforce.com',
  'salesforceliveagent.com',
  'salesforce.mil',
  'crmforce.mil',
  'sfcrmproducts.cn',
  'sfcrmapps.cn',
];

/** Whether a connection to `hostname` (as the HTTP client has it) may carry a Salesforce credential. */
export function isOrgHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (isLoopback(host)) return true;
  return SALESFORCE_DOMAINS.some((d) => host.endsWith(`.${d}`));
}

/**
 * Whether the environment turned off TLS certificate checks for this process (Node reads
 * NODE_TLS_REJECT_UNAUTHORIZED=0 for every connection). With it, a credential sent to any host but this machine
 * could be read by anyone on the network path: the action refuses to send one (docs/SECURITY.md).
 */
export function tlsChecksOff(): boolean {
  return process.env['NODE_TLS_REJECT_UNAUTHORIZED'] === '0';
}
