import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, isAbsolute } from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';
import { XMLParser } from 'fast-xml-parser';
import { planOf, type Inputs } from './helpers/inputs.ts';
import { renderProject, writeProject, RenderError, metadataXml } from '../src/render.ts';
import type { AppPlan, ProjectFile } from '../src/model.ts';

const plan = (overrides: Inputs = {}): AppPlan => planOf({ clients: 'claude,cursor', ...overrides });
const FULL = {
  hardening: 'recommended',
  'permission-set': 'MCP_Users',
  'create-permission-set': 'true',
  'ip-ranges': '203.0.113.0-203.0.113.255\n2001:db8::-2001:db8::ffff',
  'single-logout-url': 'https://client.example.com/logout',
  description: 'MCP access for the sales team',
};
const LINKS = {
  orgScopedExternalApp: '00D000000000001AAA:MCP_Client_App',
  oauthLink: '00D000000000001AAA:888000000000001',
};

const D = 'force-app/main/default';
const P = {
  app: `${D}/externalClientApps/MCP_Client_App.eca-meta.xml`,
  global: `${D}/extlClntAppGlobalOauthSets/MCP_Client_App_glbloauth.ecaGlblOauth-meta.xml`,
  oauth: `${D}/extlClntAppOauthSettings/MCP_Client_App_oauth.ecaOauth-meta.xml`,
  policy: `${D}/extlClntAppOauthPolicies/MCP_Client_App_oauthPlcy.ecaOauthPlcy-meta.xml`,
  permset: `${D}/permissionsets/MCP_Users.permissionset-meta.xml`,
};

const file = (files: ProjectFile[], path: string): string => {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `no ${path} in ${files.map((x) => x.path).join(', ')}`);
  return f.content;
};
const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  processEntities: true,
  isArray: (name) => name === 'trustedIpRanges',
});
// biome-ignore lint/suspicious/noExplicitAny: parsed XML of any shape; the tests walk into it by name
const parse = (xml: string): Record<string, any> => parser.parse(xml);

describe('renderProject: file sets', () => {
  it('deploy: project, app, global, OAuth settings, policy and permission set', () => {
    const files = renderProject(plan(FULL), { target: 'deploy' });
    assert.deepEqual(
      files.map((f) => f.path),
      ['sfdx-project.json', P.app, P.global, P.oauth, P.policy, P.permset],
    );
    assert.deepEqual(
      renderProject(plan(), { target: 'deploy' }).map((f) => f.path),
      ['sfdx-project.json', P.app, P.global, P.oauth, P.policy],
    );
  });

  it('package: only the app and its OAuth settings — never global settings, policies or the permission set', () => {
    const files = renderProject(plan(FULL), {
      target: 'package',
      links: LINKS,
      package: { name: 'MCP App', namespace: 'mcpns', versionNumber: '1.2.0.NEXT' },
    });
    assert.deepEqual(
      files.map((f) => f.path),
      ['sfdx-project.json', P.app, P.oauth],
    );
    for (const f of files)
      assert.doesNotMatch(f.content, /consumerKey|consumerSecret|callbackUrl|ExtlClntAppOauthConfigurablePolicies/);
  });

  it('refuses to package a Local app', () => {
    assert.throws(() => renderProject(plan({ package: 'false' }), { target: 'package' }), RenderError);
  });
});

