/**
 * The report after Apply. The refactor preview lets the user untick rows, and the server cannot
 * know which: after the edit is applied, the client compares each changed document's text with its
 * text before and the preview rows (one text edit per row, disjoint, on the text before) to find
 * which rows were applied, then asks the server for the report of the documents as they are now
 * (`MigrateParams.applied`): the fixes really applied, and the findings left at their positions in
 * the new text — what `anyio-migrate check` prints for the files.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { TextDocumentEdit, TextEdit } from 'vscode-languageserver-types';
import { MigrateRequest, type MigrateAppliedFile, type MigrateParams, type MigrateResult } from '../shared/protocol';
import { plural } from '../shared/plural';

/** A row as offsets into the text before: `[start, end)` becomes `text`. */
export interface RowEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Which of `rows` (sorted, disjoint edits of `before`) were applied to give `after`; undefined when
 * no subset of them does (the document was edited otherwise). Dynamic programming over (row, offset
 * in `after`): O(rows × distinct offsets) string comparisons, no backtracking blow-up.
 */
export function appliedRows(before: string, after: string, rows: readonly RowEdit[]): boolean[] | undefined {
  const failed = new Set<string>();
  const choice: boolean[] = [];
  // Match rows i.. against `after` from `at`, the text before having been consumed up to `pos`.
  const match = (i: number, pos: number, at: number): boolean => {
    const key = `${i}:${at}`;
    if (failed.has(key)) return false;
    if (i === rows.length) {
      const ok = after.length - at === before.length - pos && after.startsWith(before.slice(pos), at);
      if (!ok) failed.add(key);
      return ok;
    }
    const r = rows[i]!;
    const gap = before.slice(pos, r.start);
    if (!after.startsWith(gap, at)) {
      failed.add(key);
      return false;
    }
    const from = at + gap.length;
    for (const applied of [true, false]) {
      const piece = applied ? r.text : before.slice(r.start, r.end);
      if (after.startsWith(piece, from) && match(i + 1, r.end, from + piece.length)) {
        choice[i] = applied;
        return true;
      }
    }
    failed.add(key);
    return false;
  };
  return match(0, 0, 0) ? rows.map((_, i) => choice[i]!) : undefined;
}

function rowEditsOf(doc: { offsetAt(p: vscode.Position): number }, edits: readonly TextEdit[]): RowEdit[] {
  return edits.map((e) => ({
    start: doc.offsetAt(new vscode.Position(e.range.start.line, e.range.start.character)),
    end: doc.offsetAt(new vscode.Position(e.range.end.line, e.range.end.character)),
    text: e.newText,
  }));
}

/** The text of each document the migration's edit changes, before it is applied. */
export async function textsBefore(result: MigrateResult): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const dc of (result.edit?.documentChanges ?? []) as TextDocumentEdit[]) {
    texts.set(dc.textDocument.uri, (await vscode.workspace.openTextDocument(vscode.Uri.parse(dc.textDocument.uri))).getText());
  }
  return texts;
}

/**
 * After the edit was applied: which fixes each document got, and the server's report of the
 * documents as they are now. Documents whose text matches no subset of the rows are reported with
 * the rows that match unknown (counted as not applied).
 */
export async function reportAfterApply(lc: LanguageClient, result: MigrateResult, before: ReadonlyMap<string, string>, scope: 'workspace' | 'file'): Promise<MigrateResult> {
  const applied: MigrateAppliedFile[] = [];
  for (const dc of (result.edit?.documentChanges ?? []) as TextDocumentEdit[]) {
    const uri = dc.textDocument.uri;
    const old = before.get(uri);
    const summary = result.files.find((f) => f.uri === uri);
    if (old === undefined || !summary?.rows) continue;
    const oldDoc = { offsetAt: (p: vscode.Position) => offsetAt(old, p) };
    const now = (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
    const which = appliedRows(old, now, rowEditsOf(oldDoc, dc.edits)) ?? dc.edits.map(() => false);
    const fixes = new Map<string, { code: string; safe: number; unsafe: number }>();
    summary.rows.forEach((row, i) => {
      if (!which[i]) return;
      for (const f of row.fixes) {
        const c = fixes.get(f.code) ?? { code: f.code, safe: 0, unsafe: 0 };
        c[f.unsafe ? 'unsafe' : 'safe']++;
        fixes.set(f.code, c);
      }
    });
    applied.push({ uri, fixes: [...fixes.values()].sort((a, b) => (a.code < b.code ? -1 : 1)), notApplied: which.filter((w) => !w).length });
  }
  return lc.sendRequest<MigrateResult>(MigrateRequest, { folders: [], dryRun: true, applied, scope } satisfies MigrateParams);
}

/** UTF-16 offset of a line/character position in `text` (lines end in \n, \r\n or \r). */
function offsetAt(text: string, p: vscode.Position): number {
  let line = 0;
  let i = 0;
  while (line < p.line && i < text.length) {
    const c = text.charCodeAt(i++);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i) !== 0x0a)) line++;
  }
  return Math.min(i + p.character, text.length);
}

/** Test hooks: `previewFilter` stands for the user's unticking in the refactor preview. */
export interface MigrateTestHooks {
  previewFilter?: (edit: MigrateResult['edit'] & object) => MigrateResult['edit'] & object;
}

/**
 * Applies a migration's edit (VS Code opens the refactor preview when a row needs confirmation),
 * then prints the report after Apply to `output`. Returns that report (undefined when the edit was
 * not applied) and the message for the notification.
 */
export async function applyMigration(
  lc: LanguageClient,
  result: MigrateResult,
  output: vscode.OutputChannel,
  hooks: MigrateTestHooks,
  scope: 'workspace' | 'file',
): Promise<{ applied: MigrateResult | undefined; msg: string }> {
  const before = await textsBefore(result);
  const edit = await lc.protocol2CodeConverter.asWorkspaceEdit(hooks.previewFilter ? hooks.previewFilter(result.edit!) : result.edit!);
  if (!(await vscode.workspace.applyEdit(edit, { isRefactoring: true }))) {
    output.appendLine(`The changes were not applied. The migration would have made these:\n${result.report}`);
    return { applied: undefined, msg: 'AnyIO Migrate: the changes were not applied.' };
  }
  const after = await reportAfterApply(lc, result, before, scope);
  output.appendLine(after.report);
  const offered = result.totals.safeFixes + result.totals.unsafeFixes;
  const notAccepted = offered - after.totals.safeFixes - after.totals.unsafeFixes;
  const untouchedLeft = result.files.filter((f) => f.status !== 'changed').reduce((n, f) => n + f.remaining.length, 0);
  const left = after.totals.remaining + untouchedLeft;
  const msg = `AnyIO Migrate: ${plural(after.totals.changed, 'file')} with changes; ${plural(left, 'finding')} left${notAccepted > 0 ? ` (${plural(notAccepted, 'fix', 'fixes')} not accepted in the preview)` : ''}.`;
  return { applied: after, msg };
}
