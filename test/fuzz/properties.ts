/**
 * The properties every input must satisfy, whatever it is (broken, huge, binary):
 *
 * - `analyze` and `fixAll` (safe and unsafe fixes, targets `anyio3` and `anyio2+3`), `applyFix` and
 *   `countParseErrorsIn` never throw, and each call of analyze / fixAll / applyFix takes < 1 s
 *   (a slow call is re-timed twice and the fastest counts, so a GC pause is not a failure);
 * - every finding's range lies within the text, every fix's edits lie within the text and do not
 *   overlap one another;
 * - `fixAll` never returns more tree-sitter parse errors than its input had, a refused `fixAll`
 *   returns its input unchanged, and where CPython compiled the input it compiles the output;
 * - applying any single finding's fix with `applyFix` never yields more parse errors and, where the
 *   input compiled, yields compiling code;
 * - fixing twice changes nothing (`fixAll(out).output === out`) unless the first run was `capped`.
 */
import { performance } from 'node:perf_hooks';
import { analyze, applyFix, countParseErrorsIn, fixAll } from '../../src/engine';
import type { Finding, FixOptions, Target } from '../../src/core/types';
import type { CPythonOracle } from '../oracle/cpython';
import { FIX_MODES } from '../oracle/corpus';

/**
 * A call slower than this is a `timeout` failure. In the test command it is a hang guard (10 s),
 * not a speed claim: a timed assertion is flaky on a loaded 2-core CI machine, and speed is
 * measured by `npm run bench` and the work-count scale tests. `npm run fuzz` hunts for slow inputs
 * with 1 s (ANYIO_MIGRATE_FUZZ_TIME_LIMIT_MS).
 */
export const TIME_LIMIT_MS = Number(process.env['ANYIO_MIGRATE_FUZZ_TIME_LIMIT_MS']) || 10_000;

export type FailureKind = 'crash' | 'timeout' | 'broken_fix' | 'bad_range' | 'non_idempotent';

export interface Failure {
  kind: FailureKind;
  /** The call that failed, e.g. `fixAll unsafe/anyio2+3`, `analyze anyio3`, `applyFix anyio3 ASY101`. */
  op: string;
  message: string;
}

export interface CheckOptions {
  /** The CPython oracle; without it the compile properties are skipped. */
  oracle?: CPythonOracle;
  /** At most this many findings per target get the single-fix check (spread over the file). Default 12. */
  maxSingleFixes?: number;
  /** Only run the calls whose op starts with this (used by the minimiser). */
  focus?: string;
}

export interface CheckResult {
  failures: Failure[];
  findings: number;
  /** Texts fix-all changed (over the four modes). */
  changed: number;
  /** The slowest single engine call, in ms. */
  slowestMs: number;
  slowestOp: string;
}

const TARGETS: readonly Target[] = ['anyio3', 'anyio2+3'];

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(e);
}

interface Timed<T> {
  ok: boolean;
  value?: T;
  error?: unknown;
  ms: number;
}

/** Run `fn`, timing it; a call over the limit is re-run up to twice and the fastest time kept. */
export function timed<T>(fn: () => T): Timed<T> {
  let best = Infinity;
  let result: Timed<T> = { ok: false, ms: 0 };
  for (let attempt = 0; attempt < 3; attempt++) {
    const t0 = performance.now();
    try {
      const value = fn();
      result = { ok: true, value, ms: 0 };
    } catch (error) {
      result = { ok: false, error, ms: 0 };
    }
    best = Math.min(best, performance.now() - t0);
    // Re-time only calls near the limit (a GC pause); a call several times over it is just slow.
    if (!result.ok || best <= TIME_LIMIT_MS || best > 3 * TIME_LIMIT_MS) break;
  }
  result.ms = best;
  return result;
}

