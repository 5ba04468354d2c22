import { strict as assert } from 'node:assert';
import { initEngine, fixAll } from '../../src/engine';
import type { AppliedFix, Applicability, Finding } from '../../src/core/types';
import { findingsLeft, outcomeTotals, type FileOutcome } from '../../src/workspace/outcome';

function finding(code: string, fix?: Applicability): Finding {
  return {
    code,
    rule: 'some-rule',
    message: 'm',
    start: 0,
    end: 1,
    severity: 'error',
    deprecated: false,
    ...(fix ? { fix: { title: 't', applicability: fix, edits: [] } } : {}),
  };
}

function applied(code: string, applicability: Applicability): AppliedFix {
  return { code, title: 't', applicability, round: 0, range: { start: 0, end: 1 }, edits: [], imports: [], original: [] };
}

describe('workspace/outcome: totals computed from per-file outcomes', () => {
  it('gives all-zero totals for an empty run', () => {
    assert.deepEqual(outcomeTotals([]), {
      files: { fixed: 0, unchanged: 0, skipped: 0, failed: 0 },
      fixesApplied: { safe: 0, unsafe: 0 },
      filesWithFindings: 0,
      findingsLeft: 0,
      leftByCode: {},
      leftFixable: { safe: 0, unsafe: 0 },
    });
  });

  it('counts files by status, fixes by applicability and findings left by code', () => {
    const outcomes: FileOutcome[] = [
      { status: 'fixed', path: 'a.py', fixes: [applied('ASY101', 'safe'), applied('ASY201', 'unsafe'), applied('ASY101', 'safe')], remaining: [finding('ASY301', 'unsafe')] },
      { status: 'fixed', path: 'b.py', fixes: [applied('ASY102', 'safe')], remaining: [] },
      { status: 'unchanged', path: 'c.py', remaining: [] },
      { status: 'unchanged', path: 'd.py', remaining: [finding('ASY301'), finding('ASY101', 'safe')] },
      { status: 'skipped', path: 'e.py', reason: 'not UTF-8' },
      { status: 'failed', path: 'f.py', reason: 'not written: file is read-only', remaining: [finding('ASY201', 'safe')] },
      { status: 'failed', path: 'g.py', reason: 'internal error' },
    ];
    const t = outcomeTotals(outcomes);
    assert.deepEqual(t.files, { fixed: 2, unchanged: 2, skipped: 1, failed: 2 });
    assert.deepEqual(t.fixesApplied, { safe: 3, unsafe: 1 });
    assert.equal(t.filesWithFindings, 3);
    assert.equal(t.findingsLeft, 4);
    assert.deepEqual(t.leftByCode, { ASY101: 1, ASY201: 1, ASY301: 2 });
    assert.deepEqual(Object.keys(t.leftByCode), ['ASY101', 'ASY201', 'ASY301']);
    assert.deepEqual(t.leftFixable, { safe: 2, unsafe: 1 });
  });

  it('does not depend on the order of the outcomes, and accepts any iterable', () => {
    const outcomes: FileOutcome[] = [
      { status: 'unchanged', path: 'z.py', remaining: [finding('ASY501', 'safe')] },
      { status: 'fixed', path: 'a.py', fixes: [applied('ASY401', 'unsafe')], remaining: [finding('ASY102')] },
      { status: 'skipped', path: 'm.py', reason: 'too large' },
    ];
    const forward = outcomeTotals(outcomes);
    const backward = outcomeTotals(new Set([...outcomes].reverse()));
    assert.deepEqual(backward, forward);
    assert.deepEqual(Object.keys(backward.leftByCode), ['ASY102', 'ASY501']);
  });

  it('findingsLeft: none for skipped files and for failures whose findings are unknown', () => {
    const f = finding('ASY101', 'safe');
    assert.deepEqual(findingsLeft({ status: 'skipped', path: 'a.py', reason: 'r' }), []);
    assert.deepEqual(findingsLeft({ status: 'failed', path: 'a.py', reason: 'r' }), []);
    assert.deepEqual(findingsLeft({ status: 'failed', path: 'a.py', reason: 'r', remaining: [f] }), [f]);
    assert.deepEqual(findingsLeft({ status: 'unchanged', path: 'a.py', remaining: [f] }), [f]);
    assert.deepEqual(findingsLeft({ status: 'fixed', path: 'a.py', fixes: [], remaining: [f] }), [f]);
  });

  it("takes the fix loop's applied fixes as they are (plain data that survives JSON)", async () => {
    await initEngine();
    const text = 'import anyio\n\n\nasync def main():\n    start = await anyio.current_time()\n    event = anyio.create_event()\n    return start, event\n';
    const result = fixAll(text);
    assert.ok(result.applied.length >= 2);
    const outcome: FileOutcome = { status: 'fixed', path: 'a.py', fixes: result.applied, remaining: result.remaining };
    const roundTripped = JSON.parse(JSON.stringify(outcome)) as FileOutcome;
    assert.deepEqual(roundTripped, outcome);
    const t = outcomeTotals([roundTripped]);
    assert.equal(t.files.fixed, 1);
    assert.equal(t.fixesApplied.safe + t.fixesApplied.unsafe, result.applied.length);
    assert.equal(t.findingsLeft, result.remaining.length);
  });
});
