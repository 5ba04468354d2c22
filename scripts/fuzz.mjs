#!/usr/bin/env node
// Fuzz the engine for a given time: `npm run fuzz -- --seconds N [--seed S] [--no-stdlib]`.
//
// Phase 1 (up to 40% of the time, skipped with --no-stdlib): the whole standard library through the
// CPython oracle (`import anyio` added: no findings, no change; an AnyIO 2 snippet appended: every
// changed output compiles). Phase 2: seeded mutations of the fixtures and of stdlib modules, each
// case checked against every property of test/fuzz/properties.ts. The work runs in a worker
// thread; a case that makes no progress for 10 s is killed and counted as a timeout.
//
// Progress goes to stdout; the LAST line is `FUZZ {json}` with cases, crashes, timeouts,
// broken_fixes, bad_ranges, non_idempotent, seed, seconds and one entry per distinct failure with
// its reproducer under test-results/fuzz/. Replay a case with the same --seed: case i of a seed is
// always the same. Exit code 1 when anything failed. Needs the compiled out/ (npm run build).
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test-results', 'fuzz');
const HANG_MS = 10_000;
// A search for slow inputs: a call over 1 s is reported (the test command's quick run only guards against hangs).
process.env.ANYIO_MIGRATE_FUZZ_TIME_LIMIT_MS ??= '1000';
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const args = { seconds: 60, seed: Date.now() % 2_147_483_647, stdlib: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || !/^-?\d+(\.\d+)?$/.test(v)) throw new Error(`${a} needs a number`);
      return Number(v);
    };
    if (a === '--seconds') args.seconds = value();
    else if (a === '--seed') args.seed = Math.trunc(value());
    else if (a === '--no-stdlib') args.stdlib = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run fuzz -- --seconds N [--seed S] [--no-stdlib]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.seconds > 0)) throw new Error('--seconds must be positive');
  return args;
}

// ------------------------------------------------------------------------------------ worker

