/**
 * Migrate's result at the protocol's edge: each file's outcome (src/workspace/outcome.ts) becomes a
 * `MigrateFileSummary` (fix counts per rule, findings left with line and character), the totals
 * are computed from the outcomes alone, and the text report for the output channel from both.
 */
import { ruleByCode } from '../engine';
import type { AppliedFix, Edit, Finding } from '../core/types';
import { LineIndex, type WorkCounter } from '../core/text';
import { findingsLeft, outcomeTotals, type FileOutcome } from '../workspace/outcome';
import type { MigrateFileSummary, MigrateRemaining, MigrateTotals } from '../shared/protocol';
import { plural } from '../shared/plural';

/** One file of a Migrate run: its outcome, and what the protocol's summary needs besides. */
export interface MigrateEntry {
  uri: string;
  outcome: FileOutcome;
  /** The text the outcome's findings are offsets into (the fixed text for a `fixed` outcome). */
  text?: string;
  /**
   * For a `fixed` outcome: the changes of `original` that gave `text`. The findings left are then
   * positioned in `original`, the file as the user sees it before applying (as the CLI's `check`).
   */
  original?: { text: string; changes: readonly Edit[] };
  /** The fix loop hit its round cap. */
  capped?: boolean;
  /** The report after Apply: the fixes really applied, and the preview rows left unticked. */
  applied?: { fixes: MigrateFileSummary['fixes']; notApplied: number };
  /** The preview rows of the file's edit. */
  rows?: MigrateFileSummary['rows'];
}

/**
 * The offset in the original text of an offset of the changed text: past a change it moves back
 * by the change's growth; inside a change's new text it is the change's start.
 */
export function originalOffset(changes: readonly Edit[], offset: number): number {
  let delta = 0;
  for (const c of changes) {
    const newStart = c.start + delta;
    if (offset < newStart) break;
    if (offset < newStart + c.text.length) return c.start;
    delta += c.text.length - (c.end - c.start);
  }
  return offset - delta;
}

const STATUS: Record<FileOutcome['status'], MigrateFileSummary['status']> = {
  fixed: 'changed',
  unchanged: 'unchanged',
  skipped: 'skipped',
  failed: 'refused',
};

/** The protocol's summary of one file. */
export function summaryOf(entry: MigrateEntry): MigrateFileSummary {
  const { outcome } = entry;
  let left = findingsLeft(outcome);
  let text = entry.text ?? '';
  if (entry.original) {
    const { changes } = entry.original;
    left = left.map((f) => ({ ...f, start: originalOffset(changes, f.start), end: originalOffset(changes, f.end) }));
    text = entry.original.text;
  }
  const summary: MigrateFileSummary = {
    uri: entry.uri,
    path: outcome.path,
    status: STATUS[outcome.status],
    fixes: outcome.status === 'fixed' ? fixCounts(outcome.fixes) : [],
    remaining: remainingOf(text, left, undefined, !!entry.applied),
  };
  if (outcome.status === 'skipped' || outcome.status === 'failed') summary.reason = outcome.reason;
  if (entry.capped) summary.capped = true;
  if (entry.rows) summary.rows = entry.rows;
  if (entry.applied) {
    summary.fixes = entry.applied.fixes;
    summary.notApplied = entry.applied.notApplied;
    if (summary.fixes.length > 0 && summary.status === 'unchanged') summary.status = 'changed';
  }
  return summary;
}

/** The run's totals, from the outcomes alone. */
export function migrateTotals(outcomes: readonly FileOutcome[]): MigrateTotals {
  const t = outcomeTotals(outcomes);
  return {
    scanned: outcomes.length - t.files.skipped,
    changed: t.files.fixed,
    skipped: t.files.skipped,
    refused: t.files.failed,
    safeFixes: t.fixesApplied.safe,
    unsafeFixes: t.fixesApplied.unsafe,
    remaining: t.findingsLeft,
  };
}

/**
 * What is left for manual work, with line and character: one line index per file, so N findings
 * cost O(text + N log lines), not O(N × text). `counter` measures the work (scale tests).
 */
export function remainingOf(text: string, findings: readonly Finding[], counter?: WorkCounter, after = false): MigrateRemaining[] {
  if (findings.length === 0) return [];
  const index = new LineIndex(text, counter);
  return findings.map((f) => {
    let reason: string;
    if (f.fix && f.fix.applicability === 'unsafe') reason = 'unsafe fix, not applied';
    else if (f.fix && after) reason = 'fix not applied (unticked in the preview)';
    else if (f.fix) reason = 'fix could not be applied (overlap or refused)';
    else reason = f.noFixReason ? `no automatic fix: ${f.noFixReason}` : 'no automatic fix';
    const { line, character } = index.position(f.start);
    return { code: f.code, line, character, message: f.message, reason };
  });
}

