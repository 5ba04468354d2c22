/**
 * One walk over a parsed module that records what the rules and the name resolver need:
 * scopes (module, class, function, lambda) with every name each one binds, the classes and their
 * methods and `self.` attributes, and the nodes the rules look at (await, call, with, imports...).
 * Everything is positional and syntactic; meaning is given to it by `resolve.ts`.
 */
import type { Node, Tree } from './parser';
import { partitionPoint } from './bisect';
import { workCounters } from './work';

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda';

export type BindingKind =
  | 'import'
  | 'assign'
  | 'param'
  | 'def'
  | 'class'
  | 'for'
  | 'with'
  | 'except'
  | 'walrus'
  | 'augassign'
  | 'del'
  | 'other';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The identifier that is bound (absent for synthetic bindings). */
  node?: Node;
  /** Right-hand side for assignments, the default for parameters. */
  value?: Node;
  /** Annotation (`type` node's content) for annotated assignments and parameters. */
  annotation?: Node;
  /** Index path into `value` for tuple unpacking (`a, (b, c) = ...`). */
  path?: number[];
  /** For imports: the qualified name bound (`anyio`, `anyio.create_event`, `os`). */
  source?: string;
  /** For `import a.b.c`: the whole module imported (`source` is `a`, the name bound). */
  imported?: string;
  /** For imports: the import statement. For with-targets: the with_item's context expression. */
  stmt?: Node;
  /** For with-targets: whether the `with` is `async with`. */
  isAsync?: boolean;
  /** For parameters: position in the parameter list (0 = first). */
  paramIndex?: number;
  /** For `def`/`class`: the definition node. */
  def?: Node;
}

export interface Scope {
  kind: ScopeKind;
  node: Node;
  /** The scope node's range and its name's start (-1 if none), kept as numbers: no tree queries. */
  start: number;
  end: number;
  nameStart: number;
  /** Nested scopes, in source order. */
  children: Scope[];
  parent?: Scope;
  name?: string;
  bindings: Map<string, Binding[]>;
  globals: Set<string>;
  nonlocals: Set<string>;
  /** For a class scope: the class's record. */
  cls?: ClassInfo;
  /** For function scopes: whether it is `async def`. */
  isAsync?: boolean;
  /** For function scopes: the first parameter's name (`self`/`cls` in methods). */
  firstParam?: string;
  /** For function scopes: the return annotation. */
  returns?: Node;
  /** For function scopes: the decorators' expressions (`property`, `contextlib.asynccontextmanager`). */
  decorators?: Node[];
  /** For function scopes: the values of its `return` statements (the `return_statement` itself for a bare `return`). */
  returnValues?: Node[];
  /** For function scopes: the values of its `yield` expressions. */
  yieldValues?: Node[];
}

export interface AttrAssignment {
  value?: Node;
  annotation?: Node;
  path?: number[];
  /** `with cm as self.x`: the context expression (what `x` is bound to is what `cm` enters). */
  enter?: { cm: Node; isAsync: boolean };
}

export interface ClassInfo {
  name: string;
  node: Node;
  scope: Scope;
  /** Method name → its function scope. */
  methods: Map<string, Scope>;
  /** `self.attr = ...` anywhere in the class's methods, and class-level `attr: T = ...`. */
  attrs: Map<string, AttrAssignment[]>;
  superclasses: Node[];
}

export interface ImportInfo {
  stmt: Node;
  /** True when the statement is directly in the module body (not in a function, try or if). */
  topLevel: boolean;
  scope: Scope;
}

export interface FileIndex {
  tree: Tree;
  text: string;
  module: Scope;
  scopes: Map<number, Scope>;
  classes: ClassInfo[];
  imports: ImportInfo[];
  awaits: Node[];
  calls: Node[];
  withs: Node[];
  attributes: Node[];
  subscripts: Node[];
  strings: Node[];
  /** Identifier text → start offsets of every identifier with that text. */
  identifiers: Map<string, number[]>;
  /** Method names defined as `async def` by classes of this file (look-alike guard). */
  asyncMethodNames: Set<string>;
  /** Method names defined by classes of this file (sync or async). */
  methodNames: Set<string>;
  /** Whether any import in the file refers to anyio. */
  importsAnyio: boolean;
}

export function isAnyioName(q: string | undefined): boolean {
  return q !== undefined && (q === 'anyio' || q.startsWith('anyio.'));
}

