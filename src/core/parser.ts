/**
 * The one place that knows how Python is parsed: web-tree-sitter with tree-sitter-python's wasm.
 * `initParser()` must be awaited once (it loads the wasm); everything after is synchronous.
 * Indices of the resulting trees are UTF-16 code units, the unit of JavaScript strings.
 */
import * as path from 'path';
import * as fs from 'fs';
import { Parser, Language, Tree, Node, Edit as TSEdit } from 'web-tree-sitter';
import { partitionPoint } from './bisect';
import { hasLoneCR, lineStarts, positionAt } from './text';

export type { Tree, Node };

let parser: Parser | undefined;
let language: Language | undefined;
let initPromise: Promise<void> | undefined;

export interface ParserInitOptions {
  /** Folder holding `web-tree-sitter.wasm` and `tree-sitter-python.wasm` (the bundle copies both). */
  wasmDir?: string;
}

function locate(file: string, pkg: string, wasmDir?: string): string {
  const candidates: string[] = [];
  if (wasmDir) candidates.push(path.join(wasmDir, file));
  candidates.push(path.join(__dirname, file));
  try {
    candidates.push(require.resolve(`${pkg}/${file}`));
  } catch {
    /* not resolvable (e.g. from a bundle): the other candidates remain */
  }
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`anyio-migrate: cannot find ${file} (looked in ${candidates.join(', ')})`);
}

export function initParser(options: ParserInitOptions = {}): Promise<void> {
  if (!initPromise) {
    initPromise = (async () => {
      const runtimeWasm = locate('web-tree-sitter.wasm', 'web-tree-sitter', options.wasmDir);
      await Parser.init({ locateFile: () => runtimeWasm });
      language = await Language.load(locate('tree-sitter-python.wasm', 'tree-sitter-python', options.wasmDir));
      const p = new Parser();
      p.setLanguage(language);
      parser = p;
    })();
  }
  return initPromise;
}

function theParser(): Parser {
  if (!parser) throw new Error('anyio-migrate: initParser() (or initEngine()) must be awaited before parsing');
  return parser;
}

export function pythonLanguage(): Language {
  if (!language) throw new Error('anyio-migrate: parser not initialised');
  return language;
}

/** CPython's own limit (`too many levels of indentation`): deeper files are not Python. */
export const MAX_INDENT_LEVELS = 100;

/** Thrown for input the engine will not parse; the message says why, for the user. */
export class InputRefused extends Error {
  override name = 'InputRefused';
}

/**
 * Nesting depth of indented blocks, counted from leading whitespace like CPython's tokenizer does
 * (a stack of indentation widths); one linear pass.
 * Lines end at `\n` (callers pass the parser's view, where a lone `\r` is already `\n`).
 */
export function indentDepth(text: string): number {
  const stack: number[] = [0];
  let deepest = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    let width = 0;
    let j = i;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 32) width++;
      else if (c === 9) width = (width & ~7) + 8;
      else if (c === 12) width = 0;
      else break;
    }
    const c = j < n ? text.charCodeAt(j) : 10;
    if (c !== 10 && c !== 13 && c !== 35 /* # */) {
      while (stack.length > 1 && width < stack[stack.length - 1]!) stack.pop();
      if (width > stack[stack.length - 1]!) {
        stack.push(width);
        deepest = Math.max(deepest, stack.length - 1);
      }
    }
    const nl = text.indexOf('\n', j);
    if (nl === -1) break;
    i = nl + 1;
  }
  return deepest;
}

/** Whether the nesting depth of indented blocks exceeds `limit` (see `indentDepth`). */
export function indentDepthExceeds(text: string, limit: number): boolean {
  return indentDepth(parserView(text)) > limit;
}

/**
 * What the parser is given for `text`: the same length, every offset the same. tree-sitter-python
 * ends lines only at `\n`, Python also at a lone `\r` (classic Mac line endings): those become `\n`.
 */
