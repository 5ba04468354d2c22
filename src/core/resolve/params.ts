/**
 * What an unannotated parameter is: `self` (an instance of the enclosing class), a pytest fixture
 * (what the fixture gives), or the type every call site agrees on (direct calls, callables handed
 * to a task group or a thread, and with the project index the calls of other modules).
 */
import type { Node } from '../parser';
import type { Binding, Scope } from '../scopes';
import { lookup, scopeOf } from '../scopes';
import { SPAWNER } from '../semantic/known';
import type { Resolver } from '../resolve';
import { isFixture, joinTys, MAX_DEPTH, NONE, type Ty } from './ty';

/** `self` in a method: an instance of the enclosing class. */
export function selfParamType(res: Resolver, b: Binding): Ty | undefined {
  if (b.paramIndex !== 0 || !b.node) return undefined;
  const fn = scopeOf(res.idx, b.node);
  if (fn.kind !== 'function' || fn.parent?.kind !== 'class' || !fn.parent.cls) return undefined;
  const decorated = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : undefined;
  if (decorated && /@\s*(staticmethod|classmethod)\b/.test(decorated.text.slice(0, fn.node.startIndex - decorated.startIndex))) return undefined;
  return { k: 'local', cls: fn.parent.cls };
}

/**
 * A parameter of a pytest test or fixture named like a fixture: what the fixture gives — one of
 * this module, else one of a `conftest.py` of the project.
 */
export function fixtureType(res: Resolver, b: Binding, depth: number): Ty | undefined {
  if (!b.node || depth > MAX_DEPTH || !res.idx.text.includes('fixture')) return undefined;
  const fn = scopeOf(res.idx, b.node);
  if (fn.kind !== 'function' || !fn.name) return undefined;
  if (!/^test/.test(fn.name) && !isFixture(fn)) return undefined;
  for (const def of res.idx.module.bindings.get(b.name) ?? []) {
    const sc = def.kind === 'def' && def.def ? res.idx.scopes.get(def.def.id) : undefined;
    if (sc && isFixture(sc) && sc !== fn) return res.fixtureResult(sc, depth + 1);
  }
  const t = res.project?.fixture(b.name);
  return t && t.k !== 'unknown' ? t : undefined;
}

/** What a fixture function gives its users: what it yields, or what it returns (awaited for `async def`). */
export function fixtureResult(res: Resolver, fn: Scope, depth: number): Ty {
  const ys = fn.yieldValues ?? [];
  if (ys.length) return joinTys(ys.map((y) => res.typeOf(y, depth + 1)));
  if (fn.returns) return res.typeFromAnnotation(fn.returns, depth + 1);
  const rs = fn.returnValues ?? [];
  return rs.length ? joinTys(rs.map((r) => (r.type === 'return_statement' ? NONE : res.typeOf(r, depth + 1)))) : NONE;
}

/**
 * An unannotated parameter of a function every caller of which is in view: the type all its
 * call sites agree on. Callers are direct calls and the callables handed to a task group or a
 * thread (`tg.spawn(f, evt)`, `to_thread.run_sync(f, evt)`, `partial(f, evt)`); any other use of
 * the function (stored, returned, passed elsewhere) and it is unknown. A module-level function
 * another module may import is unknown too (its callers there are not in view).
 */
export function callSiteType(res: Resolver, b: Binding, depth: number): Ty | undefined {
  if (b.paramIndex === undefined || !b.node || depth > MAX_DEPTH) return undefined;
  const fn = scopeOf(res.idx, b.node);
  if (fn.kind !== 'function' || !fn.name || fn.decorators?.length) return undefined;
  // A constructor's callers are the calls of its class (`S(tg)` binds `tg` to `__init__`'s
  // second parameter); any other method is called through instances the engine does not track.
  let callee: Scope = fn;
  let index = b.paramIndex;
  if (fn.parent?.kind === 'class') {
    if (index === 0) return undefined;
    // A private method (`_name`, not a dunder) is called through `obj._name(...)` in this file
    // only: its callers are the attribute references of that name.
    if (/^_[^_]|^_$/.test(fn.name) && !fn.name.endsWith('__')) return methodCallSiteType(res, fn, b, depth);
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
  if (callee.parent?.kind === 'module' && (res.project || !name.startsWith('_'))) {
    const ext = res.project?.externalArgs(name, index, paramName);
    if (!ext) return undefined;
    for (const t of ext) {
      if (t.k === 'unknown' || t.k === 'sym') return undefined;
      tys.push(t);
    }
  }
  const refs: Node[] = [];
  for (const o of res.idx.identifiers.get(name) ?? []) {
    if (o === callee.nameStart) continue;
    const ref = res.idx.tree.rootNode.descendantForIndex(o, o + name.length);
    if (!ref || ref.type !== 'identifier') return undefined;
    const found = lookup(res.idx, name, ref);
    if (found?.bindings.some((x) => x.def?.id === callee.node.id)) refs.push(ref); // else another `name`
  }
  return agreedArgument(res, refs, index, paramName, depth, tys);
}

/**
 * `callSiteType` for a private method: every `x._name` of the file is a call or handed to a
 * spawner. With the project index, a class another module subclasses or passes around (its
 * subclasses may call the method) gets nothing.
 */
function methodCallSiteType(res: Resolver, fn: Scope, b: Binding, depth: number): Ty | undefined {
  const cls = fn.parent;
  if (res.project && cls?.parent?.kind === 'module' && cls.name && res.project.externalArgs(cls.name, 0, '') === undefined) return undefined;
  const refs = res.idx.attributes.filter((a) => a.childForFieldName('attribute')?.text === fn.name);
  return agreedArgument(res, refs, b.paramIndex! - 1, b.name, depth);
}

/**
 * The type every reference in `refs` (to one callable) passes for its parameter `index`/
 * `paramName`, joined with `tys` (evidence from elsewhere); undefined when a reference is used
 * other than called or handed to a spawner (not every caller is in view), when an argument is of
 * unknown type, or when there is no evidence at all. A call that does not pass it (a default
 * applies) is no evidence.
 */
function agreedArgument(res: Resolver, refs: readonly Node[], index: number, paramName: string, depth: number, tys: Ty[] = []): Ty | undefined {
  for (const ref of refs) {
    const arg = argumentFor(ref, index, paramName);
    if (arg === undefined) return undefined;
    if (arg === null) continue;
    const t = res.typeOf(arg, depth + 1);
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
function argumentFor(ref: Node, index: number, name: string): Node | null | undefined {
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
