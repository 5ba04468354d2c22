/**
 * The attribute and class model: what `obj.attr` is for an AnyIO name, a class of this file (its
 * own assignments, properties, bases) or a project class, and the instance a class-level factory
 * (`field(default_factory=anyio.Event)`, `attr.Factory(...)`) makes.
 */
import type { Node } from '../parser';
import type { ClassInfo } from '../scopes';
import { isAnyioName, lookup, unparen } from '../scopes';
import { CALL_RESULTS, CLASS_NAMES } from '../anyio-api';
import { isKnownNotAnyio } from '../semantic/known';
import type { Resolver } from '../resolve';
import { isProjectTy, isProperty, joinTys, MAX_DEPTH, OTHER, UNKNOWN, type Ty } from './ty';

export function typeOfAttribute(res: Resolver, node: Node, depth: number): Ty {
  const obj = node.childForFieldName('object');
  const attr = node.childForFieldName('attribute');
  if (!obj || !attr) return UNKNOWN;
  const q = res.qualifiedOf(node);
  if (q && isAnyioName(q)) return CLASS_NAMES.has(q) ? { k: 'class', q } : OTHER;
  if (q && res.project) {
    const v = res.project.valueOf(q);
    if (v) return v;
  }
  const base = res.typeOf(obj, depth + 1);
  if (attr.text === 'cancel_scope' && (base.k === 'unknown' || (base.k === 'anyio' && base.cls === 'TaskGroup'))) {
    // `tg.cancel_scope` is recognisable even when `tg` is not proven (row C3).
    return res.idx.importsAnyio ? { k: 'anyio', cls: 'CancelScope' } : UNKNOWN;
  }
  if (base.k === 'local') return res.attrTypeOfClass(base.cls, attr.text, depth + 1);
  if (isProjectTy(base)) return res.project ? res.project.attr(base, attr.text) : UNKNOWN;
  if (base.k === 'seq' || base.k === 'map') return OTHER; // a method of a list/set/dict
  // An attribute of a module: the standard library's are not AnyIO's, a third-party one's are unknown.
  if (q) return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
  if (base.k === 'other' || base.k === 'none') return OTHER;
  return UNKNOWN;
}

/** Type of `obj.attr` for an instance of a class defined in this file. */
export function attrTypeOfClass(res: Resolver, cls: ClassInfo, attr: string, depth: number): Ty {
  if (depth > MAX_DEPTH) return UNKNOWN;
  const assigns = cls.attrs.get(attr);
  if (!assigns || assigns.length === 0) {
    const m = cls.methods.get(attr);
    if (m) return isProperty(m) ? res.functionResult(m, false, depth + 1) : OTHER;
    return inheritedAttr(res, cls, attr, depth + 1);
  }
  const tys: Ty[] = [];
  for (const a of assigns) {
    if (a.annotation) {
      const t = res.typeFromAnnotation(a.annotation, depth + 1);
      if (t.k !== 'unknown') {
        tys.push(t);
        continue;
      }
    }
    if (a.enter) {
      let t = res.enterType(a.enter.cm, a.enter.isAsync, depth + 1);
      for (const i of a.path ?? []) t = t.k === 'tuple' ? (t.items[i] ?? UNKNOWN) : UNKNOWN;
      tys.push(t);
    } else if (a.value) {
      let t = typeFromClassValue(res, a.value, depth + 1);
      for (const i of a.path ?? []) t = t.k === 'tuple' ? (t.items[i] ?? UNKNOWN) : UNKNOWN;
      tys.push(t);
    } else if (!a.annotation) tys.push(UNKNOWN);
  }
  // Only ever `None` where the engine can see: it is set somewhere it cannot (a caller, a
  // `setattr`), so nothing is proven — never "not AnyIO" (`await self._tg.spawn()` is no miss).
  const t = joinTys(tys);
  return t.k === 'none' ? UNKNOWN : t;
}

