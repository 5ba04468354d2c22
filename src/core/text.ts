/** Text helpers. All offsets are UTF-16 code units. */
import { partitionPoint } from './bisect';
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

/** The line holding `offset`: the last start at or before it (binary search; line 0 for a negative offset). */
function lineOfOffset(starts: readonly number[], offset: number, counter?: WorkCounter): number {
  const after = partitionPoint(starts.length, (i) => {
    if (counter) counter.steps++;
    return starts[i]! <= offset;
  });
  return Math.max(0, after - 1);
}

/** 0-based line and UTF-16 column of `offset`. */
export function positionAt(starts: readonly number[], offset: number): { line: number; character: number } {
  const line = lineOfOffset(starts, offset);
  return { line, character: offset - starts[line]! };
}

/**
 * Offsets ↔ positions for many offsets of one text: the line starts are found once, each lookup is
 * a binary search (O(L + N log L) for N lookups). `\r\n`, `\r` and `\n` end a line, as in Python
 * and LSP. Two views: `position` is 0-based (line, UTF-16 character) as LSP and the engine count;
 * `lineColumn` / `offsetOf` are 1-based (line, UTF-16 column) as the CLI prints and reads them, where
 * a leading BOM is not a column. The one index the engine, the CLI and the server use.
 */
export class LineIndex {
  private readonly starts: number[];
  private readonly bom: boolean;

  constructor(
    readonly text: string,
    private readonly counter?: WorkCounter,
  ) {
    this.starts = lineStarts(text);
    this.bom = text.charCodeAt(0) === 0xfeff;
    if (counter) counter.steps += text.length;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 0-based line and UTF-16 character of `offset` (clamped to the text). */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    // Between the `\r` and the `\n` of a CRLF: the `\r` already ended the line.
    if (o > 0 && this.text.charCodeAt(o - 1) === 0x0d && this.text.charCodeAt(o) === 0x0a) return { line: lineOfOffset(this.starts, o + 1, this.counter), character: 0 };
    const line = lineOfOffset(this.starts, o, this.counter);
    return { line, character: o - this.starts[line]! };
  }

  /** 1-based line and 1-based UTF-16 column of `offset`, as the CLI prints them (a BOM is not a column). */
  lineColumn(offset: number): { line: number; column: number } {
    const p = this.position(offset);
    const column = p.character + 1 - (p.line === 0 && this.bom && offset > 0 ? 1 : 0);
    return { line: p.line + 1, column };
  }

  /**
   * The offset of a 1-based line and column (the inverse of `lineColumn`): undefined when the line
   * does not exist or the column is past the line's end (the end itself is allowed).
   */
  offsetOf(line: number, column: number): number | undefined {
    const starts = this.starts;
    if (line < 1 || line > starts.length || column < 1) return undefined;
    const start = starts[line - 1]!;
    const bom = line === 1 && this.bom ? 1 : 0;
    let end = line < starts.length ? starts[line]! : this.text.length;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    const offset = start + bom + column - 1;
    return offset <= end ? offset : undefined;
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
