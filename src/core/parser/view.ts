/**
 * What the parser is shown for a text (same length, every offset the same): lone `\r` as `\n`, and
 * most of a long comment run replaced by spaces (tree-sitter-python's scanner is quadratic in
 * such runs). Records per tree where the view differed, for `hiddenComments` and re-parses.
 */
import type { Node, Tree } from '../parser';
import { partitionPoint } from '../bisect';
import { hasLoneCR } from '../text';

/**
 * What the parser is given for `text`: the same length, every offset the same. tree-sitter-python
 * ends lines only at `\n`, Python also at a lone `\r` (classic Mac line endings): those become `\n`.
 */
export function parserView(text: string): string {
  return hasLoneCR(text) ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/**
 * Comment runs. tree-sitter-python's external scanner (0.25, scanner.c), at every line break where an
 * INDENT/DEDENT/NEWLINE can come next, reads through all following comment and blank lines to find
 * the next code line's indentation: a run of N comment lines costs O(N²) (20,000 lines: 90 s).
 * The parser is therefore shown the run with most of its comments replaced by spaces (same length,
 * every line break kept), which it skips in one pass. Kept, so the tree is the same apart from the
 * hidden `comment` nodes: the run's first and last comment lines, every comment line indented less
 * than all comment lines before it in the run (the scanner decides where blocks end from the first
 * comment's indentation after a line break: these are exactly the lines where that can change), and
 * every line holding a suppression (`noqa`, `anyio-migrate:`; `engine.ts` checks they are comments).
 * Runs up to `COMMENT_RUN_LIMIT` lines (comment or blank) are left alone: normal code never changes.
 */
export const COMMENT_RUN_LIMIT = 64;

/** What `parse` showed the parser, per tree: ranges (flat [start, end, ...]) where the view differs from the text. */
/** What `parse` showed the parser, per tree: ranges (flat [start, end, ...]) where the view differs from the text. */
export interface ViewRecord {
  /** Comment text replaced by spaces, sorted. */
  hidden: number[];
  /** Every range where the view differs from the text (hidden comments and lone `\r`), sorted. */
  diffs: number[];
}

export const views = new WeakMap<Tree, ViewRecord>();

function scannerIndent(text: string, from: number, to: number): number {
  let w = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) w++;
    else if (c === 9) w += 8;
    else w = 0; // \f, \r: the scanner resets
  }
  return w;
}

const SUPPRESSION_WORD = /noqa|anyio-migrate/i;

/**
 * Ranges (flat) of comment text to hide in `view` (lines end at `\n`), and the segments (flat) of
 * consecutive hidden lines between kept ones, for the check after parsing. One linear pass; a `#`
 * line inside a multi-line string looks like a comment here: `parse` checks the tree afterwards.
 */
export function commentRunsToHide(view: string): { hidden: number[]; segments: number[] } {
  const hidden: number[] = [];
  const segments: number[] = [];
  const n = view.length;
  // The current run: its line count and its comment lines as [hashOffset, textEnd, indent] triples.
  let runLines = 0;
  let comments: number[] = [];
  const flush = () => {
    if (runLines > COMMENT_RUN_LIMIT && comments.length > 2) {
      let min = Infinity;
      let segStart = -1;
      let segEnd = -1;
      const last = comments.length - 3;
      for (let k = 0; k <= last; k += 3) {
        const s = comments[k]!;
        const e = comments[k + 1]!;
        const indent = comments[k + 2]!;
        const keep = k === 0 || k === last || indent < min || SUPPRESSION_WORD.test(view.slice(s, e));
        if (indent < min) min = indent;
        if (keep) {
          if (segStart >= 0) segments.push(segStart, segEnd);
          segStart = -1;
          continue;
        }
        hidden.push(s, e);
        if (segStart < 0) segStart = s;
        segEnd = e;
      }
      if (segStart >= 0) segments.push(segStart, segEnd);
    }
    runLines = 0;
    comments = [];
  };
  let i = 0;
  while (i <= n) {
    let nl = view.indexOf('\n', i);
    if (nl === -1) nl = n;
    let j = i;
    for (; j < nl; j++) {
      const c = view.charCodeAt(j);
      if (c !== 32 && c !== 9 && c !== 12 && c !== 13) break;
    }
    if (j === nl) runLines++;
    else if (view.charCodeAt(j) === 35 /* # */) {
      runLines++;
      const end = view.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      comments.push(j, end, scannerIndent(view, i, j));
    } else flush();
    i = nl + 1;
  }
  flush();
  return { hidden, segments };
}

