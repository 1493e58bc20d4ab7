// Step 8 of the procedure: store the app's consumer key (and secret) as GitHub Actions secrets.
//
// Repository secrets: GET /repos/{owner}/{repo}/actions/secrets/public-key, then
//   PUT /repos/{owner}/{repo}/actions/secrets/{name} { encrypted_value, key_id }.
// Environment secrets: the same under /repos/{owner}/{repo}/environments/{env}/secrets/…
// Values are sealed with libsodium's crypto_box_seal against the public key, as GitHub documents
// (docs.github.com/rest/guides/encrypting-secrets-for-the-rest-api).
//
// Nothing here ever puts the token or a value into a message: every error and log line is built from names,
// statuses and GitHub's own error text, and is passed through `redact` on top of that.

import { getOctokit } from '@actions/github';
import sodium from 'libsodium-wrappers';
import type { GithubSecretSettings } from './model.ts';
import { isTransientGithubError, withRetry } from './retry.ts';
import { secretNameProblem } from './secret-name.ts';
import { redactValues } from './mask.ts';
import { tlsChecksOff } from './login-hosts.ts';
import { isLoopback } from './loopback.ts';
import { timing } from './timing.ts';
import { ActionError } from './errors.ts';

// One bundle (dist/github.js) for everything that talks to GitHub: load-steps.ts reaches the variable through here.
export { storeVariable } from './github-variable.ts';

export interface StoreSecretsOptions {
  /** Base URL of the REST API. Default: $GITHUB_API_URL, else https://api.github.com. */
  apiUrl?: string;
  /** 'owner/repo'. Default: $GITHUB_REPOSITORY. */
  repository?: string;
  log?: (line: string) => void;
}

export interface StoreSecretsResult {
  /** Names stored, in order. */
  stored: string[];
  /** Where, for the summary: `repository owner/repo` or `environment "env" of owner/repo`. */
  scope: string;
}

/** An error whose message says what to fix. `status` is GitHub's HTTP status, when there was one. */
export class GithubSecretError extends ActionError {
  status: number | undefined;
  constructor(message: string, status?: number, input?: string) {
    super('github', message, { input });
    this.name = 'GithubSecretError';
    this.status = status;
  }
}

/** GitHub's rule for secret names (secret-name.ts), worded for the store step. */
export function checkSecretName(name: string): string | undefined {
  const problem = secretNameProblem(name);
  if (problem === 'characters') {
    return `Secret name '${name}' is not valid: use only letters, digits and underscores, not starting with a digit.`;
  }
  if (problem === 'reserved') return `Secret name '${name}' is not valid: names must not start with GITHUB_.`;
  return undefined;
}

const DEFAULT_API_URL = 'https://api.github.com';

