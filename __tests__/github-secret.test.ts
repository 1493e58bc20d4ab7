// storeSecrets against the fake GitHub API: real Octokit, real libsodium sealing, decrypted by the fake.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeGitHub, type FakeGitHub } from '../fake-github/server.ts';
import { storeSecrets, type StoreSecretsOptions } from '../src/github-secret.ts';
import { setTiming } from '../src/timing.ts';
import type { GithubSecretSettings } from '../src/model.ts';

const TOKEN = 'github_pat_11AAAAAAA0testTokenValueDoNotLeak_9zZ';
const READONLY_TOKEN = 'ghs_readOnlyGitHubTokenDoNotLeak1234';
const KEY = '3MVG9fakeConsumerKeyValue_DoNotLeak.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789';
const SECRET = 'F4KEC0NSUMERSECRETDONOTLEAK0123456789ABCDEF0123456789ABCDEF01234';

/** Every log line and error message any test produced, checked for leaks at the end. */
const seen: string[] = [];

let gh: FakeGitHub;
before(async () => {
  // Retries after 5 ms, not 1 s: the GitHub policy's attempts, faster.
  setTiming({ github: { baseMs: 5 } });
  gh = await startFakeGitHub({
    token: TOKEN,
    tokensWithoutPermission: [READONLY_TOKEN],
    repository: 'octo-org/octo-repo',
    environments: ['production', 'staging'],
  });
});
after(async () => {
  await gh.close();
});

function settings(over: Partial<GithubSecretSettings> = {}): GithubSecretSettings {
  return { token: TOKEN, secretName: 'SF_CONSUMER_KEY', ...over };
}

function opts(over: Partial<StoreSecretsOptions> = {}): StoreSecretsOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    apiUrl: gh.url,
    repository: 'octo-org/octo-repo',
    log: (l) => {
      lines.push(l);
      seen.push(l);
    },
    lines,
    ...over,
  };
}

