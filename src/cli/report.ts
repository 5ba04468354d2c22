/**
 * Turning findings into what the user reads: positions (1-based line, 1-based UTF-16 column),
 * ruff-style text lines, the stable JSON shape, and git-style unified diffs.
 */
import { createTwoFilesPatch } from 'diff';
import type { Applicability, Finding, Severity } from '../core/types';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units; a leading BOM is not counted. */
  column: number;
}

/** Maps UTF-16 offsets to positions; `\n`, `\r\n` and a lone `\r` all end a line (as in Python). */
export class LineIndex {
  private readonly starts: number[] = [0];
  private readonly bom: boolean;

  constructor(text: string) {
    this.bom = text.charCodeAt(0) === 0xfeff;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    let column = offset - this.starts[lo]! + 1;
    if (lo === 0 && this.bom && offset > 0) column--;
    return { line: lo + 1, column };
  }
}

/** One finding in the CLI's stable JSON output (`--format json`). */
export interface JsonFinding {
  path: string;
  code: string;
  rule: string;
  message: string;
  severity: Severity;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fix: { title: string; applicability: Applicability } | null;
  noFixReason: string | null;
}

export function toJsonFinding(displayPath: string, finding: Finding, index: LineIndex): JsonFinding {
  const start = index.position(finding.start);
  const end = index.position(finding.end);
  return {
    path: displayPath,
    code: finding.code,
    rule: finding.rule,
    message: finding.message,
    severity: finding.severity,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    fix: finding.fix ? { title: finding.fix.title, applicability: finding.fix.applicability } : null,
    noFixReason: finding.fix ? null : (finding.noFixReason ?? null),
  };
}

/** Findings in reading order (line, column, code), as both output formats list them. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.start - b.start || a.end - b.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** `path:line:col: CODE message [*]` (`[*]`: safe fix; `[unsafe fix]`: fix needs --unsafe-fixes). */
export function formatTextFinding(j: JsonFinding): string {
  const marker = j.fix ? (j.fix.applicability === 'safe' ? ' [*]' : ' [unsafe fix]') : '';
  let line = `${j.path}:${j.line}:${j.column}: ${j.code} ${j.message}${marker}`;
  if (!j.fix && j.noFixReason) line += `\n  = no automatic fix: ${j.noFixReason}`;
  return line;
}

/**
 * A git-style unified diff (`diff --git a/p b/p`, `--- a/p`, `+++ b/p`) of `before` -> `after`, or
 * the empty string when they are equal. Line endings are kept, so CRLF changes are visible.
 */
export function unifiedDiff(displayPath: string, before: string, after: string): string {
  if (before === after) return '';
  const name = displayPath.replace(/\\/g, '/');
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  // jsdiff starts with an `Index:`/`====` banner; git starts with `diff --git`.
  const body = patch.slice(patch.indexOf('--- '));
  return `diff --git a/${name} b/${name}\n${body}`;
}

/** `ASY101 ×2, ASY203` from the applied fixes. */
export function summariseCodes(codes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([c, n]) => (n > 1 ? `${c} ×${n}` : c))
    .join(', ');
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
