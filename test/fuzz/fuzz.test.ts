/**
 * The quick, deterministic fuzz run that is part of the test command: a fixed seed, a fixed number
 * of mutated fixtures and stdlib modules, every property of ./properties.ts checked on each. Plus a
 * catalogue of the extreme inputs (100k-char lines, 1000-level nesting, NUL, lone surrogates, a BOM
 * in the middle, CR/CRLF/LF mixes, tab/space mixes) and the engine bugs fuzzing found, minimised.
 *
 * `npm run fuzz -- --seconds N [--seed S]` runs the same checks for longer with random seeds.
 */
import * as assert from 'node:assert/strict';
import { analyze, fixAll, initEngine } from '../../src/engine';
import { applyCase, applyMutation, describeMutation, type LongForm, type Mutation, type NestForm } from './mutations';
import { type CheckResult, type Failure, signature, TIME_LIMIT_MS, timed } from './properties';
import { buildCorpus, type FuzzCorpus, generateCases } from './runner';
import { runInWorker } from './worker';

const QUICK_SEED = 20240607;
const QUICK_CASES = 70;
const QUICK_CORPUS = { stdlibStep: 4 };
/** Lines of AnyIO calls stay at 20k chars here (100k-char lines of every form are in the catalogue). */
const QUICK_LIMITS = { maxCallLineLength: 20_000 };

function describeFailures(failures: readonly Failure[]): string {
  return failures.map((f) => `  ${f.kind} in ${f.op}: ${f.message.split('\n').slice(0, 3).join(' / ')}`).join('\n');
}

