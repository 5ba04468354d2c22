/**
 * Reading the syntax tree the way the rules need it: the operand of an `await`, a method call's
 * parts, argument counts, whether a name is a load reference, the call or statement around a node.
 */
import type { Node } from '../../core/parser';
import { unparen } from '../../core/scopes';

/**
 * The operand of `await`, past a backslash line continuation (`await \\` + newline + `call()`),
 * which tree-sitter gives as a named child before it (a comment can sit there too).
 */
export function awaitedOperand(awaitNode: Node): Node | undefined {
  for (const c of awaitNode.namedChildren) if (c && c.type !== 'line_continuation' && c.type !== 'comment') return c;
  return undefined;
}

/** The call inside `await <call>` (through parentheses), if it is one. */
export function awaitedCall(awaitNode: Node): Node | undefined {
  const inner = awaitedOperand(awaitNode);
  if (!inner) return undefined;
  const n = unparen(inner);
  return n.type === 'call' ? n : undefined;
}

export interface MethodCall {
  call: Node;
  receiver: Node;
  method: Node;
  args: Node[];
}

/** `<receiver>.<method>(<args>)`. */
export function methodCall(call: Node): MethodCall | undefined {
  const fn = call.childForFieldName('function');
  if (!fn || fn.type !== 'attribute') return undefined;
  const receiver = fn.childForFieldName('object');
  const method = fn.childForFieldName('attribute');
  const argList = call.childForFieldName('arguments');
  if (!receiver || !method || !argList || argList.type !== 'argument_list') return undefined;
  return { call, receiver, method, args: argList.namedChildren.filter((a) => a && a.type !== 'comment') as Node[] };
}

export function positionalCount(args: readonly Node[]): number {
  return args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat').length;
}

/** True when the args contain `*x` or `**x`, whose arity cannot be known. */
export function hasSplat(args: readonly Node[]): boolean {
  return args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat');
}

/** Whether `node` is a reference in load position (not an import name, def name, target...). */
export function isLoadReference(node: Node): boolean {
  const p = node.parent;
  if (!p) return false;
  switch (p.type) {
    case 'import_statement':
    case 'import_from_statement':
    case 'aliased_import':
    case 'dotted_name':
    case 'keyword_argument':
      if (p.type === 'keyword_argument') return p.childForFieldName('name')?.id !== node.id;
      return false;
    case 'attribute':
      return p.childForFieldName('attribute')?.id !== node.id;
    case 'function_definition':
    case 'class_definition':
      return p.childForFieldName('name')?.id !== node.id;
    case 'assignment':
    case 'augmented_assignment':
      return p.childForFieldName('left')?.id !== node.id;
    case 'global_statement':
    case 'nonlocal_statement':
      return false;
    default:
      return true;
  }
}

/** The node's parent, through parentheses. */
export function parentThroughParens(node: Node): Node | null {
  let p = node.parent;
  while (p && p.type === 'parenthesized_expression') p = p.parent;
  return p;
}

/** When `node` is the callee of a call, that call. */
export function callOf(node: Node): Node | undefined {
  const p = node.parent;
  return p?.type === 'call' && p.childForFieldName('function')?.id === node.id ? p : undefined;
}

/** The statement (a child of a block or the module) that contains `node`. */
export function statementOf(node: Node): Node | undefined {
  let n: Node | null = node;
  while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n && n.parent ? n : undefined;
}
