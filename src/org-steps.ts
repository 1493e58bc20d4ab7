// The steps after login: deploy, read the credentials, package, store secrets (loaded by org-login.ts).
export { deployProject, annotateFailures, DeployError } from './deploy.ts';
export { appExists, readAppState, type AppState } from './credentials.ts';
export { ensurePackage, createVersion, installVersion, installUrl, isInstalled, PackagingError } from './packaging.ts';

/** Octokit and libsodium load only for a run that stores a secret (the bundle puts them in a file of their own). */
export async function storeSecrets(...args: Parameters<typeof import('./github-secret.ts').storeSecrets>): ReturnType<typeof import('./github-secret.ts').storeSecrets> {
  const { storeSecrets: store } = await import('./github-secret.ts');
  return store(...args);
}
