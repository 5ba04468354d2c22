/**
 * What users of ruff's and ESLint's extensions expect: "Fix all auto-fixable AnyIO problems" in the
 * Ctrl+. menu (a quick fix, not only a source action), the strike-through on the deprecated token
 * only, and the commands "AnyIO Migrate: Restart Server" and "AnyIO Migrate: Show Output".
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { analyzed, api, applyAction, closeAllEditors, codeActions, codeOf, diagnosticsWhere, engine, openFresh, waitFor } from './helpers';

const FIX_ALL_AUTO = 'Fix all auto-fixable AnyIO problems';

describe('commands and menus users expect', () => {
  before(async () => {
    await api();
  });
  after(closeAllEditors);

  it(`offers "${FIX_ALL_AUTO}" in the Ctrl+. menu (kind quickfix), equal to the engine's fix-all`, async () => {
    const doc = await openFresh('events.py', { show: true });
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY102')!;
    // What Ctrl+. asks for: the quick fixes at the cursor.
    const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value, 30);
    const titles = actions.map((a) => a.title);
    const all = actions.filter((a) => a.title === FIX_ALL_AUTO);
    assert.strictEqual(all.length, 1, JSON.stringify(titles));
    assert.ok(all[0]!.kind && vscode.CodeActionKind.QuickFix.contains(all[0]!.kind), all[0]!.kind?.value);
    assert.ok(all[0]!.edit, 'the action was not resolved to an edit');
    // The other quick fixes name the tool and the rule.
    assert.ok(titles.includes('AnyIO Migrate (ASY102): Remove the `await`'), JSON.stringify(titles));
    assert.ok(titles.includes('AnyIO Migrate (ASY102): Disable for this line'), JSON.stringify(titles));
    const eng = await engine();
    const expected = eng.fixAll(doc.getText(), { target: 'anyio3', unsafeFixes: false }).output;
    assert.notStrictEqual(expected, doc.getText());
    await applyAction(all[0]!);
    assert.strictEqual(doc.getText(), expected);
    const left = eng.analyze(expected).length;
    await diagnosticsWhere(doc.uri, `${left} findings left`, (ds) => ds.length === left);
  });

  it('strikes through only the deprecated token (the `await`, the old name), not the statement', async () => {
    const doc = await openFresh('events.py', { show: true });
    const ours = await analyzed(doc);
    const eng = await engine();
    const findings = eng.analyze(doc.getText()).filter((f) => f.deprecated);
    assert.ok(findings.length >= 3 && findings.every((f) => f.token), JSON.stringify(findings.map((f) => f.code)));
    const tagged = await waitFor('the strike-through hints', () => {
      const t = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.tags?.includes(vscode.DiagnosticTag.Deprecated));
      return t.length === findings.length ? t : undefined;
    });
    const offsets = (r: vscode.Range): [number, number] => [doc.offsetAt(r.start), doc.offsetAt(r.end)];
    assert.deepStrictEqual(tagged.map((x) => [codeOf(x), ...offsets(x.range)]).sort(), findings.map((f) => [f.code, f.token!.start, f.token!.end]).sort());
    assert.deepStrictEqual([...new Set(tagged.map((x) => doc.getText(x.range)))].sort(), ['await', 'create_event', 'spawn']);
    for (const x of tagged) assert.strictEqual(x.severity, vscode.DiagnosticSeverity.Hint);
    // The findings keep their whole range (squiggle, hover, quick fixes) without the tag.
    assert.ok(!ours.some((x) => x.tags?.includes(vscode.DiagnosticTag.Deprecated)));
    const d = ours.find((x) => codeOf(x) === 'ASY102')!;
    assert.strictEqual(doc.getText(d.range), 'await event.set()');
  });

  it('registers "AnyIO Migrate: Restart Server" and "AnyIO Migrate: Show Output"', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['anyioMigrate.restartServer', 'anyioMigrate.showOutput']) assert.ok(commands.includes(c), c);
    const ext = vscode.extensions.getExtension('anyio-migrate.anyio-migrate')!;
    const contributed = (ext.packageJSON as { contributes: { commands: Array<{ command: string; title: string; category?: string }> } }).contributes.commands;
    const label = (id: string) => {
      const c = contributed.find((x) => x.command === id);
      return c ? `${c.category ? `${c.category}: ` : ''}${c.title}` : undefined;
    };
    assert.strictEqual(label('anyioMigrate.restartServer'), 'AnyIO Migrate: Restart Server');
    assert.strictEqual(label('anyioMigrate.showOutput'), 'AnyIO Migrate: Show Output');
  });

  it('"Show Output" shows the language server channel', async () => {
    const isServerChannel = (t: vscode.TextDocument) => t.uri.scheme === 'output' && decodeURIComponent(t.uri.toString()).includes('AnyIO Migrate Language Server');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await waitFor('the output panel closed', () => !vscode.window.visibleTextEditors.some((e) => isServerChannel(e.document)));
    await vscode.commands.executeCommand('anyioMigrate.showOutput');
    await waitFor(
      () => `the server's channel shown (visible: ${vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()).join(', ')})`,
      () => vscode.window.visibleTextEditors.some((e) => isServerChannel(e.document)),
    );
  });

  it('"Restart Server" starts a new server that analyses the open documents again', async () => {
    const doc = await openFresh('events.py', { show: true });
    const before = await analyzed(doc);
    assert.ok(before.length > 0);
    // The old server's diagnostics go when it stops; the new one publishes them again.
    const seen: number[] = [];
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === doc.uri.toString())) seen.push(vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'anyio-migrate').length);
    });
    try {
      await vscode.commands.executeCommand('anyioMigrate.restartServer');
      await waitFor(
        () => `diagnostics cleared, then published again (${JSON.stringify(seen)})`,
        () => seen.indexOf(0) !== -1 && seen.slice(seen.indexOf(0)).some((n) => n === before.length),
      );
    } finally {
      sub.dispose();
    }
    // The restarted server answers requests: a quick fix at the finding.
    const d = (await analyzed(doc)).find((x) => codeOf(x) === 'ASY102')!;
    const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    assert.ok(
      actions.some((a) => a.title === 'AnyIO Migrate (ASY102): Remove the `await`'),
      JSON.stringify(actions.map((a) => a.title)),
    );
  });
});
