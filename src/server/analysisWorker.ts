/**
 * Analysis of large documents off the main loop, so one large document never holds up the
 * requests of others (hovers, code actions, small documents' diagnostics).
 *
 * Why a worker thread and not chunked analysis on the main thread: the engine's analysis of a
 * file is one synchronous pass (parse, index, rules) with no place to yield, and the first analysis
 * of a document is always a full one (scoped re-analysis only helps after an edit). Measured on
 * this machine: a 50,000-line module takes 3-3.5 s to parse and 6-13 s to analyse, during which
 * the old server answered nothing. In a worker the main thread stays free; the worker holds its
 * own copy of each large document (text, tree-sitter tree, scoped-analysis state) and receives the
 * same validated edits as the main thread, so re-analysis after a keystroke keeps its incremental
 * parse and its scoped re-analysis.
 *
 * One worker serves every large document, one analysis at a time, in request order. Each analysis
 * has a time budget (`budgetMs`): past it the worker is terminated (`Worker.terminate` stops even
 * a wasm loop that never returns) and the document is reported as skipped; the next request starts
 * a fresh worker, which is sent the full text of the documents it is asked about. Closing a
 * document whose analysis is running cancels it the same way. Results for a version that is no
 * longer current are discarded by the caller.
 *
 * The worker is this very module started with a marker in `workerData`: `analysisWorker.js` when
 * run from `out/`, the bundle `server.js` when bundled (it contains this module).
 */
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import type { Range } from 'vscode-languageserver';
import { initEngine, InputRefused } from '../engine';
import type { AnalyzeOptions, Finding } from '../core/types';
import { ProjectIndex } from '../core/semantic/project';
import { summarizeModule } from '../core/semantic/summary';
import type { ModuleSummary } from '../core/semantic/types';
import { DocumentState, lineEndInString } from './documents';
import type { IndexOp } from './projectIndex';
import { errorMessage, errorTrace } from './errors';

const MARKER = 'anyioMigrateAnalysisWorker';

type ToWorker =
  | { op: 'open'; uri: string; version: number; text: string }
  | { op: 'change'; uri: string; version: number; changes: Array<{ range: Range; text: string }> }
  | { op: 'close'; uri: string }
  /** `project`: the document's module in the worker's copy of the project index. */
  | { op: 'analyze'; id: number; uri: string; version: number; options: AnalyzeOptions; project?: { module: string; isPackage: boolean } }
  /** The project index: all its summaries (a new index), or the changes since the last message. */
  | { op: 'index'; summaries: ModuleSummary[] }
  | { op: 'indexOps'; ops: IndexOp[] }
  | { op: 'summarize'; id: number; text: string; module: string; isPackage: boolean; path: string };

type FromWorker =
  | { id: number; ok: true; findings: Finding[]; ms: number; stringLineEnds: number[] }
  | { id: number; ok: true; summary: ModuleSummary }
  | { id: number; ok: false; message: string; refused: boolean };

export type WorkerOutcome =
  | { kind: 'done'; findings: Finding[]; ms: number; stringLineEnds: Set<number> }
  /** The engine refused the input or failed: `message` says why. */
  | { kind: 'failed'; message: string; refused: boolean }
  /** Past the time budget: the analysis was stopped. */
  | { kind: 'timeout'; budgetMs: number }
  /** Stopped because the worker was restarted or closed (another document's timeout, a close). */
  | { kind: 'cancelled' };

export type SummaryOutcome = { kind: 'done'; summary: ModuleSummary } | { kind: 'failed'; message: string } | { kind: 'timeout'; budgetMs: number } | { kind: 'cancelled' };

/** How a `timeout` outcome is reported (diagnostics and logs). */
export function budgetMessage(ms: number): string {
  return `analysis took longer than ${Math.round(ms / 100) / 10} s; skipped`;
}

/** What settles a queued request: an analysis's outcome, or a summary. */
type Answer = WorkerOutcome | { kind: 'summary'; summary: ModuleSummary };

interface Pending {
  id: number;
  /** The document analysed; undefined for a summary. */
  uri: string | undefined;
  resolve: (o: Answer) => void;
}

export interface AnalysisWorkerOptions {
  wasmDir?: string;
  /** Per-analysis time budget in milliseconds. */
  budgetMs: number;
  log: (message: string) => void;
}

