/**
 * Where the fix loop's edits land on the ORIGINAL input. The loop applies several steps (each
 * round's fix edits, then its import bookkeeping), each on the text the previous step produced.
 * `FixTrace` composes them: it keeps a sorted list of disjoint changes of the original text, each
 * `[start, end)` of the input replaced by the text it has now, with who made it. A step's edit that
 * touches (overlaps or abuts) a change made earlier is merged with it into one change of the
 * original range, so applying the final changes to the input gives exactly the output.
 *
 * Each step costs O(changes + edits log edits) plus the length of the merged slices.
 */
import type { AppliedFix, Edit, Fix, FixChange, FixResult } from './types';

/** Who made an edit: an applied fix (its index in the loop's list) or a round's import bookkeeping. */
export type EditSource = { fix: number } | { importRound: number };

/** One change of the original text: `input.slice(start, end)` became `text`. */
export interface TracedChange extends Edit {
  /** Applied fixes whose edits went into it (indices into `FixResult.applied`), ascending. */
  fixes: number[];
  /** Rounds whose import bookkeeping went into it, ascending. */
  importRounds: number[];
}

interface Item {
  /** Range in the text the step applies to. */
  start: number;
  end: number;
  change?: TracedChange;
  edit?: Edit;
  source?: EditSource;
}

interface Component {
  items: Item[];
  maxEndEdits: number;
  maxEndChanges: number;
  minStartEdits: number;
  minStartChanges: number;
}

function add(comp: Component, it: Item): void {
  comp.items.push(it);
  if (it.edit) {
    comp.maxEndEdits = Math.max(comp.maxEndEdits, it.end);
    comp.minStartEdits = Math.min(comp.minStartEdits, it.start);
  } else {
    comp.maxEndChanges = Math.max(comp.maxEndChanges, it.end);
    comp.minStartChanges = Math.min(comp.minStartChanges, it.start);
  }
}

function newComponent(it: Item): Component {
  const comp: Component = { items: [], maxEndEdits: -Infinity, maxEndChanges: -Infinity, minStartEdits: Infinity, minStartChanges: Infinity };
  add(comp, it);
  return comp;
}

/** Whether some edit of one touches some change of the other (`b` starts no earlier than `a`). */
function touches(a: Component, b: Component): boolean {
  return b.minStartEdits <= a.maxEndChanges || b.minStartChanges <= a.maxEndEdits;
}

