/**
 * The CLI as a function: `run(argv, io)` parses arguments, processes the files and returns the
 * exit status, writing only to the injected streams. No `process.exit`, no global state, so
 * tests and other front ends (a workspace migration command) can call it directly.
 *
 * This module dispatches: stdin or paths, the files read ahead (and their engine work started in
 * workers) in order, each one's outcome (`process-file.ts`) printed as it comes (`printer.ts`),
 * and the summary and exit status computed from the outcomes (`summary.ts`).
 */
import * as path from 'path';
import { decodePythonSource, readPythonFile, fileIdentity } from '../workspace/files';
import { nodeFileSystem, type FileSystem } from '../workspace/fsys';
import { collectPythonFiles, type FileEntry } from '../workspace/walk';
import type { FileOutcome } from '../workspace/outcome';
import { HELP, parseCliArgs, resolveSettings, type Settings, UsageError } from './options';
import { escapeControlChars } from './report';
import { pythonProblem } from './verify';
import { orderedMap } from './ordered-map';
import { Console } from './console';
import { Analysis, type Precomputed } from './analysis';
import { FileProcessor, type FileResult, type Read } from './process-file';
import { Printer } from './printer';
import { EXIT_ERROR, EXIT_OK, exitCode, runTotalsPerFile, summaryLine, type Interruption } from './summary';
import { packageVersion } from './version';
import type { RunIO } from './run-io';

export type { OutputStream } from './console';
export { PROGRESS_MIN_FILES } from './console';
export type { EngineFunctions, RunIO, RunStats } from './run-io';
export { EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from './summary';
export { packageVersion } from './version';

/** Default for `RunIO.poolMinFiles`: below this, starting workers costs more than it saves. */
export const POOL_MIN_FILES = 16;

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
    await runner.prepare();
    return await (settings.stdin ? runner.runStdin() : runner.runPaths());
  } finally {
    await runner.close();
  }
}

class Runner {
  private readonly console: Console;
  private readonly printer: Printer;
  private readonly fs: FileSystem;
  private readonly analysis: Analysis;
  private readonly processor: FileProcessor;
  /** Every file's outcome, in order, and its unsafe-fixes setting: the summary and the exit status are computed from them. */
  private readonly outcomes: Array<{ outcome: FileOutcome; unsafeFixes: boolean }> = [];

  constructor(
    private readonly settings: Settings,
    private readonly io: RunIO,
    private readonly cwd: string,
    python: string,
  ) {
    this.fs = io.fs ?? nodeFileSystem;
    this.console = new Console(io, settings.progress && !settings.quiet && io.stderr.isTTY === true);
    this.printer = new Printer(this.console, settings, cwd);
    this.analysis = new Analysis(settings, io, cwd, (message) => this.console.err(`warning: ${message}`));
    this.processor = new FileProcessor(this.analysis, settings, io, this.fs, this.console, python);
  }

  async close(): Promise<void> {
    await this.analysis.close();
  }

  /** What the output needs before the first file: the engine in this thread for SARIF's fixes. */
  async prepare(): Promise<void> {
    if (this.settings.format === 'sarif') await this.analysis.readyInThread();
  }

  private get aborted(): boolean {
    return this.io.signal?.aborted === true;
  }

  private report(result: FileResult, unsafeFixes: boolean, stdin?: Buffer): void {
    this.outcomes.push({ outcome: result.outcome, unsafeFixes });
    this.printer.report(result, stdin);
  }

  /** The summary on stderr (unless `--quiet`) and the exit status, from the outcomes. */
  private finish(interrupted?: Interruption): number {
    const totals = runTotalsPerFile(this.outcomes);
    if (!this.settings.quiet) this.console.err(summaryLine(this.settings.command, totals, interrupted));
    return exitCode(this.settings.command, totals, { interrupted: interrupted !== undefined, hadError: this.printer.hadError, exitZero: this.settings.exitZero });
  }

  async runStdin(): Promise<number> {
    const { command } = this.settings;
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
    const config = this.settings.root;
    const result = await this.processor.text({ display: '-', text: decoded.text, encoding: decoded.encoding, explicit: true, config });
    this.report(result, config.unsafeFixes, bytes);
    // Skipped (over the time budget, refused by the engine): an error; `fix -` passed the input through.
    if (result.outcome.status === 'skipped') {
      this.printer.finishFindings();
      return EXIT_ERROR;
    }
    if (command === 'check') this.printer.finishFindings();
    return this.finish();
  }

