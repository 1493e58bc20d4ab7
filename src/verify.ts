// `mode: verify` after the logins: read the app from the Dev Hub (and the installed app's policy from the install
// target), compare it with the plan (drift.ts), and report. Nothing here writes to an org, builds a version, reads
// a secret or stores one: the reads are listMetadata and retrieve, as step 5 makes them before an apply.
import * as core from '@actions/core';
import type { Connection } from '@salesforce/core';
import { compareDevHub, compareInstallTarget, driftMessage, failsStep, type DriftReport } from './drift.ts';
import type { AppPlan, Settings } from './model.ts';
import * as say from './log.ts';

type Steps = Pick<typeof import('./load-steps.ts'), 'appExists' | 'readAppState'>;

export async function verifyApp(
  settings: Settings,
  plan: AppPlan,
  orgs: { hub: Connection; target?: Connection | undefined },
  steps: Steps,
  opts: { timeoutMs: number; log: (line: string) => void },
): Promise<DriftReport> {
  const read = { withKey: false, withSecret: false, withSettings: true, timeoutMs: opts.timeoutMs, log: opts.log };
  if (!(await steps.appExists(orgs.hub, plan.appName, opts.log))) {
    throw new Error(
      `app-name: the Dev Hub has no External Client App named ${plan.appName}, so there is nothing to verify. Check app-name (the app's API name in Setup → External Client App Manager), or create the app with mode: apply.`,
    );
  }
  const hub = await steps.readAppState(orgs.hub, plan.appName, read);
  const drifts = compareDevHub(plan, hub.settings ?? {});
  opts.log(`Read ${plan.appName} from the Dev Hub: ${count(drifts.length)}.`);
  if (orgs.target) {
    if (!(await steps.appExists(orgs.target, plan.appName, opts.log))) {
      throw new Error(
        `install-target: the org has no External Client App named ${plan.appName} installed (app-name), so its policy cannot be verified. Install the package there (mode: apply with install-target), or remove install-target.`,
      );
    }
    const target = await steps.readAppState(orgs.target, plan.appName, read);
    const found = compareInstallTarget(plan, target.settings ?? {});
    opts.log(`Read the installed ${plan.appName}'s policy from the install target: ${count(found.length)}.`);
    drifts.push(...found);
  }
  return {
    appName: plan.appName,
    orgs: orgs.target ? ['Dev Hub', 'install target'] : ['Dev Hub'],
    drifts,
    failOn: settings.failOnDrift,
  };
}

/** One annotation per difference (an error when weaker), the `drift` output, and the step's result. */
export function reportDrift(report: DriftReport): void {
  core.setOutput('drift', String(report.drifts.length > 0));
  for (const d of report.drifts) {
    const fails = d.kind === 'weaker' || report.failOn === 'any';
    (fails ? say.error : say.warning)(driftMessage(d), {
      title: `Drift (${d.kind}): ${d.setting}`,
    });
  }
  const weaker = report.drifts.filter((d) => d.kind === 'weaker').length;
  if (failsStep(report)) {
    say.setFailed(
      `eca-action verify: ${report.appName} drifted: ${report.drifts.length} setting(s) differ from the inputs, ${weaker} weaker (fail-on-drift: ${report.failOn}). Nothing was changed; mode: apply with the same inputs puts them back.`,
    );
  } else if (report.drifts.length > 0) {
    say.info(
      `${report.appName}: ${report.drifts.length} setting(s) differ from the inputs, none weaker; the step passes (fail-on-drift: weaker).`,
    );
  } else {
    say.info(`${report.appName} holds what the inputs ask: no drift.`);
  }
}

function count(n: number): string {
  return n === 0 ? 'no difference' : `${n} difference${n === 1 ? '' : 's'}`;
}
