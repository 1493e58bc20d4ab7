// Cancellation (SIGINT/SIGTERM in the middle of a deploy or a version creation), ten reruns against one org, and
// two runs at once, all against the committed bundle. Every run goes through the leak scan and the leftovers check.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { selfSigned, type KeyAndCert } from '../../fake-org/certs.ts';
import { stateOf } from '../../fake-org/packaging-state.ts';
import { runAction, type ActionRun, type RunOptions } from '../helpers/run-action.ts';
import { assertCleanRun } from '../helpers/leaks.ts';
import { APP, consumerOf, fakeEnv, jwtInputs, secretsOf } from '../helpers/fake-env.ts';

let jwtKey: KeyAndCert;
before(async () => {
  jwtKey = await selfSigned('eca-action CI');
});

/** A run whose system temp folder (TMPDIR) is inside the runner's temp folder, so leftovers() sees it too. */
async function run(org: FakeOrg, opts: Partial<RunOptions> = {}): Promise<ActionRun> {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'eca-runner-'));
  mkdirSync(join(runnerTemp, 'tmp'));
  return runAction({
    inputs: jwtInputs(org),
    env: fakeEnv(org, { TMPDIR: join(runnerTemp, 'tmp') }),
    runnerTemp,
    timeoutMs: 90_000,
    ...opts,
  });
}

/** Nothing secret printed or left, no temporary file left anywhere; then the run's folders go. */
function assertClean(org: FakeOrg, r: ActionRun): void {
  assertCleanRun(r, secretsOf(org));
  rmSync(r.runnerTemp, { recursive: true, force: true });
}

const versionsOf = (org: FakeOrg): string[] =>
  [...stateOf(org.ctx.devHub).versions.values()].map(
    (v) => `${v.MajorVersion}.${v.MinorVersion}.${v.PatchVersion}.${v.BuildNumber}`,
  );

// ---- cancellation

/**
 * How late the slowed step answers: far longer than a run takes to exit, however loaded the machine. The fake logs
 * a request when it answers, so a step still unfinished once the run has exited shows that the run stopped without
 * waiting for the answer: "at once", told by what happened rather than by a stopwatch.
 */
const SLOW_MS = 20_000;

interface Moment {
  name: string;
  /** makes the step slow enough to be interrupted in the middle */
  slow: (org: FakeOrg) => void;
  /** the run is in the middle of the step */
  reached: (org: FakeOrg, stdout: string) => boolean;
  /** the step's slowed answer has not come (checked after the run exited: it did not wait for it) */
  unfinished: (org: FakeOrg) => boolean;
}

const MOMENTS: Moment[] = [
  {
    name: 'while the deploy is polling',
    slow: (org) => org.faults.delay('soap.checkDeployStatus', SLOW_MS),
    reached: (org, stdout) => /Deploy 0Af\w+ started/.test(stdout) && org.log.some((e) => e.route === 'soap.deploy'),
    unfinished: (org) => !org.log.some((e) => e.route === 'soap.checkDeployStatus'),
  },
  {
    name: 'while the package version is being created',
    // From the second read on: the first is the look-up of earlier requests with the same content, before the create.
    slow: (org) => org.faults.delay('tooling.query.package2VersionCreateRequest', SLOW_MS, { nth: 2 }),
    reached: (org) => org.log.some((e) => e.route === 'tooling.package2VersionCreateRequest.create'),
    // The look-up of earlier requests with the same content comes before the create; only a status read after it counts.
    unfinished: (org) =>
      !org.log
        .slice(org.log.findIndex((e) => e.route === 'tooling.package2VersionCreateRequest.create') + 1)
        .some((e) => e.route === 'tooling.query.package2VersionCreateRequest'),
  },
];

for (const moment of MOMENTS) {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    test(`${signal} ${moment.name}: exits ${code} at once, says so, and leaves no temporary file`, async (t) => {
      const org = await startFakeOrg({ jwtKey });
      try {
        moment.slow(org);
        let signalledAt = 0;
        const r = await run(org, {
          post: true,
          onSpawn: (child, output) => {
            const timer = setInterval(() => {
              if (!moment.reached(org, output.stdout())) return;
              clearInterval(timer);
              signalledAt = Date.now();
              child.kill(signal);
            }, 10);
            child.on('close', () => clearInterval(timer));
          },
        });
        const exitedAfter = Date.now() - signalledAt;
        assert.ok(signalledAt > 0, `the run never reached the moment:\n${r.stdout}`);
        assert.ok(
          moment.unfinished(org),
          'the signal came in the middle of the step, and the run exited without waiting for it',
        );
        assert.equal(r.code, code, r.stdout + r.stderr);
        t.diagnostic(`exited ${code} ${exitedAfter} ms after ${signal}`);
        assert.match(
          r.stdout,
          new RegExp(`::error::eca-action was cancelled \\(${signal}\\); temporary files were removed\\.`),
        );
        assert.doesNotMatch(r.stdout, /eca-action failed/, 'a cancellation, not a failure');
        assert.equal(r.post?.code, 0, `the post step: ${r.post?.stdout}${r.post?.stderr}`);
        assertClean(org, r);
      } finally {
        await org.close();
      }
    });
  }
}

