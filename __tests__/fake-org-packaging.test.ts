// Unit tests of the fake org's packaging routes: handlers called directly with a hand-built FakeOrgContext (the
// core's real validator, store and multipart parser; no HTTP server). The queries are the exact strings
// @salesforce/packaging 5 sends (docs/platform-notes.md, "Library wire notes").
import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import JSZip from 'jszip';
import type { FakeOrgContext, FakeRequest, FakeResponse, OrgState, Route } from '../fake-org/types.ts';
import { packagingRoutes } from '../fake-org/packaging.ts';
import { createValidator } from '../fake-org/rules.ts';
import { createStore } from '../fake-org/store.ts';
import { idFactory } from '../fake-org/ids.ts';
import { parseMultipart } from '../fake-org/multipart.ts';
import { parseSoql, runQuery, SoqlError, type Row } from '../fake-org/soql.ts';
import { schemaFor, PACKAGE2_VERSION } from '../fake-org/packaging-schema.ts';
import { NO_DURATIONS, REALISTIC, stillRunning } from '../fake-org/timing.ts';
import { ecaXml, globalXml, oauthXml } from './helpers/eca-xml.ts';

const NS = 'mcpns';
const API = '65.0';

// ---------------------------------------------------------------------------------------------------------------
// a hand-built context

function newOrg(newId: (p: string) => string, over: Partial<OrgState>): OrgState {
  return {
    orgId: newId('00D'),
    userId: newId('005'),
    username: 'user@example.com',
    name: 'Org',
    isDevHub: false,
    metadata: new Map(),
    consumers: new Map(),
    ext: new Map(),
    componentIds: new Map(),
    settings: { enableClientSecretInRestApiAccess: true, enableConsumerSecretApiAccess: false },
    ...over,
  };
}

interface Harness {
  ctx: FakeOrgContext;
  hub: OrgState;
  scratch: OrgState;
  routes: Route[];
}

function harness(): Harness {
  const newId = idFactory(1);
  const hub = newOrg(newId, { username: 'hub@example.com', name: 'Fake Dev Hub', isDevHub: true, namespace: NS });
  const scratch = newOrg(newId, { username: 'scratch@example.com', name: 'Fake Scratch' });
  const orgs = [hub, scratch];
  const store = createStore(newId, () => orgs);
  const ctx: FakeOrgContext = {
    orgs,
    devHub: hub,
    scratch,
    newId,
    validateComponent: createValidator(() => orgs),
    parseMultipart: (req) => parseMultipart(req),
    instanceUrl: 'http://127.0.0.1:1',
    applyComponents: (org, components) => {
      store.apply(org, components);
    },
    json: (status, body) => ({
      status,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify(body),
    }),
    restError: (status, errorCode, message) => ({
      status,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify([{ errorCode, message }]),
    }),
    timing: {
      versionCreatePolls: 2,
      versionUnavailablePolls: 2,
      installPolls: 2,
      deployPolls: 1,
      retrievePolls: 1,
      durations: { ...NO_DURATIONS },
    },
    failures: {},
  } as FakeOrgContext;
  return { ctx, hub, scratch, routes: packagingRoutes(ctx) };
}

interface Call {
  status: number;
  json: unknown;
  raw: FakeResponse;
}

async function call(
  h: Harness,
  org: OrgState,
  method: Route['method'],
  path: string,
  opts: { query?: Record<string, string>; body?: Buffer | string | object; contentType?: string } = {},
): Promise<Call> {
  const body =
    opts.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(opts.body)
        ? opts.body
        : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
  const req: FakeRequest = {
    method,
    path: `/services/data/v${API}${path}`,
    query: new URLSearchParams(opts.query ?? {}),
    headers: { 'content-type': opts.contentType ?? 'application/json' },
    body,
    org,
    apiVersion: API,
  };
  for (const r of h.routes) {
    if (r.method !== method) continue;
    const m = path.match(r.pattern);
    if (!m) continue;
    const res = await r.handler(req, m);
    if (res === undefined) continue;
    const text = res.body === undefined ? '' : res.body.toString();
    return { status: res.status, json: text ? JSON.parse(text) : undefined, raw: res };
  }
  throw new Error(`no packaging route answered ${method} ${path}`);
}

async function query(h: Harness, org: OrgState, soql: string): Promise<Call> {
  return call(h, org, 'GET', '/tooling/query', { query: { q: soql } });
}

type Rec = Record<string, unknown>;
const records = (c: Call): Rec[] => (c.json as { records: Rec[] }).records;
const errorOf = (c: Call): { errorCode: string; message: string } =>
  (c.json as { errorCode: string; message: string }[])[0]!;

// ---------------------------------------------------------------------------------------------------------------
// ECA metadata and the Dev Hub's app

/** Deploy the app (header, global settings, OAuth settings) to the hub, as the action does first. */
function deployAppToHub(h: Harness, app = 'McpApp'): string {
  h.ctx.applyComponents(h.hub, [
    { type: 'ExternalClientApplication', fullName: app, fileName: `externalClientApps/${app}.eca`, xml: ecaXml(app) },
    {
      type: 'ExtlClntAppGlobalOauthSettings',
      fullName: `${app}_glbloauth`,
      fileName: `extlClntAppGlobalOauthSets/${app}_glbloauth.ecaGlblOauth`,
      xml: globalXml(app),
    },
    {
      type: 'ExtlClntAppOauthSettings',
      fullName: `${app}_oauth`,
      fileName: `extlClntAppOauthSettings/${app}_oauth.ecaOauth`,
      xml: oauthXml(app),
    },
  ]);
  const consumer = h.hub.consumers.get(app);
  assert.ok(consumer, 'the hub has the app consumer');
  return consumer.oauthLink;
}

interface ZipFile {
  path: string;
  type: string;
  member: string;
  xml: string;
}

const ecaFile = (app: string, state = 'Packaged'): ZipFile => ({
  path: `externalClientApps/${app}.eca`,
  type: 'ExternalClientApplication',
  member: app,
  xml: ecaXml(app, { state }),
});
const oauthFile = (app: string, link?: string): ZipFile => ({
  path: `extlClntAppOauthSettings/${app}_oauth.ecaOauth`,
  type: 'ExtlClntAppOauthSettings',
  member: `${app}_oauth`,
  xml: oauthXml(app, link),
});
const globalFile = (app: string): ZipFile => ({
  path: `extlClntAppGlobalOauthSets/${app}_glbloauth.ecaGlblOauth`,
  type: 'ExtlClntAppGlobalOauthSettings',
  member: `${app}_glbloauth`,
  xml: globalXml(app),
});

/** package-version-info.zip as @salesforce/packaging builds it. */
async function versionInfo(packageId: string, files: ZipFile[], descriptor: Rec = {}): Promise<Buffer> {
  const types = new Map<string, string[]>();
  for (const f of files) types.set(f.type, [...(types.get(f.type) ?? []), f.member]);
  const packageXml = `<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
${[...types].map(([t, ms]) => `    <types>\n${ms.map((m) => `        <members>${m}</members>\n`).join('')}        <name>${t}</name>\n    </types>`).join('\n')}
    <types>
        <name>Profile</name>
    </types>
    <version>${API}</version>
</Package>
`;
  const inner = new JSZip();
  inner.file('package.xml', packageXml);
  for (const f of files) inner.file(f.path, f.xml);
  const outer = new JSZip();
  outer.file(
    'package2-descriptor.json',
    JSON.stringify({
      versionName: 'ver 1.0',
      versionNumber: '1.0.0.NEXT',
      path: 'force-app',
      versionDescription: 'test',
      id: packageId,
      ancestorId: '',
      ...descriptor,
    }),
  );
  outer.file('package.zip', await inner.generateAsync({ type: 'nodebuffer' }));
  return outer.generateAsync({ type: 'nodebuffer' });
}

