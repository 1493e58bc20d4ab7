// Builds dist/: the runner executes these files, never src/.
//   dist/index.js  the entry (inputs, plan, metadata, summary): small, so a dry run starts fast
//   dist/org.js    everything that talks to orgs (@salesforce/*), loaded on demand in two stages (load-login.ts, load-steps.ts)
//   dist/github.js storing the key as a GitHub secret (Octokit, libsodium), loaded by org.js only when asked for
//   dist/package.json + dist/messages/  @salesforce/packaging looks for its message files next to the nearest
//                  package.json above its code at load time; without them it spins forever (docs/platform-notes.md, "Library wire notes")
//   dist/licenses.txt  the name, version, license and license text of every package bundled into the files above
import { build, type Metafile, type Plugin } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// In the entry bundle, `import('./load-login.ts')` becomes a require of the sibling bundle; in the org bundle,
// `import('./github-secret.ts')` likewise. load-login.ts's own `import('./load-steps.ts')` stays inside org.js, where
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
  // The notices go into dist/licenses.txt instead (below), one per package with its full license text.
  legalComments: 'none',
  metafile: true,
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
const results = await Promise.all([
  build({
    ...common,
    entryPoints: ['src/index.ts'],
    outfile: 'dist/index.js',
    plugins: [sibling('load-login', 'org.js'), noOidcClient],
  }),
  build({
    ...common,
    entryPoints: ['src/load-login.ts'],
    outfile: 'dist/org.js',
    plugins: [sibling('github-secret', 'github.js'), noOidcClient],
  }),
  build({ ...common, entryPoints: ['src/github-secret.ts'], outfile: 'dist/github.js', plugins: [noOidcClient] }),
]);

writeFileSync(
  join(dist, 'package.json'),
  `${JSON.stringify({ name: '@salesforce/packaging', private: true, type: 'commonjs' }, null, 2)}\n`,
);
const messages = join(root, 'node_modules/@salesforce/packaging/messages');
mkdirSync(join(dist, 'messages'));
for (const file of readdirSync(messages).sort()) cpSync(join(messages, file), join(dist, 'messages', file));
writeFileSync(join(dist, 'licenses.txt'), licenses(results.map((r) => r.metafile)));
console.log(`bundled dist/ (${readdirSync(dist).join(', ')})`);

/**
 * The licenses of what the bundles carry: the packages whose files esbuild read (per the metafiles), each with the
 * license files it ships (or, lacking any, its package.json `license` field). Sorted, so that a rebuild of the same
 * lockfile gives the same file and CI's stale-dist check covers it.
 */
function licenses(metafiles: Metafile[]): string {
  const roots = new Set<string>();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      // The package root is the folder after the last node_modules/ (a scope takes one more segment).
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m?.[1]) roots.add(m[1]);
    }
  }
  const entries = [...roots].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: unknown;
    };
    const license = typeof pkg.license === 'string' ? pkg.license : 'UNKNOWN';
    const files = readdirSync(join(root, dir))
      .filter((f) => /^(licen[cs]e|copying|notice)/i.test(f))
      .sort();
    const texts = files
      .filter((f) => statSync(join(root, dir, f)).isFile())
      .map((f) =>
        readFileSync(join(root, dir, f), 'utf8')
          .replace(/\r\n/g, '\n')
          .trim(),
      );
    return {
      id: `${pkg.name}@${pkg.version}`,
      license,
      text: texts.join('\n\n') || `(the package ships no license file; its package.json declares ${license})`,
    };
  });
  entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const unique = entries.filter((e, i) => i === 0 || entries[i - 1]!.id !== e.id);
  const head = [
    'Third-party software bundled into dist/ by `npm run bundle` (script/bundle.ts), with its licenses.',
    `${unique.length} packages. eca-action itself is MIT-licensed (LICENSE).`,
  ];
  return `${[...head, ...unique.map((e) => `${'-'.repeat(78)}\n${e.id} (${e.license})\n\n${e.text}`)].join('\n\n')}\n`;
}
