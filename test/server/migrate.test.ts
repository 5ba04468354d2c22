import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnnotatedTextEdit, TextDocumentEdit } from 'vscode-languageserver/node';
import { fixAll, initEngine } from '../../src/engine';
import { TestClient, applyTextEdits } from './harness';
import { CLEAN, SAMPLE } from './samples';
import { writeFile } from '../support/helpers';
import { SAFE_AND_UNSAFE_IMPORTS } from '../support/phase-samples';

const uriOf = (file: string): string => pathToFileURL(file).href;

describe('migrate workspace request', function () {
  this.timeout(60000);
  let tmp: string;
  let root: string;
  let client: TestClient;

  before(async () => {
    await initEngine();
  });

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-ws-'));
    root = path.join(tmp, 'project');
    writeFile(root, 'app/main.py', SAMPLE);
    writeFile(root, 'app/clean.py', CLEAN);
    writeFile(root, 'app/bom.py', `\uFEFF${SAMPLE.replace(/\n/g, '\r\n')}`);
    writeFile(root, '.venv/lib/site.py', SAMPLE); // virtualenv by name
    writeFile(root, 'env2/pyvenv.cfg', 'home = /usr/bin\n'); // virtualenv by marker
    writeFile(root, 'env2/lib/x.py', SAMPLE);
    writeFile(root, '.gitignore', 'build/\n');
    writeFile(root, 'build/gen.py', SAMPLE);
    writeFile(root, 'vendored/third.py', SAMPLE); // files.exclude
    writeFile(root, 'app/latin.py', '# -*- coding: latin-1 -*-\nimport anyio\n');
    fs.writeFileSync(path.join(root, 'app', 'binary.py'), Buffer.from([0x69, 0x6d, 0x00, 0xff]));
    writeFile(root, 'app/edited.py', CLEAN); // open with unsaved AnyIO 2 text
    client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
  });

  afterEach(async () => {
    await client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function docEdits(result: { edit: { documentChanges?: unknown[] } | null }): Map<string, TextDocumentEdit> {
    const map = new Map<string, TextDocumentEdit>();
    for (const dc of (result.edit?.documentChanges ?? []) as TextDocumentEdit[]) map.set(dc.textDocument.uri, dc);
    return map;
  }

  it('returns one annotated edit for the files that change, using unsaved text of open documents', async () => {
    const edited = uriOf(path.join(root, 'app', 'edited.py'));
    await client.open(edited, SAMPLE, 'python', 3);
    const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: ['**/vendored'] }], dryRun: false, progressId: 'p1' });
    assert.equal(result.cancelled, false);
    const edits = docEdits(result);
    const main = uriOf(path.join(root, 'app', 'main.py'));
    const bom = uriOf(path.join(root, 'app', 'bom.py'));
    assert.deepEqual([...edits.keys()].sort(), [bom, edited, main].sort());

    // Everything (unsafe included) equals the engine's fix loop with unsafe fixes.
    const all = fixAll(SAMPLE, { unsafeFixes: true }).output;
    assert.equal(applyTextEdits(SAMPLE, edits.get(main)!.edits), all);
    // Leaving the changes that need confirmation unticked gives the safe-only result.
    const safeOnly = edits.get(main)!.edits.filter((e) => !result.edit!.changeAnnotations![(e as AnnotatedTextEdit).annotationId]!.needsConfirmation);
    assert.equal(applyTextEdits(SAMPLE, safeOnly), fixAll(SAMPLE).output);
    // The open document: its unsaved text and its version.
    assert.equal(edits.get(edited)!.textDocument.version, 3);
    assert.equal(applyTextEdits(SAMPLE, edits.get(edited)!.edits), all);
    assert.equal(edits.get(main)!.textDocument.version, null);
    // BOM + CRLF on disk: positions are relative to the text an editor shows (without the BOM).
    const crlf = SAMPLE.replace(/\n/g, '\r\n');
    assert.equal(applyTextEdits(crlf, edits.get(bom)!.edits), fixAll(crlf, { unsafeFixes: true }).output);

    // Grouped by rule; unsafe changes need confirmation and say why.
    const annotations = result.edit!.changeAnnotations!;
    for (const dc of edits.values()) {
      for (const e of dc.edits as AnnotatedTextEdit[]) assert.ok(annotations[e.annotationId], `annotation ${e.annotationId}`);
    }
    // One annotation per row label ("CODE · fix title") and safety.
    const safeId = Object.keys(annotations).find((id) => id.startsWith('ASY102 · ') && !id.includes(' /'));
    assert.ok(safeId, Object.keys(annotations).join(', '));
    assert.equal(annotations[safeId]!.label, safeId);
    assert.match(annotations[safeId]!.description ?? '', /^safe · await-now-sync-method/);
    assert.equal(annotations[safeId]!.needsConfirmation, undefined);
    const unsafeId = Object.keys(annotations).find((id) => id.startsWith('ASY102 · ') && id.endsWith(' /unsafe'));
    assert.ok(unsafeId, Object.keys(annotations).join(', '));
    const unsafe = annotations[unsafeId]!;
    assert.equal(unsafe.needsConfirmation, true);
    assert.ok(unsafe.description?.startsWith('Unsafe, review before applying: '));

    // Summary: changed, skipped (and why), nothing from virtualenvs, ignored or excluded folders.
    const byPath = new Map(result.files.map((f) => [f.path, f]));
    assert.equal(byPath.get('app/main.py')?.status, 'changed');
    assert.equal(byPath.get('app/clean.py')?.status, 'unchanged');
    assert.match(byPath.get('app/latin.py')?.reason ?? '', /latin-1/);
    assert.equal(byPath.get('app/binary.py')?.status, 'skipped');
    for (const p of result.files.map((f) => f.path)) assert.ok(!/venv|env2|build|vendored/.test(p), p);
    assert.equal(result.totals.changed, 3);
    assert.ok(result.totals.unsafeFixes >= 3);
    assert.match(result.report, /3 changed/);
    assert.match(result.report, /ASY102 await-now-sync-method/);
    assert.ok(client.progress.some((p) => p.progressId === 'p1' && p.done === p.total));
  });

  it('reports without editing on a dry run, and lists what is left and why', async () => {
    writeFile(root, 'app/manual.py', 'import anyio\n\n\ndef main():\n    portal = anyio.start_blocking_portal()\n    portal.call(print, 1)\n');
    const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: true });
    assert.equal(result.edit, null);
    assert.match(result.report, /dry run/);
    assert.match(result.report, /would change/);
    const manual = result.files.find((f) => f.path === 'app/manual.py');
    assert.ok(manual && manual.remaining.length > 0, JSON.stringify(manual));
    assert.match(manual.remaining[0]!.reason, /no automatic fix/);
    assert.ok(result.report.includes('app/manual.py'));
    assert.equal(fs.readFileSync(path.join(root, 'app', 'main.py'), 'utf8'), SAMPLE, 'nothing written');
  });

  it('migrates just the given file ("Migrate This File")', async () => {
    const main = uriOf(path.join(root, 'app', 'main.py'));
    const result = await client.migrate({ folders: [], uris: [main], dryRun: false });
    assert.deepEqual([...docEdits(result).keys()], [main]);
    assert.equal(result.files.length, 1);
  });

  it('offers only the safe fixes of a file whose import line both safe and unsafe fixes rewrite (unticking could not keep the unsafe ones’ imports)', async () => {
    // `signal` is also called with a value of unknown type: `evt` stays unproven in the project too.
    const text = `${SAFE_AND_UNSAFE_IMPORTS}\n\ndef relay(x):\n    return signal(x)\n`;
    const file = writeFile(root, 'app/mixed.py', text);
    const uri = uriOf(file);
    const safeOnly = fixAll(text, { unsafeFixes: false });
    const withUnsafe = fixAll(text, { unsafeFixes: true });
    assert.ok(withUnsafe.applied.some((a) => a.applicability === 'unsafe'));
    const result = await client.migrate({ folders: [], uris: [uri], dryRun: false });
    const edit = docEdits(result).get(uri)!;
    // Nothing to untick: every row is safe, and together they are the safe-only run, which keeps
    // importing `run_async_from_thread` for the call the unsafe fix would have rewritten.
    const annotations = result.edit!.changeAnnotations ?? {};
    for (const e of edit.edits as AnnotatedTextEdit[]) assert.notEqual(annotations[e.annotationId]?.needsConfirmation, true, e.annotationId);
    const migrated = applyTextEdits(text, edit.edits);
    assert.equal(migrated, safeOnly.output);
    assert.match(migrated, /^from anyio import .*\brun_async_from_thread\b/m);
    assert.match(migrated, /^ {4}run_async_from_thread\(evt\.set\)$/m);
    // The unsafe fix is left as a finding (with its unsafe fix), for a second Migrate.
    const summary = result.files.find((f) => f.uri === uri)!;
    assert.ok(
      summary.remaining.some((r) => r.code === 'ASY401'),
      JSON.stringify(summary.remaining),
    );
    const again = fixAll(migrated, { unsafeFixes: true });
    assert.equal(again.output, withUnsafe.output, 'the second migration reaches what one unsafe run gives');
    // With unsafe fixes accepted (anyioMigrate.unsafeFixes), the whole edit is offered at once.
    await client.dispose();
    client = await TestClient.start({ workspaceFolders: [uriOf(root)], settings: { '': { unsafeFixes: true } } });
    const accepted = await client.migrate({ folders: [], uris: [uri], dryRun: false });
    assert.equal(applyTextEdits(text, docEdits(accepted).get(uri)!.edits), withUnsafe.output);
  });

  it('honours settings and pyproject exclude when walking', async () => {
    writeFile(root, 'pyproject.toml', '[tool.anyio-migrate]\nexclude = ["app/main.py"]\nignore = ["ASY1"]\n');
    const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: false });
    const paths = result.files.map((f) => f.path);
    assert.ok(!paths.includes('app/main.py'), paths.join(', '));
    const bom = docEdits(result).get(uriOf(path.join(root, 'app', 'bom.py')))!;
    const crlf = SAMPLE.replace(/\n/g, '\r\n');
    assert.equal(applyTextEdits(crlf, bom.edits), fixAll(crlf, { unsafeFixes: true, ignore: ['ASY1'] }).output);
  });

  it('can be cancelled', async () => {
    for (let i = 0; i < 400; i++) writeFile(root, `many/m${i}.py`, SAMPLE);
    const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: false }, 20);
    assert.equal(result.cancelled, true);
    assert.equal(result.edit, null);
    assert.match(result.report, /Cancelled/);
  });
});
