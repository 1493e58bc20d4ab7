// wait-minutes bounds the wait for a package version: a version that never finishes fails the run cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg } from '../fake-org/server.ts';
import { runAction } from './helpers/run-action.ts';
import { assertNoLeaks, leftovers } from './helpers/leaks.ts';
import { fakeEnv, jwtInputs, secretsOf } from './helpers/fake-env.ts';

test('a package version that does not finish within wait-minutes fails cleanly, on time', async () => {
  const org = await startFakeOrg();
  try {
    org.ctx.timing.versionCreatePolls = 1_000_000;
    const run = await runAction({ inputs: jwtInputs(org, { 'wait-minutes': '1' }), env: fakeEnv(org), post: true, timeoutMs: 150_000 });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Package version request 08c\w+ did not finish within 60 s\./);
    assert.ok(run.ms < 75_000, `took ${run.ms} ms`);
    assert.ok(run.ms > 55_000, `gave up early, after ${run.ms} ms`);
    assertNoLeaks(run, secretsOf(org));
    assert.deepEqual(leftovers(run, [`${run.runnerTemp}/eca-action`]), []);
  } finally {
    await org.close();
  }
});
