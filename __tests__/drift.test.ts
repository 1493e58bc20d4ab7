// drift.ts: the plan against the settings an org returns. The org side is made the way the action reads it: the
// metadata apply renders, parsed as credentials.ts parses a retrieve; then single elements are changed as an admin
// would change them in Setup.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import type { AppSettings } from '../src/credentials.ts';
import {
  compareDevHub,
  compareInstallTarget,
  CONTROL,
  driftMessage,
  failsStep,
  type Drift,
  type DriftReport,
} from '../src/drift.ts';
import { driftSection } from '../src/drift-summary.ts';
import { securityControls } from '../src/controls.ts';
import type { AppPlan } from '../src/model.ts';
import { renderProject } from '../src/render.ts';
import { buildSummary } from '../src/summary.ts';
import { planOf } from './helpers/inputs.ts';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** What the org returns for `plan` right after apply deployed it, as readAppState({ withSettings }) gives it. */
function orgOf(plan: AppPlan): Required<AppSettings> {
  const files = renderProject(plan, { target: 'deploy' });
  const root = (dir: string): Record<string, unknown> => {
    const file = files.find((f) => f.path.includes(`/${dir}/`))!;
    const doc = parser.parse(file.content) as Record<string, Record<string, unknown>>;
    return Object.values(doc).find((v) => typeof v === 'object')!;
  };
  return {
    global: root('extlClntAppGlobalOauthSets'),
    oauth: root('extlClntAppOauthSettings'),
    policy: root('extlClntAppOauthPolicies'),
  };
}

const STRICT = {
  hardening: 'strict',
  'permission-set': 'MCP_Users',
  'ip-ranges': '203.0.113.0-203.0.113.255',
  'single-logout-url': 'https://example.com/logout',
};

/** The drifts after changing `edit` in one component of the applied app. */
function after(
  inputs: Record<string, string>,
  part: keyof AppSettings,
  edit: Record<string, unknown>,
): { plan: AppPlan; drifts: Drift[] } {
  const plan = planOf(inputs);
  const org = orgOf(plan);
  org[part] = { ...org[part], ...edit };
  for (const [k, v] of Object.entries(edit)) if (v === undefined) delete org[part][k];
  return { plan, drifts: compareDevHub(plan, org) };
}

const brief = (drifts: Drift[]): string[] => drifts.map((d) => `${d.kind}: ${d.setting}: ${d.wanted} → ${d.actual}`);

