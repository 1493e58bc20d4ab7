// Builds dist/: the runner executes these files, never src/.
//   dist/index.js  the entry (inputs, plan, metadata, summary): small, so a dry run starts fast
//   dist/org.js    everything that talks to orgs (@salesforce/*), loaded on demand in two stages (org-login.ts)
//   dist/github.js storing the key as a GitHub secret (Octokit, libsodium), loaded by org.js only when asked for
//   dist/package.json + dist/messages/  @salesforce/packaging looks for its message files next to the nearest
//                  package.json above its code at load time; without them it spins forever (wire-protocol §8)
import { build, type Plugin } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// In the entry bundle, `import('./org-login.ts')` becomes a require of the sibling bundle; in the org bundle,
// `import('./github-secret.ts')` likewise. org-login.ts's own `import('./org-steps.ts')` stays inside org.js, where
// esbuild defers evaluating it (and source-deploy-retrieve and packaging with it) until it is called.
const sibling = (module: string, file: string): Plugin => ({
  name: `${module}-external`,
  setup(b) {
    b.onResolve({ filter: new RegExp(`/${module}\\.ts$`) }, () => ({ path: `./${file}`, external: true }));
  },
});

// @actions/core imports @actions/http-client (and with it a copy of undici, ~0.6 MB that every start would parse
// and run) for getIDToken alone, which the action never calls. Give @actions/core a stand-in that says so.
const noOidcClient: Plugin = {
  name: 'no-oidc-http-client',
  setup(b) {
    b.onResolve({ filter: /^@actions\/http-client(\/lib\/auth)?$/ }, (args) =>
      /[\\/]@actions[\\/]core[\\/]/.test(args.importer) ? { path: args.path, namespace: 'no-oidc' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-oidc' }, () => ({
      loader: 'js',
      contents: [
        "const refuse = () => { throw new Error('eca-action does not bundle @actions/http-client: OIDC tokens (core.getIDToken) are not available'); };",
        'export class HttpClient { constructor() { refuse(); } }',
        'export class BearerCredentialHandler { constructor() { refuse(); } }',
      ].join('\n'),
    }));
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
  // `import()` of a sibling bundle becomes `require()`: Node would otherwise load it through its ES module loader,
  // which first scans all 7.7 MB of org.js for CommonJS export names (~50 ms before the first request).
  supported: { 'dynamic-import': false },
  absWorkingDir: root,
} as const;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', plugins: [sibling('org-login', 'org.js'), noOidcClient] }),
  build({ ...common, entryPoints: ['src/org-login.ts'], outfile: 'dist/org.js', plugins: [sibling('github-secret', 'github.js'), noOidcClient] }),
  build({ ...common, entryPoints: ['src/github-secret.ts'], outfile: 'dist/github.js', plugins: [noOidcClient] }),
]);

writeFileSync(join(dist, 'package.json'), JSON.stringify({ name: '@salesforce/packaging', private: true, type: 'commonjs' }, null, 2) + '\n');
const messages = join(root, 'node_modules/@salesforce/packaging/messages');
mkdirSync(join(dist, 'messages'));
for (const file of readdirSync(messages).sort()) cpSync(join(messages, file), join(dist, 'messages', file));
console.log(`bundled dist/ (${readdirSync(dist).join(', ')})`);
