// Everything that talks to an org or to GitHub, loaded only when the run needs it: a dry run never pays for
// parsing @salesforce/* (the bundle puts this module in a file of its own).
export { connectDevHub, connectOrg, OrgError, type OrgSession } from './orgs.ts';
export { deployProject, annotateFailures, DeployError } from './deploy.ts';
export { readAppState, type AppState } from './credentials.ts';
export { ensurePackage, createVersion, installVersion, installUrl, PackagingError } from './packaging.ts';

/** Octokit and libsodium load only for a run that stores a secret (the bundle puts them in a file of their own). */
export async function storeSecrets(...args: Parameters<typeof import('./github-secret.ts').storeSecrets>): ReturnType<typeof import('./github-secret.ts').storeSecrets> {
  const { storeSecrets: store } = await import('./github-secret.ts');
  return store(...args);
}
