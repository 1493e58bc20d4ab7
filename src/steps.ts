// The procedure's steps (main.ts runs them in order), each taking what the steps before it returned. The org-facing
// modules arrive as `Steps` and `Login` (load-login.ts, load-steps.ts): imported here as types only, so that the
// entry bundle stays small and a dry run never loads them.
import * as core from '@actions/core';
import type { AppPlan, PackageSettings, PackageValidation, Settings } from './model.ts';
import { renderProject, writeProject } from './render.ts';
import { buildSummary } from './summary.ts';
import * as say from './log.ts';
import { maskSecret, redact } from './mask.ts';
import { prepareOutputDir, recordOwnedFiles, type Workspace } from './workspace.ts';
import { componentNames } from './component-names.ts';
import { reportDrift, verifyApp } from './verify.ts';
import { useApiVersion } from './api-version.ts';
import { type BackgroundStep, inBackground } from './background.ts';
import { validationLines } from './validation-note.ts';
import { ActionError, isActionError } from './errors.ts';
import { setOutputs, type SummaryOutputs } from './outputs.ts';

export type Login = typeof import('./load-login.ts');
export type Steps = Awaited<ReturnType<Login['orgSteps']>>;
type Session = Awaited<ReturnType<Login['connectDevHub']>>;
type AppState = Awaited<ReturnType<Steps['readAppState']>>;
type Version = Awaited<ReturnType<Steps['createVersion']>>;
type Log = (line: string) => void;
// Thrown in the org bundle: known by its brand (errors.ts), not by `instanceof` of this bundle's class.
type DeployError = InstanceType<Steps['DeployError']>;

export const log: Log = (line) => say.info(line);

/** What every step after the plan works with; `outputs` is what the summary will say, filled in as steps end. */
export interface Run {
  settings: Settings;
  plan: AppPlan;
  outputs: SummaryOutputs;
  metadataDir: string;
  workspace: Workspace;
  timeoutMs: number;
  login: Login;
  steps: Steps;
  /** Each step's log group, also remembered for the summary: a failed run's summary says which step failed. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** A step run in the background fails where main waits for it: its title then names the failed step. */
  finish<T>(step: BackgroundStep<T>): Promise<T>;
}

export interface Orgs {
  hub: Session;
  target?: Session;
}

export function stepGroups(outputs: SummaryOutputs): Pick<Run, 'group' | 'finish'> {
  return {
    group: (title, fn) => {
      outputs.step = title;
      return core.group(title, fn);
    },
    finish: (step) => {
      outputs.step = step.title;
      return step.finish();
    },
  };
}

/** 3. The metadata, for review and as the record of what was deployed (org-agnostic: no org ids in it). */
export function writeMetadata(settings: Settings, plan: AppPlan, outputs: SummaryOutputs): string {
  // Files are written over, never the folder removed: output-dir may be a folder of the user's repository.
  const metadataDir = settings.outputDir;
  const project = renderProject(plan, { target: 'deploy' });
  prepareOutputDir(metadataDir, 'output-dir', project);
  writeProject(metadataDir, project);
  recordOwnedFiles(metadataDir, project);
  setOutputs(outputs, { 'app-name': plan.appName, 'callback-urls': plan.callbackUrls, 'metadata-dir': metadataDir });
  log(`Generated the SFDX project for ${plan.appName} in ${metadataDir}.`);
  return metadataDir;
}

