// `mode: verify`: the drift report as the first section of the job summary (summary.ts calls it at the top).
// Every text from the org reached drift.ts as untrusted input and is escaped here once more.
import { failsStep, type DriftReport } from './drift.ts';
import { code, escapeMarkdown } from './summary.ts';

export function driftSection(report: DriftReport, add: (...lines: string[]) => void): void {
  const where = report.orgs.join(' and the ');
  add(`## Verify ${code(report.appName)}: ${report.drifts.length === 0 ? 'no drift' : 'drift found'}`, '');
  if (report.drifts.length === 0) {
    add(
      `The app in the ${where} holds what these inputs ask for, and every setting they leave to the org is at the procedure's secure baseline. Nothing was changed.`,
      '',
    );
    return;
  }
  const weaker = report.drifts.filter((d) => d.kind === 'weaker').length;
  const fails = failsStep(report);
  add(
    fails ? '> [!CAUTION]' : '> [!WARNING]',
    `> ${report.drifts.length} setting${report.drifts.length === 1 ? '' : 's'} in the ${where} ${report.drifts.length === 1 ? 'differs' : 'differ'} from what these inputs ask; ${weaker} ${weaker === 1 ? 'is' : 'are'} weaker. ` +
      (fails
        ? `The step fails (${code(`fail-on-drift: ${report.failOn}`)}).`
        : `The step does not fail: none is weaker (${code('fail-on-drift: any')} would fail it).`) +
      ' Nothing was changed: a run with `mode: apply` and the same inputs puts the settings back.',
    '',
    '| Setting | Org | Inputs ask for | Org has | Drift | Salesforce control |',
    '|---|---|---|---|---|---|',
  );
  // Weaker first: they are why the step fails.
  const sorted = [...report.drifts].sort((a, b) => Number(b.kind === 'weaker') - Number(a.kind === 'weaker'));
  for (const d of sorted) {
    add(
      `| ${escapeMarkdown(d.setting)} | ${d.org} | ${escapeMarkdown(d.wanted)} | ${escapeMarkdown(d.actual)} | ${d.kind === 'weaker' ? '⚠️ **weaker**' : 'different'}: ${escapeMarkdown(d.why)} | ${escapeMarkdown(d.control)} |`,
    );
  }
  add('');
}
