import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, applyAction, closeAllEditors, codeActions, codeOf, codes, diagnosticsWhere, engine } from './helpers';

describe('untitled files and notebook cells', () => {
  before(async () => {
    await api();
  });
  after(closeAllEditors);

  it('an untitled Python buffer gets diagnostics and quick fixes', async () => {
    const content = 'import anyio\n\n\nasync def main():\n    await anyio.current_time()\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
    assert.strictEqual(doc.uri.scheme, 'untitled');
    await vscode.window.showTextDocument(doc);
    const [d] = await diagnosticsWhere(doc.uri, 'ASY101 in the untitled buffer', (ds) => codes(ds).join() === 'ASY101');
    assert.strictEqual(doc.getText(d!.range), 'await anyio.current_time()');
    const fix = (await codeActions(doc.uri, d!.range, vscode.CodeActionKind.QuickFix.value)).find((a) => a.isPreferred);
    assert.ok(fix);
    await applyAction(fix);
    const eng = await engine();
    assert.strictEqual(doc.getText(), eng.fixAll(content).output);
    await diagnosticsWhere(doc.uri, 'no diagnostics after the fix', (ds) => ds.length === 0);
  });

  it('notebook cells are analysed together (imports in cell 1) and each cell gets its own diagnostics', async () => {
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'import anyio\n', 'python'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# Notes: `await anyio.current_time()` in markdown is not code', 'markdown'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'event = anyio.create_event()\nawait event.set()\n', 'python'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'now = await anyio.current_time()\n', 'python'),
    ]);
    const nb = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    await vscode.window.showNotebookDocument(nb);
    const [c1, c2, c3, c4] = nb.getCells();
    const d3 = await diagnosticsWhere(c3!.document.uri, 'ASY201 and ASY102 in cell 3', (ds) => codes(ds).join() === 'ASY201,ASY102');
    await diagnosticsWhere(c4!.document.uri, 'ASY101 in cell 4', (ds) => codes(ds).join() === 'ASY101');
    assert.deepStrictEqual(codes(vscode.languages.getDiagnostics(c1!.document.uri).filter((d) => d.source === 'anyio-migrate')), []);
    assert.deepStrictEqual(vscode.languages.getDiagnostics(c2!.document.uri), []);
    assert.strictEqual(c3!.document.getText(d3[0]!.range), 'anyio.create_event()');

    // A quick fix in a cell edits that cell.
    const d = d3.find((x) => codeOf(x) === 'ASY201')!;
    const fix = (await codeActions(c3!.document.uri, d.range, vscode.CodeActionKind.QuickFix.value)).find((a) => a.isPreferred);
    assert.ok(fix, 'no quick fix in the notebook cell');
    await applyAction(fix);
    assert.strictEqual(c3!.document.getText(), 'event = anyio.Event()\nawait event.set()\n');
    await diagnosticsWhere(c3!.document.uri, 'only ASY102 left in cell 3', (ds) => codes(ds).join() === 'ASY102');
  });
});
