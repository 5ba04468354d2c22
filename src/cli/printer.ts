/**
 * Prints each file's outcome as it comes, in the run's format: findings as text lines or through
 * the format's `FindingWriter` (JSON, GitHub annotations, GitLab, SARIF), unified diffs for `diff`, "Fixed" lines for `fix`, and the warnings and
 * errors of skipped and failed files. Everything goes through the `Console`.
 */
import type { Finding } from '../core/types';
import { LineIndex } from '../core/text';
import { plural } from '../shared/plural';
import { findingsLeft } from '../workspace/outcome';
import type { Console } from './console';
import type { Settings } from './options';
import type { FileResult } from './process-file';
import { escapeControlChars, formatTextFinding, sortFindings, summariseCodes, toJsonFinding, unifiedDiff } from './report';
import { findingWriter, type FindingWriter } from './formats';

export class Printer {
  /** The findings' format when it is not text (`diff` prints diffs only). */
  private readonly writer: FindingWriter | undefined;
  /** Set once an error was reported (a file named explicitly skipped, an internal error). */
  hadError = false;

  constructor(
    private readonly console: Console,
    private readonly settings: Settings,
    cwd: string,
  ) {
    const { format, command } = settings;
    this.writer = format === 'text' || command === 'diff' ? undefined : findingWriter(format, (text) => console.out(text), cwd);
  }

  /** An error not tied to one file's outcome (a path that cannot be walked, ...). */
  error(line: string): void {
    this.console.err(`error: ${line}`);
    this.hadError = true;
  }

  /**
   * Report one file. `stdin` holds the bytes read from stdin when the file is stdin: `fix -` then
   * writes the result (or the input, untouched) to stdout and its findings to stderr.
   */
  report(r: FileResult, stdin?: Buffer): void {
    const { outcome } = r;
    const display = outcome.path;
    const { command } = this.settings;
    if (stdin && command === 'fix') this.console.out(r.bytes ?? stdin);
    if (outcome.status === 'skipped') {
      if (r.explicit) this.error(`${display}: ${outcome.reason}`);
      else this.console.warn(display, r.timedOut ? outcome.reason : `skipped: ${outcome.reason}`);
      return;
    }
    if (outcome.status === 'failed') {
      if (outcome.remaining === undefined) return this.error(`${display}: ${outcome.reason}`);
      this.console.warn(display, outcome.reason);
    }
    const remaining = findingsLeft(outcome);
    if (command === 'check') return this.findings(display, r.text, remaining, false);
    const fixed = outcome.status === 'fixed';
    if (command === 'diff') {
      if (fixed) this.console.out(unifiedDiff(display, r.text, r.output!));
      return;
    }
    if (fixed && !this.settings.quiet) {
      const codes = outcome.fixes.map((f) => f.code);
      if (stdin) this.console.err(`Fixed -: ${summariseCodes(codes)}`);
      else {
        const line = `Fixed ${display}: ${plural(codes.length, 'fix', 'fixes')} (${summariseCodes(codes)})`;
        if (this.writer) this.console.err(line);
        else this.console.out(`${escapeControlChars(line)}\n`);
      }
    }
    this.findings(display, fixed ? r.output! : r.text, remaining, stdin !== undefined);
  }

  /** Findings go to stdout, except in `fix -` where stdout carries the result. */
  private findings(display: string, text: string, findings: readonly Finding[], toStderr: boolean): void {
    if (findings.length === 0) return;
    const index = new LineIndex(text);
    const sorted = sortFindings(findings);
    if (this.writer && !toStderr) return this.writer.file({ display, text, index, findings: sorted });
    const items = sorted.map((f) => toJsonFinding(display, f, index));
    const lines = `${items.map(formatTextFinding).join('\n')}\n`;
    if (toStderr) this.console.err(lines.slice(0, -1));
    else this.console.out(lines);
  }

  /** Close the format's document (`check` and `fix` with a format other than text). */
  finishFindings(): void {
    this.writer?.finish();
  }
}
