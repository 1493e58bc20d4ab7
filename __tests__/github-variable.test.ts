// storeVariable (consumer-key-variable) against the fake GitHub: create, update, the race in between, and the
// messages a person acts on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/server.ts';
import { storeVariable } from '../src/github-variable.ts';
import { setTiming } from '../src/timing.ts';

const TOKEN = 'github_pat_11AAAAAAA0variablesTokenDoNotLeak_9zZ';
const READ_ONLY = 'github_pat_11AAAAAAA0readOnlyTokenDoNotLeak_00';
let gh: FakeGitHub;
const opts = () => ({ apiUrl: gh.url, repository: 'acme/mcp' });

describe('storeVariable', () => {
  before(async () => {
    setTiming({ github: { baseMs: 5 } });
    gh = await startFakeGitHub({ token: TOKEN, tokensWithoutPermission: [READ_ONLY], repository: 'acme/mcp' });
  });
  after(() => gh.close());

  it('with NODE_TLS_REJECT_UNAUTHORIZED=0 sends github-token to no host but this machine, as the secrets do', async () => {
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      await assert.rejects(
        storeVariable({ token: TOKEN, variableName: 'TLS_KEY' }, 'KEY', {
          ...opts(),
          apiUrl: 'https://api.github.com',
        }),
        /NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: .*github-token was not sent to api\.github\.com/,
      );
      await storeVariable({ token: TOKEN, variableName: 'TLS_KEY' }, 'KEY', opts());
      assert.equal(gh.variables.get('TLS_KEY'), 'KEY', 'the GitHub API on this machine still works (local runs)');
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    }
  });

  it('creates the variable, then updates it', async () => {
    const first = await storeVariable({ token: TOKEN, variableName: 'Mcp_Key' }, 'KEY-1', opts());
    assert.deepEqual(first, { name: 'Mcp_Key', scope: 'repository acme/mcp', created: true });
    const second = await storeVariable({ token: TOKEN, variableName: 'MCP_KEY' }, 'KEY-2', opts());
    assert.equal(second.created, false);
    assert.equal(gh.variables.get('MCP_KEY'), 'KEY-2', 'names are case-insensitive');
  });

  it('a variable made between its PATCH and its POST (409) is updated', async () => {
    await storeVariable({ token: TOKEN, variableName: 'RACE_KEY' }, 'old', opts());
    gh.failNext('repo.update-variable', 404);
    const from = gh.requests.length;
    const r = await storeVariable({ token: TOKEN, variableName: 'RACE_KEY' }, 'new', opts());
    assert.equal(r.created, false);
    assert.deepEqual(
      gh.requests.slice(from).map((q) => `${q.route}:${q.status}`),
      ['repo.update-variable:404', 'repo.create-variable:409', 'repo.update-variable:204'],
    );
    assert.equal(gh.variables.get('RACE_KEY'), 'new');
  });

  it('a token without the permission: names it, never shows the token', async () => {
    await assert.rejects(storeVariable({ token: READ_ONLY, variableName: 'MCP_KEY' }, 'K', opts()), (e: Error) => {
      assert.match(e.message, /cannot write Actions variables of acme\/mcp \(HTTP 403/);
      assert.match(e.message, /Variables: Read and write/);
      assert.ok(!e.message.includes(READ_ONLY));
      return true;
    });
  });

  it('refuses a name GitHub would refuse, and an empty key, before any request', async () => {
    const from = gh.requests.length;
    for (const name of ['GITHUB_KEY', '9KEY', 'MY-KEY'])
      await assert.rejects(
        storeVariable({ token: TOKEN, variableName: name }, 'K', opts()),
        /not a GitHub variable name/,
      );
    await assert.rejects(storeVariable({ token: TOKEN, variableName: 'K' }, '', opts()), /empty/);
    assert.equal(gh.requests.length, from);
  });
});