/** Offsets of lone `\r` (flat ranges of one unit each). */
export function loneCRs(text: string): number[] {
  const out: number[] = [];
  if (!hasLoneCR(text)) return out;
  const re = /\r(?!\n)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index, m.index + 1);
  return out;
}

/** Union of two sorted lists of disjoint flat ranges (the two lists do not overlap each other). */
export function mergeRanges(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      out.push(a[i]!, a[i + 1]!);
      i += 2;
    } else {
      out.push(b[j]!, b[j + 1]!);
      j += 2;
    }
  }
  return out;
}

/** Ranges (flat) covered by exactly one of two sorted lists of disjoint flat ranges. */
export function symmetricDifference(a: readonly number[], b: readonly number[]): number[] {
  const points: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) points.push(a[i++]!);
    else points.push(b[j++]!);
  }
  const out: number[] = [];
  let inside = false;
  for (let k = 0; k < points.length;) {
    const p = points[k]!;
    let count = 0;
    while (k < points.length && points[k] === p) {
      k++;
      count++;
    }
    if (count % 2 === 0) continue;
    if (inside) {
      if (out[out.length - 1]! === p) out.pop();
      else out.push(p);
    } else out.push(p);
    inside = !inside;
  }
  return out;
}

export function hideRanges(view: string, hidden: readonly number[]): string {
  if (!hidden.length) return view;
  const parts: string[] = [];
  let pos = 0;
  for (let k = 0; k < hidden.length; k += 2) {
    parts.push(view.slice(pos, hidden[k]), ' '.repeat(hidden[k + 1]! - hidden[k]!));
    pos = hidden[k + 1]!;
  }
  parts.push(view.slice(pos));
  return parts.join('');
}

/**
 * Whether a segment of hidden lines lies in whitespace between statements (or brackets' items) of
 * the tree, not inside a string (a `#` line in a multi-line string is no comment: hiding it would
 * change the string's pieces) nor inside an ERROR node.
 */
export function segmentsAreWhitespace(tree: Tree, segments: readonly number[]): boolean {
  const root = tree.rootNode;
  for (let k = 0; k < segments.length; k += 2) {
    let node: Node | null = root.descendantForIndex(segments[k]!, segments[k + 1]!);
    if (node?.isError || node?.isMissing) return false;
    for (; node; node = node.parent) if (node.type === 'string' || node.type === 'string_content') return false;
  }
  return true;
}

/**
 * Comments of `tree` the parser was not shown (inside a long comment run, see `COMMENT_RUN_LIMIT`),
 * within [start, end): ranges from `#` to the end of the line. Code that rebuilds text from
 * `comment` nodes must add these.
 */
export function hiddenComments(tree: Tree, start: number, end: number): Array<{ start: number; end: number }> {
  const hidden = views.get(tree)?.hidden;
  const out: Array<{ start: number; end: number }> = [];
  if (!hidden?.length) return out;
  const lo = partitionPoint(hidden.length / 2, (i) => hidden[2 * i + 1]! <= start);
  for (let k = 2 * lo; k < hidden.length && hidden[k]! < end; k += 2) {
    if (hidden[k]! >= start && hidden[k + 1]! <= end) out.push({ start: hidden[k]!, end: hidden[k + 1]! });
  }
  return out;
}

/** Whether any comment in [start, end) of `tree`'s text was hidden from the parser. */
export function hasHiddenComments(tree: Tree, start: number, end: number): boolean {
  return hiddenComments(tree, start, end).length > 0;
}

/** Flat ranges moved through the edit [start, oldEnd) → `length` units; parts inside the edit are dropped (it is re-read anyway). */
export function shiftRanges(ranges: readonly number[], start: number, oldEnd: number, length: number): number[] {
  const delta = length - (oldEnd - start);
  const out: number[] = [];
  for (let k = 0; k < ranges.length; k += 2) {
    const s = ranges[k]!;
    const e = ranges[k + 1]!;
    if (e <= start) out.push(s, e);
    else if (s >= oldEnd) out.push(s + delta, e + delta);
    else {
      if (s < start) out.push(s, start);
      if (e > oldEnd) out.push(oldEnd + delta, e + delta);
    }
  }
  return out;
}
