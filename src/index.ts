import './env.ts';
import * as core from '@actions/core';
import { run } from './main.ts';
import { runPost } from './post.ts';

// action.yml runs this file twice: as the main step, then as the post step (same entry, told apart by state).
if (core.getState('isPost') === 'true') {
  runPost();
} else {
  core.saveState('isPost', 'true');
  void run();
}
