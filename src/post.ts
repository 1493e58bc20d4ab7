// The post step: the main step removes its temporary folder itself, but a runner that kills the process
// (timeout, cancellation after the grace period) leaves it behind; remove it here.
import * as core from '@actions/core';
import { STATE_KEY, removeTree } from './workspace.ts';

export function runPost(): void {
  const root = core.getState(STATE_KEY);
  if (root) removeTree(root);
}