/** Strip `(...)` around an expression. */
export function unparen(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    // Comments and backslash continuations inside the parentheses are named children too.
    const inner = n.namedChildren.filter((c) => c && c.type !== 'comment' && c.type !== 'line_continuation');
    if (inner.length !== 1) break;
    n = inner[0]!;
  }
  return n;
}

/**
 * A scope's names. Iterating over all of them is counted in `workCounters.bindingsScanned` (one per
 * name visited): a scan of every name per finding or per fix shows up as quadratic in scale tests.
 */
class BindingMap extends Map<string, Binding[]> {
  override *[Symbol.iterator](): MapIterator<[string, Binding[]]> {
    for (const e of super.entries()) {
      workCounters.bindingsScanned++;
      yield e;
    }
  }
  override entries(): MapIterator<[string, Binding[]]> {
    return this[Symbol.iterator]();
  }
  override *values(): MapIterator<Binding[]> {
    for (const v of super.values()) {
      workCounters.bindingsScanned++;
      yield v;
    }
  }
  override *keys(): MapIterator<string> {
    for (const k of super.keys()) {
      workCounters.bindingsScanned++;
      yield k;
    }
  }
  override forEach(fn: (value: Binding[], key: string, map: Map<string, Binding[]>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }
}

function addBinding(scope: Scope, b: Binding): void {
  let list = scope.bindings.get(b.name);
  if (!list) scope.bindings.set(b.name, (list = []));
  list.push(b);
}

/** The scope a name bound at `scope` actually lands in (honours `global`/`nonlocal`). */
function bindingScope(scope: Scope, name: string, module: Scope): Scope {
  if (scope.globals.has(name)) return module;
  if (scope.nonlocals.has(name)) {
    for (let s = scope.parent; s; s = s.parent) if (s.kind !== 'class' && s.bindings.has(name)) return s;
  }
  return scope;
}

/**
 * Index `tree`. `skipBlocks`: start offsets of function bodies (their `block` nodes) not to walk —
 * the incremental analysis skips bodies that did not change and bind nothing outside themselves.
 */
export function buildIndex(tree: Tree, text: string, skipBlocks?: ReadonlySet<number>): FileIndex {
  const root = tree.rootNode;
  const module: Scope = { kind: 'module', node: root, start: 0, end: text.length, nameStart: -1, children: [], bindings: new BindingMap(), globals: new Set(), nonlocals: new Set() };
  const newScope = (kind: ScopeKind, node: Node, parent: Scope, nameNode: Node | null, extra: Partial<Scope> = {}): Scope => {
    const sc: Scope = { kind, node, start: node.startIndex, end: node.endIndex, nameStart: nameNode ? nameNode.startIndex : -1, children: [], parent, bindings: new BindingMap(), globals: new Set(), nonlocals: new Set(), ...extra };
    parent.children.push(sc);
    return sc;
  };
  const idx: FileIndex = {
    tree,
    text,
    module,
    scopes: new Map([[root.id, module]]),
    classes: [],
    imports: [],
    awaits: [],
    calls: [],
    withs: [],
    attributes: [],
    subscripts: [],
    strings: [],
    identifiers: new Map(),
    asyncMethodNames: new Set(),
    methodNames: new Set(),
    importsAnyio: false,
  };
  const bind = (scope: Scope, b: Binding) => addBinding(bindingScope(scope, b.name, module), b);

  /** Bind every name in an assignment/for/with target pattern. */
  const bindTarget = (scope: Scope, target: Node, kind: BindingKind, extra: Partial<Binding>, path: number[] = []): void => {
    const t = target.type;
    if (t === 'identifier') {
      bind(scope, { ...extra, name: target.text, kind, node: target, path: path.length ? path : extra.path });
    } else if (t === 'pattern_list' || t === 'tuple_pattern' || t === 'list_pattern' || t === 'tuple' || t === 'list' || t === 'expression_list') {
      let i = 0;
      for (const c of target.namedChildren) {
        if (!c) continue;
        if (c.type === 'list_splat_pattern' || c.type === 'list_splat') {
          const inner = c.namedChild(0);
          if (inner) bindTarget(scope, inner, 'other', {});
        } else bindTarget(scope, c, kind, extra, [...path, i]);
        i++;
      }
    } else if (t === 'parenthesized_expression' || t === 'as_pattern_target') {
      const inner = target.namedChild(0);
      if (inner) bindTarget(scope, inner, kind, extra, path);
    } else if (t === 'attribute') {
      recordSelfAttr(scope, target, {
        value: extra.value,
        annotation: extra.annotation,
        path: path.length ? path : undefined,
        ...(kind === 'with' && extra.stmt ? { enter: { cm: extra.stmt, isAsync: !!extra.isAsync } } : {}),
      });
    }
  };

  const recordSelfAttr = (scope: Scope, target: Node, a: AttrAssignment): void => {
    const obj = target.childForFieldName('object');
    const attr = target.childForFieldName('attribute');
    if (!obj || !attr || obj.type !== 'identifier') return;
    // A method of a class: its first parameter is the instance. Functions nested in a method
    // (an `@asynccontextmanager` helper taking `self`, a callback) write the same instance when
    // they use the method's own name for it.
    let method: Scope | undefined = scope;
    while (method && method.kind !== 'module' && method.parent?.kind !== 'class') method = method.parent;
    if (!method || method.kind !== 'function' || method.parent?.kind !== 'class' || !method.firstParam) return;
    if (obj.text !== method.firstParam) return;
    if (scope !== method && scope.kind !== 'function' && scope.kind !== 'lambda') return;
    const cls = method.parent.cls!;
    let list = cls.attrs.get(attr.text);
    if (!list) cls.attrs.set(attr.text, (list = []));
    list.push(a);
  };

  const bindParams = (scope: Scope, params: Node): void => {
    let i = 0;
    for (const p of params.namedChildren) {
      if (!p) continue;
      let nameNode: Node | null = null;
      let annotation: Node | undefined;
      let value: Node | undefined;
      switch (p.type) {
        case 'identifier':
          nameNode = p;
          break;
        case 'typed_parameter':
          nameNode = p.namedChildren.find((c) => c?.type === 'identifier') ?? null;
          annotation = p.childForFieldName('type')?.namedChild(0) ?? undefined;
          if (!nameNode) {
            const splat = p.namedChildren.find((c) => c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern');
            nameNode = splat?.namedChild(0) ?? null;
            annotation = undefined;
          }
          break;
        case 'default_parameter':
          nameNode = p.childForFieldName('name');
          value = p.childForFieldName('value') ?? undefined;
          break;
        case 'typed_default_parameter':
          nameNode = p.childForFieldName('name');
          annotation = p.childForFieldName('type')?.namedChild(0) ?? undefined;
          value = p.childForFieldName('value') ?? undefined;
          break;
        case 'list_splat_pattern':
        case 'dictionary_splat_pattern':
          nameNode = p.namedChild(0);
          break;
        default:
          continue;
      }
      if (nameNode && nameNode.type === 'identifier') {
        if (i === 0) scope.firstParam = nameNode.text;
        const splat = p.type.includes('splat') || (p.type === 'typed_parameter' && !p.namedChildren.some((c) => c?.type === 'identifier'));
        addBinding(scope, {
          name: nameNode.text,
          kind: splat ? 'other' : 'param',
          node: nameNode,
          annotation,
          value,
          paramIndex: i,
        });
      }
      i++;
    }
  };

  const handleImport = (scope: Scope, node: Node, topLevel: boolean): void => {
    idx.imports.push({ stmt: node, topLevel, scope });
    if (node.type === 'import_statement') {
      for (const item of node.namedChildren) {
        if (!item) continue;
        if (item.type === 'dotted_name') {
          const full = item.text.replace(/\s+/g, '');
          const first = full.split('.')[0]!;
          if (full === 'anyio' || full.startsWith('anyio.')) idx.importsAnyio = true;
          bind(scope, { name: first, kind: 'import', node: item.namedChild(0) ?? item, source: first, stmt: node, imported: full });
        } else if (item.type === 'aliased_import') {
          const nm = item.childForFieldName('name');
          const alias = item.childForFieldName('alias');
          if (!nm || !alias) continue;
          const full = nm.text.replace(/\s+/g, '');
          if (full === 'anyio' || full.startsWith('anyio.')) idx.importsAnyio = true;
          bind(scope, { name: alias.text, kind: 'import', node: alias, source: full, stmt: node });
        }
      }
      return;
    }
    // import_from_statement
    const mod = node.childForFieldName('module_name');
    if (!mod) return;
    // Relative imports keep their leading dots (`.jobs.Pool`, `..helpers`): only the project index
    // knows which package they are relative to (see `Resolver.qualifiedOfName`).
    const modText = mod.text.replace(/\s+/g, '');
    const sourceOf = (nm: string) => (modText.endsWith('.') ? `${modText}${nm}` : `${modText}.${nm}`);
    if (modText === 'anyio' || modText.startsWith('anyio.')) idx.importsAnyio = true;
    for (const item of node.childrenForFieldName('name')) {
      if (!item) continue;
      if (item.type === 'dotted_name') {
        const nm = item.text;
        bind(scope, { name: nm, kind: 'import', node: item, source: sourceOf(nm), stmt: node });
      } else if (item.type === 'aliased_import') {
        const nm = item.childForFieldName('name');
        const alias = item.childForFieldName('alias');
        if (!nm || !alias) continue;
        bind(scope, { name: alias.text, kind: 'import', node: alias, source: sourceOf(nm.text), stmt: node });
      }
    }
  };

  const handleAssignment = (scope: Scope, node: Node): void => {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right') ?? undefined;
    const typeNode = node.childForFieldName('type');
    const annotation = typeNode?.namedChild(0) ?? undefined;
    // Chained `a = b = value`: the innermost right side is the value for every target.
    let value = right;
    while (value && value.type === 'assignment') value = value.childForFieldName('right') ?? undefined;
    if (!left) return;
    if (scope.kind === 'class' && left.type === 'identifier') {
      const cls = scope.cls!;
      let list = cls.attrs.get(left.text);
      if (!list) cls.attrs.set(left.text, (list = []));
      list.push({ value, annotation });
    }
    bindTarget(scope, left, 'assign', { value, annotation });
  };

  /** Decorators of the definition (by node id) a `decorated_definition` wraps, read when it is reached. */
  const pendingDecorators = new Map<number, Node[]>();
  /** The function scope a `return`/`yield` at `scope` belongs to (lambdas cannot hold statements). */
  const functionOf = (scope: Scope): Scope | undefined => (scope.kind === 'function' ? scope : undefined);

  // Iterative walk with an explicit stack of (node, scope) so deep nesting cannot overflow.
  const stack: Array<{ node: Node; scope: Scope }> = [{ node: root, scope: module }];
  while (stack.length) {
    const { node, scope } = stack.pop()!;
    const type = node.type;
    let childScope = scope;
    if (skipBlocks && type === 'block' && skipBlocks.has(node.startIndex)) continue;

    switch (type) {
      case 'function_definition': {
        const nameNode = node.childForFieldName('name');
        const isAsync = node.child(0)?.type === 'async';
        const fn = newScope('function', node, scope, nameNode, {
          name: nameNode?.text,
          isAsync,
          returns: node.childForFieldName('return_type')?.namedChild(0) ?? undefined,
          decorators: pendingDecorators.get(node.id),
          returnValues: [],
          yieldValues: [],
        });
        idx.scopes.set(node.id, fn);
        if (nameNode) bind(scope, { name: nameNode.text, kind: 'def', node: nameNode, def: node });
        const params = node.childForFieldName('parameters');
        if (params) bindParams(fn, params);
        if (scope.kind === 'class' && nameNode) {
          scope.cls!.methods.set(nameNode.text, fn);
          idx.methodNames.add(nameNode.text);
          if (isAsync) idx.asyncMethodNames.add(nameNode.text);
        }
        // Parameters' annotations and defaults are scanned too (in the function scope: close enough).
        childScope = fn;
        break;
      }
      case 'lambda': {
        const lam = newScope('lambda', node, scope, null);
        idx.scopes.set(node.id, lam);
        const params = node.childForFieldName('parameters');
        if (params) bindParams(lam, params);
        childScope = lam;
        break;
      }
      case 'class_definition': {
        const nameNode = node.childForFieldName('name');
        const cs = newScope('class', node, scope, nameNode, { name: nameNode?.text });
        const supers = node.childForFieldName('superclasses');
        const info: ClassInfo = {
          name: nameNode?.text ?? '',
          node,
          scope: cs,
          methods: new Map(),
          attrs: new Map(),
          superclasses: supers ? (supers.namedChildren.filter((c) => c && c.type !== 'keyword_argument') as Node[]) : [],
        };
        cs.cls = info;
        idx.classes.push(info);
        idx.scopes.set(node.id, cs);
        if (nameNode) bind(scope, { name: nameNode.text, kind: 'class', node: nameNode, def: node });
        childScope = cs;
        break;
      }
      case 'import_statement':
      case 'import_from_statement':
        handleImport(scope, node, node.parent?.type === 'module');
        break;
      case 'future_import_statement':
        break;
      case 'assignment':
        handleAssignment(scope, node);
        break;
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') bind(scope, { name: left.text, kind: 'augassign', node: left });
        break;
      }
      case 'named_expression': {
        const nm = node.childForFieldName('name');
        if (nm) bind(scope, { name: nm.text, kind: 'walrus', node: nm, value: node.childForFieldName('value') ?? undefined });
        break;
      }
      case 'for_statement': {
        const left = node.childForFieldName('left');
        // `value` is the iterable: what the loop variable holds is one of its items.
        if (left) bindTarget(scope, left, 'for', { value: node.childForFieldName('right') ?? undefined });
        break;
      }
      case 'with_statement':
        idx.withs.push(node);
        break;
      case 'decorated_definition': {
        const def = node.childForFieldName('definition');
        if (def) {
          const decos: Node[] = [];
          for (const d of node.namedChildren) if (d?.type === 'decorator' && d.namedChild(0)) decos.push(d.namedChild(0)!);
          pendingDecorators.set(def.id, decos);
        }
        break;
      }
      case 'return_statement': {
        const fn = functionOf(scope);
        if (fn) fn.returnValues!.push(node.namedChild(0) ?? node);
        break;
      }
      case 'yield': {
        const fn = functionOf(scope);
        const v = node.namedChild(0);
        if (fn && v && node.child(1)?.type !== 'from') fn.yieldValues!.push(v);
        break;
      }
      case 'with_item': {
        const v = node.childForFieldName('value');
        if (v?.type === 'as_pattern') {
          const alias = v.childForFieldName('alias');
          const cm = v.namedChild(0);
          const isAsync = node.parent?.parent?.child(0)?.type === 'async';
          if (alias && cm) bindTarget(scope, alias, 'with', { stmt: cm, isAsync });
        }
        break;
      }
      case 'except_clause': {
        const v = node.namedChild(0);
        if (v?.type === 'as_pattern') {
          const alias = v.childForFieldName('alias');
          if (alias) bindTarget(scope, alias, 'except', {});
        }
        break;
      }
      case 'global_statement':
        for (const c of node.namedChildren) if (c?.type === 'identifier') scope.globals.add(c.text);
        break;
      case 'nonlocal_statement':
        for (const c of node.namedChildren) if (c?.type === 'identifier') scope.nonlocals.add(c.text);
        break;
      case 'delete_statement':
        break;
      case 'await':
        idx.awaits.push(node);
        break;
      case 'call':
        idx.calls.push(node);
        break;
      case 'attribute':
        idx.attributes.push(node);
        break;
      case 'subscript':
      case 'generic_type':
        idx.subscripts.push(node);
        break;
      case 'string':
        idx.strings.push(node);
        break;
      case 'identifier': {
        const t = node.text;
        let list = idx.identifiers.get(t);
        if (!list) idx.identifiers.set(t, (list = []));
        list.push(node.startIndex);
        continue;
      }
      case 'comment':
        continue;
      default:
        break;
    }

    // Children in reverse so the stack pops them in source order.
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const c = node.namedChild(i);
      if (c) stack.push({ node: c, scope: childScope });
    }
  }
  return idx;
}

