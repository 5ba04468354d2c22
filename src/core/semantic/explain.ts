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
 */
import type { Node, Tree } from '../parser';
import { InputRefused, parse } from '../parser';
import { buildIndex, isAnyioName, lookup, scopeOf, unparen, type Binding, type ClassInfo, type FileIndex, type Scope } from '../scopes';
import { anyioCallResult, Resolver, type Ty } from '../resolve';
import { ANYIO_MODULES } from '../anyio-api';
import { LineIndex } from '../text';
import type { AnalyzeOptions } from '../types';
import { isKnownNotAnyio } from './known';
import type { ProjectContext, ProjectIndex } from './project';
import type { Step, STy } from './types';

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

const MAX_DEPTH = 16;
const MAX_STEPS = 32;
const MAX_MODULES = 8;
const MAX_CODE = 80;

/** Libraries other than the standard library that `isKnownNotAnyio` knows (for the words only). */
const NOT_ANYIO_LIBRARIES = new Set(['trio', 'curio', 'outcome', 'sniffio', 'attr', 'attrs', 'pydantic', 'pytest', 'typing_extensions', 'trio_typing', 'async_generator', 'uvloop', 'tornado', 'twisted', 'gevent']);

/** Where the value of the traced expression comes from, as far as the steps got. */
type Leaf =
  | { kind: 'anyio-api'; q: string }
  | { kind: 'third-party'; q: string; text: string }
  | { kind: 'known-not'; q: string }
  | { kind: 'project'; q: string }
  | { kind: 'module'; q: string }
  | { kind: 'param'; name: string }
  | { kind: 'loop'; name: string }
  | { kind: 'join'; name: string }
  | { kind: 'literal' }
  | { kind: 'def' }
  | { kind: 'builtin'; name: string }
  | { kind: 'none' }
  | { kind: 'other' };

/** One parsed module: the explained file, or one the proof leads into. */
interface View {
  text: string;
  idx: FileIndex;
  res: Resolver;
  lines: LineIndex;
  /** Absent for the explained file. */
  path?: string;
  tree: Tree;
  /** The project's modules, when there is a project. */
  index?: ProjectIndex;
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

/** `text` shortened for a step, on one line. */
function code(text: string): string {
  const one = text.replace(/\s*\n\s*/g, ' ');
  return `\`${one.length > MAX_CODE ? `${one.slice(0, MAX_CODE - 1)}…` : one}\``;
}

const article = (cls: string) => `an AnyIO ${cls}`;

class Explainer {
  private readonly steps: ExplainStep[] = [];
  private readonly seenSteps = new Set<string>();
  private readonly views = new Map<string, View | null>();
  private readonly traced = new Set<string>();

  constructor(
    private readonly main: View,
    private readonly project: ProjectContext | undefined,
    private readonly readModule: ((path: string) => string | undefined) | undefined,
  ) {}

  explain(target: Node): Explanation {
    const ty = this.main.res.typeOf(target);
    const leaf = this.trace(this.main, target, 0);
    this.addVia(ty);
    const { verdict, words } = describe(ty, leaf, unparen(target).text);
    return { expression: target.text, start: target.startIndex, end: target.endIndex, verdict, type: words, steps: this.steps };
  }

  dispose(): void {
    for (const v of this.views.values()) {
      if (!v) continue;
      v.res.dispose();
      v.tree.delete();
    }
    this.views.clear();
  }

  private line(v: View, node: Node): number {
    return v.lines.position(node.startIndex).line + 1;
  }

  private step(v: View, node: Node | number, text: string): void {
    if (this.steps.length >= MAX_STEPS) return;
    const line = typeof node === 'number' ? node : this.line(v, node);
    const key = `${v.path ?? ''}\0${line}\0${text}`;
    if (this.seenSteps.has(key)) return;
    this.seenSteps.add(key);
    this.steps.push(v.path === undefined ? { text, line } : { text, path: v.path, line });
  }

  // ------------------------------------------------------------------ local steps

