// An app that already exists under other names: made in Setup (`<App>_glbloauth`, `<App>_oauth`,
// `<App>_oauthPlcy`, `<App>_plcy`), or by another tool. The org allows one OAuth policy per app
// (`DUPLICATE_VALUE: ExtlClntAppOauthSettingsId duplicates value on …`, docs/platform-notes.md §3): the run must find
// the components the app has and update them, never add a second policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { filePath, TYPE_BY_NAME } from '../../fake-org/schema.ts';
import { consumerOf, runJwt, secretsOf } from '../helpers/fake-env.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';

let org: FakeOrg;
before(async () => {
  org = await startFakeOrg();
});
after(async () => {
  await org.close();
});

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const component = (type: string, fullName: string, body: string) => ({
  type,
  fullName,
  fileName: filePath(TYPE_BY_NAME.get(type)!, fullName),
  xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${type} ${NS}>${body}</${type}>\n`,
});

/** What the org holds for an app someone made by hand, under the given component names. */
function seedApp(app: string, names: { global: string; oauth: string; policy: string; plcy?: string }): void {
  org.ctx.applyComponents(org.ctx.devHub, [
    component(
      'ExternalClientApplication',
      app,
      `<contactEmail>admin@example.com</contactEmail><distributionState>Local</distributionState><isProtected>false</isProtected><label>${app}</label>`,
    ),
    component(
      'ExtlClntAppGlobalOauthSettings',
      names.global,
      `<callbackUrl>https://claude.ai/api/mcp/auth_callback</callbackUrl><externalClientApplication>${app}</externalClientApplication><isConsumerSecretOptional>true</isConsumerSecretOptional><isPkceRequired>true</isPkceRequired><label>${names.global}</label>`,
    ),
    component(
      'ExtlClntAppOauthSettings',
      names.oauth,
      `<commaSeparatedOauthScopes>Api, RefreshToken</commaSeparatedOauthScopes><externalClientApplication>${app}</externalClientApplication><label>${names.oauth}</label>`,
    ),
    component(
      'ExtlClntAppOauthConfigurablePolicies',
      names.policy,
      `<externalClientApplication>${app}</externalClientApplication><ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType><label>${names.policy}</label><permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType><refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType><refreshTokenValidityPeriod>365</refreshTokenValidityPeriod><refreshTokenValidityUnit>Days</refreshTokenValidityUnit><requiredSessionLevel>STANDARD</requiredSessionLevel>`,
    ),
    ...(names.plcy
      ? [
          component(
            'ExtlClntAppConfigurablePolicies',
            names.plcy,
            `<externalClientApplication>${app}</externalClientApplication><isEnabled>true</isEnabled><isOauthPluginEnabled>true</isOauthPluginEnabled><label>${names.plcy}</label>`,
          ),
        ]
      : []),
  ]);
}

const policiesOf = (app: string): string[] =>
  [...(org.ctx.devHub.metadata.get('ExtlClntAppOauthConfigurablePolicies') ?? new Map<string, string>())]
    .filter(([, xml]) => xml.includes(`<externalClientApplication>${app}</externalClientApplication>`))
    .map(([name]) => name);

test('the fake refuses a second OAuth policy for one app with DUPLICATE_VALUE', async () => {
  seedApp('Dup_App', { global: 'Dup_App_glbloauth', oauth: 'Dup_App_oauth', policy: 'Dup_App_oauthPlcy' });
  const problems = org.ctx.validateComponent(
    'ExtlClntAppOauthConfigurablePolicies',
    'Dup_App_oauth_defaultPolicy',
    'extlClntAppOauthPolicies/Dup_App_oauth_defaultPolicy.ecaOauthPlcy',
    component(
      'ExtlClntAppOauthConfigurablePolicies',
      'Dup_App_oauth_defaultPolicy',
      '<externalClientApplication>Dup_App</externalClientApplication><label>x</label>',
    ).xml,
    { kind: 'deploy', org: org.ctx.devHub },
  );
  assert.deepEqual(
    problems.map((p) => p.problem),
    ['DUPLICATE_VALUE: ExtlClntAppOauthSettingsId duplicates value on Dup_App_oauthPlcy'],
  );
});

