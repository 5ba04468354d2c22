/**
 * ASY1xx: coroutines that became plain functions in AnyIO 3 (rows A1–A4, B2–B16, C3, E1, E2):
 * `await anyio.current_time()`, `await event.set()`, `await limiter.release()`, ... Every awaited
 * call is classified once per analysis (`awaitSites`, ./helpers/await-sites); each rule reports its
 * own sites.
 */
import { NOW_SYNC_METHODS } from '../core/anyio-api';
import type { Fix, RuleMeta } from '../core/types';
import { family, fixTitle, lookalikeReporter, message, type Rule, type RuleContext, UNPROVEN_UNSAFE } from './context';
import { awaitSites, methodSites, type MethodSite } from './helpers/await-sites';
import { dropAwait } from './helpers/edits';
import { keywordToken, nameToken } from './helpers/token';
import { catchWarningsBlock, SILENCE_TITLE, warningsWrapper } from './helpers/cross-version';
import { isAwaitableFix, maybeAsyncFix, receiveNowaitFix } from './helpers/await-shims';

const REMOVE_AWAIT = { removeAwait: 'Remove the `await`' };
const MAYBE_ASYNC = { maybeAsync: 'Wrap in `maybe_async()` (AnyIO 2 and 3)' };

/** Why a fix is unsafe or missing, appended to a message as `{unproven}` (empty when proven). */
const UNPROVEN = {
  ...UNPROVEN_UNSAFE,
  unprovenLookalike: ' (the type of `{receiver}` could not be proven, and a class of this project has its own `async def {method}`)',
};

/** The `anyio2+3` message: the AnyIO 3 message without its advice, then the cross-version form. */
const CROSS_VERSION = {
  crossVersion: '{message} For AnyIO 2 and 3: {form}.',
  noCrossVersion: '{message} For AnyIO 2 and 3: no cross-version form.',
};

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
  messages: {
    plainFunction: '`{name}()` is a plain function in AnyIO 3: awaiting it is deprecated, and a TypeError in AnyIO 4. Remove the `await`.',
    plainFunctionCompat: '`{name}()` is a plain function in AnyIO 3: awaiting it is deprecated. To support AnyIO 2 and 3, use `await maybe_async({name}())`.',
  },
  fixTitles: { anyio3: REMOVE_AWAIT, 'anyio2+3': MAYBE_ASYNC },
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
  messages: {
    plainMethod: '`{classes}.{method}()` is a plain method in AnyIO 3: awaiting it is deprecated, and a TypeError in AnyIO 4. Remove the `await`.',
    plainMethodUnproven:
      'If `{receiver}` is {article} from AnyIO, `.{method}()` is a plain method in AnyIO 3 and awaiting it is deprecated.{limiter} Remove the `await`{unproven}.',
    limiterBreaks: ' If `{receiver}` is a CapacityLimiter, awaiting it even raises TypeError in AnyIO 3.',
    ...UNPROVEN,
    ...CROSS_VERSION,
  },
  fixTitles: { anyio3: REMOVE_AWAIT, 'anyio2+3': MAYBE_ASYNC },
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
  messages: {
    returnsNone:
      '`{classes}.{method}()` returns None in AnyIO 3: awaiting it raises TypeError. The side effect has already happened when the error is raised. Remove the `await`{unproven}.',
    returnsItem:
      '`{classes}.{method}()` returns the item in AnyIO 3: awaiting it raises TypeError. The item has already been taken out of the stream when the error is raised, so it is lost. Remove the `await`{unproven}.',
    ...UNPROVEN,
    ...CROSS_VERSION,
  },
  fixTitles: {
    anyio3: REMOVE_AWAIT,
    'anyio2+3': { isAwaitable: 'Await only when awaitable (AnyIO 2 and 3)', receiveNowait: 'Await only a coroutine (AnyIO 2 and 3)' },
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
  messages: {
    assign: '`CapacityLimiter.set_total_tokens()` is deprecated in AnyIO 3 and removed in AnyIO 4: assign `{receiver}.total_tokens` instead{unproven}.',
    keepSilenced:
      '`CapacityLimiter.set_total_tokens()` is deprecated in AnyIO 3; AnyIO 2 has no `total_tokens` setter. To support both, keep the call with its DeprecationWarning silenced.',
    ...UNPROVEN,
  },
  fixTitles: { anyio3: { assign: 'Assign `total_tokens` instead' }, 'anyio2+3': SILENCE_TITLE },
};

