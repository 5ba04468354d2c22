/**
 * What a CLI run is given (`RunIO`: streams, file system, test seams) and what it reports back
 * about its machinery (`RunStats`). Types only; `run.ts` re-exports them.
 */
import type { analyze, fixAll } from '../engine';
import type { FileSystem } from '../workspace/fsys';
import type { OutputStream } from './console';

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

export interface EngineFunctions {
  analyze: typeof analyze;
  fixAll: typeof fixAll;
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
