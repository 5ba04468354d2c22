/**
 * The worker side of the engine pool: a worker thread running its own engine (and its copy of the
 * project index), answering `pool-protocol.ts` requests one after another. Started by `pool.ts`,
 * which is the worker's script and calls `runWorker` when it finds its marker in `workerData`.
 */
import { parentPort } from 'worker_threads';
import type { ModuleSummary } from '../core/semantic/types';
import type { IndexMessage, Reply, Request, WorkerInit } from './pool-protocol';

export function runWorker(init: WorkerInit): void {
  const port = parentPort;
  if (!port) return;
  // Loaded here, not at the top, so the main thread does not pay for it twice.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const engine = require('../engine') as typeof import('../engine');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const semantic = require('../core/semantic/index') as typeof import('../core/semantic/index');
  const ready = engine.initEngine(init.wasmDir !== undefined ? { wasmDir: init.wasmDir } : {});
  let index: InstanceType<typeof semantic.ProjectIndex> | undefined;
  const setIndex = (summaries: readonly ModuleSummary[]) => {
    index = new semantic.ProjectIndex();
    for (const s of summaries) index.set(s);
  };
  if (init.summaries) setIndex(init.summaries);
  port.on('message', (request: Request | IndexMessage) => {
    if (request.op === 'index') {
      setIndex(request.summaries);
      return;
    }
    ready.then(
      () => {
        if (init.stallOnText !== undefined && request.text.includes(init.stallOnText)) {
          // Test seam: hang like a pathological input, until the pool terminates this worker.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 * 60 * 1000);
        }
        let reply: Reply;
        try {
          // Neither throws for refused input: the refusal comes back as data (`{ refused }`).
          let result: unknown;
          if (request.op === 'summarize') result = semantic.summarizeModule(request.text, request.module, request.isPackage, request.path);
          else {
            const options = request.project && index ? { ...request.options, project: { index, ...request.project } } : request.options;
            result = request.op === 'analyze' ? engine.analyzeOutcome(request.text, options) : engine.fixAll(request.text, options);
          }
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
