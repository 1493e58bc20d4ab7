// The in-process step tests (__tests__/steps/step-<module>.test.ts), run by `npm test` in this one process: each
// file alone costs a process that loads @salesforce/* and the fake org again (about 3 s of CPU), together about 7 s
// instead of 22. Each file still runs alone: `node --test __tests__/steps/step-preflight.test.ts`.
import './steps/step-login.test.ts';
import './steps/step-api-version.test.ts';
import './steps/step-preflight.test.ts';
import './steps/step-deploy.test.ts';
import './steps/step-credentials.test.ts';
import './steps/step-mcp-servers.test.ts';
import './steps/step-verify.test.ts';
