import * as assert from 'assert';
import * as vscode from 'vscode';
import { FIX_ALL_KIND, analyzed, api, applyAction, closeAllEditors, codeActions, codeOf, codes, diagnosticsWhere, engine, openFresh } from './helpers';

describe('quick fixes (executeCodeActionProvider)', () => {
  before(async () => {
    await api();
  });
  after(closeAllEditors);

  it('offers the preferred quick fix, and applying it gives the engine’s output', async () => {
    const doc = await openFresh('events.py', { show: true });
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY102')!;
    const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((a) => a.title);
    const fix = actions.find((a) => a.title === 'AnyIO Migrate (ASY102): Remove the `await`' && a.isPreferred);
    assert.ok(fix, `no preferred "Remove the \`await\`" in ${JSON.stringify(titles)}`);
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind));
    assert.ok(titles.includes('AnyIO Migrate (ASY102): Disable for this line'), JSON.stringify(titles));
    assert.ok(titles.includes('AnyIO Migrate (ASY102): Show documentation'), JSON.stringify(titles));

    const eng = await engine();
    const before = doc.getText();
    const finding = eng.analyze(before).find((f) => f.code === 'ASY102')!;
    const expected = eng.applyFix(before, finding.fix!);
    assert.ok('output' in expected);
    await applyAction(fix);
    assert.strictEqual(doc.getText(), expected.output);
    assert.ok(doc.getText().includes('    event.set()\n'));
    await diagnosticsWhere(doc.uri, 'ASY102 fixed', (ds) => !codes(ds).includes('ASY102') && ds.length === 3);
  });

  it('offers the AnyIO 2+3 compatible form as a second choice when no target is chosen', async () => {
    const doc = await openFresh('events.py');
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY101')!;
    const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const compat = actions.find((a) => a.title.endsWith('(AnyIO 2 and 3)'));
    assert.ok(compat, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(!compat.isPreferred);
    const eng = await engine();
    const before = doc.getText();
    const finding = eng.analyze(before, { target: 'anyio2+3' }).find((f) => f.code === 'ASY101')!;
    const expected = eng.applyFix(before, finding.fix!);
    assert.ok('output' in expected);
    await applyAction(compat);
    assert.strictEqual(doc.getText(), expected.output);
    assert.ok(doc.getText().includes('await anyio.maybe_async(anyio.current_time())'));
  });

  it('marks fixes whose receiver type is not proven as unsafe and not preferred', async () => {
    const doc = await openFresh('limiter.py');
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY102')!;
    assert.strictEqual(doc.getText(d.range), 'await event.set()');
    const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const unsafe = actions.find((a) => a.title === 'AnyIO Migrate (ASY102): Remove the `await` (unsafe)');
    assert.ok(unsafe, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(!unsafe.isPreferred);
  });

  it('"AnyIO Migrate (ASY201): Fix all in this file" gives the engine’s fix-all for that code', async () => {
    const doc = await openFresh('limiter.py');
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY201')!;
    const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value, 20);
    const all = actions.find((a) => a.title === 'AnyIO Migrate (ASY201): Fix all in this file');
    assert.ok(all, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(all.edit, 'the fix-all action was not resolved to an edit');
    const eng = await engine();
    const expected = eng.fixAll(doc.getText(), { select: ['ASY201'], ignore: [], target: 'anyio3', unsafeFixes: false }).output;
    await applyAction(all);
    assert.strictEqual(doc.getText(), expected);
    await diagnosticsWhere(doc.uri, 'ASY201 gone', (ds) => !codes(ds).includes('ASY201') && codes(ds).includes('ASY103'));
  });

  it('"AnyIO Migrate (ASY102): Disable for this line" adds a noqa comment and the diagnostic goes away', async () => {
    const doc = await openFresh('events.py');
    const diags = await analyzed(doc);
    const d = diags.find((x) => codeOf(x) === 'ASY102')!;
    const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const disable = actions.find((a) => a.title === 'AnyIO Migrate (ASY102): Disable for this line')!;
    await applyAction(disable);
    assert.strictEqual(doc.lineAt(d.range.start.line).text, '    await event.set()  # noqa: ASY102');
    await diagnosticsWhere(doc.uri, 'ASY102 suppressed', (ds) => !codes(ds).includes('ASY102') && ds.length === 3);
  });

  it(`offers ${FIX_ALL_KIND} (safe fixes only), equal to the engine’s fixAll`, async () => {
    const doc = await openFresh('onsave.py');
    await analyzed(doc);
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions = await codeActions(doc.uri, whole, FIX_ALL_KIND, 5);
    const fixAll = actions.find((a) => a.kind?.value === FIX_ALL_KIND);
    assert.ok(fixAll, JSON.stringify(actions.map((a) => `${a.title} ${a.kind?.value}`)));
    assert.strictEqual(fixAll.title, 'AnyIO Migrate: fix all safe problems');
    const eng = await engine();
    const expected = eng.fixAll(doc.getText(), { unsafeFixes: false }).output;
    await applyAction(fixAll);
    assert.strictEqual(doc.getText(), expected);
    assert.ok(doc.getText().includes('    await event.set()  # unsafe'), 'the unsafe fix must not be applied');
  });
});
