/**
 * The fuzz loop shared by the quick mocha run (test/fuzz/fuzz.test.ts) and `npm run fuzz`
 * (scripts/fuzz.mjs): a seed corpus, deterministic case generation from a seed, checking, and
 * reproducers for failures.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { allFixtures, anyio2Snippets, readUtf8, STDLIB_ROOT, stdlibFiles, withAnyioImport } from '../oracle/corpus';
import type { CPythonOracle } from '../oracle/cpython';
import { applyCase, type Case, caseArb, describeMutation, type MutationLimits } from './mutations';
import { checkText, type CheckResult, type Failure, type FailureKind, signature } from './properties';
import { minimize } from './minimize';

export interface SeedText {
  name: string;
  text: string;
}

export interface FuzzCorpus {
  seeds: SeedText[];
  snippets: string[];
}

export interface CorpusOptions {
  /** Standard-library modules larger than this are left out (default 30,000 chars). */
  stdlibMaxChars?: number;
  /** Take every n-th of the remaining modules (default 1: all of them). */
  stdlibStep?: number;
}

/** Fixture inputs first, then stdlib modules with `import anyio` added. */
export function buildCorpus(options: CorpusOptions = {}): FuzzCorpus {
  const fixtures = allFixtures();
  const seeds: SeedText[] = fixtures.map((f) => ({ name: `fixture ${f.folder}/${f.name}.py`, text: f.input }));
  const maxChars = options.stdlibMaxChars ?? 30_000;
  const step = options.stdlibStep ?? 1;
  let kept = 0;
  for (const file of stdlibFiles()) {
    const text = readUtf8(file);
    if (text.length > maxChars) continue;
    if (kept++ % step !== 0) continue;
    seeds.push({ name: `stdlib ${path.relative(STDLIB_ROOT, file)} + import anyio`, text: withAnyioImport(text) });
  }
  return { seeds, snippets: anyio2Snippets(fixtures) };
}

/** Cases are generated in batches of this size from `seed + batch`. */
export const BATCH = 100;

/**
 * Cases `[from, from + count)` of the stream for `seed`: the same (seed, index) is always the same
 * case. Fixture seeds are drawn three times as often as stdlib modules (they hold the AnyIO code).
 */
export function generateCases(corpus: FuzzCorpus, seed: number, from: number, count: number, limits: MutationLimits = {}): Array<{ index: number; c: Case }> {
  const fixtureCount = corpus.seeds.filter((s) => s.name.startsWith('fixture ')).length;
  const stdlibCount = corpus.seeds.length - fixtureCount;
  const arb =
    stdlibCount > 0
      ? fc.oneof(
          { weight: 3, arbitrary: caseArb(fixtureCount, limits) },
          { weight: 1, arbitrary: caseArb(stdlibCount, limits).map((c) => ({ ...c, source: c.source + fixtureCount })) },
        )
      : caseArb(fixtureCount, limits);
  const out: Array<{ index: number; c: Case }> = [];
  for (let batch = Math.floor(from / BATCH); out.length < count; batch++) {
    const cases = fc.sample(arb, { seed: (seed + batch) | 0, numRuns: BATCH });
    for (const [j, c] of cases.entries()) {
      const index = batch * BATCH + j;
      if (index >= from && out.length < count) out.push({ index, c });
    }
  }
  return out;
}

export interface CaseOutcome {
  index: number;
  seedName: string;
  mutations: string[];
  text: string;
  result: CheckResult;
  ms: number;
}

export async function runCase(corpus: FuzzCorpus, index: number, c: Case, oracle: CPythonOracle | undefined): Promise<CaseOutcome> {
  const seedText = corpus.seeds[c.source]!;
  const text = applyCase(seedText.text, c, corpus.snippets);
  const t0 = Date.now();
  const result = await checkText(text, { oracle });
  return { index, seedName: seedText.name, mutations: c.mutations.map(describeMutation), text, result, ms: Date.now() - t0 };
}

/** The reduced text for one failure: the same failure (same signature) on as little text as possible. */
export async function minimizeFailure(text: string, failure: Failure, oracle: CPythonOracle | undefined, budgetMs: number): Promise<string> {
  const sig = signature(failure);
  const focus = failure.op.replace(/ ".*$/, '').replace(/ at \d+$/, '');
  return minimize(
    text,
    async (candidate) => {
      const r = await checkText(candidate, { oracle, focus, maxSingleFixes: Number.MAX_SAFE_INTEGER });
      return r.failures.some((f) => signature(f) === sig);
    },
    budgetMs,
  );
}

export interface Reproducer {
  kind: FailureKind;
  op: string;
  message: string;
  signature: string;
  seed: number;
  caseIndex: number;
  seedText: string;
  mutations: string[];
  originalChars: number;
  minimizedChars: number;
  file: string;
}

/** Write `<dir>/<kind>-<hash>.py` (minimised text, exact bytes as UTF-8), `.orig.py` and `.json`. */
export function saveReproducer(dir: string, seed: number, outcome: CaseOutcome, failure: Failure, minimized: string): Reproducer {
  fs.mkdirSync(dir, { recursive: true });
  const sig = signature(failure);
  const hash = crypto.createHash('sha1').update(sig).digest('hex').slice(0, 10);
  const base = path.join(dir, `${failure.kind}-${hash}`);
  fs.writeFileSync(`${base}.py`, minimized, 'utf8');
  fs.writeFileSync(`${base}.orig.py`, outcome.text, 'utf8');
  const rep: Reproducer = {
    kind: failure.kind,
    op: failure.op,
    message: failure.message,
    signature: sig,
    seed,
    caseIndex: outcome.index,
    seedText: outcome.seedName,
    mutations: outcome.mutations,
    originalChars: outcome.text.length,
    minimizedChars: minimized.length,
    file: `${base}.py`,
  };
  fs.writeFileSync(`${base}.json`, `${JSON.stringify({ ...rep, minimizedText: minimized.length <= 2000 ? minimized : undefined }, null, 2)}\n`, 'utf8');
  return rep;
}
