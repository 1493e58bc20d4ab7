// The procedure, step by step: inputs → plan → metadata → Dev Hub → deploy → consumer key → package →
// install → GitHub secret → summary. Each step lives in a module named after it.
import * as core from '@actions/core';
import type { AppPlan, Settings } from './model.ts';
import { readSettingsFromEnv, InputError } from './settings.ts';
import { planApp } from './plan.ts';
import { renderProject, writeProject } from './render.ts';
import { componentNames } from './names.ts';
import { buildSummary } from './summary.ts';
import { maskSecret, redact, setSecretOutput } from './mask.ts';
import { Workspace } from './workspace.ts';

type OrgLogin = typeof import('./org-login.ts');
type SummaryOutputs = Parameters<typeof buildSummary>[0]['outputs'];

const log = (line: string): void => core.info(redact(line));

export async function run(): Promise<void> {
  let workspace: Workspace | undefined;
  let plan: AppPlan | undefined;
  const outputs: SummaryOutputs = { appName: '', callbackUrls: [], consumerKeySet: false, consumerSecretSet: false };
  try {
    const settings = readSettingsFromEnv();
    maskSettings(settings);
    plan = planApp(settings);
    for (const warning of plan.warnings) core.warning(warning, { title: 'eca-action' });

    // 1. The metadata, for review and as the record of what was deployed (org-agnostic: no org ids in it).
    // Files are written over, never the folder removed: output-dir may be a folder of the user's repository.
    const metadataDir = settings.outputDir;
    writeProject(metadataDir, renderProject(plan, { target: 'deploy' }));
    outputs.appName = plan.appName;
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
    const login: OrgLogin = await import('./org-login.ts');
    const timeoutMs = (settings.package?.waitMinutes ?? 30) * 60_000;

    // 2. The Dev Hub.
    const hub = await core.group('Authenticate to the Dev Hub', async () => {
      const session = await login.connectDevHub(settings.devHub!, workspace!, log);
      log(`Connected to Dev Hub ${session.orgId} as ${session.username} (${session.instanceUrl}).`);
      return session;
    });

    const steps = await login.orgSteps();

    // 3. Deploy. On a rerun the org's own links go back in, so the app keeps its OAuth consumer (and key).
    const before = await core.group('Read the existing app', async () => {
      const state = (await steps.appExists(hub.connection, plan!.appName, log))
        ? await steps.readAppState(hub.connection, plan!.appName, { withKey: false, withSecret: false, timeoutMs, log })
        : { exists: false, links: {} };
      log(state.exists ? `${plan!.appName} exists; it will be updated in place.` : `${plan!.appName} is new.`);
      return state;
    });
    const deployDir = workspace.dir('deploy');
    writeProject(deployDir, renderProject(plan, { target: 'deploy', links: before.links, names: before.names }));
    await core.group('Deploy the External Client App', async () => {
      try {
        const result = await steps.deployProject(hub.connection, deployDir, { timeoutMs, log });
        log(`Deploy ${result.id} succeeded: ${result.components} components.`);
      } catch (error) {
        if (error instanceof steps.DeployError) steps.annotateFailures(error, metadataDir);
        throw error;
      }
    });

    // 5. The consumer key: masked before it is set anywhere.
    const after = await core.group('Read the consumer key', () =>
      // The names just deployed: no need to look them up again.
      steps.readAppState(hub.connection, plan!.appName, {
        withKey: true,
        withSecret: settings.requireSecret,
        timeoutMs,
        log,
        names: before.names ?? componentNames(plan!.appName),
      }),
    );
    if (!after.consumerKey) throw new Error(`The org did not return a consumer key for ${plan.appName}.`);
    setSecretOutput('consumer-key', after.consumerKey);
    outputs.consumerKeySet = true;
    if (settings.requireSecret) {
      if (!after.consumerSecret) throw new Error(`The org did not return the consumer secret of ${plan.appName}.`);
      setSecretOutput('consumer-secret', after.consumerSecret);
      outputs.consumerSecretSet = true;
    }
    log('Consumer key read and set as the masked output consumer-key.');

    if (settings.github) {
      const github = settings.github;
      await core.group('Store the consumer key as a GitHub secret', async () => {
        const values = [{ name: github.secretName, value: after.consumerKey! }];
        if (after.consumerSecret && settings.requireSecret) values.push({ name: `${github.secretName}_SECRET`, value: after.consumerSecret });
        const stored = await steps.storeSecrets(github, values, { log });
        outputs.secretStored = `${stored.stored.join(', ')} (${stored.scope})`;
        log(`Stored ${outputs.secretStored}.`);
      });
    }

    // 4. The package scratch orgs install.
    if (settings.package) {
      const pkgSettings = settings.package;
      const packageDir = workspace.dir('package');
      const renderPackage = (id?: string): void => {
        writeProject(
          packageDir,
          renderProject(plan!, {
            target: 'package',
            links: after.links,
            names: after.names,
            package: { name: pkgSettings.name, namespace: pkgSettings.namespace, versionNumber: pkgSettings.versionNumber, id },
          }),
        );
      };
      const pkg = await core.group('Create or reuse the package', async () => {
        renderPackage();
        const ref = await steps.ensurePackage(hub.connection, packageDir, pkgSettings, log);
        // The packaging library finds the package directory through its alias → 0Ho id.
        renderPackage(ref.id);
        return ref;
      });
      outputs.packageId = pkg.id;
      core.setOutput('package-id', pkg.id);
      const version = await core.group('Create the package version', () =>
        steps.createVersion(hub.connection, packageDir, pkg, pkgSettings, log),
      );
      const url = steps.installUrl(hub.orgType === 'sandbox' ? 'https://test.salesforce.com' : 'https://login.salesforce.com', version.subscriberPackageVersionId);
      Object.assign(outputs, {
        packageVersionId: version.subscriberPackageVersionId,
        packageVersionNumber: version.versionNumber,
        installUrl: url,
      });
      core.setOutput('package-version-id', version.subscriberPackageVersionId);
      core.setOutput('package-version-number', version.versionNumber);
      core.setOutput('install-url', url);
      log(`Package version ${version.versionNumber}: ${version.subscriberPackageVersionId}`);

      if (pkgSettings.installTarget) {
        await core.group('Install into the target org', async () => {
          const target = await login.connectOrg(pkgSettings.installTarget!, workspace!, log, 'install target');
          await steps.installVersion(target.connection, version.subscriberPackageVersionId, pkgSettings, log);
        });
      }
    }

    // 6. What a person needs to know.
    await writeSummary(
      buildSummary({ plan, dryRun: false, outputs, devHub: { username: hub.username, instanceUrl: hub.instanceUrl, orgType: hub.orgType } }),
    );
  } catch (error) {
    fail(error);
    if (plan) await writeSummary(`${buildSummary({ plan, dryRun: false, outputs })}\n\n> [!CAUTION]\n> The run failed: ${escapeLine(message(error))}\n`);
  } finally {
    workspace?.remove();
  }
}

