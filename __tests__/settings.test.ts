import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { InputError, readSettingsFromEnv } from '../src/settings.ts';
import { parseIpRange } from '../src/ip-ranges.ts';
import { normalizeJwtKey } from '../src/jwt-key.ts';
import type { Settings } from '../src/model.ts';
import { planOf, settingsOf, type Inputs } from './helpers/inputs.ts';

const ENV = { RUNNER_TEMP: '/runner/temp' };

const settings = (overrides: Inputs = {}, env: NodeJS.ProcessEnv = ENV): Settings =>
  settingsOf({ 'dev-hub': 'my-hub', ...overrides }, env);

function problemsOf(overrides: Inputs): InputError {
  try {
    settings(overrides);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected an InputError for ${JSON.stringify(overrides)}`);
}

// Keys for the secret-input cases and the round trips.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PKCS1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const ENCRYPTED = rsa.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-for-test' })
  .toString();
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const PUBLIC = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const BODY_LINE = PKCS8.split('\n')[5]!; // a line of the key body: must never appear in a message
const JWT = {
  'dev-hub': '',
  'dev-hub-username': 'ci@hub.example.com',
  'dev-hub-client-id': '3MVG9abcdefghijkLMNOP_qrs.tuv',
};
const AUTH_URL =
  'force://PlatformCLI::5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrnh4BC1gPOyqhcyLL6sJLTOxWoeJi9dBeq3c7z0dbt8dKbCnE@mycompany.my.salesforce.com';
const TOKEN = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz';

interface BadCase {
  name: string;
  inputs: Inputs;
  /** the input the error must name, if not the first of `inputs` */
  input?: string;
  /** text that must not appear in the error (a secret) */
  secret?: string;
  /** optional: the message must match */
  says?: RegExp;
}

const many = (n: number) =>
  Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}-10.0.${i >> 8}.${i & 255}`).join('\n');

const BAD: BadCase[] = [
  // clients
  { name: 'clients missing', inputs: { clients: '' }, says: /required.*claude, claude-code, chatgpt/ },
  {
    name: 'clients unknown',
    inputs: { clients: 'bogus' },
    says: /'bogus' is not a known client\. Use one or more of: claude, claude-code, chatgpt, cursor/,
  },
  { name: 'clients one unknown among known', inputs: { clients: 'claude,\ncursorr' }, says: /cursorr/ },
  { name: 'chatgpt without callback-urls', inputs: { clients: 'chatgpt' }, input: 'callback-urls', says: /chatgpt/ },
  { name: 'custom without callback-urls', inputs: { clients: 'custom' }, input: 'callback-urls', says: /custom/ },
  // callback-urls
  { name: 'javascript: URL', inputs: { 'callback-urls': 'javascript:alert(1)' }, says: /javascript: scheme/ },
  { name: 'data: URL', inputs: { 'callback-urls': 'data:text/html;base64,PHNjcmlwdD4=' }, says: /data: scheme/ },
  { name: 'file: URL', inputs: { 'callback-urls': 'file:///etc/passwd' }, says: /file: scheme/ },
  { name: 'vbscript: URL', inputs: { 'callback-urls': 'vbscript:msgbox(1)' } },
  { name: 'http to a public host', inputs: { 'callback-urls': 'http://example.com/callback' }, says: /loopback/ },
  // Salesforce refuses http on an IP literal ("Cannot be an HTTP URL", anthropics/claude-code#86233).
  {
    name: 'http on 127.0.0.1',
    inputs: { 'callback-urls': 'http://127.0.0.1:8080/callback' },
    says: /IP address 127\.0\.0\.1.*Cannot be an HTTP URL.*http:\/\/localhost:8080\/callback/,
  },
  {
    name: 'a * port',
    inputs: { 'callback-urls': 'http://localhost:*/callback' },
    says: /\* port.*matches callback URLs exactly/,
  },
  { name: 'http on [::1]', inputs: { 'callback-urls': 'http://[::1]:9000/cb' }, says: /Cannot be an HTTP URL/ },
  { name: 'http to a loopback look-alike', inputs: { 'callback-urls': 'http://localhost.evil.example/callback' } },
  {
    name: 'XML-breaking </callbackUrl> in a URL',
    inputs: { 'callback-urls': 'https://a.example.com/cb</callbackUrl><isPkceRequired>false</isPkceRequired>' },
  },
  { name: '& in a URL', inputs: { 'callback-urls': 'https://a.example.com/cb?a=1&b=2' }, says: /'&'/ },
  {
    name: 'credentials in a URL',
    inputs: { 'callback-urls': 'https://user:pass@a.example.com/cb' },
    says: /credentials/,
  },
  { name: 'fragment in a URL', inputs: { 'callback-urls': 'https://a.example.com/cb#x' }, says: /fragment/ },
  { name: 'space inside a URL', inputs: { 'callback-urls': 'https://a.example.com/c b' }, says: /whitespace/ },
  { name: 'Markdown pipe in a URL', inputs: { 'callback-urls': 'https://a.example.com/cb|x' } },
  { name: 'backtick in a URL', inputs: { 'callback-urls': 'https://a.example.com/`x`' } },
  { name: 'not absolute', inputs: { 'callback-urls': 'example.com/callback' }, says: /absolute/ },
  { name: 'bidi override in a URL', inputs: { 'callback-urls': 'https://exa\u202Eelpmaxe.com/cb' } },
  { name: 'app scheme without authority', inputs: { 'callback-urls': 'cursor:callback' } },
  { name: 'quote in a URL', inputs: { 'callback-urls': 'https://a.example.com/"onload="x' } },
  // app-name / app-label
  { name: 'app-name starts with a digit', inputs: { 'app-name': '1App' } },
  { name: 'app-name with a hyphen', inputs: { 'app-name': 'My-App' } },
  { name: 'app-name with a double underscore', inputs: { 'app-name': 'My__App' }, says: /double or trailing/ },
  { name: 'app-name with a trailing underscore', inputs: { 'app-name': 'MyApp_' } },
  { name: 'app-name too long', inputs: { 'app-name': `A${'b'.repeat(40)}` }, says: /at most 40/ },
  // Object Reference: DeveloperName "must be 40 characters or fewer"; the app's parts add up to 10 characters.
  {
    name: 'app-name of 40 characters (its parts would exceed 40)',
    inputs: { 'app-name': `A${'b'.repeat(39)}` },
    says: /use at most 30.*_glbloauth would be 50/,
  },
  { name: 'app-name of 31 characters', inputs: { 'app-name': `A${'b'.repeat(30)}` }, says: /at most 30/ },
  { name: 'app-name with XML', inputs: { 'app-name': 'App</label>' } },
  { name: 'app-label with a Markdown pipe', inputs: { 'app-label': 'MCP | evil column' }, says: /'\|'/ },
  { name: 'app-label with a newline', inputs: { 'app-label': 'MCP\n## injected heading' }, says: /line break/ },
  { name: 'app-label with &', inputs: { 'app-label': 'R&D apps' }, says: /'&'/ },
  { name: 'app-label with HTML', inputs: { 'app-label': '<img src=x onerror=alert(1)>' } },
  { name: 'app-label too long', inputs: { 'app-label': 'x'.repeat(81) }, says: /at most 80/ },
  // contact-email
  { name: 'contact-email missing', inputs: { 'contact-email': '' }, says: /required/ },
  { name: 'contact-email without @', inputs: { 'contact-email': 'mcp-admins.example.com' } },
  { name: 'contact-email without TLD', inputs: { 'contact-email': 'admin@localhost' }, says: /top-level domain/ },
  {
    name: 'contact-email with CRLF header injection',
    inputs: { 'contact-email': 'a@example.com\r\nBcc: victim@example.org' },
    says: /line break/,
  },
  {
    name: 'contact-email with display name',
    inputs: { 'contact-email': 'Admins <a@example.com>' },
    says: /angle brackets/,
  },
  { name: 'contact-email with a space', inputs: { 'contact-email': 'a b@example.com' } },
  { name: 'contact-email with quotes', inputs: { 'contact-email': '"a"@example.com' } },
  { name: 'contact-email with XML', inputs: { 'contact-email': 'a@example.com</contactEmail><isProtected>true' } },
  { name: 'contact-email with &', inputs: { 'contact-email': 'a&b@example.com' } },
  { name: 'contact-email with two @', inputs: { 'contact-email': 'a@@example.com' } },
  { name: 'contact-email bad domain label', inputs: { 'contact-email': 'a@-example.com' } },
  // description
  { name: 'description too long', inputs: { description: 'd'.repeat(257) }, says: /at most 256/ },
  { name: 'description with a newline', inputs: { description: 'line one\nline two' } },
  {
    name: 'description with XML',
    inputs: { description: '</description><distributionState>Local</distributionState>' },
  },
  { name: 'description with &', inputs: { description: 'Tom & Jerry' } },
  { name: 'description with a NUL', inputs: { description: 'a\u0000b' } },
  // hardening and booleans
  { name: 'hardening unknown', inputs: { hardening: 'maximum' }, says: /baseline.*recommended/ },
  { name: 'require-secret yes', inputs: { 'require-secret': 'yes' }, says: /true or false/ },
  { name: 'dry-run 1', inputs: { 'dry-run': '1' } },
  { name: 'package on', inputs: { package: 'on' } },
  { name: 'create-permission-set Y', inputs: { 'create-permission-set': 'Y', 'permission-set': 'X' } },
  { name: 'refresh-token-rotation enabled', inputs: { 'refresh-token-rotation': 'enabled' } },
  { name: 'allow-secret-for-desktop tRuE', inputs: { 'allow-secret-for-desktop': 'tRuE' } },
  // require-secret with desktop clients
  {
    name: 'require-secret with cursor',
    inputs: { clients: 'cursor', 'require-secret': 'true' },
    input: 'require-secret',
    says: /cursor is a desktop client.*allow-secret-for-desktop/,
  },
  {
    name: 'require-secret with vscode and claude',
    inputs: { clients: 'claude,vscode', 'require-secret': 'true' },
    input: 'require-secret',
    says: /vscode/,
  },
  {
    name: 'require-secret with mcp-inspector',
    inputs: { clients: 'mcp-inspector', 'require-secret': 'true' },
    input: 'require-secret',
  },
  // permission sets
  { name: 'permission-set with spaces (a label)', inputs: { 'permission-set': 'MCP Users' } },
  { name: 'permission-set list', inputs: { 'permission-set': 'A,B' } },
  { name: 'permission-set starting with a digit', inputs: { 'permission-set': '1Users' } },
  { name: 'create-permission-set without permission-set', inputs: { 'create-permission-set': 'true' } },
  {
    name: 'create-permission-set for a namespaced set',
    inputs: { 'create-permission-set': 'true', 'permission-set': 'ns__Users' },
  },
  // IP ranges
  {
    name: 'ip range reversed',
    inputs: { 'ip-ranges': '10.0.0.255-10.0.0.0' },
    says: /reversed.*10\.0\.0\.0-10\.0\.0\.255/,
  },
  { name: 'ip range mixed families', inputs: { 'ip-ranges': '10.0.0.1-2001:db8::1' }, says: /IPv4 and IPv6/ },
  { name: 'ip range in CIDR', inputs: { 'ip-ranges': '10.0.0.0/24' }, says: /10\.0\.0\.0-10\.0\.0\.255/ },
  { name: 'ip range malformed octet', inputs: { 'ip-ranges': '999.1.1.1-999.1.1.2' } },
  { name: 'ip range with three parts', inputs: { 'ip-ranges': '10.0.0.1-10.0.0.2-10.0.0.3' } },
  { name: 'ip range missing start', inputs: { 'ip-ranges': '-10.0.0.1' } },
  { name: 'ip range with zone ids', inputs: { 'ip-ranges': 'fe80::1%eth0-fe80::2%eth0' } },
  { name: 'ip range IPv6 reversed', inputs: { 'ip-ranges': '2001:db8::ffff-2001:db8::' }, says: /reversed/ },
  { name: 'ip range host names', inputs: { 'ip-ranges': 'example.com-example.org' } },
  { name: 'too many ip ranges', inputs: { 'ip-ranges': many(129) }, says: /at most 128/ },
  // refresh tokens
  { name: 'validity 0 days', inputs: { 'refresh-token-validity-days': '0' }, says: /1 to 3650/ },
  { name: 'validity 3651 days', inputs: { 'refresh-token-validity-days': '3651' } },
  { name: 'validity fractional', inputs: { 'refresh-token-validity-days': '30.5' }, says: /whole number/ },
  { name: 'validity negative', inputs: { 'refresh-token-validity-days': '-1' } },
  { name: 'validity words', inputs: { 'refresh-token-validity-days': 'thirty' } },
  // single logout
  {
    name: 'single-logout without URL',
    inputs: { 'single-logout': 'true' },
    says: /no single-logout on\/off switch.*the URL is the switch/,
  },
  { name: 'single-logout-url over http', inputs: { 'single-logout-url': 'http://app.example.com/logout' } },
  { name: 'single-logout-url on loopback http', inputs: { 'single-logout-url': 'http://localhost:8080/logout' } },
  {
    name: 'single-logout false with URL',
    inputs: { 'single-logout': 'false', 'single-logout-url': 'https://app.example.com/logout' },
  },
  { name: 'single-logout-url app scheme', inputs: { 'single-logout-url': 'cursor://x/logout' } },
  // the Dev Hub
  { name: 'no Dev Hub login', inputs: { 'dev-hub': '' }, says: /dry-run/ },
  {
    name: 'JWT and auth URL at once',
    inputs: { ...JWT, 'dev-hub-jwt-key': PKCS8, 'dev-hub-auth-url': AUTH_URL },
    input: 'dev-hub-auth-url',
    secret: AUTH_URL,
  },
  { name: 'alias and auth URL at once', inputs: { 'dev-hub-auth-url': AUTH_URL }, input: 'dev-hub', secret: AUTH_URL },
  {
    name: 'JWT without client id and key',
    inputs: { 'dev-hub': '', 'dev-hub-username': 'ci@hub.example.com' },
    input: 'dev-hub-client-id',
  },
  { name: 'JWT without key', inputs: { ...JWT }, input: 'dev-hub-jwt-key' },
  {
    name: 'JWT key garbage',
    inputs: { ...JWT, 'dev-hub-jwt-key': 'not-a-key-but-a-secret-value-123' },
    input: 'dev-hub-jwt-key',
    secret: 'not-a-key-but-a-secret-value-123',
  },
  {
    name: 'JWT key encrypted',
    inputs: { ...JWT, 'dev-hub-jwt-key': ENCRYPTED },
    input: 'dev-hub-jwt-key',
    secret: ENCRYPTED.split('\n')[3]!,
    says: /encrypted/,
  },
  {
    name: 'JWT key is a public key',
    inputs: { ...JWT, 'dev-hub-jwt-key': PUBLIC },
    input: 'dev-hub-jwt-key',
    secret: PUBLIC.split('\n')[2]!,
    says: /public key/,
  },
  {
    name: 'JWT key cut off',
    inputs: { ...JWT, 'dev-hub-jwt-key': PKCS8.slice(0, 400) },
    input: 'dev-hub-jwt-key',
    secret: BODY_LINE,
    says: /cut off/,
  },
  {
    name: 'JWT key damaged',
    inputs: { ...JWT, 'dev-hub-jwt-key': PKCS8.replace(BODY_LINE, BODY_LINE.slice(0, 32)) },
    input: 'dev-hub-jwt-key',
    secret: PKCS8.split('\n')[7]!,
  },
  {
    name: 'JWT key is EC',
    inputs: { ...JWT, 'dev-hub-jwt-key': EC },
    input: 'dev-hub-jwt-key',
    secret: EC.split('\n')[2]!,
    says: /RSA/,
  },
  {
    name: 'auth URL without force://',
    inputs: { 'dev-hub': '', 'dev-hub-auth-url': 'https://refresh-token-secret-xyz@host' },
    input: 'dev-hub-auth-url',
    secret: 'refresh-token-secret-xyz',
  },
  {
    name: 'auth URL malformed',
    inputs: { 'dev-hub': '', 'dev-hub-auth-url': 'force://only-a-token-secret-abc@host' },
    input: 'dev-hub-auth-url',
    secret: 'only-a-token-secret-abc',
  },
  { name: 'auth URL given as dev-hub', inputs: { 'dev-hub': AUTH_URL }, secret: AUTH_URL.slice(22, 60) },
  { name: 'dev-hub alias with a space', inputs: { 'dev-hub': 'my hub' } },
  {
    name: 'login URL over http',
    inputs: { ...JWT, 'dev-hub-jwt-key': PKCS8, 'dev-hub-login-url': 'http://login.salesforce.com' },
    input: 'dev-hub-login-url',
  },
  {
    name: 'login URL with a path',
    inputs: { 'dev-hub-login-url': 'https://login.salesforce.com/services/oauth2/token' },
  },
  {
    name: 'dev-hub-username not an email',
    inputs: { ...JWT, 'dev-hub-jwt-key': PKCS8, 'dev-hub-username': 'ci-user' },
    input: 'dev-hub-username',
  },
  {
    name: 'dev-hub-client-id with spaces',
    inputs: { ...JWT, 'dev-hub-jwt-key': PKCS8, 'dev-hub-client-id': '3MVG9 abc def' },
    input: 'dev-hub-client-id',
  },
  // packaging
  { name: 'packaging without a namespace', inputs: { 'package-namespace': '' }, says: /managed 2GP/ },
  { name: 'namespace starting with a digit', inputs: { 'package-namespace': '1ns' } },
  { name: 'namespace too long', inputs: { 'package-namespace': 'abcdefghijklmnop' } },
  { name: 'version number with three parts', inputs: { 'package-version-number': '1.0.0' } },
  { name: 'version number LATEST', inputs: { 'package-version-number': '1.0.0.LATEST' } },
  { name: 'wait-minutes 0', inputs: { 'wait-minutes': '0' } },
  { name: 'new-version unknown', inputs: { 'new-version': 'never' }, says: /when-changed .* or always/ },
  {
    name: 'package-validation unknown',
    inputs: { 'package-validation': 'none' },
    says: /'none' is not allowed\. Use async \(.*\), or full \(.*\), or skip \(.*never be promoted\)/,
  },
  { name: 'package-validation in capitals', inputs: { 'package-validation': 'ASYNC' }, says: /Use async/ },
  { name: 'install-method unknown', inputs: { 'install-method': 'copy' }, says: /Use package \(.*\), or deploy \(/ },
  {
    name: 'install-method deploy without install-target',
    inputs: { 'install-method': 'deploy' },
    says: /is deploy but install-target is empty.*Give install-target/,
  },
  { name: 'wait-minutes 721', inputs: { 'wait-minutes': '721' }, says: /1 to 720/ },
  {
    name: 'install-target without package',
    inputs: { package: 'false', 'install-target': 'scratch' },
    input: 'install-target',
  },
  {
    name: 'install-target bad auth URL',
    inputs: { 'install-target': 'force://scratch-refresh-secret-999@x' },
    secret: 'scratch-refresh-secret-999',
  },
  { name: 'package-name with a pipe', inputs: { 'package-name': 'MCP | App' } },
  {
    name: 'installation-key with a newline',
    inputs: { 'installation-key': 'install-key-secret\nsecond' },
    secret: 'install-key-secret',
  },
  {
    name: 'mcp-servers with an unknown server',
    inputs: { 'install-target': 'scratch', 'mcp-servers': 'sobject-all, sobject-everything' },
    input: 'mcp-servers',
    says: /'sobject-everything' is not a hosted MCP server.*sobject-reads/,
  },
  {
    name: 'mcp-servers without install-target',
    inputs: { 'mcp-servers': 'sobject-all' },
    says: /needs install-target/,
  },
  {
    name: 'mcp-servers with package false',
    inputs: { package: 'false', 'mcp-servers': 'sobject-reads' },
    input: 'mcp-servers',
    says: /needs install-target/,
  },
  {
    name: 'wait-until-usable not a number',
    inputs: { 'wait-until-usable': '30m' },
    says: /whole number from 0 to 120/,
  },
  { name: 'wait-until-usable 121', inputs: { 'wait-until-usable': '121' }, says: /0 to 120/ },
  // publishing the key
  {
    name: 'secret-name GITHUB_ prefix',
    inputs: { 'secret-name': 'GITHUB_MCP_KEY', 'github-token': TOKEN },
    secret: TOKEN,
    says: /GITHUB_/,
  },
  { name: 'secret-name starting with a digit', inputs: { 'secret-name': '1KEY', 'github-token': TOKEN } },
  { name: 'secret-name with a hyphen', inputs: { 'secret-name': 'MCP-KEY', 'github-token': TOKEN } },
  { name: 'secret-name without token', inputs: { 'secret-name': 'MCP_KEY' }, says: /github-token/ },
  { name: 'github-token without secret-name', inputs: { 'github-token': TOKEN }, secret: TOKEN },
  {
    name: 'github-token with whitespace',
    inputs: { 'github-token': 'ghp_secretpart1 secretpart2', 'secret-name': 'K' },
    secret: 'ghp_secretpart1',
  },
  { name: 'secret-environment without secret-name', inputs: { 'secret-environment': 'prod' } },
  // output-dir
  { name: 'output-dir with a newline', inputs: { 'output-dir': 'out\nrm -rf /' } }, // modes
  { name: 'mode that is not one', inputs: { mode: 'check' }, says: /apply .*verify/ },
  {
    name: 'fail-on-drift that is not one',
    inputs: { mode: 'verify', 'fail-on-drift': 'never' },
    input: 'fail-on-drift',
    says: /weaker .*any/,
  },
  {
    name: 'mode verify with dry-run',
    inputs: { mode: 'verify', 'dry-run': 'true' },
    input: 'dry-run',
    says: /verify reads the app from the org/,
  },
];

describe('readSettings: bad inputs', () => {
  it(`has at least 65 cases (${BAD.length})`, () => assert.ok(BAD.length >= 65));

  for (const c of BAD) {
    it(c.name, () => {
      const input = c.input ?? Object.keys(c.inputs)[0]!;
      const error = problemsOf(c.inputs);
      const named = error.problems.filter((p) => p.input.split(', ').includes(input));
      assert.ok(named.length > 0, `no problem names ${input}: ${error.message}`);
      if (c.says) assert.match(named.map((p) => p.message).join('\n'), c.says);
      // One line per problem, each starting with the input it is about.
      const lines = error.message.split('\n');
      assert.equal(lines.length, error.problems.length);
      for (const [i, p] of error.problems.entries()) {
        assert.equal(lines[i], `${p.input}: ${p.message}`);
        assert.doesNotMatch(p.message, /[\r\n]/);
      }
      if (c.secret) {
        assert.ok(!error.message.includes(c.secret), `the error repeats a secret: ${error.message}`);
        assert.ok(!JSON.stringify(error.problems).includes(c.secret));
      }
      // Never a key body line, whatever the case.
      assert.ok(!error.message.includes(BODY_LINE));
    });
  }

  it('collects every problem in one error', () => {
    const error = problemsOf({
      clients: 'bogus',
      'contact-email': 'x',
      hardening: 'max',
      'wait-minutes': '0',
      'dev-hub': '',
    });
    assert.deepEqual(error.problems.map((p) => p.input).sort(), [
      'clients',
      'contact-email',
      'dev-hub',
      'hardening',
      'wait-minutes',
    ]);
    assert.equal(error.name, 'InputError');
  });

  it('never repeats any secret input, even when all of them are wrong at once', () => {
    const secrets = {
      'dev-hub-jwt-key': 'jwt-secret-material-0001',
      'dev-hub-auth-url': 'force://id:sec:refresh-secret-0002@',
      'installation-key': 'install-secret-0003\n',
      'github-token': 'token secret-0004',
      'dev-hub-username': 'ci@hub.example.com',
      'dev-hub-client-id': '3MVG9clientid',
    };
    const error = problemsOf({ ...secrets, 'dev-hub': '' });
    for (const s of ['jwt-secret-material-0001', 'refresh-secret-0002', 'install-secret-0003', 'secret-0004']) {
      assert.ok(!error.message.includes(s), `leaked ${s}: ${error.message}`);
    }
  });
});

describe('readSettings: good inputs', () => {
  it('applies the defaults', () => {
    const s = settings();
    assert.deepEqual(s, {
      clients: ['claude'],
      callbackUrls: [],
      appName: 'MCP_Client_App',
      appLabel: 'MCP Client App',
      contactEmail: 'mcp-admins@example.com',
      hardening: 'baseline',
      requireSecret: false,
      allowSecretForDesktop: false,
      createPermissionSet: false,
      ipRanges: [],
      singleLogout: false,
      devHub: { kind: 'cli', usernameOrAlias: 'my-hub' },
      package: {
        name: 'MCP_Client_App',
        namespace: 'acme',
        versionNumber: '1.0.0.NEXT',
        waitMinutes: 30,
        newVersion: 'when-changed',
        validation: 'async',
        installMethod: 'package',
      },
      dryRun: false,
      mode: 'apply',
      failOnDrift: 'weaker',
      outputDir: join('/runner/temp', 'eca-action'),
    } satisfies Settings);
  });

  it('puts output-dir under the system temp folder without RUNNER_TEMP, and resolves relative paths', () => {
    assert.equal(settings({}, {}).outputDir, join(tmpdir(), 'eca-action'));
    assert.equal(
      settings({ 'output-dir': 'gen/eca' }, { GITHUB_WORKSPACE: '/work/repo' }).outputDir,
      '/work/repo/gen/eca',
    );
    assert.equal(settings({ 'output-dir': '/abs/out' }).outputDir, '/abs/out');
  });

  it('accepts lists with commas or newlines, trims, ignores case of client ids and drops duplicates', () => {
    const s = settings({
      clients: ' Claude ,\ncursor\r\n\nclaude, CUSTOM ',
      'callback-urls':
        'https://app.example.com/cb\nhttp://localhost:38000/callback, http://LOCALHOST:9000/cb\nhttps://app.example.com/cb\nvscode://publisher.ext/cb',
    });
    assert.deepEqual(s.clients, ['claude', 'cursor', 'custom']);
    assert.deepEqual(s.callbackUrls, [
      'https://app.example.com/cb',
      'http://localhost:38000/callback',
      'http://LOCALHOST:9000/cb',
      'vscode://publisher.ext/cb',
    ]);
  });

  it('reads booleans as core.getBooleanInput does', () => {
    assert.equal(settings({ 'dry-run': 'True', 'dev-hub': '' }).dryRun, true);
    assert.equal(settings({ 'dry-run': 'TRUE', 'dev-hub': '' }).dryRun, true);
    assert.equal(settings({ package: 'False' }).package, undefined);
    assert.equal(settings({ package: 'FALSE' }).package, undefined);
    assert.equal(settings({ 'refresh-token-rotation': '' }).refreshTokenRotation, undefined);
    assert.equal(settings({ 'refresh-token-rotation': 'false' }).refreshTokenRotation, false);
  });

  it('package-validation: async by default, full and skip as given', () => {
    assert.equal(settings().package?.validation, 'async');
    assert.equal(settings({ 'package-validation': 'full' }).package?.validation, 'full');
    assert.equal(settings({ 'package-validation': 'skip' }).package?.validation, 'skip');
  });

  it('install-method: package by default; deploy with install-target needs no namespace and allows package: false', () => {
    assert.equal(settings().package?.installMethod, 'package');
    const deploy = settings({ 'install-method': 'deploy', 'install-target': 'scratch', 'package-namespace': '' });
    assert.equal(deploy.package?.installMethod, 'deploy');
    assert.deepEqual(deploy.package?.installTarget, { kind: 'cli', usernameOrAlias: 'scratch' });
    const noPackage = settings({
      'install-method': 'deploy',
      'install-target': 'scratch',
      package: 'false',
      'mcp-servers': 'sobject-reads',
    });
    assert.equal(noPackage.package?.installMethod, 'deploy');
    assert.deepEqual(noPackage.package?.mcpServers, ['sobject-reads']);
  });

  it('install-method: deploy keeps the Dev Hub app Local (nothing is packaged); package makes it Packaged', () => {
    assert.equal(planOf({ 'install-method': 'deploy', 'install-target': 'scratch' }).distributionState, 'Local');
    assert.equal(planOf({ 'install-target': 'scratch' }).distributionState, 'Packaged');
  });

  it('takes every input', () => {
    const s = settings({
      clients: 'chatgpt,postman',
      'callback-urls': 'https://chatgpt.com/connector/oauth/abc123',
      'app-name': 'Sales_MCP',
      'app-label': 'Sales MCP (prod)',
      description: 'MCP access for the sales team [2026]',
      hardening: 'Recommended',
      'require-secret': 'true',
      'permission-set': 'MCP_Users',
      'create-permission-set': 'true',
      'ip-ranges': '203.0.113.0 - 203.0.113.255, 198.51.100.7\n2001:db8::-2001:db8::ffff',
      'refresh-token-validity-days': '7',
      'refresh-token-rotation': 'false',
      'single-logout': 'true',
      'single-logout-url': 'https://chatgpt.example.com/logout',
      'dev-hub': '',
      'dev-hub-auth-url': ` ${AUTH_URL}\n`,
      'package-name': 'Sales MCP',
      'package-namespace': 'salesmcp',
      'package-version-number': '2.1.0.4',
      'installation-key': 'k3y',
      'wait-minutes': '720',
      'new-version': 'always',
      'package-validation': 'full',
      'install-target': 'force://PlatformCLI::5Aep861abc@scratch.my.salesforce.com',
      'github-token': TOKEN,
      'secret-name': 'SALES_MCP_CLIENT_ID',
      'secret-environment': 'production',
      'dry-run': 'false',
    });
    assert.equal(s.hardening, 'recommended');
    assert.equal(s.appLabel, 'Sales MCP (prod)');
    assert.deepEqual(s.ipRanges, [
      { start: '203.0.113.0', end: '203.0.113.255' },
      { start: '198.51.100.7', end: '198.51.100.7' },
      { start: '2001:db8::', end: '2001:db8::ffff' },
    ]);
    assert.equal(s.refreshTokenValidityDays, 7);
    assert.equal(s.refreshTokenRotation, false);
    assert.equal(s.singleLogout, true);
    assert.deepEqual(s.devHub, { kind: 'authUrl', authUrl: AUTH_URL });
    assert.deepEqual(s.package, {
      name: 'Sales MCP',
      namespace: 'salesmcp',
      versionNumber: '2.1.0.4',
      installationKey: 'k3y',
      waitMinutes: 720,
      installTarget: { kind: 'authUrl', authUrl: 'force://PlatformCLI::5Aep861abc@scratch.my.salesforce.com' },
      newVersion: 'always',
      validation: 'full',
      installMethod: 'package',
    });
    assert.deepEqual(s.github, { token: TOKEN, secretName: 'SALES_MCP_CLIENT_ID', environment: 'production' });
  });

  it('takes mcp-servers (with or without platform/, any case, duplicates dropped) and wait-until-usable', () => {
    const s = settings({
      'install-target': 'scratch',
      'mcp-servers': 'platform/sobject-all, SObject-Reads\nsobject-all',
      'wait-until-usable': '30',
    });
    assert.deepEqual(s.package?.mcpServers, ['sobject-all', 'sobject-reads']);
    assert.equal(s.waitUntilUsableMinutes, 30);
    assert.equal(settings({ 'wait-until-usable': '0' }).waitUntilUsableMinutes, undefined);
  });

  it('allows a secret with a desktop client only when asked to', () => {
    const s = settings({ clients: 'cursor', 'require-secret': 'true', 'allow-secret-for-desktop': 'true' });
    assert.equal(s.requireSecret, true);
  });

  it('reads mode and fail-on-drift (any case); apply and weaker by default', () => {
    assert.deepEqual([settings({}).mode, settings({}).failOnDrift], ['apply', 'weaker']);
    const verify = settings({ mode: 'Verify', 'fail-on-drift': 'ANY' });
    assert.deepEqual([verify.mode, verify.failOnDrift], ['verify', 'any']);
  });

  it('treats the logout URL as the switch', () => {
    assert.equal(settings({ 'single-logout-url': 'https://app.example.com/logout' }).singleLogout, true);
  });

  it('needs no Dev Hub in dry run, but checks one if given', () => {
    assert.equal(settings({ 'dev-hub': '', 'dry-run': 'true' }).devHub, undefined);
    assert.equal(problemsOf({ 'dev-hub': 'bad hub', 'dry-run': 'true' }).problems[0]!.input, 'dev-hub');
  });

  it('logs in with JWT, repairing the key and keeping the login URL origin', () => {
    const s = settings({
      ...JWT,
      'dev-hub-jwt-key': PKCS8.replace(/\n/g, '\\n'),
      'dev-hub-login-url': 'https://mycompany.my.salesforce.com/',
    });
    assert.deepEqual(s.devHub, {
      kind: 'jwt',
      username: JWT['dev-hub-username'],
      clientId: JWT['dev-hub-client-id'],
      jwtKey: PKCS8,
      loginUrl: 'https://mycompany.my.salesforce.com',
    });
    const local = settings({ ...JWT, 'dev-hub-jwt-key': PKCS8, 'dev-hub-login-url': 'http://127.0.0.1:4567' });
    assert.equal(local.devHub?.kind === 'jwt' && local.devHub.loginUrl, 'http://127.0.0.1:4567');
  });

  it('reads INPUT_<NAME> like @actions/core (upper case, hyphens kept)', () => {
    const s = readSettingsFromEnv({
      INPUT_CLIENTS: 'vscode',
      'INPUT_CONTACT-EMAIL': 'a@example.com',
      'INPUT_DEV-HUB': 'hub',
      'INPUT_PACKAGE-NAMESPACE': 'acme',
      'INPUT_APP-NAME': 'Env_App',
      INPUT_CONTACT_EMAIL: 'wrong@example.com',
      RUNNER_TEMP: '/rt',
    });
    assert.equal(s.contactEmail, 'a@example.com');
    assert.equal(s.appName, 'Env_App');
    assert.equal(s.outputDir, '/rt/eca-action');
  });
});

describe('normalizeJwtKey', () => {
  const forms: Record<string, (pem: string) => string> = {
    'real newlines': (pem) => pem,
    'CRLF newlines': (pem) => pem.replace(/\n/g, '\r\n'),
    'literal \\n escapes': (pem) => pem.trim().replace(/\n/g, '\\n'),
    'one line, newlines lost': (pem) => pem.replace(/\n/g, ''),
    'one line, newlines turned into spaces': (pem) => pem.trim().replace(/\n/g, ' '),
    'surrounded by blank lines': (pem) => `\n\n  ${pem}\n\n`,
    'base64 of the PEM': (pem) => Buffer.from(pem).toString('base64'),
    'base64 of the PEM, wrapped': (pem) =>
      Buffer.from(pem)
        .toString('base64')
        .replace(/(.{76})/g, '$1\n'),
    're-wrapped at 76 columns': (pem) => {
      const [head, ...rest] = pem.trim().split('\n');
      const foot = rest.pop()!;
      return `${head}\n${rest.join('').replace(/(.{76})/g, '$1\n')}\n${foot}\n`;
    },
  };
  for (const [label, pem] of [
    ['PKCS#8 (BEGIN PRIVATE KEY)', PKCS8],
    ['PKCS#1 (BEGIN RSA PRIVATE KEY)', PKCS1],
  ] as const) {
    for (const [name, mangle] of Object.entries(forms)) {
      it(`${label}: ${name} → the canonical PEM`, () => {
        const result = normalizeJwtKey(mangle(pem));
        assert.ok(result.ok, result.ok ? '' : result.message);
        assert.equal(result.pem, pem);
        assert.equal(createPrivateKey(result.pem).asymmetricKeyType, 'rsa');
        for (const line of result.pem.trim().split('\n').slice(1, -1)) assert.ok(line.length <= 64);
      });
    }
  }

  it('refuses an encrypted key with a clear message and without the key', () => {
    const result = normalizeJwtKey(ENCRYPTED);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.message : '', /encrypted.*passphrase/);
    assert.ok(!(!result.ok && result.message.includes(ENCRYPTED.split('\n')[2]!)));
  });

  it('refuses legacy OpenSSL encryption (Proc-Type: 4,ENCRYPTED)', () => {
    const legacy =
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n';
    const result = normalizeJwtKey(legacy);
    assert.ok(!result.ok && /encrypted/.test(result.message));
  });

  it('picks the private key out of a key + certificate bundle', () => {
    const bundle = `${PUBLIC}${PKCS8}`;
    const result = normalizeJwtKey(bundle);
    assert.ok(result.ok);
    assert.equal(result.pem, PKCS8);
  });
});

describe('parseIpRange', () => {
  it('compares IPv6 numerically, including embedded IPv4 and ::', () => {
    assert.deepEqual(parseIpRange('::ffff:10.0.0.1-::ffff:10.0.0.9'), {
      start: '::ffff:10.0.0.1',
      end: '::ffff:10.0.0.9',
    });
    assert.equal(typeof parseIpRange('::ffff:10.0.0.9-::ffff:10.0.0.1'), 'string');
    assert.deepEqual(parseIpRange('::-ffff::'), { start: '::', end: 'ffff::' });
    assert.equal(typeof parseIpRange('2001:db8::2-2001:db8::1'), 'string');
    assert.match(String(parseIpRange('2001:db8::/120')), /2001:db8:0:0:0:0:0:0-2001:db8:0:0:0:0:0:ff/);
  });
});
