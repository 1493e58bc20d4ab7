// The Dev Hub's JWT signing key as people paste it into a secret, repaired into PEM text the JWT bearer login
// can sign with, or the reason it cannot be (never quoting the key).
import { createPrivateKey } from 'node:crypto';

export type JwtKeyResult = { ok: true; pem: string } | { ok: false; message: string };

/**
 * Repair a private key pasted into a secret: real newlines, literal \n escapes, everything on one line (newlines
 * turned into spaces or lost), or base64 of the PEM text. Re-wrapped at 64 characters like
 * salesforcecli/cli-plugins-testkit formatJwtKey, then parsed to be sure. Messages never contain the key.
 */
export function normalizeJwtKey(raw: string): JwtKeyResult {
  const fail = (message: string): JwtKeyResult => ({
    ok: false,
    message: `${message} (the value is not shown because it is a secret).`,
  });
  let text = raw.trim().replace(/\\r\\n|\\n|\\r/g, '\n');
  if (!text) return fail('is empty');
  if (!text.includes('-----BEGIN')) {
    const compact = text.replace(/\s+/g, '');
    const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64').toString('utf8') : '';
    if (!decoded.includes('-----BEGIN')) {
      return fail(
        'is neither PEM text (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----) nor base64 of PEM text. Pass the whole private key file (server.key)',
      );
    }
    text = decoded.trim().replace(/\\r\\n|\\n|\\r/g, '\n');
  }
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0)
    return fail('has a -----BEGIN line but no matching -----END line: it is cut off. Pass the whole private key file');
  const block = blocks.find((b) => b[1]!.endsWith('PRIVATE KEY')) ?? blocks[0]!;
  const label = block[1]!;
  const body = block[2]!;
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(body)) {
    return fail(
      'is encrypted with a passphrase, which the JWT login cannot use. Store the decrypted key instead (openssl pkey -in encrypted.key -out server.key)',
    );
  }
  if (!label.endsWith('PRIVATE KEY')) {
    return fail(
      `is a ${label.toLowerCase()}, not a private key. Pass the private key whose certificate is uploaded to the CI login app`,
    );
  }
  if (label !== 'PRIVATE KEY' && label !== 'RSA PRIVATE KEY') {
    return fail(
      `is a ${label.toLowerCase()}; the JWT bearer flow signs with RS256 and needs an RSA key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)`,
    );
  }
  const b64 = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    return fail('has characters that do not belong in a PEM key body. Pass the private key file unchanged');
  const pem = `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') {
      return fail(
        `is a ${key.asymmetricKeyType ?? 'non-RSA'} key; the JWT bearer flow signs with RS256 and needs an RSA key`,
      );
    }
  } catch {
    return fail(
      'could not be read as a private key: it is damaged or incomplete. Pass the whole private key file (server.key)',
    );
  }
  return { ok: true, pem };
}
