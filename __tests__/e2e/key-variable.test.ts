// consumer-key-variable: the consumer key (never the secret) as a repository Actions variable, stored by the
// committed bundle through Octokit against the fake GitHub's variables API; created once, updated on a rerun.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { startFakeGitHub, type FakeGitHub } from '../../fake-github/server.ts';
import { runAction } from '../helpers/run-action.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';
import { consumerOf, fakeEnv, jwtInputs, secretsOf } from '../helpers/fake-env.ts';

let org: FakeOrg;
let github: FakeGitHub;
beforeEach(async () => {
  org = await startFakeOrg();
  github = await startFakeGitHub({
    token: 'ghp_FakeTokenForVariablesWrite012345',
    tokensWithoutPermission: ['ghp_TokenWithoutVariablesWrite000000'],
    repository: 'acme/mcp',
  });
});
afterEach(async () => {
  await github.close();
  await org.close();
});

const env = (): Record<string, string> => fakeEnv(org, { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/mcp' });

test('the key goes into the variable (created, then updated on a rerun), the secret never does', async () => {
  const inputs = jwtInputs(org, {
    package: 'false',
    clients: 'claude',
    'require-secret': 'true',
    'github-token': github.token,
    'consumer-key-variable': 'SF_MCP_CLIENT_ID',
  });
  const run = await runAction({ inputs, env: env() });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const consumer = consumerOf(org)!;
  assert.equal(github.variables.get('SF_MCP_CLIENT_ID'), consumer.key);
  assert.ok(![...github.variables.values()].includes(consumer.secret), 'the secret is never a variable');
  assert.equal(github.secrets.size, 0, 'no secret-name: no secret stored');
  const routes = github.requests.map((r) => `${r.route}:${r.status}`);
  assert.deepEqual(routes, ['repo.update-variable:404', 'repo.create-variable:201']);
  assert.match(run.summary, /the variable `SF_MCP_CLIENT_ID` \(repository acme\/mcp\)/);
  assert.ok(run.summary.includes(`…${consumer.key.slice(-4)}`));
  assertNoLeaks(run, [...secretsOf(org), { what: 'the GitHub token', value: github.token }]);

  const again = await runAction({ inputs, env: env() });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(github.requests.at(-1)?.route, 'repo.update-variable');
  assert.equal(github.requests.at(-1)?.status, 204);
  assert.equal(github.variables.get('SF_MCP_CLIENT_ID'), consumerOf(org)!.key);
});

test('a token that may not write variables: the run fails, names the permission, and the summary says so', async () => {
  const run = await runAction({
    inputs: jwtInputs(org, {
      package: 'false',
      'github-token': 'ghp_TokenWithoutVariablesWrite000000',
      'consumer-key-variable': 'SF_MCP_CLIENT_ID',
    }),
    env: env(),
  });
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /github-token cannot write Actions variables of acme\/mcp \(HTTP 403.*Variables: Read and write/,
  );
  assert.match(
    run.summary.split('\n').slice(0, 10).join('\n'),
    /Storing the consumer key as a repository variable failed/,
  );
  assert.equal(github.variables.size, 0);
  assertNoLeaks(run, [...secretsOf(org), { what: 'the token', value: 'ghp_TokenWithoutVariablesWrite000000' }]);
});

test('a name GitHub would refuse is an input error before any org or GitHub call', async () => {
  const from = org.log.length;
  for (const name of ['GITHUB_MCP_KEY', '1KEY', 'MY-KEY']) {
    const run = await runAction({
      inputs: jwtInputs(org, { 'github-token': github.token, 'consumer-key-variable': name }),
      env: env(),
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error title=Input consumer-key-variable::consumer-key-variable: /);
  }
  const noToken = await runAction({ inputs: jwtInputs(org, { 'consumer-key-variable': 'MCP_KEY' }), env: env() });
  assert.match(noToken.stdout, /consumer-key-variable: needs github-token/);
  assert.equal(org.log.length, from, 'no org request');
  assert.equal(github.requests.length, 0, 'no GitHub request');
});
