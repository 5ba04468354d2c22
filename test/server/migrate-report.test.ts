import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TextDocumentEdit } from 'vscode-languageserver/node';
import { fixAll, initEngine } from '../../src/engine';
import { formatReport, migrateTotals, originalOffset, summaryOf, type MigrateEntry } from '../../src/server/migrate-report';
import type { MigrateResult } from '../../src/shared/protocol';
import { SAFE_AND_UNSAFE_IMPORTS } from '../support/phase-samples';
import { runCli } from '../support/harness';
import { writeFile } from '../support/helpers';
import { TestClient, applyTextEdits } from './harness';

/** `path:line:col: CODE` of every finding `anyio-migrate check` prints for `root`, run in `root`. */
async function cliPositions(root: string): Promise<string[]> {
  const r = await runCli(['check', '--no-cache', '.'], { cwd: root });
  return r.stdout
    .split('\n')
    .map((l) => /^(\S+:\d+:\d+: ASY\d+) /.exec(l)?.[1])
    .filter((l): l is string => !!l)
    .sort();
}

/** The same from Migrate's report (its finding lines), and the report's file and finding lines. */
function reportPositions(result: MigrateResult, root: string): { positions: string[]; fileLines: string[]; findingLines: string[] } {
  const lines = result.report.split('\n');
  const findingLines = lines.filter((l) => /^ {4}\S/.test(l));
  const fileLines = lines.slice(lines.indexOf('Files:') + 1).filter((l) => /^ {2}\S/.test(l));
  const positions = findingLines.map((l) => /^ {4}(\S+:\d+:\d+: ASY\d+) /.exec(l)?.[1]?.replace(root + path.sep, '') ?? `unparsed: ${l}`).sort();
  return { positions, fileLines, findingLines };
}

// A finding left (ASY403) on a line the fixes shorten (`create_event` -> `Event`) and below a line
// the cross-version import fix grows: its position differs between the original and the fixed text.
const SHIFTED = `${SAFE_AND_UNSAFE_IMPORTS}\n\nasync def later():\n    ev = anyio.create_event(); p = anyio.start_blocking_portal()\n    await ev.wait()\n\n\nasync def spawn_it(tg):\n    await tg.spawn(later)\n`;

