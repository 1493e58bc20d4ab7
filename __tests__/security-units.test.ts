// Security: the pieces behind __tests__/e2e/security.test.ts, directly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSettings, InputError } from '../src/settings.ts';
import { checkLoginOrigin } from '../src/login-hosts.ts';
import { looksLikeCredential } from '../src/mask.ts';
import { safeLine, safeAnnotation } from '../src/log.ts';
import { failureNote } from '../src/summary.ts';

const BASE = { clients: 'cursor', 'contact-email': 'ops@example.com' };

describe('login hosts (src/login-hosts.ts)', () => {
  it('accepts the documented login domains and the canonical loopback forms', () => {
    for (const ok of [
      'https://login.salesforce.com',
      'https://test.salesforce.com/',
      'https://acme.my.salesforce.com',
      'https://acme--uat.sandbox.my.salesforce.com',
      'https://acme-dev-ed.develop.my.salesforce.com',
      'https://site-fun-1234.scratch.my.salesforce.com',
      'https://acme.trailblaze.my.salesforce.com',
      'https://acme.my.salesforce.mil',
      'https://acme.my.sfcrmproducts.cn',
      'http://127.0.0.1:4567',
      'https://localhost:8443',
      'http://[::1]:80',
    ]) {
      assert.equal(checkLoginOrigin(ok), undefined, ok);
    }
  });

  it('refuses every other host, however it is spelled', () => {
    for (const bad of [
      'https://evil.example.com',
      'http://127.1:2375',
      'http://0x7f.0.0.1:2375',
      'http://2130706433:2375',
      'https://login.salesforce.com.',
      'https://acme.my.salesforce.com.',
      'https://xn--80ak6aa92e.my.salesforce.com',
      'https://169.254.169.254',
      'http://login.salesforce.com',
      'https://login.salesforce.com@evil.example.com',
      'https://evil.example.com/.my.salesforce.com',
      'https://my.salesforce.com',
      'https://a.b.c.my.salesforce.com',
      'https://acme.lightning.force.com',
      'https://acme.my.salesforce.com:8443',
      'https:login.salesforce.com',
    ]) {
      assert.notEqual(checkLoginOrigin(bad), undefined, bad);
    }
  });
});

// ===========================================================================================================
// The writers, directly (src/mask.ts, src/summary.ts)

describe('log.ts writers', () => {
  it('safeLine: one line, no command, no secret', () => {
    assert.equal(
      safeLine('a\rb\nc\u0085d\u2028e\u2029f\u0000g\u202eh'),
      'a\\rb\\nc\\u{85}d\\u{2028}e\\u{2029}f\\u{0}g\\u{202e}h',
    );
    assert.equal(safeLine('::stop-commands::x'), '> ::stop-commands::x');
    assert.equal(safeLine('  ##[set-output name=a;]b'), '>   ##[set-output name=a;]b');
    assert.equal(safeLine('session 00D5g000000AbCdEFG!AQ0123456789abcdefghijABCDEFGHIJ_xyz'), 'session ***');
  });

  it('safeAnnotation: line breaks of every kind become \\n (sent as %0A), the rest is visible', () => {
    assert.equal(safeAnnotation('a\rb\r\nc\u2028d\u0007'), 'a\nb\nc\nd\\u{7}');
  });

  it('failureNote: one quoted line, Markdown escaped', () => {
    const note = failureNote('x\ry\u2028# h **b** _i_');
    assert.equal(note.trimEnd().split('\n').length, 2);
    assert.match(note, /\\# h \\\*\\\*b\\\*\\\* \\_i\\_/);
  });

  it('looksLikeCredential: auth URLs, keys and tokens yes; URLs, emails and names no', () => {
    for (const yes of [
      'force://PlatformCLI::5Aep861abc@acme.my.salesforce.com',
      '-----BEGIN PRIVATE KEY-----',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      '00D5g000000AbCdEFG!AQ0123456789abcdefghij',
      '3MVG9abcdefghijklmnopqrstuvwxyz0123456789',
    ]) {
      assert.ok(looksLikeCredential(yes), yes);
    }
    for (const no of [
      'https://acme.my.salesforce.com',
      'ops@example.com',
      'MCP_Client_App',
      'https://claude.ai/api/mcp/auth_callback',
      '0.0.0.0-255.255.255.255',
    ]) {
      assert.ok(!looksLikeCredential(no), no);
    }
  });

  it('settings never echo a credential-shaped value', () => {
    try {
      readSettings(
        (name) =>
          ({
            ...BASE,
            'dry-run': 'true',
            'dev-hub-login-url': 'force://PlatformCLI::5Aep861abcdefghijklmnopqrstuvwxyz0123@evil.example.com',
          })[name] ?? '',
      );
      assert.fail('accepted');
    } catch (error) {
      assert.ok(error instanceof InputError);
      assert.doesNotMatch(error.message, /5Aep861|evil\.example/);
    }
  });
});