  /** Steps for where the value of `expr` (in view `v`) comes from; returns the origin found. */
  private trace(v: View, expr: Node, depth: number): Leaf {
    const n = unparen(expr);
    const key = `${v.path ?? ''}\0${n.id}`;
    if (depth > MAX_DEPTH || this.traced.has(key) || this.steps.length >= MAX_STEPS) return { kind: 'other' };
    this.traced.add(key);
    let leaf: Leaf;
    switch (n.type) {
      case 'identifier':
        leaf = this.traceName(v, n, depth);
        break;
      case 'attribute':
        leaf = this.traceAttribute(v, n, depth);
        break;
      case 'call':
        leaf = this.traceCall(v, n, depth);
        break;
      case 'await': {
        const inner = n.namedChild(0);
        leaf = inner ? this.traceCall(v, unparen(inner), depth) : { kind: 'other' };
        break;
      }
      case 'conditional_expression': {
        const a = n.namedChild(0);
        const b = n.namedChild(2);
        if (a) this.trace(v, a, depth + 1);
        if (b) this.trace(v, b, depth + 1);
        leaf = { kind: 'join', name: n.text };
        break;
      }
      case 'none':
        leaf = { kind: 'none' };
        break;
      case 'string':
      case 'concatenated_string':
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'list':
      case 'dictionary':
      case 'set':
      case 'tuple':
      case 'list_comprehension':
      case 'dictionary_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'lambda':
      case 'binary_operator':
      case 'comparison_operator':
      case 'boolean_operator':
      case 'not_operator':
      case 'unary_operator':
        leaf = { kind: 'literal' };
        break;
      default:
        leaf = { kind: 'other' };
    }
    this.addVia(v.res.typeOf(n), depth);
    return leaf;
  }

  /** The origin of an import-rooted qualified name (not from this file). */
  private leafOfName(q: string, text: string): Leaf {
    if (isAnyioName(q)) return { kind: 'anyio-api', q };
    if (this.project?.index.valueOf(q) !== undefined) return { kind: 'project', q };
    if (isKnownNotAnyio(q)) return { kind: 'known-not', q };
    return { kind: 'third-party', q, text };
  }

  private traceName(v: View, n: Node, depth: number): Leaf {
    const name = n.text;
    const found = lookup(v.idx, name, n);
    if (!found) return { kind: 'builtin', name };
    const bs = found.bindings;
    // `x = None` then set for real elsewhere: the engine ignores the `None` (the "set later" pattern).
    const real = bs.filter((b) => !(b.kind === 'assign' && b.value && unparen(b.value).type === 'none' && !b.annotation));
    if (real.length === 1) {
      for (const b of bs) if (b !== real[0]) this.step(v, b.node ?? n, `\`${name}\` is also set to \`None\` (ignored: set later)`);
      return this.traceBinding(v, name, real[0]!, depth);
    }
    const lines = bs.map((b) => (b.node ? this.line(v, b.node) : 0)).filter((l) => l > 0);
    this.step(v, bs[0]?.node ?? n, `\`${name}\` is bound ${bs.length} times (lines ${lines.join(', ')}): its type is what they all agree on`);
    for (const b of real.slice(0, 4)) this.traceBinding(v, name, b, depth);
    return { kind: 'join', name };
  }

