// Preloaded (`node --require`) into every run of dist/index.js that run-action.ts starts, never by the runner: it
// installs the run's timing (FAST_TIMING in run-action.ts, as JSON in ECA_TEST_TIMING, which only this file reads)
// at the test seam src/timing.ts documents, before the bundle loads. Plain CommonJS, so that it costs nothing to
// load and the bundle still starts through Node's CommonJS loader, as on the runner (--import would start it as an
// ES module).
'use strict';
globalThis[Symbol.for('eca-action.timing')] = JSON.parse(process.env.ECA_TEST_TIMING || '{}');