export async function storeSecrets(
  settings: GithubSecretSettings,
  values: { name: string; value: string }[],
  opts: StoreSecretsOptions = {},
): Promise<StoreSecretsResult> {
  const secretsToHide = [settings.token, ...values.map((v) => v.value)];
  const redact = (text: string): string => redactValues(text, secretsToHide);
  const log = (line: string): void => opts.log?.(redact(line));
  const fail = (message: string, status?: number, input?: string): GithubSecretError =>
    new GithubSecretError(redact(message), status, input);

  // ---- check everything that needs no network first
  if (!settings.token)
    throw fail('github-token is empty: it is needed to store the consumer key as a secret.', undefined, 'github-token');
  const { owner, repo, apiUrl } = githubTarget(opts, 'secret', fail);
  if (values.length === 0) throw fail('No secrets to store.');
  const seen = new Set<string>();
  for (const { name, value } of values) {
    const problem = checkSecretName(name);
    if (problem) throw fail(`${problem} (secret-name)`, undefined, 'secret-name');
    if (seen.has(name.toUpperCase())) throw fail(`Secret '${name}' is given twice (names are case-insensitive).`);
    seen.add(name.toUpperCase());
    if (value === '') throw fail(`The value for secret '${name}' is empty; refusing to store an empty secret.`);
  }
  const env = settings.environment?.trim() || undefined;
  const where = env ? `environment "${env}" of ${owner}/${repo}` : `repository ${owner}/${repo}`;
  const ctx: FailureContext = { owner, repo, env, apiUrl };

  // ---- talk to GitHub
  await sodium.ready;
  const { octokit, call } = githubClient(settings.token, apiUrl, log);

  log(`Storing ${values.map((v) => v.name).join(', ')} as Actions secret(s) in ${where} via ${apiUrl}.`);

  let key: { key_id: string; key: string };
  try {
    const r = await call('Reading the public key', (signal) =>
      env
        ? octokit.rest.actions.getEnvironmentPublicKey({ owner, repo, environment_name: env, request: { signal } })
        : octokit.rest.actions.getRepoPublicKey({ owner, repo, request: { signal } }),
    );
    key = r.data;
  } catch (e) {
    // A 404 on the environment key means "no such environment" or "no such repository (for this token)";
    // one look at the repository key tells which.
    let repoVisible: boolean | undefined;
    if (env && statusOf(e) === 404) {
      try {
        await octokit.rest.actions.getRepoPublicKey({
          owner,
          repo,
          request: { signal: AbortSignal.timeout(timing('github').requestTimeoutMs) },
        });
        repoVisible = true;
      } catch (e2) {
        repoVisible = statusOf(e2) === 404 ? false : undefined;
      }
    }
    throw fail(describeFailure(e, { ...ctx, step: 'public-key', repoVisible }), statusOf(e));
  }
  let binKey: Uint8Array;
  try {
    binKey = sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL);
    if (binKey.length !== sodium.crypto_box_PUBLICKEYBYTES) throw new Error('length');
  } catch {
    throw fail(
      `GitHub answered with an unusable public key for ${where} (not a base64 ${sodium.crypto_box_PUBLICKEYBYTES}-byte key).`,
    );
  }

  const stored: string[] = [];
  for (const { name, value } of values) {
    const encrypted_value = sodium.to_base64(
      sodium.crypto_box_seal(sodium.from_string(value), binKey),
      sodium.base64_variants.ORIGINAL,
    );
    let status: number;
    try {
      const r = await call(`Storing ${name}`, (signal) =>
        env
          ? octokit.rest.actions.createOrUpdateEnvironmentSecret({
              owner,
              repo,
              environment_name: env,
              secret_name: name,
              encrypted_value,
              key_id: key.key_id,
              request: { signal },
            })
          : octokit.rest.actions.createOrUpdateRepoSecret({
              owner,
              repo,
              secret_name: name,
              encrypted_value,
              key_id: key.key_id,
              request: { signal },
            }),
      );
      status = r.status;
    } catch (e) {
      const done = stored.length ? ` (${stored.join(', ')} stored before the failure)` : '';
      throw fail(describeFailure(e, { ...ctx, step: 'put', name }) + done, statusOf(e));
    }
    stored.push(name);
    log(`${status === 201 ? 'Created' : 'Updated'} secret ${name} in ${where}.`);
  }
  return { stored, scope: where };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

interface FailureContext {
  owner: string;
  repo: string;
  env: string | undefined;
  apiUrl: string;
}

export function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

