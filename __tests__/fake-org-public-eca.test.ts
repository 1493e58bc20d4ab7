// Real External Client App metadata from public Salesforce projects (fixtures/public-eca, sources in its
// SOURCES.md) must deploy to the fake org as it deployed on real orgs; the project's own classic mistakes
// (fixtures/wrong-eca, README.md there) must fail as an org fails them. Deploys go through the real
// source-deploy-retrieve, as `sf project deploy start` sends them.
// The hub helper comes first: it sets HOME and SF_* before @salesforce/core loads.
import { useFakeHub } from './helpers/hub.ts';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';

import { type Connection, Lifecycle } from '@salesforce/core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import type { FakeOrg } from '../fake-org/server.ts';

Lifecycle.getInstance().onWarning(async () => {});
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
let fake: FakeOrg;
let conn: Connection;
useFakeHub((hub) => {
  ({ fake, conn } = hub);
});

/** A copy of a fixture project with org-specific placeholders filled in for the fake's Dev Hub. */
function copyProject(dir: string): string {
  const target = mkdtempSync(join(tmpdir(), 'public-eca-'));
  cpSync(dir, target, { recursive: true });
  for (const file of readdirSync(target, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('-meta.xml')) continue;
    const path = join(target, file);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('{{ORG_ID}}', fake.ctx.devHub.orgId.slice(0, 15)));
  }
  return target;
}

async function deploy(dir: string, sourceApiVersion?: string) {
  const set = ComponentSet.fromSource(dir);
  if (sourceApiVersion) set.sourceApiVersion = sourceApiVersion;
  const operation = await set.deploy({
    usernameOrConnection: conn,
    apiOptions: { rollbackOnError: true, singlePackage: true },
  });
  const result = await operation.pollStatus(50, 30);
  const responses = result.getFileResponses() as {
    fullName: string;
    type: string;
    state: string;
    error?: string;
    filePath?: string;
  }[];
  return { result, responses, failures: responses.filter((f) => f.state === 'Failed') };
}

const stored = (type: string, name: string): string | undefined => fake.ctx.devHub.metadata.get(type)?.get(name);

// ---------------------------------------------------------------------------------------------------------------

/** The public projects, with the API version each one deploys at (its sfdx-project.json or manifest). */
const PUBLIC = [
  { dir: 'chrzasz-sf-th-eca-via-metadata', apiVersion: '61.0', app: 'ecaViaMetadata', oauth: true },
  { dir: 'damecek-salesforce-mcp-lib', apiVersion: '65.0', app: 'SalesforceMcpLib', oauth: true },
  {
    dir: 'shakthi-sfdc-external-client-app-for-2g-package',
    apiVersion: '62.0',
    app: 'Field_Create_MDAPI',
    oauth: false,
  },
  // Retrieved from an org (Setup's names, isDPopEnabled, `http://localhost:*/callback`); the project is at 67.0, the
  // fake serves up to 66.0.
  { dir: 'bgaldino-rlm-base-dev', apiVersion: '66.0', app: 'ClaudeMcpClientRC', oauth: true },
] as const;