describe('renderProject: contents', () => {
  const files = renderProject(plan(FULL), { target: 'deploy' });

  it('sfdx-project.json for deploy', () => {
    assert.deepEqual(JSON.parse(file(files, 'sfdx-project.json')), {
      packageDirectories: [{ path: 'force-app', default: true }],
      name: 'eca-action',
      namespace: '',
      sourceApiVersion: '66.0',
    });
  });

  it('sfdx-project.json for package', () => {
    const pkg = renderProject(plan(), {
      target: 'package',
      links: LINKS,
      apiVersion: '67.0',
      package: { name: 'MCP App', namespace: 'mcpns', versionNumber: '1.2.0.NEXT', id: '0Ho000000000001AAA' },
    });
    assert.deepEqual(JSON.parse(file(pkg, 'sfdx-project.json')), {
      packageDirectories: [
        { path: 'force-app', default: true, package: 'MCP App', versionName: 'ver 1.2', versionNumber: '1.2.0.NEXT' },
      ],
      name: 'eca-action',
      namespace: 'mcpns',
      sourceApiVersion: '67.0',
      packageAliases: { 'MCP App': '0Ho000000000001AAA' },
    });
  });

  it('the app header, exactly', () => {
    assert.equal(
      file(files, P.app),
      `<?xml version="1.0" encoding="UTF-8"?>
<ExternalClientApplication xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>mcp-admins@example.com</contactEmail>
    <description>MCP access for the sales team</description>
    <distributionState>Packaged</distributionState>
    <isProtected>false</isProtected>
    <label>MCP Client App</label>
</ExternalClientApplication>
`,
    );
    const linked = renderProject(plan(), { target: 'package', links: LINKS });
    assert.match(
      file(linked, P.app),
      /<orgScopedExternalApp>00D000000000001AAA:MCP_Client_App<\/orgScopedExternalApp>\n<\/ExternalClientApplication>/,
    );
    assert.match(
      file(renderProject(plan({ package: 'false' }), { target: 'deploy' }), P.app),
      /<distributionState>Local<\/distributionState>/,
    );
  });

  it('global OAuth settings: every callback URL in one element, one per line; the flow switches; no key or secret', () => {
    const xml = file(files, P.global);
    assert.equal((xml.match(/<callbackUrl>/g) ?? []).length, 1);
    assert.match(
      xml,
      /<callbackUrl>https:\/\/claude\.ai\/api\/mcp\/auth_callback\nhttps:\/\/claude\.com\/api\/mcp\/auth_callback\nhttp:\/\/localhost:8787\/callback\ncursor:\/\/anysphere\.cursor-mcp\/oauth\/callback<\/callbackUrl>/,
    );
    assert.doesNotMatch(xml, /consumerKey|consumerSecret|oauthLink/);
    const g = parse(xml).ExtlClntAppGlobalOauthSettings;
    assert.equal(g['@_xmlns'], 'http://soap.sforce.com/2006/04/metadata');
    assert.deepEqual(
      Object.fromEntries(Object.entries(g).filter(([k]) => k.startsWith('is') || k.startsWith('should'))),
      {
        isClientCredentialsFlowEnabled: 'false',
        isCodeCredFlowEnabled: 'false',
        isCodeCredPostOnly: 'false',
        isConsumerSecretOptional: 'true',
        isDeviceFlowEnabled: 'false',
        isEnforceRefreshTokenTTL: 'true',
        isIntrospectAllTokens: 'false',
        isNamedUserJwtEnabled: 'true',
        isPkceRequired: 'true',
        isRefreshTokenRotationEnabled: 'true',
        isSecretRequiredForRefreshToken: 'false',
        isSecretRequiredForTokenExchange: 'false',
        isTokenExchangeEnabled: 'false',
        shouldRotateConsumerKey: 'false',
        shouldRotateConsumerSecret: 'false',
      },
    );
    assert.equal(g.externalClientApplication, 'MCP_Client_App');
    assert.equal(g.label, 'MCP_Client_App Global OAuth');
    const secret = parse(
      file(renderProject(plan({ 'require-secret': 'true', clients: 'claude' }), { target: 'deploy' }), P.global),
    );
    assert.equal(secret.ExtlClntAppGlobalOauthSettings.isConsumerSecretOptional, 'false');
  });

  it('OAuth settings: scopes, IP ranges, single logout; oauthLink only when known', () => {
    const o = parse(file(files, P.oauth)).ExtlClntAppOauthSettings;
    assert.equal(o.commaSeparatedOauthScopes, 'MCP, RefreshToken');
    assert.equal(o.externalClientApplication, 'MCP_Client_App');
    assert.equal(o.singleLogoutUrl, 'https://client.example.com/logout');
    assert.deepEqual(o.trustedIpRanges, [
      { endIpAddress: '203.0.113.255', startIpAddress: '203.0.113.0' },
      { endIpAddress: '2001:db8::ffff', startIpAddress: '2001:db8::' },
    ]);
    assert.equal(o.oauthLink, undefined);
    const linked = parse(
      file(renderProject(plan(FULL), { target: 'package', links: LINKS }), P.oauth),
    ).ExtlClntAppOauthSettings;
    assert.equal(linked.oauthLink, LINKS.oauthLink);
    const bare = file(renderProject(plan(), { target: 'deploy' }), P.oauth);
    assert.doesNotMatch(bare, /trustedIpRanges|singleLogoutUrl|oauthLink/);
  });

  it('OAuth policy: admin-approved with the permission set API name, refresh tokens, flows off', () => {
    const p = parse(file(files, P.policy)).ExtlClntAppOauthConfigurablePolicies;
    assert.deepEqual(p, {
      '@_xmlns': 'http://soap.sforce.com/2006/04/metadata',
      commaSeparatedPermissionSet: 'MCP_Users',
      externalClientApplication: 'MCP_Client_App',
      ipRelaxationPolicyType: 'Enforce',
      isClientCredentialsFlowEnabled: 'false',
      isGuestCodeCredFlowEnabled: 'false',
      isTokenExchangeFlowEnabled: 'false',
      label: 'MCP_Client_App_oauthPlcy',
      namedUserJwtSessionTimeoutType: 'UserSession',
      permittedUsersPolicyType: 'AdminApprovedPreAuthorized',
      refreshTokenPolicyType: 'SpecificLifetime',
      refreshTokenValidityPeriod: '30',
      refreshTokenValidityUnit: 'Days',
      requiredSessionLevel: 'STANDARD',
      singleLogoutUrl: 'https://client.example.com/logout',
    });
    const base = parse(
      file(renderProject(plan(), { target: 'deploy' }), P.policy),
    ).ExtlClntAppOauthConfigurablePolicies;
    assert.equal(base.permittedUsersPolicyType, 'AllSelfAuthorized');
    assert.equal(base.refreshTokenPolicyType, 'Infinite');
    assert.equal(base.commaSeparatedPermissionSet, undefined);
    assert.equal(base.refreshTokenValidityPeriod, undefined);
  });

  it('permission set: empty, labelled, no activation', () => {
    assert.equal(
      file(files, P.permset),
      `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <description>Users with this permission set may use the External Client App MCP_Client_App (MCP clients). Created by eca-action.</description>
    <hasActivationRequired>false</hasActivationRequired>
    <label>MCP Users</label>
</PermissionSet>
`,
    );
  });
});

