// Integration: the real @salesforce/core, SDR and @salesforce/packaging against the fake org's HTTP server.
// Package.create (managed, namespace) → the app deployed to the Dev Hub with SDR → PackageVersion.create (twice:
// builds 1 and 2) → a version with the global OAuth settings ends in Error → SubscriberPackageVersion.install
// into the scratch org meets PACKAGE_UNAVAILABLE first, then succeeds → a forced install error surfaces.
// Finally the action's own packaging steps (src/packaging.ts) run the same way with an installation key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { stateOf } from '../fake-org/packaging-state.ts';
import { ecaXml, globalXml, oauthXml } from './helpers/eca-xml.ts';

// @salesforce/* read these when they load: set them before the dynamic imports below.
process.env.HOME = mkdtempSync(join(tmpdir(), 'eca-pkg-home-'));
process.env.SF_DISABLE_LOG_FILE = 'true';
process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
process.env.SF_DISABLE_TELEMETRY = 'true';

type Core = typeof import('@salesforce/core');
type Packaging = typeof import('@salesforce/packaging');
type Sdr = typeof import('@salesforce/source-deploy-retrieve');
type Kit = typeof import('@salesforce/kit');
type FakeOrg = import('../fake-org/server.ts').FakeOrg;
type Connection = import('@salesforce/core').Connection;

const NS = 'mcpns';
let core: Core;
let pkgLib: Packaging;
let sdr: Sdr;
let kit: Kit;
let fake: FakeOrg;
let hub: Connection;
let scratch: Connection;
const work = mkdtempSync(join(tmpdir(), 'eca-pkg-work-'));
const projectDir = join(work, 'project');

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const ecaPath = (root: string, app: string) =>
  join(root, 'main', 'default', 'externalClientApps', `${app}.eca-meta.xml`);
const globalPath = (root: string, app: string) =>
  join(root, 'main', 'default', 'extlClntAppGlobalOauthSets', `${app}_glbloauth.ecaGlblOauth-meta.xml`);
const oauthPath = (root: string, app: string) =>
  join(root, 'main', 'default', 'extlClntAppOauthSettings', `${app}_oauth.ecaOauth-meta.xml`);

async function login(username: string): Promise<Connection> {
  const authInfo = await core.AuthInfo.create({
    username,
    oauth2Options: { clientId: fake.clientId, privateKeyFile: fake.privateKeyPath, loginUrl: fake.loginUrl },
  });
  await authInfo.save();
  return core.Connection.create({ authInfo });
}

/** Deploy header + global + OAuth settings to the Dev Hub with SDR (step 1 of the action); returns the oauthLink. */
async function deployToHub(app: string): Promise<string> {
  const src = join(work, `hub-src-${app}`, 'force-app');
  write(ecaPath(src, app), ecaXml(app, { description: 'MCP clients' }));
  write(globalPath(src, app), globalXml(app));
  write(oauthPath(src, app), oauthXml(app));
  const deploy = await sdr.ComponentSet.fromSource(src).deploy({ usernameOrConnection: hub });
  const result = await deploy.pollStatus({
    frequency: kit.Duration.milliseconds(50),
    timeout: kit.Duration.seconds(30),
  });
  assert.equal(result.response.success, true, JSON.stringify(result.response.details));
  const link = fake.ctx.devHub.consumers.get(app)?.oauthLink;
  assert.ok(link, 'the deploy made the consumer and its oauthLink');
  return link;
}

const fast = () => ({ frequency: kit.Duration.milliseconds(50), timeout: kit.Duration.seconds(60) });

/** PackageVersion.create's options for the next build of McpPkg 1.0.0, without key, coverage or skipped validation. */
const nextVersionOf = (project: Awaited<ReturnType<Core['SfProject']['resolve']>>) => ({
  connection: hub,
  project,
  packageId: 'McpPkg',
  versionnumber: '1.0.0.NEXT',
  installationkeybypass: true,
  codecoverage: false,
  skipvalidation: false,
});

before(async () => {
  const { startFakeOrg } = await import('../fake-org/server.ts');
  const { installLoopbackGuard } = await import('./helpers/loopback.ts');
  core = await import('@salesforce/core');
  pkgLib = await import('@salesforce/packaging');
  sdr = await import('@salesforce/source-deploy-retrieve');
  kit = await import('@salesforce/kit');
  fake = await startFakeOrg({ namespace: NS });
  installLoopbackGuard({ ca: fake.caCertPem });
  core.Lifecycle.getInstance().onWarning(async () => {});
  fake.ctx.timing.versionCreatePolls = 2;
  fake.ctx.timing.versionUnavailablePolls = 2;
  fake.ctx.timing.installPolls = 2;
  hub = await login(fake.username);
  scratch = await login(fake.scratchUsername);
  write(
    join(projectDir, 'sfdx-project.json'),
    JSON.stringify(
      {
        packageDirectories: [{ path: 'force-app', default: true }],
        name: 'eca',
        namespace: NS,
        sourceApiVersion: '66.0',
      },
      null,
      2,
    ),
  );
});

