/**
 * The scoped re-analysis must always equal a full analysis. Edits are simulated the way the
 * language server applies them (tree.edit + incremental parse), on every fixture and on large
 * generated modules, with a seeded generator.
 */
import * as assert from 'node:assert/strict';
import { analyzeTree, engine, initEngine } from '../../src/engine';
import { IncrementalAnalysis } from '../../src/core/incremental';
import { editTree, parse, type Tree } from '../../src/core/parser';
import { lineStarts } from '../../src/core/text';
import { loadFixtures } from '../support/fixtures';
import { bigModule, sparseModule } from '../server/samples';
import { prng as rng } from '../fuzz/mutations';

/** One random edit: a typed character, a new statement, a deleted line, or a pasted AnyIO 2 line. */
function randomEdit(text: string, r: () => number): { start: number; end: number; text: string } {
  const starts = lineStarts(text);
  const line = Math.floor(r() * starts.length);
  const ls = starts[line]!;
  const le = line + 1 < starts.length ? starts[line + 1]! : text.length;
  const indent = /^[ \t]*/.exec(text.slice(ls, le))![0];
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  switch (Math.floor(r() * 6)) {
    case 0: {
      const at = ls + Math.floor(r() * Math.max(1, le - ls));
      return { start: at, end: at, text: 'x' };
    }
    case 1:
      return { start: ls, end: ls, text: `${indent}await anyio.current_time()${nl}` };
    case 2:
      return { start: ls, end: ls, text: `${indent}# 😀 note${nl}` };
    case 3:
      return { start: ls, end: le, text: '' };
    case 4:
      return { start: ls, end: ls, text: `${indent}ev = anyio.create_event(); await ev.set()${nl}` };
    default: {
      const at = ls + Math.floor(r() * Math.max(1, le - ls));
      return { start: at, end: Math.min(le, at + 1), text: '' };
    }
  }
}

function check(name: string, initial: string, edits: number, seed: number): { incremental: number; full: number } {
  const r = rng(seed);
  const inc = new IncrementalAnalysis(engine);
  let text = initial;
  let tree: Tree = parse(text);
  const modes = { incremental: 0, full: 0 };
  try {
    for (let step = 0; step <= edits; step++) {
      if (step > 0) {
        const e = randomEdit(text, r);
        editTree(tree, text, e.start, e.end, e.text);
        text = text.slice(0, e.start) + e.text + text.slice(e.end);
        const next = parse(text, tree);
        tree.delete();
        tree = next;
      }
      const got = inc.analyze(text, tree);
      const want = analyzeTree(text, tree);
      assert.deepEqual(got.findings, want, `${name}: step ${step} (${got.mode}) differs from a full analysis`);
      if (got.mode === 'incremental') modes.incremental++;
      else modes.full++;
    }
  } finally {
    tree.delete();
  }
  return modes;
}

describe('incremental analysis', function () {
  this.timeout(120_000);
  before(async () => {
    await initEngine();
  });

  it('equals a full analysis after every random edit, on every fixture', () => {
    let n = 0;
    for (const fixtures of loadFixtures().values()) {
      for (const f of fixtures) check(`${f.folder}/${f.name}`, f.input, 12, 1000 + n++);
    }
    assert.ok(n > 100);
  });

  it('equals a full analysis after random edits (many of them syntax errors) on large modules', () => {
    const sparse = check('sparse 3000', sparseModule(3000), 60, 7);
    const dense = check('dense 1500', bigModule(1500), 60, 11);
    assert.equal(sparse.incremental + sparse.full, 61);
    assert.equal(dense.incremental + dense.full, 61);
  });

  it('re-analyses only the edited body while typing inside functions', () => {
    const r = rng(3);
    const inc = new IncrementalAnalysis(engine);
    let text = sparseModule(3000);
    let tree = parse(text);
    let incremental = 0;
    const steps = 60;
    try {
      inc.analyze(text, tree);
      for (let step = 0; step < steps; step++) {
        // Type at the end of a body line, or add a statement/comment line inside a body.
        const lines = [...text.matchAll(/^ {4}(result = .*|return json.*)$/gm)];
        const m = lines[Math.floor(r() * lines.length)]!;
        const end = m.index! + m[0].length;
        const edit = [
          { start: end, end, text: '  # 😀' },
          { start: end, end, text: '\n    await anyio.current_time()' },
          { start: end, end, text: '\n    ev = anyio.create_event(); await ev.set()' },
        ][Math.floor(r() * 3)]!;
        editTree(tree, text, edit.start, edit.end, edit.text);
        text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
        const next = parse(text, tree);
        tree.delete();
        tree = next;
        const got = inc.analyze(text, tree);
        assert.deepEqual(got.findings, analyzeTree(text, tree), `step ${step}`);
        if (got.mode === 'incremental') incremental++;
      }
    } finally {
      tree.delete();
    }
    assert.ok(incremental >= steps * 0.9, `${incremental} of ${steps} edits analysed incrementally`);
  });

  it('is much faster than a full analysis for an edit inside one function of a 5,000-line module', () => {
    const text = sparseModule(5000);
    const inc = new IncrementalAnalysis(engine);
    let tree = parse(text);
    inc.analyze(text, tree);
    const at = text.indexOf('    result = [row', text.length >> 1);
    let current = text;
    const times: number[] = [];
    const fulls: number[] = [];
    for (let i = 0; i < 20; i++) {
      editTree(tree, current, at, at, '#');
      current = current.slice(0, at) + '#' + current.slice(at);
      const next = parse(current, tree);
      tree.delete();
      tree = next;
      let t0 = performance.now();
      const got = inc.analyze(current, tree);
      times.push(performance.now() - t0);
      t0 = performance.now();
      const want = analyzeTree(current, tree);
      fulls.push(performance.now() - t0);
      assert.equal(got.mode, 'incremental');
      assert.deepEqual(got.findings, want);
    }
    tree.delete();
    times.sort((a, b) => a - b);
    fulls.sort((a, b) => a - b);
    const p50 = times[10]!;
    console.log(`      5,000-line module, edit in one body: incremental p50 ${p50.toFixed(1)} ms vs full ${fulls[10]!.toFixed(1)} ms`);
    assert.ok(p50 * 2 < fulls[10]!, `incremental ${p50} ms vs full ${fulls[10]} ms`);
  });
});
