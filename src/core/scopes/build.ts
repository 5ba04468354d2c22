/**
 * `buildIndex`: the one walk over a parsed module (an explicit stack, so deep nesting cannot
 * overflow) that makes its scopes, classes and bindings and collects the nodes the rules look at.
 */
import type { Node, Tree } from '../parser';
import type { ClassInfo, FileIndex, Scope, ScopeKind } from '../scopes';
import { BindingMap, bind, bindParams, bindTarget, handleAssignment, handleImport } from './bindings';

/**
 * Index `tree`. `skipBlocks`: start offsets of function bodies (their `block` nodes) not to walk —
 * the incremental analysis skips bodies that did not change and bind nothing outside themselves.
 */
export function buildIndex(tree: Tree, text: string, skipBlocks?: ReadonlySet<number>): FileIndex {
  const root = tree.rootNode;
  const module: Scope = {
    kind: 'module',
    node: root,
    start: 0,
    end: text.length,
    nameStart: -1,
    children: [],
    bindings: new BindingMap(),
    globals: new Set(),
    nonlocals: new Set(),
  };
  const newScope = (kind: ScopeKind, node: Node, parent: Scope, nameNode: Node | null, extra: Partial<Scope> = {}): Scope => {
    const sc: Scope = {
      kind,
      node,
      start: node.startIndex,
      end: node.endIndex,
      nameStart: nameNode ? nameNode.startIndex : -1,
      children: [],
      parent,
      bindings: new BindingMap(),
      globals: new Set(),
      nonlocals: new Set(),
      ...extra,
    };
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
        if (nameNode) bind(idx, scope, { name: nameNode.text, kind: 'def', node: nameNode, def: node });
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
        if (nameNode) bind(idx, scope, { name: nameNode.text, kind: 'class', node: nameNode, def: node });
        childScope = cs;
        break;
      }
      case 'import_statement':
      case 'import_from_statement':
        handleImport(idx, scope, node, node.parent?.type === 'module');
        break;
      case 'future_import_statement':
        break;
      case 'assignment':
        handleAssignment(idx, scope, node);
        break;
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') bind(idx, scope, { name: left.text, kind: 'augassign', node: left });
        break;
      }
      case 'named_expression': {
        const nm = node.childForFieldName('name');
        if (nm) bind(idx, scope, { name: nm.text, kind: 'walrus', node: nm, value: node.childForFieldName('value') ?? undefined });
        break;
      }
      case 'for_statement': {
        const left = node.childForFieldName('left');
        // `value` is the iterable: what the loop variable holds is one of its items.
        if (left) bindTarget(idx, scope, left, 'for', { value: node.childForFieldName('right') ?? undefined });
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
          if (alias && cm) bindTarget(idx, scope, alias, 'with', { stmt: cm, isAsync });
        }
        break;
      }
      case 'except_clause': {
        const v = node.namedChild(0);
        if (v?.type === 'as_pattern') {
          const alias = v.childForFieldName('alias');
          if (alias) bindTarget(idx, scope, alias, 'except', {});
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
