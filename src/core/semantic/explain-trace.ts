/**
 * Tracing an expression back to where its value comes from, one step per binding, assignment,
 * call, attribute and class it passes through: the file's own bindings, a class's attributes and
 * bases, what a function yields or returns, and the call sites that type an unannotated parameter.
 */
import type { Node } from '../parser';
import { isAnyioName, lookup, scopeOf, unparen, type Binding, type ClassInfo, type Scope } from '../scopes';
import { anyioCallResult } from '../resolve';
import { isKnownNotAnyio } from './known';
import type { Explanation } from './explain';
import { code, describe, type Leaf } from './explain-words';
import { MAX_DEPTH, StepLog, type View } from './explain-steps';
import type { ProjectContext } from './project';
import { callSites, factoryOf } from './explain-find';

/** Explains one expression of the file `main` (and follows the proof into the project's modules). */
export class Explainer extends StepLog {
  private readonly traced = new Set<string>();

  constructor(
    private readonly main: View,
    project: ProjectContext | undefined,
    readModule: ((path: string) => string | undefined) | undefined,
  ) {
    super(project, readModule);
  }

  explain(target: Node): Explanation {
    const ty = this.main.res.typeOf(target);
    const leaf = this.trace(this.main, target, 0);
    this.addVia(ty);
    const { verdict, words } = describe(ty, leaf, unparen(target).text);
    return { expression: target.text, start: target.startIndex, end: target.endIndex, verdict, type: words, steps: this.steps };
  }

  // ------------------------------------------------------------------ local steps

  /** Steps for where the value of `expr` (in view `v`) comes from; returns the origin found. */
  private trace(v: View, expr: Node, depth: number): Leaf {
    const n = unparen(expr);
    const key = `${v.path ?? ''}\0${n.id}`;
    if (depth > MAX_DEPTH || this.traced.has(key) || this.full()) return { kind: 'other' };
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
  protected traceClassAttr(v: View, cls: ClassInfo, attr: string, depth: number, seen = new Set<ClassInfo>()): Leaf {
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
  protected traceFunctionResult(v: View, fn: Scope, label: string, depth: number): Leaf {
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
        this.step(
          v,
          n,
          gives?.verdict === 'anyio' ? `${code(n.text)} is AnyIO's: it gives ${gives.words}` : `${code(n.text)} calls AnyIO's \`${q}\`, whose result the engine does not type`,
        );
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
}