describe('real ECA metadata from public projects deploys', () => {
  for (const project of PUBLIC) {
    test(`${project.dir} (API ${project.apiVersion})`, async () => {
      const source = join(fixtures, 'public-eca', project.dir);
      const { result, responses, failures } = await deploy(copyProject(source), project.apiVersion);
      assert.deepEqual(
        failures.map((f) => `${f.type}:${f.fullName}: ${f.error}`),
        [],
      );
      assert.equal(result.response.status, 'Succeeded');
      const files = readdirSync(source, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('-meta.xml'));
      assert.equal(
        responses.filter((r) => r.state === 'Created').length,
        files.length,
        responses.map((r) => `${r.type}:${r.state}`).join(', '),
      );
      assert.ok(stored('ExternalClientApplication', project.app), 'the app is org state');
      const consumer = fake.ctx.devHub.consumers.get(project.app);
      if (project.oauth)
        assert.match(consumer?.consumerKey ?? '', /^3MVG9/, 'the global OAuth settings made a consumer');
      else assert.equal(consumer, undefined, 'an app without OAuth settings has no consumer');
    });
  }

  test('the retrieved form of chrzasz (consumerKey and oauthLink of this org, as committed there) redeploys unchanged', async () => {
    const dir = copyProject(join(fixtures, 'public-eca', 'chrzasz-sf-th-eca-via-metadata'));
    const consumer = fake.ctx.devHub.consumers.get('ecaViaMetadata')!;
    const globalPath = join(dir, 'extlClntAppGlobalOauthSets', 'ecaViaMetadataGlblOAuth.ecaGlblOauth-meta.xml');
    const oauthPath = join(dir, 'extlClntAppOauthSettings', 'ecaViaMetadataSettings.ecaOauth-meta.xml');
    writeFileSync(
      globalPath,
      readFileSync(globalPath, 'utf8').replace(
        '<externalClientApplication>',
        `<consumerKey>${consumer.consumerKey}</consumerKey>\n    <externalClientApplication>`,
      ),
    );
    // The repository's link uses 15-character ids (00DQy00000ELR0T:888Qy00000071Af): the org accepts either length.
    const [org, id] = consumer.oauthLink.split(':');
    writeFileSync(
      oauthPath,
      readFileSync(oauthPath, 'utf8').replace(
        '</label>',
        `</label>\n    <oauthLink>${org!.slice(0, 15)}:${id!.slice(0, 15)}</oauthLink>`,
      ),
    );
    const { result, failures } = await deploy(dir, '61.0');
    assert.deepEqual(
      failures.map((f) => f.error),
      [],
    );
    assert.equal(result.response.status, 'Succeeded');
    assert.equal(
      fake.ctx.devHub.consumers.get('ecaViaMetadata')!.consumerKey,
      consumer.consumerKey,
      'same key after the redeploy',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Our own wrong metadata (fixtures/wrong-eca/README.md) and what the org answers. */
const WRONG: { dir: string; app: string; component: string; problem: RegExp }[] = [
  {
    dir: 'is-admin-approved',
    app: 'Wrong_AdminApproved',
    component: 'ExtlClntAppOauthSettings:Wrong_AdminApproved_oauth',
    problem:
      /^Error parsing file: Element \{http:\/\/soap\.sforce\.com\/2006\/04\/metadata\}isAdminApproved invalid at this location in type ExtlClntAppOauthSettings/,
  },
  {
    dir: 'scopes-element',
    app: 'Wrong_Scopes',
    component: 'ExtlClntAppOauthSettings:Wrong_Scopes_oauth',
    problem:
      /^Error parsing file: Element \{http:\/\/soap\.sforce\.com\/2006\/04\/metadata\}scopes invalid at this location in type ExtlClntAppOauthSettings/,
  },
  {
    dir: 'distribution-packageable',
    app: 'Wrong_Packageable',
    component: 'ExternalClientApplication:Wrong_Packageable',
    problem: /^Error parsing file: 'Packageable' is not a valid value for the enum 'ExtlClntAppDistState'/,
  },
  {
    dir: 'mcp-api-scope-token',
    app: 'Wrong_McpApi',
    component: 'ExtlClntAppOauthSettings:Wrong_McpApi_oauth',
    problem: /^There's a problem with your scope\(s\): McpApi\b.*Valid scopes: .*\bMCP\b/,
  },
  {
    dir: 'admin-approved-enum',
    app: 'Wrong_AdminApprovedEnum',
    component: 'ExtlClntAppOauthConfigurablePolicies:Wrong_AdminApprovedEnum_oauth_policy',
    problem: /^Error parsing file: 'AdminApproved' is not a valid value for the enum 'PermittedUsersPolicyType'/,
  },
];

describe('our own wrong ECA metadata fails as on an org', () => {
  for (const wrong of WRONG) {
    test(wrong.dir, async () => {
      const { result, failures } = await deploy(join(fixtures, 'wrong-eca', wrong.dir));
      assert.equal(result.response.status, 'Failed');
      const failure = failures.find((f) => `${f.type}:${f.fullName}` === wrong.component);
      assert.ok(
        failure,
        `no failure for ${wrong.component}: ${failures.map((f) => `${f.type}:${f.fullName}`).join(', ')}`,
      );
      assert.match(failure.error ?? '', wrong.problem);
      assert.equal(stored('ExternalClientApplication', wrong.app), undefined, 'rollbackOnError: nothing saved');
      assert.equal(fake.ctx.devHub.consumers.get(wrong.app), undefined, 'no consumer');
    });
  }

  test('with rollbackOnError false, the settings of an app that failed fail too: nothing refers to a missing app', async () => {
    const set = ComponentSet.fromSource(join(fixtures, 'wrong-eca', 'distribution-packageable'));
    const operation = await set.deploy({
      usernameOrConnection: conn,
      apiOptions: { rollbackOnError: false, singlePackage: true },
    });
    const result = await operation.pollStatus(50, 30);
    const failed = (result.getFileResponses() as { fullName: string; state: string; error?: string }[]).filter(
      (f) => f.state === 'Failed',
    );
    const byName = new Map(failed.map((f) => [f.fullName, f.error ?? '']));
    assert.match(byName.get('Wrong_Packageable') ?? '', /'Packageable' is not a valid value/);
    for (const child of ['Wrong_Packageable_glbloauth', 'Wrong_Packageable_oauth']) {
      assert.match(
        byName.get(child) ?? '',
        /^In field: externalClientApplication - no ExternalClientApplication named Wrong_Packageable found/,
        child,
      );
    }
    assert.equal(stored('ExtlClntAppGlobalOauthSettings', 'Wrong_Packageable_glbloauth'), undefined);
    assert.equal(fake.ctx.devHub.consumers.get('Wrong_Packageable'), undefined, 'no consumer without an app');
  });

  test('eca-global-oauth-suffix: source-deploy-retrieve refuses the file before anything reaches the org', () => {
    assert.throws(
      () => ComponentSet.fromSource(join(fixtures, 'wrong-eca', 'eca-global-oauth-suffix')),
      (e: Error) =>
        e.name === 'TypeInferenceError' && /ecaGlobalOauth-meta\.xml: Could not infer a metadata type/.test(e.message),
    );
  });

  test('eca-global-oauth-suffix in a hand-made zip: the org finds no .ecaGlblOauth file for the member', async () => {
    // A tool that writes the zip itself with the invented suffix and lists the member in package.xml.
    const zip = await zipOf('eca-global-oauth-suffix');
    const { status, failures } = await deployZip(zip);
    assert.equal(status, 'Failed');
    assert.ok(
      failures.some(
        (f) =>
          f.componentType === 'ExtlClntAppGlobalOauthSettings' &&
          /An object 'Wrong_Suffix_glbloauth' of type ExtlClntAppGlobalOauthSettings was named in package\.xml, but was not found in zipped directory/.test(
            f.problem,
          ),
      ),
      failures.map((f) => f.problem).join(' | '),
    );
    assert.equal(stored('ExternalClientApplication', 'Wrong_Suffix'), undefined);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-made metadata-format zips (what a tool without source-deploy-retrieve would send)

const SUFFIX_TYPES: Record<string, string> = {
  eca: 'ExternalClientApplication',
  ecaGlblOauth: 'ExtlClntAppGlobalOauthSettings',
  ecaGlobalOauth: 'ExtlClntAppGlobalOauthSettings', // the invented suffix, named as the type it pretends to be
  ecaOauth: 'ExtlClntAppOauthSettings',
  ecaOauthPlcy: 'ExtlClntAppOauthConfigurablePolicies',
};

/** A fixture project as a metadata-format zip: `-meta.xml` dropped, package.xml listing each file's member. */
async function zipOf(dir: string): Promise<Buffer> {
  const root = join(fixtures, 'wrong-eca', dir);
  const zip = new JSZip();
  const members = new Map<string, string[]>();
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const match = /([^/]+)\.([A-Za-z]+)-meta\.xml$/.exec(file);
    if (!match) continue;
    const type = SUFFIX_TYPES[match[2]!]!;
    members.set(type, [...(members.get(type) ?? []), match[1]!]);
    zip.file(relative(root, join(root, file)).replace(/-meta\.xml$/, ''), readFileSync(join(root, file)));
  }
  const types = [...members]
    .map(([name, list]) => `<types>${list.map((m) => `<members>${m}</members>`).join('')}<name>${name}</name></types>`)
    .join('');
  zip.file(
    'package.xml',
    `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">${types}<version>66.0</version></Package>`,
  );
  return zip.generateAsync({ type: 'nodebuffer' });
}

async function deployZip(
  zip: Buffer,
): Promise<{ status: string; failures: { componentType: string; fullName: string; problem: string }[] }> {
  const started = await conn.metadata.deploy(zip, { singlePackage: true, rollbackOnError: true });
  for (;;) {
    const status = await conn.metadata.checkDeployStatus(started.id, true);
    if (status.done) {
      const raw = (status.details as { componentFailures?: unknown } | undefined)?.componentFailures ?? [];
      return {
        status: String(status.status),
        failures: [raw].flat() as { componentType: string; fullName: string; problem: string }[],
      };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
