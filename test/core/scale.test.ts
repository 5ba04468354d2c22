/**
 * Scale tests: the work the engine does grows linearly with the file. Each input is generated at
 * 1× and 8× its size and the work counters of src/core/work.ts are compared (no timing): a linear
 * engine does about 8× the work, a per-fix scan of every name (the old `boundNameFor`) about 64×.
 */
import * as assert from 'node:assert/strict';
import { fixAll, initEngine } from '../../src/engine';
import { resetWorkCounters, snapshotWorkCounters, type WorkCounters } from '../../src/core/work';
import type { FixOptions } from '../../src/core/types';

interface Scaled {
  name: string;
  gen: (n: number) => string;
  /** Fixes applied for size n. */
  fixes: (n: number) => number;
  opts?: FixOptions;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const CASES: Scaled[] = [
  {
    name: 'from-imported factory at module level, awaited set() in a function',
    gen: (n) =>
      ['from anyio import create_event', '', ...range(n).map((i) => `e${i} = create_event()`), '', 'async def main():', ...range(n).map((i) => `    await e${i}.set()`), ''].join(
        '\n',
      ),
    fixes: (n) => 2 * n,
  },
  {
    name: 'dotted factory at module level',
    gen: (n) => ['import anyio', '', ...range(n).map((i) => `e${i} = anyio.create_event()`), ''].join('\n'),
    fixes: (n) => n,
  },
  {
    name: 'one import statement per name, all removed, with __all__',
    gen: (n) => [...range(n).map((i) => `from anyio import create_event as ce${i}`), `__all__ = ['main']`, ...range(n).map((i) => `e${i} = ce${i}()`), ''].join('\n'),
    fixes: (n) => n,
  },
  {
    name: 'function-local imports',
    gen: (n) =>
      range(n)
        .flatMap((i) => [`async def f${i}():`, '    from anyio import create_event', `    ev = create_event()`, '    await ev.set()', ''])
        .join('\n'),
    fixes: (n) => 2 * n,
  },
  {
    // ASY203 split: every body line is re-indented unless it starts inside a multi-line string.
    name: 'split `async with`, one long body with many multi-line strings',
    gen: (n) =>
      [
        'import anyio',
        '',
        'async def main():',
        '    lock = anyio.Lock()',
        '    async with anyio.move_on_after(5), lock:',
        ...range(n).flatMap((i) => [`        s${i} = """first`, `  line ${i}`, `"""`, `        t${i} = ${i}`]),
        '',
      ].join('\n'),
    fixes: () => 1,
  },
  {
    name: 'split `async with` in many functions, each with a multi-line string',
    gen: (n) =>
      [
        'import anyio',
        '',
        ...range(n).flatMap((i) => [`async def f${i}(lock):`, '    async with anyio.move_on_after(5), lock:', `        s = """first`, `  line ${i}`, `"""`, '']),
      ].join('\n'),
    fixes: (n) => n,
  },
];

function work(text: string, opts: FixOptions | undefined, expectedFixes: number): WorkCounters {
  resetWorkCounters();
  const r = fixAll(text, opts);
  const counters = snapshotWorkCounters();
  assert.equal(r.refused, undefined);
  assert.equal(r.applied.length, expectedFixes);
  assert.deepEqual(r.remaining, []);
  return counters;
}

describe('engine scale (work counters at 1× and 8× input)', function () {
  this.timeout(120_000);
  before(async () => {
    await initEngine();
  });

  for (const c of CASES) {
    it(`fixAll is linear: ${c.name}`, () => {
      const n = 200;
      const small = work(c.gen(n), c.opts, c.fixes(n));
      const large = work(c.gen(8 * n), c.opts, c.fixes(8 * n));
      for (const key of Object.keys(small) as Array<keyof WorkCounters>) {
        // 8× the input: at most ~10× the work (plus a constant for fixed per-file costs).
        assert.ok(large[key] <= 10 * small[key] + 200, `${key}: ${small[key]} at 1×, ${large[key]} at 8×`);
      }
      // The counters do measure something in every case.
      assert.ok(Object.values(large).some((v) => v > 0));
    });
  }
});