  private traceBinding(v: View, name: string, b: Binding, depth: number): Leaf {
    const at = b.node ?? b.stmt ?? b.def;
    if (!at) return { kind: 'other' };
    switch (b.kind) {
      case 'with': {
        const cm = b.stmt;
        if (!cm) return { kind: 'other' };
        const item = cm.parent?.type === 'as_pattern' ? cm.parent : undefined;
        this.step(v, at, `\`${name}\` is bound by ${code(`${b.isAsync ? 'async ' : ''}with ${item ? item.text : cm.text}`)}`);
        return this.trace(v, cm, depth + 1);
      }
      case 'assign':
      case 'walrus': {
        if (b.annotation && v.res.typeFromAnnotation(b.annotation).k !== 'unknown') {
          this.step(v, at, `\`${name}\` is annotated ${code(b.annotation.text)}`);
          return this.leafOfAnnotation(v, b.annotation);
        }
        if (!b.value) {
          this.step(v, at, `\`${name}\` is declared without a value`);
          return { kind: 'other' };
        }
        const target = b.path?.length ? `item ${b.path.join('.')} of` : '';
        this.step(v, at, target ? `\`${name}\` is ${target} ${code(b.value.text)}` : `${code(`${name} ${b.kind === 'walrus' ? ':=' : '='} ${b.value.text}`)}`);
        return this.trace(v, b.value, depth + 1);
      }
      case 'param': {
        const fn = scopeOf(v.idx, at);
        const of = fn.kind === 'function' && fn.name ? ` of \`${fn.name}\`` : '';
        if (b.annotation && v.res.typeFromAnnotation(b.annotation).k !== 'unknown') {
          this.step(v, at, `\`${name}\` is a parameter${of}, annotated ${code(b.annotation.text)}`);
          return this.leafOfAnnotation(v, b.annotation);
        }
        if (b.value && unparen(b.value).type !== 'none') {
          this.step(v, at, `\`${name}\` is a parameter${of} defaulting to ${code(b.value.text)}`);
          return this.trace(v, b.value, depth + 1);
        }
        const t = v.res.typeOfBinding(b, 0);
        if (t.k === 'local') {
          this.step(v, t.cls.node, `\`${name}\` is the instance of \`${t.cls.name}\`, a class of this module`);
          return { kind: 'other' };
        }
        if (t.k !== 'unknown' && fn.kind === 'function' && b.paramIndex !== undefined) {
          // Proven by its call sites: every call in view passes the same type.
          this.step(v, at, `\`${name}\` is a parameter${of} without an annotation: the calls of \`${fn.name}\` all pass the same type`);
          const sites = callSites(v, fn, b.paramIndex, name);
          let leaf: Leaf = { kind: 'other' };
          for (const site of sites.slice(0, 4)) {
            this.step(v, site.call, `${code(site.call.text)} passes ${code(site.arg.text)}`);
            leaf = this.trace(v, site.arg, depth + 1);
          }
          return sites.length === 1 ? leaf : { kind: 'join', name };
        }
        this.step(v, at, `\`${name}\` is a parameter${of} without an annotation`);
        return { kind: 'param', name };
      }
      case 'import': {
        const stmt = b.stmt ?? at;
        const q = b.stmt?.type === 'import_statement' ? b.source : v.res.absoluteSource(b);
        if (!q) {
          const why = this.project ? 'a relative import that leaves the package' : 'a relative import, resolved only with the project index';
          this.step(v, stmt, `\`${name}\` is imported by ${code(stmt.text)}, ${why}`);
          return { kind: 'third-party', q: b.source ?? name, text: name };
        }
        if (b.stmt?.type === 'import_statement' || this.isModule(q)) {
          this.step(v, stmt, `\`${name}\` is the module \`${q}\` (${code(stmt.text)})`);
          return isAnyioName(q) ? { kind: 'anyio-api', q } : { kind: 'module', q };
        }
        this.step(v, stmt, `\`${name}\` is \`${q}\` (${code(stmt.text)})`);
        return this.leafOfName(q, name);
      }
      case 'def':
        this.step(v, at, `\`${name}\` is the function defined here`);
        return { kind: 'def' };
      case 'class':
        this.step(v, at, `\`${name}\` is the class defined here`);
        return { kind: 'def' };
      case 'for':
        this.step(v, at, `\`${name}\` is bound by a \`for\` loop`);
        return { kind: 'loop', name };
      case 'except':
        this.step(v, at, `\`${name}\` is bound by an \`except\` clause`);
        return { kind: 'other' };
      default:
        this.step(v, at, `\`${name}\` is bound here`);
        return { kind: 'other' };
    }
  }

  /** Whether the project names `q` as a module (`from . import helpers`). */
  private isModule(q: string): boolean {
    return this.project?.index.get(q) !== undefined;
  }

  private leafOfAnnotation(v: View, ann: Node): Leaf {
    const node = unparen(ann.type === 'type' ? (ann.namedChild(0) ?? ann) : ann);
    const q = node.type === 'identifier' || node.type === 'attribute' ? v.res.qualifiedOf(node) : undefined;
    return q ? this.leafOfName(q, node.text) : { kind: 'other' };
  }

