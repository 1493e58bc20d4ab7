// Security, third round: everything an org answers is untrusted input. The bundle run as the runner runs it,
// against the fake org behind hostile proxies that rewrite its answers (ids carrying shell or SOQL text, a look-alike
// app, an echoed assertion, a lagging list), and against hostile inputs and environments.
// Each test has a fake org of its own, so none depends on what another left in it.
import { test, beforeEach, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { selfSigned } from '../../fake-org/certs.ts';
import { stateOf } from '../../fake-org/packaging-state.ts';
import { runAction, type ActionRun } from '../helpers/run-action.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';
import { APP, consumerOf, fakeEnv, jwtInputs, runJwt, secretsOf } from '../helpers/fake-env.ts';
import { startCatcher, startHostileProxy, startTokenEndpoint, type Seen } from '../helpers/hostile.ts';
import { saveCliLogins } from '../helpers/sf-cli.ts';

let org: FakeOrg;
beforeEach(async () => {
  org = await startFakeOrg();
});
afterEach(async () => {
  await org.close();
});

const BASE = { clients: 'cursor', 'contact-email': 'ops@example.com' };
const SHELL = '$(touch /tmp/eca-pwned)';
/** require-secret with the default clients, which are desktop ones. */
const SECRET = { 'require-secret': 'true', 'allow-secret-for-desktop': 'true' };
/** The SOQL a query carried (Tooling and REST put it in ?q=). */
const soqlOf = (seen: Seen): string => {
  const q = /[?&]q=([^&]*)/.exec(seen.path)?.[1];
  return q ? decodeURIComponent(q.replace(/\+/g, ' ')) : '';
};

// ===========================================================================================================
// 1. Ids, version numbers and URLs the org answers are checked before any use

describe('1. ids and numbers from the org', () => {
  it('a package version id answered as 04t…\\n<shell> reaches no output, no SOQL and no URL', async () => {
    const proxy = await startHostileProxy(org.loginUrl, () => undefined, {
      rewrite: (seen, _status, body) =>
        /FROM Package2VersionCreateRequest/.test(soqlOf(seen))
          ? body.replace(/"SubscriberPackageVersionId":"(04t\w+)"/g, `"SubscriberPackageVersionId":"$1\\n${SHELL}"`)
          : undefined,
    });
    try {
      const run = await runAction({
        inputs: jwtInputs(org, { 'dev-hub-login-url': proxy.url, 'install-target': org.scratchAuthUrl }),
        env: fakeEnv(org),
      });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stdout,
        /The org answered the package version id of request 08c\w+ with a value that is not a 04t… record id .*not of an input/,
      );
      for (const name of ['package-version-id', 'install-url', 'package-version-number'])
        assert.equal(run.outputs[name], undefined, name);
      assert.ok(!run.stdout.includes(SHELL) && !run.summary.includes(SHELL), 'the injected text was printed');
      // The install target was never asked about it.
      assert.equal(org.log.filter((e) => e.org === org.ctx.scratch.orgId && /packageInstall/i.test(e.route)).length, 0);
    } finally {
      await proxy.close();
    }
  });

  it("a package id answered with SOQL text (0Ho…' OR Id != ') is not put into a query", async () => {
    const proxy = await startHostileProxy(org.loginUrl, () => undefined, {
      rewrite: (seen, _status, body) =>
        /FROM Package2\b/.test(soqlOf(seen)) || /\/tooling\/sobjects\/Package2\/?$/.test(seen.path.split('?')[0]!)
          ? body.replace(/"(Id|id)":"(0Ho\w+)"/g, `"$1":"$2' OR Id != '"`)
          : undefined,
    });
    try {
      const run = await runJwt(org, { 'dev-hub-login-url': proxy.url });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stdout,
        /The org answered the id of (the new )?package \S+ with a value that is not a 0Ho… record id/,
      );
      assert.equal(run.outputs['package-id'], undefined);
      for (const s of proxy.seen) assert.ok(!soqlOf(s).includes("OR Id != ''"), `an injected query: ${soqlOf(s)}`);
    } finally {
      await proxy.close();
    }
  });

  it('an app identifier from /apps/oauth/usage that is not an id never becomes a URL path', async () => {
    const proxy = await startHostileProxy(org.loginUrl, () => undefined, {
      rewrite: (seen, _status, body) =>
        /\/apps\/oauth\/usage/.test(seen.path)
          ? body.replace(/"identifier":"(\w+)"/g, '"identifier":"$1/../../../sobjects/User"')
          : undefined,
    });
    try {
      const run = await runJwt(org, { 'dev-hub-login-url': proxy.url, package: 'false', ...SECRET });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stdout,
        /The org answered the id of MCP_Client_App in \/apps\/oauth\/usage with a value that is not a record id/,
      );
      assert.equal(run.outputs['consumer-secret'], undefined);
      assert.ok(!proxy.seen.some((s) => /sobjects\/User|\.\./.test(s.path)), 'the identifier became a path');
    } finally {
      await proxy.close();
    }
  });

  it('an instance URL that is not an org host is not used', async () => {
    const proxy = await startHostileProxy(org.loginUrl, () => undefined, {
      rewrite: (seen, _status, body) =>
        seen.path.startsWith('/services/oauth2/token')
          ? body.replace(/"instance_url":"([^"]+)"/, '"instance_url":"$1/x?\\n::stop-commands::y"')
          : undefined,
    });
    try {
      const run = await runJwt(org, { 'dev-hub-login-url': proxy.url, package: 'false' });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stdout,
        /::error::eca-action failed: The org answered the dev hub's instance URL with a value that is not an https URL of a Salesforce domain/,
      );
      assert.doesNotMatch(run.stdout, /Connected to Dev Hub/);
      assert.doesNotMatch(run.stdout, /stop-commands::y/);
    } finally {
      await proxy.close();
    }
  });
});

