// Step 4's set-up for `dev-hub: <alias>` / `install-target: <alias>`: an sf CLI login made by an earlier step is
// read from the runner's HOME into the action's private HOME, so that the Salesforce libraries never write to
// the runner's ~/.sfdx or ~/.sf (a refreshed access token, or the other login of a mixed run, would otherwise be
// saved there, next to the key that decrypts it, and outlive the step).
// Files, as @salesforce/core 9 lays them out: ~/.sfdx/alias.json (stateAggregator/accessors/aliasAccessor.js),
// ~/.sfdx/<username>.json (orgAccessor.js), ~/.sfdx/key.json (crypto/keyChainImpl.js, the generic keychain that
// src/env.ts selects).
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Copy what the libraries need to use the logins `names` (usernames or aliases) from `fromHome` to `toHome`. */
export function copyCliLogins(fromHome: string, toHome: string, names: string[]): void {
  const from = join(fromHome, '.sfdx');
  const to = join(toHome, '.sfdx');
  mkdirSync(to, { recursive: true, mode: 0o700 });
  const aliases = readAliases(join(from, 'alias.json'));
  copyIfFile(join(from, 'alias.json'), join(to, 'alias.json'));
  copyIfFile(join(from, 'key.json'), join(to, 'key.json'));
  for (const name of names) {
    const username = aliases[name] ?? name;
    // A file name, never a path: an alias file is the runner's, but not ours to trust with a path.
    if (!/^[^/\\]+$/.test(username) || username.startsWith('.')) continue;
    copyIfFile(join(from, `${username}.json`), join(to, `${username}.json`));
  }
}

function readAliases(path: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { orgs?: Record<string, unknown> };
    const out: Record<string, string> = {};
    for (const [alias, value] of Object.entries(parsed.orgs ?? {})) if (typeof value === 'string') out[alias] = value;
    return out;
  } catch {
    return {};
  }
}

/** Only regular files (a symlink planted in ~/.sfdx is not followed), 0600 as the generic keychain requires. */
function copyIfFile(from: string, to: string): void {
  if (!existsSync(from) || !lstatSync(from).isFile()) return;
  copyFileSync(from, to);
  chmodSync(to, 0o600);
}
