/**
 * A pool of `worker_threads` each running its own copy of the engine (parser wasm included), for
 * multi-file CLI runs. Texts are read and decoded in the main thread (so the injected file system,
 * the size limit and the encodings stay in one place) and sent to the workers; every request gets
 * its own promise, and `orderedMap` turns a window of such requests back into a stream in input
 * order, so the output of a parallel run is byte-identical to a sequential one.
 *
 * The worker is this very file (`pool.js`) started with a marker in `workerData`. When this module
 * has been bundled into another file (esbuild), there is no `pool.js` to start: `EnginePool.create`
 * then returns undefined and the caller stays single-threaded.
 *
 * Time budget: with `timeoutMs`, a request still running on a worker after that long is rejected
 * with `RequestTimeoutError`, and the worker is terminated (`Worker.terminate` stops even a
 * JavaScript or wasm loop that never returns) and replaced by a fresh one; the requests queued
 * behind it on that worker go back to the front of the queue. A file can slow the run by at most
 * the budget, never hang it.
 *
 * The messages are defined in `pool-protocol.ts`, the worker's side in `pool-worker.ts`.
 */
import * as os from 'os';
import * as path from 'path';
import { Worker, isMainThread, workerData } from 'worker_threads';
import type { AnalyzeOptions, Finding, FixOptions, FixResult } from '../core/types';
import type { ModuleSummary } from '../core/semantic/types';
import { InputRefused } from '../core/parser';
import { isWorkerInit, WORKER_MARKER, withoutProject, type AnalyzeOutcome, type IndexMessage, type ProjectRef, type Reply, type Request, type WorkerInit } from './pool-protocol';
import { runWorker } from './pool-worker';

export type { AnalyzeOutcome, ProjectRef } from './pool-protocol';
export { orderedMap } from './ordered-map';

/** `os.availableParallelism()` where Node has it (>= 18.14), else the number of CPUs. */
export function defaultPoolSize(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

/** The script a worker runs, or undefined when this module is not its own file (bundled). */
export function workerScript(): string | undefined {
  return path.basename(__filename) === 'pool.js' ? __filename : undefined;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  request: Request;
}

interface Slot {
  worker: Worker;
  /** In the order posted: the worker handles them one after another, the first is running. */
  inFlight: Map<number, Pending>;
  alive: boolean;
  /** The budget timer of the request running now (the first in `inFlight`). */
  timer?: ReturnType<typeof setTimeout>;
}

export interface PoolOptions {
  /** Folder with the parser's wasm files, passed to `initEngine` in every worker. */
  wasmDir?: string;
  /** Requests queued on one worker at a time (default 2: one running, one waiting in its port). */
  perWorker?: number;
  /** Per-request time budget in milliseconds (0 or absent: none). */
  timeoutMs?: number;
  /** Test seam: workers block on any text containing this string, to exercise the budget. */
  stallOnText?: string;
}

export class PoolClosedError extends Error {
  constructor(message = 'the engine pool was closed') {
    super(message);
    this.name = 'PoolClosedError';
  }
}

/** A request that ran past the pool's time budget (its worker was replaced). */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`took longer than ${formatSeconds(timeoutMs)} s`);
    this.name = 'RequestTimeoutError';
  }
}

/** `10`, `0.5`: seconds for messages. */
export function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** Workers restarted after crashing (not after a timeout) before the pool gives up on them. */
const MAX_CRASH_RESTARTS_PER_WORKER = 2;

export interface PoolStats {
  /** Workers started, replacements included. */
  started: number;
  /** Requests that ran past the budget. */
  timeouts: number;
}

