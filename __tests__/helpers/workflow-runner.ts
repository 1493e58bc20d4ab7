// A small GitHub Actions runner for our own workflow files: it runs one workflow's jobs step by step on this machine
// as a hosted runner would, so that examples/ and .github/workflows/live.yml are executed, not just read.
//   run:      bash -e <script> (GitHub's default shell on Linux), with the step's env, GITHUB_OUTPUT, RUNNER_TEMP …
//   uses: ./ (and org/eca-action@…)   the committed bundle, as runAction runs it (action.yml defaults, post step)
//   uses: actions/checkout, setup-node, cache   skipped: this checkout is the repository, Node is node_modules'
//   if:, ${{ }}   evaluated by the expression subset below (contexts, literals, ==, !=, !, &&, ||, (),
//                 success(), failure(), always(), cancelled())
// What it does not do: matrices, containers, services, composite or other third-party actions, timeouts.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCommandFile, runAction } from './run-action.ts';

export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string | number | boolean>;
  'timeout-minutes'?: number;
}

export interface WorkflowJob {
  needs?: string | string[];
  if?: string;
  'timeout-minutes'?: number;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: WorkflowStep[];
}

export interface Workflow {
  name?: string;
  on?: { workflow_dispatch?: { inputs?: Record<string, { default?: string }> } } & Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, WorkflowJob>;
}

export function readWorkflow(path: string): Workflow {
  return parseYaml(readFileSync(path, 'utf8')) as Workflow;
}

export interface StepRecord {
  job: string;
  step: string;
  outcome: 'success' | 'failure' | 'skipped';
  /** why a step was skipped, or the tail of a failed step's output */
  note: string;
  stdout: string;
  stderr: string;
}

export interface RunnerOptions {
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** the machine's environment every step starts from (PATH, HOME, the sf CLI's settings …) */
  machineEnv: Record<string, string>;
  /** the job's temp folder (RUNNER_TEMP) */
  runnerTemp: string;
  /** workflow_dispatch inputs given (the rest take their defaults) */
  inputs?: Record<string, string>;
  /** this repository's action: which `uses:` values mean it */
  isThisAction?: (uses: string) => boolean;
  /** called before a step; return false to stop the job there (a test's fault injection point) */
  beforeStep?: (job: string, step: WorkflowStep) => void | Promise<void>;
  stepTimeoutMs?: number;
}

export interface WorkflowRun {
  steps: StepRecord[];
  jobs: Record<string, { result: 'success' | 'failure' | 'skipped'; outputs: Record<string, string> }>;
}

type Value = string | number | boolean | null | undefined | Record<string, unknown>;

const SKIPPED_ACTIONS = /^actions\/(checkout|setup-node|cache)@/;