/** The multipart body jsforce (form-data) sends for tooling.create('Package2VersionCreateRequest', …, { multipartFileFields }). */
function multipart(zip: Buffer, json: Rec): { body: Buffer; contentType: string } {
  const boundary = '--------------------------123456789012345678901234';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="VersionInfo"; filename="package-version-info.zip"\r\nContent-Type: application/zip\r\n\r\n`,
    ),
    zip,
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="Package2VersionCreateRequest"\r\nContent-Type: application/json\r\n\r\n`,
    ),
    Buffer.from(JSON.stringify(json)),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const REQUEST_FIELDS = {
  CalculateCodeCoverage: false,
  SkipValidation: false,
  AsyncValidation: false,
  IsDevUsePkgZipRequested: false,
  CalcTransitiveDependencies: false,
};

async function createPackage(h: Harness, body: Rec = {}): Promise<string> {
  const res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
    body: {
      Name: 'McpPkg',
      Description: 'ECA for MCP',
      NamespacePrefix: NS,
      ContainerOptions: 'Managed',
      IsOrgDependent: false,
      ...body,
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return (res.json as { id: string }).id;
}

async function startVersion(
  h: Harness,
  packageId: string,
  files: ZipFile[],
  json: Rec = {},
  descriptor: Rec = {},
): Promise<Call> {
  const mp = multipart(await versionInfo(packageId, files, descriptor), {
    Package2Id: packageId,
    ...REQUEST_FIELDS,
    ...json,
  });
  return call(h, h.hub, 'POST', '/tooling/sobjects/Package2VersionCreateRequest', {
    body: mp.body,
    contentType: mp.contentType,
  });
}

// The version request's status query, exactly as packaging 5 builds it for API 65
const statusQuery = (id: string) =>
  'SELECT Id, Status, Package2Id, Package2.Name, Package2VersionId, Package2Version.SubscriberPackageVersionId, Package2Version.HasPassedCodeCoverageCheck,Package2Version.CodeCoverage, Tag, Branch, ' +
  'Package2Version.MajorVersion, Package2Version.MinorVersion, Package2Version.PatchVersion, Package2Version.BuildNumber, ' +
  'CreatedDate, Package2Version.HasMetadataRemoved, CreatedById, IsConversionRequest, Package2Version.ConvertedFromVersionId ' +
  ', AsyncValidation ' +
  ', Package2Version.TotalNumberOfMetadataFiles, Package2Version.TotalSizeOfMetadataFiles ' +
  'FROM Package2VersionCreateRequest ' +
  `WHERE Id = '${id}' ` +
  'ORDER BY CreatedDate desc';
const errorQuery = (id: string) =>
  `SELECT Message FROM Package2VersionCreateRequestError WHERE ParentRequest.Id = '${id}'`;
const spvStatusQuery = (id: string, key?: string) =>
  `SELECT Id, SubscriberPackageId, InstallValidationStatus FROM SubscriberPackageVersion WHERE Id ='${id}'${key ? ` AND InstallationKey ='${key}'` : ''}`;
const SPV_FIELDS =
  'BuildNumber,CspTrustedSites,Description,Id,InstallValidationStatus,IsBeta,IsDeprecated,IsManaged,IsOrgDependent,IsPasswordProtected,IsSecurityReviewed,MajorVersion,MinorVersion,Name,Package2ContainerOptions,PatchVersion,PublisherName,ReleaseState,SubscriberPackageId';
const INSTALLED_QUERY =
  'SELECT Id, SubscriberPackageId, SubscriberPackage.NamespacePrefix, SubscriberPackage.Name, SubscriberPackageVersion.Id, SubscriberPackageVersion.Name, SubscriberPackageVersion.MajorVersion, SubscriberPackageVersion.MinorVersion, SubscriberPackageVersion.PatchVersion, SubscriberPackageVersion.BuildNumber, SubscriberPackageVersion.IsManaged, SubscriberPackageVersion.Package2ContainerOptions FROM InstalledSubscriberPackage ORDER BY SubscriberPackageId';

/** Poll the version request's status until it is done; returns the statuses seen. */
async function pollVersion(h: Harness, requestId: string): Promise<{ statuses: string[]; last: Rec }> {
  const statuses: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await query(h, h.hub, statusQuery(requestId));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const rec = records(res)[0]!;
    statuses.push(rec['Status'] as string);
    if (rec['Status'] === 'Success' || rec['Status'] === 'Error') return { statuses, last: rec };
  }
  throw new Error('version create never finished');
}

async function errorsOf(h: Harness, requestId: string): Promise<string[]> {
  return records(await query(h, h.hub, errorQuery(requestId))).map((r) => r['Message'] as string);
}

async function goodVersion(h: Harness, packageId: string, json: Rec = {}): Promise<{ requestId: string; rec: Rec }> {
  const link = h.hub.consumers.get('McpApp')?.oauthLink ?? deployAppToHub(h);
  const res = await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)], json);
  assert.equal(res.status, 201, JSON.stringify(res.json));
  const requestId = (res.json as { id: string }).id;
  const { last } = await pollVersion(h, requestId);
  assert.equal(last['Status'], 'Success', JSON.stringify(await errorsOf(h, requestId)));
  return { requestId, rec: last };
}

// ---------------------------------------------------------------------------------------------------------------

