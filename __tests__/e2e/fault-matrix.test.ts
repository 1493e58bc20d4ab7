// Every route a full run uses × every transient fault kind, against the committed bundle: the run still
// succeeds with the same outputs and no duplicate side effects (one app, one package, version 1.0.0.1, the org's
// consumer key). Permanent faults fail at once with the cause and are not retried. Each case gets a fresh fake
// org; a few run at a time. The table (fault, route, outcome, retries, time) is printed at the end.
//
// "retries" = requests to the faulted route beyond what a fault-free run makes.
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOrg, type FakeOrg } from '../../fake-org/server.ts';
import { selfSigned, type KeyAndCert } from '../../fake-org/certs.ts';
import { matchesRoute } from '../../fake-org/faults.ts';
import { stateOf } from '../../fake-org/packaging-state.ts';
import { runAction, type ActionRun } from '../helpers/run-action.ts';
import { assertCleanRun } from '../helpers/leaks.ts';
import { APP, consumerOf, fakeEnv, jwtInputs, secretsOf } from '../helpers/fake-env.ts';

/** The routes of a full run (JWT Dev Hub, require-secret, package, install into the scratch org), in order of first use. */
const ROUTES = [
  // Dev Hub login: JWT, API versions, Dev Hub check, Organization
  'oauth.token',
  'rest.versions',
  'query.scratchOrgInfo',
  'query.organization',
  // install target login (SFDX auth URL: refresh token, user info, User, a probe the libraries expect to fail)
  'oauth.userinfo',
  'sobjects.user.get',
  'query.unsupported',
  // checks before any change: Metadata API access, namespace linked, no beta of the package in the target
  'query.userPermissionAccess',
  'query.namespaceRegistry',
  'tooling.query.package2',
  'tooling.query.installedSubscriberPackage',
  // is the app there, deploy, read the key (Metadata API over SOAP)
  'soap.listMetadata',
  'soap.retrieve',
  'soap.checkRetrieveStatus',
  'soap.deploy',
  'soap.checkDeployStatus',
  // the consumer secret over Connect REST (require-secret)
  'connect.oauthUsage',
  'connect.oauthCredentials.app',
  'connect.oauthCredentials.consumer',
  // package and version (Tooling API)
  'tooling.package2.create',
  'tooling.package2.retrieve',
  'tooling.query.package2Version',
  'rest.limits',
  'tooling.package2VersionCreateRequest.create',
  'tooling.query.package2VersionCreateRequest',
  // install
  'tooling.query.subscriberPackageVersion',
  'tooling.packageInstallRequest.create',
  'tooling.packageInstallRequest.retrieve',
] as const;

type Kind = '503 once' | 'drop once' | 'session expired' | 'row lock';
/** One run each. Slow answers need no run of their own per route: see the test "slow answers…". */
const KINDS: Kind[] = ['503 once', 'drop once', 'session expired'];
/** Routes that carry no session (the token call makes one, the version list needs none): nothing to expire. */
const SESSIONLESS = new Set(['oauth.token', 'rest.versions']);
/** Slow, but far below every timeout (jsforce 30 min per request, wait-minutes for jobs). */
const SLOW_MS = 500;
/** Runs at a time. A run is about half waiting (backoffs, polls), so a few more than the CPUs. */
const CONCURRENCY = Number(process.env.ECA_MATRIX_CONCURRENCY ?? 5);

interface Row {
  /** where the row goes in the table */
  order: number;
  fault: string;
  route: string;
  outcome: string;
  retries: number | string;
  ms: number;
}
const rows: Row[] = [];
let jwtKey: KeyAndCert;
let baseline: Map<string, number>;

/** Table order: by route, then fault kind; permanent faults last. */
const at = (route: string, kind: Kind | 'slow'): number =>
  1 +
  ROUTES.indexOf(route as (typeof ROUTES)[number]) * 10 +
  ['503 once', 'drop once', 'slow', 'session expired', 'row lock'].indexOf(kind);