describe('renderProject: escaping', () => {
  // Settings refuse these; a hand-built plan shows the renderer is safe on its own.
  const evil = '</label><isProtected>true</isProtected> & "quotes" \'apos\' <!-- ]]> &amp;';
  const p: AppPlan = { ...plan(), label: evil, description: evil, contactEmail: `a@example.com</contactEmail><x>` };

  it('round-trips hostile text as text, with no injected elements', () => {
    const xml = file(renderProject(p, { target: 'deploy' }), P.app);
    assert.doesNotMatch(xml, /<isProtected>true/);
    assert.equal((xml.match(/<isProtected>/g) ?? []).length, 1);
    assert.equal((xml.match(/<label>/g) ?? []).length, 1);
    const app = parse(xml).ExternalClientApplication;
    assert.equal(app.label, evil);
    assert.equal(app.description, evil);
    assert.equal(app.contactEmail, 'a@example.com</contactEmail><x>');
    assert.equal(app.isProtected, 'false');
  });

  it('escapes callback URLs too', () => {
    const xml = file(
      renderProject(
        { ...plan(), callbackUrls: ['https://a.example.com/cb?x=1&y=</callbackUrl>'] },
        { target: 'deploy' },
      ),
      P.global,
    );
    assert.equal(
      parse(xml).ExtlClntAppGlobalOauthSettings.callbackUrl,
      'https://a.example.com/cb?x=1&y=</callbackUrl>',
    );
    assert.match(xml, /&amp;y=&lt;\/callbackUrl&gt;/);
  });

  it('refuses characters XML cannot carry', () => {
    assert.throws(() => renderProject({ ...plan(), label: 'a\u0001b' }, { target: 'deploy' }), RenderError);
    assert.throws(() => metadataXml('X', { a: 'ok', b: ['\uFFFF'] }), RenderError);
  });
});

