// After the install, in process (src/mcp-servers.ts): activateMcpServers against a fake scratch org of this file's
// own. The access records the org holds afterwards, a rerun that changes nothing, a server the org does not offer
// and an org without hosted MCP, each refused naming mcp-servers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { activateMcpServers, McpServerError, mcpServerName } from '../../src/mcp-servers.ts';
import { connectOrg, type OrgSession } from '../../src/login.ts';
import { startStepOrg, type StepOrg } from '../helpers/step-org.ts';

let org: StepOrg;
let target: OrgSession;
before(async () => {
  org = await startStepOrg();
  target = await connectOrg({ kind: 'authUrl', authUrl: org.fake.scratchAuthUrl }, org.ws, org.log, 'install target');
});
after(() => org.close());

type Access = { DeveloperName: string; Active: boolean; McpServerId: string | null };
const records = (): Access[] => (org.fake.ctx.scratch.ext.get('mcpServerAccess') as Access[] | undefined) ?? [];
const writes = (mark: number): string[] =>
  org.fake.log
    .slice(mark)
    .filter((e) => e.method !== 'GET')
    .map((e) => `${e.method} ${e.status}`);

test('names outside the standard servers are not taken (settings refuse them before any org call)', () => {
  assert.equal(mcpServerName('platform/sobject-reads'), 'sobject-reads');
  assert.equal(mcpServerName(' SOBJECT-ALL '), 'sobject-all');
  assert.equal(mcpServerName('sobject-everything'), undefined);
  assert.equal(mcpServerName('data/data-cloud-queries'), undefined);
});

test('activate: an access record per server, Active, McpServerId null; a rerun writes nothing', async () => {
  const mark = org.fake.log.length;
  const first = await activateMcpServers(target.connection, ['sobject-reads', 'metadata-experts'], org.log);
  assert.deepEqual(first, { activated: ['sobject-reads', 'metadata-experts'], alreadyActive: [] });
  const held = records().filter((r) => r.Active);
  assert.deepEqual(held.map((r) => r.DeveloperName).sort(), ['platform_metadata_experts', 'platform_sobject_reads']);
  assert.ok(held.every((r) => r.McpServerId === null));
  assert.deepEqual(writes(mark), ['POST 201', 'POST 201']);

  const again = org.fake.log.length;
  const second = await activateMcpServers(target.connection, ['sobject-reads', 'metadata-experts'], org.log);
  assert.deepEqual(second, { activated: [], alreadyActive: ['sobject-reads', 'metadata-experts'] });
  assert.deepEqual(writes(again), [], 'a rerun converges without a write');
});

test('a record switched off in Setup is switched on again by an update, not a second create', async () => {
  await activateMcpServers(target.connection, ['sobject-deletes'], org.log);
  const record = records().find((r) => r.DeveloperName === 'platform_sobject_deletes')!;
  record.Active = false;
  const mark = org.fake.log.length;
  const result = await activateMcpServers(target.connection, ['sobject-deletes'], org.log);
  assert.deepEqual(result.activated, ['sobject-deletes']);
  assert.equal(record.Active, true);
  assert.deepEqual(writes(mark), ['PATCH 204']);
  assert.equal(records().filter((r) => r.DeveloperName === 'platform_sobject_deletes').length, 1);
});

test('a server this org does not offer: refused, naming mcp-servers and the server', async () => {
  org.fake.ctx.scratch.settings.hostedMcpServers = ['platform_sobject_all'];
  try {
    await assert.rejects(activateMcpServers(target.connection, ['salesforce-api-context'], org.log), (error: Error) => {
      assert.ok(error instanceof McpServerError);
      assert.match(
        error.message,
        /^mcp-servers: the install target does not offer the hosted MCP server salesforce-api-context/,
      );
      return true;
    });
    assert.ok(!records().some((r) => r.DeveloperName === 'platform_salesforce_api_context'));
  } finally {
    org.fake.ctx.scratch.settings.hostedMcpServers = undefined;
  }
});

test('an org without hosted MCP: refused, naming the scratch-org feature', async () => {
  org.fake.ctx.scratch.settings.hostedMcp = false;
  try {
    await assert.rejects(
      activateMcpServers(target.connection, ['sobject-all'], org.log),
      /^McpServerError: mcp-servers: the install target has no hosted MCP servers .*SalesforceHostedMCP/,
    );
  } finally {
    org.fake.ctx.scratch.settings.hostedMcp = undefined;
  }
});
