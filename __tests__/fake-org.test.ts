// The fake org's server core against the real libraries: @salesforce/core logins (JWT bearer, SFDX auth URL),
// the REST basics every client touches, the session-refresh path, and the fault API and request log.
// The hub helper comes first: it sets HOME and SF_* before @salesforce/core loads (it reads them once).
import { useFakeHub } from './helpers/hub.ts';
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startFakeOrg, type FakeOrg } from '../fake-org/server.ts';
import { blockedHosts } from './helpers/loopback.ts';
import { AuthInfo, Connection, Lifecycle } from '@salesforce/core';

Lifecycle.getInstance().onWarning(async () => {}); // "Using insecure protocol: http" is expected here
let fake: FakeOrg;
let hub: Connection;
useFakeHub((started) => {
  ({ fake, conn: hub } = started);
});

/** A JWT bearer assertion, signed like jsonwebtoken signs it (exp in seconds here unless given). */
function assertion(claims: Record<string, unknown>, privateKeyPem: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKeyPem, 'base64url')}`;
}

async function token(form: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> {
  const res = await fetch(`${fake.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

const jwtGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const claims = () => ({
  iss: fake.clientId,
  sub: fake.username,
  aud: fake.loginUrl,
  exp: Math.floor(Date.now() / 1000) + 300,
});
/** The token endpoint's answer to a JWT bearer login whose claims differ from good ones by `changed`. */
const jwtLogin = (changed: Record<string, unknown>) =>
  token({ grant_type: jwtGrant, assertion: assertion({ ...claims(), ...changed }, fake.privateKeyPem) });

describe('JWT bearer login', () => {
  // Refused logins need a username without an auth file in $HOME (core refuses to overwrite one): a second org.
  let fresh: FakeOrg;
  before(async () => {
    fresh = await startFakeOrg({ namespace: 'fresh' });
  });
  after(() => fresh.close());

  test('@salesforce/core logs in to the Dev Hub and sees a Dev Hub', async () => {
    const fields = hub.getAuthInfoFields();
    assert.equal(fields.orgId, fake.ctx.devHub.orgId);
    assert.equal(fields.isDevHub, true);
    assert.equal(hub.getApiVersion(), '68.0');
    assert.match(hub.accessToken ?? '', /^00D\w{12}!\w+$/, 'an opaque 00D…!… token, never JWT-shaped');
    const org = await hub.singleRecordQuery<{ Name: string; IsSandbox: boolean }>(
      'SELECT Name, IsSandbox FROM Organization',
    );
    assert.equal(org.Name, 'Fake Dev Hub');
    assert.equal(org.IsSandbox, false);
  });

  test('a JWT signed by another key is refused, and the library is kept off the internet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'other-key-'));
    const otherKey = join(dir, 'other.key');
    writeFileSync(
      otherKey,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
    const blockedBefore = blockedHosts.length;
    await assert.rejects(
      AuthInfo.create({
        username: fresh.username,
        oauth2Options: { clientId: fresh.clientId, privateKey: otherKey, loginUrl: fresh.loginUrl },
      }),
      (error: Error) => /invalid assertion/.test(error.message),
    );
    // core retries at login/test.salesforce.com after a refusal (docs/platform-notes.md, "Library wire notes"); the guard stopped both
    assert.deepEqual(
      new Set(blockedHosts.slice(blockedBefore)),
      new Set(['test.salesforce.com', 'login.salesforce.com']),
    );
  });

  test('an unknown client id is refused with invalid_client_id', async () => {
    await assert.rejects(
      AuthInfo.create({
        username: fresh.username,
        oauth2Options: {
          clientId: '3MVG9notARealClientId',
          privateKey: fresh.privateKeyPath,
          loginUrl: fresh.loginUrl,
        },
      }),
      (error: Error) => /client identifier invalid/.test(error.message),
    );
    const { status, json } = await jwtLogin({ iss: 'nobody' });
    assert.equal(status, 400);
    assert.deepEqual(json, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
  });

  test('an unknown user is refused', async () => {
    const { status, json } = await jwtLogin({ sub: 'nobody@example.com' });
    assert.equal(status, 400);
    assert.deepEqual(json, { error: 'invalid_grant', error_description: "user hasn't approved this consumer" });
  });

  test('an expired JWT is refused; exp in milliseconds (as core sends it) is accepted', async () => {
    const expired = await jwtLogin({ exp: Math.floor(Date.now() / 1000) - 3600 });
    assert.equal(expired.status, 400);
    assert.deepEqual(expired.json, { error: 'invalid_grant', error_description: 'expired authorization code' });
    const expiredMs = await jwtLogin({ exp: Date.now() - 3_600_000 });
    assert.equal(expiredMs.json.error_description, 'expired authorization code');
    const ms = await jwtLogin({ exp: Date.now() + 300 });
    assert.equal(ms.status, 200);
  });

  test('the audience must be the login URL or a Salesforce login host', async () => {
    const wrong = await jwtLogin({ aud: 'https://evil.example.com' });
    assert.deepEqual(wrong.json, { error: 'invalid_grant', error_description: 'audience is invalid' });
    const standard = await jwtLogin({ aud: 'https://login.salesforce.com' });
    assert.equal(standard.status, 200);
    assert.match(standard.json.id!, new RegExp(`/id/${fake.ctx.devHub.orgId}/${fake.ctx.devHub.userId}$`));
    assert.equal(standard.json.instance_url, fake.url);
  });

  test('the scratch org user logs in with the same app and key, and is not a Dev Hub', async () => {
    const authInfo = await AuthInfo.create({
      username: fake.scratchUsername,
      oauth2Options: { clientId: fake.clientId, privateKey: fake.privateKeyPath, loginUrl: fake.loginUrl },
    });
    assert.equal(authInfo.getFields().orgId, fake.ctx.scratch.orgId);
    assert.equal(authInfo.getFields().isDevHub, false);
    const probe = fake.log.findLast((e) => e.path === '/services/data/v51.0/query' && e.org === fake.ctx.scratch.orgId);
    assert.equal(probe?.status, 400, 'the ScratchOrgInfo probe fails on a non-hub org');
  });
});

describe('SFDX auth URL login (refresh token grant, over https)', () => {
  test('AuthInfo.create(parseSfdxAuthUrl(...)) reaches the Dev Hub, finds the user and sees a Dev Hub', async () => {
    assert.match(fake.devHubAuthUrl, /^force:\/\/PlatformCLI::5Aep8\S+@127\.0\.0\.1:\d+$/);
    const authInfo = await AuthInfo.create({ oauth2Options: AuthInfo.parseSfdxAuthUrl(fake.devHubAuthUrl) });
    assert.equal(authInfo.getUsername(), fake.username);
    assert.equal(authInfo.getFields().isDevHub, true);
    const conn = await Connection.create({ authInfo });
    assert.equal(conn.instanceUrl, fake.url.replace('http:', 'https:'));
    const org = await conn.singleRecordQuery<{ Id: string }>('SELECT Id FROM Organization');
    assert.equal(org.Id, fake.ctx.devHub.orgId);
    const routes = fake.log.slice(-8).map((e) => e.route);
    assert.ok(routes.includes('oauth.userinfo') && routes.includes('sobjects.user.get'), routes.join(','));
  });

  test('the scratch org auth URL gives a scratch org', async () => {
    const authInfo = await AuthInfo.create({ oauth2Options: AuthInfo.parseSfdxAuthUrl(fake.scratchAuthUrl) });
    assert.equal(authInfo.getUsername(), fake.scratchUsername);
    assert.equal(authInfo.getFields().isScratch, true);
  });

  test('an unknown refresh token is refused', async () => {
    const { status, json } = await token({
      grant_type: 'refresh_token',
      client_id: 'PlatformCLI',
      refresh_token: '5Aep861bogus',
    });
    assert.equal(status, 400);
    assert.deepEqual(json, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
    await assert.rejects(
      AuthInfo.create({
        oauth2Options: AuthInfo.parseSfdxAuthUrl(fake.devHubAuthUrl.replace(/::[^@]+@/, '::5Aep861bogus@')),
      }),
      /expired access\/refresh token/,
    );
  });
});

describe('REST', () => {
  test('/services/data lists NN.0 versions, newest 68.0', async () => {
    const res = await fetch(`${fake.url}/services/data`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const list = (await res.json()) as { version: string; label: string; url: string }[];
    assert.ok(list.every((v) => /^[1-9]\d\.0$/.test(v.version)));
    assert.deepEqual(list.at(-1), { label: "Winter '27", url: '/services/data/v68.0', version: '68.0' });
    assert.deepEqual(
      list.slice(-4, -1).map((v) => v.label),
      ["Winter '26", "Spring '26", "Summer '26"],
    );
    const above = await fetch(`${fake.url}/services/data/v69.0/query?q=SELECT+Id+FROM+Organization`);
    assert.equal(above.status, 404, 'a version the fake does not model is refused');
  });

  test('unknown routes answer NOT_FOUND, unknown sobjects INVALID_TYPE, bad fields INVALID_FIELD', async () => {
    await assert.rejects(
      hub.request('/no/such/thing'),
      (e: Error & { errorCode?: string }) => e.errorCode === 'NOT_FOUND',
    );
    await assert.rejects(
      async () => hub.query('SELECT Id FROM Nope'),
      (e: Error) => e.name === 'INVALID_TYPE' && /sObject type 'Nope' is not supported/.test(e.message),
    );
    await assert.rejects(
      async () => hub.query('SELECT Bogus FROM Organization'),
      (e: Error) => e.name === 'INVALID_FIELD',
    );
    await assert.rejects(
      async () => hub.tooling.query('SELECT Id FROM ScratchOrgInfo'),
      (e: Error) => e.name === 'INVALID_TYPE',
    );
  });

  test('a request without a session is refused with INVALID_SESSION_ID', async () => {
    const res = await fetch(`${fake.url}/services/data/v66.0/query?q=SELECT+Id+FROM+Organization`);
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  test('the identity endpoints answer a bad token with 403 Bad_OAuth_Token (text/plain)', async () => {
    const res = await fetch(`${fake.url}/services/oauth2/userinfo`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(res.status, 403);
    assert.equal(await res.text(), 'Bad_OAuth_Token');
  });

  test('after the sessions expire, the library logs in again and repeats the call', async () => {
    fake.faults.expireSessions();
    const mark = fake.log.length;
    const org = await hub.singleRecordQuery<{ Id: string }>('SELECT Id FROM Organization');
    assert.equal(org.Id, fake.ctx.devHub.orgId);
    const seen = fake.log.slice(mark).map((e) => `${e.status} ${e.route}`);
    assert.deepEqual(seen.slice(0, 2), ['401 query', '200 oauth.token']);
    assert.equal(seen.at(-1), '200 query.organization');
  });
});

describe('fault injection and the request log', () => {
  test('fail: the Nth call of a route answers 5xx, then the route works again', async () => {
    fake.faults.fail('rest.versions', { nth: 2, status: 503 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${fake.url}/services/data`)).status);
    assert.deepEqual(statuses, [200, 503, 200]);
    const entry = fake.log.findLast((e) => e.status === 503)!;
    assert.equal(entry.route, 'rest.versions');
    assert.equal(entry.fault, 'error');
  });

  test('fail on a SOAP route answers a SOAP fault; the library surfaces it', async () => {
    fake.faults.fail('soap.checkDeployStatus', { status: 500, message: 'boom' });
    await assert.rejects(
      hub.metadata.checkDeployStatus('0Af000000000001AAA'),
      (e: Error) => e.name === 'sf:UNKNOWN_EXCEPTION' && /boom/.test(e.message),
    );
  });

  test('drop destroys the connection; delay answers late', async () => {
    fake.faults.drop('rest.versions');
    await assert.rejects(fetch(`${fake.url}/services/data`));
    assert.equal(fake.log.at(-1)!.status, 0);
    fake.faults.delay('rest.versions', 150, { times: 1 });
    const started = Date.now();
    assert.equal((await fetch(`${fake.url}/services/data`)).status, 200);
    assert.ok(Date.now() - started >= 140);
    assert.ok(fake.log.at(-1)!.ms >= 140);
  });

  test('route patterns with * match families; clear() disarms', async () => {
    const rule = fake.faults.fail('query.*', { times: 10, status: 400 });
    await assert.rejects(async () => hub.query('SELECT Id FROM Organization'));
    assert.equal(rule.hits, 1);
    fake.faults.clear();
    assert.equal((await hub.query('SELECT Id FROM Organization')).totalSize, 1);
  });

  test('every request is logged with its route, status, time and org', async () => {
    await hub.query('SELECT Id FROM Organization');
    const entry = fake.log.at(-1)!;
    assert.equal(entry.route, 'query.organization');
    assert.equal(entry.method, 'GET');
    assert.equal(entry.path, '/services/data/v68.0/query');
    assert.equal(entry.status, 200);
    assert.equal(entry.org, fake.ctx.devHub.orgId);
    assert.equal(typeof entry.ms, 'number');
  });
});

test('close() removes the key directory', async () => {
  const other = await startFakeOrg({ namespace: 'other' });
  assert.ok(existsSync(other.privateKeyPath));
  await other.close();
  assert.equal(existsSync(other.privateKeyPath), false);
});

test('npm run fake-org: one JSON line, a 0600 key file, serves until SIGTERM, then cleans up', async () => {
  const child = spawn(process.execPath, ['fake-org/cli.ts', '--port', '0'], {
    cwd: join(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    for await (const chunk of child.stdout) {
      out += String(chunk);
      if (out.includes('\n')) break;
    }
    const info = JSON.parse(out.trim()) as Record<string, string>;
    for (const key of [
      'loginUrl',
      'username',
      'clientId',
      'privateKeyPath',
      'namespace',
      'devHubAuthUrl',
      'scratchUsername',
      'scratchAuthUrl',
      'caCertPath',
    ]) {
      assert.ok(info[key], `${key} in ${out}`);
    }
    assert.match(info.loginUrl!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(statSync(info.privateKeyPath!).mode & 0o777, 0o600);
    assert.equal((await fetch(`${info.loginUrl}/services/data`)).status, 200);
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    assert.ok(code === 143 || signal === 'SIGTERM', `exit ${code} ${signal}`);
    assert.equal(existsSync(info.privateKeyPath!), false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
