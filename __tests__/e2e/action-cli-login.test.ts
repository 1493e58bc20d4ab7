// `dev-hub` and `install-target` as sf CLI logins made by an earlier step: the action reuses them from HOME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOrg } from '../../fake-org/server.ts';
import { runAction } from '../helpers/run-action.ts';
import { assertNoLeaks, leftovers } from '../helpers/leaks.ts';
import { consumerOf, fakeEnv, secretsOf } from '../helpers/fake-env.ts';
import { saveCliLogins } from '../helpers/sf-cli.ts';

test('sf CLI logins from an earlier step are reused for the Dev Hub and the install target', async () => {
  const org = await startFakeOrg();
  const runnerTemp = mkdtempSync(join(tmpdir(), 'eca-runner-'));
  const home = join(runnerTemp, 'home');
  mkdirSync(home);
  const savedHome = process.env.HOME;
  try {
    await saveCliLogins(home, org, { hub: 'hub', scratch: 'scratch' });
    const before = readdirSync(join(home, '.sfdx')).sort();

    const run = await runAction({
      runnerTemp,
      inputs: {
        clients: 'cursor',
        'contact-email': 'ops@example.com',
        'dev-hub': 'hub',
        'package-namespace': org.namespace,
        'install-target': 'scratch',
        'wait-minutes': '2',
      },
      env: fakeEnv(org),
      post: true,
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['consumer-key'], consumerOf(org)!.key);
    assert.match(run.stdout, /Installed 04t\w+; the target org lists it/);
    // The user's logins are still there, untouched in number.
    assert.deepEqual(readdirSync(join(home, '.sfdx')).sort(), before);
    assertNoLeaks(run, secretsOf(org), { extraDirs: [] });
    assert.deepEqual(leftovers(run, [`${runnerTemp}/eca-action`]), []);

    // An alias nobody logged in with: a clear error naming the input's value and what to do.
    const missing = await runAction({
      runnerTemp,
      inputs: { clients: 'cursor', 'contact-email': 'ops@example.com', 'dev-hub': 'nohub', package: 'false' },
      env: fakeEnv(org),
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /No sf CLI login found for 'nohub'.*Log in in an earlier step/);
  } finally {
    process.env.HOME = savedHome;
    await org.close();
  }
});
