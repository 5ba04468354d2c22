/**
 * The messages between the CLI's engine pool (`pool.ts`) and its workers (`pool-worker.ts`):
 * requests, replies, the project index broadcast, and what a worker is started with.
 */
import type { AnalyzeOptions, FixOptions } from '../core/types';
import type { ModuleSummary } from '../core/semantic/types';
import type { analyzeOutcome } from '../engine';

/**
 * What a worker answers for an analysis: the findings, or why the engine refused the input (nested
 * deeper than CPython allows, ...). Sent as data, so the refusal keeps its meaning across the thread
 * boundary (an exception would arrive as a bare message).
 */
export type AnalyzeOutcome = ReturnType<typeof analyzeOutcome>;

export const WORKER_MARKER = 'anyioMigrateEnginePool';

/** The file's place in the project (the worker holds the index itself: see `setIndex`). */
export interface ProjectRef {
  module: string;
  isPackage: boolean;
}

export type Request =
  | { id: number; op: 'analyze'; text: string; options: AnalyzeOptions; project?: ProjectRef }
  | { id: number; op: 'fixAll'; text: string; options: FixOptions; project?: ProjectRef }
  | { id: number; op: 'summarize'; text: string; module: string; isPackage: boolean; path: string };

/** Sent to every worker, outside the request queue: the project's summaries. */
export interface IndexMessage {
  op: 'index';
  summaries: ModuleSummary[];
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

export interface WorkerInit {
  [WORKER_MARKER]: true;
  /** The project index's summaries (workers started after `setIndex`). */
  summaries?: ModuleSummary[];
  wasmDir?: string;
  /** Test seam: block (as a pathological input would) on any text containing this string. */
  stallOnText?: string;
}

/** Options as sent to a worker: the project context stays behind (the worker holds the index). */
export function withoutProject<T extends AnalyzeOptions>(options: T): T {
  if (!options.project) return options;
  const { project: _project, ...rest } = options;
  return rest as T;
}

export function isWorkerInit(data: unknown): data is WorkerInit {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[WORKER_MARKER] === true;
}
