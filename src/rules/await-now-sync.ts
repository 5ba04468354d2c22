/**
 * Coroutines that became plain functions in AnyIO 3 (rows A1–A4, B2–B16, C3, E1, E2):
 * `await anyio.current_time()`, `await event.set()`, `await limiter.release()`, ...
 */
import { ANYIO_UNIQUE_METHODS, AnyioClass, NOW_SYNC_FUNCTIONS, NOW_SYNC_METHODS } from '../core/anyio-api';
import type { RuleMeta } from '../core/types';
import type { Node } from '../core/parser';
import { unparen } from '../core/scopes';
import { prefiltersEnabled } from '../core/prefilters';
import type { Fix } from '../core/types';
import { anyioRoots, lookalikeReporter, awaitedCall, catchWarningsBlock, dropAwait, hasSplat, methodCall, positionalCount, replaceStatementWithLines, RuleContext, RuleFamily, spellShim, statementOwnsLines, warningsWrapper } from './context';

/** AnyIO 2 and 3: `await maybe_async(<call>)` (AnyIO 2.2+ and 3.x; removed in 4). */
function maybeAsyncFix(ctx: RuleContext, aw: Node, call: Node, applicability: 'safe' | 'unsafe'): Fix {
  const shim = spellShim(ctx, 'maybe_async', aw);
  return {
    title: 'Wrap in `maybe_async()` (AnyIO 2 and 3)',
    applicability,
    edits: [
      { start: call.startIndex, end: call.startIndex, text: `${shim.text}(` },
      { start: call.endIndex, end: call.endIndex, text: ')' },
    ],
    imports: shim.imports,
  };
}

/**
 * AnyIO 2 and 3 for the methods no shim accepts (B7, B8, B14, B15): call, then await the result
 * only if it is awaitable (AnyIO 2 returns a coroutine, AnyIO 3 returns None).
 */
function isAwaitableFix(ctx: RuleContext, aw: Node, call: Node, applicability: 'safe' | 'unsafe'): Fix | undefined {
  const stmt = aw.parent;
  if (!stmt || stmt.type !== 'expression_statement' || stmt.namedChildCount !== 1 || !statementOwnsLines(ctx.text, stmt)) return undefined;
  const inspect = ctx.res.qualifiedOfName('inspect', aw);
  if (inspect !== undefined ? inspect !== 'inspect' : ctx.idx.module.bindings.has('inspect')) return undefined;
  const edit = replaceStatementWithLines(ctx.text, stmt, [
    [0, `_maybe_awaitable = ${call.text}`],
    [0, 'if inspect.isawaitable(_maybe_awaitable):'],
    [1, 'await _maybe_awaitable'],
  ]);
  if (!edit) return undefined;
  return { title: 'Await only when awaitable (AnyIO 2 and 3)', applicability, edits: [edit], imports: inspect ? [] : [{ module: 'inspect' }] };
}

/**
 * AnyIO 2 and 3 for `receive_nowait()` (row E2; the 2.2.0 audit): AnyIO 2 returns a coroutine, AnyIO 3
 * the item, which no shim accepts. For `x = await r.receive_nowait()` (or the bare statement): call,
 * then await only a coroutine. Unsafe: on AnyIO 3 an item that is itself a coroutine would be awaited.
 */
function receiveNowaitFix(ctx: RuleContext, aw: Node, call: Node): Fix | undefined {
  let stmt = aw.parent;
  let target: string | undefined;
  if (stmt?.type === 'assignment') {
    const left = stmt.childForFieldName('left');
    if (stmt.childForFieldName('right')?.id !== aw.id || left?.type !== 'identifier' || stmt.childForFieldName('type')) return undefined;
    target = left.text;
    stmt = stmt.parent;
  }
  if (!stmt || stmt.type !== 'expression_statement' || stmt.namedChildCount !== 1 || !statementOwnsLines(ctx.text, stmt)) return undefined;
  const inspect = ctx.res.qualifiedOfName('inspect', aw);
  if (inspect !== undefined ? inspect !== 'inspect' : ctx.idx.module.bindings.has('inspect')) return undefined;
  const name = target ?? '_maybe_awaitable';
  const edit = replaceStatementWithLines(ctx.text, stmt, [
    [0, `${name} = ${call.text}`],
    [0, `if inspect.iscoroutine(${name}):`],
    [1, target ? `${name} = await ${name}` : `await ${name}`],
  ]);
  if (!edit) return undefined;
  return { title: 'Await only a coroutine (AnyIO 2 and 3)', applicability: 'unsafe', edits: [edit], imports: inspect ? [] : [{ module: 'inspect' }] };
}

