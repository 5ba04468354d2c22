import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnnotatedTextEdit } from 'vscode-languageserver/node';
import { analyze, countParseErrorsIn, fixAll, initEngine } from '../../src/engine';
import type { Target } from '../../src/core/types';
import { IMPORTS_LABEL, MigrateAnnotations, migrateEdits, previewRows, safePhaseText, unsafeReasons } from '../../src/server/migrate-edit';
import { loadFixtures } from '../support/fixtures';
import { SAFE_AND_UNSAFE_IMPORTS } from '../support/phase-samples';
import { applyTextEdits } from './harness';

const TARGETS: readonly Target[] = ['anyio3', 'anyio2+3'];

/** Migrate's edit of `text`, its annotations, and the fix loop's result. */
function migrate(text: string, target: Target = 'anyio3', unsafeOptIn = false) {
  const all = fixAll(text, { target, unsafeFixes: true });
  const annotations = new MigrateAnnotations();
  const safeText = safePhaseText(text, all);
  const reasons = safeText === undefined ? undefined : unsafeReasons(all, analyze(safeText, { target }));
  const edits = migrateEdits(TextDocument.create('file:///x.py', 'python', 1, text), all, annotations, unsafeOptIn, reasons);
  const confirm = (e: AnnotatedTextEdit) => annotations.all[e.annotationId]!.needsConfirmation === true;
  return { all, annotations, edits, ticked: edits.filter((e) => !confirm(e)), confirm };
}

