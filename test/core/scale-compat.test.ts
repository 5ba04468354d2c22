/**
 * Scale tests for the clean-up of cross-version try/except imports (ASY603): the blocks are indexed
 * once per analysis, so the work grows linearly with their number (work counters at 1× and 8×, no
 * timing). Checking every module name and every occurrence per block made 256 blocks take 29 s.
 */
import * as assert from 'node:assert/strict';
import { analyze, initEngine } from '../../src/engine';
import { resetWorkCounters, snapshotWorkCounters, type WorkCounters } from '../../src/core/work';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const shim = (name: string) => ['try:', `    from anyio import Event as ${name}`, 'except ImportError:', `    from anyio import create_event as ${name}`];

const CASES: Array<{ name: string; gen: (n: number) => string; findings: (n: number) => number }> = [
  {
    name: 'one block per name, each name used once',
    gen: (n) => ['import anyio', ...range(n).flatMap((i) => shim(`Ev_${i}`)), '', 'async def main():', ...range(n).map((i) => `    e${i} = Ev_${i}()`), ''].join('\n'),
    findings: (n) => n,
  },
  {
    name: 'the same block repeated, its name used once',
    gen: (n) => ['import anyio', ...range(n).flatMap(() => shim('create_event')), '', 'async def main():', '    event = create_event()', ''].join('\n'),
    findings: (n) => n,
  },
];

function work(text: string, expected: number): WorkCounters {
  resetWorkCounters();
  const findings = analyze(text, { target: 'anyio3' });
  const counters = snapshotWorkCounters();
  assert.equal(findings.filter((f) => f.code === 'ASY603').length, expected);
  return counters;
}

describe('ASY603 scale (work counters at 1× and 8× the number of try/except imports)', function () {
  this.timeout(120_000);
  before(async () => {
    await initEngine();
  });

  for (const c of CASES) {
    it(`analysis is linear: ${c.name}`, () => {
      const n = 64;
      const small = work(c.gen(n), c.findings(n));
      const large = work(c.gen(8 * n), c.findings(8 * n));
      for (const key of Object.keys(small) as Array<keyof WorkCounters>) {
        assert.ok(large[key] <= 10 * small[key] + 200, `${key}: ${small[key]} at 1×, ${large[key]} at 8×`);
      }
      assert.ok(small.lookups > 0 && small.bindingsScanned > 0);
    });
  }
});
