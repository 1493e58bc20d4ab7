// The fake org's validator (rules.ts) called directly, the generated schema, and hand-made deploy zips the
// libraries would never send (unknown types, no package.xml) through jsforce's SOAP deploy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { generateSchema, renderSchema, SCHEMA_PATH } from '../fake-org/gen-schema.ts';
import { createValidator, callbackUrlProblem, ipRangeProblem } from '../fake-org/rules.ts';
import { createStore } from '../fake-org/store.ts';
import { idFactory } from '../fake-org/ids.ts';
import type { ComponentSource, OrgState, ValidationContext } from '../fake-org/types.ts';

process.env.HOME = mkdtempSync(join(tmpdir(), 'fake-org-home-'));
process.env.SF_DISABLE_LOG_FILE = 'true';
process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';

test('schema.json is what gen-schema.ts generates from @salesforce/types', () => {
  assert.equal(readFileSync(SCHEMA_PATH, 'utf8'), renderSchema(generateSchema()));
});

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const doc = (root: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${NS}>\n${body}\n</${root}>\n`;
const ECA = doc(
  'ExternalClientApplication',
  '<contactEmail>a@example.com</contactEmail><distributionState>Packaged</distributionState><label>A</label>',
);
const GLOBAL = doc(
  'ExtlClntAppGlobalOauthSettings',
  '<callbackUrl>https://example.com/cb</callbackUrl><externalClientApplication>App</externalClientApplication><label>G</label>',
);
const OAUTH = (extra = '') =>
  doc(
    'ExtlClntAppOauthSettings',
    `<commaSeparatedOauthScopes>MCP,RefreshToken</commaSeparatedOauthScopes><externalClientApplication>App</externalClientApplication><label>O</label>${extra}`,
  );

function setup() {
  const newId = idFactory();
  const org = (isDevHub: boolean): OrgState => ({
    orgId: newId('00D'),
    userId: newId('005'),
    username: isDevHub ? 'hub@example.com' : 'scratch@example.com',
    name: 'Org',
    isDevHub,
    metadata: new Map(),
    consumers: new Map(),
    ext: new Map(),
    componentIds: new Map(),
    settings: { enableClientSecretInRestApiAccess: true, enableConsumerSecretApiAccess: false },
  });
  const hub = org(true);
  const scratch = org(false);
  const orgs = [hub, scratch];
  const validate = createValidator(() => orgs);
  const store = createStore(newId, () => orgs);
  const source = (type: string, fullName: string, xml: string): ComponentSource => ({
    type,
    fullName,
    fileName: `${type}/${fullName}`,
    xml,
  });
  const check = (component: ComponentSource, context: ValidationContext) =>
    validate(component.type, component.fullName, component.fileName, component.xml, context).map((p) => p.problem);
  /** A complete app's first deploy: header, global OAuth settings, OAuth settings. */
  const firstDeploy = () => [
    source('ExternalClientApplication', 'App', ECA),
    source('ExtlClntAppGlobalOauthSettings', 'App_g', GLOBAL),
    source('ExtlClntAppOauthSettings', 'App_o', OAUTH()),
  ];
  return { hub, scratch, store, source, check, firstDeploy };
}

describe('validateComponent', () => {
  test('a complete first deploy passes; each part alone names what is missing', () => {
    const { hub, check, firstDeploy } = setup();
    const batch = firstDeploy();
    for (const c of batch) assert.deepEqual(check(c, { kind: 'deploy', org: hub, siblings: batch }), [], c.type);
    assert.match(check(batch[1]!, { kind: 'deploy', org: hub })[0]!, /no ExternalClientApplication named App found/);
    assert.match(
      check(batch[1]!, { kind: 'deploy', org: hub, siblings: batch.slice(0, 2) })[0]!,
      /doesn't have a valid OAuth settings configuration/,
    );
    assert.match(
      check(batch[2]!, { kind: 'deploy', org: hub, siblings: [batch[0]!, batch[2]!] })[0]!,
      /has no OAuth consumer in this org/,
    );
  });

  test('malformed XML reports the parser error with its position', () => {
    const { hub, source, check } = setup();
    const problems = check(
      source('ExternalClientApplication', 'App', '<ExternalClientApplication>\n  <label>x</ExternalClientApplication>'),
      { kind: 'deploy', org: hub },
    );
    assert.match(problems[0]!, /^Error parsing file: Expected closing tag 'label'/);
  });

  test('wrong root element or namespace', () => {
    const { hub, source, check } = setup();
    assert.match(
      check(source('ExternalClientApplication', 'App', ECA.replace(NS, '')), { kind: 'deploy', org: hub })[0]!,
      /Element \{\}ExternalClientApplication invalid at this location/,
    );
  });

  test('duplicates, nested elements, ints and API names', () => {
    const { hub, source, check } = setup();
    const ctx = { kind: 'deploy' as const, org: hub, siblings: [source('ExternalClientApplication', 'App', ECA)] };
    const dup = check(source('ExtlClntAppOauthSettings', 'O', OAUTH('<label>again</label>')), ctx);
    assert.ok(
      dup.some((p) => /label duplicated at this location/.test(p)),
      dup.join('\n'),
    );
    const range = check(
      source(
        'ExtlClntAppOauthSettings',
        'O',
        OAUTH('<trustedIpRanges><startIpAddress>10.0.0.1</startIpAddress><bogus/></trustedIpRanges>'),
      ),
      ctx,
    );
    assert.ok(
      range.some((p) => /bogus invalid at this location in type ExtlClntAppOauthIpRange/.test(p)),
      range.join('\n'),
    );
    assert.ok(
      range.some((p) => /Required field is missing: endIpAddress/.test(p)),
      range.join('\n'),
    );
    const int = check(
      source(
        'ExtlClntAppOauthConfigurablePolicies',
        'P',
        doc(
          'ExtlClntAppOauthConfigurablePolicies',
          '<externalClientApplication>App</externalClientApplication><refreshTokenValidityPeriod>1.5</refreshTokenValidityPeriod>',
        ),
      ),
      ctx,
    );
    assert.match(int[0]!, /'1\.5' is not a valid value for the type xsd:int/);
    assert.match(
      check(source('ExternalClientApplication', 'My__App', ECA), { kind: 'deploy', org: hub })[0]!,
      /can only contain underscores and alphanumeric characters/,
    );
    const plcy = source(
      'ExtlClntAppConfigurablePolicies',
      'App_plcy',
      doc(
        'ExtlClntAppConfigurablePolicies',
        '<externalClientApplication>App</externalClientApplication><startPage>Home</startPage>',
      ),
    );
    assert.deepEqual(check(plcy, ctx), [
      "Error parsing file: 'Home' is not a valid value for the enum 'ExtlClntAppStartPage'",
      'Required field is missing: isEnabled',
    ]);
  });

  test('every ECA type: a DeveloperName of more than 40 characters is refused (Object Reference: "40 characters or fewer")', () => {
    const { hub, source, check } = setup();
    const long = `A${'b'.repeat(40)}`;
    assert.match(
      check(source('ExternalClientApplication', long, ECA), { kind: 'deploy', org: hub })[0]!,
      /is 41 characters long: it must be 40 characters or fewer/,
    );
    const ctx = { kind: 'deploy' as const, org: hub, siblings: [source('ExternalClientApplication', 'App', ECA)] };
    for (const [type, xml] of [
      ['ExtlClntAppGlobalOauthSettings', GLOBAL],
      ['ExtlClntAppOauthSettings', OAUTH()],
      [
        'ExtlClntAppOauthConfigurablePolicies',
        doc('ExtlClntAppOauthConfigurablePolicies', '<externalClientApplication>App</externalClientApplication>'),
      ],
      [
        'ExtlClntAppConfigurablePolicies',
        doc(
          'ExtlClntAppConfigurablePolicies',
          '<externalClientApplication>App</externalClientApplication><isEnabled>true</isEnabled>',
        ),
      ],
    ] as const) {
      assert.ok(
        check(source(type, long, xml), ctx).some((p) => /must be 40 characters or fewer/.test(p)),
        type,
      );
      assert.ok(
        !check(source(type, long.slice(0, 40), xml), ctx).some((p) => /40 characters/.test(p)),
        `${type}: 40 is allowed`,
      );
    }
  });

  test('policies: value sets, refresh token lifetime, permission sets, client credentials user', () => {
    const { hub, source, check } = setup();
    const ctx = { kind: 'deploy' as const, org: hub, siblings: [source('ExternalClientApplication', 'App', ECA)] };
    const policy = (body: string) =>
      source(
        'ExtlClntAppOauthConfigurablePolicies',
        'P',
        doc(
          'ExtlClntAppOauthConfigurablePolicies',
          `<externalClientApplication>App</externalClientApplication>${body}`,
        ),
      );
    assert.match(
      check(policy('<ipRelaxationPolicyType>Relaxed</ipRelaxationPolicyType>'), ctx)[0]!,
      /'Relaxed' is not a valid value for ipRelaxationPolicyType/,
    );
    assert.match(
      check(policy('<refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType>'), ctx).join('\n'),
      /needs refreshTokenValidityPeriod/,
    );
    assert.match(
      check(policy('<commaSeparatedPermissionSet>Nope</commaSeparatedPermissionSet>'), ctx)[0]!,
      /We couldn't find permission sets called Nope\./,
    );
    assert.match(
      check(
        policy(
          '<isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled><clientCredentialsFlowUser>x@y.z</clientCredentialsFlowUser>',
        ),
        ctx,
      )[0]!,
      /no User named x@y.z/,
    );
    assert.deepEqual(
      check(
        policy(
          `<isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled><clientCredentialsFlowUser>${hub.username}</clientCredentialsFlowUser>`,
        ),
        ctx,
      ),
      [],
    );
  });

  test('callback URLs: https, http on localhost, custom schemes; not http on an IP literal or other host, fragments or javascript:', () => {
    assert.equal(callbackUrlProblem('https://claude.ai/api/mcp/auth_callback'), undefined);
    assert.equal(callbackUrlProblem('http://localhost:6274/oauth/callback'), undefined);
    assert.equal(callbackUrlProblem('cursor://anysphere.cursor-mcp/oauth/callback'), undefined);
    // anthropics/claude-code#86233: Salesforce's validator answers "Cannot be an HTTP URL" for http on an IP literal.
    assert.equal(callbackUrlProblem('http://127.0.0.1:33418/'), 'Cannot be an HTTP URL');
    assert.equal(callbackUrlProblem('http://[::1]:9000/cb'), 'Cannot be an HTTP URL');
    assert.equal(callbackUrlProblem('http://example.com/cb'), 'Cannot be an HTTP URL');
    // Stored by a real org (fixture public-eca/bgaldino-rlm-base-dev); matching is exact all the same.
    assert.equal(callbackUrlProblem('http://localhost:*/callback'), undefined);
    assert.match(callbackUrlProblem('https://example.com/cb#x')!, /fragment/);
    assert.match(callbackUrlProblem('javascript:alert(1)')!, /can't be a redirect URI/);
    assert.match(callbackUrlProblem('example.com/cb')!, /not an absolute URL/);
    const { hub, source, check } = setup();
    const bad = source(
      'ExtlClntAppGlobalOauthSettings',
      'G',
      GLOBAL.replace('https://example.com/cb', 'https://a.example.com/cb\n\nhttp://b.example.com/cb'),
    );
    const problems = check(bad, {
      kind: 'deploy',
      org: hub,
      siblings: [source('ExternalClientApplication', 'App', ECA), source('ExtlClntAppOauthSettings', 'O', OAUTH())],
    });
    assert.deepEqual(problems.length, 2, problems.join('\n'));
  });

  test('the remaining value rules: email, distribution state, label, logout URL, IP range count, one global settings, keys', () => {
    const { hub, store, source, check } = setup();
    const deploy = { kind: 'deploy' as const, org: hub };
    assert.match(
      check(source('ExternalClientApplication', 'App', ECA.replace('a@example.com', 'nope')), deploy).join('\n'),
      /Invalid email address: nope/,
    );
    assert.match(
      check(source('ExternalClientApplication', 'App', ECA.replace('Packaged', 'Managed')), deploy).join('\n'),
      /distributionState 'Managed' is set by Salesforce/,
    );
    assert.match(
      check(source('ExternalClientApplication', 'App', ECA.replace('<label>A</label>', '')), deploy).join('\n'),
      /Required field is missing: label/,
    );
    const app = source('ExternalClientApplication', 'App', ECA);
    const ctx = { ...deploy, siblings: [app] };
    assert.match(
      check(
        source(
          'ExtlClntAppOauthSettings',
          'O',
          OAUTH('<singleLogoutUrl>http://app.example.com/logout</singleLogoutUrl>'),
        ),
        ctx,
      ).join('\n'),
      /singleLogoutUrl must be an https URL/,
    );
    const ranges = Array.from(
      { length: 129 },
      (_, i) =>
        `<trustedIpRanges><endIpAddress>10.0.${i}.1</endIpAddress><startIpAddress>10.0.${i}.1</startIpAddress></trustedIpRanges>`,
    ).join('');
    assert.match(
      check(source('ExtlClntAppOauthSettings', 'O', OAUTH(ranges)), ctx).join('\n'),
      /Too many trustedIpRanges: 129 \(at most 128\)/,
    );
    const empty = check(
      source(
        'ExtlClntAppGlobalOauthSettings',
        'G',
        GLOBAL.replace('https://example.com/cb', 'https://a.example.com/cb\n\nhttps://b.example.com/cb'),
      ),
      { ...deploy, siblings: [app, source('ExtlClntAppOauthSettings', 'O', OAUTH())] },
    );
    assert.match(empty.join('\n'), /empty line between callback URLs/);
    // one global settings record per app (our own wording)
    const twoGlobals = {
      ...deploy,
      siblings: [
        app,
        source('ExtlClntAppOauthSettings', 'O', OAUTH()),
        source('ExtlClntAppGlobalOauthSettings', 'G2', GLOBAL),
      ],
    };
    assert.match(
      check(source('ExtlClntAppGlobalOauthSettings', 'G', GLOBAL), twoGlobals).join('\n'),
      /already has global OAuth settings \(G2\)/,
    );
    // keys: generated by the org, kept, never taken over from another app
    store.apply(hub, [
      app,
      source('ExtlClntAppGlobalOauthSettings', 'G', GLOBAL),
      source('ExtlClntAppOauthSettings', 'O', OAUTH()),
    ]);
    const { consumerKey } = hub.consumers.get('App')!;
    const withKey = (key: string) =>
      GLOBAL.replace('<label>G</label>', `<consumerKey>${key}</consumerKey><label>G</label>`);
    assert.match(
      check(source('ExtlClntAppGlobalOauthSettings', 'G', withKey('3MVGother')), deploy).join('\n'),
      /consumerKey doesn't match this app's consumer key/,
    );
    assert.match(
      check(
        source(
          'ExtlClntAppGlobalOauthSettings',
          'G',
          GLOBAL.replace('<label>G</label>', '<consumerSecret>other</consumerSecret><label>G</label>'),
        ),
        deploy,
      ).join('\n'),
      /consumerSecret doesn't match/,
    );
    assert.deepEqual(check(source('ExtlClntAppGlobalOauthSettings', 'G', withKey(consumerKey)), deploy), []);
    const other = doc(
      'ExternalClientApplication',
      '<contactEmail>a@example.com</contactEmail><distributionState>Local</distributionState><label>B</label>',
    );
    const otherGlobal = withKey(consumerKey).replace(
      '<externalClientApplication>App<',
      '<externalClientApplication>Other<',
    );
    const otherCtx = {
      ...deploy,
      siblings: [
        source('ExternalClientApplication', 'Other', other),
        source('ExtlClntAppOauthSettings', 'OO', OAUTH().replace('>App<', '>Other<')),
      ],
    };
    assert.match(
      check(source('ExtlClntAppGlobalOauthSettings', 'OG', otherGlobal), otherCtx).join('\n'),
      /consumer key is already in use by another app/,
    );
  });

  test('trusted IP ranges: valid addresses, one family, start ≤ end', () => {
    assert.equal(ipRangeProblem('10.0.0.1', '10.0.0.255'), undefined);
    assert.equal(ipRangeProblem('2001:db8::', '2001:db8::ffff'), undefined);
    assert.equal(ipRangeProblem('::ffff:10.0.0.1', '::ffff:10.0.0.2'), undefined);
    assert.match(ipRangeProblem('10.0.0.9', '10.0.0.1')!, /start address is greater/);
    assert.match(ipRangeProblem('2001:db8::2', '2001:db8::1')!, /start address is greater/);
    assert.match(ipRangeProblem('10.0.0.1', '2001:db8::1')!, /same family/);
    assert.match(ipRangeProblem('10.0.0.256', '10.0.1.1')!, /Invalid IP address in startIpAddress/);
  });

  test('package context: no global settings, Packaged apps only, an oauthLink to an existing consumer', () => {
    const { hub, scratch, store, source, check } = setup();
    const app = source('ExternalClientApplication', 'App', ECA);
    const batch = [
      app,
      source('ExtlClntAppGlobalOauthSettings', 'App_g', GLOBAL),
      source('ExtlClntAppOauthSettings', 'App_o', OAUTH()),
    ];
    store.apply(hub, batch);
    const link = hub.consumers.get('App')!.oauthLink;
    const pkg = [app, source('ExtlClntAppOauthSettings', 'App_o', OAUTH(`<oauthLink>${link}</oauthLink>`))];
    for (const c of pkg) assert.deepEqual(check(c, { kind: 'package', org: hub, siblings: pkg }), [], c.type);
    assert.match(check(batch[1]!, { kind: 'package', org: hub, siblings: pkg })[0]!, /can't be packaged/);
    assert.match(
      check(source('ExternalClientApplication', 'App', ECA.replace('Packaged', 'Local')), {
        kind: 'package',
        org: hub,
      })[0]!,
      /distributionState is Local/,
    );
    assert.match(check(batch[2]!, { kind: 'package', org: hub, siblings: pkg })[0]!, /has no oauthLink/);
    // The package's own components count, not the org's: the app must travel with its settings.
    assert.match(
      check(pkg[1]!, { kind: 'package', org: hub, siblings: [pkg[1]!] })[0]!,
      /no ExternalClientApplication named App/,
    );

    // Installed in the scratch org, the OAuth settings link to the Dev Hub's consumer (association).
    store.apply(scratch, pkg);
    assert.equal(scratch.consumers.get('App')!.consumerKey, hub.consumers.get('App')!.consumerKey);
    assert.equal(scratch.consumers.get('App')!.appId, scratch.componentIds.get('ExternalClientApplication:App'));
  });

  test('the org generates a default OAuth policy for a new app, and keeps key and secret on redeploy', () => {
    const { hub, store, firstDeploy } = setup();
    const batch = firstDeploy();
    const first = store.apply(hub, batch);
    assert.ok(first.every((a) => a.created));
    const policy = hub.metadata.get('ExtlClntAppOauthConfigurablePolicies')?.get('App_o_defaultPolicy');
    assert.match(policy ?? '', /<permittedUsersPolicyType>AllSelfAuthorized<\/permittedUsersPolicyType>/);
    const { consumerKey, consumerSecret } = hub.consumers.get('App')!;
    const again = store.apply(hub, batch);
    assert.ok(again.every((a) => !a.created && !a.changed));
    assert.equal(hub.consumers.get('App')!.consumerKey, consumerKey);
    assert.equal(hub.consumers.get('App')!.consumerSecret, consumerSecret);
    assert.match(
      hub.metadata.get('ExtlClntAppGlobalOauthSettings')!.get('App_g')!,
      new RegExp(`<consumerKey>${consumerKey.replace(/\./g, '\\.')}</consumerKey>`),
    );
    assert.doesNotMatch(hub.metadata.get('ExtlClntAppGlobalOauthSettings')!.get('App_g')!, /consumerSecret/);
  });
});

describe('hand-made deploy zips over SOAP', () => {
  type FakeOrg = Awaited<ReturnType<typeof import('../fake-org/server.ts').startFakeOrg>>;
  let fake: FakeOrg;
  let conn: import('@salesforce/core').Connection;

  before(async () => {
    const { startFakeOrg } = await import('../fake-org/server.ts');
    const { installLoopbackGuard } = await import('./helpers/loopback.ts');
    const { AuthInfo, Connection, Lifecycle } = await import('@salesforce/core');
    Lifecycle.getInstance().onWarning(async () => {});
    fake = await startFakeOrg();
    installLoopbackGuard({ ca: fake.caCertPem });
    const authInfo = await AuthInfo.create({
      username: fake.username,
      oauth2Options: { clientId: fake.clientId, privateKey: fake.privateKeyPath, loginUrl: fake.loginUrl },
    });
    conn = await Connection.create({ authInfo });
  });
  after(() => fake.close());

  async function deployZip(files: Record<string, string>, singlePackage = true) {
    const zip = new JSZip();
    for (const [path, content] of Object.entries(files)) zip.file(path, content);
    const started = await conn.metadata.deploy(await zip.generateAsync({ type: 'nodebuffer' }), {
      singlePackage,
      rollbackOnError: true,
    });
    for (;;) {
      const status = await conn.metadata.checkDeployStatus(started.id, true);
      if (status.done) return status;
    }
  }
  const manifest = (types: string, version = '66.0') => doc('Package', `${types}<version>${version}</version>`);
  const problems = (status: Awaited<ReturnType<typeof deployZip>>) =>
    [status.details?.componentFailures ?? []].flat().map((f) => `${f.componentType}|${f.fullName}|${f.problem}`);

  test('unknown and unmodelled types in package.xml', async () => {
    const status = await deployZip({
      'package.xml': manifest(
        '<types><members>X</members><name>Bogus</name></types><types><members>Y</members><name>ApexClass</name></types><types><name>Profile</name></types>',
      ),
    });
    assert.equal(status.success, false);
    assert.deepEqual(problems(status), [
      "|package.xml|Unknown type name 'Bogus' specified in package.xml",
      "|package.xml|The fake org does not model metadata type 'ApexClass'.",
    ]);
  });

  test('a type newer than the package.xml version, a member without its file, no package.xml', async () => {
    const status = await deployZip({
      'package.xml': manifest(
        '<types><members>App</members><name>ExternalClientApplication</name></types><types><members>Gone</members><name>PermissionSet</name></types>',
        '58.0',
      ),
    });
    assert.deepEqual(problems(status), [
      "|package.xml|Unknown type name 'ExternalClientApplication' specified in package.xml",
      "PermissionSet|Gone|An object 'Gone' of type PermissionSet was named in package.xml, but was not found in zipped directory",
    ]);
    const layout = await deployZip({ 'package.xml': manifest('') }, false);
    assert.deepEqual(problems(layout), ['|package.xml|No package.xml found']);
  });

  test('a field newer than the package.xml version is not part of the type (isEnforceRefreshTokenTTL below 66.0)', async () => {
    const files = (version: string) => ({
      'package.xml': manifest(
        '<types><members>Ttl</members><name>ExternalClientApplication</name></types><types><members>Ttl_g</members><name>ExtlClntAppGlobalOauthSettings</name></types><types><members>Ttl_o</members><name>ExtlClntAppOauthSettings</name></types>',
        version,
      ),
      'externalClientApps/Ttl.eca': ECA,
      'extlClntAppGlobalOauthSets/Ttl_g.ecaGlblOauth': GLOBAL.replace('>App<', '>Ttl<').replace(
        '<label>G</label>',
        '<isEnforceRefreshTokenTTL>true</isEnforceRefreshTokenTTL><label>G</label>',
      ),
      'extlClntAppOauthSettings/Ttl_o.ecaOauth': OAUTH().replace('>App<', '>Ttl<'),
    });
    const old = await deployZip(files('65.0'));
    assert.ok(
      problems(old).some((p) => /Element \{[^}]+\}isEnforceRefreshTokenTTL invalid at this location/.test(p)),
      problems(old).join('\n'),
    );
    assert.deepEqual(problems(await deployZip(files('68.0'))), []);
  });

  test('rotating the consumer key is a warning that fails the deploy unless ignoreWarnings', async () => {
    const files = {
      'package.xml': manifest(
        '<types><members>Rot</members><name>ExternalClientApplication</name></types><types><members>Rot_g</members><name>ExtlClntAppGlobalOauthSettings</name></types><types><members>Rot_o</members><name>ExtlClntAppOauthSettings</name></types>',
      ),
      'externalClientApps/Rot.eca': ECA,
      'extlClntAppGlobalOauthSets/Rot_g.ecaGlblOauth': GLOBAL.replace('>App<', '>Rot<').replace(
        '<label>G</label>',
        '<label>G</label><shouldRotateConsumerKey>true</shouldRotateConsumerKey>',
      ),
      'extlClntAppOauthSettings/Rot_o.ecaOauth': OAUTH().replace('>App<', '>Rot<'),
    };
    const status = await deployZip(files);
    assert.equal(status.success, false);
    assert.ok(
      problems(status).some((p) =>
        /Rotating the consumer key or secret of Rot_g invalidates the current one\. Deploy with ignoreWarnings/.test(p),
      ),
      problems(status).join('\n'),
    );
  });

  test('checkDeployStatus of an id from nowhere is an INVALID_CROSS_REFERENCE_KEY fault', async () => {
    await assert.rejects(
      conn.metadata.checkDeployStatus('0Af000000000999AAA', true),
      (e: Error) => e.name === 'sf:INVALID_CROSS_REFERENCE_KEY',
    );
  });
});
