// Security: the bundle run as the runner runs it, against the fake org and small
// hostile servers on 127.0.0.1. Nothing an org (or a proxy) says may leak a token or forge a log line, and
// signed assertions and refresh tokens go only to Salesforce's login domains (or loopback, for local runs).
// Each test has a fake org of its own, so none depends on what another left in it.
import { test, beforeEach, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  lstatSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { soapFault } from '../../fake-org/soap.ts';
import { runAction, type ActionRun } from '../helpers/run-action.ts';
import { assertNoLeaks, needles } from '../helpers/leaks.ts';
import { APP, consumerOf, fakeEnv, jwtInputs, runJwt, secretsOf } from '../helpers/fake-env.ts';
import { closedPort, startHostileProxy, startTokenEndpoint } from '../helpers/hostile.ts';
import { saveCliLogins } from '../helpers/sf-cli.ts';

let org: FakeOrg;
beforeEach(async () => {
  org = await startFakeOrg();
});
afterEach(async () => {
  await org.close();
});

const BASE = { clients: 'cursor', 'contact-email': 'ops@example.com' };

/** Every line as the runner splits the log: at \n, \r\n and a bare \r. */
const runnerLines = (text: string): string[] => text.split(/\r\n|\r|\n/);

/** Lines a workflow command could hide in (every command but the masks the action issues itself). */
function assertNoForgedCommand(run: ActionRun): void {
  for (const line of runnerLines(run.stdout)) {
    assert.ok(!/^\s*::stop-commands::/.test(line), `a forged command line: ${JSON.stringify(line)}`);
    assert.ok(
      !/^\s*::(set-output|add-path|save-state|set-env)\b/.test(line),
      `a forged command line: ${JSON.stringify(line)}`,
    );
  }
}

// ===========================================================================================================
// 4. Login hosts: an allowlist, judged before any request

describe('4. dev-hub-login-url and auth-URL hosts accept only Salesforce login domains and loopback', () => {
  it('dev-hub-login-url https://evil.example.com is refused before any request, naming the input', async () => {
    const requests = org.log.length;
    const run = await runJwt(org, { package: 'false', 'dev-hub-login-url': 'https://evil.example.com' });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /::error title=Input dev-hub-login-url::dev-hub-login-url: 'https:\/\/evil\.example\.com' is not accepted: its host is not a Salesforce login domain/,
    );
    assert.match(run.stdout, /nothing was sent to any org/);
    assert.equal(org.log.length, requests);
  });

  it('a loopback spelled otherwise (127.1) never receives a request, nor does any other refused form', async () => {
    const listener = await startTokenEndpoint(400, {
      error: 'invalid_grant',
      error_description: 'should never be asked',
    });
    const port = new URL(listener.url).port;
    try {
      for (const url of [`http://127.1:${port}`, `http://0x7f000001:${port}`, `http://localhost.:${port}`]) {
        const run = await runJwt(org, { package: 'false', 'dev-hub-login-url': url });
        assert.equal(run.code, 1, url);
        assert.match(run.stdout, /::error title=Input dev-hub-login-url::/, url);
      }
      assert.equal(listener.seen.length, 0, 'a refused login URL was contacted');
    } finally {
      await listener.close();
    }
  });

  it('an auth URL whose host is not Salesforce (dev-hub-auth-url, install-target) is refused without echoing it', async () => {
    const authUrl = 'force://PlatformCLI::5Aep861hostileRefreshTokenhostileRefreshToken0000@evil.example.com';
    for (const inputs of [
      { ...BASE, 'dev-hub-auth-url': authUrl, package: 'false' },
      { ...jwtInputs(org), 'install-target': authUrl.replace('evil.example.com', '169.254.169.254') },
    ]) {
      const requests = org.log.length;
      const run = await runAction({ inputs, env: fakeEnv(org) });
      assert.equal(run.code, 1);
      assert.match(
        run.stdout,
        /::error title=Input (dev-hub-auth-url|install-target)::.*instance host is not accepted/,
      );
      assert.equal(org.log.length, requests, 'nothing was sent');
      assertNoLeaks(run, [{ what: 'the hostile auth URL', value: authUrl }]);
    }
  });
});

