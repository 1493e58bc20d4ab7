// Step 6 in process (src/deploy.ts): deployProject with source-deploy-retrieve against a fake Dev Hub of this
// file's own: a valid app is stored in the org; a component the org refuses fails as a DeployError whose failures
// name the component, its file and the org's problem, and nothing is stored (rollbackOnError).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DeployError, deployProject } from '../../src/deploy.ts';
import { isActionError } from '../../src/errors.ts';
import { connectDevHub, type OrgSession } from '../../src/login.ts';
import { oauthXml } from '../helpers/eca-xml.ts';
import { appProject, jwtAuth, routesSince, startStepOrg, type StepOrg } from '../helpers/step-org.ts';

let org: StepOrg;
let hub: OrgSession;
before(async () => {
  org = await startStepOrg();
  hub = await connectDevHub(jwtAuth(org.fake), org.ws, org.log);
});
after(() => org.close());

const stored = (type: string): string[] => [...(org.fake.ctx.devHub.metadata.get(type)?.keys() ?? [])];

test('a valid app: deployed over the Metadata API, every component stored, the deploy id returned', async () => {
  const app = 'Step_Deploy_Ok';
  const mark = org.fake.log.length;
  const result = await deployProject(hub.connection, appProject(org.ws.root, app), { timeoutMs: 60_000, log: org.log });
  assert.equal(result.components, 3);
  assert.match(result.id, /^0Af\w{15}$/);
  assert.ok(
    routesSince(org.fake, mark).some((r) => /^200 (soap|rest)\.deploy/.test(r)),
    routesSince(org.fake, mark).join(),
  );
  assert.ok(stored('ExternalClientApplication').includes(app));
  assert.ok(stored('ExtlClntAppOauthSettings').includes(`${app}_oauth`));
  assert.ok(org.fake.ctx.devHub.consumers.get(app)?.oauthLink, 'the org made the OAuth consumer');
  assert.ok(org.lines.some((l) => l.startsWith(`Deploy ${result.id} started: `)));
});

test('a component the org refuses: DeployError with the failure, its file, nothing stored', async () => {
  const app = 'Step_Deploy_Bad';
  const bad = oauthXml(app).replace('MCP, RefreshToken', 'mcp_api, refresh_token');
  const dir = appProject(org.ws.root, app, { oauth: bad });
  await assert.rejects(deployProject(hub.connection, dir, { timeoutMs: 60_000, log: org.log }), (error: Error) => {
    assert.ok(error instanceof DeployError, String(error));
    assert.ok(isActionError(error, 'deploy'), 'known as a deploy failure in any bundle, by its brand');
    assert.match(
      error.message,
      /^Deploy 0Af\w+ to the Dev Hub failed: ExtlClntAppOauthSettings Step_Deploy_Bad_oauth: There's a problem with your scope/,
    );
    const failure = error.failures.find((f) => f.fullName === `${app}_oauth`);
    assert.ok(failure, JSON.stringify(error.failures));
    assert.equal(failure.type, 'ExtlClntAppOauthSettings');
    assert.equal(
      failure.file,
      join('force-app', 'main', 'default', 'extlClntAppOauthSettings', `${app}_oauth.ecaOauth-meta.xml`),
    );
    assert.match(failure.problem, /McpApi, RefreshToken/);
    return true;
  });
  assert.ok(!stored('ExternalClientApplication').includes(app), 'rolled back');
  assert.equal(org.fake.ctx.devHub.consumers.get(app), undefined);
});