async function worker({ seed, from, deadline, stdlib, stdlibDeadline, minimizeUntil }) {
  const engine = require(join(root, 'out/src/engine.js'));
  const corpusMod = require(join(root, 'out/test/oracle/corpus.js'));
  const { CPythonOracle } = require(join(root, 'out/test/oracle/cpython.js'));
  const runner = require(join(root, 'out/test/fuzz/runner.js'));
  const props = require(join(root, 'out/test/fuzz/properties.js'));
  await engine.initEngine();
  const oracle = new CPythonOracle();
  const post = (m) => parentPort.postMessage(m);

  if (stdlib) {
    const files = corpusMod.stdlibFiles();
    const snippets = corpusMod.anyio2Snippets();
    let done = 0;
    const problems = [];
    for (const [i, file] of files.entries()) {
      if (Date.now() > stdlibDeadline) break;
      post({ type: 'heartbeat', what: `stdlib ${file}` });
      const rel = relative(corpusMod.STDLIB_ROOT, file);
      const plain = corpusMod.withAnyioImport(corpusMod.readUtf8(file));
      const a = props.timed(() => engine.analyze(plain, { target: i % 2 ? 'anyio2+3' : 'anyio3' }));
      if (!a.ok) problems.push({ kind: 'crash', op: 'analyze (stdlib)', message: String(a.error), file: rel });
      else if (a.value.length) problems.push({ kind: 'false_positive', op: 'analyze (stdlib)', message: a.value.map((f) => f.code).join(', '), file: rel });
      const f = props.timed(() => engine.fixAll(plain, { unsafeFixes: true }));
      if (!f.ok) problems.push({ kind: 'crash', op: 'fixAll (stdlib)', message: String(f.error), file: rel });
      else if (f.value.output !== plain) problems.push({ kind: 'false_positive', op: 'fixAll (stdlib)', message: 'changed the module', file: rel });
      for (const t of [a, f]) if (t.ms > props.TIME_LIMIT_MS) problems.push({ kind: 'timeout', op: 'stdlib', message: `${Math.round(t.ms)} ms`, file: rel });
      const withSnippet = corpusMod.appendSnippet(plain, snippets[i % snippets.length]);
      const mode = corpusMod.FIX_MODES[i % corpusMod.FIX_MODES.length];
      const g = props.timed(() => engine.fixAll(withSnippet, mode.opts));
      if (!g.ok) problems.push({ kind: 'crash', op: `fixAll ${mode.name} (stdlib + snippet)`, message: String(g.error), file: rel });
      else if (g.value.output !== withSnippet) {
        const [inp, out] = await Promise.all([oracle.compile(withSnippet), oracle.compile(g.value.output)]);
        if (inp.ok && !out.ok) {
          problems.push({ kind: 'broken_fix', op: `fixAll ${mode.name} (stdlib + snippet ${i % snippets.length})`, message: out.message, file: rel });
          mkdirSync(outDir, { recursive: true });
          writeFileSync(join(outDir, `stdlib-broken_fix-${rel.replace(/[\\/]/g, '_')}`), withSnippet, 'utf8');
        }
      }
      done++;
    }
    post({ type: 'stdlib', files: done, total: files.length, problems });
  }

  const corpus = runner.buildCorpus();
  const seen = new Set();
  let index = from;
  while (Date.now() < deadline) {
    const batch = runner.generateCases(corpus, seed, index, Math.min(runner.BATCH, runner.BATCH - (index % runner.BATCH)));
    for (const { index: i, c } of batch) {
      if (Date.now() >= deadline) break;
      post({ type: 'heartbeat', what: `case ${i}`, index: i });
      const outcome = await runner.runCase(corpus, i, c, oracle);
      const kinds = [...new Set(outcome.result.failures.map((f) => f.kind))];
      const newFailures = [];
      for (const failure of outcome.result.failures) {
        const sig = props.signature(failure);
        if (seen.has(sig)) {
          newFailures.push({ signature: sig, kind: failure.kind, op: failure.op, message: failure.message.split('\n')[0] });
          continue;
        }
        seen.add(sig);
        let minimized = outcome.text;
        if (Date.now() < minimizeUntil && failure.kind !== 'timeout') {
          const budget = Math.min(15_000, minimizeUntil - Date.now());
          const hb = setInterval(() => post({ type: 'heartbeat', what: `minimising ${sig}` }), 1000);
          try {
            minimized = await runner.minimizeFailure(outcome.text, failure, oracle, budget);
          } finally {
            clearInterval(hb);
          }
        }
        const rep = runner.saveReproducer(outDir, seed, outcome, failure, minimized);
        newFailures.push({
          signature: sig,
          kind: failure.kind,
          op: failure.op,
          message: failure.message.split('\n')[0],
          reproducer: relative(root, rep.file),
          minimizedChars: rep.minimizedChars,
          mutations: outcome.mutations,
          seedText: outcome.seedName,
        });
      }
      post({
        type: 'case',
        index: i,
        kinds,
        failures: newFailures,
        findings: outcome.result.findings,
        changed: outcome.result.changed,
        slowestMs: outcome.result.slowestMs,
        slowestOp: outcome.result.slowestOp,
        chars: outcome.text.length,
      });
      if (kinds.includes('crash')) {
        // A crash can leave the wasm parser corrupted (every later parse throws): start a fresh worker.
        oracle.close();
        post({ type: 'done', next: i + 1 });
        return;
      }
    }
    index = batch.length ? batch[batch.length - 1].index + 1 : index + runner.BATCH;
  }
  oracle.close();
  post({ type: 'done', next: index });
}

