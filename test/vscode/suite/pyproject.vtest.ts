/**
 * A bad `[tool.anyio-migrate]` in a real VS Code: every problem is a diagnostic on the
 * pyproject.toml itself, at the offending text (the unknown rule code inside `select`, the unknown
 * target, the unknown key; invalid TOML as an error), the language status counts them, and they go
 * away when the file is corrected in the editor and saved, or deleted.
 *
 * The pyproject.toml lives in its own folder of the workspace (it applies to the files under it
 * only) and the folder is removed afterwards: other suites count the workspace's findings.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, closeAllEditors, SOURCE, waitFor, workspaceRoot } from './helpers';

const EXPECTED = "(expected codes or prefixes such as 'ASY', 'ASY1', 'ASY101')";

/** Each diagnostic as `line:character-endLine:endCharacter severity «covered text» message`. */
function shown(doc: vscode.TextDocument, ds: readonly vscode.Diagnostic[]): string[] {
  const sev = (s: vscode.DiagnosticSeverity): string => (s === vscode.DiagnosticSeverity.Error ? 'error' : s === vscode.DiagnosticSeverity.Warning ? 'warning' : String(s));
  return ds.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${sev(d.severity)} «${doc.getText(d.range)}» ${d.message}`);
}

const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);

describe('pyproject.toml problems as diagnostics on the file', () => {
  let dir: string;
  let tomlUri: vscode.Uri;

  before(async () => {
    await api();
    dir = path.join(workspaceRoot().fsPath, 'pyproject_check');
    fs.mkdirSync(dir, { recursive: true });
    tomlUri = vscode.Uri.file(path.join(dir, 'pyproject.toml'));
    // No AnyIO usage: the folder adds no findings to the workspace.
    fs.writeFileSync(path.join(dir, 'mod.py'), 'print("hello")\n');
  });

  after(async () => {
    await closeAllEditors();
    fs.rmSync(dir, { recursive: true, force: true });
    await waitFor('the pyproject.toml diagnostics gone with the folder', () => ours(tomlUri).length === 0);
  });

  it('shows every problem at its place, counts them in the status, and clears them when the file is fixed in the editor', async () => {
    fs.writeFileSync(
      tomlUri.fsPath,
      ['[project]', 'name = "check"', '', '[tool.anyio-migrate]', 'select = ["ASY1", "XYZ9"]  # one bad code', 'target = "anyio4"', 'colour = "red"', ''].join('\n'),
    );
    const mod = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'mod.py')));
    const a = await api();
    // The language status counts the same problems ('pyproject.toml: 3 problems').
    await waitFor(
      () => `mod.py's status with 3 config problems (last: ${JSON.stringify(a.status(mod.uri)?.configErrors)})`,
      () => a.status(mod.uri)?.configErrors.length === 3,
    );

    const toml = await vscode.workspace.openTextDocument(tomlUri);
    await vscode.window.showTextDocument(toml);
    const ds = await waitFor('the three pyproject.toml diagnostics', () => (ours(tomlUri).length === 3 ? ours(tomlUri) : undefined));
    assert.deepStrictEqual(shown(toml, ds), [
      "6:0-6:6 warning «colour» [tool.anyio-migrate]: unknown key 'colour'; known keys: select, ignore, target, unsafe-fixes, exclude",
      `4:18-4:24 warning «"XYZ9"» [tool.anyio-migrate] select: unknown rule code 'XYZ9' ${EXPECTED}`,
      "5:9-5:17 warning «\"anyio4\"» [tool.anyio-migrate] target: unknown target 'anyio4' (expected 'anyio3' or 'anyio2+3')",
    ]);

    // Fix it as a user would: edit in the editor and save.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(tomlUri, ds[1]!.range, '"ASY2"');
    edit.replace(tomlUri, ds[2]!.range, '"anyio2+3"');
    edit.delete(tomlUri, new vscode.Range(6, 0, 7, 0));
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await toml.save());
    assert.strictEqual(
      fs.readFileSync(tomlUri.fsPath, 'utf8'),
      '[project]\nname = "check"\n\n[tool.anyio-migrate]\nselect = ["ASY1", "ASY2"]  # one bad code\ntarget = "anyio2+3"\n',
    );
    await waitFor('the pyproject.toml diagnostics cleared', () => ours(tomlUri).length === 0);
    await waitFor('the status of mod.py without problems', () => a.status(mod.uri)?.configErrors.length === 0);
  });

  it('shows invalid TOML as an error at its line and column, cleared when the file is deleted', async () => {
    const text = '[tool.anyio-migrate]\n\ntarget = anyio3\n';
    fs.writeFileSync(tomlUri.fsPath, text);
    const toml = await vscode.workspace.openTextDocument(tomlUri);
    await waitFor('the editor to hold the new text', () => toml.getText() === text);
    const ds = await waitFor('the invalid TOML diagnostic', () => (ours(tomlUri).some((d) => d.message.startsWith('invalid TOML')) ? ours(tomlUri) : undefined));
    assert.deepStrictEqual(shown(toml, ds), ['2:9-2:15 error «anyio3» invalid TOML (line 3, column 10: Invalid TOML document: invalid value)']);
    await closeAllEditors();
    fs.rmSync(tomlUri.fsPath);
    await waitFor('the diagnostics cleared after the deletion', () => ours(tomlUri).length === 0);
  });
});