/** Main-thread side: the worker's copy of each document is kept in step by `analyze`. */
export class AnalysisWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  /** In the order posted; the first one is running. */
  private queue: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Version of each document the current worker holds. */
  private synced = new Map<string, number>();
  /** The project index the current worker holds a copy of, and the changes not yet sent to it. */
  private indexSent: ProjectIndex | undefined;
  private indexOps: IndexOp[] = [];
  private broken = false;
  /** `dispose()` was called (shutdown): no worker is started again, every request is cancelled. */
  private disposed = false;
  /** Statistics (tests, logs). */
  readonly stats = { started: 0, terminated: 0, analyses: 0, summaries: 0 };

  constructor(private readonly options: AnalysisWorkerOptions) {}

  /** Whether analyses can run in a worker here (false after the worker failed to start). */
  get available(): boolean {
    return !this.broken;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const data: Record<string, unknown> = { [MARKER]: true };
    if (this.options.wasmDir) data['wasmDir'] = this.options.wasmDir;
    const worker = new Worker(__filename, { workerData: data });
    worker.unref(); // never keeps the server (or a test run) alive by itself
    worker.on('message', (m: FromWorker) => this.onMessage(worker, m));
    // An unexpected end fails the analysis that was running (not retried: the same input would
    // stop the next worker too); the others queued behind it are cancelled and asked again.
    const crashed = (why: string): WorkerOutcome => ({ kind: 'failed', message: `the analysis worker stopped (${why})`, refused: false });
    worker.on('error', (err) => {
      this.options.log(`anyio-migrate: analysis worker failed: ${err.message}`);
      if (this.stats.analyses === 0 && this.queue.length === 0) this.broken = true; // never started: analyse on the main thread
      this.restart(worker, crashed(err.message));
    });
    worker.on('exit', (code) => this.restart(worker, crashed(`exit code ${code}`)));
    this.worker = worker;
    this.synced.clear();
    this.indexSent = undefined;
    this.indexOps = [];
    this.stats.started++;
    return worker;
  }

  /** Forget a dead (or terminated) worker; what it was doing is cancelled (the head gets `head`). */
  private restart(worker: Worker, head?: WorkerOutcome): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.synced.clear();
    this.indexSent = undefined;
    this.indexOps = [];
    this.clearTimer();
    const queue = this.queue;
    this.queue = [];
    queue.forEach((p, i) => p.resolve(i === 0 && head ? head : { kind: 'cancelled' }));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Start the budget of the analysis now at the head of the queue. */
  private armHead(): void {
    this.clearTimer();
    const head = this.queue[0];
    const worker = this.worker;
    if (!head || !worker) return;
    this.timer = setTimeout(() => {
      if (this.queue[0] !== head || this.worker !== worker) return;
      this.queue.shift();
      head.resolve({ kind: 'timeout', budgetMs: this.options.budgetMs });
      this.terminate(worker);
    }, this.options.budgetMs);
  }

  private terminate(worker: Worker): void {
    this.stats.terminated++;
    this.restart(worker);
    worker.terminate().catch((err: unknown) => this.options.log(`anyio-migrate: stopping the analysis worker failed: ${errorMessage(err)}`));
  }

  private onMessage(worker: Worker, m: FromWorker): void {
    if (this.worker !== worker) return;
    const head = this.queue[0];
    if (!head || head.id !== m.id) return;
    this.queue.shift();
    if (head.uri !== undefined) this.stats.analyses++;
    else this.stats.summaries++;
    if (m.ok && 'summary' in m) head.resolve({ kind: 'summary', summary: m.summary });
    else if (m.ok) head.resolve({ kind: 'done', findings: m.findings, ms: m.ms, stringLineEnds: new Set(m.stringLineEnds) });
    else head.resolve({ kind: 'failed', message: m.message, refused: m.refused });
    this.armHead();
  }

  /**
   * Analyse the current text of `state` in the worker. The worker gets the full text the first
   * time (and after a restart), then only the edits `state` recorded since.
   */
  analyze(state: DocumentState, options: AnalyzeOptions): Promise<WorkerOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'cancelled' });
    const worker = this.ensure();
    // The project context is not plain data: the worker keeps a copy of the index, kept in step here.
    const { project, ...plain } = options;
    if (project) this.syncIndex(worker, project.index);
    const have = this.synced.get(state.uri);
    const log = state.takeForwarded();
    if (have !== undefined && log && log.base === have) {
      if (log.changes.length > 0 || have !== state.version) {
        worker.postMessage({ op: 'change', uri: state.uri, version: state.version, changes: log.changes } satisfies ToWorker);
      }
    } else {
      worker.postMessage({ op: 'open', uri: state.uri, version: state.version, text: state.text } satisfies ToWorker);
    }
    state.startForwarding();
    this.synced.set(state.uri, state.version);
    const id = this.nextId++;
    return new Promise<WorkerOutcome>((resolve) => {
      this.queue.push({ id, uri: state.uri, resolve: (a) => resolve(a.kind === 'summary' ? { kind: 'failed', message: 'unexpected answer', refused: false } : a) });
      const ref = project ? { project: { module: project.module, isPackage: project.isPackage } } : {};
      worker.postMessage({ op: 'analyze', id, uri: state.uri, version: state.version, options: plain, ...ref } satisfies ToWorker);
      if (this.queue.length === 1) this.armHead();
    });
  }

  /**
   * A change to the project index (`reset`: a new index). Kept for the worker's copy and sent with
   * the next analysis that uses the index; dropped when no worker holds a copy.
   */
  indexChanged(op: IndexOp | { op: 'reset' }): void {
    if (!this.indexSent) return;
    if (op.op === 'reset') {
      this.indexSent = undefined;
      this.indexOps = [];
      return;
    }
    this.indexOps.push(op);
  }

  private syncIndex(worker: Worker, index: ProjectIndex): void {
    if (this.indexSent !== index) {
      worker.postMessage({ op: 'index', summaries: index.summaries() } satisfies ToWorker);
      this.indexSent = index;
      this.indexOps = [];
    } else if (this.indexOps.length > 0) {
      worker.postMessage({ op: 'indexOps', ops: this.indexOps } satisfies ToWorker);
      this.indexOps = [];
    }
  }

  /**
   * A module's summary for the project index, computed in the worker in turn with the analyses
   * (the background index never holds up the main loop; each summary has the same time budget).
   */
  summarize(text: string, module: string, isPackage: boolean, path: string): Promise<SummaryOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'cancelled' });
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<SummaryOutcome>((resolve) => {
      const settle = (r: Answer): void => {
        if (r.kind === 'summary') resolve({ kind: 'done', summary: r.summary });
        else if (r.kind === 'failed') resolve({ kind: 'failed', message: r.message });
        else if (r.kind === 'timeout' || r.kind === 'cancelled') resolve(r);
        else resolve({ kind: 'failed', message: 'unexpected answer' });
      };
      this.queue.push({ id, uri: undefined, resolve: settle });
      worker.postMessage({ op: 'summarize', id, text, module, isPackage, path } satisfies ToWorker);
      if (this.queue.length === 1) this.armHead();
    });
  }

  /** The document closed: drop the worker's copy; cancel its analysis if it is the one running. */
  close(uri: string): void {
    const worker = this.worker;
    if (!worker) return;
    if (this.queue[0]?.uri === uri) {
      this.terminate(worker);
      return;
    }
    if (this.synced.delete(uri)) worker.postMessage({ op: 'close', uri } satisfies ToWorker);
  }

  /**
   * Stops the worker for good (shutdown). A request made after this (a background scan still
   * finishing its file) is cancelled at once instead of starting a new worker, which would outlive
   * the server and keep its process from exiting.
   */
  dispose(): void {
    this.disposed = true;
    const worker = this.worker;
    if (worker) this.terminate(worker);
  }
}

