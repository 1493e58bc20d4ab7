import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planApp, reportPlan } from '../src/plan.ts';
import { planOf, settingsOf, type Inputs } from './helpers/inputs.ts';
import type { AppPlan } from '../src/model.ts';

const plan = (overrides: Inputs = {}): AppPlan => planOf(overrides, { RUNNER_TEMP: '/tmp' });

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const row = (p: AppPlan, setting: string) => {
  const r = p.report.find((x) => x.setting === setting);
  assert.ok(r, `no report row ${setting}`);
  return r;
};

describe('planApp: the secure baseline', () => {
  const p = plan();

  it('has exactly the procedure’s required settings', () => {
    assert.deepEqual(p.scopes, ['MCP', 'RefreshToken']);
    assert.deepEqual(p.global, {
      isNamedUserJwtEnabled: true,
      isPkceRequired: true,
      isConsumerSecretOptional: true,
      isSecretRequiredForRefreshToken: false,
      isClientCredentialsFlowEnabled: false,
      isCodeCredFlowEnabled: false,
      isDeviceFlowEnabled: false,
      isTokenExchangeEnabled: false,
      isRefreshTokenRotationEnabled: false,
      isIntrospectAllTokens: false,
      isCodeCredPostOnly: false,
      isSecretRequiredForTokenExchange: false,
    });
    assert.deepEqual(p.oauth, { trustedIpRanges: [] });
    assert.deepEqual(p.policy, {
      permittedUsersPolicyType: 'AllSelfAuthorized',
      ipRelaxationPolicyType: 'Enforce',
      refreshTokenPolicyType: 'Infinite',
      requiredSessionLevel: 'STANDARD',
    });
    assert.equal(p.createPermissionSet, undefined);
  });

  it('carries the app fields', () => {
    assert.equal(p.appName, 'MCP_Client_App');
    assert.equal(p.label, 'MCP Client App');
    assert.equal(p.contactEmail, 'mcp-admins@example.com');
    assert.equal(p.description, undefined);
    assert.equal(p.distributionState, 'Packaged');
    assert.equal(plan({ package: 'false' }).distributionState, 'Local');
  });

  it('lists the preset callback URLs first, then callback-urls, without duplicates', () => {
    const q = plan({
      clients: 'vscode, claude, chatgpt',
      'callback-urls':
        'https://chatgpt.com/connector/oauth/x1\nhttps://vscode.dev/redirect\nhttp://localhost:38000/callback',
    });
    assert.deepEqual(q.callbackUrls, [
      'https://vscode.dev/redirect',
      'https://insiders.vscode.dev/redirect',
      'https://claude.ai/api/mcp/auth_callback',
      'https://claude.com/api/mcp/auth_callback',
      'https://chatgpt.com/connector/oauth/x1',
      'http://localhost:38000/callback',
    ]);
    assert.deepEqual(
      q.clients.map((c) => [c.id, c.desktop, c.callbackUrls.length]),
      [
        ['vscode', true, 2],
        ['claude', false, 2],
        ['chatgpt', false, 0],
      ],
    );
  });

  it('uses each client preset', () => {
    const q = plan({ clients: 'claude,cursor,postman,postman-web,vscode,mcp-inspector' });
    assert.deepEqual(q.callbackUrls, [
      'https://claude.ai/api/mcp/auth_callback',
      'https://claude.com/api/mcp/auth_callback',
      'http://localhost:8787/callback',
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'https://oauth.pstmn.io/v1/callback',
      'https://oauth.pstmn.io/v1/browser-callback',
      'https://vscode.dev/redirect',
      'https://insiders.vscode.dev/redirect',
      'http://localhost:6274/oauth/callback',
      'http://localhost:6274/oauth/callback/debug',
    ]);
  });

  it('reports every setting, none of them weaker', () => {
    assert.deepEqual(
      p.report.map((r) => r.setting),
      [
        'OAuth scopes',
        'JWT-based access tokens for named users',
        'Require PKCE',
        'Require secret for web server flow',
        'Require secret for refresh token flow',
        'Client credentials flow',
        'Authorization code and credentials flow',
        'Device flow',
        'Token exchange flow',
        'Introspect all tokens',
        'Permitted users',
        'Trusted IP ranges',
        'Refresh token validity',
        'Idle refresh token limit',
        'Refresh token rotation',
        'Single logout',
        'Session level at sign-in',
        'Distribution',
      ],
    );
    assert.ok(p.report.every((r) => r.level === 'baseline'));
    assert.equal(row(p, 'OAuth scopes').value, 'mcp_api, refresh_token');
    assert.equal(row(p, 'Refresh token validity').value, 'never expires');
  });

  it('is pure: the settings are not changed and the same settings give the same plan', () => {
    const s = deepFreeze(
      settingsOf({ clients: 'claude,vscode', 'ip-ranges': '10.0.0.0-10.0.0.9', hardening: 'recommended' }),
    );
    assert.deepEqual(planApp(s), planApp(s));
  });
});