describe('Package2', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  test('create a managed package with the linked namespace, then read it back', async () => {
    const id = await createPackage(h);
    assert.match(id, /^0Ho[0-9A-Za-z]{15}$/);
    const got = await call(h, h.hub, 'GET', `/tooling/sobjects/Package2/${id}`);
    assert.equal(got.status, 200);
    const rec = got.json as Rec;
    assert.equal(rec['ContainerOptions'], 'Managed');
    assert.equal(rec['NamespacePrefix'], NS);
    assert.equal(rec['Name'], 'McpPkg');
    assert.match(rec['SubscriberPackageId'] as string, /^033/);
    assert.deepEqual(rec['attributes'], {
      type: 'Package2',
      url: `/services/data/v${API}/tooling/sobjects/Package2/${id}`,
    });
    // 15-char ids name the same record
    assert.equal((await call(h, h.hub, 'GET', `/tooling/sobjects/Package2/${id.slice(0, 15)}`)).status, 200);
  });

  test('an unknown package is 404 NOT_FOUND', async () => {
    const res = await call(h, h.hub, 'GET', '/tooling/sobjects/Package2/0Ho000000000999AAA');
    assert.equal(res.status, 404);
    assert.equal(errorOf(res).errorCode, 'NOT_FOUND');
  });

  test('names are unique in a Dev Hub', async () => {
    const first = await createPackage(h);
    const res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'mcppkg', NamespacePrefix: NS, ContainerOptions: 'Managed' },
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).errorCode, 'DUPLICATE_VALUE');
    assert.match(errorOf(res).message, new RegExp(first));
  });

  test('a managed package needs the Dev Hub linked namespace', async () => {
    let res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'A', NamespacePrefix: '', ContainerOptions: 'Managed', IsOrgDependent: false },
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).errorCode, 'FIELD_INTEGRITY_EXCEPTION');
    assert.match(errorOf(res).message, /managed package requires a namespace/);
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'B', NamespacePrefix: 'otherns', ContainerOptions: 'Managed' },
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).errorCode, 'INVALID_NAMESPACE_PREFIX');
    assert.match(errorOf(res).message, /otherns isn't linked to this Dev Hub org/);
    h.hub.namespace = undefined;
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'C', NamespacePrefix: NS, ContainerOptions: 'Managed' },
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).errorCode, 'INVALID_NAMESPACE_PREFIX');
  });

  test('bad values, unknown fields, Name required, org-dependent only for unlocked', async () => {
    let res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'A', ContainerOptions: 'Locked' },
    });
    assert.equal(errorOf(res).errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'A', ContainerOptions: 'Unlocked', Namespace: 'x' },
    });
    assert.equal(errorOf(res).errorCode, 'INVALID_FIELD');
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', { body: { ContainerOptions: 'Unlocked' } });
    assert.equal(errorOf(res).errorCode, 'REQUIRED_FIELD_MISSING');
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'A', ContainerOptions: 'Managed', NamespacePrefix: NS, IsOrgDependent: true },
    });
    assert.equal(errorOf(res).errorCode, 'FIELD_INTEGRITY_EXCEPTION');
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'A', ContainerOptions: 'Unlocked', IsOrgDependent: 'false' },
    });
    assert.equal(errorOf(res).errorCode, 'JSON_PARSER_ERROR');
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', { body: '{"Name":' });
    assert.equal(errorOf(res).errorCode, 'JSON_PARSER_ERROR');
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'U', ContainerOptions: 'Unlocked', NamespacePrefix: '' },
    });
    assert.equal(res.status, 201);
  });

  test('Package2 exists only in a Dev Hub', async () => {
    let res = await call(h, h.scratch, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'A', ContainerOptions: 'Unlocked' },
    });
    assert.equal(res.status, 404);
    assert.equal(errorOf(res).message, 'The requested resource does not exist');
    res = await query(h, h.scratch, 'SELECT Id FROM Package2');
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).errorCode, 'INVALID_TYPE');
  });

  test("Package.list's query, with the fields of the connection's API version", async () => {
    await createPackage(h);
    await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'Another', ContainerOptions: 'Unlocked', NamespacePrefix: '' },
    });
    const fields65 =
      'Id,IsDeleted,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp,SubscriberPackageId,Name,Description,NamespacePrefix,ContainerOptions,IsDeprecated,IsOrgDependent,ConvertedFromPackageId,PackageErrorUsername,AppAnalyticsEnabled';
    const res = await query(h, h.hub, `select ${fields65} from Package2 ORDER BY NamespacePrefix, Name`);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const recs = records(res);
    assert.deepEqual(
      recs.map((r) => r['Name']),
      ['Another', 'McpPkg'],
      'NULLS FIRST in ascending order',
    );
    assert.deepEqual(Object.keys(recs[0]!), ['attributes', ...fields65.split(',')]);
    // RecommendedVersionId arrives in API 66
    const bad = await query(h, h.hub, `select ${fields65},RecommendedVersionId from Package2`);
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).errorCode, 'INVALID_FIELD');
    assert.match(errorOf(bad).message, /No such column 'RecommendedVersionId' on entity 'Package2'/);
    // validatePatchVersion's lower-case query
    const one = await query(h, h.hub, `SELECT ContainerOptions FROM Package2 WHERE id ='${recs[1]!['Id'] as string}'`);
    assert.deepEqual(
      records(one).map((r) => r['ContainerOptions']),
      ['Managed'],
    );
  });
});

