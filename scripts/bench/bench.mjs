#!/usr/bin/env node
// `npm run bench`: speed of anyio-migrate next to ruff's WebAssembly build and the parse-only
// floor, measured side by side in one run (issue 6). Every measurement runs in its own Node
// process (cold start, its own peak RSS); the machine may be shared and noisy, so the figures that
// matter are ratios between runs made minutes apart on the same machine.
//
//   1. workspace check throughput (lines/s, files/s) of the CLI's engine path, 1 worker and a
//      worker pool, over (a) realistic: /usr/lib/python3.11 + a generated AnyIO 2 code base, and
//      (b) worst case: the generated code base alone (every file uses AnyIO)
//   2. the same file lists through ruff-wasm (ASYNC rules; cold and warm) and a parse-only floor
//   3. editor latency through the language server in-process (5,000-line AnyIO file)
//   4. peak RSS of the workspace run, VSIX size
//   5. the project index (issue 11): its time inside `check` (and alone, in one thread) against the
//      whole run, how many files it summarised out of how many it read, and `check` against
//      `check --no-project-index`, on the realistic tree and on a generated 1,000-file package
//      whose modules import each other and only some use AnyIO (scripts/bench/project.mjs)
//   6. a table, then `BENCH {json}` as the last line (also written to bench-results/bench.json)
//
// Options: --quick (fewer edits and repetitions, for trying the script), --skip-vsix.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.mjs';
import { generateProject } from './project.mjs';

const benchStart = performance.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const quick = process.argv.includes('--quick');
const skipVsix = process.argv.includes('--skip-vsix');
const results = join(root, 'bench-results');
const corpusDir = join(results, 'corpus', 'anyio');
const projectDir = join(results, 'project');
const stdlibDir = '/usr/lib/python3.11';
const runDir = join(results, 'run'); // cwd of the CLI runs: where its cache lives
const log = (s) => process.stderr.write(`${s}\n`);

mkdirSync(results, { recursive: true });

// ---- corpora ------------------------------------------------------------------------------------

log('bench: generating the AnyIO 2 corpus (if needed)...');
const corpus = generateCorpus({ fixturesDir: join(root, 'test/fixtures'), outDir: corpusDir });
// The generated code base is its own repository: the CLI honours .gitignore files up to the
// enclosing repository's root, and bench-results/ is ignored by this one.
if (!existsSync(join(corpusDir, '.git'))) {
  const g = spawnSync('git', ['init', '-q', corpusDir]);
  if (g.status !== 0) mkdirSync(join(corpusDir, '.git'), { recursive: true });
}
log('bench: generating the 1,000-file package (if needed)...');
const projectGen = generateProject({ outDir: projectDir });
if (!existsSync(join(projectDir, '.git'))) {
  const g = spawnSync('git', ['init', '-q', projectDir]);
  if (g.status !== 0) mkdirSync(join(projectDir, '.git'), { recursive: true });
}
if (!existsSync(stdlibDir)) throw new Error(`${stdlibDir} not found: the realistic corpus needs Debian's Python 3.11 standard library`);

const { collectPythonFiles } = require(join(root, 'out/src/workspace/walk.js'));
async function listFiles(paths) {
  const walk = await collectPythonFiles(paths, { cwd: root });
  const files = walk.files.map((f) => f.path);
  let lines = 0;
  let bytes = 0;
  let anyio = 0;
  for (const f of files) {
    const b = readFileSync(f);
    bytes += b.length;
    let n = 0;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
    if (b.length > 0 && b[b.length - 1] !== 10) n++;
    lines += n;
    if (b.includes('anyio')) anyio++;
  }
  return { paths, files, lines, bytes, anyio };
}
const realistic = await listFiles([stdlibDir, corpusDir]);
const worst = await listFiles([corpusDir]);
const project = await listFiles([projectDir]);
for (const [name, c] of [
  ['realistic', realistic],
  ['worstcase', worst],
]) {
  c.list = join(results, `files-${name}.json`);
  writeFileSync(c.list, JSON.stringify(c.files));
}
log(`bench: realistic ${realistic.files.length} files, ${realistic.lines} lines (${realistic.anyio} mention anyio); worst case ${worst.files.length} files, ${worst.lines} lines`);