/** Problems with a finding list's ranges against `text` (empty when all is well). */
export function rangeProblems(text: string, findings: readonly Finding[]): string[] {
  const out: string[] = [];
  const inText = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= text.length;
  for (const f of findings) {
    if (!inText(f.start) || !inText(f.end) || f.start > f.end) out.push(`${f.code} finding range [${f.start}, ${f.end}) outside text of length ${text.length}`);
    if (!f.fix) continue;
    const edits = [...f.fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
    for (const [i, e] of edits.entries()) {
      if (!inText(e.start) || !inText(e.end) || e.start > e.end) out.push(`${f.code} fix edit [${e.start}, ${e.end}) outside text of length ${text.length}`);
      const prev = edits[i - 1];
      if (prev && prev.end > e.start) out.push(`${f.code} fix edits overlap: [${prev.start}, ${prev.end}) and [${e.start}, ${e.end})`);
      if (typeof e.text !== 'string') out.push(`${f.code} fix edit without replacement text`);
    }
  }
  return out;
}

/** The engine's typed refusal of input it will not parse (`InputRefused`, with a user message). */
export function isRefusal(e: unknown): boolean {
  return e instanceof Error && e.name === 'InputRefused' && e.message.length > 0;
}

/** Check every property on `text`. Never throws (an engine exception is a `crash` failure). */
export async function checkText(text: string, options: CheckOptions = {}): Promise<CheckResult> {
  const failures: Failure[] = [];
  const want = (op: string): boolean => !options.focus || op.startsWith(options.focus) || options.focus.startsWith(op);
  const maxSingle = options.maxSingleFixes ?? 12;
  let slowestMs = 0;
  let slowestOp = '';
  let findingsTotal = 0;
  let changed = 0;

  // After one call over the time limit the rest of the case is skipped: the timeout is recorded,
  // and the other calls on the same text would only be as slow (a case stays bounded in time).
  let timedOut = false;
  const call = <T>(op: string, fn: () => T): T | undefined => {
    if (timedOut) return undefined;
    const r = timed(fn);
    if (r.ms > slowestMs) {
      slowestMs = r.ms;
      slowestOp = op;
    }
    if (!r.ok) {
      // A documented refusal (input CPython would reject too, e.g. > 100 indentation levels) is an
      // answer with a message, not a crash.
      if (isRefusal(r.error)) {
        timedOut = true;
        return undefined;
      }
      failures.push({ kind: 'crash', op, message: errorText(r.error) });
      return undefined;
    }
    if (r.ms > TIME_LIMIT_MS) timedOut = true;
    if (r.ms > TIME_LIMIT_MS) failures.push({ kind: 'timeout', op, message: `took ${Math.round(r.ms)} ms (limit ${TIME_LIMIT_MS} ms) on ${text.length} chars` });
    return r.value;
  };

  let baseErrors: number | undefined;
  try {
    baseErrors = countParseErrorsIn(text);
  } catch (e) {
    if (!isRefusal(e)) failures.push({ kind: 'crash', op: 'countParseErrorsIn', message: errorText(e) });
    else timedOut = true; // refused input: nothing more to check, but fixAll must still answer
  }
  const errorsOf = (out: string, op: string): number | undefined => {
    try {
      return countParseErrorsIn(out);
    } catch (e) {
      failures.push({ kind: 'crash', op: `countParseErrorsIn (output of ${op})`, message: errorText(e) });
      return undefined;
    }
  };

  // Outputs to compile with CPython where the input compiled; checked together at the end.
  const toCompile: Array<{ op: string; output: string }> = [];

  for (const target of TARGETS) {
    const aop = `analyze ${target}`;
    if (!want(aop) && !want(`applyFix ${target}`)) continue;
    const findings = call(aop, () => analyze(text, { target }));
    if (!findings) continue;
    findingsTotal += findings.length;
    for (const p of rangeProblems(text, findings)) failures.push({ kind: 'bad_range', op: aop, message: p });

    const fixable = findings.filter((f) => f.fix && f.fix.edits.length > 0);
    const step = Math.max(1, Math.ceil(fixable.length / maxSingle));
    for (let i = 0; i < fixable.length; i += step) {
      const f = fixable[i]!;
      const op = `applyFix ${target} ${f.code}`;
      if (!want(op)) continue;
      if (rangeProblems(text, [f]).length) continue; // already reported; applying it would only throw
      const r = call(op, () => applyFix(text, f.fix!));
      if (!r || !('output' in r)) continue;
      const after = errorsOf(r.output, op);
      if (baseErrors !== undefined && after !== undefined && after > baseErrors) {
        failures.push({ kind: 'broken_fix', op, message: `"${f.fix!.title}" at ${f.start}: ${baseErrors} -> ${after} parse errors` });
      }
      if (r.output !== text) toCompile.push({ op: `${op} "${f.fix!.title}" at ${f.start}`, output: r.output });
    }
  }

  for (const mode of FIX_MODES) {
    const op = `fixAll ${mode.name}`;
    if (!want(op)) continue;
    const opts: FixOptions = mode.opts;
    const r = call(op, () => fixAll(text, opts));
    if (!r) continue;
    if (r.refused !== undefined && r.output !== text) failures.push({ kind: 'broken_fix', op, message: `refused ("${r.refused}") but the output differs from the input` });
    for (const p of rangeProblems(r.output, r.remaining)) failures.push({ kind: 'bad_range', op: `${op} (remaining)`, message: p });
    if (r.output === text) continue;
    changed++;
    const after = errorsOf(r.output, op);
    if (baseErrors !== undefined && after !== undefined && after > baseErrors) {
      failures.push({ kind: 'broken_fix', op, message: `${baseErrors} -> ${after} parse errors (applied ${r.applied.map((a) => a.code).join(', ')})` });
    }
    toCompile.push({ op, output: r.output });
    if (!r.capped) {
      const again = call(`${op} (second run)`, () => fixAll(r.output, opts));
      if (again && again.output !== r.output) {
        failures.push({
          kind: 'non_idempotent',
          op,
          message: `fixing the output again applied ${again.applied.map((a) => a.code).join(', ') || 'nothing'}${again.refused ? ` (refused: ${again.refused})` : ''}`,
        });
      }
    }
  }

  if (options.oracle && toCompile.length > 0) {
    const oracle = options.oracle;
    const input = await oracle.compile(text);
    if (input.ok) {
      const seen = new Map<string, Promise<{ ok: boolean; message: string }>>();
      const results = await Promise.all(
        toCompile.map(async (c) => {
          let p = seen.get(c.output);
          if (!p) {
            p = oracle.compile(c.output);
            seen.set(c.output, p);
          }
          return { ...c, result: await p };
        }),
      );
      for (const c of results) {
        if (!c.result.ok) failures.push({ kind: 'broken_fix', op: c.op, message: `the input compiles with CPython, the output does not: ${c.result.message}` });
      }
    }
  }

  return { failures, findings: findingsTotal, changed, slowestMs, slowestOp };
}

/** A stable key for "the same bug": kind, call, and the message without numbers and stack. */
export function signature(f: Failure): string {
  const op = f.op.replace(/ ".*$/, '').replace(/ at \d+$/, '');
  const msg = f.message.split('\n')[0]!.replace(/\d+/g, 'N').slice(0, 120);
  return `${f.kind} | ${op} | ${msg}`;
}
