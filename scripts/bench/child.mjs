// One measurement, in its own Node process (so each starts cold, and its peak RSS is its own).
// Usage: node scripts/bench/child.mjs <mode> <json-args>; prints one JSON object as its last line.
//   cli     the CLI's engine path: `run(['check', ...])` in-process, as bin/anyio-migrate.js does
//           (with the project index's time and counts, when the build has one)
//   index   the project index alone (`indexProject`, in-thread summaries), engine init timed apart
//   ruff    ruff's WebAssembly build over a file list: a cold pass (load + first pass), then warm passes
//   floor   web-tree-sitter parsing every file of a list (read + decode + parse, nothing else)
//   server  the language server in-process: open-to-diagnostics and keystroke-to-diagnostics
//   load    require time of the extension and server bundles (dist/), with `vscode` stubbed
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const t0 = performance.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const [mode, rawArgs] = process.argv.slice(2);
const args = JSON.parse(rawArgs ?? '{}');

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
const done = (obj) => {
  process.stdout.write(`${JSON.stringify({ ...obj, peakRssMb: Math.round(maxRssMb()) })}\n`);
};

const utf8 = new TextDecoder('utf-8');
const readText = (f) => utf8.decode(readFileSync(f));

/**
 * The project index of a run, timed inside it: `indexProject` (out/src/cli/project-index.js) is
 * wrapped before run.js calls it (its compiled code calls it through the module's exports). Null
 * when the build has no project index (before issue 11).
 */
function timeProjectIndex() {
  const file = join(root, 'out/src/cli/project-index.js');
  let mod;
  try {
    mod = require(file);
  } catch {
    return null;
  }
  if (typeof mod.indexProject !== 'function') return null;
  const timing = { calls: 0, ms: 0, files: 0, summarised: 0, failed: 0 };
  const original = mod.indexProject;
  mod.indexProject = async (...a) => {
    const s = performance.now();
    const r = await original(...a);
    timing.ms += performance.now() - s;
    timing.calls++;
    timing.files += r.stats.files;
    timing.summarised += r.stats.summarised;
    timing.failed += r.failed.size;
    return r;
  };
  return timing;
}

/** The file a finding line of the text output is about (`path:line:col: CODE ...`). */
const findingFile = (line) => /^(.*?):\d+:\d+: /.exec(line)?.[1];

async function cli() {
  const index = timeProjectIndex();
  const { run } = require(join(root, 'out/src/cli/run.js'));
  const perFile = args.perFile ? new Map() : undefined;
  let pending = '';
  const sink = {
    lines: 0,
    write(chunk) {
      const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) this.lines++;
      if (perFile) {
        const parts = (pending + s).split('\n');
        pending = parts.pop();
        for (const l of parts) {
          const f = findingFile(l);
          if (f !== undefined) perFile.set(f, (perFile.get(f) ?? 0) + 1);
        }
      }
      return true;
    },
  };
  const err = {
    text: '',
    write(chunk) {
      this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    },
  };
  let stats;
  const argv = [
    'check',
    '--exit-zero',
    '--no-progress',
    '--jobs',
    String(args.jobs),
    ...(args.cache ? [] : ['--no-cache']),
    ...(args.projectIndex === false ? ['--no-project-index'] : []),
    ...args.paths,
  ];
  const code = await run(argv, { stdout: sink, stderr: err, cwd: args.cwd, onStats: (s) => (stats = s) });
  const ms = performance.now() - t0;
  const summary = err.text.trim().split('\n').pop();
  done({ ms, code, findingLines: sink.lines, summary, stats, index, ...(perFile ? { perFile: Object.fromEntries(perFile) } : {}) });
}

/**
 * `indexProject` alone, in this thread: the engine initialised first (timed apart), then the walk
 * of the paths and the index with `summarizeModule` as the summariser (what a 1-worker run does).
 */
async function index() {
  const { collectPythonFiles } = require(join(root, 'out/src/workspace/walk.js'));
  const { indexProject } = require(join(root, 'out/src/cli/project-index.js'));
  const { initEngine } = require(join(root, 'out/src/core/engine.js'));
  const { summarizeModule } = require(join(root, 'out/src/core/semantic/summary.js'));
  const s0 = performance.now();
  await initEngine({});
  const initMs = performance.now() - s0;
  const s1 = performance.now();
  const walk = await collectPythonFiles(args.paths, { cwd: args.cwd });
  const walkMs = performance.now() - s1;
  let summarizeMs = 0;
  const summarize = async (text, module, isPackage, file) => {
    const s = performance.now();
    try {
      return summarizeModule(text, module, isPackage, file);
    } finally {
      summarizeMs += performance.now() - s;
    }
  };
  const s2 = performance.now();
  const r = await indexProject(
    walk.files.map((f) => f.path),
    args.paths,
    { cwd: args.cwd, summarize },
  );
  const indexMs = performance.now() - s2;
  done({ initMs, walkMs, indexMs, summarizeMs, files: r.stats.files, summarised: r.stats.summarised, failed: r.failed.size, walked: walk.files.length });
}

