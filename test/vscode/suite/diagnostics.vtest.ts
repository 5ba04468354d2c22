import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import { analyzed, api, closeAllEditors, codeOf, codes, diagnosticsWhere, engine, openFresh, rangeOf, repoRoot, severityOf, waitFor, workspaceRoot } from './helpers';

describe('diagnostics', () => {
  before(async () => {
    await api();
  });
  after(closeAllEditors);

  it('reports AnyIO 2 usages with the engine’s codes, ranges, severities and tags', async () => {
    const doc = await openFresh('events.py', { show: true });
    const diags = await analyzed(doc);
    const eng = await engine();
    const findings = eng.analyze(doc.getText());
    assert.deepStrictEqual(codes(diags), ['ASY201', 'ASY102', 'ASY301', 'ASY101']);
    assert.deepStrictEqual(
      diags.map((d) => ({ code: codeOf(d), range: d.range, severity: d.severity, tags: d.tags ?? [] })),
      findings.map((f) => ({
        code: f.code,
        range: rangeOf(doc, f.start, f.end),
        severity: severityOf(f.severity),
        // A deprecated usage is struck through on its token only (a Hint beside it: commands.vtest.ts).
        tags: f.deprecated && !f.token ? [vscode.DiagnosticTag.Deprecated] : [],
      })),
    );
    assert.deepStrictEqual(
      diags.map((d) => doc.getText(d.range)),
      ['anyio.create_event()', 'await event.set()', 'await tg.spawn(anyio.sleep, 0)', 'await anyio.current_time()'],
    );
    for (const d of diags) {
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.deepStrictEqual(d.tags ?? [], [], 'the strike-through is on the deprecated token, not on the whole finding');
      assert.strictEqual(d.source, 'anyio-migrate');
      const code = d.code as { value: string; target: vscode.Uri };
      assert.match(code.target.toString(), new RegExp(`docs/rules\\.md#${code.value.toLowerCase()}-`));
    }
  });

  it('reports usages that raise in AnyIO 3 as errors without the Deprecated tag', async () => {
    const doc = await openFresh('limiter.py');
    const diags = await analyzed(doc);
    const asy103 = diags.find((d) => codeOf(d) === 'ASY103');
    assert.ok(asy103, `no ASY103 in ${codes(diags).join(', ')}`);
    assert.strictEqual(asy103.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(!(asy103.tags ?? []).includes(vscode.DiagnosticTag.Deprecated));
    assert.strictEqual(doc.getText(asy103.range), 'await limiter.release()');
    assert.deepStrictEqual(codes(diags), ['ASY103', 'ASY102', 'ASY201', 'ASY201']);
  });

  it('reports nothing for AnyIO 3 code', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), 'clean.py'));
    const diags = await analyzed(doc);
    assert.deepStrictEqual(codes(diags), []);
    assert.strictEqual((await api()).status(doc.uri)?.findings, 0);
  });

  it('follows edits: a new usage gets a diagnostic, a removed one loses it', async () => {
    const doc = await openFresh('events.py', { show: true });
    await analyzed(doc);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, end, '\n\nasync def later():\n    await anyio.get_current_task()\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = await diagnosticsWhere(doc.uri, 'ASY101 on the new line', (ds) => ds.filter((d) => codeOf(d) === 'ASY101').length === 2);
    const added = after.filter((d) => codeOf(d) === 'ASY101').at(-1)!;
    assert.strictEqual(doc.getText(added.range), 'await anyio.get_current_task()');

    const remove = new vscode.WorkspaceEdit();
    const first = after.find((d) => codeOf(d) === 'ASY201')!;
    remove.replace(doc.uri, first.range, 'anyio.Event()');
    assert.ok(await vscode.workspace.applyEdit(remove));
    await diagnosticsWhere(doc.uri, 'ASY201 gone', (ds) => !codes(ds).includes('ASY201') && ds.length === 4);
  });
});

describe('language server crash', () => {
  after(closeAllEditors);

  it('the client restarts a crashed server and diagnostics come back', async function () {
    this.timeout(60_000);
    const doc = await openFresh('events.py', { show: true });
    const before = await analyzed(doc);
    // The server is a Node child process of the extension host running dist/server.js over IPC.
    // Only this checkout's server (another run of the suite may be going on elsewhere).
    const pattern = `${path.join(repoRoot(), 'dist', 'server.js')}`;
    // execFileSync, not a shell: `sh -c "pgrep -f ..."` would match its own command line.
    const pgrep = () => execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
    const pids = pgrep();
    assert.ok(pids.length > 0, 'server process found');
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await waitFor('the server to be restarted', () => {
      try {
        const now = pgrep();
        return now.length > 0 && now.every((p) => !pids.includes(p));
      } catch {
        return false; // pgrep exits 1 while no server runs
      }
    });
    // A document opened after the restart is analysed by the new server.
    const fresh = await openFresh('events.py', { show: true });
    const after = await analyzed(fresh);
    assert.deepStrictEqual(codes(after), codes(before));
  });
});