after(async () => {
  await fake?.close();
  rmSync(work, { recursive: true, force: true });
});

let packageId: string;
let first04t: string;
let second04t: string;

test('Package.create: a managed package in the Dev Hub linked namespace', async () => {
  const project = await core.SfProject.resolve(projectDir);
  const result = await pkgLib.Package.create(hub, project, {
    name: 'McpPkg',
    description: 'External Client App for MCP clients',
    noNamespace: false,
    orgDependent: false,
    packageType: 'Managed',
    errorNotificationUsername: undefined as unknown as string,
    path: 'force-app',
  });
  packageId = result.Id;
  assert.match(packageId, /^0Ho/);
  const listed = await pkgLib.Package.list(hub);
  assert.deepEqual(
    listed.map((p) => [p.Name, p.NamespacePrefix, p.ContainerOptions]),
    [['McpPkg', NS, 'Managed']],
  );
  // the library recorded the alias and the package directory
  const json = JSON.parse(readFileSync(join(projectDir, 'sfdx-project.json'), 'utf8')) as {
    packageAliases: Record<string, string>;
  };
  assert.equal(json.packageAliases['McpPkg'], packageId);

  // a second package of that name, and one in a namespace that isn't linked, are refused
  await assert.rejects(
    pkgLib.Package.create(hub, project, {
      name: 'McpPkg',
      description: '',
      noNamespace: false,
      orgDependent: false,
      packageType: 'Managed',
      errorNotificationUsername: undefined as unknown as string,
      path: 'force-app',
    }),
    /duplicate value found: Name/,
  );
});

test('PackageVersion.create: a packaged ECA with the Dev Hub consumer link; a second version increments the build', async () => {
  const link = await deployToHub('McpApp');
  const root = join(projectDir, 'force-app');
  write(ecaPath(root, 'McpApp'), ecaXml('McpApp', { description: 'MCP clients' }));
  write(oauthPath(root, 'McpApp'), oauthXml('McpApp', link));
  const project = await core.SfProject.resolve(projectDir);

  const statuses: string[] = [];
  const lc = core.Lifecycle.getInstance();
  lc.on('PackageVersion/create-enqueued', async (r: { Status: string }) => void statuses.push(r.Status));
  lc.on('PackageVersion/create-in-progress', async (r: { Status: string }) => void statuses.push(r.Status));

  const options = nextVersionOf(project);
  const v1 = await pkgLib.PackageVersion.create(options, fast());
  assert.equal(v1.Status, 'Success', JSON.stringify(v1.Error));
  assert.equal(v1.VersionNumber, '1.0.0.1');
  assert.equal(v1.Package2Name, 'McpPkg');
  assert.match(v1.SubscriberPackageVersionId ?? '', /^04t/);
  first04t = v1.SubscriberPackageVersionId!;
  assert.ok(statuses.includes('InProgress'), `saw ${statuses.join(',')}`);

  const v2 = await pkgLib.PackageVersion.create(options, fast());
  assert.equal(v2.Status, 'Success', JSON.stringify(v2.Error));
  assert.equal(v2.VersionNumber, '1.0.0.2');
  second04t = v2.SubscriberPackageVersionId!;

  // the version's read-back wrote the aliases
  const json = JSON.parse(readFileSync(join(projectDir, 'sfdx-project.json'), 'utf8')) as {
    packageAliases: Record<string, string>;
  };
  assert.equal(json.packageAliases['McpPkg@1.0.0-1'], first04t);
  assert.equal(json.packageAliases['McpPkg@1.0.0-2'], second04t);

  const report = await new pkgLib.PackageVersion({ connection: hub, project, idOrAlias: second04t }).report();
  assert.equal(report.BuildNumber, 2);
  assert.equal(report.PackageType, 'Managed');
});

