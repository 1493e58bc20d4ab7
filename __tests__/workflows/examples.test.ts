// The workflows a user copies, executed step by step against the fake org with the real sf CLI (the version
// conformance pins, installed by script/sf-cli.ts into .tmp/sf-cli once): examples/scratch-org-ci.yml and
// .github/workflows/live.yml, which run the same steps. `run:` steps run in bash, `uses: ./` (and
// org/eca-action@v1) runs dist/index.js as the runner does, `${{ }}` is evaluated (helpers/workflow-runner.ts).
// Not run here: actions/checkout and actions/setup-node (this checkout is the repository, Node is node_modules'),
// and the global npm install of the sf CLI, which a stub `npm` answers by checking that the pinned version is the one
// installed in .tmp/sf-cli.
// Part of the conformance stage (npm run test:workflows), after the sf CLI is installed or restored from the cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureSfCli, SF_CLI_VERSION, sfCliEnv } from '../../script/sf-cli.ts';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { signupState } from '../../fake-org/scratch-signup.ts';
import { stateOf } from '../../fake-org/packaging-state.ts';
import { repoRoot } from '../helpers/run-action.ts';
import { readWorkflow, runWorkflow, type WorkflowRun } from '../helpers/workflow-runner.ts';

let cli: { node: string; runJs: string };
const dirs: string[] = [];

before(() => {
  cli = ensureSfCli();
});

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A runner machine: bin/ with `sf` (the installed CLI) and a stub `npm` for the global CLI install. */
function machine(fake: FakeOrg): { runnerTemp: string; env: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), 'eca-workflow-'));
  dirs.push(root);
  const bin = join(root, 'bin');
  const runnerTemp = join(root, 'temp');
  const home = join(root, 'home');
  for (const d of [bin, runnerTemp, home]) mkdirSync(d, { recursive: true });
  writeFileSync(join(bin, 'sf'), `#!/bin/sh\nexec "${cli.node}" "${cli.runJs}" "$@"\n`);
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/sh
# stub: a workflow's global install of the pinned sf CLI is already done (.tmp/sf-cli); anything else fails.
case "$*" in
  *"install --global"*"@salesforce/cli@${SF_CLI_VERSION}"*) echo "stub npm: @salesforce/cli@${SF_CLI_VERSION} is installed"; exit 0 ;;
  *) echo "stub npm: the workflow asked for something else: $*" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(join(bin, 'sf'), 0o755);
  chmodSync(join(bin, 'npm'), 0o755);
  return {
    runnerTemp,
    env: {
      ...sfCliEnv(home, runnerTemp, fake.caCertPath),
      PATH: `${bin}:${dirname(cli.node)}:/usr/local/bin:/usr/bin:/bin`,
    },
  };
}

function repositorySettings(fake: FakeOrg) {
  return {
    secrets: { DEVHUB_CLIENT_ID: fake.clientId, DEVHUB_JWT_KEY: fake.privateKeyPem },
    vars: { DEVHUB_USERNAME: fake.username, PACKAGE_NAMESPACE: fake.namespace, DEVHUB_LOGIN_URL: fake.loginUrl },
  };
}

function report(run: WorkflowRun): string {
  return run.steps.map((s) => `${s.outcome.padEnd(8)} ${s.job} / ${s.step}${s.note ? `: ${s.note}` : ''}`).join('\n');
}

/** The scratch org the workflow made: created with PlatformCLI, the app's version installed, then deleted. */
function assertScratchOrgLifecycle(fake: FakeOrg, username: string | undefined): void {
  assert.ok(username, 'the create step gave the scratch username as its output');
  const info = signupState(fake.ctx.devHub).requests.find((r) => r.SignupUsername === username);
  assert.ok(info, `a ScratchOrgInfo for ${username}`);
  assert.equal(info.ConnectedAppConsumerKey, 'PlatformCLI', 'signed up with the CLI app (the ECA would fail C-1016)');
  assert.equal(info.org?.settings.hostedMcp, true, 'created with SalesforceHostedMCP');
  assert.equal(stateOf(info.org!).installed.size, 1, "the action installed the app's version into it");
  assert.equal(info.Status, 'Deleted', 'the clean-up step deleted it');
  assert.ok(!fake.ctx.orgs.includes(info.org!), 'the deleted org is gone');
}

test('examples/scratch-org-ci.yml: every step runs against the fake org, and the scratch org is made and deleted', async () => {
  const fake = await startFakeOrg(); // the CI login app is an External Client App, as README's setup makes it
  try {
    const { runnerTemp, env } = machine(fake);
    const run = await runWorkflow(readWorkflow(join(repoRoot, 'examples', 'scratch-org-ci.yml')), {
      ...repositorySettings(fake),
      machineEnv: env,
      runnerTemp,
    });
    const summary = report(run);
    assert.equal(run.jobs['scratch-org']?.result, 'success', summary);
    const skipped = run.steps.filter((s) => s.outcome === 'skipped').map((s) => s.step);
    assert.deepEqual(skipped, ['actions/checkout@v5', 'actions/setup-node@v5'], summary);
    const created = run.steps.find((s) => s.step === 'create a scratch org with hosted MCP');
    assert.equal(created?.outcome, 'success', summary);
    const username = /created scratch org (\S+)/.exec(created.stdout)?.[1];
    assertScratchOrgLifecycle(fake, username);
    assert.ok(!existsSync(join(runnerTemp, 'devhub.key')), 'the last step removed the Dev Hub key');
  } finally {
    await fake.close();
  }
});