// ---- measurements -------------------------------------------------------------------------------

function child(mode, args, timeoutMs = 180_000) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/bench/child.mjs'), mode, JSON.stringify(args)], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !last) throw new Error(`bench child ${mode} failed (status ${r.status}, signal ${r.signal}):\n${r.stderr}`);
  return JSON.parse(last);
}

/** The better of `n` runs (the machine is shared: the minimum is the least disturbed one). */
function best(n, fn, key) {
  let b;
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (!b || r[key] < b[key]) b = r;
  }
  return b;
}

const pool = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
const reps = quick ? 1 : 2;
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });

const cli = (corpusSet, jobs, cache) => child('cli', { paths: corpusSet.paths, jobs, cache, cwd: runDir });
const ours = {};
for (const [name, c] of [
  ['realistic', realistic],
  ['worstcase', worst],
]) {
  log(`bench: ${name}: anyio-migrate check, 1 worker and ${pool} workers (no cache)...`);
  ours[name] = {
    one: best(reps, () => cli(c, 1, false), 'ms'),
    pool: best(reps, () => cli(c, pool, false), 'ms'),
  };
}
log('bench: realistic: anyio-migrate check with the cache (first run fills it, second reuses it)...');
rmSync(join(runDir, '.anyio-migrate-cache'), { recursive: true, force: true });
ours.realistic.cacheFill = cli(realistic, pool, true);
ours.realistic.cacheWarm = best(reps, () => cli(realistic, pool, true), 'ms');

// The project index: inside the runs above (the `index` field of a cli result), alone, and what
// `check` costs without it. A build without a project index reports null for all of these.
const hasIndex = ours.realistic.one.index !== null && ours.realistic.one.index !== undefined;
const indexFig = {};
if (hasIndex) {
  const noIndex = (corpusSet, jobs, extra = {}) => child('cli', { paths: corpusSet.paths, jobs, cache: false, cwd: runDir, projectIndex: false, ...extra });
  const withIndex = (corpusSet, jobs, extra = {}) => child('cli', { paths: corpusSet.paths, jobs, cache: false, cwd: runDir, ...extra });
  const alone = (corpusSet) => child('index', { paths: corpusSet.paths, cwd: runDir });
  log('bench: realistic: check --no-project-index, and the project index alone...');
  indexFig.realistic = {
    noIndexOne: best(reps, () => noIndex(realistic, 1), 'ms'),
    noIndexPool: best(reps, () => noIndex(realistic, pool), 'ms'),
    alone: best(reps, () => alone(realistic), 'indexMs'),
  };
  log(`bench: 1,000-file package: check with and without the project index, and the index alone...`);
  indexFig.project = {
    one: best(reps, () => withIndex(project, 1), 'ms'),
    pool: best(reps, () => withIndex(project, pool, { perFile: true }), 'ms'),
    noIndexOne: best(reps, () => noIndex(project, 1), 'ms'),
    noIndexPool: best(reps, () => noIndex(project, pool, { perFile: true }), 'ms'),
    alone: best(reps, () => alone(project), 'indexMs'),
  };
  // Findings in files that never write `anyio` (only the index can prove their helpers' objects).
  const withoutAnyio = (perFile) => {
    let findings = 0;
    let files = 0;
    for (const [f, n] of Object.entries(perFile ?? {})) {
      if (readFileSync(resolve(runDir, f), 'utf8').includes('anyio')) continue;
      findings += n;
      files++;
    }
    return { findings, files };
  };
  indexFig.project.withoutAnyio = withoutAnyio(indexFig.project.pool.perFile);
  indexFig.project.withoutAnyioNoIndex = withoutAnyio(indexFig.project.noIndexPool.perFile);
  delete indexFig.project.pool.perFile;
  delete indexFig.project.noIndexPool.perFile;
}

