/**
 * Migrate's edit of one file, as VS Code's refactor preview shows it: ONE row (one text edit) per
 * applied fix, labelled with its rule and title ("ASY301 · Use `start_soon`"), and the import
 * changes of the file as one "Imports" row. The rows come from the fix loop's changes of the input
 * (`FixResult.changes`): the changes of one fix are merged into one edit spanning them, and fixes
 * whose spans interleave or touch (or touch the imports) become one row labelled with all of them,
 * so unticking a row never leaves half a fix.
 *
 * Safety comes from the loop's phases (`changePhase`): a row made only by safe-phase rounds is what
 * the safe-only run makes (ticked); a row made only by unsafe-phase rounds needs confirmation
 * (unticked) unless the user opted in to unsafe fixes, and says why it is unsafe. A row both phases
 * made (`mixed`: a later round edited the same span) needs confirmation too, except the Imports row,
 * which stays ticked: the safe fixes need their imports. (Such an Imports row cannot be split, so
 * unticking the unsafe fixes would keep their imports: Migrate (./migrate.ts) then offers the file's
 * safe fixes only, unless unsafe fixes are accepted.)
 *
 * Rows share a change annotation per label and safety, so VS Code's "group by type" lists them by
 * rule and fix title; in the file grouping the annotation is each row's tooltip.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnnotatedTextEdit, ChangeAnnotation } from 'vscode-languageserver';
import { ruleByCode } from '../engine';
import { changePhase } from '../core/fix-trace';
import type { AppliedFix, Finding, FixChange, FixResult } from '../core/types';

/** The label of the row holding a file's import changes. */
export const IMPORTS_LABEL = 'Imports';

export type RowPhase = 'safe' | 'unsafe' | 'mixed';

/** One row of the preview: `input.slice(start, end)` becomes `text`. */
export interface PreviewRow {
  start: number;
  end: number;
  text: string;
  /** Applied fixes in it (indices into `FixResult.applied`), ascending. */
  fixes: number[];
  /** Whether it holds import changes no fix's own edits went into. */
  imports: boolean;
  phase: RowPhase;
}

/** A group of changes that must be one row, with its span of the input. */
interface Group {
  start: number;
  end: number;
  changes: FixChange[];
}

/**
 * The rows of one file: `result` is the fix loop's result on `input` (unsafe fixes included).
 * Applying every row gives `result.output`; rows are disjoint, sorted, and never abut.
 */