/** 4. The Dev Hub, and the install target: both logins work before anything is changed. */
export async function logIn(
  run: Pick<Run, 'settings' | 'workspace' | 'outputs' | 'group'>,
  login: Login,
): Promise<Orgs> {
  const { settings, workspace, outputs } = run;
  const devHub = settings.devHub;
  // readSettings requires a Dev Hub for every run that is not a dry run.
  if (!devHub) throw new ActionError('input', 'dev-hub: no Dev Hub login was given.', { input: 'dev-hub' });
  const hub = await run.group('Authenticate to the Dev Hub', async () => {
    const session = await login.connectDevHub(devHub, workspace, log).catch((error: unknown) => {
      throw login.withInput(error, login.devHubInput(devHub));
    });
    log(`Connected to Dev Hub ${session.orgId} as ${session.username} (${session.instanceUrl}).`);
    outputs.devHub = { username: session.username, instanceUrl: session.instanceUrl, orgType: session.orgType };
    outputs.apiVersion = await useApiVersion(session.connection, log);
    return session;
  });
  const targetRef = settings.package?.installTarget;
  if (!targetRef) return { hub };
  const target = await run.group('Authenticate to the install target', async () => {
    const session = await login.connectOrg(targetRef, workspace, log, 'install target').catch((error: unknown) => {
      throw login.withInput(error, 'install-target');
    });
    log(`Connected to the install target ${session.orgId} as ${session.username}.`);
    outputs.installTarget = { username: session.username, instanceUrl: session.instanceUrl };
    return session;
  });
  return { hub, target };
}

/** mode: verify reads and compares, and changes nothing (verify.ts); its summary is the drift. */
export async function verify(run: Run, { hub, target }: Orgs): Promise<string> {
  const { settings, plan, timeoutMs } = run;
  const report = await run.group('Compare the app with the inputs', () =>
    verifyApp(settings, plan, { hub: hub.connection, target: target?.connection }, run.steps, { timeoutMs, log }),
  );
  reportDrift(report);
  const devHub = { username: hub.username, instanceUrl: hub.instanceUrl, orgType: hub.orgType };
  return buildSummary({ plan, dryRun: false, outputs: run.outputs, devHub, drift: report });
}

/** The app as it is in an org now: on a rerun the org's own links go back into what is deployed and packaged. */
async function readExisting(run: Run, session: Session): Promise<AppState> {
  const { plan, timeoutMs } = run;
  return (await run.steps.appExists(session.connection, plan.appName, log))
    ? await run.steps.readAppState(session.connection, plan.appName, {
        withKey: false,
        withSecret: false,
        timeoutMs,
        log,
      })
    : { exists: false, links: {} };
}

/** 5a. The app in the Dev Hub (and, with install-method: deploy, in the install target) before any change. */
export async function readApps(
  run: Run,
  { hub, target }: Orgs,
): Promise<{ before: AppState; deployTo?: { session: Session; before: AppState } }> {
  const name = run.plan.appName;
  const before = await run.group('Read the existing app', async () => {
    const state = await readExisting(run, hub);
    log(state.exists ? `${name} exists; it will be updated in place.` : `${name} is new.`);
    run.outputs.appExisted = state.exists;
    return state;
  });
  // install-method: deploy: the install target gets the app itself, with an OAuth consumer of its own.
  if (run.settings.package?.installMethod !== 'deploy' || !target) return { before };
  const targetBefore = await run.group('Read the existing app in the install target', async () => {
    const state = await readExisting(run, target);
    log(
      `${name} ${state.exists ? 'exists in the install target; it will be updated in place' : 'is new in the install target'}.`,
    );
    return state;
  });
  return { before, deployTo: { session: target, before: targetBefore } };
}

/** The package project as this run builds it (with the package's 0Ho id once known, for the packaging library). */
export function renderPackage(
  run: Run,
  pkg: PackageSettings,
  app: Pick<AppState, 'links' | 'names'>,
  id?: string,
): string {
  const dir = run.workspace.dir('package');
  writeProject(
    dir,
    renderProject(run.plan, {
      target: 'package',
      apiVersion: run.outputs.apiVersion,
      links: app.links,
      names: app.names,
      package: { name: pkg.name, namespace: pkg.namespace, versionNumber: pkg.versionNumber, id },
    }),
  );
  return dir;
}

