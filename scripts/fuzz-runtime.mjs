#!/usr/bin/env node
// Differential runtime fuzzing of the fixes: `npm run fuzz:runtime -- [--seed S] [--count N]
// [--minutes M] [--batch B] [--modes anyio3,anyio3-unsafe,anyio2+3,anyio2+3-unsafe] [--minimize-seconds T]`.
//
// Generates AnyIO 2 programs (test/fuzz/runtime-grammar.ts), B per module, runs each original on
// AnyIO 2.2.0 and its migration (fixAll in each mode) on AnyIO 3.6.2 with -W error::DeprecationWarning
// (and on 2.2.0 too for the anyio2+3 modes), on asyncio and trio, and compares each program's output
// (test/fuzz/runtime-runner.ts). Stops after N programs (default 200) or M minutes, whichever
// comes first. Each distinct failure is minimised (T seconds, default 60) and saved under
// test-results/fuzz-runtime/.
//
// The last line is `FUZZ-RUNTIME {json}`: programs, seconds, failures, expected differences,
// original errors (generator bugs), and for each failure the minimised program, the original output
// and the migrated output. Exit code 1 when a failure or an original error was found.
// Program i of a seed is always the same. Needs the compiled out/ (npm run build or npx tsc -p .).
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test-results', 'fuzz-runtime');
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const args = {
    seed: Date.now() % 2_147_483_647,
    count: 200,
    minutes: Infinity,
    batch: 24,
    modes: ['anyio3', 'anyio3-unsafe', 'anyio2+3', 'anyio2+3-unsafe'],
    minimizeSeconds: 60,
    avoid: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || !/^-?\d+(\.\d+)?$/.test(v)) throw new Error(`${a} needs a number`);
      return Number(v);
    };
    if (a === '--seed') args.seed = Math.trunc(value());
    else if (a === '--count') args.count = Math.trunc(value());
    else if (a === '--minutes') args.minutes = value();
    else if (a === '--batch') args.batch = Math.max(1, Math.trunc(value()));
    else if (a === '--minimize-seconds') args.minimizeSeconds = value();
    else if (a === '--modes')
      args.modes = String(argv[++i] ?? '')
        .split(',')
        .filter(Boolean);
    else if (a === '--avoid')
      args.avoid = String(argv[++i] ?? '')
        .split(',')
        .filter(Boolean);
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run fuzz:runtime -- [--seed S] [--count N] [--minutes M] [--batch B] [--modes m1,m2] [--minimize-seconds T] [--avoid f1,f2]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.count > 0)) throw new Error('--count must be positive');
  return args;
}

/** The minimised programs' text after the fixes (without the driver). */
function programsAfterFix(runner, min) {
  const spans = runner.programSpans(
    min.migratedText,
    min.programs.map((p) => p.id),
  );
  return [...spans.values()].map(([s, e]) => min.migratedText.slice(s, e)).join('\n');
}