describe('writeProject', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'render-test-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every file (creating folders) and returns absolute paths', () => {
    const files = renderProject(plan(FULL), { target: 'deploy' });
    const paths = writeProject(join(dir, 'nested', 'out'), files);
    assert.equal(paths.length, files.length);
    for (const [i, p] of paths.entries()) {
      assert.ok(isAbsolute(p));
      assert.equal(readFileSync(p, 'utf8'), files[i]!.content);
    }
  });

  it('refuses paths outside the project', () => {
    assert.throws(() => writeProject(dir, [{ path: '../escape.txt', content: 'x' }]), RenderError);
    assert.throws(() => writeProject(dir, [{ path: '/etc/escape.txt', content: 'x' }]), RenderError);
    assert.ok(!existsSync(join(dir, '..', 'escape.txt')));
  });
});

// ===========================================================================================================
// Schema: every element we emit exists on the WSDL-generated type in @salesforce/types, in the type's order,
// with a value of the right kind (enum values where the .d.ts gives a union).

const require = createRequire(import.meta.url);
// The package exports ./metadata (lib/metadata.js); its declarations sit beside it.
const dtsPath = require.resolve('@salesforce/types/metadata').replace(/\.js$/, '.d.ts');
const dts = ts.createSourceFile('metadata.d.ts', readFileSync(dtsPath, 'utf8'), ts.ScriptTarget.Latest, true);
const aliases = new Map<string, ts.TypeNode>();
for (const st of dts.statements) if (ts.isTypeAliasDeclaration(st)) aliases.set(st.name.text, st.type);

interface Member {
  name: string;
  type: ts.TypeNode;
  index: number;
}
function membersOf(typeName: string): Map<string, Member> {
  const out = new Map<string, Member>();
  const visit = (node: ts.TypeNode): void => {
    if (ts.isIntersectionTypeNode(node)) node.types.forEach(visit);
    else if (ts.isTypeReferenceNode(node)) {
      const ref = aliases.get(node.typeName.getText(dts));
      if (ref) visit(ref);
    } else if (ts.isTypeLiteralNode(node)) {
      for (const m of node.members) {
        if (ts.isPropertySignature(m) && m.type)
          out.set(m.name.getText(dts), { name: m.name.getText(dts), type: m.type, index: out.size });
      }
    }
  };
  const root = aliases.get(typeName);
  assert.ok(root, `@salesforce/types has no type ${typeName}`);
  visit(root);
  return out;
}
function literalUnion(node: ts.TypeNode): string[] | undefined {
  if (!ts.isTypeReferenceNode(node)) return undefined;
  const ref = aliases.get(node.typeName.getText(dts));
  if (!ref || !ts.isUnionTypeNode(ref)) return undefined;
  const values = ref.types.filter(ts.isLiteralTypeNode).map((t) => (t.literal as ts.StringLiteral).text);
  return values.length === ref.types.length ? values : undefined;
}

const orderedParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, preserveOrder: true });
type Ordered = Array<Record<string, unknown>>;

function checkAgainstType(typeName: string, children: Ordered, where: string): void {
  const members = membersOf(typeName);
  let last = -1;
  for (const child of children) {
    const name = Object.keys(child).find((k) => k !== ':@')!;
    if (name === '#text') continue;
    const member = members.get(name);
    assert.ok(member, `${where}: <${name}> is not a field of ${typeName}`);
    assert.ok(member.index >= last, `${where}: <${name}> is out of the WSDL order of ${typeName}`);
    last = member.index;
    const content = child[name] as Ordered;
    const text = content.length === 1 && '#text' in content[0]! ? String(content[0]!['#text']) : undefined;
    let type = member.type;
    if (ts.isArrayTypeNode(type)) type = type.elementType;
    const union = literalUnion(type);
    if (type.kind === ts.SyntaxKind.BooleanKeyword) assert.match(text ?? '', /^(true|false)$/, `${where}.${name}`);
    else if (type.kind === ts.SyntaxKind.NumberKeyword) assert.match(text ?? '', /^-?\d+$/, `${where}.${name}`);
    else if (type.kind === ts.SyntaxKind.StringKeyword) assert.equal(typeof text, 'string', `${where}.${name}`);
    else if (union)
      assert.ok(union.includes(text ?? ''), `${where}.${name}: '${text}' is not one of ${union.join(', ')}`);
    else if (ts.isTypeReferenceNode(type)) checkAgainstType(type.typeName.getText(dts), content, `${where}.${name}`);
    else assert.fail(`${where}.${name}: unexpected type ${type.getText(dts)}`);
  }
}

