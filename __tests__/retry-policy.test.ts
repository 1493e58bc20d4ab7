// What the one retry policy (src/retry.ts) repeats and what it does not, on the error shapes the libraries produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  isRetryableLogin,
  isSessionRefused,
  isTransientError,
  isVersionNotYetInstallable,
  retryLine,
  withRetry,
} from '../src/retry.ts';

test('an HTML 503 page (jsforce: "HTTP status code: 503") is transient, a 4xx page is not', () => {
  const page = (status: number) =>
    Object.assign(
      new Error(
        `HTTP response contains html content.\nCheck that the org exists and can be reached.\n\nHTTP status code: ${status}.`,
      ),
      { errorCode: `ERROR_HTTP_${status}` },
    );
  assert.equal(isTransientError(page(503)), true);
  assert.equal(isTransientError(Object.assign(page(503), { errorCode: undefined })), true);
  assert.equal(isTransientError(page(404)), false);
});

test('a dropped connection (undici: fetch failed ← SocketError) and a 503 error code are transient', () => {
  const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  assert.equal(isTransientError(new TypeError('fetch failed', { cause: socket })), true);
  assert.equal(
    isTransientError(
      Object.assign(new Error('Injected'), { name: 'SERVER_UNAVAILABLE', errorCode: 'SERVER_UNAVAILABLE' }),
    ),
    true,
  );
  assert.equal(
    isTransientError(Object.assign(new Error('The requested resource does not exist'), { errorCode: 'NOT_FOUND' })),
    false,
  );
});

test('a session refused right after login is recognised, wherever the libraries put it', () => {
  assert.equal(
    isSessionRefused(
      new Error('Could not retrieve the username after successful auth code exchange.\n\nDue to: Bad_OAuth_Token'),
    ),
    true,
  );
  assert.equal(
    isSessionRefused(Object.assign(new Error('Session expired or invalid'), { errorCode: 'INVALID_SESSION_ID' })),
    true,
  );
  assert.equal(
    isSessionRefused(new Error('wrapped', { cause: Object.assign(new Error('x'), { name: 'INVALID_SESSION_ID' }) })),
    true,
  );
  assert.equal(isSessionRefused(new Error('invalid assertion')), false);
});

test('a login is repeated after a fault on the way, never after the token endpoint refused the credentials', () => {
  // @salesforce/core tries several login/audience pairs and joins their errors; one refusal decides.
  const jwt = (...attempts: string[]) =>
    Object.assign(new Error(`Error authenticating with JWT.\nErrors encountered:\n${attempts.join('\n')}`), {
      name: 'JwtAuthError',
    });
  assert.equal(isRetryableLogin(jwt('fetch failed', 'fetch failed')), true);
  assert.equal(isRetryableLogin(jwt('Injected fault: HTTP 503')), true);
  assert.equal(isRetryableLogin(jwt('invalid assertion', 'fetch failed')), false);
  assert.equal(isRetryableLogin(jwt('client identifier invalid')), false);
  assert.equal(isRetryableLogin(jwt("user hasn't approved this consumer")), false);
  assert.equal(isRetryableLogin(jwt('audience is invalid  [audience=https://x login=https://x]')), false);
  assert.equal(
    isRetryableLogin(new Error('Error authenticating with the refresh token due to: expired access/refresh token')),
    false,
  );
  assert.equal(
    isRetryableLogin(
      new Error('Could not retrieve the username after successful auth code exchange.\n\nDue to: Bad_OAuth_Token'),
    ),
    true,
  );
  assert.equal(
    isRetryableLogin(
      new Error('Could not retrieve the username after successful auth code exchange.\n\nDue to: fetch failed'),
    ),
    true,
  );
});

test('the retry line names what, why, which attempt and how long', () => {
  const error = Object.assign(new Error('socket hang up\nmore'), { code: 'ECONNRESET' });
  assert.equal(
    retryLine('Deploy', error, 2, 5, 1234),
    'Deploy: transient failure (ECONNRESET: socket hang up); retry 2/4 in 1234 ms',
  );
});