/**
 * The innermost scope containing `node` (for a def/class/lambda node itself, and for a def's or
 * class's name: the enclosing one). Found by offsets over the scope tree: `Node.parent` costs a
 * walk from the root in web-tree-sitter.
 */
export function scopeOf(idx: FileIndex, node: Node): Scope {
  const p = node.startIndex;
  const e = node.endIndex;
  let s = idx.module;
  for (;;) {
    const kids = s.children;
    const found = partitionPoint(kids.length, (i) => kids[i]!.start <= p) - 1;
    if (found < 0) return s;
    const c = kids[found]!;
    if (e > c.end || (c.start === p && c.end === e) || p === c.nameStart) return s;
    s = c;
  }
}

/** Look a name up from `at` following Python's LEGB rules (class scopes are skipped when nested). */
export function lookup(idx: FileIndex, name: string, at: Node): { scope: Scope; bindings: Binding[] } | undefined {
  workCounters.lookups++;
  let s: Scope | undefined = scopeOf(idx, at);
  let first = true;
  while (s) {
    if (s.kind === 'class' && !first) {
      s = s.parent;
      continue;
    }
    if (s.globals.has(name)) s = idx.module;
    const bs = s.bindings.get(name);
    if (bs && bs.length) return { scope: s, bindings: bs };
    s = s.parent;
    first = false;
  }
  return undefined;
}
