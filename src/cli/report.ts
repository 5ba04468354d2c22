/**
 * Turning findings into what the user reads: positions (1-based line, 1-based UTF-16 column),
 * ruff-style text lines, the stable JSON shape, and git-style unified diffs.
 *
 * Human output never carries a file name's control characters raw (a name holding a newline could
 * fake a finding line, one holding ESC could drive the terminal): `escapeControlChars` shows them
 * as `\xNN` / `\u{NNNN}`, diff headers quote them as git does. JSON output keeps names exact (JSON
 * escaping already makes them inert).
 */
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import type { Applicability, Finding, Severity } from '../core/types';
import type { LineIndex } from '../core/text';
import { toPosix } from '../shared/paths';

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
  const start = index.lineColumn(finding.start);
  const end = index.lineColumn(finding.end);
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

/**
 * A display path as the CI formats (github, gitlab, sarif) show it: relative to `cwd`, with `/`
 * (`-`, stdin, stays). Text and JSON output show a path outside `cwd` absolute instead.
 */
export function ciPath(cwd: string, display: string): string {
  return toPosix(path.isAbsolute(display) ? path.relative(cwd, display) : display);
}

/** Findings in reading order (line, column, code), as both output formats list them. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.start - b.start || a.end - b.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * Characters that must not reach a terminal raw: C0 controls, DEL, C1 controls, the bidirectional
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the bidi marks (U+061C,
 * U+200E, U+200F) and the line/paragraph separators (U+2028, U+2029).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` (a file name, a message) made safe to print to a terminal: each character of
 * `UNSAFE_FOR_TERMINAL` becomes `\xNN` (below U+0100) or `\u{NNNN}`; everything else is unchanged.
 * For human output only: JSON output keeps exact names.
 */
export function escapeControlChars(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}

/** `path:line:col: CODE message [*]` (`[*]`: safe fix; `[unsafe fix]`: fix needs --unsafe-fixes). */
export function formatTextFinding(j: JsonFinding): string {
  const marker = j.fix ? (j.fix.applicability === 'safe' ? ' [*]' : ' [unsafe fix]') : '';
  let line = `${escapeControlChars(j.path)}:${j.line}:${j.column}: ${j.code} ${escapeControlChars(j.message)}${marker}`;
  if (!j.fix && j.noFixReason) line += `\n  = no automatic fix: ${escapeControlChars(j.noFixReason)}`;
  return line;
}

/**
 * A diff header path as git writes it: unchanged when plain, else in double quotes with `\"`,
 * `\\`, `\t`, `\n`, ... and octal escapes of the UTF-8 bytes of other control and bidi
 * characters (`"a/\033[31mred.py"`), which `git apply` and GNU patch read back.
 */
export function quoteDiffPath(p: string): string {
  if (!/["\\]/.test(p) && !new RegExp(UNSAFE_FOR_TERMINAL.source).test(p)) return p;
  const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
  const body = p.replace(new RegExp(`["\\\\]|${UNSAFE_FOR_TERMINAL.source}`, 'g'), (c) => {
    const simple = named[c];
    if (simple) return simple;
    return [...Buffer.from(c, 'utf8')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
  });
  return `"${body}"`;
}

/**
 * A git-style unified diff (`diff --git a/p b/p`, `--- a/p`, `+++ b/p`) of `before` -> `after`, or
 * the empty string when they are equal. Line endings are kept, so CRLF changes are visible.
 */
export function unifiedDiff(displayPath: string, before: string, after: string): string {
  if (before === after) return '';
  const name = path.sep === '\\' ? displayPath.replace(/\\/g, '/') : displayPath;
  const a = quoteDiffPath(`a/${name}`);
  const b = quoteDiffPath(`b/${name}`);
  const patch = createTwoFilesPatch('a', 'b', before, after, undefined, undefined, { context: 3 });
  // jsdiff starts with an `Index:`/`====` banner and its own `---`/`+++` lines; git starts with
  // `diff --git`, and its names are quoted when they need it (jsdiff would print them raw).
  const hunks = patch.slice(patch.indexOf('\n@@') + 1);
  return `diff --git ${a} ${b}\n--- ${a}\n+++ ${b}\n${hunks}`;
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
