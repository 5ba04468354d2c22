/**
 * What calls give: a call of an AnyIO name, of the project's own function or class, of a function
 * or class of this file (its return annotation, what it returns or yields, context managers), a
 * container's `pop`/`get`; and what `with <cm> as x` binds to `x`.
 */
import type { Node } from '../parser';
import type { Scope } from '../scopes';
import { isAnyioName, lookup, unparen } from '../scopes';
import { CALL_RESULTS } from '../anyio-api';
import { isKnownNotAnyio } from '../semantic/known';
import type { STy } from '../semantic/types';
import type { Resolver } from '../resolve';
import { anyioCallResult, CM_DECORATOR, isProjectTy, isProperty, joinTys, MAX_DEPTH, NONE, OTHER, PROPERTY_DECORATOR, UNKNOWN, type Ty } from './ty';

/**
 * What calling the function `fn` of this file gives (`awaited`: what awaiting the call gives):
 * a context manager for `@asynccontextmanager`/`@contextmanager` generators (binding what they
 * yield), the return annotation, else what its `return` statements return.
 */
export function functionResult(res: Resolver, fn: Scope, awaited: boolean, depth: number): Ty {
  if (depth > MAX_DEPTH) return UNKNOWN;
  const decorators = (fn.decorators ?? []).map((d) => d.text.replace(/\s+/g, ''));
  if (decorators.some((d) => CM_DECORATOR.test(d))) {
    if (awaited) return UNKNOWN;
    const ys = fn.yieldValues ?? [];
    // A class of this file may be what it yields: kept as is, summaries turn it into `pinst`.
    return { k: 'cm', enter: (ys.length ? joinTys(ys.map((y) => res.typeOf(y, depth + 1))) : NONE) as STy };
  }
  // Any other decorator may replace the function: nothing is proven about the call.
  if (decorators.some((d) => !PROPERTY_DECORATOR.test(d) && !/(^|\.)(staticmethod|classmethod|abstractmethod|override|wraps\(.*\))$/.test(d))) return UNKNOWN;
  if (fn.isAsync && !awaited) return OTHER; // a coroutine
  if (!fn.isAsync && awaited) return UNKNOWN;
  if (fn.yieldValues?.length) return OTHER; // a generator
  if (fn.returns) return res.typeFromAnnotation(fn.returns, depth + 1);
  const rs = fn.returnValues ?? [];
  if (rs.length === 0) return NONE;
  return joinTys(rs.map((r) => (r.type === 'return_statement' ? NONE : res.typeOf(r, depth + 1))));
}

export function typeOfCall(res: Resolver, node: Node, depth: number): Ty {
  const fn = node.childForFieldName('function');
  if (!fn) return UNKNOWN;
  const f = unparen(fn);
  const q = res.qualifiedOf(f);
  if (q !== undefined) {
    const r = anyioCallResult(q);
    if (r) return r;
    if (isAnyioName(q)) return UNKNOWN;
    // The project's own function or class; the standard library's are not AnyIO; anything
    // else is a call into a library we cannot see: unknown, never "proven not AnyIO".
    const v = res.project?.valueOf(q);
    if (v) return res.project!.call(v, false);
    return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
  }
  // A class defined in this file, or a function with a return annotation.
  const ret = returnTypeOfCallee(res, node, depth, false);
  if (ret) return ret;
  if (res.project) {
    const callee = res.typeOf(f, depth + 1);
    if (isProjectTy(callee)) return res.project.call(callee, false);
  }
  if (f.type === 'identifier') {
    const found = lookup(res.idx, f.text, f);
    if (!found) return OTHER; // a builtin (dict(), list(), ...)
  }
  return UNKNOWN;
}

/** Instance type for `C()` (local class) or the result of a local function/method (`awaited`: of `await f()`). */
export function returnTypeOfCallee(res: Resolver, call: Node, depth: number, awaited: boolean): Ty | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const f = unparen(fn);
  if (f.type === 'identifier') {
    const found = lookup(res.idx, f.text, f);
    if (!found) return undefined;
    const tys: Ty[] = [];
    for (const b of found.bindings) {
      if (b.kind === 'class' && b.def) {
        const cls = res.idx.classes.find((c) => c.node.id === b.def!.id);
        tys.push(cls && !awaited ? { k: 'local', cls } : UNKNOWN);
      } else if (b.kind === 'def' && b.def) {
        const s = res.idx.scopes.get(b.def.id);
        tys.push(s ? res.functionResult(s, awaited, depth + 1) : UNKNOWN);
      } else return undefined;
    }
    return tys.length ? joinTys(tys) : undefined;
  }
  if (f.type === 'attribute') {
    const obj = f.childForFieldName('object');
    const attr = f.childForFieldName('attribute');
    if (!obj || !attr) return undefined;
    const base = res.typeOf(obj, depth + 1);
    if (base.k === 'local') {
      const m = base.cls.methods.get(attr.text);
      if (m) return isProperty(m) ? UNKNOWN : res.functionResult(m, awaited, depth + 1);
    }
    // Taking an item out of a container: `events.pop()`, `flags.get("ready")`.
    if (!awaited && base.k === 'seq' && attr.text === 'pop') return base.item.k === 'none' ? UNKNOWN : base.item;
    if (!awaited && base.k === 'map' && /^(get|pop|setdefault)$/.test(attr.text)) return base.value.k === 'none' ? UNKNOWN : base.value;
  }
  return undefined;
}

/** What `with <cm> as x` / `async with <cm> as x` binds to `x`. */
export function enterType(res: Resolver, cm: Node, _isAsync: boolean, depth: number): Ty {
  const node = unparen(cm);
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const q = fn ? res.qualifiedOf(fn) : undefined;
    if (q !== undefined) {
      const r = CALL_RESULTS.get(q);
      if (r?.enter) return { k: 'anyio', cls: r.enter };
      if (r?.instance && r.instance !== 'cm' && r.instance !== 'portal-cm' && r.instance !== 'memory-stream-pair') {
        // `async with lock:` binds None; streams and task groups bind themselves.
        return r.instance === 'TaskGroup' || r.instance === 'BlockingPortal' ? { k: 'anyio', cls: r.instance } : OTHER;
      }
      if (isAnyioName(q)) return UNKNOWN;
      const v = res.project?.valueOf(q);
      if (v) return res.project!.enter(res.project!.call(v, false));
      return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
    }
  }
  const t = res.typeOf(node, depth + 1);
  if (t.k === 'cm') return t.enter;
  if (res.project && isProjectTy(t)) return res.project.enter(t);
  if (t.k === 'local') {
    const m = t.cls.methods.get(_isAsync ? '__aenter__' : '__enter__');
    return m ? res.functionResult(m, _isAsync, depth + 1) : UNKNOWN;
  }
  if (t.k === 'anyio') {
    if (t.cls === 'TaskGroup' || t.cls === 'CancelScope' || t.cls === 'BlockingPortal') return t;
    if (t.cls === 'MemoryObjectSendStream' || t.cls === 'MemoryObjectReceiveStream') return t;
    return OTHER;
  }
  return UNKNOWN;
}
