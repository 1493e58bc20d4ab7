import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decide } from '../script/major-tag.ts';

describe('release.yml: the major tag never moves backwards', () => {
  it('a first release, a newer patch or minor, and the same version again (a repair) move it', () => {
    assert.deepEqual(decide('v1.0.0', []), { move: true, major: 'v1' });
    assert.deepEqual(decide('v1.0.1', ['v1.0.0', 'v1']), { move: true, major: 'v1', from: 'v1.0.0' });
    assert.deepEqual(decide('v1.3.0', ['v1.2.9']), { move: true, major: 'v1', from: 'v1.2.9' });
    assert.deepEqual(decide('v1.3.0', ['v1.3.0']), { move: true, major: 'v1', from: 'v1.3.0' });
    assert.deepEqual(decide('v2.0.0', ['v1.9.0']), { move: true, major: 'v2' }, 'v2 is its own tag');
  });

  it('an older version is refused: a patch of an old minor after a newer minor, compared as numbers', () => {
    const d = decide('v1.2.4', ['v1.3.0']);
    assert.equal(d.move, false);
    assert.match(d.move ? '' : d.reason, /v1 points at v1\.3\.0, newer than v1\.2\.4/);
    assert.equal(decide('v1.9.0', ['v1.10.0']).move, false, '10 > 9, not as text');
    // The highest release tag at that commit decides.
    assert.equal(decide('v1.3.1', ['v1.3.0', 'v1.4.0']).move, false);
  });

  it('refuses what is not vMAJOR.MINOR.PATCH', () => {
    for (const tag of ['1.0.0', 'v1.0', 'v1.0.0-rc.1', 'v1.0.0\nv9.9.9'])
      assert.equal(decide(tag, []).move, false, tag);
  });

  it('as the workflow calls it: prints MAJOR= or an ::error:: line and exits 1', () => {
    const script = join(import.meta.dirname, '..', 'script', 'major-tag.ts');
    assert.equal(
      execFileSync(process.execPath, [script, 'v1.4.0', 'v1.3.0\nv1'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
      'MAJOR=v1\n',
    );
    assert.throws(
      () =>
        execFileSync(process.execPath, [script, 'v1.2.4', 'v1.3.0'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      (e: { status?: number; stdout?: string }) =>
        e.status === 1 && /^::error::v1 points at v1\.3\.0/.test(e.stdout ?? ''),
    );
  });
});

it('release.yml asks the script before it moves the major tag', async () => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(join(import.meta.dirname, '..', '.github', 'workflows', 'release.yml'), 'utf8');
  const check = text.indexOf('node script/major-tag.ts "$TAG"');
  assert.ok(check > 0, 'the check is there');
  assert.ok(check < text.indexOf('git push --force origin'), 'before the move');
  assert.ok(text.indexOf('actions/setup-node') < check, 'on the Node that runs .ts');
});