// ===========================================================================================================
// 2. Nothing shaped like a JWT is printed

test('2. a token endpoint that echoes the signed assertion does not get it printed (log, annotation, summary)', async () => {
  let assertion = '';
  const endpoint = await startTokenEndpoint(400, (seen: Seen) => {
    assertion = new URLSearchParams(seen.body).get('assertion') ?? '';
    return {
      error: 'invalid_grant',
      error_description: `bad assertion ${assertion} (${encodeURIComponent(assertion)})`,
    };
  });
  try {
    const run = await runJwt(org, { package: 'false', 'dev-hub-login-url': endpoint.url });
    assert.equal(run.code, 1);
    assert.ok(assertion.startsWith('eyJ'), 'the endpoint saw an assertion');
    const [header, payload] = assertion.split('.');
    for (const [where, text] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
      ['summary', run.summary],
    ] as const) {
      assert.ok(!text.includes(payload!), `the assertion's payload was printed in ${where}`);
      assert.ok(!text.includes(`${header}.`), `the assertion's header was printed in ${where}`);
    }
    assert.match(run.stdout, /bad assertion \*\*\*/);
  } finally {
    await endpoint.close();
  }
});

// ===========================================================================================================
// 3. The installation key in every form it takes on the wire, with the libraries' debug logs on