export const ASY101: RuleMeta = {
  code: 'ASY101',
  name: 'await-now-sync-function',
  summary: '`await` on `current_time()`, `current_effective_deadline()`, `get_current_task()` or `get_running_tasks()`',
  rows: ['A1', 'A2', 'A3', 'A4'],
  fixTitle: 'Remove the `await`',
  fixAvailability: 'always',
  fixSafety: 'Safe: the function is resolved to AnyIO through the imports.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why:
      'These functions are plain functions in AnyIO 3. Awaiting their result still works through a ' +
      'compatibility shim but raises a DeprecationWarning (hidden by default filters), and AnyIO 4 ' +
      'removed the shim: `await` on a float, list or TaskInfo is a TypeError there.',
    before: 'now = await anyio.current_time()',
    after: 'now = anyio.current_time()',
  },
};

export const ASY102: RuleMeta = {
  code: 'ASY102',
  name: 'await-now-sync-method',
  summary: '`await` on `Event.set()`, `Lock/Condition/Semaphore.release()`, `CapacityLimiter.acquire_nowait()`, `CancelScope.cancel()`, `send_nowait()`',
  rows: ['B2', 'B4', 'B6', 'B10', 'B12', 'B13', 'C3', 'E1'],
  fixTitle: 'Remove the `await`',
  fixAvailability: 'always',
  compatFixAvailability: 'sometimes',
  fixSafety:
    'Safe when the receiver is proven to be the AnyIO object (bound from an AnyIO factory or ' +
    'constructor, a task group or cancel scope `as` target, or annotated with an AnyIO type). ' +
    'Unsafe when the type cannot be proven but the call has the AnyIO shape in a module that imports anyio.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why:
      'These methods are plain methods in AnyIO 3. Awaiting them still works with a ' +
      'DeprecationWarning; in AnyIO 4 they return None and `await None` is a TypeError. ' +
      'Note: in AnyIO 3 a Lock or Condition must be released by the task that acquired it.',
    before: 'await event.set()\nawait tg.cancel_scope.cancel()',
    after: 'event.set()\ntg.cancel_scope.cancel()',
  },
};

export const ASY103: RuleMeta = {
  code: 'ASY103',
  name: 'await-now-breaking-method',
  summary: '`await` on `Condition.notify()/notify_all()`, `CapacityLimiter.release()/release_on_behalf_of()`, `receive_nowait()`: a TypeError in AnyIO 3',
  rows: ['B7', 'B8', 'B14', 'B15', 'E2'],
  fixTitle: 'Remove the `await`',
  fixAvailability: 'always',
  compatFixAvailability: 'sometimes',
  fixSafety: 'Safe when the receiver is proven to be the AnyIO object; unsafe otherwise.',
  defaultSeverity: 'error',
  deprecated: false,
  docs: {
    why:
      'These methods return None (or the item) in AnyIO 3 with no awaitable shim, so awaiting them ' +
      'raises TypeError — after the side effect happened: the waiter is already notified, the token ' +
      'already released, and for receive_nowait() the item already taken out of the stream and lost. ' +
      'The official migration guide does not list notify/notify_all/release for CapacityLimiter. ' +
      'No `maybe_async()` form works for these; to support AnyIO 2 and 3, the result is awaited only when it is ' +
      'awaitable (a coroutine, for `receive_nowait()`).',
    before: 'await limiter.release()\nitem = await receive.receive_nowait()',
    after: 'limiter.release()\nitem = receive.receive_nowait()',
  },
};