/** An attribute the class does not set itself: its bases' (this file's classes or the project's). */
function inheritedAttr(res: Resolver, cls: ClassInfo, attr: string, depth: number): Ty {
  if (depth > MAX_DEPTH) return UNKNOWN;
  for (const base of cls.superclasses) {
    const b = unparen(base);
    if (b.type === 'identifier') {
      const found = lookup(res.idx, b.text, b);
      const def = found?.bindings.length === 1 && found.bindings[0]!.kind === 'class' ? found.bindings[0]!.def : undefined;
      const local = def ? res.idx.classes.find((c) => c.node.id === def.id) : undefined;
      if (local && local !== cls) {
        const t = res.attrTypeOfClass(local, attr, depth + 1);
        if (t.k !== 'unknown') return t;
        continue;
      }
    }
    const bt = res.typeOf(b, depth + 1);
    if (res.project && (bt.k === 'pclass' || bt.k === 'sym')) {
      const t = res.project.attr(res.project.call(bt, false), attr);
      if (t.k !== 'unknown') return t;
    }
  }
  return UNKNOWN;
}

/**
 * A class-level value: `field(default_factory=anyio.create_event)` (dataclasses, pydantic),
 * `attr.ib(factory=...)`, `attrs.field(default=attr.Factory(...))` give an instance of what the
 * factory makes.
 */
export function typeFromClassValue(res: Resolver, value: Node, depth: number): Ty {
  const v = unparen(value);
  if (v.type === 'call') {
    const fq = res.qualifiedOf(v.childForFieldName('function') ?? v);
    if (fq && /(^|\.)(Factory)$/.test(fq) && /^attrs?\./.test(fq)) return factoryResult(res, v.childForFieldName('arguments')?.namedChild(0) ?? undefined, depth);
    const args = v.childForFieldName('arguments');
    for (const a of args?.namedChildren ?? []) {
      if (a?.type !== 'keyword_argument') continue;
      const name = a.childForFieldName('name')?.text;
      const f = a.childForFieldName('value');
      if (!f) continue;
      if (name === 'default_factory' || name === 'factory') return factoryResult(res, f, depth);
      if (name === 'default') {
        const d = unparen(f);
        const dq = d.type === 'call' ? res.qualifiedOf(d.childForFieldName('function') ?? d) : undefined;
        if (dq && /^attrs?\.Factory$/.test(dq)) return factoryResult(res, d.childForFieldName('arguments')?.namedChild(0) ?? undefined, depth);
      }
    }
    // `attr.ib()` / `field()` / `Field()` without a factory: the value is set by the constructor.
    if (fq && /^(attr\.ib|attr\.attrib|attrs\.field|attr\.field|dataclasses\.field|pydantic\.Field|pydantic\.fields\.Field)$/.test(fq)) return UNKNOWN;
  }
  return res.typeOf(v, depth);
}

/** The instance a factory (`anyio.create_event`, `anyio.Event`, a lambda returning one) makes. */
function factoryResult(res: Resolver, f: Node | undefined, depth: number): Ty {
  if (!f) return UNKNOWN;
  const n = unparen(f);
  if (n.type === 'lambda') {
    const body = n.childForFieldName('body');
    return body ? res.typeOf(body, depth + 1) : UNKNOWN;
  }
  const q = res.qualifiedOf(n);
  const r = q ? CALL_RESULTS.get(q) : undefined;
  if (r?.instance && r.instance !== 'cm' && r.instance !== 'portal-cm' && r.instance !== 'memory-stream-pair') return { k: 'anyio', cls: r.instance };
  if (r || (q && isAnyioName(q))) return UNKNOWN;
  if (n.type === 'identifier') {
    const found = lookup(res.idx, n.text, n);
    if (!found) return OTHER; // a builtin: list, dict, set...
    const b = found.bindings.length === 1 ? found.bindings[0]! : undefined;
    if (b?.kind === 'class' && b.def) {
      const cls = res.idx.classes.find((c) => c.node.id === b.def!.id);
      return cls ? { k: 'local', cls } : UNKNOWN;
    }
    if (b?.kind === 'def' && b.def) {
      const sc = res.idx.scopes.get(b.def.id);
      return sc ? res.functionResult(sc, false, depth + 1) : UNKNOWN;
    }
  }
  const t = res.typeOf(n, depth + 1);
  if (t.k === 'pclass' || t.k === 'pfunc' || t.k === 'sym') return res.project ? res.project.call(t, false) : UNKNOWN;
  if (q) return isKnownNotAnyio(q) ? OTHER : UNKNOWN;
  return t.k === 'other' ? OTHER : UNKNOWN;
}
