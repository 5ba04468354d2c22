/**
 * CPython as the oracle for the engine's output: tree-sitter forgives syntax errors CPython does
 * not, so every text `fixAll` changes must still compile with `/usr/bin/python3` (bytes through
 * `compile(..., 'exec')`, never executed), over the fixtures and the standard library.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyze, fixAll, initEngine } from '../../src/engine';
import { CPythonOracle } from './cpython';
import { allFixtures, anyio2Snippets, FIX_MODES, appendSnippet, readUtf8, sampleEvery, STDLIB_ROOT, stdlibFiles, withAnyioImport } from './corpus';

function excerpt(text: string, message: string): string {
  const m = /line (\d+)/.exec(message);
  if (!m) return '';
  const line = Number(m[1]);
  const lines = text.split('\n');
  return lines
    .slice(Math.max(0, line - 3), line + 2)
    .map((l, i) => `${String(Math.max(0, line - 3) + i + 1).padStart(5)}| ${l}`)
    .join('\n');
}

const fixtures = allFixtures();
const stdlib = stdlibFiles();
// Every other file of the sorted list: a deterministic half of the library (the fuzz script runs all).
const stdlibSample = sampleEvery(stdlib, 2);

describe('CPython oracle', function () {
  this.timeout(120_000);
  let oracle: CPythonOracle;

  before(async () => {
    await initEngine();
    oracle = new CPythonOracle();
  });

  after(() => oracle.close());

  it(`has a corpus to check (${fixtures.length} fixtures, ${stdlibSample.length} of ${stdlib.length} stdlib files)`, () => {
    assert.ok(fixtures.length >= 100, `expected the rule fixtures, found ${fixtures.length}`);
    assert.ok(stdlibSample.length >= 300, `expected at least 300 stdlib files under ${STDLIB_ROOT}, found ${stdlibSample.length}`);
  });

  it('the oracle tells compiling from non-compiling text (BOM, CRLF, compiler-pass errors, lone surrogates)', async () => {
    assert.equal((await oracle.compile('import anyio\n')).ok, true);
    assert.equal((await oracle.compile('\uFEFFimport anyio\r\nx = 1\r\n')).ok, true);
    const bad = await oracle.compile('def f(:\n    pass\n');
    assert.equal(bad.ok, false);
    assert.match(bad.message, /SyntaxError/);
    assert.equal((await oracle.compile('def f():\n    await g()\n')).ok, false, "'await' outside async function is a compile error");
    assert.equal((await oracle.compile('x = "\uD800"\n')).ok, false);
    assert.equal((await oracle.compile('x = 1\0\n')).ok, false);
    // Pipelined requests come back in order.
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => oracle.compiles(i % 2 ? `x = ${i}\n` : `x = (${i}\n`)));
    assert.deepEqual(
      many,
      Array.from({ length: 50 }, (_, i) => i % 2 === 1),
    );
  });

  it(`every fixture output compiles (${fixtures.length} fixtures × ${FIX_MODES.length} fix modes)`, async () => {
    const problems: string[] = [];
    let changed = 0;
    for (const f of fixtures) {
      const where = `${f.folder}/${f.name}.py`;
      const input = await oracle.compile(f.input);
      for (const mode of FIX_MODES) {
        const r = fixAll(f.input, mode.opts);
        if (r.output === f.input) continue;
        changed++;
        const out = await oracle.compile(r.output);
        if (!out.ok) {
          problems.push(
            `${where} [${mode.name}] (input ${input.ok ? 'compiles' : `does not compile either: ${input.message}`}): ${out.message}\n${excerpt(r.output, out.message)}`,
          );
        }
      }
    }
    assert.ok(changed > fixtures.length, `fix-all changed only ${changed} fixture outputs: the corpus is not exercising the fixes`);
    assert.deepEqual(problems, [], `${problems.length} fixed fixture(s) do not compile:\n${problems.join('\n\n')}`);
  });

  it(`stdlib with \`import anyio\` prepended: no findings and no changes (${stdlibSample.length} files)`, () => {
    const started = Date.now();
    const problems: string[] = [];
    let bytes = 0;
    for (const [i, file] of stdlibSample.entries()) {
      const text = withAnyioImport(readUtf8(file));
      bytes += text.length;
      const rel = path.relative(STDLIB_ROOT, file);
      const findings = analyze(text, { target: i % 2 ? 'anyio2+3' : 'anyio3' });
      if (findings.length) problems.push(`${rel}: ${findings.map((x) => `${x.code} at ${x.start} ${JSON.stringify(text.slice(x.start, x.end))}`).join(', ')}`);
      const r = fixAll(text, { unsafeFixes: true, target: i % 2 ? 'anyio3' : 'anyio2+3' });
      if (r.output !== text) problems.push(`${rel}: fixAll changed the file (${r.applied.map((a) => a.code).join(', ')})`);
    }
    console.log(`      stdlib oracle (no snippet): ${stdlibSample.length} files, ${(bytes / 1e6).toFixed(1)} M chars, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it(`stdlib with \`import anyio\` and an AnyIO 2 snippet appended: every changed output compiles (${stdlibSample.length} files)`, async () => {
    const started = Date.now();
    const snippets = anyio2Snippets(fixtures);
    assert.ok(snippets.length >= 20, `expected AnyIO 2 snippets from the fixtures, found ${snippets.length}`);
    const problems: string[] = [];
    let changed = 0;
    const inputsNotCompiling: string[] = [];
    for (const [i, file] of stdlibSample.entries()) {
      const snippet = snippets[i % snippets.length]!;
      const text = appendSnippet(withAnyioImport(readUtf8(file)), snippet);
      const mode = FIX_MODES[i % FIX_MODES.length]!;
      const r = fixAll(text, mode.opts);
      if (r.output === text) continue;
      changed++;
      const [input, out] = await Promise.all([oracle.compile(text), oracle.compile(r.output)]);
      if (!input.ok) {
        inputsNotCompiling.push(`${path.relative(STDLIB_ROOT, file)} + snippet ${i % snippets.length}: ${input.message}`);
        continue;
      }
      if (!out.ok) problems.push(`${path.relative(STDLIB_ROOT, file)} + snippet ${i % snippets.length} [${mode.name}]: ${out.message}\n${excerpt(r.output, out.message)}`);
    }
    console.log(
      `      stdlib oracle (with snippet): ${stdlibSample.length} files, ${changed} changed, ${inputsNotCompiling.length} inputs not compiling, ${((Date.now() - started) / 1000).toFixed(1)} s${inputsNotCompiling.map((l) => `\n        input does not compile: ${l}`).join('')}`,
    );
    assert.ok(changed >= stdlibSample.length / 2, `only ${changed} of ${stdlibSample.length} texts were changed: the snippets are not being fixed`);
    assert.deepEqual(problems, [], `${problems.length} fixed file(s) do not compile:\n${problems.join('\n\n')}`);
  });
});
