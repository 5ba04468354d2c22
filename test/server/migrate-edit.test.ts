import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnnotatedTextEdit } from 'vscode-languageserver/node';
import { countParseErrorsIn, fixAll, initEngine } from '../../src/engine';
import { changePhase } from '../../src/core/fix-trace';
import type { Target } from '../../src/core/types';
import { IMPORTS_ANNOTATION, MigrateAnnotations, migrateEdits } from '../../src/server/migrate-edit';
import { loadFixtures } from '../support/fixtures';
import { SAFE_AND_UNSAFE_IMPORTS } from '../support/phase-samples';
import { applyTextEdits } from './harness';

const TARGETS: readonly Target[] = ['anyio3', 'anyio2+3'];

/** Migrate's edit of `text` (unsafe fixes not opted in), its annotations, and the fix loop's result. */
function migrate(text: string, target: Target = 'anyio3') {
  const all = fixAll(text, { target, unsafeFixes: true });
  const annotations = new MigrateAnnotations();
  const edits = migrateEdits(TextDocument.create('file:///x.py', 'python', 1, text), all, annotations, false);
  const ticked = edits.filter((e) => !annotations.all[e.annotationId]!.needsConfirmation);
  return { all, annotations, edits, ticked };
}

describe("migrate's edit: the fix loop's changes, annotated by rule and phase", function () {
  this.timeout(120000);

  before(async () => {
    await initEngine();
  });

  it('on every fixture (both targets): all changes give the unsafe-included output; the unticked unsafe ones leave the safe-only output', () => {
    let files = 0;
    let withUnsafe = 0;
    const mixed: string[] = [];
    for (const [, cases] of loadFixtures()) {
      for (const f of cases) {
        for (const target of TARGETS) {
          const where = `${f.folder}/${f.name} (${target})`;
          const { all, annotations, edits, ticked } = migrate(f.input, target);
          files++;
          assert.equal(applyTextEdits(f.input, edits), all.output, where);
          for (const e of edits) assert.ok(annotations.all[e.annotationId], `${where}: ${e.annotationId}`);
          const safeText = applyTextEdits(f.input, ticked);
          assert.ok(countParseErrorsIn(safeText) <= countParseErrorsIn(f.input), `${where}: the safe changes add parse errors`);
          if (ticked.length < edits.length) withUnsafe++;
          if (all.changes.some((c) => changePhase(all, c) === 'mixed')) mixed.push(where);
          else assert.equal(safeText, fixAll(f.input, { target }).output, where);
        }
      }
    }
    assert.ok(files > 300, `${files} fixture runs`);
    assert.ok(withUnsafe >= 10, `fixture runs with changes needing confirmation: ${withUnsafe}`);
    // Measured: no fixture has a change both phases made (a later round editing text the safe phase changed).
    assert.deepEqual(mixed, []);
  });

  it('keeps the import edits of the unsafe fix unsafe when a safe fix would share its round (regression: 524e1f7)', () => {
    const text = SAFE_AND_UNSAFE_IMPORTS;
    const { edits, ticked, annotations } = migrate(text);
    const safeOnly = fixAll(text).output;
    // Unticking the unsafe fix keeps the import of the name it would have rewritten.
    assert.equal(applyTextEdits(text, ticked), safeOnly);
    assert.match(safeOnly, /^from anyio import Event, run_async_from_thread, to_thread$/m);
    assert.match(safeOnly, /^ {4}run_async_from_thread\(evt\.set\)$/m);
    // The unsafe fix's edit and its import edit ask for confirmation; the safe fixes' edits do not.
    const byNewText = new Map(edits.map((e) => [e.newText, annotations.all[(e as AnnotatedTextEdit).annotationId]!]));
    assert.equal(byNewText.get('from_thread')?.needsConfirmation, true);
    assert.equal(byNewText.get('from_thread')?.label, 'Imports added or removed by the fixes (unsafe)');
    assert.equal(byNewText.get('from_thread.run_sync')?.needsConfirmation, true);
    assert.match(byNewText.get('from_thread.run_sync')!.label, /^ASY401 .* \(unsafe\)$/);
    assert.equal(byNewText.get('Event')?.needsConfirmation, undefined);
    assert.equal(byNewText.get('to_thread')?.needsConfirmation, undefined);
    assert.equal(byNewText.get('to_thread.run_sync')?.needsConfirmation, undefined);
    assert.deepEqual(
      [...new Set(edits.map((e) => (e as AnnotatedTextEdit).annotationId))].sort(),
      ['ASY201', 'ASY401', 'ASY401/unsafe', IMPORTS_ANNOTATION, `${IMPORTS_ANNOTATION}/unsafe`].sort(),
    );
  });

  it('accepts the unsafe changes without confirmation when the user opted in to unsafe fixes', () => {
    const all = fixAll(SAFE_AND_UNSAFE_IMPORTS, { unsafeFixes: true });
    const annotations = new MigrateAnnotations();
    const edits = migrateEdits(TextDocument.create('file:///x.py', 'python', 1, SAFE_AND_UNSAFE_IMPORTS), all, annotations, true);
    const ids = new Set(edits.map((e) => e.annotationId));
    assert.ok(ids.has('ASY401/unsafe-accepted'), [...ids].join(', '));
    for (const id of ids) assert.notEqual(annotations.all[id]!.needsConfirmation, true, id);
  });

  it('gives positions in UTF-16 on the original document, lines ending in CRLF', () => {
    const text = `\u4efb\u52a1 = "\u{1F680}"\r\n${SAFE_AND_UNSAFE_IMPORTS.replace(/\n/g, '\r\n')}`;
    const { all, edits } = migrate(text);
    assert.equal(applyTextEdits(text, edits), all.output);
    const first = edits.find((e) => e.newText === 'Event')!;
    assert.deepEqual(first.range.start, { line: 1, character: 'from anyio import '.length });
  });
});
