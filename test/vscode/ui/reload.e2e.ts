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
import type { Page } from 'playwright-core';
import { firstRow, LOG_DIR, openQuickInput, poll, squiggle, startWorkbench, STEP_MS, type Workbench } from './support';

const RELOADS = 3;

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

describe('UI: reloading the window', function () {
  this.timeout(STEP_MS * 8);
  let wb: Workbench | undefined;
  let page: Page;
  let tmp: string;

  async function command(label: string, row: RegExp): Promise<void> {
    await openQuickInput(page, 'F1', 'the command palette');
    await page.keyboard.type(label);
    await poll(page, `"${row.source}" as the first command`, async () => row.test(await firstRow(page)));
    await page.keyboard.press('Enter');
  }

  /** The restored editor shows events.py with the server's squiggles, and the cursor sits on one. */
  async function squigglesShown(): Promise<void> {
    await page.locator('.tab.active').filter({ hasText: 'events.py' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const b = await squiggle(page);
    // A click on the squiggle puts the cursor in a diagnostic's range: the editor asks for code
    // actions there (the light bulb), as a user's cursor restored on a finding does.
    await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
    await page.keyboard.press('Escape');
    await page.locator('.lightBulbWidget, .codicon-light-bulb, .codicon-lightbulb-autofix, .codicon-lightbulb-sparkle').first().waitFor({ state: 'attached', timeout: STEP_MS });
  }

  before(async function () {
    wb = await startWorkbench({ name: 'reload' });
    page = wb.page;
    tmp = wb.tmp;
  });

  after(async function () {
    if (wb && !page.isClosed() && this.currentTest?.state === 'failed') await page.screenshot({ path: path.join(LOG_DIR, 'reload-failure.png') }).catch(() => undefined);
    await wb?.close();
    // For a failure: the logs of every window, kept with the test results.
    if (this.currentTest?.state === 'failed' && tmp) fs.cpSync(path.join(tmp, 'data', 'logs'), path.join(LOG_DIR, 'reload-logs'), { recursive: true });
  });

  it(`logs no error across ${RELOADS} reloads with a file open`, async () => {
    const widget = await openQuickInput(page, 'Control+P', 'Quick Open');
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
    await wb?.close();
    const files = logFiles(path.join(tmp, 'data', 'logs'));
    const serverChannels = files.filter((f) => path.basename(f).includes('AnyIO Migrate Language Server'));
    assert.ok(serverChannels.length >= RELOADS, `expected the server's output channel logged in each window, found ${JSON.stringify(files.map((f) => path.relative(tmp, f)))}`);
    const errors: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      fs.copyFileSync(f, path.join(LOG_DIR, `reload-${path.relative(path.join(tmp, 'data', 'logs'), f).replace(/[\\/]/g, '_')}`));
      for (const line of text.split('\n')) if (ERROR_LINE.test(line)) errors.push(`${path.relative(tmp, f)}: ${line}`);
    }
    assert.deepStrictEqual(errors, []);
  });
});