describe('Package2VersionCreateRequest', () => {
  let h: Harness;
  let packageId: string;
  beforeEach(async () => {
    h = harness();
    packageId = await createPackage(h);
  });

  test('a packaged ECA: Queued → InProgress → Success, then the version and its 04t', async () => {
    const link = deployAppToHub(h);
    const res = await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)], {
      Tag: 'v1',
      InstallKey: 'k3y',
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const body = res.json as { id: string; success: boolean; errors: unknown[] };
    assert.match(body.id, /^08c/);
    assert.deepEqual({ success: body.success, errors: body.errors }, { success: true, errors: [] });

    const { statuses, last } = await pollVersion(h, body.id);
    assert.deepEqual(statuses, ['Queued', 'InProgress', 'Success']);
    assert.equal((last['Package2'] as Rec)['Name'], 'McpPkg');
    assert.equal(last['Tag'], 'v1');
    const pv = last['Package2Version'] as Rec;
    assert.match(last['Package2VersionId'] as string, /^05i/);
    assert.match(pv['SubscriberPackageVersionId'] as string, /^04t/);
    assert.deepEqual([pv['MajorVersion'], pv['MinorVersion'], pv['PatchVersion'], pv['BuildNumber']], [1, 0, 0, 1]);
    assert.equal(pv['TotalNumberOfMetadataFiles'], 2);
    assert.ok((pv['TotalSizeOfMetadataFiles'] as number) > 0);
    assert.equal(pv['CodeCoverage'], null);

    // the version's number fields, read by its 04t (what packaging writes back as an alias)
    const alias = await query(
      h,
      h.hub,
      `SELECT Branch, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM Package2Version WHERE SubscriberPackageVersionId='${pv['SubscriberPackageVersionId'] as string}'`,
    );
    assert.deepEqual(records(alias)[0], {
      attributes: {
        type: 'Package2Version',
        url: `/services/data/v${API}/tooling/sobjects/Package2Version/${last['Package2VersionId'] as string}`,
      },
      Branch: null,
      MajorVersion: 1,
      MinorVersion: 0,
      PatchVersion: 0,
      BuildNumber: 1,
    });
    // the version remembers its installation key
    const v = await query(
      h,
      h.hub,
      `SELECT InstallKey, IsPasswordProtected, IsReleased, Package2.NamespacePrefix FROM Package2Version WHERE Package2Id = '${packageId}'`,
    );
    assert.deepEqual(
      { ...records(v)[0], attributes: undefined, Package2: undefined },
      { attributes: undefined, Package2: undefined, InstallKey: 'k3y', IsPasswordProtected: true, IsReleased: false },
    );
    assert.equal((records(v)[0]!['Package2'] as Rec)['NamespacePrefix'], NS);
    // a status read after the end changes nothing
    assert.equal(records(await query(h, h.hub, statusQuery(body.id)))[0]!['Status'], 'Success');
  });

  test('the status moves over ctx.timing.versionCreatePolls reads; retrieve by id counts too', async () => {
    h.ctx.timing.versionCreatePolls = 4;
    const link = deployAppToHub(h);
    const res = await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)]);
    const id = (res.json as { id: string }).id;
    const seen: string[] = [];
    for (let i = 0; i < 5; i++)
      seen.push(
        ((await call(h, h.hub, 'GET', `/tooling/sobjects/Package2VersionCreateRequest/${id}`)).json as Rec)[
          'Status'
        ] as string,
      );
    assert.deepEqual(seen, ['Queued', 'InProgress', 'InProgress', 'InProgress', 'Success']);
  });

  test('a second version gets the next build number; an explicit existing build is refused', async () => {
    const first = await goodVersion(h, packageId);
    const second = await goodVersion(h, packageId);
    assert.equal((first.rec['Package2Version'] as Rec)['BuildNumber'], 1);
    assert.equal((second.rec['Package2Version'] as Rec)['BuildNumber'], 2);
    const max = await query(
      h,
      h.hub,
      `SELECT MAX(BuildNumber) FROM Package2Version WHERE Package2Id = '${packageId}' AND IsDeprecated != true AND MajorVersion = 1 AND MinorVersion = 0 AND PatchVersion = 0 AND Branch = null `,
    );
    assert.deepEqual(records(max), [{ attributes: { type: 'AggregateResult' }, expr0: 2 }]);

    const link = h.hub.consumers.get('McpApp')!.oauthLink;
    const res = await startVersion(
      h,
      packageId,
      [ecaFile('McpApp'), oauthFile('McpApp', link)],
      {},
      { versionNumber: '1.0.0.2' },
    );
    const { last } = await pollVersion(h, (res.json as { id: string }).id);
    assert.equal(last['Status'], 'Error');
    assert.match(
      (await errorsOf(h, (res.json as { id: string }).id))[0]!,
      /Version 1\.0\.0\.2 of package McpPkg already exists/,
    );
    // other major.minor starts at 1 again
    const other = await startVersion(
      h,
      packageId,
      [ecaFile('McpApp'), oauthFile('McpApp', link)],
      {},
      { versionNumber: '1.1.0.NEXT' },
    );
    const o = await pollVersion(h, (other.json as { id: string }).id);
    assert.equal((o.last['Package2Version'] as Rec)['BuildNumber'], 1);
  });

  test('global OAuth settings in the package: accepted, then Error with the message', async () => {
    const link = deployAppToHub(h);
    const res = await startVersion(h, packageId, [ecaFile('McpApp'), globalFile('McpApp'), oauthFile('McpApp', link)]);
    assert.equal(res.status, 201, 'problems are not an HTTP error');
    const id = (res.json as { id: string }).id;
    const { statuses, last } = await pollVersion(h, id);
    assert.deepEqual(statuses, ['Queued', 'InProgress', 'Error']);
    assert.equal(last['Package2VersionId'], null);
    assert.equal(last['Package2Version'], null);
    const errs = await errorsOf(h, id);
    assert.equal(errs.length, 1, errs.join('\n'));
    assert.match(errs[0]!, /ExtlClntAppGlobalOauthSettings McpApp_glbloauth: .*can't be packaged/);
    // no version was made
    assert.equal(
      records(await query(h, h.hub, `SELECT Id FROM Package2Version WHERE Package2Id = '${packageId}'`)).length,
      0,
    );
  });

  test('distributionState Local, a missing or foreign oauthLink: Error', async () => {
    const link = deployAppToHub(h);
    const cases: [ZipFile[], RegExp][] = [
      [[ecaFile('McpApp', 'Local'), oauthFile('McpApp', link)], /distributionState is Local/],
      [[ecaFile('McpApp'), oauthFile('McpApp')], /has no oauthLink/],
      [
        [ecaFile('McpApp'), oauthFile('McpApp', `${h.hub.orgId}:888000000000777AAA`)],
        /oauthLink .* (incorrect information|doesn't match)/,
      ],
      [[oauthFile('McpApp', link)], /no ExternalClientApplication named McpApp found/],
    ];
    for (const [files, expected] of cases) {
      const res = await startVersion(h, packageId, files);
      const id = (res.json as { id: string }).id;
      assert.equal((await pollVersion(h, id)).last['Status'], 'Error');
      const errs = await errorsOf(h, id);
      assert.ok(
        errs.some((e) => expected.test(e)),
        `${String(expected)} in ${errs.join(' | ')}`,
      );
    }
  });

  test("an oauthLink to another org's consumer (e.g. a scratch org) can't be packaged", async () => {
    deployAppToHub(h);
    const foreign = h.ctx.newId('888');
    h.scratch.consumers.set('McpApp', {
      appName: 'McpApp',
      appId: h.ctx.newId('0xI'),
      consumerId: foreign,
      consumerKey: 'k',
      consumerSecret: 's',
      oauthLink: `${h.scratch.orgId}:${foreign}`,
    });
    const res = await startVersion(h, packageId, [
      ecaFile('McpApp'),
      oauthFile('McpApp', `${h.scratch.orgId}:${foreign}`),
    ]);
    const id = (res.json as { id: string }).id;
    assert.equal((await pollVersion(h, id)).last['Status'], 'Error');
    const errs = await errorsOf(h, id);
    assert.ok(
      errs.some((e) => /oauthLink/.test(e)),
      errs.join(' | '),
    );
  });

  test('an ECA in an Unlocked package is refused with a clear error', async () => {
    const link = deployAppToHub(h);
    const res0 = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2', {
      body: { Name: 'Unl', ContainerOptions: 'Unlocked', NamespacePrefix: '' },
    });
    const unlocked = (res0.json as { id: string }).id;
    const res = await startVersion(h, unlocked, [ecaFile('McpApp'), oauthFile('McpApp', link)]);
    const id = (res.json as { id: string }).id;
    assert.equal((await pollVersion(h, id)).last['Status'], 'Error');
    const errs = await errorsOf(h, id);
    assert.ok(
      errs.some((e) =>
        /ExternalClientApplication McpApp: External client apps can be packaged only in second-generation managed packages\. Package Unl is Unlocked/.test(
          e,
        ),
      ),
      errs.join(' | '),
    );
    assert.ok(
      errs.some((e) => /^ExtlClntAppOauthSettings McpApp_oauth: External client apps can be packaged only/.test(e)),
    );
  });

  test('policy files are refused; an empty package is refused; a forced failure wins', async () => {
    const link = deployAppToHub(h);
    const policy: ZipFile = {
      path: 'extlClntAppOauthPolicies/McpApp_oauth_defaultPolicy.ecaOauthPlcy',
      type: 'ExtlClntAppOauthConfigurablePolicies',
      member: 'McpApp_oauth_defaultPolicy',
      xml: `<?xml version="1.0" encoding="UTF-8"?>
<ExtlClntAppOauthConfigurablePolicies xmlns="http://soap.sforce.com/2006/04/metadata">
    <externalClientApplication>McpApp</externalClientApplication>
    <label>McpApp_oauth_defaultPolicy</label>
    <permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType>
</ExtlClntAppOauthConfigurablePolicies>
`,
    };
    let res = await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link), policy]);
    let id = (res.json as { id: string }).id;
    await pollVersion(h, id);
    assert.ok((await errorsOf(h, id)).some((e) => /OAuth policies can't be added to a package version/.test(e)));

    res = await startVersion(h, packageId, []);
    id = (res.json as { id: string }).id;
    await pollVersion(h, id);
    assert.deepEqual(await errorsOf(h, id), [
      'The package version has no metadata components. Add metadata to the package directory, then create the version again.',
    ]);

    h.ctx.failures.versionCreate = ['Forced: the build service is down.'];
    res = await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)]);
    id = (res.json as { id: string }).id;
    assert.equal((await pollVersion(h, id)).last['Status'], 'Error');
    assert.deepEqual(await errorsOf(h, id), ['Forced: the build service is down.']);
    assert.equal(h.ctx.failures.versionCreate, undefined, 'a forced failure is used once');
    await goodVersion(h, packageId);
  });

  test('descriptor checks: version number format, package id, ancestor', async () => {
    const link = deployAppToHub(h);
    const files = [ecaFile('McpApp'), oauthFile('McpApp', link)];
    const cases: [Rec, RegExp][] = [
      [{ versionNumber: '1.0.NEXT' }, /version number 1\.0\.NEXT isn't valid/],
      [{ versionNumber: '1.0.0.LATEST' }, /version number 1\.0\.0\.LATEST isn't valid/],
      [{ id: '0Ho000000000555AAA' }, /doesn't match the Package2Id/],
      [{ ancestorId: '05i000000000555AAA' }, /ancestor version 05i000000000555AAA isn't a version of package McpPkg/],
      [{ versionNumber: '1.0.1.NEXT' }, /no released version 1\.0\.0 of package McpPkg exists/],
    ];
    for (const [descriptor, expected] of cases) {
      const res = await startVersion(h, packageId, files, {}, descriptor);
      const id = (res.json as { id: string }).id;
      assert.equal((await pollVersion(h, id)).last['Status'], 'Error', String(expected));
      const errs = await errorsOf(h, id);
      assert.ok(
        errs.some((e) => expected.test(e)),
        `${String(expected)} in ${errs.join(' | ')}`,
      );
    }
  });

  test('synchronous refusals: no VersionInfo, unknown package, unknown field, not a Dev Hub', async () => {
    let res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2VersionCreateRequest', {
      body: { Package2Id: packageId },
    });
    assert.equal(errorOf(res).errorCode, 'REQUIRED_FIELD_MISSING');
    const zip = await versionInfo('0Ho000000000555AAA', [ecaFile('McpApp')]);
    let mp = multipart(zip, { Package2Id: '0Ho000000000555AAA' });
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2VersionCreateRequest', {
      body: mp.body,
      contentType: mp.contentType,
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).errorCode, 'INVALID_CROSS_REFERENCE_KEY');
    mp = multipart(zip, { Package2Id: packageId, Colour: 'blue' });
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2VersionCreateRequest', {
      body: mp.body,
      contentType: mp.contentType,
    });
    assert.equal(errorOf(res).errorCode, 'INVALID_FIELD');
    mp = multipart(zip, { Package2Id: packageId });
    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/Package2VersionCreateRequest', {
      body: mp.body,
      contentType: mp.contentType,
    });
    assert.equal(res.status, 404);
  });

  test('promotion needs code coverage; a released version is the ancestor', async () => {
    const beta = await goodVersion(h, packageId);
    const betaId = beta.rec['Package2VersionId'] as string;
    let res = await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2Version/${betaId}`, {
      body: { IsReleased: true, Id: betaId },
    });
    assert.equal(res.status, 400);
    assert.match(errorOf(res).message, /Code coverage has not been run for this version/);

    const covered = await goodVersion(h, packageId, { CalculateCodeCoverage: true });
    const coveredId = covered.rec['Package2VersionId'] as string;
    res = await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2Version/${coveredId}`, {
      body: { IsReleased: true, Id: coveredId },
    });
    assert.equal(res.status, 204);

    const ancestorQuery =
      'SELECT Id, SubscriberPackageVersionId, MajorVersion, MinorVersion, PatchVersion FROM Package2Version ' +
      `WHERE Package2Id = '${packageId}' AND IsReleased = True AND IsDeprecated = False AND PatchVersion = 0 ` +
      'ORDER BY MajorVersion Desc, MinorVersion Desc, PatchVersion Desc, BuildNumber Desc LIMIT 1';
    const anc = records(await query(h, h.hub, ancestorQuery));
    assert.equal(anc.length, 1);
    assert.equal(anc[0]!['Id'], coveredId);

    // 1.0.0 is released: the next version names it as ancestor and must be higher
    const link = h.hub.consumers.get('McpApp')!.oauthLink;
    const same = await startVersion(
      h,
      packageId,
      [ecaFile('McpApp'), oauthFile('McpApp', link)],
      {},
      { ancestorId: coveredId, versionNumber: '1.0.0.NEXT' },
    );
    await pollVersion(h, (same.json as { id: string }).id);
    assert.ok(
      (await errorsOf(h, (same.json as { id: string }).id)).some((e) => /must be higher than its ancestor/.test(e)),
    );
    const next = await startVersion(
      h,
      packageId,
      [ecaFile('McpApp'), oauthFile('McpApp', link)],
      {},
      { ancestorId: coveredId, versionNumber: '1.1.0.NEXT' },
    );
    const n = await pollVersion(h, (next.json as { id: string }).id);
    assert.equal(n.last['Status'], 'Success');
    const ancOf = records(
      await query(
        h,
        h.hub,
        `SELECT AncestorId FROM Package2Version WHERE Id = '${n.last['Package2VersionId'] as string}'`,
      ),
    );
    assert.equal(ancOf[0]!['AncestorId'], (covered.rec['Package2Version'] as Rec)['SubscriberPackageVersionId']);
  });
});

