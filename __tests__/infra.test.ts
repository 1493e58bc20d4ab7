import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withRetry, isTransientError } from '../src/retry.ts';
import { pollUntil, PollTimeoutError } from '../src/poll.ts';
import { maskSecret, redact } from '../src/mask.ts';
import { Workspace } from '../src/workspace.ts';

const noSleep = async (): Promise<void> => {};

/** An operation that throws `error` on its first `failures` calls, then returns 'ok'; `calls` counts them. */
function flaky(error: Error, failures = Number.POSITIVE_INFINITY) {
  const op = {
    calls: 0,
    run: async (): Promise<string> => {
      op.calls++;
      if (op.calls <= failures) throw error;
      return 'ok';
    },
  };
  return op;
}

test('transient faults are retried, with a bounded number of attempts', async () => {
  const lines: string[] = [];
  const reset = flaky(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 2);
  const value = await withRetry(reset.run, { what: 'thing', attempts: 5, sleep: noSleep, log: (l) => lines.push(l) });
  assert.equal(value, 'ok');
  assert.equal(reset.calls, 3);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /thing: transient failure \(ECONNRESET: socket hang up\); retry 1\/4/);

  const down = flaky(Object.assign(new Error('Service Unavailable'), { statusCode: 503 }));
  await assert.rejects(withRetry(down.run, { what: 'x', attempts: 3, sleep: noSleep }), /Service Unavailable/);
  assert.equal(down.calls, 3);
});

test('permanent faults fail at once', async () => {
  const refused = flaky(
    Object.assign(new Error("invalid_grant: user hasn't approved this consumer"), { statusCode: 400 }),
  );
  await assert.rejects(withRetry(refused.run, { what: 'x', sleep: noSleep }));
  assert.equal(refused.calls, 1);
  assert.equal(isTransientError(Object.assign(new Error('nope'), { name: 'INVALID_FIELD' })), false);
  assert.equal(isTransientError(Object.assign(new Error('x'), { errorCode: 'UNABLE_TO_LOCK_ROW' })), true);
  assert.equal(
    isTransientError(new Error('wrapped', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })),
    true,
  );
});

test('polling backs off, tolerates a transient failed check, and times out cleanly', async () => {
  let n = 0;
  const seen: number[] = [];
  const result = await pollUntil(
    async () => {
      n++;
      if (n === 2) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      return n;
    },
    (v) => v >= 4,
    { what: 'job', timeoutMs: 5000, initialMs: 1, maxMs: 4, onProgress: (v) => seen.push(v) },
  );
  assert.equal(result, 4);
  assert.deepEqual(seen, [1, 3]);
  await assert.rejects(
    pollUntil(
      async () => 0,
      () => false,
      { what: 'slow job', timeoutMs: 30, initialMs: 5, maxMs: 5 },
    ),
    (e: unknown) => e instanceof PollTimeoutError && /slow job did not finish within 30 ms/.test(e.message),
  );
});

test('redact removes every registered secret and its encodings, longest first', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nAAAAbbbbCCCCddddEEEE\nffffGGGG1111\n-----END PRIVATE KEY-----\n';
  maskSecret(pem);
  maskSecret('3MVG9consumerKeyValue');
  const text = `key ${pem} and 3MVG9consumerKeyValue and ${encodeURIComponent('3MVG9consumerKeyValue')} and line ffffGGGG1111`;
  const out = redact(text);
  assert.ok(!out.includes('AAAAbbbbCCCCddddEEEE'));
  assert.ok(!out.includes('ffffGGGG1111'));
  assert.ok(!out.includes('3MVG9consumerKeyValue'));
});

test('workspace files are private and removed', () => {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'ws-test-'));
  const saved = process.env.RUNNER_TEMP;
  process.env.RUNNER_TEMP = runnerTemp;
  try {
    const ws = Workspace.create();
    const key = ws.secretFile('k.pem', 'secret');
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.equal(statSync(ws.root).mode & 0o777, 0o700);
    assert.equal(statSync(ws.dir('home')).mode & 0o777, 0o700);
    ws.remove();
    assert.equal(existsSync(ws.root), false);
  } finally {
    process.env.RUNNER_TEMP = saved;
  }
});

test('polling from a status the caller holds: no read for it, the first read after the first wait', async () => {
  let reads = 0;
  const result = await pollUntil(
    async () => ++reads,
    (v) => v >= 2,
    { what: 'job', timeoutMs: 5000, initialMs: 1, maxMs: 4, first: 0 },
  );
  assert.equal(result, 2);
  assert.equal(reads, 2);
  let never = 0;
  assert.equal(
    await pollUntil(
      async () => ++never,
      () => true,
      { what: 'done', timeoutMs: 5000, first: 7 },
    ),
    7,
  );
  assert.equal(never, 0, 'a finished status is not read again');
});
