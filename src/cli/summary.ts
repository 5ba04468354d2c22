/**
 * The end of a run, computed from its file outcomes alone (pure functions): the one-line summary
 * on stderr and the exit status.
 */
import { plural } from '../shared/plural';
import { outcomeTotals, type FileOutcome } from '../workspace/outcome';
import type { Command } from './options';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;
export const EXIT_INTERRUPTED = 130;

/** The numbers the CLI reports, from a run's outcomes. */
export interface RunTotals {
  /** Files read and analysed (or found irrelevant): every outcome but skips and internal errors. */
  scanned: number;
  skipped: number;
  /** `check`: files with findings, the findings, those with a fix applied by `fix` (as configured) and those needing `--unsafe-fixes`. */
  filesWithFindings: number;
  findings: number;
  safeFixable: number;
  unsafeFixable: number;
  /** `diff`/`fix`: files changed, fixes applied, findings left, those of them with an unsafe fix not asked for. */
  changed: number;
  fixed: number;
  left: number;
  leftUnsafe: number;
  /** `diff`/`fix`: files whose fix was refused or not written. */
  notWritten: number;
}

export function runTotals(outcomes: readonly FileOutcome[], unsafeFixes: boolean): RunTotals {
  const t = outcomeTotals(outcomes);
  // A failure whose findings are unknown is an internal error: the file does not count as scanned.
  const notWritten = outcomes.filter((o) => o.status === 'failed' && o.remaining !== undefined).length;
  const unsafe = t.leftFixable.unsafe;
  return {
    scanned: t.files.fixed + t.files.unchanged + notWritten,
    skipped: t.files.skipped,
    filesWithFindings: t.filesWithFindings,
    findings: t.findingsLeft,
    safeFixable: t.leftFixable.safe + (unsafeFixes ? unsafe : 0),
    unsafeFixable: unsafeFixes ? 0 : unsafe,
    changed: t.files.fixed,
    fixed: t.fixesApplied.safe + t.fixesApplied.unsafe,
    left: t.findingsLeft,
    leftUnsafe: unsafeFixes ? 0 : unsafe,
    notWritten,
  };
}

/**
 * The totals of a run whose files may differ in whether unsafe fixes were asked for (each file's
 * `unsafe-fixes` setting): each group counted as such, then added up.
 */
export function runTotalsPerFile(items: ReadonlyArray<{ outcome: FileOutcome; unsafeFixes: boolean }>): RunTotals {
  const withUnsafe = runTotals(
    items.filter((i) => i.unsafeFixes).map((i) => i.outcome),
    true,
  );
  const without = runTotals(
    items.filter((i) => !i.unsafeFixes).map((i) => i.outcome),
    false,
  );
  const sum = { ...without };
  for (const key of Object.keys(sum) as Array<keyof RunTotals>) sum[key] += withUnsafe[key];
  return sum;
}

/** How the run ended early, when it did. */
export interface Interruption {
  processed: number;
  total: number;
}

/** The summary line (without its line break). */
export function summaryLine(command: Command, t: RunTotals, interrupted?: Interruption): string {
  const head = `${plural(t.scanned, 'file')} scanned${t.skipped > 0 ? `, ${t.skipped} skipped` : ''}`;
  let body: string;
  const unsafeHint = (n: number): string => (n > 0 ? ` (${n} ${n === 1 ? 'has' : 'have'} an unsafe fix: add --unsafe-fixes)` : '');
  if (command === 'check') {
    if (t.findings === 0) body = 'no findings';
    else {
      const fixable: string[] = [];
      if (t.safeFixable > 0) fixable.push(`${t.safeFixable} fixable with 'anyio-migrate fix'`);
      if (t.unsafeFixable > 0) fixable.push(`${t.unsafeFixable} more with '--unsafe-fixes'`);
      body = `${plural(t.findings, 'finding')} in ${plural(t.filesWithFindings, 'file')}${fixable.length > 0 ? `; ${fixable.join(', ')}` : ''}`;
    }
  } else {
    const verb = command === 'diff' ? 'would change' : 'changed';
    const fixedVerb = command === 'diff' ? 'would be fixed' : 'fixed';
    body = `${plural(t.changed, 'file')} ${verb}, ${plural(t.fixed, 'finding')} ${fixedVerb}, ${t.left} left${unsafeHint(t.leftUnsafe)}`;
    if (t.notWritten > 0) body += `; ${plural(t.notWritten, 'file')} not ${command === 'diff' ? 'fixable' : 'written'} (see warnings above)`;
  }
  const stopped = interrupted ? `Interrupted after ${interrupted.processed} of ${interrupted.total} files. ` : '';
  return `${stopped}${head}: ${body}.`;
}

export function exitCode(command: Command, t: RunTotals, end: { interrupted: boolean; hadError: boolean; exitZero: boolean }): number {
  if (end.interrupted) return EXIT_INTERRUPTED;
  if (end.hadError) return EXIT_ERROR;
  if (end.exitZero) return EXIT_OK;
  switch (command) {
    case 'check':
      return t.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
    case 'diff':
      return t.changed > 0 ? EXIT_FINDINGS : EXIT_OK;
    case 'fix':
      return t.left > 0 ? EXIT_FINDINGS : EXIT_OK;
  }
}
