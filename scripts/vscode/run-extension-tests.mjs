#!/usr/bin/env node
// Runs the extension-host mocha suite (out/test/vscode/suite/index.js) inside a real VS Code: code-server
// 4.139.1 on Node 24, the workbench opened by headless chromium with the smoke-test payload
// (extensionDevelopmentPath = this repository, extensionTestsPath = the suite). The suite writes a
// JSON results file; the workbench calls codeAutomationExit(0|1) when the suite's run() settles.
// Success needs both, within an overall timeout. Writes `{passed, failed}` to
// ANYIO_MIGRATE_SUMMARY_FILE when set (scripts/run-tests.mjs), else prints `N passed, N failed`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, resultsDir } from './config.mjs';
import { checkTools, launchBrowser, log, makeTempDir, prepareWorkspace, remoteUri, secs, startCodeServer, withTimeout, workbenchUrl } from './harness.mjs';

const TIMEOUT_MS = Number(process.env.ANYIO_MIGRATE_VSCODE_TIMEOUT_MS ?? 8 * 60_000);
const t0 = Date.now();
const suiteIndex = join(root, 'out', 'test', 'vscode', 'suite', 'index.js');

function summary(passed, failed) {
  const file = process.env.ANYIO_MIGRATE_SUMMARY_FILE;
  if (file) writeFileSync(file, JSON.stringify({ passed, failed }));
  else process.stdout.write(`${passed} passed, ${failed} failed\n`);
}

async function main() {
  checkTools();
  if (!existsSync(suiteIndex)) throw new Error(`${suiteIndex} missing: run npm run build (tsc compiles test/vscode)`);
  mkdirSync(resultsDir, { recursive: true });
  const tmp = makeTempDir('anyio-migrate-vscode-');
  const workspace = prepareWorkspace(tmp);
  const resultsFile = join(tmp, 'results.json');
  const logFile = join(resultsDir, 'extension-host-code-server.log');
  const server = await startCodeServer({
    tmp,
    workspace,
    logFile,
    env: {
      ANYIO_MIGRATE_VSCODE_RESULTS: resultsFile,
      ANYIO_MIGRATE_REPO: root,
      ANYIO_MIGRATE_VSCODE_WORKSPACE: workspace,
    },
  });
  log(`code-server on ${server.origin} (${secs(t0)})`);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (code) => {
      resolveExit(code);
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : String(args);
      // The suite's own progress lines ("  ✓ title") are printed live.
      if (/^\s*(✓|✗|\d+\)|#)/.test(text) || text.startsWith('[suite]')) process.stdout.write(`${text}\n`);
      else consoleLines.push(`[${type}] ${text}`);
    });
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server.port, root)],
      ['extensionTestsPath', remoteUri(server.port, suiteIndex)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(workbenchUrl(server.origin, workspace, payload));
    const codeServerDied = server.exit.then((e) => {
      throw new Error(`code-server exited during the tests (${JSON.stringify(e)})`);
    });
    const code = await withTimeout(Promise.race([exited, codeServerDied]), TIMEOUT_MS - (Date.now() - t0), 'extension-host tests did not finish');
    writeFileSync(join(resultsDir, 'extension-host-browser-console.log'), consoleLines.join('\n') + '\n');
    if (!existsSync(resultsFile)) throw new Error(`the suite exited with ${code} but wrote no results file`);
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    writeFileSync(join(resultsDir, 'extension-host-results.json'), JSON.stringify(results, null, 2));
    for (const t of results.tests) {
      if (t.state !== 'passed') process.stdout.write(`\nFAILED: ${t.fullTitle}\n${t.error ?? ''}\n`);
    }
    let { passed, failed } = results;
    if (code !== 0 && failed === 0) {
      failed = 1;
      process.stdout.write(`the workbench reported exit code ${code} although no test failed: counted as a failure\n`);
    }
    if (passed + failed === 0) {
      failed = 1;
      process.stdout.write('no test ran: counted as a failure\n');
    }
    log(`extension host: ${passed} passed, ${failed} failed in ${secs(t0)}`);
    summary(passed, failed);
    return failed === 0 ? 0 : 1;
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(`FAILED after ${secs(t0)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    log(`logs: ${resultsDir}`);
    // No summary file: run-tests.mjs counts the suite as crashed (one failure).
    if (!process.env.ANYIO_MIGRATE_SUMMARY_FILE) process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  },
);
