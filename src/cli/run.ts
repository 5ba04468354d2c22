/**
 * The CLI as a function: `run(argv, io)` parses arguments, processes the files and returns the
 * exit status, writing only to the injected streams. No `process.exit`, no global state, so
 * tests and other front ends (a workspace migration command) can call it directly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { initEngine, analyze, fixAll, InputRefused } from '../engine';
import { summarizeModule } from '../core/semantic/summary';
import { indexProject, type ProjectFiles } from './project-index';
import type { AnalyzeOptions, Finding, FixOptions, FixResult } from '../core/types';
import { FileSystem, nodeFileSystem } from '../workspace/fsys';
import { analyzeOptionsFor, fixOptionsFor } from '../config/engine-options';
import { decodePythonSource, encodePythonSource, readPythonFile, ReadResult, SourceEncoding, atomicWriteFile, WriteRefused, FileIdentity, fileIdentity, removeStaleTempFiles } from '../workspace/files';
import { collectPythonFiles, FileEntry } from '../workspace/walk';
import { HELP, parseCliArgs, resolveSettings, Settings, UsageError } from './options';
import { toJsonFinding, formatTextFinding, sortFindings, unifiedDiff, summariseCodes, JsonFinding, escapeControlChars } from './report';
import { LineIndex } from '../core/text';
import { plural } from '../shared/plural';
import { pythonProblem, verifyPythonSource } from './verify';
import { AnalyzeOutcome, EnginePool, orderedMap, RequestTimeoutError, formatSeconds, type ProjectRef } from './pool';
import { ResultCache } from './cache';

export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
}

export interface RunIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Default `process.cwd()`. */
  cwd?: string;
  /** Reads all of stdin (for `-`); default reads `process.stdin`. */
  readStdin?: () => Promise<Buffer>;
  fs?: FileSystem;
  /** Stop after the current file once aborted (Ctrl-C). */
  signal?: { readonly aborted: boolean };
  /** Interpreter for `--verify`; default `python3`. */
  python?: string;
  /** Folder with the parser's wasm files, passed to `initEngine`. */
  wasmDir?: string;
  /** Test hook: runs after a file's fix is computed and just before it is written. */
  beforeWrite?: (file: string) => void | Promise<void>;
  /**
   * Test seam: runs inside the write, after the temp file is fsynced and before the last
   * comparison with what was read and the rename (see `atomicWriteFile`).
   */
  beforeCommit?: (file: string, tempFile: string) => void | Promise<void>;
  /** Folder of the cache's per-user secret (default `$XDG_CACHE_HOME/anyio-migrate`, else `~/.cache/anyio-migrate`). */
  cacheKeyDir?: string;
  /** Test seam: engine workers block on any text containing this string (exercises `--file-timeout`). */
  stallOnText?: string;
  /** Files read ahead of the one being processed (default 8). */
  readConcurrency?: number;
  /** The analysis functions (default: the engine's); injectable to test refusals. Runs with an injected engine use neither workers nor the cache. */
  engine?: EngineFunctions;
  /** Runs with at least this many files use the worker pool (when `--jobs` > 1; default 16). */
  poolMinFiles?: number;
  /** Called once a run is over with what the pool and the cache did (for tests and benchmarks). */
  onStats?: (stats: RunStats) => void;
}

export interface RunStats {
  /** Worker threads used (0: the analysis ran in the calling thread). */
  workers: number;
  /** Files whose text mentions anyio (the others are never parsed). */
  analysed: number;
  cacheHits: number;
  cacheMisses: number;
  cacheWrites: number;
  /** Cache entries found but not believed (bad HMAC, fields or shape). */
  cacheRejected: number;
  /** The project index's summaries read from the cache / computed and written to it. */
  summaryCacheHits: number;
  summaryCacheWrites: number;
  /** Files skipped for running past the per-file time budget. */
  timeouts: number;
  /** Worker threads started, replacements of timed-out workers included. */
  workersStarted: number;
  /** Stale temp files of ours (from killed runs) removed by `fix`. */
  staleTempsRemoved: number;
}

/**
 * A file the engine refuses to analyse (nested deeper than CPython's parser allows, ...): reported
 * as skipped with the engine's reason, like a file that cannot be read, never as an internal error.
 */
class InputNotAnalysed extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InputNotAnalysed';
  }
}

