/**
 * Name resolution: what an expression refers to (`anyio.create_event`), what type a receiver has
 * (an AnyIO `Event`, a local class, something else, or unknown), and how to spell a qualified
 * AnyIO name at a given place in the file (re-using imports, adding one when needed).
 */
import type { Node, Tree } from './parser';
import { parse } from './parser';
import {
  AnyioClass,
  ANYIO_MODULES,
  CALL_RESULTS,
  CLASS_NAMES,
} from './anyio-api';
import { Binding, ClassInfo, FileIndex, Scope, isAnyioName, lookup, scopeOf, unparen } from './scopes';
import { asCompatTry } from './imports';
import type { ImportRequest } from './types';
import { workCounters } from './work';
import type { ProjectHook, STy } from './semantic/types';
import { isKnownNotAnyio, SPAWNER } from './semantic/known';

/**
 * A type as far as AnyIO is concerned: the plain summary types (`STy`), plus a class of this very
 * file. `pinst`/`pclass`/`pfunc` are the project's own classes and functions in other modules,
 * `sym` only appears while a module is being summarised (see `semantic/types.ts`).
 */
export type Ty = STy | { k: 'local'; cls: ClassInfo };

/** Decorators that make a generator function a context manager factory. */
export const CM_DECORATOR = /(^|\.)(asynccontextmanager|contextmanager)$/;
/** A pytest fixture's decorator, its arguments removed. */
export const FIXTURE_DECORATOR = /(^|\.)fixture$/;

/** `@pytest.fixture`, `@pytest.fixture(scope=...)`, `@pytest_asyncio.fixture`. */
export function isFixture(fn: Scope): boolean {
  return (fn.decorators ?? []).some((d) => FIXTURE_DECORATOR.test(d.text.replace(/\s+/g, '').replace(/\(.*\)$/s, '')));
}

/** Methods of a list/set/dict that read or store its items (anything else may let items in unseen). */
const CONTAINER_METHODS = /^(get|pop|setdefault|append|add|insert|items|values|keys|remove|discard|clear|index|count)$/;

/** Decorators that make a method an attribute read. */
export const PROPERTY_DECORATOR = /(^|\.)(property|cached_property|reify)$/;

const UNKNOWN: STy = { k: 'unknown' };
const OTHER: STy = { k: 'other' };
const NONE: STy = { k: 'none' };

const LITERAL_TYPES = new Set([
  'integer',
  'float',
  'string',
  'concatenated_string',
  'true',
  'false',
  'tuple',
  'lambda',
  'binary_operator',
  'comparison_operator',
  'boolean_operator',
  'not_operator',
  'unary_operator',
]);

const MAX_DEPTH = 12;

export function sameTy(a: Ty, b: Ty): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'anyio' && b.k === 'anyio') return a.cls === b.cls;
  if (a.k === 'local' && b.k === 'local') return a.cls === b.cls;
  if (a.k === 'class' && b.k === 'class') return a.q === b.q;
  if ((a.k === 'pinst' || a.k === 'pclass' || a.k === 'pfunc' || a.k === 'aname') && a.k === b.k) return a.q === (b as { q: string }).q;
  if (a.k === 'sym') return a === b;
  if (a.k === 'seq' && b.k === 'seq') return sameTy(a.item as Ty, b.item as Ty);
  if (a.k === 'map' && b.k === 'map') return sameTy(a.value as Ty, b.value as Ty);
  if (a.k === 'cm' && b.k === 'cm') return sameTy(a.enter, b.enter);
  if (a.k === 'tuple' && b.k === 'tuple') return a.items.length === b.items.length && a.items.every((t, i) => sameTy(t, b.items[i]!));
  return true;
}

/**
 * Join the types of several bindings of one name (flow-insensitive): `None` is ignored (the
 * "set later" pattern); one local class anywhere wins (never touch look-alikes); otherwise all must
 * agree, or the result is unknown.
 */
export function joinTys(tys: Ty[]): Ty {
  const real = tys.filter((t) => t.k !== 'none');
  if (real.length === 0) return tys.length ? NONE : UNKNOWN;
  const local = real.find((t) => t.k === 'local' || t.k === 'pinst');
  if (local) return local;
  const first = real[0]!;
  if (real.every((t) => sameTy(t, first))) return first;
  if (real.every((t) => t.k === 'other')) return OTHER;
  // While summarising: the join of what other modules give is decided by the project index.
  if (real.some((t) => t.k === 'sym')) return { k: 'sym', e: { op: 'join', items: real as STy[] } };
  return UNKNOWN;
}

/**
 * For the bindings of one name made only by imports inside one `try:` statement (its body and its
 * `except ImportError` handlers), the qualified name imported by the body; else undefined.
 */
export function compatImportSource(bindings: readonly Binding[]): string | undefined {
  let tryStmt: Node | undefined;
  let bodySource: string | undefined;
  for (const b of bindings) {
    if (b.kind !== 'import' || !b.stmt || !b.source) return undefined;
    const block = b.stmt.parent;
    const owner = block?.parent;
    if (!block || block.type !== 'block' || !owner) return undefined;
    const t = owner.type === 'try_statement' ? owner : owner.type === 'except_clause' ? owner.parent : undefined;
    if (!t || t.type !== 'try_statement' || (tryStmt && tryStmt.id !== t.id)) return undefined;
    tryStmt = t;
    if (owner.type === 'try_statement') bodySource = b.source;
  }
  return isAnyioName(bodySource) ? bodySource : undefined;
}

/** Whether a binding was made inside `node` (a statement about to be removed). */
function inside(b: Binding, node: Node | undefined): boolean {
  const at = b.stmt ?? b.node;
  return !!node && !!at && at.startIndex >= node.startIndex && at.endIndex <= node.endIndex;
}

/** What calling the AnyIO function or class `q` gives, when the engine knows. */
export function anyioCallResult(q: string): STy | undefined {
  const r = CALL_RESULTS.get(q);
  if (r?.instance === 'memory-stream-pair') {
    return { k: 'tuple', items: [{ k: 'anyio', cls: 'MemoryObjectSendStream' }, { k: 'anyio', cls: 'MemoryObjectReceiveStream' }] };
  }
  if (r?.instance === 'cm' || r?.instance === 'portal-cm') return { k: 'cm', enter: r.enter ? { k: 'anyio', cls: r.enter } : UNKNOWN };
  if (r?.instance) return { k: 'anyio', cls: r.instance };
  return undefined;
}

export interface NameSpelling {
  /** Expression text to use at the site. */
  text: string;
  imports: ImportRequest[];
}

