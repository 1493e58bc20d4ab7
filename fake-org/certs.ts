// Key pairs and self-signed X.509 certificates: one for the CI "connected app" (the JWT bearer key a user uploads
// to Salesforce) and one for the server's own TLS (SFDX auth URLs always mean https).
import { createPublicKey, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface KeyAndCert {
  /** PKCS#8 PEM, as `openssl genrsa` writes it */
  privateKeyPem: string;
  certificatePem: string;
}

const generateRsa = promisify(generateKeyPair);

export async function selfSigned(commonName: string, opts: { server?: boolean } = {}): Promise<KeyAndCert> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'eca-action fake org' },
    // A subject of its own: with two fake orgs' certificates trusted in one process, OpenSSL finds the issuer by
    // subject name, and two anchors of the same name fail one of them as "self-signed certificate".
    { name: 'organizationalUnitName', value: randomBytes(6).toString('hex') },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  if (opts.server) {
    // Its own trust anchor: clients add it as a CA (NODE_EXTRA_CA_CERTS or an undici Agent's `ca`).
    cert.setExtensions([
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ]);
  }
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(cert) };
}

/** Throws unless the certificate carries the public half of the private key. */
export function assertPair(pair: KeyAndCert): void {
  const fromKey = createPublicKey(pair.privateKeyPem).export({ type: 'spki', format: 'der' });
  const fromCert = createPublicKey(pair.certificatePem).export({ type: 'spki', format: 'der' });
  if (!fromKey.equals(fromCert)) throw new Error('the given certificate does not match the given private key');
}