const ruff = {};
const floor = {};
for (const [name, c] of [
  ['realistic', realistic],
  ['worstcase', worst],
]) {
  log(`bench: ${name}: ruff-wasm (ASYNC) cold and warm...`);
  ruff[name] = best(reps, () => child('ruff', { list: c.list, warmPasses: quick ? 1 : 2 }), 'coldMs');
  log(`bench: ${name}: parse-only floor...`);
  floor[name] = child('floor', { list: c.list, passes: quick ? 1 : 2 });
}

log('bench: editor latency (language server in-process)...');
const server = child('server', { lines: 5000, edits: quick ? 100 : 120, warmup: 10 }, 240_000);
const load = best(3, () => child('load', {}), 'extensionMs');

let vsixBytes = null;
let vsixNote = '';
if (!skipVsix) {
  log('bench: packaging the VSIX...');
  const out = join(results, 'anyio-migrate.vsix');
  rmSync(out, { force: true });
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0 && existsSync(out)) vsixBytes = statSync(out).size;
  else vsixNote = `vsce package failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' ')}`;
} else vsixNote = 'skipped (--skip-vsix)';

// ---- report -------------------------------------------------------------------------------------

const perSec = (n, ms) => (n / ms) * 1000;
const o0 = (r) => r.stats?.workers ?? pool;
const r2 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
const r0 = (x) => Math.round(x);
const row = (label, c, ms, extra = '') => [
  label,
  `${(ms / 1000).toFixed(2)} s`,
  `${r0(perSec(c.lines, ms)).toLocaleString('en-US')}`,
  `${r0(perSec(c.files.length, ms)).toLocaleString('en-US')}`,
  extra,
];
const rows = [];
for (const [name, c] of [
  ['realistic', realistic],
  ['worstcase', worst],
]) {
  const o = ours[name];
  rows.push(row(`${name}: anyio-migrate, 1 worker`, c, o.one.ms, `${o.one.stats?.analysed ?? '?'} files analysed, RSS ${o.one.peakRssMb} MB`));
  rows.push(row(`${name}: anyio-migrate, ${o.pool.stats?.workers ?? pool} workers`, c, o.pool.ms, `RSS ${o.pool.peakRssMb} MB`));
  if (name === 'realistic') {
    rows.push(row(`${name}: anyio-migrate, cache filling`, c, o.cacheFill.ms, `${o.cacheFill.stats?.cacheWrites ?? 0} entries written`));
    rows.push(row(`${name}: anyio-migrate, cache warm`, c, o.cacheWarm.ms, `${o.cacheWarm.stats?.cacheHits ?? 0} hits`));
  }
  rows.push(row(`${name}: ruff-wasm ${ruff[name].version} ASYNC, cold`, c, ruff[name].coldMs, `${ruff[name].diagnostics} diagnostics`));
  rows.push(row(`${name}: ruff-wasm ASYNC, warm`, c, ruff[name].warmMs, ''));
  rows.push(row(`${name}: parse-only floor (1 thread)`, c, floor[name].parseMs, `cold ${(floor[name].coldMs / 1000).toFixed(2)} s`));
}
const indexNote = (r) => (r.index ? `index ${(r.index.ms / 1000).toFixed(2)} s (${r.index.summarised}/${r.index.files} summarised), ` : '');
const indexRows = [];
if (hasIndex) {
  const ri = indexFig.realistic;
  const pi = indexFig.project;
  indexRows.push(
    row(
      `realistic: check, ${o0(ours.realistic.pool)} workers`,
      realistic,
      ours.realistic.pool.ms,
      `${indexNote(ours.realistic.pool)}${ours.realistic.pool.stats?.analysed ?? '?'} analysed`,
    ),
  );
  indexRows.push(row(`realistic: check --no-project-index, ${o0(ri.noIndexPool)} workers`, realistic, ri.noIndexPool.ms, `${ri.noIndexPool.stats?.analysed ?? '?'} analysed`));
  indexRows.push(row('realistic: check, 1 worker', realistic, ours.realistic.one.ms, indexNote(ours.realistic.one).replace(/, $/, '')));
  indexRows.push(row('realistic: check --no-project-index, 1 worker', realistic, ri.noIndexOne.ms, ''));
  indexRows.push(
    row(
      'realistic: project index alone (1 thread)',
      realistic,
      ri.alone.indexMs,
      `summarising ${(ri.alone.summarizeMs / 1000).toFixed(2)} s, ${ri.alone.summarised}/${ri.alone.files} files`,
    ),
  );
  indexRows.push(
    row(`package: check, ${o0(pi.pool)} workers`, project, pi.pool.ms, `${indexNote(pi.pool)}${pi.pool.stats?.analysed ?? '?'} analysed, ${pi.pool.findingLines} findings`),
  );
  indexRows.push(
    row(
      `package: check --no-project-index, ${o0(pi.noIndexPool)} workers`,
      project,
      pi.noIndexPool.ms,
      `${pi.noIndexPool.stats?.analysed ?? '?'} analysed, ${pi.noIndexPool.findingLines} findings`,
    ),
  );
  indexRows.push(row('package: check, 1 worker', project, pi.one.ms, indexNote(pi.one).replace(/, $/, '')));
  indexRows.push(row('package: check --no-project-index, 1 worker', project, pi.noIndexOne.ms, ''));
  indexRows.push(
    row(
      'package: project index alone (1 thread)',
      project,
      pi.alone.indexMs,
      `summarising ${(pi.alone.summarizeMs / 1000).toFixed(2)} s, ${pi.alone.summarised}/${pi.alone.files} files`,
    ),
  );
}

