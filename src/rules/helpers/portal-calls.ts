/**
 * The calls of `spawn()`, `spawn_task()` and `stop_from_external_thread()` on a task group or a
 * blocking portal, each with what is known of its receiver: classified once per analysis for the
 * rules of both families that report them (ASY301, ASY302, ASY404).
 */
import { ANYIO_UNIQUE_METHODS } from '../../core/anyio-api';
import type { Node } from '../../core/parser';
import { lookalikeReporter, mayContain, perAnalysis, type RuleContext } from '../context';
import { hasSplat, methodCall, parentThroughParens, type MethodCall } from './syntax';

export interface PortalCall {
  call: Node;
  mc: MethodCall;
  method: 'spawn' | 'spawn_task' | 'stop_from_external_thread';
  /** The receiver is proven to be the AnyIO object. */
  proven: boolean;
  /** A class of the project has a method of this name: reported without a fix. */
  own: boolean;
}

/** The names occur in the text at all (always true with the prefilters off). */
export function mayHaveSpawn(ctx: RuleContext): boolean {
  return mayContain(ctx, /\b(spawn|spawn_task|stop_from_external_thread)\b/);
}

/** Every such call in source order, on a receiver proven to be AnyIO's or of unknown type. */
export const portalCalls = perAnalysis((ctx): PortalCall[] => {
  const { idx, res } = ctx;
  const out: PortalCall[] = [];
  for (const call of mayHaveSpawn(ctx) ? idx.calls : []) {
    const fn = call.childForFieldName('function');
    if (!fn || !/\.(spawn|spawn_task|stop_from_external_thread)\s*$/.test(fn.text)) continue;
    const mc = methodCall(call);
    if (!mc) continue;
    const method = mc.method.text;
    if (method !== 'spawn' && method !== 'spawn_task' && method !== 'stop_from_external_thread') continue;
    let t = res.typeOf(mc.receiver);
    const wanted = method === 'spawn' ? 'TaskGroup' : 'BlockingPortal';
    // AnyIO 2 code: `portal = start_blocking_portal()` was the portal itself.
    if (t.k === 'cm' && t.enter.k === 'anyio' && t.enter.cls === 'BlockingPortal' && wanted === 'BlockingPortal') t = t.enter;
    let proven: boolean;
    let own = false;
    if (t.k === 'anyio') {
      if (t.cls !== wanted) continue;
      proven = true;
    } else if (t.k === 'unknown') {
      if (!idx.importsAnyio) continue;
      if (method === 'spawn' && (mc.args.length === 0 || hasSplat(mc.args.slice(0, 1)))) continue;
      // A class of the project has a method of this name: the receiver may be one of those. An
      // awaited call is still reported (unsafe); a plain call is that class's normal use.
      own = res.definesMethod(method, false);
      if (own && parentThroughParens(call)?.type !== 'await') continue;
      proven = ANYIO_UNIQUE_METHODS.has(method) && !own;
    } else continue;
    out.push({ call, mc, method, proven, own });
  }
  return out;
});

/** The call's report: without a fix where a class of the project has a method of that name. */
export function portalReporter(ctx: RuleContext, pc: PortalCall): RuleContext['report'] {
  return pc.own ? lookalikeReporter(ctx, pc.mc.receiver.text.length <= 40 ? pc.mc.receiver.text : 'the receiver', pc.method) : ctx.report.bind(ctx);
}