describe('deleting (Package.delete, PackageVersion.delete) and concurrent builds', () => {
  test('a package with live versions cannot be deleted; a deleted version cannot be installed', async () => {
    const h = harness();
    const packageId = await createPackage(h);
    const { rec } = await goodVersion(h, packageId);
    const versionId = rec['Package2VersionId'] as string;
    const id04t = (rec['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string;
    let res = await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2/${packageId}`, {
      body: { IsDeprecated: true },
    });
    assert.equal(res.status, 400);
    assert.match(errorOf(res).message, /has package versions that aren't deleted/);
    res = await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2Version/${versionId}`, {
      body: { IsDeprecated: true },
    });
    assert.equal(res.status, 204);
    for (let i = 0; i < 3; i++) res = await query(h, h.scratch, spvStatusQuery(id04t));
    assert.equal(records(res)[0]!['InstallValidationStatus'], 'DEPRECATED_INSTALL_PACKAGE');
    res = await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2/${packageId}`, { body: { IsDeprecated: true } });
    assert.equal(res.status, 204);
    const listed = records(await query(h, h.hub, `SELECT Name, IsDeprecated FROM Package2 WHERE Id = '${packageId}'`));
    assert.equal(listed[0]!['IsDeprecated'], true);
    // no new versions of a deleted package
    const mp = multipart(await versionInfo(packageId, [ecaFile('McpApp')]), { Package2Id: packageId });
    res = await call(h, h.hub, 'POST', '/tooling/sobjects/Package2VersionCreateRequest', {
      body: mp.body,
      contentType: mp.contentType,
    });
    assert.equal(res.status, 400);
  });

  test('a failed update changes nothing (atomic)', async () => {
    const h = harness();
    const packageId = await createPackage(h);
    const { rec } = await goodVersion(h, packageId);
    const versionId = rec['Package2VersionId'] as string;
    const res = await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2Version/${versionId}`, {
      body: { Tag: 'changed', IsReleased: true },
    });
    assert.equal(res.status, 400);
    const v = records(
      await query(h, h.hub, `SELECT Tag, IsReleased FROM Package2Version WHERE Id = '${versionId}'`),
    )[0]!;
    assert.deepEqual([v['Tag'], v['IsReleased']], [null, false]);
  });

  test('requests running at the same time get distinct build numbers, decided when they finish', async () => {
    const h = harness();
    const packageId = await createPackage(h);
    const link = deployAppToHub(h);
    const a = (await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)])).json as { id: string };
    const b = (await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)])).json as { id: string };
    const rb = await pollVersion(h, b.id);
    const ra = await pollVersion(h, a.id);
    assert.equal((rb.last['Package2Version'] as Rec)['BuildNumber'], 1);
    assert.equal((ra.last['Package2Version'] as Rec)['BuildNumber'], 2);
  });
});

