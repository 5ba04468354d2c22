// ESLint (flat config): typescript-eslint with type information for src/ and test/, plain JS rules for
// scripts/, and the src/ layering (`layers/imports`, scripts/eslint-layers.mjs). `npm run lint` runs
// this and `prettier --check`; `npm test` runs `npm run lint` first.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/eslint-layers.mjs';

/**
 * The layers of src/ (first folder, or `engine` for src/engine.ts): what each may import of ours
 * (allow, itself always included) or not (deny), and which packages it may not import. A file follows
 * every entry whose key is its path or a folder above it (src/core/semantic/x.ts: `core` and
 * `core/semantic`).
 */
const LAYERS = {
  core: {
    allow: ['core'],
    forbidPackages: /^vscode($|[-/])/,
    why: 'the engine core imports nothing of ours outside src/core (src/engine.ts passes the rules in) and no editor package',
  },
  'core/semantic': {
    allow: ['core'],
    forbidPackages: /^(fs|path|worker_threads|child_process)($|\/)/,
    why: 'the semantic model touches no file system, path or thread',
  },
  rules: {
    allow: ['core', 'rules'],
    forbidPackages: /./,
    why: 'rules import only src/core and no package',
  },
  engine: { allow: ['core', 'rules', 'shared'] },
  server: {
    allow: ['server', 'workspace', 'config', 'shared', 'core', 'engine'],
    why: 'the server uses src/workspace, src/config, src/shared, src/core and src/engine.ts (never src/cli)',
  },
  cli: {
    allow: ['cli', 'workspace', 'config', 'shared', 'core', 'engine'],
    why: 'the CLI uses src/workspace, src/config, src/shared, src/core and src/engine.ts (never src/server)',
  },
  extension: {
    allow: ['extension', 'shared'],
    why: 'the VS Code extension talks to the server through src/shared only',
  },
  shared: { allow: ['shared'], why: 'src/shared is the leaf the extension and the server share' },
  workspace: { deny: ['server', 'cli', 'extension', 'outside'], why: 'src/workspace is shared by the CLI and the server' },
  config: { deny: ['server', 'cli', 'extension', 'outside'], why: 'src/config is shared by the CLI and the server' },
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.tools/**',
      '.cache/**',
      '.anyio-migrate-cache/**',
      'docs/**',
      'bench-results/**',
      'test-results/**',
      'test/runtimes/**',
      'test/fixtures/**',
      'test/project-fixtures/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // TypeScript: src/ and test/, with type information (no-floating-promises, no-misused-promises).
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `typeof import('x')` stays allowed: it types a module loaded at run time with require() or import().
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Scripts: plain JavaScript for Node, no type information.
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  // The src/ layering.
  {
    files: ['src/**/*.ts'],
    plugins: { layers: layersPlugin(LAYERS) },
    rules: { 'layers/imports': 'error' },
  },
);