function parserView(text: string): string {
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
interface ViewRecord {
  /** Comment text replaced by spaces, sorted. */
  hidden: number[];
  /** Every range where the view differs from the text (hidden comments and lone `\r`), sorted. */
  diffs: number[];
}

const views = new WeakMap<Tree, ViewRecord>();

/** Work counter for tests: UTF-16 code units handed to the parser (its input callback), cumulative. */
export const parserInput = { units: 0 };

/** Chunk size of the parser's input callback (below web-tree-sitter's 5,120-unit buffer). */
const CHUNK = 2048;

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
function commentRunsToHide(view: string): { hidden: number[]; segments: number[] } {
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
function loneCRs(text: string): number[] {
  const out: number[] = [];
  if (!hasLoneCR(text)) return out;
  const re = /\r(?!\n)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index, m.index + 1);
  return out;
}

/** Union of two sorted lists of disjoint flat ranges (the two lists do not overlap each other). */
function mergeRanges(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) out.push(a[i]!, a[i + 1]!), (i += 2);
    else out.push(b[j]!, b[j + 1]!), (j += 2);
  }
  return out;
}

/** Ranges (flat) covered by exactly one of two sorted lists of disjoint flat ranges. */
function symmetricDifference(a: readonly number[], b: readonly number[]): number[] {
  const points: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) points.push(a[i++]!);
    else points.push(b[j++]!);
  }
  const out: number[] = [];
  let inside = false;
  for (let k = 0; k < points.length; ) {
    const p = points[k]!;
    let count = 0;
    while (k < points.length && points[k] === p) k++, count++;
    if (count % 2 === 0) continue;
    if (inside) {
      if (out[out.length - 1]! === p) out.pop();
      else out.push(p);
    } else out.push(p);
    inside = !inside;
  }
  return out;
}

