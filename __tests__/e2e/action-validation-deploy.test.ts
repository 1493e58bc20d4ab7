// package-validation (async by default, full, skip) and install-method: deploy, through the bundle against the fake
// org, with every action.yml default applied.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';
import { APP, consumerOf, runJwt, secretsOf } from '../helpers/fake-env.ts';

const orgs: FakeOrg[] = [];
after(async () => {
  await Promise.all(orgs.map((o) => o.close()));
});
async function freshOrg(): Promise<FakeOrg> {
  const org = await startFakeOrg();
  orgs.push(org);
  return org;
}

type Request = { AsyncValidation: boolean; SkipValidation: boolean; Status: string };
const requestsOf = (org: FakeOrg): Request[] => [
  ...((org.ctx.devHub.ext.get('packaging') as { requests: Map<string, Request> }).requests.values() ?? []),
];
const limitsOf = (org: FakeOrg) =>
  (org.ctx.devHub.ext.get('packaging') as { limits: Record<string, { Remaining: number }> }).limits;
/** The outputs that carry a key by design (masked). */
const KEY_OUTPUTS = ['consumer-key', 'consumer-secret', 'target-consumer-key'];
const targetSecrets = (org: FakeOrg) =>
  secretsOf(org, [
    { what: 'the install target consumer key', value: org.ctx.scratch.consumers.get(APP)?.consumerKey },
    { what: 'the install target consumer secret', value: org.ctx.scratch.consumers.get(APP)?.consumerSecret },
  ]);

test('package-validation: async by default: the version installs while its validations run, the summary says so', async () => {
  const org = await freshOrg();
  const run = await runJwt(org, { 'install-target': org.scratchAuthUrl });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const [request] = requestsOf(org);
  assert.equal(request?.AsyncValidation, true);
  assert.equal(request?.SkipValidation, false);
  assert.match(run.outputs['package-version-id'] ?? '', /^04t\w{15}$/);
  assert.equal(org.ctx.scratch.metadata.get('ExternalClientApplication')?.size, 1, 'installed');
  assert.match(run.stdout, /validations are still running \(package-validation: async\)/);
  assert.match(
    run.summary,
    /\*\*Package validation:\*\* async: the version was installable before its validations ended/,
  );
  assert.match(run.summary, /--code-coverage/);
  assertNoLeaks(run, secretsOf(org));
});

test('package-validation: async: a validation that fails after the build is reported, and the version is not reused', async () => {
  const org = await freshOrg();
  org.ctx.timing.validationPolls = 0;
  org.ctx.failures.asyncValidation = [`ExternalClientApplication ${APP}: a validation the platform runs late failed.`];
  const run = await runJwt(org);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.outputs['package-version-id'] ?? '', /^04t/);
  assert.match(run.stdout, /::warning title=package-validation::The async validation of the package version failed/);
  assert.match(run.summary, /validations \*\*failed\*\* after the version was built/);
  // The org's message, escaped, under the outcome line that says so.
  assert.match(
    run.summary,
    /\n {2}- ExternalClientApplication MCP\\_Client\\_App: a validation the platform runs late failed\./,
  );
  const again = await runJwt(org);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /its async validation failed: not reusing it/);
  assert.equal(again.outputs['package-version-created'], 'true');
  assert.notEqual(again.outputs['package-version-id'], run.outputs['package-version-id']);
});

