/**
 * Runs fuzz checks in a worker thread, with its own engine and tree-sitter instance: an input that
 * corrupts the wasm parser (see the regression tests) then cannot break the tests that run after
 * the fuzz tests in the same mocha process.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { countParseErrorsIn, initEngine } from '../../src/engine';
import { CPythonOracle } from '../oracle/cpython';
import type { MutationLimits } from './mutations';
import { checkText, type CheckResult } from './properties';
import { buildCorpus, type CorpusOptions, generateCases, runCase } from './runner';

export type WorkerTask =
  | { kind: 'cases'; seed: number; from: number; count: number; limits: MutationLimits; corpus: CorpusOptions }
  | { kind: 'texts'; texts: string[] }
  /** Parse `texts` in order and report, for each, whether parsing threw. */
  | { kind: 'parse'; texts: string[] };

export interface WorkerCaseResult {
  index: number;
  seedName: string;
  mutations: string[];
  chars: number;
  result: CheckResult;
}

export type WorkerAnswer =
  { kind: 'cases'; results: WorkerCaseResult[]; stdlibCases: number } | { kind: 'texts'; results: CheckResult[] } | { kind: 'parse'; results: Array<string | null> };

async function perform(task: WorkerTask): Promise<WorkerAnswer> {
  await initEngine();
  if (task.kind === 'parse') {
    return {
      kind: 'parse',
      results: task.texts.map((t) => {
        try {
          countParseErrorsIn(t);
          return null;
        } catch (e) {
          return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        }
      }),
    };
  }
  const oracle = new CPythonOracle();
  try {
    if (task.kind === 'texts') {
      const results: CheckResult[] = [];
      for (const t of task.texts) results.push(await checkText(t, { oracle }));
      return { kind: 'texts', results };
    }
    const corpus = buildCorpus(task.corpus);
    const results: WorkerCaseResult[] = [];
    let stdlibCases = 0;
    for (const { index, c } of generateCases(corpus, task.seed, task.from, task.count, task.limits)) {
      const o = await runCase(corpus, index, c, oracle);
      if (o.seedName.startsWith('stdlib')) stdlibCases++;
      results.push({ index, seedName: o.seedName, mutations: o.mutations, chars: o.text.length, result: o.result });
    }
    return { kind: 'cases', results, stdlibCases };
  } finally {
    oracle.close();
  }
}

/** Run `task` in a fresh worker thread. */
export function runInWorker(task: WorkerTask): Promise<WorkerAnswer> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: task });
    let answered = false;
    w.once('message', (m: WorkerAnswer) => {
      answered = true;
      resolve(m);
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (!answered) reject(new Error(`fuzz worker exited with code ${code} without an answer`));
    });
  });
}

if (!isMainThread && parentPort && (workerData as { kind?: string } | undefined)?.kind) {
  const port = parentPort;
  perform(workerData as WorkerTask).then(
    (answer) => port.postMessage(answer),
    (e: unknown) => {
      throw e;
    },
  );
}
