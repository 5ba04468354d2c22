/**
 * UI end-to-end test: what a person sees in a real VS Code (code-server in headless chromium, driven
 * by playwright-core). Opens a file with Quick Open, waits for the squiggle, hovers it, applies the
 * quick fix with Ctrl+., runs "AnyIO: Migrate Workspace" from the command palette and applies the
 * refactor preview. Each step writes a screenshot to test-results/screenshots/.
 *
 * Runs in plain Node (mocha): `node scripts/vscode/run-ui-tests.mjs`. Not named *.test.js, so the
 * unit run does not pick it up. No fixed sleeps: every wait is on a selector or a polled condition
 * with a deadline.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser, Locator, Page } from 'playwright-core';

type Engine = typeof import('../../../src/engine');

const root = process.env['ANYIO_MIGRATE_REPO'] ?? path.resolve(__dirname, '..', '..', '..', '..');
const shots = path.join(root, 'test-results', 'screenshots');
const STEP_MS = 60_000;

// The harness is an ES module shared with the extension-host runner.
interface Harness {
  checkTools(): void;
  makeTempDir(prefix: string): string;
  prepareWorkspace(tmp: string): string;
  startCodeServer(o: { tmp: string; workspace: string; logFile: string; env?: Record<string, string>; userSettings?: Record<string, unknown> }): Promise<{
    port: number;
    origin: string;
    stop(): Promise<void>;
    isAlive(): boolean;
  }>;
  launchBrowser(): Promise<Browser>;
  remoteUri(port: number, p: string): string;
  workbenchUrl(origin: string, folder: string, payload?: unknown): string;
}

/** Polls `probe` until truthy (no fixed sleep: each round waits on the page's next animation frames). */
async function poll<T>(page: Page, what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    // Next poll after the page has rendered a frame (and at most ~50 ms later).
    await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(true), 50)))', undefined, { timeout: 5000 }).catch(() => undefined);
  }
}

const norm = (s: string): string => s.replace(/\u00a0/g, ' ');