describe('schema: @salesforce/types lib/metadata.d.ts', () => {
  const variants: Array<[string, ProjectFile[]]> = [
    [
      'deploy, full',
      renderProject(plan({ ...FULL, 'require-secret': 'true', clients: 'claude' }), { target: 'deploy', links: LINKS }),
    ],
    ['deploy, baseline', renderProject(plan({ package: 'false' }), { target: 'deploy' })],
    ['package', renderProject(plan(FULL), { target: 'package', links: LINKS })],
  ];
  for (const [label, files] of variants) {
    for (const f of files.filter((x) => x.path.endsWith('.xml'))) {
      it(`${label}: ${f.path.split('/').pop()}`, () => {
        const doc = orderedParser.parse(f.content) as Ordered;
        const rootEntry = doc.find((n) => !('?xml' in n))!;
        const rootName = Object.keys(rootEntry).find((k) => k !== ':@')!;
        checkAgainstType(rootName, rootEntry[rootName] as Ordered, rootName);
      });
    }
  }

  it('catches a field that does not exist', () => {
    const doc = orderedParser.parse(
      metadataXml('ExtlClntAppOauthSettings', { externalClientApplication: 'A', scopes: 'MCP' }),
    ) as Ordered;
    const root = doc.find((n) => 'ExtlClntAppOauthSettings' in n)!;
    assert.throws(
      () => checkAgainstType('ExtlClntAppOauthSettings', root['ExtlClntAppOauthSettings'] as Ordered, 'x'),
      /not a field/,
    );
  });
});

// ===========================================================================================================
// SDR: the project is what the Salesforce tooling expects (types resolve, metadata format converts).

describe('source-deploy-retrieve', () => {
  let dir: string;
  let sdr: typeof import('@salesforce/source-deploy-retrieve');
  before(async () => {
    process.env.SF_DISABLE_LOG_FILE = 'true';
    sdr = await import('@salesforce/source-deploy-retrieve');
    dir = mkdtempSync(join(tmpdir(), 'render-sdr-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => ProjectFile[], Array<[string, string]>]> = [
    [
      'deploy',
      () => renderProject(plan(FULL), { target: 'deploy' }),
      [
        ['ExternalClientApplication', 'MCP_Client_App'],
        ['ExtlClntAppGlobalOauthSettings', 'MCP_Client_App_glbloauth'],
        ['ExtlClntAppOauthConfigurablePolicies', 'MCP_Client_App_oauthPlcy'],
        ['ExtlClntAppOauthSettings', 'MCP_Client_App_oauth'],
        ['PermissionSet', 'MCP_Users'],
      ],
    ],
    [
      'package',
      () =>
        renderProject(plan(FULL), {
          target: 'package',
          links: LINKS,
          package: { name: 'MCP App', versionNumber: '1.0.0.NEXT' },
        }),
      [
        ['ExternalClientApplication', 'MCP_Client_App'],
        ['ExtlClntAppOauthSettings', 'MCP_Client_App_oauth'],
      ],
    ],
  ];
  for (const [target, files, expected] of cases) {
    it(`${target}: every file resolves to its type and converts to metadata format`, async () => {
      const project = join(dir, target);
      writeProject(project, files());
      const cs = sdr.ComponentSet.fromSource(join(project, 'force-app'));
      const components = cs.getSourceComponents().toArray();
      assert.deepEqual(components.map((c) => [c.type.name, c.fullName]).sort(), expected.map((e) => [...e]).sort());
      // Every XML file we wrote belongs to exactly one resolved component.
      const written = files().filter((f) => f.path.endsWith('.xml')).length;
      assert.equal(components.length, written);
      const out = join(dir, `${target}-mdapi`);
      const result = await new sdr.MetadataConverter().convert(cs, 'metadata', {
        type: 'directory',
        outputDirectory: out,
        genUniqueDir: false,
      });
      assert.equal(result.packagePath, out);
      const pkgXml = readFileSync(join(out, 'package.xml'), 'utf8');
      for (const [type, name] of expected) {
        assert.match(pkgXml, new RegExp(`<members>${name}</members>\\s*<name>${type}</name>`));
      }
      assert.ok(existsSync(join(out, 'externalClientApps', 'MCP_Client_App.eca')));
      assert.ok(existsSync(join(out, 'extlClntAppOauthSettings', 'MCP_Client_App_oauth.ecaOauth')));
    });
  }
});