async function ruff() {
  const files = JSON.parse(readFileSync(args.list, 'utf8'));
  const r = require('@astral-sh/ruff-wasm-nodejs');
  const ws = new r.Workspace({ 'target-version': 'py311', lint: { select: ['ASYNC'] } }, r.PositionEncoding.UTF16);
  const pass = () => {
    let diagnostics = 0;
    let failed = 0;
    for (const f of files) {
      try {
        diagnostics += ws.check(readText(f)).length;
      } catch {
        failed++;
      }
    }
    return { diagnostics, failed };
  };
  const first = pass();
  const coldMs = performance.now() - t0;
  const warm = [];
  for (let i = 0; i < (args.warmPasses ?? 2); i++) {
    const s = performance.now();
    pass();
    warm.push(performance.now() - s);
  }
  done({ coldMs, warmMs: Math.min(...warm), warmAll: warm, diagnostics: first.diagnostics, failed: first.failed, version: r.Workspace.version() });
}

async function floor() {
  const files = JSON.parse(readFileSync(args.list, 'utf8'));
  const { Parser, Language } = require('web-tree-sitter');
  await Parser.init({ locateFile: () => require.resolve('web-tree-sitter/web-tree-sitter.wasm') });
  const lang = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  const initMs = performance.now() - t0;
  const passes = [];
  for (let p = 0; p < (args.passes ?? 1); p++) {
    const s = performance.now();
    for (const f of files) parser.parse(readText(f)).delete();
    passes.push(performance.now() - s);
  }
  done({ coldMs: initMs + passes[0], parseMs: Math.min(...passes), passes, initMs });
}

async function server() {
  const { PassThrough } = require('node:stream');
  const rpc = require('vscode-languageserver/node');
  const { startServer } = require(join(root, 'out/src/server/server.js'));
  const { generateLatencyDocument } = await import('./latency-doc.mjs');
  const text = generateLatencyDocument(join(root, 'test/fixtures'), args.lines ?? 5000);
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(rpc.createConnection(new rpc.StreamMessageReader(toServer), new rpc.StreamMessageWriter(toClient)));
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(toClient), new rpc.StreamMessageWriter(toServer));
  const waiting = new Map(); // version -> resolve
  let lastCount = 0;
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onNotification(() => undefined);
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiting.get(p.version);
    if (w && p.uri === uri) {
      waiting.delete(p.version);
      lastCount = p.diagnostics.length;
      w(performance.now());
    }
  });
  conn.listen();
  const uri = 'file:///bench/latency.py';
  await conn.sendRequest('initialize', {
    processId: null,
    rootUri: null,
    workspaceFolders: null,
    capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await conn.sendNotification('initialized', {});
  const published = (version) => new Promise((resolve) => waiting.set(version, resolve));
  const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`no diagnostics ${what} within ${ms} ms`)), ms))]);

  let version = 1;
  const openAt = performance.now();
  const firstP = published(version);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  const openToDiagnosticsMs = (await withTimeout(firstP, 60000, 'after open')) - openAt;
  const openDiagnostics = lastCount;

  // Typing: one character inserted into an identifier just before a call's `(` (so the text stays
  // valid Python), then deleted again, at positions spread over the whole file.
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const sites = [];
  for (const m of text.matchAll(/[A-Za-z_]\w*(?=\()/g)) sites.push(m.index + m[0].length);
  const picks = [];
  const want = args.edits ?? 120;
  const warmup = args.warmup ?? 10;
  for (let i = 0; i < (want + warmup + 1) / 2; i++) picks.push(sites[Math.floor((i * 7919) % sites.length)]);
  const posOf = (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - lineStarts[lo] };
  };
  const latencies = [];
  let edits = 0;
  for (const at of picks) {
    for (const insert of [true, false]) {
      if (edits >= want + warmup) break;
      version++;
      const p = published(version);
      const start = posOf(at);
      const change = insert ? { range: { start, end: start }, text: 'x' } : { range: { start, end: { line: start.line, character: start.character + 1 } }, text: '' };
      const s = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      const got = await withTimeout(p, 60000, `for version ${version}`);
      if (edits >= warmup) latencies.push(got - s);
      edits++;
    }
  }
  latencies.sort((a, b) => a - b);
  const pct = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
  conn.dispose();
  done({
    lines: text.split('\n').length,
    openToDiagnosticsMs,
    openDiagnostics,
    edits: latencies.length,
    p50: pct(0.5),
    p95: pct(0.95),
    max: latencies[latencies.length - 1],
  });
  process.exit(0);
}

async function load() {
  const Module = require('node:module');
  const origResolve = Module._resolveFilename;
  const stubPath = join(root, 'scripts/bench/vscode-stub.cjs');
  Module._resolveFilename = function (request, ...rest) {
    if (request === 'vscode') return stubPath;
    return origResolve.call(this, request, ...rest);
  };
  const s1 = performance.now();
  require(join(root, 'dist/extension.js'));
  const extensionMs = performance.now() - s1;
  const s2 = performance.now();
  require(join(root, 'dist/server.js'));
  const serverMs = performance.now() - s2;
  done({ extensionMs, serverMs });
}

const modes = { cli, index, ruff, floor, server, load };
if (!modes[mode]) {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
modes[mode]().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
