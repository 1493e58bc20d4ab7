// Runs the committed bundle exactly as the runner does: `node dist/index.js` with INPUT_* variables and the
// runner's command files, then the post step with the saved state. Returns everything it printed and wrote.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { TimingOverride } from '../../src/timing.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const distEntry = join(repoRoot, 'dist', 'index.js');
const compileCache = join(repoRoot, 'node_modules', '.cache', 'eca-action-compile-cache');
/** `node --require` this before dist/index.js, with timingEnv() in the environment, to run it with the test timing. */
export const timingPreload = join(repoRoot, '__tests__', 'helpers', 'timing-preload.cjs');

/**
 * Test speed only: the action's timing in these runs. Polls from 50 ms up to 200 ms and retries from 50 ms, where
 * real runs (src/timing.ts) poll from 100 ms (2 s for wait-until-usable) up to 10–30 s and retry from 1 s; the
 * numbers of attempts stay real. The action reads no test setting from its environment: the timing reaches it
 * through the seam of src/timing.ts, installed by helpers/timing-preload.cjs (`node --require`). Every policy is
 * listed, so that a new one is not left at its real, slow timing.
 */
export const FAST_TIMING = {
  login: { baseMs: 50 },
  api: { baseMs: 50 },
  job: { initialMs: 50, maxMs: 200 },
  versionBuild: { initialMs: 50, maxMs: 200 },
  replication: { initialMs: 50, maxMs: 200 },
  installRequest: { baseMs: 50 },
  installLookup: { baseMs: 50 },
  install: { initialMs: 50, maxMs: 200 },
  reinstall: { baseMs: 50 },
  usable: { initialMs: 50, maxMs: 200 },
  github: { baseMs: 50 },
} satisfies Required<TimingOverride>;

/**
 * The runner passes every input that has a default in action.yml, as INPUT_<NAME>, whether the workflow set it
 * or not. A test that leaves defaults out tests an action nobody runs.
 */
export function actionDefaults(): Record<string, string> {
  const spec = parseYaml(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string | number | boolean }>;
  };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs))
    if (input.default !== undefined) defaults[name] = String(input.default);
  return defaults;
}

export interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** the runner's temp folder of this run (RUNNER_TEMP) */
  runnerTemp: string;
  home: string;
  ms: number;
  post?: { code: number | null; stdout: string; stderr: string };
}

export interface RunOptions {
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** run the post step after the main step (as the runner does) */
  post?: boolean;
  timeoutMs?: number;
  /** called with the child once it started (e.g. to send a signal) */
  onSpawn?: (child: import('node:child_process').ChildProcess, output: { stdout: () => string }) => void;
  /** reuse a folder as the runner's temp (to look at what a run leaves) */
  runnerTemp?: string;
  /** policies (or fields of them) to run with other than FAST_TIMING's, e.g. a real retry timing */
  timing?: TimingOverride;
}

export async function runAction(opts: RunOptions): Promise<ActionRun> {
  const runnerTemp = opts.runnerTemp ?? mkdtempSync(join(tmpdir(), 'eca-runner-'));
  const home = join(runnerTemp, 'home');
  const files = join(runnerTemp, '_files');
  for (const d of [home, files]) mkdirSync(d, { recursive: true });
  const outputFile = join(files, 'output');
  const summaryFile = join(files, 'summary');
  const stateFile = join(files, 'state');
  for (const f of [outputFile, summaryFile, stateFile]) writeFileSync(f, '');

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    GITHUB_ACTIONS: 'true',
    ...timingEnv(opts.timing),
    // Test speed only: V8 keeps the compiled bundle between runs (keyed by content, so a rebuild is picked up).
    NODE_COMPILE_CACHE: compileCache,
    ...opts.env,
  };
  // As the runner: defaults first, then what the workflow's `with:` gives.
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...opts.inputs })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }

  const started = Date.now();
  const main = await spawnNode(distEntry, env, opts.timeoutMs ?? 120_000, opts.onSpawn);
  const ms = Date.now() - started;
  const run: ActionRun = {
    ...main,
    outputs: parseCommandFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    runnerTemp,
    home,
    ms,
  };
  if (opts.post) {
    // The runner hands saved state to the post step as STATE_<name> variables.
    const state = parseCommandFile(readFileSync(stateFile, 'utf8'));
    const postEnv = { ...env };
    for (const [k, v] of Object.entries(state)) postEnv[`STATE_${k}`] = v;
    run.post = await spawnNode(distEntry, postEnv, 30_000);
  }
  return run;
}

function spawnNode(
  entry: string,
  env: Record<string, string>,
  timeoutMs: number,
  onSpawn?: RunOptions['onSpawn'],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', timingPreload, entry], {
      env,
      cwd: env.RUNNER_TEMP,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    onSpawn?.(child, { stdout: () => stdout });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The variable helpers/timing-preload.cjs reads (the action does not): FAST_TIMING with a run's own fields over it,
 * policy by policy.
 */
export function timingEnv(own: TimingOverride = {}): { ECA_TEST_TIMING: string } {
  const merged: Record<string, object> = { ...FAST_TIMING };
  for (const [name, fields] of Object.entries(own)) merged[name] = { ...merged[name], ...fields };
  return { ECA_TEST_TIMING: JSON.stringify(merged) };
}

/** GITHUB_OUTPUT / GITHUB_STATE format: `name<<delimiter\nvalue\ndelimiter` blocks (and plain `name=value`). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

/** Every file below `dir` (for leak scans and leftovers). */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listFiles(path));
    else found.push(path);
  }
  return found;
}
