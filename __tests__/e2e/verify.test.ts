// mode: verify, run as the runner runs it: the app is created with dist/index.js, an admin then changes it in Setup
// (helpers/setup-change.ts: the change arrives through the fake org's Metadata API), and verify must report exactly
// what changed, fail on what is weaker, and send nothing but reads.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { startFakeGitHub } from '../../fake-github/server.ts';
import { APP, fakeEnv, jwtInputs, runJwt, secretsOf } from '../helpers/fake-env.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';
import { runAction, type ActionRun } from '../helpers/run-action.ts';
import { setupChange } from '../helpers/setup-change.ts';

let org: FakeOrg;
beforeEach(async () => {
  org = await startFakeOrg();
});
afterEach(async () => {
  await org.close();
});

/** Inputs that decide every setting verify compares: admin approval, IP ranges, 30-day rotated tokens, MFA, SLO. */
const STRICT = {
  hardening: 'strict',
  'permission-set': 'MCP_Users',
  'create-permission-set': 'true',
  'ip-ranges': '203.0.113.0-203.0.113.255',
  'single-logout-url': 'https://example.com/logout',
  package: 'false',
};

/** Every request a verify run may send: logins, and the Metadata API's reads. */
const READ_ROUTES =
  /^(oauth\.token|oauth\.userinfo|oauth\.identity|rest\.versions|rest\.resources|soap\.listMetadata|soap\.retrieve|soap\.checkRetrieveStatus|query\.[A-Za-z]+|tooling\.query\.[A-Za-z]+|sobjects\.user\.get)$/;

/** The drift annotations of a run: `error` or `warning`, and the setting of each. */
function driftAnnotations(run: ActionRun): { level: string; title: string }[] {
  return [...run.stdout.matchAll(/^::(error|warning) title=Drift \((weaker|different)\)%3A ([^:]*)::/gm)].map((m) => ({
    level: m[1]!,
    title: `${m[2]}: ${decodeURIComponent(m[3]!.replace(/%2C/g, ','))}`,
  }));
}

async function verify(
  extra: Record<string, string> = {},
  inputs: Record<string, string> = STRICT,
): Promise<{ run: ActionRun; routes: string[] }> {
  const from = org.log.length;
  const run = await runJwt(org, { ...inputs, mode: 'verify', ...extra });
  return { run, routes: org.log.slice(from).map((e) => e.route) };
}

/** The app's callback URLs as the org holds them, and one more (as added in Setup: one URL per line). */
function withCallback(url: string): string {
  const xml = org.ctx.devHub.metadata.get('ExtlClntAppGlobalOauthSettings')!.get(`${APP}_glbloauth`)!;
  return `${/<callbackUrl>([^<]*)<\/callbackUrl>/.exec(xml)![1]}\n${url}`;
}

function assertOnlyReads(routes: string[]): void {
  assert.ok(routes.includes('soap.retrieve'), 'the app was read');
  assert.deepEqual(
    routes.filter((r) => !READ_ROUTES.test(r)),
    [],
    'a verify run sends nothing but logins and reads',
  );
}

