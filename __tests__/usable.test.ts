// The usable probe against the fake org's token endpoint: unknown client, known client, and running out of time.
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

test('a client the org knows is usable at once (invalid_grant for the made-up code)', async () => {
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
      /^wait-until-usable: the Dev Hub did not accept the app's consumer key within 600 ms\. The app is created and its consumer key is in the outputs/.test(
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