const count = (org: FakeOrg, route: string): number => org.log.filter((e) => e.route === route).length;
const counts = (org: FakeOrg): Map<string, number> => {
  const m = new Map<string, number>();
  for (const e of org.log) m.set(e.route, (m.get(e.route) ?? 0) + 1);
  return m;
};

function inputs(org: FakeOrg, extra: Record<string, string> = {}): Record<string, string> {
  return jwtInputs(org, {
    clients: 'claude',
    'require-secret': 'true',
    'install-target': org.scratchAuthUrl,
    ...extra,
  });
}

/** One run, with its system temp folder (TMPDIR) inside the runner's temp folder, so leftovers() sees it too. */
async function run(org: FakeOrg, extra: Record<string, string> = {}): Promise<ActionRun> {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'eca-runner-'));
  mkdirSync(join(runnerTemp, 'tmp'));
  return runAction({
    inputs: inputs(org, extra),
    env: fakeEnv(org, { TMPDIR: join(runnerTemp, 'tmp') }),
    runnerTemp,
    timeoutMs: 90_000,
  });
}

/** Expire every session when `route` is next called, before it is answered (shared query routes: right after). */
function expireAt(org: FakeOrg, route: string): void {
  // The fault engine behind org.faults asks take(route) once per request; wrap it to act at that moment.
  const engine = org.faults as unknown as { take(route: string): unknown[] };
  assert.equal(typeof engine.take, 'function', 'the fault engine still has take(route)');
  const take = engine.take.bind(engine);
  let armed = true;
  engine.take = (r: string) => {
    if (armed && matchesRoute(route, r)) {
      armed = false;
      org.faults.expireSessions();
    }
    return take(r);
  };
}

function arm(org: FakeOrg, kind: Kind, route: string): void {
  if (kind === '503 once') org.faults.fail(route, { status: 503 });
  else if (kind === 'drop once') org.faults.drop(route);
  else if (kind === 'session expired') expireAt(org, route);
  else org.faults.failNextDeploy('UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record or 1 records');
}

function assertClean(org: FakeOrg, r: ActionRun): void {
  assertCleanRun(r, secretsOf(org));
}

/** A successful full run, with nothing done twice. */
function assertSucceeded(org: FakeOrg, r: ActionRun): void {
  assert.equal(
    r.code,
    0,
    `the run failed:\n${
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('::error'))
        .join('\n') || r.stdout + r.stderr
    }`,
  );
  const consumer = consumerOf(org);
  assert.ok(consumer, 'the app has an OAuth consumer');
  assert.equal(r.outputs['consumer-key'], consumer.key, 'the org’s consumer key');
  assert.equal(r.outputs['consumer-secret'], consumer.secret);
  assert.equal(r.outputs['app-name'], APP);
  assert.equal(r.outputs['package-version-number'], '1.0.0.1', 'one version, the first');
  assert.match(r.outputs['package-version-id'] ?? '', /^04t\w{15}$/);
  assert.equal(
    r.outputs['install-url'],
    `https://test.salesforce.com/packaging/installPackage.apexp?p0=${r.outputs['package-version-id']}`,
  );
  assert.match(r.stdout, /the target org lists it/);
  assert.equal(org.ctx.devHub.metadata.get('ExternalClientApplication')?.size, 1, 'one app');
  assert.equal(org.ctx.devHub.consumers.size, 1, 'one OAuth consumer');
  const packaging = stateOf(org.ctx.devHub);
  assert.equal(packaging.packages.size, 1, 'one package');
  assert.equal(packaging.requests.size, 1, 'one version request');
  assert.equal(r.outputs['package-id']?.slice(0, 15), [...packaging.packages.keys()][0]?.slice(0, 15));
  assertClean(org, r);
}

/** At most CONCURRENCY runs at a time, whichever test they belong to. */
let active = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (active < CONCURRENCY) active++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else active--;
  }
}