export class Resolver {
  private readonly qualCache = new Map<number, string | undefined>();
  private readonly tyCache = new Map<number, Ty>();
  private readonly stringAnnCache = new Map<string, Node | undefined>();
  private readonly ownTrees: Tree[] = [];
  private readonly importIndex = new Map<Scope, Map<string, Array<{ name: string; b: Binding }>>>();
  private readonly compatTryCache = new Map<number, boolean>();
  private writes?: Map<string, Array<{ at: Node; value: Node }>>;

  /**
   * `project`: answers about names of other modules of the project (absent: this file alone, and
   * every name from outside it is unknown unless it is known not to be AnyIO's).
   */
  constructor(
    readonly idx: FileIndex,
    readonly project?: ProjectHook,
  ) {}

  // ------------------------------------------------------------------ qualified names

  /** The qualified name an identifier/attribute expression refers to, e.g. `anyio.create_event`. */
  qualifiedOf(expr: Node, depth = 0, anchor?: Node): string | undefined {
    const node = unparen(expr);
    const cacheable = !anchor;
    if (cacheable && this.qualCache.has(node.id)) return this.qualCache.get(node.id);
    let q: string | undefined;
    if (depth <= MAX_DEPTH) {
      if (node.type === 'identifier') q = this.qualifiedOfName(node.text, anchor ?? node, depth);
      else if (node.type === 'attribute') {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (obj && attr) {
          const base = this.qualifiedOf(obj, depth + 1, anchor);
          if (base && ANYIO_MODULES.has(base)) q = `${base}.${attr.text}`;
          else if (base && !isAnyioName(base) && !this.isLocalName(obj)) q = `${base}.${attr.text}`;
        }
      }
    }
    if (cacheable) this.qualCache.set(node.id, q);
    return q;
  }

  private isLocalName(node: Node): boolean {
    return node.type !== 'identifier' && node.type !== 'attribute';
  }

  /** Qualified name of a bare name at `at`, through imports and simple aliases (`ce = create_event`). */
  qualifiedOfName(name: string, at: Node, depth = 0): string | undefined {
    const found = lookup(this.idx, name, at);
    if (!found) return undefined;
    const results = new Set<string | undefined>();
    for (const b of found.bindings) {
      if (b.kind === 'import') results.add(this.absoluteSource(b));
      else if (b.kind === 'assign' && b.value && !b.path) {
        const v = unparen(b.value);
        if (v.type === 'none') continue;
        if (v.type === 'identifier' || v.type === 'attribute') results.add(this.qualifiedOf(v, depth + 1));
        else results.add(undefined);
      } else results.add(undefined);
    }
    if (results.size === 1) return [...results][0];
    // A cross-version import (`try: from anyio import Event as create_event / except ImportError:
    // from anyio import create_event`): the name means what the `try` branch imports (AnyIO 3).
    const compat = compatImportSource(found.bindings);
    return compat;
  }

  /** An import binding's qualified name, relative imports made absolute (undefined without a project). */
  absoluteSource(b: Binding): string | undefined {
    const s = b.source;
    if (s === undefined || !s.startsWith('.')) return s;
    return this.project?.absolutize(s);
  }

  /**
   * The type of the value the import-rooted qualified name `q` (not AnyIO's) refers to: the
   * project's answer, else "not AnyIO" for the standard library and friends, else unknown.
   */
  private typeOfForeignName(q: string): Ty {
    const v = this.project?.valueOf(q);
    if (v) return v;
    return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
  }

  /**
   * Whether a class of this file or of the project defines a method `name` (`asyncOnly`: as
   * `async def`): an unproven receiver may then be one of those look-alikes.
   */
  definesMethod(name: string, asyncOnly: boolean): boolean {
    return (asyncOnly ? this.idx.asyncMethodNames : this.idx.methodNames).has(name) || !!this.project?.definesMethod(name, asyncOnly);
  }

  /** Whether `t` is something only the project index can look into. */
  private static isProjectTy(t: Ty): t is Extract<STy, { k: 'pinst' | 'pclass' | 'pfunc' | 'aname' | 'sym' }> {
    return t.k === 'pinst' || t.k === 'pclass' || t.k === 'pfunc' || t.k === 'aname' || t.k === 'sym';
  }

  // ------------------------------------------------------------------ types

  /** The type of the value of an expression. */
  typeOf(expr: Node, depth = 0): Ty {
    const node = unparen(expr);
    const cached = this.tyCache.get(node.id);
    if (cached) return cached;
    if (depth > MAX_DEPTH) return UNKNOWN;
    // Guard against cycles (`x = x.y`): provisional unknown while computing.
    this.tyCache.set(node.id, UNKNOWN);
    const t = this.computeType(node, depth);
    this.tyCache.set(node.id, t);
    return t;
  }