export class EnginePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly perWorker: number;
  private readonly timeoutMs: number;
  private readonly init: WorkerInit;
  private nextId = 1;
  private closed = false;
  private crashRestartsLeft: number;
  readonly stats: PoolStats = { started: 0, timeouts: 0 };

  private constructor(
    private readonly script: string,
    size: number,
    options: PoolOptions,
  ) {
    this.perWorker = Math.max(1, options.perWorker ?? 2);
    this.timeoutMs = Math.max(0, options.timeoutMs ?? 0);
    this.init = { [WORKER_MARKER]: true };
    if (options.wasmDir !== undefined) this.init.wasmDir = options.wasmDir;
    if (options.stallOnText !== undefined) this.init.stallOnText = options.stallOnText;
    this.crashRestartsLeft = size * MAX_CRASH_RESTARTS_PER_WORKER;
    for (let i = 0; i < size; i++) this.slots.push(this.startWorker());
  }

  private startWorker(): Slot {
    const worker = new Worker(this.script, { workerData: this.init });
    const slot: Slot = { worker, inFlight: new Map(), alive: true };
    worker.on('message', (reply: Reply) => this.onReply(slot, reply));
    worker.on('error', (err: Error) => this.onWorkerGone(slot, err));
    worker.on('exit', (code: number) => this.onWorkerGone(slot, new Error(`engine worker exited with code ${code}`)));
    this.stats.started++;
    return slot;
  }

  /** Add workers up to `size` (a run that turns out to have many files). */
  grow(size: number): void {
    while (!this.closed && this.slots.length < size) this.slots.push(this.startWorker());
    this.pump();
  }

  /** A pool of `size` workers, or undefined when workers cannot be started from this build. */
  static create(size: number = defaultPoolSize(), options: PoolOptions = {}): EnginePool | undefined {
    const script = workerScript();
    if (!script || size < 1) return undefined;
    return new EnginePool(script, size, options);
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * The findings, or (as data, never a rejection) why the engine refused the input. `project`:
   * the file's module in the index last given to `setIndex` (`options.project` is not sent).
   */
  analyzeOutcome(text: string, options: AnalyzeOptions, project?: ProjectRef): Promise<AnalyzeOutcome> {
    return this.submit({ id: this.nextId++, op: 'analyze', text, options: withoutProject(options), ...(project ? { project } : {}) }) as Promise<AnalyzeOutcome>;
  }

  /** Like the engine's `analyze`: rejects with `InputRefused` for input the engine refuses. */
  async analyze(text: string, options: AnalyzeOptions, project?: ProjectRef): Promise<Finding[]> {
    const outcome = await this.analyzeOutcome(text, options, project);
    if (outcome.refused !== undefined) throw new InputRefused(outcome.refused);
    return outcome.findings;
  }

  fixAll(text: string, options: FixOptions, project?: ProjectRef): Promise<FixResult> {
    return this.submit({ id: this.nextId++, op: 'fixAll', text, options: withoutProject(options), ...(project ? { project } : {}) }) as Promise<FixResult>;
  }

  /** A module's summary for the project index, computed in a worker. */
  summarize(text: string, module: string, isPackage: boolean, path: string): Promise<ModuleSummary> {
    return this.submit({ id: this.nextId++, op: 'summarize', text, module, isPackage, path }) as Promise<ModuleSummary>;
  }

  /** Give every worker (and every worker started later) the project's summaries. */
  setIndex(summaries: ModuleSummary[]): void {
    this.init.summaries = summaries;
    const msg: IndexMessage = { op: 'index', summaries };
    for (const slot of this.slots) if (slot.alive) slot.worker.postMessage(msg);
  }

  /** Terminate the workers; requests not yet answered are rejected with `PoolClosedError`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new PoolClosedError();
    for (const p of this.queue.splice(0)) p.reject(err);
    const exits: Array<Promise<number>> = [];
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      for (const p of slot.inFlight.values()) p.reject(err);
      slot.inFlight.clear();
      slot.alive = false;
      exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }

  private submit(request: Request): Promise<unknown> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject, request });
      this.pump();
    });
  }

  /** Hand queued requests to the least busy live workers. */
  private pump(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) {
        if (!s.alive || s.inFlight.size >= this.perWorker) continue;
        if (!best || s.inFlight.size < best.inFlight.size) best = s;
      }
      if (!best) {
        if (!this.slots.some((s) => s.alive)) {
          const err = new Error('every engine worker has stopped');
          for (const p of this.queue.splice(0)) p.reject(err);
        }
        return;
      }
      const p = this.queue.shift()!;
      best.inFlight.set(p.request.id, p);
      best.worker.postMessage(p.request);
      if (best.inFlight.size === 1) this.startTimer(best);
    }
  }

  /** Start the budget of the request now running on `slot` (the first one it holds). */
  private startTimer(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    if (this.timeoutMs <= 0) return;
    const first = slot.inFlight.keys().next();
    if (first.done) return;
    const id = first.value;
    slot.timer = setTimeout(() => this.onTimeout(slot, id), this.timeoutMs);
  }

  /**
   * The running request is over budget: fail it, put the ones queued behind it back at the front
   * of the queue, terminate the worker and start a fresh one in its place.
   */
  private onTimeout(slot: Slot, id: number): void {
    slot.timer = undefined;
    if (!slot.alive || this.closed) return;
    const p = slot.inFlight.get(id);
    if (!p) return;
    slot.alive = false;
    slot.inFlight.delete(id);
    const behind = [...slot.inFlight.values()];
    slot.inFlight.clear();
    this.stats.timeouts++;
    void slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots[i] = this.startWorker();
    this.queue.unshift(...behind);
    p.reject(new RequestTimeoutError(this.timeoutMs));
    this.pump();
  }

  private onReply(slot: Slot, reply: Reply): void {
    const p = slot.inFlight.get(reply.id);
    if (!p) return;
    slot.inFlight.delete(reply.id);
    this.startTimer(slot);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.message));
    this.pump();
  }

  /**
   * A worker that crashed fails only the requests it held; the others carry on, and it is
   * replaced (a few times per worker: a worker that cannot start at all is not restarted forever).
   */
  private onWorkerGone(slot: Slot, err: Error): void {
    if (!slot.alive) return;
    slot.alive = false;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    for (const p of slot.inFlight.values()) p.reject(err);
    slot.inFlight.clear();
    if (this.closed) return;
    if (this.crashRestartsLeft > 0) {
      this.crashRestartsLeft--;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.startWorker();
    }
    this.pump();
  }
}

if (!isMainThread && isWorkerInit(workerData)) runWorker(workerData);
