// Metadata deploy and retrieve against the fake org with the real source-deploy-retrieve (SOAP and REST), the
// org-generated values (consumer key, oauthLink, orgScopedExternalApp), Salesforce-like component failures, and
// the Connect REST credentials resources. The ECA projects are written by hand here (public examples, __tests__/fixtures/public-eca, and the
// secure baseline: MCP + RefreshToken, named-user JWT, PKCE, Packaged).
// The hub helper comes first: it sets HOME and SF_* before @salesforce/core loads.
import { useFakeHub } from './helpers/hub.ts';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { AuthInfo, Connection, Lifecycle } from '@salesforce/core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import type { FakeOrg } from '../fake-org/server.ts';

Lifecycle.getInstance().onWarning(async () => {});
let fake: FakeOrg;
let conn: Connection;
useFakeHub((hub) => {
  ({ fake, conn } = hub);
});

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const xml = (root: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${NS}>\n${body}\n</${root}>\n`;

const eca = (app: string, extra = '') =>
  xml(
    'ExternalClientApplication',
    `    <contactEmail>ops@example.com</contactEmail>\n    <distributionState>Packaged</distributionState>\n    <label>${app} label</label>${extra}`,
  );
const globalOauth = (app: string, extra = '') =>
  xml(
    'ExtlClntAppGlobalOauthSettings',
    `    <callbackUrl>https://claude.ai/api/mcp/auth_callback\nhttp://localhost:6274/oauth/callback\ncursor://anysphere.cursor-mcp/oauth/callback</callbackUrl>
    <externalClientApplication>${app}</externalClientApplication>
    <isConsumerSecretOptional>true</isConsumerSecretOptional>
    <isNamedUserJwtEnabled>true</isNamedUserJwtEnabled>
    <isPkceRequired>true</isPkceRequired>
    <isSecretRequiredForRefreshToken>false</isSecretRequiredForRefreshToken>
    <label>${app} Global OAuth</label>${extra}`,
  );
const oauth = (app: string, extra = '', scopes = 'MCP, RefreshToken') =>
  xml(
    'ExtlClntAppOauthSettings',
    `    <commaSeparatedOauthScopes>${scopes}</commaSeparatedOauthScopes>\n    <externalClientApplication>${app}</externalClientApplication>\n    <label>${app} Scopes</label>${extra}`,
  );
const policy = (app: string, body: string) =>
  xml(
    'ExtlClntAppOauthConfigurablePolicies',
    `    <externalClientApplication>${app}</externalClientApplication>\n    <label>${app} policy</label>\n${body}`,
  );

/** An SFDX project dir holding the given source files (paths under force-app/main/default). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eca-project-'));
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, 'force-app/main/default', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return join(dir, 'force-app');
}

const appFiles = (
  app: string,
  over: Partial<Record<'eca' | 'global' | 'oauth', string>> = {},
): Record<string, string> => ({
  [`externalClientApps/${app}.eca-meta.xml`]: over.eca ?? eca(app),
  [`extlClntAppGlobalOauthSets/${app}_glbloauth.ecaGlblOauth-meta.xml`]: over.global ?? globalOauth(app),
  [`extlClntAppOauthSettings/${app}_oauth.ecaOauth-meta.xml`]: over.oauth ?? oauth(app),
});

async function deploy(dir: string, rest = false) {
  const operation = await ComponentSet.fromSource(dir).deploy({
    usernameOrConnection: conn,
    apiOptions: { rest, rollbackOnError: true, singlePackage: true },
  });
  const updates: string[] = [];
  operation.onUpdate((status) => updates.push(String(status.status)));
  const result = await operation.pollStatus(50, 30);
  return {
    result,
    updates,
    failures: result.getFileResponses().filter((f) => f.state === 'Failed') as {
      fullName: string;
      type: string;
      error: string;
      filePath?: string;
    }[],
  };
}

async function retrieve(members: { type: string; fullName: string }[]): Promise<Map<string, string>> {
  const output = mkdtempSync(join(tmpdir(), 'retrieve-'));
  const operation = await new ComponentSet(members).retrieve({ usernameOrConnection: conn, output, merge: false });
  const result = await operation.pollStatus(50, 30);
  const files = new Map<string, string>();
  for (const f of result.getFileResponses())
    if (f.filePath && f.state !== 'Failed') files.set(`${f.type}:${f.fullName}`, readFileSync(f.filePath, 'utf8'));
  return files;
}

const tag = (text: string | undefined, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text ?? '')?.[1];

describe('a valid MCP app', () => {
  const app = 'Mcp_App';
  let consumerKey: string;

  test('deploys over SOAP with an InProgress poll first, and every component Created', async () => {
    const dir = project({
      ...appFiles(app),
      'permissionsets/Mcp_Users.permissionset-meta.xml': xml(
        'PermissionSet',
        '    <hasActivationRequired>false</hasActivationRequired>\n    <label>MCP users</label>',
      ),
      [`extlClntAppOauthPolicies/${app}_oauth_defaultPolicy.ecaOauthPlcy-meta.xml`]: policy(
        app,
        `    <commaSeparatedPermissionSet>Mcp_Users</commaSeparatedPermissionSet>
    <ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType>
    <permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>
    <refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType>
    <refreshTokenValidityPeriod>30</refreshTokenValidityPeriod>
    <refreshTokenValidityUnit>Days</refreshTokenValidityUnit>`,
      ),
    });
    const { result, updates, failures } = await deploy(dir);
    assert.deepEqual(failures, []);
    assert.equal(result.response.success, true);
    assert.equal(result.response.status, 'Succeeded');
    assert.ok(updates.includes('InProgress'), `updates: ${updates.join(',')}`);
    const states = result
      .getFileResponses()
      .map((f) => `${f.type}:${f.state}`)
      .sort();
    assert.deepEqual(states, [
      'ExternalClientApplication:Created',
      'ExtlClntAppGlobalOauthSettings:Created',
      'ExtlClntAppOauthConfigurablePolicies:Created',
      'ExtlClntAppOauthSettings:Created',
      'PermissionSet:Created',
    ]);
  });

  test('retrieve returns the generated consumer key (no secret), the oauthLink and the orgScopedExternalApp', async () => {
    const files = await retrieve([
      { type: 'ExtlClntAppGlobalOauthSettings', fullName: `${app}_glbloauth` },
      { type: 'ExtlClntAppOauthSettings', fullName: `${app}_oauth` },
      { type: 'ExternalClientApplication', fullName: app },
    ]);
    const global = files.get(`ExtlClntAppGlobalOauthSettings:${app}_glbloauth`);
    consumerKey = tag(global, 'consumerKey')!;
    assert.match(consumerKey, /^3MVG9[A-Za-z0-9._]{80}$/);
    assert.equal(tag(global, 'consumerSecret'), undefined, 'secrets via the Metadata API are off by default');
    const consumer = fake.ctx.devHub.consumers.get(app)!;
    assert.equal(consumer.consumerKey, consumerKey);
    assert.equal(
      tag(files.get(`ExtlClntAppOauthSettings:${app}_oauth`), 'oauthLink'),
      `${fake.ctx.devHub.orgId}:${consumer.consumerId}`,
    );
    assert.equal(
      tag(files.get(`ExternalClientApplication:${app}`), 'orgScopedExternalApp'),
      `${fake.ctx.devHub.orgId}:${app}`,
    );
  });

  test('listMetadata (jsforce) lists the deployed app synchronously, and refuses what Salesforce refuses', async () => {
    const before = fake.log.length;
    const listed = await conn.metadata.list([
      { type: 'ExternalClientApplication' },
      { type: 'ExtlClntAppOauthSettings' },
    ]);
    const rows = (Array.isArray(listed) ? listed : [listed]).map((p) => `${p.type}:${p.fullName}:${p.fileName}`).sort();
    assert.ok(rows.includes(`ExternalClientApplication:${app}:externalClientApps/${app}.eca`), rows.join('\n'));
    assert.ok(
      rows.includes(`ExtlClntAppOauthSettings:${app}_oauth:extlClntAppOauthSettings/${app}_oauth.ecaOauth`),
      rows.join('\n'),
    );
    const one = (Array.isArray(listed) ? listed : [listed]).find((p) => p.fullName === app)!;
    assert.match(one.id, /^0xI\w{15}$/);
    assert.equal(one.manageableState, 'unmanaged');
    assert.deepEqual(
      fake.log.slice(before).map((e) => e.route),
      ['soap.listMetadata'],
      'one synchronous call, no job to poll',
    );
    // A type the org has none of answers nothing (jsforce: an empty array).
    const none = await conn.metadata.list({ type: 'ConnectedApp' });
    assert.deepEqual(Array.isArray(none) ? none : [none].filter(Boolean), []);
    await assert.rejects(conn.metadata.list({ type: 'NoSuchType' }), (e: Error & { name?: string }) =>
      /INVALID_TYPE/.test(`${e.name} ${e.message}`),
    );
    await assert.rejects(
      conn.metadata.list([{ type: 'ApexClass' }, { type: 'ApexPage' }, { type: 'CustomObject' }, { type: 'Layout' }]),
      /at most 3 queries/,
    );
  });

  test('a redeploy (REST this time) keeps the key; sending back the generated links is accepted', async () => {
    const consumer = fake.ctx.devHub.consumers.get(app)!;
    const dir = project(
      appFiles(app, {
        eca: eca(
          app,
          `\n    <orgScopedExternalApp>${fake.ctx.devHub.orgId.slice(0, 15)}:${app}</orgScopedExternalApp>`,
        ),
        oauth: oauth(app, `\n    <oauthLink>${consumer.oauthLink}</oauthLink>`),
      }),
    );
    const { result, failures } = await deploy(dir, true);
    assert.deepEqual(failures, []);
    assert.equal(result.response.success, true);
    assert.equal(fake.log.filter((e) => e.route === 'metadata.deployRequest.create').length, 1);
    const files = await retrieve([{ type: 'ExtlClntAppGlobalOauthSettings', fullName: `${app}_glbloauth` }]);
    assert.equal(tag(files.get(`ExtlClntAppGlobalOauthSettings:${app}_glbloauth`), 'consumerKey'), consumerKey);
  });

  test('with the org setting on, retrieve includes the consumer secret', async () => {
    fake.ctx.devHub.settings.enableConsumerSecretApiAccess = true;
    try {
      const files = await retrieve([{ type: 'ExtlClntAppGlobalOauthSettings', fullName: `${app}_glbloauth` }]);
      assert.equal(
        tag(files.get(`ExtlClntAppGlobalOauthSettings:${app}_glbloauth`), 'consumerSecret'),
        fake.ctx.devHub.consumers.get(app)!.consumerSecret,
      );
    } finally {
      fake.ctx.devHub.settings.enableConsumerSecretApiAccess = false;
    }
  });

  test('the app is found by SOQL (data API and Tooling) and its credentials over Connect REST', async () => {
    const soql = `SELECT Id, DeveloperName, DistributionState FROM ExternalClientApplication WHERE DeveloperName = '${app}'`;
    const record = await conn.singleRecordQuery<{ Id: string; DistributionState: string }>(soql);
    assert.match(record.Id, /^0xI\d{12}AAA$/);
    assert.equal(record.DistributionState, 'Packaged');
    assert.equal((await conn.singleRecordQuery<{ Id: string }>(soql, { tooling: true })).Id, record.Id);

    const usage = await conn.request<{ apps: { developerName: string; identifier: string }[] }>('/apps/oauth/usage');
    assert.ok(usage.apps.some((a) => a.developerName === app && a.identifier === record.Id));
    const collection = await conn.request<{ consumers: { id: string; key: string | null }[] }>(
      `/apps/oauth/credentials/${record.Id}`,
    );
    assert.equal(collection.consumers.length, 1);
    const consumerId = collection.consumers[0]!.id;
    const byPart = async (part?: string) =>
      conn.request<{ id: string; key: string | null; secret: string | null; name: string; url: string }>(
        `/apps/oauth/credentials/${record.Id}/${consumerId}${part ? `?part=${part}` : ''}`,
      );
    const keyOnly = await byPart();
    assert.equal(keyOnly.key, consumerKey);
    assert.equal(keyOnly.secret, null, 'the secret only when asked for');
    assert.equal(keyOnly.name, app);
    assert.equal((await byPart('secret')).secret, fake.ctx.devHub.consumers.get(app)!.consumerSecret);
    const both = await byPart('keyandsecret');
    assert.ok(both.key && both.secret);
    await assert.rejects(
      byPart('all'),
      (e: Error & { errorCode?: string }) => e.errorCode === 'ILLEGAL_QUERY_PARAMETER_VALUE',
    );
    await assert.rejects(
      conn.request(`/apps/oauth/credentials/0xI000000000999AAA/${consumerId}`),
      (e: Error & { errorCode?: string }) => e.errorCode === 'NOT_FOUND',
    );

    fake.ctx.devHub.settings.enableClientSecretInRestApiAccess = false;
    try {
      await assert.rejects(
        byPart('key'),
        (e: Error & { errorCode?: string }) =>
          e.errorCode === 'FUNCTIONALITY_NOT_ENABLED' && /not currently enabled/.test(e.message),
      );
      // Our choice (fake-org/RULES.md): the usage collection is gated by the same setting.
      await assert.rejects(
        conn.request('/apps/oauth/usage'),
        (e: Error & { errorCode?: string }) => e.errorCode === 'FUNCTIONALITY_NOT_ENABLED',
      );
    } finally {
      fake.ctx.devHub.settings.enableClientSecretInRestApiAccess = true;
    }
  });

  test('state persists across sessions: another login sees the app', async () => {
    const authInfo = await AuthInfo.create({ oauth2Options: AuthInfo.parseSfdxAuthUrl(fake.devHubAuthUrl) });
    const other = await Connection.create({ authInfo });
    const found = await other.query(`SELECT Id FROM ExternalClientApplication WHERE DeveloperName = '${app}'`);
    assert.equal(found.totalSize, 1);
  });

  test('an expired session is renewed on SOAP too (sf:INVALID_SESSION_ID → new JWT → deploy goes on)', async () => {
    fake.faults.expireSessions();
    const mark = fake.log.length;
    const { result } = await deploy(project(appFiles(app)));
    assert.equal(result.response.success, true);
    const seen = fake.log.slice(mark).map((e) => `${e.status} ${e.route}`);
    assert.deepEqual(seen.slice(0, 3), ['500 soap.deploy', '200 oauth.token', '200 query.scratchOrgInfo']);
  });
});

describe('deploys that fail like Salesforce fails them', () => {
  /** Deploy; expect failure; return the problems by component. */
  async function expectFailure(files: Record<string, string>, rest = false): Promise<Map<string, string[]>> {
    const before = JSON.stringify([...fake.ctx.devHub.metadata].map(([t, m]) => [t, [...m.keys()]]));
    const { result, failures } = await deploy(project(files), rest);
    assert.equal(result.response.success, false);
    assert.equal(result.response.status, 'Failed');
    assert.ok(failures.length > 0);
    assert.equal(
      JSON.stringify([...fake.ctx.devHub.metadata].map(([t, m]) => [t, [...m.keys()]])),
      before,
      'rolled back: nothing stored',
    );
    const byComponent = new Map<string, string[]>();
    for (const f of failures)
      byComponent.set(`${f.type}:${f.fullName}`, [...(byComponent.get(`${f.type}:${f.fullName}`) ?? []), f.error]);
    return byComponent;
  }

  test('the OAuth scope string mcp_api instead of the metadata token MCP', async () => {
    const problems = await expectFailure(
      appFiles('Bad_Scope', { oauth: oauth('Bad_Scope', '', 'mcp_api, refresh_token') }),
    );
    const errors = problems.get('ExtlClntAppOauthSettings:Bad_Scope_oauth')!;
    assert.equal(errors.length, 1, 'one problem naming every unknown scope');
    assert.match(
      errors[0]!,
      /^There's a problem with your scope\(s\): McpApi, RefreshToken\. Valid scopes: Basic, Api, /,
    );
    assert.match(errors[0]!, /Valid scopes: .*\bRefreshToken\b.*\bMCP\b/);
    assert.match(errors[0]!, /\(3:\d+\)$/, 'SDR appends line:column');
  });

  test('an element the type does not have', async () => {
    const problems = await expectFailure(
      appFiles('Bad_Element', { oauth: oauth('Bad_Element', '\n    <isAdminApproved>true</isAdminApproved>') }),
    );
    assert.match(
      problems.get('ExtlClntAppOauthSettings:Bad_Element_oauth')![0]!,
      // The org's deserializer refuses it, with its prefix (as real deploys answer; see rules.ts PARSE).
      /^Error parsing file: Element \{http:\/\/soap\.sforce\.com\/2006\/04\/metadata\}isAdminApproved invalid at this location in type ExtlClntAppOauthSettings/,
    );
  });

  test('a bad enum value, over the REST deploy too', async () => {
    const files = {
      ...appFiles('Bad_Enum'),
      'extlClntAppOauthPolicies/Bad_Enum_policy.ecaOauthPlcy-meta.xml': policy(
        'Bad_Enum',
        '    <permittedUsersPolicyType>AdminApproved</permittedUsersPolicyType>',
      ),
    };
    const problems = await expectFailure(files, true);
    assert.match(
      problems.get('ExtlClntAppOauthConfigurablePolicies:Bad_Enum_policy')![0]!,
      /^Error parsing file: 'AdminApproved' is not a valid value for the enum 'PermittedUsersPolicyType'/,
    );
  });

  test('a boolean that is not true/false, and a missing required field', async () => {
    const problems = await expectFailure(
      appFiles('Bad_Values', {
        global: globalOauth('Bad_Values').replace(
          '<isPkceRequired>true</isPkceRequired>',
          '<isPkceRequired>yes</isPkceRequired>',
        ),
        eca: xml('ExternalClientApplication', '    <label>No email</label>'),
      }),
    );
    assert.match(
      problems.get('ExtlClntAppGlobalOauthSettings:Bad_Values_glbloauth')![0]!,
      /'yes' is not a valid value for the type xsd:boolean/,
    );
    assert.match(problems.get('ExternalClientApplication:Bad_Values')![0]!, /Required field is missing: contactEmail/);
  });

  test('global OAuth settings without OAuth settings on a first deploy', async () => {
    const { [`extlClntAppOauthSettings/Lonely_oauth.ecaOauth-meta.xml`]: _omit, ...files } = appFiles('Lonely');
    const problems = await expectFailure(files);
    assert.match(
      problems.get('ExtlClntAppGlobalOauthSettings:Lonely_glbloauth')![0]!,
      /doesn't have a valid OAuth settings configuration/,
    );
  });

  test('a child that names an app that is neither deployed nor in the org', async () => {
    const problems = await expectFailure({
      'extlClntAppOauthSettings/Orphan_oauth.ecaOauth-meta.xml': oauth('Orphan'),
    });
    assert.match(
      problems.get('ExtlClntAppOauthSettings:Orphan_oauth')![0]!,
      /In field: externalClientApplication - no ExternalClientApplication named Orphan found/,
    );
  });

  test('an oauthLink that does not match the consumer, and an orgScopedExternalApp of another org', async () => {
    const problems = await expectFailure(
      appFiles('Mcp_App', {
        oauth: oauth('Mcp_App', `\n    <oauthLink>${fake.ctx.devHub.orgId}:888000000000999AAA</oauthLink>`),
        eca: eca('Mcp_App', `\n    <orgScopedExternalApp>${fake.ctx.scratch.orgId}:Mcp_App</orgScopedExternalApp>`),
      }),
    );
    assert.match(problems.get('ExtlClntAppOauthSettings:Mcp_App_oauth')![0]!, /oauthLink .* has incorrect information/);
    assert.match(
      problems.get('ExternalClientApplication:Mcp_App')![0]!,
      /must be in the format DeveloperOrganizationId:ExternalClientAppDeveloperName/,
    );
  });

  test('one bad component rolls back the good ones', async () => {
    const problems = await expectFailure({
      ...appFiles('Rollback_App'),
      'extlClntAppOauthPolicies/Rollback_App_policy.ecaOauthPlcy-meta.xml': policy(
        'Rollback_App',
        '    <refreshTokenValidityUnit>Weeks</refreshTokenValidityUnit>',
      ),
    });
    assert.deepEqual([...problems.keys()], ['ExtlClntAppOauthConfigurablePolicies:Rollback_App_policy']);
    assert.equal(fake.ctx.devHub.consumers.has('Rollback_App'), false);
  });

  test('faults.failNextDeploy fails the next deploy once', async () => {
    fake.faults.failNextDeploy('UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record');
    const problems = await expectFailure(appFiles('Locked_App'));
    assert.match([...problems.values()].flat().join('\n'), /UNABLE_TO_LOCK_ROW/);
    const { result } = await deploy(project(appFiles('Locked_App')));
    assert.equal(result.response.success, true);
  });
});

test('a user without Customize Application, or with neither Modify All Data nor the ECA developer permission, cannot deploy an app', async () => {
  for (const perms of [
    { PermissionsCustomizeApplication: false } as Record<string, boolean>,
    { PermissionsModifyAllData: false, PermissionsExternalClientAppDeveloper: false },
  ]) {
    fake.ctx.devHub.settings.userPermissions = perms;
    try {
      const { failures } = await deploy(project(appFiles('Perm_App')));
      assert.ok(failures.length >= 1, JSON.stringify(perms));
      assert.ok(failures.every((f) => /INSUFFICIENT_ACCESS/.test(f.error)));
      assert.equal(fake.ctx.devHub.metadata.get('ExternalClientApplication')?.has('Perm_App') ?? false, false);
    } finally {
      fake.ctx.devHub.settings.userPermissions = undefined;
    }
  }
  fake.ctx.devHub.settings.userPermissions = { PermissionsModifyAllData: false, PermissionsModifyMetadata: false };
  try {
    const { failures } = await deploy(project(appFiles('Perm_App')));
    assert.deepEqual(failures, [], 'Customize Application and the ECA developer permission suffice');
  } finally {
    fake.ctx.devHub.settings.userPermissions = undefined;
  }
});

test('an app with ExtlClntAppOauthSecuritySettings (.ecaOauthSecurity) deploys and retrieves; the org adds both default policies', async () => {
  const app = 'Sec_Deploy';
  const dir = project({
    ...appFiles(app),
    [`extlClntAppOauthSecuritySettings/${app}_oauthSecurity.ecaOauthSecurity-meta.xml`]: xml(
      'ExtlClntAppOauthSecuritySettings',
      `    <externalClientApplication>${app}</externalClientApplication>\n    <label>${app}_oauthSecurity</label>\n    <tokenIpRanges>\n        <endIpAddress>198.51.100.255</endIpAddress>\n        <startIpAddress>198.51.100.0</startIpAddress>\n    </tokenIpRanges>`,
    ),
  });
  const { failures } = await deploy(dir);
  assert.deepEqual(failures, []);
  const files = await retrieve([{ type: 'ExtlClntAppOauthSecuritySettings', fullName: `${app}_oauthSecurity` }]);
  assert.match(files.get(`ExtlClntAppOauthSecuritySettings:${app}_oauthSecurity`) ?? '', /198\.51\.100\.0/);
  // No policy in the deploy: the org made the OAuth one and the app one.
  assert.ok(fake.ctx.devHub.metadata.get('ExtlClntAppOauthConfigurablePolicies')?.has(`${app}_oauth_defaultPolicy`));
  assert.ok(fake.ctx.devHub.metadata.get('ExtlClntAppConfigurablePolicies')?.has(`${app}_defaultPolicy`));
  // A second OAuth policy afterwards: the org's DUPLICATE_VALUE on the one it made.
  const again = await deploy(
    project({
      [`extlClntAppOauthPolicies/${app}_oauthPlcy.ecaOauthPlcy-meta.xml`]: policy(
        app,
        '    <permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType>',
      ),
    }),
  );
  assert.match(
    again.failures.map((f) => f.error).join('\n'),
    new RegExp(`DUPLICATE_VALUE: ExtlClntAppOauthSettingsId duplicates value on ${app}_oauth_defaultPolicy`),
  );
});
