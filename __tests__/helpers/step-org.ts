// For the in-process step tests (__tests__/steps/step-*.test.ts, run together by __tests__/step-orgs.test.ts): a
// fake org of the test's own, a Workspace as the action makes one, the Dev Hub login exactly as login.ts makes it,
// fast retries and polls, and the lines a step logged.
// The first import sets HOME and the SF_* variables before @salesforce/core loads (it reads them then).
import './sf-env.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { selfSigned } from '../../fake-org/certs.ts';
import { startFakeOrg, type FakeOrg, type FakeOrgOptions } from '../../fake-org/server.ts';
import type { DevHubAuth } from '../../src/model.ts';
import { setTiming } from '../../src/timing.ts';
import { Workspace } from '../../src/workspace.ts';
import { installLoopbackGuard } from './loopback.ts';
import { ecaXml, globalXml, oauthXml } from './eca-xml.ts';

// Workspace.create saves its folder for the post step: into a file, as on the runner, not onto the test's stdout.
process.env.GITHUB_STATE ??= join(mkdtempSync(join(tmpdir(), 'eca-step-state-')), 'state');
writeFileSync(process.env.GITHUB_STATE, '', { flag: 'a' });

/** Retries and polls in milliseconds: what a step does is the same, only the waits between are short. */
export const FAST = {
  login: { baseMs: 1, maxMs: 5 },
  api: { baseMs: 1, maxMs: 5 },
  job: { initialMs: 5, maxMs: 20 },
  versionBuild: { initialMs: 5, maxMs: 20, nearMs: 20 },
  replication: { initialMs: 5, maxMs: 20 },
  install: { initialMs: 5, maxMs: 20 },
  installRequest: { baseMs: 1, maxMs: 5 },
  installLookup: { baseMs: 1, maxMs: 5 },
  reinstall: { baseMs: 1, maxMs: 5 },
} as const;
setTiming(FAST);

export interface StepOrg {
  fake: FakeOrg;
  ws: Workspace;
  /** every line the steps under test logged */
  lines: string[];
  log: (line: string) => void;
  close(): Promise<void>;
}

// One CI app key pair for every org a test file starts (each org still has its own users and TLS key): a key pair is
// much of what starting a fake org costs, and a step test never depends on the key being another org's.
let ciKey: ReturnType<typeof selfSigned> | undefined;

export async function startStepOrg(options: FakeOrgOptions = {}): Promise<StepOrg> {
  ciKey ??= selfSigned('eca-action CI');
  const fake = await startFakeOrg({ jwtKey: await ciKey, ...options });
  installLoopbackGuard({ ca: fake.caCertPem });
  const ws = Workspace.create();
  const lines: string[] = [];
  return {
    fake,
    ws,
    lines,
    log: (line) => lines.push(line),
    close: async () => {
      ws.remove();
      await fake.close();
    },
  };
}

/** The Dev Hub login the action's JWT inputs make. */
export function jwtAuth(fake: FakeOrg, change: Partial<Extract<DevHubAuth, { kind: 'jwt' }>> = {}): DevHubAuth {
  return {
    kind: 'jwt',
    username: fake.username,
    clientId: fake.clientId,
    jwtKey: fake.privateKeyPem,
    loginUrl: fake.loginUrl,
    ...change,
  };
}

/** The requests the fake answered since `mark` (an index into its log), as `STATUS route`. */
export const routesSince = (fake: FakeOrg, mark: number): string[] =>
  fake.log.slice(mark).map((e) => `${e.status} ${e.route}`);

/** A project folder with the app's header, global OAuth settings and OAuth settings under force-app/. */
export function appProject(root: string, app: string, change: { oauth?: string } = {}): string {
  const dir = mkdtempSync(join(root, `project-${app}-`));
  const base = join(dir, 'force-app', 'main', 'default');
  const files: Record<string, string> = {
    [`externalClientApps/${app}.eca-meta.xml`]: ecaXml(app, { state: 'Local' }),
    [`extlClntAppGlobalOauthSets/${app}_glbloauth.ecaGlblOauth-meta.xml`]: globalXml(app),
    [`extlClntAppOauthSettings/${app}_oauth.ecaOauth-meta.xml`]: change.oauth ?? oauthXml(app),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), text);
  }
  return dir;
}