test('3. the installation key does not show in jsforce or fetch debug logs, in any encoding', async () => {
  const key = "it's a k&y+/=%~*(x) \\ <z>";
  const soql = key.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const forms = new Set<string>();
  for (const base of [key, soql]) {
    forms.add(base);
    forms.add(encodeURIComponent(base));
    forms.add(encodeURIComponent(base).replace(/%20/g, '+'));
    forms.add(new URLSearchParams({ v: base }).toString().slice(2));
    forms.add(JSON.stringify(base).slice(1, -1));
  }
  const run = await runAction({
    inputs: jwtInputs(org, { 'install-target': org.scratchAuthUrl, 'installation-key': key }),
    env: fakeEnv(org, { JSFORCE_LOG_LEVEL: 'DEBUG', NODE_DEBUG: 'fetch', SF_LOG_LEVEL: 'debug' }),
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Installed 04t\w+; the target org lists it/);
  assert.match(run.stderr, /fetch|DEBUG|jsforce/i, 'the libraries wrote debug logs');
  // The libraries write their debug logs themselves, past the action's line writer: what protects the key there is
  // the runner's masking, which replaces each string registered with ::add-mask:: (as the runner does, here).
  assertNoLeaks(asTheRunnerShowsIt(run), [
    ...secretsOf(org),
    ...[...forms].map((value) => ({ what: `the installation key as ${JSON.stringify(value)}`, value })),
  ]);
});

/** The run's output as the runner shows it: every registered mask applied, longest first, line by line. */
function asTheRunnerShowsIt(run: ActionRun): ActionRun {
  const masks = [...`${run.stdout}\n${run.stderr}`.matchAll(/^::add-mask::(.*)$/gm)]
    // A command's data is escaped (@actions/core escapeData): % as %25, CR and LF as %0D and %0A.
    .map((m) => m[1]!.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
    .filter((m) => m.length > 0)
    .sort((a, b) => b.length - a.length);
  const apply = (text: string): string =>
    text
      .split('\n')
      .map((line) => (line.startsWith('::add-mask::') ? line : masks.reduce((l, m) => l.split(m).join('***'), line)))
      .join('\n');
  return { ...run, stdout: apply(run.stdout), stderr: apply(run.stderr) };
}

// ===========================================================================================================
// 4. The consumer secret published is this app's, or none

describe('4. a look-alike app in /apps/oauth/usage', () => {
  const lookAlike = {
    id: '0xI000000000999AAA',
    consumer: '888000000000999AAA',
    key: `3MVG9${'L'.repeat(80)}`,
    secret: 'B'.repeat(64),
  };
  /** The proxy answers for the look-alike app itself; `replace` lists it instead of the real one. */
  const withLookAlike = (replace: boolean) =>
    startHostileProxy(
      org.loginUrl,
      (seen) => {
        if (seen.path.includes(`/apps/oauth/credentials/${lookAlike.id}/${lookAlike.consumer}`))
          return {
            status: 200,
            body: JSON.stringify({ id: lookAlike.consumer, key: lookAlike.key, secret: lookAlike.secret }),
          };
        if (seen.path.includes(`/apps/oauth/credentials/${lookAlike.id}`))
          return { status: 200, body: JSON.stringify({ consumers: [{ id: lookAlike.consumer }] }) };
        return undefined;
      },
      {
        rewrite: (seen, _status, body) => {
          if (!/\/apps\/oauth\/usage/.test(seen.path)) return undefined;
          const usage = JSON.parse(body) as { apps?: unknown[] };
          const fake = { developerName: `evil__${APP}`, identifier: lookAlike.id, label: 'MCP Client App' };
          usage.apps = replace ? [fake] : [fake, ...(usage.apps ?? [])];
          return JSON.stringify(usage);
        },
      },
    );

  it("listed before this app: this app's own secret is published", async () => {
    const proxy = await withLookAlike(false);
    try {
      const run = await runJwt(org, { 'dev-hub-login-url': proxy.url, package: 'false', ...SECRET });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs['consumer-secret'], consumerOf(org)!.secret);
      assertNoLeaks(run, [...secretsOf(org), { what: "the look-alike's secret", value: lookAlike.secret }]);
    } finally {
      await proxy.close();
    }
  });

  it('listed alone: its key differs from the one retrieved with the app, so no secret is published', async () => {
    const proxy = await withLookAlike(true);
    try {
      const run = await runJwt(org, { 'dev-hub-login-url': proxy.url, package: 'false', ...SECRET });
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, /carry another consumer key than the one retrieved with the app's metadata/);
      assert.equal(run.outputs['consumer-secret'], undefined);
      assert.ok(!run.outputs['consumer-key'] || run.outputs['consumer-key'] === consumerOf(org)!.key);
      assertNoLeaks(run, [
        ...secretsOf(org),
        { what: "the look-alike's secret", value: lookAlike.secret },
        { what: "the look-alike's key", value: lookAlike.key },
      ]);
    } finally {
      await proxy.close();
    }
  });
});

// ===========================================================================================================
// 5. output-dir through a link in a parent folder

test('5. an output-dir below a symbolic link in a parent folder is refused, nothing written through it', async () => {
  const base = mkdtempSync(join(tmpdir(), 'eca-sec3-'));
  const outside = join(base, 'outside');
  mkdirSync(outside);
  symlinkSync(outside, join(base, 'docs'));
  const run = await runAction({
    inputs: { ...BASE, 'dry-run': 'true', 'output-dir': join(base, 'docs', 'eca') },
  });
  assert.equal(run.code, 1, run.stdout);
  assert.match(
    run.stdout,
    /::error title=Input output-dir::output-dir: .*docs, a folder on the way to .* is a symbolic link/,
  );
  assert.deepEqual(readdirSync(outside), [], 'something was written through the link');
});

// ===========================================================================================================
// 6. NODE_TLS_REJECT_UNAUTHORIZED=0

describe('6. NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', () => {
  it('no credential is sent to a host other than this machine; the error names the variable', async () => {
    const run = await runAction({
      inputs: jwtInputs(org, { package: 'false', 'dev-hub-login-url': 'https://login.salesforce.com' }),
      env: fakeEnv(org, { NODE_TLS_REJECT_UNAUTHORIZED: '0' }),
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: TLS certificates are not checked/,
    );
    assert.match(run.stdout, /Nothing was sent\./);
  });

  it('a local run against this machine still works', async () => {
    const run = await runAction({
      inputs: jwtInputs(org, { package: 'false' }),
      env: fakeEnv(org, { NODE_TLS_REJECT_UNAUTHORIZED: '0' }),
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });
});

// ===========================================================================================================
// 7. Smaller ones

test('7. the network guard covers a dev-hub: <alias> login: its session goes nowhere but org hosts', async () => {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'eca-runner-'));
  const home = join(runnerTemp, 'home');
  mkdirSync(home);
  const savedHome = process.env.HOME;
  const catcher = await startCatcher();
  try {
    await saveCliLogins(home, org, { hub: 'hub', scratch: 'scratch' });
    // A login file whose instance URL names another host (planted, or written by a hostile token endpoint).
    const file = join(home, '.sfdx', `${org.username}.json`);
    const auth = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    auth['instanceUrl'] = catcher.url;
    writeFileSync(file, JSON.stringify(auth));
    const run = await runAction({
      runnerTemp,
      inputs: { ...BASE, 'dev-hub': 'hub', package: 'false' },
      env: fakeEnv(org),
    });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(catcher.seen.length, 0, `the other host was sent ${catcher.seen.length} request(s)`);
    assert.equal(catcher.tokens.size, 0);
  } finally {
    process.env.HOME = savedHome;
    await catcher.close();
  }
});

test('7. an install-request list that lags behind a lost POST does not make a second install request', async () => {
  const tls = await selfSigned('127.0.0.1', { server: true });
  const caFile = join(mkdtempSync(join(tmpdir(), 'eca-ca-')), 'ca.pem');
  writeFileSync(caFile, `${org.caCertPem}\n${tls.certificatePem}`);
  let posts = 0;
  let hidden = 0;
  const proxy = await startHostileProxy(org.url.replace('http:', 'https:'), () => undefined, {
    tls,
    // The first install POST is carried out, its answer lost; the next two reads of the list do not show it yet.
    lose: (seen) => seen.method === 'POST' && /\/sobjects\/PackageInstallRequest\/?$/.test(seen.path) && ++posts === 1,
    rewrite: (seen) => {
      if (!/FROM PackageInstallRequest WHERE SubscriberPackageVersionKey/.test(soqlOf(seen)) || hidden >= 2)
        return undefined;
      hidden++;
      return JSON.stringify({
        size: 0,
        totalSize: 0,
        done: true,
        records: [],
        entityTypeName: 'PackageInstallRequest',
      });
    },
  });
  try {
    const port = new URL(proxy.url).port;
    const target = org.scratchAuthUrl.replace(/@127\.0\.0\.1:\d+$/, `@127.0.0.1:${port}`);
    const run = await runAction({
      inputs: jwtInputs(org, { 'install-target': target }),
      env: { NODE_EXTRA_CA_CERTS: caFile },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(hidden, 2, 'the list lagged twice');
    assert.equal(
      org.log.filter((e) => e.route === 'tooling.packageInstallRequest.create').length,
      1,
      'one install POST: the lost one',
    );
    assert.equal(stateOf(org.ctx.scratch).installRequests.size, 1, 'one install request in the target org');
    assert.match(run.stdout, /Install request 0Hf\w+ of this run was accepted before the failure/);
  } finally {
    await proxy.close();
  }
});

test('7. hardening: strict with refresh-token-rotation: false is refused, not silently weakened', async () => {
  const run = await runAction({
    inputs: { ...BASE, 'dry-run': 'true', hardening: 'strict', 'refresh-token-rotation': 'false' },
  });
  assert.equal(run.code, 1, run.stdout);
  assert.match(
    run.stdout,
    /::error title=Input refresh-token-rotation::refresh-token-rotation: false turns off refresh token rotation, which hardening: strict requires/,
  );
});

test('7. a package-version-number part beyond an int is refused before any org call', async () => {
  for (const value of ['9007199254740993.0.0.NEXT', '1.2147483648.0.NEXT', '1.0.0.99999999999']) {
    const requests = org.log.length;
    const run = await runJwt(org, { 'package-version-number': value });
    assert.equal(run.code, 1, value);
    assert.match(
      run.stdout,
      /::error title=Input package-version-number::package-version-number: .* has a part that is not a whole number from 0 to 2147483647/,
      value,
    );
    assert.match(run.stdout, /nothing was sent to any org/);
    assert.equal(org.log.length, requests, `${value}: a request was sent`);
  }
  assert.equal(existsSync('/tmp/eca-pwned'), false);
});
