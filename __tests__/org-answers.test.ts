// The shapes an org's answers must have (src/org-answers.ts), and the scrubber's JWT and wire-form rules (src/mask.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isVersionPart,
  orgAnyId,
  OrgAnswerError,
  orgId,
  orgInstanceUrl,
  orgVersionNumber,
} from '../src/org-answers.ts';
import { redact, wireForms } from '../src/mask.ts';

test('ids: 15 or 18 letters and digits with the right key prefix, nothing else', () => {
  assert.equal(orgId('04t000000000016AAA', 'subscriberPackageVersion', 'x'), '04t000000000016AAA');
  assert.equal(orgId('0Ho000000000001', 'package', 'x'), '0Ho000000000001');
  for (const bad of [
    '04t000000000016AAA\n$(id)',
    "04t000000000016AAA' OR Id != '",
    '05i000000000016AAA',
    '04t00000000001',
    '04t0000000000160AAA',
    '04t000000000016AA',
    '04t000000000016AA_',
    42,
    undefined,
  ]) {
    assert.throws(() => orgId(bad, 'subscriberPackageVersion', 'the id'), OrgAnswerError, String(bad));
  }
  assert.throws(() => orgAnyId('0xI000000000001AAA/../sobjects/User', 'the app id'), /not a record id/);
  assert.throws(() => orgId('x', 'installRequest', 'the id of the install request'), /fault of the org.s answer/);
});

test('version numbers: four int parts, from the org as text or as fields', () => {
  assert.equal(orgVersionNumber('1.0.0.3', 'v'), '1.0.0.3');
  assert.equal(orgVersionNumber([1, 2, 0, 2147483647], 'v'), '1.2.0.2147483647');
  for (const bad of [
    '1.0.0',
    '1.0.0.3\n::x',
    '9007199254740993.0.0.1',
    '1.2147483648.0.1',
    '01.0.0.1',
    '-1.0.0.1',
    [1, 2, 3, 1.5],
  ]) {
    assert.throws(() => orgVersionNumber(bad, 'v'), OrgAnswerError, String(bad));
  }
  assert.ok(isVersionPart('0') && isVersionPart('2147483647'));
  assert.ok(!isVersionPart('2147483648') && !isVersionPart('007') && !isVersionPart(''));
});

test('instance URLs: https on a Salesforce domain or loopback as written, rebuilt from their parts', () => {
  assert.equal(orgInstanceUrl('https://acme.my.salesforce.com', 'u'), 'https://acme.my.salesforce.com');
  assert.equal(orgInstanceUrl('http://127.0.0.1:4242/', 'u'), 'http://127.0.0.1:4242');
  for (const bad of [
    'https://evil.example.com',
    'http://acme.my.salesforce.com',
    'https://acme.my.salesforce.com.evil.example',
    'https://acme.my.salesforce.com/x?\n::stop-commands::y',
    'https://user@acme.my.salesforce.com',
    'http://127.0.0.2:4242',
    'http://127.1:4242',
  ]) {
    assert.throws(() => orgInstanceUrl(bad, 'u'), OrgAnswerError, bad);
  }
});

test('the scrubber blanks anything shaped like a JWT, also URI-encoded', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIzTVZHOSIsImV4cCI6MTc2NDg2MDAwMDAwMH0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  assert.equal(redact(`bad assertion ${jwt} (x)`), 'bad assertion *** (x)');
  assert.equal(redact(`a=${jwt.replace(/\./g, '%2E')}`), 'a=***');
  assert.equal(redact('a plain eyJ word. and more'), 'a plain eyJ word. and more');
});

test('wire forms: SOQL, XML and JSON, each URI-encoded, form-encoded and in base64', () => {
  const forms = wireForms("it's a k&y");
  for (const expected of [
    "it's a k&y",
    "it\\'s a k&y",
    'it&apos;s a k&amp;y',
    "it's%20a%20k%26y",
    "it's+a+k%26y",
    'it%27s+a+k%26y',
    "it%5C's%20a%20k%26y",
    "it%5C's+a+k%26y",
    Buffer.from("it's a k&y").toString('base64'),
  ]) {
    assert.ok(forms.includes(expected), expected);
  }
});
