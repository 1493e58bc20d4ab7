// Step 1, where the consumer key goes besides the outputs (settings.ts reads every input): a GitHub secret, a
// repository variable.
import type { GithubSecretSettings, GithubVariableSettings } from './model.ts';
import { show } from './checks.ts';
import { secretNameProblem } from './secret-name.ts';
import type { Problems } from './settings-parse.ts';

// Publishing the key

export function parseGithub(p: Problems, get: (name: string) => string): GithubSecretSettings | undefined {
  const token = get('github-token');
  const secretName = get('secret-name');
  const environment = get('secret-environment');
  if (secretName) {
    checkGithubName(p, 'secret-name', secretName, 'secret');
    if (!token)
      p.add(
        'secret-name',
        'needs github-token: a token allowed to write Actions secrets (a fine-grained token with "Secrets: write"; GITHUB_TOKEN cannot).',
      );
  }
  if (token) {
    if (/\s/.test(token))
      p.add(
        'github-token',
        'contains whitespace (the value is not shown because it is a secret). Pass the token alone.',
      );
    if (!secretName && !get('consumer-key-variable'))
      p.add(
        'github-token',
        'is given but secret-name and consumer-key-variable are empty: name the secret (or variable) to store the consumer key in, or remove github-token.',
      );
  }
  if (environment) {
    if (!secretName) p.add('secret-environment', 'needs secret-name: name the secret to store in that environment.');
    if (/[\p{Cc}\p{Cf}]/u.test(environment) || environment.length > 255) {
      p.add(
        'secret-environment',
        `${show(environment)} is not an environment name (one line, at most 255 characters).`,
      );
    }
  }
  if (!token || !secretName) return undefined;
  return { token, secretName, ...(environment ? { environment } : {}) };
}

/**
 * `consumer-key-variable`: opt-in, the key only (a client id is public in OAuth; the secret never goes into a
 * variable). GitHub names variables by the same rule as secrets (docs/platform-notes.md §25).
 */
export function parseKeyVariable(p: Problems, get: (name: string) => string): GithubVariableSettings | undefined {
  const variableName = get('consumer-key-variable');
  if (!variableName) return undefined;
  const token = get('github-token');
  checkGithubName(p, 'consumer-key-variable', variableName, 'variable');
  if (!token) {
    p.add(
      'consumer-key-variable',
      'needs github-token: a token allowed to write Actions variables (a fine-grained token with "Variables: Read and write"; GITHUB_TOKEN cannot).',
    );
    return undefined;
  }
  return { token, variableName };
}

/** GitHub's one naming rule for secrets and variables (secret-name.ts), worded for the input that names one. */
function checkGithubName(p: Problems, input: string, name: string, kind: 'secret' | 'variable'): void {
  const problem = secretNameProblem(name);
  if (problem === 'characters') {
    p.add(
      input,
      `${show(name)} is not a GitHub ${kind} name: letters, digits and underscores only, not starting with a digit (e.g. SALESFORCE_MCP_CLIENT_ID).`,
    );
  } else if (problem === 'reserved') {
    p.add(
      input,
      `${show(name)} starts with GITHUB_, which GitHub reserves for its own ${kind}s. Choose another name (e.g. SALESFORCE_MCP_CLIENT_ID).`,
    );
  }
}
