// The procedure, step by step; each step lives in the module named beside it (a module's header that cites a step
// number cites this list):
//   1. inputs (settings.ts)            6. deploy (deploy.ts)                 11. MCP servers (mcp-servers.ts)
//   2. plan (plan.ts)                  7. consumer key (credentials.ts)      12. usable (usable.ts)
//   3. metadata (render.ts)            8. GitHub secret (github-secret.ts)   13. summary (summary.ts)
//   4. logins (login.ts)               9. package and version (packaging.ts)
//   5. checks (preflight.ts)          10. install (packaging.ts)
// A dry run stops after step 3, and its summary is step 13; `mode: verify` stops after step 4 and reports (verify.ts).
import * as core from '@actions/core';
import { homedir } from 'node:os';
import type { AppPlan, PackageValidation, Settings } from './model.ts';
import { readSettingsFromEnv, InputError } from './settings.ts';
import { planApp } from './plan.ts';
import { renderProject, writeProject } from './render.ts';
import { buildSummary, inputProblemsSummary, lastFour } from './summary.ts';
import * as say from './log.ts';
import { maskAuthUrl, maskSecret, redact, setSecretOutput } from './mask.ts';
import { prepareOutputDir, recordOwnedFiles, Workspace } from './workspace.ts';
import { copyCliLogins } from './cli-home.ts';
import { componentNames } from './component-names.ts';
import { reportDrift, verifyApp } from './verify.ts';
import { useApiVersion } from './api-version.ts';
import { type BackgroundStep, inBackground } from './background.ts';
import { validationLines } from './validation-note.ts';

type Login = typeof import('./load-login.ts');
type SummaryOutputs = Parameters<typeof buildSummary>[0]['outputs'];

const log = (line: string): void => say.info(line);

