// mode: verify in process (src/verify.ts with src/credentials.ts reading the settings): the app as planned, deployed
// to a fake Dev Hub of this file's own with the action's rendered metadata, has no drift; after an admin weakens a
// setting in Setup, verifyApp names it; an app the Dev Hub does not have is refused naming app-name. Only reads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { appExists, readAppState } from '../../src/credentials.ts';
import { deployProject } from '../../src/deploy.ts';
import { connectDevHub, type OrgSession } from '../../src/login.ts';
import { renderProject, writeProject } from '../../src/render.ts';
import { verifyApp } from '../../src/verify.ts';
import { planOf, settingsOf } from '../helpers/inputs.ts';
import { setupChange } from '../helpers/setup-change.ts';
import { jwtAuth, startStepOrg, type StepOrg } from '../helpers/step-org.ts';

const APP = 'Step_Verify_App';
const inputs = { 'app-name': APP, package: 'false', mode: 'verify' };
const steps = { appExists, readAppState };

let org: StepOrg;
let hub: OrgSession;
before(async () => {
  org = await startStepOrg();
  hub = await connectDevHub(jwtAuth(org.fake), org.ws, org.log);
  const dir = mkdtempSync(join(org.ws.root, 'verify-'));
  writeProject(dir, renderProject(planOf(inputs), { target: 'deploy' }));
  await deployProject(hub.connection, dir, { timeoutMs: 60_000, log: org.log });
});
after(() => org.close());

/** verifyApp as main calls it, and the requests it made that were not reads. */
async function verify(overrides: Record<string, string> = {}) {
  const mark = org.fake.log.length;
  const report = await verifyApp(
    settingsOf({ ...inputs, ...overrides }),
    planOf({ ...inputs, ...overrides }),
    { hub: hub.connection },
    steps,
    {
      timeoutMs: 60_000,
      log: org.log,
    },
  );
  const seen = org.fake.log.slice(mark);
  // Reads are listMetadata, retrieve and its status reads; a deploy or any credentials resource would not be.
  const writes = seen.filter((e) => /deploy/i.test(e.route) || e.path.includes('/apps/oauth/'));
  return { report, writes: writes.map((e) => `${e.method} ${e.route}`), reads: seen.length };
}

test('the app as planned: no drift, nothing written, no key read', async () => {
  const { report, writes, reads } = await verify();
  assert.equal(report.appName, APP);
  assert.deepEqual(report.orgs, ['Dev Hub']);
  assert.deepEqual(report.drifts, []);
  assert.deepEqual(writes, []);
  assert.ok(reads > 0, 'the app was read from the org');
});

test('PKCE switched off in Setup: one drift on isPkceRequired, said as weaker', async () => {
  await setupChange(org.fake, [
    { type: 'ExtlClntAppGlobalOauthSettings', fullName: `${APP}_glbloauth`, edit: { isPkceRequired: 'false' } },
  ]);
  const { report, writes } = await verify();
  assert.deepEqual(writes, []);
  assert.deepEqual(
    report.drifts.map((d) => ({ org: d.org, setting: d.setting, wanted: d.wanted, actual: d.actual, kind: d.kind })),
    [{ org: 'Dev Hub', setting: 'Require PKCE', wanted: 'on', actual: 'off', kind: 'weaker' }],
  );
});

test('an app the Dev Hub does not have: refused naming app-name, before any retrieve', async () => {
  const mark = org.fake.log.length;
  await assert.rejects(
    verify({ 'app-name': 'Step_Verify_None' }),
    /^Error: app-name: the Dev Hub has no External Client App named Step_Verify_None/,
  );
  assert.ok(
    org.fake.log.slice(mark).every((e) => !/retrieve/i.test(e.route)),
    org.fake.log
      .slice(mark)
      .map((e) => e.route)
      .join(),
  );
});
