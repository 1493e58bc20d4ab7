// The one loopback predicate and the one cause-walker every module of src/ uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback } from '../src/loopback.ts';
import { causeChain, someCause } from '../src/causes.ts';
import { isTransientError } from '../src/retry.ts';

test('isLoopback: localhost, 127.0.0.1 and ::1 as written; no other form that resolves here', () => {
  for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '::1', '[::1]']) assert.ok(isLoopback(host), host);
  for (const host of ['127.1', '127.0.0.2', '0x7f.1', '2130706433', 'localhost.', 'localhost.example.com', '', '[::2]'])
    assert.ok(!isLoopback(host), host);
});

test('causeChain: each link once, a loop ends the walk, non-objects end it too', () => {
  const inner = { message: 'inner' };
  const outer = new Error('outer', { cause: inner });
  assert.deepEqual(
    causeChain(outer).map((e) => e['message']),
    ['outer', 'inner'],
  );
  const a: Record<string, unknown> = { message: 'a' };
  const b: Record<string, unknown> = { message: 'b', cause: a };
  a['cause'] = b;
  assert.equal(causeChain(a).length, 2);
  assert.deepEqual(causeChain('text'), []);
  assert.deepEqual(causeChain(new Error('x', { cause: 'not an object' })).length, 1);
  let deep: unknown = { message: 'bottom' };
  for (let i = 0; i < 20; i++) deep = { message: `level ${i}`, cause: deep };
  assert.ok(causeChain(deep).length <= 8, 'a very long chain is cut');
  assert.ok(someCause(outer, (e) => e['message'] === 'inner'));
});

test('a transient fault deep in the chain is found; a self-referencing cause does not hang', () => {
  const wrapped = new Error('deploy failed', { cause: new Error('x', { cause: { code: 'ECONNRESET' } }) });
  assert.ok(isTransientError(wrapped));
  const self: Record<string, unknown> = { message: 'no' };
  self['cause'] = self;
  assert.ok(!isTransientError(self));
});