const CLASS_ARTICLE = (cls: string) => (/^[AEIOU]/.test(cls) ? `an ${cls}` : `a ${cls}`);

/** The site's report: without a fix where a class of the project has a look-alike method. */
function reporter(ctx: RuleContext, s: MethodSite): RuleContext['report'] {
  return s.ownAsync ? lookalikeReporter(ctx, s.recv, s.method) : ctx.report.bind(ctx);
}

/** `{unproven}`: why the site's fix is unsafe or missing ('' when the receiver is proven). */
function unprovenNote(meta: RuleMeta, s: MethodSite): string {
  if (s.proven) return '';
  return message(meta, s.ownAsync ? 'unprovenLookalike' : 'unprovenUnsafe', { receiver: s.recv, method: s.method });
}

function checkAwaitNowSyncFunction(ctx: RuleContext): void {
  for (const s of awaitSites(ctx)) {
    if (s.kind !== 'function') continue;
    const name = s.q.slice('anyio.'.length);
    const compat = ctx.target === 'anyio2+3';
    ctx.report(ASY101, {
      node: s.aw,
      token: keywordToken(s.aw, 'await'),
      message: message(ASY101, compat ? 'plainFunctionCompat' : 'plainFunction', { name }),
      fix: compat
        ? maybeAsyncFix(ctx, s.aw, s.call, 'safe', fixTitle(ASY101, ctx.target, 'maybeAsync'))
        : { title: fixTitle(ASY101, ctx.target, 'removeAwait'), applicability: 'safe', edits: [dropAwait(s.aw)] },
    });
  }
}

function checkSetTotalTokens(ctx: RuleContext): void {
  for (const s of methodSites(ctx)) {
    if (s.method !== 'set_total_tokens') continue;
    const { aw, mc } = s;
    const report = reporter(ctx, s);
    const stmt = aw.parent;
    const arg = mc.args[0];
    const fixable =
      stmt?.type === 'expression_statement' && stmt.namedChildCount === 1 && mc.args.length === 1 && arg && arg.type !== 'keyword_argument' && arg.type !== 'list_splat';
    const applicability = s.proven ? ('safe' as const) : ('unsafe' as const);
    if (ctx.target === 'anyio2+3') {
      if (catchWarningsBlock(ctx, aw)?.silenced) continue; // already the cross-version form
      // AnyIO 2 has no `total_tokens` setter: keep the call, silence its deprecation warning.
      const wrap = stmt && fixable ? warningsWrapper(ctx, stmt) : undefined;
      report(ASY104, {
        node: aw,
        token: nameToken(aw),
        message: message(ASY104, 'keepSilenced'),
        ...(wrap
          ? { fix: { title: fixTitle(ASY104, ctx.target, 'silence'), applicability, ...wrap } }
          : {
              noFixReason: 'The call is not a statement of its own line; wrap it by hand in `with warnings.catch_warnings(): warnings.simplefilter("ignore", DeprecationWarning)`.',
            }),
      });
      continue;
    }
    report(ASY104, {
      node: aw,
      token: nameToken(aw),
      message: message(ASY104, 'assign', { receiver: s.recv, unproven: unprovenNote(ASY104, s) }),
      ...(fixable
        ? {
            fix: {
              title: fixTitle(ASY104, ctx.target, 'assign'),
              applicability,
              edits: [{ start: aw.startIndex, end: aw.endIndex, text: `${mc.receiver.text}.total_tokens = ${arg!.text}` }],
            },
          }
        : { noFixReason: 'The result of the call is used as a value, so it cannot become an assignment automatically. Set `total_tokens` in a statement of its own.' }),
    });
  }
}

/**
 * ASY102 (`breaking` false) or ASY103 (`breaking` true): the awaited now-plain methods whose every
 * candidate class made them breaking (ASY103), or not (ASY102).
 */
