/**
 * Offsets → (line, character) for many offsets of one text: the line starts are found once
 * (linear), each lookup is a binary search, so N lookups cost O(L + N log L) instead of the
 * O(N × L) of scanning the text before every offset. Line breaks are `\r\n`, `\r` and `\n`, as
 * in LSP; characters are UTF-16 code units.
 */
export interface WorkCounter {
  /** Characters scanned plus binary-search steps: a measure of work for scale tests. */
  steps: number;
}

export class LineIndex {
  /** Offset where each line starts; `starts[0]` is 0. */
  private readonly starts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly counter?: WorkCounter,
  ) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      } else if (c === 0x0a) {
        this.starts.push(i + 1);
      }
    }
    if (counter) counter.steps += text.length;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Line and character of `offset` (clamped to the text). */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
      if (this.counter) this.counter.steps++;
    }
    // Between the `\r` and the `\n` of a CRLF: the `\r` already ended the line.
    if (o > 0 && this.text.charCodeAt(o - 1) === 0x0d && this.text.charCodeAt(o) === 0x0a) return { line: lo + 1, character: 0 };
    return { line: lo, character: o - this.starts[lo]! };
  }
}
