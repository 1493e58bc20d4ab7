// The one place for temporary files. Everything the run writes that is not the user's output (key file,
// private HOME for the Salesforce libraries, deploy/retrieve/package folders) lives under one 0700 folder that
// is removed at the end: on success, on failure, on SIGINT/SIGTERM, and again by the post step in case the
// process was killed outright.
import * as core from '@actions/core';
import {
  closeSync,
  constants,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
  mkdirSync,
  existsSync,
  type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { ProjectFile } from './model.ts';
import { InputError } from './settings.ts';

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

// ===========================================================================================================
// The user's output folder. It may be a folder of a checked-out repository, where a pull request can plant
// symbolic links: nothing is written through a link, and no file is replaced that an earlier run did not write.

/** The list of files the action wrote into an output folder; a rerun may replace exactly these. */
export const OWNED_FILES = '.eca-action-files.json';

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Every existing folder above the output folder, checked with lstat: a link planted in a parent (a repository's
 * `docs` → `/home/runner/.ssh`) would carry the writes elsewhere as surely as a link in the folder itself. Links
 * directly under `/` are the system's own (macOS's `/var` → `private/var`, `/tmp`), which no workflow or checkout
 * can plant; any link below them is refused.
 */
function refuseLinkedParents(root: string, problem: (message: string) => never): void {
  const parts = root.split(sep).filter(Boolean);
  let path: string = sep;
  for (const [depth, part] of parts.slice(0, -1).entries()) {
    path = join(path, part);
    const st = lstatOrUndefined(path);
    if (!st) return;
    if (st.isSymbolicLink() && depth > 0)
      problem(
        `${path}, a folder on the way to ${root}, is a symbolic link. The action does not write through links; give a path whose folders are real folders.`,
      );
    if (!st.isSymbolicLink() && !st.isDirectory())
      problem(`${path}, on the way to ${root}, is a file, not a folder. Give a path whose folders are real folders.`);
  }
}

/**
 * Check that `files` can be written into `dir` without following a symbolic link or replacing a file the action
 * does not own; throws an InputError naming `input` before anything is written.
 */
export function prepareOutputDir(dir: string, input: string, files: ProjectFile[] = []): void {
  const root = resolve(dir);
  const problem = (message: string): never => {
    throw new InputError([{ input, message }]);
  };
  refuseLinkedParents(root, problem);
  const top = lstatOrUndefined(root);
  if (top?.isSymbolicLink()) {
    problem(
      `${root} is a symbolic link${existsSync(root) ? '' : ' to nothing (a dangling link)'}. The action does not write through links; give a real folder, or a path that does not exist yet.`,
    );
  }
  if (top && !top.isDirectory())
    problem(
      `${root} is a file, not a folder. Give a folder (it is created if missing), e.g. \${{ runner.temp }}/eca-action.`,
    );
  const owned = ownedFiles(root);
  for (const { path: file, content } of files) {
    let path = root;
    for (const part of file.split('/')) {
      path = join(path, part);
      const st = lstatOrUndefined(path);
      if (!st) break;
      const shown = relative(root, path);
      if (st.isSymbolicLink())
        problem(
          `${shown} in ${root} is a symbolic link; the action does not write through links. Remove it, or give an empty folder.`,
        );
      if (path !== join(root, file) && !st.isDirectory())
        problem(`${shown} in ${root} is a file where the project needs a folder. Give an empty folder.`);
      // A file with exactly the content it would get is no one's loss (a folder written before the list existed).
      if (path === join(root, file) && !owned.has(file) && !sameContent(path, content)) {
        problem(
          `${root} already holds ${file}, which this action did not write; it is not replaced. Give an empty folder or a new path (the default is $RUNNER_TEMP/eca-action).`,
        );
      }
    }
  }
}

function sameContent(path: string, content: string): boolean {
  try {
    return readFileSync(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }) === content;
  } catch {
    return false;
  }
}

function ownedFiles(root: string): Set<string> {
  try {
    const list = JSON.parse(
      readFileSync(join(root, OWNED_FILES), { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }),
    ) as unknown;
    return new Set(Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Record the files written into an output folder, so that a rerun may replace them (and only them). */
export function recordOwnedFiles(dir: string, files: ProjectFile[]): void {
  const root = resolve(dir);
  const list = [...new Set([...ownedFiles(root), ...files.map((f) => f.path)])].sort();
  writeNoFollow(root, OWNED_FILES, `${JSON.stringify(list, null, 2)}\n`);
}

/**
 * Write `content` to `root/relPath`: every folder on the way is created or must be a real folder, and the file
 * itself is opened without following a link (O_NOFOLLOW), replacing a regular file only.
 */
export function writeNoFollow(root: string, relPath: string, content: string): string {
  const target = resolve(root, relPath);
  if (!target.startsWith(resolve(root) + sep)) throw new Error(`${relPath} is not a path inside ${root}.`);
  let path = resolve(root);
  mkdirSync(path, { recursive: true });
  for (const part of relative(path, target).split(sep).slice(0, -1)) {
    path = join(path, part);
    const st = lstatOrUndefined(path);
    if (!st) mkdirSync(path);
    else if (st.isSymbolicLink() || !st.isDirectory())
      throw new Error(`${path} is not a real folder (a link or a file); nothing is written through it.`);
  }
  const fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, content, null, 'utf8');
  } finally {
    closeSync(fd);
  }
  return target;
}
