// npm run conformance: the proof that the fake org is accepted by the REAL Salesforce CLI.
//
// Starts a fresh fake org in-process, installs @salesforce/cli into .tmp/sf-cli once (script/sf-cli.ts; never a
// dependency of the action) and runs, with a private HOME and telemetry, update checks and log files off:
//   sf org login jwt            the Dev Hub, with the fake's printed key (alias hub, default Dev Hub)
//   sf org login sfdx-url       the scratch org, from an auth URL in a file (https: the fake's certificate is trusted
//                               through NODE_EXTRA_CA_CERTS)
//   sf org create scratch       from the External Client App login: C-1016 without SF_SCRATCH_SIGNUP_CONNECTED_APP,
//                               a new org with it (PlatformCLI, the CLI's default callback); then a query in the new
//                               org and `sf org delete scratch`
//   sf project deploy start     the project our action's dry run generates (node dist/index.js, INPUT_DRY-RUN=true)
//   sf project retrieve start   the global OAuth settings (the consumer key must come back) and the OAuth settings
//                               (their oauthLink goes into the package)
//   sf project deploy start     again over the Metadata REST API (SF_ORG_METADATA_REST_DEPLOY): same consumer
//   sf project deploy start     real metadata of a public project (__tests__/fixtures/public-eca): must succeed
//   sf project deploy start     our own wrong metadata (__tests__/fixtures/wrong-eca): must fail, nothing saved
//   sf package create           Managed, in the fake's namespace
//   sf package version create   of the package project our renderer writes (app Packaged + OAuth settings with the
//                               retrieved oauthLink; never the global settings)
//   sf package install          into the scratch org, waiting for publication
//   sf package installed list   the scratch org lists the new version
// Every command runs with --json; its result is checked, and a table (step, time, requests, outcome) and the
// commands are printed. Exit code 1 when any step fails. Temp dirs are removed and the fake org is stopped on every
// path: failure, crash, SIGINT/SIGTERM, and the overall time budget (CONFORMANCE_BUDGET_S, default 600).
//
// Flags: --verbose (the fake's request log per step, and each failed command's JSON), --keep (keep the temp
// dir), --version-create-polls N (fake status reads before a version create finishes; default 2 = one InProgress
// poll, which costs the CLI's 30 s polling interval).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureSfCli, SF_CLI_VERSION, sfCliEnv, sfPath } from './sf-cli.ts';
import { startFakeOrg, type FakeOrg, type RequestLogEntry } from '../fake-org/server.ts';
import { signupState } from '../fake-org/scratch-signup.ts';
import { timingEnv, timingPreload } from '../__tests__/helpers/run-action.ts';
import { readSettings } from '../src/settings.ts';
import { planApp } from '../src/plan.ts';
import { renderProject, writeProject } from '../src/render.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values: flags } = parseArgs({
  options: {
    verbose: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'version-create-polls': { type: 'string', default: '2' },
  },
});

const APP = 'MCP_Client_App';
const PACKAGE = 'MCP Client App';
/** Per-command limit; the whole run takes about 75 s once the CLI is installed (about 55 s more to install it). */
const COMMAND_TIMEOUT_MS = 3 * 60_000;
const BUDGET_MS = Number(process.env.CONFORMANCE_BUDGET_S ?? 600) * 1000;

interface StepResult {
  step: string;
  command: string;
  ok: boolean;
  outcome: string;
  ms: number;
  requests: RequestLogEntry[];
}

interface SfJson {
  status: number;
  result?: unknown;
  name?: string;
  message?: string;
  warnings?: unknown[];
  [key: string]: unknown;
}

class StepFailure extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Clean-up on every path

let fake: FakeOrg | undefined;
let work: string | undefined;
let child: ChildProcess | undefined;
let cleaned = false;