describe('compareDevHub', () => {
  for (const [name, inputs] of Object.entries<Record<string, string>>({
    baseline: {},
    recommended: { hardening: 'recommended' },
    strict: STRICT,
    'require-secret, several clients, callback-urls': {
      clients: 'chatgpt, claude',
      'callback-urls': 'https://chatgpt.com/connector/oauth/abc',
      'require-secret': 'true',
      'refresh-token-validity-days': '7',
      'ip-ranges': '2001:db8::-2001:db8::ffff\n198.51.100.7',
    },
  })) {
    it(`finds nothing in what apply deploys: ${name}`, () => {
      const plan = planOf(inputs);
      assert.deepEqual(compareDevHub(plan, orgOf(plan)), []);
    });
  }

  it('judges each flag of the global OAuth settings by its protective value', () => {
    const cases: [string, string, string][] = [
      ['isPkceRequired', 'false', 'weaker: Require PKCE: on → off'],
      ['isNamedUserJwtEnabled', 'false', 'weaker: Issue JWT-based access tokens for named users: on → off'],
      ['isClientCredentialsFlowEnabled', 'true', 'weaker: Enable Client Credentials Flow: off → on'],
      ['isCodeCredFlowEnabled', 'true', 'weaker: Enable Authorization Code and Credentials Flow: off → on'],
      ['isDeviceFlowEnabled', 'true', 'weaker: Enable Device Flow: off → on'],
      ['isTokenExchangeEnabled', 'true', 'weaker: Enable Token Exchange Flow: off → on'],
      ['isIntrospectAllTokens', 'true', 'weaker: Introspect All Tokens: off → on'],
      ['isRefreshTokenRotationEnabled', 'true', 'different: Enable Refresh Token Rotation: off → on'],
      // The Setup checkbox is "Require secret": isConsumerSecretOptional false means on.
      ['isConsumerSecretOptional', 'false', 'different: Require secret for web server flow: off → on'],
      ['isSecretRequiredForRefreshToken', 'true', 'different: Require secret for refresh token flow: off → on'],
      ['isPkceRequired', 'yes', 'weaker: Require PKCE: on → a value that is not true or false'],
    ];
    for (const [field, value, expected] of cases) {
      assert.deepEqual(brief(after({}, 'global', { [field]: value }).drifts), [expected], field);
    }
    // An absent flag is off, as the org reads it.
    assert.deepEqual(brief(after({}, 'global', { isPkceRequired: undefined }).drifts), [
      'weaker: Require PKCE: on → off',
    ]);
    assert.deepEqual(
      brief(after({ 'require-secret': 'true' }, 'global', { isConsumerSecretOptional: 'true' }).drifts),
      ['weaker: Require secret for web server flow: on → off'],
    );
    assert.deepEqual(
      brief(after({ hardening: 'recommended' }, 'global', { isRefreshTokenRotationEnabled: 'false' }).drifts),
      ['weaker: Enable Refresh Token Rotation: on → off'],
    );
  });

  it('compares the idle refresh-token limit only where the inputs decide it', () => {
    assert.deepEqual(after({}, 'global', { isEnforceRefreshTokenTTL: 'true' }).drifts, []);
    assert.deepEqual(after({}, 'global', { isEnforceRefreshTokenTTL: 'false' }).drifts, []);
    assert.deepEqual(
      brief(after({ hardening: 'recommended' }, 'global', { isEnforceRefreshTokenTTL: 'false' }).drifts),
      ['weaker: Limit Idle Refresh Token TTL to 30 Days: on → off'],
    );
  });

  it('callback URLs: each one added or removed; only one that is not secure is weaker', () => {
    const plan = planOf({});
    const urls = (list: string[]) => after({}, 'global', { callbackUrl: list.join('\n') }).drifts;
    assert.deepEqual(brief(urls([...plan.callbackUrls, 'https://other.example.com/cb'])), [
      'different: Callback URL: not registered → https://other.example.com/cb registered',
    ]);
    assert.deepEqual(brief(urls([...plan.callbackUrls, 'http://evil.example.com/cb'])), [
      'weaker: Callback URL: not registered → http://evil.example.com/cb registered',
    ]);
    assert.deepEqual(brief(urls([...plan.callbackUrls, 'http://localhost:9999/cb'])), [
      'different: Callback URL: not registered → http://localhost:9999/cb registered',
    ]);
    assert.deepEqual(brief(urls(plan.callbackUrls.slice(1))), [
      `different: Callback URL: ${plan.callbackUrls[0]} registered → not registered`,
    ]);
    // Markup or a control character from the org is never shown, and counts as weaker.
    const odd = urls([...plan.callbackUrls, 'https://x.example/<img src=x>']);
    assert.deepEqual(brief(odd), [
      'weaker: Callback URL: not registered → a callback URL of an unexpected shape registered (not shown)',
    ]);
  });

  it('a certificate (JWT bearer flow) is weaker than the baseline, which has none', () => {
    assert.deepEqual(brief(after({}, 'global', { certificate: '-----BEGIN CERTIFICATE-----…' }).drifts), [
      'weaker: Enable JWT Bearer Flow (a certificate): no certificate → a certificate',
    ]);
  });

  it('scopes: an extra scope is weaker, a missing one different, case does not matter', () => {
    assert.deepEqual(brief(after({}, 'oauth', { commaSeparatedOauthScopes: 'MCP, RefreshToken, Full' }).drifts), [
      'weaker: OAuth scopes: MCP, RefreshToken → MCP, RefreshToken, Full',
    ]);
    assert.deepEqual(brief(after({}, 'oauth', { commaSeparatedOauthScopes: 'MCP' }).drifts), [
      'different: OAuth scopes: MCP, RefreshToken → MCP',
    ]);
    assert.deepEqual(after({}, 'oauth', { commaSeparatedOauthScopes: 'refreshtoken,mcp' }).drifts, []);
    assert.deepEqual(brief(after({}, 'oauth', { commaSeparatedOauthScopes: 'MCP, RefreshToken, <b>' }).drifts), [
      'weaker: OAuth scopes: MCP, RefreshToken → MCP, RefreshToken, (not shown)',
    ]);
    assert.deepEqual(brief(after({}, 'oauth', { commaSeparatedCustomScopes: 'orders' }).drifts), [
      'weaker: Custom scopes: none → custom scopes',
    ]);
  });

  it('trusted IP ranges: wider or gone is weaker, narrower or new is different', () => {
    const ranges = (list: { startIpAddress: string; endIpAddress: string }[] | undefined) =>
      brief(after(STRICT, 'oauth', { trustedIpRanges: list }).drifts);
    const r = (start: string, end: string) => ({ startIpAddress: start, endIpAddress: end });
    assert.deepEqual(ranges([r('203.0.113.0', '203.0.113.255')]), []);
    assert.deepEqual(ranges([r('203.0.0.0', '203.0.255.255')]), [
      'weaker: Trusted IP ranges: 203.0.113.0-203.0.113.255 → 203.0.0.0-203.0.255.255',
    ]);
    assert.deepEqual(ranges(undefined), ['weaker: Trusted IP ranges: 203.0.113.0-203.0.113.255 → none (any address)']);
    assert.deepEqual(ranges([r('203.0.113.0', '203.0.113.15'), r('203.0.113.200', '203.0.113.200')]), [
      'different: Trusted IP ranges: 203.0.113.0-203.0.113.255 → 203.0.113.0-203.0.113.15, 203.0.113.200',
    ]);
    assert.deepEqual(ranges([r('203.0.113.0', 'not-an-address')]), [
      'weaker: Trusted IP ranges: 203.0.113.0-203.0.113.255 → 1 unreadable',
    ]);
    assert.deepEqual(brief(after({}, 'oauth', { trustedIpRanges: r('10.0.0.0', '10.0.0.255') }).drifts), [
      'different: Trusted IP ranges: none (any address) → 10.0.0.0-10.0.0.255',
    ]);
  });

  it('single logout: a URL gone is weaker, a URL added or changed is different', () => {
    assert.deepEqual(brief(after(STRICT, 'oauth', { singleLogoutUrl: undefined }).drifts), [
      'weaker: Single logout URL (OAuth settings): https://example.com/logout → none (single logout off)',
    ]);
    assert.deepEqual(brief(after(STRICT, 'policy', { singleLogoutUrl: 'https://other.example.com/out' }).drifts), [
      'different: Single logout URL (OAuth policy): https://example.com/logout → https://other.example.com/out',
    ]);
    assert.deepEqual(brief(after({}, 'policy', { singleLogoutUrl: 'https://example.com/logout' }).drifts), [
      'different: Single logout URL (OAuth policy): none (single logout off) → https://example.com/logout',
    ]);
  });

  it('permitted users, permission sets and profiles', () => {
    assert.deepEqual(brief(after(STRICT, 'policy', { permittedUsersPolicyType: 'AllSelfAuthorized' }).drifts), [
      'weaker: Permitted users: admin-approved users are pre-authorized → all users may self-authorize',
    ]);
    assert.deepEqual(brief(after({}, 'policy', { permittedUsersPolicyType: 'AdminApprovedPreAuthorized' }).drifts), [
      'different: Permitted users: all users may self-authorize → admin-approved users are pre-authorized',
    ]);
    assert.deepEqual(brief(after(STRICT, 'policy', { commaSeparatedPermissionSet: 'MCP_Users, Everyone_PS' }).drifts), [
      'weaker: Permitted users: permission sets and profiles: permission set MCP_Users → permission sets MCP_Users, Everyone_PS',
    ]);
    assert.deepEqual(brief(after(STRICT, 'policy', { commaSeparatedProfile: 'Standard User' }).drifts), [
      'weaker: Permitted users: permission sets and profiles: permission set MCP_Users → permission sets MCP_Users; profiles (not shown)',
    ]);
    assert.deepEqual(brief(after(STRICT, 'policy', { commaSeparatedPermissionSet: 'Other_PS' }).drifts), [
      'weaker: Permitted users: permission sets and profiles: permission set MCP_Users → permission sets Other_PS',
    ]);
    assert.deepEqual(brief(after(STRICT, 'policy', { commaSeparatedPermissionSet: undefined }).drifts), [
      'different: Permitted users: permission sets and profiles: permission set MCP_Users → none',
    ]);
  });

  it('IP relaxation: anything but Enforce is weaker', () => {
    for (const value of ['Bypass', 'Bypass_2factor', 'Enforce_RelaxRefresh', 'Whatever', undefined]) {
      const [d] = after({}, 'policy', { ipRelaxationPolicyType: value }).drifts;
      assert.equal(d?.kind, 'weaker', value);
      assert.equal(
        d?.actual,
        value === 'Whatever' ? 'a value this action does not know' : value === undefined ? 'not set' : value,
      );
    }
  });

  it('refresh-token policy: longer-lived is weaker, shorter-lived different, the same span in other units none', () => {
    const days30 = { 'refresh-token-validity-days': '30' };
    const policy = (type: string, period?: string, unit?: string) =>
      brief(
        after(days30, 'policy', {
          refreshTokenPolicyType: type,
          refreshTokenValidityPeriod: period,
          refreshTokenValidityUnit: unit,
        }).drifts,
      );
    assert.deepEqual(policy('SpecificLifetime', '720', 'Hours'), []);
    assert.deepEqual(policy('SpecificLifetime', '60', 'Days'), [
      'weaker: Refresh token policy: expires after 30 days → expires after 60 days',
    ]);
    assert.deepEqual(policy('SpecificLifetime', '2', 'Months'), [
      'weaker: Refresh token policy: expires after 30 days → expires after 2 months',
    ]);
    assert.deepEqual(policy('SpecificLifetime', '7', 'Days'), [
      'different: Refresh token policy: expires after 30 days → expires after 7 days',
    ]);
    assert.deepEqual(policy('SpecificInactivity', '1', 'Days'), [
      'weaker: Refresh token policy: expires after 30 days → expires after 1 days unused',
    ]);
    assert.deepEqual(policy('Infinite'), [
      'weaker: Refresh token policy: expires after 30 days → valid until revoked (never expires)',
    ]);
    assert.deepEqual(policy('Zero'), ['different: Refresh token policy: expires after 30 days → expires immediately']);
    assert.deepEqual(policy('SpecificLifetime', 'lots', 'Days'), [
      'weaker: Refresh token policy: expires after 30 days → a value this action does not know',
    ]);
    // Baseline asks for tokens that never expire: the org's 365 days are stricter.
    assert.deepEqual(
      brief(
        after({}, 'policy', {
          refreshTokenPolicyType: 'SpecificLifetime',
          refreshTokenValidityPeriod: '365',
          refreshTokenValidityUnit: 'Days',
        }).drifts,
      ),
      ['different: Refresh token policy: valid until revoked (never expires) → expires after 365 days'],
    );
  });

  it('session level: lower is weaker, higher or another action different', () => {
    assert.deepEqual(
      brief(after(STRICT, 'policy', { requiredSessionLevel: 'STANDARD', policyAction: undefined }).drifts),
      ['weaker: Session security level required at sign-in: HIGH_ASSURANCE (RaiseSessionLevel) → STANDARD'],
    );
    assert.deepEqual(brief(after({}, 'policy', { requiredSessionLevel: 'LOW' }).drifts), [
      'weaker: Session security level required at sign-in: STANDARD → LOW',
    ]);
    assert.deepEqual(
      brief(after({}, 'policy', { requiredSessionLevel: 'HIGH_ASSURANCE', policyAction: 'Block' }).drifts),
      ['different: Session security level required at sign-in: STANDARD → HIGH_ASSURANCE (Block)'],
    );
    assert.deepEqual(brief(after(STRICT, 'policy', { policyAction: 'Block' }).drifts), [
      'different: Session security level required at sign-in: HIGH_ASSURANCE (RaiseSessionLevel) → HIGH_ASSURANCE (Block)',
    ]);
  });

  it("the policy's own flows must stay off; a custom JWT timeout is different", () => {
    assert.deepEqual(
      brief(
        after({}, 'policy', {
          isClientCredentialsFlowEnabled: 'true',
          isTokenExchangeFlowEnabled: 'true',
          isGuestCodeCredFlowEnabled: 'true',
          namedUserJwtSessionTimeoutType: 'Custom',
        }).drifts,
      ),
      [
        'weaker: Client credentials flow (policy): off → on',
        'weaker: Token exchange flow (policy): off → on',
        'weaker: Guest authorization code and credentials flow (policy): off → on',
        "different: JWT-based access token timeout: the user's session → a custom timeout",
      ],
    );
  });

  it('a component the org lacks is weaker: its settings cannot be checked', () => {
    const plan = planOf({});
    const { global, oauth } = orgOf(plan);
    assert.deepEqual(brief(compareDevHub(plan, { global, oauth })), [
      'weaker: App components: global OAuth settings, OAuth settings and an OAuth policy → no OAuth policy',
    ]);
  });
});

