// Shared by the VS Code test runners: a throw-away workspace, code-server in its own process group
// (killed on exit, also on SIGTERM/SIGINT from the test command's timeout), and headless chromium.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumBin, codeServerEntry, nodeBin, root } from './config.mjs';

export const log = (m) => process.stderr.write(`[vscode] ${m}\n`);

/** Thrown away at exit unless KEEP is set (ANYIO_MIGRATE_KEEP_TMP=1, for debugging). */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => {
    if (process.env.ANYIO_MIGRATE_KEEP_TMP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A fresh copy of test/vscode/workspace-template. */
export function prepareWorkspace(tmp) {
  const ws = join(tmp, 'workspace');
  cpSync(join(root, 'test', 'vscode', 'workspace-template'), ws, { recursive: true });
  return ws;
}

// ---------------------------------------------------------------------------- cleanup on exit

const groups = new Set(); // pids of process groups we started
const cleanups = [];
let cleaned = false;
function killGroups(signal) {
  for (const pid of groups) {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  }
}
function cleanupSync() {
  if (cleaned) return;
  cleaned = true;
  killGroups('SIGKILL');
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      /* best effort */
    }
  }
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping code-server and the browser`);
    cleanupSync();
    process.exit(1);
  });
}

/** Rejects after `ms` with a message; clears its timer when `promise` settles. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${(ms / 1000).toFixed(0)} s: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function checkTools() {
  const missing = [nodeBin, codeServerEntry, chromiumBin].filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run node scripts/vscode/setup.mjs`);
  for (const f of ['dist/extension.js', 'dist/server.js']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} missing: run npm run build`);
  }
}

// ---------------------------------------------------------------------------- code-server

const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'files.autoSave': 'off',
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'workbench.editor.enablePreview': false,
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * Start code-server on a free port for `workspace`, in its own process group.
 * Returns { port, origin, stop(), logFile }. `env` is added to code-server's environment (it reaches
 * the extension host). `userSettings` are merged into the pre-written user settings.
 */
export async function startCodeServer({ tmp, workspace, env = {}, userSettings = {}, logFile }) {
  const port = await freePort();
  const dataDir = join(tmp, 'data');
  const extDir = join(tmp, 'exts');
  mkdirSync(join(dataDir, 'User'), { recursive: true });
  mkdirSync(extDir, { recursive: true });
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...userSettings }, null, 2));
  const config = join(tmp, 'code-server.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const closed = 'http://127.0.0.1:9';
  const gallery = {
    serviceUrl: `${closed}/gallery`,
    itemUrl: `${closed}/item`,
    resourceUrlTemplate: `${closed}/resource/{publisher}/{name}/{version}/{path}`,
    extensionUrlTemplate: `${closed}/ext/{publisher}/{name}/{version}`,
    controlUrl: '',
    nlsBaseUrl: '',
  };
  const args = [
    codeServerEntry,
    '--config',
    config,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    dataDir,
    '--extensions-dir',
    extDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--vscode-option',
    'enable-smoke-test-driver',
    workspace,
  ];
  const out = createWriteStream(logFile);
  const child = spawn(nodeBin, args, {
    cwd: tmp,
    detached: true, // own process group: stop() kills code-server, its extension host and the language server
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...env,
      EXTENSIONS_GALLERY: JSON.stringify(gallery),
      // code-server must not pick up an outer VS Code's IPC hooks.
      VSCODE_IPC_HOOK_CLI: '',
      ELECTRON_RUN_AS_NODE: '',
    },
  });
  groups.add(child.pid);
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  const origin = `http://127.0.0.1:${port}`;
  // Wait for /healthz = 200 (or the process dying).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); see ${logFile}`);
    try {
      const r = await fetch(`${origin}/healthz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const t = setTimeout(() => killGroups('SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
    }
    // Anything left in the group (the language server, watchers) goes too.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* none left */
    }
    groups.delete(child.pid);
    out.end();
  };
  return { port, origin, stop, exit, isAlive: () => !exited };
}

/** `vscode-remote://` URI of an absolute path on the code-server machine. */
export function remoteUri(port, absPath) {
  return `vscode-remote://127.0.0.1:${port}${absPath}`;
}

/** Workbench URL for `folder` with a smoke-test payload (extensionDevelopmentPath etc.). */
export function workbenchUrl(origin, folder, payload) {
  let url = `${origin}/?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

// ---------------------------------------------------------------------------- chromium

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
    timeout: 60_000,
  });
  cleanups.push(() => {
    // playwright kills its browser on exit as well; this is for the SIGTERM path.
    void browser.close().catch(() => {});
  });
  return browser;
}

/** For the summary: how long since `t`. */
export const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

export { spawnSync };
