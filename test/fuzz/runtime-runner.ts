/**
 * Differential runtime testing of the fixes: a batch of generated AnyIO 2 programs
 * (./runtime-grammar.ts) is written as one module, run on AnyIO 2.2.0 (the original) and, after
 * the engine's fixAll, on AnyIO 3.6.2 with `-W error::DeprecationWarning` (the migration), on the
 * asyncio and trio backends; each program's stdout must be the same.
 *
 * Modes: `anyio3` (safe fixes), `anyio3-unsafe` (unsafe fixes too, compared only for programs with
 * no look-alikes, i.e. where every receiver is in fact AnyIO's), `anyio2+3` and `anyio2+3-unsafe`
 * (the output must also run on 2.2.0, without `-W` there).
 *
 * The oracle: a program whose migrated output differs is a failure unless a finding is left in the
 * program after the fixes (no fix, or an unsafe fix not applied): that difference is expected.
 * Every original must run cleanly on 2.2.0 (nothing escapes a program, no hang): otherwise the
 * generator is wrong.
 *
 * Used by test/fuzz/runtime.test.ts (a short seeded run) and scripts/fuzz-runtime.mjs (long runs,
 * with minimisation).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixAll } from '../../src/engine';
import type { FixResult, Target } from '../../src/core/types';
import { type AnyioRuntime, runPython, runtimeEnv } from '../support/python';
import { DRIVER_MARKER, FAKEIO, type Program, programMarker, renderModule, renderProgram, type Unit } from './runtime-grammar';

export type ModeName = 'anyio3' | 'anyio3-unsafe' | 'anyio2+3' | 'anyio2+3-unsafe';

export interface Mode {
  name: ModeName;
  target: Target;
  unsafeFixes: boolean;
  /** Where the migrated module must print what the original printed on 2.2.0. */
  runtimes: readonly AnyioRuntime[];
}

export const MODES: Readonly<Record<ModeName, Mode>> = {
  anyio3: { name: 'anyio3', target: 'anyio3', unsafeFixes: false, runtimes: ['anyio3'] },
  'anyio3-unsafe': { name: 'anyio3-unsafe', target: 'anyio3', unsafeFixes: true, runtimes: ['anyio3'] },
  'anyio2+3': { name: 'anyio2+3', target: 'anyio2+3', unsafeFixes: false, runtimes: ['anyio2', 'anyio3'] },
  'anyio2+3-unsafe': { name: 'anyio2+3-unsafe', target: 'anyio2+3', unsafeFixes: true, runtimes: ['anyio2', 'anyio3'] },
};

export const BACKENDS = ['asyncio', 'trio'] as const;
export type Backend = (typeof BACKENDS)[number];

/** How a module is migrated (the engine's fixAll; a test substitutes a deliberately wrong one). */
export type Migrate = (text: string, mode: Mode) => FixResult;

export const engineMigrate: Migrate = (text, mode) => fixAll(text, { target: mode.target, unsafeFixes: mode.unsafeFixes });

/** `<program id>@<backend>` → what the program printed (with `raised <type>` / `!!! hang`). */
export type Outputs = Map<string, string>;

export const outputKey = (id: string, backend: Backend): string => `${id}@${backend}`;

function parseOutputs(stdout: string, into: Outputs): string[] {
  const seen: string[] = [];
  let key: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (key !== undefined) into.set(key, lines.join('\n'));
  };
  for (const line of stdout.split('\n')) {
    const m = /^=== (\S+) (asyncio|trio)$/.exec(line);
    if (m) {
      flush();
      key = outputKey(m[1]!, m[2] as Backend);
      seen.push(key);
      lines = [];
    } else if (key !== undefined && (line !== '' || lines.length > 0)) lines.push(line);
  }
  flush();
  // Drop the trailing empty line of the last program.
  if (key !== undefined) into.set(key, (into.get(key) ?? '').replace(/\n+$/, ''));
  return seen;
}

let moduleCounter = 0;

export interface RunOptions {
  /** Directory for the module and fakeio.py. */
  dir: string;
  /** Run only these keys (`<id>@<backend>`); default all. */
  only?: ReadonlySet<string>;
}

/**
 * Run `text` on `runtime` (3.6.2 with `-W error::DeprecationWarning`; 2.2.0 without `-W`: its trio
 * backend warns on import). A hang ends the process: the rest is run again in a new one.
 */
