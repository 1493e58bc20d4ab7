// The shaped polls (poll.ts nextDelay): patient at first, frequent around the expected end, within a read budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextDelay, plannedReads } from '../src/poll.ts';
import { timing } from '../src/timing.ts';

// The real policies (timing.ts): a version build, 100 ms to 15 s, a tenth of the time waited, every 5 s from half to
// one and a half times the expected end; replication, 100 ms to 5 s, a tenth.
const build = timing('versionBuild');

test('the wait grows with the time waited (a share of it), between initialMs and maxMs', () => {
  assert.equal(nextDelay(build, 0), 100);
  assert.equal(nextDelay(build, 20_000), 2_000);
  assert.equal(nextDelay(build, 400_000), 15_000);
});

test('around the expected end the reads come every nearMs, and the window opens on time', () => {
  const shaped = { ...build, expectedMs: 300_000 };
  assert.equal(nextDelay(shaped, 100_000), 10_000);
  assert.equal(nextDelay(shaped, 145_000), 5_000, 'not past the window start (150 s)');
  assert.equal(nextDelay(shaped, 200_000), 5_000);
  assert.equal(nextDelay(shaped, 500_000), 15_000, 'patient again after 1.5× the expected end');
});

test('the request budget: a job is seen at most a share of its time late, at a stated number of reads', () => {
  const fiveMinutes = plannedReads({ ...build, expectedMs: 300_000 }, 300_000);
  assert.ok(fiveMinutes.reads <= 100, `${fiveMinutes.reads} reads`);
  assert.ok(fiveMinutes.lateMs <= 5_000);
  const scaled = plannedReads(build, 30_000);
  assert.ok(scaled.lateMs <= 3_000, `${scaled.lateMs} ms late`);
  const replication = plannedReads(timing('replication'), 120_000);
  assert.ok(replication.reads <= 70 && replication.lateMs <= 5_000);
});
