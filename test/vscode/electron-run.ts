/**
 * The extension-host suite on desktop VS Code through `@vscode/test-electron`, for machines that
 * can download VS Code (update.code.visualstudio.com). Same suite, same workspace template as the
 * code-server runner (scripts/vscode/run-extension-tests.mjs), which is what CI uses here.
 *
 *   npm run build && node out/test/vscode/electron-run.js
 *
 * Env: ANYIO_MIGRATE_VSCODE_VERSION (default 1.139.1, the VS Code inside code-server 4.139.1).
 * Linux without a display: run it under `xvfb-run -a`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(root, 'test', 'vscode', 'workspace-template'), workspace, { recursive: true });
  const results = path.join(tmp, 'results.json');
  try {
    await runTests({
      version: process.env['ANYIO_MIGRATE_VSCODE_VERSION'] ?? '1.139.1',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${path.join(tmp, 'data')}`],
      extensionTestsEnv: { ANYIO_MIGRATE_VSCODE_RESULTS: results, ANYIO_MIGRATE_REPO: root, ANYIO_MIGRATE_VSCODE_WORKSPACE: workspace },
    });
  } catch (err) {
    console.error(`extension-host tests failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!fs.existsSync(results)) {
    console.log('0 passed, 1 failed');
    return 1;
  }
  const r = JSON.parse(fs.readFileSync(results, 'utf8')) as { passed: number; failed: number; tests: Array<{ fullTitle: string; state: string; error?: string }> };
  for (const t of r.tests) if (t.state !== 'passed') console.log(`FAILED: ${t.fullTitle}\n${t.error ?? ''}`);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  fs.rmSync(tmp, { recursive: true, force: true });
  return r.failed === 0 && r.passed > 0 ? 0 : 1;
}

void main().then((code) => process.exit(code));
