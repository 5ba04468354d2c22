import * as assert from 'node:assert/strict';
import { analyze, fixAll, initEngine } from '../../src/engine';
import { changePhase } from '../../src/core/fix-trace';
import type { Target } from '../../src/core/types';
import { loadFixtures } from '../support/fixtures';
import { SAFE_AND_UNSAFE_IMPORTS } from '../support/phase-samples';

const TARGETS: readonly Target[] = ['anyio3', 'anyio2+3'];

describe('fix loop: the safe phase, then the unsafe fixes', function () {
  this.timeout(120000);

  before(async () => {
    await initEngine();
  });

  it('with unsafe fixes is the safe-only run followed by a run with unsafe fixes from its output (every fixture, both targets)', () => {
    let withUnsafe = 0;
    for (const [, cases] of loadFixtures()) {
      for (const f of cases) {
        for (const target of TARGETS) {
          const where = `${f.folder}/${f.name} (${target})`;
          const all = fixAll(f.input, { target, unsafeFixes: true });
          const safe = fixAll(f.input, { target });
          const then = safe.refused ? safe : fixAll(safe.output, { target, unsafeFixes: true });
          assert.equal(all.output, then.refused ? f.input : then.output, where);
          if (all.refused) continue;
          // The safe phase is the safe-only run: the same fixes, in the same rounds.
          const phase1 = all.applied.filter((a) => a.round < all.safeRounds);
          assert.deepEqual(
            phase1.map((a) => [a.code, a.round, a.title]),
            safe.applied.map((a) => [a.code, a.round, a.title]),
            where,
          );
          assert.ok(
            phase1.every((a) => a.applicability === 'safe'),
            where,
          );
          assert.equal(safe.safeRounds, safe.applied.length ? Math.max(...safe.applied.map((a) => a.round)) + 1 : 0, where);
          if (all.applied.some((a) => a.applicability === 'unsafe')) withUnsafe++;
          // A change only the safe phase made is one of the safe-only run's changes.
          const safeChanges = new Set(safe.changes.map((c) => `${c.start}:${c.end}:${c.text}`));
          for (const c of all.changes) {
            if (changePhase(all, c) === 'safe') assert.ok(safeChanges.has(`${c.start}:${c.end}:${c.text}`), `${where}: ${JSON.stringify(c)}`);
          }
        }
      }
    }
    assert.ok(withUnsafe >= 10, `fixtures applying an unsafe fix: ${withUnsafe}`);
  });

  it('applies a safe and an unsafe fix that would share a round in separate phases, each with its own import bookkeeping', () => {
    const findings = analyze(SAFE_AND_UNSAFE_IMPORTS);
    assert.ok(findings.some((f) => f.fix?.applicability === 'safe' && f.fix.imports?.length));
    assert.ok(findings.some((f) => f.fix?.applicability === 'unsafe' && f.fix.imports?.length));
    const all = fixAll(SAFE_AND_UNSAFE_IMPORTS, { unsafeFixes: true });
    assert.equal(all.safeRounds, 1);
    assert.deepEqual(
      all.applied.map((a) => [a.round, a.code, a.applicability]),
      [
        [0, 'ASY201', 'safe'],
        [0, 'ASY401', 'safe'],
        [1, 'ASY401', 'unsafe'],
      ],
    );
    // The unsafe fix's import edit (drop `run_async_from_thread`, add `from_thread`) is round 1's.
    const imports = all.changes.filter((c) => c.fixes.length === 0);
    assert.deepEqual(
      imports.map((c) => [SAFE_AND_UNSAFE_IMPORTS.slice(c.start, c.end), c.text, c.importRounds, changePhase(all, c)]),
      [
        ['create_event', 'Event', [0], 'safe'],
        ['run_async_from_thread', 'from_thread', [1], 'unsafe'],
        ['run_sync_in_worker_thread', 'to_thread', [0], 'safe'],
      ],
    );
  });

  it('says which phase made a change: safe, unsafe, or mixed when a later round edits what the safe phase changed', () => {
    const applied = [{ round: 0 }, { round: 1 }] as unknown as Parameters<typeof changePhase>[0]['applied'];
    const result = { applied, safeRounds: 1 };
    const change = (fixes: number[], importRounds: number[]) => ({ start: 0, end: 0, text: '', fixes, importRounds });
    assert.equal(changePhase(result, change([0], [0])), 'safe');
    assert.equal(changePhase(result, change([], [0])), 'safe');
    assert.equal(changePhase(result, change([1], [])), 'unsafe');
    assert.equal(changePhase(result, change([], [1])), 'unsafe');
    assert.equal(changePhase(result, change([0], [1])), 'mixed');
    assert.equal(changePhase(result, change([0, 1], [])), 'mixed');
  });
});