describe('planApp: strict', () => {
  it('strict = recommended + a high-assurance session (what Salesforce requires of partner apps)', () => {
    const p = plan({ hardening: 'strict' });
    assert.equal(p.global.isPkceRequired, true);
    assert.equal(p.global.isRefreshTokenRotationEnabled, true);
    assert.equal(p.global.isEnforceRefreshTokenTTL, true);
    assert.equal(p.policy.requiredSessionLevel, 'HIGH_ASSURANCE');
    assert.equal(p.policy.policyAction, 'RaiseSessionLevel');
    assert.equal(p.policy.refreshTokenValidityPeriod, 30);
    assert.match(row(p, 'Refresh token rotation').note ?? '', /from hardening: strict/);
    assert.equal(row(p, 'Session level at sign-in').level, 'hardened');
  });
});

describe('planApp: recommended and explicit inputs', () => {
  it('recommended = 30-day refresh tokens + rotation', () => {
    const p = plan({ hardening: 'recommended' });
    assert.equal(p.global.isRefreshTokenRotationEnabled, true);
    assert.deepEqual(p.policy, {
      permittedUsersPolicyType: 'AllSelfAuthorized',
      ipRelaxationPolicyType: 'Enforce',
      refreshTokenPolicyType: 'SpecificLifetime',
      refreshTokenValidityPeriod: 30,
      refreshTokenValidityUnit: 'Days',
      requiredSessionLevel: 'STANDARD',
    });
    assert.equal(p.global.isEnforceRefreshTokenTTL, true, 'the idle refresh-token limit');
    assert.equal(p.oauth.singleLogoutUrl, undefined);
    assert.equal(row(p, 'Refresh token validity').level, 'hardened');
    assert.match(row(p, 'Refresh token validity').note ?? '', /recommended/);
    assert.match(row(p, 'Single logout').note ?? '', /only when single-logout-url is given/);
  });

  it('recommended adds single logout when the URL is given, in both places', () => {
    const p = plan({ hardening: 'recommended', 'single-logout-url': 'https://client.example.com/logout' });
    assert.equal(p.oauth.singleLogoutUrl, 'https://client.example.com/logout');
    assert.equal(p.policy.singleLogoutUrl, 'https://client.example.com/logout');
    assert.equal(row(p, 'Single logout').level, 'hardened');
  });

  it('explicit inputs override the preset', () => {
    const p = plan({ hardening: 'recommended', 'refresh-token-rotation': 'false', 'refresh-token-validity-days': '7' });
    assert.equal(p.global.isRefreshTokenRotationEnabled, false);
    assert.equal(p.policy.refreshTokenValidityPeriod, 7);
    assert.equal(row(p, 'Refresh token rotation').level, 'baseline');
    assert.match(row(p, 'Refresh token rotation').note ?? '', /turned off by refresh-token-rotation: false/);
    assert.match(row(p, 'Refresh token validity').note ?? '', /set by input/);
  });

  it('explicit inputs harden the baseline too', () => {
    const p = plan({
      'refresh-token-validity-days': '90',
      'refresh-token-rotation': 'true',
      'single-logout': 'true',
      'single-logout-url': 'https://c.example.com/lo',
    });
    assert.equal(p.policy.refreshTokenPolicyType, 'SpecificLifetime');
    assert.equal(p.policy.refreshTokenValidityPeriod, 90);
    assert.equal(p.global.isRefreshTokenRotationEnabled, true);
    assert.equal(p.oauth.singleLogoutUrl, 'https://c.example.com/lo');
    assert.match(row(p, 'Refresh token validity').note ?? '', /30 days or less/);
  });

  it('a permission set makes the policy admin-approved', () => {
    const p = plan({ 'permission-set': 'MCP_Users', 'create-permission-set': 'true' });
    assert.equal(p.policy.permittedUsersPolicyType, 'AdminApprovedPreAuthorized');
    assert.equal(p.policy.permissionSet, 'MCP_Users');
    assert.deepEqual(p.createPermissionSet, { name: 'MCP_Users', label: 'MCP Users' });
    assert.equal(row(p, 'Permitted users').level, 'hardened');
  });

  it('require-secret makes the secret required and is hardened, never weaker', () => {
    const web = plan({ clients: 'claude', 'require-secret': 'true' });
    assert.equal(web.global.isConsumerSecretOptional, false);
    assert.equal(web.global.isSecretRequiredForRefreshToken, false);
    assert.equal(row(web, 'Require secret for web server flow').level, 'hardened');
    const desktop = plan({ clients: 'cursor', 'require-secret': 'true', 'allow-secret-for-desktop': 'true' });
    assert.equal(row(desktop, 'Require secret for web server flow').level, 'hardened');
    assert.match(row(desktop, 'Require secret for web server flow').note ?? '', /cursor/);
    assert.ok(desktop.warnings.some((w) => /require-secret with cursor/.test(w)));
  });

  it('IP ranges go into the OAuth settings, enforced', () => {
    const p = plan({ 'ip-ranges': '203.0.113.0-203.0.113.255\n2001:db8::1' });
    assert.deepEqual(p.oauth.trustedIpRanges, [
      { start: '203.0.113.0', end: '203.0.113.255' },
      { start: '2001:db8::1', end: '2001:db8::1' },
    ]);
    assert.equal(p.policy.ipRelaxationPolicyType, 'Enforce');
    assert.equal(row(p, 'Trusted IP ranges').value, '203.0.113.0-203.0.113.255, 2001:db8::1');
  });

  it('no input combination produces a weaker setting', () => {
    const combos: Array<Record<string, string>> = [
      { hardening: 'recommended', 'refresh-token-rotation': 'false' },
      { clients: 'cursor,vscode,mcp-inspector', 'require-secret': 'true', 'allow-secret-for-desktop': 'true' },
      { 'ip-ranges': '0.0.0.0-255.255.255.255', package: 'false' },
      { 'refresh-token-validity-days': '3650' },
    ];
    for (const c of combos)
      assert.ok(
        plan(c).report.every((r) => r.level !== 'weaker'),
        JSON.stringify(c),
      );
  });
});

