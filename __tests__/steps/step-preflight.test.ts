// Step 5 in process (src/preflight.ts): preflight against a fake Dev Hub and scratch org of this file's own, each
// problem made in the fake's state (as an admin or an earlier run would leave it) and reported as a PreflightError
// line naming the input at fault; nothing is written to either org.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PackageSettings, Settings } from '../../src/model.ts';
import { connectDevHub, connectOrg, type OrgSession } from '../../src/login.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployProject } from '../../src/deploy.ts';
import { createVersion, ensurePackage, installVersion } from '../../src/packaging.ts';
import { type InputProblem, isActionError, problemLine } from '../../src/errors.ts';
import { PreflightError, preflight } from '../../src/preflight.ts';
import { ecaXml, oauthXml } from '../helpers/eca-xml.ts';
import { appProject, jwtAuth, startStepOrg, type StepOrg } from '../helpers/step-org.ts';

let org: StepOrg;
let hub: OrgSession;
let target: OrgSession;
before(async () => {
  org = await startStepOrg();
  hub = await connectDevHub(jwtAuth(org.fake), org.ws, org.log);
  target = await connectOrg({ kind: 'authUrl', authUrl: org.fake.scratchAuthUrl }, org.ws, org.log, 'install target');
});
after(() => org.close());

/** The settings preflight reads, as settings.ts makes them for a packaged app installed into the scratch org. */
function settingsWith(pkg: Partial<PackageSettings> = {}, extra: Partial<Settings> = {}): Settings {
  return {
    devHub: jwtAuth(org.fake),
    requireSecret: false,
    package: {
      name: 'Step Preflight Pkg',
      namespace: org.fake.namespace,
      versionNumber: '1.0.0.NEXT',
      waitMinutes: 10,
      installTarget: { kind: 'authUrl', authUrl: org.fake.scratchAuthUrl },
      newVersion: 'when-changed',
      validation: 'full',
      installMethod: 'package',
      ...pkg,
    } as PackageSettings,
    ...extra,
  } as Settings;
}

/** The problems preflight reported, each `<input>: <message>` (none: it passed); it must write nothing to an org. */
async function problemsOf(settings: Settings, packageDir?: string): Promise<string[]> {
  return (await inputProblemsOf(settings, packageDir)).map(problemLine);
}

async function inputProblemsOf(settings: Settings, packageDir?: string): Promise<InputProblem[]> {
  const mark = org.fake.log.length;
  let problems: InputProblem[] = [];
  try {
    await preflight(settings, hub, target, org.log, packageDir);
  } catch (error) {
    assert.ok(error instanceof PreflightError, String(error));
    assert.ok(isActionError(error, 'preflight'));
    assert.match(
      error.message,
      new RegExp(`^${error.problems.length} problem\\(s\\) found before any change was made:`),
    );
    problems = error.problems;
  }
  const writes = org.fake.log.slice(mark).filter((e) => e.method !== 'GET' && !/query|token/.test(e.route));
  assert.deepEqual(
    writes.map((e) => `${e.method} ${e.route}`),
    [],
    'preflight only reads',
  );
  return problems;
}

test('nothing wrong: passes, and says what it checked', async () => {
  const lines = org.lines.length;
  assert.deepEqual(await problemsOf(settingsWith({ mcpServers: ['sobject-all'] })), []);
  assert.ok(
    org.lines
      .slice(lines)
      .some((l) =>
        l.startsWith(
          `Checked before any change: Dev Hub user may create External Client Apps, namespace ${org.fake.namespace} is linked, the install target can take the package`,
        ),
      ),
    org.lines.slice(lines).join('\n'),
  );
});

test('the Dev Hub user lacks the permissions: dev-hub-username, with what is missing', async () => {
  org.fake.ctx.devHub.settings.userPermissions = { PermissionsCustomizeApplication: false };
  try {
    const problems = await problemsOf(settingsWith());
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0]!,
      new RegExp(`^dev-hub-username: the Dev Hub user ${org.fake.username} lacks permissions`),
    );
    assert.match(problems[0]!, /Customize Application/);
  } finally {
    org.fake.ctx.devHub.settings.userPermissions = undefined;
  }
});

test('require-secret also needs the permission to see the secret', async () => {
  const granted = { PermissionsViewClientSecret: false } as Record<string, boolean>;
  org.fake.ctx.devHub.settings.userPermissions = granted;
  try {
    assert.deepEqual(await problemsOf(settingsWith({}, { requireSecret: false })), [], 'not needed without it');
    const problems = await problemsOf(settingsWith({}, { requireSecret: true }));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^dev-hub-username: /);
  } finally {
    org.fake.ctx.devHub.settings.userPermissions = undefined;
  }
});