test('package-validation: full waits for every validation; skip uses its own daily limit and is never reused for full', async () => {
  const org = await freshOrg();
  const full = await runJwt(org, { 'package-validation': 'full' });
  assert.equal(full.code, 0, full.stdout + full.stderr);
  assert.deepEqual(
    requestsOf(org).map((r) => [r.AsyncValidation, r.SkipValidation, r.Status]),
    [[false, false, 'Success']],
  );
  assert.match(full.summary, /\*\*Package validation:\*\* full: every validation passed/);

  // skip, same content: the validated version does as well (it is better), so nothing is built.
  const skipReuse = await runJwt(org, { 'package-validation': 'skip' });
  assert.equal(skipReuse.code, 0, skipReuse.stdout + skipReuse.stderr);
  assert.equal(skipReuse.outputs['package-version-created'], 'false');
  assert.equal(skipReuse.outputs['package-version-id'], full.outputs['package-version-id']);

  // skip, changed content: a version without validation, counted against Package2VersionCreatesWithoutValidation.
  const before = {
    withoutValidation: limitsOf(org).Package2VersionCreatesWithoutValidation!.Remaining,
    validated: limitsOf(org).Package2VersionCreates!.Remaining,
  };
  const skip = await runJwt(org, { 'package-validation': 'skip', description: 'changed' });
  assert.equal(skip.code, 0, skip.stdout + skip.stderr);
  assert.equal(requestsOf(org).at(-1)?.SkipValidation, true);
  assert.equal(limitsOf(org).Package2VersionCreatesWithoutValidation!.Remaining, before.withoutValidation - 1);
  assert.equal(limitsOf(org).Package2VersionCreates!.Remaining, before.validated);
  assert.match(skip.stdout, /Package2VersionCreatesWithoutValidation/);
  assert.match(skip.summary, /\*\*Package validation:\*\* skip: not validated, so this version can never be promoted/);

  // full, that same changed content: the skipped version could never be promoted, so a validated one is built.
  const fullAgain = await runJwt(org, { 'package-validation': 'full', description: 'changed' });
  assert.equal(fullAgain.code, 0, fullAgain.stdout + fullAgain.stderr);
  assert.equal(fullAgain.outputs['package-version-created'], 'true');
  assert.notEqual(fullAgain.outputs['package-version-id'], skip.outputs['package-version-id']);
});

test('install-method: deploy: the app goes straight into the install target with its own key; no package, no version', async () => {
  const org = await freshOrg();
  const run = await runJwt(org, {
    'install-method': 'deploy',
    'install-target': org.scratchAuthUrl,
    'package-namespace': '',
    'wait-until-usable': '1',
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const hubKey = consumerOf(org)?.key;
  const targetKey = org.ctx.scratch.consumers.get(APP)?.consumerKey;
  assert.ok(hubKey && targetKey && hubKey !== targetKey, 'two apps, two keys');
  assert.equal(run.outputs['consumer-key'], hubKey);
  assert.equal(run.outputs['target-consumer-key'], targetKey);
  assert.ok(run.stdout.includes(`::add-mask::${targetKey}`), 'the target key is masked');
  assert.equal(run.outputs['package-version-id'], undefined);
  const routes = org.log.map((e) => e.route);
  assert.ok(!routes.some((r) => /package2|packageInstallRequest/i.test(r)), routes.join('\n'));
  assert.equal(run.outputs.usable, 'true');
  assert.match(run.stdout, /The install target knows the app/);
  assert.match(
    run.summary,
    /\*\*Deployed\*\* the app straight into the install target .*\(`install-method: deploy`\), with its own consumer key ending in `….{4}`/,
  );
  assertNoLeaks(run, targetSecrets(org), { outputSecrets: KEY_OUTPUTS });

  // A rerun converges: the same app is updated in place in both orgs, and keeps its keys.
  const again = await runJwt(org, {
    'install-method': 'deploy',
    'install-target': org.scratchAuthUrl,
    'package-namespace': '',
  });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /exists in the install target; it will be updated in place/);
  assert.equal(again.outputs['target-consumer-key'], targetKey);
  assert.equal(again.outputs['consumer-key'], hubKey);
  assertNoLeaks(again, targetSecrets(org), { outputSecrets: KEY_OUTPUTS });
});

test('install-method: deploy without install-target is refused, naming the input, before any org is contacted', async () => {
  const org = await freshOrg();
  const run = await runJwt(org, { 'install-method': 'deploy' });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /::error title=Input install-method::install-method: is deploy but install-target is empty/);
  assert.equal(org.log.length, 0);
});
