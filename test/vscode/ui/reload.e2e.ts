/**
 * UI test: reloading the window ("Developer: Reload Window") with a Python file open and the cursor
 * on a finding must not log errors. Issue 13 saw "Request textDocument/codeAction failed. Error:
 * Starting server failed" in the server's output channel and "provider FAILED" in the extension
 * host log on every reload: the editor asked for code actions (the light bulb) while the old
 * window's client was stopping or the new one was starting.
 *
 * Reloads 3 times, each time waiting for the squiggles of the restored editor (the server answered
 * in the new window) and for a light-bulb request at the cursor, then reads every log file that
 * code-server wrote (extension host logs and the output channels' log files) and asserts that none
 * of them holds such an error. Runs in plain Node (mocha) with the other UI tests.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser, Page } from 'playwright-core';

const root = process.env['ANYIO_MIGRATE_REPO'] ?? path.resolve(__dirname, '..', '..', '..', '..');
const STEP_MS = 60_000;
const RELOADS = 3;

interface Harness {
  checkTools(): void;
  makeTempDir(prefix: string): string;
  prepareWorkspace(tmp: string): string;
  startCodeServer(o: { tmp: string; workspace: string; logFile: string }): Promise<{ port: number; origin: string; stop(): Promise<void> }>;
  launchBrowser(): Promise<Browser>;
  remoteUri(port: number, p: string): string;
  workbenchUrl(origin: string, folder: string, payload?: unknown): string;
}

/** Lines of the logs that report a failed request, a failed provider or a failed start. */
const ERROR_LINE = /Starting server failed|provider FAILED|Request \S+ failed|Client is not running|server failed to start|Restarting server failed|Stopping server failed/;

/** Every `*.log` file under `dir`, recursively. */
function logFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...logFiles(p));
    else if (e.name.endsWith('.log')) out.push(p);
  }
  return out;
}

async function poll<T>(page: Page, what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(true), 50)))', undefined, { timeout: 5000 }).catch(() => undefined);
  }
}

describe('UI: reloading the window', function () {
  this.timeout(STEP_MS * 8);
  let h: Harness;
  let server: Awaited<ReturnType<Harness['startCodeServer']>> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let tmp: string;
  const logDir = path.join(root, 'test-results', 'vscode');

  const editor = () => page.locator('.editor-group-container.active .monaco-editor').first();

  async function command(label: string, row: RegExp): Promise<void> {
    const widget = page.locator('.quick-input-widget');
    await poll(page, 'the command palette', async () => {
      if (!(await widget.isVisible())) {
        await page.keyboard.press('F1');
        await widget.waitFor({ state: 'visible', timeout: 3000 });
      }
      return true;
    });
    await page.keyboard.type(label);
    await poll(page, `"${row.source}" as the first command`, async () => row.test((await widget.locator('.monaco-list-row').first().innerText()).replace(/\u00a0/g, ' ')));
    await page.keyboard.press('Enter');
  }

  /** The restored editor shows events.py with the server's squiggles, and the cursor sits on one. */
  async function squigglesShown(): Promise<void> {
    await page.locator('.tab.active').filter({ hasText: 'events.py' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const squiggle = await poll(page, 'a squiggle in events.py', async () => {
      for (const s of await editor().locator('.squiggly-warning, .squiggly-error').all()) {
        const b = await s.boundingBox();
        if (b && b.width > 0) return b;
      }
      return undefined;
    });
    // A click on the squiggle puts the cursor in a diagnostic's range: the editor asks for code
    // actions there (the light bulb), as a user's cursor restored on a finding does.
    await page.mouse.click(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
    await page.keyboard.press('Escape');
    await page.locator('.lightBulbWidget, .codicon-light-bulb, .codicon-lightbulb-autofix, .codicon-lightbulb-sparkle').first().waitFor({ state: 'attached', timeout: STEP_MS });
  }

  before(async function () {
    h = (await import(pathToFileURL(path.join(root, 'scripts', 'vscode', 'harness.mjs')).href)) as Harness;
    h.checkTools();
    tmp = h.makeTempDir('anyio-migrate-reload-');
    const workspace = h.prepareWorkspace(tmp);
    fs.mkdirSync(logDir, { recursive: true });
    server = await h.startCodeServer({ tmp, workspace, logFile: path.join(logDir, 'reload-code-server.log') });
    browser = await h.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    const payload = [
      ['extensionDevelopmentPath', h.remoteUri(server.port, root)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(h.workbenchUrl(server.origin, workspace, payload));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STEP_MS });
    await page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'events.py' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
  });

  after(async function () {
    if (browser && this.currentTest?.state === 'failed') await page.screenshot({ path: path.join(logDir, 'reload-failure.png') }).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    // For a failure: the logs of every window, kept with the test results.
    if (this.currentTest?.state === 'failed' && tmp) fs.cpSync(path.join(tmp, 'data', 'logs'), path.join(logDir, 'reload-logs'), { recursive: true });
  });

  it(`logs no error across ${RELOADS} reloads with a file open`, async () => {
    const widget = page.locator('.quick-input-widget');
    await poll(page, 'Quick Open', async () => {
      if (!(await widget.isVisible())) {
        await page.keyboard.press('Control+P');
        await widget.waitFor({ state: 'visible', timeout: 3000 });
      }
      return true;
    });
    await page.keyboard.type('events.py');
    await widget.locator('.monaco-list-row').filter({ hasText: 'events.py' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await page.keyboard.press('Enter');
    await squigglesShown();
    for (let i = 1; i <= RELOADS; i++) {
      const loaded = page.waitForEvent('load', { timeout: STEP_MS });
      await command('Developer: Reload Window', /^Developer: Reload Window/);
      await loaded;
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STEP_MS });
      await squigglesShown();
    }
    // The old windows' extension hosts finish writing their logs as they shut down: stop
    // code-server (it flushes them) before reading.
    await browser?.close();
    browser = undefined;
    await server?.stop();
    server = undefined;
    const files = logFiles(path.join(tmp, 'data', 'logs'));
    const serverChannels = files.filter((f) => path.basename(f).includes('AnyIO Migrate Language Server'));
    assert.ok(serverChannels.length >= RELOADS, `expected the server's output channel logged in each window, found ${JSON.stringify(files.map((f) => path.relative(tmp, f)))}`);
    const errors: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      fs.copyFileSync(f, path.join(logDir, `reload-${path.relative(path.join(tmp, 'data', 'logs'), f).replace(/[\\/]/g, '_')}`));
      for (const line of text.split('\n')) if (ERROR_LINE.test(line)) errors.push(`${path.relative(tmp, f)}: ${line}`);
    }
    assert.deepStrictEqual(errors, []);
  });
});
