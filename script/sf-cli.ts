// The real Salesforce CLI, for the conformance script and the benchmark only: installed once into .tmp/sf-cli
// (outside the project's dependencies, never bundled), reused afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SF_CLI_VERSION = process.env.SF_CLI_VERSION ?? '2.150.6';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const sfCliDir = join(root, '.tmp', 'sf-cli');
const runJs = join(sfCliDir, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');

/** Install the CLI if it is not there yet; returns [node, run.js] to spawn it with. */
export function ensureSfCli(log: (line: string) => void = console.error): { node: string; runJs: string; installMs: number } {
  let installMs = 0;
  if (!existsSync(runJs)) {
    mkdirSync(sfCliDir, { recursive: true });
    log(`installing @salesforce/cli@${SF_CLI_VERSION} into ${sfCliDir} (once) …`);
    const started = Date.now();
    execFileSync('npm', ['install', '--prefix', sfCliDir, '--no-audit', '--no-fund', '--loglevel=error', `@salesforce/cli@${SF_CLI_VERSION}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    installMs = Date.now() - started;
  }
  return { node: process.execPath, runJs, installMs };
}