describe('UI: a user migrates AnyIO 2 code in VS Code', function () {
  this.timeout(STEP_MS * 3);
  let h: Harness;
  let server: Awaited<ReturnType<Harness['startCodeServer']>> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let eng: Engine;

  const editor = (): Locator => page.locator('.editor-group-container.active .monaco-editor').first();
  /** Visible text of the active editor, non-breaking spaces normalised. */
  const editorText = async (): Promise<string> => norm(await editor().locator('.view-lines').innerText());

  async function shot(name: string, area?: Locator): Promise<string> {
    fs.mkdirSync(shots, { recursive: true });
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: path.join(shots, `${name}.full.png`) });
    if (area) {
      const box = await area.boundingBox();
      if (box) {
        await page.screenshot({ path: file, clip: { x: Math.max(0, box.x), y: Math.max(0, box.y), width: box.width, height: box.height } });
        return file;
      }
    }
    fs.copyFileSync(path.join(shots, `${name}.full.png`), file);
    return file;
  }

  /** Opens Quick Open (Ctrl+P) or the command palette (F1), retrying until the workbench takes keys. */
  async function quickInput(key: string, text: string, row: RegExp): Promise<void> {
    const widget = page.locator('.quick-input-widget');
    await poll(page, `the quick input after ${key}`, async () => {
      if (!(await widget.isVisible())) {
        await page.keyboard.press(key);
        await widget.waitFor({ state: 'visible', timeout: 3000 });
      }
      return true;
    });
    await page.keyboard.type(text);
    const match = widget.locator('.monaco-list-row').filter({ hasText: row }).first();
    await match.waitFor({ state: 'visible', timeout: STEP_MS });
    await poll(page, `"${row.source}" as the first result`, async () => row.test(norm((await widget.locator('.monaco-list-row').first().innerText()) ?? '')));
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /** The on-screen box of the squiggle on the line showing `lineText`. */
  async function squiggleOn(lineText: string): Promise<{ x: number; y: number; width: number; height: number }> {
    return poll(page, `a squiggle on "${lineText}"`, async () => {
      const line = editor().locator('.view-line').filter({ hasText: lineText }).first();
      const lb = await line.boundingBox();
      if (!lb) return undefined;
      for (const s of await editor().locator('.squiggly-warning, .squiggly-error').all()) {
        const b = await s.boundingBox();
        if (b && b.width > 0 && b.y < lb.y + lb.height && b.y + b.height > lb.y) return b;
      }
      return undefined;
    });
  }

  before(async function () {
    this.timeout(4 * STEP_MS);
    h = (await import(pathToFileURL(path.join(root, 'scripts', 'vscode', 'harness.mjs')).href)) as Harness;
    h.checkTools();
    // The compiled engine of the checkout under test (ANYIO_MIGRATE_REPO), found at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    eng = require(path.join(root, 'out', 'src', 'engine.js')) as Engine;
    await eng.initEngine({ wasmDir: path.join(root, 'dist') });
    fs.rmSync(shots, { recursive: true, force: true });
    const tmp = h.makeTempDir('anyio-migrate-ui-');
    workspace = h.prepareWorkspace(tmp);
    const logDir = path.join(root, 'test-results', 'vscode');
    fs.mkdirSync(logDir, { recursive: true });
    server = await h.startCodeServer({ tmp, workspace, logFile: path.join(logDir, 'ui-code-server.log') });
    browser = await h.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    const payload = [
      ['extensionDevelopmentPath', h.remoteUri(server.port, root)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(h.workbenchUrl(server.origin, workspace, payload));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STEP_MS });
    // The explorer lists the workspace once the workbench is up.
    await page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'events.py' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
  });

  after(async function () {
    if (browser && page && this.currentTest?.state === 'failed') await shot('failure').catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await shot(`failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
  });

  it('opens events.py with Quick Open (Ctrl+P) and shows squiggles', async () => {
    await quickInput('Control+P', 'events.py', /events\.py/);
    await page.locator('.tab.active').filter({ hasText: 'events.py' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await poll(page, 'the editor text', async () => (await editorText()).includes('anyio.create_event()'));
    await squiggleOn('await event.set()');
    await page.locator('.squiggly-warning').first().waitFor({ state: 'visible' });
    // Wait for the problems count in the status bar too: events.py's four findings at least (with
    // anyioMigrate.diagnosticsScope "workspace" it counts every file's, opened or not).
    await poll(page, 'the status bar problem count', async () => {
      const counts = (await page.locator('#status\\.problems').innerText()).match(/\d+/g) ?? [];
      return counts.map(Number).reduce((a, b) => a + b, 0) >= 4;
    });
    await shot('01-squiggle', page.locator('.part.editor'));
  });

  it('hovering the squiggle explains the finding', async () => {
    const b = await squiggleOn('await event.set()');
    // VS Code shows the diagnostic's part of the hover first and adds the providers' parts when
    // they answer: wait for ours (it names the rule), not only for the diagnostic's code.
    const hover = page.locator('.monaco-hover:visible').filter({ hasText: 'ASY102' }).filter({ hasText: 'await-now-sync-method' });
    await poll(page, 'the hover', async () => {
      await page.mouse.move(b.x + b.width / 2 + 1, b.y + b.height / 2);
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
      await hover.first().waitFor({ state: 'visible', timeout: 3000 });
      return true;
    });
    const text = norm(await hover.first().innerText());
    assert.match(text, /ASY102/);
    assert.match(text, /await-now-sync-method/);
    assert.match(text, /What changed in AnyIO 3/);
    await shot('02-hover', page.locator('.part.editor'));
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  it('Ctrl+. on the squiggle offers the quick fix, and Enter applies it', async () => {
    const b = await squiggleOn('await event.set()');
    await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
    await page.keyboard.press('Escape'); // close a hover the click may have opened
    const widget = page.locator('.context-view .action-widget').first();
    await poll(page, 'the quick fix menu', async () => {
      if (!(await widget.isVisible())) {
        await page.keyboard.press('Control+.');
        await widget.waitFor({ state: 'visible', timeout: 3000 });
      }
      return true;
    });
    const rows = widget.locator('.monaco-list-row.action');
    await rows.filter({ hasText: 'Remove the' }).first().waitFor({ state: 'visible' });
    const titles = norm((await rows.allInnerTexts()).join('\n'));
    assert.match(titles, /Remove the `await`/);
    assert.match(titles, /AnyIO Migrate \(ASY102\): Disable for this line/);
    await shot('03-quick-fix', page.locator('.part.editor'));
    // The preferred fix is focused first; Enter applies it.
    const focused = norm(await rows.and(page.locator('.focused')).first().innerText());
    assert.match(focused, /^AnyIO Migrate \(ASY102\): Remove the `await`/);
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
    await poll(page, 'the fixed line', async () => {
      const t = await editorText();
      return t.includes('    event.set()') && !t.includes('await event.set()');
    });
    await shot('04-after-quick-fix', page.locator('.part.editor'));
  });

  it('the status bar counts what is left in the workspace; clicking it opens the Migration Overview', async () => {
    // The whole workspace is checked without opening its files: "AnyIO: N left" once the scan is over.
    const item = page
      .locator('.statusbar-item')
      .filter({ hasText: /AnyIO: \d+ left/ })
      .first();
    await item.waitFor({ state: 'visible', timeout: STEP_MS });
    const left = Number(/AnyIO: (\d+) left/.exec(norm(await item.innerText()))![1]);
    assert.ok(left > 0);
    await item.click();
    const sidebar = page.locator('.part.sidebar');
    const view = sidebar
      .locator('.pane')
      .filter({ has: page.locator('.pane-header', { hasText: /AnyIO Migration/i }) })
      .first();
    await view.locator('.monaco-list-row').filter({ hasText: 'Safe to apply now' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await view
      .locator('.monaco-list-row')
      .filter({ hasText: /ASY\d{3}/ })
      .first()
      .waitFor({ state: 'visible', timeout: STEP_MS });
    // The folders section collapsed, so the overview gets the sidebar's height for the picture.
    await sidebar.locator('.pane-header').first().click();
    await view.locator('.monaco-list-row').filter({ hasText: 'By folder' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    const text = norm(await view.innerText());
    assert.match(text, /Progress/);
    assert.match(text, /By rule/);
    assert.match(text, /Needs review/);
    await shot('05-migration-overview', sidebar);
    // Back to the editor for the next step.
    await page.keyboard.press('Control+1');
  });

  it('"AnyIO: Migrate Workspace" from the command palette opens the refactor preview; Apply migrates the files', async () => {
    // Save the quick-fixed file first so the expectations can be computed from the disk.
    await page.keyboard.press('Control+S');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: STEP_MS });
    const files = ['project/app.py', 'project/util/helpers.py', 'unsafe_params.py', 'limiter.py', 'events.py'];
    const before = new Map(files.map((f) => [f, fs.readFileSync(path.join(workspace, f), 'utf8')]));
    // The preview keeps unsafe changes unticked: applying it gives the safe fixes.
    const expected = new Map(files.map((f) => [f, eng.fixAll(before.get(f)!, { unsafeFixes: false }).output]));
    assert.notStrictEqual(expected.get('project/app.py'), before.get('project/app.py'));
    assert.strictEqual(expected.get('unsafe_params.py'), before.get('unsafe_params.py'));

    await quickInput('F1', 'AnyIO: Migrate Workspace', /AnyIO: Migrate Workspace/);
    // Unsafe fixes need confirmation, so VS Code shows the refactor preview.
    const panel = page.locator('.part.panel');
    const apply = panel
      .locator('.monaco-button')
      .filter({ hasText: /^Apply/ })
      .first();
    await apply.waitFor({ state: 'visible', timeout: STEP_MS });
    await panel.locator('.monaco-list-row').filter({ hasText: 'events.py' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(norm(await panel.innerText()), /Refactor Preview/);
    // Maximise the panel so the picture shows the unticked unsafe changes too.
    const maximize = panel.locator('.action-label[aria-label^="Maximize Panel"]').first();
    if (await maximize.isVisible()) {
      await maximize.click();
      await poll(page, 'the maximised panel', async () => ((await panel.boundingBox())?.height ?? 0) > 500);
    }
    // Grouped by type: one category per rule and fix title ("ASY102 · Remove the `await`"), the
    // unsafe ones first with their reason; each row one whole fix.
    // The button in the preview's title bar: its context keys (has categories, grouped by file) live in
    // the preview's own scope, so the command palette opened from elsewhere does not offer the command.
    const groupByType = panel.locator('.action-label[aria-label^="Group Changes By Type"]').first();
    await groupByType.waitFor({ state: 'visible', timeout: STEP_MS });
    await groupByType.click();
    await panel
      .locator('.monaco-list-row')
      .filter({ hasText: /ASY\d{3} · / })
      .first()
      .waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(norm(await panel.innerText()), /Unsafe, review before applying: Remove the `await` \(the type of `event` could not be proven/);
    await shot('06-refactor-preview', panel);
    // A file's import changes are one row of their own, further down the list (it is virtual: scroll).
    const imports = panel
      .locator('.monaco-list-row')
      .filter({ hasText: /^\s*Imports/ })
      .first();
    await poll(page, 'the Imports row of the preview', async () => {
      if (await imports.isVisible()) return true;
      const box = await panel.locator('.monaco-list').first().boundingBox();
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 200);
      return undefined;
    });
    await apply.click();
    await apply.waitFor({ state: 'hidden', timeout: STEP_MS });
    for (const f of files) {
      await poll(page, `${f} migrated on disk`, async () => fs.readFileSync(path.join(workspace, f), 'utf8') === expected.get(f), STEP_MS).catch((err: Error) => {
        throw new Error(`${err.message}\n--- on disk:\n${fs.readFileSync(path.join(workspace, f), 'utf8')}\n--- expected:\n${expected.get(f)}`);
      });
    }
    // The summary notification (VS Code 1.139 files it in the notification center without a toast here).
    const note = page.locator('.notification-list-item').filter({ hasText: 'AnyIO Migrate:' }).first();
    await poll(page, 'the summary notification', async () => {
      if (!(await note.isVisible())) {
        await page.locator('#status\\.notifications').click();
        await note.waitFor({ state: 'visible', timeout: 3000 });
      }
      return true;
    });
    // The summary counts what is really left after the preview (unsafe changes were not accepted).
    const allPy = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allPy(path.join(dir, e.name)) : e.name.endsWith('.py') ? [path.join(dir, e.name)] : []));
    const left = allPy(workspace).flatMap((f) => eng.analyze(fs.readFileSync(f, 'utf8')));
    const unsafeLeft = left.filter((x) => x.fix?.applicability === 'unsafe').length;
    assert.ok(unsafeLeft > 0);
    const summary = norm(await note.innerText());
    assert.match(summary, /AnyIO Migrate: \d+ files? with changes; \d+ findings? left/);
    assert.match(summary, new RegExp(`\\(${unsafeLeft} fix(es)? not accepted in the preview\\)`), `${summary} (expected ${unsafeLeft} unsafe of ${left.length} left)`);
    await shot('07-migrated');
  });
});