describe("migrate's edit: one preview row per fix, the imports as one row", function () {
  this.timeout(300000);

  before(async () => {
    await initEngine();
  });

  it('on every fixture (both targets): all rows give the unsafe-included output; unticking any row, or all unsafe rows, adds no parse error', () => {
    let files = 0;
    let rows = 0;
    let applied = 0;
    let unsafeRows = 0;
    let multiFixRows = 0;
    let fixRows = 0;
    const mixed: string[] = [];
    for (const [, cases] of loadFixtures()) {
      for (const f of cases) {
        for (const target of TARGETS) {
          const where = `${f.folder}/${f.name} (${target})`;
          const { all, annotations, edits, ticked } = migrate(f.input, target);
          const rowList = previewRows(f.input, all);
          files++;
          rows += edits.length;
          applied += all.applied.length;
          unsafeRows += edits.length - ticked.length;
          multiFixRows += rowList.filter((r) => r.fixes.length > 1).length;
          fixRows += rowList.filter((r) => r.fixes.length > 0).length;
          assert.equal(applyTextEdits(f.input, edits), all.output, where);
          // Every applied fix is in exactly one row; a file has at most one row with its imports.
          assert.deepEqual(
            rowList.flatMap((r) => r.fixes).sort((a, b) => a - b),
            all.applied.map((_, i) => i).filter((i) => rowList.some((r) => r.fixes.includes(i))),
            where,
          );
          assert.ok(rowList.filter((r) => r.imports).length <= 1, `${where}: more than one imports row`);
          for (let i = 1; i < rowList.length; i++) assert.ok(rowList[i]!.start > rowList[i - 1]!.end, `${where}: rows touch`);
          for (const e of edits) assert.ok(annotations.all[e.annotationId]?.label, `${where}: ${e.annotationId}`);
          const base = countParseErrorsIn(f.input);
          for (const [i] of edits.entries()) {
            const without = applyTextEdits(
              f.input,
              edits.filter((_, j) => j !== i),
            );
            assert.ok(countParseErrorsIn(without) <= base, `${where}: unticking row ${i} (${annotations.all[edits[i]!.annotationId]!.label}) adds parse errors:\n${without}`);
          }
          const safeText = applyTextEdits(f.input, ticked);
          assert.ok(countParseErrorsIn(safeText) <= base, `${where}: the safe rows add parse errors`);
          if (rowList.some((r) => r.phase === 'mixed')) mixed.push(where);
          else assert.equal(safeText, fixAll(f.input, { target }).output, where);
        }
      }
    }
    // Measured over the fixtures (printed for the report).
    console.log(
      `      ${files} fixture runs: ${applied} applied fixes in ${rows} rows (${fixRows} with fixes, ${multiFixRows} rows hold several fixes, ${unsafeRows} need confirmation); rows mixing phases: ${mixed.length}`,
    );
    assert.ok(files > 300, `${files} fixture runs`);
    assert.ok(unsafeRows >= 10, `rows needing confirmation: ${unsafeRows}`);
    // Rows hold every applied fix once; merging fixes that touch makes fewer fix rows than fixes.
    assert.ok(fixRows < applied, `${fixRows} rows with fixes for ${applied} applied fixes`);
  });

  it('makes a fix that edits two places one row (regression: `await tg.spawn(` showed as two fragments)', () => {
    const text = 'import anyio\n\n\nasync def main():\n    async with anyio.create_task_group() as tg:\n        await tg.spawn(main)\n';
    const { all, edits, annotations } = migrate(text);
    const spawn = all.applied.findIndex((a) => a.code === 'ASY301');
    assert.ok(spawn >= 0, JSON.stringify(all.applied.map((a) => a.code)));
    const rows = previewRows(text, all).filter((r) => r.fixes.includes(spawn));
    assert.equal(rows.length, 1);
    const edit = edits.find((e) => annotations.all[e.annotationId]!.label.startsWith('ASY301 · '))!;
    assert.equal(annotations.all[edit.annotationId]!.label, `ASY301 · ${all.applied[spawn]!.title}`);
    assert.equal(applyTextEdits(text, [edit]), all.output);
    assert.equal(edit.newText, 'tg.start_soon');
  });

  it('shows the imports of a file as one row, and the unsafe fix unticked with its rule’s reason', () => {
    const text = SAFE_AND_UNSAFE_IMPORTS;
    const { all, edits, annotations, ticked } = migrate(text);
    const labels = edits.map((e) => annotations.all[e.annotationId]!.label);
    assert.deepEqual(
      labels.filter((l) => l === IMPORTS_LABEL),
      [IMPORTS_LABEL],
    );
    // One row per applied fix here (no two fixes touch), plus the imports.
    assert.equal(edits.length, all.applied.length + 1);
    const imports = edits.find((e) => annotations.all[e.annotationId]!.label === IMPORTS_LABEL)!;
    assert.equal(imports.newText, 'Event, from_thread, to_thread');
    const unsafe = edits.filter((e) => annotations.all[e.annotationId]!.needsConfirmation);
    assert.equal(unsafe.length, 1);
    const a = annotations.all[unsafe[0]!.annotationId]!;
    assert.match(a.label, /^ASY401 · /);
    assert.equal(
      a.description,
      'Unsafe, review before applying: The type of `evt` could not be proven, so the fix is marked unsafe: if it is a user object with an async `set`, use `from_thread.run` instead.',
    );
    // The Imports row mixes the phases (the unsafe fix renames an import the safe ones keep): it stays
    // ticked. Unticking the unsafe row would then lose `run_async_from_thread`'s import, so Migrate
    // never offers this edit unless unsafe fixes are accepted (test/server/migrate.test.ts).
    assert.match(annotations.all[imports.annotationId]!.description!, /imports of safe and unsafe fixes/);
    const safeText = applyTextEdits(text, ticked);
    assert.ok(countParseErrorsIn(safeText) <= countParseErrorsIn(text));
    assert.match(safeText, /^ {4}run_async_from_thread\(evt\.set\)$/m);
  });

  it('accepts the unsafe rows without confirmation when the user opted in to unsafe fixes', () => {
    const { edits, annotations } = migrate(SAFE_AND_UNSAFE_IMPORTS, 'anyio3', true);
    assert.ok(edits.some((e) => /accepted by anyioMigrate\.unsafeFixes/.test(annotations.all[e.annotationId]!.description ?? '')));
    for (const e of edits) assert.notEqual(annotations.all[e.annotationId]!.needsConfirmation, true, e.annotationId);
  });

  it('gives positions in UTF-16 on the original document, lines ending in CRLF', () => {
    const text = `\u4efb\u52a1 = "\u{1F680}"\r\n${SAFE_AND_UNSAFE_IMPORTS.replace(/\n/g, '\r\n')}`;
    const { all, edits } = migrate(text);
    assert.equal(applyTextEdits(text, edits), all.output);
    const first = edits.find((e) => e.newText.startsWith('Event'))!;
    assert.deepEqual(first.range.start, { line: 1, character: 'from anyio import '.length });
  });
});
