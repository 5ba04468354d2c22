import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, fixAll, initEngine } from '../../src/engine';
import { FixTrace, type EditSource } from '../../src/core/fix-trace';
import { applyEdits } from '../../src/core/text';
import type { Edit, FixResult } from '../../src/core/types';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');

/** The input with the changes applied (they must be sorted and disjoint). */
function applyChanges(input: string, changes: readonly Edit[]): string {
  for (let i = 1; i < changes.length; i++) assert.ok(changes[i - 1]!.end <= changes[i]!.start, `changes ${i - 1} and ${i} overlap or are unsorted`);
  return applyEdits(input, changes);
}

const fix = (n: number): EditSource => ({ fix: n });

describe("fix trace: the loop's edits on the original input", () => {
  it('merges an edit of a later step on text an earlier step wrote into one change of the original range', () => {
    const input = 'a = f(x)\nb = g(y)\n';
    const t = new FixTrace(input);
    // Step 1: `f(x)` -> `await h(x)`; step 2 on its output: drop the `await `.
    t.step(input, [{ edit: { start: 4, end: 5, text: 'await h' }, source: fix(0) }]);
    const s1 = 'a = await h(x)\nb = g(y)\n';
    assert.equal(t.apply(), s1);
    t.step(s1, [{ edit: { start: 4, end: 10, text: '' }, source: fix(1) }]);
    assert.equal(t.apply(), 'a = h(x)\nb = g(y)\n');
    assert.deepEqual(t.changes, [{ start: 4, end: 5, text: 'h', fixes: [0, 1], importRounds: [] }]);
  });

  it('keeps edits apart from earlier changes separate, and merges one that abuts or straddles them', () => {
    const input = '0123456789abcdef';
    const t = new FixTrace(input);
    t.step(input, [
      { edit: { start: 2, end: 4, text: 'XY' }, source: fix(0) },
      { edit: { start: 10, end: 12, text: '' }, source: fix(1) },
    ]);
    const s1 = '01XY456789cdef';
    assert.equal(t.apply(), s1);
    // Insertion where the deletion was (abuts it), an edit far from both, one straddling `XY`.
    t.step(s1, [
      { edit: { start: 3, end: 5, text: '-' }, source: fix(2) },
      { edit: { start: 7, end: 8, text: 'S' }, source: fix(3) },
      { edit: { start: 10, end: 10, text: '+' }, source: { importRound: 1 } },
    ]);
    const s2 = '01X-56S89+cdef';
    assert.equal(t.apply(), s2);
    assert.deepEqual(t.changes, [
      { start: 2, end: 5, text: 'X-', fixes: [0, 2], importRounds: [] },
      { start: 7, end: 8, text: 'S', fixes: [3], importRounds: [] },
      { start: 10, end: 12, text: '+', fixes: [1], importRounds: [1] },
    ]);
  });

  it("composes random steps exactly: the changes applied to the input give each step's text (property)", () => {
    let seed = 12;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let trial = 0; trial < 300; trial++) {
      const input = Array.from({ length: 5 + rand(40) }, () => 'abcde\n'[rand(6)]).join('');
      const t = new FixTrace(input);
      let current = input;
      let next = 0;
      const sources = new Set<number>();
      for (let step = 0; step < 1 + rand(4); step++) {
        // Non-overlapping edits: cut points ascending, at most one insertion per point.
        const edits: Array<{ edit: Edit; source: EditSource }> = [];
        let pos = 0;
        while (pos <= current.length && edits.length < 6) {
          const start = pos + rand(Math.max(1, current.length - pos + 1));
          if (start > current.length) break;
          const end = Math.min(current.length, start + rand(4));
          const id = next++;
          edits.push({ edit: { start, end, text: 'xyz'.slice(0, rand(4)) }, source: fix(id) });
          sources.add(id);
          pos = end + 1;
        }
        t.step(current, edits);
        current = applyEdits(
          current,
          edits.map((e) => e.edit),
        );
        assert.equal(applyChanges(input, t.changes), current, `trial ${trial} step ${step}`);
        assert.equal(t.apply(), current);
      }
      // Every edit is accounted for: each source is named by the change its edit went into.
      const named = new Set(t.changes.flatMap((c) => c.fixes));
      for (const s of sources) assert.ok(named.has(s), `trial ${trial}: fix ${s} is in no change`);
    }
  });
});

