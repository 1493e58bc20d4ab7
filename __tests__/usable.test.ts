// The usable check against the fake org's authorize endpoint (and token endpoint): unknown client, known client, a
// callback or scopes the app does not have, and running out of time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../fake-org/server.ts';
import { NotUsableError, waitUntilUsable } from '../src/usable.ts';
import { setTiming } from '../src/timing.ts';

let org: FakeOrg;
const lines: string[] = [];
const log = (line: string): void => {
  lines.push(line);
};
before(async () => {
  setTiming({ usable: { initialMs: 20, maxMs: 100 } });
  org = await startFakeOrg();
});
after(async () => {
  await org.close();
});

test('a client the org knows is usable at once', async () => {
  lines.length = 0;
  await waitUntilUsable(
    [{ role: 'the Dev Hub', instanceUrl: org.url }],
    { consumerKey: org.clientId, callbackUrl: 'http://localhost:8787/callback' },
    1,
    log,
  );
  assert.match(lines.join('\n'), /The Dev Hub knows the app/);
  assert.doesNotMatch(lines.join('\n'), /does not know/);
});

// The timeout is the "does not hang" bound, generous for a loaded machine: the wait itself is 600 ms.
test('a client the org never knows: fails when the minutes run out, saying the app is still created', {
  timeout: 30_000,
}, async () => {
  lines.length = 0;
  await assert.rejects(
    waitUntilUsable(
      [{ role: 'the Dev Hub', instanceUrl: org.url }],
      { consumerKey: '3MVG9notaknownclientkey000000', callbackUrl: 'http://localhost:8787/callback' },
      0.01,
      log,
    ),
    (error: unknown) =>
      error instanceof NotUsableError &&
      /^wait-until-usable: the Dev Hub did not accept the app's consumer key within 600 ms \(last answer: invalid_client_id, it does not know the app yet\)\. The app is created and its consumer key is in the outputs/.test(
        error.message,
      ),
  );
  assert.match(lines.join('\n'), /does not know the app yet \(invalid_client_id\)/);
  assert.ok(!lines.join('\n').includes('3MVG9notaknownclientkey000000'), 'the key is never logged');
});

test('the fake token endpoint: unknown → invalid_client_id, known → invalid_grant', async () => {
  const ask = async (clientId: string) =>
    (await fetch(`${org.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'made-up',
        client_id: clientId,
        redirect_uri: 'http://localhost/cb',
      }),
    }).then((r) => r.json())) as { error: string; error_description: string };
  assert.deepEqual(await ask('3MVG9unknown'), {
    error: 'invalid_client_id',
    error_description: 'client identifier invalid',
  });
  assert.equal((await ask(org.clientId)).error, 'invalid_grant');
});

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const component = (type: string, fullName: string, dir: string, suffix: string, body: string) => ({
  type,
  fullName,
  fileName: `${dir}/${fullName}.${suffix}`,
  xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${type} ${NS}>${body}</${type}>\n`,
});

/** An MCP app in the fake Dev Hub with one callback; returns its consumer key. */
function seedApp(app: string): string {
  org.ctx.applyComponents(org.ctx.devHub, [
    component(
      'ExternalClientApplication',
      app,
      'externalClientApps',
      'eca',
      `<contactEmail>a@example.com</contactEmail><distributionState>Local</distributionState><label>${app}</label>`,
    ),
    component(
      'ExtlClntAppGlobalOauthSettings',
      `${app}_glbloauth`,
      'extlClntAppGlobalOauthSets',
      'ecaGlblOauth',
      `<callbackUrl>http://localhost:3118/callback</callbackUrl><externalClientApplication>${app}</externalClientApplication><isConsumerSecretOptional>true</isConsumerSecretOptional><isPkceRequired>true</isPkceRequired><label>g</label>`,
    ),
    component(
      'ExtlClntAppOauthSettings',
      `${app}_oauth`,
      'extlClntAppOauthSettings',
      'ecaOauth',
      `<commaSeparatedOauthScopes>MCP, RefreshToken</commaSeparatedOauthScopes><externalClientApplication>${app}</externalClientApplication><label>o</label>`,
    ),
  ]);
  return [...org.ctx.devHub.consumers.values()].find((c) => c.appName === app)!.consumerKey;
}

test('the fake authorize endpoint: sign-in for a good request; the error for an unknown client, callback, scope or a missing PKCE challenge', async () => {
  const key = seedApp('Authz_App');
  const ask = async (over: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    const all: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: key,
      redirect_uri: 'http://localhost:3118/callback',
      scope: 'mcp_api refresh_token',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
      ...over,
    };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) q.set(k, v);
    const r = await fetch(`${org.url}/services/oauth2/authorize?${q}`, { redirect: 'manual' });
    assert.equal(r.status, 302);
    return new URL(r.headers.get('location')!);
  };
  const ok = await ask({});
  assert.match(ok.searchParams.get('startURL') ?? '', /^\/setup\/secur\/RemoteAccessAuthorizationPage\.apexp/);
  assert.equal((await ask({ client_id: '3MVG9unknown' })).searchParams.get('error'), 'invalid_client_id');
  const mismatch = await ask({ redirect_uri: 'http://localhost:9999/callback' });
  assert.equal(mismatch.searchParams.get('error'), 'redirect_uri_mismatch');
  assert.equal(mismatch.port, new URL(org.url).port, 'an unregistered callback is never redirected to');
  const scope = await ask({ scope: 'mcp_api refresh_token full' });
  assert.equal(`${scope.origin}${scope.pathname}`, 'http://localhost:3118/callback');
  assert.equal(scope.searchParams.get('error'), 'invalid_scope');
  assert.equal((await ask({ code_challenge: undefined })).searchParams.get('error'), 'invalid_request');
});

test('waitUntilUsable reads the authorize answer: a callback the app lacks is reported as such when the time runs out', {
  timeout: 30_000,
}, async () => {
  const key = seedApp('Authz_Wait');
  lines.length = 0;
  await waitUntilUsable(
    [{ role: 'the Dev Hub', instanceUrl: org.url }],
    { consumerKey: key, callbackUrl: 'http://localhost:3118/callback', scopes: ['MCP', 'RefreshToken'] },
    1,
    log,
  );
  assert.match(lines.join('\n'), /knows the app and accepts its callback and scopes/);
  lines.length = 0;
  await assert.rejects(
    waitUntilUsable(
      [{ role: 'the Dev Hub', instanceUrl: org.url }],
      { consumerKey: key, callbackUrl: 'http://localhost:9999/callback' },
      0.01,
      log,
    ),
    /last answer: redirect_uri_mismatch, it does not accept the callback URL yet/,
  );
  assert.match(lines.join('\n'), /does not accept the callback URL yet \(redirect_uri_mismatch\)/);
  assert.ok(!lines.join('\n').includes(key), 'the key is never logged');
});

test('an authorize answer the check cannot read (HTTP 503) is read again, not taken for an answer', async () => {
  lines.length = 0;
  const reads = (): number => org.log.filter((e) => e.route === 'oauth.authorize').length;
  const before = reads();
  org.faults.fail('oauth.authorize', { status: 503 });
  await waitUntilUsable(
    [{ role: 'the Dev Hub', instanceUrl: org.url }],
    { consumerKey: org.clientId, callbackUrl: 'http://localhost:8787/callback' },
    1,
    log,
  );
  const text = lines.join('\n');
  assert.match(text, /status check failed \(authorize endpoint answered HTTP 503\); looking again/);
  assert.match(text, /The Dev Hub knows the app/);
  assert.equal(reads() - before, 2, 'the 503, then the answer');
});
