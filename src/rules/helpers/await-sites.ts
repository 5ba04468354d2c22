/**
 * The awaited calls the ASY1xx rules report, classified once per analysis: an AnyIO function made
 * plain (A1–A4), or a method made plain on a receiver proven to be AnyIO's or of unknown type with
 * the AnyIO call shape, with what is proven of it.
 */
import { ANYIO_UNIQUE_METHODS, type AnyioClass, NOW_SYNC_FUNCTIONS, NOW_SYNC_METHODS } from '../../core/anyio-api';
import type { Node } from '../../core/parser';
import { unparen } from '../../core/scopes';
import { prefiltersEnabled } from '../../core/prefilters';
import { perAnalysis, type RuleContext } from '../context';
import { awaitedCall, hasSplat, methodCall, positionalCount, type MethodCall } from './syntax';
import { anyioRoots } from './references';

/** Arity an unproven receiver's call must have to look like the AnyIO method. */
function shapeMatches(method: string, positional: number, total: number): boolean {
  switch (method) {
    case 'send_nowait':
    case 'acquire_on_behalf_of_nowait':
    case 'release_on_behalf_of':
    case 'set_total_tokens':
      return positional === 1 && total === 1;
    case 'notify':
      return total <= 1;
    default:
      return total === 0;
  }
}

/** The leftmost name of `a.b.c` (through parentheses), if it is a name. */
function rootName(expr: Node): string | undefined {
  let n = unparen(expr);
  while (n.type === 'attribute') n = unparen(n.childForFieldName('object') ?? n);
  return n.type === 'identifier' ? n.text : undefined;
}

/** `roots` plus every name assigned (in any scope) a name or attribute chain rooted in the set, to a fixpoint. */
function aliasClosure(idx: RuleContext['idx'], base: ReadonlySet<string>): Set<string> {
  const roots = new Set(base);
  for (let grew = true; grew;) {
    grew = false;
    for (const sc of idx.scopes.values()) {
      for (const [name, bs] of sc.bindings) {
        if (roots.has(name)) continue;
        if (bs.some((b) => b.kind === 'assign' && b.value && roots.has(rootName(b.value) ?? ''))) {
          roots.add(name);
          grew = true;
        }
      }
    }
  }
  return roots;
}

/** `<x>.cancel_scope` where the type of `<x>` is unknown. */
function unprovenCancelScope(ctx: RuleContext, receiver: Node): boolean {
  const r = unparen(receiver);
  const obj = r.type === 'attribute' && r.childForFieldName('attribute')?.text === 'cancel_scope' ? r.childForFieldName('object') : null;
  return !!obj && ctx.res.typeOf(obj).k === 'unknown';
}

/** An awaited AnyIO function (A1–A4). */
export interface FunctionSite {
  kind: 'function';
  aw: Node;
  call: Node;
  q: string;
}

/** An awaited method that AnyIO 3 made plain, on a receiver proven or of unknown type. */
export interface MethodSite {
  kind: 'method';
  aw: Node;
  call: Node;
  mc: MethodCall;
  method: string;
  classes: AnyioClass[];
  proven: boolean;
  /** A class of the project has its own `async def <method>`: reported without a fix. */
  ownAsync: boolean;
  recv: string;
}

/** Every awaited call the family reports, in source order (computed once per analysis). */
export const awaitSites = perAnalysis((ctx): Array<FunctionSite | MethodSite> => {
  const { idx, res } = ctx;
  const out: Array<FunctionSite | MethodSite> = [];
  // Cheap tests before resolving anything: the awaited call is a method we know, or its callee
  // starts with a name that may resolve to anyio (an import from it, or an alias of one, through
  // any chain of simple assignments: the closure the resolver follows).
  const roots = prefiltersEnabled() ? aliasClosure(idx, anyioRoots(idx)) : undefined;
  for (const aw of idx.awaits) {
    const call = awaitedCall(aw);
    if (!call) continue;
    const fn = call.childForFieldName('function');
    if (!fn) continue;
    if (roots) {
      const m = methodCall(call)?.method.text;
      if (!(m && (NOW_SYNC_METHODS.has(m) || m === 'set_total_tokens')) && !roots.has(rootName(fn) ?? '')) continue;
    }
    // Module-level functions (A1–A4).
    const q = res.qualifiedOf(fn);
    if (q && NOW_SYNC_FUNCTIONS.has(q)) {
      out.push({ kind: 'function', aw, call, q });
      continue;
    }
    const mc = methodCall(call);
    if (!mc) continue;
    const method = mc.method.text;
    const changes = NOW_SYNC_METHODS.get(method);
    if (!changes && method !== 'set_total_tokens') continue;
    const t = res.typeOf(mc.receiver);
    let classes: AnyioClass[];
    let proven: boolean;
    let ownAsync = false;
    if (t.k === 'anyio') {
      if (method === 'set_total_tokens' ? t.cls !== 'CapacityLimiter' : !changes!.has(t.cls)) continue;
      classes = [t.cls];
      // `x.cancel_scope` of an unknown `x` is recognised by its name only: not proven when a class
      // of this module has its own `async def cancel` (then `x` may be one of those).
      proven = !(res.definesMethod(method, true) && unprovenCancelScope(ctx, mc.receiver));
    } else if (t.k === 'unknown') {
      if (!idx.importsAnyio || hasSplat(mc.args)) continue;
      if (!shapeMatches(method, positionalCount(mc.args), mc.args.length)) continue;
      classes = method === 'set_total_tokens' ? ['CapacityLimiter'] : [...changes!.keys()];
      // A class of the project with its own `async def <method>`: the receiver may be one of
      // those (then the `await` is right). Reported all the same, never silently dropped.
      ownAsync = res.definesMethod(method, true);
      proven = ANYIO_UNIQUE_METHODS.has(method) && !ownAsync;
    } else continue;
    const recv = mc.receiver.text.length <= 40 ? mc.receiver.text : 'the receiver';
    out.push({ kind: 'method', aw, call, mc, method, classes, proven, ownAsync, recv });
  }
  return out;
});

export function methodSites(ctx: RuleContext): MethodSite[] {
  return awaitSites(ctx).filter((s): s is MethodSite => s.kind === 'method');
}
