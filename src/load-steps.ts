// The second of the two loading stages (load-login.ts loads it): the steps after login. Checks, deploy, read the
// credentials, package, MCP servers, the usable wait, store secrets.
export { deployProject, annotateFailures, DeployError } from './deploy.ts';
export { appExists, readAppState } from './credentials.ts';
export { ensurePackage, createVersion, installVersion, installUrl, isInstalled, validationState } from './packaging.ts';
export { preflight } from './preflight.ts';
export { activateMcpServers } from './mcp-servers.ts';
export { waitUntilUsable } from './usable.ts';

/** Octokit and libsodium load only for a run that stores a secret (the bundle puts them in a file of their own). */
export async function storeSecrets(
  ...args: Parameters<typeof import('./github-secret.ts').storeSecrets>
): ReturnType<typeof import('./github-secret.ts').storeSecrets> {
  const { storeSecrets: store } = await import('./github-secret.ts');
  return store(...args);
}

/** `consumer-key-variable`: in the same bundle as the secrets (github-secret.ts re-exports it). */
export async function storeVariable(
  ...args: Parameters<typeof import('./github-variable.ts').storeVariable>
): ReturnType<typeof import('./github-variable.ts').storeVariable> {
  const { storeVariable: store } = await import('./github-secret.ts');
  return store(...args);
}
