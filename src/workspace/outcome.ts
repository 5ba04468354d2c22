/**
 * What became of one file in a batch run (the CLI's `check`/`diff`/`fix`, the server's "Migrate
 * Workspace"): exactly one outcome value per file, like LibCST's codemod results, and the totals
 * of a run computed from those values alone. Plain data (JSON-serialisable), no I/O, no editor
 * types: front ends decide how to print or show them.
 *
 * - `fixed`: the fix loop changed the text (written, or shown as a diff/edit): the fixes applied
 *   and the findings left in the new text.
 * - `unchanged`: nothing to apply; the findings the file has (maybe none).
 * - `skipped`: not analysed (unreadable, not decodable, too large, excluded, over the time budget,
 *   refused by the engine as input), with the reason.
 * - `failed`: analysed, but the result was not used (the engine refused the fixed text, it could
 *   not be encoded or verified, the write was refused) or an internal error: the file is left as
 *   it was. `remaining` holds the findings of the file as it is, when they are known.
 */
import type { AppliedFix, Applicability, Finding } from '../core/types';

export interface FixedOutcome {
  status: 'fixed';
  path: string;
  /** The fixes applied, in the order the fix loop applied them. */
  fixes: AppliedFix[];
  /** Findings still present in the fixed text (offsets into that text). */
  remaining: Finding[];
}

export interface UnchangedOutcome {
  status: 'unchanged';
  path: string;
  /** The file's findings (offsets into its text); empty for a clean file. */
  remaining: Finding[];
}

export interface SkippedOutcome {
  status: 'skipped';
  path: string;
  reason: string;
}

export interface FailedOutcome {
  status: 'failed';
  path: string;
  reason: string;
  /** The findings of the file as it is (it was left unchanged); absent when not known (internal error). */
  remaining?: Finding[];
}

export type FileOutcome = FixedOutcome | UnchangedOutcome | SkippedOutcome | FailedOutcome;

export type OutcomeStatus = FileOutcome['status'];

export interface OutcomeTotals {
  /** Number of outcomes of each status. */
  files: Record<OutcomeStatus, number>;
  /** Fixes applied in `fixed` files, by applicability. */
  fixesApplied: Record<Applicability, number>;
  /** Files (any status) with at least one finding left. */
  filesWithFindings: number;
  /** Findings left in all files. */
  findingsLeft: number;
  /** Findings left, by rule code (keys in code order). */
  leftByCode: Record<string, number>;
  /** Findings left that carry a fix, by the fix's applicability (e.g. unsafe fixes not asked for). */
  leftFixable: Record<Applicability, number>;
}

/** The findings an outcome leaves in its file (none for `skipped`, unknown = none for `failed`). */
export function findingsLeft(outcome: FileOutcome): readonly Finding[] {
  return outcome.status === 'skipped' ? [] : (outcome.remaining ?? []);
}

/** Totals of a run, from its outcomes alone (pure; order-independent). */
export function outcomeTotals(outcomes: Iterable<FileOutcome>): OutcomeTotals {
  const files: Record<OutcomeStatus, number> = { fixed: 0, unchanged: 0, skipped: 0, failed: 0 };
  const fixesApplied: Record<Applicability, number> = { safe: 0, unsafe: 0 };
  const leftFixable: Record<Applicability, number> = { safe: 0, unsafe: 0 };
  const byCode = new Map<string, number>();
  let filesWithFindings = 0;
  let left = 0;
  for (const outcome of outcomes) {
    files[outcome.status]++;
    if (outcome.status === 'fixed') for (const fix of outcome.fixes) fixesApplied[fix.applicability]++;
    const remaining = findingsLeft(outcome);
    if (remaining.length > 0) filesWithFindings++;
    left += remaining.length;
    for (const f of remaining) {
      byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
      if (f.fix) leftFixable[f.fix.applicability]++;
    }
  }
  const leftByCode: Record<string, number> = {};
  for (const code of [...byCode.keys()].sort()) leftByCode[code] = byCode.get(code)!;
  return { files, fixesApplied, filesWithFindings, findingsLeft: left, leftByCode, leftFixable };
}