/** Default for `RunIO.poolMinFiles`: below this, starting workers costs more than it saves. */
export const POOL_MIN_FILES = 16;

export interface EngineFunctions {
  analyze: typeof analyze;
  fixAll: typeof fixAll;
}

/** Progress is drawn only for runs with at least this many files (and only on a TTY). */
export const PROGRESS_MIN_FILES = 20;

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;
export const EXIT_INTERRUPTED = 130;

/** The package version, from the nearest package.json named anyio-migrate above this file. */
export function packageVersion(): string {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'anyio-migrate' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* keep looking */
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** Writes to stdout/stderr, keeping a one-line progress indicator on a TTY out of the way. */
class Console {
  private progressShown = false;
  private lastProgress = 0;

  constructor(
    private readonly io: RunIO,
    private readonly progressEnabled: boolean,
  ) {}

  out(text: string | Uint8Array): void {
    this.clearProgress();
    this.io.stdout.write(text);
  }

  /** One line on stderr; file names and reasons in it may hold control characters, so they are escaped. */
  err(line: string): void {
    this.clearProgress();
    this.io.stderr.write(`${escapeControlChars(line)}\n`);
  }

  warn(file: string, reason: string): void {
    this.err(`warning: ${file}: ${reason}`);
  }

  progress(done: number, total: number, file: string): void {
    if (!this.progressEnabled || total < PROGRESS_MIN_FILES) return;
    const now = Date.now();
    if (now - this.lastProgress < 100) return;
    this.lastProgress = now;
    const shown = escapeControlChars(file);
    const name = shown.length > 60 ? `…${shown.slice(-59)}` : shown;
    this.io.stderr.write(`\r\x1b[2K[${done}/${total}] ${name}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (this.progressShown) {
      this.io.stderr.write('\r\x1b[2K');
      this.progressShown = false;
    }
  }
}

interface Totals {
  scanned: number;
  skipped: number;
  filesWithFindings: number;
  findings: number;
  safeFixable: number;
  unsafeFixable: number;
  changed: number;
  notWritten: number;
  fixed: number;
  left: number;
  leftUnsafe: number;
}

function newTotals(): Totals {
  return { scanned: 0, skipped: 0, filesWithFindings: 0, findings: 0, safeFixable: 0, unsafeFixable: 0, changed: 0, notWritten: 0, fixed: 0, left: 0, leftUnsafe: 0 };
}

/** Read files in order with up to `limit` reads in flight; only those texts are held in memory. */
async function* readAhead(entries: readonly FileEntry[], limit: number, read: (e: FileEntry) => Promise<ReadResult>, stop: () => boolean): AsyncGenerator<[FileEntry, ReadResult]> {
  const pending: Array<Promise<ReadResult>> = [];
  let next = 0;
  const fill = (): void => {
    while (next < entries.length && pending.length < limit && !stop()) pending.push(read(entries[next++]!));
  };
  fill();
  for (let i = 0; i < entries.length; i++) {
    if (stop()) return;
    const p = pending.shift();
    if (!p) return;
    const result = await p;
    fill();
    yield [entries[i]!, result];
  }
}

function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return path.basename(file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

export async function run(argv: readonly string[], io: RunIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let settings: Settings;
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      io.stdout.write(HELP);
      return EXIT_OK;
    }
    if (args.version) {
      io.stdout.write(`anyio-migrate ${packageVersion()}\n`);
      return EXIT_OK;
    }
    if (!args.command) {
      io.stderr.write(HELP);
      return EXIT_ERROR;
    }
    settings = resolveSettings(args, cwd);
    for (const w of settings.warnings) io.stderr.write(`warning: ${escapeControlChars(w)}\n`);
  } catch (err) {
    if (err instanceof UsageError) {
      // A usage error may list several problems, one per line: escape each line, keep the breaks.
      io.stderr.write(`error: ${err.message.split('\n').map(escapeControlChars).join('\n')}\nRun 'anyio-migrate --help' for usage.\n`);
      return EXIT_ERROR;
    }
    throw err;
  }
  const python = io.python ?? 'python3';
  if (settings.verify && settings.command !== 'check') {
    const problem = await pythonProblem(python);
    if (problem) {
      io.stderr.write(`error: --verify needs a Python interpreter: ${problem}\n`);
      return EXIT_ERROR;
    }
  }
  const runner = new Runner(settings, io, cwd, python);
  try {
    return await (settings.stdin ? runner.runStdin() : runner.runPaths());
  } finally {
    await runner.close();
  }
}

class Runner {
  private readonly totals = newTotals();
  private readonly console: Console;
  private readonly fs: FileSystem;
  private readonly analyzeOptions: AnalyzeOptions;
  private readonly fixOptions: FixOptions;
  private readonly engine: EngineFunctions;
  private hadError = false;
  private jsonCount = 0;
  private readonly cache: ResultCache | undefined;
  private pool: EnginePool | undefined;
  /** The project index of a run over paths (see `project-index.ts`). */
  private project: ProjectFiles | undefined;
  private analysed = 0;
  private timeouts = 0;
  private staleTempsRemoved = 0;
  /** Directories already cleaned of stale temp files in this run (`fix`). */
  private readonly cleanedDirs = new Set<string>();
  /** The engine in this thread, initialised on first use (runs with workers may never need it). */
  private engineReady: Promise<unknown> | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly io: RunIO,
    private readonly cwd: string,
    private readonly python: string,
  ) {
    this.fs = io.fs ?? nodeFileSystem;
    this.engine = io.engine ?? { analyze, fixAll };
    this.console = new Console(io, settings.progress && !settings.quiet && io.stderr.isTTY === true);
    this.analyzeOptions = analyzeOptionsFor(settings);
    this.fixOptions = fixOptionsFor(settings);
    // An injected engine is a test double: its answers must neither be cached nor bypassed.
    // `fix` rewrites what it reads (its inputs are rarely seen again) and must leave nothing but
    // the fixes behind in the tree: only the read-only commands, the ones run again and again
    // (CI, pre-commit, editors), use the cache.
    if (settings.cache && !io.engine && settings.command !== 'fix') {
      const warn = (message: string): void => this.console.err(`warning: ${message}`);
      const opened = ResultCache.open(settings.configFile !== undefined ? path.dirname(settings.configFile) : cwd, packageVersion(), {
        warn,
        ...(io.cacheKeyDir !== undefined ? { keyDir: io.cacheKeyDir } : {}),
      });
      this.cache = opened.cache;
      if (opened.warning !== undefined) warn(opened.warning);
    }
    // The per-file time budget needs the engine off this thread (a worker can be terminated; this
    // thread cannot interrupt itself): with a budget, even a one-file run analyses in a worker.
    // An injected engine is a test double and runs here.
    if (!io.engine && settings.fileTimeoutMs > 0) this.pool = this.createPool(1);
  }

  private createPool(size: number): EnginePool | undefined {
    return EnginePool.create(size, {
      ...(this.io.wasmDir !== undefined ? { wasmDir: this.io.wasmDir } : {}),
      ...(this.settings.fileTimeoutMs > 0 ? { timeoutMs: this.settings.fileTimeoutMs } : {}),
      ...(this.io.stallOnText !== undefined ? { stallOnText: this.io.stallOnText } : {}),
    });
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** The engine in this thread (initialised once, on first use). */
  private async inThread(): Promise<EngineFunctions> {
    this.engineReady ??= initEngine(this.io.wasmDir ? { wasmDir: this.io.wasmDir } : {});
    await this.engineReady;
    return this.engine;
  }

  private reportStats(): void {
    this.io.onStats?.({
      workers: this.pool?.size ?? 0,
      analysed: this.analysed,
      cacheHits: this.cache?.stats.hits ?? 0,
      cacheMisses: this.cache?.stats.misses ?? 0,
      cacheWrites: this.cache?.stats.writes ?? 0,
      cacheRejected: this.cache?.stats.rejected ?? 0,
      summaryCacheHits: this.cache?.summaryStats.hits ?? 0,
      summaryCacheWrites: this.cache?.summaryStats.writes ?? 0,
      timeouts: this.timeouts,
      workersStarted: this.pool?.stats.started ?? 0,
      staleTempsRemoved: this.staleTempsRemoved,
    });
  }

  // ---- engine calls: cache, then the pool or this thread ------------------------------------

  /** The findings for `text`; throws `InputNotAnalysed` when the engine refuses the text. */
  private async findingsFor(text: string, ref?: ProjectRef): Promise<Finding[]> {
    const keyOptions = this.cacheOptions(this.analyzeOptions, ref);
    const cached = this.cache?.getFindings(keyOptions, text);
    if (cached?.findings) return cached.findings;
    const outcome = this.pool ? await this.pool.analyzeOutcome(text, this.analyzeOptions, ref) : await this.analyzeInThread(text, ref);
    if (outcome.refused !== undefined) throw new InputNotAnalysed(outcome.refused);
    if (cached) this.cache!.setFindings(cached.key, keyOptions, text, outcome.findings);
    return outcome.findings;
  }

  /**
   * Cache entries of a project file depend on the summaries of what it imports: their digest is
   * part of the key (a changed helper invalidates the files that use it, and only those).
   */
  private cacheOptions<T extends AnalyzeOptions>(options: T, ref: ProjectRef | undefined): T {
    if (!ref || !this.project) return options;
    return { ...options, projectDigest: `${ref.module}:${this.project.index.digest(ref.module)}` };
  }

  /** Options with the project context of `ref`, for the engine in this thread. */
  private withProject<T extends AnalyzeOptions>(options: T, ref: ProjectRef | undefined): T {
    return ref && this.project ? { ...options, project: { index: this.project.index, ...ref } } : options;
  }

  /** The file's module in the project index, when it has a summary. */
  private refFor(file: string): ProjectRef | undefined {
    const n = this.project?.modules.get(file);
    return n && this.project!.index.get(n.module) ? n : undefined;
  }

  /** Whether a file can have findings: it mentions anyio, or the index summarised it (it is AnyIO-related). */
  private relevant(text: string, ref: ProjectRef | undefined): boolean {
    return text.includes('anyio') || !!ref;
  }

  /** The engine's `analyzeOutcome` in this thread, through the (possibly injected) `analyze`. */
  private async analyzeInThread(text: string, ref?: ProjectRef): Promise<AnalyzeOutcome> {
    const engine = await this.inThread();
    try {
      return { findings: engine.analyze(text, this.withProject(this.analyzeOptions, ref)) };
    } catch (err) {
      if (err instanceof InputRefused) return { refused: err.message };
      throw err;
    }
  }

  private async fixResultFor(text: string, ref?: ProjectRef): Promise<FixResult> {
    const keyOptions = this.cacheOptions(this.fixOptions, ref);
    const cached = this.cache?.getFix(keyOptions, text);
    if (cached?.result) return cached.result;
    const result = this.pool ? await this.pool.fixAll(text, this.fixOptions, ref) : (await this.inThread()).fixAll(text, this.withProject(this.fixOptions, ref));
    if (cached) this.cache!.setFix(cached.key, keyOptions, text, result);
    return result;
  }

  /** Start the engine work for one read file (in a worker when there is a pool). */
  private precompute(read: ReadResult, ref: ProjectRef | undefined, file?: string): Promise<Precomputed> {
    if (!read.ok || !this.relevant(read.text, ref)) return Promise.resolve({});
    // Its summary already took longer than the budget: the file is skipped, not tried again.
    const failed = file === undefined ? undefined : this.project?.failed.get(file);
    if (failed instanceof RequestTimeoutError) return Promise.reject(failed);
    this.analysed++;
    if (this.settings.command === 'check') return this.findingsFor(read.text, ref).then((findings) => ({ findings }));
    return this.fixResultFor(read.text, ref).then((fix) => ({ fix }));
  }

  private get aborted(): boolean {
    return this.io.signal?.aborted === true;
  }

  // ---- output -------------------------------------------------------------------------------

  /** Findings go to stdout, except in `fix -` / `diff -` where stdout carries the result. */
  private emitFindings(display: string, text: string, findings: readonly Finding[], toStderr: boolean): void {
    if (findings.length === 0) return;
    const index = new LineIndex(text);
    const items = sortFindings(findings).map((f) => toJsonFinding(display, f, index));
    if (this.settings.format === 'json' && !toStderr) {
      for (const item of items) this.emitJson(item);
      return;
    }
    const lines = `${items.map(formatTextFinding).join('\n')}\n`;
    if (toStderr) this.console.err(lines.slice(0, -1));
    else this.console.out(lines);
  }

  private emitJson(item: JsonFinding): void {
    const body = JSON.stringify(item, null, 2).replace(/\n/g, '\n  ');
    this.console.out(`${this.jsonCount === 0 ? '[\n  ' : ',\n  '}${body}`);
    this.jsonCount++;
  }

  private finishJson(): void {
    if (this.settings.format !== 'json' || this.settings.command === 'diff') return;
    this.console.out(this.jsonCount === 0 ? '[]\n' : '\n]\n');
  }

  private countLeft(findings: readonly Finding[]): void {
    this.totals.left += findings.length;
    if (!this.settings.unsafeFixes) this.totals.leftUnsafe += findings.filter((f) => f.fix?.applicability === 'unsafe').length;
  }

  private summary(interrupted: boolean, processed: number, total: number): void {
    if (this.settings.quiet) return;
    const t = this.totals;
    const head = `${plural(t.scanned, 'file')} scanned${t.skipped > 0 ? `, ${t.skipped} skipped` : ''}`;
    let body: string;
    const unsafeHint = (n: number): string => (n > 0 ? ` (${n} ${n === 1 ? 'has' : 'have'} an unsafe fix: add --unsafe-fixes)` : '');
    if (this.settings.command === 'check') {
      if (t.findings === 0) body = 'no findings';
      else {
        const fixable: string[] = [];
        if (t.safeFixable > 0) fixable.push(`${t.safeFixable} fixable with 'anyio-migrate fix'`);
        if (t.unsafeFixable > 0) fixable.push(`${t.unsafeFixable} more with '--unsafe-fixes'`);
        body = `${plural(t.findings, 'finding')} in ${plural(t.filesWithFindings, 'file')}${fixable.length > 0 ? `; ${fixable.join(', ')}` : ''}`;
      }
    } else {
      const verb = this.settings.command === 'diff' ? 'would change' : 'changed';
      const fixedVerb = this.settings.command === 'diff' ? 'would be fixed' : 'fixed';
      body = `${plural(t.changed, 'file')} ${verb}, ${plural(t.fixed, 'finding')} ${fixedVerb}, ${t.left} left${unsafeHint(t.leftUnsafe)}`;
      if (t.notWritten > 0) body += `; ${plural(t.notWritten, 'file')} not ${this.settings.command === 'diff' ? 'fixable' : 'written'} (see warnings above)`;
    }
    const stopped = interrupted ? `Interrupted after ${processed} of ${total} files. ` : '';
    this.console.err(`${stopped}${head}: ${body}.`);
  }

  private exitCode(interrupted: boolean): number {
    if (interrupted) return EXIT_INTERRUPTED;
    if (this.hadError) return EXIT_ERROR;
    if (this.settings.exitZero) return EXIT_OK;
    const t = this.totals;
    switch (this.settings.command) {
      case 'check':
        return t.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
      case 'diff':
        return t.changed > 0 ? EXIT_FINDINGS : EXIT_OK;
      case 'fix':
        return t.left > 0 ? EXIT_FINDINGS : EXIT_OK;
    }
  }

  // ---- one text -----------------------------------------------------------------------------

  /**
   * Compute what `fix` would produce for `text`: the bytes to write (undefined when nothing
   * changes or the result is refused), after encoding and optional verification.
   */
  private async computeFix(display: string, text: string, encoding: SourceEncoding, precomputed?: FixResult, ref?: ProjectRef): Promise<{ bytes?: Buffer; output: string; applied: string[]; remaining: Finding[] }> {
    const result = precomputed ?? (await this.fixResultFor(text, ref));
    if (result.capped) this.console.warn(display, 'fixes did not converge within the iteration limit; the result may still have fixable findings');
    if (result.refused !== undefined) {
      // Input the engine cannot analyse at all is skipped (`InputNotAnalysed` thrown here); only a
      // result refused for what the fixes would do is "not fixed".
      const remaining = await this.findingsFor(text, ref);
      this.console.warn(display, `not fixed: ${result.refused}`);
      this.totals.notWritten++;
      return { output: text, applied: [], remaining };
    }
    if (result.output === text) return { output: text, applied: [], remaining: result.remaining };
    const encoded = encodePythonSource(result.output, encoding);
    if (!encoded.ok) {
      this.console.warn(display, `not fixed: ${encoded.reason}`);
      this.totals.notWritten++;
      return { output: text, applied: [], remaining: await this.findingsFor(text, ref) };
    }
    if (this.settings.verify) {
      const v = await verifyPythonSource(this.python, encoded.bytes);
      if (!v.ok) {
        this.console.warn(display, `not fixed (--verify): ${v.reason}`);
        this.totals.notWritten++;
        return { output: text, applied: [], remaining: await this.findingsFor(text, ref) };
      }
    }
    return { bytes: encoded.bytes, output: result.output, applied: result.applied.map((a) => a.code), remaining: result.remaining };
  }

  // ---- stdin --------------------------------------------------------------------------------

  async runStdin(): Promise<number> {
    const { command } = this.settings;
    const display = '-';
    let bytes: Buffer;
    try {
      bytes = await (this.io.readStdin ?? readProcessStdin)();
    } catch (err) {
      this.console.err(`error: cannot read stdin: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT_ERROR;
    }
    const decoded = decodePythonSource(bytes);
    if (!decoded.ok) {
      this.console.err(`error: -: ${decoded.reason}`);
      if (command === 'fix') this.console.out(bytes); // pass the input through untouched
      return EXIT_ERROR;
    }
    const text = decoded.text;
    const relevant = text.includes('anyio');
    try {
      if (command === 'check') {
        const findings = relevant ? await this.findingsFor(text) : [];
        this.totals.scanned = 1;
        this.recordCheck(findings);
        this.emitFindings(display, text, findings, false);
        this.finishJson();
        this.summary(false, 1, 1);
        return this.exitCode(false);
      }
      return await this.stdinFix(display, bytes, text, decoded.encoding, relevant);
    } catch (err) {
      if (err instanceof RequestTimeoutError) {
        this.timeouts++;
        this.console.err(`error: -: ${this.timeoutReason(err)}`);
      } else if (err instanceof InputNotAnalysed) {
        this.console.err(`error: -: ${err.reason}`);
      } else {
        throw err;
      }
      if (command === 'fix') this.console.out(bytes); // pass the input through untouched
      this.finishJson();
      return EXIT_ERROR;
    }
  }

  private timeoutReason(err: RequestTimeoutError): string {
    return `took longer than ${formatSeconds(err.timeoutMs)} s; skipped (see --file-timeout)`;
  }

  private async stdinFix(display: string, bytes: Buffer, text: string, encoding: SourceEncoding, relevant: boolean): Promise<number> {
    const { command } = this.settings;
    const fix = relevant ? await this.computeFix(display, text, encoding) : { output: text, applied: [] as string[], remaining: [] as Finding[] };
    this.totals.scanned = 1;
    if (command === 'fix') {
      this.console.out(fix.bytes ?? bytes);
      if (fix.bytes) {
        this.totals.changed++;
        this.totals.fixed += fix.applied.length;
        if (!this.settings.quiet) this.console.err(`Fixed -: ${summariseCodes(fix.applied)}`);
      }
      this.emitFindings(display, fix.output, fix.remaining, true);
    } else {
      if (fix.bytes) {
        this.totals.changed++;
        this.totals.fixed += fix.applied.length;
        this.console.out(unifiedDiff(display, text, fix.output));
      }
    }
    this.countLeft(fix.remaining);
    this.summary(false, 1, 1);
    return this.exitCode(false);
  }

  private recordCheck(findings: readonly Finding[]): void {
    if (findings.length === 0) return;
    this.totals.filesWithFindings++;
    this.totals.findings += findings.length;
    for (const f of findings) {
      if (f.fix?.applicability === 'safe') this.totals.safeFixable++;
      else if (f.fix?.applicability === 'unsafe') {
        if (this.settings.unsafeFixes) this.totals.safeFixable++;
        else this.totals.unsafeFixable++;
      }
    }
  }

  // ---- paths --------------------------------------------------------------------------------

  async runPaths(): Promise<number> {
    const walk = await collectPythonFiles(this.settings.paths, {
      fs: this.fs,
      cwd: this.cwd,
      ...(this.settings.exclude ? { exclude: this.settings.exclude } : {}),
      onWarning: (file, reason) => this.console.warn(displayPath(this.cwd, file), reason),
      shouldStop: () => this.aborted,
      followLinks: this.settings.followLinks,
    });
    for (const e of walk.errors) {
      this.console.err(`error: ${e.path}: ${e.reason}`);
      this.hadError = true;
    }
    const files = walk.files;
    if (files.length === 0 && walk.errors.length === 0 && !this.aborted && !this.settings.quiet) {
      this.console.err(`warning: no Python files found under ${this.settings.paths.join(', ')}`);
    }
    let processed = 0;
    let limit = Math.max(1, this.io.readConcurrency ?? 8);
    const useEngineDirectly = this.io.engine !== undefined;
    if (!useEngineDirectly && this.settings.jobs > 1 && files.length >= (this.io.poolMinFiles ?? POOL_MIN_FILES)) {
      if (this.pool) this.pool.grow(this.settings.jobs);
      else this.pool = this.createPool(this.settings.jobs);
    }
    // Keep every worker busy: a few files queued per worker ahead of the one being reported.
    if (this.pool) limit = Math.max(limit, this.pool.size * 4);
    // The project index first: what the files' imports give (a helper yielding a task group, a
    // class of the project's own) is proven before any file is analysed.
    if (!useEngineDirectly && this.settings.projectIndex && files.length > 0) await this.buildProjectIndex(files.map((f) => f.path));
    const fixing = this.settings.command === 'fix';
    const readFile = async (e: FileEntry): Promise<Read> => {
      const read = await readPythonFile(e.path, { fs: this.fs, maxFileSize: this.settings.maxFileSize });
      // `fix` compares the file with this identity again immediately before replacing it.
      if (!fixing || !read.ok) return read;
      const identity = await fileIdentity(e.path, read.bytes, this.fs);
      return identity ? { ...read, identity } : read;
    };
    try {
      // With a pool (or a cache), the engine work of the next files starts as soon as they are
      // read, in workers; the results are consumed here strictly in file order, so the output is
      // the same as a sequential run's.
      const items = this.pool
        ? orderedMap(files, limit, async (e): Promise<[Read, Promise<Precomputed>]> => {
            const read = await readFile(e);
            const pre = this.precompute(read, this.refFor(e.path), e.path);
            pre.catch(() => undefined); // observed below, in order; never an unhandled rejection
            return [read, pre];
          }, () => this.aborted)
        : undefined;
      const sequential = items ? undefined : readAhead(files, limit, readFile, () => this.aborted);
      for (;;) {
        let entry: FileEntry;
        let read: Read;
        let pre: Promise<Precomputed> | undefined;
        if (items) {
          const n = await items.next();
          if (n.done) break;
          [entry, [read, pre]] = n.value;
        } else {
          const n = await sequential!.next();
          if (n.done) break;
          [entry, read] = n.value;
        }
        const display = displayPath(this.cwd, entry.path);
        this.console.progress(processed, files.length, display);
        try {
          await this.processFile(entry, display, read, pre);
        } catch (err) {
          // One file's failure (an engine bug, most likely) must not stop the run or hide the rest.
          this.console.err(`error: ${display}: internal error, file left unchanged: ${err instanceof Error ? err.message : String(err)}`);
          this.hadError = true;
        }
        processed++;
        if (this.aborted) break;
      }
    } finally {
      await this.pool?.close();
    }
    this.reportStats();
    const interrupted = this.aborted && processed < files.length;
    this.console.clearProgress();
    this.finishJson();
    this.summary(interrupted, processed, files.length);
    return this.exitCode(interrupted);
  }

  private async buildProjectIndex(files: string[]): Promise<void> {
    const pool = this.pool;
    const compute = pool
      ? (text: string, module: string, isPackage: boolean, file: string) => pool.summarize(text, module, isPackage, file)
      : async (text: string, module: string, isPackage: boolean, file: string) => {
          await this.inThread();
          return summarizeModule(text, module, isPackage, file);
        };
    // Summaries of unchanged files come from the result cache (check and diff), like findings.
    const cache = this.cache;
    const summarize = cache
      ? async (text: string, module: string, isPackage: boolean, file: string) => {
          const hit = cache.getSummary(text, module, isPackage, file);
          if (hit.summary) return hit.summary;
          const s = await compute(text, module, isPackage, file);
          cache.setSummary(hit.key, text, s);
          return s;
        }
      : compute;
    this.project = await indexProject(files, this.settings.paths, {
      fs: this.fs,
      cwd: this.cwd,
      ...(this.settings.exclude ? { exclude: this.settings.exclude } : {}),
      maxFileSize: this.settings.maxFileSize,
      shouldStop: () => this.aborted,
      summarize,
    });
    pool?.setIndex(this.project.index.summaries());
  }

  private async processFile(entry: FileEntry, display: string, read: Read, pre?: Promise<Precomputed>): Promise<void> {
    try {
      await this.processRead(entry, display, read, pre);
    } catch (err) {
      // Over the time budget, or refused by the engine (too deeply nested): reported like a file
      // that could not be read, and the run goes on.
      let reason: string;
      if (err instanceof RequestTimeoutError) {
        this.timeouts++;
        reason = this.timeoutReason(err);
      } else if (err instanceof InputNotAnalysed) {
        reason = err.reason;
      } else {
        throw err;
      }
      this.totals.skipped++;
      if (entry.explicit) {
        this.console.err(`error: ${display}: ${reason}`);
        this.hadError = true;
      } else {
        this.console.warn(display, err instanceof InputNotAnalysed ? `skipped: ${reason}` : reason);
      }
    }
  }

  /** `fix`: remove stale temp files of ours (killed runs) from a directory we process files in. */
  private async cleanDirOnce(dir: string): Promise<void> {
    if (this.cleanedDirs.has(dir)) return;
    this.cleanedDirs.add(dir);
    this.staleTempsRemoved += (await removeStaleTempFiles(dir, { fs: this.fs })).length;
  }

  private async processRead(entry: FileEntry, display: string, read: Read, pre?: Promise<Precomputed>): Promise<void> {
    if (this.settings.command === 'fix') await this.cleanDirOnce(path.dirname(entry.path));
    if (!read.ok) {
      this.totals.skipped++;
      if (entry.explicit) {
        this.console.err(`error: ${display}: ${read.reason}`);
        this.hadError = true;
      } else {
        this.console.warn(display, `skipped: ${read.reason}`);
      }
      return;
    }
    const { text } = read;
    const ref = this.refFor(entry.path);
    // Every rule is about AnyIO: a file that neither mentions it nor imports a project module
    // carrying AnyIO objects cannot have findings.
    if (!this.relevant(text, ref)) {
      this.totals.scanned++;
      return;
    }
    const { command } = this.settings;
    const done = await (pre ?? this.precompute(read, ref, entry.path));
    if (command === 'check') {
      const findings = done.findings ?? (await this.findingsFor(text, ref));
      this.totals.scanned++;
      this.recordCheck(findings);
      this.emitFindings(display, text, findings, false);
      return;
    }
    const fix = await this.computeFix(display, text, read.encoding, done.fix, ref);
    this.totals.scanned++;
    if (!fix.bytes) {
      this.countLeft(fix.remaining);
      if (command === 'fix') this.emitFindings(display, text, fix.remaining, false);
      return;
    }
    if (command === 'diff') {
      this.totals.changed++;
      this.totals.fixed += fix.applied.length;
      this.countLeft(fix.remaining);
      this.console.out(unifiedDiff(display, text, fix.output));
      return;
    }
    try {
      await this.io.beforeWrite?.(entry.path);
      await atomicWriteFile(entry.path, fix.bytes, {
        fs: this.fs,
        expected: read.bytes,
        ...(read.identity ? { identity: read.identity } : {}),
        ...(this.io.beforeCommit ? { beforeCommit: this.io.beforeCommit } : {}),
      });
    } catch (err) {
      if (!(err instanceof WriteRefused)) throw err;
      this.console.warn(display, `not written: ${err.message}`);
      this.totals.notWritten++;
      // Nothing was fixed here: what is left is what the file had.
      const before = await this.findingsFor(text, ref);
      this.countLeft(before);
      this.emitFindings(display, text, before, false);
      return;
    }
    this.totals.changed++;
    this.totals.fixed += fix.applied.length;
    this.countLeft(fix.remaining);
    if (!this.settings.quiet) {
      const line = `Fixed ${display}: ${plural(fix.applied.length, 'fix', 'fixes')} (${summariseCodes(fix.applied)})`;
      if (this.settings.format === 'json') this.console.err(line);
      else this.console.out(`${escapeControlChars(line)}\n`);
    }
    this.emitFindings(display, fix.output, fix.remaining, false);
  }
}

/** A file as read, with (for `fix`) its identity at read time. */
type Read = ReadResult & { identity?: FileIdentity };

/** Engine results computed ahead of reporting a file (absent: compute in this thread now). */
interface Precomputed {
  findings?: Finding[];
  fix?: FixResult;
}

function readProcessStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}
