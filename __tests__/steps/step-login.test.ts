// Step 4 in process (src/login.ts): connectDevHub and connectOrg against a fake org of this file's own, with the
// action's inputs as settings.ts hands them over: a JWT login, auth URL logins, and the refusals said in the
// user's words, naming the input to fix. Each test checks what reached the fake's token endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selfSigned } from '../../fake-org/certs.ts';
import { connectDevHub, connectOrg, OrgError } from '../../src/login.ts';
import { jwtAuth, routesSince, startStepOrg, type StepOrg } from '../helpers/step-org.ts';

let org: StepOrg;
before(async () => {
  org = await startStepOrg();
});
after(() => org.close());

/** The statuses of the token requests since `mark`. */
const tokenRequests = (mark: number): string[] =>
  org.fake.log
    .slice(mark)
    .filter((e) => e.route === 'oauth.token')
    .map((e) => `${e.status}`);

describe('logins that work', () => {
  test('JWT bearer: the Dev Hub session, its org id and instance, one token request', async () => {
    const mark = org.fake.log.length;
    const hub = await connectDevHub(jwtAuth(org.fake), org.ws, org.log);
    assert.equal(hub.username, org.fake.username);
    assert.equal(hub.orgId, org.fake.ctx.devHub.orgId);
    assert.equal(hub.isDevHub, true);
    assert.equal(hub.instanceUrl, org.fake.ctx.instanceUrl);
    assert.deepEqual(tokenRequests(mark), ['200'], 'one JWT grant, accepted');
    const who = await hub.connection.query<{ Id: string }>('SELECT Id FROM Organization');
    assert.equal(who.records[0]?.Id, org.fake.ctx.devHub.orgId, 'the session is the Dev Hub');
  });

  test('the Dev Hub auth URL: a refresh-token grant, the same Dev Hub', async () => {
    const mark = org.fake.log.length;
    const hub = await connectDevHub({ kind: 'authUrl', authUrl: org.fake.devHubAuthUrl }, org.ws, org.log);
    assert.equal(hub.orgId, org.fake.ctx.devHub.orgId);
    assert.equal(hub.isDevHub, true);
    assert.deepEqual(tokenRequests(mark), ['200']);
  });

  test('the install target by its auth URL: the scratch org, a scratch org by type', async () => {
    const target = await connectOrg(
      { kind: 'authUrl', authUrl: org.fake.scratchAuthUrl },
      org.ws,
      org.log,
      'install target',
    );
    assert.equal(target.orgId, org.fake.ctx.scratch.orgId);
    assert.equal(target.username, org.fake.scratchUsername);
  });
});

describe('refusals, said as the input to fix', () => {
  // @salesforce/core keeps a successful login of a username and will not overwrite it: the refusals of the Dev Hub
  // user are asked of an org whose user no test here logs in (each action run has a private HOME).
  let refusing: StepOrg;
  before(async () => {
    refusing = await startStepOrg();
  });
  after(() => refusing.close());
  const tokenRequestsOf = (mark: number): string[] =>
    refusing.fake.log
      .slice(mark)
      .filter((e) => e.route === 'oauth.token')
      .map((e) => `${e.status}`);

  const refused = async (change: Parameters<typeof jwtAuth>[1], input: string, expected: RegExp): Promise<void> => {
    const mark = refusing.fake.log.length;
    const lines = refusing.lines.length;
    await assert.rejects(connectDevHub(jwtAuth(refusing.fake, change), refusing.ws, refusing.log), (error: Error) => {
      assert.ok(error instanceof OrgError, String(error));
      assert.equal(error.input, input, 'the input to fix, on the error itself');
      assert.match(error.message, expected);
      return true;
    });
    const answers = tokenRequestsOf(mark);
    assert.ok(answers.length >= 1 && answers.every((s) => s === '400'), `refused by the org: ${answers}`);
    // The library itself tries more than one audience; the action's retry never repeats a refused login.
    const retries = refusing.lines.slice(lines).filter((l) => /transient failure/.test(l));
    assert.deepEqual(retries, [], 'a refusal is not retried');
  };

  test('a username the org does not know', () =>
    refused(
      { username: `nobody-${Date.now()}@example.com` },
      'dev-hub-username',
      /"user hasn't approved this consumer"\. Either dev-hub-username/,
    ));

  test('a consumer key the org does not know', () =>
    refused(
      { clientId: `3MVG9${'x'.repeat(80)}` },
      'dev-hub-client-id',
      /dev-hub-client-id is not the consumer key of an app/,
    ));

  test('a private key that is not the CI app certificate’s', async () => {
    const other = await selfSigned('someone else');
    await refused(
      { jwtKey: other.privateKeyPem },
      'dev-hub-jwt-key',
      /the signature does not verify\. dev-hub-jwt-key must be/,
    );
  });

  test('a revoked refresh token in the auth URL', async () => {
    const revoked = refusing.fake.devHubAuthUrl.replace(
      /::([^@]+)@/,
      (_m, token: string) => `::${token.slice(0, -4)}XXXX@`,
    );
    assert.notEqual(revoked, refusing.fake.devHubAuthUrl);
    await assert.rejects(
      connectDevHub({ kind: 'authUrl', authUrl: revoked }, refusing.ws, refusing.log),
      (error: Error) => {
        assert.ok(error instanceof OrgError);
        assert.match(
          error.message,
          /^Could not log in to the dev hub with its auth URL: .*The refresh token may have been revoked/s,
        );
        assert.doesNotMatch(error.message, /XXXX/, 'the token is not repeated');
        return true;
      },
    );
  });

  test('text that is not an SFDX auth URL: refused before any request', async () => {
    const mark = refusing.fake.log.length;
    await assert.rejects(
      connectDevHub({ kind: 'authUrl', authUrl: 'https://example.com/not-an-auth-url' }, refusing.ws, refusing.log),
      /The dev hub auth URL is not an SFDX auth URL\. Expected force:\/\//,
    );
    assert.deepEqual(routesSince(refusing.fake, mark), []);
  });

  test('an org that is not a Dev Hub', async () => {
    await assert.rejects(
      connectDevHub({ kind: 'authUrl', authUrl: refusing.fake.scratchAuthUrl }, refusing.ws, refusing.log),
      (error: Error) => {
        assert.ok(error instanceof OrgError);
        assert.match(
          error.message,
          new RegExp(
            `^The org of ${refusing.fake.scratchUsername} \\(${refusing.fake.ctx.scratch.orgId}\\) is not a Dev Hub`,
          ),
        );
        return true;
      },
    );
  });
});