/** 5b. Everything that can be known to fail later, checked while nothing has been changed yet. */
export async function checkBeforeChange(run: Run, { hub, target }: Orgs, before: AppState): Promise<void> {
  const pkg = run.settings.package;
  // The package as this run would build it, so that the checks know which version an unchanged run reuses.
  const packageDir =
    pkg?.installMethod === 'package' && target && before.exists ? renderPackage(run, pkg, before) : undefined;
  await run.group('Check before any change', () => run.steps.preflight(run.settings, hub, target, log, packageDir));
}

/**
 * 6. Deploy into the Dev Hub; with install-method: deploy the install target's deploy and key run beside it, in the
 * background (its result is awaited with finishTargetDeploy).
 */
export async function deploy(
  run: Run,
  { hub }: Orgs,
  before: AppState,
  deployTo?: { session: Session; before: AppState },
): Promise<BackgroundStep<string> | undefined> {
  const { plan, steps, metadataDir, timeoutMs } = run;
  const deployDir = run.workspace.dir('deploy');
  writeProject(
    deployDir,
    renderProject(plan, {
      target: 'deploy',
      links: before.links,
      names: before.names,
      apiVersion: run.outputs.apiVersion,
    }),
  );
  const targetApp = deployTo
    ? inBackground('Deploy the External Client App into the install target', (say) =>
        deployIntoTarget(run, deployTo.session.connection, deployTo.before, say),
      )
    : undefined;
  await run.group('Deploy the External Client App', async () => {
    try {
      const result = await steps.deployProject(hub.connection, deployDir, { timeoutMs, log });
      log(`Deploy ${result.id} succeeded: ${result.components} components.`);
      run.outputs.deployed = true;
    } catch (error) {
      if (isActionError(error, 'deploy')) steps.annotateFailures(error as DeployError, metadataDir);
      throw error;
    }
  });
  return targetApp;
}

/**
 * install-method: deploy: the app's metadata straight into the install target (Metadata API, as for the Dev Hub; a
 * scratch org takes an ECA deployed this way, docs/platform-notes.md §31), then its own consumer key.
 */
async function deployIntoTarget(
  run: Run,
  connection: Session['connection'],
  before: AppState,
  log: Log,
): Promise<string> {
  const { steps, plan, timeoutMs } = run;
  const dir = run.workspace.dir('deploy-target');
  // The target's own newest version, by the Dev Hub's rule: a scratch org may run another release than its Dev Hub.
  const apiVersion = await useApiVersion(connection, log);
  // The target owns this app and its OAuth consumer: Local, with the target's own links on a rerun.
  writeProject(
    dir,
    renderProject(
      { ...plan, distributionState: 'Local' },
      { target: 'deploy', links: before.links, names: before.names, apiVersion },
    ),
  );
  const result = await steps
    .deployProject(connection, dir, { timeoutMs, log, where: 'the install target' })
    .catch((error: unknown) => {
      // The same files as the Dev Hub's (output-dir): the annotations point there.
      if (isActionError(error, 'deploy')) steps.annotateFailures(error as DeployError, run.metadataDir);
      throw error;
    });
  log(`Deploy ${result.id} into the install target succeeded: ${result.components} components.`);
  const state = await steps.readAppState(connection, plan.appName, {
    withKey: true,
    withSecret: false,
    timeoutMs,
    log,
    names: before.names ?? componentNames(plan.appName),
  });
  if (!state.consumerKey) throw new Error(`The install target did not return a consumer key for ${plan.appName}.`);
  maskSecret(state.consumerKey);
  return state.consumerKey;
}

export interface Keys {
  consumerKey: string;
  consumerSecret?: string;
  /** the app's links and names as deployed (for the package) */
  app: AppState;
}

