/**
 * The one fix loop (`fixAll`) and applying one fix (`applyFix`, a quick fix) through the same
 * round machinery. The loop knows no rule: the engine (./engine) hands it the function that runs
 * the rules on a parsed text.
 *
 * A fix round: pick the fixes to apply, sorted by their own range, skipping any that overlaps one
 * already picked; apply their edits; then add the imports they asked for (each once) and remove
 * `from anyio import` names that the round left unused. Rounds repeat (re-parse, re-analyse) until
 * nothing is left to fix or the cap is reached. A round that would add parse errors is refused and
 * the text is left exactly as it was.
 *
 * Phases: the safe fixes run to their fixpoint first — exactly the run without unsafe fixes — and
 * only then, when unsafe fixes are asked for, the loop goes on from that text with them included.
 * So `fix --unsafe-fixes` is `fix` followed by the unsafe fixes, and the result says which rounds
 * were the safe phase (`safeRounds`): a change of the input that no later round touched is proven
 * by the safe-only run. The result names each applied fix once (code, round, range, edits) with the
 * changes of the input it made (./fix-trace), so callers need no diffing.
 */
import { countParseErrors, InputRefused, parse, type Tree } from './parser';
import { buildIndex, type FileIndex } from './scopes';
import { anyioFromImportNames, importEdits, usageCount } from './imports';
import { applyEdits } from './text';
import type { Edit, Finding, Fix, FixOptions, FixResult } from './types';
import { FixLog } from './fix-trace';

/** Runs the rules on a parsed text: its findings, and the index they were found with (none when skipped). */
export type RunRules = (text: string, tree: Tree, options: FixOptions) => { findings: Finding[]; idx?: FileIndex };

function fixRange(fix: Fix): [number, number] {
  let s = Infinity;
  let e = -Infinity;
  for (const ed of fix.edits) {
    s = Math.min(s, ed.start);
    e = Math.max(e, ed.end);
  }
  return [s, e];
}

/** A finding's fix offered to a round, with the finding's range. */
type Candidate = { code: string; fix: Fix; start: number; end: number };

/**
 * One round: apply non-overlapping fixes, then the import bookkeeping. Returns the applied fixes, the
 * text after their own edits (`fixed`), the import edits made on it, and the parsed tree of the result
 * when the import step changed nothing (saves a parse). Throws InputRefused when it cannot be parsed.
 */
function applyRound<C extends { fix: Fix }>(text: string, idx: FileIndex, candidates: C[]): { text: string; applied: C[]; fixed: string; importEdits: Edit[]; tree?: Tree } {
  const sorted = candidates
    .filter((c) => c.fix.edits.length > 0)
    .map((c) => ({ ...c, range: fixRange(c.fix) }))
    .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  // Sorted by start: a fix overlaps an accepted one iff it starts before the furthest accepted end,
  // or at the same place as the last accepted one (two insertions at one point).
  const accepted: typeof sorted = [];
  let maxEnd = -Infinity;
  let lastStart = -Infinity;
  for (const c of sorted) {
    if (c.range[0] < maxEnd || c.range[0] === lastStart) continue;
    accepted.push(c);
    maxEnd = Math.max(maxEnd, c.range[1]);
    lastStart = c.range[0];
  }
  if (accepted.length === 0) return { text, applied: [], fixed: text, importEdits: [] };

  const text1 = applyEdits(
    text,
    accepted.flatMap((c) => c.fix.edits),
  );
  const tree1 = parse(text1);
  let keepTree = false;
  try {
    const idx1 = buildIndex(tree1, text1);
    const removals = new Set<string>();
    for (const name of anyioFromImportNames(idx)) {
      if (usageCount(idx, name) > 0 && usageCount(idx1, name) === 0) removals.add(name);
    }
    const imports = accepted.flatMap((c) => c.fix.imports ?? []);
    const edits = importEdits(idx1, imports, removals);
    if (edits.length === 0) {
      keepTree = true;
      return { text: text1, applied: accepted, fixed: text1, importEdits: [], tree: tree1 };
    }
    return { text: applyEdits(text1, edits), applied: accepted, fixed: text1, importEdits: edits };
  } finally {
    if (!keepTree) tree1.delete();
  }
}

/** Apply one fix (a quick fix) through the same machinery as `fixAll`, with the same parse check. */
export function applyFix(text: string, fix: Fix): { output: string } | { refused: string } {
  let tree: Tree;
  try {
    tree = parse(text);
  } catch (err) {
    if (err instanceof InputRefused) return { refused: err.message };
    throw err;
  }
  try {
    const idx = buildIndex(tree, text);
    const before = countParseErrors(tree);
    const r = applyRound(text, idx, [{ fix }]);
    r.tree?.delete();
    if (countParseErrorsIn(r.text) > before) return { refused: `the fix "${fix.title}" would introduce a syntax error; nothing was changed` };
    return { output: r.text };
  } catch (err) {
    if (err instanceof InputRefused) return { refused: `the fix "${fix.title}" would produce text the parser refuses (${err.message}); nothing was changed` };
    throw err;
  } finally {
    tree.delete();
  }
}

