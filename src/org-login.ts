// Everything that talks to orgs, in two stages (both in dist/org.js; a dry run loads neither).
// Logging in needs @salesforce/core alone. Source-deploy-retrieve and packaging, about as much code again, are
// evaluated only once the login's first request is on the wire: their start-up then overlaps the login's round
// trips instead of delaying the first one.
import { afterFirstConnection } from './network.ts';

export { connectDevHub, connectOrg, devHubInput, OrgError, withInput, type OrgSession } from './orgs.ts';

let steps: Promise<typeof import('./org-steps.ts')> | undefined;

/** Deploy, credentials, packaging and GitHub secrets: loaded once, on first use or after the first connection. */
export function orgSteps(): Promise<typeof import('./org-steps.ts')> {
  steps ??= import('./org-steps.ts');
  return steps;
}

// A load that fails is reported where the steps are awaited (main), not as an unhandled rejection here.
afterFirstConnection(() => orgSteps().catch(() => undefined));
