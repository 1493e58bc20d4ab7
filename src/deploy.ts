// Step 6 of the procedure: deploy the generated project to the Dev Hub with source-deploy-retrieve.
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Connection } from '@salesforce/core';
import { ComponentSet, type MetadataApiDeployStatus } from '@salesforce/source-deploy-retrieve';
import { pollMetadataJob, progressReporter } from './poll.ts';
import { withRetry } from './retry.ts';
import { redact } from './mask.ts';
import * as say from './log.ts';
import { ActionError } from './errors.ts';

export interface DeployFailure {
  type: string;
  fullName: string;
  /** source file, relative to the project */
  file?: string;
  problem: string;
  line?: number;
  column?: number;
}

export class DeployError extends ActionError {
  override name = 'DeployError';
  readonly failures: DeployFailure[];
  constructor(message: string, failures: DeployFailure[]) {
    super('deploy', message);
    this.failures = failures;
  }
}

/** Row locks and "another deploy is in progress" clear up by themselves; a rerun of the deploy is safe. */
function isConflict(failures: DeployFailure[], errorMessage = ''): boolean {
  const text = failures.map((f) => f.problem).join('\n') + errorMessage;
  return /UNABLE_TO_LOCK_ROW|unable to obtain exclusive access|deploy.*already in progress|ALREADY_IN_PROCESS/i.test(
    text,
  );
}

export async function deployProject(
  connection: Connection,
  projectDir: string,
  opts: { timeoutMs: number; log: (line: string) => void /** the org, in messages */; where?: string },
): Promise<{ id: string; components: number }> {
  const where = opts.where ?? 'the Dev Hub';
  const packageDir = join(projectDir, 'force-app');
  const components = ComponentSet.fromSource(packageDir);
  // The version chosen for this run (api-version.ts), in package.xml as on the endpoint.
  components.apiVersion = components.sourceApiVersion = connection.getApiVersion();
  const sources = components.getSourceComponents().toArray();
  const fileOf = new Map(
    sources.map((c) => [`${c.type.name}:${c.fullName}`, c.xml ? relative(projectDir, c.xml) : undefined]),
  );

  return withRetry(
    async () => {
      const operation = await components.deploy({
        usernameOrConnection: connection,
        apiOptions: { rollbackOnError: true, singlePackage: true },
      });
      opts.log(`Deploy ${operation.id} started: ${sources.map((c) => `${c.type.name} ${c.fullName}`).join(', ')}`);
      const progress = progressReporter(opts.log, opts.timeoutMs);
      const status = await pollMetadataJob<MetadataApiDeployStatus>(operation, 'Deploy', {
        timeoutMs: opts.timeoutMs,
        log: opts.log,
        onProgress: (s, ms) =>
          progress(
            `Deploy ${operation.id}: ${s.status}, ${s.numberComponentsDeployed ?? 0}/${s.numberComponentsTotal ?? sources.length} components`,
            ms,
          ),
      });
      if (status.success) return { id: operation.id!, components: sources.length };

      const failures = toArray(status.details?.componentFailures).map(
        (f): DeployFailure => ({
          type: f.componentType || 'unknown',
          fullName: f.fullName,
          file: fileOf.get(`${f.componentType}:${f.fullName}`),
          problem: redact(String(f.problem ?? 'failed')),
          line: f.lineNumber ? Number(f.lineNumber) : undefined,
          column: f.columnNumber ? Number(f.columnNumber) : undefined,
        }),
      );
      // The cause itself, not a count: this message is what the log's last line and the summary's first lines say.
      const shown = failures.slice(0, 3).map((f) => `${f.type} ${f.fullName}: ${f.problem.replace(/\s+/g, ' ')}`);
      const summary = failures.length
        ? `${shown.join('; ')}${failures.length > shown.length ? ` (and ${failures.length - shown.length} more component failure(s))` : ''}`
        : `${status.errorStatusCode ?? status.status}: ${redact(status.errorMessage ?? 'no details')}`;
      const error = new DeployError(`Deploy ${operation.id} to ${where} failed: ${summary}.`, failures);
      if (isConflict(failures, status.errorMessage)) Object.assign(error, { code: 'UNABLE_TO_LOCK_ROW' });
      throw error;
    },
    { what: 'Deploy', log: opts.log },
  );
}

/**
 * One annotation per component failure. GitHub places a file annotation by its path in the repository: only when
 * `projectDir` (output-dir) is inside GITHUB_WORKSPACE does the annotation point at the generated file; otherwise
 * (the default, under RUNNER_TEMP) a path would lead nowhere, and the message alone carries component and cause.
 */
export function annotateFailures(
  error: DeployError,
  projectDir: string,
  workspace = process.env.GITHUB_WORKSPACE,
): void {
  for (const f of error.failures) {
    const file = f.file ? inWorkspace(join(projectDir, f.file), workspace) : undefined;
    // Org text: through the one writer that scrubs secrets and control characters.
    say.error(`${f.type} ${f.fullName}: ${f.problem}`, {
      title: `Deploy failed: ${f.type} ${f.fullName}`,
      ...(file ? { file, startLine: f.line, startColumn: f.column } : {}),
    });
  }
}

/** `path` relative to the workspace, as annotations take it; undefined when it lies outside. */
export function inWorkspace(path: string, workspace: string | undefined): string | undefined {
  if (!workspace) return undefined;
  const rel = relative(resolve(workspace), resolve(path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