test('live.yml: the configured check and the live job run against the fake org, and the scratch org is made and deleted', async () => {
  const fake = await startFakeOrg();
  try {
    const { runnerTemp, env } = machine(fake);
    const run = await runWorkflow(readWorkflow(join(repoRoot, '.github', 'workflows', 'live.yml')), {
      ...repositorySettings(fake),
      machineEnv: env,
      runnerTemp,
    });
    const summary = report(run);
    assert.equal(run.jobs.configured?.outputs.ready, 'true', summary);
    assert.equal(run.jobs.live?.result, 'success', summary);
    const created = run.steps.find((s) => s.step === 'create a scratch org with hosted MCP');
    assertScratchOrgLifecycle(fake, /created scratch org (\S+)/.exec(created?.stdout ?? '')?.[1]);
  } finally {
    await fake.close();
  }
});

test('scratch-org CI: a Dev Hub that fails the clean-up query fails the delete step (no "nothing to delete")', async () => {
  const fake = await startFakeOrg();
  try {
    const { runnerTemp, env } = machine(fake);
    const workflow = readWorkflow(join(repoRoot, 'examples', 'scratch-org-ci.yml'));
    const job = workflow.jobs['scratch-org']!;
    // Only what the clean-up needs: the login, the scratch org, then the delete step with the Dev Hub failing.
    job.steps = job.steps.filter((s) =>
      ['log in to the Dev Hub', 'create a scratch org with hosted MCP', 'delete the scratch org'].includes(
        s.name ?? '',
      ),
    );
    const run = await runWorkflow(workflow, {
      ...repositorySettings(fake),
      machineEnv: env,
      runnerTemp,
      beforeStep: (_job, step) => {
        if (step.name === 'delete the scratch org')
          fake.faults.fail('query.activeScratchOrg', { status: 400, times: 10 });
      },
    });
    const summary = report(run);
    const deleted = run.steps.find((s) => s.step === 'delete the scratch org');
    assert.equal(deleted?.outcome, 'failure', summary);
    assert.doesNotMatch(deleted.stdout, /nothing to delete/, summary);
    assert.equal(run.jobs['scratch-org']?.result, 'failure');
  } finally {
    await fake.close();
  }
});

test('scratch-org CI: an org made but not logged in to (the Dev Hub key deleted early) is still deleted in the Dev Hub', async () => {
  // forcedotcom/cli#2500 as the old live.yml met it: a Connected App login, no signup variable, and the key removed by
  // the login step's trap. Signup succeeds, the CLI's JWT login to the new org cannot read the key: no alias, an org
  // left behind, unless the clean-up finds it in the Dev Hub.
  const fake = await startFakeOrg({ ciLoginApp: 'connected-app' });
  try {
    const { runnerTemp, env } = machine(fake);
    const workflow = readWorkflow(join(repoRoot, 'examples', 'scratch-org-ci.yml'));
    const job = workflow.jobs['scratch-org']!;
    job.steps = job.steps.filter((s) =>
      ['log in to the Dev Hub', 'create a scratch org with hosted MCP', 'delete the scratch org'].includes(
        s.name ?? '',
      ),
    );
    const login = job.steps[0]!;
    login.run = `${login.run}\nrm -f "$RUNNER_TEMP/devhub.key"  # what a trap on EXIT did\n`;
    delete job.steps[1]!.env;
    const run = await runWorkflow(workflow, { ...repositorySettings(fake), machineEnv: env, runnerTemp });
    const summary = report(run);
    const created = run.steps.find((s) => s.step === 'create a scratch org with hosted MCP');
    assert.equal(created?.outcome, 'failure', summary);
    assert.match(`${created.stdout}${created.stderr}`, /ENOENT/, summary);
    const info = signupState(fake.ctx.devHub).requests.at(-1)!;
    assert.equal(info.ConnectedAppConsumerKey, fake.clientId, 'signed up with the Connected App');
    assert.equal(run.steps.find((s) => s.step === 'delete the scratch org')?.outcome, 'success', summary);
    assert.equal(info.Status, 'Deleted', 'the clean-up deleted the org the CLI has no login for');
  } finally {
    await fake.close();
  }
});

test('every workflow job that sets step timeouts sets one on each step, and a job timeout at least their sum', () => {
  for (const file of ['examples/scratch-org-ci.yml', 'examples/mcp-app.yml', '.github/workflows/live.yml']) {
    const workflow = readWorkflow(join(repoRoot, file));
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const sum = job.steps.reduce((total, s) => total + (s['timeout-minutes'] ?? 0), 0);
      if (!sum) continue;
      // A step without its own timeout could use the whole job's time and starve the clean-up.
      for (const step of job.steps)
        assert.ok(step['timeout-minutes'], `${file} ${name}: '${step.name ?? step.id ?? step.uses}' has no timeout`);
      assert.ok(job['timeout-minutes'], `${file} ${name}: no job timeout`);
      assert.ok(job['timeout-minutes'] >= sum, `${file} ${name}: job ${job['timeout-minutes']} min < steps ${sum} min`);
    }
  }
});

test('no example or workflow expands a step output inside run:', () => {
  const files = ['examples/scratch-org-ci.yml', 'examples/mcp-app.yml', '.github/workflows/live.yml'];
  for (const file of files) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const [, job] of Object.entries(readWorkflow(join(repoRoot, file)).jobs))
      for (const step of job.steps)
        assert.doesNotMatch(step.run ?? '', /\$\{\{[^}]*\b(steps|needs)\./, `${file}: ${step.name ?? step.id}`);
    assert.ok(text.length > 0);
  }
});
