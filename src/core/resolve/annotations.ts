/**
 * Declared types: an annotation expression (string annotations, `Optional`/`Union`/`|`,
 * `Annotated`, `ClassVar`) → the instance type it declares, and `isinstance` checks narrowing an
 * otherwise unknown name inside an `if` body.
 */
import type { Node } from '../parser';
import { isAnyioName, lookup, unparen } from '../scopes';
import { CLASS_NAMES } from '../anyio-api';
import type { Resolver } from '../resolve';
import { joinTys, MAX_DEPTH, NONE, OTHER, UNKNOWN, type Ty } from './ty';

/**
 * `if isinstance(x, anyio.abc.Event): await x.set()`: inside the `if` body (of the same
 * function), an otherwise unknown `x` has the checked type. Only asked for unknown names of files
 * that call `isinstance` (walking up the tree is not free).
 */
export function narrowedByIsinstance(res: Resolver, node: Node, depth: number): Ty | undefined {
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
      const t =
        cls.type === 'tuple' ? joinTys(cls.namedChildren.filter((x): x is Node => !!x).map((x) => res.typeFromAnnotation(x, depth + 1))) : res.typeFromAnnotation(cls, depth + 1);
      if (t.k !== 'unknown') return t;
    }
  }
  return undefined;
}

/** An annotation expression → the instance type it declares. */
export function typeFromAnnotation(res: Resolver, ann: Node, depth = 0, anchor?: Node): Ty {
  if (depth > MAX_DEPTH) return UNKNOWN;
  const node = unparen(ann.type === 'type' ? (ann.namedChild(0) ?? ann) : ann);
  const at = anchor ?? node;
  switch (node.type) {
    case 'none':
      return NONE;
    case 'string': {
      const content = node.namedChildren
        .filter((c) => c?.type === 'string_content')
        .map((c) => c!.text)
        .join('');
      const parsed = res.parseStringAnnotation(content);
      return parsed ? res.typeFromAnnotation(parsed, depth + 1, at) : UNKNOWN;
    }
    case 'identifier':
    case 'attribute': {
      if (node.type === 'identifier' && node.text === 'None') return NONE;
      const q = res.qualifiedOf(node, 0, anchor);
      if (q) {
        const cls = CLASS_NAMES.get(q);
        if (cls) return { k: 'anyio', cls };
        const v = isAnyioName(q) ? undefined : res.project?.valueOf(q);
        if (v?.k === 'pclass') return { k: 'pinst', q: v.q };
        if (v?.k === 'class' && CLASS_NAMES.has(v.q)) return { k: 'anyio', cls: CLASS_NAMES.get(v.q)! };
        if (v?.k === 'sym') return res.project!.call(v, false);
        return OTHER;
      }
      if (node.type === 'identifier') {
        const found = lookup(res.idx, node.text, at);
        const b = found?.bindings.find((x) => x.kind === 'class' && x.def);
        if (b && found!.bindings.length === 1) {
          const cls = res.idx.classes.find((c) => c.node.id === b.def!.id);
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
        node.type === 'subscript' ? (node.childrenForFieldName('subscript').filter(Boolean) as Node[]) : ((node.namedChild(1)?.namedChildren ?? []).filter(Boolean) as Node[]);
      const baseText = base.text.replace(/^typing\./, '').replace(/^t\./, '');
      if (baseText === 'Optional' && args.length === 1) {
        const t = res.typeFromAnnotation(args[0]!, depth + 1, anchor);
        return t.k === 'none' ? UNKNOWN : t;
      }
      if (baseText === 'Union') return joinTys(args.map((a) => res.typeFromAnnotation(a, depth + 1, anchor)));
      if (baseText === 'Annotated' && args.length) return res.typeFromAnnotation(args[0]!, depth + 1, anchor);
      if (baseText === 'ClassVar' || baseText === 'Final') return args.length ? res.typeFromAnnotation(args[0]!, depth + 1, anchor) : UNKNOWN;
      return res.typeFromAnnotation(base, depth + 1, anchor);
    }
    case 'binary_operator': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!l || !r || node.childForFieldName('operator')?.type !== '|') return UNKNOWN;
      return joinTys([res.typeFromAnnotation(l, depth + 1, anchor), res.typeFromAnnotation(r, depth + 1, anchor)]);
    }
    default:
      return UNKNOWN;
  }
}
