/**
 * The one place that knows how Python is parsed: web-tree-sitter with tree-sitter-python's wasm.
 * `initParser()` must be awaited once (it loads the wasm); everything after is synchronous.
 * Indices of the resulting trees are UTF-16 code units, the unit of JavaScript strings.
 *
 * What the parser is shown of a text (lone `\r`, long comment runs) is `parser/view.ts`.
 */
import * as path from 'path';
import * as fs from 'fs';
import { Parser, Language, type Tree, type Node, Edit as TSEdit } from 'web-tree-sitter';
import { lineStarts, positionAt } from './text';
import { commentRunsToHide, hideRanges, loneCRs, mergeRanges, parserView, segmentsAreWhitespace, shiftRanges, symmetricDifference, views, type ViewRecord } from './parser/view';

export { COMMENT_RUN_LIMIT, hasHiddenComments, hiddenComments } from './parser/view';

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

/** Work counter for tests: UTF-16 code units handed to the parser (its input callback), cumulative. */
export const parserInput = { units: 0 };

/** Chunk size of the parser's input callback (below web-tree-sitter's 5,120-unit buffer). */
const CHUNK = 2048;

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