  async runPaths(): Promise<number> {
    const walk = await collectPythonFiles(this.settings.paths, {
      fs: this.fs,
      cwd: this.cwd,
      isExcluded: this.settings.config.isExcluded,
      onWarning: (file, reason) => this.console.warn(displayPath(this.cwd, file), reason),
      shouldStop: () => this.aborted,
      followLinks: this.settings.followLinks,
    });
    for (const e of walk.errors) this.printer.error(`${e.path}: ${e.reason}`);
    // Files named on the command line are processed even when excluded, unless --force-exclude.
    const files = this.settings.forceExclude ? walk.files.filter((f) => !f.explicit || !this.settings.config.isExcluded(f.path, false)) : walk.files;
    // Every file's config is known before any file is processed: a broken one stops the run
    // before anything is analysed or written.
    if (!this.configsUsable(files)) return EXIT_ERROR;
    if (walk.files.length === 0 && walk.errors.length === 0 && !this.aborted && !this.settings.quiet) {
      this.console.err(`warning: no Python files found under ${this.settings.paths.join(', ')}`);
    }
    let processed = 0;
    let limit = Math.max(1, this.io.readConcurrency ?? 8);
    const useEngineDirectly = this.io.engine !== undefined;
    if (!useEngineDirectly && this.settings.jobs > 1 && files.length >= (this.io.poolMinFiles ?? POOL_MIN_FILES)) this.analysis.usePool(this.settings.jobs);
    // Keep every worker busy: a few files queued per worker ahead of the one being reported.
    limit = Math.max(limit, this.analysis.workers * 4);
    // The project index first: what the files' imports give (a helper yielding a task group, a
    // class of the project's own) is proven before any file is analysed.
    if (!useEngineDirectly && this.settings.projectIndex && files.length > 0) {
      await this.analysis.buildProjectIndex(
        files.map((f) => f.path),
        { fs: this.fs, cwd: this.cwd, shouldStop: () => this.aborted },
      );
    }
    const fixing = this.settings.command === 'fix';
    const readFile = async (e: FileEntry): Promise<Read> => {
      const read = await readPythonFile(e.path, { fs: this.fs, maxFileSize: this.settings.maxFileSize });
      // `fix` compares the file with this identity again immediately before replacing it.
      if (!fixing || !read.ok) return read;
      const identity = await fileIdentity(e.path, read.bytes, this.fs);
      return identity ? { ...read, identity } : read;
    };
    try {
      // With a pool, the engine work of the next files starts as soon as they are read, in
      // workers; without, only the reads run ahead. The results are consumed here strictly in file
      // order, so the output is the same as a sequential run's.
      const pool = this.analysis.hasPool;
      const items = orderedMap(
        files,
        limit,
        async (e): Promise<[Read, Promise<Precomputed> | undefined]> => {
          const read = await readFile(e);
          if (!pool) return [read, undefined];
          const pre = this.analysis.precompute(read, this.settings.config.forFile(e.path), this.analysis.refFor(e.path), e.path);
          pre.catch(() => undefined); // observed below, in order; never an unhandled rejection
          return [read, pre];
        },
        () => this.aborted,
      );
      for await (const [entry, [read, pre]] of items) {
        const display = displayPath(this.cwd, entry.path);
        this.console.progress(processed, files.length, display);
        let result: FileResult;
        try {
          result = await this.processor.file(entry, display, read, pre);
        } catch (err) {
          // One file's failure (an engine bug, most likely) must not stop the run or hide the rest.
          const reason = `internal error, file left unchanged: ${err instanceof Error ? err.message : String(err)}`;
          result = { outcome: { status: 'failed', path: display, reason }, explicit: entry.explicit, text: read.ok ? read.text : '' };
        }
        this.report(result, this.settings.config.forFile(entry.path).unsafeFixes);
        processed++;
        if (this.aborted) break;
      }
    } finally {
      await this.analysis.close();
    }
    this.io.onStats?.({ ...this.analysis.stats(), staleTempsRemoved: this.processor.staleTempsRemoved });
    const interrupted = this.aborted && processed < files.length;
    this.console.clearProgress();
    this.printer.finishFindings();
    return this.finish(interrupted ? { processed, total: files.length } : undefined);
  }

  /** Look up the config of every file; print the warnings found; false (after printing them) when a config has errors. */
  private configsUsable(files: readonly FileEntry[]): boolean {
    const { config } = this.settings;
    for (const f of files) config.forFile(f.path);
    for (const w of config.takeWarnings()) {
      if (w.path !== undefined) this.console.warn(displayPath(this.cwd, w.path), w.message);
      else this.console.err(`warning: ${w.message}`);
    }
    if (config.errors.length === 0) return true;
    this.printer.error('invalid configuration:');
    for (const e of config.errors) this.console.err(`  ${e}`);
    return false;
  }
}

function readProcessStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}
