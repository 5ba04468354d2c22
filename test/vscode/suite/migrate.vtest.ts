import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MigrateResult } from '../../../src/shared/protocol';
import { analyzed, api, closeAllEditors, engine, openFresh, pythonFiles, setSetting, templateFile, waitFor, workspaceRoot } from './helpers';

/** Text of every .py file as the editor sees it: the open (maybe unsaved) document, else the disk. */
function currentTexts(): Map<string, string> {
  const open = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [d.uri.fsPath, d.getText()]));
  return new Map(pythonFiles().map((f) => [f, open.get(f) ?? fs.readFileSync(f, 'utf8')]));
}

/** Waits until the server has the new anyioMigrate.unsafeFixes (its hover on an unsafe finding says so). */
async function serverSeesUnsafeFixes(on: boolean): Promise<void> {
  const doc = await openFresh('unsafe_params.py', { dir: 'scratch' });
  const [d] = await analyzed(doc);
  const want = on ? /included in fix-all because/ : /left out of fix-all unless/;
  await waitFor(`the server to see unsafeFixes = ${on}`, async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, d!.range.start.translate(0, 7));
    return hovers.some((h) => h.contents.some((c) => typeof c !== 'string' && 'value' in c && want.test(c.value)));
  });
}

describe('Migrate Workspace / Migrate This File / report', () => {
  let resets: Array<() => Promise<void>> = [];
  before(async () => {
    await api();
    await closeAllEditors();
  });
  afterEach(async () => {
    for (const r of resets.reverse()) await r();
    resets = [];
  });
  after(closeAllEditors);

  it('"Show Migration Report" is a dry run: a report, no edit, no file changed', async () => {
    const before = currentTexts();
    const result = await vscode.commands.executeCommand<MigrateResult | undefined>('anyioMigrate.showMigrationReport');
    assert.ok(result, 'no result');
    assert.strictEqual(result.edit, null);
    assert.ok(result.totals.changed > 0, result.report);
    assert.match(result.report, /Migration report \(dry run, nothing changed\)/);
    assert.deepStrictEqual(currentTexts(), before);
    assert.strictEqual((await api()).lastMigration(), result);
  });

  it('"Migrate Workspace" changes exactly the expected files to the engine’s output, using unsaved buffers', async () => {
    // Unsafe fixes on: no refactor preview to confirm (the UI test covers the preview).
    resets.push(await setSetting('anyioMigrate', 'unsafeFixes', true));
    await serverSeesUnsafeFixes(true);
    const ws = workspaceRoot().fsPath;
    const dirtyPath = path.join(ws, 'project', 'dirty.py');
    const onDisk = fs.readFileSync(dirtyPath, 'utf8');
    const dirty = await vscode.workspace.openTextDocument(dirtyPath);
    const editor = await vscode.window.showTextDocument(dirty);
    assert.ok(await editor.edit((b) => b.replace(new vscode.Range(4, 0, 4, dirty.lineAt(4).text.length), '    await anyio.current_time()')));
    assert.ok(dirty.isDirty);
    await analyzed(dirty);

    const eng = await engine();
    const before = currentTexts();
    const expected = new Map([...before].map(([f, t]) => [f, eng.fixAll(t, { unsafeFixes: true }).output]));
    const changed = [...before.keys()].filter((f) => expected.get(f) !== before.get(f));
    for (const f of ['app.py', 'util/helpers.py', 'dirty.py']) assert.ok(changed.includes(path.join(ws, 'project', f)), `${f} should need changes`);
    assert.ok(!changed.includes(path.join(ws, 'clean.py')));

    const result = await vscode.commands.executeCommand<MigrateResult | undefined>('anyioMigrate.migrateWorkspace');
    assert.ok(result && result.edit, 'no edit');
    assert.strictEqual(result.cancelled, false);
    assert.deepStrictEqual(
      result.files
        .filter((f) => f.status === 'changed')
        .map((f) => vscode.Uri.parse(f.uri).fsPath)
        .sort(),
      changed.sort(),
    );
    assert.strictEqual(result.totals.changed, changed.length);
    // Every file now has the engine's output (in its document; VS Code saves refactorings of closed files).
    for (const f of before.keys()) {
      const doc = await vscode.workspace.openTextDocument(f);
      assert.strictEqual(doc.getText(), expected.get(f), `${path.relative(ws, f)} differs from the engine's output`);
    }
    // The unsaved buffer was migrated (its new line too), not the file on disk behind it.
    assert.ok(dirty.getText().includes('    anyio.current_time()\n'), dirty.getText());
    // On disk: still the old text (the buffer stays unsaved) or the migrated buffer (saved), never a mix.
    const disk = fs.readFileSync(dirtyPath, 'utf8');
    assert.ok(disk === onDisk || disk === expected.get(dirtyPath), `unexpected disk content of dirty.py:\n${disk}`);
    assert.ok(fs.readFileSync(path.join(ws, 'project', 'notes.txt'), 'utf8').includes('await event.set()'), 'a non-Python file was changed');
  });

  it('cancelling "Migrate Workspace" (the Cancel button of its progress notification) changes nothing', async () => {
    // Enough files that the migration is still running when the Cancel action is pressed.
    const bulk = path.join(workspaceRoot().fsPath, 'bulk');
    fs.mkdirSync(bulk, { recursive: true });
    const src = fs.readFileSync(templateFile('events.py'), 'utf8'); // (the workspace's copy is migrated by now)
    for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(bulk, `m${i}.py`), src);
    try {
      await vscode.commands.executeCommand('notifications.clearAll');
      const before = currentTexts();
      const previous = (await api()).lastMigration();
      let settled = false;
      const run = Promise.resolve(vscode.commands.executeCommand<MigrateResult | undefined>('anyioMigrate.migrateWorkspace')).finally(() => (settled = true));
      // The newest notification is the migration's progress; its primary action is Cancel.
      await waitFor(
        'the migration to end',
        async () => {
          if (!settled) await vscode.commands.executeCommand('notification.acceptPrimaryAction');
          return settled;
        },
        60_000,
      );
      const result = await run;
      assert.ok(result === undefined || result.cancelled, `the migration was not cancelled: ${result?.report}`);
      if (result) assert.strictEqual(result.edit, null);
      assert.ok((await api()).lastMigration() === previous || (await api()).lastMigration()?.cancelled);
      assert.deepStrictEqual(currentTexts(), before, 'files changed although the migration was cancelled');
    } finally {
      fs.rmSync(bulk, { recursive: true, force: true });
    }
  });

  it('"Migrate This File" changes only that file', async () => {
    const ws = workspaceRoot().fsPath;
    const a = path.join(ws, 'single_a.py');
    const b = path.join(ws, 'single_b.py');
    const src = 'import anyio\n\n\nasync def main():\n    await anyio.current_time()\n';
    fs.writeFileSync(a, src);
    fs.writeFileSync(b, src);
    const doc = await vscode.workspace.openTextDocument(a);
    await vscode.window.showTextDocument(doc);
    await analyzed(doc);
    const result = await vscode.commands.executeCommand<MigrateResult | undefined>('anyioMigrate.migrateFile');
    assert.ok(result?.edit, 'no edit');
    const eng = await engine();
    await waitFor('the edit in single_a.py', () => doc.getText() === eng.fixAll(src).output);
    assert.strictEqual(fs.readFileSync(b, 'utf8'), src);
    assert.deepStrictEqual(
      result.files.map((f) => path.basename(vscode.Uri.parse(f.uri).fsPath)),
      ['single_a.py'],
    );
  });
});