describe('reportPlan', () => {
  it('calls out a weakened plan value by value', () => {
    const p = plan();
    const { report: _r, warnings: _w, ...rest } = p;
    const weakened = {
      ...rest,
      scopes: ['MCP', 'RefreshToken', 'Full'],
      global: {
        ...rest.global,
        isPkceRequired: false,
        isNamedUserJwtEnabled: false,
        isClientCredentialsFlowEnabled: true,
        isDeviceFlowEnabled: true,
      },
    };
    const weaker = reportPlan(weakened)
      .filter((r) => r.level === 'weaker')
      .map((r) => r.setting);
    assert.deepEqual(weaker, [
      'OAuth scopes',
      'JWT-based access tokens for named users',
      'Require PKCE',
      'Client credentials flow',
      'Device flow',
    ]);
  });
});

describe('planApp: warnings', () => {
  it('warns that the VS Code local-server callback cannot be registered, and points Claude Code at its preset', () => {
    const p = plan({ clients: 'claude,vscode' });
    // Notes, not warnings: every run with these clients meets them and no input changes them.
    assert.ok(p.notes?.some((w) => /33418/.test(w) && /vscode\.dev\/redirect/.test(w)));
    assert.ok(p.notes?.some((w) => /Claude Code/.test(w) && /claude-code preset/.test(w) && /2\.1\.231/.test(w)));
    assert.deepEqual(p.warnings, []);
  });

  it('claude-code registers a localhost callback on a fixed port and names the version and option', () => {
    const p = plan({ clients: 'claude-code' });
    assert.deepEqual(p.callbackUrls, ['http://localhost:3118/callback']);
    assert.ok(p.notes?.some((w) => /2\.1\.231/.test(w) && /--callback-port 3118/.test(w)));
  });

  it('registers no http callback on an IP literal for any preset (Salesforce: "Cannot be an HTTP URL")', () => {
    const all = plan({ clients: 'claude,claude-code,cursor,postman,postman-web,vscode,mcp-inspector' });
    for (const url of all.callbackUrls) {
      if (!url.startsWith('http:')) continue;
      assert.equal(new URL(url).hostname, 'localhost', url);
    }
  });

  it('warns that an IP allowlist may block cloud clients', () => {
    assert.ok(
      plan({
        clients: 'claude,chatgpt',
        'callback-urls': 'https://chatgpt.com/connector/oauth/a',
        'ip-ranges': '10.0.0.1',
      }).warnings.some((w) => /claude and chatgpt connect .* vendor's cloud/.test(w)),
    );
    assert.ok(!plan({ clients: 'cursor', 'ip-ranges': '10.0.0.1' }).warnings.some((w) => /vendor's cloud/.test(w)));
  });

  it('warns about a range that restricts nothing', () => {
    assert.ok(
      plan({ clients: 'cursor', 'ip-ranges': '0.0.0.0-255.255.255.255' }).warnings.some((w) =>
        /restricts nothing/.test(w),
      ),
    );
  });

  it('warns that policies do not travel in the package', () => {
    assert.ok(
      plan({ 'permission-set': 'P', hardening: 'recommended' }).notes?.some((w) =>
        /permitted-users policy and the refresh-token validity are OAuth policies/.test(w),
      ),
    );
    assert.ok(!plan({ 'permission-set': 'P', package: 'false' }).notes?.some((w) => /OAuth polic/.test(w)));
  });

  it('says a given permission set must exist', () => {
    assert.ok(plan({ 'permission-set': 'Existing_Set' }).warnings.some((w) => /must already exist/.test(w)));
  });
});