function checkNowSyncMethod(ctx: RuleContext, meta: RuleMeta, breaking: boolean): void {
  for (const s of methodSites(ctx)) {
    const { aw, call, method, classes } = s;
    if (method === 'set_total_tokens') continue;
    const changes = NOW_SYNC_METHODS.get(method)!;
    const kinds = new Set(classes.map((c) => changes.get(c)!.kind));
    if (breaking !== (kinds.size === 1 && kinds.has('breaking'))) continue;
    const report = reporter(ctx, s);
    const params = { classes: classes.join('/'), method, receiver: s.recv, unproven: unprovenNote(meta, s) };
    let text: string;
    if (breaking) text = message(meta, method === 'receive_nowait' ? 'returnsItem' : 'returnsNone', params);
    else if (s.proven) text = message(meta, 'plainMethod', params);
    else {
      const article = `${CLASS_ARTICLE(classes[0]!)}${classes.length > 1 ? ` (or ${classes.slice(1).join('/')})` : ''}`;
      const limiter = kinds.has('breaking') ? message(meta, 'limiterBreaks', params) : '';
      text = message(meta, 'plainMethodUnproven', { ...params, article, limiter });
    }
    const applicability = s.proven ? 'safe' : 'unsafe';
    const severity = breaking ? 'error' : 'warning';
    if (ctx.target !== 'anyio2+3') {
      report(meta, {
        node: aw,
        token: keywordToken(aw, 'await'),
        message: text,
        severity,
        deprecated: !breaking,
        fix: { title: fixTitle(meta, ctx.target, 'removeAwait'), applicability, edits: [dropAwait(aw)] },
      });
      continue;
    }
    let fix: Fix | undefined;
    let noFixReason: string | undefined;
    if (method === 'receive_nowait') {
      // `maybe_async()` rejects the item (AttributeError `_unwrap`): await the result only when it is a coroutine.
      fix = receiveNowaitFix(ctx, aw, call, fixTitle(meta, ctx.target, 'receiveNowait'));
      if (!fix)
        noFixReason =
          '`maybe_async()` rejects the item on AnyIO 3 (AttributeError `_unwrap`). The cross-version form `item = receive.receive_nowait()` / `if inspect.iscoroutine(item): item = await item` needs the call to be a statement of its own or assigned to a plain name.';
    } else if (breaking) {
      fix = isAwaitableFix(ctx, aw, call, applicability, fixTitle(meta, ctx.target, 'isAwaitable'));
      if (!fix)
        noFixReason =
          "`maybe_async()` does not accept this method's result in AnyIO 3; the cross-version form `r = obj.method(); if inspect.isawaitable(r): await r` needs the call to be a statement of its own.";
    } else if (kinds.has('breaking')) {
      noFixReason = `The cross-version form depends on the type of \`${s.recv}\`: \`await maybe_async(x.${method}())\` for a Lock, Condition or Semaphore, but \`r = x.${method}(); if inspect.isawaitable(r): await r\` for a CapacityLimiter (whose result \`maybe_async()\` rejects). Annotate it to get the right fix.`;
    } else fix = maybeAsyncFix(ctx, aw, call, applicability, fixTitle(meta, ctx.target, 'maybeAsync'));
    const advice = text.replace(/ Remove the `await`.*$/, '');
    report(meta, {
      node: aw,
      token: keywordToken(aw, 'await'),
      message: fix
        ? message(meta, 'crossVersion', { message: advice, form: fix.title.replace(/ \(AnyIO 2 and 3\)$/, '').toLowerCase() })
        : message(meta, 'noCrossVersion', { message: advice }),
      severity,
      deprecated: !breaking,
      ...(fix ? { fix } : { noFixReason: noFixReason! }),
    });
  }
}

const rules: Rule[] = [
  { meta: ASY101, check: checkAwaitNowSyncFunction },
  { meta: ASY102, check: (ctx) => checkNowSyncMethod(ctx, ASY102, false) },
  { meta: ASY103, check: (ctx) => checkNowSyncMethod(ctx, ASY103, true) },
  { meta: ASY104, check: checkSetTotalTokens },
];

export const asy1 = family(rules);