/** A fresh org with `setup` applied, one run, then `check`; the org is closed whatever happens. */
async function withRun(
  // biome-ignore lint/suspicious/noConfusingVoidType: a setup either returns extra inputs or nothing at all
  setup: (org: FakeOrg) => Record<string, string> | void,
  check: (org: FakeOrg, r: ActionRun) => void,
): Promise<void> {
  await slot(async () => {
    const org = await startFakeOrg({ jwtKey });
    let r: ActionRun | undefined;
    try {
      const extra = setup(org);
      r = await run(org, extra ?? {});
      check(org, r);
    } finally {
      await org.close();
      if (r) rmSync(r.runnerTemp, { recursive: true, force: true });
    }
  });
}

function printTable(): void {
  if (!rows.length) return;
  rows.sort((a, b) => a.order - b.order);
  const header: Row = { order: 0, fault: 'fault', route: 'route', outcome: 'outcome', retries: 'retries', ms: 0 };
  const w = (k: keyof Row) => Math.max(...[header, ...rows].map((r) => String(r[k]).length));
  const line = (r: Row, ms: string) =>
    `${r.fault.padEnd(w('fault'))}  ${r.route.padEnd(w('route'))}  ${r.outcome.padEnd(w('outcome'))}  ${String(r.retries).padStart(7)}  ${ms.padStart(7)}`;
  const table = [line(header, 'time ms'), ...rows.map((r) => line(r, String(r.ms)))].join('\n');
  const runs = new Set(rows.filter((r) => r.ms > 0).map((r) => `${r.ms}:${r.fault}`)).size;
  const legend = [
    'retries = requests to the route beyond a fault-free run. 0 after a 503 or a drop: the route is a shared query route',
    '(the fault comes after it answered) read again by a later step anyway, a probe whose failure the library ignores',
    "(query.organization, query.unsupported), or the version status whose retry found this run's request by its tag.",
    'session expired on a query route: the session expires just after it answered, the next request meets it.',
  ].join('\n');
  console.log(`\nFault matrix (${rows.length} rows, ${runs} runs)\n${table}\n${legend}\n`);
}

let baselineRun: { routes: string[]; error?: unknown } | undefined;
/** Each case a subtest, all started at once; slot() keeps CONCURRENCY of them running. */
async function matrix<C>(
  t: TestContext,
  cases: C[],
  name: (c: C) => string,
  fn: (c: C) => Promise<void>,
): Promise<void> {
  await Promise.all(cases.map((c) => t.test(name(c), () => fn(c))));
}

interface Permanent {
  fault: string;
  route: string;
  arm: (org: FakeOrg) => void;
  extra?: (org: FakeOrg) => Record<string, string>;
  message: RegExp;
  /** requests to the route: the one refused (or, for a login, the library's own attempts), nothing more */
  requests: number;
  /** nothing after the failing step */
  notReached?: string;
}

