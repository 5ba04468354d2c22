/**
 * One walk over a parsed module that records what the rules and the name resolver need:
 * scopes (module, class, function, lambda) with every name each one binds, the classes and their
 * methods and `self.` attributes, and the nodes the rules look at (await, call, with, imports...).
 * Everything is positional and syntactic; meaning is given to it by `resolve.ts`.
 *
 * This module holds the index's types and the lookups over it; the walk is `scopes/build.ts`,
 * binding names `scopes/bindings.ts`.
 */
import type { Node, Tree } from './parser';
import { partitionPoint } from './bisect';
import { workCounters } from './work';

export { buildIndex } from './scopes/build';

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda';

export type BindingKind = 'import' | 'assign' | 'param' | 'def' | 'class' | 'for' | 'with' | 'except' | 'walrus' | 'augassign' | 'del' | 'other';

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