describe('compareInstallTarget', () => {
  it("reads only the policy, and reports only what is weaker: the target's admin may be stricter", () => {
    const plan = planOf({ 'refresh-token-validity-days': '30' });
    const policy = { ...orgOf(plan).policy };
    assert.deepEqual(compareInstallTarget(plan, { policy }), []);
    const stricter = { ...policy, refreshTokenValidityPeriod: '7', requiredSessionLevel: 'HIGH_ASSURANCE' };
    assert.deepEqual(compareInstallTarget(plan, { policy: stricter }), []);
    // The platform's default policy of an installed app: 365 days.
    const defaults = { ...policy, refreshTokenValidityPeriod: '365', ipRelaxationPolicyType: 'Bypass' };
    assert.deepEqual(
      compareInstallTarget(plan, { policy: defaults }).map((d) => `${d.org}: ${d.kind}: ${d.setting}`),
      ['install target: weaker: IP relaxation', 'install target: weaker: Refresh token policy'],
    );
    assert.deepEqual(
      compareInstallTarget(plan, {}).map((d) => `${d.kind}: ${d.setting}: ${d.actual}`),
      ['weaker: OAuth policy: none found for the installed app'],
    );
  });
});

describe('the report', () => {
  const plan = planOf({});
  const weaker = after({}, 'global', { isPkceRequired: 'false' }).drifts;
  const different = after({}, 'global', { isRefreshTokenRotationEnabled: 'true' }).drifts;
  const report = (drifts: Drift[], failOn: 'weaker' | 'any' = 'weaker'): DriftReport => ({
    appName: plan.appName,
    orgs: ['Dev Hub'],
    drifts,
    failOn,
  });

  it('fails on a weaker setting, and with fail-on-drift: any on any difference', () => {
    assert.equal(failsStep(report([])), false);
    assert.equal(failsStep(report(different)), false);
    assert.equal(failsStep(report(different, 'any')), true);
    assert.equal(failsStep(report(weaker)), true);
  });

  it('says each difference in one line: setting, org, wanted, actual, kind, control', () => {
    assert.equal(
      driftMessage(weaker[0]!),
      'Require PKCE in the Dev Hub: the inputs ask for on; the org has off. Weaker: an intercepted authorization code can be redeemed without the code verifier. Salesforce control: Require PKCE (partner requirement).',
    );
  });

  it("names Salesforce's controls as controls.ts does", () => {
    const named = new Set(securityControls(planOf(STRICT)).map((c) => c.control));
    for (const [key, control] of Object.entries(CONTROL)) {
      if (!control.startsWith("the procedure's")) assert.ok(named.has(control), `${key}: ${control}`);
    }
  });

  it('comes first in the summary, weaker first, escaped; and leaves out the key and package sections', () => {
    const hostile = { ...different[0]!, setting: 'x | y', actual: '<b>*bold*</b>' };
    const md = buildSummary({
      plan,
      dryRun: false,
      outputs: { callbackUrls: plan.callbackUrls, consumerKeySet: false, consumerSecretSet: false },
      drift: report([hostile, ...weaker]),
    });
    assert.match(md, /^## Verify `MCP_Client_App`: drift found\n/);
    assert.ok(md.indexOf('| Require PKCE |') < md.indexOf('| x \\| y |'), 'weaker first');
    assert.ok(md.includes('&lt;b&gt;\\*bold\\*&lt;/b&gt;'), 'escaped');
    assert.match(
      md,
      /> \[!CAUTION\]\n> 2 settings in the Dev Hub differ from what these inputs ask; 1 is weaker\. The step fails/,
    );
    assert.doesNotMatch(md, /### Consumer key|### Package/);
    assert.ok(md.indexOf('## Verify') < md.indexOf('## External Client App'));
  });

  it('says so when nothing drifted', () => {
    const lines: string[] = [];
    driftSection({ ...report([]), orgs: ['Dev Hub', 'install target'] }, (...l) => lines.push(...l));
    assert.equal(lines[0], '## Verify `MCP_Client_App`: no drift');
    assert.match(lines[2]!, /^The app in the Dev Hub and the install target holds what these inputs ask for/);
  });
});