function hideRanges(view: string, hidden: readonly number[]): string {
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
function segmentsAreWhitespace(tree: Tree, segments: readonly number[]): boolean {
  const root = tree.rootNode;
  for (let k = 0; k < segments.length; k += 2) {
    let node: Node | null = root.descendantForIndex(segments[k]!, segments[k + 1]!);
    if (node?.isError || node?.isMissing) return false;
    for (; node; node = node.parent) if (node.type === 'string' || node.type === 'string_content') return false;
  }
  return true;
}

function runParser(view: string, oldTree: Tree | null): Tree {
  let tree: Tree | null;
  try {
    tree = theParser().parse((index: number) => {
      const s = view.slice(index, index + CHUNK);
      parserInput.units += s.length;
      return s;
    }, oldTree);
  } catch (err) {
    const p = new Parser();
    p.setLanguage(pythonLanguage());
    parser?.delete();
    parser = p;
    throw new InputRefused(`the parser failed on this text (${err instanceof Error ? err.message : String(err)}): not analysed`);
  }
  if (!tree) throw new InputRefused('the parser returned no tree: not analysed');
  return tree;
}

/**
 * Parse `text`; pass `oldTree` (already `edit()`ed through `editTree`) for an incremental re-parse.
 * Text nested deeper than CPython allows is refused (tree-sitter's scanner can fault on it), and a
 * fault inside the parser replaces the parser, so one bad file cannot break the next ones.
 * The tree's `Node.text` is always a slice of `text` itself, even when the parser saw a view of it
 * (lone `\r` as `\n`; long comment runs partly hidden, see `COMMENT_RUN_LIMIT` and `hiddenComments`).
 */
export function parse(text: string, oldTree?: Tree | null): Tree {
  const crView = parserView(text);
  const depth = indentDepth(crView);
  if (depth > MAX_INDENT_LEVELS) {
    throw new InputRefused(`too deeply nested for Python's parser (${depth} levels of indentation; CPython's limit is ${MAX_INDENT_LEVELS}): not analysed`);
  }
  const crs = loneCRs(text);
  const { hidden, segments } = commentRunsToHide(crView);
  let old: Tree | null = null;
  const diffs = hidden.length ? mergeRanges(hidden, crs) : crs;
  if (oldTree) {
    const before = views.get(oldTree);
    if (before) {
      // Where the view changed outside the edits (a run grew past the limit, was split, ...), tell
      // the old tree those units changed too (same length), so nothing lexed from the old view is reused there.
      const changed = symmetricDifference(before.diffs, diffs);
      if (changed.length) {
        const starts = lineStarts(text);
        const point = (o: number) => {
          const p = positionAt(starts, o);
          return { row: p.line, column: p.character };
        };
        for (let k = 0; k < changed.length; k += 2) {
          const s = changed[k]!;
          const e = changed[k + 1]!;
          oldTree.edit(new TSEdit({ startIndex: s, oldEndIndex: e, newEndIndex: e, startPosition: point(s), oldEndPosition: point(e), newEndPosition: point(e) }));
        }
      }
      old = oldTree;
    }
  }
  let tree = runParser(hideRanges(crView, hidden), old);
  let record: ViewRecord = { hidden, diffs };
  if (segments.length && !segmentsAreWhitespace(tree, segments)) {
    // A run of `#` lines inside a multi-line string (or in a region the parser could not read):
    // parse the text as it is. Still quadratic in that run, but only for a long comment-like run
    // inside a string, which the CLI's and the server's time budgets catch.
    tree.delete();
    tree = runParser(crView, null);
    record = { hidden: [], diffs: crs };
  }
  views.set(tree, record);
  // `Node.text` reads through the tree's text callback (web-tree-sitter 0.27); point it at the
  // real text so that rules copying node text see the file itself.
  (tree as unknown as { textCallback: (index: number) => string }).textCallback = (index: number) => text.slice(index);
  return tree;
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

/** Ranges of the ERROR and MISSING nodes of a tree (walking only into subtrees that have errors). */
export function parseErrorRanges(tree: Tree): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const root = tree.rootNode;
  if (!root.hasError) return out;
  const cursor = root.walk();
  let descend = true;
  for (;;) {
    const node = cursor.currentNode;
    if (descend && (node.isError || node.isMissing)) out.push([node.startIndex, node.endIndex]);
    if (descend && node.hasError && !node.isError && cursor.gotoFirstChild()) continue;
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    if (!cursor.gotoParent()) break;
    descend = false;
  }
  cursor.delete();
  return out;
}

/** Number of ERROR and MISSING nodes: the measure "no new parse errors" is checked against. */
export function countParseErrors(tree: Tree): number {
  return parseErrorRanges(tree).length;
}

/** Position (row, UTF-16 column) of `offset` in `text`, as tree-sitter's `edit()` wants it (rows end where the parser's view ends them). */
function pointAt(text: string, offset: number): { row: number; column: number } {
  const p = positionAt(lineStarts(text), offset);
  return { row: p.line, column: p.character };
}

/**
 * Tell `tree` (parsed from `oldText`) that `oldText.slice(start, oldEnd)` became `newText`, so the
 * next `parse(newDocument, tree)` re-uses everything outside that range.
 */
export function editTree(tree: Tree, oldText: string, start: number, oldEnd: number, newText: string): void {
  const startPosition = pointAt(oldText, start);
  const oldEndPosition = pointAt(oldText, oldEnd);
  const inserted = newText.split(/\r\n?|\n/);
  const newEndPosition =
    inserted.length === 1
      ? { row: startPosition.row, column: startPosition.column + newText.length }
      : { row: startPosition.row + inserted.length - 1, column: inserted[inserted.length - 1]!.length };
  const record = views.get(tree);
  if (record) views.set(tree, { hidden: shiftRanges(record.hidden, start, oldEnd, newText.length), diffs: shiftRanges(record.diffs, start, oldEnd, newText.length) });
  tree.edit(
    new TSEdit({
      startIndex: start,
      oldEndIndex: oldEnd,
      newEndIndex: start + newText.length,
      startPosition,
      oldEndPosition,
      newEndPosition,
    }),
  );
}

/** Flat ranges moved through the edit [start, oldEnd) → `length` units; parts inside the edit are dropped (it is re-read anyway). */
function shiftRanges(ranges: readonly number[], start: number, oldEnd: number, length: number): number[] {
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
