/**
 * Containers: the item type of a list/set/dict literal, and what is stored into a local container
 * after it is made (`d[k] = v`, `xs.append(v)`), as long as the container never escapes (handed to
 * anything but its own item methods, iteration, `len` and `in`).
 */
import type { Node } from '../parser';
import type { FileIndex, Binding } from '../scopes';
import { lookup, scopeOf } from '../scopes';
import type { STy } from '../semantic/types';
import type { Resolver } from '../resolve';
import { joinTys, NONE, UNKNOWN, type Ty } from './ty';

/** Methods of a list/set/dict that read or store its items (anything else may let items in unseen). */
const CONTAINER_METHODS = /^(get|pop|setdefault|append|add|insert|items|values|keys|remove|discard|clear|index|count)$/;

/** What is stored into the containers of a file, by name (built once per file). */
const WRITES = new WeakMap<FileIndex, Map<string, Array<{ at: Node; value: Node }>>>();

/**
 * The type of the items of a container literal (`[a, b]`, `{k: v}` values): their join; a
 * container with `*rest`, `**more` or no item holds unknown items.
 */
export function itemsType(res: Resolver, items: ReadonlyArray<Node | null>, depth: number): STy {
  const tys: Ty[] = [];
  for (const n of items) {
    if (!n || n.type === 'comment') continue;
    if (n.type === 'list_splat' || n.type === 'dictionary_splat') return UNKNOWN;
    tys.push(res.typeOf(n, depth + 1));
  }
  // No item: no evidence either way (`{}` filled later by `d[k] = v`); `none` until an item is taken.
  return tys.length ? (joinTys(tys) as STy) : NONE;
}

/**
 * What is stored into containers after they are made, by name: `d[k] = v`, `xs.append(v)`,
 * `xs.add(v)`, `d.setdefault(k, v)`, `xs.insert(i, v)`. Built once per file.
 */
function containerWrites(idx: FileIndex): Map<string, Array<{ at: Node; value: Node }>> {
  const cached = WRITES.get(idx);
  if (cached) return cached;
  const writes = new Map<string, Array<{ at: Node; value: Node }>>();
  const add = (obj: Node | null | undefined, value: Node | null | undefined) => {
    if (obj?.type !== 'identifier' || !value) return;
    let l = writes.get(obj.text);
    if (!l) writes.set(obj.text, (l = []));
    l.push({ at: obj, value });
  };
  for (const a of idx.subscripts) {
    const parent = a.type === 'subscript' ? a.parent : null;
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === a.id) add(a.childForFieldName('value'), parent.childForFieldName('right'));
  }
  for (const call of idx.calls) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') continue;
    const method = fn.childForFieldName('attribute')?.text;
    if (method !== 'append' && method !== 'add' && method !== 'setdefault' && method !== 'insert') continue;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((x): x is Node => !!x && x.type !== 'comment');
    add(fn.childForFieldName('object'), method === 'append' || method === 'add' ? args[0] : args[1]);
  }
  WRITES.set(idx, writes);
  return writes;
}

/** A container bound to `name` (at `node`), with what is written into it afterwards. */
export function withWrites(res: Resolver, t: Ty, node: Node, bindings: readonly Binding[], depth: number): Ty {
  if (t.k !== 'seq' && t.k !== 'map') return t;
  // What others may put into a container is out of view: a module-level one (other modules can
  // import it), or one handed to anything but its own item methods, iteration and `len`/`in`.
  const unknownItems: Ty = t.k === 'seq' ? { k: 'seq', item: UNKNOWN } : { k: 'map', value: UNKNOWN };
  const owner = bindings[0]?.node ? scopeOf(res.idx, bindings[0].node) : undefined;
  if (!owner || owner.kind === 'module' || owner.kind === 'class' || containerEscapes(res, node.text, bindings)) return unknownItems;
  const ws = containerWrites(res.idx).get(node.text);
  if (!ws?.length) return t;
  const tys: Ty[] = [t.k === 'seq' ? (t.item as Ty) : (t.value as Ty)];
  for (const w of ws) {
    const same = lookup(res.idx, node.text, w.at);
    if (!same || same.bindings !== bindings) continue;
    tys.push(res.typeOf(w.value, depth + 1));
  }
  const item = joinTys(tys) as STy;
  return t.k === 'seq' ? { k: 'seq', item } : { k: 'map', value: item };
}

/** Whether the container bound to `name` (`bindings`) is used other than by its own item operations. */
function containerEscapes(res: Resolver, name: string, bindings: readonly Binding[]): boolean {
  for (const o of res.idx.identifiers.get(name) ?? []) {
    const ref = res.idx.tree.rootNode.descendantForIndex(o, o + name.length);
    if (!ref || ref.type !== 'identifier') return true;
    if (lookup(res.idx, name, ref)?.bindings !== bindings) continue; // another `name`
    if (bindings.some((b) => b.node?.id === ref.id)) continue; // the binding itself
    const p = ref.parent;
    if (!p) return true;
    if (p.type === 'subscript' && p.childForFieldName('value')?.id === ref.id) continue;
    if (p.type === 'attribute' && p.childForFieldName('object')?.id === ref.id && CONTAINER_METHODS.test(p.childForFieldName('attribute')?.text ?? '') && p.parent?.type === 'call')
      continue;
    if (p.type === 'for_statement' && p.childForFieldName('right')?.id === ref.id) continue;
    if (p.type === 'comparison_operator') continue; // `x in d`
    if (p.type === 'argument_list' && p.parent?.childForFieldName('function')?.text === 'len') continue;
    return true;
  }
  return false;
}
