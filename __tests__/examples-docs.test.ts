// README and examples/ agree: the Quick start is examples/mcp-app.yml, the scratch-org recipe uses the sf CLI version
// and the signup variable that conformance and the workflow test prove (script/sf-cli.ts, __tests__/workflows), and
// no README line puts a step output inside `run:`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SF_CLI_VERSION } from '../script/sf-cli.ts';
import { repoRoot } from './helpers/run-action.ts';

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const yamlBlocks = (markdown: string): string[] => [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

test("README's Quick start is examples/mcp-app.yml", () => {
  const readme = read('README.md');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Setup'));
  const [block] = yamlBlocks(quickStart);
  assert.ok(block, 'a yaml block in the Quick start');
  assert.deepEqual(parse(block), parse(read('examples/mcp-app.yml')));
});

test('the scratch-org recipe pins the CLI version conformance runs and scopes the signup variable to its step', () => {
  const readme = read('README.md');
  const recipe = readme.slice(
    readme.indexOf('### 5. Scratch orgs with hosted MCP'),
    readme.indexOf('## Inputs and outputs'),
  );
  for (const text of [recipe, read('examples/scratch-org-ci.yml'), read('.github/workflows/live.yml')]) {
    assert.match(text, new RegExp(`@salesforce/cli@${SF_CLI_VERSION.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(text, /trap 'rm -f "\$key"'/, 'the Dev Hub key must outlive the login step');
  }
  const steps = parse(yamlBlocks(recipe)[0]!) as { name?: string; env?: Record<string, string>; run?: string }[];
  const create = steps.find((s) => /sf org create scratch/.test(s.run ?? ''));
  assert.equal(create?.env?.SF_SCRATCH_SIGNUP_CONNECTED_APP, 'PlatformCLI');
  const example = parse(read('examples/scratch-org-ci.yml')) as {
    env?: unknown;
    jobs: Record<string, { env?: Record<string, string>; steps: { env?: Record<string, string>; run?: string }[] }>;
  };
  const job = Object.values(example.jobs)[0]!;
  assert.equal(example.env, undefined);
  assert.equal(job.env?.SF_SCRATCH_SIGNUP_CONNECTED_APP, undefined, 'scoped to the scratch step, not the job');
  const withVariable = job.steps.filter((s) => s.env?.SF_SCRATCH_SIGNUP_CONNECTED_APP);
  assert.equal(withVariable.length, 1);
  assert.match(withVariable[0]!.run ?? '', /sf org create scratch/);
});

test('no README yaml puts a step output inside run:', () => {
  for (const block of yamlBlocks(read('README.md'))) {
    for (const line of block.split('\n')) {
      if (/^\s*(-\s+)?run:/.test(line) || !/:\s/.test(line))
        assert.doesNotMatch(line, /\$\{\{[^}]*\b(steps|needs)\./, line);
    }
  }
});
