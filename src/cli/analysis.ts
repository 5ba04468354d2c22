/**
 * The CLI's engine calls: each text's findings or fix result from the result cache, else from the
 * worker pool or the engine in this thread, with the project index that proves types across the
 * files of a run. Says nothing about output; failures are thrown as `InputNotAnalysed` (the engine
 * refuses the text) or `RequestTimeoutError` (over the per-file time budget).
 */
import * as path from 'path';
import { initEngine, analyze, fixAll, InputRefused } from '../engine';
import { summarizeModule } from '../core/semantic/summary';
import type { AnalyzeOptions, Finding, FixResult } from '../core/types';
import type { ReadResult } from '../workspace/files';
import type { FileSystem } from '../workspace/fsys';
import { indexProject, type ProjectFiles } from './project-index';
import type { Settings } from './options';
import type { FileSettings } from './file-config';
import type { EngineFunctions, RunIO, RunStats } from './run-io';
import { type AnalyzeOutcome, EnginePool, RequestTimeoutError, type ProjectRef } from './pool';
import { ResultCache } from './cache';
import { packageVersion } from './version';

/**
 * A file the engine refuses to analyse (nested deeper than CPython's parser allows, ...): reported
 * as skipped with the engine's reason, like a file that cannot be read, never as an internal error.
 */
export class InputNotAnalysed extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InputNotAnalysed';
  }
}

/** Engine results computed ahead of reporting a file (absent: compute in this thread now). */
export interface Precomputed {
  findings?: Finding[];
  fix?: FixResult;
}

export class Analysis {
  private readonly engine: EngineFunctions;
  private readonly cache: ResultCache | undefined;
  private pool: EnginePool | undefined;
  /** The project index of a run over paths (see `project-index.ts`). */
  private project: ProjectFiles | undefined;
  private analysed = 0;
  /** Files skipped for running past the time budget (counted by the caller, which skips them). */
  timeouts = 0;
  /** The engine in this thread, initialised on first use (runs with workers may never need it). */
  private engineReady: Promise<unknown> | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly io: RunIO,
    cwd: string,
    warn: (message: string) => void,
  ) {
    this.engine = io.engine ?? { analyze, fixAll };
    // An injected engine is a test double: its answers must neither be cached nor bypassed.
    // `fix` rewrites what it reads (its inputs are rarely seen again) and must leave nothing but
    // the fixes behind in the tree: only the read-only commands, the ones run again and again
    // (CI, pre-commit, editors), use the cache.
    if (settings.cache && !io.engine && settings.command !== 'fix') {
      const opened = ResultCache.open(settings.root.configFile !== undefined ? path.dirname(settings.root.configFile) : cwd, packageVersion(), {
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

  /** Use `size` workers (a run over many files with `--jobs`). */
  usePool(size: number): void {
    if (this.pool) this.pool.grow(size);
    else this.pool = this.createPool(size);
  }

  /** Workers in use (0: the engine runs in this thread). */
  get workers(): number {
    return this.pool?.size ?? 0;
  }

  get hasPool(): boolean {
    return this.pool !== undefined;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  stats(): Omit<RunStats, 'staleTempsRemoved'> {
    return {
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
    };
  }

  /** The engine in this thread (initialised once, on first use). */
  private async inThread(): Promise<EngineFunctions> {
    this.engineReady ??= initEngine(this.io.wasmDir ? { wasmDir: this.io.wasmDir } : {});
    await this.engineReady;
    return this.engine;
  }

  /** Initialise the engine in this thread now (SARIF output applies fixes that add imports with it). */
  async readyInThread(): Promise<void> {
    await this.inThread();
  }

  /**
   * The findings for `text` under its file's settings (`config`); throws `InputNotAnalysed` when
   * the engine refuses the text.
   */
  async findingsFor(text: string, config: FileSettings, ref?: ProjectRef): Promise<Finding[]> {
    const options = config.analyzeOptions;
    const keyOptions = this.cacheOptions(options, ref);
    const cached = this.cache?.getFindings(keyOptions, text);
    if (cached?.findings) return cached.findings;
    const outcome = this.pool ? await this.pool.analyzeOutcome(text, options, ref) : await this.analyzeInThread(text, options, ref);
    if (outcome.refused !== undefined) throw new InputNotAnalysed(outcome.refused);
    if (cached) this.cache!.setFindings(cached.key, keyOptions, text, outcome.findings);
    return outcome.findings;
  }

  async fixResultFor(text: string, config: FileSettings, ref?: ProjectRef): Promise<FixResult> {
    const options = config.fixOptions;
    const keyOptions = this.cacheOptions(options, ref);
    const cached = this.cache?.getFix(keyOptions, text);
    if (cached?.result) return cached.result;
    const result = this.pool ? await this.pool.fixAll(text, options, ref) : (await this.inThread()).fixAll(text, this.withProject(options, ref));
    if (cached) this.cache!.setFix(cached.key, keyOptions, text, result);
    return result;
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
  refFor(file: string): ProjectRef | undefined {
    const n = this.project?.modules.get(file);
    return n && this.project!.index.get(n.module) ? n : undefined;
  }

  /** Whether a file can have findings: it mentions anyio, or the index summarised it (it is AnyIO-related). */
  relevant(text: string, ref: ProjectRef | undefined): boolean {
    return text.includes('anyio') || !!ref;
  }

  /** The engine's `analyzeOutcome` in this thread, through the (possibly injected) `analyze`. */
  private async analyzeInThread(text: string, options: AnalyzeOptions, ref?: ProjectRef): Promise<AnalyzeOutcome> {
    const engine = await this.inThread();
    try {
      return { findings: engine.analyze(text, this.withProject(options, ref)) };
    } catch (err) {
      if (err instanceof InputRefused) return { refused: err.message };
      throw err;
    }
  }

  /** Start the engine work for one read file under its settings (in a worker when there is a pool). */
  precompute(read: ReadResult, config: FileSettings, ref: ProjectRef | undefined, file?: string): Promise<Precomputed> {
    if (!read.ok || !this.relevant(read.text, ref)) return Promise.resolve({});
    // Its summary already took longer than the budget: the file is skipped, not tried again.
    const failed = file === undefined ? undefined : this.project?.failed.get(file);
    if (failed instanceof RequestTimeoutError) return Promise.reject(failed);
    this.analysed++;
    if (this.settings.command === 'check') return this.findingsFor(read.text, config, ref).then((findings) => ({ findings }));
    return this.fixResultFor(read.text, config, ref).then((fix) => ({ fix }));
  }

  /** Summarise the files of the run into the project index (before any of them is analysed). */
  async buildProjectIndex(files: string[], where: { fs: FileSystem; cwd: string; shouldStop: () => boolean }): Promise<void> {
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
      fs: where.fs,
      cwd: where.cwd,
      isExcluded: this.settings.config.isExcluded,
      maxFileSize: this.settings.maxFileSize,
      shouldStop: where.shouldStop,
      summarize,
    });
    pool?.setIndex(this.project.index.summaries());
  }
}
