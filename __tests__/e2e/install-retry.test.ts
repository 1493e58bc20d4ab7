// A package version reported available may still not be installable (docs/platform-notes.md §10), and the answer to
// the install POST may be lost after the org carried it out. The committed bundle against the fake org: the run
// waits through every "not yet" phase until wait-minutes runs out, and never installs twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { stateOf } from '../../fake-org/packaging-state.ts';
import { runJwt, secretsOf } from '../helpers/fake-env.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';

async function withOrg(fn: (org: FakeOrg) => Promise<void>): Promise<void> {
  const org = await startFakeOrg();
  try {
    await fn(org);
  } finally {
    await org.close();
  }
}

const creates = (org: FakeOrg): number =>
  org.log.filter((e) => e.route === 'tooling.packageInstallRequest.create').length;

test('install: waits through the query errors, the refused create and the "not fully available" install', () =>
  withOrg(async (org) => {
    // The three phases, as the evidence describes them: @salesforce/packaging's isErrorPackageNotAvailable codes on
    // the SubscriberPackageVersion query; CumulusCI's "invalid cross reference id" on the create; the install error
    // quoted in SFDO-Community/declarative-lookup-rollup-summaries#918 after the version read as available.
    org.ctx.timing.versionQueryErrors = ['UNKNOWN_EXCEPTION', 'PACKAGE_UNAVAILABLE'];
    org.ctx.timing.installCreateRefusals = 2;
    org.ctx.timing.installsNotAvailable = 1;
    const run = await runJwt(org, { 'install-target': org.scratchAuthUrl });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /is not yet available in the target org \(UNKNOWN_EXCEPTION/);
    assert.match(run.stdout, /is not yet available in the target org \(PACKAGE_UNAVAILABLE/);
    assert.match(
      run.stdout,
      /Install request: transient failure \(INVALID_CROSS_REFERENCE_KEY: invalid cross reference id\)/,
    );
    assert.match(run.stdout, /is not fully available yet; installing again/);
    assert.match(run.stdout, /Installed 04t\w+; the target org lists it\./);
    // two refused creates, one install that ended in ERROR, one that succeeded
    assert.equal(creates(org), 4);
    assert.equal(stateOf(org.ctx.scratch).installed.size, 1);
    assertNoLeaks(run, secretsOf(org));
  }));

// Every form CI libraries retry an install on (CumulusCI RETRY_PACKAGE_ERRORS, docs/platform-notes.md §10), each as the
// error an install request ends with after the version read as available: the run installs again and succeeds.
for (const form of ['notYetAvailable', 'versionNumber', 'doesNotYetExist', 'rowLock', 'notFullyAvailable'] as const) {
  test(`install: an install that ends in the "${form}" form is installed again`, () =>
    withOrg(async (org) => {
      org.ctx.timing.installNotYetTexts = [form];
      const run = await runJwt(org, { 'install-target': org.scratchAuthUrl });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /is not fully available yet; installing again/);
      assert.match(run.stdout, /Installed 04t\w+; the target org lists it\./);
      assert.equal(creates(org), 2, 'one install that ended in ERROR, one that succeeded');
      assertNoLeaks(run, secretsOf(org));
    }));
}

test('install: the answer to the install POST is lost after the org started it: the run adopts that request, no second install', () =>
  withOrg(async (org) => {
    org.faults.lose('tooling.packageInstallRequest.create');
    const run = await runJwt(org, { 'install-target': org.scratchAuthUrl });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(
      org.log.filter((e) => e.route === 'tooling.packageInstallRequest.create').map((e) => e.fault ?? 'answered'),
      ['lose'],
      'one install POST: the lost one',
    );
    assert.match(
      run.stdout,
      /Install request 0Hf\w+ of this run was accepted before the failure; waiting for it instead of installing again\./,
    );
    assert.equal(stateOf(org.ctx.scratch).installRequests.size, 1, 'one install request in the target org');
    assert.match(run.stdout, /Installed 04t\w+; the target org lists it\./);
  }));

test('the lost answer of a version create, a package create or a deploy does not double the work', () =>
  withOrg(async (org) => {
    org.faults.lose('tooling.package2.create');
    org.faults.lose('tooling.package2VersionCreateRequest.create');
    org.faults.lose('soap.deploy');
    const run = await runJwt(org);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const hub = stateOf(org.ctx.devHub);
    assert.equal(hub.packages.size, 1, 'one package');
    assert.equal(hub.requests.size, 1, 'one version request');
    assert.match(run.stdout, /Package version request \w+ of this run was accepted before the failure/);
    assert.equal(org.ctx.devHub.metadata.get('ExtlClntAppOauthConfigurablePolicies')?.size, 1, 'one OAuth policy');
  }));