  private computeType(node: Node, depth: number): Ty {
    switch (node.type) {
      case 'none':
        return NONE;
      case 'identifier':
        return this.typeOfName(node, depth);
      case 'attribute':
        return this.typeOfAttribute(node, depth);
      case 'call':
        return this.typeOfCall(node, depth);
      case 'await': {
        const inner = node.namedChild(0);
        if (!inner) return UNKNOWN;
        const call = unparen(inner);
        if (call.type === 'call') {
          const ret = this.returnTypeOfCallee(call, depth, true);
          if (ret) return ret;
          const fn = call.childForFieldName('function');
          if (fn && this.project) {
            const callee = this.typeOf(fn, depth + 1);
            if (Resolver.isProjectTy(callee)) return this.project.call(callee, true);
          }
        }
        return UNKNOWN;
      }
      case 'list':
      case 'set':
        return { k: 'seq', item: this.itemsType(node.namedChildren, depth) };
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression': {
        const body = node.childForFieldName('body');
        return { k: 'seq', item: body ? (this.typeOf(body, depth + 1) as STy) : UNKNOWN };
      }
      case 'dictionary':
        return { k: 'map', value: this.itemsType(node.namedChildren.map((p) => (p?.type === 'pair' ? p.childForFieldName('value') : null)), depth) };
      case 'dictionary_comprehension': {
        const body = node.childForFieldName('body');
        const v = body?.type === 'pair' ? body.childForFieldName('value') : null;
        return { k: 'map', value: v ? (this.typeOf(v, depth + 1) as STy) : UNKNOWN };
      }
      case 'subscript': {
        const base = this.typeOf(node.childForFieldName('value') ?? node, depth + 1);
        if (base.k === 'seq') return base.item.k === 'none' ? UNKNOWN : base.item;
        if (base.k === 'map') return base.value.k === 'none' ? UNKNOWN : base.value;
        if (base.k === 'tuple') {
          const i = node.childForFieldName('subscript');
          return i?.type === 'integer' && /^\d+$/.test(i.text) ? base.items[Number(i.text)] ?? UNKNOWN : joinTys(base.items as Ty[]);
        }
        return base.k === 'other' ? OTHER : UNKNOWN;
      }
      case 'conditional_expression': {
        const a = node.namedChild(0);
        const b = node.namedChild(2);
        return a && b ? joinTys([this.typeOf(a, depth + 1), this.typeOf(b, depth + 1)]) : UNKNOWN;
      }
      default:
        return LITERAL_TYPES.has(node.type) ? OTHER : UNKNOWN;
    }
  }

  /**
   * The type of the items of a container literal (`[a, b]`, `{k: v}` values): their join; a
   * container with `*rest`, `**more` or no item holds unknown items.
   */
  private itemsType(items: ReadonlyArray<Node | null>, depth: number): STy {
    const tys: Ty[] = [];
    for (const n of items) {
      if (!n || n.type === 'comment') continue;
      if (n.type === 'list_splat' || n.type === 'dictionary_splat') return UNKNOWN;
      tys.push(this.typeOf(n, depth + 1));
    }
    // No item: no evidence either way (`{}` filled later by `d[k] = v`); `none` until an item is taken.
    return tys.length ? (joinTys(tys) as STy) : NONE;
  }

  /**
   * What is stored into containers after they are made, by name: `d[k] = v`, `xs.append(v)`,
   * `xs.add(v)`, `d.setdefault(k, v)`, `xs.insert(i, v)`. Built once per file.
   */
  private containerWrites(): Map<string, Array<{ at: Node; value: Node }>> {
    if (this.writes) return this.writes;
    const writes = new Map<string, Array<{ at: Node; value: Node }>>();
    const add = (obj: Node | null | undefined, value: Node | null | undefined) => {
      if (obj?.type !== 'identifier' || !value) return;
      let l = writes.get(obj.text);
      if (!l) writes.set(obj.text, (l = []));
      l.push({ at: obj, value });
    };
    for (const a of this.idx.subscripts) {
      const parent = a.type === 'subscript' ? a.parent : null;
      if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === a.id) add(a.childForFieldName('value'), parent.childForFieldName('right'));
    }
    for (const call of this.idx.calls) {
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'attribute') continue;
      const method = fn.childForFieldName('attribute')?.text;
      if (method !== 'append' && method !== 'add' && method !== 'setdefault' && method !== 'insert') continue;
      const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((x): x is Node => !!x && x.type !== 'comment');
      add(fn.childForFieldName('object'), method === 'append' || method === 'add' ? args[0] : args[1]);
    }
    this.writes = writes;
    return writes;
  }

  /** A container bound to `name` (at `node`), with what is written into it afterwards. */
  private withWrites(t: Ty, node: Node, bindings: readonly Binding[], depth: number): Ty {
    if (t.k !== 'seq' && t.k !== 'map') return t;
    // What others may put into a container is out of view: a module-level one (other modules can
    // import it), or one handed to anything but its own item methods, iteration and `len`/`in`.
    const unknownItems: Ty = t.k === 'seq' ? { k: 'seq', item: UNKNOWN } : { k: 'map', value: UNKNOWN };
    const owner = bindings[0]?.node ? scopeOf(this.idx, bindings[0].node) : undefined;
    if (!owner || owner.kind === 'module' || owner.kind === 'class' || this.containerEscapes(node.text, bindings)) return unknownItems;
    const ws = this.containerWrites().get(node.text);
    if (!ws?.length) return t;
    const tys: Ty[] = [t.k === 'seq' ? (t.item as Ty) : (t.value as Ty)];
    for (const w of ws) {
      const same = lookup(this.idx, node.text, w.at);
      if (!same || same.bindings !== bindings) continue;
      tys.push(this.typeOf(w.value, depth + 1));
    }
    const item = joinTys(tys) as STy;
    return t.k === 'seq' ? { k: 'seq', item } : { k: 'map', value: item };
  }

  /** Whether the container bound to `name` (`bindings`) is used other than by its own item operations. */
  private containerEscapes(name: string, bindings: readonly Binding[]): boolean {
    for (const o of this.idx.identifiers.get(name) ?? []) {
      const ref = this.idx.tree.rootNode.descendantForIndex(o, o + name.length);
      if (!ref || ref.type !== 'identifier') return true;
      if (lookup(this.idx, name, ref)?.bindings !== bindings) continue; // another `name`
      if (bindings.some((b) => b.node?.id === ref.id)) continue; // the binding itself
      const p = ref.parent;
      if (!p) return true;
      if (p.type === 'subscript' && p.childForFieldName('value')?.id === ref.id) continue;
      if (p.type === 'attribute' && p.childForFieldName('object')?.id === ref.id && CONTAINER_METHODS.test(p.childForFieldName('attribute')?.text ?? '') && p.parent?.type === 'call') continue;
      if (p.type === 'for_statement' && p.childForFieldName('right')?.id === ref.id) continue;
      if (p.type === 'comparison_operator') continue; // `x in d`
      if (p.type === 'argument_list' && p.parent?.childForFieldName('function')?.text === 'len') continue;
      return true;
    }
    return false;
  }

  private typeOfName(node: Node, depth: number): Ty {
    const found = lookup(this.idx, node.text, node);
    const t = found ? this.withWrites(joinTys(found.bindings.map((b) => this.typeOfBinding(b, depth + 1))), node, found.bindings, depth) : UNKNOWN;
    if (t.k !== 'unknown' || !this.idx.text.includes('isinstance(')) return t;
    return this.narrowedByIsinstance(node, depth) ?? t;
  }

  /**
   * `if isinstance(x, anyio.abc.Event): await x.set()`: inside the `if` body (of the same
   * function), an otherwise unknown `x` has the checked type. Only asked for unknown names of files
   * that call `isinstance` (walking up the tree is not free).
   */
  private narrowedByIsinstance(node: Node, depth: number): Ty | undefined {
    let child: Node = node;
    for (let n = node.parent, i = 0; n && i < 40; child = n, n = n.parent, i++) {
      if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition' || n.type === 'module') return undefined;
      if (n.type !== 'if_statement' || n.childForFieldName('consequence')?.id !== child.id) continue;
      const conds: Node[] = [];
      const collect = (c: Node | null | undefined) => {
        if (!c) return;
        const u = unparen(c);
        if (u.type === 'boolean_operator' && u.childForFieldName('operator')?.text === 'and') {
          collect(u.childForFieldName('left'));
          collect(u.childForFieldName('right'));
        } else conds.push(u);
      };
      collect(n.childForFieldName('condition'));
      for (const c of conds) {
        if (c.type !== 'call' || c.childForFieldName('function')?.text !== 'isinstance') continue;
        const args = (c.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
        if (args.length !== 2 || args[0]!.text !== node.text) continue;
        const cls = unparen(args[1]!);
        const t = cls.type === 'tuple' ? joinTys(cls.namedChildren.filter((x): x is Node => !!x).map((x) => this.typeFromAnnotation(x, depth + 1))) : this.typeFromAnnotation(cls, depth + 1);
        if (t.k !== 'unknown') return t;
      }
    }
    return undefined;
  }

  typeOfBinding(b: Binding, depth: number): Ty {
    switch (b.kind) {
      case 'param':
      case 'assign':
      case 'walrus': {
        if (b.annotation) {
          const t = this.typeFromAnnotation(b.annotation, depth + 1);
          if (t.k !== 'unknown') return t;
        }
        if (b.kind === 'param') {
          if (b.value && unparen(b.value).type !== 'none') return this.typeOf(b.value, depth + 1);
          return this.selfParamType(b) ?? this.fixtureType(b, depth + 1) ?? this.callSiteType(b, depth + 1) ?? UNKNOWN;
        }
        if (!b.value) return UNKNOWN;
        let t = this.typeOf(b.value, depth + 1);
        for (const i of b.path ?? []) {
          if (t.k === 'tuple') t = t.items[i] ?? UNKNOWN;
          else if (this.project && Resolver.isProjectTy(t)) t = this.project.item(t, i);
          else if (t.k === 'unknown' || t.k === 'none') return UNKNOWN;
          else return t.k === 'other' ? OTHER : UNKNOWN;
        }
        return t;
      }
      case 'with': {
        if (!b.stmt) return UNKNOWN;
        let t = this.enterType(b.stmt, !!b.isAsync, depth + 1);
        for (const i of b.path ?? []) t = t.k === 'tuple' ? t.items[i] ?? UNKNOWN : this.project && Resolver.isProjectTy(t) ? this.project.item(t, i) : UNKNOWN;
        return t;
      }
      case 'import': {
        if (b.source && CLASS_NAMES.has(b.source)) return { k: 'class', q: b.source };
        // `import x.y`: a module. AnyIO's own functions and modules are not instances either.
        const q = this.absoluteSource(b);
        if (!q || b.stmt?.type === 'import_statement' || isAnyioName(q)) {
          if (q && b.stmt?.type === 'import_statement' && this.project) return this.project.valueOf(q) ?? OTHER;
          return q || !b.source?.startsWith('.') ? OTHER : UNKNOWN;
        }
        return this.typeOfForeignName(q);
      }
      case 'def':
      case 'class':
        return OTHER;
      case 'for': {
        // An item of the iterable: of a list/set/iterable literal or comprehension, a tuple's
        // items if they agree; a dict gives its keys (never AnyIO objects).
        if (!b.value) return UNKNOWN;
        const it = this.typeOf(b.value, depth + 1);
        let t: Ty = it.k === 'seq' ? (it.item as Ty) : it.k === 'tuple' ? joinTys(it.items as Ty[]) : it.k === 'map' ? OTHER : UNKNOWN;
        for (const i of b.path ?? []) t = t.k === 'tuple' ? (t.items[i] as Ty) ?? UNKNOWN : UNKNOWN;
        return t.k === 'none' ? UNKNOWN : t;
      }
      case 'except':
      case 'augassign':
      case 'del':
      case 'other':
      default:
        return UNKNOWN;
    }
  }

  /**
   * A parameter of a pytest test or fixture named like a fixture: what the fixture gives — one of
   * this module, else one of a `conftest.py` of the project.
   */
  private fixtureType(b: Binding, depth: number): Ty | undefined {
    if (!b.node || depth > MAX_DEPTH || !this.idx.text.includes('fixture')) return undefined;
    const fn = scopeOf(this.idx, b.node);
    if (fn.kind !== 'function' || !fn.name) return undefined;
    if (!/^test/.test(fn.name) && !isFixture(fn)) return undefined;
    for (const def of this.idx.module.bindings.get(b.name) ?? []) {
      const sc = def.kind === 'def' && def.def ? this.idx.scopes.get(def.def.id) : undefined;
      if (sc && isFixture(sc) && sc !== fn) return this.fixtureResult(sc, depth + 1);
    }
    const t = this.project?.fixture(b.name);
    return t && t.k !== 'unknown' ? t : undefined;
  }

  /** What a fixture function gives its users: what it yields, or what it returns (awaited for `async def`). */
  fixtureResult(fn: Scope, depth: number): Ty {
    const ys = fn.yieldValues ?? [];
    if (ys.length) return joinTys(ys.map((y) => this.typeOf(y, depth + 1)));
    if (fn.returns) return this.typeFromAnnotation(fn.returns, depth + 1);
    const rs = fn.returnValues ?? [];
    return rs.length ? joinTys(rs.map((r) => (r.type === 'return_statement' ? NONE : this.typeOf(r, depth + 1)))) : NONE;
  }

  /**
   * An unannotated parameter of a function every caller of which is in view: the type all its
   * call sites agree on. Callers are direct calls and the callables handed to a task group or a
   * thread (`tg.spawn(f, evt)`, `to_thread.run_sync(f, evt)`, `partial(f, evt)`); any other use of
   * the function (stored, returned, passed elsewhere) and it is unknown. A module-level function
   * another module may import is unknown too (its callers there are not in view).
   */
  private callSiteType(b: Binding, depth: number): Ty | undefined {
    if (b.paramIndex === undefined || !b.node || depth > MAX_DEPTH) return undefined;
    const fn = scopeOf(this.idx, b.node);
    if (fn.kind !== 'function' || !fn.name || fn.decorators?.length) return undefined;
    // A constructor's callers are the calls of its class (`S(tg)` binds `tg` to `__init__`'s
    // second parameter); any other method is called through instances the engine does not track.
    let callee: Scope = fn;
    let index = b.paramIndex;
    if (fn.parent?.kind === 'class') {
      if (index === 0) return undefined;
      // A private method (`_name`, not a dunder) is called through `obj._name(...)` in this file
      // only: its callers are the attribute references of that name.
      if (/^_[^_]|^_$/.test(fn.name) && !fn.name.endsWith('__')) return this.methodCallSiteType(fn, b, depth);
      if (fn.name !== '__init__' || !fn.parent.name) return undefined;
      callee = fn.parent;
      index -= 1;
    }
    const name = callee.name!;
    if (callee.parent?.kind === 'class') return undefined;
    const paramName = b.name;
    const tys: Ty[] = [];
    // A public module-level function or class: other modules may call it too. With the project
    // index, their calls are evidence like this file's; without it, nothing is known.
    // Without the index a private `_name` is taken to be called from this module only.
    if (callee.parent?.kind === 'module' && (this.project || !name.startsWith('_'))) {
      const ext = this.project?.externalArgs(name, index, paramName);
      if (!ext) return undefined;
      for (const t of ext) {
        if (t.k === 'unknown' || t.k === 'sym') return undefined;
        tys.push(t);
      }
    }
    const refs: Node[] = [];
    for (const o of this.idx.identifiers.get(name) ?? []) {
      if (o === callee.nameStart) continue;
      const ref = this.idx.tree.rootNode.descendantForIndex(o, o + name.length);
      if (!ref || ref.type !== 'identifier') return undefined;
      const found = lookup(this.idx, name, ref);
      if (found?.bindings.some((x) => x.def?.id === callee.node.id)) refs.push(ref); // else another `name`
    }
    return this.agreedArgument(refs, index, paramName, depth, tys);
  }

  /**
   * `callSiteType` for a private method: every `x._name` of the file is a call or handed to a
   * spawner. With the project index, a class another module subclasses or passes around (its
   * subclasses may call the method) gets nothing.
   */
  private methodCallSiteType(fn: Scope, b: Binding, depth: number): Ty | undefined {
    const cls = fn.parent;
    if (this.project && cls?.parent?.kind === 'module' && cls.name && this.project.externalArgs(cls.name, 0, '') === undefined) return undefined;
    const refs = this.idx.attributes.filter((a) => a.childForFieldName('attribute')?.text === fn.name);
    return this.agreedArgument(refs, b.paramIndex! - 1, b.name, depth);
  }

  /**
   * The type every reference in `refs` (to one callable) passes for its parameter `index`/
   * `paramName`, joined with `tys` (evidence from elsewhere); undefined when a reference is used
   * other than called or handed to a spawner (not every caller is in view), when an argument is of
   * unknown type, or when there is no evidence at all. A call that does not pass it (a default
   * applies) is no evidence.
   */
  private agreedArgument(refs: readonly Node[], index: number, paramName: string, depth: number, tys: Ty[] = []): Ty | undefined {
    for (const ref of refs) {
      const arg = this.argumentFor(ref, index, paramName);
      if (arg === undefined) return undefined;
      if (arg === null) continue;
      const t = this.typeOf(arg, depth + 1);
      if (t.k === 'unknown' || t.k === 'sym') return undefined;
      tys.push(t);
    }
    if (tys.length === 0) return undefined;
    const t = joinTys(tys);
    return t.k === 'unknown' ? undefined : t;
  }

  /**
   * For a reference to a function: the argument bound to its parameter `index`/`name` when the
   * reference is called or handed to a spawner; null when that call does not pass it; undefined
   * when the reference is used any other way.
   */
  private argumentFor(ref: Node, index: number, name: string): Node | null | undefined {
    const parent = ref.parent;
    if (!parent) return undefined;
    let call: Node | null = null;
    let shift = 0;
    if (parent.type === 'call' && parent.childForFieldName('function')?.id === ref.id) call = parent;
    else if (parent.type === 'argument_list' && parent.namedChild(0)?.id === ref.id && parent.parent?.type === 'call') {
      const outer = parent.parent;
      const callee = outer.childForFieldName('function');
      const calleeText = callee?.text.replace(/\s+/g, '') ?? '';
      if (!SPAWNER.test(calleeText)) return undefined;
      call = outer;
      shift = 1;
    } else return undefined;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
    if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
    const kw = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name);
    if (kw) return kw.childForFieldName('value');
    const positional = args.filter((a) => a.type !== 'keyword_argument');
    return positional[index + shift] ?? null;
  }

  /** `self` in a method: an instance of the enclosing class. */
  private selfParamType(b: Binding): Ty | undefined {
    if (b.paramIndex !== 0 || !b.node) return undefined;
    const fn = scopeOf(this.idx, b.node);
    if (fn.kind !== 'function' || fn.parent?.kind !== 'class' || !fn.parent.cls) return undefined;
    const decorated = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : undefined;
    if (decorated && /@\s*(staticmethod|classmethod)\b/.test(decorated.text.slice(0, fn.node.startIndex - decorated.startIndex))) return undefined;
    return { k: 'local', cls: fn.parent.cls };
  }

  private typeOfAttribute(node: Node, depth: number): Ty {
    const obj = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute');
    if (!obj || !attr) return UNKNOWN;
    const q = this.qualifiedOf(node);
    if (q && isAnyioName(q)) return CLASS_NAMES.has(q) ? { k: 'class', q } : OTHER;
    if (q && this.project) {
      const v = this.project.valueOf(q);
      if (v) return v;
    }
    const base = this.typeOf(obj, depth + 1);
    if (attr.text === 'cancel_scope' && (base.k === 'unknown' || (base.k === 'anyio' && base.cls === 'TaskGroup'))) {
      // `tg.cancel_scope` is recognisable even when `tg` is not proven (row C3).
      return this.idx.importsAnyio ? { k: 'anyio', cls: 'CancelScope' } : UNKNOWN;
    }
    if (base.k === 'local') return this.attrTypeOfClass(base.cls, attr.text, depth + 1);
    if (Resolver.isProjectTy(base)) return this.project ? this.project.attr(base, attr.text) : UNKNOWN;
    if (base.k === 'seq' || base.k === 'map') return OTHER; // a method of a list/set/dict
    // An attribute of a module: the standard library's are not AnyIO's, a third-party one's are unknown.
    if (q) return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
    if (base.k === 'other' || base.k === 'none') return OTHER;
    return UNKNOWN;
  }

  /** Type of `obj.attr` for an instance of a class defined in this file. */
  attrTypeOfClass(cls: ClassInfo, attr: string, depth: number): Ty {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const assigns = cls.attrs.get(attr);
    if (!assigns || assigns.length === 0) {
      const m = cls.methods.get(attr);
      if (m) return this.isProperty(m) ? this.functionResult(m, false, depth + 1) : OTHER;
      return this.inheritedAttr(cls, attr, depth + 1);
    }
    const tys: Ty[] = [];
    for (const a of assigns) {
      if (a.annotation) {
        const t = this.typeFromAnnotation(a.annotation, depth + 1);
        if (t.k !== 'unknown') {
          tys.push(t);
          continue;
        }
      }
      if (a.enter) {
        let t = this.enterType(a.enter.cm, a.enter.isAsync, depth + 1);
        for (const i of a.path ?? []) t = t.k === 'tuple' ? t.items[i] ?? UNKNOWN : UNKNOWN;
        tys.push(t);
      } else if (a.value) {
        let t = this.typeFromClassValue(a.value, depth + 1);
        for (const i of a.path ?? []) t = t.k === 'tuple' ? t.items[i] ?? UNKNOWN : UNKNOWN;
        tys.push(t);
      } else if (!a.annotation) tys.push(UNKNOWN);
    }
    // Only ever `None` where the engine can see: it is set somewhere it cannot (a caller, a
    // `setattr`), so nothing is proven — never "not AnyIO" (`await self._tg.spawn()` is no miss).
    const t = joinTys(tys);
    return t.k === 'none' ? UNKNOWN : t;
  }

  /** An attribute the class does not set itself: its bases' (this file's classes or the project's). */
  private inheritedAttr(cls: ClassInfo, attr: string, depth: number): Ty {
    if (depth > MAX_DEPTH) return UNKNOWN;
    for (const base of cls.superclasses) {
      const b = unparen(base);
      if (b.type === 'identifier') {
        const found = lookup(this.idx, b.text, b);
        const def = found?.bindings.length === 1 && found.bindings[0]!.kind === 'class' ? found.bindings[0]!.def : undefined;
        const local = def ? this.idx.classes.find((c) => c.node.id === def.id) : undefined;
        if (local && local !== cls) {
          const t = this.attrTypeOfClass(local, attr, depth + 1);
          if (t.k !== 'unknown') return t;
          continue;
        }
      }
      const bt = this.typeOf(b, depth + 1);
      if (this.project && (bt.k === 'pclass' || bt.k === 'sym')) {
        const t = this.project.attr(this.project.call(bt, false), attr);
        if (t.k !== 'unknown') return t;
      }
    }
    return UNKNOWN;
  }

  private isProperty(fn: Scope): boolean {
    return (fn.decorators ?? []).some((d) => PROPERTY_DECORATOR.test(d.text.replace(/\s+/g, '')));
  }

  /**
   * What calling the function `fn` of this file gives (`awaited`: what awaiting the call gives):
   * a context manager for `@asynccontextmanager`/`@contextmanager` generators (binding what they
   * yield), the return annotation, else what its `return` statements return.
   */
  functionResult(fn: Scope, awaited: boolean, depth: number): Ty {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const decorators = (fn.decorators ?? []).map((d) => d.text.replace(/\s+/g, ''));
    if (decorators.some((d) => CM_DECORATOR.test(d))) {
      if (awaited) return UNKNOWN;
      const ys = fn.yieldValues ?? [];
      // A class of this file may be what it yields: kept as is, summaries turn it into `pinst`.
      return { k: 'cm', enter: (ys.length ? joinTys(ys.map((y) => this.typeOf(y, depth + 1))) : NONE) as STy };
    }
    // Any other decorator may replace the function: nothing is proven about the call.
    if (decorators.some((d) => !PROPERTY_DECORATOR.test(d) && !/(^|\.)(staticmethod|classmethod|abstractmethod|override|wraps\(.*\))$/.test(d))) return UNKNOWN;
    if (fn.isAsync && !awaited) return OTHER; // a coroutine
    if (!fn.isAsync && awaited) return UNKNOWN;
    if (fn.yieldValues?.length) return OTHER; // a generator
    if (fn.returns) return this.typeFromAnnotation(fn.returns, depth + 1);
    const rs = fn.returnValues ?? [];
    if (rs.length === 0) return NONE;
    return joinTys(rs.map((r) => (r.type === 'return_statement' ? NONE : this.typeOf(r, depth + 1))));
  }

  /**
   * A class-level value: `field(default_factory=anyio.create_event)` (dataclasses, pydantic),
   * `attr.ib(factory=...)`, `attrs.field(default=attr.Factory(...))` give an instance of what the
   * factory makes.
   */
  private typeFromClassValue(value: Node, depth: number): Ty {
    const v = unparen(value);
    if (v.type === 'call') {
      const fq = this.qualifiedOf(v.childForFieldName('function') ?? v);
      if (fq && /(^|\.)(Factory)$/.test(fq) && /^attrs?\./.test(fq)) return this.factoryResult(v.childForFieldName('arguments')?.namedChild(0) ?? undefined, depth);
      const args = v.childForFieldName('arguments');
      for (const a of args?.namedChildren ?? []) {
        if (a?.type !== 'keyword_argument') continue;
        const name = a.childForFieldName('name')?.text;
        const f = a.childForFieldName('value');
        if (!f) continue;
        if (name === 'default_factory' || name === 'factory') return this.factoryResult(f, depth);
        if (name === 'default') {
          const d = unparen(f);
          const dq = d.type === 'call' ? this.qualifiedOf(d.childForFieldName('function') ?? d) : undefined;
          if (dq && /^attrs?\.Factory$/.test(dq)) return this.factoryResult(d.childForFieldName('arguments')?.namedChild(0) ?? undefined, depth);
        }
      }
      // `attr.ib()` / `field()` / `Field()` without a factory: the value is set by the constructor.
      if (fq && /^(attr\.ib|attr\.attrib|attrs\.field|attr\.field|dataclasses\.field|pydantic\.Field|pydantic\.fields\.Field)$/.test(fq)) return UNKNOWN;
    }
    return this.typeOf(v, depth);
  }

  /** The instance a factory (`anyio.create_event`, `anyio.Event`, a lambda returning one) makes. */
  private factoryResult(f: Node | undefined, depth: number): Ty {
    if (!f) return UNKNOWN;
    const n = unparen(f);
    if (n.type === 'lambda') {
      const body = n.childForFieldName('body');
      return body ? this.typeOf(body, depth + 1) : UNKNOWN;
    }
    const q = this.qualifiedOf(n);
    const r = q ? CALL_RESULTS.get(q) : undefined;
    if (r?.instance && r.instance !== 'cm' && r.instance !== 'portal-cm' && r.instance !== 'memory-stream-pair') return { k: 'anyio', cls: r.instance };
    if (r || (q && isAnyioName(q))) return UNKNOWN;
    if (n.type === 'identifier') {
      const found = lookup(this.idx, n.text, n);
      if (!found) return OTHER; // a builtin: list, dict, set...
      const b = found.bindings.length === 1 ? found.bindings[0]! : undefined;
      if (b?.kind === 'class' && b.def) {
        const cls = this.idx.classes.find((c) => c.node.id === b.def!.id);
        return cls ? { k: 'local', cls } : UNKNOWN;
      }
      if (b?.kind === 'def' && b.def) {
        const sc = this.idx.scopes.get(b.def.id);
        return sc ? this.functionResult(sc, false, depth + 1) : UNKNOWN;
      }
    }
    const t = this.typeOf(n, depth + 1);
    if (t.k === 'pclass' || t.k === 'pfunc' || t.k === 'sym') return this.project ? this.project.call(t, false) : UNKNOWN;
    if (q) return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
    return t.k === 'other' ? OTHER : UNKNOWN;
  }

  private typeOfCall(node: Node, depth: number): Ty {
    const fn = node.childForFieldName('function');
    if (!fn) return UNKNOWN;
    const f = unparen(fn);
    const q = this.qualifiedOf(f);
    if (q !== undefined) {
      const r = anyioCallResult(q);
      if (r) return r;
      if (isAnyioName(q)) return UNKNOWN;
      // The project's own function or class; the standard library's are not AnyIO; anything
      // else is a call into a library we cannot see: unknown, never "proven not AnyIO".
      const v = this.project?.valueOf(q);
      if (v) return this.project!.call(v, false);
      return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
    }
    // A class defined in this file, or a function with a return annotation.
    const ret = this.returnTypeOfCallee(node, depth, false);
    if (ret) return ret;
    if (this.project) {
      const callee = this.typeOf(f, depth + 1);
      if (Resolver.isProjectTy(callee)) return this.project.call(callee, false);
    }
    if (f.type === 'identifier') {
      const found = lookup(this.idx, f.text, f);
      if (!found) return OTHER; // a builtin (dict(), list(), ...)
    }
    return UNKNOWN;
  }

  /** Instance type for `C()` (local class) or the result of a local function/method (`awaited`: of `await f()`). */
  private returnTypeOfCallee(call: Node, depth: number, awaited: boolean): Ty | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    const f = unparen(fn);
    if (f.type === 'identifier') {
      const found = lookup(this.idx, f.text, f);
      if (!found) return undefined;
      const tys: Ty[] = [];
      for (const b of found.bindings) {
        if (b.kind === 'class' && b.def) {
          const cls = this.idx.classes.find((c) => c.node.id === b.def!.id);
          tys.push(cls && !awaited ? { k: 'local', cls } : UNKNOWN);
        } else if (b.kind === 'def' && b.def) {
          const s = this.idx.scopes.get(b.def.id);
          tys.push(s ? this.functionResult(s, awaited, depth + 1) : UNKNOWN);
        } else return undefined;
      }
      return tys.length ? joinTys(tys) : undefined;
    }
    if (f.type === 'attribute') {
      const obj = f.childForFieldName('object');
      const attr = f.childForFieldName('attribute');
      if (!obj || !attr) return undefined;
      const base = this.typeOf(obj, depth + 1);
      if (base.k === 'local') {
        const m = base.cls.methods.get(attr.text);
        if (m) return this.isProperty(m) ? UNKNOWN : this.functionResult(m, awaited, depth + 1);
      }
      // Taking an item out of a container: `events.pop()`, `flags.get("ready")`.
      if (!awaited && base.k === 'seq' && attr.text === 'pop') return base.item.k === 'none' ? UNKNOWN : base.item;
      if (!awaited && base.k === 'map' && /^(get|pop|setdefault)$/.test(attr.text)) return base.value.k === 'none' ? UNKNOWN : base.value;
    }
    return undefined;
  }

  /** What `with <cm> as x` / `async with <cm> as x` binds to `x`. */
  enterType(cm: Node, _isAsync: boolean, depth: number): Ty {
    const node = unparen(cm);
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      const q = fn ? this.qualifiedOf(fn) : undefined;
      if (q !== undefined) {
        const r = CALL_RESULTS.get(q);
        if (r?.enter) return { k: 'anyio', cls: r.enter };
        if (r?.instance && r.instance !== 'cm' && r.instance !== 'portal-cm' && r.instance !== 'memory-stream-pair') {
          // `async with lock:` binds None; streams and task groups bind themselves.
          return r.instance === 'TaskGroup' || r.instance === 'BlockingPortal' ? { k: 'anyio', cls: r.instance } : OTHER;
        }
        if (isAnyioName(q)) return UNKNOWN;
        const v = this.project?.valueOf(q);
        if (v) return this.project!.enter(this.project!.call(v, false));
        return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
      }
    }
    const t = this.typeOf(node, depth + 1);
    if (t.k === 'cm') return t.enter;
    if (this.project && Resolver.isProjectTy(t)) return this.project.enter(t);
    if (t.k === 'local') {
      const m = t.cls.methods.get(_isAsync ? '__aenter__' : '__enter__');
      return m ? this.functionResult(m, _isAsync, depth + 1) : UNKNOWN;
    }
    if (t.k === 'anyio') {
      if (t.cls === 'TaskGroup' || t.cls === 'CancelScope' || t.cls === 'BlockingPortal') return t;
      if (t.cls === 'MemoryObjectSendStream' || t.cls === 'MemoryObjectReceiveStream') return t;
      return OTHER;
    }
    return UNKNOWN;
  }

  /** An annotation expression → the instance type it declares. */
  typeFromAnnotation(ann: Node, depth = 0, anchor?: Node): Ty {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const node = unparen(ann.type === 'type' ? ann.namedChild(0) ?? ann : ann);
    const at = anchor ?? node;
    switch (node.type) {
      case 'none':
        return NONE;
      case 'string': {
        const content = node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
        const parsed = this.parseStringAnnotation(content);
        return parsed ? this.typeFromAnnotation(parsed, depth + 1, at) : UNKNOWN;
      }
      case 'identifier':
      case 'attribute': {
        if (node.type === 'identifier' && node.text === 'None') return NONE;
        const q = this.qualifiedOf(node, 0, anchor);
        if (q) {
          const cls = CLASS_NAMES.get(q);
          if (cls) return { k: 'anyio', cls };
          const v = isAnyioName(q) ? undefined : this.project?.valueOf(q);
          if (v?.k === 'pclass') return { k: 'pinst', q: v.q };
          if (v?.k === 'class' && CLASS_NAMES.has(v.q)) return { k: 'anyio', cls: CLASS_NAMES.get(v.q)! };
          if (v?.k === 'sym') return this.project!.call(v, false);
          return OTHER;
        }
        if (node.type === 'identifier') {
          const found = lookup(this.idx, node.text, at);
          const b = found?.bindings.find((x) => x.kind === 'class' && x.def);
          if (b && found!.bindings.length === 1) {
            const cls = this.idx.classes.find((c) => c.node.id === b.def!.id);
            if (cls) return { k: 'local', cls };
          }
          if (!found && /^(int|str|float|bool|bytes|object|list|dict|set|tuple)$/.test(node.text)) return OTHER;
        }
        return UNKNOWN;
      }
      case 'generic_type':
      case 'subscript': {
        const base = node.type === 'subscript' ? node.childForFieldName('value') : node.namedChild(0);
        if (!base) return UNKNOWN;
        const args =
          node.type === 'subscript'
            ? (node.childrenForFieldName('subscript').filter(Boolean) as Node[])
            : ((node.namedChild(1)?.namedChildren ?? []).filter(Boolean) as Node[]);
        const baseText = base.text.replace(/^typing\./, '').replace(/^t\./, '');
        if (baseText === 'Optional' && args.length === 1) {
          const t = this.typeFromAnnotation(args[0]!, depth + 1, anchor);
          return t.k === 'none' ? UNKNOWN : t;
        }
        if (baseText === 'Union') return joinTys(args.map((a) => this.typeFromAnnotation(a, depth + 1, anchor)));
        if (baseText === 'Annotated' && args.length) return this.typeFromAnnotation(args[0]!, depth + 1, anchor);
        if (baseText === 'ClassVar' || baseText === 'Final') return args.length ? this.typeFromAnnotation(args[0]!, depth + 1, anchor) : UNKNOWN;
        return this.typeFromAnnotation(base, depth + 1, anchor);
      }
      case 'binary_operator': {
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        if (!l || !r || node.childForFieldName('operator')?.type !== '|') return UNKNOWN;
        return joinTys([this.typeFromAnnotation(l, depth + 1, anchor), this.typeFromAnnotation(r, depth + 1, anchor)]);
      }
      default:
        return UNKNOWN;
    }
  }

  /**
   * Parse the text of a string annotation (`"Optional[anyio.Event]"`) into an expression node.
   * Offsets in the result are relative to the start of `content`; resolve names in it with the
   * string node as `anchor`.
   */
  parseStringAnnotation(content: string): Node | undefined {
    if (this.stringAnnCache.has(content)) return this.stringAnnCache.get(content);
    let result: Node | undefined;
    if (content.length < 500 && !/[\n\r\\]/.test(content)) {
      const tree = parse(content);
      this.ownTrees.push(tree);
      const stmt = tree.rootNode.namedChild(0);
      if (!tree.rootNode.hasError && stmt?.type === 'expression_statement' && stmt.namedChildCount === 1) {
        result = stmt.namedChild(0) ?? undefined;
      }
    }
    this.stringAnnCache.set(content, result);
    return result;
  }

  /** Free the trees parsed for string annotations. The resolver must not be used afterwards. */
  dispose(): void {
    for (const t of this.ownTrees) t.delete();
    this.ownTrees.length = 0;
    this.stringAnnCache.clear();
  }

  // ------------------------------------------------------------------ spelling names

  /** Names bound anywhere in the module scope or visible at `site`. */
  private isNameTaken(name: string, site: Node, exclude?: Node): boolean {
    const live = (bs: readonly Binding[] | undefined) => (bs ?? []).some((b) => !inside(b, exclude));
    if (live(this.idx.module.bindings.get(name))) return true;
    return live(lookup(this.idx, name, site)?.bindings);
  }

  /**
   * How to write the qualified AnyIO name `target` (e.g. `anyio.Event`, `anyio.to_thread.run_sync`)
   * at `site`, re-using what the file already imports. `preferFromImport` keeps the style of a site
   * that used a from-imported bare name.
   */
  spell(target: string, site: Node, preferFromImport: boolean, exclude?: Node): NameSpelling {
    const parts = target.split('.');
    // 1. Something already bound to the object itself or to a submodule holding it.
    for (let i = parts.length; i >= 2; i--) {
      const local = this.boundNameFor(parts.slice(0, i).join('.'), site, exclude);
      if (local) return { text: [local, ...parts.slice(i)].join('.'), imports: [] };
    }
    const mod = parts[0]!;
    const first = parts[1];
    if (!first) return { text: target, imports: [] };
    const anyioAlias = this.boundNameFor(mod, site);
    const viaAlias = anyioAlias ? { text: [anyioAlias, ...parts.slice(1)].join('.'), imports: [] } : undefined;
    const viaFrom = !this.isNameTaken(first, site, exclude)
      ? { text: [first, ...parts.slice(2)].join('.'), imports: [{ module: mod, name: first }] }
      : undefined;
    // 2. Keep the site's style: a bare from-imported name gets a from-import, `anyio.x` stays dotted.
    const best = preferFromImport ? viaFrom ?? viaAlias : viaAlias ?? viaFrom;
    if (best) return best;
    // 3. Both spellings are taken: import under a fresh alias.
    let alias = `anyio_${first}`;
    for (let n = 2; this.isNameTaken(alias, site, exclude); n++) alias = `anyio_${first}_${n}`;
    return { text: [alias, ...parts.slice(2)].join('.'), imports: [{ module: mod, name: first, asName: alias }] };
  }

  /**
   * Import bindings of `scope` by the qualified name they bind (`anyio.Event` → the names bound to
   * it, in binding order). Built once per scope and analysis, so spelling a name costs a map lookup
   * per enclosing scope instead of a scan of every module-level name (8,000 fixes: 21 s → linear).
   */
  private importsBySource(scope: Scope): Map<string, Array<{ name: string; b: Binding }>> {
    let bySource = this.importIndex.get(scope);
    if (!bySource) {
      bySource = new Map();
      for (const [name, bs] of scope.bindings) {
        for (const b of bs) {
          if (b.kind !== 'import' || b.source === undefined) continue;
          // A cross-version try/except import goes away with ASY603 in the same round as the
          // spelling that would re-use it (the name then means nothing): never a candidate.
          if (this.inCompatTry(b)) continue;
          let list = bySource.get(b.source);
          if (!list) bySource.set(b.source, (list = []));
          list.push({ name, b });
        }
      }
      this.importIndex.set(scope, bySource);
    }
    return bySource;
  }

  /**
   * Whether the import binding `b` is made by a module-level cross-version try/except import (the
   * statements ASY603 deletes), in its body or its handler.
   */
  private inCompatTry(b: Binding): boolean {
    const block = b.stmt?.parent;
    const owner = block?.type === 'block' ? block.parent : undefined;
    const t = owner?.type === 'try_statement' ? owner : owner?.type === 'except_clause' ? owner.parent : undefined;
    if (!t || t.type !== 'try_statement' || t.parent?.type !== 'module') return false;
    let compat = this.compatTryCache.get(t.id);
    if (compat === undefined) this.compatTryCache.set(t.id, (compat = !!asCompatTry(t)));
    return compat;
  }

  /**
   * With the statement `exclude` about to be removed: whether every binding of `name` visible at
   * `site` and made outside it is an import of exactly `q`.
   */
  private liveBindingsAre(name: string, q: string, site: Node, exclude: Node): boolean {
    const live = (lookup(this.idx, name, site)?.bindings ?? []).filter((b) => !inside(b, exclude));
    return live.length > 0 && live.every((b) => b.kind === 'import' && b.source === q);
  }

  /** A name visible at `site` that refers exactly to the qualified `q` (a module or an object). */
  private boundNameFor(q: string, site: Node, exclude?: Node): string | undefined {
    // Module-level imports first, then function-local imports visible at the site; the first
    // candidate that qualifies wins, so the scan stops there.
    const scopes: Scope[] = [this.idx.module];
    for (let s: Scope | undefined = scopeOf(this.idx, site); s && s.kind !== 'module'; s = s.parent) scopes.push(s);
    for (const scope of scopes) {
      for (const c of this.importsBySource(scope).get(q) ?? []) {
        workCounters.boundNameCandidates++;
        if (inside(c.b, exclude)) continue;
        if (exclude && this.liveBindingsAre(c.name, q, site, exclude)) return c.name;
        // `import anyio.abc` binds `anyio` to the package: usable for any `anyio.*` target.
        if (this.qualifiedOfName(c.name, site) === q) return c.name;
      }
    }
    return undefined;
  }
}