// ===========================================================================================================
// 8. Values that look like credentials are never echoed, not even cut short

test('8. a credential pasted into the wrong input is named, never echoed', async () => {
  const run = await runAction({
    inputs: {
      ...BASE,
      'dry-run': 'true',
      'dev-hub-login-url': org.devHubAuthUrl,
      'contact-email': 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    },
  });
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /::error title=Input dev-hub-login-url::dev-hub-login-url: the value \(not shown: it looks like a credential/,
  );
  assert.match(run.stdout, /::error title=Input contact-email::contact-email: the value \(not shown/);
  // Not even the first characters of the refresh token.
  const refresh = /::([^@]+)@/.exec(org.devHubAuthUrl)![1]!;
  assert.ok(!run.stdout.includes(refresh.slice(0, 12)), 'a part of the refresh token was echoed');
  assert.ok(!run.stdout.includes('ghp_abcdefghij'), 'a part of the token was echoed');
});

// ===========================================================================================================
// 9. output-dir never follows a link and never replaces a file the action did not write

describe('9. output-dir', () => {
  const dry = (outputDir: string, runnerTemp?: string) =>
    runAction({
      inputs: { ...BASE, 'dry-run': 'true', 'output-dir': outputDir },
      ...(runnerTemp ? { runnerTemp } : {}),
    });

  it('refuses a symbolic link as output-dir, a dangling one, and a file, naming the input', async () => {
    const base = mkdtempSync(join(tmpdir(), 'eca-sec-'));
    const outside = join(base, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(base, 'link'));
    symlinkSync(join(base, 'nothing-here'), join(base, 'dangling'));
    writeFileSync(join(base, 'file'), 'not a folder');
    for (const [name, expected] of [
      ['link', /is a symbolic link\. The action does not write through links/],
      ['dangling', /is a symbolic link to nothing \(a dangling link\)/],
      ['file', /is a file, not a folder/],
    ] as const) {
      const run = await dry(join(base, name));
      assert.equal(run.code, 1, name);
      assert.match(run.stdout, new RegExp(`::error title=Input output-dir::output-dir: .*${expected.source}`), name);
    }
    assert.deepEqual(readdirSync(outside), [], 'something was written through the link');
    assert.equal(existsSync(join(base, 'nothing-here')), false, 'the dangling link was followed');
  });

  it('refuses a link planted inside the folder, and a file it did not write; reruns into its own folder converge', async () => {
    const base = mkdtempSync(join(tmpdir(), 'eca-sec-'));
    const outside = join(base, 'outside');
    mkdirSync(outside);

    const planted = join(base, 'planted');
    mkdirSync(planted);
    symlinkSync(outside, join(planted, 'force-app'));
    const viaLink = await dry(planted);
    assert.equal(viaLink.code, 1);
    assert.match(viaLink.stdout, /::error title=Input output-dir::output-dir: force-app in .* is a symbolic link/);
    assert.deepEqual(readdirSync(outside), []);

    const linkedFile = join(base, 'linked-file');
    mkdirSync(linkedFile);
    writeFileSync(join(outside, 'target.json'), 'outside');
    symlinkSync(join(outside, 'target.json'), join(linkedFile, 'sfdx-project.json'));
    const viaFileLink = await dry(linkedFile);
    assert.equal(viaFileLink.code, 1);
    assert.equal(readFileSync(join(outside, 'target.json'), 'utf8'), 'outside');

    const users = join(base, 'users-project');
    mkdirSync(users);
    writeFileSync(join(users, 'sfdx-project.json'), '{"the":"user\'s own"}');
    const foreign = await dry(users);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stdout, /already holds sfdx-project\.json, which this action did not write/);
    assert.equal(readFileSync(join(users, 'sfdx-project.json'), 'utf8'), '{"the":"user\'s own"}');

    const own = join(base, 'own');
    const first = await dry(own);
    assert.equal(first.code, 0, first.stdout);
    const again = await dry(own);
    assert.equal(again.code, 0, again.stdout);
    assert.ok(lstatSync(join(own, 'sfdx-project.json')).isFile());
    // A folder written before the list of owned files existed: files that would not change are no one's loss.
    rmSync(join(own, '.eca-action-files.json'));
    const unlisted = await dry(own);
    assert.equal(unlisted.code, 0, unlisted.stdout);
  });
});