describe('fix loop: what it applied', function () {
  this.timeout(120000);
  before(async () => {
    await initEngine();
  });

  /** The text a round ran on: the loop stopped after `round` rounds. */
  const roundText = (input: string, round: number): string => (round === 0 ? input : fixAll(input, { maxIterations: round }).output);

  /** Each applied fix is a finding of its round's text, with its range and edits; the changes compose exactly. */
  function checkApplied(input: string, r: FixResult): void {
    assert.equal(applyChanges(input, r.changes), r.output);
    const seen = new Set<string>();
    for (const [i, a] of r.applied.entries()) {
      const text = roundText(input, a.round);
      const finding = analyze(text).find((f) => f.code === a.code && f.start === a.range.start && f.end === a.range.end);
      assert.ok(finding, `${a.code} at ${a.range.start}-${a.range.end} is not a finding of round ${a.round}`);
      assert.deepEqual(a.edits, finding.fix!.edits);
      assert.equal(a.title, finding.fix!.title);
      const id = `${a.round}:${a.code}:${a.range.start}:${a.range.end}`;
      assert.ok(!seen.has(id), `applied twice: ${id}`);
      seen.add(id);
      // Its changes of the input are exactly the changes that name it.
      assert.deepEqual(
        a.original,
        r.changes.filter((c) => c.fixes.includes(i)).map((c) => ({ start: c.start, end: c.end, text: c.text })),
      );
      assert.ok(a.original.length > 0, `${a.code} changed nothing of the input`);
    }
  }

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

  it('names each fix once with its code, round and original range on a multi-round input (ASY201, ASY101, ASY604 then ASY301)', () => {
    const r = fixAll(MULTI);
    assert.deepEqual(
      r.applied.map((a) => `${a.code}@${a.round}`),
      ['ASY201@0', 'ASY101@0', 'ASY604@0', 'ASY301@1'],
    );
    checkApplied(MULTI, r);
    const [asy201, asy101, asy604, asy301] = r.applied;
    // Round-0 fixes: their original change is their own edit.
    const create = MULTI.indexOf('.create_event');
    assert.deepEqual(asy201!.original, [{ start: create, end: create + '.create_event'.length, text: '.Event' }]);
    const awaitAt = MULTI.indexOf('await current_time');
    assert.deepEqual(asy101!.original, [{ start: awaitAt, end: awaitAt + 'await '.length, text: '' }]);
    // ASY301 ran on round 1's text, inside what ASY604 wrote: one change of the original range.
    const from = MULTI.indexOf('with warnings.catch_warnings()');
    const to = MULTI.indexOf('await tg.spawn(otherfunc)') + 'await tg.spawn(otherfunc)'.length;
    const merged = { start: from, end: to, text: 'tg.start_soon(otherfunc)' };
    assert.deepEqual(asy604!.original, [merged]);
    assert.deepEqual(asy301!.original, [merged]);
    assert.equal(roundText(MULTI, 1).slice(asy301!.range.start, asy301!.range.end), 'await tg.spawn(otherfunc)');
    // The unused `import warnings` went in round 0's import bookkeeping, made by no fix.
    assert.deepEqual(r.changes[0], { start: 0, end: 'import warnings\n'.length, text: '', fixes: [], importRounds: [0] });
  });

  it('merges a round-2 fix into its round-1 change on the fixtures that need two rounds', () => {
    const read = (rel: string): string => fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
    const maybe = read('ASY602/maybe_async_cm.py');
    const r = fixAll(maybe);
    assert.deepEqual(
      r.applied.map((a) => `${a.code}@${a.round}`),
      ['ASY602@0', 'ASY602@0', 'ASY203@1'],
    );
    checkApplied(maybe, r);
    const shared = r.changes.filter((c) => c.fixes.length > 1);
    assert.deepEqual(
      shared.map((c) => c.fixes),
      [[1, 2]],
    );
    assert.equal(maybe.slice(shared[0]!.start, shared[0]!.end), 'async with maybe_async_cm(anyio.move_on_after(0.01)) as s2, lock:');

    const shim = read('ASY603/repeated_shim.py');
    const s = fixAll(shim);
    assert.deepEqual(
      s.applied.map((a) => `${a.code}@${a.round}`),
      ['ASY603@0', 'ASY603@0', 'ASY102@1'],
    );
    checkApplied(shim, s);
  });

  it('composes exactly on every fixture input, safe and unsafe (changes applied to the input = output)', () => {
    let multiRound = 0;
    let merged = 0;
    for (const dir of fs.readdirSync(FIXTURES)) {
      if (!fs.statSync(path.join(FIXTURES, dir)).isDirectory()) continue;
      for (const name of fs.readdirSync(path.join(FIXTURES, dir))) {
        if (!name.endsWith('.py') || name.endsWith('.fixed.py')) continue;
        const input = fs.readFileSync(path.join(FIXTURES, dir, name), 'utf8');
        for (const unsafeFixes of [false, true]) {
          const r = fixAll(input, { unsafeFixes });
          assert.equal(applyChanges(input, r.changes), r.output, `${dir}/${name}`);
          for (const a of r.applied) assert.ok(a.original.length > 0, `${dir}/${name}: ${a.code} has no original change`);
          if (r.applied.some((a) => a.round > 0)) multiRound++;
          if (r.changes.some((c) => c.fixes.length > 1)) merged++;
        }
      }
    }
    // The fixtures do exercise later rounds and merged changes.
    assert.ok(multiRound >= 8, `multi-round results: ${multiRound}`);
    assert.ok(merged >= 6, `merged changes: ${merged}`);
  });
});