/** Worker side: the documents it holds, analysed on request. */
function runWorker(data: { wasmDir?: string }): void {
  const port = parentPort!;
  const docs = new Map<string, DocumentState>();
  let index = new ProjectIndex();
  const ready = initEngine(data.wasmDir ? { wasmDir: data.wasmDir } : {});
  // Messages are handled strictly in order (an analysis waits for the engine, later messages wait for it).
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    // A failed message (the engine did not start) is logged; the main side's time budget answers its request.
    chain = chain.then(() => handle(m)).catch((err: unknown) => console.error(`anyio-migrate: analysis worker: ${m.op} failed: ${errorTrace(err)}`));
  });
  const handle = async (m: ToWorker): Promise<void> => {
    switch (m.op) {
      case 'open':
        docs.get(m.uri)?.dispose();
        docs.set(m.uri, new DocumentState(m.uri, 'python', m.version, m.text));
        return;
      case 'change':
        docs.get(m.uri)?.applyChanges(m.changes, m.version);
        return;
      case 'close':
        docs.get(m.uri)?.dispose();
        docs.delete(m.uri);
        return;
      case 'index':
        index = new ProjectIndex();
        for (const s of m.summaries) index.set(s);
        return;
      case 'indexOps':
        for (const op of m.ops) {
          if (op.op === 'set') index.set(op.summary);
          else index.deletePath(op.path);
        }
        return;
      case 'summarize': {
        await ready;
        try {
          port.postMessage({ id: m.id, ok: true, summary: summarizeModule(m.text, m.module, m.isPackage, m.path) } satisfies FromWorker);
        } catch (err) {
          port.postMessage({ id: m.id, ok: false, message: errorMessage(err), refused: err instanceof InputRefused } satisfies FromWorker);
        }
        return;
      }
      case 'analyze': {
        await ready;
        const state = docs.get(m.uri);
        if (!state || state.version !== m.version || state.desync !== undefined) {
          port.postMessage({ id: m.id, ok: false, message: 'the worker does not hold this version of the document', refused: false } satisfies FromWorker);
          return;
        }
        const t0 = performance.now();
        try {
          const tree = state.currentTree();
          const options: AnalyzeOptions = m.project ? { ...m.options, project: { index, ...m.project } } : m.options;
          const findings = state.incremental.analyze(state.text, tree, options).findings;
          const lines = new Set<number>();
          for (const f of findings) {
            const line = state.doc.positionAt(f.start).line;
            if (!lines.has(line) && lineEndInString(state, line)) lines.add(line);
          }
          port.postMessage({ id: m.id, ok: true, findings, ms: performance.now() - t0, stringLineEnds: [...lines] } satisfies FromWorker);
        } catch (err) {
          state.incremental.reset();
          const refused = err instanceof InputRefused;
          port.postMessage({
            id: m.id,
            ok: false,
            message: err instanceof Error ? (refused ? err.message : (err.stack ?? err.message)) : String(err),
            refused,
          } satisfies FromWorker);
        }
        return;
      }
    }
  };
}

if (!isMainThread && workerData && (workerData as Record<string, unknown>)[MARKER] === true) {
  runWorker(workerData as { wasmDir?: string });
}
