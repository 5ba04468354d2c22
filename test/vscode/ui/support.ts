/**
 * What the Playwright UI tests (test/vscode/ui/*.e2e.ts) share: a code-server with this checkout's
 * extension in headless chromium (`startWorkbench`), polling without fixed sleeps (`poll`), the
 * quick input and squiggles of the workbench, and screenshots. Not named *.e2e.ts, so
 * scripts/vscode/run-ui-tests.mjs does not take it for a test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser, Locator, Page } from 'playwright-core';

/** The checkout under test (ANYIO_MIGRATE_REPO, else the one this file was compiled in). */
export const root = process.env['ANYIO_MIGRATE_REPO'] ?? path.resolve(__dirname, '..', '..', '..', '..');
/** Where the tests' pictures go (scripts/update-screenshots.mjs copies some to media/screenshots). */
export const SHOTS = path.join(root, 'test-results', 'screenshots');
/** code-server's log and what the tests keep of its logs. */
export const LOG_DIR = path.join(root, 'test-results', 'vscode');
/** The longest a single step may wait. */
export const STEP_MS = 60_000;

/** scripts/vscode/harness.mjs, an ES module shared with the extension-host runner. */
export interface Harness {
  checkTools(): void;
  makeTempDir(prefix: string): string;
  prepareWorkspace(tmp: string): string;
  startCodeServer(o: { tmp: string; workspace: string; logFile: string; env?: Record<string, string>; userSettings?: Record<string, unknown> }): Promise<CodeServer>;
  launchBrowser(): Promise<Browser>;
  remoteUri(port: number, p: string): string;
  workbenchUrl(origin: string, folder: string, payload?: unknown): string;
}

export interface CodeServer {
  port: number;
  origin: string;
  stop(): Promise<void>;
  isAlive(): boolean;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  server: CodeServer;
  /** The throw-away folder: the workspace, code-server's data (`data/logs`) and settings. */
  tmp: string;
  /** A fresh copy of test/vscode/workspace-template, open in the workbench. */
  workspace: string;
  /** Closes the browser and stops code-server (flushing its logs); once, later calls wait for the first. */
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  /** Names the temp folder (`anyio-migrate-NAME-…`) and the log (`test-results/vscode/NAME-code-server.log`). */
  name: string;
  viewport?: { width: number; height: number };
  /** Merged into code-server's user settings. */
  settings?: Record<string, unknown>;
}

/**
 * Starts code-server on a fresh workspace, opens it in chromium with this checkout's extension
 * (extensionDevelopmentPath) and waits until the explorer lists the workspace.
 */
export async function startWorkbench(o: WorkbenchOptions): Promise<Workbench> {
  const h = (await import(pathToFileURL(path.join(root, 'scripts', 'vscode', 'harness.mjs')).href)) as Harness;
  h.checkTools();
  const tmp = h.makeTempDir(`anyio-migrate-${o.name}-`);
  const workspace = h.prepareWorkspace(tmp);
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const server = await h.startCodeServer({ tmp, workspace, logFile: path.join(LOG_DIR, `${o.name}-code-server.log`), ...(o.settings ? { userSettings: o.settings } : {}) });
  let browser: Browser;
  try {
    browser = await h.launchBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await browser.close().catch(() => undefined);
      await server.stop();
    })());
  try {
    const page = await browser.newPage({ viewport: o.viewport ?? { width: 1200, height: 720 } });
    const payload = [
      ['extensionDevelopmentPath', h.remoteUri(server.port, root)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(h.workbenchUrl(server.origin, workspace, payload));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STEP_MS });
    // The explorer lists the workspace once the workbench is up.
    await page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'events.py' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    return { page, browser, server, tmp, workspace, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Polls `probe` until truthy (no fixed sleep: each round waits on the page's next animation frames). */
export async function poll<T>(page: Page, what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    // Next poll after the page has rendered a frame (and at most ~50 ms later).
    await page.waitForFunction('new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(true), 50)))', undefined, { timeout: 5000 }).catch(() => undefined);
  }
}

/** Text as the workbench renders it, non-breaking spaces made plain. */
export const norm = (s: string): string => s.replace(/\u00a0/g, ' ');

/**
 * Screenshots to test-results/screenshots/: the page as `NAME.full.png`, and `NAME.png` cut to
 * `area` (the whole page when there is none, or it is not on screen). Returns `NAME.png`'s path.
 */
export async function shot(page: Page, name: string, area?: Locator): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.full.png`) });
  if (area) {
    const box = await area.boundingBox();
    if (box) {
      await page.screenshot({ path: file, clip: { x: Math.max(0, box.x), y: Math.max(0, box.y), width: box.width, height: box.height } });
      return file;
    }
  }
  fs.copyFileSync(path.join(SHOTS, `${name}.full.png`), file);
  return file;
}

/** The quick input (Quick Open, the command palette, a picker). */
export const quickInputWidget = (page: Page): Locator => page.locator('.quick-input-widget');

/** Opens the quick input with `key` (Control+P, F1), pressing it again until the workbench takes keys. */
export async function openQuickInput(page: Page, key: string, what: string): Promise<Locator> {
  const widget = quickInputWidget(page);
  await poll(page, what, async () => {
    if (!(await widget.isVisible())) {
      await page.keyboard.press(key);
      await widget.waitFor({ state: 'visible', timeout: 3000 });
    }
    return true;
  });
  return widget;
}

/** The quick input's first row, as rendered (non-breaking spaces made plain). */
export async function firstRow(page: Page): Promise<string> {
  return norm(await quickInputWidget(page).locator('.monaco-list-row').first().innerText());
}

/** The editor of the active editor group. */
export const activeEditor = (page: Page): Locator => page.locator('.editor-group-container.active .monaco-editor').first();

/** The on-screen box of a squiggle in the active editor: on the line showing `lineText`, else any. */
export async function squiggle(page: Page, lineText?: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const editor = activeEditor(page);
  return poll(page, lineText === undefined ? 'a squiggle in the editor' : `a squiggle on "${lineText}"`, async () => {
    const lb = lineText === undefined ? undefined : await editor.locator('.view-line').filter({ hasText: lineText }).first().boundingBox();
    if (lineText !== undefined && !lb) return undefined;
    for (const s of await editor.locator('.squiggly-warning, .squiggly-error').all()) {
      const b = await s.boundingBox();
      if (b && b.width > 0 && (!lb || (b.y < lb.y + lb.height && b.y + b.height > lb.y))) return b;
    }
    return undefined;
  });
}
