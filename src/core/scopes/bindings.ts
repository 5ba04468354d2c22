/**
 * Binding names while a module is indexed: each scope's name map (counted when scanned), where a
 * name lands (`global`/`nonlocal`), and the names bound by assignment/for/with targets, parameters,
 * imports and assignments, with the `self.` attributes a method sets on its class.
 */
import type { Node } from '../parser';
import type { AttrAssignment, Binding, BindingKind, FileIndex, Scope } from '../scopes';
import { workCounters } from '../work';

/**
 * A scope's names. Iterating over all of them is counted in `workCounters.bindingsScanned` (one per
 * name visited): a scan of every name per finding or per fix shows up as quadratic in scale tests.
 */
export class BindingMap extends Map<string, Binding[]> {
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

export function addBinding(scope: Scope, b: Binding): void {
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

/** Bind `b` in the scope its name lands in. */
export function bind(idx: FileIndex, scope: Scope, b: Binding): void {
  addBinding(bindingScope(scope, b.name, idx.module), b);
}

/** Bind every name in an assignment/for/with target pattern. */
export function bindTarget(idx: FileIndex, scope: Scope, target: Node, kind: BindingKind, extra: Partial<Binding>, path: number[] = []): void {
  const t = target.type;
  if (t === 'identifier') {
    bind(idx, scope, { ...extra, name: target.text, kind, node: target, path: path.length ? path : extra.path });
  } else if (t === 'pattern_list' || t === 'tuple_pattern' || t === 'list_pattern' || t === 'tuple' || t === 'list' || t === 'expression_list') {
    let i = 0;
    for (const c of target.namedChildren) {
      if (!c) continue;
      if (c.type === 'list_splat_pattern' || c.type === 'list_splat') {
        const inner = c.namedChild(0);
        if (inner) bindTarget(idx, scope, inner, 'other', {});
      } else bindTarget(idx, scope, c, kind, extra, [...path, i]);
      i++;
    }
  } else if (t === 'parenthesized_expression' || t === 'as_pattern_target') {
    const inner = target.namedChild(0);
    if (inner) bindTarget(idx, scope, inner, kind, extra, path);
  } else if (t === 'attribute') {
    recordSelfAttr(scope, target, {
      value: extra.value,
      annotation: extra.annotation,
      path: path.length ? path : undefined,
      ...(kind === 'with' && extra.stmt ? { enter: { cm: extra.stmt, isAsync: !!extra.isAsync } } : {}),
    });
  }
}

/** Record `self.x = ...` in a method (or a function nested in one) on the class. */
function recordSelfAttr(scope: Scope, target: Node, a: AttrAssignment): void {
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
}

/** Bind a function's or lambda's parameters (positions, annotations, defaults). */
export function bindParams(scope: Scope, params: Node): void {
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
}

/** Record an import statement and bind the names it imports. */
export function handleImport(idx: FileIndex, scope: Scope, node: Node, topLevel: boolean): void {
  idx.imports.push({ stmt: node, topLevel, scope });
  if (node.type === 'import_statement') {
    for (const item of node.namedChildren) {
      if (!item) continue;
      if (item.type === 'dotted_name') {
        const full = item.text.replace(/\s+/g, '');
        const first = full.split('.')[0]!;
        if (full === 'anyio' || full.startsWith('anyio.')) idx.importsAnyio = true;
        bind(idx, scope, { name: first, kind: 'import', node: item.namedChild(0) ?? item, source: first, stmt: node, imported: full });
      } else if (item.type === 'aliased_import') {
        const nm = item.childForFieldName('name');
        const alias = item.childForFieldName('alias');
        if (!nm || !alias) continue;
        const full = nm.text.replace(/\s+/g, '');
        if (full === 'anyio' || full.startsWith('anyio.')) idx.importsAnyio = true;
        bind(idx, scope, { name: alias.text, kind: 'import', node: alias, source: full, stmt: node });
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
      bind(idx, scope, { name: nm, kind: 'import', node: item, source: sourceOf(nm), stmt: node });
    } else if (item.type === 'aliased_import') {
      const nm = item.childForFieldName('name');
      const alias = item.childForFieldName('alias');
      if (!nm || !alias) continue;
      bind(idx, scope, { name: alias.text, kind: 'import', node: alias, source: sourceOf(nm.text), stmt: node });
    }
  }
}

/** Bind the targets of an assignment (and a class body's own attributes). */
export function handleAssignment(idx: FileIndex, scope: Scope, node: Node): void {
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
  bindTarget(idx, scope, left, 'assign', { value, annotation });
}
