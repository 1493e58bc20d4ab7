import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { buildSummary, code, escapeMarkdown } from '../src/summary.ts';
import type { SummaryInput, SummaryOutputs } from '../src/summary.ts';
import { planApp } from '../src/plan.ts';
import { planOf, settingsOf, type Inputs } from './helpers/inputs.ts';
import type { AppPlan } from '../src/model.ts';

const plan = (overrides: Inputs = {}): AppPlan => planOf(overrides);
const DONE: SummaryOutputs = {
  callbackUrls: [],
  metadataDir: '/runner/temp/eca-action',
  packageId: '0Ho000000000001AAA',
  packageVersionId: '04t000000000001AAA',
  packageVersionNumber: '1.0.0.1',
  installUrl: 'https://login.salesforce.com/packaging/installPackage.apexp?p0=04t000000000001AAA',
  secretStored: 'SALESFORCE_MCP_CLIENT_ID',
  consumerKeySet: true,
  consumerSecretSet: false,
};
const HUB = {
  username: 'admin@hub.example.com',
  instanceUrl: 'https://hub.my.salesforce.com',
  orgType: 'developer' as const,
};
const summary = (p: AppPlan, more: Partial<SummaryInput> = {}, outputs: Partial<SummaryOutputs> = {}): string =>
  buildSummary({
    plan: p,
    dryRun: false,
    devHub: HUB,
    ...more,
    outputs: { ...DONE, callbackUrls: p.callbackUrls, ...outputs },
  });

/** Rows of the Markdown table that starts after `heading`, split into cells the way GFM does. */
function tableRows(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  const start = lines.indexOf(heading);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|'))
      rows.push(
        line
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((c) => c.trim()),
      );
    else if (rows.length > 0) break;
  }
  return rows.slice(2); // header and separator
}

