// The first of two loading stages of everything that talks to orgs, and the entry of dist/org.js, which holds both
// stages (a dry run loads neither). This stage is the login (login.ts), which needs @salesforce/core alone.
// Source-deploy-retrieve and packaging, about as much code again, are in the second stage (load-steps.ts),
// evaluated only once the login's first request is on the wire: their start-up then overlaps the login's round
// trips instead of delaying the first one.
import { afterFirstConnection } from './network.ts';

export { connectDevHub, connectOrg, devHubInput, withInput } from './login.ts';

let steps: Promise<typeof import('./load-steps.ts')> | undefined;

/** The second stage (load-steps.ts): loaded once, on first use or after the first connection. */
export function orgSteps(): Promise<typeof import('./load-steps.ts')> {
  steps ??= import('./load-steps.ts');
  return steps;
}

// A load that fails is reported where the steps are awaited (main), not as an unhandled rejection here.
afterFirstConnection(() => orgSteps().catch(() => undefined));
