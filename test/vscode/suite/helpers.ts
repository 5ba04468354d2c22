/**
 * Helpers for the extension-host suite. Everything waits on events or polls with a deadline;
 * nothing sleeps for a fixed time.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AnyioMigrateApi } from '../../../src/extension/extension';

type Engine = typeof import('../../../src/engine');

export const EXTENSION_ID = 'anyio-migrate.anyio-migrate';
export const SOURCE = 'anyio-migrate';
export const FIX_ALL_KIND = 'source.fixAll.anyio-migrate';

export function extension(): vscode.Extension<AnyioMigrateApi> {
  const ext = vscode.extensions.getExtension<AnyioMigrateApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext;
}

/** The extension's test API, once its language server runs. */
export async function api(): Promise<AnyioMigrateApi> {
  const ext = extension();
  const a = ext.isActive ? ext.exports : await ext.activate();
  await a.ready;
  return a;
}

/** The repository (the engine is compared against): env ANYIO_MIGRATE_REPO, else the extension's folder. */
export function repoRoot(): string {
  return process.env['ANYIO_MIGRATE_REPO'] ?? extension().extensionPath;
}

let enginePromise: Promise<Engine> | undefined;
/** The engine the extension bundles, loaded from the repository's compiled sources (out/src). */
export function engine(): Promise<Engine> {
  if (!enginePromise) {
    enginePromise = (async () => {
      const file = path.join(repoRoot(), 'out', 'src', 'engine.js');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const e = require(file) as Engine;
      await e.initEngine({ wasmDir: path.join(repoRoot(), 'dist') });
      return e;
    })();
  }
  return enginePromise;
}

export function workspaceRoot(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'no workspace folder is open');
  return f.uri;
}

export function templateFile(name: string): string {
  return path.join(repoRoot(), 'test', 'vscode', 'workspace-template', name);
}

let counter = 0;
/**
 * A fresh copy of a template file under `scratch/` in the workspace (tests that change text do not
 * disturb each other), opened as a document (and shown, when `show`).
 */
export async function openFresh(name: string, opts: { show?: boolean; dir?: string } = {}): Promise<vscode.TextDocument> {
  const dir = path.join(workspaceRoot().fsPath, opts.dir ?? 'scratch');
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `${path.basename(name, '.py')}_${++counter}.py`);
  fs.copyFileSync(templateFile(name), target);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(target));
  if (opts.show) await vscode.window.showTextDocument(doc);
  return doc;
}

/** Polls `probe` (and re-checks on every diagnostics change) until it returns a truthy value. */
export async function waitFor<T>(what: string | (() => string), probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const desc = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${desc}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise<void>((resolve) => {
      const sub = vscode.languages.onDidChangeDiagnostics(() => done());
      const timer = setTimeout(done, 50);
      function done(): void {
        sub.dispose();
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

export function anyioDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c ?? '');
}

/** Diagnostics once the server has analysed the document's current version. */
export async function analyzed(doc: vscode.TextDocument, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  const a = await api();
  await waitFor(`analysis of ${doc.uri.toString()} v${doc.version}`, () => a.status(doc.uri)?.version === doc.version, timeoutMs);
  return anyioDiagnostics(doc.uri);
}

/** Waits until the document's diagnostics satisfy `pred` (after a settings change, an edit ...). */
export async function diagnosticsWhere(uri: vscode.Uri, what: string, pred: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  let last: vscode.Diagnostic[] = [];
  return waitFor(
    () => `${what} (last: ${JSON.stringify(last.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`))})`,
    () => {
      last = anyioDiagnostics(uri);
      return pred(last) ? last : undefined;
    },
    timeoutMs,
  );
}

export function codes(ds: readonly vscode.Diagnostic[]): string[] {
  return ds.map(codeOf);
}

export function rangeOf(doc: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(doc.positionAt(start), doc.positionAt(end));
}

export async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string, resolveCount?: number): Promise<vscode.CodeAction[]> {
  const r = await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', uri, range, kind, resolveCount);
  return (r ?? []).filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof (a as vscode.Command).command === 'string'));
}

/** Applies a code action like the lightbulb does: its edit, then its command. */
export async function applyAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `applying "${action.title}" failed`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

export type ConfigValue = unknown;
/** Sets `anyioMigrate.<key>` (or any `section.key`) in the workspace settings; returns a reset function. */
export async function setSetting(section: string, key: string, value: ConfigValue, language?: string): Promise<() => Promise<void>> {
  const scope = language ? { languageId: language } : undefined;
  const config = vscode.workspace.getConfiguration(section, scope);
  await config.update(key, value, vscode.ConfigurationTarget.Workspace, language ? true : undefined);
  return async () => {
    await vscode.workspace.getConfiguration(section, scope).update(key, undefined, vscode.ConfigurationTarget.Workspace, language ? true : undefined);
  };
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Every .py file under the workspace (not .vscode), as absolute paths. */
export function pythonFiles(dir = workspaceRoot().fsPath): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...pythonFiles(p));
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out.sort();
}

export function severityOf(s: 'error' | 'warning' | 'info'): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}
