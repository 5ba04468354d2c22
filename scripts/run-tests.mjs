#!/usr/bin/env node
// Runs every test suite and ends with one plain line: `N passed, N failed`.
// Suites: mocha over the compiled unit/integration tests (out/test/**). Each suite reports its
// counts through a summary file; the exit code is non-zero if any test failed or a suite crashed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'anyio-migrate-tests-'));
const suites = [
  {
    name: 'unit and integration (mocha)',
    cmd: process.execPath,
    args: [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', join(root, 'scripts', 'summary-reporter.cjs'), '--timeout', '60000', 'out/test/**/*.test.js'],
  },
];
let passed = 0;
let failed = 0;
let crashed = false;
for (const [i, s] of suites.entries()) {
  const summary = join(work, `suite-${i}.json`);
  process.stdout.write(`\n=== ${s.name}\n`);
  const r = spawnSync(s.cmd, s.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ANYIO_MIGRATE_SUMMARY_FILE: summary }, timeout: 60 * 60 * 1000 });
  if (existsSync(summary)) {
    const c = JSON.parse(readFileSync(summary, 'utf8'));
    passed += c.passed;
    failed += c.failed;
  } else {
    crashed = true;
    failed += 1;
    process.stdout.write(`suite "${s.name}" ended without a summary (exit ${r.status}, signal ${r.signal}): counted as a failure\n`);
  }
}
rmSync(work, { recursive: true, force: true });
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || crashed ? 1 : 0);
