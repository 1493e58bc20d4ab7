// The summary's lines on package-validation: which validation the version had and what that means for promoting it.
// Self-contained (main appends what this returns to the summary), so that the summary's layout can change around it.
// Promotion needs validation and code coverage (sf CLI reference, package version create; docs/platform-notes.md §30);
// the action builds without code coverage, so its versions are for testing whatever the validation.
import type { PackageValidation } from './model.ts';
import { escapeMarkdown } from './summary.ts';
import type { ValidationState } from './packaging.ts';

const FOR_RELEASE =
  'Like every version this action builds (no code coverage), it is a beta for testing; a version to promote is built with `sf package version create --code-coverage`.';

export function validationLines(
  asked: PackageValidation,
  state: ValidationState | undefined,
  messages: readonly string[] = [],
): string[] {
  const head = `**Package validation:** ${asked}`;
  switch (state) {
    case 'running':
      return [
        `${head}: the version was installable before its validations ended, and they were still running when this run ended (\`sf package version create report\` shows how they end). ${FOR_RELEASE}`,
      ];
    case 'passed':
      return [`${head}: every validation passed. ${FOR_RELEASE}`];
    case 'failed':
      return [
        `${head}: the validations **failed** after the version was built. It stays installed and usable for testing, but can never be promoted; fix what the Dev Hub says and build another version:`,
        // Org text, untrusted: one line each, no HTML for the summary to render.
        ...messages.slice(0, 10).map((m) => `- ${escapeMarkdown(m.replace(/[\r\n]+/g, ' '))}`),
      ];
    case 'skipped':
      return [
        `${head}: not validated, so this version can never be promoted (fine for testing; use async or full for a version you may release).`,
      ];
    default:
      return [`${head}: the Dev Hub did not say where the validations stand.`];
  }
}