test('a namespace not linked to the Dev Hub: package-namespace, with the linked one', async () => {
  const problems = await problemsOf(settingsWith({ namespace: 'othernsx' }));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(
    problems[0]!,
    new RegExp(`^package-namespace: othernsx is not linked to this Dev Hub \\(linked: ${org.fake.namespace}\\)`),
  );
});

test('a scratch org that owns the namespace: install-target', async () => {
  org.fake.ctx.scratch.namespace = org.fake.namespace;
  try {
    const problems = await problemsOf(settingsWith());
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0]!,
      new RegExp(`^install-target: the org ${org.fake.scratchUsername} has the namespace ${org.fake.namespace} itself`),
    );
  } finally {
    org.fake.ctx.scratch.namespace = undefined;
  }
});

test('a target without hosted MCP while mcp-servers is given: mcp-servers (and not without it)', async () => {
  org.fake.ctx.scratch.settings.hostedMcp = false;
  try {
    assert.deepEqual(await problemsOf(settingsWith()), []);
    const problems = await problemsOf(settingsWith({ mcpServers: ['sobject-reads'] }));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^mcp-servers: the install target .* has no hosted MCP servers .*SalesforceHostedMCP/);
  } finally {
    org.fake.ctx.scratch.settings.hostedMcp = undefined;
  }
});

test('every problem at once: one PreflightError listing each', async () => {
  org.fake.ctx.devHub.settings.userPermissions = {
    PermissionsModifyAllData: false,
    PermissionsCustomizeApplication: false,
  };
  org.fake.ctx.scratch.settings.hostedMcp = false;
  try {
    const problems = await inputProblemsOf(settingsWith({ namespace: 'othernsx', mcpServers: ['sobject-all'] }));
    assert.deepEqual(
      problems.map((p) => p.input),
      ['dev-hub-username', 'package-namespace', 'mcp-servers'],
    );
  } finally {
    org.fake.ctx.devHub.settings.userPermissions = undefined;
    org.fake.ctx.scratch.settings.hostedMcp = undefined;
  }
});

test('a beta of the package in the target: install-target, unless this run reuses that very version', async () => {
  // What an earlier run leaves: the package, version 1.0.0.1 (a beta) built and installed, by the action's own steps.
  const app = 'Step_Preflight_Beta';
  const pkgName = 'Step Preflight Beta Pkg';
  await deployProject(hub.connection, appProject(org.ws.root, app), { timeoutMs: 60_000, log: org.log });
  const link = org.fake.ctx.devHub.consumers.get(app)!.oauthLink;
  const dir = mkdtempSync(join(org.ws.root, 'package-'));
  const base = join(dir, 'force-app', 'main', 'default');
  mkdirSync(join(base, 'externalClientApps'), { recursive: true });
  mkdirSync(join(base, 'extlClntAppOauthSettings'), { recursive: true });
  writeFileSync(join(base, 'externalClientApps', `${app}.eca-meta.xml`), ecaXml(app));
  writeFileSync(join(base, 'extlClntAppOauthSettings', `${app}_oauth.ecaOauth-meta.xml`), oauthXml(app, link));
  writeFileSync(
    join(dir, 'sfdx-project.json'),
    JSON.stringify({
      packageDirectories: [{ path: 'force-app', default: true }],
      name: 'step-preflight',
      namespace: org.fake.namespace,
      sourceApiVersion: '66.0',
    }),
  );
  const pkgSettings = settingsWith({ name: pkgName, waitMinutes: 1 }).package!;
  const pkg = await ensurePackage(hub.connection, dir, pkgSettings, org.log);
  const version = await createVersion(hub.connection, dir, pkg, pkgSettings, org.log);
  await installVersion(target.connection, version.subscriberPackageVersionId, pkgSettings, org.log);

  const always = settingsWith({ name: pkgName, newVersion: 'always' });
  const problems = await problemsOf(always, dir);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(
    problems[0]!,
    new RegExp(
      `^install-target: the org ${org.fake.scratchUsername} already has the beta version 1\\.0\\.0\\.1 \\(${version.subscriberPackageVersionId}\\) of package ${pkgName}`,
    ),
  );
  const lines = org.lines.length;
  assert.deepEqual(await problemsOf(settingsWith({ name: pkgName }), dir), [], 'an unchanged rerun reuses it');
  assert.ok(org.lines.slice(lines).some((l) => l.includes('the version this run reuses (unchanged package content)')));
});