describe('SubscriberPackageVersion and PackageInstallRequest', () => {
  let h: Harness;
  let id04t: string;
  beforeEach(async () => {
    h = harness();
    const packageId = await createPackage(h);
    const { rec } = await goodVersion(h, packageId);
    id04t = (rec['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string;
  });

  test('SubscriberPackageVersion from the scratch org: PACKAGE_UNAVAILABLE for ctx.timing.versionUnavailablePolls look-ups, then NO_ERRORS_DETECTED', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await query(h, h.scratch, spvStatusQuery(id04t));
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(records(res).length, 1);
      seen.push(records(res)[0]!['InstallValidationStatus'] as string);
    }
    assert.deepEqual(seen, ['PACKAGE_UNAVAILABLE', 'PACKAGE_UNAVAILABLE', 'NO_ERRORS_DETECTED', 'NO_ERRORS_DETECTED']);
  });

  test('SubscriberPackageVersion by Id is exactly one record with the package type; unknown ids give none; the Id filter is required', async () => {
    const res = await query(h, h.scratch, `SELECT ${SPV_FIELDS} FROM SubscriberPackageVersion WHERE Id ='${id04t}'`);
    const recs = records(res);
    assert.equal(recs.length, 1);
    const r = recs[0]!;
    assert.equal(r['Package2ContainerOptions'], 'Managed');
    assert.equal(r['IsManaged'], true);
    assert.equal(r['IsBeta'], true);
    assert.equal(r['ReleaseState'], 'Beta');
    assert.equal(r['PublisherName'], 'Fake Dev Hub');
    assert.deepEqual([r['MajorVersion'], r['MinorVersion'], r['PatchVersion'], r['BuildNumber']], [1, 0, 0, 1]);
    assert.equal(records(await query(h, h.scratch, spvStatusQuery('04t000000000999AAA'))).length, 0);
    const bad = await query(h, h.scratch, 'SELECT Id FROM SubscriberPackageVersion');
    assert.equal(errorOf(bad).errorCode, 'MALFORMED_QUERY');
    assert.match(errorOf(bad).message, /^Implementation restriction: You can only perform queries of the form Id/);
    const malformed = await query(h, h.scratch, spvStatusQuery('04tXYZ'));
    assert.equal(errorOf(malformed).errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
  });

  test('install: IN_PROGRESS for ctx.timing.installPolls reads, then SUCCESS; the app is in the scratch org', async () => {
    for (let i = 0; i < 3; i++) await query(h, h.scratch, spvStatusQuery(id04t)); // wait for publish
    const res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: {
        ApexCompileType: 'all',
        EnableRss: false,
        NameConflictResolution: 'Block',
        PackageInstallSource: 'U',
        SecurityType: 'None',
        UpgradeType: 'mixed-mode',
        SubscriberPackageVersionKey: id04t,
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const pir = (res.json as { id: string }).id;
    assert.match(pir, /^0Hf/);
    const statuses: string[] = [];
    let last: Rec = {};
    for (let i = 0; i < 4; i++) {
      last = (await call(h, h.scratch, 'GET', `/tooling/sobjects/PackageInstallRequest/${pir}`)).json as Rec;
      statuses.push(last['Status'] as string);
    }
    assert.deepEqual(statuses, ['IN_PROGRESS', 'IN_PROGRESS', 'SUCCESS', 'SUCCESS']);
    assert.equal(last['Errors'], null);
    assert.equal(last['SubscriberPackageVersionKey'], id04t);
    assert.equal(last['Password'], null);

    const installed = records(await query(h, h.scratch, INSTALLED_QUERY));
    assert.equal(installed.length, 1);
    const i0 = installed[0]!;
    assert.equal((i0['SubscriberPackage'] as Rec)['NamespacePrefix'], NS);
    assert.equal((i0['SubscriberPackage'] as Rec)['Name'], 'McpPkg');
    assert.equal((i0['SubscriberPackageVersion'] as Rec)['Id'], id04t);
    assert.equal((i0['SubscriberPackageVersion'] as Rec)['BuildNumber'], 1);
    assert.equal((i0['SubscriberPackageVersion'] as Rec)['Package2ContainerOptions'], 'Managed');

    // components, namespaced, and the association with the Dev Hub's consumer
    assert.ok(h.scratch.metadata.get('ExternalClientApplication')?.has(`${NS}__McpApp`));
    const oauth = h.scratch.metadata.get('ExtlClntAppOauthSettings')?.get(`${NS}__McpApp_oauth`);
    assert.ok(oauth);
    assert.match(oauth, new RegExp(`<externalClientApplication>${NS}__McpApp</externalClientApplication>`));
    const consumer = h.scratch.consumers.get(`${NS}__McpApp`);
    assert.equal(consumer?.consumerKey, h.hub.consumers.get('McpApp')!.consumerKey);
    assert.equal(h.hub.metadata.get('ExternalClientApplication')?.has(`${NS}__McpApp`), false);

    // the same version again: ERROR
    const again = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t },
    });
    const againId = (again.json as { id: string }).id;
    for (let i = 0; i < 3; i++)
      last = (await call(h, h.scratch, 'GET', `/tooling/sobjects/PackageInstallRequest/${againId}`)).json as Rec;
    assert.equal(last['Status'], 'ERROR');
    assert.match((last['Errors'] as { errors: { message: string }[] }).errors[0]!.message, /already installed/);
  });

  test('installing before the version is available ends in ERROR; a later attempt succeeds', async () => {
    h.ctx.timing.installPolls = 0;
    const first = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t },
    });
    const r1 = (
      await call(h, h.scratch, 'GET', `/tooling/sobjects/PackageInstallRequest/${(first.json as { id: string }).id}`)
    ).json as Rec;
    assert.equal(r1['Status'], 'ERROR');
    assert.match((r1['Errors'] as { errors: { message: string }[] }).errors[0]!.message, /not fully available/);
    await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t },
    });
    const third = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t },
    });
    const r3 = (
      await call(h, h.scratch, 'GET', `/tooling/sobjects/PackageInstallRequest/${(third.json as { id: string }).id}`)
    ).json as Rec;
    assert.equal(r3['Status'], 'SUCCESS', JSON.stringify(r3['Errors']));
  });

  test('a forced install failure: ERROR with Errors.errors[].message', async () => {
    for (let i = 0; i < 3; i++) await query(h, h.scratch, spvStatusQuery(id04t));
    h.ctx.failures.install = ['Forced: this org is locked.'];
    const res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t },
    });
    const pir = (res.json as { id: string }).id;
    let last: Rec = {};
    for (let i = 0; i < 3; i++)
      last = (await call(h, h.scratch, 'GET', `/tooling/sobjects/PackageInstallRequest/${pir}`)).json as Rec;
    assert.equal(last['Status'], 'ERROR');
    assert.deepEqual(last['Errors'], { errors: [{ message: 'Forced: this org is locked.' }] });
    assert.equal(records(await query(h, h.scratch, INSTALLED_QUERY)).length, 0);
  });

  test("request validation: picklists (SecurityType AdminsOnly is not a value; the CLI's lower-case none/full are), unknown version, unlocked-only options", async () => {
    let res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t, SecurityType: 'AdminsOnly' },
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    // The real sf CLI (plugin-packaging install.js) maps AdminsOnly → 'none' and AllUsers → 'full', lower case; orgs
    // match restricted picklist values regardless of case and keep the defined value.
    for (const [sent, kept] of [
      ['none', 'None'],
      ['full', 'Full'],
      ['BLOCK', 'Block'],
    ] as const) {
      const field = sent === 'BLOCK' ? 'NameConflictResolution' : 'SecurityType';
      res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
        body: { SubscriberPackageVersionKey: id04t, [field]: sent },
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      const record = (
        await call(h, h.scratch, 'GET', `/tooling/sobjects/PackageInstallRequest/${(res.json as { id: string }).id}`)
      ).json as Rec;
      assert.equal(record[field], kept);
    }
    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t, SecurityType: 'nonee' },
    });
    assert.equal(errorOf(res).errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: '04t000000000999AAA' },
    });
    assert.equal(errorOf(res).errorCode, 'INVALID_CROSS_REFERENCE_KEY');
    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t, UpgradeType: 'delete-only' },
    });
    assert.equal(errorOf(res).errorCode, 'FIELD_INTEGRITY_EXCEPTION');
    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', { body: {} });
    assert.equal(errorOf(res).errorCode, 'REQUIRED_FIELD_MISSING');
    res = await call(h, h.scratch, 'GET', '/tooling/sobjects/PackageInstallRequest/0Hf000000000999AAA');
    assert.equal(res.status, 404);
  });

  test('a beta version is not installable in the Dev Hub (a production org)', async () => {
    for (let i = 0; i < 3; i++) await query(h, h.hub, spvStatusQuery(id04t));
    const r = records(await query(h, h.hub, spvStatusQuery(id04t)))[0]!;
    assert.equal(r['InstallValidationStatus'], 'BETA_INSTALL_INTO_PRODUCTION_ORG');
  });
});