const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const PERMANENT: Permanent[] = [
  {
    fault: 'auth refused (wrong JWT key)',
    route: 'oauth.token',
    arm: () => {},
    extra: () => ({ 'dev-hub-jwt-key': otherKey }),
    message: /JWT login of \S+ at \S+ was refused: the signature does not verify/,
    requests: 3, // the library's own audience attempts against the given login URL, none of them ours
    notReached: 'soap.retrieve',
  },
  {
    fault: 'auth refused (revoked refresh token)',
    route: 'oauth.token',
    arm: () => {},
    extra: (org) => ({ 'install-target': org.scratchAuthUrl.replace(/::[^@]+@/, '::5Aep861revokedrevokedrevoked@') }),
    message: /Could not log in to the install target with its auth URL: .*The refresh token may have been revoked/,
    requests: 2, // the Dev Hub's JWT login, then the refused refresh
    notReached: 'tooling.packageInstallRequest.create',
  },
  {
    fault: 'HTTP 400',
    route: 'soap.listMetadata',
    arm: (org) => org.faults.fail('soap.listMetadata', { status: 400, message: 'INVALID_TYPE: refused' }),
    message: /INVALID_TYPE: refused/,
    requests: 1,
    notReached: 'soap.deploy',
  },
  {
    fault: 'HTTP 400',
    route: 'soap.retrieve',
    arm: (org) => org.faults.fail('soap.retrieve', { status: 400, message: 'INVALID_TYPE: refused' }),
    message: /INVALID_TYPE: refused/,
    requests: 1,
    notReached: 'tooling.package2.create',
  },
  {
    fault: 'HTTP 400',
    route: 'soap.deploy',
    arm: (org) => org.faults.fail('soap.deploy', { status: 400, message: 'INVALID_CROSS_REFERENCE_KEY: refused' }),
    message: /INVALID_CROSS_REFERENCE_KEY: refused/,
    requests: 1,
    notReached: 'tooling.package2.create',
  },
  {
    fault: 'invalid metadata',
    route: 'soap.deploy',
    arm: (org) => org.faults.failNextDeploy('Invalid value for field: callbackUrl'),
    message: /Deploy 0Af\w+ to the Dev Hub failed: \w+ \w+: Invalid value for field: callbackUrl/,
    requests: 1,
    notReached: 'tooling.package2.create',
  },
  {
    fault: 'HTTP 403',
    route: 'connect.oauthCredentials.consumer',
    arm: (org) =>
      org.faults.fail('connect.oauthCredentials.consumer', { status: 403, message: 'Insufficient privileges' }),
    message: /did not return the consumer secret of MCP_Client_App \(Insufficient privileges\).*View Client Secret/,
    requests: 1,
    notReached: 'tooling.package2.create',
  },
  {
    fault: 'HTTP 404',
    route: 'tooling.query.package2',
    arm: (org) =>
      org.faults.fail('tooling.query.package2', { status: 404, message: 'The requested resource does not exist' }),
    message: /The requested resource does not exist/,
    requests: 1,
    notReached: 'tooling.package2.create',
  },
  {
    fault: 'HTTP 400',
    route: 'tooling.package2.create',
    arm: (org) =>
      org.faults.fail('tooling.package2.create', { status: 400, message: 'FIELD_INTEGRITY_EXCEPTION: refused' }),
    message: /Could not create package MCP_Client_App: .*FIELD_INTEGRITY_EXCEPTION: refused/,
    requests: 1,
    notReached: 'tooling.package2VersionCreateRequest.create',
  },
  {
    fault: 'HTTP 400',
    route: 'tooling.package2VersionCreateRequest.create',
    arm: (org) =>
      org.faults.fail('tooling.package2VersionCreateRequest.create', {
        status: 400,
        message: 'INVALID_INPUT: refused',
      }),
    message: /Could not start a version of MCP_Client_App: .*INVALID_INPUT: refused/,
    requests: 1,
    notReached: 'tooling.query.subscriberPackageVersion',
  },
  {
    fault: 'HTTP 400',
    route: 'tooling.packageInstallRequest.create',
    arm: (org) =>
      org.faults.fail('tooling.packageInstallRequest.create', { status: 400, message: 'INVALID_OPERATION: refused' }),
    message: /Could not start the install of 04t\w+: .*INVALID_OPERATION: refused/,
    requests: 1,
    notReached: 'tooling.packageInstallRequest.retrieve',
  },
];