export async function runModule(text: string, programIds: readonly string[], runtime: AnyioRuntime, options: RunOptions): Promise<Outputs> {
  fs.mkdirSync(options.dir, { recursive: true });
  const fake = path.join(options.dir, 'fakeio.py');
  if (!fs.existsSync(fake) || fs.readFileSync(fake, 'utf8') !== FAKEIO) fs.writeFileSync(fake, FAKEIO);
  const file = path.join(options.dir, `mod_${process.pid}_${++moduleCounter}_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 8)}.py`);
  fs.writeFileSync(file, text);
  const all = BACKENDS.flatMap((b) => programIds.map((id) => outputKey(id, b)));
  const wanted = options.only ? all.filter((k) => options.only!.has(k)) : all;
  const skip = new Set(all.filter((k) => !wanted.includes(k)));
  const outputs: Outputs = new Map();
  try {
    for (let attempt = 0; attempt <= wanted.length; attempt++) {
      const args = [...(runtime === 'anyio3' ? ['-W', 'error::DeprecationWarning'] : []), file, ...skip];
      const run = await runPython(args, { env: runtimeEnv(runtime), cwd: options.dir, timeoutMs: 60_000 + wanted.length * 4_000 });
      const seen = parseOutputs(run.stdout, outputs);
      seen.forEach((k) => skip.add(k));
      const hung = run.code === 3 && run.stdout.trimEnd().endsWith('!!! hang');
      if (!hung) {
        const left = wanted.filter((k) => !outputs.has(k));
        if (left.length) {
          const why = run.timedOut ? 'timed out' : `exit code ${run.code}`;
          const tail = run.stderr.trim().split('\n').slice(-3).join(' | ');
          for (const k of left) outputs.set(k, `!!! not run (module ${why}: ${tail})`);
        }
        break;
      }
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
  return outputs;
}

/** Each program's span in a module text (from its marker to the next marker or the driver). */
export function programSpans(text: string, ids: readonly string[]): Map<string, [number, number]> {
  const starts: Array<[string, number]> = [];
  for (const id of ids) {
    const at = text.indexOf(`${programMarker(id)}\n`);
    if (at >= 0) starts.push([id, at]);
  }
  starts.sort((a, b) => a[1] - b[1]);
  const driver = text.indexOf(DRIVER_MARKER);
  const spans = new Map<string, [number, number]>();
  starts.forEach(([id, at], i) => spans.set(id, [at, i + 1 < starts.length ? starts[i + 1]![1] : driver >= 0 ? driver : text.length]));
  return spans;
}

export interface Difference {
  mode: ModeName;
  runtime: AnyioRuntime;
  program: string;
  backend: Backend;
  original: string;
  migrated: string;
  /** Codes of the findings left in the program after the fixes (set: the difference is expected). */
  remaining: string[];
  /** The program as generated and its text after the fixes. */
  programText: string;
  migratedText: string;
}

export interface ModeStats {
  /** Program × backend × runtime comparisons made. */
  compared: number;
  /** Programs with at least one applied fix in their span. */
  migratedPrograms: number;
  /** Fixes applied over the whole module. */
  applied: number;
  refused?: string;
}

export interface BatchResult {
  programs: number;
  /** Differences not explained by a remaining finding: failures to triage. */
  failures: Difference[];
  /** Differences in programs where a finding was left (no fix / unsafe fix not applied). */
  expected: Difference[];
  /** Originals that did not run cleanly on 2.2.0 (a generator bug). */
  originalErrors: Array<{ program: string; backend: Backend; output: string }>;
  modes: Partial<Record<ModeName, ModeStats>>;
  /** The original outputs, for the caller's checks. */
  originalOutputs: Outputs;
}

/** An original output that shows the program itself failed on 2.2.0. */
export function isBrokenOriginal(output: string | undefined): boolean {
  return output === undefined || /^(raised |!!! )/m.test(output);
}

export interface CheckOptions {
  dir: string;
  modes: readonly ModeName[];
  migrate?: Migrate;
}

/**
 * Check a batch: programs with look-alikes and programs without run as two modules (a look-alike
 * class defining `async def release` makes the engine leave unknown `.release()` receivers of the
 * whole module alone, by design; see `Gen.typedOnly`).
 */
export async function checkBatch(programs: readonly Program[], options: CheckOptions): Promise<BatchResult> {
  const groups = [programs.filter((p) => !p.lookalike), programs.filter((p) => p.lookalike)].filter((g) => g.length > 0);
  const parts = await Promise.all(groups.map((g) => checkModule(g, options)));
  const result: BatchResult = { programs: programs.length, failures: [], expected: [], originalErrors: [], modes: {}, originalOutputs: new Map() };
  for (const part of parts) {
    result.failures.push(...part.failures);
    result.expected.push(...part.expected);
    result.originalErrors.push(...part.originalErrors);
    for (const [k, v] of part.originalOutputs) result.originalOutputs.set(k, v);
    for (const [name, stats] of Object.entries(part.modes) as Array<[ModeName, ModeStats]>) {
      const into = (result.modes[name] ??= { compared: 0, migratedPrograms: 0, applied: 0 });
      into.compared += stats.compared;
      into.migratedPrograms += stats.migratedPrograms;
      into.applied += stats.applied;
      if (stats.refused) into.refused = stats.refused;
    }
  }
  return result;
}

/** The programs of `batch` that share a module with `program` in checkBatch. */
export function moduleMates(batch: readonly Program[], program: string): Program[] {
  const lookalike = batch.find((p) => p.id === program)?.lookalike;
  return batch.filter((p) => p.lookalike === lookalike);
}

/** Check programs run as one module. */
export async function checkModule(programs: readonly Program[], options: CheckOptions): Promise<BatchResult> {
  const migrate = options.migrate ?? engineMigrate;
  const ids = programs.map((p) => p.id);
  const byId = new Map(programs.map((p) => [p.id, p]));
  const text = renderModule(programs);
  const originalText = new Map(programs.map((p) => [p.id, renderProgram(p)]));
  const result: BatchResult = { programs: programs.length, failures: [], expected: [], originalErrors: [], modes: {}, originalOutputs: new Map() };

  const migrations = options.modes.map((name) => {
    const mode = MODES[name];
    return { mode, fix: migrate(text, mode) };
  });
  const originalRun = runModule(text, ids, 'anyio2', { dir: options.dir });
  const migratedRuns = migrations.map(({ mode, fix }) => Promise.all(mode.runtimes.map((rt) => runModule(fix.output, ids, rt, { dir: options.dir }))));
  const original = await originalRun;
  result.originalOutputs = original;
  for (const id of ids)
    for (const b of BACKENDS)
      if (isBrokenOriginal(original.get(outputKey(id, b)))) result.originalErrors.push({ program: id, backend: b, output: original.get(outputKey(id, b)) ?? '' });

  for (const [i, { mode, fix }] of migrations.entries()) {
    const runs = await migratedRuns[i]!;
    const spans = programSpans(fix.output, ids);
    const remaining = new Map<string, string[]>();
    for (const f of fix.remaining) {
      for (const [id, [s, e]] of spans) if (f.start >= s && f.start < e) remaining.set(id, [...(remaining.get(id) ?? []), f.code]);
    }
    const originalSpans = programSpans(text, ids);
    let migratedPrograms = 0;
    for (const id of ids) {
      const a = originalSpans.get(id);
      const b = spans.get(id);
      if (a && b && text.slice(...a) !== fix.output.slice(...b)) migratedPrograms++;
    }
    const stats: ModeStats = { compared: 0, migratedPrograms, applied: fix.applied.length };
    if (fix.refused) stats.refused = fix.refused;
    result.modes[mode.name] = stats;
    for (const [j, rt] of mode.runtimes.entries()) {
      const outputs = runs[j]!;
      for (const id of ids) {
        const program = byId.get(id)!;
        if (mode.unsafeFixes && program.lookalike) continue;
        for (const backend of BACKENDS) {
          const key = outputKey(id, backend);
          const orig = original.get(key);
          if (isBrokenOriginal(orig)) continue;
          stats.compared++;
          const mig = outputs.get(key) ?? '!!! missing';
          if (mig === orig) continue;
          const span = spans.get(id);
          const d: Difference = {
            mode: mode.name,
            runtime: rt,
            program: id,
            backend,
            original: orig!,
            migrated: mig,
            remaining: remaining.get(id) ?? [],
            programText: originalText.get(id)!,
            migratedText: span ? fix.output.slice(...span) : '(program not found in the output)',
          };
          (d.remaining.length ? result.expected : result.failures).push(d);
        }
      }
    }
  }
  return result;
}

/** A short key grouping differences that are probably the same bug. */
export function differenceSignature(d: Difference): string {
  const a = d.original.split('\n');
  const b = d.migrated.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const norm = (s: string | undefined) =>
    (s ?? '(end)')
      .replace(/\bs\d+\b/g, 's#')
      .replace(/_\d+\b/g, '_#')
      .replace(/\d+/g, '#');
  // A module that did not run: the error that stopped it (without paths).
  const notRun = /^!!! not run \(.*\| ([^|]*?)(?: \(\/[^)]*\))?\)$/.exec(b[i] ?? '');
  if (notRun) return `${d.mode} on ${d.runtime}: module not run: ${notRun[1]}`;
  // An exception or a hang: its type is the signature, whatever printed before it.
  if (/^(raised |!!! )/.test(b[i] ?? '')) return `${d.mode} on ${d.runtime}: ${norm(b[i])}`;
  return `${d.mode} on ${d.runtime}: ${norm(a[i])} -> ${norm(b[i])}`;
}

// -------------------------------------------------------------------------------- minimisation

async function ddmin<T>(units: T[], stillFails: (units: T[]) => Promise<boolean>, deadline: number): Promise<T[]> {
  let current = units;
  let n = 2;
  while (current.length >= 1 && Date.now() < deadline) {
    const size = Math.max(1, Math.ceil(current.length / n));
    let reduced = false;
    for (let start = 0; start < current.length && Date.now() < deadline; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      if (await stillFails(candidate)) {
        current = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      n = Math.min(current.length, n * 2);
    }
  }
  return current;
}

export interface Minimized {
  /** The programs of the smallest failing module (usually one). */
  programs: Program[];
  /** Its text as generated, and after the fixes. */
  text: string;
  migratedText: string;
  original: string;
  migrated: string;
  /** False when the difference did not show again (flaky: a generator bug, or timing). */
  reproduced: boolean;
}

/**
 * Reduce `programs` (the batch the difference came from) to as few programs, prelude items and
 * statements as keep the same program printing differently in the same mode, runtime and backend,
 * with an original that still runs cleanly and no finding left in the program.
 */
export async function minimizeDifference(programs: readonly Program[], d: Difference, options: { dir: string; budgetMs: number; migrate?: Migrate }): Promise<Minimized> {
  const migrate = options.migrate ?? engineMigrate;
  const mode = MODES[d.mode];
  const deadline = Date.now() + options.budgetMs;
  const key = outputKey(d.program, d.backend);
  let last: Minimized | undefined;
  const attempt = async (ps: Program[]): Promise<Minimized | undefined> => {
    if (!ps.some((p) => p.id === d.program)) return undefined;
    const text = renderModule(ps);
    const ids = ps.map((p) => p.id);
    const fix = migrate(text, mode);
    const span = programSpans(fix.output, ids).get(d.program);
    if (!span || fix.remaining.some((f) => f.start >= span[0] && f.start < span[1])) return undefined;
    const only = new Set([key]);
    const [orig, mig] = await Promise.all([runModule(text, ids, 'anyio2', { dir: options.dir, only }), runModule(fix.output, ids, d.runtime, { dir: options.dir, only })]);
    const o = orig.get(key);
    const m = mig.get(key);
    if (isBrokenOriginal(o) || o === m) return undefined;
    return { programs: ps, text, migratedText: fix.output, original: o!, migrated: m ?? '!!! missing', reproduced: true };
  };
  const check = async (ps: Program[]) => {
    const r = await attempt(ps);
    if (r) last = r;
    return !!r;
  };
  programs = moduleMates(programs, d.program);
  const target = programs.find((p) => p.id === d.program)!;
  let current: Program[];
  if (await check([target])) current = [target];
  else if (await check([...programs])) current = await ddmin([...programs], check, deadline);
  else {
    return { programs: [...programs], text: renderModule(programs), migratedText: '', original: d.original, migrated: d.migrated, reproduced: false };
  }
  // Then the units of the failing program: prelude items and statements.
  const p = current.find((x) => x.id === d.program)!;
  const units: Array<{ where: 'prelude' | 'body'; unit: Unit }> = [
    ...p.prelude.map((unit) => ({ where: 'prelude' as const, unit })),
    ...p.body.map((unit) => ({ where: 'body' as const, unit })),
  ];
  const rebuild = (us: typeof units): Program[] =>
    current.map((x) =>
      x.id === d.program ? { ...x, prelude: us.filter((u) => u.where === 'prelude').map((u) => u.unit), body: us.filter((u) => u.where === 'body').map((u) => u.unit) } : x,
    );
  const kept = await ddmin(units, (us) => check(rebuild(us)), deadline);
  current = rebuild(kept);
  // `last` is the last passing attempt; make sure it is the final one.
  return (await attempt(current)) ?? last!;
}