/** Run storeSecrets expecting a failure; return the error message. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error);
    seen.push(e.message, String(e.stack));
    return e.message;
  }
  assert.fail('expected storeSecrets to fail');
}

function requestsSince(n: number) {
  return gh.requests.slice(n);
}

describe('storeSecrets', () => {
  it('stores a repository secret whose decrypted value equals the consumer key', async () => {
    const n = gh.requests.length;
    const o = opts();
    const r = await storeSecrets(settings(), [{ name: 'SF_CONSUMER_KEY', value: KEY }], o);
    assert.deepEqual(r, { stored: ['SF_CONSUMER_KEY'], scope: 'repository octo-org/octo-repo' });
    assert.equal(gh.secrets.get('repo:SF_CONSUMER_KEY'), KEY);
    const reqs = requestsSince(n);
    assert.deepEqual(
      reqs.map((q) => [q.method, q.path, q.status]),
      [
        ['GET', '/repos/octo-org/octo-repo/actions/secrets/public-key', 200],
        ['PUT', '/repos/octo-org/octo-repo/actions/secrets/SF_CONSUMER_KEY', 201],
      ],
    );
    for (const q of reqs) assert.match(q.authorization ?? '', new RegExp(`^(Bearer|token) ${TOKEN}$`));
    assert.ok(
      o.lines.some((l) => /Created secret SF_CONSUMER_KEY/.test(l)),
      o.lines.join('\n'),
    );
  });

  it('stores two secrets (KEY and KEY_SECRET) with one public-key request', async () => {
    const n = gh.requests.length;
    const r = await storeSecrets(
      settings({ secretName: 'MCP_APP' }),
      [
        { name: 'MCP_APP', value: KEY },
        { name: 'MCP_APP_SECRET', value: SECRET },
      ],
      opts(),
    );
    assert.deepEqual(r.stored, ['MCP_APP', 'MCP_APP_SECRET']);
    assert.equal(gh.secrets.get('repo:MCP_APP'), KEY);
    assert.equal(gh.secrets.get('repo:MCP_APP_SECRET'), SECRET);
    assert.equal(requestsSince(n).filter((q) => q.route === 'repo.public-key').length, 1);
    assert.equal(requestsSince(n).filter((q) => q.route === 'repo.put-secret').length, 2);
  });

  it('stores environment secrets under the environment', async () => {
    const n = gh.requests.length;
    const r = await storeSecrets(
      settings({ secretName: 'ENV_KEY', environment: 'production' }),
      [
        { name: 'ENV_KEY', value: KEY },
        { name: 'ENV_KEY_SECRET', value: SECRET },
      ],
      opts(),
    );
    assert.deepEqual(r, {
      stored: ['ENV_KEY', 'ENV_KEY_SECRET'],
      scope: 'environment "production" of octo-org/octo-repo',
    });
    assert.equal(gh.secrets.get('env:production:ENV_KEY'), KEY);
    assert.equal(gh.secrets.get('env:production:ENV_KEY_SECRET'), SECRET);
    assert.equal(gh.secrets.has('repo:ENV_KEY'), false);
    assert.deepEqual(
      requestsSince(n).map((q) => [q.method, q.path, q.status]),
      [
        ['GET', '/repos/octo-org/octo-repo/environments/production/secrets/public-key', 200],
        ['PUT', '/repos/octo-org/octo-repo/environments/production/secrets/ENV_KEY', 201],
        ['PUT', '/repos/octo-org/octo-repo/environments/production/secrets/ENV_KEY_SECRET', 201],
      ],
    );
  });

  it('updates an existing secret (GitHub answers 204) and says so', async () => {
    await storeSecrets(settings(), [{ name: 'UPDATED_KEY', value: 'first-value-1234' }], opts());
    const n = gh.requests.length;
    const o = opts();
    const r = await storeSecrets(settings(), [{ name: 'UPDATED_KEY', value: KEY }], o);
    assert.deepEqual(r.stored, ['UPDATED_KEY']);
    assert.equal(gh.secrets.get('repo:UPDATED_KEY'), KEY);
    assert.equal(requestsSince(n).find((q) => q.route === 'repo.put-secret')?.status, 204);
    assert.ok(
      o.lines.some((l) => /Updated secret UPDATED_KEY/.test(l)),
      o.lines.join('\n'),
    );
  });

  it('401: says the token is invalid or expired', async () => {
    const msg = await failure(
      storeSecrets(
        settings({ token: 'ghp_wrongTokenDoNotLeak0000000000000' }),
        [{ name: 'X_KEY', value: KEY }],
        opts(),
      ),
    );
    assert.match(msg, /HTTP 401/);
    assert.match(msg, /invalid, expired or revoked/);
    assert.doesNotMatch(msg, /ghp_wrongTokenDoNotLeak/);
    assert.equal(gh.secrets.has('repo:X_KEY'), false);
  });

  it('403: says the token cannot write secrets and which permissions it needs', async () => {
    const msg = await failure(
      storeSecrets(settings({ token: READONLY_TOKEN }), [{ name: 'X_KEY', value: KEY }], opts()),
    );
    assert.match(msg, /github-token cannot write Actions secrets of octo-org\/octo-repo \(HTTP 403/);
    assert.match(msg, /GITHUB_TOKEN never can/);
    assert.match(msg, /'Secrets: Read and write'/);
    assert.doesNotMatch(msg, /Environments/);
    assert.match(msg, /GitHub says this endpoint needs: secrets=read/);
  });

  it('403 on an environment: asks for Environments permission too', async () => {
    const msg = await failure(
      storeSecrets(
        settings({ token: READONLY_TOKEN, environment: 'staging' }),
        [{ name: 'X_KEY', value: KEY }],
        opts(),
      ),
    );
    assert.match(msg, /HTTP 403/);
    assert.match(msg, /'Secrets: Read and write'/);
    assert.match(msg, /'Environments: Read and write'/);
  });

  it('404 on a missing environment: says the environment does not exist', async () => {
    const msg = await failure(storeSecrets(settings({ environment: 'qa' }), [{ name: 'X_KEY', value: KEY }], opts()));
    assert.match(msg, /^Environment "qa" does not exist in octo-org\/octo-repo \(HTTP 404\)/);
    assert.match(msg, /Settings → Environments/);
  });

  it('404 on a repository the token cannot see: says so', async () => {
    const msg = await failure(
      storeSecrets(settings(), [{ name: 'X_KEY', value: KEY }], opts({ repository: 'octo-org/other-repo' })),
    );
    assert.match(msg, /octo-org\/other-repo was not found, or github-token cannot see it \(HTTP 404\)/);
    assert.match(msg, /GITHUB_REPOSITORY/);
  });

  it('404 on an environment of an invisible repository: does not claim the environment is missing', async () => {
    const msg = await failure(
      storeSecrets(
        settings({ environment: 'production' }),
        [{ name: 'X_KEY', value: KEY }],
        opts({ repository: 'octo-org/other-repo' }),
      ),
    );
    assert.match(msg, /octo-org\/other-repo was not found, or github-token cannot see it/);
    assert.doesNotMatch(msg, /does not exist/);
  });

  it('respects GITHUB_API_URL and GITHUB_REPOSITORY when no options are given (GHES-style /api/v3)', async () => {
    const ghes = await startFakeGitHub({ token: TOKEN, pathPrefix: '/api/v3', repository: 'ent-org/ent-repo' });
    const saved = { api: process.env['GITHUB_API_URL'], repo: process.env['GITHUB_REPOSITORY'] };
    try {
      process.env['GITHUB_API_URL'] = `${ghes.url}/`;
      process.env['GITHUB_REPOSITORY'] = 'ent-org/ent-repo';
      const lines: string[] = [];
      const r = await storeSecrets(settings(), [{ name: 'GHES_KEY', value: KEY }], { log: (l) => lines.push(l) });
      seen.push(...lines);
      assert.deepEqual(r, { stored: ['GHES_KEY'], scope: 'repository ent-org/ent-repo' });
      assert.equal(ghes.secrets.get('repo:GHES_KEY'), KEY);
      assert.deepEqual(
        ghes.requests.map((q) => q.path),
        [
          '/api/v3/repos/ent-org/ent-repo/actions/secrets/public-key',
          '/api/v3/repos/ent-org/ent-repo/actions/secrets/GHES_KEY',
        ],
      );
      assert.equal(gh.secrets.has('repo:GHES_KEY'), false);
    } finally {
      if (saved.api === undefined) delete process.env['GITHUB_API_URL'];
      else process.env['GITHUB_API_URL'] = saved.api;
      if (saved.repo === undefined) delete process.env['GITHUB_REPOSITORY'];
      else process.env['GITHUB_REPOSITORY'] = saved.repo;
      await ghes.close();
    }
  });

  it('apiUrl option wins over GITHUB_API_URL', async () => {
    const saved = process.env['GITHUB_API_URL'];
    try {
      process.env['GITHUB_API_URL'] = 'http://127.0.0.1:9/not-here';
      await storeSecrets(settings(), [{ name: 'API_URL_KEY', value: KEY }], opts({ apiUrl: gh.url }));
      assert.equal(gh.secrets.get('repo:API_URL_KEY'), KEY);
    } finally {
      if (saved === undefined) delete process.env['GITHUB_API_URL'];
      else process.env['GITHUB_API_URL'] = saved;
    }
  });

  it('retries a transient 500 on the public key and on the PUT, then succeeds', async () => {
    gh.failNext('repo.public-key', 503);
    gh.failNext('repo.put-secret', 500);
    const n = gh.requests.length;
    const o = opts();
    const r = await storeSecrets(settings(), [{ name: 'RETRY_KEY', value: KEY }], o);
    assert.deepEqual(r.stored, ['RETRY_KEY']);
    assert.equal(gh.secrets.get('repo:RETRY_KEY'), KEY);
    assert.deepEqual(
      requestsSince(n).map((q) => [q.route, q.status]),
      [
        ['repo.public-key', 503],
        ['repo.public-key', 200],
        ['repo.put-secret', 500],
        ['repo.put-secret', 201],
      ],
    );
    assert.equal(o.lines.filter((l) => /retrying in \d+ ms \(attempt 2 of 3\)/.test(l)).length, 2, o.lines.join('\n'));
  });

  it('retries a dropped connection (network error), then succeeds', async () => {
    gh.failNext('env.put-secret', 'reset');
    const n = gh.requests.length;
    const o = opts();
    await storeSecrets(settings({ environment: 'staging' }), [{ name: 'NET_KEY', value: KEY }], o);
    assert.equal(gh.secrets.get('env:staging:NET_KEY'), KEY);
    assert.deepEqual(
      requestsSince(n)
        .filter((q) => q.route === 'env.put-secret')
        .map((q) => q.status),
      [-1, 201],
    );
    assert.ok(
      o.lines.some((l) => /Storing NET_KEY: no answer/.test(l)),
      o.lines.join('\n'),
    );
  });

  it('gives up after the retries with a clear message, and says what was already stored', async () => {
    const n = gh.requests.length;
    const o = opts();
    const p = storeSecrets(
      settings(),
      [
        { name: 'GIVEUP_KEY', value: KEY },
        { name: 'GIVEUP_KEY_SECRET', value: SECRET },
      ],
      {
        ...o,
        log: (l) => {
          o.log?.(l);
          // once the first secret is stored, make the second one fail every time
          if (/Created secret GIVEUP_KEY /.test(l)) gh.failNext('repo.put-secret', 502, 5);
        },
      },
    );
    const msg = await failure(p);
    assert.match(msg, /^Storing secret GIVEUP_KEY_SECRET in repository octo-org\/octo-repo failed \(HTTP 502/);
    assert.match(msg, /also after retrying/);
    assert.match(msg, /\(GIVEUP_KEY stored before the failure\)/);
    assert.equal(requestsSince(n).filter((q) => q.route === 'repo.put-secret' && q.status === 502).length, 3);
    gh.failNext('repo.put-secret', 502, 0);
  });

  it('does not retry a 4xx', async () => {
    const n = gh.requests.length;
    await failure(
      storeSecrets(
        settings({ token: 'ghp_wrongTokenDoNotLeak0000000000000' }),
        [{ name: 'X_KEY', value: KEY }],
        opts(),
      ),
    );
    assert.equal(requestsSince(n).length, 1);
  });

  it('rejects bad names, empty values and a missing repository before any request', async () => {
    const n = gh.requests.length;
    assert.match(
      await failure(storeSecrets(settings(), [{ name: 'GITHUB_KEY', value: KEY }], opts())),
      /must not start with GITHUB_/,
    );
    assert.match(
      await failure(storeSecrets(settings(), [{ name: '1KEY', value: KEY }], opts())),
      /not starting with a digit/,
    );
    assert.match(
      await failure(storeSecrets(settings(), [{ name: 'MY-KEY', value: KEY }], opts())),
      /letters, digits and underscores/,
    );
    assert.match(await failure(storeSecrets(settings(), [{ name: 'A_KEY', value: '' }], opts())), /empty/);
    assert.match(
      await failure(
        storeSecrets(
          settings(),
          [
            { name: 'A_KEY', value: KEY },
            { name: 'a_key', value: SECRET },
          ],
          opts(),
        ),
      ),
      /given twice/,
    );
    assert.match(
      await failure(storeSecrets(settings({ token: '' }), [{ name: 'A_KEY', value: KEY }], opts())),
      /github-token is empty/,
    );
    const saved = process.env['GITHUB_REPOSITORY'];
    delete process.env['GITHUB_REPOSITORY'];
    try {
      assert.match(
        await failure(storeSecrets(settings(), [{ name: 'A_KEY', value: KEY }], opts({ repository: undefined }))),
        /GITHUB_REPOSITORY is not set/,
      );
    } finally {
      if (saved !== undefined) process.env['GITHUB_REPOSITORY'] = saved;
    }
    assert.match(
      await failure(storeSecrets(settings(), [{ name: 'A_KEY', value: KEY }], opts({ repository: 'just-a-name' }))),
      /owner\/repo/,
    );
    assert.equal(gh.requests.length, n);
  });

  it('reports an unreachable API with a hint about GITHUB_API_URL', async () => {
    const dead = await startFakeGitHub();
    const url = dead.url;
    await dead.close();
    const msg = await failure(storeSecrets(settings(), [{ name: 'A_KEY', value: KEY }], opts({ apiUrl: url })));
    assert.match(msg, /no answer from the GitHub API at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(msg, /GITHUB_API_URL/);
  });

  it('never puts the token or a value into an error message or a log line', () => {
    assert.ok(seen.length > 20, `only ${seen.length} lines collected`);
    for (const s of [TOKEN, READONLY_TOKEN, 'ghp_wrongTokenDoNotLeak', KEY, SECRET, 'first-value-1234']) {
      const hit = seen.find((l) => l.includes(s));
      assert.equal(hit, undefined, `leaked ${s.slice(0, 8)}… in: ${hit}`);
    }
    // nor the values in base64 (they are only ever sent sealed)
    for (const s of [KEY, SECRET]) {
      const b64 = Buffer.from(s).toString('base64').slice(0, 24);
      assert.equal(
        seen.find((l) => l.includes(b64)),
        undefined,
      );
    }
  });
});

describe('fake GitHub', () => {
  it('refuses invalid secret names with 422, like GitHub', async () => {
    for (const name of ['GITHUB_TOKEN', 'github_x', '9LIVES', 'HAS-DASH']) {
      const res = await fetch(`${gh.url}/repos/octo-org/octo-repo/actions/secrets/${name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ encrypted_value: 'AAAA', key_id: 'x' }),
      });
      assert.equal(res.status, 422, name);
      assert.match(((await res.json()) as { message: string }).message, /alphanumeric/);
    }
  });

  it('refuses a value it cannot decrypt with 422, and a missing token with 401', async () => {
    const key = (await (
      await fetch(`${gh.url}/repos/octo-org/octo-repo/actions/secrets/public-key`, {
        headers: { authorization: `token ${TOKEN}` },
      })
    ).json()) as { key_id: string; key: string };
    assert.equal(Buffer.from(key.key, 'base64').length, 32);
    const bad = await fetch(`${gh.url}/repos/octo-org/octo-repo/actions/secrets/SOME_KEY`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        encrypted_value: Buffer.from('not sealed at all, not sealed at all, not sealed at all').toString('base64'),
        key_id: key.key_id,
      }),
    });
    assert.equal(bad.status, 422);
    const anon = await fetch(`${gh.url}/repos/octo-org/octo-repo/actions/secrets/public-key`);
    assert.equal(anon.status, 401);
  });
});

describe('storeSecrets with NODE_TLS_REJECT_UNAUTHORIZED=0', () => {
  it('sends github-token to no host but this machine, naming the variable', async () => {
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const n = gh.requests.length;
      const message = await failure(
        storeSecrets(settings(), [{ name: 'SF_CONSUMER_KEY', value: KEY }], opts({ apiUrl: 'https://api.github.com' })),
      );
      assert.match(
        message,
        /NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: .*github-token was not sent to api\.github\.com/,
      );
      // The fake GitHub on this machine still works (local runs).
      const r = await storeSecrets(settings(), [{ name: 'SF_CONSUMER_KEY', value: KEY }], opts());
      assert.equal(r.stored.length, 1);
      assert.equal(requestsSince(n).length > 0, true);
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    }
  });
});