describe('buildSummary', () => {
  const full = plan({
    clients: 'claude,cursor,vscode,chatgpt,postman,postman-web,mcp-inspector,custom',
    'callback-urls': 'https://chatgpt.com/connector/oauth/abc\nhttps://my.example.com/cb',
    hardening: 'recommended',
    'permission-set': 'MCP_Users',
    'ip-ranges': '203.0.113.0-203.0.113.255',
    'single-logout-url': 'https://client.example.com/logout',
  });
  const md = summary(full);

  it('has a table row for every setting of the plan', () => {
    const rows = tableRows(md, '### Settings');
    assert.equal(rows.length, full.report.length);
    for (const [i, r] of full.report.entries()) {
      assert.equal(rows[i]!.length, 4, `row ${i} has ${rows[i]!.length} cells`);
      assert.equal(rows[i]![0], escapeMarkdown(r.setting));
      assert.equal(rows[i]![1], escapeMarkdown(r.value));
    }
    assert.match(md, /\| Refresh token validity \| 30 days \| \*\*hardened\*\* \|/);
    assert.match(md, /No setting is weaker than the procedure's secure baseline/);
  });

  it('calls out weaker settings', () => {
    const weak: AppPlan = {
      ...full,
      report: full.report.map((r) => (r.setting === 'Require PKCE' ? { ...r, value: 'off', level: 'weaker' } : r)),
    };
    const out = summary(weak);
    assert.match(out, /\| Require PKCE \| off \| ⚠️ \*\*weaker\*\* \|/);
    assert.match(out, /> \[!WARNING\]\n> This setting is weaker than the procedure's secure baseline: Require PKCE\./);
    assert.doesNotMatch(out, /No setting is weaker/);
  });

  it('lists the callback URLs with their clients', () => {
    assert.match(md, /- `https:\/\/claude\.ai\/api\/mcp\/auth_callback` \(Claude \(claude\.ai, Claude Desktop\)\)/);
    assert.match(md, /- `https:\/\/my\.example\.com\/cb` \(callback-urls\)/);
    for (const url of full.callbackUrls) assert.ok(md.includes(code(url)), url);
  });

  it('has a section per chosen client saying where the client id goes, never the key', () => {
    for (const c of full.clients) assert.ok(md.includes(`#### ${escapeMarkdown(c.label)}`), c.label);
    assert.match(
      md,
      /Advanced settings and paste the `consumer-key` output of this step \(also in the secret `SALESFORCE_MCP_CLIENT_ID`\) as \*\*OAuth Client ID\*\*/,
    );
    assert.match(md, /"auth": \{ "CLIENT_ID": "<consumer key>" \}/);
    assert.match(md, /Authorization Code \(With PKCE\)/);
    assert.match(md, /VS Code asks for a client ID/);
    const only = summary(plan({ clients: 'cursor' }));
    assert.ok(only.includes('#### Cursor'));
    assert.ok(!only.includes('#### Claude'));
    assert.ok(!only.includes('#### VS Code'));
  });

  it('mentions the secret only when the app requires it', () => {
    assert.doesNotMatch(md, /consumer-secret/);
    const secret = summary(plan({ clients: 'claude', 'require-secret': 'true' }), {}, { consumerSecretSet: true });
    assert.match(
      secret,
      /The consumer secret is in the `consumer-secret` output \(also in the secret `SALESFORCE_MCP_CLIENT_ID_SECRET`\)/,
    );
    assert.match(secret, /\*\*OAuth Client Secret\*\*/);
  });

  it('gives the MCP server URL patterns and the activation step', () => {
    assert.ok(md.includes('`https://api.salesforce.com/platform/mcp/v1/platform/<server>`'));
    assert.ok(md.includes('`https://api.salesforce.com/platform/mcp/v1/sandbox/platform/<server>`'));
    assert.match(md, /Production or Developer Edition ← this Dev Hub/);
    assert.match(md, /`sobject-all`/);
    assert.match(md, /Setup → MCP Servers/);
  });

  it('gives the package results and the scratch-org install command', () => {
    assert.match(md, /\| Version id \(install this\) \| `04t000000000001AAA` \|/);
    assert.match(
      md,
      /```sh\nsf package install --package 04t000000000001AAA --target-org <scratch-org> --wait 10\n```/,
    );
    assert.match(md, /If the version was created with an `installation-key`, add `--installation-key "\$KEY"`/);
    assert.match(summary(full, {}, { installationKeySet: true }), /protected by the `installation-key` input/);
    assert.match(
      summary(full, {}, { installationKeySet: false }),
      /no installation key: anyone who has its id can install it/,
    );
    assert.doesNotMatch(summary(plan({ package: 'false' })), /### Package/);
  });

  it('never prints an unexpected id into the shell command', () => {
    const out = summary(full, {}, { packageVersionId: '04t; rm -rf ~' });
    assert.match(out, /--package <package-version-id> /);
  });

  it('has the propagation delay and the single-logout and metadata caveats', () => {
    assert.match(md, /up to 30 minutes/);
    assert.match(md, /invalid_client_id/);
    assert.match(md, /Single logout is on because a logout URL is set .*the URL is the switch/);
    assert.match(summary(plan()), /Single logout is off\. The platform has no single-logout on\/off switch/);
    assert.match(md, /never packaged/);
    assert.match(md, /OAuth policies .* apply only in the org where they are set/);
  });

  it('lists the plan warnings', () => {
    for (const w of full.warnings) assert.ok(md.includes(`- ${escapeMarkdown(w)}`), w);
  });

  it('dry run: says nothing was sent and where the project is', () => {
    const out = buildSummary({
      plan: full,
      dryRun: true,
      outputs: {
        callbackUrls: full.callbackUrls,
        metadataDir: '/tmp/out',
        consumerKeySet: false,
        consumerSecretSet: false,
      },
    });
    assert.match(out, /\*\*Dry run:\*\* nothing was sent to any org/);
    assert.match(out, /The generated SFDX project \(what a real run deploys\) is in `\/tmp\/out`\./);
    assert.doesNotMatch(out, /### Connect your MCP clients/, 'no connect steps for an app that does not exist');
    assert.doesNotMatch(out, /sf package install/);
  });

  it('a run that stopped early says so instead of pointing at missing outputs', () => {
    const out = buildSummary({
      plan: full,
      dryRun: false,
      outputs: { callbackUrls: [], consumerKeySet: false, consumerSecretSet: false },
    });
    assert.match(out, /The consumer key was not read/);
    assert.match(out, /No package version was created/);
    for (const url of full.callbackUrls) assert.ok(out.includes(code(url)));
  });
});

describe('buildSummary: escaping and secrets', () => {
  const hostile = 'Evil | col\n## heading `code` <script>alert(1)</script> [link](javascript:alert(1)) *bold* &amp;';
  const base = plan();
  const p: AppPlan = {
    ...base,
    label: hostile,
    report: [...base.report, { setting: hostile, value: hostile, level: 'baseline', note: hostile }],
    warnings: [hostile],
    clients: base.clients.map((c) => ({ ...c, label: hostile })),
  };
  const md = summary(p, { devHub: { ...HUB, username: 'a|b`c<d>' } }, { secretStored: 'X|Y`Z' });

  it('keeps every table row to its four cells', () => {
    for (const row of tableRows(md, '### Settings')) assert.equal(row.length, 4);
  });

  it('lets no markup through', () => {
    assert.doesNotMatch(md, /<script>/);
    assert.doesNotMatch(md, /(?<!\\)\]\(javascript:/); // the ] is escaped, so no link
    assert.doesNotMatch(md, /\n## heading/);
    assert.ok(md.includes('&amp;amp;')); // '&' is always encoded, so no entity survives
    assert.doesNotMatch(md, /[^\\]\*bold\*/);
    for (const line of md.split('\n')) if (line.includes('Evil')) assert.doesNotMatch(line, /(?<!\\)\|(?= col)/);
  });

  it('escapeMarkdown and code()', () => {
    assert.equal(escapeMarkdown('a|b\nc`d<e>[f]&_*'), 'a\\|b c\\`d&lt;e&gt;\\[f\\]&amp;\\_\\*');
    assert.equal(escapeMarkdown('x\r\ny\u0000z\u202E'), 'x yz');
    assert.equal(code('a|b'), '`a\\|b`');
    assert.equal(code('has `tick`'), '`` has `tick` ``');
    assert.equal(code('line\nbreak'), '`line break`');
  });

  it('contains no secret: the plan carries none, and the summary receives none', () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const token = 'github_pat_SECRET_TOKEN_VALUE_123456';
    const authUrl = 'force://PlatformCLI::5AepSECRETREFRESH@scratch.my.salesforce.com';
    const s = settingsOf({
      'dev-hub': '',
      'dev-hub-username': 'ci@hub.example.com',
      'dev-hub-client-id': '3MVG9CICLIENTID',
      'dev-hub-jwt-key': key,
      'installation-key': 'INSTALL_KEY_SECRET',
      'install-target': authUrl,
      'github-token': token,
      'secret-name': 'MCP_KEY',
      'require-secret': 'true',
    });
    const p2 = planApp(s);
    const out = buildSummary({
      plan: p2,
      dryRun: false,
      devHub: HUB,
      outputs: { ...DONE, secretStored: 'MCP_KEY', consumerKeySet: true, consumerSecretSet: true },
    });
    const everything = JSON.stringify(p2) + out;
    for (const secret of [token, 'INSTALL_KEY_SECRET', '5AepSECRETREFRESH', key.split('\n')[3]!])
      assert.ok(!everything.includes(secret), secret);
    assert.match(out, /It is masked and not shown here/);
  });
});

describe('buildSummary: what a person needs at the end', () => {
  const p = plan();
  it('says whether the version was built or reused, and that reuse used no daily creation', () => {
    assert.match(summary(p, {}, { packageVersionCreated: true }), /\| Built by this run \| yes \|/);
    const reused = summary(p, {}, { packageVersionCreated: false });
    assert.match(
      reused,
      /\| Built by this run \| no: reused, built earlier from the same package content and settings \(`new-version: when-changed`\); no version was created/,
    );
    assert.equal(
      tableRows(reused, '### Package').find((r) => r[0] === 'Built by this run')?.length,
      2,
      'one cell, no stray pipe',
    );
  });

  it('explains the beta install link and gives the scratch-org way', () => {
    const md = summary(
      p,
      {},
      { installUrl: 'https://test.salesforce.com/packaging/installPackage.apexp?p0=04t000000000001AAA' },
    );
    assert.match(
      md,
      /\| Install link \(sandbox login\) \| `https:\/\/test\.salesforce\.com\/packaging\/installPackage\.apexp\?p0=04t000000000001AAA` \|/,
    );
    assert.match(
      md,
      /\*\*beta\*\*: it installs only into scratch orgs and sandboxes, not into production or Developer Edition orgs/,
    );
    assert.match(
      md,
      /`sf org open --target-org <scratch-org> --path \/packaging\/installPackage\.apexp\?p0=04t000000000001AAA`/,
    );
  });

  it('says where to read the masked consumer key: Setup in the Dev Hub, and the sf command', () => {
    const md = summary(p);
    assert.match(
      md,
      /Setup → Quick Find `External` → \*\*External Client App Manager\*\* → `MCP_Client_App` → \*\*Settings\*\* tab → \*\*OAuth Settings\*\* → \*\*Consumer Key and Secret\*\*/,
    );
    assert.match(
      md,
      /sf project retrieve start --metadata ExtlClntAppGlobalOauthSettings:MCP_Client_App_glbloauth --target-org <dev-hub>/,
    );
    assert.match(md, /do not commit it/);
    assert.doesNotMatch(
      summary(p, {}, { consumerKeySet: false }),
      /Consumer Key and Secret/,
      'only once the key exists',
    );
  });
});

describe("summary: Salesforce's security controls", () => {
  it('shows per control whether the app meets it, and which ones no app metadata sets', async () => {
    const { readSettings } = await import('../src/settings.ts');
    const { planApp } = await import('../src/plan.ts');
    const { buildSummary } = await import('../src/summary.ts');
    const make = (hardening: string) => {
      const inputs: Record<string, string> = {
        clients: 'claude',
        'contact-email': 'ops@example.com',
        'dry-run': 'true',
        hardening,
        'permission-set': 'MCP_Users',
      };
      const plan = planApp(readSettings((n) => inputs[n] ?? '', {}));
      return buildSummary({
        plan,
        dryRun: true,
        outputs: { callbackUrls: plan.callbackUrls, consumerKeySet: false, consumerSecretSet: false },
      });
    };
    const baseline = make('baseline');
    assert.match(baseline, /### Salesforce's security controls/);
    assert.match(baseline, /\| Require PKCE \(partner requirement\) \| ✅ met \|/);
    assert.match(baseline, /\| Enable Refresh Token Rotation \(partner requirement\) \| ❌ not met \|/);
    assert.match(baseline, /\| Limit the Idle Refresh Token TTL to 30 days \(partner requirement\) \| ❌ not met \|/);
    assert.match(
      baseline,
      /\| Issue access tokens in access\\_token parameter \(the procedure: off\) \| set in Setup \(no app metadata\) \| no metadata field exists for it/,
    );
    const strict = make('strict');
    assert.match(strict, /\| Enable Refresh Token Rotation \(partner requirement\) \| ✅ met \|/);
    assert.match(strict, /\| Limit the Idle Refresh Token TTL to 30 days \(partner requirement\) \| ✅ met \|/);
    assert.match(strict, /\| High-assurance session at sign-in \| ✅ met \|/);
    assert.match(strict, /\| OAuth Scope Least Privilege \| ✅ met \|/);
  });
});

describe('buildSummary: the outcome first', () => {
  const p = plan({ clients: 'claude,postman' });
  const head = (md: string, n = 10): string => md.split('\n').slice(0, n).join('\n');
  const firstTable = (md: string): number => md.split('\n').findIndex((l) => l.startsWith('|'));
  const outcomeLine = (md: string, re: RegExp): number => md.split('\n').findIndex((l) => re.test(l));

  it('a good run: created, version built, installed, key stored, usable: before any table', () => {
    const md = summary(
      p,
      { devHub: undefined },
      {
        devHub: HUB,
        appExisted: false,
        deployed: true,
        packageVersionCreated: true,
        installTarget: { username: 'test-abc@example.com', instanceUrl: 'https://scratch.scratch.my.salesforce.com' },
        installed: 'installed',
        consumerKeyLast4: 'Wxyz',
        variableStored: 'SF_MCP_CLIENT_ID (repository acme/mcp)',
      },
    );
    const top = head(md);
    assert.match(
      top,
      /\*\*Created\*\* the app `MCP_Client_App` in the Dev Hub `admin@hub\.example\.com` \(https:\/\/hub\.my\.salesforce\.com\)/,
    );
    assert.match(top, /Package version `1\.0\.0\.1` \(`04t000000000001AAA`\) \*\*built\*\* by this run/);
    assert.match(top, /\*\*Installed\*\* into the install target `test-abc@example\.com`/);
    assert.match(
      top,
      /Consumer key ending in `…Wxyz`: in the masked `consumer-key` output, the secret `SALESFORCE_MCP_CLIENT_ID`, the variable `SF_MCP_CLIENT_ID/,
    );
    assert.match(top, /\*\*Usable:\*\* not checked/);
    for (const re of [/Created/, /built/, /Installed/, /Consumer key ending/, /Usable/])
      assert.ok(outcomeLine(md, re) < firstTable(md), `${re} before any table`);
    assert.match(md, /<details><summary>Settings/);
    assert.ok(md.indexOf('<details>') < md.indexOf('### Settings'), 'the settings table is folded');
  });

  it('a rerun: updated, version reused, already installed, usable', () => {
    const md = summary(
      p,
      {},
      {
        appExisted: true,
        deployed: true,
        packageVersionCreated: false,
        installTarget: { username: 't@x.com', instanceUrl: 'https://t.my.salesforce.com' },
        installed: 'already',
        usable: true,
      },
    );
    const top = head(md);
    assert.match(top, /\*\*Updated\*\* the app/);
    assert.match(
      top,
      /\*\*reused\*\*: built earlier from the same content and settings; no daily version creation was used/,
    );
    assert.match(top, /Already installed in the install target `t@x\.com`/);
    assert.match(top, /\*\*Usable:\*\* the orgs accepted the consumer key/);
  });

  it('no install target: says the version was not installed anywhere', () => {
    assert.match(head(summary(p, {}, { deployed: true })), /Not installed into any org: no `install-target` was given/);
  });

  it('Postman and the other clients get the real My Domain URLs', () => {
    const md = summary(p, {}, { deployed: true });
    assert.match(
      md,
      /auth URL `https:\/\/hub\.my\.salesforce\.com\/services\/oauth2\/authorize`, token URL `https:\/\/hub\.my\.salesforce\.com\/services\/oauth2\/token`/,
    );
    assert.doesNotMatch(md, /<My Domain>/);
    // An instance URL not of the documented shape is not trusted into a link: the placeholder stays.
    const odd = summary(p, { devHub: { ...HUB, instanceUrl: 'javascript:alert(1)' } }, { deployed: true });
    assert.match(odd, /https:\/\/<My Domain>\/services\/oauth2\/authorize/);
    assert.doesNotMatch(odd, /javascript:/);
  });

  const failed = (step: string | undefined, error: unknown, more: Partial<SummaryOutputs> = {}): string =>
    buildSummary({
      plan: p,
      dryRun: false,
      outputs: {
        callbackUrls: p.callbackUrls,
        consumerKeySet: false,
        consumerSecretSet: false,
        ...(step ? { step } : {}),
        ...more,
      },
      failure: { message: error instanceof Error ? error.message : String(error), error },
    });

  it('login failure: what failed and why in the first lines, nothing changed, no connect steps', () => {
    const md = failed(
      'Authenticate to the Dev Hub',
      new Error('dev-hub-client-id: invalid_client_id: client identifier invalid'),
    );
    const top = head(md);
    assert.match(top, /\[!CAUTION\]/);
    assert.match(
      top,
      /Logging in to the Dev Hub failed\.\*\* Cause: dev-hub-client-id: invalid\\_client\\_id: client identifier invalid/,
    );
    assert.match(top, /\*\*Changed:\*\* nothing in any org or in GitHub\./);
    assert.match(top, /\*\*Next step:\*\* fix the Dev Hub login input/);
    assert.doesNotMatch(md, /### Connect your MCP clients/);
  });

  it('preflight failure: each problem in the first lines', () => {
    // As a PreflightError of another bundle arrives: the brand and the fields, not the class.
    const error = Object.assign(new Error('2 problem(s) found before any change was made'), {
      name: 'PreflightError',
      isActionError: true,
      kind: 'preflight',
      problems: [
        { input: 'dev-hub-username', message: 'lacks Modify Metadata' },
        { input: 'package-namespace', message: 'acme is not linked to this Dev Hub' },
      ],
    });
    const top = head(failed('Check before any change', error, { appExisted: false }));
    assert.match(top, /The checks before any change found a problem\./);
    assert.match(top, /Cause: dev-hub-username: lacks Modify Metadata/);
    assert.match(top, /> - package-namespace: acme is not linked/);
    assert.match(top, /no app `MCP\\_Client\\_App` was created|no app `MCP_Client_App` was created/);
  });

  it('deploy failure: the component errors themselves, and that the deploy changed nothing', () => {
    const error = Object.assign(new Error('Deploy 0Af failed'), {
      failures: [
        { type: 'ExtlClntAppOauthSettings', fullName: 'MCP_Client_App_oauth', problem: 'Invalid callback URL' },
      ],
    });
    const md = failed('Deploy the External Client App', error, { appExisted: true });
    const top = head(md);
    assert.match(
      top,
      /The deploy to the Dev Hub failed\.\*\* Cause: `ExtlClntAppOauthSettings MCP_Client_App_oauth`: Invalid callback URL/,
    );
    assert.match(
      top,
      /\*\*Not changed:\*\* the app in the Dev Hub: a deploy is all or nothing, so the app is as it was before the run/,
    );
    assert.doesNotMatch(top, /component\(s\) failed/);
    // The app exists from an earlier run: its connect steps stay useful.
    assert.match(md, /### Connect your MCP clients/);
  });

  it('install failure: the cause, what was done (app, version) and what was not (the install)', () => {
    const md = failed(
      'Install into the target org',
      new Error('install-target: SubscriberPackageVersion is not installable'),
      {
        appExisted: false,
        deployed: true,
        consumerKeySet: true,
        consumerKeyLast4: 'Abcd',
        packageVersionId: '04t000000000001AAA',
        packageVersionCreated: true,
        installTarget: { username: 'test-x@example.com', instanceUrl: 'https://x.my.salesforce.com' },
      },
    );
    const top = head(md);
    assert.match(
      top,
      /Installing the package version into the install target failed\.\*\* Cause: install-target: SubscriberPackageVersion is not installable/,
    );
    assert.match(
      top,
      /\*\*Changed:\*\* created the app `MCP_Client_App` in the Dev Hub; built the package version `04t000000000001AAA`\./,
    );
    assert.match(top, /\*\*Not changed:\*\* the install target `test-x@example\.com`: nothing was installed\./);
    assert.match(top, /Next step:\*\* fix the cause \(the install target/);
  });
});

describe('lastFour', () => {
  it('gives the last four characters of a long key only', async () => {
    const { lastFour } = await import('../src/summary.ts');
    const key = `3MVG9${'A'.repeat(76)}Wxyz`;
    assert.equal(lastFour(key), 'Wxyz');
    assert.equal(lastFour('short_key_Wxyz'), undefined, 'a short key would give too much away');
    assert.equal(lastFour(`${'a'.repeat(40)}<b>`), undefined, "nothing not of a key's shape");
    assert.equal(lastFour(undefined), undefined);
  });
});

describe('buildSummary: small things a person reads', () => {
  it('a secret stored with its companion: the key secret by name, the companion for the secret', () => {
    const p = plan({ clients: 'claude', 'require-secret': 'true' });
    const md = summary(
      p,
      {},
      { secretStored: 'MCP_KEY, MCP_KEY_SECRET (repository acme/mcp)', consumerSecretSet: true, deployed: true },
    );
    assert.match(md, /the secret `MCP_KEY` \(repository acme\/mcp\)/);
    assert.match(md, /`consumer-secret` output \(also in the secret `MCP_KEY_SECRET`\)/);
  });

  it('refused inputs: what is wrong with each, and that nothing was sent', async () => {
    const { inputProblemsSummary } = await import('../src/summary.ts');
    const md = inputProblemsSummary([{ input: 'contact-email', message: 'is empty # <b>' }]);
    const top = md.split('\n').slice(0, 10).join('\n');
    assert.match(top, /An input is not valid\.\*\* Nothing was sent to any org/);
    assert.match(top, /> - `contact-email`: is empty \\# &lt;b&gt;/);
  });
});