  private traceAttribute(v: View, n: Node, depth: number): Leaf {
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute');
    if (!obj || !attr) return { kind: 'other' };
    const q = v.res.qualifiedOf(n);
    if (q) {
      // `helpers.open_group`, `anyio.Event`: the import of its root.
      let root = obj;
      while (root.type === 'attribute') root = root.childForFieldName('object') ?? root;
      if (root.type === 'identifier' && !isAnyioName(q)) this.trace(v, root, depth + 1);
      return this.leafOfName(q, n.text);
    }
    const objLeaf = this.trace(v, obj, depth + 1);
    const base = v.res.typeOf(obj);
    if (base.k === 'local') return this.traceClassAttr(v, base.cls, attr.text, depth);
    if (attr.text === 'cancel_scope' && (base.k === 'anyio' || base.k === 'unknown')) {
      this.step(v, n, `\`${n.text}\` is the cancel scope of a task group`);
      return { kind: 'anyio-api', q: 'anyio.CancelScope' };
    }
    if (base.k === 'pinst' || base.k === 'pclass') return { kind: 'project', q: `${base.q}.${attr.text}` };
    // An attribute of something unknown is unknown for the same reason.
    return base.k === 'unknown' ? objLeaf : { kind: 'other' };
  }

  /** `obj.attr` on an instance of a class of view `v`: where the class sets it. */
  private traceClassAttr(v: View, cls: ClassInfo, attr: string, depth: number, seen = new Set<ClassInfo>()): Leaf {
    if (seen.has(cls) || depth > MAX_DEPTH) return { kind: 'other' };
    seen.add(cls);
    const assigns = cls.attrs.get(attr);
    if (assigns?.length) {
      const real = assigns.filter((a) => a.annotation || (a.value && unparen(a.value).type !== 'none'));
      let leaf: Leaf = { kind: 'other' };
      for (const a of real.slice(0, 4)) {
        if (a.annotation && v.res.typeFromAnnotation(a.annotation).k !== 'unknown') {
          this.step(v, a.annotation, `\`${cls.name}.${attr}\` is annotated ${code(a.annotation.text)}`);
          leaf = this.leafOfAnnotation(v, a.annotation);
        } else if (a.value) {
          const at = a.value.parent?.type === 'assignment' ? a.value.parent : a.value;
          this.step(v, at, `\`${cls.name}.${attr}\` is set by ${code(at.text)}`);
          const factory = factoryOf(v, a.value);
          if (factory) {
            this.step(v, factory, `the value is made by calling ${code(factory.text)}`);
            leaf = this.trace(v, factory, depth + 1);
          } else leaf = this.trace(v, a.value, depth + 1);
        }
      }
      return real.length > 1 ? { kind: 'join', name: `${cls.name}.${attr}` } : leaf;
    }
    const m = cls.methods.get(attr);
    if (m) return this.traceFunctionResult(v, m, `${cls.name}.${attr}`, depth);
    for (const b of cls.superclasses) {
      const bt = v.res.typeOf(b);
      if (bt.k === 'local') return this.traceClassAttr(v, bt.cls, attr, depth + 1, seen);
      const u = unparen(b);
      if (u.type === 'identifier') {
        const found = lookup(v.idx, u.text, u);
        const def = found?.bindings.length === 1 && found.bindings[0]!.kind === 'class' ? found.bindings[0]!.def : undefined;
        const local = def ? v.idx.classes.find((c) => c.node.id === def.id) : undefined;
        if (local) {
          this.step(v, local.node, `\`${attr}\` is inherited from \`${local.name}\``);
          return this.traceClassAttr(v, local, attr, depth + 1, seen);
        }
      }
      if (bt.k === 'pclass') {
        this.trace(v, b, depth + 1);
        return { kind: 'project', q: `${bt.q}.${attr}` };
      }
    }
    return { kind: 'other' };
  }

  /** What a function of view `v` gives: what it yields (a context manager) or returns. */
  private traceFunctionResult(v: View, fn: Scope, label: string, depth: number): Leaf {
    const decos = (fn.decorators ?? []).map((d) => d.text.replace(/\s+/g, ''));
    const cm = decos.some((d) => /(^|\.)(asynccontextmanager|contextmanager)$/.test(d));
    const property = decos.some((d) => /(^|\.)(property|cached_property|reify)$/.test(d));
    const values = (cm ? fn.yieldValues : fn.returnValues) ?? [];
    const call = property ? `\`${label}\` (a property)` : `\`${label}()\``;
    if (!cm && fn.returns && v.res.typeFromAnnotation(fn.returns).k !== 'unknown') {
      this.step(v, fn.returns, `${call} is annotated to return ${code(fn.returns.text)}`);
      return this.leafOfAnnotation(v, fn.returns);
    }
    const real = values.filter((r) => r.type !== 'return_statement' && unparen(r).type !== 'none');
    if (real.length === 0) {
      this.step(v, fn.node, `${call} ${cm ? 'yields' : 'returns'} nothing the engine can see`);
      return { kind: 'none' };
    }
    let leaf: Leaf = { kind: 'other' };
    for (const r of real.slice(0, 4)) {
      this.step(v, r, `${call} ${cm ? 'yields' : 'returns'} ${code(r.text)}`);
      leaf = this.trace(v, r, depth + 1);
    }
    return real.length > 1 ? { kind: 'join', name: label } : leaf;
  }

