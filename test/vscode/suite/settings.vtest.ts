import * as assert from 'assert';
import * as vscode from 'vscode';
import { analyzed, anyioDiagnostics, api, applyAction, closeAllEditors, codeActions, codeOf, codes, diagnosticsWhere, engine, openFresh, setSetting, waitFor } from './helpers';

const ALL = ['ASY201', 'ASY102', 'ASY301', 'ASY101'];

describe('settings take effect without a reload', () => {
  let resets: Array<() => Promise<void>> = [];
  before(async () => {
    await api();
  });
  afterEach(async () => {
    for (const r of resets.reverse()) await r();
    resets = [];
    await closeAllEditors();
  });

  async function set(key: string, value: unknown): Promise<void> {
    resets.push(await setSetting('anyioMigrate', key, value));
  }

  it('anyioMigrate.ignore removes a code, and clearing it brings it back', async () => {
    const doc = await openFresh('events.py');
    assert.deepStrictEqual(codes(await analyzed(doc)), ALL);
    await set('ignore', ['ASY102']);
    await diagnosticsWhere(doc.uri, 'ASY102 ignored', (ds) => JSON.stringify(codes(ds)) === JSON.stringify(['ASY201', 'ASY301', 'ASY101']));
    await resets.pop()!();
    await diagnosticsWhere(doc.uri, 'ASY102 back', (ds) => JSON.stringify(codes(ds)) === JSON.stringify(ALL));
  });

  it('anyioMigrate.select keeps only the selected prefix', async () => {
    const doc = await openFresh('events.py');
    await analyzed(doc);
    await set('select', ['ASY1']);
    await diagnosticsWhere(doc.uri, 'only ASY1xx', (ds) => JSON.stringify(codes(ds)) === JSON.stringify(['ASY102', 'ASY101']));
  });

  it('anyioMigrate.severityOverrides changes severities and switches codes off', async () => {
    const doc = await openFresh('events.py');
    await analyzed(doc);
    await set('severityOverrides', { ASY3: 'hint', ASY201: 'off' });
    const ds = await diagnosticsWhere(
      doc.uri,
      'ASY301 as a hint, ASY201 off',
      (x) => !codes(x).includes('ASY201') && x.some((d) => codeOf(d) === 'ASY301' && d.severity === vscode.DiagnosticSeverity.Hint),
    );
    assert.deepStrictEqual(codes(ds), ['ASY102', 'ASY301', 'ASY101']);
  });

  it('anyioMigrate.enable = false clears the diagnostics', async () => {
    const doc = await openFresh('events.py');
    await analyzed(doc);
    await set('enable', false);
    await diagnosticsWhere(doc.uri, 'no diagnostics', (ds) => ds.length === 0);
    assert.strictEqual((await api()).status(doc.uri)?.enabled, false);
  });

  it('anyioMigrate.unsafeFixes: fix-all of a code includes unsafe fixes only when on; the hover says so', async () => {
    const doc = await openFresh('unsafe_params.py');
    const diags = await analyzed(doc);
    assert.deepStrictEqual(codes(diags), ['ASY102', 'ASY102']);
    const d = diags[0]!;
    const titles = async (): Promise<string[]> => (await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value)).map((a) => a.title);
    assert.ok(!(await titles()).includes('AnyIO Migrate (ASY102): Fix all in this file'));
    const hover = async (): Promise<string> =>
      (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, d.range.start.translate(0, 7)))
        .flatMap((h) => h.contents)
        .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
        .join('\n');
    assert.match(await hover(), /left out of fix-all unless `anyioMigrate.unsafeFixes` is on/);

    await set('unsafeFixes', true);
    const eng = await engine();
    const all = await waitFor('"AnyIO Migrate (ASY102): Fix all in this file" with unsafeFixes on', async () =>
      (await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value, 20)).find((a) => a.title === 'AnyIO Migrate (ASY102): Fix all in this file'),
    );
    assert.ok(all.edit, 'the fix-all action was not resolved to an edit');
    assert.match(await hover(), /included in fix-all because `anyioMigrate.unsafeFixes` is on/);
    const expected = eng.fixAll(doc.getText(), { select: ['ASY102'], ignore: [], target: 'anyio3', unsafeFixes: true }).output;
    await applyAction(all);
    assert.strictEqual(doc.getText(), expected);
    assert.ok(expected.includes('    done.set()\n    ready.set()\n'));
  });

  it('anyioMigrate.target = anyio2+3 makes the quick fix produce the cross-version form', async () => {
    const doc = await openFresh('events.py');
    await analyzed(doc);
    await set('target', 'anyio2+3');
    // The status notification follows the re-published diagnostics: once it reports the new target,
    // the diagnostics (and the fixes they carry) are the new ones.
    const a = await api();
    await waitFor('the server to re-analyse with target anyio2+3', () => a.status(doc.uri)?.target === 'anyio2+3');
    // The server re-analyses with the new target; the ASY101 fix then has the compat form.
    const eng = await engine();
    const text = doc.getText();
    const finding = eng.analyze(text, { target: 'anyio2+3' }).find((f) => f.code === 'ASY101')!;
    const expected = eng.applyFix(text, finding.fix!);
    assert.ok('output' in expected);
    // Once the new target is in effect the preferred fix is the compat one and no second form is offered.
    const fix = await waitFor('the quick fix to switch to the anyio2+3 target', async () => {
      const d = anyioDiagnostics(doc.uri).find((x) => codeOf(x) === 'ASY101');
      if (!d) return undefined;
      const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      const preferred = actions.find((a) => a.isPreferred);
      // The preferred fix is now the cross-version one, and no second form is offered.
      const second = actions.some((a) => a !== preferred && a.title.endsWith('(AnyIO 2 and 3)'));
      return preferred && preferred.title.includes('maybe_async') && !second ? preferred : undefined;
    });
    await applyAction(fix);
    assert.strictEqual(doc.getText(), expected.output);
  });

  it('anyioMigrate.target = anyio3 offers only the AnyIO 3 form', async () => {
    const doc = await openFresh('events.py');
    await analyzed(doc);
    await set('target', 'anyio3');
    const d = (await analyzed(doc)).find((x) => codeOf(x) === 'ASY101')!;
    const titles = await waitFor('the compat alternative to disappear', async () => {
      const t = (await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value)).map((a) => a.title);
      return t.includes('AnyIO Migrate (ASY101): Remove the `await`') && !t.some((x) => x.endsWith('(AnyIO 2 and 3)')) ? t : undefined;
    });
    assert.ok(titles.includes('AnyIO Migrate (ASY101): Remove the `await`'), JSON.stringify(titles));
    assert.ok(!titles.some((t) => t.endsWith('(AnyIO 2 and 3)')), JSON.stringify(titles));
  });
});
