// Bundles the VS Code client, the language server and (when present) the CLI into dist/, and copies
// the two tree-sitter .wasm files next to them (the server passes `wasmDir: __dirname`).
//   node esbuild.mjs            production: minified, no source maps (what `vsce package` ships)
//   node esbuild.mjs --dev      unminified with source maps, for debugging
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dev = process.argv.includes('--dev');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// `import ... from 'web-tree-sitter'` would select its ES module build, whose
// `createRequire(import.meta.url)` has no URL inside a CommonJS bundle: use the CommonJS build.
const preferCjs = {
  name: 'prefer-cjs',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs') }));
  },
};

const common = {
  plugins: [preferCjs],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: !dev,
  sourcemap: dev,
  legalComments: 'none',
  logLevel: 'warning',
  mainFields: ['main', 'module'],
};

const entries = [
  { in: 'src/extension/extension.ts', out: 'extension.js', external: ['vscode'] },
  { in: 'src/server/server.ts', out: 'server.js', external: [] },
];
if (existsSync(join(root, 'src/cli/main.ts'))) {
  entries.push({ in: 'src/cli/main.ts', out: 'cli.js', external: [] });
}

await Promise.all(
  entries.map((e) =>
    esbuild.build({
      ...common,
      entryPoints: [join(root, e.in)],
      outfile: join(dist, e.out),
      external: e.external,
    }),
  ),
);

for (const [pkg, file] of [
  ['web-tree-sitter', 'web-tree-sitter.wasm'],
  ['tree-sitter-python', 'tree-sitter-python.wasm'],
]) {
  copyFileSync(join(root, 'node_modules', pkg, file), join(dist, file));
}

const size = (f) => `${(statSync(join(dist, f)).size / 1024).toFixed(0)} KB`;
console.log(
  `esbuild: dist/ ${[...entries.map((e) => e.out), 'web-tree-sitter.wasm', 'tree-sitter-python.wasm'].map((f) => `${f} ${size(f)}`).join(', ')}${dev ? ' (dev)' : ''}`,
);