/** The runner masks `secrets.*` it passes in, but not the forms we derive (a repaired key, URL parts). */
function maskSettings(settings: Settings): void {
  const hub = settings.devHub;
  if (hub?.kind === 'jwt') maskSecret(hub.jwtKey);
  if (hub?.kind === 'authUrl') maskSecret(hub.authUrl);
  if (settings.package?.installTarget?.kind === 'authUrl') maskSecret(settings.package.installTarget.authUrl);
  maskSecret(settings.package?.installationKey);
  maskSecret(settings.github?.token);
}

/**
 * The Salesforce libraries write auth files and logs under HOME. Give them a private one that is removed at
 * the end, unless an sf CLI login from an earlier step is to be reused, which lives in the real HOME.
 */
function useLibraryHome(settings: Settings, workspace: Workspace): void {
  const usesCli = settings.devHub?.kind === 'cli' || settings.package?.installTarget?.kind === 'cli';
  if (!usesCli) process.env.HOME = workspace.dir('home');
  // Their temporary trees too (@salesforce/packaging builds each version's zips under os.tmpdir() and removes
  // them only when it gets that far): inside the workspace they go on failure and cancellation as well.
  const tmp = workspace.dir('tmp');
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = tmp;
}

function message(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

function fail(error: unknown): void {
  if (error instanceof InputError) {
    for (const p of error.problems) core.error(redact(`${p.input}: ${p.message}`), { title: `Input ${p.input}` });
    core.setFailed(redact(`eca-action: ${error.problems.length} input problem(s); nothing was sent to any org.`));
    return;
  }
  core.setFailed(`eca-action failed: ${message(error)}`);
  if (process.env.ECA_ACTION_DEBUG === 'true' && error instanceof Error && error.stack) core.debug(redact(error.stack));
}

function escapeLine(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[<>|`[\]]/g, (c) => `\\${c}`);
}

async function writeSummary(markdown: string): Promise<void> {
  // Local runs and some runners have no summary file; a summary is a courtesy, never a reason to fail.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(redact(markdown), true).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${message(error)}`);
  }
}
