#!/usr/bin/env node
// Idempotent setup for a fresh clone: npm dependencies, then the Debian packages the tests run
// migrated code with (python3-anyio 3.6.2, python3-trio, python3-pytest). Safe to run repeatedly.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (m) => process.stderr.write(`[setup] ${m}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

// 1. npm dependencies (only when missing or older than the lock file).
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
} else log('npm dependencies up to date');

// 2. Debian's AnyIO 3.6.2, trio and pytest for the runtime tests.
const python = '/usr/bin/python3';
const probe = () => spawnSync(python, ['-c', 'import anyio, trio, pytest'], { stdio: 'ignore' }).status === 0;
if (existsSync(python) && probe()) log('python3-anyio, python3-trio, python3-pytest present');
else {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = (...args) => (asRoot ? run('apt-get', args, { env }) : run('sudo', ['-n', 'apt-get', ...args], { env }));
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('installing python3-anyio python3-trio python3-pytest with apt-get');
  try {
    apt('update', '-qq');
    apt('install', '-y', '-qq', 'python3-anyio', 'python3-trio', 'python3-pytest');
  } catch (e) {
    log(`could not install the Debian packages: ${e.message}`);
    log('the runtime tests need them: apt-get install -y python3-anyio python3-trio python3-pytest');
    process.exit(1);
  }
  if (!probe()) {
    log('python3-anyio is still not importable by /usr/bin/python3');
    process.exit(1);
  }
}
try {
  const v = execFileSync(python, ['-c', 'import importlib.metadata as m; print(m.version("anyio"))'], { encoding: 'utf8' }).trim();
  log(`AnyIO ${v} for the runtime tests`);
} catch {
  /* version is informational only */
}
