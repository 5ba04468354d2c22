/**
 * Multi-module fixtures (test/project-fixtures/<case>/): a project in `before/`, the project after
 * `fix` (safe fixes, the whole project indexed) in `after/`. For every case:
 *  (a) the findings of every module of `before/` are exactly `findings.txt`
 *      (`path:line CODE safe|unsafe|nofix`, sorted), so the three answers — proven (safe fix),
 *      unknown (unsafe fix or no fix), proven not AnyIO (nothing) — are pinned down site by site;
 *  (b) fixing every module with the project index gives `after/` byte for byte (it holds the whole
 *      project, changed or not), with no new parse errors;
 *  (c) fixing `after/` again (re-indexed) changes nothing;
 *  (d) runtime truth, when `before/main.py` exists: it prints `expected.out` on AnyIO 2.2.0, and
 *      `after/main.py` prints the same on AnyIO 3.6.2 with `-W error::DeprecationWarning`.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { analyze, countParseErrorsIn, fixAll, initEngine } from '../src/engine';
import { contextFor, indexSelected, ProjectIndex, type SourceFile } from '../src/core/semantic/index';
import type { Finding } from '../src/core/types';
import { setPrefiltersEnabled } from '../src/core/prefilters';
import { describeRun, runPythonFile, runtimeEnv } from './support/python';

const ROOT = path.join(__dirname, '..', '..', 'test', 'project-fixtures');

function readTree(dir: string): SourceFile[] {
  if (!fs.existsSync(dir)) return [];
  const out: SourceFile[] = [];
  for (const rel of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    if (!rel.endsWith('.py')) continue;
    out.push({ path: rel.split(path.sep).join('/'), text: fs.readFileSync(path.join(dir, rel), 'utf8') });
  }
  return out;
}

/** Indexed as the CLI and the server do: AnyIO-related modules only, parsed or scanned. */
function indexOf(files: readonly SourceFile[]): ProjectIndex {
  const index = new ProjectIndex();
  indexSelected(index, files);
  return index;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function describe_(f: Finding, file: SourceFile): string {
  const how = f.fix ? f.fix.applicability : 'nofix';
  return `${file.path}:${lineOf(file.text, f.start)} ${f.code} ${how}`;
}

const cases = fs.existsSync(ROOT)
  ? fs
      .readdirSync(ROOT)
      .filter((c) => fs.statSync(path.join(ROOT, c)).isDirectory())
      .sort()
  : [];

describe('project fixtures (multi-module)', function () {
  this.timeout(120_000);
  before(() => initEngine());

  it('has cases', () => assert.ok(cases.length >= 5, `${cases.length} cases`));

  for (const name of cases) {
    describe(name, () => {
      const dir = path.join(ROOT, name);
      const before = readTree(path.join(dir, 'before'));
      const after = new Map(readTree(path.join(dir, 'after')).map((f) => [f.path, f.text]));

      it('reports exactly findings.txt, with the text prefilters on and off', () => {
        const index = indexOf(before);
        const want = fs
          .readFileSync(path.join(dir, 'findings.txt'), 'utf8')
          .split('\n')
          .map((l) => l.replace(/\s+#.*$/, '').trim())
          .filter((l) => l && !l.startsWith('#'));
        for (const prefilters of [true, false]) {
          setPrefiltersEnabled(prefilters);
          try {
            const got: string[] = [];
            for (const f of before) {
              for (const finding of analyze(f.text, { project: contextFor(index, f.path) })) got.push(describe_(finding, f));
            }
            assert.deepEqual(got.sort(), want.sort(), `prefilters ${prefilters ? 'on' : 'off'}`);
          } finally {
            setPrefiltersEnabled(true);
          }
        }
      });

      it('fixes to after/ exactly, and fixing again changes nothing', () => {
        const index = indexOf(before);
        const fixed: SourceFile[] = [];
        for (const f of before) {
          const r = fixAll(f.text, { project: contextFor(index, f.path) });
          assert.equal(r.refused, undefined, f.path);
          assert.equal(r.capped, false, f.path);
          assert.ok(countParseErrorsIn(r.output) <= countParseErrorsIn(f.text), `${f.path}: new parse errors`);
          assert.ok(after.has(f.path), `after/${f.path} is missing (after/ holds the whole project)`);
          assert.equal(r.output, after.get(f.path), `${f.path} after fix`);
          fixed.push({ path: f.path, text: r.output });
        }
        const again = indexOf(fixed);
        for (const f of fixed) assert.equal(fixAll(f.text, { project: contextFor(again, f.path) }).output, f.text, `${f.path}: fixing again`);
      });

      if (fs.existsSync(path.join(dir, 'before', 'main.py'))) {
        it('runs: the original on AnyIO 2.2.0 and the result on AnyIO 3.6.2 print expected.out', async () => {
          const expected = fs.readFileSync(path.join(dir, 'expected.out'), 'utf8');
          const v2 = await runPythonFile('main.py', { cwd: path.join(dir, 'before'), env: runtimeEnv('anyio2') });
          assert.equal(v2.code, 0, describeRun(v2));
          assert.equal(v2.stdout, expected, 'original on AnyIO 2.2.0');
          const v3 = await runPythonFile('main.py', { cwd: path.join(dir, 'after'), warningsAsErrors: true });
          assert.equal(v3.code, 0, describeRun(v3));
          assert.equal(v3.stdout, expected, 'result on AnyIO 3.6.2');
        });
      }
    });
  }
});