test('verify after apply: no drift, drift=false, only reads; then every Setup change is reported, the weaker ones fail', async () => {
  const applied = await runJwt(org, STRICT);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);

  const clean = await verify();
  assert.equal(clean.run.code, 0, clean.run.stdout + clean.run.stderr);
  assert.equal(clean.run.outputs.drift, 'false');
  assert.deepEqual(driftAnnotations(clean.run), []);
  assert.match(clean.run.summary, /^## Verify `MCP_Client_App`: no drift/);
  assert.equal(clean.run.outputs['consumer-key'], undefined, 'verify reads no key');
  assertOnlyReads(clean.routes);

  // An admin edits each setting the inputs decide, in Setup.
  await setupChange(org, [
    {
      type: 'ExtlClntAppGlobalOauthSettings',
      fullName: `${APP}_glbloauth`,
      edit: {
        callbackUrl: withCallback('https://other.example.com/cb'),
        isPkceRequired: 'false',
        isNamedUserJwtEnabled: 'false',
        isRefreshTokenRotationEnabled: 'false',
        isClientCredentialsFlowEnabled: 'true',
        isCodeCredFlowEnabled: 'true',
        isDeviceFlowEnabled: 'true',
        isTokenExchangeEnabled: 'true',
        isConsumerSecretOptional: 'false',
        isSecretRequiredForRefreshToken: 'true',
      },
    },
    {
      type: 'ExtlClntAppOauthSettings',
      fullName: `${APP}_oauth`,
      edit: {
        commaSeparatedOauthScopes: 'MCP, RefreshToken, Api',
        trustedIpRanges: [{ start: '203.0.0.0', end: '203.0.255.255' }],
        singleLogoutUrl: undefined,
      },
    },
    {
      type: 'ExtlClntAppOauthConfigurablePolicies',
      fullName: `${APP}_oauthPlcy`,
      edit: {
        permittedUsersPolicyType: 'AllSelfAuthorized',
        commaSeparatedPermissionSet: undefined,
        ipRelaxationPolicyType: 'Bypass',
        refreshTokenPolicyType: 'Infinite',
        refreshTokenValidityPeriod: undefined,
        refreshTokenValidityUnit: undefined,
        requiredSessionLevel: 'STANDARD',
        policyAction: undefined,
        singleLogoutUrl: undefined,
      },
    },
  ]);

  const drifted = await verify();
  assert.equal(drifted.run.code, 1, drifted.run.stdout + drifted.run.stderr);
  assert.equal(drifted.run.outputs.drift, 'true');
  assert.deepEqual(
    driftAnnotations(drifted.run)
      .map((a) => `${a.level} ${a.title}`)
      .sort(),
    [
      'error weaker: Enable Authorization Code and Credentials Flow',
      'error weaker: Enable Client Credentials Flow',
      'error weaker: Enable Device Flow',
      'error weaker: Enable Refresh Token Rotation',
      'error weaker: Enable Token Exchange Flow',
      'error weaker: IP relaxation',
      'error weaker: Issue JWT-based access tokens for named users',
      'error weaker: OAuth scopes',
      'error weaker: Permitted users',
      'error weaker: Refresh token policy',
      'error weaker: Require PKCE',
      'error weaker: Session security level required at sign-in',
      'error weaker: Single logout URL (OAuth policy)',
      'error weaker: Single logout URL (OAuth settings)',
      'error weaker: Trusted IP ranges',
      'warning different: Callback URL',
      'warning different: Require secret for refresh token flow',
      'warning different: Require secret for web server flow',
    ],
  );
  assert.match(drifted.run.stdout, /::error::eca-action verify: MCP_Client_App drifted: 18 setting\(s\) differ/);
  assert.match(drifted.run.summary, /^## Verify `MCP_Client_App`: drift found/);
  assert.match(drifted.run.summary, /\| Require PKCE \| Dev Hub \| on \| off \| ⚠️ \*\*weaker\*\*/);
  assert.match(drifted.run.summary, /https:\/\/other\.example\.com\/cb registered \| different/);
  assertOnlyReads(drifted.routes);
  assertNoLeaks(drifted.run, secretsOf(org));

  // Apply with the same inputs puts everything back.
  const reapplied = await runJwt(org, STRICT);
  assert.equal(reapplied.code, 0, reapplied.stdout + reapplied.stderr);
  const again = await verify();
  assert.equal(again.run.outputs.drift, 'false', again.run.stdout);
});

test('a difference that is not weaker is reported and passes; fail-on-drift: any fails on it', async () => {
  const applied = await runJwt(org, { package: 'false' });
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  await setupChange(org, [
    {
      type: 'ExtlClntAppGlobalOauthSettings',
      fullName: `${APP}_glbloauth`,
      edit: {
        callbackUrl: withCallback('https://other.example.com/cb'),
      },
    },
  ]);
  const base = { package: 'false' };
  const passes = await verify({}, base);
  assert.equal(passes.run.code, 0, passes.run.stdout + passes.run.stderr);
  assert.equal(passes.run.outputs.drift, 'true');
  assert.deepEqual(driftAnnotations(passes.run), [{ level: 'warning', title: 'different: Callback URL' }]);
  assert.match(passes.run.summary, /The step does not fail: none is weaker/);

  const fails = await verify({ 'fail-on-drift': 'any' }, base);
  assert.equal(fails.run.code, 1, fails.run.stdout + fails.run.stderr);
  assert.deepEqual(driftAnnotations(fails.run), [{ level: 'error', title: 'different: Callback URL' }]);
  assertOnlyReads(fails.routes);

  // Inputs that make apply store the key as a GitHub secret make verify store nothing.
  const github = await startFakeGitHub({ repository: 'acme/mcp' });
  try {
    const run = await runAction({
      inputs: jwtInputs(org, {
        ...base,
        mode: 'verify',
        'github-token': github.token,
        'secret-name': 'SF_MCP_CLIENT_ID',
      }),
      env: fakeEnv(org, { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/mcp' }),
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(github.requests, [], 'no request to GitHub');
    assert.equal(run.outputs['consumer-key'], undefined);
  } finally {
    await github.close();
  }
});

test('verify of an app that does not exist fails and names app-name; nothing is created', async () => {
  const { run, routes } = await verify({ 'app-name': 'No_Such_App' }, { package: 'false' });
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /::error::eca-action failed: app-name: the Dev Hub has no External Client App named No_Such_App/,
  );
  assert.equal(run.outputs.drift, undefined);
  assert.deepEqual(
    routes.filter((r) => !READ_ROUTES.test(r)),
    [],
  );
  assert.equal(org.ctx.devHub.metadata.get('ExternalClientApplication')?.has('No_Such_App') ?? false, false);
});

test('with install-target: the installed app policy is read there, and only a weaker one is drift', async () => {
  const inputs = { 'install-target': org.scratchAuthUrl };
  const applied = await runAction({ inputs: jwtInputs(org, inputs), env: fakeEnv(org) });
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);

  // The target's policy is the platform's default (365-day refresh tokens): stricter than "never expires".
  const clean = await verify({}, inputs);
  assert.equal(clean.run.code, 0, clean.run.stdout + clean.run.stderr);
  assert.equal(clean.run.outputs.drift, 'false');
  assert.ok(
    clean.routes.filter((r) => r === 'soap.retrieve').length >= 2,
    'read from the Dev Hub and from the install target',
  );
  assertOnlyReads(clean.routes);

  const policy = [...(org.ctx.scratch.metadata.get('ExtlClntAppOauthConfigurablePolicies')?.keys() ?? [])];
  assert.equal(policy.length, 1);
  await setupChange(
    org,
    [
      {
        type: 'ExtlClntAppOauthConfigurablePolicies',
        fullName: policy[0]!,
        edit: {
          ipRelaxationPolicyType: 'Bypass',
          requiredSessionLevel: 'HIGH_ASSURANCE',
          policyAction: 'RaiseSessionLevel',
        },
      },
    ],
    'scratch',
  );
  const drifted = await verify({}, inputs);
  assert.equal(drifted.run.code, 1, drifted.run.stdout + drifted.run.stderr);
  assert.deepEqual(driftAnnotations(drifted.run), [{ level: 'error', title: 'weaker: IP relaxation' }]);
  assert.match(
    drifted.run.stdout,
    /IP relaxation in the install target: the inputs ask for enforce IP restrictions; the org has Bypass/,
  );
  assertOnlyReads(drifted.routes);
});