/** Applied fixes per code and safety: one fix, one count. */
function fixCounts(applied: readonly AppliedFix[]): MigrateFileSummary['fixes'] {
  const result = new Map<string, { safe: number; unsafe: number }>();
  for (const a of applied) {
    const c = result.get(a.code) ?? { safe: 0, unsafe: 0 };
    if (a.applicability === 'safe') c.safe++;
    else c.unsafe++;
    result.set(a.code, c);
  }
  return [...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, c]) => ({ code, ...c }));
}

/**
 * The report for the output channel. Each file's line names its workspace-relative path (`/`);
 * each finding left is `path:line:col` (1-based, UTF-16 column, as `anyio-migrate check` prints
 * it) with the file's absolute path, the form VS Code's output channel makes a link of (it links
 * paths under a workspace folder's absolute path, not relative ones). `applied`: the report after
 * Apply, of the files as they are now.
 */
export function formatReport(
  files: readonly MigrateFileSummary[],
  totals: MigrateTotals,
  info: { dryRun: boolean; cancelled: boolean; seconds: number; scope: 'workspace' | 'file'; applied?: boolean; linkOf?: (f: MigrateFileSummary) => string },
): string {
  const lines: string[] = [];
  const scope = info.scope === 'file' ? 'Migrate this file' : 'Migrate workspace';
  const kind = info.dryRun && !info.applied ? 'Migration report (dry run, nothing changed)' : info.applied ? `${scope}: applied` : scope;
  lines.push(`AnyIO Migrate: ${kind}`);
  if (info.dryRun || info.applied) lines.push(`Positions: line:column in the files as they are${info.applied ? ' now, after Apply' : ''}.`);
  if (info.cancelled) lines.push(`Cancelled after ${plural(totals.scanned + totals.skipped, 'file')}; nothing was changed.`);
  const would = info.dryRun && !info.applied ? 'would change' : 'changed';
  lines.push(`${plural(totals.scanned, 'file')} analysed, ${totals.changed} ${would}, ${totals.skipped} skipped, ${totals.refused} refused (${info.seconds.toFixed(1)} s).`);
  if (info.applied) {
    const unticked = files.reduce((n, f) => n + (f.notApplied ?? 0), 0);
    lines.push(`Fixes applied: ${totals.safeFixes} safe, ${totals.unsafeFixes} unsafe${unticked ? `; ${plural(unticked, 'preview row')} left unticked` : ''}.`);
    lines.push(`Findings left: ${totals.remaining}.`);
  } else {
    lines.push(`Fixes: ${totals.safeFixes} safe, ${totals.unsafeFixes} unsafe${totals.unsafeFixes > 0 ? ' (unticked in the preview unless anyioMigrate.unsafeFixes is on)' : ''}.`);
    lines.push(`Findings left for manual work: ${totals.remaining}.`);
  }

  const byRule = new Map<string, { safe: number; unsafe: number; left: number }>();
  for (const f of files) {
    for (const c of f.fixes) {
      const r = byRule.get(c.code) ?? { safe: 0, unsafe: 0, left: 0 };
      r.safe += c.safe;
      r.unsafe += c.unsafe;
      byRule.set(c.code, r);
    }
    for (const rem of f.remaining) {
      const r = byRule.get(rem.code) ?? { safe: 0, unsafe: 0, left: 0 };
      r.left++;
      byRule.set(rem.code, r);
    }
  }
  if (byRule.size > 0) {
    lines.push('', 'By rule:');
    for (const [code, r] of [...byRule.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const name = ruleByCode(code)?.name ?? '';
      lines.push(`  ${code} ${name}: ${r.safe} safe, ${r.unsafe} unsafe, ${r.left} left`);
    }
  }
  const interesting = files.filter((f) => f.status !== 'unchanged' || f.remaining.length > 0);
  if (interesting.length > 0) {
    lines.push('', 'Files:');
    for (const f of interesting) {
      const fixes = f.fixes.map((c) => `${c.code}×${c.safe + c.unsafe}${c.unsafe ? ` (${c.unsafe} unsafe)` : ''}`).join(', ');
      let head = `  ${f.path}: `;
      if (f.status === 'skipped') head += `skipped: ${f.reason ?? ''}`;
      else if (f.status === 'refused') head += `fixes refused: ${f.reason ?? ''}`;
      else if (f.status === 'changed')
        head += `${info.dryRun && !info.applied ? 'would apply' : info.applied ? 'applied' : 'fixes'} ${fixes}${f.notApplied ? `; ${plural(f.notApplied, 'row')} unticked` : ''}${f.capped ? ' (fix loop capped; run again)' : ''}`;
      else head += 'no automatic fixes';
      lines.push(head);
      const link = info.linkOf?.(f) ?? f.path;
      for (const r of f.remaining) lines.push(`    ${link}:${r.line + 1}:${r.character + 1}: ${r.code} ${r.message.split('\n')[0]} [${r.reason}]`);
    }
  }
  return lines.join('\n') + '\n';
}
