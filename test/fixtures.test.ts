/**
 * The rule fixtures (test/fixtures/<CODE>/<case>.py): for every case,
 *  (a) the set of reported codes is exactly the `# codes:` line;
 *  (b) fix-all gives `<case>.fixed.py` byte for byte (or leaves the input unchanged without one);
 *  (c) invariants: fixing again changes nothing, no new parse errors, fix presence matches the rule's
 *      declared availability, the result is not refused and the fix loop converged;
 *  (d) CPython accepts the output;
 *  (e) runtime truth, when `<case>.out` exists: the engine's output runs on AnyIO 3.6.2 with
 *      `-W error::DeprecationWarning` and prints `.out`. The original prints `.out` on the AnyIO it
 *      is written for: AnyIO 2.2.0 (the default) or, with `# anyio-migrate-test: written-for anyio3`,
 *      3.6.2. An AnyIO 2 original also prints `.out` on 3.6.2 without `-W` (or, with
 *      `# anyio-migrate-test: original-fails-on-3`, fails there);
 *  (f) with `# anyio-migrate-test: target-anyio2+3`, the output prints `.out` on AnyIO 2.2.0 and on
 *      3.6.2 (both with `-W error::DeprecationWarning`), each on asyncio and on trio.
 * Python processes run two at a time (test/support/python.ts); they are started in `before` so
 * they overlap with the in-process checks.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { analyze, countParseErrorsIn, fixAll, initEngine, RULES, ruleByCode } from '../src/engine';
import type { Finding, FixResult } from '../src/core/types';
import { BACKEND_RUNNER, type Fixture, loadFixtures } from './support/fixtures';
import { type AnyioRuntime, checkPythonSyntax, describeRun, installedAnyioVersion, type PythonRun, runPython, runPythonFile, runtimeEnv, type SyntaxCheck } from './support/python';
import { textDiff } from './support/text-diff';

const fixturesByFolder = loadFixtures();
const allFixtures: Fixture[] = [...fixturesByFolder.values()].flat();

/** Generous: python jobs queue behind each other in the two-slot pool. */
const RUNTIME_TEST_TIMEOUT_MS = 300_000;

interface Outcome {
  result?: FixResult;
  error?: unknown;
}

const outcomes = new Map<Fixture, Outcome>();
type Backend = 'asyncio' | 'trio';
/** Where an `anyio2+3` output runs (the first one is the run every `.out` fixture gets). */
const COMPAT_RUNS: ReadonlyArray<readonly [AnyioRuntime, Backend]> = [
  ['anyio3', 'asyncio'],
  ['anyio3', 'trio'],
  ['anyio2', 'asyncio'],
  ['anyio2', 'trio'],
];
const RUNTIME_NAME: Record<AnyioRuntime, string> = { anyio2: 'AnyIO 2.2.0', anyio3: 'AnyIO 3.6.2' };

const engineRuns = new Map<Fixture, Promise<PythonRun>>();
/** Extra runs of an `anyio2+3` output, by `<runtime>/<backend>`. */
const compatRuns = new Map<Fixture, Map<string, Promise<PythonRun>>>();
const originalRuns = new Map<Fixture, Promise<PythonRun>>();
/** AnyIO 2 originals on AnyIO 2.2.0. */
const originalV2Runs = new Map<Fixture, Promise<PythonRun>>();
const syntaxChecks = new Map<Fixture, Promise<SyntaxCheck>>();
let tmpDir: string | undefined;
/** Started first, so it does not wait behind every fixture's runs in the two-slot pool. */
let anyioVersion: Promise<string | undefined> | undefined;

function label(f: Fixture): string {
  return `${f.folder}/${f.name}`;
}

function fixOptions(f: Fixture): { unsafeFixes: boolean; target: 'anyio3' | 'anyio2+3' } {
  return { unsafeFixes: f.directives.unsafeFixes, target: f.directives.target };
}

/** fixAll on the fixture's input, computed once; rethrows the engine's error for each test that needs it. */
function fixResult(f: Fixture): FixResult {
  let outcome = outcomes.get(f);
  if (!outcome) {
    try {
      outcome = { result: fixAll(f.input, fixOptions(f)) };
    } catch (error) {
      outcome = { error };
    }
    outcomes.set(f, outcome);
  }
  if (outcome.error !== undefined) throw outcome.error;
  assert.ok(outcome.result, `${label(f)}: fixAll returned nothing`);
  return outcome.result;
}

