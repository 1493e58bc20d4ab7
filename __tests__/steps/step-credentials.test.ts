// Step 7 in process (src/credentials.ts): readAppState against a fake Dev Hub after the app's deploy. Without
// withKey nothing secret is read; withKey retrieves the consumer key with the global OAuth settings; withSecret
// reads the secret over Connect REST, and publishes none when those resources answer for a look-alike app.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appExists, readAppState } from '../../src/credentials.ts';
import { deployProject } from '../../src/deploy.ts';
import { connectDevHub, type OrgSession } from '../../src/login.ts';
import { startHostileProxy } from '../helpers/hostile.ts';
import { appProject, jwtAuth, startStepOrg, type StepOrg } from '../helpers/step-org.ts';

const read = { timeoutMs: 60_000 };

describe('an app the Dev Hub holds', () => {
  const app = 'Step_Creds';
  let org: StepOrg;
  let hub: OrgSession;
  before(async () => {
    org = await startStepOrg();
    hub = await connectDevHub(jwtAuth(org.fake), org.ws, org.log);
    await deployProject(hub.connection, appProject(org.ws.root, app), { timeoutMs: 60_000, log: org.log });
  });
  after(() => org.close());
  const consumer = () => org.fake.ctx.devHub.consumers.get(app)!;

  test('appExists: listMetadata finds it, and not an app the org does not have', async () => {
    assert.equal(await appExists(hub.connection, app, org.log), true);
    assert.equal(await appExists(hub.connection, 'Step_Creds_None', org.log), false);
  });

  test('without withKey: the app and its links, no key, no secret, the global settings not retrieved', async () => {
    const mark = org.fake.log.length;
    const state = await readAppState(hub.connection, app, { ...read, withKey: false, withSecret: false, log: org.log });
    assert.equal(state.exists, true);
    assert.equal(state.links.oauthLink, consumer().oauthLink);
    assert.equal(state.consumerKey, undefined);
    assert.equal(state.consumerSecret, undefined);
    const paths = org.fake.log.slice(mark).map((e) => e.path);
    assert.ok(!paths.some((p) => p.includes('/apps/oauth/')), `no credentials resource read: ${paths}`);
    assert.ok(paths.length > 0, 'the app was retrieved');
  });

  test('withKey: the consumer key the org generated, still no secret', async () => {
    const state = await readAppState(hub.connection, app, { ...read, withKey: true, withSecret: false, log: org.log });
    assert.equal(state.consumerKey, consumer().consumerKey);
    assert.equal(state.consumerSecret, undefined);
    assert.deepEqual(state.names, {
      app,
      global: `${app}_glbloauth`,
      oauth: `${app}_oauth`,
      // the OAuth policy the org made with the OAuth settings (none was deployed), found by listMetadata
      policy: `${app}_oauth_defaultPolicy`,
    });
    assert.ok(
      org.fake.ctx.devHub.metadata.get('ExtlClntAppOauthConfigurablePolicies')?.has(`${app}_oauth_defaultPolicy`),
    );
  });

  test('withKey and withSecret: the secret over Connect REST, the same consumer', async () => {
    const mark = org.fake.log.length;
    const state = await readAppState(hub.connection, app, { ...read, withKey: true, withSecret: true, log: org.log });
    assert.equal(state.consumerKey, consumer().consumerKey);
    assert.equal(state.consumerSecret, consumer().consumerSecret);
    assert.ok(
      org.fake.log.slice(mark).some((e) => /\/apps\/oauth\/credentials\/\w+\/\w+$/.test(e.path)),
      `read from the credentials resource: ${org.fake.log.slice(mark).map((e) => e.path)}`,
    );
  });

  test('an app the org does not have: exists false, nothing read', async () => {
    const state = await readAppState(hub.connection, 'Step_Creds_None', {
      ...read,
      withKey: true,
      withSecret: true,
      log: org.log,
    });
    assert.equal(state.exists, false);
    assert.equal(state.consumerKey, undefined);
    assert.equal(state.consumerSecret, undefined);
  });
});

test('a look-alike app answering for this one over Connect REST: no secret is published', async () => {
  const app = 'Step_Creds_Twin';
  const lookAlike = {
    id: '0xI000000000999AAA',
    consumer: '888000000000999AAA',
    key: `3MVG9${'L'.repeat(80)}`,
    secret: 'B'.repeat(64),
  };
  // An org of its own: the login goes through the proxy, which lists the look-alike in place of this app.
  const org = await startStepOrg();
  const proxy = await startHostileProxy(
    org.fake.loginUrl,
    (seen) => {
      if (seen.path.includes(`/apps/oauth/credentials/${lookAlike.id}/${lookAlike.consumer}`))
        return {
          status: 200,
          body: JSON.stringify({ id: lookAlike.consumer, key: lookAlike.key, secret: lookAlike.secret }),
        };
      if (seen.path.includes(`/apps/oauth/credentials/${lookAlike.id}`))
        return { status: 200, body: JSON.stringify({ consumers: [{ id: lookAlike.consumer }] }) };
      return undefined;
    },
    {
      rewrite: (seen, _status, body) => {
        if (!/\/apps\/oauth\/usage/.test(seen.path)) return undefined;
        const usage = JSON.parse(body) as { apps?: unknown[] };
        usage.apps = [{ developerName: `evil__${app}`, identifier: lookAlike.id, label: app }];
        return JSON.stringify(usage);
      },
    },
  );
  try {
    const hub = await connectDevHub(jwtAuth(org.fake, { loginUrl: proxy.url }), org.ws, org.log);
    await deployProject(hub.connection, appProject(org.ws.root, app), { timeoutMs: 60_000, log: org.log });
    await assert.rejects(
      readAppState(hub.connection, app, { ...read, withKey: true, withSecret: true, log: org.log }),
      (error: Error) => {
        assert.match(error.message, /carry another consumer key than the one retrieved with the app's metadata/);
        assert.ok(!error.message.includes(lookAlike.secret) && !error.message.includes(lookAlike.key));
        return true;
      },
    );
    assert.ok(
      proxy.seen.some((s) => s.path.includes(`/apps/oauth/credentials/${lookAlike.id}/${lookAlike.consumer}`)),
      'the look-alike was asked, and its answer not taken',
    );
  } finally {
    await proxy.close();
    await org.close();
  }
});