/** 7. The consumer key (and with require-secret the secret): masked before it is set anywhere. */
export async function readKey(run: Run, { hub }: Orgs, before: AppState): Promise<Keys> {
  const { settings, plan, timeoutMs } = run;
  return run.group('Read the consumer key', async () => {
    // The names just deployed: no need to look them up again.
    const state = await run.steps.readAppState(hub.connection, plan.appName, {
      withKey: true,
      withSecret: settings.requireSecret,
      timeoutMs,
      log,
      names: before.names ?? componentNames(plan.appName),
    });
    const consumerKey = state.consumerKey;
    if (!consumerKey) throw new Error(`The org did not return a consumer key for ${plan.appName}.`);
    setOutputs(run.outputs, { 'consumer-key': consumerKey });
    let consumerSecret: string | undefined;
    if (settings.requireSecret) {
      consumerSecret = state.consumerSecret;
      if (!consumerSecret) throw new Error(`The org did not return the consumer secret of ${plan.appName}.`);
      setOutputs(run.outputs, { 'consumer-secret': consumerSecret });
    }
    log(
      `Consumer key read and set as the masked output consumer-key${settings.requireSecret ? ' (and the secret as consumer-secret)' : ''}.`,
    );
    return { consumerKey, consumerSecret, app: state };
  });
}

/** The install target's own key (install-method: deploy), once its background deploy ends. */
export async function finishTargetDeploy(run: Run, targetApp: BackgroundStep<string>): Promise<string> {
  const targetKey = await run.finish(targetApp);
  setOutputs(run.outputs, { 'target-consumer-key': targetKey });
  log('The install target has its own consumer key, set as the masked output target-consumer-key.');
  return targetKey;
}

/**
 * 8. The consumer key as a GitHub secret, and 11. the hosted MCP servers: neither waits for the package, so they
 * run while the Dev Hub builds the version (their log groups follow the install's).
 */
export function startSideSteps(
  run: Run,
  { target }: Orgs,
  keys: Keys,
): { secret?: BackgroundStep<void>; mcp?: BackgroundStep<SummaryOutputs['mcpServers']> } {
  const { settings, steps, outputs } = run;
  const github = settings.github;
  const secret = github
    ? inBackground('Store the consumer key as a GitHub secret', async (say) => {
        const values = [{ name: github.secretName, value: keys.consumerKey }];
        if (keys.consumerSecret) values.push({ name: `${github.secretName}_SECRET`, value: keys.consumerSecret });
        const stored = await steps.storeSecrets(github, values, { log: say });
        outputs.secretStored = `${stored.stored.join(', ')} (${stored.scope})`;
        say(`Stored ${outputs.secretStored}.`);
      })
    : undefined;
  const servers = settings.package?.mcpServers;
  const mcp =
    target && servers?.length
      ? inBackground('Activate hosted MCP servers in the install target', (say) =>
          steps.activateMcpServers(target.connection, servers, say),
        )
      : undefined;
  return { secret, mcp };
}

/** consumer-key-variable: the key as a repository variable. */
export async function storeVariable(run: Run, keys: Keys): Promise<void> {
  const variable = run.settings.keyVariable;
  if (!variable) return;
  await run.group('Store the consumer key as a repository variable', async () => {
    const stored = await run.steps.storeVariable(variable, keys.consumerKey, { log });
    run.outputs.variableStored = `${stored.name} (${stored.scope})`;
  });
}

