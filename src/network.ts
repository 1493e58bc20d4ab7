// Every connection the Salesforce libraries make goes through one dispatcher here. It refuses any host that is
// not a Salesforce domain or loopback (a token endpoint, or a proxy, could name any instance URL, and the access
// token would follow), and it notes a login host that cannot be reached at all, which is not worth retrying.
//
// After a refused JWT, @salesforce/core retries the same assertion at login.salesforce.com and
// test.salesforce.com "in case the audience was wrong". For a user who named another login URL (a My Domain,
// a sandbox, our fake org) that sends a signed assertion to hosts they never chose, and turns one clear error
// into three. Refuse those two hosts unless they are the login URL the user gave.
import { Agent, buildConnector } from 'undici';
import { setDispatcher } from '@jsforce/jsforce-node/lib/request.js';
import { isOrgHost, tlsChecksOff } from './login-hosts.ts';
import { isLoopback } from './loopback.ts';

export { tlsChecksOff };

const FALLBACK_HOSTS = ['login.salesforce.com', 'test.salesforce.com'];
const allowed = new Set<string>();
let installed = false;
const firstConnection: (() => void)[] = [];
/** host:port of hosts whose last connection attempt found nothing listening, no such host, or no answer at all. */
const unreachable = new Set<string>();
// Failures of the connection itself, before any request: a retry a second later meets the same. (A connection
// that drops after it was made is another matter, and retried.)
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const endpoint = (host: string, port: string | number | undefined, protocol: string): string =>
  `${host.toLowerCase().replace(/^\[|\]$/g, '')}:${port || (protocol === 'http:' ? 80 : 443)}`;

/** Whether the last connection to `url`'s host found nothing there (refused, or no such host). */
export function isUnreachable(url: string): boolean {
  const u = new URL(url);
  return unreachable.has(endpoint(u.hostname, u.port, u.protocol));
}

/**
 * Run `callback` once, just after the first request to an org went out: the moment from which the process only
 * waits on the network for a while (load-login.ts loads the later steps then).
 */
export function afterFirstConnection(callback: () => void): void {
  firstConnection.push(callback);
}

export function guardLoginHosts(loginUrl: string): void {
  allowed.add(new URL(loginUrl).hostname.toLowerCase());
  installNetworkGuard();
}

/** The dispatcher, for every kind of login (an sf CLI login's instance URL comes from a file it does not check). */
export function installNetworkGuard(): void {
  if (installed) return;
  installed = true;
  const connect = buildConnector({ allowH2: false });
  setDispatcher(
    new Agent({
      connect: (opts, callback) => {
        const host = String(opts.hostname).toLowerCase();
        if (tlsChecksOff() && !isLoopback(host)) {
          const error = Object.assign(
            new Error(
              `not contacted: ${host} is not this machine and NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks`,
            ),
            { code: 'EBLOCKED' },
          );
          callback(error, null);
          return;
        }
        if (FALLBACK_HOSTS.includes(host) && !allowed.has(host)) {
          const error = Object.assign(new Error(`not contacted: ${host} is not the login URL you gave`), {
            code: 'EBLOCKED',
          });
          callback(error, null);
          return;
        }
        if (!isOrgHost(host) && !allowed.has(host)) {
          const error = Object.assign(new Error(`not contacted: ${host} is not a Salesforce domain`), {
            code: 'EBLOCKED',
          });
          callback(error, null);
          return;
        }
        const key = endpoint(host, opts.port, String(opts.protocol));
        connect(opts, (error, socket) => {
          const code = (error as { code?: string } | null)?.code;
          if (error && code && UNREACHABLE_CODES.has(code)) unreachable.add(key);
          else if (!error) unreachable.delete(key);
          // undici writes the waiting request as soon as it has the socket, so by the time this callback returns
          // the request is on the wire and the process only waits for the answer.
          callback(error, socket as never);
          for (const run of firstConnection.splice(0)) setImmediate(run);
        });
      },
    }),
  );
}