function sortedUnion(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

export class FixTrace {
  private list: TracedChange[] = [];

  constructor(private readonly input: string) {}

  /** The changes of the original input so far, sorted by start, disjoint. */
  get changes(): readonly TracedChange[] {
    return this.list;
  }

  /**
   * Record one step: `edits` (non-overlapping, each with its source) applied to `current`, which
   * must be the input with the changes so far applied.
   */
  step(current: string, edits: ReadonlyArray<{ edit: Edit; source: EditSource }>): void {
    if (edits.length === 0) return;
    const items: Item[] = [];
    // Current range of each change: its original start plus the growth of the changes before it.
    let delta = 0;
    for (const c of this.list) {
      const start = c.start + delta;
      items.push({ start, end: start + c.text.length, change: c });
      delta += c.text.length - (c.end - c.start);
    }
    for (const e of edits) items.push({ start: e.edit.start, end: e.edit.end, edit: e.edit, source: e.source });
    // By start; at one start, edits first (a change of zero length there then joins them), then by end.
    items.sort((a, b) => a.start - b.start || (a.edit ? 0 : 1) - (b.edit ? 0 : 1) || a.end - b.end);

    // Connected components of "an edit touches a change" (edits never touch each other, nor changes).
    const stack: Component[] = [];
    for (const it of items) {
      const top = stack[stack.length - 1];
      if (top && (it.edit ? it.start <= top.maxEndChanges : it.start <= top.maxEndEdits)) add(top, it);
      else stack.push(newComponent(it));
      while (stack.length >= 2 && touches(stack[stack.length - 2]!, stack[stack.length - 1]!)) {
        const last = stack.pop()!;
        for (const x of last.items) add(stack[stack.length - 1]!, x);
      }
    }

    const next: TracedChange[] = [];
    // Growth of the changes in the components before this one: the text from a component's start
    // up to its first change is original, so it maps back by this much.
    let before = 0;
    for (const comp of stack) {
      const changes = comp.items.filter((i) => i.change).map((i) => i.change!);
      const own = comp.items.filter((i) => i.edit);
      const growth = changes.reduce((n, c) => n + c.text.length - (c.end - c.start), 0);
      if (own.length === 0) {
        next.push(...changes);
        before += growth;
        continue;
      }
      const S = Math.min(...comp.items.map((i) => i.start));
      const E = Math.max(...comp.items.map((i) => i.end));
      const atStart = comp.items.filter((i) => i.change && i.start === S).map((i) => i.change!.start);
      const origStart = atStart.length ? Math.min(...atStart) : S - before;
      const atEnd = comp.items.filter((i) => i.change && i.end === E).map((i) => i.change!.end);
      const origEnd = atEnd.length ? Math.max(...atEnd) : E - before - growth;
      const slice = current.slice(S, E);
      let text = '';
      let pos = 0;
      for (const it of own.sort((a, b) => a.start - b.start || a.end - b.end)) {
        text += slice.slice(pos, it.start - S) + it.edit!.text;
        pos = it.end - S;
      }
      text += slice.slice(pos);
      let fixes: number[] = [];
      let importRounds: number[] = [];
      for (const c of changes) {
        fixes = sortedUnion(fixes, c.fixes);
        importRounds = sortedUnion(importRounds, c.importRounds);
      }
      for (const it of own) {
        const src = it.source!;
        if ('fix' in src) fixes = sortedUnion(fixes, [src.fix]);
        else importRounds = sortedUnion(importRounds, [src.importRound]);
      }
      next.push({ start: origStart, end: origEnd, text, fixes, importRounds });
      before += growth;
    }
    next.sort((a, b) => a.start - b.start || a.end - b.end);
    this.list = next;
  }

  /** The original text with the changes applied (what the last step produced). */
  apply(): string {
    let out = '';
    let pos = 0;
    for (const c of this.list) {
      out += this.input.slice(pos, c.start) + c.text;
      pos = c.end;
    }
    return out + this.input.slice(pos);
  }
}

/**
 * What the fix loop applied: each fix once, with its code, round, finding range and edits, and
 * (through a `FixTrace`) the changes of the input they made.
 */
export class FixLog {
  private readonly applied: AppliedFix[] = [];
  private readonly trace: FixTrace;

  constructor(input: string) {
    this.trace = new FixTrace(input);
  }

  /**
   * One accepted round: `fixes` applied to `text` gave `fixed`, on which `importEdits` were made.
   * `start`/`end` are each fix's finding range in `text`.
   */
  round(round: number, text: string, fixes: ReadonlyArray<{ code: string; fix: Fix; start: number; end: number }>, fixed: string, importEdits: readonly Edit[]): void {
    const edits: Array<{ edit: Edit; source: EditSource }> = [];
    for (const a of fixes) {
      const index = this.applied.length;
      this.applied.push({
        code: a.code,
        title: a.fix.title,
        applicability: a.fix.applicability,
        round,
        range: { start: a.start, end: a.end },
        edits: a.fix.edits.map((e) => ({ ...e })),
        imports: (a.fix.imports ?? []).map((i) => ({ ...i })),
        original: [],
      });
      for (const edit of a.fix.edits) edits.push({ edit, source: { fix: index } });
    }
    this.trace.step(text, edits);
    this.trace.step(
      fixed,
      importEdits.map((edit) => ({ edit, source: { importRound: round } })),
    );
  }

  /** The applied fixes, each with its changes of the input, and all the changes. */
  result(): Pick<FixResult, 'applied' | 'changes'> {
    const changes = this.trace.changes.map((c) => ({ ...c, fixes: [...c.fixes], importRounds: [...c.importRounds] }));
    const applied = this.applied.map((a) => ({ ...a, original: [] as Edit[] }));
    for (const c of changes) for (const i of c.fixes) applied[i]!.original.push({ start: c.start, end: c.end, text: c.text });
    return { applied, changes };
  }
}

/**
 * Which phase of the fix loop made a change of the input: `safe` when only rounds of the safe phase
 * took part in it (the safe-only run makes it), `unsafe` when only later rounds did, `mixed` when a
 * later round edited text the safe phase had changed (or abutting it).
 */
export function changePhase(result: Pick<FixResult, 'applied' | 'safeRounds'>, change: FixChange): 'safe' | 'unsafe' | 'mixed' {
  const rounds = [...change.fixes.map((i) => result.applied[i]!.round), ...change.importRounds];
  const safe = rounds.filter((r) => r < result.safeRounds).length;
  return safe === rounds.length ? 'safe' : safe === 0 ? 'unsafe' : 'mixed';
}
