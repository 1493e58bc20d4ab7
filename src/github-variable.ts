// Step 8 of the procedure, second half: the consumer key as a repository Actions variable (`consumer-key-variable`),
// so that a person can read it under Settings → Secrets and variables → Actions → Variables. Opt-in, and only the
// key: a consumer key is an OAuth client id, which public clients send in every authorization URL; the consumer
// secret never goes here (docs/platform-notes.md §25).
//
// Create or update, as GitHub documents it (docs.github.com/rest/actions/variables):
//   PATCH /repos/{owner}/{repo}/actions/variables/{name} {name, value} → 204, or 404 when there is none yet;
//   then POST /repos/{owner}/{repo}/actions/variables {name, value} → 201.
// PATCH first: a rerun (the common case) takes one call. A POST that meets a variable made meanwhile (409) is
// followed by one more PATCH.
import type { GithubVariableSettings } from './model.ts';
import { secretNameProblem } from './secret-name.ts';
import { ActionError } from './errors.ts';
import { redactValues } from './mask.ts';
import { githubClient, githubMessage, githubTarget, statusOf } from './github-secret.ts';

export class GithubVariableError extends ActionError {
  status: number | undefined;
  constructor(message: string, status?: number, input?: string) {
    super('github', message, { input });
    this.name = 'GithubVariableError';
    this.status = status;
  }
}

export interface StoreVariableResult {
  name: string;
  /** `repository owner/repo` */
  scope: string;
  created: boolean;
}

export async function storeVariable(
  settings: GithubVariableSettings,
  value: string,
  opts: { apiUrl?: string; repository?: string; log?: (line: string) => void } = {},
): Promise<StoreVariableResult> {
  // The key itself is a variable's value by design; the token is what must never show.
  const redact = (text: string): string => redactValues(text, [settings.token]);
  const log = (line: string): void => opts.log?.(redact(line));
  const fail = (message: string, status?: number, input?: string): GithubVariableError =>
    new GithubVariableError(redact(message), status, input);

  const name = settings.variableName;
  if (secretNameProblem(name))
    throw fail(`consumer-key-variable '${name}' is not a GitHub variable name.`, undefined, 'consumer-key-variable');
  if (!value) throw fail('The consumer key is empty; refusing to store an empty variable.');
  const { owner, repo, apiUrl } = githubTarget(opts, 'variable', fail);
  const full = `${owner}/${repo}`;
  const { octokit, call } = githubClient(settings.token, apiUrl, log);
  const update = (): Promise<unknown> =>
    call(`Updating variable ${name}`, (signal) =>
      octokit.rest.actions.updateRepoVariable({ owner, repo, name, value, request: { signal } }),
    );

  log(`Storing the consumer key as the Actions variable ${name} of ${full} via ${apiUrl}.`);
  let created = false;
  try {
    try {
      await update();
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
      try {
        await call(`Creating variable ${name}`, (signal) =>
          octokit.rest.actions.createRepoVariable({ owner, repo, name, value, request: { signal } }),
        );
        created = true;
      } catch (e2) {
        if (statusOf(e2) !== 409) throw e2;
        await update();
      }
    }
  } catch (e) {
    throw fail(describe(e, name, full, apiUrl), statusOf(e));
  }
  log(`${created ? 'Created' : 'Updated'} the variable ${name} in repository ${full}.`);
  return { name, scope: `repository ${full}`, created };
}

function describe(e: unknown, name: string, full: string, apiUrl: string): string {
  const status = statusOf(e);
  const what = `Storing the variable ${name} (consumer-key-variable) in ${full}`;
  if ((e as { response?: unknown } | null)?.response === undefined) {
    return `${what} failed: no answer from the GitHub API at ${apiUrl} (${githubMessage(e)}).`;
  }
  const help =
    `GITHUB_TOKEN cannot write variables; pass a fine-grained personal access token (or a GitHub App token) whose repository access includes ${full} ` +
    "with the repository permission 'Variables: Read and write' (a classic token needs the 'repo' scope).";
  switch (status) {
    case 401:
      return `${what} failed: GitHub rejected github-token (HTTP 401: ${githubMessage(e)}). Create a new token and update the secret that feeds github-token.`;
    case 403:
      return `github-token cannot write Actions variables of ${full} (HTTP 403: ${githubMessage(e)}). ${help}`;
    case 404:
      return `${what} failed: ${full} was not found, or github-token cannot see it (HTTP 404). ${help}`;
    case 422:
      return `${what} failed: GitHub refused it (HTTP 422: ${githubMessage(e)}). Variable names may contain only letters, digits and underscores, and must not start with a digit or GITHUB_.`;
    default:
      return `${what} failed (HTTP ${status ?? '?'}: ${githubMessage(e)}).`;
  }
}
