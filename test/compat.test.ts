/**
 * Migration targets over every runnable fixture:
 * - `anyio2+3` form: parses, is stable, and (when every finding had a cross-version fix) runs on
 *   AnyIO 3.6.2 under `-W error::DeprecationWarning` printing the expected output;
 * - for an AnyIO 2 original (the default; see test/fixtures/README.md), the `anyio2+3` form also runs
 *   on AnyIO 2.2.0 (vendored in test/runtimes, `-W error::DeprecationWarning`) and prints the same
 *   output: the cross-version forms must really work on AnyIO 2. A finding left without a
 *   cross-version form keeps its AnyIO 2 code, which still runs there;
 * - round trip: v2 → `anyio2+3` → `anyio3` equals v2 → `anyio3` up to import order (and one
 *   documented exception), and runs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { countParseErrorsIn, fixAll, initEngine } from '../src/engine';
import { type Fixture, loadFixtures } from './support/fixtures';
import { type PythonRun, runPythonFile, runtimeEnv } from './support/python';
import { textDiff } from './support/text-diff';

/** Sort the names of each `from X import a, b` line: "up to import order". */
function normaliseImports(text: string): string {
  return text.replace(
    /^(\s*from\s+\S+\s+import\s+)([^()\n]+)$/gm,
    (_m, head: string, names: string) =>
      head +
      names
        .split(',')
        .map((n) => n.trim())
        .sort()
        .join(', '),
  );
}

/**
 * The one expected difference: AnyIO 2's `create_semaphore(value)` and AnyIO 3's
 * `Semaphore(initial_value)` disagree on the keyword, so the cross-version form passes the value
 * positionally, and the clean-up cannot know the keyword was there.
 */
function withoutSemaphoreKeyword(text: string): string {
  return text.replace(/\binitial_value=/g, '');
}

const fixtures: Fixture[] = [...loadFixtures().values()].flat().filter((f) => f.expectedOut !== undefined && f.directives.target === 'anyio3');

describe('migration targets (anyio2+3 and the clean-up round trip)', function () {
  this.timeout(180_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-compat-'));
  const runs = new Map<string, Promise<PythonRun>>();
  const results = new Map<string, { v3: string; compat: string; compatComplete: boolean; roundTrip: string }>();

  before(async () => {
    await initEngine();
    for (const f of fixtures) {
      const opts = { unsafeFixes: f.directives.unsafeFixes };
      const v3 = fixAll(f.input, opts).output;
      const c = fixAll(f.input, { ...opts, target: 'anyio2+3' });
      const roundTrip = fixAll(c.output, opts).output;
      const key = `${f.folder}/${f.name}`;
      // Complete when no finding is left: every one got its cross-version form.
      const compatComplete = c.remaining.length === 0;
      results.set(key, { v3, compat: c.output, compatComplete, roundTrip });
      const file = (suffix: string, text: string) => {
        const p = path.join(tmp, `${f.folder}__${f.name}.${suffix}.py`);
        fs.writeFileSync(p, text);
        return p;
      };
      const compatFile = file('compat', c.output);
      if (compatComplete) runs.set(`${key}#compat`, runPythonFile(compatFile, { warningsAsErrors: true, cwd: tmp }));
      if (f.directives.writtenFor === 'anyio2') {
        runs.set(`${key}#compat-anyio2`, runPythonFile(compatFile, { warningsAsErrors: true, cwd: tmp, env: runtimeEnv('anyio2') }));
      }
      runs.set(`${key}#roundtrip`, runPythonFile(file('roundtrip', roundTrip), { warningsAsErrors: true, cwd: tmp }));
    }
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('covers the runnable fixtures', () => {
    assert.ok(fixtures.length >= 80, `only ${fixtures.length} runnable fixtures`);
    const v2 = fixtures.filter((f) => f.directives.writtenFor === 'anyio2').length;
    assert.ok(v2 >= 60, `only ${v2} runnable AnyIO 2 fixtures`);
  });

  for (const f of fixtures) {
    const key = `${f.folder}/${f.name}`;
    describe(key, () => {
      it('anyio2+3 form: no new parse errors, and fixing again changes nothing', () => {
        const r = results.get(key)!;
        assert.ok(countParseErrorsIn(r.compat) <= countParseErrorsIn(f.input));
        assert.equal(fixAll(r.compat, { unsafeFixes: f.directives.unsafeFixes, target: 'anyio2+3' }).output, r.compat);
      });

      it('anyio2+3 form runs on AnyIO 3.6.2 with -W error::DeprecationWarning (when every finding has a cross-version form)', async function () {
        const r = results.get(key)!;
        if (!r.compatComplete) {
          // A finding without a cross-version form (e.g. receive_nowait) stays, by design: the
          // program keeps its AnyIO 2 code there, which AnyIO 3 rejects under -W error.
          const remaining = fixAll(f.input, { unsafeFixes: f.directives.unsafeFixes, target: 'anyio2+3' }).remaining;
          assert.ok(remaining.length > 0 && remaining.every((x) => x.noFixReason || x.fix?.applicability === 'unsafe'));
          this.skip();
        }
        const run = await runs.get(`${key}#compat`)!;
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, f.expectedOut);
      });

      if (f.directives.writtenFor === 'anyio2') {
        it('anyio2+3 form runs on AnyIO 2.2.0 with -W error::DeprecationWarning and prints the same output', async () => {
          const run = await runs.get(`${key}#compat-anyio2`)!;
          assert.equal(run.code, 0, run.stderr);
          assert.equal(run.stdout, f.expectedOut);
        });
      }

      it('round trip: v2 → anyio2+3 → anyio3 equals v2 → anyio3 (up to import order) and runs', async () => {
        const r = results.get(key)!;
        const expected = withoutSemaphoreKeyword(normaliseImports(r.v3));
        const actual = withoutSemaphoreKeyword(normaliseImports(r.roundTrip));
        assert.equal(actual, expected, textDiff(expected, actual, 'v2 → anyio3', 'v2 → anyio2+3 → anyio3'));
        const run = await runs.get(`${key}#roundtrip`)!;
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, f.expectedOut);
      });
    });
  }
});
