// The procedure, step by step; each step lives in the module named beside it (a module's header that cites a step
// number cites this list):
//   1. inputs (settings.ts)            6. deploy (deploy.ts)                 11. MCP servers (mcp-servers.ts)
//   2. plan (plan.ts)                  7. consumer key (credentials.ts)      12. usable (usable.ts)
//   3. metadata (render.ts)            8. GitHub secret (github-secret.ts)   13. summary (summary.ts)
//   4. logins (login.ts)               9. package and version (packaging.ts)
//   5. checks (preflight.ts)          10. install (packaging.ts)
// A dry run stops after step 3, and its summary is step 13; `mode: verify` stops after step 4 and reports (verify.ts).
// run() below is that list; each step is a function of steps.ts, taking what the steps before it returned.
import * as core from '@actions/core';
import { homedir } from 'node:os';
import type { AppPlan, Settings } from './model.ts';
import { readSettingsFromEnv } from './settings.ts';
import { planApp } from './plan.ts';
import { buildSummary, inputProblemsSummary } from './summary.ts';
import * as say from './log.ts';
import { maskAuthUrl, maskSecret, redact } from './mask.ts';
import { Workspace } from './workspace.ts';
import { copyCliLogins } from './cli-home.ts';
import { isActionError, problemLine } from './errors.ts';
import type { SummaryOutputs } from './outputs.ts';
import * as step from './steps.ts';
import { minutesMs } from './timing.ts';
import { DEFAULTS } from './settings-parse.ts';

export async function run(): Promise<void> {
  let workspace: Workspace | undefined;
  let plan: AppPlan | undefined;
  const outputs: SummaryOutputs = { callbackUrls: [], consumerKeySet: false, consumerSecretSet: false };
  try {
    // 1. The inputs, every one checked before any org is contacted, and 2. the plan they make.
    const settings = readSettingsFromEnv();
    maskSettings(settings);
    plan = planApp(settings);
    for (const warning of plan.warnings) say.warning(warning, { title: 'eca-action' });
    for (const note of plan.notes ?? []) say.notice(note, { title: 'eca-action' });
    // 3. The metadata.
    const metadataDir = step.writeMetadata(settings, plan, outputs);
    if (settings.dryRun) return await writeSummary(buildSummary({ plan, dryRun: true, outputs }));

    workspace = Workspace.create();
    useLibraryHome(settings, workspace);
    const login: step.Login = await import('./load-login.ts');
    const groups = step.stepGroups(outputs);
    // 4. The logins.
    const orgs = await step.logIn({ settings, workspace, outputs, ...groups }, login);
    const timeoutMs = minutesMs(settings.package?.waitMinutes ?? DEFAULTS.waitMinutes);
    const steps = await login.orgSteps();
    const ctx: step.Run = { settings, plan, outputs, metadataDir, workspace, timeoutMs, login, steps, ...groups };
    if (settings.mode === 'verify') return await writeSummary(await step.verify(ctx, orgs));

    // 5. Checks, with the app as it is now: on a rerun the org's own links go back into what is deployed and
    // packaged, so the app keeps its OAuth consumer (and key).
    const { before, deployTo } = await step.readApps(ctx, orgs);
    await step.checkBeforeChange(ctx, orgs, before);
    // 6. Deploy, and 7. the consumer key.
    const targetApp = await step.deploy(ctx, orgs, before, deployTo);
    const keys = await step.readKey(ctx, orgs, before);
    const targetKey = targetApp ? await step.finishTargetDeploy(ctx, targetApp) : undefined;
    // 8. The GitHub secret and 11. the MCP servers, in the background; the variable.
    const side = step.startSideSteps(ctx, orgs, keys);
    await step.storeVariable(ctx, keys);
    // 9. The package and its version, 10. the install.
    await step.packageAndInstall(ctx, orgs, keys);
    if (side.secret) await ctx.finish(side.secret);
    if (side.mcp) outputs.mcpServers = await ctx.finish(side.mcp);
    // 12. Usable.
    await step.waitUntilUsable(ctx, orgs, keys, targetKey);

    // 13. What a person needs to know.
    const { hub } = orgs;
    const devHub = { username: hub.username, instanceUrl: hub.instanceUrl, orgType: hub.orgType };
    await writeSummary(buildSummary({ plan, dryRun: false, outputs, devHub }));
  } catch (error) {
    fail(error);
    if (plan)
      await writeSummary(buildSummary({ plan, dryRun: false, outputs, failure: { message: message(error), error } }));
    else if (isActionError(error, 'input') && error.problems) await writeSummary(inputProblemsSummary(error.problems));
  } finally {
    workspace?.remove();
  }
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

/** The failure, said against the inputs at fault as the thrower named them (errors.ts), then as the step's failure. */
function fail(error: unknown): void {
  if (isActionError(error, 'input') && error.problems) {
    for (const p of error.problems) say.error(problemLine(p), { title: `Input ${p.input}` });
    say.setFailed(`eca-action: ${error.problems.length} input problem(s); nothing was sent to any org.`);
    return;
  }
  // The checks before any change (preflight.ts) report each problem against its input, as input problems are.
  if (isActionError(error))
    for (const p of error.problems ?? []) say.error(problemLine(p), { title: `Input ${p.input}` });
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