  private traceCall(v: View, n: Node, depth: number): Leaf {
    if (n.type !== 'call') return this.trace(v, n, depth + 1);
    const fnNode = n.childForFieldName('function');
    if (!fnNode) return { kind: 'other' };
    const f = unparen(fnNode);
    const q = v.res.qualifiedOf(f);
    if (q !== undefined) {
      if (isAnyioName(q)) {
        const r = anyioCallResult(q);
        const gives = r ? describe(r, { kind: 'anyio-api', q }, n.text) : undefined;
        this.step(v, n, gives?.verdict === 'anyio' ? `${code(n.text)} is AnyIO's: it gives ${gives.words}` : `${code(n.text)} calls AnyIO's \`${q}\`, whose result the engine does not type`);
        return { kind: 'anyio-api', q };
      }
      this.trace(v, f, depth + 1);
      return this.leafOfName(q, n.text);
    }
    // A function or class of this module.
    if (f.type === 'identifier') {
      const found = lookup(v.idx, f.text, f);
      if (!found) return { kind: 'builtin', name: f.text };
      if (found.bindings.length === 1) {
        const b = found.bindings[0]!;
        if (b.kind === 'class' && b.def) {
          this.step(v, b.def, `${code(n.text)} makes an instance of \`${f.text}\`, a class of this module`);
          return { kind: 'other' };
        }
        if (b.kind === 'def' && b.def) {
          const sc = v.idx.scopes.get(b.def.id);
          if (sc) return this.traceFunctionResult(v, sc, f.text, depth + 1);
        }
      }
    }
    if (f.type === 'attribute') {
      const obj = f.childForFieldName('object');
      const attr = f.childForFieldName('attribute');
      if (obj && attr) {
        const objLeaf = this.trace(v, obj, depth + 1);
        const base = v.res.typeOf(obj);
        if (base.k === 'local') {
          const m = base.cls.methods.get(attr.text);
          if (m) return this.traceFunctionResult(v, m, `${base.cls.name}.${attr.text}`, depth + 1);
        }
        if (base.k === 'pinst' || base.k === 'pclass') return { kind: 'project', q: `${base.q}.${attr.text}` };
        return base.k === 'unknown' ? objLeaf : { kind: 'other' };
      }
    }
    return this.trace(v, f, depth + 1);
  }

  // ------------------------------------------------------------------ steps from the project index

  /** The steps the project index recorded on `t`, each followed into its module when it can be read. */
  private addVia(t: Ty, depth = 0): void {
    const via: Step[] = [];
    if (t.k === 'anyio' || t.k === 'cm') via.push(...(t.via ?? []));
    if (t.k === 'cm' && t.enter.k === 'anyio') via.push(...(t.enter.via ?? []));
    for (const s of via) {
      const key = `${s.module}\0${s.line}\0${s.what}`;
      if (this.seenSteps.has(key)) continue;
      this.seenSteps.add(key);
      if (this.steps.length >= MAX_STEPS) return;
      this.steps.push({ text: viaWords(s.what), path: s.module, line: s.line });
      this.follow(s, depth + 1);
    }
  }

  /** Open the module of step `s` and trace what it names there (the function's yields/returns, the class's attribute). */
  private follow(s: Step, depth: number): void {
    if (!this.readModule || !this.project || depth > MAX_DEPTH) return;
    const v = this.view(s.module);
    if (!v) return;
    let m = /^([\w.]+)\(\) (?:yields|returns)$/.exec(s.what);
    if (m) {
      const parts = m[1]!.split('.');
      const fn = findFunction(v, parts, s.line);
      if (fn) this.traceFunctionResult(v, fn, m[1]!, depth);
      return;
    }
    m = /^(\w+)\.(\w+)(?: \(property\))?$/.exec(s.what);
    if (m) {
      const cls = v.idx.classes.find((c) => c.name === m![1] && (this.line(v, c.node) === s.line || c.methods.get(m![2]!) !== undefined));
      if (cls) this.traceClassAttr(v, cls, m[2]!, depth);
    }
  }

