/**
 * The type lattice of name resolution: `Ty` (the summary types plus a class of this file), the
 * join of several bindings' types, what AnyIO's own calls give, and the decorator patterns that
 * change what a function or method gives (context managers, properties, pytest fixtures).
 */
import type { ClassInfo, Scope } from '../scopes';
import { CALL_RESULTS } from '../anyio-api';
import type { STy } from '../semantic/types';

/**
 * A type as far as AnyIO is concerned: the plain summary types (`STy`), plus a class of this very
 * file. `pinst`/`pclass`/`pfunc` are the project's own classes and functions in other modules,
 * `sym` only appears while a module is being summarised (see `semantic/types.ts`).
 */
export type Ty = STy | { k: 'local'; cls: ClassInfo };

/** Decorators that make a generator function a context manager factory. */
export const CM_DECORATOR = /(^|\.)(asynccontextmanager|contextmanager)$/;
/** A pytest fixture's decorator, its arguments removed. */
export const FIXTURE_DECORATOR = /(^|\.)fixture$/;

/** `@pytest.fixture`, `@pytest.fixture(scope=...)`, `@pytest_asyncio.fixture`. */
export function isFixture(fn: Scope): boolean {
  return (fn.decorators ?? []).some((d) => FIXTURE_DECORATOR.test(d.text.replace(/\s+/g, '').replace(/\(.*\)$/s, '')));
}

/** Decorators that make a method an attribute read. */
export const PROPERTY_DECORATOR = /(^|\.)(property|cached_property|reify)$/;

export const UNKNOWN: STy = { k: 'unknown' };
export const OTHER: STy = { k: 'other' };
export const NONE: STy = { k: 'none' };

export const LITERAL_TYPES = new Set([
  'integer',
  'float',
  'string',
  'concatenated_string',
  'true',
  'false',
  'tuple',
  'lambda',
  'binary_operator',
  'comparison_operator',
  'boolean_operator',
  'not_operator',
  'unary_operator',
]);

export const MAX_DEPTH = 12;

export function sameTy(a: Ty, b: Ty): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'anyio' && b.k === 'anyio') return a.cls === b.cls;
  if (a.k === 'local' && b.k === 'local') return a.cls === b.cls;
  if (a.k === 'class' && b.k === 'class') return a.q === b.q;
  if ((a.k === 'pinst' || a.k === 'pclass' || a.k === 'pfunc' || a.k === 'aname') && a.k === b.k) return a.q === (b as { q: string }).q;
  if (a.k === 'sym') return a === b;
  if (a.k === 'seq' && b.k === 'seq') return sameTy(a.item as Ty, b.item as Ty);
  if (a.k === 'map' && b.k === 'map') return sameTy(a.value as Ty, b.value as Ty);
  if (a.k === 'cm' && b.k === 'cm') return sameTy(a.enter, b.enter);
  if (a.k === 'tuple' && b.k === 'tuple') return a.items.length === b.items.length && a.items.every((t, i) => sameTy(t, b.items[i]!));
  return true;
}

/**
 * Join the types of several bindings of one name (flow-insensitive): `None` is ignored (the
 * "set later" pattern); one local class anywhere wins (never touch look-alikes); otherwise all must
 * agree, or the result is unknown.
 */
export function joinTys(tys: Ty[]): Ty {
  const real = tys.filter((t) => t.k !== 'none');
  if (real.length === 0) return tys.length ? NONE : UNKNOWN;
  const local = real.find((t) => t.k === 'local' || t.k === 'pinst');
  if (local) return local;
  const first = real[0]!;
  if (real.every((t) => sameTy(t, first))) return first;
  if (real.every((t) => t.k === 'other')) return OTHER;
  // While summarising: the join of what other modules give is decided by the project index.
  if (real.some((t) => t.k === 'sym')) return { k: 'sym', e: { op: 'join', items: real as STy[] } };
  return UNKNOWN;
}

/** What calling the AnyIO function or class `q` gives, when the engine knows. */
export function anyioCallResult(q: string): STy | undefined {
  const r = CALL_RESULTS.get(q);
  if (r?.instance === 'memory-stream-pair') {
    return {
      k: 'tuple',
      items: [
        { k: 'anyio', cls: 'MemoryObjectSendStream' },
        { k: 'anyio', cls: 'MemoryObjectReceiveStream' },
      ],
    };
  }
  if (r?.instance === 'cm' || r?.instance === 'portal-cm') return { k: 'cm', enter: r.enter ? { k: 'anyio', cls: r.enter } : UNKNOWN };
  if (r?.instance) return { k: 'anyio', cls: r.instance };
  return undefined;
}

/** Whether `t` is something only the project index can look into. */
export function isProjectTy(t: Ty): t is Extract<STy, { k: 'pinst' | 'pclass' | 'pfunc' | 'aname' | 'sym' }> {
  return t.k === 'pinst' || t.k === 'pclass' || t.k === 'pfunc' || t.k === 'aname' || t.k === 'sym';
}

/** Whether the method `fn` is read as an attribute (`@property` and friends). */
export function isProperty(fn: Scope): boolean {
  return (fn.decorators ?? []).some((d) => PROPERTY_DECORATOR.test(d.text.replace(/\s+/g, '')));
}
