/**
 * The refactor preview of "Migrate This File" and the report after Apply, in a real VS Code: one
 * row (text edit) per fix labelled "CODE · title" or "Imports"; unticking a row (the test hook
 * drops its text edit, as unticking it in the preview does) leaves parseable code; the report after
 * Apply lists only the fixes applied and positions what is left as `anyio-migrate check` does.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TextDocumentEdit } from 'vscode-languageserver-types';
import type { MigrateResult } from '../../../src/shared/protocol';
import { analyzed, api, closeAllEditors, engine, repoRoot, waitFor, workspaceRoot } from './helpers';

const SOURCE = `import anyio


async def notify(done, ready):
    await done.set()
    await ready.set()


NOTIFIERS = {"default": notify}


async def main():
    ev = anyio.create_event(); p = anyio.start_blocking_portal()
    await NOTIFIERS["default"](ev, anyio.Event())
`;

/** \`path:line:col: CODE\` of every finding the CLI prints for \`file\`, run in the workspace folder. */
function cliPositions(file: string): string[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [path.join(repoRoot(), 'bin', 'anyio-migrate.js'), 'check', '--no-cache', path.relative(workspaceRoot().fsPath, file)], {
      cwd: workspaceRoot().fsPath,
      encoding: 'utf8',
    });
  } catch (err) {
    out = String((err as { stdout?: string }).stdout ?? ''); // exit code 1: findings
  }
  return out
    .split('\n')
    .map((l) => /^(\S+:\d+:\d+: ASY\d+) /.exec(l)?.[1])
    .filter((l): l is string => !!l)
    .sort();
}

describe('Refactor preview rows and the report after Apply', () => {
  before(async () => {
    await api();
    await closeAllEditors();
  });
  afterEach(async () => {
    (await api()).testHooks.previewFilter = undefined;
  });
  after(closeAllEditors);

  it('one labelled row per fix; unticking the unsafe rows leaves parseable code, and the report lists only what was applied, at the CLI’s positions', async () => {
    const dir = path.join(workspaceRoot().fsPath, 'preview');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'rows.py');
    fs.writeFileSync(file, SOURCE);
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await analyzed(doc);
    const eng = await engine();
    const all = eng.fixAll(SOURCE, { unsafeFixes: true });

    const a = await api();
    let seen: { labels: string[]; confirm: boolean[] } | undefined;
    a.testHooks.previewFilter = (edit) => {
      const [dc] = edit.documentChanges as TextDocumentEdit[];
      const notes = edit.changeAnnotations ?? {};
      const ids = dc!.edits.map((e) => (e as { annotationId?: string }).annotationId ?? '');
      seen = { labels: ids.map((id) => notes[id]!.label), confirm: ids.map((id) => notes[id]!.needsConfirmation === true) };
      // Untick every row that needs confirmation (what the preview does by default).
      return { ...edit, documentChanges: [{ ...dc!, edits: dc!.edits.filter((_, i) => !seen!.confirm[i]) }] };
    };
    const result = await vscode.commands.executeCommand<MigrateResult | undefined>('anyioMigrate.migrateFile');
    assert.ok(result?.edit && seen, 'no edit');
    const rows = result.files[0]!.rows!;
    // Rows = fixes: each applied fix in exactly one row, rows labelled by rule and fix title.
    assert.strictEqual(seen.labels.length, rows.length);
    assert.strictEqual(
      rows.reduce((n, r) => n + r.fixes.length, 0),
      all.applied.length,
    );
    for (const l of seen.labels) assert.match(l, /^(ASY\d{3} · .+|Imports)$/, l);
    const expectedLabels = all.applied.map((f) => `${f.code} · ${f.title}`);
    for (const l of expectedLabels) assert.ok(seen.labels.includes(l), `${l} not among ${seen.labels.join(' | ')}`);
    assert.strictEqual(seen.confirm.filter(Boolean).length, all.applied.filter((f) => f.applicability === 'unsafe').length);

    await waitFor('the edit in rows.py', () => doc.getText() !== SOURCE);
    assert.ok(eng.countParseErrorsIn(doc.getText()) <= eng.countParseErrorsIn(SOURCE), doc.getText());
    assert.ok(doc.getText().includes('    await done.set()\n'), 'an unticked unsafe fix was applied');

    const after = a.lastApplied();
    assert.ok(after, 'no report after Apply');
    assert.strictEqual(after.totals.unsafeFixes, 0, after.report);
    assert.strictEqual(after.totals.safeFixes, all.applied.filter((f) => f.applicability === 'safe').length, after.report);
    assert.match(after.report, /2 preview rows left unticked/);
    // The title names what was run (it said "Migrate workspace" after Migrate This File).
    assert.match(after.report, /^AnyIO Migrate: Migrate this file: applied$/m);
    await doc.save();
    const reported = after.report
      .split('\n')
      .map((l) => /^ {4}(\S+:\d+:\d+: ASY\d+) /.exec(l)?.[1])
      .filter((l): l is string => !!l)
      .map((l) => l.replace(workspaceRoot().fsPath + path.sep, ''))
      .sort();
    assert.ok(reported.length >= 3, after.report);
    assert.deepStrictEqual(reported, cliPositions(file));
    // File lines: workspace-relative with '/'.
    assert.ok(after.report.includes('\n  preview/rows.py: applied '), after.report);
  });
});