// ------------------------------------------------------------------------------------ main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  const deadline = started + args.seconds * 1000;
  const totals = { cases: 0, crashes: 0, timeouts: 0, broken_fixes: 0, bad_ranges: 0, non_idempotent: 0, findings: 0, changed: 0, chars: 0 };
  const distinct = new Map();
  let slowest = { ms: 0, op: '', index: -1 };
  let stdlibReport;
  const bump = (kind) => {
    if (kind === 'crash') totals.crashes++;
    else if (kind === 'timeout') totals.timeouts++;
    else if (kind === 'broken_fix') totals.broken_fixes++;
    else if (kind === 'bad_range') totals.bad_ranges++;
    else if (kind === 'non_idempotent') totals.non_idempotent++;
  };
  const addDistinct = (f) => {
    const d = distinct.get(f.signature);
    if (d) {
      d.count++;
      if (!d.reproducer && f.reproducer) Object.assign(d, f, { count: d.count });
    } else distinct.set(f.signature, { ...f, count: 1 });
  };

  let next = 0;
  let runStdlib = args.stdlib;
  let lastProgress = Date.now();
  while (Date.now() < deadline) {
    const remaining = deadline - Date.now();
    const data = {
      seed: args.seed,
      from: next,
      deadline,
      stdlib: runStdlib,
      stdlibDeadline: Date.now() + remaining * 0.4,
      minimizeUntil: deadline - remaining * 0.1,
    };
    runStdlib = false;
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: data });
    let beat = Date.now();
    let current = { what: 'starting', index: undefined };
    const ended = await new Promise((resolve) => {
      const watchdog = setInterval(() => {
        if (Date.now() - beat > HANG_MS) {
          clearInterval(watchdog);
          void w.terminate();
          resolve({ hung: true });
        }
      }, 1000);
      w.on('message', (m) => {
        beat = Date.now();
        if (m.type === 'heartbeat') current = m;
        else if (m.type === 'stdlib') {
          stdlibReport = m;
          process.stdout.write(`stdlib oracle: ${m.files}/${m.total} files, ${m.problems.length} problems\n`);
          for (const p of m.problems) {
            process.stdout.write(`  ${p.kind} ${p.op} ${p.file}: ${p.message.split('\n')[0]}\n`);
            bump(p.kind);
            addDistinct({ signature: `${p.kind} | ${p.op} | ${p.file}`, kind: p.kind, op: p.op, message: p.message.split('\n')[0] });
          }
        } else if (m.type === 'case') {
          totals.cases++;
          totals.findings += m.findings;
          totals.changed += m.changed;
          totals.chars += m.chars;
          if (m.slowestMs > slowest.ms) slowest = { ms: Math.round(m.slowestMs), op: m.slowestOp, index: m.index };
          for (const k of m.kinds) bump(k);
          for (const f of m.failures) {
            if (!distinct.has(f.signature)) process.stdout.write(`case ${m.index}: NEW ${f.signature}${f.reproducer ? ` -> ${f.reproducer} (${f.minimizedChars} chars)` : ''}\n`);
            addDistinct(f);
          }
          next = m.index + 1;
          if (Date.now() - lastProgress > 5000) {
            lastProgress = Date.now();
            const secs = ((Date.now() - started) / 1000).toFixed(0);
            process.stdout.write(
              `[${secs}s] cases ${totals.cases}, crashes ${totals.crashes}, timeouts ${totals.timeouts}, broken fixes ${totals.broken_fixes}, bad ranges ${totals.bad_ranges}, non-idempotent ${totals.non_idempotent}\n`,
            );
          }
        } else if (m.type === 'done') {
          next = m.next;
        }
      });
      w.on('error', (e) => {
        clearInterval(watchdog);
        resolve({ error: e });
      });
      w.on('exit', () => {
        clearInterval(watchdog);
        resolve({});
      });
    });
    if (ended.hung || ended.error) {
      const what = current.what;
      const kind = ended.hung ? 'timeout' : 'crash';
      bump(kind);
      if (current.index !== undefined) totals.cases++;
      const signature = `${kind} | worker | ${ended.hung ? `no progress for ${HANG_MS / 1000} s` : String(ended.error).split('\n')[0]} during ${what}`;
      addDistinct({ signature, kind, op: 'worker', message: `${what}: replay with --seed ${args.seed} (case index ${current.index ?? 'n/a'})` });
      process.stdout.write(`worker ${ended.hung ? 'hung' : 'crashed'} during ${what}; restarting after it\n`);
      if (current.index !== undefined) next = current.index + 1;
    }
  }

  const summary = {
    cases: totals.cases,
    crashes: totals.crashes,
    timeouts: totals.timeouts,
    broken_fixes: totals.broken_fixes,
    bad_ranges: totals.bad_ranges,
    non_idempotent: totals.non_idempotent,
    seed: args.seed,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    stdlib_files: stdlibReport ? stdlibReport.files : 0,
    findings: totals.findings,
    fixed_outputs: totals.changed,
    chars: totals.chars,
    slowest_call: slowest,
    failures: [...distinct.values()],
  };
  writeFileSync(join(outDir, 'last-run.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const failed = summary.crashes + summary.timeouts + summary.broken_fixes + summary.bad_ranges + summary.non_idempotent > 0;
  process.stdout.write(`FUZZ ${JSON.stringify(summary)}\n`);
  process.exitCode = failed ? 1 : 0;
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    process.stdout.write(`FUZZ ${JSON.stringify({ cases: 0, crashes: 0, timeouts: 0, broken_fixes: 0, error: String(e) })}\n`);
    process.exitCode = 2;
  });
} else {
  worker(workerData).catch((e) => {
    parentPort.postMessage({ type: 'heartbeat', what: `worker error ${e instanceof Error ? e.stack : String(e)}` });
    throw e;
  });
}