const o = ours;
const bench = {
  // throughput ratios: > 1 means anyio-migrate is faster
  realistic_ratio_vs_ruff_cold: r2(ruff.realistic.coldMs / o.realistic.pool.ms),
  realistic_ratio_vs_ruff_warm: r2(ruff.realistic.warmMs / o.realistic.cacheWarm.ms),
  realistic_ratio_vs_ruff_warm_nocache: r2(ruff.realistic.warmMs / o.realistic.pool.ms),
  realistic_ratio_vs_ruff_cold_1worker: r2(ruff.realistic.coldMs / o.realistic.one.ms),
  realistic_ratio_vs_floor: r2(floor.realistic.parseMs / o.realistic.pool.ms),
  worstcase_ratio_vs_floor: r2(floor.worstcase.parseMs / o.worstcase.one.ms),
  worstcase_ratio_vs_floor_pool: r2(floor.worstcase.parseMs / o.worstcase.pool.ms),
  worstcase_ratio_vs_ruff_cold: r2(ruff.worstcase.coldMs / o.worstcase.pool.ms),
  worstcase_ratio_vs_ruff_warm: r2(ruff.worstcase.warmMs / o.worstcase.pool.ms),
  pool_speedup_realistic: r2(o.realistic.one.ms / o.realistic.pool.ms),
  pool_speedup_worstcase: r2(o.worstcase.one.ms / o.worstcase.pool.ms),
  // raw wall times (ms) of the runs above, for comparisons between builds on the same machine
  realistic_check_ms_1worker: r0(o.realistic.one.ms),
  realistic_check_ms_pool: r0(o.realistic.pool.ms),
  realistic_check_ms_cache_warm: r0(o.realistic.cacheWarm.ms),
  worstcase_check_ms_1worker: r0(o.worstcase.one.ms),
  worstcase_check_ms_pool: r0(o.worstcase.pool.ms),
  ruff_cold_ms_realistic: r0(ruff.realistic.coldMs),
  floor_parse_ms_realistic: r0(floor.realistic.parseMs),
  floor_parse_ms_worstcase: r0(floor.worstcase.parseMs),
  keystroke_p50_ms: r2(server.p50),
  keystroke_p95_ms: r2(server.p95),
  keystroke_edits: server.edits,
  latency_file_lines: server.lines,
  open_to_diagnostics_ms: r2(server.openToDiagnosticsMs),
  extension_load_ms: r2(load.extensionMs),
  server_bundle_load_ms: r2(load.serverMs),
  peak_rss_mb: Math.max(o.realistic.one.peakRssMb, o.realistic.pool.peakRssMb, o.realistic.cacheFill.peakRssMb),
  vsix_bytes: vsixBytes,
  lines_realistic: realistic.lines,
  lines_worstcase: worst.lines,
  files_realistic: realistic.files.length,
  files_worstcase: worst.files.length,
  workers: pool,
  cpus: os.cpus().length,
  loadavg_1m: r2(os.loadavg()[0]),
  ...indexKeys(),
  bench_seconds: 0,
};

