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
    const problem = secretNameProblem(secretName);
    if (problem === 'characters') {
      p.add(
        'secret-name',
        `${show(secretName)} is not a GitHub secret name: letters, digits and underscores only, not starting with a digit (e.g. SALESFORCE_MCP_CLIENT_ID).`,
      );
    } else if (problem === 'reserved') {
      p.add(
        'secret-name',
        `${show(secretName)} starts with GITHUB_, which GitHub reserves for its own secrets. Choose another name (e.g. SALESFORCE_MCP_CLIENT_ID).`,
      );
    }
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
  const problem = secretNameProblem(variableName);
  if (problem === 'characters') {
    p.add(
      'consumer-key-variable',
      `${show(variableName)} is not a GitHub variable name: letters, digits and underscores only, not starting with a digit (e.g. SALESFORCE_MCP_CLIENT_ID).`,
    );
  } else if (problem === 'reserved') {
    p.add(
      'consumer-key-variable',
      `${show(variableName)} starts with GITHUB_, which GitHub reserves for its own variables. Choose another name (e.g. SALESFORCE_MCP_CLIENT_ID).`,
    );
  }
  if (!token) {
    p.add(
      'consumer-key-variable',
      'needs github-token: a token allowed to write Actions variables (a fine-grained token with "Variables: Read and write"; GITHUB_TOKEN cannot).',
    );
    return undefined;
  }
  return { token, variableName };
}
