// The job summary as a person reads it, from the committed bundle against the fake org: a good run's first lines
// state the outcome before any table; on each kind of failure (login, checks, deploy, install) the first ten lines
// say what failed and why. The consumer key shows only its last four characters.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { runAction } from '../helpers/run-action.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';
import { consumerOf, fakeEnv, jwtInputs, runJwt, secretsOf } from '../helpers/fake-env.ts';

let org: FakeOrg;
beforeEach(async () => {
  org = await startFakeOrg();
});
afterEach(async () => {
  await org.close();
});

const head = (md: string): string => md.split('\n').slice(0, 10).join('\n');
const beforeFirstTable = (md: string): string => md.slice(0, Math.max(0, md.search(/^\|/m)));

test('a good run: created, version built, installed, where the key is, before any table', async () => {
  const run = await runAction({
    inputs: jwtInputs(org, { clients: 'claude,postman', 'install-target': org.scratchAuthUrl }),
    env: fakeEnv(org),
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const key = consumerOf(org)!.key;
  const top = beforeFirstTable(run.summary);
  assert.match(top, /\*\*Created\*\* the app `\w+` in the Dev Hub `[^`]+` \(http:\/\/127\.0\.0\.1:\d+\)/);
  assert.match(top, /Package version `[\d.]+` \(`04t\w+`\) \*\*built\*\* by this run/);
  assert.match(top, /\*\*Installed\*\* into the install target `[^`]+`/);
  assert.ok(top.includes(`Consumer key ending in \`…${key.slice(-4)}\``), top);
  assert.match(top, /\*\*Usable:\*\*/);
  // The last four alone are never registered as a mask; the whole key is.
  assert.ok(run.stdout.includes(`::add-mask::${key}`));
  assert.ok(!run.stdout.includes(`::add-mask::${key.slice(-4)}\n`));
  // Postman gets the org's real sign-in URL, not a placeholder.
  assert.match(run.summary, /auth URL `http:\/\/127\.0\.0\.1:\d+\/services\/oauth2\/authorize`/);
  assert.doesNotMatch(run.summary, /<My Domain>/);
  assertNoLeaks(run, secretsOf(org));

  // The rerun: updated, the version reused, already installed.
  const again = await runAction({
    inputs: jwtInputs(org, { 'install-target': org.scratchAuthUrl }),
    env: fakeEnv(org),
  });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const top2 = beforeFirstTable(again.summary);
  assert.match(top2, /\*\*Updated\*\* the app/);
  assert.match(top2, /\*\*reused\*\*/);
  assert.match(top2, /Already installed in the install target/);
});

test('a dry run says nothing was changed and where the project is, and gives no connect steps', async () => {
  const run = await runAction({
    // The README Quick start's inputs, as a dry run.
    inputs: {
      clients: 'claude, cursor, postman',
      'contact-email': 'platform-team@example.com',
      hardening: 'recommended',
      'dry-run': 'true',
    },
    env: {},
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(head(run.summary), /\*\*Dry run:\*\* nothing was sent to any org/);
  assert.doesNotMatch(run.summary, /### Connect your MCP clients/);
  // The Quick start's inputs raise no warning: the platform facts they meet are notices.
  assert.doesNotMatch(run.stdout, /^::warning/m);
  assert.match(run.stdout, /^::notice title=eca-action::The claude preset/m);
  assert.match(run.stdout, /^::notice title=eca-action::The refresh-token validity is an OAuth policy/m);
  // Said once in the summary too, folded with the settings.
  assert.match(run.summary, /### Notes\n\n- The claude preset/);
});

test('login failure: the first ten lines say the Dev Hub login failed, why, and that nothing changed', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const run = await runJwt(org, { 'dev-hub-jwt-key': other });
  assert.equal(run.code, 1);
  const top = head(run.summary);
  assert.match(top, /\[!CAUTION\]/);
  assert.match(top, /Logging in to the Dev Hub failed\.\*\* Cause: .*dev-hub/);
  assert.match(top, /\*\*Changed:\*\* nothing in any org or in GitHub\./);
  assert.match(top, /\*\*Next step:\*\*/);
  assert.doesNotMatch(run.summary, /### Connect your MCP clients/, 'no connect steps for an app never made');
  assertNoLeaks(run, secretsOf(org));
});

test('preflight failure: the first ten lines list the problem against its input', async () => {
  const run = await runJwt(org, { 'package-namespace': 'otherns' });
  assert.equal(run.code, 1);
  const top = head(run.summary);
  assert.match(top, /The checks before any change found a problem\./);
  assert.match(top, /package-namespace: otherns is not linked to this Dev Hub/);
  assert.match(top, /\*\*Not changed:\*\* the Dev Hub `[^`]+`: no app `\w+` was created/);
});

test('deploy failure: the first ten lines carry the component error itself', async () => {
  org.faults.failNextDeploy('Injected: invalid value for field');
  const run = await runJwt(org);
  assert.equal(run.code, 1);
  const top = head(run.summary);
  assert.match(
    top,
    /The deploy to the Dev Hub failed\.\*\* Cause: `ExternalClientApplication \w+`: Injected: invalid value for field/,
  );
  assert.match(top, /`\w+ \w+`: Injected: invalid value for field/);
  assert.doesNotMatch(top, /component\(s\) failed/);
  assert.match(top, /a deploy is all or nothing, so no app was created/);
  assert.doesNotMatch(run.summary, /### Connect your MCP clients/);
});

test('install failure: the first ten lines say the install failed, why, and that the app and version exist', async () => {
  const scratch = await startFakeOrg();
  try {
    scratch.ctx.failures.install = ['Unable to install: the org is locked.'];
    const run = await runJwt(scratch, { 'install-target': scratch.scratchAuthUrl });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const top = head(run.summary);
    assert.match(top, /Installing the package version into the install target failed\./);
    assert.match(top, /Unable to install: the org is locked\./);
    assert.match(top, /\*\*Changed:\*\* created the app `\w+` in the Dev Hub[^;]*; built the package version `04t\w+`/);
    assert.match(top, /\*\*Not changed:\*\* the install target `[^`]+`: nothing was installed/);
    // The app exists: its connect steps follow.
    assert.match(run.summary, /### Connect your MCP clients/);
  } finally {
    await scratch.close();
  }
});
