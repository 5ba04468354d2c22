import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { FIX_ALL_KIND, analyzed, api, closeAllEditors, engine, openFresh, setSetting, waitFor } from './helpers';

/** Makes the document dirty (a comment line at the top), then saves it like Ctrl+S does. */
async function editAndSave(doc: vscode.TextDocument): Promise<string> {
  const editor = await vscode.window.showTextDocument(doc);
  assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# edited\n')));
  await analyzed(doc);
  const before = doc.getText();
  await vscode.commands.executeCommand('workbench.action.files.save');
  await waitFor('the save', () => !doc.isDirty);
  return before;
}

describe('fix-all on save (editor.codeActionsOnSave)', () => {
  let resets: Array<() => Promise<void>> = [];
  before(async () => {
    await api();
  });
  afterEach(async () => {
    for (const r of resets.reverse()) await r();
    resets = [];
    await closeAllEditors();
  });

  it('without the setting, saving changes nothing', async () => {
    const doc = await openFresh('onsave.py');
    const before = await editAndSave(doc);
    assert.strictEqual(doc.getText(), before);
    assert.strictEqual(fs.readFileSync(doc.uri.fsPath, 'utf8'), before);
  });

  it(`with "${FIX_ALL_KIND}": "explicit", saving applies the safe fixes (the engine’s fixAll)`, async () => {
    resets.push(await setSetting('editor', 'codeActionsOnSave', { [FIX_ALL_KIND]: 'explicit' }, 'python'));
    const doc = await openFresh('onsave.py');
    const before = await editAndSave(doc);
    const eng = await engine();
    const expected = eng.fixAll(before, { unsafeFixes: false }).output;
    assert.notStrictEqual(expected, before);
    assert.strictEqual(doc.getText(), expected);
    assert.strictEqual(fs.readFileSync(doc.uri.fsPath, 'utf8'), expected);
    assert.ok(expected.includes('    await event.set()  # unsafe'), 'on-save must leave the unsafe fix');
    assert.ok(expected.includes('    lock = anyio.Lock()\n'));
  });
});