test('PackageVersion.create resolves with Status Error when the global OAuth settings are in the package', async () => {
  const root = join(projectDir, 'force-app');
  const file = globalPath(root, 'McpApp');
  write(file, globalXml('McpApp'));
  try {
    const project = await core.SfProject.resolve(projectDir);
    const result = await pkgLib.PackageVersion.create(nextVersionOf(project), fast());
    assert.equal(result.Status, 'Error');
    assert.equal(result.SubscriberPackageVersionId, null);
    assert.equal(result.Error.length, 1, result.Error.join('\n'));
    assert.match(String(result.Error[0]), /ExtlClntAppGlobalOauthSettings McpApp_glbloauth: .*can't be packaged/);
  } finally {
    rmSync(file);
  }
});

test('SubscriberPackageVersion.install into the scratch org: PACKAGE_UNAVAILABLE first, then SUCCESS', async () => {
  const seen: string[] = [];
  core.Lifecycle.getInstance().on('Package/install-subscriber-status', async (s: string) => void seen.push(s));
  const version = new pkgLib.SubscriberPackageVersion({
    connection: scratch,
    aliasOrId: first04t,
    password: undefined,
  });
  const result = await version.install(
    { SubscriberPackageVersionKey: first04t },
    {
      publishFrequency: kit.Duration.milliseconds(50),
      publishTimeout: kit.Duration.seconds(20),
      pollingFrequency: kit.Duration.milliseconds(50),
      pollingTimeout: kit.Duration.seconds(20),
    },
  );
  assert.equal(result.Status, 'SUCCESS', JSON.stringify(result.Errors));
  assert.equal(seen[0], 'PACKAGE_UNAVAILABLE');
  assert.equal(seen.at(-1), 'NO_ERRORS_DETECTED');

  const installed = await pkgLib.SubscriberPackageVersion.installedList(scratch);
  assert.equal(installed.length, 1);
  assert.equal(installed[0]!.SubscriberPackageVersion?.Id, first04t);
  assert.equal(installed[0]!.SubscriberPackage?.NamespacePrefix, NS);
  assert.ok(fake.ctx.scratch.metadata.get('ExternalClientApplication')?.has(`${NS}__McpApp`));
  assert.equal(
    fake.ctx.scratch.consumers.get(`${NS}__McpApp`)?.consumerKey,
    fake.ctx.devHub.consumers.get('McpApp')?.consumerKey,
  );
});

test('install errors surface in the result: a forced failure, then the beta that cannot be upgraded', async () => {
  const options = {
    publishFrequency: kit.Duration.milliseconds(50),
    publishTimeout: kit.Duration.seconds(20),
    pollingFrequency: kit.Duration.milliseconds(50),
    pollingTimeout: kit.Duration.seconds(20),
  };
  fake.ctx.failures.install = ['Forced: the install service is unavailable.'];
  const version = new pkgLib.SubscriberPackageVersion({
    connection: scratch,
    aliasOrId: second04t,
    password: undefined,
  });
  const forced = await version.install({ SubscriberPackageVersionKey: second04t }, options);
  assert.equal(forced.Status, 'ERROR');
  assert.deepEqual(forced.Errors, { errors: [{ message: 'Forced: the install service is unavailable.' }] });

  const again = await version.install({ SubscriberPackageVersionKey: second04t }, options);
  assert.equal(again.Status, 'ERROR');
  assert.match(
    (again.Errors as unknown as { errors: { message: string }[] }).errors[0]!.message,
    /beta version .* can't be upgraded/,
  );
});

test("the action's packaging steps (src/packaging.ts) against the fake, with an installation key", async () => {
  const { ensurePackage, createVersion, installVersion } = await import('../src/packaging.ts');
  const { setTiming } = await import('../src/timing.ts');
  const fast = { initialMs: 20, maxMs: 100 };
  setTiming({ job: fast, versionBuild: fast, replication: fast, install: fast, usable: fast });
  const dir = join(work, 'action-project');
  write(
    join(dir, 'sfdx-project.json'),
    JSON.stringify({
      packageDirectories: [{ path: 'force-app', default: true }],
      name: 'eca2',
      namespace: NS,
      sourceApiVersion: '66.0',
    }),
  );
  const link = await deployToHub('McpApp2');
  write(ecaPath(join(dir, 'force-app'), 'McpApp2'), ecaXml('McpApp2', { description: 'MCP clients' }));
  write(oauthPath(join(dir, 'force-app'), 'McpApp2'), oauthXml('McpApp2', link));
  const settings = {
    name: 'McpPkg2',
    namespace: NS,
    versionNumber: '1.0.0.NEXT',
    installationKey: "k3y'with\\quote",
    waitMinutes: 1,
    newVersion: 'when-changed' as const,
    validation: 'full' as const,
    installMethod: 'package' as const,
  };
  const lines: string[] = [];
  const log = (l: string) => void lines.push(l);
  const pkg = await ensurePackage(hub, dir, settings, log);
  assert.equal(pkg.created, true);
  const version = await createVersion(hub, dir, pkg, settings, log);
  assert.equal(version.versionNumber, '1.0.0.1');
  assert.equal(version.created, true);
  // the same content again: the version is found by its tag, nothing is built
  const requests = stateOf(fake.ctx.devHub).requests.size;
  const same = await createVersion(hub, dir, pkg, settings, log);
  assert.deepEqual(
    { ...same, createRequestId: same.createRequestId.slice(0, 15) },
    { ...version, createRequestId: version.createRequestId.slice(0, 15), created: false },
  );
  assert.equal(stateOf(fake.ctx.devHub).requests.size, requests, 'no version request');
  await installVersion(scratch, version.subscriberPackageVersionId, settings, log);
  assert.ok(
    lines.some((l) => /not yet available in the target org \(PACKAGE_UNAVAILABLE/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /Installed 04t/.test(l)),
    lines.join('\n'),
  );
  // reusing the package on a second run
  const again = await ensurePackage(hub, dir, settings, log);
  assert.deepEqual(again, { id: pkg.id, name: 'McpPkg2', created: false });
});
