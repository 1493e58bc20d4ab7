// The committed bundle against the fake org, run as the runner runs it: the main path of the action. Each test has
// a fake org of its own and makes what it needs in it, so that any test can run alone.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { stateOf } from '../../fake-org/packaging-state.ts';
import { startFakeGitHub } from '../../fake-github/server.ts';
import { runAction } from '../helpers/run-action.ts';
import { assertNoLeaks, leftovers } from '../helpers/leaks.ts';
import { APP, consumerOf, fakeEnv, jwtInputs, runJwt, secretsOf } from '../helpers/fake-env.ts';

let org: FakeOrg;
beforeEach(async () => {
  org = await startFakeOrg();
});
afterEach(async () => {
  await org.close();
});

function assertClean(run: Awaited<ReturnType<typeof runAction>>): void {
  assertNoLeaks(run, secretsOf(org));
  assert.deepEqual(
    leftovers(run, [run.outputs['metadata-dir'] ?? `${run.runnerTemp}/eca-action`]),
    [],
    'temporary files left behind',
  );
  // The libraries got a private HOME: the runner's HOME stays as it was.
  assert.deepEqual(readdirSync(run.home), [], 'the runner HOME was written to');
}

/** The Metadata API calls of the run that left `from` requests in the log before it, in order. */
const metadataCalls = (from: number): string[] =>
  org.log
    .slice(from)
    .map((e) => e.route)
    .filter((r) => r.startsWith('soap.') && r !== 'soap.checkDeployStatus' && r !== 'soap.checkRetrieveStatus');