test('an app first made in Setup is updated in place: its components, its key, no second policy', async () => {
  const app = 'Setup_App';
  seedApp(app, { global: `${app}_glbloauth`, oauth: `${app}_oauth`, policy: `${app}_oauthPlcy`, plcy: `${app}_plcy` });
  const key = consumerOf(org, app)!.key;
  const run = await runJwt(org, { 'app-name': app, package: 'false', hardening: 'recommended' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Setup_App exists; it will be updated in place/);
  assert.equal(run.outputs['consumer-key'], key, 'the same OAuth consumer');
  assert.deepEqual(policiesOf(app), [`${app}_oauthPlcy`], 'one policy');
  // The policy Setup made now carries the run's settings.
  assert.match(
    org.ctx.devHub.metadata.get('ExtlClntAppOauthConfigurablePolicies')!.get(`${app}_oauthPlcy`)!,
    /<refreshTokenValidityPeriod>30<\/refreshTokenValidityPeriod>/,
  );
  assert.match(org.ctx.devHub.metadata.get('ExtlClntAppOauthSettings')!.get(`${app}_oauth`)!, /MCP, RefreshToken/);
  assertNoLeaks(run, secretsOf(org));
});

test('an app made by another tool keeps its component names (found by their externalClientApplication)', async () => {
  const app = 'Tool_App';
  // Names that do not start with the app's name, and the `<OAuthSettings>_defaultPolicy` form an org creates.
  seedApp(app, { global: 'ToolGlobalSettings', oauth: 'ToolOauthSettings', policy: 'ToolOauthSettings_defaultPolicy' });
  const key = consumerOf(org, app)!.key;
  const run = await runJwt(org, { 'app-name': app, package: 'false' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['consumer-key'], key);
  assert.match(
    run.stdout,
    /keeps the names its components have in the org: ToolGlobalSettings, ToolOauthSettings, ToolOauthSettings_defaultPolicy/,
  );
  assert.deepEqual(policiesOf(app), ['ToolOauthSettings_defaultPolicy']);
  assert.equal(
    org.ctx.devHub.metadata.get('ExtlClntAppGlobalOauthSettings')!.has(`${app}_glbloauth`),
    false,
    'no second global settings',
  );
  assert.equal(
    org.ctx.devHub.metadata.get('ExtlClntAppOauthSettings')!.has(`${app}_oauth`),
    false,
    'no second OAuth settings',
  );
  assert.match(
    org.ctx.devHub.metadata.get('ExtlClntAppGlobalOauthSettings')!.get('ToolGlobalSettings')!,
    /cursor:\/\/anysphere/,
  );
  assertNoLeaks(run, secretsOf(org));
});

test('an app made in Setup with OAuth security settings keeps them: the run neither drops nor rewrites them', async () => {
  const app = 'Sec_App';
  seedApp(app, { global: `${app}_glbloauth`, oauth: `${app}_oauth`, policy: `${app}_oauthPlcy`, plcy: `${app}_plcy` });
  // As a public project's CI deploys it with its MCP app (docs/platform-notes.md §28).
  org.ctx.applyComponents(org.ctx.devHub, [
    component(
      'ExtlClntAppOauthSecuritySettings',
      `${app}_oauthSecurity`,
      `<externalClientApplication>${app}</externalClientApplication><label>${app}_oauthSecurity</label><tokenIpRanges><description>office</description><endIpAddress>203.0.113.255</endIpAddress><startIpAddress>203.0.113.0</startIpAddress></tokenIpRanges>`,
    ),
  ]);
  const security = () =>
    org.ctx.devHub.metadata.get('ExtlClntAppOauthSecuritySettings')?.get(`${app}_oauthSecurity`) ?? '';
  const before = security();
  assert.match(before, /<startIpAddress>203\.0\.113\.0<\/startIpAddress>/);
  const key = consumerOf(org, app)!.key;
  const run = await runJwt(org, { 'app-name': app, package: 'false' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.outputs['consumer-key'], key);
  assert.equal(security(), before, 'the security settings are as Setup left them');
  assert.deepEqual(policiesOf(app), [`${app}_oauthPlcy`]);
  assertNoLeaks(run, secretsOf(org));
});

test('an app whose OAuth settings were deployed without policies has both default policies; the run adopts them', async () => {
  const app = 'Bare_App';
  org.ctx.applyComponents(org.ctx.devHub, [
    component(
      'ExternalClientApplication',
      app,
      `<contactEmail>admin@example.com</contactEmail><distributionState>Local</distributionState><label>${app}</label>`,
    ),
    component(
      'ExtlClntAppGlobalOauthSettings',
      `${app}_glbloauth`,
      `<callbackUrl>https://claude.ai/api/mcp/auth_callback</callbackUrl><externalClientApplication>${app}</externalClientApplication><isConsumerSecretOptional>true</isConsumerSecretOptional><isPkceRequired>true</isPkceRequired><label>g</label>`,
    ),
    component(
      'ExtlClntAppOauthSettings',
      `${app}_oauth`,
      `<commaSeparatedOauthScopes>Api, RefreshToken</commaSeparatedOauthScopes><externalClientApplication>${app}</externalClientApplication><label>o</label>`,
    ),
  ]);
  // The org made both: the OAuth policy and the app policy (docs/platform-notes.md §3).
  assert.deepEqual(policiesOf(app), [`${app}_oauth_defaultPolicy`]);
  assert.ok(org.ctx.devHub.metadata.get('ExtlClntAppConfigurablePolicies')?.has(`${app}_defaultPolicy`));
  const run = await runJwt(org, { 'app-name': app, package: 'false', hardening: 'recommended' });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.deepEqual(policiesOf(app), [`${app}_oauth_defaultPolicy`], 'one OAuth policy: the one the org made');
  assert.match(
    org.ctx.devHub.metadata.get('ExtlClntAppOauthConfigurablePolicies')!.get(`${app}_oauth_defaultPolicy`)!,
    /<refreshTokenValidityPeriod>30<\/refreshTokenValidityPeriod>/,
    "the run's settings are in it",
  );
  assertNoLeaks(run, secretsOf(org));
});
