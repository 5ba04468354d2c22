/**
 * Name resolution: what an expression refers to (`anyio.create_event`), what type a receiver has
 * (an AnyIO `Event`, a local class, something else, or unknown), and how to spell a qualified
 * AnyIO name at a given place in the file (re-using imports, adding one when needed).
 *
 * This module holds the resolver (qualified names, expression and binding types) and is the entry
 * of the `resolve/` modules: the type lattice (`ty`), containers, parameters (fixtures, call-site
 * agreement), calls, the attribute/class model (`members`), annotations and spelling.
 */
import type { Node, Tree } from './parser';
import { parse } from './parser';
import { ANYIO_MODULES, CLASS_NAMES } from './anyio-api';
import { type Binding, type ClassInfo, type FileIndex, type Scope, isAnyioName, lookup, unparen } from './scopes';
import type { ProjectHook, STy } from './semantic/types';
import { isKnownNotAnyio } from './semantic/known';
import { isProjectTy, joinTys, LITERAL_TYPES, MAX_DEPTH, NONE, OTHER, type Ty, UNKNOWN } from './resolve/ty';
import { itemsType, withWrites } from './resolve/containers';
import { callSiteType, fixtureResult, fixtureType, selfParamType } from './resolve/params';
import { enterType, functionResult, returnTypeOfCallee, typeOfCall } from './resolve/calls';
import { attrTypeOfClass, typeOfAttribute } from './resolve/members';
import { narrowedByIsinstance, typeFromAnnotation } from './resolve/annotations';
import { type NameSpelling, Speller } from './resolve/spelling';

export { anyioCallResult, CM_DECORATOR, FIXTURE_DECORATOR, isFixture, joinTys, PROPERTY_DECORATOR, sameTy, type Ty } from './resolve/ty';
export type { NameSpelling } from './resolve/spelling';

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

export class Resolver {
  private readonly qualCache = new Map<number, string | undefined>();
  private readonly tyCache = new Map<number, Ty>();
  private readonly stringAnnCache = new Map<string, Node | undefined>();
  private readonly ownTrees: Tree[] = [];
  private readonly speller = new Speller(this);

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
        return typeOfAttribute(this, node, depth);
      case 'call':
        return typeOfCall(this, node, depth);
      case 'await': {
        const inner = node.namedChild(0);
        if (!inner) return UNKNOWN;
        const call = unparen(inner);
        if (call.type === 'call') {
          const ret = returnTypeOfCallee(this, call, depth, true);
          if (ret) return ret;
          const fn = call.childForFieldName('function');
          if (fn && this.project) {
            const callee = this.typeOf(fn, depth + 1);
            if (isProjectTy(callee)) return this.project.call(callee, true);
          }
        }
        return UNKNOWN;
      }
      case 'list':
      case 'set':
        return { k: 'seq', item: itemsType(this, node.namedChildren, depth) };
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression': {
        const body = node.childForFieldName('body');
        return { k: 'seq', item: body ? (this.typeOf(body, depth + 1) as STy) : UNKNOWN };
      }
      case 'dictionary':
        return {
          k: 'map',
          value: itemsType(
            this,
            node.namedChildren.map((p) => (p?.type === 'pair' ? p.childForFieldName('value') : null)),
            depth,
          ),
        };
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
          return i?.type === 'integer' && /^\d+$/.test(i.text) ? (base.items[Number(i.text)] ?? UNKNOWN) : joinTys(base.items as Ty[]);
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

  private typeOfName(node: Node, depth: number): Ty {
    const found = lookup(this.idx, node.text, node);
    const t = found ? withWrites(this, joinTys(found.bindings.map((b) => this.typeOfBinding(b, depth + 1))), node, found.bindings, depth) : UNKNOWN;
    if (t.k !== 'unknown' || !this.idx.text.includes('isinstance(')) return t;
    return narrowedByIsinstance(this, node, depth) ?? t;
  }

  typeOfBinding(b: Binding, depth: number): Ty {
    switch (b.kind) {
      case 'param':
      case 'assign':
      case 'walrus': {
        if (b.annotation) {
          const t = typeFromAnnotation(this, b.annotation, depth + 1);
          if (t.k !== 'unknown') return t;
        }
        if (b.kind === 'param') {
          if (b.value && unparen(b.value).type !== 'none') return this.typeOf(b.value, depth + 1);
          return selfParamType(this, b) ?? fixtureType(this, b, depth + 1) ?? callSiteType(this, b, depth + 1) ?? UNKNOWN;
        }
        if (!b.value) return UNKNOWN;
        let t = this.typeOf(b.value, depth + 1);
        for (const i of b.path ?? []) {
          if (t.k === 'tuple') t = t.items[i] ?? UNKNOWN;
          else if (this.project && isProjectTy(t)) t = this.project.item(t, i);
          else if (t.k === 'unknown' || t.k === 'none') return UNKNOWN;
          else return t.k === 'other' ? OTHER : UNKNOWN;
        }
        return t;
      }
      case 'with': {
        if (!b.stmt) return UNKNOWN;
        let t = enterType(this, b.stmt, !!b.isAsync, depth + 1);
        for (const i of b.path ?? []) t = t.k === 'tuple' ? (t.items[i] ?? UNKNOWN) : this.project && isProjectTy(t) ? this.project.item(t, i) : UNKNOWN;
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
        for (const i of b.path ?? []) t = t.k === 'tuple' ? ((t.items[i] as Ty) ?? UNKNOWN) : UNKNOWN;
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

  /** Type of `obj.attr` for an instance of a class defined in this file. */
  attrTypeOfClass(cls: ClassInfo, attr: string, depth: number): Ty {
    return attrTypeOfClass(this, cls, attr, depth);
  }

  /** What a fixture function gives its users: what it yields, or what it returns (awaited for `async def`). */
  fixtureResult(fn: Scope, depth: number): Ty {
    return fixtureResult(this, fn, depth);
  }

  /** What calling the function `fn` of this file gives (`awaited`: what awaiting the call gives). */
  functionResult(fn: Scope, awaited: boolean, depth: number): Ty {
    return functionResult(this, fn, awaited, depth);
  }

  /** What `with <cm> as x` / `async with <cm> as x` binds to `x`. */
  enterType(cm: Node, isAsync: boolean, depth: number): Ty {
    return enterType(this, cm, isAsync, depth);
  }

  /** An annotation expression → the instance type it declares. */
  typeFromAnnotation(ann: Node, depth = 0, anchor?: Node): Ty {
    return typeFromAnnotation(this, ann, depth, anchor);
  }

  // ------------------------------------------------------------------ spelling names

  /**
   * How to write the qualified AnyIO name `target` (e.g. `anyio.Event`, `anyio.to_thread.run_sync`)
   * at `site`, re-using what the file already imports. `preferFromImport` keeps the style of a site
   * that used a from-imported bare name.
   */
  spell(target: string, site: Node, preferFromImport: boolean, exclude?: Node): NameSpelling {
    return this.speller.spell(target, site, preferFromImport, exclude);
  }
}