// ---- reruns

test('ten runs with the same inputs and new-version: always: one app, one package, the same key, versions 1.0.0.1 … 1.0.0.10 in order', async () => {
  const org = await startFakeOrg({ jwtKey });
  try {
    const keys: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const r = await run(org, { inputs: jwtInputs(org, { 'new-version': 'always' }) });
      assert.equal(r.code, 0, `run ${i}: ${r.stdout}${r.stderr}`);
      assert.equal(r.outputs['package-version-number'], `1.0.0.${i}`, `run ${i}`);
      keys.push(r.outputs['consumer-key']!);
      assertClean(org, r);
    }
    assert.deepEqual(new Set(keys), new Set([consumerOf(org)!.key]), 'the same consumer key every time');
    assert.equal(org.ctx.devHub.metadata.get('ExternalClientApplication')?.size, 1, 'one app');
    assert.equal(org.ctx.devHub.consumers.size, 1, 'one OAuth consumer');
    assert.equal(stateOf(org.ctx.devHub).packages.size, 1, 'one package');
    assert.deepEqual(
      versionsOf(org),
      Array.from({ length: 10 }, (_, i) => `1.0.0.${i + 1}`),
      'versions in order',
    );
  } finally {
    await org.close();
  }
});

// ---- two runs at once

/** Both succeed, or one fails saying why; either way one app with one consumer, and one package. */
function assertConverged(org: FakeOrg, runs: ActionRun[], key?: string): void {
  for (const r of runs) {
    if (r.code !== 0)
      assert.match(r.stdout, /::error::eca-action failed: \S/, `a failure says why: ${r.stdout}${r.stderr}`);
    assertClean(org, r);
  }
  const ok = runs.filter((r) => r.code === 0);
  assert.ok(ok.length >= 1, `at least one run succeeds:\n${runs.map((r) => r.stdout).join('\n----\n')}`);
  const consumer = consumerOf(org)!;
  if (key) assert.equal(consumer.key, key, 'the key is unchanged');
  for (const r of ok) assert.equal(r.outputs['consumer-key'], consumer.key);
  assert.equal(org.ctx.devHub.metadata.get('ExternalClientApplication')?.size, 1, 'one app');
  assert.equal(org.ctx.devHub.consumers.size, 1, 'one OAuth consumer');
  assert.equal(stateOf(org.ctx.devHub).packages.size, 1, 'one package');
  const numbers = ok.map((r) => r.outputs['package-version-number']);
  assert.equal(new Set(numbers).size, numbers.length, `each run its own version: ${numbers.join(', ')}`);
}

const RACE_HOLD_MS = 5000;

test('two first runs at once against a new org: the app, its key and the package are made once', async () => {
  const org = await startFakeOrg({ jwtKey });
  try {
    // Hold both deploys and both package look-ups, so that each run reads "no app" and "no package" before the other
    // one made them: the race, every time. The hold is far longer than the two runs' start can differ on a loaded
    // machine.
    org.faults.delay('soap.deploy', RACE_HOLD_MS, { times: 2 });
    org.faults.delay('tooling.query.package2', RACE_HOLD_MS, { times: 2 });
    const runs = await Promise.all([1, 2].map(() => run(org, { inputs: jwtInputs(org, { 'new-version': 'always' }) })));
    assert.equal(runs.filter((r) => /MCP_Client_App is new/.test(r.stdout)).length, 2, 'both runs found no app');
    assert.equal(
      org.log.filter((e) => e.route === 'tooling.package2.create').length,
      2,
      'both runs tried to create the package',
    );
    assertConverged(org, runs);
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0],
      'both succeed',
    );
    assert.equal(
      runs.filter((r) =>
        /Package MCP_Client_App was created by another run at the same time; looking it up again/.test(r.stdout),
      ).length,
      1,
      'the loser reuses the package',
    );
    assert.deepEqual(versionsOf(org).sort(), ['1.0.0.1', '1.0.0.2']);
  } finally {
    await org.close();
  }
});

test('two reruns at once against an org that has the app: both succeed, the key is unchanged', async () => {
  const org = await startFakeOrg({ jwtKey });
  try {
    const first = await run(org);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assertClean(org, first);
    const key = consumerOf(org)!.key;
    // Both deploys and both version requests overlap.
    org.faults.delay('soap.deploy', 1000, { times: 2 });
    org.faults.delay('tooling.package2VersionCreateRequest.create', 1000, { times: 2 });
    const runs = await Promise.all([1, 2].map(() => run(org, { inputs: jwtInputs(org, { 'new-version': 'always' }) })));
    assertConverged(org, runs, key);
    assert.deepEqual(
      runs.map((r) => r.code),
      [0, 0],
      'both succeed',
    );
    assert.deepEqual(versionsOf(org).sort(), ['1.0.0.1', '1.0.0.2', '1.0.0.3']);
    assert.ok(org.ctx.devHub.metadata.get('ExternalClientApplication')?.has(APP));
  } finally {
    await org.close();
  }
});
