// The repository as a user and the Marketplace see it: the README's examples use only inputs action.yml has, every
// input and output is documented, no link leaves the repository, CI runs what .ci/run runs, the bundle carries
// its licenses, and every package src/ imports is declared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface ActionYml {
  name: string;
  description: string;
  author?: string;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}
const action = parse(read('action.yml')) as ActionYml;
const readme = read('README.md');

/** Every `with:` of a step that uses this action (`…/eca-action@…` or `./`), found anywhere in a YAML value. */
function actionSteps(value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) actionSteps(item, found);
  else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.uses === 'string' && /(^|\/)eca-action@|^\.\/?$/.test(obj.uses))
      found.push((obj.with ?? {}) as Record<string, unknown>);
    for (const child of Object.values(obj)) actionSteps(child, found);
  }
  return found;
}

function fencedBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((m) => m[1]!);
}

test('README usage examples use only inputs that action.yml declares, and give every required one', () => {
  const blocks = fencedBlocks(readme, 'yaml');
  assert.ok(blocks.length >= 2, 'README has yaml usage examples');
  let steps = 0;
  for (const block of blocks) {
    for (const doc of parseAllDocuments(block)) {
      assert.deepEqual(doc.errors, [], `a README yaml example does not parse:\n${block}`);
      for (const withInputs of actionSteps(doc.toJS())) {
        steps++;
        for (const input of Object.keys(withInputs)) {
          assert.ok(input in action.inputs, `README example uses input '${input}', which action.yml does not declare`);
        }
        for (const [name, spec] of Object.entries(action.inputs)) {
          if (spec.required) assert.ok(name in withInputs, `README example lacks the required input '${name}'`);
        }
      }
    }
  }
  assert.ok(steps >= 4, `README examples call the action (${steps} steps found)`);
});

test('the workflows and examples/ call the action only with inputs that action.yml declares', () => {
  for (const dir of [join(root, '.github/workflows'), join(root, 'examples')]) {
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      for (const withInputs of actionSteps(parse(readFileSync(join(dir, file), 'utf8')))) {
        for (const input of Object.keys(withInputs))
          assert.ok(input in action.inputs, `${file} uses unknown input '${input}'`);
      }
    }
  }
});

test('every action.yml input and output is documented in the README', () => {
  for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
    assert.ok(readme.includes(`\`${name}\``), `README does not mention \`${name}\``);
  }
});

test('action.yml is ready for the Marketplace: short description, a real author, branding', () => {
  assert.ok(
    action.description.length < 125,
    `description is ${action.description.length} characters; the Marketplace takes fewer than 125`,
  );
  assert.ok(
    action.author && action.author.trim() !== '' && action.author !== 'eca-action',
    'author names who maintains the action',
  );
  assert.ok(action.name.length > 0);
  assert.match(read('action.yml'), /^branding:\n {2}icon: .+\n {2}color: .+$/m);
});

test('the README starts with the two developer commands that work on a fresh machine', () => {
  const firstBlock = /^```sh\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
  assert.ok(readme.indexOf('```sh') < readme.indexOf('\n## '), 'the commands come before the first section');
  assert.match(firstBlock, /^npm ci && npm run demo\b/m);
  assert.match(firstBlock, /^npm ci && npm test\b/m);
  // One command runs every test: the fast ones first, then those that run the bundle.
  assert.match(firstBlock, /^npm ci && npm test && npm run test:e2e\b/m);
});

test('npm test stays fast: a test that runs the bundle (runAction) is in __tests__/e2e/, run by npm run test:e2e', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.test ?? '', /'__tests__\/\*\.test\.ts'/);
  assert.match(scripts['test:e2e'] ?? '', /'__tests__\/e2e\/\*\.test\.ts'/);
  for (const file of readdirSync(join(root, '__tests__')).filter((f) => f.endsWith('.test.ts'))) {
    assert.doesNotMatch(
      read(`__tests__/${file}`),
      /\brunAction\(/,
      `__tests__/${file} runs the bundle: move it to __tests__/e2e/`,
    );
  }
});

/** GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces as hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} +(.+)$/gm)) {
    out.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return out;
}

test('README and CONTRIBUTING link only to files in this repository, and to anchors that exist', () => {
  for (const doc of ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md']) {
    const text = read(doc);
    assert.doesNotMatch(text, /\.\.\//, `${doc} refers to something outside the repository (../)`);
    for (const m of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      assert.ok(!path.startsWith('/'), `${doc}: ${target} is an absolute path`);
      const file = path === '' ? doc : path;
      assert.ok(existsSync(join(root, file)), `${doc} links to ${target}, which is not in the repository`);
      if (anchor && file.endsWith('.md')) {
        assert.ok(anchors(read(file)).has(anchor), `${doc} links to ${target}, but ${file} has no such heading`);
      }
    }
  }
});

/** Text files the repository ships (not dependencies, not the generated bundle). */
function repositoryFiles(dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', '.git', '.tmp', 'coverage'].includes(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) repositoryFiles(path, out);
    else if (/\.(ts|md|yml|yaml|json|txt)$|^run$/.test(name) && name !== 'package-lock.json') out.push(path);
  }
  return out;
}

test('nothing in the repository points at documents outside it', () => {
  // Built from pieces so that this file does not match itself.
  const outside = new RegExp(
    [
      '/work/' + 'shared',
      '\\.\\./' + 'shared',
      'shared/' + 'reference',
      '(^|[\\s`(])reference/[\\w-]+\\.(md|txt)',
      'INTERFACE' + '\\.md',
    ].join('|'),
  );
  for (const file of repositoryFiles()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      assert.doesNotMatch(
        line,
        outside,
        `${relative(root, file)}:${i + 1} refers to a document outside the repository: ${line.trim()}`,
      );
    });
  }
});

/** The code (and the fake org's rule table): what a reference in a comment must resolve in. Fixtures are data. */
function codeFiles(): string[] {
  const dirs = ['src', 'fake-org', 'fake-github', 'script', '__tests__', '.ci', '.github'];
  return repositoryFiles()
    .map((f) => relative(root, f))
    .filter((f) => dirs.some((d) => f.startsWith(`${d}/`)) && !f.startsWith('__tests__/fixtures/'))
    .filter((f) => /\.(ts|cjs|yml|yaml)$|^\.ci\/run$/.test(f) || /^fake-org\/[^/]+\.md$/.test(f));
}