describe('upgrades', () => {
  test('a released version upgrades to its descendant; a version off the ancestor chain is refused', async () => {
    const h = harness();
    h.ctx.timing.versionUnavailablePolls = 0;
    h.ctx.timing.installPolls = 0;
    const packageId = await createPackage(h);
    const base = await goodVersion(h, packageId, { CalculateCodeCoverage: true });
    const baseId = base.rec['Package2VersionId'] as string;
    assert.equal(
      (await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2Version/${baseId}`, { body: { IsReleased: true } }))
        .status,
      204,
    );
    const install = async (id04t: string): Promise<Rec> => {
      const res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
        body: { SubscriberPackageVersionKey: id04t },
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return (
        await call(h, h.scratch, 'GET', `/tooling/sobjects/PackageInstallRequest/${(res.json as { id: string }).id}`)
      ).json as Rec;
    };
    assert.equal(
      (await install((base.rec['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string))['Status'],
      'SUCCESS',
    );

    const link = h.hub.consumers.get('McpApp')!.oauthLink;
    const child = await startVersion(
      h,
      packageId,
      [ecaFile('McpApp'), oauthFile('McpApp', link)],
      { CalculateCodeCoverage: true },
      { ancestorId: baseId, versionNumber: '1.1.0.NEXT' },
    );
    const c = await pollVersion(h, (child.json as { id: string }).id);
    const orphan = await startVersion(
      h,
      packageId,
      [ecaFile('McpApp'), oauthFile('McpApp', link)],
      {},
      { versionNumber: '2.0.0.NEXT' },
    );
    const o = await pollVersion(h, (orphan.json as { id: string }).id);

    const refused = await install((o.last['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string);
    assert.equal(refused['Status'], 'ERROR');
    assert.match(
      (refused['Errors'] as { errors: { message: string }[] }).errors[0]!.message,
      /doesn't descend from the installed version 1\.0\.0\.1/,
    );
    const upgraded = await install((c.last['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string);
    assert.equal(upgraded['Status'], 'SUCCESS', JSON.stringify(upgraded['Errors']));
    const installed = records(await query(h, h.scratch, INSTALLED_QUERY));
    assert.equal(installed.length, 1);
    assert.equal((installed[0]!['SubscriberPackageVersion'] as Rec)['MinorVersion'], 1);
    // 1.1.0.1 is a beta: nothing replaces it in place, not even the released 1.0.0.1
    const down = await install((base.rec['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string);
    assert.equal(down['Status'], 'ERROR');
    assert.match(
      (down['Errors'] as { errors: { message: string }[] }).errors[0]!.message,
      /A beta version \(1\.1\.0\.1\) of package McpPkg is installed/,
    );
    // once 1.1.0.1 is released, going back is refused for another reason
    assert.equal(
      (
        await call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2Version/${c.last['Package2VersionId'] as string}`, {
          body: { IsReleased: true },
        })
      ).status,
      204,
    );
    const earlier = await install((base.rec['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string);
    assert.match(
      (earlier['Errors'] as { errors: { message: string }[] }).errors[0]!.message,
      /You can't install an earlier version \(1\.0\.0\.1\)/,
    );
  });
});

describe('installation keys', () => {
  test('key required and checked, on the SubscriberPackageVersion query and on the install request', async () => {
    const h = harness();
    const packageId = await createPackage(h);
    const { rec } = await goodVersion(h, packageId, { InstallKey: "s3cr'et" });
    const id04t = (rec['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string;

    let res = await query(h, h.scratch, spvStatusQuery(id04t));
    assert.equal(errorOf(res).errorCode, 'INSTALL_KEY_REQUIRED');
    assert.equal(
      errorOf(res).message,
      'Please provide installationkey when querying against SubscriberPackageVersion that is protected by installationkey',
    );
    res = await query(h, h.scratch, spvStatusQuery(id04t, 'nope'));
    assert.equal(errorOf(res).errorCode, 'INSTALL_KEY_INVALID');
    // the library escapes quotes in the key
    for (let i = 0; i < 3; i++) res = await query(h, h.scratch, spvStatusQuery(id04t, "s3cr\\'et"));
    assert.equal(records(res)[0]!['InstallValidationStatus'], 'NO_ERRORS_DETECTED');

    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t },
    });
    assert.equal(errorOf(res).errorCode, 'INSTALL_KEY_REQUIRED');
    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t, Password: 'wrong' },
    });
    assert.equal(errorOf(res).errorCode, 'INSTALL_KEY_INVALID');
    res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t, Password: "s3cr\\'et" },
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
  });

  test('a key for a version without one is refused', async () => {
    const h = harness();
    const packageId = await createPackage(h);
    const { rec } = await goodVersion(h, packageId);
    const id04t = (rec['Package2Version'] as Rec)['SubscriberPackageVersionId'] as string;
    const res = await call(h, h.scratch, 'POST', '/tooling/sobjects/PackageInstallRequest', {
      body: { SubscriberPackageVersionKey: id04t, Password: 'x' },
    });
    assert.equal(res.status, 400);
    assert.match(errorOf(res).message, /doesn’t require an installation key/);
  });
});