async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  if (child && child.exitCode === null && child.pid) child.kill('SIGKILL');
  await fake?.close().catch(() => undefined);
  if (work && !flags.keep) rmSync(work, { recursive: true, force: true });
  else if (work) console.error(`kept ${work}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}
setTimeout(() => {
  console.error(`\nconformance: over the budget of ${BUDGET_MS / 1000} s (CONFORMANCE_BUDGET_S): stopping`);
  printTable(results);
  void cleanup().finally(() => process.exit(1));
}, BUDGET_MS).unref();

// ---------------------------------------------------------------------------------------------------------------
// Running the CLI

interface Cli {
  node: string;
  runJs: string;
  env: Record<string, string>;
}

function runSf(
  cli: Cli,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; json?: SfJson }> {
  return new Promise((resolve) => {
    const proc = spawn(cli.node, [cli.runJs, ...args, '--json'], {
      cwd,
      env: { ...cli.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    proc.on('close', (code) => {
      clearTimeout(timer);
      child = undefined;
      let json: SfJson | undefined;
      try {
        json = JSON.parse(stdout) as SfJson;
      } catch {
        // not JSON: reported below
      }
      resolve({ code, stdout, stderr, ...(json ? { json } : {}) });
    });
  });
}

const results: StepResult[] = [];

interface StepOptions {
  /** extra environment of this command */
  env?: Record<string, string>;
  /** the command is meant to fail: `check` gets the whole JSON (status, name, message, data/result) */
  expectFailure?: boolean;
}

/** Run one sf command; `check` turns its JSON result into the outcome text or throws StepFailure. */
async function step<T>(
  cli: Cli,
  name: string,
  args: string[],
  cwd: string,
  // biome-ignore lint/suspicious/noExplicitAny: the sf CLI's --json output, different per command
  check: (result: any) => { outcome: string; value?: T },
  options: StepOptions = {},
): Promise<T | undefined> {
  const logStart = fake!.log.length;
  const started = performance.now();
  const run = await runSf(cli, args, cwd, options.env);
  const ms = performance.now() - started;
  const requests = fake!.log.slice(logStart);
  const command = `[${basename(cwd)}] ${Object.entries(options.env ?? {})
    .map(([k, v]) => `${k}=${v} `)
    .join('')}sf ${args.map(shellWord).join(' ')}`;
  let ok = false;
  let outcome: string;
  let value: T | undefined;
  try {
    if (!run.json) throw new StepFailure(`exit ${run.code}, no JSON on stdout: ${firstLine(run.stderr || run.stdout)}`);
    if (options.expectFailure) {
      if (run.json.status === 0 || run.code === 0)
        throw new StepFailure(`succeeded (exit ${run.code}) although it must fail`);
    } else if (run.json.status !== 0 || run.code !== 0) {
      throw new StepFailure(
        `exit ${run.code}, status ${run.json.status}: ${run.json.name ?? ''}: ${firstLine(String(run.json.message ?? ''))}`,
      );
    }
    const checked = check(options.expectFailure ? run.json : run.json.result);
    outcome = checked.outcome;
    value = checked.value;
    ok = true;
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    outcome = error.message;
  }
  results.push({ step: name, command, ok, outcome, ms, requests });
  console.error(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds(ms)})${ok ? '' : `: ${outcome}`}`);
  if (flags.verbose || !ok) {
    for (const r of requests) console.error(`       ${r.status} ${r.method} ${r.path} [${r.route}]`);
  }
  if (!ok && flags.verbose) console.error(run.stdout || run.stderr);
  return ok ? value : undefined;
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

// ---------------------------------------------------------------------------------------------------------------
// The run

