/**
 * Long runs of comment lines (src/core/parser.ts `COMMENT_RUN_LIMIT`): tree-sitter-python's scanner
 * re-reads the rest of a comment run at every line break (quadratic), so the parser is shown most
 * of a long run's comments as spaces. Nothing else may change: findings, fixes, suppressions,
 * strings that hold `#` lines, comments copied by fixes, incremental re-parses.
 */
import * as assert from 'node:assert/strict';
import { analyze, fixAll, initEngine } from '../../src/engine';
import { COMMENT_RUN_LIMIT, editTree, hiddenComments, parse, parserInput, type Tree } from '../../src/core/parser';
import type { Finding } from '../../src/core/types';
import { loadFixtures } from '../support/fixtures';

const RUN_MARK = /^[ \t]*# run line \d+[ \t]*$/;
/** The run's blank lines: whitespace only, recognisable. */
const RUN_BLANK = /^[ \t]*\t \t$/;

/** A run of `n` comment lines (every 7th blank: `\\t \\t`) at `indent`, each line ending with `\n`. */
function run(n: number, indent: string, extra?: (i: number) => string | undefined): string {
  let out = '';
  for (let i = 0; i < n; i++) out += (extra?.(i) ?? (i % 7 === 3 ? '\t \t' : `${indent}# run line ${i}`)) + '\n';
  return out;
}

/** Findings as comparable strings, offsets at or after `at` moved back by `shift`. */
function shifted(findings: readonly Finding[], at: number, shift: number): string[] {
  const back = (o: number) => (o >= at ? o - shift : o);
  return findings.map((f) => `${f.code} ${back(f.start)}-${back(f.end)} ${f.message} fix:${f.fix?.title ?? '-'}`);
}

function withoutRunLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => !RUN_MARK.test(l) && !RUN_BLANK.test(l))
    .join('\n');
}

/** Where to insert: module level (before the first top-level def/class), after the first def header, after the first class header. */
function insertionPoints(text: string): Array<{ where: string; at: number; indent: string }> {
  const out: Array<{ where: string; at: number; indent: string }> = [];
  const lines = text.split('\n');
  let offset = 0;
  const found = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1] ?? '';
    const nextIndent = /^[ \t]*/.exec(next)![0];
    if (!found.has('module') && /^(async def|def|class|@)/.test(line)) {
      found.add('module');
      out.push({ where: 'module level', at: offset, indent: '' });
    }
    if (!found.has('function') && /^[ \t]*(async )?def .*:[ \t]*$/.test(line) && nextIndent.length > /^[ \t]*/.exec(line)![0].length) {
      found.add('function');
      out.push({ where: 'function body', at: offset + line.length + 1, indent: nextIndent });
    }
    if (!found.has('class') && /^[ \t]*class .*:[ \t]*$/.test(line) && nextIndent.length > /^[ \t]*/.exec(line)![0].length) {
      found.add('class');
      out.push({ where: 'class body', at: offset + line.length + 1, indent: nextIndent });
    }
    offset += line.length + 1;
  }
  return out;
}

