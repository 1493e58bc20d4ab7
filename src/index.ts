import './env.ts';
import { closeSync, existsSync, openSync } from 'node:fs';
import * as core from '@actions/core';
import { run } from './main.ts';
import { runPost } from './post.ts';

// The runner creates its command files; local runs and harnesses sometimes only name them. @actions/core
// refuses a missing file, so create an empty one rather than fail a run over where its outputs go.
for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
  const path = process.env[name];
  if (path && !existsSync(path)) {
    try {
      closeSync(openSync(path, 'a', 0o600));
    } catch {
      // a folder that does not exist: @actions/core will say so
    }
  }
}

// action.yml runs this file twice: as the main step, then as the post step (same entry, told apart by state).
if (core.getState('isPost') === 'true') {
  runPost();
} else {
  core.saveState('isPost', 'true');
  void run();
}