export function previewRows(input: string, result: FixResult): PreviewRow[] {
  // Union-find over changes: the changes of one fix belong together; so do all import-only ones.
  const parent = result.changes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const unite = (a: number, b: number): void => {
    parent[find(a)] = find(b);
  };
  const byFix = new Map<number, number>();
  let importsChange = -1;
  result.changes.forEach((c, i) => {
    for (const f of c.fixes) {
      const other = byFix.get(f);
      if (other === undefined) byFix.set(f, i);
      else unite(i, other);
    }
    if (c.fixes.length === 0) {
      if (importsChange === -1) importsChange = i;
      else unite(i, importsChange);
    }
  });
  const groups = new Map<number, Group>();
  result.changes.forEach((c, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (!g) groups.set(root, { start: c.start, end: c.end, changes: [c] });
    else {
      g.start = Math.min(g.start, c.start);
      g.end = Math.max(g.end, c.end);
      g.changes.push(c);
    }
  });
  // Spans that overlap or touch become one row.
  const sorted = [...groups.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Group[] = [];
  for (const g of sorted) {
    const last = merged[merged.length - 1];
    if (last && g.start <= last.end) {
      last.end = Math.max(last.end, g.end);
      last.changes.push(...g.changes);
    } else merged.push({ ...g, changes: [...g.changes] });
  }
  const rows: PreviewRow[] = [];
  for (const g of merged) {
    const changes = g.changes.sort((a, b) => a.start - b.start);
    let text = '';
    let pos = g.start;
    for (const c of changes) {
      text += input.slice(pos, c.start) + c.text;
      pos = c.end;
    }
    text += input.slice(pos, g.end);
    if (text === input.slice(g.start, g.end)) continue;
    const phases = new Set(changes.map((c) => changePhase(result, c)));
    const phase: RowPhase = phases.size === 1 ? [...phases][0]! : 'mixed';
    const fixes = [...new Set(changes.flatMap((c) => c.fixes))].sort((a, b) => a - b);
    rows.push({ start: g.start, end: g.end, text, fixes, imports: changes.some((c) => c.fixes.length === 0), phase });
  }
  return rows;
}

/** The row's label: each distinct "CODE · title" of its fixes, then "Imports" when it has them. */
export function rowLabel(row: PreviewRow, applied: readonly AppliedFix[]): string {
  const parts = [...new Set(row.fixes.map((i) => `${applied[i]!.code} · ${applied[i]!.title}`))];
  if (row.imports) parts.push(IMPORTS_LABEL);
  return parts.join(' + ');
}

/**
 * Why the unsafe fixes of the first unsafe round are unsafe, from their findings' messages: the
 * sentence of the message that says so ("The type of `evt` could not be proven, so the fix is
 * marked unsafe: ..."). `findings` are the findings on the safe phase's output, the text that
 * round's fixes were found on. Keyed by applied-fix index.
 */
export function unsafeReasons(result: FixResult, findings: readonly Finding[]): Map<number, string> {
  const reasons = new Map<number, string>();
  result.applied.forEach((a, i) => {
    if (a.applicability !== 'unsafe' || a.round !== result.safeRounds) return;
    const f = findings.find((x) => x.code === a.code && x.start === a.range.start && x.end === a.range.end && x.fix?.title === a.title);
    const sentence = f?.message.split(/(?<=\.)\s+(?=[A-Z`])/).find((s) => /unsafe/i.test(s));
    if (sentence) reasons.set(i, sentence);
  });
  return reasons;
}

/**
 * The safe phase's output (the text the first unsafe round's fixes were found on): the input with
 * the safe-phase changes applied; undefined when nothing is unsafe or a change mixes the phases.
 */
export function safePhaseText(input: string, result: FixResult): string | undefined {
  if (!result.applied.some((a) => a.round >= result.safeRounds)) return undefined;
  let out = '';
  let pos = 0;
  for (const c of result.changes) {
    const phase = changePhase(result, c);
    if (phase === 'mixed') return undefined;
    if (phase === 'unsafe') continue;
    out += input.slice(pos, c.start) + c.text;
    pos = c.end;
  }
  return out + input.slice(pos);
}

/** Why a row's unsafe fixes are unsafe: each one's finding's reason, else its rule's `fixSafety`. */
function unsafeReason(row: PreviewRow, applied: readonly AppliedFix[], specific: ReadonlyMap<number, string>): string {
  const reasons = [
    ...new Set(
      row.fixes.filter((i) => applied[i]!.applicability === 'unsafe').map((i) => specific.get(i) ?? ruleByCode(applied[i]!.code)?.fixSafety ?? 'not proven to keep behaviour'),
    ),
  ];
  if (reasons.length > 0) return reasons.join(' ');
  return row.fixes.length > 0 ? 'made possible by an unsafe fix' : 'imports of unsafe fixes';
}

/** The change annotations of one Migrate run, one per row label and safety. */
export class MigrateAnnotations {
  readonly all: Record<string, ChangeAnnotation> = {};

  /** The annotation id of a row; `unsafeOptIn` is anyioMigrate.unsafeFixes. */
  id(row: PreviewRow, applied: readonly AppliedFix[], unsafeOptIn: boolean, reasons: ReadonlyMap<number, string> = new Map()): string {
    const label = rowLabel(row, applied);
    const unsafe = row.phase === 'unsafe' || (row.phase === 'mixed' && row.fixes.length > 0);
    const confirm = unsafe && !unsafeOptIn;
    const id = `${label}${row.phase === 'safe' ? '' : unsafe ? (confirm ? ' /unsafe' : ' /unsafe-accepted') : ' /mixed'}`;
    if (this.all[id]) return id;
    const codes = [...new Set(row.fixes.map((i) => applied[i]!.code))];
    const names = codes.map((c) => ruleByCode(c)?.name).filter((n): n is string => !!n);
    const annotation: ChangeAnnotation = { label };
    if (row.phase === 'safe') annotation.description = names.length ? `safe · ${names.join(', ')}` : 'safe · imports added or removed by the fixes';
    else if (!unsafe) annotation.description = 'imports of safe and unsafe fixes: kept ticked, the safe fixes need them';
    else {
      annotation.description = `${confirm ? 'Unsafe, review before applying' : 'Unsafe, accepted by anyioMigrate.unsafeFixes'}: ${unsafeReason(row, applied, reasons)}`;
      annotation.needsConfirmation = confirm;
    }
    this.all[id] = annotation;
    return id;
  }
}

/**
 * The annotated edits of one file: one per preview row. `reasons`: the unsafe fixes' specific
 * reasons (`unsafeReasons`), when known.
 */
export function migrateEdits(
  doc: TextDocument,
  result: FixResult,
  annotations: MigrateAnnotations,
  unsafeOptIn: boolean,
  reasons: ReadonlyMap<number, string> = new Map(),
  rows: readonly PreviewRow[] = previewRows(doc.getText(), result),
): AnnotatedTextEdit[] {
  return rows.map((row) => ({
    range: { start: doc.positionAt(row.start), end: doc.positionAt(row.end) },
    newText: row.text,
    annotationId: annotations.id(row, result.applied, unsafeOptIn, reasons),
  }));
}