/** Run `file` with -W error::DeprecationWarning on `runtime`, its `anyio.run()` on `backend`. */
function runOn(file: string, runtime: AnyioRuntime, backend: Backend, cwd: string): Promise<PythonRun> {
  const args = backend === 'asyncio' ? [file] : [BACKEND_RUNNER, backend, file];
  return runPython(['-W', 'error::DeprecationWarning', ...args], { cwd, env: runtimeEnv(runtime) });
}

/** Keep a promise's rejection for the test that awaits it, without an unhandled-rejection warning. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function startPythonJobs(f: Fixture): void {
  let output: string | undefined;
  try {
    output = fixResult(f).output;
  } catch {
    output = undefined; // the engine threw: the in-process tests report it
  }
  if (output !== undefined) {
    syntaxChecks.set(f, quiet(checkPythonSyntax(Buffer.from(output, 'utf8'))));
    if (f.expectedOut !== undefined) {
      const dir = tmpDir;
      assert.ok(dir, 'temporary directory not created');
      const file = path.join(dir, `${f.folder}__${f.name}.py`);
      fs.writeFileSync(file, Buffer.from(output, 'utf8'));
      engineRuns.set(f, quiet(runPythonFile(file, { warningsAsErrors: true, cwd: dir })));
      if (f.directives.target === 'anyio2+3') {
        const runs = new Map<string, Promise<PythonRun>>();
        for (const [runtime, backend] of COMPAT_RUNS.slice(1)) runs.set(`${runtime}/${backend}`, quiet(runOn(file, runtime, backend, dir)));
        compatRuns.set(f, runs);
      }
    }
  }
  if (f.expectedOut !== undefined || f.directives.originalFailsOn3) {
    originalRuns.set(f, quiet(runPythonFile(f.inputPath, { cwd: tmpDir })));
  }
  if (f.expectedOut !== undefined && f.directives.writtenFor === 'anyio2') {
    originalV2Runs.set(f, quiet(runPythonFile(f.inputPath, { cwd: tmpDir, env: runtimeEnv('anyio2') })));
  }
}

function sortedCodes(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((x) => x.code))].sort();
}

function assertAvailability(findings: readonly Finding[], where: string, target: 'anyio3' | 'anyio2+3' = 'anyio3'): void {
  for (const finding of findings) {
    const rule = ruleByCode(finding.code);
    assert.ok(rule, `${where}: finding with unknown code ${finding.code}`);
    assert.equal(finding.rule, rule.name, `${where}: ${finding.code} reported under the name "${finding.rule}"`);
    const at = `${where}: ${finding.code} at ${finding.start}-${finding.end}`;
    const availability = target === 'anyio2+3' ? (rule.compatFixAvailability ?? rule.fixAvailability) : rule.fixAvailability;
    if (availability === 'always') {
      assert.ok(finding.fix, `${at}: rule declares fixAvailability 'always' but the finding has no fix`);
    }
    if (availability === 'never') {
      assert.equal(finding.fix, undefined, `${at}: rule declares fixAvailability 'never' but the finding has a fix`);
    }
    if (!finding.fix) {
      assert.ok(finding.noFixReason && finding.noFixReason.trim().length > 0, `${at}: a finding without a fix must say why (noFixReason)`);
    }
  }
}

function assertFindingRanges(findings: readonly Finding[], text: string, where: string): void {
  for (const finding of findings) {
    const at = `${where}: ${finding.code} at ${finding.start}-${finding.end}`;
    assert.ok(finding.start >= 0 && finding.start <= finding.end && finding.end <= text.length, `${at}: range out of bounds`);
    assert.ok(finding.message.trim().length > 0, `${at}: empty message`);
    if (!finding.fix) continue;
    const edits = [...finding.fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
    let previousEnd = -1;
    for (const edit of edits) {
      assert.ok(edit.start >= 0 && edit.start <= edit.end && edit.end <= text.length, `${at}: edit out of bounds`);
      assert.ok(edit.start >= previousEnd, `${at}: the fix's edits overlap`);
      previousEnd = edit.end;
    }
  }
}

function assertRunPrints(run: PythonRun, expected: string, what: string): void {
  assert.ok(!run.timedOut, `${what}: timed out`);
  if (run.code !== 0 || run.stdout !== expected) {
    assert.fail(`${what}: ${describeRun(run)}\n` + (run.stdout === expected ? 'stdout as expected' : textDiff(expected, run.stdout, '.out', 'stdout')));
  }
}

describe('rule fixtures', function () {
  before(async function () {
    this.timeout(120_000);
    await initEngine();
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'anyio-migrate-fixtures-'));
    anyioVersion = quiet(installedAnyioVersion());
    for (const f of allFixtures) startPythonJobs(f);
  });

  after(function () {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  describe('fixture set', function () {
    it('has fixtures', function () {
      assert.ok(allFixtures.length > 0, 'no fixtures found');
    });

    it('every rule has a fixture folder with at least one positive case', function () {
      const missing: string[] = [];
      for (const rule of RULES) {
        const cases = fixturesByFolder.get(rule.code) ?? [];
        if (!cases.some((f) => f.directives.codes.includes(rule.code))) missing.push(rule.code);
      }
      assert.deepEqual(missing, [], `rules without a positive fixture in test/fixtures/<CODE>/: ${missing.join(', ')}`);
    });

    it('every folder and every expected code names a rule', function () {
      for (const [folder, cases] of fixturesByFolder) {
        assert.ok(ruleByCode(folder), `test/fixtures/${folder} does not name a rule`);
        for (const f of cases) {
          for (const code of f.directives.codes) assert.ok(ruleByCode(code), `${label(f)}: unknown code ${code} in "# codes:"`);
        }
      }
    });

    it('a case with a .fixed.py expects findings, and its .fixed.py differs from the input', function () {
      for (const f of allFixtures) {
        if (f.expectedFixed === undefined) continue;
        assert.ok(f.directives.codes.length > 0, `${label(f)}: has a .fixed.py but "# codes:" is empty`);
        assert.notEqual(f.expectedFixed, f.input, `${label(f)}: .fixed.py is identical to the input (delete it instead)`);
      }
    });

    it('runnable fixtures are mostly AnyIO 2 programs, and every anyio2+3 one has an .out', function () {
      const runnable = allFixtures.filter((f) => f.expectedOut !== undefined);
      const v2 = runnable.filter((f) => f.directives.writtenFor === 'anyio2');
      assert.ok(v2.length >= 60, `only ${v2.length} of ${runnable.length} runnable fixtures are AnyIO 2 programs`);
      const notRunnable = allFixtures.filter((f) => f.directives.target === 'anyio2+3' && f.expectedOut === undefined && f.directives.codes.length > 0);
      // A case without a cross-version form keeps AnyIO 2 code that AnyIO 3 rejects: it cannot have an .out.
      for (const f of notRunnable) {
        const { remaining } = fixResult(f);
        assert.ok(remaining.length > 0, `${label(f)}: every finding has a cross-version fix: add <case>.out so it runs on AnyIO 2 and 3`);
      }
    });

    it('CPython with AnyIO 3.x is available for the runtime checks', async function () {
      this.timeout(RUNTIME_TEST_TIMEOUT_MS);
      assert.ok(anyioVersion, 'the version check was not started');
      const version = await anyioVersion;
      assert.ok(version, 'python3 with anyio is needed (Debian: apt-get install python3-anyio python3-trio python3-pytest)');
      assert.match(version, /^3\./, `the runtime checks expect AnyIO 3.x, found ${version}`);
    });
  });

  for (const [folder, cases] of fixturesByFolder) {
    describe(folder, function () {
      for (const f of cases) {
        describe(f.name, function () {
          it(`reports exactly: ${f.directives.codes.join(' ') || '(nothing)'}`, function () {
            const findings = analyze(f.input, fixOptions(f));
            assertFindingRanges(findings, f.input, label(f));
            assert.deepEqual(sortedCodes(findings), f.directives.codes);
          });

          it(f.expectedFixed === undefined ? 'fix-all leaves the file unchanged' : 'fix-all gives <case>.fixed.py exactly', function () {
            const { output } = fixResult(f);
            const expected = f.expectedFixed ?? f.input;
            if (output !== expected) {
              assert.fail(`${label(f)}: fix-all output differs\n${textDiff(expected, output, f.expectedFixed === undefined ? 'input' : '.fixed.py', 'engine')}`);
            }
          });

          it('fix invariants: converged, idempotent, no new parse errors, availability as declared', function () {
            const result = fixResult(f);
            assert.equal(result.refused, undefined, `${label(f)}: fix-all refused: ${result.refused ?? ''}`);
            assert.equal(result.capped, false, `${label(f)}: fix-all did not reach a fixpoint`);
            const again = fixAll(result.output, fixOptions(f));
            if (again.output !== result.output) {
              assert.fail(`${label(f)}: fixing the output again changes it\n${textDiff(result.output, again.output, 'first', 'second')}`);
            }
            assert.equal(again.applied.length, 0, `${label(f)}: the second fix-all applied ${again.applied.length} fix(es)`);
            const before = countParseErrorsIn(f.input);
            const afterCount = countParseErrorsIn(result.output);
            assert.ok(afterCount <= before, `${label(f)}: parse errors went from ${before} to ${afterCount}`);
            const inputFindings = analyze(f.input, fixOptions(f));
            assertAvailability(inputFindings, `${label(f)} (input)`, f.directives.target);
            assertAvailability(result.remaining, `${label(f)} (remaining)`, f.directives.target);
            assertFindingRanges(result.remaining, result.output, `${label(f)} (remaining)`);
            if (inputFindings.length > 0 && f.expectedFixed !== undefined) {
              assert.ok(result.applied.length > 0, `${label(f)}: findings and an expected fix, but nothing was applied`);
            }
          });

          it('CPython parses the fix-all output', async function () {
            this.timeout(RUNTIME_TEST_TIMEOUT_MS);
            fixResult(f);
            const check = syntaxChecks.get(f);
            assert.ok(check, `${label(f)}: syntax check was not started`);
            const { ok, message } = await check;
            assert.ok(ok, `${label(f)}: CPython rejects the output:\n${message}`);
          });

          const expectedOut = f.expectedOut;
          if (expectedOut !== undefined) {
            it('the fix-all output runs with -W error::DeprecationWarning and prints <case>.out', async function () {
              this.timeout(RUNTIME_TEST_TIMEOUT_MS);
              fixResult(f);
              const run = engineRuns.get(f);
              assert.ok(run, `${label(f)}: the run was not started`);
              assertRunPrints(await run, expectedOut, `${label(f)} (engine output, -W error::DeprecationWarning)`);
            });
          }

          if (expectedOut !== undefined && f.directives.target === 'anyio2+3') {
            for (const [runtime, backend] of COMPAT_RUNS.slice(1)) {
              it(`the anyio2+3 output prints <case>.out on ${RUNTIME_NAME[runtime]} (${backend}, -W error::DeprecationWarning)`, async function () {
                this.timeout(RUNTIME_TEST_TIMEOUT_MS);
                fixResult(f);
                const run = compatRuns.get(f)?.get(`${runtime}/${backend}`);
                assert.ok(run, `${label(f)}: the run was not started`);
                assertRunPrints(await run, expectedOut, `${label(f)} (anyio2+3 output on ${RUNTIME_NAME[runtime]}, ${backend})`);
              });
            }
          }

          if (expectedOut !== undefined && f.directives.writtenFor === 'anyio2') {
            it('the original (AnyIO 2 code) runs on AnyIO 2.2.0 and prints <case>.out', async function () {
              this.timeout(RUNTIME_TEST_TIMEOUT_MS);
              const run = originalV2Runs.get(f);
              assert.ok(run, `${label(f)}: the run was not started`);
              assertRunPrints(await run, expectedOut, `${label(f)} (original on AnyIO 2.2.0; if it is AnyIO 3 code, mark it "# anyio-migrate-test: written-for anyio3")`);
            });
          }

          if (f.directives.originalFailsOn3) {
            it('the original fails on AnyIO 3.6.2 (breaking change)', async function () {
              this.timeout(RUNTIME_TEST_TIMEOUT_MS);
              const run = originalRuns.get(f);
              assert.ok(run, `${label(f)}: the run was not started`);
              const result = await run;
              assert.ok(!result.timedOut, `${label(f)}: original timed out`);
              const same = result.code === 0 && (expectedOut === undefined || result.stdout === expectedOut);
              assert.ok(!same, `${label(f)}: marked original-fails-on-3 but runs fine on AnyIO 3.6.2`);
            });
          } else if (expectedOut !== undefined) {
            it(`the original${f.directives.writtenFor === 'anyio3' ? ' (AnyIO 3 code)' : ''} runs on AnyIO 3.6.2 and prints <case>.out`, async function () {
              this.timeout(RUNTIME_TEST_TIMEOUT_MS);
              const run = originalRuns.get(f);
              assert.ok(run, `${label(f)}: the run was not started`);
              assertRunPrints(await run, expectedOut, `${label(f)} (original)`);
            });
          }
        });
      }
    });
  }
});