export function countParseErrorsIn(text: string): number {
  const tree = parse(text);
  try {
    return countParseErrors(tree);
  } finally {
    tree.delete();
  }
}

/** Which findings' fixes a phase applies. */
type Eligible = (f: Finding) => boolean;
const SAFE_FIXES: Eligible = (f) => f.fix?.applicability === 'safe';
const ALL_FIXES: Eligible = (f) => !!f.fix;

/** The loop's state between rounds: the current text, its tree, and its analysis when known. */
interface State {
  text: string;
  tree: Tree;
  analysed?: { findings: Finding[]; idx?: FileIndex };
  round: number;
}

/**
 * Run rounds applying the `eligible` fixes until none is left or `maxIterations` rounds ran.
 * Returns whether it stopped at the cap, or why a round was refused (the state is then abandoned).
 */
function runPhase(run: RunRules, state: State, options: FixOptions, eligible: Eligible, baseErrors: number, log: FixLog): { capped: boolean } | { refused: string } {
  const maxIterations = options.maxIterations ?? 10;
  for (let i = 0; i < maxIterations; i++) {
    const analysed = state.analysed ?? run(state.text, state.tree, options);
    state.analysed = analysed;
    const candidates: Candidate[] = analysed.findings.filter(eligible).map((f) => ({ code: f.code, fix: f.fix!, start: f.start, end: f.end }));
    if (!analysed.idx || candidates.length === 0) return { capped: false };
    let r: ReturnType<typeof applyRound<Candidate>>;
    try {
      r = applyRound(state.text, analysed.idx, candidates);
    } catch (err) {
      if (!(err instanceof InputRefused)) throw err;
      return { refused: `fixing would produce text the parser refuses (${err.message}); the file was left unchanged` };
    }
    if (r.applied.length === 0 || r.text === state.text) {
      r.tree?.delete();
      return { capped: false };
    }
    let next: Tree;
    try {
      next = r.tree ?? parse(r.text);
    } catch (err) {
      if (!(err instanceof InputRefused)) throw err;
      return { refused: `fixing would produce text the parser refuses (${err.message}); the file was left unchanged` };
    }
    if (countParseErrors(next) > baseErrors) {
      next.delete();
      const codes = [...new Set(r.applied.map((a) => a.code))].join(', ');
      return { refused: `fixing ${codes} would introduce a syntax error; the file was left unchanged` };
    }
    state.tree.delete();
    state.tree = next;
    log.round(state.round, state.text, r.applied, r.fixed, r.importEdits);
    state.text = r.text;
    state.analysed = undefined;
    state.round++;
  }
  return { capped: true };
}

/**
 * The fix loop: the safe phase, then (with `unsafeFixes`) the phase with unsafe fixes included,
 * each up to `maxIterations` rounds. Never throws for refused input: the result carries `refused`.
 */
export function fixAllWith(run: RunRules, input: string, options: FixOptions): FixResult {
  const log = new FixLog(input);
  const refuse = (why: string): FixResult => {
    let remaining: Finding[] = [];
    try {
      const tree = parse(input);
      try {
        remaining = run(input, tree, options).findings;
      } finally {
        tree.delete();
      }
    } catch {
      remaining = [];
    }
    return { output: input, applied: [], changes: [], safeRounds: 0, remaining, refused: why, capped: false };
  };
  let tree: Tree;
  try {
    tree = parse(input);
  } catch (err) {
    if (err instanceof InputRefused) return { output: input, applied: [], changes: [], safeRounds: 0, remaining: [], refused: err.message, capped: false };
    throw err;
  }
  const state: State = { text: input, tree, round: 0 };
  try {
    const baseErrors = countParseErrors(tree);
    const phases = options.unsafeFixes ? [SAFE_FIXES, ALL_FIXES] : [SAFE_FIXES];
    let safeRounds = 0;
    let capped = false;
    for (const [i, eligible] of phases.entries()) {
      const end = runPhase(run, state, options, eligible, baseErrors, log);
      if ('refused' in end) return refuse(end.refused);
      if (i === 0) safeRounds = state.round;
      // Capped only if the last round still left something it would have fixed.
      capped = end.capped && (state.analysed ??= run(state.text, state.tree, options)).findings.some(eligible);
    }
    const remaining = (state.analysed ?? run(state.text, state.tree, options)).findings;
    return { output: state.text, ...log.result(), safeRounds, remaining, capped };
  } finally {
    state.tree.delete();
  }
}
