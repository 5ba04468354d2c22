import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnnotatedTextEdit, TextDocumentEdit } from 'vscode-languageserver/node';
import { fixAll, initEngine } from '../../src/engine';
import type { FixResult } from '../../src/core/types';
import type { MigrateResult } from '../../src/shared/protocol';
import { TestClient, applyTextEdits, positionOf } from './harness';
import { SAMPLE } from './samples';

/** ASY201 and ASY101 in round 0; ASY604 in round 0 enables ASY301 in round 1 on the text it wrote. */
const MULTI = [
  'import warnings',
  '',
  'import anyio',
  'from anyio import create_task_group, current_time',
  '',
  '',
  'async def otherfunc():',
  '    print("ran")',
  '',
  '',
  'async def main():',
  '    event = anyio.create_event()',
  '    now = await current_time()',
  '    async with create_task_group() as tg:',
  '        with warnings.catch_warnings():',
  '            await tg.spawn(otherfunc)',
  '    return event, now',
  '',
  '',
  'anyio.run(main)',
  '',
].join('\n');

/** Applied fixes counted per code and safety, sorted by code: what the summary must say. */
function countsOf(r: FixResult): Array<{ code: string; safe: number; unsafe: number }> {
  const m = new Map<string, { code: string; safe: number; unsafe: number }>();
  for (const a of r.applied) {
    const c = m.get(a.code) ?? { code: a.code, safe: 0, unsafe: 0 };
    c[a.applicability]++;
    m.set(a.code, c);
  }
  return [...m.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
}

describe('migrate: grouping and summary come from the fix loop\'s applied list', function () {
  this.timeout(60000);
  let tmp: string;
  let client: TestClient;

  before(async () => {
    await initEngine();
  });

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-applied-'));
    fs.writeFileSync(path.join(tmp, 'multi.py'), MULTI);
    fs.writeFileSync(path.join(tmp, 'sample.py'), SAMPLE);
    client = await TestClient.start({ workspaceFolders: [pathToFileURL(tmp).href] });
  });

  afterEach(async () => {
    await client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function editOf(result: MigrateResult, name: string): AnnotatedTextEdit[] {
    const uri = pathToFileURL(path.join(tmp, name)).href;
    const dc = (result.edit?.documentChanges ?? []).find((d) => (d as TextDocumentEdit).textDocument.uri === uri) as TextDocumentEdit | undefined;
    assert.ok(dc, `no edit for ${name}`);
    return dc.edits as AnnotatedTextEdit[];
  }

  /** The edit is the loop's changes, one text edit each, annotated by a fix that made it. */
  function checkAgainstLoop(text: string, edits: AnnotatedTextEdit[], all: FixResult): void {
    const changes = all.changes.filter((c) => text.slice(c.start, c.end) !== c.text);
    assert.deepEqual(
      edits.map((e) => ({ range: e.range, newText: e.newText })),
      changes.map((c) => ({ range: { start: positionOf(text, c.start), end: positionOf(text, c.end) }, newText: c.text })),
    );
    const named = new Set<number>();
    edits.forEach((e, i) => {
      const change = changes[i]!;
      const code = e.annotationId.split('/')[0];
      const codes = change.fixes.map((f) => all.applied[f]!.code);
      if (codes.length === 0) assert.equal(code, 'imports', 'a change no fix made is import bookkeeping');
      else assert.ok(codes.includes(code!), `${e.annotationId} is not one of ${codes.join(', ')}`);
      change.fixes.forEach((f) => named.add(f));
    });
    // Every applied fix is in the edit.
    assert.deepEqual([...named].sort((a, b) => a - b), all.applied.map((_, i) => i));
  }

  it('annotates a multi-round file by the fixes the loop applied, each counted once', async () => {
    const result = await client.migrate({ folders: [{ uri: pathToFileURL(tmp).href, exclude: [] }], dryRun: false });
    const all = fixAll(MULTI, { unsafeFixes: true });
    assert.deepEqual(all.applied.map((a) => `${a.code}@${a.round}`), ['ASY201@0', 'ASY101@0', 'ASY604@0', 'ASY301@1']);
    const edits = editOf(result, 'multi.py');
    assert.equal(applyTextEdits(MULTI, edits), all.output);
    checkAgainstLoop(MULTI, edits, all);
    // ASY301 was applied on what ASY604 wrote: one change, shown under ASY604; `import warnings`
    // dropped by the import bookkeeping.
    assert.deepEqual(
      edits.map((e) => e.annotationId),
      ['imports', 'ASY201', 'ASY101', 'ASY604'],
    );
    assert.equal(edits[3]!.newText, 'tg.start_soon(otherfunc)');
    const summary = result.files.find((f) => f.path === 'multi.py')!;
    assert.deepEqual(summary.fixes, countsOf(all));
    assert.deepEqual(summary.fixes.map((c) => c.code), ['ASY101', 'ASY201', 'ASY301', 'ASY604']);
    assert.match(result.report, /multi\.py: fixed ASY101×1, ASY201×1, ASY301×1, ASY604×1/);
  });

  it('splits safe and unsafe changes of one run by the applied fixes that made them, and totals one per applied fix', async () => {
    const result = await client.migrate({ folders: [{ uri: pathToFileURL(tmp).href, exclude: [] }], dryRun: true });
    assert.equal(result.edit, null);
    const wet = await client.migrate({ folders: [{ uri: pathToFileURL(tmp).href, exclude: [] }], dryRun: false });
    const all = fixAll(SAMPLE, { unsafeFixes: true });
    const edits = editOf(wet, 'sample.py');
    checkAgainstLoop(SAMPLE, edits, all);
    const annotations = wet.edit!.changeAnnotations!;
    // Needs confirmation exactly where an unsafe fix made the change.
    const changes = all.changes.filter((c) => SAMPLE.slice(c.start, c.end) !== c.text);
    edits.forEach((e, i) => {
      const unsafe = changes[i]!.fixes.some((f) => all.applied[f]!.applicability === 'unsafe');
      assert.equal(annotations[e.annotationId]!.needsConfirmation === true, unsafe, e.annotationId);
    });
    const summary = result.files.find((f) => f.path === 'sample.py')!;
    assert.deepEqual(summary.fixes, countsOf(all));
    // Totals over both files: one per applied fix.
    const both = [all, fixAll(MULTI, { unsafeFixes: true })].flatMap((r) => r.applied);
    assert.equal(result.totals.safeFixes, both.filter((a) => a.applicability === 'safe').length);
    assert.equal(result.totals.unsafeFixes, both.filter((a) => a.applicability === 'unsafe').length);
  });
});