describe('the SOQL engine', () => {
  const rows: Row[] = [1, 2, 3].map((n) => ({
    type: 'Package2Version',
    values: {
      Id: `05i00000000000${n}AAA`,
      MajorVersion: 1,
      MinorVersion: n,
      BuildNumber: n,
      Name: `Ver ${n}`,
      IsReleased: n === 2,
      Tag: n === 3 ? null : 't',
      CreatedDate: new Date().toISOString().replace('Z', '+0000'),
    },
    rel: () => null,
  }));
  const run = (q: string) =>
    runQuery(parseSoql(q), PACKAGE2_VERSION, rows, {
      schemas: schemaFor,
      apiVersion: 65,
      urlBase: '/x',
      now: new Date(),
    });
  const names = (q: string) => run(q).records.map((r) => r['Name']);
  const fails = (q: string, code: string, message?: RegExp) =>
    assert.throws(
      () => run(q),
      (e: unknown) => e instanceof SoqlError && e.errorCode === code && (!message || message.test(e.message)),
      q,
    );

  test('filters, IN, LIKE, null, date literals, ORDER BY, LIMIT', () => {
    assert.deepEqual(
      names(
        "SELECT Name FROM Package2Version WHERE Name LIKE 'ver%' AND MinorVersion IN (1, 3) ORDER BY MinorVersion DESC",
      ),
      ['Ver 3', 'Ver 1'],
    );
    assert.deepEqual(names('SELECT Name FROM Package2Version WHERE Tag = NULL'), ['Ver 3']);
    assert.deepEqual(
      names('SELECT Name FROM Package2Version WHERE (IsReleased = true OR BuildNumber > 2) ORDER BY Name'),
      ['Ver 2', 'Ver 3'],
    );
    assert.deepEqual(names('SELECT Name FROM Package2Version WHERE NOT IsReleased = true ORDER BY Name LIMIT 1'), [
      'Ver 1',
    ]);
    assert.deepEqual(names('SELECT Name FROM Package2Version WHERE CreatedDate = LAST_N_DAYS:0 ORDER BY Name'), [
      'Ver 1',
      'Ver 2',
      'Ver 3',
    ]);
    assert.equal(run('SELECT COUNT() FROM Package2Version WHERE IsReleased = false').totalSize, 2);
  });

  test("Salesforce's refusals", () => {
    fails('SELECT Foo FROM Package2Version', 'INVALID_FIELD', /No such column 'Foo' on entity 'Package2Version'/);
    fails('SELECT HasVpi FROM Package2Version', 'INVALID_FIELD');
    fails('SELECT Nope.Name FROM Package2Version', 'INVALID_FIELD', /Didn't understand relationship 'Nope'/);
    fails(
      "SELECT Name FROM Package2Version WHERE IsReleased = 'true'",
      'INVALID_FIELD',
      /must be of type boolean and should not be enclosed in quotes/,
    );
    fails("SELECT Name FROM Package2Version WHERE MajorVersion = '1'", 'INVALID_FIELD');
    fails('SELECT Name FROM Package2Version WHERE Name = 1', 'INVALID_FIELD', /should be enclosed in quotes/);
    fails(
      "SELECT Name FROM Package2Version WHERE Id = 'abc'",
      'INVALID_QUERY_FILTER_OPERATOR',
      /invalid ID field: abc/,
    );
    fails(
      'SELECT Name FROM Package2Version WHERE IsReleased = true AND BuildNumber > 1 OR BuildNumber = 1',
      'MALFORMED_QUERY',
    );
    fails('SELECT Name, MAX(BuildNumber) FROM Package2Version', 'MALFORMED_QUERY', /grouped or aggregated/);
    fails('SELECT Name FROM Package2Version GROUP BY Name', 'MALFORMED_QUERY');
    fails("SELECT Name FROM Package2Version WHERE Name = 'x", 'MALFORMED_QUERY');
  });
});

describe('daily version limit, content tag, timing profile', () => {
  let h: Harness;
  let packageId: string;
  beforeEach(async () => {
    h = harness();
    packageId = await createPackage(h);
  });

  test('the limits resource lists Package2VersionCreates; each accepted request takes one; none left is refused', async () => {
    const limits = async () =>
      (await call(h, h.hub, 'GET', '/limits')).json as Record<string, { Max: number; Remaining: number }>;
    assert.deepEqual((await limits())['Package2VersionCreates'], { Max: 50, Remaining: 50 });
    assert.deepEqual((await limits())['Package2VersionCreatesWithoutValidation'], { Max: 500, Remaining: 500 });
    await goodVersion(h, packageId);
    assert.deepEqual((await limits())['Package2VersionCreates'], { Max: 50, Remaining: 49 });
    const skipped = await startVersion(
      h,
      packageId,
      [ecaFile('McpApp'), oauthFile('McpApp', h.hub.consumers.get('McpApp')!.oauthLink)],
      { SkipValidation: true, CalculateCodeCoverage: false },
    );
    assert.equal(skipped.status, 201, JSON.stringify(skipped.json));
    assert.deepEqual(
      (await limits())['Package2VersionCreatesWithoutValidation'],
      { Max: 500, Remaining: 499 },
      'skip-validation counts on its own limit',
    );

    const { stateOf } = await import('../fake-org/packaging-state.ts');
    stateOf(h.hub).limits.Package2VersionCreates.Remaining = 0;
    const refused = await startVersion(h, packageId, [
      ecaFile('McpApp'),
      oauthFile('McpApp', h.hub.consumers.get('McpApp')!.oauthLink),
    ]);
    assert.equal(refused.status, 400);
    assert.equal(errorOf(refused).errorCode, 'LIMIT_EXCEEDED');
  });

  test("the request's Tag is kept on the version and both can be found by it (the action's reuse look-ups)", async () => {
    const tag = `hash:${'ab'.repeat(32)}`;
    const { requestId, rec } = await goodVersion(h, packageId, { Tag: tag });
    const versions = records(
      await query(
        h,
        h.hub,
        `SELECT Id, SubscriberPackageVersionId FROM Package2Version WHERE Package2Id = '${packageId}' AND Tag = '${tag}' AND IsDeprecated = false ORDER BY CreatedDate DESC LIMIT 1`,
      ),
    );
    assert.equal(versions[0]?.['Id'], rec['Package2VersionId']);
    const requests = records(
      await query(
        h,
        h.hub,
        `SELECT Id, Status FROM Package2VersionCreateRequest WHERE Package2Id = '${packageId}' AND Tag = '${tag}' ORDER BY CreatedDate DESC`,
      ),
    );
    assert.deepEqual(
      requests.map((r) => [r['Id'], r['Status']]),
      [[requestId, 'Success']],
    );
    assert.equal(records(await query(h, h.hub, `SELECT Id FROM Package2Version WHERE Tag = 'hash:other'`)).length, 0);
  });

  test('with durations, a version build runs until its time has passed, however often it is read', async () => {
    h.ctx.timing.durations = { ...NO_DURATIONS, versionBuildMs: 400 };
    const link = deployAppToHub(h);
    const res = await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)]);
    const id = (res.json as { id: string }).id;
    for (let i = 0; i < 5; i++)
      assert.notEqual(records(await query(h, h.hub, statusQuery(id)))[0]!['Status'], 'Success', `read ${i}`);
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(records(await query(h, h.hub, statusQuery(id)))[0]!['Status'], 'Success');
  });

  test('the realistic profile is the real durations scaled down; a timestamp start works too', () => {
    assert.deepEqual(REALISTIC, {
      deployMs: 3000,
      versionBuildMs: 60_000,
      replicationMs: 12_000,
      installMs: 12_000,
      validationMs: 30_000,
    });
    assert.equal(stillRunning(Date.now(), 0), false);
    assert.equal(stillRunning(new Date().toISOString().replace('Z', '+0000'), 60_000), true);
    assert.equal(stillRunning(new Date(Date.now() - 61_000).toISOString().replace('Z', '+0000'), 60_000), false);
  });
});

describe('async validation (AsyncValidation): installable before the validations end', () => {
  let h: Harness;
  let packageId: string;
  beforeEach(async () => {
    h = harness();
    packageId = await createPackage(h);
  });

  const start = async (): Promise<string> => {
    const link = h.hub.consumers.get('McpApp')?.oauthLink ?? deployAppToHub(h);
    const res = await startVersion(h, packageId, [ecaFile('McpApp'), oauthFile('McpApp', link)], {
      AsyncValidation: true,
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return (res.json as { id: string }).id;
  };
  const promote = async (versionId: string): Promise<Call> =>
    call(h, h.hub, 'PATCH', `/tooling/sobjects/Package2Version/${versionId}`, { body: { IsReleased: true } });

  test('the request reads PerformingValidations with its version (installable), then Success; promotion waits for it', async () => {
    const id = await start();
    const seen: Rec[] = [];
    for (let i = 0; i < 10 && seen.at(-1)?.['Status'] !== 'PerformingValidations'; i++)
      seen.push(records(await query(h, h.hub, statusQuery(id)))[0]!);
    const building = seen.at(-1)!;
    assert.equal(building['Status'], 'PerformingValidations');
    assert.equal(building['AsyncValidation'], true);
    const version = building['Package2Version'] as Rec;
    assert.match(String(version['SubscriberPackageVersionId']), /^04t/);
    // Installable while validating: the subscriber look-up reaches NO_ERRORS_DETECTED as for any new version.
    const spv = String(version['SubscriberPackageVersionId']);
    let install = '';
    for (let i = 0; i < 5 && install !== 'NO_ERRORS_DETECTED'; i++)
      install = records(await query(h, h.scratch, spvStatusQuery(spv)))[0]?.['InstallValidationStatus'] as string;
    assert.equal(install, 'NO_ERRORS_DETECTED');
    const versionId = String(building['Package2VersionId']);
    const early = await promote(versionId);
    assert.equal(early.status, 400);
    assert.match(
      errorOf(early).message,
      /still in progress\. Async validated package versions can be promoted only if all validations complete successfully\./,
    );
    const { last } = await pollVersion(h, id);
    assert.equal(last['Status'], 'Success');
  });

  test('validations that fail later: Error with the messages; the version stays and can never be promoted', async () => {
    h.ctx.failures.asyncValidation = ['ExternalClientApplication McpApp: a late validation failed.'];
    const id = await start();
    const { statuses, last } = await pollVersion(h, id);
    assert.ok(statuses.includes('PerformingValidations'), statuses.join(' '));
    assert.equal(last['Status'], 'Error');
    assert.deepEqual(await errorsOf(h, id), ['ExternalClientApplication McpApp: a late validation failed.']);
    const versionId = String(last['Package2VersionId']);
    assert.match(versionId, /^05i/);
    const refused = await promote(versionId);
    assert.equal(refused.status, 400);
    assert.match(
      errorOf(refused).message,
      /validations failed\. Async validated package versions can be promoted only/,
    );
  });

  test('with durations, the version is returned after the build less its validations, which end after validationMs', async () => {
    h.ctx.timing.durations = { ...NO_DURATIONS, versionBuildMs: 600, validationMs: 400 };
    const id = await start();
    for (let i = 0; i < 4; i++) await query(h, h.hub, statusQuery(id));
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(records(await query(h, h.hub, statusQuery(id)))[0]!['Status'], 'PerformingValidations');
    for (let i = 0; i < 3; i++) await query(h, h.hub, statusQuery(id));
    assert.equal(records(await query(h, h.hub, statusQuery(id)))[0]!['Status'], 'PerformingValidations');
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(records(await query(h, h.hub, statusQuery(id)))[0]!['Status'], 'Success');
  });
});