test('a package version not yet installable: the codes @salesforce/packaging waits on and the install texts of the evidence', () => {
  // lib/package/packageInstall.js isErrorPackageNotAvailable: the query error's name
  for (const name of [
    'UNKNOWN_EXCEPTION',
    'PACKAGE_UNAVAILABLE',
    'PACKAGE_UNAVAILABLE_CRC',
    'PACKAGE_UNAVAILABLE_ZIP',
  ]) {
    assert.equal(
      isVersionNotYetInstallable(Object.assign(new Error('x'), { name: name, errorCode: name }), 'query'),
      true,
      name,
    );
  }
  // on the install request, UNKNOWN_EXCEPTION has no evidence of meaning "not yet": it fails at once
  assert.equal(
    isVersionNotYetInstallable(Object.assign(new Error('x'), { errorCode: 'UNKNOWN_EXCEPTION' }), 'install'),
    false,
  );
  assert.equal(
    isVersionNotYetInstallable(Object.assign(new Error('x'), { errorCode: 'PACKAGE_UNAVAILABLE' }), 'install'),
    true,
  );
  // CumulusCI package_install.py: a PackageInstallRequest create refused with "invalid cross reference id"
  assert.equal(
    isVersionNotYetInstallable(
      Object.assign(new Error('invalid cross reference id'), { errorCode: 'INVALID_CROSS_REFERENCE_KEY' }),
    ),
    true,
  );
  // SFDO-Community/declarative-lookup-rollup-summaries#918
  assert.equal(
    isVersionNotYetInstallable({
      message:
        'The package version is not fully available. If this is a recently created package version, try again in a few minutes or contact the package publisher.',
    }),
    true,
  );
  assert.equal(
    isVersionNotYetInstallable(Object.assign(new Error('refused'), { errorCode: 'INVALID_OPERATION' })),
    false,
  );
  assert.equal(
    isVersionNotYetInstallable(
      Object.assign(new Error('Invalid InstallationKey'), { errorCode: 'INSTALL_KEY_INVALID' }),
    ),
    false,
  );
  // never for an ordinary call: UNKNOWN_EXCEPTION is not transient in general
  assert.equal(isTransientError(Object.assign(new Error('x'), { errorCode: 'UNKNOWN_EXCEPTION' })), false);
});

test('withRetry with a deadline keeps trying until it, then gives up with the last error', async (t) => {
  // The test's own clock (Date only), so that no machine is too slow for it: each call takes 10 ms of it.
  t.mock.timers.enable({ apis: ['Date'], now: 0 });
  const slept: number[] = [];
  let calls = 0;
  const deadline = Date.now() + 200;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        t.mock.timers.tick(10);
        throw Object.assign(new Error('invalid cross reference id'), { errorCode: 'INVALID_CROSS_REFERENCE_KEY' });
      },
      {
        what: 'x',
        policy: 'installRequest',
        baseMs: 100,
        maxMs: 100,
        deadline,
        isTransient: isVersionNotYetInstallable,
        sleep: async (ms) => void slept.push(ms),
      },
    ),
    /invalid cross reference id/,
  );
  // the test's sleep does not pass time: the calls' time alone reaches the deadline, so the clock is what ends it
  assert.ok(calls > 5, `${calls} calls`);
});

test('withRetry asks again while the answer says "not yet", and hands back the last answer when the attempts run out', async () => {
  const slept: number[] = [];
  const lines: string[] = [];
  let reads = 0;
  const found = await withRetry(async () => (++reads >= 3 ? 'request' : undefined), {
    what: 'list',
    policy: 'installLookup',
    notYet: (r) => r === undefined,
    sleep: async (ms) => void slept.push(ms),
    log: (l) => lines.push(l),
  });
  assert.equal(found, 'request');
  // installLookup has no jitter: the waits are the policy's, doubling from baseMs
  assert.deepEqual(slept, [1000, 2000]);
  assert.equal(lines.length, 2);
  const never = await withRetry(async () => undefined, {
    what: 'list',
    policy: 'installLookup',
    notYet: (r) => r === undefined,
    sleep: async () => {},
  });
  assert.equal(never, undefined);
});

test('every wait in src/ goes through withRetry or pollUntil: no timer, sleep or hand-written retry loop elsewhere', () => {
  const dir = new URL('../src/', import.meta.url);
  const waits = /\bsetTimeout\b|\bsetInterval\b|node:timers|\bsleep\(|for \(let attempt/;
  const found = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'retry.ts' && f !== 'poll.ts')
    .flatMap((f) =>
      readFileSync(new URL(f, dir), 'utf8')
        .split('\n')
        .map((line, i) => ({ at: `src/${f}:${i + 1}`, line }))
        .filter(({ line }) => waits.test(line.replace(/\/\/.*$/, ''))),
    );
  assert.deepEqual(found, []);
});
