// Step 4, the API version (src/api-version.ts) in process: what the Dev Hub lists at /services/data decides the
// version every later call uses; an org older than the fields the action writes is refused with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiVersionError, chooseApiVersion, useApiVersion } from '../../src/api-version.ts';
import { connectDevHub } from '../../src/login.ts';
import { jwtAuth, startStepOrg } from '../helpers/step-org.ts';

test('chooseApiVersion: the org’s newest, capped at the newest known, refused below 66.0, a non-version ignored', () => {
  assert.deepEqual(chooseApiVersion('67.0'), { version: '67.0', why: "the Dev Hub's newest" });
  assert.equal(chooseApiVersion('70.0').version, '68.0');
  assert.match(chooseApiVersion('70.0').why, /the Dev Hub offers 70\.0/);
  assert.equal(chooseApiVersion('66.0').version, '66.0');
  assert.throws(() => chooseApiVersion('65.0'), ApiVersionError);
  assert.equal(chooseApiVersion('v67; DROP').version, '68.0');
});

/** The Dev Hub of an org whose newest API version is `max`: the version chosen, the log and the requests it made. */
async function againstOrgOf(max: number | undefined) {
  const org = await startStepOrg(max === undefined ? {} : { maxApiVersion: max });
  try {
    const hub = await connectDevHub(jwtAuth(org.fake), org.ws, org.log);
    const result = await useApiVersion(hub.connection, org.log).then(
      (version) => ({ version }),
      (error: Error) => ({ error }),
    );
    // (@salesforce/core read /services/data at login.) A call after the choice goes to the chosen version's endpoint.
    if ('version' in result) await hub.connection.query('SELECT Id FROM Organization');
    const after = org.fake.log.at(-1)?.path ?? '';
    return { result, after, apiVersion: hub.connection.getApiVersion(), lines: org.lines };
  } finally {
    await org.close();
  }
}

test('an older org (maxApiVersion 66): 66.0 is used, said in the log, and later calls go to v66.0', async () => {
  const seen = await againstOrgOf(66);
  assert.deepEqual(seen.result, { version: '66.0' });
  assert.equal(seen.apiVersion, '66.0');
  assert.match(seen.after, /^\/services\/data\/v66\.0\/query/);
  assert.ok(seen.lines.includes("Metadata API version 66.0 (the Dev Hub's newest)."), seen.lines.join('\n'));
});

test('a current org: the newest this action knows', async () => {
  const seen = await againstOrgOf(undefined);
  assert.deepEqual(seen.result, { version: '68.0' });
  assert.match(seen.after, /^\/services\/data\/v68\.0\/query/);
});

test('an org older than the fields need (maxApiVersion 65): ApiVersionError naming both versions', async () => {
  const seen = await againstOrgOf(65);
  assert.ok('error' in seen.result);
  assert.ok(seen.result.error instanceof ApiVersionError);
  assert.match(seen.result.error.message, /^The Dev Hub's newest API version is 65\.0, older than 66\.0/);
});
