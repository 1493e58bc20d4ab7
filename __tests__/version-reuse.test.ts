// What decides whether a run builds a package version or reuses one (the content hash), and how long waits report
// progress. The end-to-end behaviour (a rerun reuses, new-version: always builds) is in e2e/action.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressReporter } from '../src/poll.ts';
import type { PackageSettings } from '../src/model.ts';

const SETTINGS: PackageSettings = {
  name: 'MCP_Client_App',
  namespace: 'acme',
  versionNumber: '1.0.0.NEXT',
  waitMinutes: 30,
  newVersion: 'when-changed',
  validation: 'async',
  installMethod: 'package',
};

function project(
  files: Record<string, string>,
  sfdx: Record<string, unknown> = { namespace: 'acme', sourceApiVersion: '66.0' },
): string {
  const dir = mkdtempSync(join(tmpdir(), 'eca-hash-'));
  writeFileSync(
    join(dir, 'sfdx-project.json'),
    JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }], ...sfdx }),
  );
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, 'force-app', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'force-app', path), content);
  }
  return dir;
}

test('the version hash: equal for equal content, different for anything that changes what a version holds', async () => {
  const { versionHash } = await import('../src/packaging.ts');
  const files = { 'main/default/a.xml': '<a/>', 'main/default/b/c.xml': '<c/>' };
  const dirs: string[] = [];
  const hash = (
    f: Record<string, string>,
    s: Partial<PackageSettings> = {},
    sfdx?: Record<string, unknown>,
  ): string => {
    const dir = project(f, sfdx);
    dirs.push(dir);
    return versionHash(dir, { ...SETTINGS, ...s });
  };
  try {
    const base = hash(files);
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(
      hash({ 'main/default/b/c.xml': '<c/>', 'main/default/a.xml': '<a/>' }),
      base,
      'file order does not matter',
    );
    assert.equal(
      hash(files, { waitMinutes: 5, newVersion: 'always', name: 'Other' }),
      base,
      'settings that do not change a version',
    );
    const changed = [
      hash({ ...files, 'main/default/a.xml': '<a>x</a>' }),
      hash({ ...files, 'main/default/d.xml': '' }),
      hash({ 'main/default/a2.xml': '<a/>', 'main/default/b/c.xml': '<c/>' }),
      hash(files, { namespace: 'other' }),
      hash(files, { versionNumber: '1.1.0.NEXT' }),
      hash(files, { installationKey: 'k' }),
      hash(files, {}, { namespace: 'acme', sourceApiVersion: '65.0' }),
    ];
    for (const [i, h] of changed.entries()) assert.notEqual(h, base, `change ${i}`);
    assert.equal(new Set(changed).size, changed.length);
    assert.equal(
      hash(files, { installationKey: 'k' }),
      hash(files, { installationKey: 'another' }),
      "only the key's presence, never its value",
    );
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('progress lines: status and minutes of the limit, each line once', () => {
  const lines: string[] = [];
  const progress = progressReporter((l) => lines.push(l), 30 * 60_000);
  progress('Package version 08c: Queued', 0);
  progress('Package version 08c: Queued', 5_000);
  progress('Package version 08c: InProgress', 20_000);
  progress('Package version 08c: InProgress', 50_000);
  progress('Package version 08c: InProgress', 61_000);
  progress('Package version 08c: InProgress', 4 * 60_000 + 10_000);
  progress('Package version 08c: InProgress', 4 * 60_000 + 40_000);
  assert.deepEqual(lines, [
    'Package version 08c: Queued, 0 min of 30',
    'Package version 08c: InProgress, 0 min of 30',
    'Package version 08c: InProgress, 1 min of 30',
    'Package version 08c: InProgress, 4 min of 30',
  ]);
});