  /** The parsed module at `path` (a summary's path), or null when it cannot be read or analysed. */
  private view(path: string): View | null {
    const cached = this.views.get(path);
    if (cached !== undefined) return cached;
    let v: View | null = null;
    const module = this.project?.index.moduleOfPath(path);
    const summary = module !== undefined ? this.project?.index.get(module) : undefined;
    if (summary && this.views.size < MAX_MODULES) {
      let text: string | undefined;
      try {
        text = this.readModule?.(path);
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        try {
          const tree = parse(text);
          const idx = buildIndex(tree, text);
          const res = new Resolver(idx, this.project!.index.hookFor(summary.module, summary.isPackage));
          v = { text, idx, res, lines: new LineIndex(text), path, tree, index: this.project!.index };
        } catch (err) {
          if (!(err instanceof InputRefused)) throw err;
        }
      }
    }
    this.views.set(path, v);
    return v;
  }
}

/**
 * The calls of the function `fn` of view `v` that pass its parameter `index`/`name`: direct calls
 * (`f(x)`) and the function handed to another callable (`tg.spawn(f, x)`), as the resolver reads
 * them when it types an unannotated parameter from its call sites.
 */
function callSites(v: View, fn: Scope, index: number, name: string): Array<{ call: Node; arg: Node }> {
  const out: Array<{ call: Node; arg: Node }> = [];
  const fname = fn.name;
  if (!fname) return out;
  for (const o of v.idx.identifiers.get(fname) ?? []) {
    if (o === fn.nameStart) continue;
    const ref = v.tree.rootNode.descendantForIndex(o, o + fname.length);
    if (!ref || ref.type !== 'identifier') continue;
    if (!lookup(v.idx, fname, ref)?.bindings.some((x) => x.def?.id === fn.node.id)) continue;
    const parent = ref.parent;
    let call: Node | undefined;
    let shift = 0;
    if (parent?.type === 'call' && parent.childForFieldName('function')?.id === ref.id) call = parent;
    else if (parent?.type === 'argument_list' && parent.namedChild(0)?.id === ref.id && parent.parent?.type === 'call') {
      call = parent.parent;
      shift = 1;
    }
    if (!call) continue;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
    const kw = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name);
    const arg = kw ? kw.childForFieldName('value') : args.filter((a) => a.type !== 'keyword_argument')[index + shift];
    if (arg) out.push({ call, arg });
  }
  return out;
}

/** The function `parts` (`f`, `Cls.method`) of view `v` defined at `line`. */
function findFunction(v: View, parts: string[], line: number): Scope | undefined {
  const name = parts[parts.length - 1]!;
  for (const sc of v.idx.scopes.values()) {
    if (sc.kind !== 'function' || sc.name !== name) continue;
    if (v.lines.position(sc.start).line + 1 === line) return sc;
  }
  return undefined;
}

/** The factory of a class-level field (`attr.ib(factory=anyio.create_event)`, `field(default_factory=...)`, `attr.Factory(...)`). */
function factoryOf(v: View, value: Node): Node | undefined {
  const n = unparen(value);
  if (n.type !== 'call') return undefined;
  const fq = v.res.qualifiedOf(n.childForFieldName('function') ?? n);
  const args = n.childForFieldName('arguments');
  if (fq && /^attrs?\.Factory$/.test(fq)) return args?.namedChild(0) ?? undefined;
  for (const a of args?.namedChildren ?? []) {
    if (a?.type !== 'keyword_argument') continue;
    const name = a.childForFieldName('name')?.text;
    const f = a.childForFieldName('value');
    if (!f) continue;
    if (name === 'default_factory' || name === 'factory') return f;
    if (name === 'default') {
      const d = unparen(f);
      const dq = d.type === 'call' ? v.res.qualifiedOf(d.childForFieldName('function') ?? d) : undefined;
      if (dq && /^attrs?\.Factory$/.test(dq)) return d.childForFieldName('arguments')?.namedChild(0) ?? undefined;
    }
  }
  return undefined;
}

