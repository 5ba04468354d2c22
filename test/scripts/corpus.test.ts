import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// The pure part of `npm run corpus` (scripts/corpus-lib.mjs), on a synthetic corpus written here.

interface Fate {
  kind: 'kept' | 'changed' | 'deleted';
  lines?: string[];
}
interface Site {
  line: number;
  kind: 'line' | 'insert';
  v2: string | null;
  human: string | null;
  ours: string | null;
  cls: string;
  findings?: string[];
}
interface Lib {
  splitLines(text: string): string[];
  diffMatches(a: string[], b: string[]): Array<[number, number]>;
  lineFates(a: string[], b: string[]): { fates: Fate[]; inserts: Array<{ gap: number; line: string }> };
  isRelevant(text: string | null): boolean;
  compareFile(v2: string, human: string | null, ours: string, oursFindings?: Array<{ line: number; code: string }>): Site[];
  countSites(sites: Site[]): Record<string, number>;
  countFindings(findings: Array<{ code: string; fix: { applicability: string } | null }>): {
    total: number;
    safe: number;
    unsafe: number;
    noFix: number;
    byCode: Record<string, { total: number; safe: number; unsafe: number; noFix: number }>;
  };
  humanOrder(readme: string, project: string, folders: string[]): string[];
  humansForTarget(ordered: string[], target: string): string[];
  renderTable(rows: unknown[]): string;
}

const root = path.join(__dirname, '..', '..', '..');
let lib: Lib;

/** Length of a longest common subsequence, by the plain O(NM) table. */
function lcs(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    prev = cur;
  }
  return prev[b.length]!;
}