export async function run(): Promise<void> {
  let workspace: Workspace | undefined;
  let plan: AppPlan | undefined;
  const outputs: SummaryOutputs = { callbackUrls: [], consumerKeySet: false, consumerSecretSet: false };
  // Each step's log group, also remembered for the summary: a failed run's summary says which step failed.
  const group = <T>(title: string, fn: () => Promise<T>): Promise<T> => {
    outputs.step = title;
    return core.group(title, fn);
  };
  // A step run in the background fails where main waits for it: its title then names the failed step.
  const finish = <T>(step: BackgroundStep<T>): Promise<T> => {
    outputs.step = step.title;
    return step.finish();
  };
  try {
    // 1. The inputs, every one checked before any org is contacted, and 2. the plan they make.
    const settings = readSettingsFromEnv();
    maskSettings(settings);
    plan = planApp(settings);
    for (const warning of plan.warnings) say.warning(warning, { title: 'eca-action' });
    for (const note of plan.notes ?? []) say.notice(note, { title: 'eca-action' });

    // 3. The metadata, for review and as the record of what was deployed (org-agnostic: no org ids in it).
    // Files are written over, never the folder removed: output-dir may be a folder of the user's repository.
    const metadataDir = settings.outputDir;
    const project = renderProject(plan, { target: 'deploy' });
    prepareOutputDir(metadataDir, 'output-dir', project);
    writeProject(metadataDir, project);
    recordOwnedFiles(metadataDir, project);
    outputs.callbackUrls = plan.callbackUrls;
    outputs.metadataDir = metadataDir;
    core.setOutput('app-name', plan.appName);
    core.setOutput('callback-urls', plan.callbackUrls.join('\n'));
    core.setOutput('metadata-dir', metadataDir);
    log(`Generated the SFDX project for ${plan.appName} in ${metadataDir}.`);
    if (settings.dryRun) {
      await writeSummary(buildSummary({ plan, dryRun: true, outputs }));
      return;
    }

    workspace = Workspace.create();
    useLibraryHome(settings, workspace);
    const login: Login = await import('./load-login.ts');
    const timeoutMs = (settings.package?.waitMinutes ?? 30) * 60_000;

    // 4. The Dev Hub, and the install target: both logins work before anything is changed.
    const hub = await group('Authenticate to the Dev Hub', async () => {
      const session = await login.connectDevHub(settings.devHub!, workspace!, log).catch((error: unknown) => {
        throw login.withInput(error, login.devHubInput(settings.devHub!));
      });
      log(`Connected to Dev Hub ${session.orgId} as ${session.username} (${session.instanceUrl}).`);
      outputs.devHub = { username: session.username, instanceUrl: session.instanceUrl, orgType: session.orgType };
      outputs.apiVersion = await useApiVersion(session.connection, log);
      return session;
    });
    const targetRef = settings.package?.installTarget;
    const target = targetRef
      ? await group('Authenticate to the install target', async () => {
          const session = await login
            .connectOrg(targetRef, workspace!, log, 'install target')
            .catch((error: unknown) => {
              throw login.withInput(error, 'install-target');
            });
          log(`Connected to the install target ${session.orgId} as ${session.username}.`);
          outputs.installTarget = { username: session.username, instanceUrl: session.instanceUrl };
          return session;
        })
      : undefined;

    // mode: verify reads and compares, and changes nothing: none of the steps below runs (verify.ts).
    if (settings.mode === 'verify') {
      const steps = await login.orgSteps();
      const report = await group('Compare the app with the inputs', () =>
        verifyApp(settings, plan!, { hub: hub.connection, target: target?.connection }, steps, { timeoutMs, log }),
      );
      reportDrift(report);
      const devHub = { username: hub.username, instanceUrl: hub.instanceUrl, orgType: hub.orgType };
      await writeSummary(buildSummary({ plan, dryRun: false, outputs, devHub, drift: report }));
      return;
    }

    const steps = await login.orgSteps();
    // 5. Checks, with the app as it is now: on a rerun the org's own links go back into what is deployed and
    // packaged, so the app keeps its OAuth consumer (and key).
    const before = await group('Read the existing app', async () => {
      const state = (await steps.appExists(hub.connection, plan!.appName, log))
        ? await steps.readAppState(hub.connection, plan!.appName, { withKey: false, withSecret: false, timeoutMs, log })
        : { exists: false, links: {} };
      log(state.exists ? `${plan!.appName} exists; it will be updated in place.` : `${plan!.appName} is new.`);
      outputs.appExisted = state.exists;
      return state;
    });
    // install-method: deploy: the install target gets the app itself, with an OAuth consumer of its own.
    const deployToTarget = settings.package?.installMethod === 'deploy' && target ? target : undefined;
    const targetBefore = deployToTarget
      ? await group('Read the existing app in the install target', async () => {
          const state = (await steps.appExists(deployToTarget.connection, plan!.appName, log))
            ? await steps.readAppState(deployToTarget.connection, plan!.appName, {
                withKey: false,
                withSecret: false,
                timeoutMs,
                log,
              })
            : { exists: false, links: {} };
          log(
            `${plan!.appName} ${state.exists ? 'exists in the install target; it will be updated in place' : 'is new in the install target'}.`,
          );
          return state;
        })
      : undefined;
    const packaged = settings.package?.installMethod === 'package' ? settings.package : undefined;
    // The package as this run would build it, so that the checks know which version an unchanged run reuses.
    const packageDir = workspace.dir('package');
    const renderPackage = (app: Pick<typeof before, 'links' | 'names'>, id?: string): void => {
      const pkg = settings.package!;
      writeProject(
        packageDir,
        renderProject(plan!, {
          target: 'package',
          apiVersion: outputs.apiVersion,
          links: app.links,
          names: app.names,
          package: { name: pkg.name, namespace: pkg.namespace, versionNumber: pkg.versionNumber, id },
        }),
      );
    };
    if (packaged && target && before.exists) renderPackage(before);
    // Everything that can be known to fail later is checked while nothing has been changed yet.
    await group('Check before any change', () =>
      steps.preflight(settings, hub, target, log, packaged && target && before.exists ? packageDir : undefined),
    );
    // 6. Deploy. With install-method: deploy the install target's deploy and key run beside the Dev Hub's.
    const deployDir = workspace.dir('deploy');
    writeProject(
      deployDir,
      renderProject(plan, {
        target: 'deploy',
        links: before.links,
        names: before.names,
        apiVersion: outputs.apiVersion,
      }),
    );
    const targetApp =
      deployToTarget && targetBefore
        ? inBackground('Deploy the External Client App into the install target', (say) =>
            deployIntoTarget(
              steps,
              deployToTarget.connection,
              plan!,
              targetBefore,
              workspace!,
              metadataDir,
              timeoutMs,
              say,
            ),
          )
        : undefined;
    await group('Deploy the External Client App', async () => {
      try {
        const result = await steps.deployProject(hub.connection, deployDir, { timeoutMs, log });
        log(`Deploy ${result.id} succeeded: ${result.components} components.`);
        outputs.deployed = true;
      } catch (error) {
        if (error instanceof steps.DeployError) steps.annotateFailures(error, metadataDir);
        throw error;
      }
    });

    // 7. The consumer key: masked before it is set anywhere.
    const after = await group('Read the consumer key', async () => {
      // The names just deployed: no need to look them up again.
      const state = await steps.readAppState(hub.connection, plan!.appName, {
        withKey: true,
        withSecret: settings.requireSecret,
        timeoutMs,
        log,
        names: before.names ?? componentNames(plan!.appName),
      });
      if (!state.consumerKey) throw new Error(`The org did not return a consumer key for ${plan!.appName}.`);
      setSecretOutput('consumer-key', state.consumerKey);
      outputs.consumerKeySet = true;
      outputs.consumerKeyLast4 = lastFour(state.consumerKey);
      if (settings.requireSecret) {
        if (!state.consumerSecret) throw new Error(`The org did not return the consumer secret of ${plan!.appName}.`);
        setSecretOutput('consumer-secret', state.consumerSecret);
        outputs.consumerSecretSet = true;
      }
      log(
        `Consumer key read and set as the masked output consumer-key${settings.requireSecret ? ' (and the secret as consumer-secret)' : ''}.`,
      );
      return state;
    });

    let targetKey: string | undefined;
    if (targetApp) {
      targetKey = await finish(targetApp);
      setSecretOutput('target-consumer-key', targetKey);
      outputs.targetDeployed = true;
      outputs.targetKeyLast4 = lastFour(targetKey);
      log('The install target has its own consumer key, set as the masked output target-consumer-key.');
    }

    // 8. The consumer key as a GitHub secret, and 11. the hosted MCP servers: neither waits for the package, so they
    // run while the Dev Hub builds the version (their log groups follow the install's).
    const github = settings.github;
    const secretStep = github
      ? inBackground('Store the consumer key as a GitHub secret', async (say) => {
          const values = [{ name: github.secretName, value: after.consumerKey! }];
          if (after.consumerSecret && settings.requireSecret)
            values.push({ name: `${github.secretName}_SECRET`, value: after.consumerSecret });
          const stored = await steps.storeSecrets(github, values, { log: say });
          outputs.secretStored = `${stored.stored.join(', ')} (${stored.scope})`;
          say(`Stored ${outputs.secretStored}.`);
        })
      : undefined;
    const servers = settings.package?.mcpServers;
    const mcpStep =
      target && servers?.length
        ? inBackground('Activate hosted MCP servers in the install target', (say) =>
            steps.activateMcpServers(target.connection, servers, say),
          )
        : undefined;

    if (settings.keyVariable) {
      const variable = settings.keyVariable;
      await group('Store the consumer key as a repository variable', async () => {
        const stored = await steps.storeVariable(variable, after.consumerKey!, { log });
        outputs.variableStored = `${stored.name} (${stored.scope})`;
      });
    }

    // 9. The package scratch orgs install, and its version.
    if (packaged) {
      const pkgSettings = packaged;
      const pkg = await group('Create or reuse the package', async () => {
        renderPackage(after);
        const ref = await steps.ensurePackage(hub.connection, packageDir, pkgSettings, log).catch((error: unknown) => {
          throw /namespace/i.test(message(error)) ? login.withInput(error, 'package-namespace') : error;
        });
        // The packaging library finds the package directory through its alias → 0Ho id.
        renderPackage(after, ref.id);
        return ref;
      });
      outputs.packageId = pkg.id;
      core.setOutput('package-id', pkg.id);
      const version = await group('Create the package version', () =>
        steps.createVersion(hub.connection, packageDir, pkg, pkgSettings, log),
      );
      // The action builds beta versions, which install only into sandboxes and scratch orgs: the link goes to the
      // sandbox login host, whatever kind of org the Dev Hub is.
      const url = steps.installUrl('https://test.salesforce.com', version.subscriberPackageVersionId);
      Object.assign(outputs, {
        packageVersionId: version.subscriberPackageVersionId,
        packageVersionNumber: version.versionNumber,
        packageVersionCreated: version.created,
        installUrl: url,
        installationKeySet: Boolean(pkgSettings.installationKey),
      });
      core.setOutput('package-version-id', version.subscriberPackageVersionId);
      core.setOutput('package-version-number', version.versionNumber);
      core.setOutput('package-version-created', String(version.created));
      core.setOutput('install-url', url);
      log(
        `Package version ${version.versionNumber}: ${version.subscriberPackageVersionId}${version.created ? '' : ' (reused)'}`,
      );

      // 10. The install into the target.
      if (target) {
        await group('Install into the target org', async () => {
          // A reused version is often installed already (the previous run put it there): installing it again
          // would take the install's minutes for nothing.
          if (
            !version.created &&
            (await steps.isInstalled(target.connection, version.subscriberPackageVersionId, log))
          ) {
            log(`${version.subscriberPackageVersionId} is already installed in the target org; nothing to install.`);
            outputs.installed = 'already';
            return;
          }
          await steps
            .installVersion(target.connection, version.subscriberPackageVersionId, pkgSettings, log)
            .catch((error: unknown) => {
              throw login.withInput(
                error,
                /INSTALL_KEY|installation key/i.test(message(error)) ? 'installation-key' : 'install-target',
              );
            });
          outputs.installed = 'installed';
        });
      }
      outputs.validation = await reportValidation(steps, hub.connection, pkgSettings.validation, version);
    }
    if (secretStep) await finish(secretStep);
    if (mcpStep) outputs.mcpServers = await finish(mcpStep);

    // 12. The app is usable once the orgs accept its consumer key (with wait-until-usable): a new one can take 30 minutes.
    const usableMinutes = settings.waitUntilUsableMinutes ?? 0;
    if (usableMinutes > 0) {
      const orgs: { role: string; instanceUrl: string; consumerKey?: string }[] = [
        { role: 'the Dev Hub', instanceUrl: hub.instanceUrl },
      ];
      // A deployed app is the target's own, with its own key and its own propagation; an installed one has the Dev Hub's key.
      if (target) orgs.push({ role: 'the install target', instanceUrl: target.instanceUrl, consumerKey: targetKey });
      await group('Wait until the app is usable', () =>
        steps.waitUntilUsable(
          orgs,
          { consumerKey: after.consumerKey!, callbackUrl: plan!.callbackUrls[0]!, scopes: plan!.scopes },
          usableMinutes,
          log,
        ),
      );
      outputs.usable = true;
      core.setOutput('usable', 'true');
    }

    // 13. What a person needs to know.
    await writeSummary(
      buildSummary({
        plan,
        dryRun: false,
        outputs,
        devHub: { username: hub.username, instanceUrl: hub.instanceUrl, orgType: hub.orgType },
      }),
    );
  } catch (error) {
    fail(error);
    if (plan)
      await writeSummary(buildSummary({ plan, dryRun: false, outputs, failure: { message: message(error), error } }));
    else if (error instanceof InputError) await writeSummary(inputProblemsSummary(error.problems));
  } finally {
    workspace?.remove();
  }
}

