// The API version of the deploys and retrieves: the Dev Hub's newest, capped at the newest the action knows (68.0),
// never older than the fields it writes need (66.0); said in the log and the summary (docs/platform-notes.md §27).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { runJwt, secretsOf } from '../helpers/fake-env.ts';
import { assertNoLeaks } from '../helpers/leaks.ts';

async function withOrg(maxApiVersion: number | undefined, fn: (org: FakeOrg) => Promise<void>): Promise<void> {
  const org = await startFakeOrg(maxApiVersion ? { maxApiVersion } : {});
  try {
    await fn(org);
  } finally {
    await org.close();
  }
}

const metadataPaths = (org: FakeOrg): string[] =>
  org.log.filter((e) => /^soap\.|^metadata\./.test(e.route)).map((e) => e.path);

test('a Dev Hub on 68.0: the app is deployed and read at 68.0, and the summary says so', () =>
  withOrg(undefined, async (org) => {
    const run = await runJwt(org, { package: 'false' });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Metadata API version 68\.0 \(the Dev Hub's newest\)/);
    assert.match(run.summary, /Deployed and read at API version `68\.0`/);
    const paths = metadataPaths(org);
    assert.ok(paths.length > 0);
    assert.ok(
      paths.every((p) => /\/68\.0(\/|$)|\/v68\.0\//.test(p)),
      paths.join('\n'),
    );
    assertNoLeaks(run, secretsOf(org));
  }));

test('a Dev Hub on 67.0: its own newest version, not one it does not serve', () =>
  withOrg(67, async (org) => {
    const run = await runJwt(org, { package: 'false' });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Metadata API version 67\.0/);
    assert.ok(metadataPaths(org).every((p) => !p.includes('68.0')));
  }));

test('a Dev Hub older than the fields need: refused before any change, saying why', () =>
  withOrg(65, async (org) => {
    const run = await runJwt(org, { package: 'false' });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /newest API version is 65\.0, older than 66\.0, which the External Client App fields/);
    assert.deepEqual(metadataPaths(org), [], 'nothing deployed or read');
  }));
