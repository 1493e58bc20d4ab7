// The fake org's objects behind the checks before any change, hosted MCP activation and the usable probe, through the
// real @salesforce/core connection: what each answers, and the platform's error shapes where a rule refuses.
import { useFakeHub } from './helpers/hub.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@salesforce/core';
import type { FakeOrg } from '../fake-org/server.ts';

let fake: FakeOrg;
let conn: Connection;
useFakeHub((hub) => {
  ({ fake, conn } = hub);
});

const errorOf = async (p: PromiseLike<unknown>): Promise<{ errorCode?: string; message: string }> => {
  try {
    await p;
  } catch (error) {
    return error as { errorCode?: string; message: string };
  }
  assert.fail('expected an error');
};

test('NamespaceRegistry lists the namespace linked to the Dev Hub', async () => {
  const r = await conn.query<{ NamespacePrefix: string }>('SELECT Id, NamespacePrefix FROM NamespaceRegistry');
  assert.deepEqual(
    r.records.map((x) => x.NamespacePrefix),
    [fake.namespace],
  );
});

test('UserPermissionAccess: the current user may deploy metadata unless a test says otherwise', async () => {
  const q = 'SELECT PermissionsModifyAllData, PermissionsModifyMetadata FROM UserPermissionAccess';
  assert.equal(
    (await conn.query<{ PermissionsModifyMetadata: boolean }>(q)).records[0]?.PermissionsModifyMetadata,
    true,
  );
  fake.ctx.devHub.settings.userPermissions = { PermissionsModifyMetadata: false };
  try {
    const rec = (await conn.query<{ PermissionsModifyAllData: boolean; PermissionsModifyMetadata: boolean }>(q))
      .records[0];
    assert.deepEqual([rec?.PermissionsModifyAllData, rec?.PermissionsModifyMetadata], [true, false]);
  } finally {
    fake.ctx.devHub.settings.userPermissions = undefined;
  }
  const bad = await errorOf(conn.query('SELECT PermissionsNoSuchThing FROM UserPermissionAccess'));
  assert.equal(bad.errorCode, 'INVALID_FIELD');
});

test('McpServerAccess: create, duplicate, reactivate, required fields; unknown without hosted MCP', async () => {
  const access = conn.tooling.sobject('McpServerAccess');
  const created = await access.create({
    DeveloperName: 'platform_sobject_all',
    MasterLabel: 'sobject-all',
    Language: 'en_US',
    Active: false,
  });
  assert.equal(created.success, true);
  assert.match(String(created.id), /^1fz/);
  const dup = await errorOf(
    access.create({ DeveloperName: 'platform_sobject_all', MasterLabel: 'sobject-all', Active: true }),
  );
  assert.equal(dup.errorCode, 'DUPLICATE_VALUE');
  const missing = await errorOf(access.create({ DeveloperName: 'platform_sobject_reads' }));
  assert.equal(missing.errorCode, 'REQUIRED_FIELD_MISSING');
  await access.update({ Id: created.id!, Active: true });
  const rows = await conn.tooling.query<{ DeveloperName: string; Active: boolean }>(
    'SELECT Id, DeveloperName, Active FROM McpServerAccess WHERE McpServerId = null',
  );
  assert.deepEqual(
    rows.records.map((r) => [r.DeveloperName, r.Active]),
    [['platform_sobject_all', true]],
  );
  fake.ctx.devHub.settings.hostedMcp = false;
  try {
    const unknown = await errorOf(conn.tooling.query('SELECT Id FROM McpServerAccess'));
    assert.equal(unknown.errorCode, 'INVALID_TYPE');
    assert.match(unknown.message, /sObject type 'McpServerAccess' is not supported/);
  } finally {
    fake.ctx.devHub.settings.hostedMcp = undefined;
  }
});

test('Organization.NamespacePrefix of the Dev Hub stays null: its namespace is linked, not its own', async () => {
  const r = await conn.query<{ NamespacePrefix: string | null }>('SELECT NamespacePrefix FROM Organization');
  assert.equal(r.records[0]?.NamespacePrefix, null);
});

test('the authorization-code exchange: invalid_client_id for an unknown key, invalid_grant for a known one', async () => {
  const ask = async (clientId: string) =>
    (await fetch(`${fake.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'made-up', client_id: clientId }),
    }).then((r) => r.json())) as { error: string };
  assert.equal((await ask('3MVG9unknownkey')).error, 'invalid_client_id');
  assert.equal((await ask(fake.clientId)).error, 'invalid_grant');
});
