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
 */
import * as os from 'os';
import * as path from 'path';
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import type { AnalyzeOptions, Finding, FixOptions, FixResult } from '../core/types';

const WORKER_MARKER = 'anyioMigrateEnginePool';

type Request =
  | { id: number; op: 'analyze'; text: string; options: AnalyzeOptions }
  | { id: number; op: 'fixAll'; text: string; options: FixOptions };

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

interface WorkerInit {
  [WORKER_MARKER]: true;
  wasmDir?: string;
}

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
  inFlight: Map<number, Pending>;
  alive: boolean;
}

export interface PoolOptions {
  /** Folder with the parser's wasm files, passed to `initEngine` in every worker. */
  wasmDir?: string;
  /** Requests queued on one worker at a time (default 2: one running, one waiting in its port). */
  perWorker?: number;
}

export class PoolClosedError extends Error {
  constructor(message = 'the engine pool was closed') {
    super(message);
    this.name = 'PoolClosedError';
  }
}

export class EnginePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly perWorker: number;
  private nextId = 1;
  private closed = false;

  private constructor(script: string, size: number, options: PoolOptions) {
    this.perWorker = Math.max(1, options.perWorker ?? 2);
    const init: WorkerInit = { [WORKER_MARKER]: true };
    if (options.wasmDir !== undefined) init.wasmDir = options.wasmDir;
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script, { workerData: init });
      const slot: Slot = { worker, inFlight: new Map(), alive: true };
      worker.on('message', (reply: Reply) => this.onReply(slot, reply));
      worker.on('error', (err: Error) => this.onWorkerGone(slot, err));
      worker.on('exit', (code: number) => this.onWorkerGone(slot, new Error(`engine worker exited with code ${code}`)));
      this.slots.push(slot);
    }
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

  analyze(text: string, options: AnalyzeOptions): Promise<Finding[]> {
    return this.submit({ id: this.nextId++, op: 'analyze', text, options }) as Promise<Finding[]>;
  }

  fixAll(text: string, options: FixOptions): Promise<FixResult> {
    return this.submit({ id: this.nextId++, op: 'fixAll', text, options }) as Promise<FixResult>;
  }

  /** Terminate the workers; requests not yet answered are rejected with `PoolClosedError`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new PoolClosedError();
    for (const p of this.queue.splice(0)) p.reject(err);
    const exits: Array<Promise<number>> = [];
    for (const slot of this.slots) {
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
    }
  }

  private onReply(slot: Slot, reply: Reply): void {
    const p = slot.inFlight.get(reply.id);
    if (!p) return;
    slot.inFlight.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.message));
    this.pump();
  }

  /** A worker that crashed fails only the requests it held; the others carry on. */
  private onWorkerGone(slot: Slot, err: Error): void {
    if (!slot.alive) return;
    slot.alive = false;
    for (const p of slot.inFlight.values()) p.reject(err);
    slot.inFlight.clear();
    if (!this.closed) this.pump();
  }
}

/**
 * Map `items` through the async `fn` with at most `window` calls in flight, yielding the results
 * in input order (a slow item holds back the ones after it, never reorders them). Stops starting
 * new work once `stop()` is true. Every started promise is observed, so none can be an unhandled
 * rejection.
 */
export async function* orderedMap<T, R>(
  items: readonly T[],
  window: number,
  fn: (item: T, index: number) => Promise<R>,
  stop: () => boolean = () => false,
): AsyncGenerator<[T, R]> {
  const limit = Math.max(1, window);
  const pending: Array<Promise<{ ok: true; value: R } | { ok: false; error: unknown }>> = [];
  let next = 0;
  const fill = (): void => {
    while (next < items.length && pending.length < limit && !stop()) {
      const i = next++;
      let started: Promise<R>;
      try {
        started = fn(items[i]!, i);
      } catch (error) {
        started = Promise.reject(error);
      }
      pending.push(
        started.then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
    }
  };
  fill();
  for (let i = 0; i < items.length; i++) {
    if (stop()) return;
    const p = pending.shift();
    if (!p) return;
    const settled = await p;
    fill();
    if (!settled.ok) throw settled.error;
    yield [items[i]!, settled.value];
  }
}

// ---------------------------------------------------------------------------------- worker side

function isWorkerInit(data: unknown): data is WorkerInit {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[WORKER_MARKER] === true;
}

function runWorker(init: WorkerInit): void {
  const port = parentPort;
  if (!port) return;
  // Loaded here, not at the top, so the main thread does not pay for it twice.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const engine = require('../core/engine') as typeof import('../core/engine');
  const ready = engine.initEngine(init.wasmDir !== undefined ? { wasmDir: init.wasmDir } : {});
  port.on('message', (request: Request) => {
    ready.then(
      () => {
        let reply: Reply;
        try {
          const result = request.op === 'analyze' ? engine.analyze(request.text, request.options) : engine.fixAll(request.text, request.options);
          reply = { id: request.id, ok: true, result };
        } catch (err) {
          reply = { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) };
        }
        port.postMessage(reply);
      },
      (err: unknown) => {
        port.postMessage({ id: request.id, ok: false, message: `engine did not start: ${err instanceof Error ? err.message : String(err)}` } satisfies Reply);
      },
    );
  });
}

if (!isMainThread && isWorkerInit(workerData)) runWorker(workerData);