// ===========================================================================================================
// 10. Smaller ones

test('10. a range over every address is not "hardened"; https: without slashes is not a callback', async () => {
  const open = await runAction({ inputs: { ...BASE, 'dry-run': 'true', 'ip-ranges': '0.0.0.0-255.255.255.255' } });
  assert.equal(open.code, 0, open.stdout);
  const row = open.summary.split('\n').find((l) => l.startsWith('| Trusted IP ranges'));
  assert.ok(row, open.summary);
  assert.doesNotMatch(row, /hardened/);

  const slashless = await runAction({
    inputs: { ...BASE, 'dry-run': 'true', 'callback-urls': 'https:evil.example/cb' },
  });
  assert.equal(slashless.code, 1);
  assert.match(
    slashless.stdout,
    /::error title=Input callback-urls::callback-urls: 'https:evil\.example\/cb' is not of the form https:\/\/host\/path/,
  );
});

test('10. a consumer key of the wrong shape from the org is not used', async () => {
  const first = await runJwt(org, { package: 'false' });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const consumer = org.ctx.devHub.consumers.get(APP)!;
  const original = consumer.consumerKey;
  consumer.consumerKey = '3MVG9 not a key %0A::stop-commands::x';
  try {
    const run = await runJwt(org, { package: 'false' });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /returned a consumer key of MCP_Client_App that is not shaped like one/);
    assert.equal(run.outputs['consumer-key'], undefined);
  } finally {
    consumer.consumerKey = original;
  }
});

// ===========================================================================================================
// 5. Every login the action makes stays in its private HOME, also with an sf CLI login in the mix

