#!/usr/bin/env node
// Runs the UI end-to-end test (out/test/vscode/ui/*.e2e.js: code-server + headless chromium driven
// by playwright-core) with mocha in plain Node. Counts go to ANYIO_MIGRATE_SUMMARY_FILE through the
// summary reporter (scripts/run-tests.mjs), else `N passed, N failed` is printed. Screenshots:
// test-results/screenshots/. `--bail`: the steps build on each other.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './config.mjs';

const dir = join(root, 'out', 'test', 'vscode', 'ui');
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.e2e.js'))
      .map((f) => join(dir, f))
  : [];
if (files.length === 0) {
  process.stderr.write(`[vscode] no UI tests in ${dir}: run npm run build\n`);
  process.exit(1);
}
const TIMEOUT_MS = Number(process.env.ANYIO_MIGRATE_VSCODE_TIMEOUT_MS ?? 8 * 60_000);
const child = spawn(
  process.execPath,
  [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', join(root, 'scripts', 'summary-reporter.cjs'), '--bail', '--exit', '--timeout', '180000', ...files],
  { cwd: root, stdio: 'inherit' },
);
// Overall deadline: SIGTERM lets the test's harness kill code-server's process group and chromium.
const timer = setTimeout(() => {
  process.stderr.write(`[vscode] UI tests still running after ${TIMEOUT_MS / 1000} s: stopping them\n`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}, TIMEOUT_MS);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.exit(code ?? (signal ? 1 : 0));
});
