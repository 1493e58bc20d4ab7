// wait-minutes bounds the wait for a package version: a version that never finishes fails the run cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg } from '../../fake-org/server.ts';
import { stateOf } from '../../fake-org/packaging-state.ts';
import { runAction } from '../helpers/run-action.ts';
import { assertNoLeaks, leftovers } from '../helpers/leaks.ts';
import { fakeEnv, jwtInputs, runJwt, secretsOf } from '../helpers/fake-env.ts';

test('a package version that does not finish within wait-minutes fails cleanly, on time, saying how to check on it; the rerun waits for it', async () => {
  const org = await startFakeOrg();
  try {
    org.ctx.timing.versionCreatePolls = 1_000_000;
    const run = await runAction({
      inputs: jwtInputs(org, { 'wait-minutes': '1' }),
      env: fakeEnv(org),
      post: true,
      timeoutMs: 150_000,
    });
    assert.equal(run.code, 1);
    const requestId = /Package version request (08c\w+) submitted/.exec(run.stdout)?.[1];
    assert.ok(requestId, run.stdout);
    // It says that the Dev Hub goes on, and how to look at the request.
    assert.match(
      run.stdout,
      new RegExp(
        `::error::eca-action failed: Package version request ${requestId} did not finish within wait-minutes \\(1 min\\)\\. The Dev Hub goes on building it: check on it with \`sf package version create report --package-create-request-id ${requestId} --target-dev-hub <dev-hub>\``,
      ),
    );
    // Progress lines: elapsed minutes of the limit, each line once.
    const progress = run.stdout.split('\n').filter((l) => l.startsWith(`Package version ${requestId}: `));
    assert.deepEqual(progress, [...new Set(progress)], 'no line repeated');
    assert.ok(
      progress.some((l) => / 0 min of 1$/.test(l)),
      progress.join('\n'),
    );
    // On time, told by the requests rather than by how long the run took (which a loaded machine stretches): the
    // poll that finds the minute over is the last one, so at most one status read comes more than a minute after
    // the first. A slow machine only makes the run longer, so the lower bound holds anywhere; timeoutMs above is
    // the generous bound against a run that never gives up.
    const created = org.log.findIndex((e) => e.route === 'tooling.package2VersionCreateRequest.create');
    const reads = org.log.slice(created + 1).filter((e) => e.route === 'tooling.query.package2VersionCreateRequest');
    assert.ok(reads.length > 1, `${reads.length} status reads`);
    const late = reads.filter((e) => e.at - reads[0]!.at > 60_000).length;
    assert.ok(late <= 1, `${late} status reads after wait-minutes ran out`);
    assert.ok(run.ms > 55_000, `gave up early, after ${run.ms} ms`);
    assertNoLeaks(run, secretsOf(org));
    assert.deepEqual(leftovers(run, [`${run.runnerTemp}/eca-action`]), []);

    // The rerun with the same inputs waits for that request instead of building a second version. (The fake
    // advances a request when it is read; it has been read more often than this, so it finishes at the next read.)
    org.ctx.timing.versionCreatePolls = stateOf(org.ctx.devHub).requests.get(requestId.slice(0, 15))!.reads + 2;
    const creates = org.log.filter((e) => e.route === 'tooling.package2VersionCreateRequest.create').length;
    const rerun = await runJwt(org, { 'wait-minutes': '1' });
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    assert.match(
      rerun.stdout,
      new RegExp(`Package version request ${requestId} of an earlier run builds the same content`),
    );
    assert.equal(rerun.outputs['package-version-created'], 'false');
    assert.equal(
      org.log.filter((e) => e.route === 'tooling.package2VersionCreateRequest.create').length,
      creates,
      'no second request',
    );
  } finally {
    await org.close();
  }
});
