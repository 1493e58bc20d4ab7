// Ids and secrets the org generates. Ids follow the scheme every library validator accepts:
// 3-char key prefix + 12 digits + 'AAA' (18 chars). Secrets are random and shaped like Salesforce's.
import { randomBytes, randomInt } from 'node:crypto';

export function idFactory(start = 1): (prefix: string) => string {
  let next = start;
  return (prefix: string) => {
    if (!/^[0-9a-zA-Z]{3}$/.test(prefix)) throw new Error(`key prefix must be 3 characters: ${prefix}`);
    return `${prefix}${String(next++).padStart(12, '0')}AAA`;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** An OAuth consumer key: 85 chars starting 3MVG9, letters, digits, '.' and '_' (like real ones). */
export function newConsumerKey(): string {
  return `3MVG9${randomString(80, `${ALNUM}._`)}`;
}

/** A consumer secret: 64 upper-case hex digits (the form External Client Apps get). */
export function newConsumerSecret(): string {
  return randomBytes(32).toString('hex').toUpperCase();
}

/**
 * An opaque session id `<15-char org id>!<random>`. No dots: jsforce treats a three-part dotted token as a
 * JWT and then refuses SOAP below API 68.0.
 */
export function newAccessToken(orgId: string): string {
  return `${orgId.slice(0, 15)}!AQ${randomString(94, `${ALNUM}_`)}`;
}

/** A refresh token shaped like Salesforce's (5Aep8…). */
export function newRefreshToken(): string {
  return `5Aep861${randomString(80, `${ALNUM}._`)}`;
}