export async function runWorkflow(workflow: Workflow, opts: RunnerOptions): Promise<WorkflowRun> {
  const run: WorkflowRun = { steps: [], jobs: {} };
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(workflow.on?.workflow_dispatch?.inputs ?? {}))
    inputs[name] = opts.inputs?.[name] ?? String(spec.default ?? '');
  const github = { run_id: '4242', run_attempt: '1', ref: 'refs/heads/main', repository: 'org/repo' };
  const isThisAction = opts.isThisAction ?? ((uses: string) => uses === './' || /^org\/eca-action@/.test(uses));

  const pending = Object.keys(workflow.jobs);
  while (pending.length) {
    const name = pending.find((j) => needsOf(workflow.jobs[j]!).every((n) => run.jobs[n]));
    if (!name) throw new Error(`jobs with unmet needs: ${pending.join(', ')}`);
    pending.splice(pending.indexOf(name), 1);
    const job = workflow.jobs[name]!;
    const needs: Record<string, unknown> = {};
    for (const n of needsOf(job)) needs[n] = { result: run.jobs[n]!.result, outputs: run.jobs[n]!.outputs };
    const base = { github, inputs, secrets: opts.secrets, vars: opts.vars, needs, runner: { temp: opts.runnerTemp } };
    const upstreamOk = needsOf(job).every((n) => run.jobs[n]!.result === 'success');
    if (!upstreamOk || (job.if !== undefined && !truthy(evaluate(job.if, { ...base, env: {} }, 'success')))) {
      run.jobs[name] = { result: 'skipped', outputs: {} };
      continue;
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...workflow.env, ...job.env }))
      env[k] = interpolate(String(v), { ...base, env: { ...env } }, 'success');
    const steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
    let status: 'success' | 'failure' = 'success';
    for (const [index, step] of job.steps.entries()) {
      const label = step.name ?? step.id ?? step.uses ?? `step ${index + 1}`;
      const context = { ...base, env, steps };
      const condition = step.if ?? 'success()';
      if (!truthy(evaluate(condition, context, status))) {
        run.steps.push(record(name, label, 'skipped', `if: ${condition}`));
        if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped' };
        continue;
      }
      if (step.uses && SKIPPED_ACTIONS.test(step.uses)) {
        run.steps.push(record(name, label, 'skipped', `${step.uses}: the runner's own set-up, not run here`));
        continue;
      }
      await opts.beforeStep?.(name, step);
      const stepEnv: Record<string, string> = { ...env };
      for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = interpolate(String(v), context, status);
      let result: { ok: boolean; outputs: Record<string, string>; stdout: string; stderr: string };
      if (step.uses && isThisAction(step.uses)) {
        const withInputs: Record<string, string> = {};
        for (const [k, v] of Object.entries(step.with ?? {})) withInputs[k] = interpolate(String(v), context, status);
        const action = await runAction({
          inputs: withInputs,
          env: { ...opts.machineEnv, ...stepEnv },
          runnerTemp: opts.runnerTemp,
          post: true,
          timeoutMs: opts.stepTimeoutMs ?? 300_000,
        });
        result = { ok: action.code === 0, outputs: action.outputs, stdout: action.stdout, stderr: action.stderr };
      } else if (step.run !== undefined) {
        result = await runBash(
          step.run,
          interpolate,
          context,
          status,
          {
            ...opts.machineEnv,
            ...stepEnv,
            RUNNER_TEMP: opts.runnerTemp,
            GITHUB_RUN_ID: github.run_id,
            GITHUB_RUN_ATTEMPT: github.run_attempt,
            GITHUB_REF: github.ref,
            GITHUB_ACTIONS: 'true',
          },
          opts,
        );
      } else {
        throw new Error(`step '${label}': uses ${step.uses}, which this runner cannot run`);
      }
      if (step.id) steps[step.id] = { outputs: result.outputs, outcome: result.ok ? 'success' : 'failure' };
      const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-8).join('\n');
      run.steps.push({
        ...record(name, label, result.ok ? 'success' : 'failure', result.ok ? '' : tail),
        stdout: result.stdout,
        stderr: result.stderr,
      });
      if (!result.ok) status = 'failure';
    }
    const outputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(job.outputs ?? {}))
      outputs[k] = interpolate(v, { ...base, env, steps }, status);
    run.jobs[name] = { result: status, outputs };
  }
  return run;
}

function needsOf(job: WorkflowJob): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function record(job: string, step: string, outcome: StepRecord['outcome'], note: string): StepRecord {
  return { job, step, outcome, note, stdout: '', stderr: '' };
}

let scripts = 0;

