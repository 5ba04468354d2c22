/** Text helpers. All offsets are UTF-16 code units. */
import type { Edit } from './types';

/**
 * The file's line ending, from its first line break: `\r\n`, `\r` or `\n`. Line breaks are what
 * Python (and LSP) take them to be: `\r\n`, a lone `\r`, or `\n`.
 */
export function lineEnding(text: string): string {
  const m = /\r\n?|\n/.exec(text);
  return m ? m[0] : '\n';
}

/** Whether `text` has a `\r` that is not part of `\r\n` (a classic Mac line break). */
export function hasLoneCR(text: string): boolean {
  return /\r(?!\n)/.test(text);
}

/** Offset just after the line break that ends the line holding `offset` (or the text's length). */
export function nextLineStart(text: string, offset: number): number {
  const m = /\r\n?|\n/g;
  m.lastIndex = offset;
  const r = m.exec(text);
  return r ? r.index + r[0].length : text.length;
}

/** Start of the line holding `offset` (scans back to the previous line break only). */
export function lineStartAt(text: string, offset: number): number {
  let i = Math.min(offset, text.length) - 1;
  // `offset` between the `\r` and `\n` of one line break: that break ends the line before.
  if (i >= 0 && text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i--;
  for (; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
  }
  return i + 1;
}

/** End of the line holding `offset`, before its line break. */
export function lineEndAt(text: string, offset: number): number {
  const m = /[\r\n]/g;
  m.lastIndex = offset;
  const r = m.exec(text);
  return r ? r.index : text.length;
}

/** Apply non-overlapping edits (any order) to `text`. Throws on overlap: callers must filter first. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** Start offset of every line (line 0 starts at 0); `\r\n`, `\r` and `\n` end a line. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  const re = /\r\n?|\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

/** Work done by a `LineIndex` (characters scanned plus binary-search steps), for scale tests. */
export interface WorkCounter {
  steps: number;
}

/** The line holding `offset`: the last start at or before it (binary search). */
function lineOfOffset(starts: readonly number[], offset: number, counter?: WorkCounter): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
    if (counter) counter.steps++;
  }
  return lo;
}

/** 0-based line and UTF-16 column of `offset`. */
export function positionAt(starts: readonly number[], offset: number): { line: number; character: number } {
  const line = lineOfOffset(starts, offset);
  return { line, character: offset - starts[line]! };
}

/**
 * Offsets → 0-based (line, UTF-16 character) for many offsets of one text: the line starts are
 * found once, each lookup is a binary search (O(L + N log L) for N lookups). `\r\n`, `\r` and `\n`
 * end a line, as in Python and LSP. The one index the engine, the CLI's report and the server use.
 */
export class LineIndex {
  private readonly starts: number[];

  constructor(
    readonly text: string,
    private readonly counter?: WorkCounter,
  ) {
    this.starts = lineStarts(text);
    if (counter) counter.steps += text.length;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Line and character of `offset` (clamped to the text). */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    // Between the `\r` and the `\n` of a CRLF: the `\r` already ended the line.
    if (o > 0 && this.text.charCodeAt(o - 1) === 0x0d && this.text.charCodeAt(o) === 0x0a) return { line: lineOfOffset(this.starts, o + 1, this.counter), character: 0 };
    const line = lineOfOffset(this.starts, o, this.counter);
    return { line, character: o - this.starts[line]! };
  }
}

/** The text of the line holding `offset`, without its line break. */
export function lineAt(text: string, offset: number): { start: number; end: number; text: string } {
  const start = lineStartAt(text, offset);
  const end = lineEndAt(text, offset);
  return { start, end, text: text.slice(start, end) };
}

/** Leading whitespace of the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const line = lineAt(text, offset);
  return /^[ \t]*/.exec(line.text)![0];
}
