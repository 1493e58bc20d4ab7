// The permissions preflight checks are the ones README and docs/SECURITY.md tell users to grant: one list
// (src/permissions.ts), each label in both documents, and the rule Salesforce documents (docs/platform-notes.md §16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CHECKED_PERMISSIONS, missingPermissions } from '../src/permissions.ts';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

test('README and docs/SECURITY.md list every permission preflight checks, by its Setup label', () => {
  for (const doc of ['README.md', 'docs/SECURITY.md']) {
    const text = read(doc);
    for (const p of CHECKED_PERMISSIONS) assert.ok(text.includes(`**${p.label}**`), `${doc} lists ${p.label}`);
  }
});

test('the rule: Customize Application AND (Modify All Data OR Create, edit, and delete External Client Apps)', () => {
  const all = Object.fromEntries(CHECKED_PERMISSIONS.map((p) => [p.field, true]));
  const check = (over: Record<string, boolean>, requireSecret = false) =>
    missingPermissions({ ...all, ...over }, { requireSecret });
  assert.deepEqual(check({}), []);
  assert.deepEqual(check({ PermissionsModifyAllData: false }), [], 'the ECA permissions suffice');
  assert.deepEqual(
    check({ PermissionsExternalClientAppDeveloper: false, PermissionsExternalClientAppAdmin: false }),
    [],
  );
  assert.match(check({ PermissionsCustomizeApplication: false }).join(), /"Customize Application"/);
  assert.match(
    check({ PermissionsModifyAllData: false, PermissionsExternalClientAppDeveloper: false }).join(),
    /"Create, edit, and delete External Client Apps"/,
  );
  assert.deepEqual(check({ PermissionsViewClientSecret: false }), [], 'the secret only with require-secret');
  assert.match(check({ PermissionsViewClientSecret: false }, true).join(), /require-secret/);
  // A field the org did not answer refuses nothing.
  assert.deepEqual(missingPermissions({ PermissionsCustomizeApplication: true }, { requireSecret: true }), []);
});