describe('corpus measurement (scripts/corpus-lib.mjs)', () => {
  before(async () => {
    lib = (await import(pathToFileURL(path.join(root, 'scripts', 'corpus-lib.mjs')).href)) as Lib;
  });

  it('splitLines normalises line ends and ignores the final one', () => {
    assert.deepEqual(lib.splitLines('a\r\nb\rc\n'), ['a', 'b', 'c']);
    assert.deepEqual(lib.splitLines(''), []);
    assert.deepEqual(lib.splitLines('\n'), ['']);
  });

  it('the Myers diff matches a longest common subsequence (seeded random sequences)', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: rnd(25) }, () => 'abcde'[rnd(5)]!);
      const b = Array.from({ length: rnd(25) }, () => 'abcde'[rnd(5)]!);
      const m = lib.diffMatches(a, b);
      assert.equal(m.length, lcs(a, b), `${a.join('')} / ${b.join('')}`);
      m.forEach(([i, j], k) => {
        assert.equal(a[i], b[j]);
        if (k > 0) {
          assert.ok(i > m[k - 1]![0] && j > m[k - 1]![1], 'matches strictly increase');
        }
      });
    }
  });

  it('lineFates: changed lines, a deleted line, a rewrite too different to pair, and insertions (also next to a changed line)', () => {
    const v2 = ['import anyio', 'a = 1', 'await tg.spawn(f)', 'b = 2', 'x = await anyio.current_time()', 'end', 'await evt.set()', 'tail'];
    const ne = ['import anyio', 'import anyio.to_thread', 'a = 1', 'tg.start_soon(f)', 'x = anyio.current_time()', 'y = x', 'end', 'task_status.started(scope)', 'tail'];
    const { fates, inserts } = lib.lineFates(v2, ne);
    assert.deepEqual(fates, [
      { kind: 'kept' },
      { kind: 'kept' },
      { kind: 'changed', lines: ['tg.start_soon(f)'] },
      { kind: 'deleted' },
      { kind: 'changed', lines: ['x = anyio.current_time()'] },
      { kind: 'kept' },
      { kind: 'changed', lines: ['task_status.started(scope)'] },
      { kind: 'kept' },
    ]);
    assert.deepEqual(inserts, [
      { gap: 1, line: 'import anyio.to_thread' },
      { gap: 5, line: 'y = x' },
    ]);
  });

  it('isRelevant: AnyIO names and AnyIO method calls, not version requirements or unrelated lines', () => {
    for (const t of ['import anyio', 'evt = create_event()', 'await tg.spawn(f)', 'await lock.release()', 'backends = ["asyncio", "curio"]', 'r = inspect.iscoroutine(r)']) {
      assert.equal(lib.isRelevant(t), true, t);
    }
    for (const t of ['install_requires=["anyio >= 2.0"],', 'VERSION = "1.0"', 'settings = {}', 'self.cancelled = True', 'x.setdefault(k, v)']) {
      assert.equal(lib.isRelevant(t), false, t);
    }
  });

  it('compareFile classifies each site exactly: same, differs, missed by us, ours only', () => {
    const v2 = [
      'import anyio',
      'from anyio import create_event',
      'VERSION = "1.0"',
      'REQUIRES = ["anyio >= 2"]',
      'async def main(thing):',
      '    evt = create_event()',
      '    async with anyio.create_task_group() as tg:',
      '        await tg.spawn(worker, evt)',
      '        await tg.spawn(other)',
      '    await thing.set()',
      '    async with anyio.move_on_after(1):',
      '        pass',
      '    await anyio.run_sync_in_worker_thread(f)',
      '',
    ].join('\n');
    const human = [
      'import anyio',
      'import anyio.to_thread',
      'from anyio import Event',
      'VERSION = "1.1"',
      'REQUIRES = ["anyio >= 3"]',
      'async def main(thing):',
      '    evt = Event()',
      '    async with anyio.create_task_group() as tg:',
      '        tg.start_soon(worker, evt)',
      '        tg.spawn(other)',
      '    thing.set()',
      '    async with anyio.move_on_after(1):',
      '        pass',
      '    await to_thread.run_sync(f)',
      '',
    ].join('\n');
    const ours = [
      'import anyio',
      'from anyio import Event',
      'import anyio.to_thread',
      'VERSION = "1.0"',
      'REQUIRES = ["anyio >= 2"]',
      'async def main(thing):',
      '    evt = Event()',
      '    async with anyio.create_task_group() as tg:',
      '        tg.start_soon(worker,  evt)   ',
      '        tg.start_soon(other)',
      '    await thing.set()',
      '    with anyio.move_on_after(1):',
      '        pass',
      '    await anyio.to_thread.run_sync(f)',
      '',
    ].join('\n');
    const sites = lib.compareFile(v2, human, ours);
    assert.deepEqual(
      sites.map((s) => [s.line, s.kind, s.cls]),
      [
        [2, 'line', 'same'],
        [2, 'insert', 'same'], // the same import, inserted one line apart
        [6, 'line', 'same'],
        [8, 'line', 'same'], // blanks differ only
        [9, 'line', 'differs'],
        [10, 'line', 'missed'],
        [11, 'line', 'ours-only'],
        [13, 'line', 'differs'],
      ],
    );
    const missed = sites.find((s) => s.cls === 'missed')!;
    assert.deepEqual([missed.v2, missed.human, missed.ours, missed.findings], ['    await thing.set()', '    thing.set()', '    await thing.set()', []]);
    assert.deepEqual(lib.countSites(sites), { same: 4, differs: 2, missed: 1, 'ours-only': 1, ours: 0, missedSilent: 1 });
    // A finding on that line of our result (line 11: our inserted import shifted it by one) makes the miss not silent;
    // one on the v2 line number (10) is on another line of our result and does not count.
    const reported = lib.compareFile(v2, human, ours, [
      { line: 11, code: 'ASY102' },
      { line: 10, code: 'ASY301' },
      { line: 11, code: 'ASY102' },
    ]);
    assert.deepEqual(reported.find((s) => s.cls === 'missed')!.findings, ['ASY102']);
    assert.equal(lib.countSites(reported).missedSilent, 0);
  });

  it('compareFile: insertions at the same place that differ, and sites of a project with no human migration', () => {
    const v2 = 'import anyio\nasync def f():\n    await anyio.run_sync_in_worker_thread(g)\n';
    const human = 'import anyio\nfrom anyio import to_thread\nasync def f():\n    await to_thread.run_sync(g)\n';
    const ours = 'import anyio\nimport anyio.to_thread\nasync def f():\n    await anyio.to_thread.run_sync(g)\n';
    assert.deepEqual(
      lib.compareFile(v2, human, ours).map((s) => [s.line, s.kind, s.cls, s.human, s.ours]),
      [
        [2, 'insert', 'differs', 'from anyio import to_thread', 'import anyio.to_thread'],
        [3, 'line', 'differs', '    await to_thread.run_sync(g)', '    await anyio.to_thread.run_sync(g)'],
      ],
    );
    assert.deepEqual(
      lib.compareFile(v2, null, ours).map((s) => [s.line, s.kind, s.cls]),
      [
        [2, 'insert', 'ours'],
        [3, 'line', 'ours'],
      ],
    );
    assert.deepEqual(lib.compareFile(v2, v2, v2), []);
  });

  it('countFindings counts by applicability and rule code', () => {
    const c = lib.countFindings([
      { code: 'ASY102', fix: { applicability: 'unsafe' } },
      { code: 'ASY101', fix: null },
      { code: 'ASY102', fix: { applicability: 'safe' } },
    ]);
    assert.deepEqual(c, {
      total: 3,
      safe: 1,
      unsafe: 1,
      noFix: 1,
      byCode: { ASY101: { total: 1, safe: 0, unsafe: 0, noFix: 1 }, ASY102: { total: 2, safe: 1, unsafe: 1, noFix: 0 } },
    });
  });

  it('human folders follow the README order and the target', () => {
    const readme = [
      '| project | upstream | v2 | human | notes |',
      '|---|---|---|---|---|',
      '| alpha | x/alpha | abc | `human-v3-rc` 1, `human-v3-late` 2 | mentions `human-v2+3` elsewhere? no |',
      '| beta | x/beta | def | `human-v3` 1, `human-v2+3` 2 | |',
    ].join('\n');
    const alpha = lib.humanOrder(readme, 'alpha', ['v2', 'human-v3-late', 'human-v3-extra', 'human-v3-rc']);
    assert.deepEqual(alpha, ['human-v3-rc', 'human-v3-late', 'human-v3-extra']);
    const beta = lib.humanOrder(readme, 'beta', ['human-v2+3', 'human-v3', 'v2']);
    assert.deepEqual(beta, ['human-v3', 'human-v2+3']);
    assert.deepEqual(lib.humansForTarget(beta, 'anyio3'), ['human-v3']);
    assert.deepEqual(lib.humansForTarget(beta, 'anyio2+3'), ['human-v2+3']);
    assert.deepEqual(lib.humansForTarget(alpha, 'anyio2+3'), []);
  });

  it('renderTable prints one row per result, with dashes where there is no human migration', () => {
    const findings = { total: 2, safe: 0, unsafe: 1, noFix: 1, byCode: {} };
    const table = lib.renderTable([
      {
        project: 'alpha',
        human: 'human-v3',
        files: 3,
        oursChanged: 5,
        humanChanged: 6,
        counts: { same: 4, differs: 1, missed: 3, 'ours-only': 0, ours: 0, missedSilent: 2 },
        findings,
        humanFindings: findings,
        seconds: 0.5,
      },
      {
        project: 'gamma',
        human: null,
        files: 2,
        oursChanged: 1,
        humanChanged: 0,
        counts: { same: 0, differs: 0, missed: 0, 'ours-only': 0, ours: 1, missedSilent: 0 },
        findings,
        humanFindings: null,
        seconds: 1,
      },
    ]);
    const rows = table.split('\n').slice(2);
    assert.deepEqual(rows, [
      '| alpha | human-v3 | 3 | 5 | 6 | 4 | 1 | 3 (2) | 0 | 2 (0/1/1) | 2 (0/1/1) | 0.50 s |',
      '| gamma | – | 2 | 1 | – | – | – | – | – | 2 (0/1/1) | – | 1.00 s |',
    ]);
  });
});