async function runBash(
  script: string,
  expand: typeof interpolate,
  context: Record<string, unknown>,
  status: string,
  env: Record<string, string>,
  opts: RunnerOptions,
): Promise<{ ok: boolean; outputs: Record<string, string>; stdout: string; stderr: string }> {
  const dir = join(opts.runnerTemp, '_steps');
  mkdirSync(dir, { recursive: true });
  const n = ++scripts;
  const file = join(dir, `step-${n}.sh`);
  const outputFile = join(dir, `output-${n}`);
  // The runner expands ${{ }} in the script text before bash sees it (which is why outputs belong in env:).
  writeFileSync(file, expand(script, context, status));
  writeFileSync(outputFile, '');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', file], {
      cwd: opts.runnerTemp,
      env: { ...env, GITHUB_OUTPUT: outputFile, GITHUB_ENV: join(dir, `env-${n}`) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.stepTimeoutMs ?? 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, outputs: parseCommandFile(readFileSync(outputFile, 'utf8')), stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

/** Every `${{ expr }}` in `text`, replaced by its value as text (GitHub turns null/undefined into ''). */
export function interpolate(text: string, context: Record<string, unknown>, status: string): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const value = evaluate(expr, context, status);
    return value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  });
}

function truthy(value: Value): boolean {
  return !(value === '' || value === 0 || value === false || value === null || value === undefined);
}

type Token = { kind: 'ident' | 'string' | 'number' | 'op' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:('(?:[^']|'')*')|(\d+(?:\.\d+)?)|(==|!=|&&|\|\||!|<=|>=|<|>)|([()[\].,])|([A-Za-z_][\w-]*))/y;
  let at = 0;
  const text = expr.trim();
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`expression: cannot read '${text.slice(at)}' in '${expr}'`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'string', text: m[1].slice(1, -1).replace(/''/g, "'") });
    else if (m[2]) tokens.push({ kind: 'number', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'op', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'punct', text: m[4] });
    else if (m[5]) tokens.push({ kind: 'ident', text: m[5] });
  }
  return tokens;
}

/** Evaluate one expression (without `${{ }}`); `status` is the job's so far: success() and failure() read it. */
export function evaluate(expr: string, context: Record<string, unknown>, status: string): Value {
  const src = expr.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const tokens = tokenize(src);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const take = (text?: string): Token => {
    const t = tokens[i++];
    if (!t || (text !== undefined && t.text !== text))
      throw new Error(`expression '${src}': expected ${text ?? 'more'}`);
    return t;
  };
  const or = (): Value => {
    let left = and();
    while (peek()?.text === '||') {
      take();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const and = (): Value => {
    let left = equality();
    while (peek()?.text === '&&') {
      take();
      const right = equality();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const equality = (): Value => {
    let left = unary();
    while (peek()?.text === '==' || peek()?.text === '!=') {
      const op = take().text;
      const right = unary();
      const same = looseEqual(left, right);
      left = op === '==' ? same : !same;
    }
    return left;
  };
  const unary = (): Value => {
    if (peek()?.text === '!') {
      take();
      return !truthy(unary());
    }
    return primary();
  };
  const primary = (): Value => {
    const t = take();
    if (t.text === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind !== 'ident') throw new Error(`expression '${src}': unexpected '${t.text}'`);
    if (t.text === 'true' || t.text === 'false') return t.text === 'true';
    if (t.text === 'null') return null;
    if (peek()?.text === '(') {
      take('(');
      take(')');
      switch (t.text) {
        case 'always':
          return true;
        case 'success':
          return status === 'success';
        case 'failure':
          return status === 'failure';
        case 'cancelled':
          return false;
        default:
          throw new Error(`expression '${src}': function ${t.text}() is not supported here`);
      }
    }
    let value: unknown = context[t.text];
    while (peek()?.text === '.' || peek()?.text === '[') {
      if (take().text === '.') value = (value as Record<string, unknown> | undefined)?.[take().text];
      else {
        const key = or();
        take(']');
        value = (value as Record<string, unknown> | undefined)?.[String(key)];
      }
    }
    return value as Value;
  };
  const value = or();
  if (i < tokens.length) throw new Error(`expression '${src}': unexpected '${tokens[i]!.text}'`);
  return value;
}

function looseEqual(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  return a === b;
}
