// Keep jsforce (and so @salesforce/core, SDR and @salesforce/packaging) on loopback in tests.
// After a refused JWT, @salesforce/core retries at https://login.salesforce.com and https://test.salesforce.com
// (docs/platform-notes.md, "Library wire notes"); this dispatcher refuses every non-loopback host before any DNS lookup or connect.
// It also trusts the fake org's self-signed TLS certificate, for SFDX auth URLs (always https).
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { setDispatcher } from '@jsforce/jsforce-node/lib/request.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Refused connection attempts, newest last (host names only), for tests that assert nothing left loopback. */
export const blockedHosts: string[] = [];

/**
 * Trust a certificate (PEM) process-wide, as NODE_EXTRA_CA_CERTS would at start: every TLS client made from now
 * on accepts it, including dispatchers the code under test installs itself (src/network.ts).
 */
export function trustCertificate(pem: string): void {
  const current = getCACertificates('default');
  if (!current.includes(pem)) setDefaultCACertificates([...current, pem]);
}

/**
 * Install the guard as jsforce's dispatcher. `ca`: PEM certificates to trust, e.g. FakeOrg.caCertPem (see
 * trustCertificate). Safe to call again, e.g. once per fake org.
 */
export function installLoopbackGuard(opts: { ca?: string | string[] } = {}): void {
  for (const pem of [opts.ca ?? []].flat()) trustCertificate(pem);
  const connect = buildConnector({});
  setDispatcher(
    new Agent({
      connect: (options, callback) => {
        const host = String(options.hostname);
        if (LOOPBACK.has(host)) {
          connect(options, callback);
          return;
        }
        blockedHosts.push(host);
        callback(Object.assign(new Error(`blocked non-loopback host ${host}`), { code: 'EBLOCKED' }), null);
      },
    }),
  );
}
