// The fake org's scratch-org signup on the wire (fake-org/scratch-signup.ts, RULES.md "Scratch-org signup"): what
// `sf org create scratch` and `sf org delete scratch` send, answered as docs/platform-notes.md §29 says. The real CLI
// runs the same path in conformance and in __tests__/workflows.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSign } from 'node:crypto';
import { startFakeOrg, type FakeOrg } from '../fake-org/server.ts';
import { signupState } from '../fake-org/scratch-signup.ts';

const CALLBACK = 'http://localhost:1717/OauthRedirect';
const JWT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const orgs: FakeOrg[] = [];
after(async () => {
  for (const o of orgs) await o.close();
});

async function start(ciLoginApp?: 'external-client-app' | 'connected-app'): Promise<FakeOrg> {
  const fake = await startFakeOrg(ciLoginApp ? { ciLoginApp } : {});
  orgs.push(fake);
  return fake;
}

function assertion(fake: FakeOrg, sub: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = { iss: fake.clientId, sub, aud: fake.loginUrl, exp: Math.floor(Date.now() / 1000) + 300 };
  const body = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(fake.privateKeyPem, 'base64url')}`;
}

async function token(fake: FakeOrg, form: Record<string, string>) {
  const res = await fetch(`${fake.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

/** A Dev Hub session through the CI login app (JWT), as `sf org login jwt` makes it. */
async function hubSession(fake: FakeOrg): Promise<string> {
  const { json } = await token(fake, { grant_type: JWT, assertion: assertion(fake, fake.username) });
  assert.ok(json.access_token, JSON.stringify(json));
  return json.access_token;
}

async function rest(fake: FakeOrg, session: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${fake.url}/services/data/v66.0${path}`, {
    method,
    headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Insert and poll until the request is done, as scratchOrgInfoApi.js does. */
async function signup(fake: FakeOrg, session: string, fields: Record<string, unknown>) {
  const created = await rest(fake, session, 'POST', '/sobjects/ScratchOrgInfo', {
    Edition: 'Developer',
    OrgName: 'test',
    Features: 'SalesforceHostedMCP',
    ...fields,
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  for (;;) {
    const polled = await rest(fake, session, 'GET', `/sobjects/ScratchOrgInfo/${created.json.id}`);
    if (polled.json.Status !== 'New') return polled.json as Record<string, string>;
  }
}

test("the signup app's key and callback go together: REQUIRED_FIELD_MISSING with Salesforce's text", async () => {
  const fake = await start();
  const session = await hubSession(fake);
  const keyOnly = await rest(fake, session, 'POST', '/sobjects/ScratchOrgInfo', {
    Edition: 'Developer',
    ConnectedAppConsumerKey: 'PlatformCLI',
  });
  assert.equal(keyOnly.status, 400);
  assert.deepEqual(keyOnly.json, [
    {
      message: 'Required fields are missing: [ConnectedAppCallbackUrl]',
      errorCode: 'REQUIRED_FIELD_MISSING',
      fields: ['ConnectedAppCallbackUrl'],
    },
  ]);
  const callbackOnly = await rest(fake, session, 'POST', '/sobjects/ScratchOrgInfo', {
    Edition: 'Developer',
    ConnectedAppCallbackUrl: CALLBACK,
  });
  assert.equal(callbackOnly.json[0].errorCode, 'REQUIRED_FIELD_MISSING');
  assert.equal(signupState(fake.ctx.devHub).requests.length, 1, 'nothing but the pre-made org was recorded');
});

test('an External Client App as signup app ends in C-1016; PlatformCLI with its callback works', async () => {
  const fake = await start(); // the default: the CI login app is an ECA
  const session = await hubSession(fake);
  const orgsBefore = fake.ctx.orgs.length;
  const refused = await signup(fake, session, {
    ConnectedAppConsumerKey: fake.clientId,
    ConnectedAppCallbackUrl: CALLBACK,
  });
  assert.equal(refused.Status, 'Error');
  assert.equal(refused.ErrorCode, 'C-1016');
  assert.equal(refused.AuthCode, null);
  assert.equal(fake.ctx.orgs.length, orgsBefore, 'no org was made');
  const made = await signup(fake, session, {
    ConnectedAppConsumerKey: 'PlatformCLI',
    ConnectedAppCallbackUrl: CALLBACK,
  });
  assert.equal(made.Status, 'Active');
  assert.equal(fake.ctx.orgs.length, orgsBefore + 1);
});

test('PlatformCLI: the AuthCode is exchanged once, by PlatformCLI, with the signup callback', async () => {
  const fake = await start();
  const session = await hubSession(fake);
  const info = await signup(fake, session, {
    ConnectedAppConsumerKey: 'PlatformCLI',
    ConnectedAppCallbackUrl: CALLBACK,
  });
  const exchange = (changed: Record<string, string>) =>
    token(fake, {
      grant_type: 'authorization_code',
      code: info.AuthCode!,
      client_id: 'PlatformCLI',
      redirect_uri: CALLBACK,
      ...changed,
    });
  const mismatch = await exchange({ redirect_uri: 'http://localhost:1718/OauthRedirect' });
  assert.deepEqual(mismatch.json, {
    error: 'redirect_uri_mismatch',
    error_description: 'redirect_uri must match configuration',
  });
  const good = await exchange({});
  assert.equal(good.status, 200, JSON.stringify(good.json));
  assert.ok(good.json.refresh_token);
  const org = signupState(fake.ctx.devHub).requests.find((r) => r.Id === info.Id)!.org!;
  assert.ok(good.json.id?.endsWith(`/${org.orgId}/${org.userId}`), "the session is the new org's user");
  assert.equal(org.settings.hostedMcp, true);
  const again = await exchange({});
  assert.deepEqual(again.json, { error: 'invalid_grant', error_description: 'expired authorization code' });
});

test("a Connected App as signup app: a new org per request, JWT logins through it; another app's JWT is refused", async () => {
  const connected = await start('connected-app');
  const session = await hubSession(connected);
  const a = await signup(connected, session, {
    ConnectedAppConsumerKey: connected.clientId,
    ConnectedAppCallbackUrl: CALLBACK,
  });
  const b = await signup(connected, session, {
    ConnectedAppConsumerKey: connected.clientId,
    ConnectedAppCallbackUrl: CALLBACK,
    Features: '',
  });
  assert.equal(a.Status, 'Active');
  assert.notEqual(a.ScratchOrg, b.ScratchOrg, 'each signup makes its own org');
  const records = signupState(connected.ctx.devHub).requests;
  assert.equal(
    records.find((r) => r.Id === b.Id)?.org?.settings.hostedMcp,
    false,
    'no SalesforceHostedMCP, no hosted MCP',
  );
  const jwt = await token(connected, { grant_type: JWT, assertion: assertion(connected, a.SignupUsername!) });
  assert.equal(jwt.status, 200, JSON.stringify(jwt.json));

  // A PlatformCLI org knows only PlatformCLI: the CI app's JWT for its user is refused.
  const platform = await signup(connected, session, {
    ConnectedAppConsumerKey: 'PlatformCLI',
    ConnectedAppCallbackUrl: CALLBACK,
  });
  const refused = await token(connected, {
    grant_type: JWT,
    assertion: assertion(connected, platform.SignupUsername!),
  });
  assert.deepEqual(refused.json, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
});

test('delete: ActiveScratchOrg by SignupUsername, then the org and its sessions are gone', async () => {
  const fake = await start();
  const session = await hubSession(fake);
  const info = await signup(fake, session, {
    ConnectedAppConsumerKey: 'PlatformCLI',
    ConnectedAppCallbackUrl: CALLBACK,
  });
  const login = await token(fake, {
    grant_type: 'authorization_code',
    code: info.AuthCode!,
    client_id: 'PlatformCLI',
    redirect_uri: CALLBACK,
  });
  const q = (soql: string) => rest(fake, session, 'GET', `/query?q=${encodeURIComponent(soql)}`);
  const found = await q(
    `SELECT Id, CreatedBy.Username FROM ActiveScratchOrg WHERE SignupUsername = '${info.SignupUsername}'`,
  );
  assert.equal(found.json.totalSize, 1, JSON.stringify(found.json));
  assert.equal(found.json.records[0].CreatedBy.Username, fake.username);
  const columns = await rest(
    fake,
    session,
    'GET',
    `/query?q=${encodeURIComponent('SELECT Id FROM ActiveScratchOrg')}&columns=true`,
  );
  assert.equal(columns.json.columnMetadata[0].columnName, 'Id');
  // Only a Dev Hub has these objects.
  const inScratch = await rest(
    fake,
    login.json.access_token!,
    'GET',
    `/query?q=${encodeURIComponent('SELECT Id FROM ActiveScratchOrg')}`,
  );
  assert.equal(inScratch.json[0].errorCode, 'INVALID_TYPE');

  const deleted = await rest(fake, session, 'DELETE', `/sobjects/ActiveScratchOrg/${found.json.records[0].Id}`);
  assert.equal(deleted.status, 204);
  const after = await q(`SELECT Id FROM ActiveScratchOrg WHERE SignupUsername = '${info.SignupUsername}'`);
  assert.equal(after.json.totalSize, 0);
  const status = await q(`SELECT Status FROM ScratchOrgInfo WHERE Id = '${info.Id}'`);
  assert.equal(status.json.records[0].Status, 'Deleted');
  const stale = await rest(fake, login.json.access_token!, 'GET', '/query?q=SELECT+Id+FROM+Organization');
  assert.equal(stale.status, 401, "the deleted org's session no longer works");
  const refresh = await token(fake, {
    grant_type: 'refresh_token',
    client_id: 'PlatformCLI',
    refresh_token: login.json.refresh_token!,
  });
  assert.equal(refresh.json.error, 'invalid_grant');
  const twice = await rest(fake, session, 'DELETE', `/sobjects/ActiveScratchOrg/${found.json.records[0].Id}`);
  assert.equal(twice.status, 404);
});