describe('fault matrix', { concurrency: true }, () => {
  before(async () => {
    jwtKey = await selfSigned('eca-action CI');
    // The fault-free run: which routes a full run uses, and how often (the "retries" are counted against it).
    await withRun(
      () => {},
      (org, r) => {
        try {
          assertSucceeded(org, r);
          baseline = counts(org);
          baselineRun = { routes: [...baseline.keys()] };
          rows.push({ order: 0, fault: 'none', route: '(all)', outcome: 'ok', retries: 0, ms: r.ms });
        } catch (error) {
          baselineRun = { routes: [], error };
        }
      },
    );
  });
  after(printTable);

  test('a fault-free full run uses exactly the routes of the matrix', () => {
    assert.ok(baselineRun, 'the fault-free run ran');
    if (baselineRun.error) throw baselineRun.error;
    assert.deepEqual(
      [...baselineRun.routes].sort(),
      [...ROUTES].sort(),
      'the routes of a full run: update ROUTES (and so the matrix)',
    );
  });

  test('transient faults on every route are survived: same outputs, nothing done twice, no leaks', {
    concurrency: true,
  }, async (t) => {
    assert.ok(baseline, 'the fault-free run ran first');
    const cases: [Kind, string][] = [
      ...ROUTES.flatMap((route) =>
        KINDS.filter((k) => k !== 'session expired' || !SESSIONLESS.has(route)).map((kind): [Kind, string] => [
          kind,
          route,
        ]),
      ),
      ['row lock', 'soap.deploy'],
    ];
    for (const route of SESSIONLESS) {
      rows.push({
        order: at(route, 'session expired'),
        fault: 'session expired',
        route,
        outcome: 'n/a: no session',
        retries: '-',
        ms: 0,
      });
    }
    await matrix(
      t,
      cases,
      ([kind, route]) => `${kind} × ${route}`,
      async ([kind, route]) => {
        const row: Row = { order: at(route, kind), fault: kind, route, outcome: 'FAILED', retries: '?', ms: 0 };
        rows.push(row);
        await withRun(
          (org) => arm(org, kind, route),
          (org, r) => {
            row.ms = r.ms;
            row.retries = count(org, route) - baseline.get(route)!;
            assertSucceeded(org, r);
            if (kind === '503 once' || kind === 'drop once')
              assert.ok(
                org.log.some((e) => e.route === route && e.fault),
                'the fault was met',
              );
            if (kind === 'row lock')
              assert.match(
                r.stdout,
                /Deploy: transient failure \(UNABLE_TO_LOCK_ROW: .*\); retry 1\//,
                'the deploy was repeated',
              );
            row.outcome = 'ok';
          },
        );
      },
    );
  });

  // Each route answers slowly once, all in the same run: a slow answer changes nothing but the time, so one run
  // shows for every route that it is waited for and not repeated (a run per route would cost 24 runs for the same).
  test('slow answers on every route are waited for, not repeated', async () => {
    assert.ok(baseline, 'the fault-free run ran first');
    const mine: Row[] = ROUTES.map((route) => ({
      order: at(route, 'slow'),
      fault: `slow answer (${SLOW_MS} ms)`,
      route,
      outcome: 'FAILED',
      retries: '?',
      ms: 0,
    }));
    rows.push(...mine);
    await withRun(
      (org) => {
        for (const route of ROUTES) org.faults.delay(route, SLOW_MS, { times: 1 });
      },
      (org, r) => {
        for (const row of mine) {
          row.ms = r.ms;
          row.retries = count(org, row.route) - baseline.get(row.route)!;
        }
        assertSucceeded(org, r);
        assert.deepEqual(
          org.faults.rules.map((rule) => rule.route),
          [],
          'every route met its slow answer',
        );
        for (const row of mine) {
          assert.equal(row.retries, 0, `${row.route}: a slow answer is waited for, not repeated`);
          row.outcome = 'ok';
        }
      },
    );
  });

  test('permanent faults fail at once with the cause, and are not retried', { concurrency: true }, async (t) => {
    await matrix(
      t,
      PERMANENT,
      (c) => `${c.fault} × ${c.route}`,
      async (c) => {
        const row: Row = {
          order: 10_000 + PERMANENT.indexOf(c),
          fault: c.fault,
          route: c.route,
          outcome: 'FAILED',
          retries: '?',
          ms: 0,
        };
        rows.push(row);
        await withRun(
          (org) => {
            c.arm(org);
            return c.extra?.(org);
          },
          (org, r) => {
            row.ms = r.ms;
            row.retries = count(org, c.route) - c.requests;
            assert.equal(r.code, 1, r.stdout + r.stderr);
            const failed = r.stdout.split('\n').find((l) => l.startsWith('::error::eca-action failed: ')) ?? '';
            assert.match(failed, c.message);
            assert.doesNotMatch(r.stdout, /transient failure|looking again/, 'nothing was retried');
            assert.equal(count(org, c.route), c.requests, `requests to ${c.route}`);
            if (c.notReached) assert.equal(count(org, c.notReached), 0, `the run stopped before ${c.notReached}`);
            assertClean(org, r);
            row.outcome = 'failed at once';
          },
        );
      },
    );
  });
});