/** Numbers of the `## N.` sections of a Markdown file. */
function sections(file: string): Set<string> {
  return new Set([...read(file).matchAll(/^#+ (\d+)\./gm)].map((m) => m[1]!));
}

/** Markdown files of public projects the code cites as evidence, each with the project its line must name. */
const PUBLIC_MARKDOWN: Record<string, string> = {
  'messages/package_version_create.md': 'plugin-packaging',
};

test('every *.md and § reference in the code resolves inside the repository', () => {
  const basenames = new Set(repositoryFiles().map((f) => f.split('/').pop()!));
  const notes = sections('docs/platform-notes.md');
  const problems: string[] = [];
  for (const file of codeFiles()) {
    const lines = read(file).split('\n');
    lines.forEach((line, i) => {
      const at = `${file}:${i + 1}`;
      // A Markdown file: from the root, beside the citing file, or (a bare name) a file of that name.
      for (const m of line.matchAll(/(?<![\w./-])((?:[\w-]+\/)*[\w-]+\.md)(?!\.?\w)/g)) {
        const ref = m[1]!;
        const found =
          existsSync(join(root, ref)) ||
          existsSync(join(root, dirname(file), ref)) ||
          (!ref.includes('/') && basenames.has(ref)) ||
          (PUBLIC_MARKDOWN[ref] !== undefined && line.includes(PUBLIC_MARKDOWN[ref]));
        if (!found) problems.push(`${at} cites ${ref}, which is not in the repository`);
      }
      // A section: of the document last named before it on the line (platform notes unless another is named);
      // an RFC's sections are the RFC's.
      for (const m of line.matchAll(/§\s?(\d+)/g)) {
        const before = line.slice(0, m.index);
        const doc = [...before.matchAll(/RFC \d+|(?:[\w-]+\/)*[\w-]+\.md|platform-notes/g)].pop()?.[0];
        if (doc?.startsWith('RFC')) continue;
        // A document named without its extension (a hyphenated name before the section): only platform-notes.
        const named = /([a-z]+-[a-z-]+)\s?$/.exec(before)?.[1];
        if (named && named !== 'platform-notes')
          problems.push(`${at} cites ${named} §${m[1]}, not a file of the repository`);
        const file2 = doc?.endsWith('.md') && !doc.endsWith('platform-notes.md') ? doc : undefined;
        const known = file2 ? existsSync(join(root, file2)) && sections(file2).has(m[1]!) : notes.has(m[1]!);
        if (!known)
          problems.push(`${at} cites ${file2 ?? 'docs/platform-notes.md'} §${m[1]}, which has no such section`);
      }
      // An issue or pull request of this project (a bare number sign, "issue" and a number): not something a reader
      // of the repository has. Another repository's (`owner/name#N, #M`, over two lines at most) is public.
      const joined = `${(lines[i - 1] ?? '').trimEnd()}${line.replace(/^\s*(\/\/|\*)\s*/, '')}`;
      const otherRepo = /[\w-]+\/[\w.-]+#\d+/.test(joined);
      if (/\bissues? #?\d+/i.test(line) || (!otherRepo && /(?<![\w/.-])#\d+\b/.test(line)))
        problems.push(`${at} cites an issue: ${line.trim()}`);
    });
  }
  assert.deepEqual(problems, []);
});

test('ci.yml runs every stage of .ci/run, in the same order', () => {
  const stages = /^STAGES=\(([^)]*)\)/m.exec(read('.ci/run'))?.[1]?.trim().split(/\s+/) ?? [];
  assert.ok(stages.length >= 5, '.ci/run declares its stages');
  const ci = parse(read('.github/workflows/ci.yml')) as {
    jobs: Record<string, { steps: { run?: string; uses?: string }[] }>;
  };
  const ran = ci.jobs.check!.steps.flatMap((s) =>
    [...(s.run ?? '').matchAll(/\.ci\/run ((?:[\w-]+ ?)+)/g)].flatMap((m) => m[1]!.trim().split(' ')),
  );
  assert.deepEqual(ran, stages);
  const testAction = ci.jobs['test-action']!.steps;
  assert.ok(
    testAction.some((s) => s.uses === './'),
    'the test-action job runs the action with uses: ./',
  );
});

test('the live workflow is manual, skipped without its secrets, and always deletes its scratch org', () => {
  const live = parse(read('.github/workflows/live.yml')) as {
    on: Record<string, unknown>;
    jobs: Record<
      string,
      {
        if?: string;
        needs?: string;
        steps: { if?: string; run?: string; uses?: string; with?: Record<string, string> }[];
      }
    >;
  };
  assert.deepEqual(Object.keys(live.on), ['workflow_dispatch']);
  const job = live.jobs.live!;
  assert.match(job.if ?? '', /ready == 'true'/);
  const run = job.steps.find((s) => s.uses === './');
  assert.ok(run?.with?.['install-target'], 'the live run installs into the scratch org');
  // always(), narrowed only to "a scratch org was requested" (its username output is set before the request).
  assert.ok(job.steps.some((s) => /^always\(\)( &&|$)/.test(s.if ?? '') && /sf org delete scratch/.test(s.run ?? '')));
  assert.match(read('.github/workflows/live.yml'), /"features": \["SalesforceHostedMCP"\]/);
});

test('release.yml moves the major tag for published releases', () => {
  const text = read('.github/workflows/release.yml');
  const release = parse(text) as { on: { release?: { types: string[] } } };
  assert.deepEqual(release.on.release?.types, ['published']);
  assert.match(text, /git push --force origin "refs\/tags\/\$MAJOR"/);
});

test('the repository is licensed, and every package src/ imports is declared in package.json', () => {
  const pkg = JSON.parse(read('package.json')) as { license?: string; dependencies: Record<string, string> };
  assert.equal(pkg.license, 'MIT');
  assert.match(read('LICENSE'), /^MIT License/);
  assert.match(read('CHANGELOG.md'), /^## \[Unreleased\]/m);
  const imported = new Set<string>();
  for (const file of readdirSync(join(root, 'src')).filter((f) => f.endsWith('.ts'))) {
    for (const m of read(`src/${file}`).matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  assert.ok(imported.has('@salesforce/core'));
  for (const name of imported)
    assert.ok(name in pkg.dependencies, `src/ imports ${name}, which package.json does not declare`);
});

test('dist/licenses.txt carries the license of every bundled dependency', () => {
  const licenses = read('dist/licenses.txt');
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
  for (const name of Object.keys(pkg.dependencies)) {
    // undici is bundled through @salesforce/core and jsforce; every direct dependency ends up in one of the bundles.
    assert.match(
      licenses,
      new RegExp(`^${name.replace(/[/.]/g, '\\$&')}@\\d[^ ]* \\(`, 'm'),
      `dist/licenses.txt lacks ${name}`,
    );
  }
  assert.match(licenses, /Permission is hereby granted/);
});
