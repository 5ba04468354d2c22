/**
 * The short, seeded differential runtime fuzz run of the test command (./runtime-grammar.ts,
 * ./runtime-runner.ts): generated AnyIO 2 programs run on AnyIO 2.2.0, their migrations on 3.6.2
 * with `-W error::DeprecationWarning`, on asyncio and trio; every program must print the same.
 *
 * `npm run fuzz:runtime -- --seed S --count N` runs the same check on more programs, with
 * minimisation of each failure.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initEngine } from '../../src/engine';
import { generateProgram, generatePrograms, renderModule, renderProgram } from './runtime-grammar';
import { checkBatch, type Difference, engineMigrate, isBrokenOriginal, type Migrate, type ModeName } from './runtime-runner';

const QUICK_SEED = 20261201;
const QUICK_PROGRAMS = 32;
/**
 * The modes of the quick run: plain AnyIO 3 (safe fixes, and unsafe fixes on programs without
 * look-alikes) and `anyio2+3`, whose output must print the same on AnyIO 2.2.0 and 3.6.2.
 * `npm run fuzz:runtime` runs every mode.
 */
const QUICK_MODES: ModeName[] = ['anyio3', 'anyio3-unsafe', 'anyio2+3'];

function describeDifferences(ds: readonly Difference[]): string {
  return ds
    .map(
      (d) =>
        `${d.program}@${d.backend} (${d.mode} on ${d.runtime}):\n--- program\n${d.programText}--- after the fixes\n${d.migratedText}--- original output\n${d.original}\n--- migrated output\n${d.migrated}`,
    )
    .join('\n\n');
}

describe('differential runtime fuzz (AnyIO 2.2.0 original vs. migration on 3.6.2)', function () {
  this.timeout(240_000);
  let dir: string;

  before(async () => {
    await initEngine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-runtime-fuzz-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('generates the same programs for the same seed; program i is the same alone or within a range', () => {
    const a = generatePrograms(QUICK_SEED, 0, 12);
    assert.deepEqual(generatePrograms(QUICK_SEED, 0, 12), a);
    assert.deepEqual(generateProgram(QUICK_SEED, 7), a[7]);
    assert.notDeepEqual(generatePrograms(QUICK_SEED + 1, 0, 12).map(renderProgram), a.map(renderProgram));
    // Every name a program defines carries its index: programs can share a module.
    const text = renderModule(a);
    for (const p of a) assert.equal(text.split(`async def prog_${p.index}(`).length, 2);
  });

  it(`the ${QUICK_PROGRAMS} quick programs cover the grammar`, () => {
    const programs = generatePrograms(QUICK_SEED, 0, QUICK_PROGRAMS);
    const features = new Set(programs.flatMap((p) => p.features));
    const want = ['event', 'event-waiter', 'lock', 'spawn', 'memory-stream', 'lookalike-object'];
    for (const f of want) assert.ok(features.has(f), `no "${f}" snippet in the quick programs`);
    const prefixes = ['condition-', 'semaphore', 'limiter-', 'scope-', 'now-', 'thread-', 'compat-', 'lookalike-'];
    for (const p of prefixes)
      assert.ok(
        [...features].some((f) => f.startsWith(p)),
        `no "${p}*" snippet in the quick programs`,
      );
    assert.ok(programs.some((p) => p.lookalike) && programs.some((p) => !p.lookalike), 'programs with and without look-alikes');
    assert.ok(features.size >= 25, `only ${features.size} kinds of snippet: ${[...features].sort().join(', ')}`);
  });

  it(`${QUICK_PROGRAMS} programs (seed ${QUICK_SEED}): each original runs on 2.2.0 and each migration prints the same on 3.6.2, asyncio and trio (${QUICK_MODES.join(', ')})`, async () => {
    const programs = generatePrograms(QUICK_SEED, 0, QUICK_PROGRAMS);
    const started = Date.now();
    const r = await checkBatch(programs, { dir, modes: QUICK_MODES });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const compared = Object.values(r.modes).reduce((a, s) => a + s.compared, 0);
    console.log(
      `      runtime fuzz: ${programs.length} programs, ${compared} comparisons, ${r.failures.length} failures, ${r.expected.length} expected differences (finding left: ${[...new Set(r.expected.flatMap((d) => d.remaining))].sort().join(' ') || '-'}), ${seconds} s`,
    );
    assert.deepEqual(r.originalErrors, [], 'generated originals that do not run cleanly on AnyIO 2.2.0 (a generator bug)');
    for (const p of programs) for (const b of ['asyncio', 'trio'] as const) assert.ok(!isBrokenOriginal(r.originalOutputs.get(`${p.id}@${b}`)));
    assert.equal(
      r.failures.length,
      0,
      `behaviour changed by the migration:\n${describeDifferences(r.failures)}\nReplay: npm run fuzz:runtime -- --seed ${QUICK_SEED} --count ${QUICK_PROGRAMS}`,
    );
    for (const d of r.expected) assert.ok(d.remaining.length > 0);
    // The comparisons are not vacuous: most programs were changed by the fixes and compared.
    const safe = r.modes.anyio3!;
    assert.ok(safe.migratedPrograms >= programs.length * 0.9, `only ${safe.migratedPrograms} programs changed by the safe fixes`);
    assert.ok(safe.compared >= programs.length * 2 * 0.7, `only ${safe.compared} safe-mode comparisons`);
    assert.ok(r.modes['anyio3-unsafe']!.compared >= programs.filter((p) => !p.lookalike).length, 'unsafe mode compares the programs without look-alikes');
  });

  it('catches a migration that changes behaviour (a wrong fix: `await tg.spawn(...)` → `tg.spawn(...)`, the task never runs, row D1)', async () => {
    const programs = generatePrograms(QUICK_SEED, 0, QUICK_PROGRAMS)
      .filter((p) => p.features.includes('spawn') && !p.lookalike)
      .slice(0, 3);
    assert.ok(programs.length > 0);
    // The engine's migration, then `tg.start_soon(...)` spelled back as an un-awaited `tg.spawn(...)`.
    const wrong: Migrate = (text, mode) => {
      const fix = engineMigrate(text, mode);
      return { ...fix, output: fix.output.replace(/(\w+)\.start_soon\(/g, '$1.spawn('), remaining: [] };
    };
    const r = await checkBatch(programs, { dir, modes: ['anyio3'], migrate: wrong });
    assert.equal(r.originalErrors.length, 0);
    const caught = new Set(r.failures.map((d) => d.program));
    assert.deepEqual([...caught].sort(), programs.map((p) => p.id).sort(), describeDifferences(r.failures));
  });
});
