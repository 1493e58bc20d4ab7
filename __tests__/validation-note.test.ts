// The summary's package-validation lines (validation-note.ts): which validation, and what it means for promotion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validationLines } from '../src/validation-note.ts';

test('async, still running: installable before the validations ended, and how to see their end', () => {
  const [line] = validationLines('async', 'running');
  assert.match(line!, /^\*\*Package validation:\*\* async: the version was installable before its validations ended/);
  assert.match(line!, /sf package version create report/);
  assert.match(line!, /--code-coverage/);
});

test('a late failure: never promotable, with the Dev Hub messages as untrusted one-line text', () => {
  const lines = validationLines('async', 'failed', ['bad <img src=x>\nsecond line']);
  assert.match(lines[0]!, /\*\*failed\*\*.*can never be promoted/);
  assert.equal(lines[1], '- bad &lt;img src=x&gt; second line');
});

test('skip: never promotable; full: every validation passed; unknown: said so', () => {
  assert.match(validationLines('skip', 'skipped')[0]!, /skip: not validated, so this version can never be promoted/);
  assert.match(validationLines('full', 'passed')[0]!, /full: every validation passed/);
  assert.match(validationLines('async', undefined)[0]!, /did not say/);
});
