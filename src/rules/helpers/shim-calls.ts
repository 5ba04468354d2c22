/**
 * The calls the AnyIO 2 shims wrap or test: what `maybe_async(<arg>)` wraps, whether a call tested
 * with `inspect.isawaitable()` is one AnyIO 3 made plain, and the single argument of a call and
 * the edits that unwrap it.
 */
import { NOW_SYNC_FUNCTIONS, NOW_SYNC_METHODS } from '../../core/anyio-api';
import type { Node } from '../../core/parser';
import { lookup } from '../../core/scopes';
import type { Edit } from '../../core/types';
import type { RuleContext } from '../../core/rule-api';
import { methodCall } from './syntax';

/** Edits that turn `f(x)` into `x` (the single argument of the call). */
export function unwrapCall(call: Node, arg: Node): Edit[] {
  return [
    { start: call.startIndex, end: arg.startIndex, text: '' },
    { start: arg.endIndex, end: call.endIndex, text: '' },
  ];
}

export function singleArg(call: Node): Node | undefined {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
  return args.length === 1 && args[0]!.type !== 'keyword_argument' && !args[0]!.type.includes('splat') ? (args[0] as Node) : undefined;
}

/**
 * What `maybe_async(<arg>)` wraps: a call AnyIO 3 made plain (rows I1: A1–A4, and B2–E1 on a proven
 * receiver), a call of a coroutine function defined in this file (AnyIO 2 awaited it), or unknown.
 */
export function maybeAsyncArg(ctx: RuleContext, arg: Node): 'anyio' | 'coroutine' | 'unknown' {
  const fn = arg.type === 'call' ? arg.childForFieldName('function') : null;
  if (!fn) return 'unknown';
  const q = ctx.res.qualifiedOf(fn);
  if (q && NOW_SYNC_FUNCTIONS.has(q)) return 'anyio';
  if (fn.type === 'identifier') {
    const bs = lookup(ctx.idx, fn.text, fn)?.bindings ?? [];
    if (bs.length > 0 && bs.every((b) => b.kind === 'def' && /^async\b/.test(b.def?.text ?? ''))) return 'coroutine';
  }
  const mc = methodCall(arg);
  if (mc) {
    const t = ctx.res.typeOf(mc.receiver);
    if (t.k === 'anyio' && NOW_SYNC_METHODS.get(mc.method.text)?.get(t.cls)?.kind === 'deprecated') return 'anyio';
  }
  return 'unknown';
}

/**
 * Is `call` (tested with `inspect.isawaitable()` / `iscoroutine()`) one of AnyIO's calls that became
 * plain in 3? `true`: proven (the function resolved to AnyIO, or the receiver's type proven);
 * `false`: an AnyIO method name on a receiver of unknown type; `undefined`: not AnyIO's (a user
 * function or class, or a module with its own `async def <method>`), whose coroutine must be awaited.
 */
export function isAnyioNowPlainCall(ctx: RuleContext, call: Node): boolean | undefined {
  const mc = methodCall(call);
  if (!mc) {
    const fn = call.childForFieldName('function');
    const q = fn ? ctx.res.qualifiedOf(fn) : undefined;
    return q && NOW_SYNC_FUNCTIONS.has(q) ? true : undefined;
  }
  const changes = NOW_SYNC_METHODS.get(mc.method.text);
  if (!changes) return undefined;
  const t = ctx.res.typeOf(mc.receiver);
  if (t.k === 'anyio') return changes.has(t.cls) ? true : undefined;
  if (t.k === 'unknown') return ctx.res.definesMethod(mc.method.text, true) ? undefined : false;
  return undefined;
}