const indent = (text) =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const engine = require(join(root, 'out/src/engine.js'));
  const grammar = require(join(root, 'out/test/fuzz/runtime-grammar.js'));
  const runner = require(join(root, 'out/test/fuzz/runtime-runner.js'));
  for (const m of args.modes) if (!runner.MODES[m]) throw new Error(`unknown mode ${m} (known: ${Object.keys(runner.MODES).join(', ')})`);
  await engine.initEngine();
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'anyio-migrate-fuzz-runtime-'));
  const started = Date.now();
  const deadline = started + args.minutes * 60_000;
  const totals = { programs: 0, compared: 0, failures: 0, expected: 0, original_errors: 0 };
  const distinct = new Map();
  const expectedCodes = new Map();
  const originalErrors = [];
  const features = new Map();
  process.stdout.write(
    `fuzz:runtime seed ${args.seed}, up to ${args.count} programs${Number.isFinite(args.minutes) ? ` or ${args.minutes} min` : ''}, modes ${args.modes.join(', ')}${args.avoid.length ? `, avoiding ${args.avoid.join(', ')}` : ''}\n`,
  );
  try {
    for (let from = 0; from < args.count && Date.now() < deadline; from += args.batch) {
      const programs = grammar.generatePrograms(args.seed, from, Math.min(args.batch, args.count - from), new Set(args.avoid));
      for (const p of programs) for (const f of new Set(p.features)) features.set(f, (features.get(f) ?? 0) + 1);
      const r = await runner.checkBatch(programs, { dir: work, modes: args.modes });
      totals.programs += programs.length;
      totals.failures += r.failures.length;
      totals.expected += r.expected.length;
      totals.original_errors += r.originalErrors.length;
      for (const s of Object.values(r.modes)) totals.compared += s.compared;
      for (const e of r.expected) for (const c of new Set(e.remaining)) expectedCodes.set(c, (expectedCodes.get(c) ?? 0) + 1);
      for (const e of r.originalErrors) {
        if (originalErrors.length < 20) originalErrors.push({ ...e, text: grammar.renderProgram(programs.find((p) => p.id === e.program)) });
        process.stdout.write(`ORIGINAL ERROR ${e.program}@${e.backend}: ${e.output.split('\n').slice(-1)[0]}\n`);
      }
      for (const d of r.failures) {
        const sig = runner.differenceSignature(d);
        const known = distinct.get(sig);
        if (known) {
          known.count++;
          continue;
        }
        const entry = { signature: sig, count: 1, mode: d.mode, runtime: d.runtime, backend: d.backend, program: d.program, seed: args.seed };
        distinct.set(sig, entry);
        process.stdout.write(`NEW FAILURE ${sig} (${d.program}@${d.backend}); minimising...\n`);
        const budget = Math.max(0, Math.min(args.minimizeSeconds * 1000, deadline - Date.now()));
        const min = budget > 0 ? await runner.minimizeDifference(programs, d, { dir: work, budgetMs: budget }) : undefined;
        const text = min ? min.text : d.programText;
        Object.assign(entry, {
          reproduced: min ? min.reproduced : undefined,
          program_text: min ? min.programs.map((p) => grammar.renderProgram(p)).join('\n') : d.programText,
          migrated_text: min && min.reproduced ? programsAfterFix(runner, min) : d.migratedText,
          original_output: min ? min.original : d.original,
          migrated_output: min ? min.migrated : d.migrated,
        });
        const file = join(outDir, `${d.mode.replace('+', '_')}-${d.program}-s${args.seed}.py`);
        writeFileSync(file, text);
        entry.file = file;
      }
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      process.stdout.write(
        `[${secs}s] programs ${totals.programs}, comparisons ${totals.compared}, failures ${totals.failures} (${distinct.size} distinct), expected ${totals.expected}, original errors ${totals.original_errors}\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const summary = {
    seed: args.seed,
    modes: args.modes,
    avoid: args.avoid,
    programs: totals.programs,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    comparisons: totals.compared,
    failures: totals.failures,
    distinct_failures: distinct.size,
    expected_differences: totals.expected,
    expected_by_code: Object.fromEntries(expectedCodes),
    original_errors: totals.original_errors,
    features: Object.fromEntries([...features].sort()),
    failure_details: [...distinct.values()],
    original_error_details: originalErrors,
  };
  writeFileSync(join(outDir, 'last-run.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    `\nprograms ${summary.programs}, ${summary.seconds} s, ${summary.comparisons} comparisons, failures ${summary.failures} (${summary.distinct_failures} distinct), expected differences ${summary.expected_differences}, original errors ${summary.original_errors}\n`,
  );
  for (const f of summary.failure_details) {
    process.stdout.write(
      `\nFAILURE ${f.signature} (${f.count}×; ${f.program}@${f.backend}, ${f.mode} on ${f.runtime}${f.reproduced === false ? ', did not reproduce alone' : ''})\n`,
    );
    process.stdout.write(`  minimized program:\n${indent(f.program_text)}\n  after the fixes:\n${indent(f.migrated_text)}\n`);
    process.stdout.write(`  original output (2.2.0):\n${indent(f.original_output)}\n  migrated output:\n${indent(f.migrated_output)}\n`);
  }
  for (const e of originalErrors) process.stdout.write(`\nORIGINAL ERROR ${e.program}@${e.backend}:\n${indent(e.output)}\n${indent(e.text)}\n`);
  process.stdout.write(
    `FUZZ-RUNTIME ${JSON.stringify({ ...summary, failure_details: summary.failure_details.map((f) => ({ signature: f.signature, count: f.count, file: f.file })), original_error_details: undefined })}\n`,
  );
  process.exitCode = summary.failures + summary.original_errors > 0 ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`fuzz:runtime: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 2;
});
