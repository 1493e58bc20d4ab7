// The runner passes every action.yml default as an INPUT_* variable, whatever the workflow sets. These tests
// hold the parser to that: the defaults alone parse, and so does each input given on top of them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError, readSettings } from '../src/settings.ts';
import { actionDefaults, repoRoot } from './helpers/run-action.ts';

const spec = parseYaml(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { required?: boolean }>;
};
const REQUIRED = { clients: 'claude', 'contact-email': 'mcp-admins@example.com' };
const LOGIN = { 'dev-hub': 'my-hub', 'package-namespace': 'acme' };
const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

/** The JWT login to the Dev Hub: a sample of one of its inputs comes with the others instead of the sf CLI login. */
const JWT = {
  'dev-hub-username': 'ci@hub.example.com',
  'dev-hub-client-id': '3MVG9abcdefghijkLMNOP_qrs.tuv',
  'dev-hub-jwt-key': KEY,
};
const jwtLoginBut = (sampled: string) => ({
  'dev-hub': '',
  ...Object.fromEntries(Object.entries(JWT).filter(([input]) => input !== sampled)),
});
const GITHUB = { token: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', secret: 'SF_MCP_KEY' };

/**
 * A valid value for each input, as a user would give it alone on top of the defaults, plus the inputs that value
 * needs to make sense (e.g. a JWT key needs the other JWT inputs instead of the sf CLI login).
 */
const SAMPLES: Record<string, { value: string; with?: Record<string, string> }> = {
  clients: { value: 'claude, cursor' },
  'callback-urls': { value: 'https://example.com/oauth/callback' },
  'app-name': { value: 'Acme_MCP' },
  'app-label': { value: 'Acme MCP' },
  'contact-email': { value: 'ops@example.com' },
  description: { value: 'MCP clients of the Acme team' },
  hardening: { value: 'recommended' },
  'require-secret': { value: 'true' },
  'allow-secret-for-desktop': { value: 'true' },
  'permission-set': { value: 'MCP_Users' },
  'create-permission-set': { value: 'true', with: { 'permission-set': 'MCP_Users' } },
  'ip-ranges': { value: '203.0.113.0-203.0.113.255' },
  'refresh-token-validity-days': { value: '30' },
  'refresh-token-rotation': { value: 'true' },
  'single-logout': { value: 'true', with: { 'single-logout-url': 'https://example.com/logout' } },
  'single-logout-url': { value: 'https://example.com/logout' },
  'dev-hub-username': { value: JWT['dev-hub-username'], with: jwtLoginBut('dev-hub-username') },
  'dev-hub-client-id': { value: JWT['dev-hub-client-id'], with: jwtLoginBut('dev-hub-client-id') },
  'dev-hub-jwt-key': { value: KEY, with: jwtLoginBut('dev-hub-jwt-key') },
  'dev-hub-login-url': { value: 'https://acme.my.salesforce.com', with: jwtLoginBut('dev-hub-login-url') },
  'dev-hub-auth-url': {
    value: 'force://PlatformCLI::5Aep861TSESvWeug_xvFHRBTTbf@acme.my.salesforce.com',
    with: { 'dev-hub': '' },
  },
  'dev-hub': { value: 'another-hub' },
  package: { value: 'false' },
  'package-name': { value: 'Acme MCP App' },
  'package-namespace': { value: 'acmens' },
  'package-version-number': { value: '2.1.0.NEXT' },
  'installation-key': { value: 'a-key-for-installs' },
  'wait-minutes': { value: '10' },
  'install-target': { value: 'my-scratch' },
  'new-version': { value: 'always' },
  'package-validation': { value: 'full' },
  'install-method': { value: 'deploy', with: { 'install-target': 'my-scratch' } },
  'mcp-servers': { value: 'sobject-all', with: { 'install-target': 'my-scratch' } },
  'wait-until-usable': { value: '5' },
  'github-token': { value: GITHUB.token, with: { 'secret-name': GITHUB.secret } },
  'secret-name': { value: GITHUB.secret, with: { 'github-token': GITHUB.token } },
  'secret-environment': { value: 'production', with: { 'github-token': GITHUB.token, 'secret-name': GITHUB.secret } },
  'consumer-key-variable': { value: 'SF_MCP_CLIENT_ID', with: { 'github-token': GITHUB.token } },
  'dry-run': { value: 'true' },
  mode: { value: 'verify' },
  'fail-on-drift': { value: 'any', with: { mode: 'verify' } },
  'output-dir': { value: 'eca-out' },
};

function parse(inputs: Record<string, string>): void {
  try {
    readSettings((name) => inputs[name] ?? '', { RUNNER_TEMP: '/runner/temp', GITHUB_WORKSPACE: '/runner/work' });
  } catch (error) {
    if (error instanceof InputError)
      assert.fail(`${JSON.stringify(Object.keys(inputs))} was refused:\n${error.message}`);
    throw error;
  }
}

describe('action.yml defaults, as the runner passes them', () => {
  it('every input of action.yml has a sample here (a new input needs one)', () => {
    assert.deepEqual(
      Object.keys(spec.inputs).filter((name) => !(name in SAMPLES)),
      [],
    );
  });

  it('the defaults alone (with the required inputs and a login) parse', () => {
    parse({ ...actionDefaults(), ...REQUIRED, ...LOGIN });
  });

  it('the defaults alone parse as a dry run, with no login at all', () => {
    parse({ ...actionDefaults(), ...REQUIRED, 'dry-run': 'true' });
  });

  for (const [name, sample] of Object.entries(SAMPLES)) {
    it(`defaults + ${name}`, () => {
      parse({ ...actionDefaults(), ...REQUIRED, ...LOGIN, ...sample.with, [name]: sample.value });
    });
  }

  it('hardening: recommended with single-logout-url (and every default) turns single logout on', () => {
    const inputs: Record<string, string> = {
      ...actionDefaults(),
      ...REQUIRED,
      ...LOGIN,
      hardening: 'recommended',
      'single-logout-url': 'https://example.com/logout',
    };
    const settings = readSettings((name) => inputs[name] ?? '', { RUNNER_TEMP: '/runner/temp' });
    assert.equal(settings.singleLogout, true);
    assert.equal(settings.singleLogoutUrl, 'https://example.com/logout');
  });
});