type Steps = Awaited<ReturnType<Login['orgSteps']>>;

/**
 * install-method: deploy: the app's metadata straight into the install target (Metadata API, as for the Dev Hub; a
 * scratch org takes an ECA deployed this way, docs/platform-notes.md §31), then its own consumer key.
 */
async function deployIntoTarget(
  steps: Steps,
  connection: Parameters<Steps['deployProject']>[0],
  plan: AppPlan,
  before: Awaited<ReturnType<Steps['readAppState']>>,
  workspace: Workspace,
  metadataDir: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<string> {
  const dir = workspace.dir('deploy-target');
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
      if (error instanceof steps.DeployError) steps.annotateFailures(error, metadataDir);
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

/** The runner masks `secrets.*` it passes in, but not the forms we derive (a repaired key, URL parts). */
function maskSettings(settings: Settings): void {
  const hub = settings.devHub;
  if (hub?.kind === 'jwt') maskSecret(hub.jwtKey);
  if (hub?.kind === 'authUrl') maskAuthUrl(hub.authUrl);
  if (settings.package?.installTarget?.kind === 'authUrl') maskAuthUrl(settings.package.installTarget.authUrl);
  maskSecret(settings.package?.installationKey);
  maskSecret(settings.github?.token);
}

/**
 * The Salesforce libraries write auth files, config and logs under HOME. Every login the action makes stays in a
 * private HOME inside the workspace, removed at the end. An sf CLI login from an earlier step is copied in from
 * the real HOME (its auth file, the alias file, and the key that decrypts it): the action reads the runner's
 * files and never writes beside them, so a refreshed token or a second login cannot outlive the step there.
 */
function useLibraryHome(settings: Settings, workspace: Workspace): void {
  const cli = [settings.devHub, settings.package?.installTarget].flatMap((ref) =>
    ref?.kind === 'cli' ? [ref.usernameOrAlias] : [],
  );
  const home = workspace.dir('home');
  if (cli.length > 0) copyCliLogins(realHome(), home, cli);
  process.env.HOME = home;
  // Their temporary trees too (@salesforce/packaging builds each version's zips under os.tmpdir() and removes
  // them only when it gets that far): inside the workspace they go on failure and cancellation as well.
  const tmp = workspace.dir('tmp');
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = tmp;
}

function realHome(): string {
  return process.env.HOME || homedir();
}

function message(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

function fail(error: unknown): void {
  if (error instanceof InputError) {
    for (const p of error.problems) say.error(`${p.input}: ${p.message}`, { title: `Input ${p.input}` });
    say.setFailed(`eca-action: ${error.problems.length} input problem(s); nothing was sent to any org.`);
    return;
  }
  // The checks before any change (preflight.ts) report each problem against its input, as input problems are.
  if (error instanceof Error && error.name === 'PreflightError') {
    for (const p of (error as Error & { problems: string[] }).problems)
      say.error(p, { title: `Input ${p.split(':')[0]}` });
  }
  say.setFailed(`eca-action failed: ${message(error)}`);
  // The stack only when the runner's debug logging is on (RUNNER_DEBUG=1: re-run with debug logging, ACTIONS_STEP_DEBUG).
  if (core.isDebug() && error instanceof Error && error.stack) say.debug(error.stack);
}

async function writeSummary(markdown: string): Promise<void> {
  // Local runs and some runners have no summary file; a summary is a courtesy, never a reason to fail.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(redact(markdown), true).write();
  } catch (error) {
    say.warning(`Could not write the job summary: ${message(error)}`);
  }
}
