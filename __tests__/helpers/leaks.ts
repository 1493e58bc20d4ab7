// The scan every end-to-end test runs: no secret may appear in anything a run printed or left behind,
// except in the runner's own `::add-mask::` commands (which is how masking works).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionRun } from './run-action.ts';
import { listFiles } from './run-action.ts';

export interface Secret {
  what: string;
  value: string | undefined;
}

/**
 * Significant pieces of a secret: the whole value; for PEM keys, each base64 body line; for SFDX auth URLs, each
 * secret part (client id unless it is the sf CLI's public PlatformCLI, client secret, refresh token).
 */
export function needles(value: string): string[] {
  const out = new Set<string>([value.trim()]);
  for (const line of value.split(/\r?\n/)) {
    const t = line.trim();
    if (t.length >= 16 && !t.startsWith('-----')) out.add(t);
  }
  const auth = /^force:\/\/([^:@]*):([^:@]*):([^@]*)@/i.exec(value.trim());
  if (auth) {
    for (const part of auth.slice(1)) if (part && part.length >= 8 && part !== 'PlatformCLI') out.add(part);
  }
  return [...out];
}

/** Any Salesforce access token (opaque `00D…!…` session id), whoever issued it. */
export const ACCESS_TOKEN = /00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/;

export function assertNoLeaks(
  run: ActionRun,
  secrets: Secret[],
  opts: { outputSecrets?: string[]; extraDirs?: string[] } = {},
): void {
  const printed = `${run.stdout}\n${run.stderr}\n${run.post?.stdout ?? ''}\n${run.post?.stderr ?? ''}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  // Outputs may carry the consumer key/secret by design (they are masked); nothing else secret.
  const outputs = Object.entries(run.outputs)
    .filter(([name]) => !(opts.outputSecrets ?? ['consumer-key', 'consumer-secret']).includes(name))
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
  const places: [string, string][] = [
    ['stdout/stderr', printed],
    ['job summary', run.summary],
    ['other outputs', outputs],
  ];
  for (const dir of [run.runnerTemp, ...(opts.extraDirs ?? [])]) {
    for (const file of listFiles(dir)) {
      if (file.endsWith('/_files/output') || file.endsWith('/_files/state')) continue;
      places.push([`file ${file}`, readFileSync(file, 'latin1')]);
    }
  }
  for (const [where, text] of places) {
    const token = ACCESS_TOKEN.exec(text);
    assert.equal(token, null, `an access token leaked into ${where}`);
  }
  for (const secret of secrets) {
    if (!secret.value) continue;
    for (const needle of needles(secret.value)) {
      for (const [where, text] of places) {
        assert.ok(!text.includes(needle), `${secret.what} leaked into ${where}`);
      }
    }
  }
}

/** What a run left in the runner's temp folder, other than the runner's own files and the user's output. */
export function leftovers(run: ActionRun, allowed: string[] = []): string[] {
  return listFiles(run.runnerTemp).filter(
    (f) => !f.includes('/_files/') && !f.startsWith(`${run.home}/`) && !allowed.some((a) => f.startsWith(a)),
  );
}

/**
 * A run that got its own system temp folder (`<runnerTemp>/tmp`) left nothing behind: no secret printed or in a
 * file, no temporary file anywhere, the runner HOME untouched, the workspace removed.
 */
export function assertCleanRun(run: ActionRun, secrets: Secret[]): void {
  assertNoLeaks(run, secrets);
  assert.deepEqual(
    leftovers(run, [run.outputs['metadata-dir'] ?? `${run.runnerTemp}/eca-action`]),
    [],
    'temporary files left behind',
  );
  assert.deepEqual(readdirSync(run.home), [], 'the runner HOME was written to');
  assert.deepEqual(readdirSync(join(run.runnerTemp, 'tmp')), [], 'nothing left in the system temp folder');
  assert.deepEqual(
    readdirSync(run.runnerTemp).filter((n) => n.startsWith('eca-action-')),
    [],
    'the workspace was removed',
  );
}