export const ASY104: RuleMeta = {
  code: 'ASY104',
  name: 'set-total-tokens',
  summary: '`await limiter.set_total_tokens(n)` → `limiter.total_tokens = n`',
  rows: ['B16'],
  fixTitle: 'Assign `total_tokens` instead',
  fixAvailability: 'sometimes',
  fixSafety: 'Safe when the call is a statement of its own; no fix when its (None) result is used.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why:
      'CapacityLimiter.set_total_tokens() is deprecated in AnyIO 3 in favour of the `total_tokens` ' +
      'property setter, and gone in AnyIO 4 (AttributeError). The migration guide does not mention it.',
    before: 'await limiter.set_total_tokens(10)',
    after: 'limiter.total_tokens = 10',
  },
};

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
  for (let grew = true; grew; ) {
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

const CLASS_ARTICLE = (cls: string) => (/^[AEIOU]/.test(cls) ? `an ${cls}` : `a ${cls}`);

function check(ctx: RuleContext): void {
  const { idx, res } = ctx;
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
      const short = q.slice('anyio.'.length);
      ctx.report(ASY101, {
        node: aw,
        message:
          ctx.target === 'anyio2+3'
            ? `\`${short}()\` is a plain function in AnyIO 3: awaiting it is deprecated. To support AnyIO 2 and 3, use \`await maybe_async(${short}())\`.`
            : `\`${short}()\` is a plain function in AnyIO 3: awaiting it is deprecated, and a TypeError in AnyIO 4. Remove the \`await\`.`,
        fix: ctx.target === 'anyio2+3' ? maybeAsyncFix(ctx, aw, call, 'safe') : { title: ASY101.fixTitle, applicability: 'safe', edits: [dropAwait(aw)] },
      });
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
    const report = ownAsync ? lookalikeReporter(ctx, recv, method) : ctx.report.bind(ctx);
    const unprovenNote = proven
      ? ''
      : ownAsync
        ? ` (the type of \`${recv}\` could not be proven, and a class of this project has its own \`async def ${method}\`)`
        : ` (the type of \`${recv}\` could not be proven, so the fix is marked unsafe)`;

    if (method === 'set_total_tokens') {
      const stmt = aw.parent;
      const arg = mc.args[0];
      const fixable = stmt?.type === 'expression_statement' && stmt.namedChildCount === 1 && mc.args.length === 1 && arg && arg.type !== 'keyword_argument' && arg.type !== 'list_splat';
      if (ctx.target === 'anyio2+3') {
        if (catchWarningsBlock(ctx, aw)?.silenced) continue; // already the cross-version form
        // AnyIO 2 has no `total_tokens` setter: keep the call, silence its deprecation warning.
        const wrap = stmt && fixable ? warningsWrapper(ctx, stmt) : undefined;
        report(ASY104, {
          node: aw,
          message: '`CapacityLimiter.set_total_tokens()` is deprecated in AnyIO 3; AnyIO 2 has no `total_tokens` setter. To support both, keep the call with its DeprecationWarning silenced.',
          ...(wrap
            ? { fix: { title: 'Silence the DeprecationWarning (AnyIO 2 and 3)', applicability: proven ? ('safe' as const) : ('unsafe' as const), ...wrap } }
            : { noFixReason: 'The call is not a statement of its own line; wrap it by hand in `with warnings.catch_warnings(): warnings.simplefilter("ignore", DeprecationWarning)`.' }),
        });
        continue;
      }
      report(ASY104, {
        node: aw,
        message: `\`CapacityLimiter.set_total_tokens()\` is deprecated in AnyIO 3 and removed in AnyIO 4: assign \`${recv}.total_tokens\` instead${unprovenNote}.`,
        ...(fixable
          ? { fix: { title: ASY104.fixTitle, applicability: proven ? ('safe' as const) : ('unsafe' as const), edits: [{ start: aw.startIndex, end: aw.endIndex, text: `${mc.receiver.text}.total_tokens = ${arg!.text}` }] } }
          : { noFixReason: 'The result of the call is used as a value, so it cannot become an assignment automatically. Set `total_tokens` in a statement of its own.' }),
      });
      continue;
    }

    const kinds = new Set(classes.map((c) => changes!.get(c)!.kind));
    const breaking = kinds.size === 1 && kinds.has('breaking');
    const clsText = classes.join('/');
    let message: string;
    if (breaking) {
      const lost = method === 'receive_nowait' ? ' The item has already been taken out of the stream when the error is raised, so it is lost.' : ' The side effect has already happened when the error is raised.';
      message = `\`${clsText}.${method}()\` returns ${method === 'receive_nowait' ? 'the item' : 'None'} in AnyIO 3: awaiting it raises TypeError.${lost} Remove the \`await\`${unprovenNote}.`;
    } else {
      const also = kinds.has('breaking') ? ` If \`${recv}\` is a CapacityLimiter, awaiting it even raises TypeError in AnyIO 3.` : '';
      message = proven
        ? `\`${clsText}.${method}()\` is a plain method in AnyIO 3: awaiting it is deprecated, and a TypeError in AnyIO 4. Remove the \`await\`.`
        : `If \`${recv}\` is ${CLASS_ARTICLE(classes[0]!)}${classes.length > 1 ? ` (or ${classes.slice(1).join('/')})` : ''} from AnyIO, \`.${method}()\` is a plain method in AnyIO 3 and awaiting it is deprecated.${also} Remove the \`await\`${unprovenNote}.`;
    }
    const meta = breaking ? ASY103 : ASY102;
    const applicability = proven ? 'safe' : 'unsafe';
    if (ctx.target === 'anyio2+3') {
      const mixed = kinds.has('breaking');
      let fix: Fix | undefined;
      let noFixReason: string | undefined;
      if (method === 'receive_nowait') {
        // `maybe_async()` rejects the item (AttributeError `_unwrap`): await the result only when it is a coroutine.
        fix = receiveNowaitFix(ctx, aw, call);
        if (!fix) noFixReason = '`maybe_async()` rejects the item on AnyIO 3 (AttributeError `_unwrap`). The cross-version form `item = receive.receive_nowait()` / `if inspect.iscoroutine(item): item = await item` needs the call to be a statement of its own or assigned to a plain name.';
      } else if (breaking) {
        fix = isAwaitableFix(ctx, aw, call, applicability);
        if (!fix) noFixReason = '`maybe_async()` does not accept this method\'s result in AnyIO 3; the cross-version form `r = obj.method(); if inspect.isawaitable(r): await r` needs the call to be a statement of its own.';
      } else if (mixed) {
        noFixReason = `The cross-version form depends on the type of \`${recv}\`: \`await maybe_async(x.${method}())\` for a Lock, Condition or Semaphore, but \`r = x.${method}(); if inspect.isawaitable(r): await r\` for a CapacityLimiter (whose result \`maybe_async()\` rejects). Annotate it to get the right fix.`;
      } else fix = maybeAsyncFix(ctx, aw, call, applicability);
      report(meta, {
        node: aw,
        message: fix || noFixReason ? `${message.replace(/ Remove the `await`.*$/, '')} For AnyIO 2 and 3: ${fix ? fix.title.replace(/ \(AnyIO 2 and 3\)$/, '').toLowerCase() : 'no cross-version form'}.` : message,
        severity: breaking ? 'error' : 'warning',
        deprecated: !breaking,
        ...(fix ? { fix } : { noFixReason: noFixReason! }),
      });
      continue;
    }
    report(meta, {
      node: aw,
      message,
      severity: breaking ? 'error' : 'warning',
      deprecated: !breaking,
      fix: { title: meta.fixTitle, applicability, edits: [dropAwait(aw)] },
    });
  }
}

/** `<x>.cancel_scope` where the type of `<x>` is unknown. */
function unprovenCancelScope(ctx: RuleContext, receiver: Node): boolean {
  const r = unparen(receiver);
  const obj = r.type === 'attribute' && r.childForFieldName('attribute')?.text === 'cancel_scope' ? r.childForFieldName('object') : null;
  return !!obj && ctx.res.typeOf(obj).k === 'unknown';
}

export const awaitNowSync: RuleFamily = { rules: [ASY101, ASY102, ASY103, ASY104], check };
