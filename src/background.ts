// Steps that do not depend on each other run at the same time (a GitHub secret stored, MCP servers activated, the
// app deployed into the install target, while the Dev Hub builds the version or takes its own deploy). The log stays
// readable: a step started in the background keeps its lines until main prints them, as a group of their own, at
// the point where the procedure needs its result.
import * as core from '@actions/core';
import * as say from './log.ts';

export interface BackgroundStep<T> {
  /** the step's log group, as it appears in the log and names the step when it fails */
  readonly title: string;
  /** Print the step's group (its lines so far, then live ones until it ends) and hand back its result or error. */
  finish(): Promise<T>;
}

export function inBackground<T>(title: string, step: (log: (line: string) => void) => Promise<T>): BackgroundStep<T> {
  const lines: string[] = [];
  let live = false;
  const log = (line: string): void => {
    if (live) say.info(line);
    else lines.push(line);
  };
  const running = step(log);
  // Awaited in finish(); until then a failure must not count as unhandled (the run may fail elsewhere first).
  running.catch(() => undefined);
  return {
    title,
    finish: () =>
      core.group(title, async () => {
        for (const line of lines.splice(0)) say.info(line);
        live = true;
        return running;
      }),
  };
}
