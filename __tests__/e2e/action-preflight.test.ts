// Fail before side effects: every problem that can be known before the first deploy stops the run before it,
// naming the input at fault. The bundle runs against the fake org; its request log shows that nothing was deployed.
// Each test has a fake org of its own: what one test installs or changes there cannot decide another's outcome.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import type { ActionRun } from '../helpers/run-action.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';
import { runJwt, secretsOf } from '../helpers/fake-env.ts';

let org: FakeOrg;
beforeEach(async () => {
  org = await startFakeOrg();
});
afterEach(async () => {
  await org.close();
});

/** Requests that change an org: deploys, package and version creates, installs, MCP activations. */
const CHANGES =
  /^(soap\.deploy|metadata\.deployRequest\.create|tooling\.package2\.create|tooling\.package2VersionCreateRequest\.create|tooling\.packageInstallRequest\.create|tooling\.mcpServerAccess\.)/;
const changesSince = (from: number): string[] =>
  org.log
    .slice(from)
    .map((e) => e.route)
    .filter((r) => CHANGES.test(r));

async function failsBeforeChanges(extra: Record<string, string>, message: RegExp): Promise<ActionRun> {
  const from = org.log.length;
  const run = await runJwt(org, extra);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, message);
  assert.deepEqual(changesSince(from), [], 'nothing was changed in any org');
  assertNoLeaks(run, secretsOf(org));
  return run;
}

test('a namespace not linked to the Dev Hub: package-namespace, before any deploy', async () => {
  await failsBeforeChanges(
    { 'package-namespace': 'otherns' },
    /::error::.*package-namespace: otherns is not linked to this Dev Hub \(linked: ecafake\)/,
  );
});

test('a Dev Hub user with Modify Metadata but not Customize Application: the login input, before any deploy', async () => {
  org.ctx.devHub.settings.userPermissions = { PermissionsModifyMetadata: true, PermissionsCustomizeApplication: false };
  const run = await failsBeforeChanges(
    {},
    /::error.*dev-hub-username: the Dev Hub user \S+ lacks permissions this run needs.*creating the app: "Customize Application"\..*Setup → Permission Sets/,
  );
  assert.match(run.stdout, /"Modify Metadata Through Metadata API Functions" alone is not enough/);
});

test('a Dev Hub user with neither Modify All Data nor the External Client App permissions: each named, before any deploy', async () => {
  org.ctx.devHub.settings.userPermissions = {
    PermissionsModifyAllData: false,
    PermissionsExternalClientAppDeveloper: false,
    PermissionsExternalClientAppAdmin: false,
    PermissionsViewClientSecret: false,
  };
  const run = await failsBeforeChanges(
    { 'require-secret': 'true', 'allow-secret-for-desktop': 'true' },
    /dev-hub-username: the Dev Hub user \S+ lacks/,
  );
  assert.match(
    run.stdout,
    /creating the app: "Create, edit, and delete External Client Apps" \(or "Modify All Data"\)/,
  );
  assert.match(
    run.stdout,
    /the app's policies: "View all External Client Apps, view their settings, and edit their policies" \(or "Modify All Data"\)/,
  );
  assert.match(
    run.stdout,
    /require-secret \(reading the consumer secret\): "View External Client App Consumer Secrets in Metadata"/,
  );
});

test('Customize Application and the External Client App permissions without Modify All Data: the app is created', async () => {
  org.ctx.devHub.settings.userPermissions = { PermissionsModifyAllData: false, PermissionsModifyMetadata: false };
  const run = await runJwt(org, { package: 'false' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Checked before any change: Dev Hub user may create External Client Apps/);
});

test('an install target that cannot log in: install-target, before any deploy', async () => {
  await failsBeforeChanges(
    { 'install-target': org.scratchAuthUrl.replace(/::[^@]+@/, '::5Aep861revokedrevokedrevoked@') },
    /install-target: Could not log in to the install target with its auth URL/,
  );
});

test('an sf CLI alias nobody logged in with as install target: install-target, before any deploy', async () => {
  await failsBeforeChanges(
    { 'install-target': 'no-such-scratch' },
    /install-target: No sf CLI login found for 'no-such-scratch'/,
  );
});

test('an install target created with the package namespace: install-target, says what to do', async () => {
  org.ctx.scratch.namespace = org.namespace;
  try {
    await failsBeforeChanges(
      { 'install-target': org.scratchAuthUrl },
      /install-target: the org \S+ has the namespace ecafake itself .*cannot be installed into it\. Create the scratch org without the namespace/,
    );
  } finally {
    org.ctx.scratch.namespace = undefined;
  }
});

test('mcp-servers with an install target without hosted MCP: mcp-servers, names the scratch-org feature', async () => {
  org.ctx.scratch.settings.hostedMcp = false;
  try {
    await failsBeforeChanges(
      { 'install-target': org.scratchAuthUrl, 'mcp-servers': 'sobject-all' },
      /mcp-servers: the install target \S+ has no hosted MCP servers.*SalesforceHostedMCP/,
    );
  } finally {
    org.ctx.scratch.settings.hostedMcp = undefined;
  }
});

test('several problems are reported together', async () => {
  org.ctx.scratch.namespace = 'otherns';
  try {
    const run = await failsBeforeChanges(
      { 'package-namespace': 'otherns', 'install-target': org.scratchAuthUrl },
      /2 problem\(s\) found before any change was made/,
    );
    // One annotation per problem, titled by its input, as for input problems.
    assert.match(run.stdout, /::error title=Input package-namespace::package-namespace: otherns is not linked/);
    assert.match(
      run.stdout,
      /::error title=Input install-target::install-target: the org \S+ has the namespace otherns itself/,
    );
  } finally {
    org.ctx.scratch.namespace = undefined;
  }
});

test('an older beta of the package in the install target: install-target, before any deploy', async () => {
  const first = await runJwt(org, { 'install-target': org.scratchAuthUrl });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(
    first.stdout,
    /Checked before any change: Dev Hub user may create External Client Apps, namespace ecafake is linked, the install target can take the package\./,
  );
  // An unchanged rerun reuses the very version the target holds: nothing to refuse, nothing built, nothing installed.
  const rerun = await runJwt(org, { 'install-target': org.scratchAuthUrl });
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.match(rerun.stdout, /The install target has 1\.0\.0\.1 \(04t\w+\), the version this run reuses/);
  assert.equal(rerun.outputs['package-version-created'], 'false');
  // A run that would build another version (changed content, or new-version: always) cannot install it there.
  const beta =
    /install-target: the org \S+ already has the beta version 1\.0\.0\.1 \(04t\w+\) of package MCP_Client_App; a beta of a managed package cannot be upgraded, and this run would install another version/;
  await failsBeforeChanges({ 'install-target': org.scratchAuthUrl, 'new-version': 'always' }, beta);
  await failsBeforeChanges(
    { 'install-target': org.scratchAuthUrl, description: 'Changed since the version was built' },
    beta,
  );
});

test('an install the org refuses later is reported against install-target', async () => {
  const scratch = await startFakeOrg();
  try {
    scratch.ctx.failures.install = ['Unable to install: the org is locked.'];
    const run = await runJwt(scratch, { 'install-target': scratch.scratchAuthUrl });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /::error::eca-action failed: install-target: Install 0Hf\w+ of 04t\w+ ended in ERROR:%0A {2}- Unable to install: the org is locked\./,
    );
  } finally {
    await scratch.close();
  }
});