test('a full run: JWT login, deploy, consumer key, package, version, install', async () => {
  const logStart = org.log.length;
  const run = await runAction({
    inputs: jwtInputs(org, { 'install-target': org.scratchAuthUrl, hardening: 'recommended' }),
    env: fakeEnv(org),
    post: true,
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const consumer = consumerOf(org);
  assert.ok(consumer, 'the app has an OAuth consumer in the Dev Hub');
  assert.equal(run.outputs['consumer-key'], consumer.key);
  assert.ok(run.stdout.includes(`::add-mask::${consumer.key}`), 'the key is masked');
  assert.ok(
    run.stdout.indexOf(`::add-mask::${consumer.key}`) < run.stdout.indexOf('Consumer key read'),
    'masked before it is mentioned',
  );
  assert.equal(run.outputs['consumer-secret'], undefined);
  assert.equal(run.outputs['app-name'], APP);
  assert.match(run.outputs['package-id'] ?? '', /^0Ho\w{15}$/);
  assert.match(run.outputs['package-version-id'] ?? '', /^04t\w{15}$/);
  assert.equal(run.outputs['package-version-number'], '1.0.0.1');
  assert.match(
    run.stdout,
    /is not yet available in the target org \(PACKAGE_UNAVAILABLE/,
    'met the replication phase first',
  );
  assert.match(run.stdout, /Installed 04t\w+; the target org lists it\./);
  assert.equal(
    run.outputs['install-url'],
    `https://test.salesforce.com/packaging/installPackage.apexp?p0=${run.outputs['package-version-id']}`,
  );
  assert.equal(run.outputs['package-version-created'], 'true');
  assert.match(run.summary, /Built by this run \| yes/);
  assert.match(run.summary, /External Client App Manager/, 'where to read the key in Setup');
  assert.match(
    run.summary,
    /sf project retrieve start --metadata ExtlClntAppGlobalOauthSettings:MCP_Client_App_glbloauth/,
    'and with the sf CLI',
  );
  assert.match(run.summary, /installs only into scratch orgs and sandboxes/);
  assert.equal(
    run.outputs['callback-urls'],
    'https://claude.ai/api/mcp/auth_callback\nhttps://claude.com/api/mcp/auth_callback\nhttp://localhost:8787/callback\ncursor://anysphere.cursor-mcp/oauth/callback',
  );
  // The scratch org has the version installed.
  const installed = [...stateOf(org.ctx.scratch).installed.values()].map((i) => i.SubscriberPackageVersionId);
  assert.deepEqual(installed, [run.outputs['package-version-id']]);
  // The summary says what was set and how to connect, and holds no secret.
  assert.match(run.summary, /Refresh token validity \| 30 days \| \*\*hardened\*\*/);
  assert.match(run.summary, /Claude/);
  assert.match(run.summary, /up to 30 minutes/);
  assert.match(run.summary, new RegExp(run.outputs['package-version-id']!));
  // The deployed app is the secure baseline.
  const global = org.ctx.devHub.metadata.get('ExtlClntAppGlobalOauthSettings')?.get(`${APP}_glbloauth`) ?? '';
  assert.match(global, /<isNamedUserJwtEnabled>true<\/isNamedUserJwtEnabled>/);
  assert.match(global, /<isPkceRequired>true<\/isPkceRequired>/);
  assert.match(
    org.ctx.devHub.metadata.get('ExtlClntAppOauthSettings')?.get(`${APP}_oauth`) ?? '',
    /<commaSeparatedOauthScopes>MCP, RefreshToken<\/commaSeparatedOauthScopes>/,
  );
  assert.equal(run.post?.code, 0);
  // A new app has no settings to read back before the deploy: one listing, then one retrieve for the key.
  assert.deepEqual(metadataCalls(logStart), ['soap.listMetadata', 'soap.deploy', 'soap.retrieve']);
  assertClean(run);
});

test('a rerun with the same inputs reuses the version: same id, package-version-created false, no version request', async () => {
  const before = await runJwt(org, { 'install-target': org.scratchAuthUrl });
  assert.equal(before.code, 0, before.stdout + before.stderr);
  const first = consumerOf(org)!.key;
  const packagesBefore = org.log.filter((e) => e.route === 'tooling.package2.create').length;
  const logStart = org.log.length;
  const run = await runJwt(org, { 'install-target': org.scratchAuthUrl });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['consumer-key'], first);
  assert.equal(run.outputs['package-version-id'], before.outputs['package-version-id']);
  assert.equal(run.outputs['package-version-number'], before.outputs['package-version-number']);
  assert.equal(run.outputs['package-version-created'], 'false');
  assert.match(run.stdout, /was built earlier from the same package content and settings; reusing it/);
  assert.match(run.stdout, /is already installed in the target org; nothing to install/);
  assert.match(run.summary, /reused, built earlier from the same package content/);
  const routes = org.log.slice(logStart).map((e) => e.route);
  assert.ok(!routes.includes('tooling.package2VersionCreateRequest.create'), 'no version request');
  assert.ok(!routes.includes('rest.limits'), 'no limit read either');
  assert.ok(!routes.includes('tooling.packageInstallRequest.create'), 'no install request');
  assert.match(run.stdout, /exists; it will be updated in place/);
  assert.match(run.stdout, /Reusing package/);
  assert.equal(
    org.log.filter((e) => e.route === 'tooling.package2.create').length,
    packagesBefore,
    'no second package',
  );
  assert.equal(org.ctx.devHub.metadata.get('ExternalClientApplication')?.size, 1, 'one app');
  // The listing finds the app, so its components are listed (their names may be Setup's or another tool's), its
  // links read back and deployed with it.
  assert.deepEqual(metadataCalls(logStart), [
    'soap.listMetadata',
    'soap.listMetadata',
    'soap.retrieve',
    'soap.deploy',
    'soap.retrieve',
  ]);
  assertClean(run);
});

test('new-version: always builds the next version, after reading the daily limit; none left fails before the request', async () => {
  // A version built earlier, with the same content: the next one is built anyway.
  const earlier = await runJwt(org);
  assert.equal(earlier.code, 0, earlier.stdout + earlier.stderr);
  const limits = stateOf(org.ctx.devHub).limits.Package2VersionCreates;
  const remaining = limits.Remaining;
  const logStart = org.log.length;
  const run = await runJwt(org, { 'new-version': 'always' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['package-version-created'], 'true');
  assert.match(run.outputs['package-version-number'] ?? '', /^1\.0\.0\.[2-9]$/);
  const routes = org.log.slice(logStart).map((e) => e.route);
  assert.equal(routes.filter((r) => r === 'tooling.package2VersionCreateRequest.create').length, 1);
  assert.ok(
    routes.indexOf('rest.limits') < routes.indexOf('tooling.package2VersionCreateRequest.create'),
    'the limit is read first',
  );
  assert.equal(limits.Remaining, remaining - 1, 'one daily creation used');
  assert.match(run.stdout, new RegExp(`daily package version limit: ${remaining} of 50 left`));
  assertClean(run);

  limits.Remaining = 0;
  try {
    const start = org.log.length;
    const refused = await runJwt(org, { 'new-version': 'always' });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      /::error::eca-action failed: The Dev Hub has no package version creations left today \(Package2VersionCreates: 0 of 50 remaining/,
    );
    assert.ok(
      !org.log.slice(start).some((e) => e.route === 'tooling.package2VersionCreateRequest.create'),
      'no version request',
    );
    // Unchanged content needs no creation: reuse still works with the limit used up.
    const reused = await runJwt(org);
    assert.equal(reused.code, 0, reused.stdout + reused.stderr);
    assert.equal(reused.outputs['package-version-id'], run.outputs['package-version-id']);
    assert.equal(reused.outputs['package-version-created'], 'false');
  } finally {
    limits.Remaining = remaining - 1;
  }
});

test('an SFDX auth URL logs in to the Dev Hub too', async () => {
  const inputs = jwtInputs(org, { package: 'false', 'dev-hub-auth-url': org.devHubAuthUrl });
  delete inputs['dev-hub-username'];
  delete inputs['dev-hub-client-id'];
  delete inputs['dev-hub-jwt-key'];
  delete inputs['dev-hub-login-url'];
  const run = await runAction({ inputs, env: fakeEnv(org) });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['consumer-key'], consumerOf(org)!.key);
  assert.equal(run.outputs['package-version-id'], undefined);
  assertClean(run);
});

test('require-secret: the consumer secret comes back as a masked output', async () => {
  const run = await runJwt(org, { clients: 'claude', 'require-secret': 'true', package: 'false' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const consumer = consumerOf(org)!;
  assert.equal(run.outputs['consumer-secret'], consumer.secret);
  // The app's id comes from the documented usage collection, not from SOQL on an object the reference calls internal.
  assert.ok(org.log.some((e) => e.route === 'connect.oauthUsage' && e.status === 200));
  assert.ok(
    !org.log.some((e) => e.route === 'query.externalClientApplication'),
    'no SOQL on ExternalClientApplication',
  );
  assert.ok(run.stdout.includes(`::add-mask::${consumer.secret}`));
  assert.match(
    org.ctx.devHub.metadata.get('ExtlClntAppGlobalOauthSettings')?.get(`${APP}_glbloauth`) ?? '',
    /<isConsumerSecretOptional>false</,
  );
  assertClean(run);
});

test('a deploy the org rejects fails the run with an annotation per component', async () => {
  // The app is there from an earlier run: the failure is the one component's (a new app's settings would fail with it).
  const earlier = await runJwt(org);
  assert.equal(earlier.code, 0, earlier.stdout + earlier.stderr);
  org.faults.failNextDeploy('Injected: invalid value for field');
  const run = await runAction({ inputs: jwtInputs(org), env: fakeEnv(org), post: true });
  assert.equal(run.code, 1);
  // output-dir is under RUNNER_TEMP, outside the workspace: no file the checks page could open; the message says it all.
  assert.match(
    run.stdout,
    /::error title=Deploy failed%3A [A-Za-z]+ [A-Za-z_]+::[A-Za-z]+ [A-Za-z_]+: Injected: invalid value for field/,
  );
  assert.doesNotMatch(run.stdout, /::error [^\n]*file=/);
  assert.match(
    run.stdout,
    /::error::eca-action failed: Deploy 0Af\w+ to the Dev Hub failed: [A-Za-z]+ [A-Za-z_]+: Injected: invalid value for field/,
  );
  assert.doesNotMatch(run.stdout, /Create the package version/, 'nothing after a failed deploy');
  assertClean(run);

  // output-dir inside the workspace: the annotation points at the generated file, by its path in the repository.
  const workspace = join(run.runnerTemp, 'ws');
  mkdirSync(workspace);
  org.faults.failNextDeploy('Injected: invalid value for field');
  const inRepo = await runAction({
    inputs: jwtInputs(org, { 'output-dir': 'eca' }),
    env: fakeEnv(org, { GITHUB_WORKSPACE: workspace }),
  });
  assert.equal(inRepo.code, 1);
  assert.match(
    inRepo.stdout,
    /::error title=Deploy failed%3A [A-Za-z]+ [A-Za-z_]+,file=eca\/force-app\/main\/default\/[^:,]+::[A-Za-z]+ [A-Za-z_]+: Injected/,
  );
});

test('a key that is not the one registered for the CI app is refused with the cause, and no public host is tried', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const tokenCalls = org.log.filter((e) => e.route === 'oauth.token').length;
  const run = await runJwt(org, { 'dev-hub-jwt-key': other });
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /JWT login of .* was refused: the signature does not verify\. dev-hub-jwt-key must be the private key whose certificate is uploaded/,
  );
  assert.doesNotMatch(run.stdout + run.stderr, /login\.salesforce\.com\/services|test\.salesforce\.com/);
  assert.ok(
    org.log.filter((e) => e.route === 'oauth.token').length - tokenCalls <= 3,
    'a few tries against the given host only',
  );
  assertNoLeaks(run, [...secretsOf(org), { what: 'the other key', value: other }]);
  assert.deepEqual(leftovers(run, [`${run.runnerTemp}/eca-action`]), []);
});

test('the consumer key (and secret) are stored as GitHub secrets, sealed for the repository', async () => {
  const github = await startFakeGitHub({
    token: 'ghp_FakeTokenForSecretsWrite0123456789',
    repository: 'acme/mcp',
    environments: ['prod'],
  });
  try {
    const run = await runAction({
      inputs: jwtInputs(org, {
        package: 'false',
        'require-secret': 'true',
        clients: 'claude',
        'github-token': github.token,
        'secret-name': 'SF_MCP_CLIENT_ID',
        'secret-environment': 'prod',
      }),
      env: fakeEnv(org, { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/mcp' }),
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const consumer = consumerOf(org)!;
    assert.equal(github.secrets.get('env:prod:SF_MCP_CLIENT_ID'), consumer.key);
    assert.equal(github.secrets.get('env:prod:SF_MCP_CLIENT_ID_SECRET'), consumer.secret);
    assert.match(run.summary, /SF_MCP_CLIENT_ID/);
    assertNoLeaks(run, [...secretsOf(org), { what: 'the GitHub token', value: github.token }]);

    // A token that may not write secrets: the run fails and says what the token lacks.
    const denied = await runAction({
      inputs: jwtInputs(org, {
        package: 'false',
        'github-token': 'ghp_WrongTokenWithoutPermission00000',
        'secret-name': 'SF_MCP_CLIENT_ID',
      }),
      env: fakeEnv(org, { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/mcp' }),
    });
    assert.equal(denied.code, 1);
    assert.match(denied.stdout, /github-token|token/);
    assertNoLeaks(denied, [
      ...secretsOf(org),
      { what: 'the wrong token', value: 'ghp_WrongTokenWithoutPermission00000' },
    ]);
  } finally {
    await github.close();
  }
});

test('login problems name the cause a user can fix, before anything is deployed', async () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'unknown username',
      { 'dev-hub-username': 'nobody@example.com' },
      /dev-hub-username is not a user of that org, or the user is not pre-authorized/,
    ],
    [
      'unknown client id',
      { 'dev-hub-client-id': '3MVG9wrongwrongwrong' },
      /dev-hub-client-id is not the consumer key of an app in that org/,
    ],
    [
      'unreachable login URL',
      { 'dev-hub-login-url': 'http://127.0.0.1:9' },
      /http:\/\/127\.0\.0\.1:9 could not be reached\. Check dev-hub-login-url/,
    ],
    [
      'an org that is not a Dev Hub',
      { 'dev-hub-username': org.scratchUsername },
      /is not a Dev Hub: .*Enable Dev Hub in Setup/,
    ],
  ];
  for (const [name, extra, expected] of cases) {
    const deploys = org.log.filter((e) => e.route === 'soap.deploy').length;
    const run = await runJwt(org, { package: 'false', ...extra });
    assert.equal(run.code, 1, name);
    assert.match(run.stdout, expected, name);
    assert.equal(org.log.filter((e) => e.route === 'soap.deploy').length, deploys, `${name}: nothing deployed`);
    assertNoLeaks(run, secretsOf(org));
  }
});

test('a version the platform refuses fails with its messages; the app stays deployed and consistent', async () => {
  org.ctx.failures.versionCreate = ['Injected: the package version could not be created'];
  const run = await runJwt(org, { 'new-version': 'always' });
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /Package version request 08c\w+ ended in Error:%0A {2}- Injected: the package version could not be created/,
  );
  assert.equal(run.outputs['consumer-key'], consumerOf(org)!.key, 'the key output is still set');
  assertClean(run);
});

test('dry run writes the project, touches no org, and bad input names the input', async () => {
  const requests = org.log.length;
  const dry = await runAction({
    inputs: { clients: 'claude,cursor', 'contact-email': 'ops@example.com', 'dry-run': 'true' },
  });
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  const dir = dry.outputs['metadata-dir']!;
  assert.ok(existsSync(`${dir}/sfdx-project.json`));
  assert.match(
    readFileSync(
      `${dir}/force-app/main/default/extlClntAppGlobalOauthSets/${APP}_glbloauth.ecaGlblOauth-meta.xml`,
      'utf8',
    ),
    /claude\.ai[\s\S]*cursor:/,
  );
  assert.equal(org.log.length, requests);

  const bad = await runAction({ inputs: { clients: 'bogus', 'contact-email': 'ops@example.com', 'dry-run': 'true' } });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout, /::error title=Input clients::clients: 'bogus' is not a known client/);
});

test('platform limits, checked before any call to the org: no http callback on an IP literal, names within 40 characters', async () => {
  const requests = org.log.length;
  // Salesforce: "Cannot be an HTTP URL" for http on an IP address (anthropics/claude-code#86233).
  const vscode = await runAction({
    inputs: { clients: 'vscode', 'contact-email': 'ops@example.com', 'dry-run': 'true' },
  });
  assert.equal(vscode.code, 0, vscode.stdout + vscode.stderr);
  for (const url of vscode.outputs['callback-urls']!.split('\n')) {
    const { protocol, hostname } = new URL(url);
    assert.ok(protocol !== 'http:' || hostname === 'localhost', `${url} is http on ${hostname}`);
  }
  assert.equal(vscode.outputs['callback-urls'], 'https://vscode.dev/redirect\nhttps://insiders.vscode.dev/redirect');

  const ip = await runAction({
    inputs: {
      clients: 'custom',
      'callback-urls': 'http://127.0.0.1:8080/callback',
      'contact-email': 'ops@example.com',
      'dry-run': 'true',
    },
  });
  assert.notEqual(ip.code, 0);
  assert.match(
    ip.stdout,
    /::error title=Input callback-urls::callback-urls: 'http:\/\/127\.0\.0\.1:8080\/callback' uses http on the IP address 127\.0\.0\.1, which Salesforce refuses/,
  );

  // Object Reference: DeveloperName "must be 40 characters or fewer"; <app>_glbloauth would be 50.
  const long = await runAction({
    inputs: {
      clients: 'claude',
      'app-name': `A${'b'.repeat(39)}`,
      'contact-email': 'ops@example.com',
      'dry-run': 'true',
    },
  });
  assert.notEqual(long.code, 0);
  assert.match(long.stdout, /::error title=Input app-name::app-name: is 40 characters long; use at most 30/);
  assert.equal(org.log.length, requests, 'no request reached the org');
});

test('hardening: strict deploys what Salesforce requires of partner apps, and the summary judges each control', async () => {
  const run = await runAction({
    inputs: jwtInputs(org, {
      hardening: 'strict',
      package: 'false',
      'permission-set': 'MCP_Strict_Users',
      'create-permission-set': 'true',
    }),
    env: fakeEnv(org),
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const global = org.ctx.devHub.metadata.get('ExtlClntAppGlobalOauthSettings')?.get(`${APP}_glbloauth`) ?? '';
  assert.match(global, /<isEnforceRefreshTokenTTL>true<\/isEnforceRefreshTokenTTL>/);
  assert.match(global, /<isRefreshTokenRotationEnabled>true<\/isRefreshTokenRotationEnabled>/);
  const policies = [
    ...(org.ctx.devHub.metadata.get('ExtlClntAppOauthConfigurablePolicies') ?? new Map<string, string>()).values(),
  ].filter((x) => x.includes(`>${APP}<`));
  assert.equal(policies.length, 1, 'one policy');
  assert.match(policies[0]!, /<requiredSessionLevel>HIGH_ASSURANCE<\/requiredSessionLevel>/);
  assert.match(policies[0]!, /<policyAction>RaiseSessionLevel<\/policyAction>/);
  assert.match(run.summary, /\| Limit the Idle Refresh Token TTL to 30 days \(partner requirement\) \| ✅ met \|/);
  assertClean(run);
});