describe("migrate's report: summaries and totals from the files' outcomes", function () {
  this.timeout(60000);

  before(async () => {
    await initEngine();
  });

  it('counts each applied fix once per code and safety, and positions what is left in the fixed text', () => {
    // Line 1 is the one the fixes grow into three (a cross-version import), so the finding left on
    // the last line moves down in the fixed text.
    const text = `${SAFE_AND_UNSAFE_IMPORTS}portal = anyio.start_blocking_portal()\n`;
    const all = fixAll(text, { unsafeFixes: true, target: 'anyio2+3' });
    assert.ok(all.remaining.length > 0);
    const entry: MigrateEntry = { uri: 'file:///p/a.py', outcome: { status: 'fixed', path: 'a.py', fixes: all.applied, remaining: all.remaining }, text: all.output };
    const summary = summaryOf(entry);
    assert.equal(summary.status, 'changed');
    const expected = new Map<string, { safe: number; unsafe: number }>();
    for (const a of all.applied) {
      const c = expected.get(a.code) ?? { safe: 0, unsafe: 0 };
      c[a.applicability]++;
      expected.set(a.code, c);
    }
    assert.deepEqual(
      summary.fixes,
      [...expected.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, c]) => ({ code, ...c })),
    );
    const outputLines = all.output.split('\n');
    for (const r of summary.remaining) {
      const finding = all.remaining.find((f) => f.code === r.code)!;
      assert.equal(outputLines.slice(0, r.line).join('\n').length + (r.line > 0 ? 1 : 0) + r.character, finding.start);
    }
    assert.notEqual(outputLines.length, text.split('\n').length, 'the fixes changed the line count');
  });

  it('computes the totals from the outcomes, failed files as refused, skipped ones not scanned', () => {
    const all = fixAll(SAFE_AND_UNSAFE_IMPORTS, { unsafeFixes: true });
    const entries: MigrateEntry[] = [
      { uri: 'file:///p/a.py', outcome: { status: 'fixed', path: 'a.py', fixes: all.applied, remaining: all.remaining }, text: all.output },
      { uri: 'file:///p/b.py', outcome: { status: 'unchanged', path: 'b.py', remaining: [] }, text: '' },
      { uri: 'file:///p/c.py', outcome: { status: 'skipped', path: 'c.py', reason: 'too large' } },
      { uri: 'file:///p/d.py', outcome: { status: 'failed', path: 'd.py', reason: 'internal error: boom' }, capped: true },
    ];
    const totals = migrateTotals(entries.map((e) => e.outcome));
    const unsafe = all.applied.filter((a) => a.applicability === 'unsafe').length;
    assert.deepEqual(totals, { scanned: 3, changed: 1, skipped: 1, refused: 1, safeFixes: all.applied.length - unsafe, unsafeFixes: unsafe, remaining: all.remaining.length });
    const files = entries.map(summaryOf);
    assert.deepEqual(
      files.map((f) => [f.path, f.status, f.reason, f.capped]),
      [
        ['a.py', 'changed', undefined, undefined],
        ['b.py', 'unchanged', undefined, undefined],
        ['c.py', 'skipped', 'too large', undefined],
        ['d.py', 'refused', 'internal error: boom', true],
      ],
    );
    const report = formatReport(files, totals, { dryRun: true, cancelled: false, seconds: 0, scope: 'workspace' });
    assert.match(report, /3 files analysed, 1 would change, 1 skipped, 1 refused/);
    assert.match(report, new RegExp(`Fixes: ${totals.safeFixes} safe, ${unsafe} unsafe`));
    assert.match(report, /c\.py: skipped: too large/);
    assert.match(report, /d\.py: fixes refused: internal error: boom/);
  });

  it('maps an offset of the changed text back to the original', () => {
    const changes = [
      { start: 2, end: 4, text: 'XYZW' },
      { start: 6, end: 9, text: '' },
    ];
    // original 'abcdefghij' -> 'abXYZWefj'
    assert.equal(originalOffset(changes, 0), 0);
    assert.equal(originalOffset(changes, 3), 2);
    assert.equal(originalOffset(changes, 6), 4);
    assert.equal(originalOffset(changes, 8), 9);
  });

  describe('positions and paths against the CLI (a real server over a folder)', function () {
    this.timeout(120000);
    let tmp: string;
    let root: string;
    let client: TestClient;
    const uriOf = (file: string): string => pathToFileURL(file).href;

    beforeEach(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-report-'));
      root = path.join(tmp, 'ws');
      writeFile(root, 'pkg/shifted.py', SHIFTED);
      writeFile(root, 'other.py', 'import anyio\n\nportal = anyio.start_blocking_portal()\n');
      client = await TestClient.start({ workspaceFolders: [uriOf(root)] });
    });
    afterEach(async () => {
      await client.dispose();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('a dry run positions the findings left in the files as they are, as `anyio-migrate check` does; paths relative, links absolute', async () => {
      const result = await client.migrate({ folders: [{ uri: uriOf(root), exclude: [] }], dryRun: true });
      const { positions, fileLines, findingLines } = reportPositions(result, root);
      assert.ok(positions.length >= 2, result.report);
      const cli = await cliPositions(root);
      for (const p of positions) assert.ok(cli.includes(p), `${p} is not among the CLI's findings:\n${cli.join('\n')}`);
      // The ASY403 of the shifted line: where the CLI puts it (line 20, column 36), not where the fixed text has it.
      assert.ok(positions.includes('pkg/shifted.py:20:36: ASY403'), positions.join('\n'));
      // Every file line names a workspace-relative path with '/'; every finding line an absolute one.
      assert.deepEqual(fileLines.map((l) => l.split(': ')[0]!.trim()).sort(), ['other.py', 'pkg/shifted.py']);
      for (const l of findingLines) assert.ok(l.startsWith(`    ${root}${path.sep}`), l);
    });

    it('the report after Apply lists the fixes given as applied and positions what is left in the new text, as the CLI does', async () => {
      const file = path.join(root, 'pkg', 'shifted.py');
      const migrated = await client.migrate({ folders: [], uris: [uriOf(file)], dryRun: false });
      const dc = (migrated.edit!.documentChanges as TextDocumentEdit[])[0]!;
      const rows = migrated.files[0]!.rows!;
      assert.equal(rows.length, dc.edits.length);
      // Untick the unsafe row: apply the others, as the preview would.
      const unsafe = rows.findIndex((r) => r.fixes.some((f) => f.unsafe));
      assert.ok(unsafe >= 0, JSON.stringify(rows));
      const kept = dc.edits.filter((_, i) => i !== unsafe);
      fs.writeFileSync(file, applyTextEdits(SHIFTED, kept));
      const fixes = new Map<string, { code: string; safe: number; unsafe: number }>();
      rows.forEach((r, i) => {
        if (i === unsafe) return;
        for (const f of r.fixes) {
          const c = fixes.get(f.code) ?? { code: f.code, safe: 0, unsafe: 0 };
          c[f.unsafe ? 'unsafe' : 'safe']++;
          fixes.set(f.code, c);
        }
      });
      const after = await client.migrate({ folders: [], dryRun: true, applied: [{ uri: uriOf(file), fixes: [...fixes.values()], notApplied: 1 }] });
      assert.equal(after.totals.unsafeFixes, 0, after.report);
      assert.equal(
        after.totals.safeFixes,
        rows.filter((_, i) => i !== unsafe).reduce((n, r) => n + r.fixes.length, 0),
      );
      assert.match(after.report, /: applied\nPositions: line:column in the files as they are now, after Apply\./);
      assert.match(after.report, /1 preview row left unticked/);
      // The unticked unsafe fix is left, with its reason; positions are the CLI's on the new text.
      assert.ok(
        after.files[0]!.remaining.some((r) => r.reason === 'unsafe fix, not applied'),
        after.report,
      );
      const { positions, fileLines } = reportPositions(after, root);
      assert.deepEqual(positions, await cliPositions(root).then((all) => all.filter((p) => p.startsWith('pkg/shifted.py:'))));
      assert.deepEqual(
        fileLines.map((l) => l.split(': ')[0]!.trim()),
        ['pkg/shifted.py'],
      );
    });
  });
});