/** The project index's figures (null without a project index in the build). */
function indexKeys() {
  const ri = indexFig.realistic;
  const pi = indexFig.project;
  const share = (r) => (r?.index ? r2(r.index.ms / r.ms) : null);
  return {
    // realistic tree: time of indexProject inside the pool run, and its share of the whole run
    realistic_index_ms: hasIndex ? r0(ours.realistic.pool.index.ms) : null,
    realistic_index_share: hasIndex ? share(ours.realistic.pool) : null,
    realistic_index_share_1worker: hasIndex ? share(ours.realistic.one) : null,
    realistic_index_alone_ms: hasIndex ? r0(ri.alone.indexMs) : null,
    realistic_index_files_read: hasIndex ? ri.alone.files : null,
    realistic_index_files_summarised: hasIndex ? ri.alone.summarised : null,
    realistic_noindex_ms_pool: hasIndex ? r0(ri.noIndexPool.ms) : null,
    realistic_noindex_ms_1worker: hasIndex ? r0(ri.noIndexOne.ms) : null,
    // > 1: check with the index is slower than check --no-project-index by that factor
    realistic_index_cost_ratio: hasIndex ? r2(ours.realistic.pool.ms / ri.noIndexPool.ms) : null,
    // 1,000-file package
    project_files: project.files.length,
    project_lines: project.lines,
    project_files_mentioning_anyio: project.anyio,
    project_check_ms_pool: hasIndex ? r0(pi.pool.ms) : null,
    project_check_ms_1worker: hasIndex ? r0(pi.one.ms) : null,
    project_index_ms: hasIndex ? r0(pi.pool.index.ms) : null,
    project_index_share: hasIndex ? share(pi.pool) : null,
    project_index_share_1worker: hasIndex ? share(pi.one) : null,
    project_index_alone_ms: hasIndex ? r0(pi.alone.indexMs) : null,
    project_index_alone_summarize_ms: hasIndex ? r0(pi.alone.summarizeMs) : null,
    project_index_files_read: hasIndex ? pi.alone.files : null,
    project_index_files_summarised: hasIndex ? pi.alone.summarised : null,
    project_noindex_ms_pool: hasIndex ? r0(pi.noIndexPool.ms) : null,
    project_noindex_ms_1worker: hasIndex ? r0(pi.noIndexOne.ms) : null,
    project_index_cost_ratio: hasIndex ? r2(pi.pool.ms / pi.noIndexPool.ms) : null,
    project_analysed: hasIndex ? (pi.pool.stats?.analysed ?? null) : null,
    project_analysed_noindex: hasIndex ? (pi.noIndexPool.stats?.analysed ?? null) : null,
    project_findings: hasIndex ? pi.pool.findingLines : null,
    project_findings_noindex: hasIndex ? pi.noIndexPool.findingLines : null,
    project_findings_without_anyio_text: hasIndex ? pi.withoutAnyio.findings : null,
    project_findings_without_anyio_text_noindex: hasIndex ? pi.withoutAnyioNoIndex.findings : null,
  };
}