describe('fuzz', function () {
  this.timeout(120_000);
  let corpus: FuzzCorpus;

  before(async () => {
    await initEngine();
    corpus = buildCorpus(QUICK_CORPUS);
  });

  it('generates the same cases and texts for the same seed', () => {
    const a = generateCases(corpus, QUICK_SEED, 0, 30);
    const b = generateCases(corpus, QUICK_SEED, 0, 30);
    assert.deepEqual(a, b);
    const texts = (xs: typeof a) => xs.map(({ c }) => applyCase(corpus.seeds[c.source]!.text, c, corpus.snippets));
    assert.deepEqual(texts(a), texts(b));
    // Case i is the same whether generated alone or within a range.
    assert.deepEqual(generateCases(corpus, QUICK_SEED, 17, 1), [a[17]]);
    assert.notDeepEqual(generateCases(corpus, QUICK_SEED + 1, 0, 30), a);
  });

  it(`${QUICK_CASES} seeded cases (seed ${QUICK_SEED}) satisfy every property`, async () => {
    const cases = generateCases(corpus, QUICK_SEED, 0, QUICK_CASES, QUICK_LIMITS);
    const kinds = new Set(cases.flatMap(({ c }) => c.mutations.map((m) => m.kind)));
    for (const k of ['deleteToken', 'duplicateToken', 'truncate', 'insert', 'longLine', 'deepNest', 'lineEndings', 'indentation', 'snippet'] as const) {
      assert.ok(kinds.has(k), `the quick run has no "${k}" mutation`);
    }
    const started = Date.now();
    // In a worker thread: an input that corrupts the wasm parser must not break later test files.
    const answer = await runInWorker({ kind: 'cases', seed: QUICK_SEED, from: 0, count: QUICK_CASES, limits: QUICK_LIMITS, corpus: QUICK_CORPUS });
    assert.equal(answer.kind, 'cases');
    if (answer.kind !== 'cases') return;
    assert.equal(answer.results.length, cases.length);
    const stdlibCases = answer.stdlibCases;
    const failed: string[] = [];
    const bySignature = new Map<string, number>();
    let findings = 0;
    let changed = 0;
    for (const outcome of answer.results) {
      findings += outcome.result.findings;
      changed += outcome.result.changed;
      if (outcome.result.failures.length === 0) continue;
      const fresh = outcome.result.failures.filter((f) => {
        const sig = signature(f);
        bySignature.set(sig, (bySignature.get(sig) ?? 0) + 1);
        return bySignature.get(sig) === 1;
      });
      if (fresh.length) failed.push(`case ${outcome.index} (${outcome.seedName}; ${outcome.mutations.join('; ')}; ${outcome.chars} chars):\n${describeFailures(fresh)}`);
    }
    console.log(
      `      quick fuzz: ${cases.length} cases (${stdlibCases} from stdlib), ${findings} findings, ${changed} fixed outputs, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.ok(findings > cases.length, `only ${findings} findings over ${cases.length} cases: the mutations are not reaching the rules`);
    assert.ok(changed > cases.length / 2, `only ${changed} fixed outputs over ${cases.length} cases`);
    assert.equal(
      failed.length,
      0,
      `failures (${[...bySignature.entries()].map(([s, n]) => `${n}× ${s}`).join('; ')}):\n${failed.join('\n')}\nReplay: npm run fuzz with --seed ${QUICK_SEED}, or generateCases(corpus, ${QUICK_SEED}, index, 1).`,
    );
  });

  describe('engine bugs found by fuzzing (minimal reproducers, now fixed)', () => {
    // `'` then 512 lines, each indented one space deeper than the last: tree-sitter-python's wasm
    // throws `RuntimeError: memory access out of bounds`, and from then on every parse in the
    // process throws too (the language server would stop working for every file).
    const deepIndentAfterQuote = `'\n${Array.from({ length: 512 }, (_, i) => `${' '.repeat(i + 1)}if x:\n`).join('')}`;

    it('refuses an unterminated quote before 512 nested indentation levels with a clear message, and later parses still work', async () => {
      const answer = await runInWorker({ kind: 'parse', texts: [deepIndentAfterQuote, 'import anyio\nx = 1\n', deepIndentAfterQuote, 'y = 2\n'] });
      assert.equal(answer.kind, 'parse');
      const results = answer.kind === 'parse' ? answer.results : [];
      assert.match(results[0] ?? '', /^InputRefused: too deeply nested for Python's parser \(51[0-9] levels of indentation; CPython's limit is 100\)/);
      assert.equal(results[1], null);
      assert.match(results[2] ?? '', /^InputRefused/);
      assert.equal(results[3], null);
    });

    it('fixAll answers refused (never throws) on that input, and analyze refuses with the same message', async () => {
      const r = fixAll(`import anyio\n${deepIndentAfterQuote}`);
      assert.equal(r.output, `import anyio\n${deepIndentAfterQuote}`);
      assert.match(r.refused ?? '', /levels of indentation/);
      assert.throws(
        () => analyze(`import anyio\n${deepIndentAfterQuote}`),
        (e: Error) => e.name === 'InputRefused',
      );
    });

    it('analyze / fixAll / fix twice on the same input all answer (run in a worker)', async () => {
      const answer = await runInWorker({ kind: 'texts', texts: [`import anyio\n${deepIndentAfterQuote}`] });
      const r = answer.kind === 'texts' ? answer.results[0] : undefined;
      assert.ok(r);
      assert.deepEqual(r.failures, [], describeFailures(r.failures));
    });

    // A left-nested chain of `+` with an AnyIO call per operand: the time grows with the cube of the
    // length (400 operands: fixAll ~1.5 s; 800: analyze ~4 s, fixAll ~12 s; 1000 operands of
    // `anyio.current_time()`, no finding at all: analyze ~5 s).
    const chain = (n: number, call: string) => `import anyio\nx = ${Array.from({ length: n }, () => call).join(' + ')}\n`;
    it(`analyze and fixAll answer within the ${TIME_LIMIT_MS / 1000} s hang guard on \`x = anyio.create_event() + ...\` (400 operands)`, () => {
      const text = chain(400, 'anyio.create_event()');
      const a = timed(() => analyze(text));
      assert.ok(a.ok, String(a.error));
      assert.equal(a.value?.length, 400);
      const f = timed(() => fixAll(text));
      assert.ok(f.ok, String(f.error));
      assert.ok(a.ms < TIME_LIMIT_MS && f.ms < TIME_LIMIT_MS, `analyze ${Math.round(a.ms)} ms, fixAll ${Math.round(f.ms)} ms`);
    });

    it(`analyze answers within the ${TIME_LIMIT_MS / 1000} s hang guard on \`x = anyio.current_time() + ...\` (700 operands, no findings)`, () => {
      const text = chain(700, 'anyio.current_time()');
      const a = timed(() => analyze(text));
      assert.ok(a.ok, String(a.error));
      assert.deepEqual(a.value, []);
      assert.ok(a.ms < TIME_LIMIT_MS, `analyze ${Math.round(a.ms)} ms`);
    });
  });

  describe('texts found by `npm run fuzz` (minimised; every property, every target and mode)', () => {
    const found: Array<{ name: string; text: string }> = [
      {
        // importEdits joined a cross-version import into a `try:` whose `except ImportError:` had an
        // empty block (only in a tree with errors): TypeError reading `startIndex` of undefined.
        name: 'seed 861291796 case 176: a compat try whose handler block is empty after the fix (anyio2+3)',
        text: 'try:t=t\nexcept ImportError:\na from anyio import create_event\n',
      },
    ];
    let results: CheckResult[] = [];
    before(async () => {
      const answer = await runInWorker({ kind: 'texts', texts: found.map((f) => f.text) });
      if (answer.kind === 'texts') results = answer.results;
    });
    for (const [i, entry] of found.entries()) {
      it(entry.name, () => {
        const r = results[i];
        assert.ok(r, 'the worker returned no result');
        assert.deepEqual(r.failures, [], describeFailures(r.failures));
      });
    }
    it('the anyio2+3 fix of case 176 adds a new cross-version import block instead of joining the broken one', () => {
      const r = fixAll(found[0]!.text, { target: 'anyio2+3' });
      assert.equal(r.refused, undefined);
      assert.match(r.output, /try:\n {4}from anyio import Event as create_event\nexcept ImportError:\n {4}from anyio import create_event\n/);
    });
  });

  describe('extreme inputs', () => {
    const base = (): string => corpus.seeds.find((s) => s.name === 'fixture ASY203/three_items_order.py')?.text ?? corpus.seeds[0]!.text;
    const catalogue: Array<{ name: string; mutations: Mutation[] }> = [
      ...(['string', 'comment', 'identifier', 'anyio-calls', 'await-calls', 'args'] as LongForm[]).map((form) => ({
        name: `a 100,000-char line (${form})`,
        mutations: [{ kind: 'longLine', at: 40, length: 100_000, form } as Mutation],
      })),
      ...(['parens', 'brackets', 'calls', 'attributes', 'await', 'blocks', 'withs', 'unclosed'] as NestForm[]).map((form) => ({
        name: `${form === 'withs' ? 200 : 1000} levels of nesting (${form})`,
        // `withs` grows quadratically in text (1000 levels = 540k chars, ~14 s to analyse): 200 here.
        mutations: [{ kind: 'deepNest', at: 40, depth: form === 'withs' ? 200 : 1000, form } as Mutation],
      })),
      { name: 'NUL bytes', mutations: [{ kind: 'insert', at: 30, text: '\0\0', what: 'nasty' }] },
      { name: 'a lone high surrogate', mutations: [{ kind: 'insert', at: 120, text: '\uD800', what: 'nasty' }] },
      { name: 'a lone low surrogate in an identifier', mutations: [{ kind: 'insert', at: 200, text: 'x\uDC00y', what: 'nasty' }] },
      { name: 'a BOM in the middle', mutations: [{ kind: 'insert', at: 150, text: '\uFEFF', what: 'nasty' }] },
      { name: 'emoji and CJK', mutations: [{ kind: 'insert', at: 90, text: '😀中文👩‍👩‍👧変数', what: 'nasty' }] },
      { name: 'a lone CR', mutations: [{ kind: 'insert', at: 110, text: '\r', what: 'nasty' }] },
      { name: 'U+2028 / U+2029 / form feed', mutations: [{ kind: 'insert', at: 110, text: '\u2028\u2029\f', what: 'nasty' }] },
      { name: 'random latin-1 bytes', mutations: [{ kind: 'insert', at: 77, text: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x9c, 0x0d]).toString('latin1'), what: 'bytes' }] },
      { name: 'CRLF everywhere', mutations: [{ kind: 'lineEndings', seed: 1, style: 'crlf' }] },
      { name: 'CR/LF mix', mutations: [{ kind: 'lineEndings', seed: 2, style: 'cr' }] },
      { name: 'CRLF/CR/LF mix', mutations: [{ kind: 'lineEndings', seed: 3, style: 'mixed' }] },
      { name: 'tab indentation', mutations: [{ kind: 'indentation', seed: 1, style: 'tabs' }] },
      { name: 'tab/space mix', mutations: [{ kind: 'indentation', seed: 2, style: 'mixed' }] },
      { name: 'broken dedents', mutations: [{ kind: 'indentation', seed: 3, style: 'dedent' }] },
      ...['(', ')', '[', '}', '"', "'''", 'f"{', '\\'].map((text) => ({
        name: `an unbalanced ${JSON.stringify(text)}`,
        mutations: [{ kind: 'insert', at: 160, text, what: 'bracket' } as Mutation],
      })),
      ...[0, 1, 50, 133, 200, 271].map((at) => ({ name: `truncated at ${at}`, mutations: [{ kind: 'truncate', at } as Mutation] })),
      { name: 'a snippet spliced into the middle of a block', mutations: [{ kind: 'snippet', at: 230, index: 3 }] },
    ];
    const texts: string[] = [];
    let results: CheckResult[] = [];
    // All entries are checked by one worker (isolated from this process's parser), then judged one by one.
    before(async () => {
      for (const entry of catalogue) {
        let text = base();
        for (const m of entry.mutations) text = applyMutation(text, m, corpus.snippets);
        texts.push(text);
      }
      const answer = await runInWorker({ kind: 'texts', texts });
      if (answer.kind === 'texts') results = answer.results;
    });
    for (const [i, entry] of catalogue.entries()) {
      it(entry.name, () => {
        const text = texts[i]!;
        assert.notEqual(text, base(), `the mutation ${entry.mutations.map(describeMutation).join('; ')} changed nothing`);
        const r = results[i];
        assert.ok(r, 'the worker returned no result');
        assert.deepEqual(r.failures, [], `${entry.name} (${text.length} chars):\n${describeFailures(r.failures)}`);
      });
    }
  });
});