/** A step recorded by the project index, in words. */
function viaWords(what: string): string {
  let m = /^([\w.]+)\(\) yields$/.exec(what);
  if (m) return `\`${m[1]}()\` is defined here: \`with\` binds what it yields`;
  m = /^([\w.]+)\(\) returns$/.exec(what);
  if (m) return `\`${m[1]}()\` is defined here: the call gives what it returns`;
  m = /^(\w+)\.(\w+) \(property\)$/.exec(what);
  if (m) return `\`${m[1]}.${m[2]}\` is a property defined here`;
  m = /^(\w+)\.(\w+)$/.exec(what);
  if (m) return `\`${m[1]}.${m[2]}\` is an attribute of class \`${m[1]}\`, defined here`;
  return `\`${what}\``;
}

/** The verdict and the words for a type, with the origin the steps found as the reason. */
function describe(ty: Ty, leaf: Leaf, text: string): { verdict: Verdict; words: string } {
  switch (ty.k) {
    case 'anyio':
      return { verdict: 'anyio', words: article(ty.cls) };
    case 'cm': {
      const e = ty.enter;
      if (e.k === 'anyio') return { verdict: 'anyio', words: `a context manager whose \`with\` binds ${article(e.cls)}` };
      if (e.k === 'other' || e.k === 'none') return { verdict: 'not-anyio', words: 'a context manager (not AnyIO)' };
      return { verdict: 'unknown', words: 'unknown: a context manager whose `with` binds something the engine cannot tell' };
    }
    case 'tuple': {
      const items = ty.items.map((i) => describe(i as Ty, { kind: 'other' }, ''));
      const words = `a tuple of (${items.map((i) => i.words).join(', ')})`;
      if (items.some((i) => i.verdict === 'anyio')) return { verdict: 'anyio', words };
      if (items.every((i) => i.verdict === 'not-anyio')) return { verdict: 'not-anyio', words };
      return { verdict: 'unknown', words };
    }
    case 'class':
      return { verdict: 'anyio', words: `the AnyIO class \`${ty.q}\`` };
    case 'aname':
      return { verdict: 'anyio', words: `AnyIO's \`${ty.q}\`` };
    case 'pinst':
      return { verdict: 'not-anyio', words: `an instance of the project's class \`${ty.q}\` (not AnyIO)` };
    case 'pclass':
      return { verdict: 'not-anyio', words: `the project's class \`${ty.q}\` (not AnyIO)` };
    case 'pfunc':
      return { verdict: 'not-anyio', words: `the project's function \`${ty.q}\` (not AnyIO)` };
    case 'local':
      return { verdict: 'not-anyio', words: `an instance of \`${ty.cls.name}\`, a class of this module (not AnyIO)` };
    case 'none':
      return { verdict: 'not-anyio', words: 'None (not AnyIO)' };
    case 'other':
      return { verdict: 'not-anyio', words: `not AnyIO${otherReason(leaf)}` };
    default:
      return { verdict: 'unknown', words: `unknown: ${unknownReason(leaf, text)}` };
  }
}

function otherReason(leaf: Leaf): string {
  switch (leaf.kind) {
    case 'known-not': {
      const root = leaf.q.split('.', 1)[0]!;
      return NOT_ANYIO_LIBRARIES.has(root) ? ` (\`${root}\` is known not to hand out AnyIO objects)` : ' (standard library)';
    }
    case 'module':
      return ' (a module)';
    case 'literal':
      return ' (a literal or an operation on values)';
    case 'def':
      return ' (a function or class of this module)';
    case 'builtin':
      return ` (the builtin \`${leaf.name}\`)`;
    case 'none':
      return ' (None)';
    default:
      return '';
  }
}

function unknownReason(leaf: Leaf, text: string): string {
  switch (leaf.kind) {
    case 'third-party': {
      const root = leaf.q.split('.', 1)[0]!;
      return `${code(leaf.text)} comes from \`${root}\`, a library the engine cannot see`;
    }
    case 'param':
      return `\`${leaf.name}\` is a parameter without an annotation, and the project does not prove what its callers pass`;
    case 'loop':
      return `\`${leaf.name}\` is a loop variable the engine does not type`;
    case 'join':
      return `the values \`${leaf.name}\` can have do not agree on one type`;
    case 'anyio-api':
      return `${code(text)} comes from AnyIO's \`${leaf.q}\`, whose result the engine does not type`;
    case 'project':
      return `the project's \`${leaf.q}\` gives nothing the engine can prove`;
    default:
      return `the engine cannot tell what ${code(text)} is`;
  }
}
