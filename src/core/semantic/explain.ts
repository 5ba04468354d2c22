/**
 * "Show the proof": why the engine takes an expression for an AnyIO object, for something else, or
 * cannot tell. Plain data out, for the CLI (`anyio-migrate explain FILE:LINE:COL`) and hovers.
 *
 * The steps are read from the file's own bindings (`group` is bound by `async with
 * helpers.open_group() as group`, `helpers` is imported from `pkg.helpers`), followed by the steps
 * the project index recorded while proving the type across modules (`Step`, the `via` of a type:
 * "`open_group()` yields", pkg/helpers.py:6). When the caller can read the other modules
 * (`readModule`), each such step is followed into that module's own bindings too ("yields `g`",
 * "`g` is bound by `async with anyio.create_task_group() as g`").
 *
 *   explainAt(text, offset, { project: contextFor(index, 'pkg/app.py') })
 *
 * The entry: the exported types, `explainAt` and what the cursor points at; the tracing is
 * `explain-trace.ts`, the record of steps `explain-steps.ts`, the words `explain-words.ts`.
 */
import type { Node, Tree } from '../parser';
import { InputRefused, parse } from '../parser';
import { buildIndex, lookup, unparen } from '../scopes';
import { Resolver } from '../resolve';
import { ANYIO_MODULES } from '../anyio-api';
import { LineIndex } from '../text';
import type { AnalyzeOptions } from '../types';
import { Explainer } from './explain-trace';
import type { View } from './explain-steps';

export type Verdict = 'anyio' | 'not-anyio' | 'unknown';

export interface ExplainStep {
  /** Plain words, code in backticks: "`group` is bound by `async with helpers.open_group() as group`". */
  text: string;
  /** The file the step is in: absent for the explained file itself, else the module's path as the project index has it. */
  path?: string;
  /** 1-based line. */
  line: number;
}

export interface Explanation {
  /** The expression explained (the receiver of a method call when the cursor is on the method's name). */
  expression: string;
  /** Its range in the text (UTF-16 offsets). */
  start: number;
  end: number;
  verdict: Verdict;
  /** Its type in words: "an AnyIO TaskGroup", "unknown: `lib.make()` comes from `lib`, a library the engine cannot see". */
  type: string;
  /** The proof, from the expression back to where its value comes from. */
  steps: ExplainStep[];
}

export interface ExplainOptions extends AnalyzeOptions {
  /**
   * The text of another module of the project, by the path its summary carries (`ModuleSummary.path`),
   * to follow the proof into it; undefined when it cannot be read. Absent: the steps recorded by the
   * project index are listed as they are.
   */
  readModule?: (path: string) => string | undefined;
}

/** Explain the expression at `offset` (UTF-16) of `text`. Undefined when there is none, or the text is refused by the parser. */
export function explainAt(text: string, offset: number, options: ExplainOptions = {}): Explanation | undefined {
  let tree: Tree;
  try {
    tree = parse(text);
  } catch (err) {
    if (err instanceof InputRefused) return undefined;
    throw err;
  }
  const p = options.project;
  const idx = buildIndex(tree, text);
  const res = new Resolver(idx, p ? p.index.hookFor(p.module, p.isPackage) : undefined);
  const main: View = { text, idx, res, lines: new LineIndex(text), tree, ...(p ? { index: p.index } : {}) };
  const ex = new Explainer(main, p, options.readModule);
  try {
    const target = targetAt(main, offset);
    if (!target) return undefined;
    return ex.explain(target);
  } finally {
    ex.dispose();
    res.dispose();
    tree.delete();
  }
}

/** The node at `offset` to explain: an identifier, attribute, call (or the `await` of one). */
function targetAt(v: View, offset: number): Node | undefined {
  const o = Math.max(0, Math.min(offset, v.text.length));
  let node = v.tree.rootNode.descendantForIndex(o, o);
  // The cursor just after a name (`group|.spawn`): the name.
  if (node && node.type !== 'identifier' && o > 0) {
    const before = v.tree.rootNode.descendantForIndex(o - 1, o - 1);
    if (before?.type === 'identifier') node = before;
  }
  for (let n: Node | null = node; n; n = n.parent) {
    // A keyword argument's name (`factory=`) is no expression.
    if (n.type === 'identifier' && n.parent?.type === 'keyword_argument' && n.parent.childForFieldName('name')?.id === n.id) return undefined;
    if (n.type === 'identifier') return refine(v, n);
    if (n.type === 'attribute' || n.type === 'call') return refine(v, n);
    // On the `await` keyword (where findings about awaited calls start): the awaited call's receiver or value.
    if (n.type === 'await' && n.isNamed) {
      const inner = n.namedChild(0) ? unparen(n.namedChild(0)!) : undefined;
      const fn = inner?.type === 'call' ? inner.childForFieldName('function') : undefined;
      if (fn && (fn.type === 'attribute' || fn.type === 'identifier')) return refine(v, fn);
      if (inner && (inner.type === 'identifier' || inner.type === 'attribute')) return refine(v, inner);
      return undefined;
    }
    if (/statement$|^(block|module|function_definition|class_definition|decorated_definition)$/.test(n.type)) return undefined;
  }
  return undefined;
}

/**
 * From the node under the cursor to what is worth explaining: a method's name explains its
 * receiver (`group` in `group.spawn(...)`), a function's name explains the call's value
 * (`helpers.open_group()`), an awaited call explains the await.
 */
function refine(v: View, n: Node): Node {
  let target = n;
  const parent = n.parent;
  if (n.type === 'identifier' && parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id) target = parent;
  // A module in a dotted name (`anyio` in `anyio.create_event()`, `helpers` in `helpers.open_group()`,
  // where findings about the call start): what the dotted name denotes.
  while (target.parent?.type === 'attribute' && target.parent.childForFieldName('object')?.id === target.id && isModuleRef(v, target)) target = target.parent;
  if (target.type === 'attribute') {
    const call = target.parent;
    if (call?.type === 'call' && call.childForFieldName('function')?.id === target.id) {
      // `obj.method(...)` on an object: the receiver; `module.function(...)`: the call.
      if (v.res.qualifiedOf(target) === undefined) return target.childForFieldName('object') ?? target;
      target = call;
    }
  } else if (target.type === 'identifier' && parent?.type === 'call' && parent.childForFieldName('function')?.id === target.id) {
    target = parent;
  }
  if (target.type === 'call' && target.parent?.type === 'await') target = target.parent;
  return target;
}

/** Whether `node` (a name or dotted name) denotes a module: `import x`, an AnyIO module, a module of the project. */
function isModuleRef(v: View, node: Node): boolean {
  if (node.type !== 'identifier' && node.type !== 'attribute') return false;
  const q = v.res.qualifiedOf(node);
  if (q === undefined) return false;
  if (ANYIO_MODULES.has(q)) return true;
  if (node.type === 'identifier') {
    const bs = lookup(v.idx, node.text, node)?.bindings ?? [];
    if (bs.length > 0 && bs.every((b) => b.kind === 'import' && b.stmt?.type === 'import_statement')) return true;
  }
  return v.index?.get(q) !== undefined;
}
