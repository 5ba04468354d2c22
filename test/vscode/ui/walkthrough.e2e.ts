/**
 * UI test: the getting-started walkthrough as a user finds it. "Welcome: Open Walkthrough..." in
 * the command palette lists "Get Started with AnyIO Migrate"; its page shows the four steps; a
 * step's markdown medium renders (its text inside the step's webview); a step's button runs our
 * command and the step's completion event ticks it. Screenshots: test-results/screenshots/walkthrough*.png.
 * Runs in plain Node (mocha) with the other UI tests.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser, Frame, Page } from 'playwright-core';

const root = process.env['ANYIO_MIGRATE_REPO'] ?? path.resolve(__dirname, '..', '..', '..', '..');
const STEP_MS = 60_000;
const TITLE = 'Get Started with AnyIO Migrate';
const STEPS = ['See the findings', 'Fix one', 'Preview and migrate the workspace', 'Pick a target'];
const shots = path.join(root, 'test-results', 'screenshots');

interface Harness {
  checkTools(): void;
  makeTempDir(prefix: string): string;
  prepareWorkspace(tmp: string): string;
  startCodeServer(o: { tmp: string; workspace: string; logFile: string }): Promise<{ port: number; origin: string; stop(): Promise<void> }>;
  launchBrowser(): Promise<Browser>;
  remoteUri(port: number, p: string): string;
  workbenchUrl(origin: string, folder: string, payload?: unknown): string;
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

describe('UI: the getting-started walkthrough', function () {
  this.timeout(STEP_MS * 6);
  let h: Harness;
  let server: Awaited<ReturnType<Harness['startCodeServer']>> | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    h = (await import(pathToFileURL(path.join(root, 'scripts', 'vscode', 'harness.mjs')).href)) as Harness;
    h.checkTools();
    const tmp = h.makeTempDir('anyio-migrate-walkthrough-');
    const workspace = h.prepareWorkspace(tmp);
    const logDir = path.join(root, 'test-results', 'vscode');
    fs.mkdirSync(logDir, { recursive: true });
    fs.mkdirSync(shots, { recursive: true });
    server = await h.startCodeServer({ tmp, workspace, logFile: path.join(logDir, 'walkthrough-code-server.log') });
    browser = await h.launchBrowser();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const payload = [
      ['extensionDevelopmentPath', h.remoteUri(server.port, root)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(h.workbenchUrl(server.origin, workspace, payload));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STEP_MS });
    await page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'events.py' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  const widget = () => page.locator('.quick-input-widget');
  const stepButton = (id: string) => page.locator(`button.getting-started-step[data-step-id$="#getting-started#${id}"]`);
  const checkbox = (id: string) => page.locator(`[data-done-step-id$="#getting-started#${id}"]`);

  /** The frame of the step's markdown medium, once it shows the medium's first heading. */
  async function mediumShowing(heading: string): Promise<Frame> {
    return poll(page, `the medium headed "${heading}"`, async () => {
      for (const f of page.frames()) {
        const h1 = await f
          .locator('h1')
          .first()
          .innerText({ timeout: 500 })
          .catch(() => '');
        if (h1.trim() === heading) return f;
      }
      return undefined;
    });
  }

  it('"Welcome: Open Walkthrough..." lists it, and its page shows the four steps', async () => {
    await poll(page, 'the command palette', async () => {
      if (!(await widget().isVisible())) {
        await page.keyboard.press('F1');
        await widget().waitFor({ state: 'visible', timeout: 3000 });
      }
      return true;
    });
    await page.keyboard.type('Welcome: Open Walkthrough');
    await poll(page, 'the command', async () => /^Welcome: Open Walkthrough/.test((await widget().locator('.monaco-list-row').first().innerText()).replace(/\u00a0/g, ' ')));
    await page.keyboard.press('Enter');
    await poll(page, `"${TITLE}" in the list`, async () => (await widget().locator('.monaco-list-row').allInnerTexts()).some((r) => r.includes(TITLE)));
    await page.keyboard.type('AnyIO Migrate');
    await poll(page, 'our walkthrough first', async () => (await widget().locator('.monaco-list-row').first().innerText()).includes(TITLE));
    await page.keyboard.press('Enter');
    await page.locator('.gettingStartedSlideDetails').getByText(TITLE).first().waitFor({ state: 'visible', timeout: STEP_MS });
    const titles = await poll(page, 'the step titles', async () => {
      const t = (await page.locator('.gettingStartedSlideDetails h3.step-title').allInnerTexts()).map((x) => x.trim());
      return t.length === STEPS.length ? t : undefined;
    });
    assert.deepStrictEqual(titles, STEPS);
  });

  it("each step's markdown medium renders, with its pictures", async () => {
    const ids = ['see-findings', 'fix-one', 'migrate-workspace', 'pick-target'];
    for (const [i, id] of ids.entries()) {
      await stepButton(id).click();
      await poll(page, `${id} expanded`, async () => (await stepButton(id).getAttribute('aria-expanded')) === 'true');
      const frame = await mediumShowing(STEPS[i]!);
      const images = frame.locator('img');
      const count = await images.count();
      if (id !== 'pick-target') assert.ok(count > 0, `${id}: no picture`);
      for (let k = 0; k < count; k++) {
        const width = await poll(
          page,
          `${id}: picture ${k} loaded`,
          async () =>
            (await images.nth(k).evaluate((img) => {
              const i = img as unknown as { complete: boolean; naturalWidth: number };
              return i.complete ? i.naturalWidth : 0;
            })) || undefined,
        );
        assert.ok(width > 100, `${id}: picture ${k} is ${width} px wide`);
      }
      if (id === 'pick-target') {
        const text = await frame.locator('body').innerText();
        for (const target of ['anyio3', 'anyio2+3', 'auto']) assert.ok(text.includes(target), `the target medium names ${target}`);
        await page.screenshot({ path: path.join(shots, 'walkthrough.png') });
      }
    }
  });

  it("a step's button runs its command and the completion event ticks the step", async () => {
    assert.strictEqual(await checkbox('migrate-workspace').getAttribute('aria-checked'), 'false');
    await stepButton('migrate-workspace').click();
    await poll(page, 'migrate-workspace expanded', async () => (await stepButton('migrate-workspace').getAttribute('aria-expanded')) === 'true');
    await stepButton('migrate-workspace').locator('.button-container').getByText('Show Migration Report', { exact: true }).click();
    await poll(page, 'the step ticked', async () => (await checkbox('migrate-workspace').getAttribute('aria-checked')) === 'true');
    // The dry run ran: its report shows in the output panel, on our channel.
    await poll(page, 'the report in the output panel', async () => {
      for (const select of await page.locator('.part.panel select').all()) if (/AnyIO Migrate/.test(await select.inputValue())) return true;
      return false;
    });
    await page.screenshot({ path: path.join(shots, 'walkthrough-step-done.png') });
    assert.strictEqual(await checkbox('pick-target').getAttribute('aria-checked'), 'false', 'only the step whose command ran is ticked');
  });
});