/** Every file under `dir` with a hash of its content (what a scan of the runner's HOME compares). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path);
      else
        out[path.slice(dir.length)] =
          `${st.mode.toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

test('5. with an sf CLI alias for one login and JWT / auth URL for the other, the real HOME is not written', async () => {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'eca-runner-'));
  const home = join(runnerTemp, 'home');
  mkdirSync(home);
  const savedHome = process.env.HOME;
  // A second org for the second run: a scratch org takes one beta version of a package only once.
  const other = await startFakeOrg();
  try {
    await saveCliLogins(home, org, { hub: 'hub', scratch: 'scratch' });
    await saveCliLogins(home, other, { scratch: 'other-scratch' });
    // Sessions the CLI saved are stale by the time a later step runs: the action refreshes them (in its copy).
    org.faults.expireSessions();
    other.faults.expireSessions();
    const before = snapshot(home);

    const cliHub = await runAction({
      runnerTemp,
      inputs: {
        ...BASE,
        'dev-hub': 'hub',
        'package-namespace': org.namespace,
        'install-target': org.scratchAuthUrl,
        'wait-minutes': '2',
      },
      env: fakeEnv(org),
      post: true,
    });
    assert.equal(cliHub.code, 0, cliHub.stdout + cliHub.stderr);
    assert.match(cliHub.stdout, /Installed 04t\w+; the target org lists it/);
    assert.deepEqual(snapshot(home), before, 'the runner HOME changed (sf CLI hub + auth-URL install target)');

    const cliTarget = await runAction({
      runnerTemp,
      inputs: jwtInputs(other, { 'install-target': 'other-scratch' }),
      env: fakeEnv(other),
      post: true,
    });
    assert.equal(cliTarget.code, 0, cliTarget.stdout + cliTarget.stderr);
    assert.deepEqual(snapshot(home), before, 'the runner HOME changed (JWT hub + sf CLI install target)');
    assertNoLeaks(cliHub, secretsOf(org));
    assertNoLeaks(cliTarget, secretsOf(other));
  } finally {
    process.env.HOME = savedHome;
    await other.close();
  }
});

// ===========================================================================================================
// 6. The token endpoint's refusals fail at once, with their own message; an unreachable host fails fast

describe('6. login refusals and unreachable hosts', () => {
  for (const [description, expected] of [
    ['user is not admin approved to access this app', /"user is not admin approved to access this app"/],
    ['inactive user', /"inactive user"\. dev-hub-username is deactivated/],
    ['authentication failure', /"authentication failure"\. The org refused the user/],
  ] as const) {
    it(`"${description}" is reported as such and not retried`, async () => {
      const endpoint = await startTokenEndpoint(400, {
        error: description === 'user is not admin approved to access this app' ? 'invalid_app_access' : 'invalid_grant',
        error_description: description,
      });
      try {
        const run = await runJwt(org, { package: 'false', 'dev-hub-login-url': endpoint.url });
        assert.equal(run.code, 1);
        assert.match(run.stdout, expected);
        assert.doesNotMatch(run.stdout, /could not be reached|transient failure/);
        // @salesforce/core's own attempts against the given URL (three audiences), none of them repeated by us.
        assert.equal(endpoint.seen.length, 3);
      } finally {
        await endpoint.close();
      }
    });
  }

  it('a login URL where nothing listens fails in seconds, as unreachable', async () => {
    const port = await closedPort();
    // Real login retry timing (the harness default shortens it): five attempts would take 7–15 s.
    const run = await runAction({
      inputs: jwtInputs(org, { package: 'false', 'dev-hub-login-url': `http://127.0.0.1:${port}` }),
      env: fakeEnv(org),
      timing: { login: { baseMs: 1000 } },
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      new RegExp(`http://127\\.0\\.0\\.1:${port} could not be reached\\. Check dev-hub-login-url`),
    );
    assert.doesNotMatch(run.stdout, /transient failure/);
    // What makes it fast, whatever the machine: no attempt is repeated (each retry logs "…; retry n/m in … ms").
    assert.doesNotMatch(run.stdout, /; retry \d/, 'an unreachable host is not retried');
  });
});

// ===========================================================================================================
// 1, 3, 7. A hostile proxy in front of the fake org

describe('a hostile proxy in front of the Dev Hub', () => {
  const isList = (s: { body: string }): boolean => /<(\w+:)?listMetadata\b/.test(s.body);

  it('1. an error that echoes the session leaks no access token (log, annotation, summary); every session is masked', async () => {
    let echoed = '';
    let refreshedOnce = false;
    const proxy = await startHostileProxy(org.loginUrl, (seen) => {
      if (!isList(seen)) return undefined;
      if (!refreshedOnce) {
        // The session expires first, so the one echoed is a refreshed one.
        refreshedOnce = true;
        org.faults.expireSessions();
        return undefined;
      }
      echoed = seen.token ?? '';
      return soapFault(
        'sf:INVALID_TYPE',
        `INVALID_TYPE: refused for session ${seen.token} (sid=${encodeURIComponent(seen.token ?? '')})`,
        500,
      );
    });
    try {
      const run = await runAction({
        inputs: jwtInputs(org, { package: 'false', 'dev-hub-login-url': proxy.url }),
        env: fakeEnv(org),
        timing: { api: { attempts: 1 } },
      });
      assert.equal(run.code, 1, run.stdout);
      assert.ok(echoed.startsWith('00D'), 'the proxy echoed a session');
      assert.ok(proxy.tokens.size >= 2, `the session was refreshed (${proxy.tokens.size} sessions seen)`);
      assert.match(run.stdout, /INVALID_TYPE: refused for session \*\*\*/);
      assert.match(run.summary, /INVALID\\_TYPE: refused for session \\\*\\\*\\\*/);
      for (const token of proxy.tokens)
        assert.ok(run.stdout.includes(`::add-mask::${token}`), 'a session was never masked');
      assertNoLeaks(run, [
        ...secretsOf(org),
        ...[...proxy.tokens].map((value) => ({ what: 'a session the proxy saw', value })),
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('3. org text with \\r, \\n, U+0085, U+2028 cannot start a workflow command; later masks still work', async () => {
    let failed = false;
    const evil =
      'busy\r::stop-commands::pwned\n::set-output name=consumer-key::stolen\u0085::add-path::/x\u2028::save-state name=a::b';
    const proxy = await startHostileProxy(org.loginUrl, (seen) => {
      if (!isList(seen) || failed) return undefined;
      failed = true;
      return soapFault('sf:SERVER_UNAVAILABLE', `SERVER_UNAVAILABLE: Service Unavailable, ${evil}`, 503);
    });
    try {
      const run = await runJwt(org, { package: 'false', 'dev-hub-login-url': proxy.url });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.ok(failed, 'the proxy answered with the hostile text');
      assert.match(run.stdout, /transient failure .*busy\\r::stop-commands::pwned/);
      assertNoForgedCommand(run);
      assert.ok(
        run.stdout.includes(`::add-mask::${consumerOf(org)!.key}`),
        'the consumer key was masked after the hostile line',
      );
      assertNoLeaks(run, secretsOf(org));
    } finally {
      await proxy.close();
    }
  });

  it("7. a failure message cannot leave the summary's CAUTION block or add Markdown", async () => {
    const proxy = await startHostileProxy(org.loginUrl, (seen) =>
      isList(seen)
        ? soapFault(
            'sf:INVALID_TYPE',
            'INVALID_TYPE: refused\r# Owned **bold** _it_ [x](https://evil.example)\r\n> [!NOTE]',
            400,
          )
        : undefined,
    );
    try {
      const run = await runJwt(org, { package: 'false', 'dev-hub-login-url': proxy.url });
      assert.equal(run.code, 1);
      // The block leads the summary and ends at the first blank line; the hostile text is in it and nowhere after.
      const lines = run.summary.split('\n');
      const start = lines.indexOf('> [!CAUTION]');
      assert.ok(start >= 0 && start < 10, run.summary);
      const end = lines.indexOf('', start);
      const block = lines.slice(start, end);
      assert.ok(block.length >= 2, run.summary);
      for (const line of block) assert.ok(line.startsWith('>'), `a line outside the block: ${JSON.stringify(line)}`);
      assert.ok(!lines.slice(end).some((l) => /Owned/.test(l)), 'the message stays inside the block');
      assert.ok(!/[\r\u2028\u2029\u0085]/.test(block.join('\n')));
      const text = block.join('\n');
      assert.match(text, /\\# Owned \\\*\\\*bold\\\*\\\* \\_it\\_ \\\[x\\\]/);
      assertNoForgedCommand(run);
    } finally {
      await proxy.close();
    }
  });
});

// ===========================================================================================================
// 2. Each part of an auth URL, and the SOQL form of the installation key, is masked

describe('2. auth-URL parts and the installation key', () => {
  it('a refused refresh that echoes only the refresh token does not print it', async () => {
    const refresh = /::([^@]+)@/.exec(org.scratchAuthUrl)![1]!;
    // The Dev Hub's JWT login is the first token call; the install target's refresh the second.
    org.faults.fail('oauth.token', { nth: 2, status: 400, message: `expired access/refresh token ${refresh}` });
    try {
      const run = await runJwt(org, { 'install-target': org.scratchAuthUrl });
      assert.equal(run.code, 1);
      assert.match(
        run.stdout,
        /Could not log in to the install target with its auth URL: .*expired access\/refresh token \*\*\*/,
      );
      assert.ok(run.stdout.includes(`::add-mask::${refresh}`));
      assertNoLeaks(run, secretsOf(org));
    } finally {
      org.faults.clear();
    }
  });

  it('an org error that quotes the SOQL-escaped installation key does not print it', async () => {
    const key = "it's a \\ key";
    const soql = "it\\'s a \\\\ key";
    // On the install request: a 400 there fails at once (the version query's UNKNOWN_EXCEPTION means "not yet").
    org.faults.fail('tooling.packageInstallRequest.create', {
      status: 400,
      message: `MALFORMED_QUERY: InstallationKey = '${soql}'`,
    });
    const run = await runJwt(org, { 'install-target': org.scratchAuthUrl, 'installation-key': key });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /MALFORMED_QUERY: InstallationKey = '\*\*\*'/);
    assertNoLeaks(run, [
      ...secretsOf(org),
      { what: 'the installation key', value: key },
      { what: 'the SOQL-escaped installation key', value: soql },
    ]);
  });

  it('the leak scan looks for each part of an auth URL', () => {
    assert.ok(
      needles('force://3MVG9clientIdclientId:S3cr3tS3cr3t:5Aep861refreshrefresh@acme.my.salesforce.com').includes(
        'S3cr3tS3cr3t',
      ),
    );
    assert.ok(!needles(org.devHubAuthUrl).includes('PlatformCLI'));
  });
});
