// Builds dist/: the runner executes these files, never src/.
//   dist/index.js  the entry (inputs, plan, metadata, summary): small, so a dry run starts fast
//   dist/org.js    everything that talks to orgs and GitHub (@salesforce/*, Octokit), loaded on demand
//   dist/package.json + dist/messages/  @salesforce/packaging looks for its message files next to the nearest
//                  package.json above its code at load time; without them it spins forever (wire-protocol §8)
import { build, type Plugin } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// In the entry bundle, `import('./org-steps.ts')` becomes a require of the sibling bundle.
const orgStepsExternal: Plugin = {
  name: 'org-steps-external',
  setup(b) {
    b.onResolve({ filter: /\/org-steps\.ts$/ }, () => ({ path: './org.js', external: true }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  logLevel: 'warning',
  legalComments: 'none',
  // Minified whitespace and syntax: the org bundle is parsed on every run; names stay for readable stacks.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  absWorkingDir: root,
} as const;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', plugins: [orgStepsExternal] }),
  build({ ...common, entryPoints: ['src/org-steps.ts'], outfile: 'dist/org.js' }),
]);

writeFileSync(join(dist, 'package.json'), JSON.stringify({ name: '@salesforce/packaging', private: true, type: 'commonjs' }, null, 2) + '\n');
const messages = join(root, 'node_modules/@salesforce/packaging/messages');
mkdirSync(join(dist, 'messages'));
for (const file of readdirSync(messages).sort()) cpSync(join(messages, file), join(dist, 'messages', file));
console.log(`bundled dist/ (${readdirSync(dist).join(', ')})`);
