// After a refused JWT, @salesforce/core retries the same assertion at login.salesforce.com and
// test.salesforce.com "in case the audience was wrong". For a user who named another login URL (a My Domain,
// a sandbox, our fake org) that sends a signed assertion to hosts they never chose, and turns one clear error
// into three. Refuse those two hosts unless they are the login URL the user gave.
import { Agent, buildConnector } from 'undici';
import { setDispatcher } from '@jsforce/jsforce-node/lib/request.js';

const FALLBACK_HOSTS = ['login.salesforce.com', 'test.salesforce.com'];
const allowed = new Set<string>();
let installed = false;

export function guardLoginHosts(loginUrl: string): void {
  allowed.add(new URL(loginUrl).hostname.toLowerCase());
  if (installed) return;
  installed = true;
  const connect = buildConnector({ allowH2: false });
  setDispatcher(
    new Agent({
      connect: (opts, callback) => {
        const host = String(opts.hostname).toLowerCase();
        if (FALLBACK_HOSTS.includes(host) && !allowed.has(host)) {
          const error = Object.assign(new Error(`not contacted: ${host} is not the login URL you gave`), { code: 'EBLOCKED' });
          callback(error, null);
          return;
        }
        connect(opts, callback);
      },
    }),
  );
}