async function main(): Promise<number> {
  const total = performance.now();
  const installStarted = performance.now();
  const { node, runJs, installMs } = ensureSfCli();
  const installTime = performance.now() - installStarted;

  work = mkdtempSync(join(tmpdir(), 'eca-conformance-'));
  const home = join(work, 'home');
  fake = await startFakeOrg();
  fake.ctx.timing.versionCreatePolls = Math.max(1, Number(flags['version-create-polls']));

  const cli: Cli = {
    node,
    runJs,
    env: { PATH: `${dirname(node)}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...sfCliEnv(home, work, fake.caCertPath) },
  };
  const cliVersion = JSON.parse(readFileSync(join(dirname(runJs), '..', 'package.json'), 'utf8')).version as string;
  const nodeVersion = await new Promise<string>((resolve) => {
    const p = spawn(node, ['--version']);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', () => resolve(out.trim()));
  });
  console.error(
    `sf CLI ${cliVersion} (pinned ${SF_CLI_VERSION}) on node ${nodeVersion}` +
      `${installMs ? `, installed in ${seconds(installMs)}` : ', already installed'}; fake org at ${fake.loginUrl}`,
  );

  const ns = fake.namespace;
  const inputs: Record<string, string> = {
    clients: 'claude,cursor',
    'contact-email': 'ops@example.com',
    'app-name': APP,
    package: 'true',
    'package-name': PACKAGE,
    'package-namespace': ns,
    'package-version-number': '1.0.0.NEXT',
  };

  // 1. Logins.
  await step(cli, 'login jwt (Dev Hub)', sfPath.loginJwt(fake), work, (r) => {
    expect(r?.username === fake!.username, `logged in as ${r?.username}`);
    expect(r.orgId === fake!.ctx.devHub.orgId, `orgId ${r.orgId}`);
    return { outcome: `${r.username}, org ${r.orgId}` };
  });
  const authFile = join(work, 'scratch-auth-url.txt');
  writeFileSync(authFile, `${fake.scratchAuthUrl}\n`, { mode: 0o600 });
  await step(cli, 'login sfdx-url (scratch)', sfPath.loginScratch(authFile), work, (r) => {
    expect(r?.username === fake!.scratchUsername, `logged in as ${r?.username}`);
    expect(r.orgId === fake!.ctx.scratch.orgId, `orgId ${r.orgId}`);
    return { outcome: `${r.username}, org ${r.orgId}, ${r.instanceUrl}` };
  });

  // 1b. A scratch org from the Dev Hub's External Client App login (the fake's default CI login app), as the sf CLI
  // makes one (docs/platform-notes.md §29): without the signup variable Proxy Signup fails with C-1016; with
  // SF_SCRATCH_SIGNUP_CONNECTED_APP=PlatformCLI alone (2.150.6 always sends its localhost callback) it works.
  if (results[0]?.ok) await scratchOrgSteps(cli, work);

  // 2. The project of our action's dry run (the committed bundle, as a runner would start it).
  const deployDir = join(work, 'deploy-project');
  const dry = await dryRun(node, inputs, deployDir, work);
  results.push({
    step: 'action dry run',
    command: 'node dist/index.js (INPUT_DRY-RUN=true)',
    ok: dry.ok,
    outcome: dry.outcome,
    ms: dry.ms,
    requests: [],
  });
  console.error(`${dry.ok ? 'ok  ' : 'FAIL'} action dry run (${seconds(dry.ms)})${dry.ok ? '' : `: ${dry.outcome}`}`);

  // 3. Deploy, then retrieve the key and the link.
  const deployed = dry.ok
    ? await step(cli, 'project deploy start', sfPath.deploy(), deployDir, (r) => {
        expect(r?.status === 'Succeeded' && r.success === true, `deploy ${r?.status}`);
        const files = (r.files ?? []) as { type: string; fullName: string; state: string }[];
        const types = new Set(files.map((f) => f.type));
        for (const t of [
          'ExternalClientApplication',
          'ExtlClntAppGlobalOauthSettings',
          'ExtlClntAppOauthSettings',
          'ExtlClntAppOauthConfigurablePolicies',
        ]) {
          expect(types.has(t), `no ${t} in the deployed files`);
        }
        return {
          outcome: `${r.status}: ${files.map((f) => `${f.type}:${f.fullName} ${f.state}`).join(', ')}`,
          value: true,
        };
      })
    : undefined;

  const consumer = fake.ctx.devHub.consumers.get(APP);
  const retrieved = deployed
    ? await step<string>(cli, 'project retrieve start', sfPath.retrieveAppSettings(APP), deployDir, (r) => {
        const files = (r?.files ?? []) as { type: string; fullName: string; filePath: string; state: string }[];
        const global = files.find((f) => f.type === 'ExtlClntAppGlobalOauthSettings');
        const oauth = files.find((f) => f.type === 'ExtlClntAppOauthSettings');
        expect(global && oauth, `retrieved ${files.map((f) => f.fullName).join(', ') || 'nothing'}`);
        const globalXml = readFileSync(global.filePath, 'utf8');
        const key = /<consumerKey>([^<]+)<\/consumerKey>/.exec(globalXml)?.[1];
        expect(key, 'no consumerKey in the retrieved global OAuth settings');
        expect(key === consumer?.consumerKey, "the retrieved consumerKey is not the app's consumer key");
        expect(!/<consumerSecret>/.test(globalXml), 'the consumer secret came back although the org does not allow it');
        const link = /<oauthLink>([^<]+)<\/oauthLink>/.exec(readFileSync(oauth.filePath, 'utf8'))?.[1];
        expect(link, 'no oauthLink in the retrieved OAuth settings');
        return {
          outcome: `consumerKey ${key.slice(0, 8)}…${key.slice(-4)} (${key.length} chars), oauthLink ${link}`,
          value: link,
        };
      })
    : undefined;

  // A redeploy over the Metadata REST API (the CLI's other transport) updates the app in place: same consumer.
  retrieved
    ? await step(
        cli,
        'project deploy start (REST)',
        sfPath.deploy(),
        deployDir,
        (r) => {
          expect(r?.status === 'Succeeded' && r.success === true, `deploy ${r?.status}`);
          const files = (r.files ?? []) as { type: string; fullName: string; state: string; filePath?: string }[];
          expect(
            files.length >= 4 && files.every((f) => f.state !== 'Created' && f.state !== 'Failed'),
            `states ${files.map((f) => f.state).join(', ')}`,
          );
          const after = fake!.ctx.devHub.consumers.get(APP);
          expect(
            after?.consumerKey === consumer?.consumerKey && after?.oauthLink === consumer?.oauthLink,
            'the redeploy changed the OAuth consumer',
          );
          return {
            outcome: `${r.status} over REST: ${files.length} components ${[...new Set(files.map((f) => f.state))].join('/')}; same consumer key and oauthLink`,
          };
        },
        { env: { SF_ORG_METADATA_REST_DEPLOY: 'true' } },
      )
    : undefined;

  // Real metadata of a public project (an MCP library's Packaged app with its org-made default policy) deploys.
  const publicDir = join(work, 'public-project');
  fixtureProject(publicDir, ['public-eca/damecek-salesforce-mcp-lib'], fake.ctx.devHub.orgId, '65.0');
  if (retrieved) {
    await step(cli, 'project deploy start (public)', sfPath.deploy(), publicDir, (r) => {
      expect(r?.status === 'Succeeded', `deploy ${r?.status}`);
      const files = (r.files ?? []) as { type: string; fullName: string; state: string }[];
      expect(
        files.length === 4 && files.every((f) => f.state === 'Created'),
        `states ${files.map((f) => `${f.fullName} ${f.state}`).join(', ')}`,
      );
      return {
        outcome: `${r.status}: ${files.map((f) => f.fullName).join(', ')} Created (Damecek/salesforce-mcp-lib, API 65.0)`,
      };
    });
  }

  // An app with OAuth security settings (.ecaOauthSecurity), as a public project's CI deploys its MCP app: the CLI's
  // registry and the fake both know the type (docs/platform-notes.md §28).
  const securityDir = join(work, 'security-project');
  const md = (type: string, body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<${type} xmlns="http://soap.sforce.com/2006/04/metadata">\n${body}\n</${type}>\n`;
  writeProject(securityDir, [
    {
      path: 'sfdx-project.json',
      content: `${JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }], name: 'security', namespace: '', sourceApiVersion: '68.0' }, null, 2)}\n`,
    },
    {
      path: 'force-app/main/default/externalClientApps/Sec_App.eca-meta.xml',
      content: md(
        'ExternalClientApplication',
        '    <contactEmail>ops@example.com</contactEmail>\n    <distributionState>Local</distributionState>\n    <label>Sec App</label>',
      ),
    },
    {
      path: 'force-app/main/default/extlClntAppGlobalOauthSets/Sec_App_glbloauth.ecaGlblOauth-meta.xml',
      content: md(
        'ExtlClntAppGlobalOauthSettings',
        '    <callbackUrl>http://localhost:3118/callback</callbackUrl>\n    <externalClientApplication>Sec_App</externalClientApplication>\n    <isConsumerSecretOptional>true</isConsumerSecretOptional>\n    <isPkceRequired>true</isPkceRequired>\n    <label>Sec_App_glbloauth</label>',
      ),
    },
    {
      path: 'force-app/main/default/extlClntAppOauthSettings/Sec_App_oauth.ecaOauth-meta.xml',
      content: md(
        'ExtlClntAppOauthSettings',
        '    <commaSeparatedOauthScopes>MCP, RefreshToken</commaSeparatedOauthScopes>\n    <externalClientApplication>Sec_App</externalClientApplication>\n    <label>Sec_App_oauth</label>',
      ),
    },
    {
      path: 'force-app/main/default/extlClntAppOauthSecuritySettings/Sec_App_oauthSecurity.ecaOauthSecurity-meta.xml',
      content: md(
        'ExtlClntAppOauthSecuritySettings',
        '    <externalClientApplication>Sec_App</externalClientApplication>\n    <label>Sec_App_oauthSecurity</label>\n    <tokenIpRanges>\n        <endIpAddress>198.51.100.255</endIpAddress>\n        <startIpAddress>198.51.100.0</startIpAddress>\n    </tokenIpRanges>',
      ),
    },
  ]);
  if (retrieved) {
    await step(cli, 'project deploy start (ecaOauthSecurity)', sfPath.deploy(), securityDir, (r) => {
      expect(r?.status === 'Succeeded', `deploy ${r?.status}`);
      const files = (r.files ?? []) as { type: string; fullName: string; state: string }[];
      const security = files.find((f) => f.type === 'ExtlClntAppOauthSecuritySettings');
      expect(security?.state === 'Created', `states ${files.map((f) => `${f.fullName} ${f.state}`).join(', ')}`);
      expect(
        fake!.ctx.devHub.metadata.get('ExtlClntAppConfigurablePolicies')?.has('Sec_App_defaultPolicy'),
        'the org made the app policy',
      );
      return { outcome: `${r.status}: ${files.map((f) => f.fullName).join(', ')} Created (API 68.0)` };
    });
  }

  // Our own classic mistakes must fail as on an org, and the CLI must read the component failures.
  const wrongDir = join(work, 'wrong-project');
  fixtureProject(wrongDir, ['wrong-eca/is-admin-approved', 'wrong-eca/mcp-api-scope-token'], fake.ctx.devHub.orgId);
  if (retrieved) {
    await step(
      cli,
      'project deploy start (wrong)',
      sfPath.deploy(),
      wrongDir,
      (json) => {
        const files = ((json?.result ?? json?.data)?.files ?? []) as {
          type: string;
          fullName: string;
          state: string;
          error?: string;
        }[];
        const failed = files.filter((f) => f.state === 'Failed');
        expect(
          failed.length,
          `no failed components in the CLI's answer (${json?.name}: ${firstLine(String(json?.message ?? ''))})`,
        );
        const text = failed.map((f) => f.error ?? '').join(' | ');
        expect(
          /isAdminApproved invalid at this location/.test(text) &&
            /There's a problem with your scope\(s\): McpApi/.test(text),
          `failures: ${text}`,
        );
        const apps = fake!.ctx.devHub.metadata.get('ExternalClientApplication');
        expect(!apps?.has('Wrong_AdminApproved') && !apps?.has('Wrong_McpApi'), 'a failed deploy stored an app');
        return {
          outcome: `deploy ${json.result?.status ?? json.name}: ${failed.length} component failures (${failed.map((f) => `${f.type}:${f.fullName}`).join(', ')}); nothing saved`,
        };
      },
      { expectFailure: true },
    );
  }

  // 4. Package: the package project our renderer writes for the action's packaging step.
  const packageDir = join(work, 'package-project');
  // As the action's packaging step does (src/main.ts): render, create the package, render again with its 0Ho id
  // (sf package create rewrites sfdx-project.json with a second, non-default entry for a directory that already
  // names its package; the re-render puts back the one default directory with the alias).
  const renderPackage = (id?: string): void => {
    // dry-run only lifts the org-login inputs, which rendering does not need.
    const settings = readSettings((name) => ({ ...inputs, 'dry-run': 'true', 'output-dir': packageDir })[name] ?? '', {
      RUNNER_TEMP: work,
    });
    const plan = planApp(settings);
    writeProject(
      packageDir,
      renderProject(plan, {
        target: 'package',
        links: { oauthLink: retrieved },
        package: { name: PACKAGE, namespace: ns, versionNumber: '1.0.0.NEXT', id },
      }),
    );
    const listed = readdirSync(join(packageDir, 'force-app', 'main', 'default'));
    if (listed.includes('extlClntAppGlobalOauthSets'))
      throw new Error('the package project carries global OAuth settings');
  };
  if (retrieved) renderPackage();
  const packageId = retrieved
    ? await step<string>(cli, 'package create', sfPath.packageCreate(PACKAGE), packageDir, (r) => {
        expect(typeof r?.Id === 'string' && r.Id.startsWith('0Ho'), `package id ${r?.Id}`);
        const project = JSON.parse(readFileSync(join(packageDir, 'sfdx-project.json'), 'utf8'));
        expect(project.packageAliases?.[PACKAGE] === r.Id, 'sfdx-project.json has no alias for the package');
        return { outcome: `${r.Id} (Managed, namespace ${ns})`, value: r.Id as string };
      })
    : undefined;
  if (packageId) renderPackage(packageId);
  const version = packageId
    ? await step<string>(cli, 'package version create', sfPath.versionCreate(PACKAGE), packageDir, (r) => {
        expect(r?.Status === 'Success', `status ${r?.Status}: ${(r?.Error ?? []).join('; ')}`);
        expect(
          typeof r.SubscriberPackageVersionId === 'string' && r.SubscriberPackageVersionId.startsWith('04t'),
          `04t ${r.SubscriberPackageVersionId}`,
        );
        return {
          outcome: `${r.Status}: ${r.SubscriberPackageVersionId} (${r.VersionNumber ?? '?'}, request ${r.Id})`,
          value: r.SubscriberPackageVersionId as string,
        };
      })
    : undefined;

  // 5. Install into the scratch org.
  const installed = version
    ? await step<boolean>(cli, 'package install', sfPath.install(version), packageDir, (r) => {
        expect(r?.Status === 'SUCCESS', `install ${r?.Status}`);
        return { outcome: `${r.Status}: request ${r.Id}`, value: true };
      })
    : undefined;
  if (installed) {
    await step(
      cli,
      'package installed list',
      ['package', 'installed', 'list', '--target-org', 'scratch'],
      packageDir,
      (r) => {
        const rows = (Array.isArray(r) ? r : []) as {
          SubscriberPackageVersionId: string;
          SubscriberPackageName: string;
          SubscriberPackageNamespace: string;
          SubscriberPackageVersionNumber: string;
        }[];
        const row = rows.find((p) => p.SubscriberPackageVersionId === version);
        expect(row, `${version} is not listed (${rows.length} packages)`);
        expect(row.SubscriberPackageNamespace === ns, `namespace ${row.SubscriberPackageNamespace}`);
        // A managed package's components carry its namespace in the subscriber org.
        const installedApp = `${ns}__${APP}`;
        expect(
          fake!.ctx.scratch.metadata.get('ExternalClientApplication')?.has(installedApp),
          `${installedApp} is not in the scratch org`,
        );
        return {
          outcome: `${row.SubscriberPackageName} ${row.SubscriberPackageVersionNumber} (${row.SubscriberPackageNamespace}); ${installedApp} in the scratch org`,
        };
      },
    );
  }

  // The action itself on the CLI's logins (input dev-hub: hub): it reads the auth files the real CLI wrote in HOME.
  if (results.find((r) => r.step === 'project deploy start')?.ok) {
    const run = await actionRun(
      process.execPath,
      { ...inputs, package: 'false', 'dev-hub': 'hub' },
      home,
      cli.env,
      work,
    );
    const ok = run.code === 0 && run.outputs['consumer-key'] === fake.ctx.devHub.consumers.get(APP)?.consumerKey;
    const outcome = ok
      ? "exit 0; its consumer-key output is the app's key (deploy in place, package: false)"
      : `exit ${run.code}; consumer-key ${run.outputs['consumer-key'] ? 'differs' : 'missing'}: ${firstLine(run.stderr) || lastError(run.stdout)}`;
    results.push({
      step: 'action on the CLI login',
      command: 'node dist/index.js (INPUT_DEV-HUB=hub, INPUT_PACKAGE=false, HOME of the sf logins)',
      ok,
      outcome,
      ms: run.ms,
      requests: run.requests,
    });
    console.error(`${ok ? 'ok  ' : 'FAIL'} action on the CLI login (${seconds(run.ms)})${ok ? '' : `: ${outcome}`}`);
  }

  const expected = [
    'login jwt (Dev Hub)',
    'login sfdx-url (scratch)',
    'create scratch (no signup variable)',
    'create scratch (signup variable)',
    'use the new scratch org',
    'delete scratch',
    'action dry run',
    'project deploy start',
    'project retrieve start',
    'project deploy start (REST)',
    'project deploy start (public)',
    'project deploy start (wrong)',
    'package create',
    'package version create',
    'package install',
    'package installed list',
    'action on the CLI login',
  ];
  for (const name of expected) {
    if (!results.some((r) => r.step === name))
      results.push({
        step: name,
        command: '',
        ok: false,
        outcome: 'skipped: an earlier step failed',
        ms: 0,
        requests: [],
      });
  }
  printTable(results);
  const failed = results.filter((r) => !r.ok).length;
  const steps = results.reduce((sum, r) => sum + r.ms, 0);
  console.log(
    `\n${failed ? `${failed} of ${results.length} steps FAILED` : `all ${results.length} steps passed`}; ` +
      `sf CLI ${cliVersion} on node ${nodeVersion}; steps ${seconds(steps)}, CLI ${installMs ? `install ${seconds(installMs)}` : `check ${seconds(installTime)}`}, ` +
      `total ${seconds(performance.now() - total)}; ${fake.log.length} requests to the fake org ` +
      `(${fake.log.filter((e) => e.status >= 400).length} answered 4xx/5xx).`,
  );
  return failed ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Scratch-org signup

async function scratchOrgSteps(cli: Cli, work: string): Promise<void> {
  const definition = join(work, 'scratch-def.json');
  writeFileSync(
    definition,
    `${JSON.stringify({ orgName: 'eca-action conformance', edition: 'Developer', features: ['SalesforceHostedMCP'] })}\n`,
  );
  const hub = fake!.ctx.devHub;
  const requests = () => signupState(hub).requests;
  await step(
    cli,
    'create scratch (no signup variable)',
    sfPath.createScratch(definition, 'c1016'),
    work,
    (json) => {
      const text = JSON.stringify(json);
      expect(json?.name === 'RemoteOrgSignupFailed', `${json?.name}: ${firstLine(String(json?.message ?? ''))}`);
      expect(text.includes('C-1016'), 'the error does not name C-1016');
      const last = requests().at(-1);
      expect(last?.Status === 'Error' && last.ErrorCode === 'C-1016', `ScratchOrgInfo ${last?.Status}`);
      expect(last.ConnectedAppConsumerKey === fake!.clientId, "the signup app is not the Dev Hub login's app");
      return { outcome: `${json.name}, ScratchOrgInfo ${last.Id} Error C-1016 (signup app = the ECA of the login)` };
    },
    { expectFailure: true },
  );
  const username = await step<string>(
    cli,
    'create scratch (signup variable)',
    sfPath.createScratch(definition, 'fresh'),
    work,
    (r) => {
      const info = requests().find((q) => q.SignupUsername === r?.username);
      expect(info?.Status === 'Active', `ScratchOrgInfo ${info?.Status}`);
      expect(info.ConnectedAppConsumerKey === 'PlatformCLI', `signup app ${info.ConnectedAppConsumerKey}`);
      // Only the one variable is set: the callback is the CLI's own default.
      expect(
        info.ConnectedAppCallbackUrl === 'http://localhost:1717/OauthRedirect',
        `callback ${info.ConnectedAppCallbackUrl}`,
      );
      expect(info.org?.settings.hostedMcp === true, 'the new org has no hosted MCP');
      expect(r.authFields?.clientId === 'PlatformCLI', `the CLI logged in with ${r.authFields?.clientId}`);
      return {
        outcome: `${r.username}, org ${r.authFields?.orgId} (PlatformCLI, callback ${info.ConnectedAppCallbackUrl}, SalesforceHostedMCP)`,
        value: r.username as string,
      };
    },
    { env: { SF_SCRATCH_SIGNUP_CONNECTED_APP: 'PlatformCLI' } },
  );
  if (!username) return;
  await step(cli, 'use the new scratch org', ['package', 'installed', 'list', '--target-org', 'fresh'], work, (r) => {
    const org = requests().find((q) => q.SignupUsername === username)?.org;
    const asked = fake!.log.filter((e) => e.org === org?.orgId && e.status === 200);
    expect(Array.isArray(r) && r.length === 0, `installed packages ${JSON.stringify(r)}`);
    expect(asked.length > 0, 'no request reached the new org');
    return { outcome: `no packages yet; ${asked.length} requests answered by org ${org!.orgId} (its auth-code login)` };
  });
  await step(cli, 'delete scratch', sfPath.deleteScratch('fresh'), work, (r) => {
    const info = requests().find((q) => q.SignupUsername === username);
    expect(r?.username === username, `deleted ${r?.username}`);
    expect(info?.Status === 'Deleted', `ScratchOrgInfo ${info?.Status}`);
    expect(!fake!.ctx.orgs.includes(info.org!), 'the org is still there');
    return { outcome: `${r.username}: ActiveScratchOrg deleted, ScratchOrgInfo Deleted` };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The action (the committed bundle, as a runner starts it)

/** A real (not dry) run with `inputs`, HOME = the CLI's, the CLI's environment (certificate, keychain). */
async function actionRun(
  node: string,
  inputs: Record<string, string>,
  home: string,
  cliEnv: Record<string, string>,
  work: string,
): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  ms: number;
  requests: RequestLogEntry[];
}> {
  const runnerTemp = mkdtempSync(join(work, 'runner-'));
  const outputFile = join(runnerTemp, 'output');
  writeFileSync(outputFile, '');
  const env: Record<string, string> = {
    ...cliEnv,
    PATH: process.env.PATH ?? '',
    HOME: home,
    TMPDIR: runnerTemp,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary'),
    GITHUB_STATE: join(runnerTemp, 'state'),
    // polling and retries as in the tests (__tests__/helpers/run-action.ts), with its preload below
    ...timingEnv(),
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const logStart = fake!.log.length;
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const proc = spawn(node, ['--require', timingPreload, join(root, 'dist', 'index.js')], {
        cwd: runnerTemp,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let out = '';
      let err = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => proc.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
      proc.on('close', (c) => {
        clearTimeout(timer);
        child = undefined;
        resolve({ code: c, stdout: out, stderr: err });
      });
    },
  );
  const outputs: Record<string, string> = {};
  const lines = readFileSync(outputFile, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (!heredoc) continue;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i]!);
    outputs[heredoc[1]!] = value.join('\n');
  }
  return { code, stdout, stderr, outputs, ms: performance.now() - started, requests: fake!.log.slice(logStart) };
}

function lastError(stdout: string): string {
  return (
    stdout
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('::error'))
      ?.slice(0, 300) ?? ''
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The action's dry run

async function dryRun(
  _node: string,
  inputs: Record<string, string>,
  outputDir: string,
  work: string,
): Promise<{ ok: boolean; outcome: string; ms: number }> {
  const runnerTemp = mkdtempSync(join(work, 'runner-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runnerTemp,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: join(runnerTemp, 'output'),
    GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary'),
    GITHUB_STATE: join(runnerTemp, 'state'),
    'INPUT_DRY-RUN': 'true',
    'INPUT_OUTPUT-DIR': outputDir,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const started = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, [join(root, 'dist', 'index.js')], {
      cwd: runnerTemp,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('close', (c) => {
      child = undefined;
      resolve({ code: c, stderr: err });
    });
  });
  const ms = performance.now() - started;
  if (code !== 0) return { ok: false, outcome: `exit ${code}: ${firstLine(stderr)}`, ms };
  let files: string[] = [];
  try {
    files = readdirSync(join(outputDir, 'force-app', 'main', 'default'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('-meta.xml'),
    );
  } catch {
    // reported below
  }
  if (!files.length) return { ok: false, outcome: `no metadata in ${outputDir}`, ms };
  return {
    ok: true,
    outcome: `${files.length} files: ${files
      .map((f) =>
        f
          .split('/')
          .pop()!
          .replace(/-meta\.xml$/, ''),
      )
      .sort()
      .join(', ')}`,
    ms,
  };
}

/**
 * An SFDX project (sfdx-project.json + force-app/main/default) made of fixture folders in source format
 * (__tests__/fixtures/public-eca/*, wrong-eca/*); `{{ORG_ID}}` becomes the Dev Hub's org id.
 */
function fixtureProject(dir: string, folders: string[], orgId: string, apiVersion = '66.0'): void {
  const files: { path: string; content: string }[] = [
    {
      path: 'sfdx-project.json',
      content: `${JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }], name: 'fixtures', namespace: '', sourceApiVersion: apiVersion }, null, 2)}\n`,
    },
  ];
  for (const folder of folders) {
    const from = join(root, '__tests__', 'fixtures', folder);
    for (const file of readdirSync(from, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('-meta.xml')) continue;
      files.push({
        path: `force-app/main/default/${file}`,
        content: readFileSync(join(from, file), 'utf8').replaceAll('{{ORG_ID}}', orgId.slice(0, 15)),
      });
    }
  }
  writeProject(dir, files);
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function printTable(rows: StepResult[]): void {
  const table = rows.map((r) => [r.ok ? 'ok' : 'FAIL', r.step, seconds(r.ms), String(r.requests.length), r.outcome]);
  const header = ['', 'step', 'time', 'reqs', 'outcome'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (i === 4 ? 0 : row[i]!.length))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 4 ? c : c.padEnd(widths[i]!))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(line(widths.map((w, i) => '-'.repeat(i === 4 ? 7 : w))));
  for (const row of table) console.log(line(row));
  console.log('\ncommands ([working directory]):');
  for (const r of rows) if (r.command) console.log(`  ${r.command}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .find((l) => l.trim() && !/^\(node:\d+\)|^\(Use `node/.test(l))
      ?.trim()
      .slice(0, 300) ?? ''
  );
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error('conformance: crashed:', error);
  if (results.length) printTable(results);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
