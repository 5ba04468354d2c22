import * as assert from 'node:assert/strict';
import { fixAll, initEngine } from '../../src/engine';
import { formatReport, migrateTotals, summaryOf, type MigrateEntry } from '../../src/server/migrate-report';
import { SAFE_AND_UNSAFE_IMPORTS } from '../support/phase-samples';

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
});
