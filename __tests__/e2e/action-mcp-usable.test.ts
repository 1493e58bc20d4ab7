// After the install: hosted MCP servers activated in the install target (mcp-servers), and the wait until the
// orgs accept the new app's consumer key (wait-until-usable), both through the bundle against the fake org.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { runAction } from '../helpers/run-action.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';
import { consumerOf, fakeEnv, jwtInputs, runJwt, secretsOf } from '../helpers/fake-env.ts';

const orgs: FakeOrg[] = [];
after(async () => {
  await Promise.all(orgs.map((o) => o.close()));
});
async function freshOrg(): Promise<FakeOrg> {
  const org = await startFakeOrg();
  orgs.push(org);
  return org;
}

type Access = {
  Id: string;
  DeveloperName: string;
  MasterLabel: string;
  Active: boolean;
  McpServerId: string | null;
  Language: string;
};
const accessOf = (org: FakeOrg): Access[] => (org.ctx.scratch.ext.get('mcpServerAccess') as Access[] | undefined) ?? [];

test('mcp-servers: activates the servers in the install target, says which were already active', async () => {
  const org = await freshOrg();
  // One server an admin already turned on, one turned on once and then off again.
  org.ctx.scratch.ext.set('mcpServerAccess', [
    {
      Id: '1fz000000000001AAA',
      DeveloperName: 'platform_sobject_reads',
      MasterLabel: 'sobject-reads',
      Language: 'en_US',
      Active: true,
      McpServerId: null,
    },
    {
      Id: '1fz000000000002AAA',
      DeveloperName: 'platform_metadata_experts',
      MasterLabel: 'metadata-experts',
      Language: 'en_US',
      Active: false,
      McpServerId: null,
    },
  ]);
  const run = await runAction({
    inputs: jwtInputs(org, {
      'install-target': org.scratchAuthUrl,
      'mcp-servers': 'sobject-all, platform/sobject-reads\nmetadata-experts',
    }),
    env: fakeEnv(org),
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const active = accessOf(org)
    .filter((r) => r.Active)
    .map((r) => r.DeveloperName)
    .sort();
  assert.deepEqual(active, ['platform_metadata_experts', 'platform_sobject_all', 'platform_sobject_reads']);
  assert.equal(accessOf(org).length, 3, 'no duplicate records');
  assert.match(
    run.stdout,
    /Hosted MCP servers in the install target: activated sobject-all, metadata-experts; already active sobject-reads\./,
  );
  // Activated beside the package steps (nothing there waits for the package), after the checks and the deploy;
  // its log group follows the install's, so the log reads in the procedure's order.
  const routes = org.log.map((e) => e.route);
  const deployed = Math.max(routes.indexOf('soap.deploy'), routes.indexOf('metadata.deployRequest.create'));
  assert.ok(deployed >= 0 && routes.indexOf('tooling.mcpServerAccess.create') > deployed);

  assert.ok(
    run.stdout.indexOf('::group::Activate hosted MCP servers') >
      run.stdout.indexOf('::group::Install into the target org'),
  );
  assert.match(run.summary, /activated `sobject-all`, `metadata-experts`; already active `sobject-reads`/);
  assert.match(run.summary, /SalesforceHostedMCP/);
  assert.match(run.summary, /"features": \["SalesforceHostedMCP"\]/);
  assertNoLeaks(run, secretsOf(org));
});

test('mcp-servers: an unknown server name is refused before any org is contacted', async () => {
  const org = await freshOrg();
  const run = await runJwt(org, {
    'install-target': org.scratchAuthUrl,
    'mcp-servers': 'sobject-all, sobject-everything',
  });
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /::error title=Input mcp-servers::mcp-servers: 'sobject-everything' is not a hosted MCP server this action can activate\. Use one or more of: sobject-all, sobject-reads/,
  );
  assert.equal(org.log.length, 0, 'no request reached the org');
});

test("mcp-servers: a server the install target does not offer: Salesforce's answer, named for the input", async () => {
  const org = await freshOrg();
  org.ctx.scratch.settings.hostedMcpServers = ['platform_sobject_all'];
  const run = await runJwt(org, { 'install-target': org.scratchAuthUrl, 'mcp-servers': 'sobject-all, sobject-reads' });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /mcp-servers: the install target does not offer the hosted MCP server sobject-reads \(McpServerAccess platform_sobject_reads; Salesforce: .*McpServerId is required for custom server access records/,
  );
  const created = org.log.filter((e) => e.route === 'tooling.mcpServerAccess.create');
  assert.equal(created.length, 2, 'sobject-all activated, sobject-reads refused');
  assertNoLeaks(run, secretsOf(org));
});

test('wait-until-usable: waits through the unknown-client phase of the Dev Hub and the install target, then usable', async () => {
  const org = await freshOrg();
  // Unknown for a while after the install: long enough that the first probe meets it on a loaded machine too.
  org.ctx.timing.appUsableMs = 5000;
  const run = await runJwt(org, { 'install-target': org.scratchAuthUrl, 'wait-until-usable': '1' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['usable'], 'true');
  assert.match(run.stdout, /The Dev Hub does not know the app yet \(invalid_client_id\), 0 min of 1/);
  assert.match(run.stdout, /The install target knows the app/);
  // Each progress line once, however many polls.
  const lines = run.stdout.split('\n').filter((l) => l.includes('does not know the app yet'));
  assert.equal(new Set(lines).size, lines.length, 'no repeated progress lines');
  // The consumer key went in form bodies only: never in a logged path.
  const key = consumerOf(org)!.key;
  assert.ok(org.log.every((e) => !e.path.includes(key)));
  assert.match(run.summary, /usable: true/);
  assertNoLeaks(run, secretsOf(org));
});

test('wait-until-usable: 0 (the default) does not wait and leaves usable empty', async () => {
  const org = await freshOrg();
  org.ctx.timing.appUsableMs = 60_000;
  const run = await runJwt(org, { package: 'false' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['usable'], undefined);
  assert.doesNotMatch(run.stdout, /does not know the app/);
});

test('clients: claude-code registers its localhost callback, and wait-until-usable signs in with it through the authorize endpoint', async () => {
  const org = await freshOrg();
  org.ctx.timing.appUsableMs = 3000;
  const run = await runJwt(org, { clients: 'claude-code', package: 'false', 'wait-until-usable': '1' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['callback-urls'], 'http://localhost:3118/callback');
  const global = [...(org.ctx.devHub.metadata.get('ExtlClntAppGlobalOauthSettings')?.values() ?? [])].join('\n');
  assert.match(global, /<callbackUrl>http:\/\/localhost:3118\/callback<\/callbackUrl>/);
  assert.match(run.stdout, /2\.1\.231/);
  assert.match(run.stdout, /--callback-port 3118/);
  // The check is the first leg of a sign-in with that callback and the MCP scopes; no token request was needed.
  const authorize = org.log.filter((e) => e.route === 'oauth.authorize');
  assert.ok(authorize.length >= 1);
  assert.match(run.stdout, /The Dev Hub does not know the app yet \(invalid_client_id\)/);
  assert.match(run.stdout, /The Dev Hub knows the app and accepts its callback and scopes/);
  assert.equal(run.outputs['usable'], 'true');
  const key = consumerOf(org)!.key;
  assert.ok(
    org.log.every((e) => !e.path.includes(key)),
    'the key is in no logged path',
  );
  assertNoLeaks(run, secretsOf(org));
});