describe('long comment runs', function () {
  this.timeout(600_000);
  before(async () => {
    await initEngine();
  });

  it('are partly hidden from the parser above the limit only, with the tree otherwise unchanged', () => {
    const short = `import anyio\n${run(COMMENT_RUN_LIMIT - 10, '')}x = 1\n`;
    const t1 = parse(short);
    assert.equal(hiddenComments(t1, 0, short.length).length, 0);
    assert.equal(t1.rootNode.descendantsOfType('comment').length, COMMENT_RUN_LIMIT - 10 - Math.floor((COMMENT_RUN_LIMIT - 10 + 3) / 7));
    t1.delete();
    const long = `def f():\n    x = 1\n${run(200, '    ')}    y = 2\n`;
    const t2 = parse(long);
    const hidden = hiddenComments(t2, 0, long.length);
    assert.ok(hidden.length > 150);
    for (const h of hidden) assert.match(long.slice(h.start, h.end), /^# run line \d+$/);
    // The block still holds both statements; Node.text is the real text.
    const body = t2.rootNode.namedChild(0)!.childForFieldName('body')!;
    assert.equal(body.namedChildren.filter((c) => c?.type !== 'comment').length, 2);
    assert.ok(body.text.includes('# run line 100'));
    t2.delete();
  });

  it("keeps every fixture's findings and fixes with a 5,000-line run at module level, in a function body and in a class", () => {
    const fixtures = [...loadFixtures().values()].flat();
    let cases = 0;
    for (const f of fixtures) {
      const opts = { unsafeFixes: f.directives.unsafeFixes, target: f.directives.target };
      const input = f.input.replace(/\r\n?/g, '\n');
      if (input !== f.input) continue;
      const baseFindings = analyze(input, opts);
      const baseFixed = fixAll(input, opts).output;
      for (const p of insertionPoints(input)) {
        // 5,000 lines for the first fixtures, 300 (well above the limit) for the rest: same code paths.
        const n = cases < 6 ? 5000 : 300;
        const r = run(n, p.indent);
        const text = input.slice(0, p.at) + r + input.slice(p.at);
        const where = `${f.folder}/${f.name} (${p.where})`;
        const t = parse(text);
        assert.ok(hiddenComments(t, 0, text.length).length > 0, `${where}: nothing hidden`);
        t.delete();
        assert.deepEqual(shifted(analyze(text, opts), p.at, r.length), shifted(baseFindings, Infinity, 0), `${where}: findings`);
        const fixed = fixAll(text, opts).output;
        assert.equal(withoutRunLines(fixed), baseFixed, `${where}: fixed text`);
        assert.equal(fixed.split('\n').filter((l) => RUN_MARK.test(l)).length, text.split('\n').filter((l) => RUN_MARK.test(l)).length, `${where}: comments lost`);
        cases++;
      }
    }
    assert.ok(cases > 100, `only ${cases} cases`);
  });

  it('leaves a run of # lines inside a triple-quoted string a string (fallback to the real text)', () => {
    for (const prefix of ['', 'f']) {
      const text = `import anyio\nx = ${prefix}"""\n${run(200, '  ', (i) => (i === 100 ? '# {anyio.sleep} \\t' : undefined))}"""\nanyio.run_sync_in_worker_thread(print)\n`;
      const t = parse(text);
      assert.equal(hiddenComments(t, 0, text.length).length, 0);
      assert.equal(t.rootNode.descendantsOfType('comment').length, 0);
      const str = t.rootNode.namedChild(1)!.namedChild(0)!.childForFieldName('right')!;
      assert.equal(str.type, 'string');
      assert.equal(str.endIndex, text.indexOf('"""\nanyio') + 3);
      if (prefix === 'f') assert.equal(str.descendantsOfType('interpolation').length, 1);
      assert.equal(str.descendantsOfType('escape_sequence').length, 1);
      t.delete();
      assert.deepEqual(
        analyze(text).map((f) => f.code),
        ['ASY401'],
      );
    }
  });

  it('still honours suppression comments inside a long run', () => {
    const text = `import anyio\n\nasync def main():\n    await anyio.run_sync_in_worker_thread(print)\n${run(300, '    ')}    await anyio.run_sync_in_worker_thread(print)  # noqa: ASY401\n${run(300, '    ', (i) => (i === 150 ? '    await anyio.run_sync_in_worker_thread(print)  # anyio-migrate: ignore' : i === 151 ? '    # noqa' : undefined))}    pass\n`;
    const t = parse(text);
    assert.ok(hiddenComments(t, 0, text.length).length > 500);
    t.delete();
    assert.deepEqual(
      analyze(text).map((f) => [f.code, f.start]),
      [['ASY401', text.indexOf('anyio.run_sync')]],
    );
    // A `# noqa` line in the middle of a run is kept as a comment node.
    const own = `import anyio\n${run(100, '')}# noqa: ASY401\n${run(100, '')}x = anyio.run_sync_in_worker_thread  # trailing\n`;
    const t2 = parse(own);
    const at = own.indexOf('# noqa');
    assert.equal(t2.rootNode.descendantForIndex(at, at + 1)!.type, 'comment');
    t2.delete();
  });

  it('keeps every comment of a fix body holding a long run (ASY604, ASY605)', () => {
    const comments = run(200, '            ');
    const asy604 = `import warnings\n\nfrom anyio import create_task_group, run\n\n\nasync def other():\n    print("ran")\n\n\nasync def main():\n    async with create_task_group() as tg:\n        with warnings.catch_warnings():\n            await tg.spawn(other)\n${comments}            print("after")\n\n\nrun(main)\n`;
    const r = fixAll(asy604);
    assert.ok(
      r.applied.some((a) => a.code === 'ASY604'),
      JSON.stringify(r.applied),
    );
    const kept = r.output.split('\n').filter((l) => RUN_MARK.test(l));
    assert.equal(kept.length, comments.split('\n').filter((l) => RUN_MARK.test(l)).length);
    assert.ok(
      kept.every((l) => l.startsWith('        # run line')),
      'comments re-indented with the body',
    );

    const body = run(100, '        ', (i) => (i === 60 ? '        await r' : undefined));
    const asy605 = `import inspect\n\nimport anyio\n\n\nasync def main():\n    lock = anyio.Lock()\n    await lock.acquire()\n    r = lock.release()\n    if inspect.isawaitable(r):\n${body}\n\nanyio.run(main)\n`;
    const r2 = fixAll(asy605, { unsafeFixes: true });
    assert.ok(
      r2.applied.some((a) => a.code === 'ASY605'),
      JSON.stringify(r2.applied),
    );
    // Every comment of the `if` stays, in order, on a line of its own after the kept call: those before
    // the `await` (they belong to the `if` statement, not its body) and those after it.
    const lines = r2.output.split('\n');
    const call = lines.findIndex((l) => l === '    lock.release()');
    assert.ok(call > 0, r2.output);
    const expected = [...Array(100).keys()].filter((i) => i !== 60 && i % 7 !== 3).map((i) => `    # run line ${i}`);
    assert.deepEqual(lines.slice(call + 1, call + 1 + expected.length), expected);
  });

  it('re-parses incrementally like a fresh parse when an edit grows, shrinks or splits a run', () => {
    const base = `import anyio\n\nasync def main():\n    x = 1\n${run(120, '    ')}    y = 2\n`;
    const sexp = (t: Tree) => t.rootNode.toString();
    const edits: Array<[string, number, number, string]> = [];
    const mid = base.indexOf('# run line 60');
    edits.push(['split the run with code', mid, mid, 'z = 3\n    ']);
    edits.push(['shrink below the limit', base.indexOf('    # run line 10'), base.indexOf('    # run line 80'), '']);
    edits.push(['dedent a middle line', mid - 4, mid, '']);
    edits.push(['open a string before the run', base.indexOf('x = 1'), base.indexOf('x = 1') + 5, 'x = """']);
    const short = `import anyio\n${run(60, '')}x = 1\n`;
    for (const [what, s, e, t] of edits) {
      const before = parse(base);
      const after = base.slice(0, s) + t + base.slice(e);
      editTree(before, base, s, e, t);
      const inc = parse(after, before);
      const fresh = parse(after);
      assert.equal(sexp(inc), sexp(fresh), what);
      before.delete();
      inc.delete();
      fresh.delete();
    }
    // Growing a short run past the limit from the outside.
    const t0 = parse(short);
    const at = short.indexOf('x = 1');
    editTree(t0, short, at, at, '# more\n'.repeat(20));
    const grown = short.slice(0, at) + '# more\n'.repeat(20) + short.slice(at);
    const inc = parse(grown, t0);
    const fresh = parse(grown);
    assert.ok(hiddenComments(fresh, 0, grown.length).length > 0);
    assert.equal(sexp(inc), sexp(fresh));
    t0.delete();
    inc.delete();
    fresh.delete();
  });

  it('reads a run linearly (parser input 1x vs 8x)', () => {
    const measure = (n: number, indent: string) => {
      const text = `import anyio\n\nasync def main():\n    x = 1\n${run(n, indent)}    await anyio.sleep(1)\n`;
      parserInput.units = 0;
      parse(text).delete();
      return { units: parserInput.units, length: text.length };
    };
    for (const indent of ['', '    ', '        ']) {
      const a = measure(500, indent);
      const b = measure(4000, indent);
      assert.ok(b.units <= 10 * a.units, `${JSON.stringify(indent)}: ${a.units} -> ${b.units} units read`);
      assert.ok(b.units < 4 * b.length, `${JSON.stringify(indent)}: ${b.units} units read for ${b.length}`);
    }
  });
});