/** 9. The package scratch orgs install, and its version; 10. the install into the target. */
export async function packageAndInstall(run: Run, { hub, target }: Orgs, keys: Keys): Promise<void> {
  const pkg = run.settings.package;
  if (pkg?.installMethod !== 'package') return;
  const { steps, outputs } = run;
  const ref = await run.group('Create or reuse the package', async () => {
    const dir = renderPackage(run, pkg, keys.app);
    const created = await steps.ensurePackage(hub.connection, dir, pkg, log);
    // The packaging library finds the package directory through its alias → 0Ho id.
    renderPackage(run, pkg, keys.app, created.id);
    return created;
  });
  setOutputs(outputs, { 'package-id': ref.id });
  const packageDir = run.workspace.dir('package');
  const version = await run.group('Create the package version', () =>
    steps.createVersion(hub.connection, packageDir, ref, pkg, log),
  );
  // The action builds beta versions, which install only into sandboxes and scratch orgs: the link goes to the
  // sandbox login host, whatever kind of org the Dev Hub is.
  const url = steps.installUrl('https://test.salesforce.com', version.subscriberPackageVersionId);
  outputs.installationKeySet = Boolean(pkg.installationKey);
  setOutputs(outputs, {
    'package-version-id': version.subscriberPackageVersionId,
    'package-version-number': version.versionNumber,
    'package-version-created': version.created,
    'install-url': url,
  });
  log(
    `Package version ${version.versionNumber}: ${version.subscriberPackageVersionId}${version.created ? '' : ' (reused)'}`,
  );
  if (target) await install(run, target, pkg, version);
  outputs.validation = await reportValidation(steps, hub.connection, pkg.validation, version);
}

async function install(run: Run, target: Session, pkg: PackageSettings, version: Version): Promise<void> {
  const { steps, outputs } = run;
  const id = version.subscriberPackageVersionId;
  await run.group('Install into the target org', async () => {
    // A reused version is often installed already (the previous run put it there): installing it again
    // would take the install's minutes for nothing.
    if (!version.created && (await steps.isInstalled(target.connection, id, log))) {
      log(`${id} is already installed in the target org; nothing to install.`);
      outputs.installed = 'already';
      return;
    }
    // An installation key the org refused names installation-key where it is thrown (packaging.ts).
    await steps.installVersion(target.connection, id, pkg, log).catch((error: unknown) => {
      throw run.login.withInput(error, 'install-target');
    });
    outputs.installed = 'installed';
  });
}

/** With async validation, where the version's validations stand at the end of the run (one read, no wait). */
async function reportValidation(
  steps: Steps,
  hub: Parameters<Steps['validationState']>[0],
  asked: PackageValidation,
  version: { createRequestId: string; validation: Parameters<typeof validationLines>[1] },
): Promise<string[]> {
  let state = version.validation;
  let messages: string[] = [];
  if (state === 'running' && version.createRequestId) {
    const now = await steps.validationState(hub, version.createRequestId, log);
    if (now) ({ state, messages } = now);
  }
  if (state === 'failed')
    say.warning(
      `The async validation of the package version failed: it is installed and usable for testing but can never be promoted.${messages.length ? ` ${messages.join(' ')}` : ''}`,
      { title: 'package-validation' },
    );
  else if (state === 'running')
    log("The version's validations are still running (package-validation: async); the summary says what that means.");
  return validationLines(asked, state, messages);
}

/** 12. The app is usable once the orgs accept its consumer key (with wait-until-usable): a new one can take 30 minutes. */
export async function waitUntilUsable(run: Run, { hub, target }: Orgs, keys: Keys, targetKey?: string): Promise<void> {
  const minutes = run.settings.waitUntilUsableMinutes ?? 0;
  if (minutes <= 0) return;
  const orgs: { role: string; instanceUrl: string; consumerKey?: string }[] = [
    { role: 'the Dev Hub', instanceUrl: hub.instanceUrl },
  ];
  // A deployed app is the target's own, with its own key and its own propagation; an installed one has the Dev Hub's key.
  if (target) orgs.push({ role: 'the install target', instanceUrl: target.instanceUrl, consumerKey: targetKey });
  const { plan } = run;
  const [callbackUrl] = plan.callbackUrls;
  if (!callbackUrl) throw new Error('The plan has no callback URL to probe the app with.');
  await run.group('Wait until the app is usable', () =>
    run.steps.waitUntilUsable(orgs, { consumerKey: keys.consumerKey, callbackUrl, scopes: plan.scopes }, minutes, log),
  );
  setOutputs(run.outputs, { usable: true });
}

export function message(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}