function headerOf(e: unknown, name: string): string | undefined {
  const h = (e as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers?.[name];
  return typeof h === 'string' ? h : undefined;
}

/** GitHub's own error text, from the response body when there is one, else the error's message. */
export function githubMessage(e: unknown): string {
  const data = (e as { response?: { data?: unknown } } | null)?.response?.data;
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    const d = data as { message: string; errors?: unknown };
    const extra = Array.isArray(d.errors)
      ? d.errors
          .map((x) => (typeof x === 'string' ? x : (x as { message?: unknown })?.message))
          .filter((x) => typeof x === 'string')
      : [];
    return [d.message, ...extra].join('; ').replace(/\s+/g, ' ').trim().slice(0, 300);
  }
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export function transientText(e: unknown): string {
  const s = statusOf(e);
  const hasResponse = (e as { response?: unknown } | null)?.response !== undefined;
  return hasResponse && s !== undefined ? `HTTP ${s}` : `no answer (${githubMessage(e)})`;
}

function describeFailure(
  e: unknown,
  c: FailureContext & { step: 'public-key' | 'put'; name?: string; repoVisible?: boolean },
): string {
  const full = `${c.owner}/${c.repo}`;
  const status = statusOf(e);
  const hasResponse = (e as { response?: unknown } | null)?.response !== undefined;
  const ghMsg = githubMessage(e);
  const what =
    c.step === 'public-key'
      ? `Reading the Actions secrets public key of ${c.env ? `environment "${c.env}" of ` : ''}${full}`
      : `Storing secret ${c.name} in ${c.env ? `environment "${c.env}" of ` : 'repository '}${full}`;

  if (!hasResponse) {
    return (
      `${what} failed: no answer from the GitHub API at ${c.apiUrl} (${ghMsg}). ` +
      'Check the network, and on GitHub Enterprise Server that GITHUB_API_URL points at its REST API (https://HOST/api/v3).'
    );
  }
  const permissionHelp =
    'GITHUB_TOKEN never can; pass a fine-grained personal access token (or a GitHub App token) whose repository access includes ' +
    `${full} with the repository permission 'Secrets: Read and write'` +
    (c.env ? ", and 'Environments: Read and write' for environment secrets" : '') +
    ". A classic token needs the 'repo' scope.";
  const accepted = headerOf(e, 'x-accepted-github-permissions');
  const acceptedText = accepted ? ` GitHub says this endpoint needs: ${accepted}.` : '';

  switch (status) {
    case 401:
      return (
        `${what} failed: GitHub rejected github-token (HTTP 401: ${ghMsg}). The token is invalid, expired or revoked; ` +
        'create a new one and update the secret that feeds the github-token input.'
      );
    case 403: {
      if (headerOf(e, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(ghMsg)) {
        const reset = Number(headerOf(e, 'x-ratelimit-reset'));
        const when = Number.isFinite(reset) && reset > 0 ? ` after ${new Date(reset * 1000).toISOString()}` : ' later';
        return `${what} failed: GitHub API rate limit exceeded (HTTP 403: ${ghMsg}). Run the job again${when}.`;
      }
      return `github-token cannot write Actions secrets of ${full} (HTTP 403: ${ghMsg}). ${permissionHelp}${acceptedText}`;
    }
    case 404:
      if (c.step === 'public-key' && c.env && c.repoVisible === true) {
        return (
          `Environment "${c.env}" does not exist in ${full} (HTTP 404). Create it under Settings → Environments, ` +
          'or fix secret-environment (leave it empty to store a repository secret).'
        );
      }
      return (
        `${what} failed: ${full} was not found${c.env && c.repoVisible !== false ? `, or it has no environment "${c.env}"` : ''}, ` +
        `or github-token cannot see it (HTTP 404). Check GITHUB_REPOSITORY, and that the token's repository access includes ${full}. ` +
        permissionHelp
      );
    case 422:
      return (
        `${what} failed: GitHub refused it (HTTP 422: ${ghMsg}). Secret names may contain only letters, digits and ` +
        'underscores, and must not start with a digit or GITHUB_.'
      );
    default:
      return (
        `${what} failed (HTTP ${status ?? '?'}: ${ghMsg})` +
        (status !== undefined && status >= 500
          ? ', also after retrying. GitHub may be having an outage: run the job again later.'
          : '.')
      );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** The repository and API a step writes to, checked before github-token goes anywhere (secrets and the variable). */
export function githubTarget(
  opts: { apiUrl?: string; repository?: string },
  what: 'secret' | 'variable',
  fail: (message: string) => Error,
): { owner: string; repo: string; apiUrl: string } {
  const repository = (opts.repository ?? process.env['GITHUB_REPOSITORY'] ?? '').trim();
  const rm = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!rm) {
    throw fail(
      repository
        ? `GITHUB_REPOSITORY '${repository}' is not of the form owner/repo.`
        : `GITHUB_REPOSITORY is not set: cannot tell which repository to store the ${what} in.`,
    );
  }
  const apiUrl = (opts.apiUrl || process.env['GITHUB_API_URL'] || DEFAULT_API_URL).replace(/\/+$/, '');
  let apiHost: string;
  try {
    const u = new URL(apiUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
    apiHost = u.hostname;
  } catch {
    throw fail(`GITHUB_API_URL '${apiUrl}' is not an http(s) URL.`);
  }
  // No certificate is checked with this variable: github-token would be readable on the way (docs/SECURITY.md).
  if (tlsChecksOff() && !isLoopback(apiHost))
    throw fail(
      `NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: TLS certificates are not checked, so github-token was not sent to ${apiHost}. Remove the variable from the workflow; for a proxy with its own certificate authority, use NODE_EXTRA_CA_CERTS.`,
    );
  return { owner: rm[1] as string, repo: rm[2] as string, apiUrl };
}

/** Octokit for that API, and its calls with the GitHub retry policy and a timeout each. */
export function githubClient(token: string, apiUrl: string, log: (line: string) => void) {
  const octokit = getOctokit(token, {
    baseUrl: apiUrl,
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => log(`GitHub API warning: ${m}`),
      error: (m: string) => log(`GitHub API error: ${m}`),
    },
    // @actions/github's default fetch goes through the proxy chosen for the GITHUB_API_URL seen at load time.
    // A loopback API (the fake in tests, a local GHES tunnel) never needs a proxy: use plain fetch for it.
    ...(isLoopback(new URL(apiUrl).hostname) ? { request: { fetch: globalThis.fetch } } : {}),
  });
  const timeoutMs = timing('github').requestTimeoutMs;
  const call = <T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> =>
    withRetry(() => fn(AbortSignal.timeout(timeoutMs)), {
      what,
      policy: 'github',
      isTransient: isTransientGithubError,
      onRetry: (e, attempt, total, delay) =>
        log(`${what}: ${transientText(e)}; retrying in ${delay} ms (attempt ${attempt + 1} of ${total}).`),
    });
  return { octokit, call };
}
