// The one place for temporary files. Everything the run writes that is not the user's output (key file,
// private HOME for the Salesforce libraries, deploy/retrieve/package folders) lives under one 0700 folder that
// is removed at the end: on success, on failure, on SIGINT/SIGTERM, and again by the post step in case the
// process was killed outright.
import * as core from '@actions/core';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STATE_KEY = 'eca-action-workspace';

export class Workspace {
  readonly root: string;
  private removed = false;

  private constructor(root: string) {
    this.root = root;
  }

  static create(): Workspace {
    const base = process.env.RUNNER_TEMP && existsSync(process.env.RUNNER_TEMP) ? process.env.RUNNER_TEMP : tmpdir();
    const root = mkdtempSync(join(base, 'eca-action-'));
    const ws = new Workspace(root);
    // The post step runs in a fresh process; it finds the folder through the saved state.
    core.saveState(STATE_KEY, root);
    installCleanup(ws);
    return ws;
  }

  /** A private folder inside the workspace. */
  dir(name: string): string {
    const path = join(this.root, name);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  }

  /** Write a secret to a file only its owner can read. */
  secretFile(name: string, content: string): string {
    const path = join(this.root, name);
    writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
    return path;
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    removeTree(this.root);
  }
}

export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Best effort: the post step tries again.
  }
}

function installCleanup(ws: Workspace): void {
  process.once('exit', () => ws.remove());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      ws.remove();
      core.error(`eca-action was cancelled (${signal}); temporary files were removed.`);
      // 128 + signal number, as a shell would report it.
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}
