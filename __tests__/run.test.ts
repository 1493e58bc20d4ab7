// run() in this process against the fake org (startFakeOrg): the procedure's steps, their outputs and the summary,
// checked in seconds. The bundle runs (__tests__/e2e) prove what only the bundle can: the three files, the runner's
// command files as a child process writes them, the post step.
import './helpers/sf-env.ts';
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOrg, type FakeOrg } from '../fake-org/server.ts';
import { parse as parseYaml } from 'yaml';
import { actionDefaults, FAST_TIMING, parseCommandFile, repoRoot } from './helpers/run-action.ts';
import { jwtInputs } from './helpers/fake-env.ts';
import { setTiming } from '../src/timing.ts';
import { run } from '../src/main.ts';
import { OUTPUTS } from '../src/outputs.ts';

let org: FakeOrg;
const saved = { ...process.env };
// @actions/core's summary keeps the first file it wrote to for the life of the process: one file, emptied per run.
const summaryFile = join(mkdtempSync(join(tmpdir(), 'eca-run-summary-')), 'summary');

before(async () => {
  org = await startFakeOrg();
  setTiming(FAST_TIMING);
});
after(async () => {
  setTiming(undefined);
  await org.close();
});
afterEach(() => {
  // run() points HOME and the temp folders into its workspace (removed at its end), and a failure sets the exit code.
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  process.exitCode = 0;
});

/** The runner's environment for one run: every action.yml default, then `inputs`; its command files. */
async function runWith(inputs: Record<string, string>): Promise<{ outputs: Record<string, string>; summary: string }> {
  const temp = mkdtempSync(join(tmpdir(), 'eca-run-'));
  const output = join(temp, 'output');
  const summary = summaryFile;
  for (const f of [output, summary]) writeFileSync(f, '');
  Object.assign(process.env, {
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: temp,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
  });
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs }))
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  await run();
  return { outputs: parseCommandFile(readFileSync(output, 'utf8')), summary: readFileSync(summary, 'utf8') };
}

test('a packaged run: every output the table sets, and the summary says what was built', async () => {
  const { outputs, summary } = await runWith(jwtInputs(org));
  assert.equal(process.exitCode ?? 0, 0, summary);
  assert.equal(outputs['app-name'], 'MCP_Client_App');
  assert.equal(outputs['consumer-key'], org.ctx.devHub.consumers.get('MCP_Client_App')?.consumerKey);
  assert.match(outputs['package-id'] ?? '', /^0Ho/);
  assert.match(outputs['package-version-id'] ?? '', /^04t/);
  assert.equal(outputs['package-version-created'], 'true');
  assert.match(outputs['install-url'] ?? '', /installPackage\.apexp\?p0=04t/);
  assert.ok(outputs['callback-urls']);
  assert.equal(outputs['consumer-secret'], undefined);
  assert.match(summary, /MCP_Client_App/);
  assert.doesNotMatch(summary, /\[!CAUTION\]/);
  assert.ok(!summary.includes(outputs['consumer-key'] ?? '\u0000'), 'the summary never holds the key');
});

test('a dry run: the metadata outputs only', async () => {
  const { outputs, summary } = await runWith({ ...jwtInputs(org), 'dry-run': 'true' });
  assert.deepEqual(Object.keys(outputs).sort(), ['app-name', 'callback-urls', 'metadata-dir']);
  assert.match(summary, /\*\*Dry run:\*\* nothing was sent to any org/);
});

test('a preflight failure: each problem against its input, from the error fields', async () => {
  const { outputs, summary } = await runWith({ ...jwtInputs(org), 'package-namespace': 'otherns' });
  assert.equal(process.exitCode, 1);
  assert.equal(outputs['consumer-key'], undefined);
  assert.match(summary, /The checks before any change found a problem\./);
  assert.match(summary, /package-namespace: otherns is not linked to this Dev Hub/);
});

test('an input problem: the summary lists it and no org is contacted', async () => {
  const { summary } = await runWith({ ...jwtInputs(org), 'contact-email': 'not an address' });
  assert.equal(process.exitCode, 1);
  assert.match(summary, /contact-email/);
});

test('the outputs table holds every output action.yml declares (drift is verify.ts its own)', () => {
  const spec = parseYaml(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as { outputs: Record<string, unknown> };
  assert.deepEqual(
    Object.keys(OUTPUTS).sort(),
    Object.keys(spec.outputs)
      .filter((n) => n !== 'drift')
      .sort(),
  );
  for (const name of ['consumer-key', 'consumer-secret', 'target-consumer-key'] as const)
    assert.equal(OUTPUTS[name].masked, true, `${name} is masked`);
});
