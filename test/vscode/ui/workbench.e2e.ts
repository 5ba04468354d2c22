/**
 * UI end-to-end test: what a person sees in a real VS Code (code-server in headless chromium, driven
 * by playwright-core). Opens a file with Quick Open, waits for the squiggle, hovers it, applies the
 * quick fix with Ctrl+., runs "AnyIO Migrate: Migrate Workspace" from the command palette and applies the
 * refactor preview. Each step writes a screenshot to test-results/screenshots/.
 *
 * Runs in plain Node (mocha): `node scripts/vscode/run-ui-tests.mjs`. Not named *.test.js, so the
 * unit run does not pick it up. No fixed sleeps: every wait is on a selector or a polled condition
 * with a deadline.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { activeEditor, norm, openQuickInput, firstRow, poll, root, shot, SHOTS, squiggle, startWorkbench, STEP_MS, type Workbench } from './support';

type Engine = typeof import('../../../src/engine');

describe('UI: a user migrates AnyIO 2 code in VS Code', function () {
  this.timeout(STEP_MS * 3);
  let wb: Workbench | undefined;
  let page: Page;
  let workspace: string;
  let eng: Engine;

  const editor = (): Locator => activeEditor(page);
  /** Visible text of the active editor, non-breaking spaces normalised. */
  const editorText = async (): Promise<string> => norm(await editor().locator('.view-lines').innerText());

  /** Opens Quick Open (Ctrl+P) or the command palette (F1), types `text` and runs the first row once it matches `row`. */
  async function quickInput(key: string, text: string, row: RegExp): Promise<void> {
    const widget = await openQuickInput(page, key, `the quick input after ${key}`);
    await page.keyboard.type(text);
    const match = widget.locator('.monaco-list-row').filter({ hasText: row }).first();
    await match.waitFor({ state: 'visible', timeout: STEP_MS });
    await poll(page, `"${row.source}" as the first result`, async () => row.test(await firstRow(page)));
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  before(async function () {
    this.timeout(4 * STEP_MS);
    // The compiled engine of the checkout under test (ANYIO_MIGRATE_REPO), found at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    eng = require(path.join(root, 'out', 'src', 'engine.js')) as Engine;
    await eng.initEngine({ wasmDir: path.join(root, 'dist') });
    // Only this suite's pictures of an earlier run (the walkthrough and reload suites keep theirs).
    for (const f of fs.existsSync(SHOTS) ? fs.readdirSync(SHOTS) : []) {
      if (/^(0\d-|failure\.|failed-)/.test(f)) fs.rmSync(path.join(SHOTS, f), { force: true });
    }
    wb = await startWorkbench({ name: 'ui' });
    page = wb.page;
    workspace = wb.workspace;
  });

  after(async function () {
    if (wb && this.currentTest?.state === 'failed') await shot(page, 'failure').catch(() => undefined);
    await wb?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await shot(page, `failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
  });

  it('opens events.py with Quick Open (Ctrl+P) and shows squiggles', async () => {
    await quickInput('Control+P', 'events.py', /events\.py/);
    await page.locator('.tab.active').filter({ hasText: 'events.py' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await poll(page, 'the editor text', async () => (await editorText()).includes('anyio.create_event()'));
    await squiggle(page, 'await event.set()');
    await page.locator('.squiggly-warning').first().waitFor({ state: 'visible' });
    // Wait for the problems count in the status bar too: events.py's four findings at least (with
    // anyioMigrate.diagnosticsScope "workspace" it counts every file's, opened or not).
    await poll(page, 'the status bar problem count', async () => {
      const counts = (await page.locator('#status\\.problems').innerText()).match(/\d+/g) ?? [];
      return counts.map(Number).reduce((a, b) => a + b, 0) >= 4;
    });
    await shot(page, '01-squiggle', page.locator('.part.editor'));
  });

  it('hovering the squiggle explains the finding', async () => {
    const b = await squiggle(page, 'await event.set()');
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
    await shot(page, '02-hover', page.locator('.part.editor'));
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  it('Ctrl+. on the squiggle offers the quick fix, and Enter applies it', async () => {
    const b = await squiggle(page, 'await event.set()');
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
    await shot(page, '03-quick-fix', page.locator('.part.editor'));
    // The preferred fix is focused first; Enter applies it.
    const focused = norm(await rows.and(page.locator('.focused')).first().innerText());
    assert.match(focused, /^AnyIO Migrate \(ASY102\): Remove the `await`/);
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
    await poll(page, 'the fixed line', async () => {
      const t = await editorText();
      return t.includes('    event.set()') && !t.includes('await event.set()');
    });
    await shot(page, '04-after-quick-fix', page.locator('.part.editor'));
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
    await shot(page, '05-migration-overview', sidebar);
    // Back to the editor for the next step.
    await page.keyboard.press('Control+1');
  });

  it('"AnyIO Migrate: Migrate Workspace" from the command palette opens the refactor preview; Apply migrates the files', async () => {
    // Save the quick-fixed file first so the expectations can be computed from the disk.
    await page.keyboard.press('Control+S');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: STEP_MS });
    const files = ['project/app.py', 'project/util/helpers.py', 'unsafe_params.py', 'limiter.py', 'events.py'];
    const before = new Map(files.map((f) => [f, fs.readFileSync(path.join(workspace, f), 'utf8')]));
    // The preview keeps unsafe changes unticked: applying it gives the safe fixes.
    const expected = new Map(files.map((f) => [f, eng.fixAll(before.get(f)!, { unsafeFixes: false }).output]));
    assert.notStrictEqual(expected.get('project/app.py'), before.get('project/app.py'));
    assert.strictEqual(expected.get('unsafe_params.py'), before.get('unsafe_params.py'));

    await quickInput('F1', 'AnyIO Migrate: Migrate Workspace', /AnyIO Migrate: Migrate Workspace/);
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
    await shot(page, '06-refactor-preview', panel);
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
    await shot(page, '07-migrated');
  });
});