const table = (head, body) => {
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const fmt = (r) =>
    r
      .map((c, i) => (i === 0 || i === r.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
};

const target = (ok) => (ok ? 'met' : 'NOT met');
bench.bench_seconds = r0((performance.now() - benchStart) / 1000);
const out = [];
out.push('');
out.push(
  `anyio-migrate benchmark — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}, node ${process.version}`,
);
out.push(`realistic: ${stdlibDir} + generated AnyIO 2 code base — ${realistic.files.length} files, ${realistic.lines.toLocaleString('en-US')} lines`);
out.push(`worst case: generated AnyIO 2 code base only — ${worst.files.length} files, ${worst.lines.toLocaleString('en-US')} lines (every file uses AnyIO)`);
out.push(
  `package: generated 1,000-file package — ${project.files.length} files, ${project.lines.toLocaleString('en-US')} lines (${project.anyio} write anyio; the others import each other and its helpers)`,
);
out.push('');
out.push(table(['workspace check', 'time', 'lines/s', 'files/s', 'notes'], rows));
out.push('');
if (hasIndex) {
  out.push(table(['project index (issue 11)', 'time', 'lines/s', 'files/s', 'notes'], indexRows));
  out.push(
    `findings in package files that never write anyio: ${indexFig.project.withoutAnyio.findings} in ${indexFig.project.withoutAnyio.files} files (${indexFig.project.withoutAnyioNoIndex.findings} with --no-project-index)`,
  );
} else out.push('project index: none in this build');
out.push('');
out.push(
  table(
    ['editor (language server in-process)', 'value'],
    [
      [`keystroke → diagnostics p50 (${server.edits} edits, ${server.lines}-line file)`, `${server.p50.toFixed(1)} ms`],
      ['keystroke → diagnostics p95', `${server.p95.toFixed(1)} ms`],
      ['open → first diagnostics', `${server.openToDiagnosticsMs.toFixed(1)} ms`],
      ['extension bundle load (dist/extension.js)', `${load.extensionMs.toFixed(1)} ms`],
      ['server bundle load (dist/server.js)', `${load.serverMs.toFixed(1)} ms`],
      ['peak RSS, workspace run', `${bench.peak_rss_mb} MB`],
      ['VSIX size', vsixBytes === null ? `n/a (${vsixNote})` : `${(vsixBytes / 1024).toFixed(0)} KB`],
    ],
  ),
);
out.push('');
out.push(
  table(
    ['target', 'ratio', 'status'],
    [
      ['realistic ≥ 2× ruff-wasm cold', `${bench.realistic_ratio_vs_ruff_cold}×`, target(bench.realistic_ratio_vs_ruff_cold >= 2)],
      ['worst case ≥ 0.8× parse-only floor (1 worker vs 1 thread)', `${bench.worstcase_ratio_vs_floor}×`, target(bench.worstcase_ratio_vs_floor >= 0.8)],
      ['keystroke → diagnostics p95 ≤ 5 ms', `${bench.keystroke_p95_ms} ms`, target(bench.keystroke_p95_ms <= 5)],
      ...(hasIndex ? [['1,000-file package: project index ≤ 25% of check', `${bench.project_index_share}×`, target(bench.project_index_share <= 0.25)]] : []),
      ['whole bench < 5 min', `${bench.bench_seconds} s`, target(bench.bench_seconds < 300)],
    ],
  ),
);
out.push('');
const text = `${out.join('\n')}\n`;
writeFileSync(
  join(results, 'bench.json'),
  `${JSON.stringify({ ...bench, details: { ours, ruff, floor, server, load, corpus, index: indexFig, project: projectGen } }, null, 2)}\n`,
);
process.stdout.write(text);
process.stdout.write(`BENCH ${JSON.stringify(bench)}\n`);
