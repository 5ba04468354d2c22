/**
 * ASY6xx: clean-up for code that dropped AnyIO 2 (target `anyio3`): the cross-version shims that
 * AnyIO 4 removes — `maybe_async()`, `maybe_async_cm()`, try/except imports of renamed names,
 * deprecated calls kept under a warnings filter, and the `inspect.isawaitable()` dance (delta
 * section I, T2) — and `anyio.ExceptionGroup`, which AnyIO 4 removed without a warning in 3.
 */
import { indentUnit } from '../core/imports';
import type { Node } from '../core/parser';
import { unparen } from '../core/scopes';
import { indentAt, lineEnding } from '../core/text';
import type { Edit, RuleMeta } from '../core/types';
import { family, fixTitle, mayContain, message, type Rule, type RuleContext } from './context';
import { awaitedCall, methodCall } from './helpers/syntax';
import { findReferences } from './helpers/references';
import { keywordToken, nameToken } from './helpers/token';
import { dropAwait } from './helpers/edits';
import { beforeCr, commentsWithin, shiftedText, trailsCode } from './helpers/reindent';
import { catchWarningsBlock } from './helpers/cross-version';
import { classifyItems, withParts } from './helpers/with-statements';
import { compatImportBlocks } from './helpers/compat-imports';
import { isAnyioNowPlainCall, maybeAsyncArg, singleArg, unwrapCall } from './helpers/shim-calls';

/** `maybe_async(<coroutine>)` → `<coroutine>`: the one ASY601 fix of both targets. */
const REMOVE_MAYBE_ASYNC = { removeShim: 'Remove `maybe_async()`' };

export const ASY601: RuleMeta = {
  code: 'ASY601',
  name: 'maybe-async-shim',
  summary: '`await maybe_async(x)` once AnyIO 2 is dropped → `x`',
  rows: ['I1', 'T2'],
  fixTitle: 'Remove `maybe_async()` and the `await`',
  fixAvailability: 'always',
  fixSafety:
    'Safe when the wrapped call is one AnyIO 3 made plain (the function is resolved to AnyIO, or the receiver proven); ' +
    'a coroutine function of this file keeps its `await` (AnyIO 2 awaited it). Unsafe otherwise: what else `maybe_async()` wrapped may be a coroutine. ' +
    'Under the `anyio2+3` target only `maybe_async(<coroutine of this file>())` is reported: AnyIO 3 raises AttributeError on it, and awaiting the coroutine directly works on both.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why: '`maybe_async()` let code run on AnyIO 2 and 3. With AnyIO 2 dropped it is noise, and AnyIO 4 removed it (AttributeError).',
    before: 'await maybe_async(event.set())',
    after: 'event.set()',
  },
  messages: {
    anyio: '`maybe_async()` is only needed to support AnyIO 2, and AnyIO 4 removed it: call `{call}` directly.',
    unknown: '`maybe_async()` is only needed to support AnyIO 2, and AnyIO 4 removed it: call `{call}` directly (if it is not a coroutine: the fix is marked unsafe).',
    coroutine:
      "`maybe_async()` is only needed to support AnyIO 2, and AnyIO 4 removed it: await `{call}` directly (a coroutine: AnyIO 2's `maybe_async()` awaited it, AnyIO 3's raises AttributeError).",
  },
  fixTitles: {
    anyio3: { removeShimAndAwait: 'Remove `maybe_async()` and the `await`', ...REMOVE_MAYBE_ASYNC },
    'anyio2+3': REMOVE_MAYBE_ASYNC,
  },
};

export const ASY602: RuleMeta = {
  code: 'ASY602',
  name: 'maybe-async-cm-shim',
  summary: '`async with maybe_async_cm(cm)` once AnyIO 2 is dropped → `with cm`',
  rows: ['I2', 'T2'],
  fixTitle: 'Remove `maybe_async_cm()` (and the `async`)',
  fixAvailability: 'always',
  fixSafety: 'Safe: the wrapped context managers are plain ones on AnyIO 3. Where other items are asynchronous, the statement is split by ASY203 afterwards.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why: '`maybe_async_cm()` let `async with` enter the plain context managers of AnyIO 3 while still supporting AnyIO 2. AnyIO 4 removed it.',
    before: 'async with maybe_async_cm(CancelScope()) as scope:\n    ...',
    after: 'with CancelScope() as scope:\n    ...',
  },
  messages: {
    plainWith: '`maybe_async_cm()` is only needed to support AnyIO 2, and AnyIO 4 removed it: use a plain `with`.',
    removeShim: '`maybe_async_cm()` is only needed to support AnyIO 2, and AnyIO 4 removed it: remove it (the statement then needs splitting into `with` and `async with`).',
  },
  fixTitles: { anyio3: { plainWith: 'Remove `maybe_async_cm()` (and the `async`)', removeShim: 'Remove `maybe_async_cm()`' } },
};

export const ASY603: RuleMeta = {
  code: 'ASY603',
  name: 'cross-version-import',
  summary: '`try: from anyio import Event as create_event / except ImportError: ...` → plain AnyIO 3 names',
  rows: ['B1', 'F1', 'T2'],
  fixTitle: 'Use the AnyIO 3 names directly',
  fixAvailability: 'always',
  fixSafety: 'Safe: every use of the shimmed names is rewritten to the name the `try` branch imports.',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why: 'The try/except import kept AnyIO 2 names working on AnyIO 3. With AnyIO 2 dropped, the fallback is dead code and the old names hide what is really used.',
    before: 'try:\n    from anyio import Event as create_event\nexcept ImportError:\n    from anyio import create_event\n\nevent = create_event()',
    after: 'from anyio import Event\n\nevent = Event()',
  },
  messages: {
    useNames: 'This try/except import only serves AnyIO 2: use {names} directly.',
  },
  fixTitles: { anyio3: { useNames: 'Use the AnyIO 3 names directly' } },
  // The fix rewrites every reference to the shimmed names, anywhere in the module.
  crossScope: true,
};

export const ASY604: RuleMeta = {
  code: 'ASY604',
  name: 'silenced-deprecated-call',
  summary: 'A deprecated AnyIO call kept under `warnings.catch_warnings()` → the AnyIO 3 call',
  rows: ['D1', 'F8', 'B16', 'T2'],
  fixTitle: 'Remove the warnings filter',
  fixAvailability: 'always',
  fixSafety: 'Safe: the calls inside are then rewritten by their own rules (ASY301, ASY302, ASY104).',
  defaultSeverity: 'warning',
  deprecated: true,
  docs: {
    why: '`spawn()`, `spawn_task()` and `set_total_tokens()` were kept with their DeprecationWarning silenced to support AnyIO 2. AnyIO 4 removed them.',
    before: 'with warnings.catch_warnings():\n    warnings.simplefilter("ignore", DeprecationWarning)\n    await tg.spawn(worker)',
    after: 'tg.start_soon(worker)',
  },
  messages: {
    removeFilter: 'This warnings filter only keeps a deprecated call working for AnyIO 2, and AnyIO 4 removed it: remove it and use the AnyIO 3 call.',
  },
  fixTitles: { anyio3: { removeFilter: 'Remove the warnings filter' } },
};

export const ASY605: RuleMeta = {
  code: 'ASY605',
  name: 'isawaitable-shim',
  summary: '`r = x.release(); if inspect.isawaitable(r): await r` once AnyIO 2 is dropped → `x.release()`',
  rows: ['B7', 'B8', 'B14', 'B15', 'E2', 'I3'],
  fixTitle: 'Call it directly',
  fixAvailability: 'always',
  fixSafety:
    "Safe when the call is AnyIO's (the function resolved, or the receiver proven): on AnyIO 3 its result is never awaitable. Unsafe for an AnyIO method name on a receiver of unknown type; no finding for a call of user code.",
  defaultSeverity: 'warning',
  deprecated: false,
  docs: {
    why: 'The awaitability test made calls that became synchronous in AnyIO 3 work on AnyIO 2 too. With AnyIO 2 dropped it is dead code.',
    before: '_maybe_awaitable = limiter.release()\nif inspect.isawaitable(_maybe_awaitable):\n    await _maybe_awaitable',
    after: 'limiter.release()',
  },
  messages: {
    neverAwaitable: 'On AnyIO 3 `{call}` never returns an awaitable (of its own): the `inspect.isawaitable()` test only served AnyIO 2.',
    neverCoroutine: 'On AnyIO 3 `{call}` never returns a coroutine (of its own): the `inspect.iscoroutine()` test only served AnyIO 2.',
  },
  fixTitles: { anyio3: { callDirectly: 'Call it directly' } },
};

export const ASY606: RuleMeta = {
  code: 'ASY606',
  name: 'anyio-exception-group',
  summary: '`anyio.ExceptionGroup`: removed in AnyIO 4 with no warning in AnyIO 3',
  rows: ['T2', 'T3'],
  fixTitle: 'No automatic fix',
  fixAvailability: 'never',
  fixSafety: "No automatic fix: AnyIO 3's group is not a PEP 654 `ExceptionGroup`, so swapping the name changes which errors are caught.",
  defaultSeverity: 'info',
  deprecated: false,
  docs: {
    why:
      'AnyIO 4 removed `anyio.ExceptionGroup` (AttributeError) and raises the built-in ' +
      '`ExceptionGroup` (Python 3.11+, or the `exceptiongroup` backport) — and wraps even a single ' +
      'failure. AnyIO 3 gives no warning. On AnyIO 3 `except*` does not catch its multi-failure group, ' +
      'so the code must change together with the AnyIO 4 upgrade.',
    before: 'except anyio.ExceptionGroup as eg:\n    ...',
    after: 'except* ValueError as eg:  # AnyIO 4\n    ...',
  },
  messages: {
    removedIn4: '`anyio.ExceptionGroup` is gone in AnyIO 4 (which raises the built-in `ExceptionGroup`, even for a single failure); AnyIO 3 gives no warning.',
  },
  fixTitles: {},
};

/** The family's checks run in modules that import anyio; ASY602–ASY606 only for the `anyio3` target. */
function cleanUp(check: (ctx: RuleContext) => void, ...words: string[]): (ctx: RuleContext) => void {
  return (ctx) => {
    if (ctx.idx.importsAnyio && ctx.target === 'anyio3' && words.some((w) => mayContain(ctx, w))) check(ctx);
  };
}

function checkCompatImports(ctx: RuleContext): void {
  for (const { stmt, names, edits, imports } of compatImportBlocks(ctx)) {
    ctx.report(ASY603, {
      start: stmt.startIndex,
      token: keywordToken(stmt, 'try'),
      end: stmt.childForFieldName('body')?.startIndex ?? stmt.endIndex,
      message: message(ASY603, 'useNames', { names: names.map((q) => `\`${q}\``).join(', ') }),
      fix: { title: fixTitle(ASY603, ctx.target, 'useNames'), applicability: 'safe', edits, imports },
    });
  }
}

function checkExceptionGroup(ctx: RuleContext): void {
  for (const { node } of findReferences(ctx, new Set(['anyio.ExceptionGroup']))) {
    ctx.report(ASY606, {
      node,
      message: message(ASY606, 'removedIn4'),
      noFixReason: 'Port this handler when moving to AnyIO 4: `except*` / `exceptiongroup.catch()` on the built-in `ExceptionGroup`. On AnyIO 3 the two are different classes.',
    });
  }
}

/**
 * `await maybe_async(x)`. For code that keeps AnyIO 2 (`anyio2+3`), only the coroutine case is
 * reported: AnyIO 3's `maybe_async()` raises AttributeError on a coroutine, and awaiting it directly
 * works on both versions.
 */
function checkMaybeAsync(ctx: RuleContext, onlyCoroutines: boolean): void {
  for (const aw of ctx.idx.awaits) {
    const call = awaitedCall(aw);
    const fn = call?.childForFieldName('function');
    if (!call || !fn || ctx.res.qualifiedOf(fn) !== 'anyio.maybe_async') continue;
    const arg = singleArg(call);
    if (!arg) continue;
    const what = maybeAsyncArg(ctx, arg);
    if (onlyCoroutines && what !== 'coroutine') continue;
    ctx.report(ASY601, {
      node: aw,
      token: nameToken(fn),
      message: message(ASY601, what, { call: arg.text.length > 40 ? '...' : arg.text }),
      fix:
        what === 'coroutine'
          ? { title: fixTitle(ASY601, ctx.target, 'removeShim'), applicability: 'safe', edits: unwrapCall(call, arg) }
          : { title: fixTitle(ASY601, ctx.target, 'removeShimAndAwait'), applicability: what === 'anyio' ? 'safe' : 'unsafe', edits: [dropAwait(aw), ...unwrapCall(call, arg)] },
    });
  }
}

function checkMaybeAsyncCm(ctx: RuleContext): void {
  for (const stmt of ctx.idx.withs) {
    const parts = withParts(stmt);
    if (!parts.asyncKw || !parts.withKw || !parts.clause) continue;
    const edits: Edit[] = [];
    let shimName: Node | undefined;
    for (const it of parts.clause.namedChildren) {
      if (it?.type !== 'with_item') continue;
      const v = it.childForFieldName('value');
      const expr = v ? unparen(v.type === 'as_pattern' ? (v.namedChild(0) ?? v) : v) : undefined;
      const fn = expr?.type === 'call' ? expr.childForFieldName('function') : undefined;
      if (!expr || !fn || ctx.res.qualifiedOf(fn) !== 'anyio.maybe_async_cm') continue;
      const arg = singleArg(expr);
      if (arg) edits.push(...unwrapCall(expr, arg));
      shimName ??= fn;
    }
    if (edits.length === 0) continue;
    // Every other item a plain context manager too: `with`. Otherwise ASY203 splits next round.
    const others = classifyItems(ctx, parts.clause).filter(
      (i) => !(i.expr.type === 'call' && ctx.res.qualifiedOf(i.expr.childForFieldName('function')!) === 'anyio.maybe_async_cm'),
    );
    const allSync = others.every((i) => i.sync);
    if (allSync) edits.push({ start: parts.asyncKw.startIndex, end: parts.withKw.startIndex, text: '' });
    ctx.report(ASY602, {
      start: stmt.startIndex,
      token: shimName ? nameToken(shimName) : undefined,
      end: parts.clause.endIndex,
      message: message(ASY602, allSync ? 'plainWith' : 'removeShim'),
      fix: { title: fixTitle(ASY602, ctx.target, allSync ? 'plainWith' : 'removeShim'), applicability: 'safe', edits },
    });
  }
}

const SILENCED_METHODS = new Set(['spawn', 'spawn_task', 'set_total_tokens']);

const SILENCED_CALL = /\.(spawn|spawn_task|set_total_tokens)\s*$/;

function checkSilenced(ctx: RuleContext): void {
  const seen = new Set<number>();
  for (const call of ctx.idx.calls) {
    const fn = call.childForFieldName('function');
    if (!fn || !SILENCED_CALL.test(fn.text)) continue;
    const mc = methodCall(call);
    if (!mc || !SILENCED_METHODS.has(mc.method.text)) continue;
    const t = ctx.res.typeOf(mc.receiver);
    if (t.k !== 'anyio' && !(t.k === 'unknown' && !ctx.res.definesMethod(mc.method.text, false))) continue;
    const block = catchWarningsBlock(ctx, call);
    if (!block || seen.has(block.stmt.id)) continue;
    seen.add(block.stmt.id);
    const statements = block.body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment' && !block.filterStmts.some((f) => f.id === c.id));
    if (!statements.length) continue;
    // The kept statements and every comment from the `with` header to the block's end (those before
    // the first statement belong to the `with` node; those of the dropped filters are kept too).
    const kept = [...statements, ...commentsWithin(ctx, [block.stmt], block.stmt.startIndex, block.body.endIndex, statements)].sort((a, b) => a.startIndex - b.startIndex);
    const nl = lineEnding(ctx.text);
    const outer = indentAt(ctx.text, block.stmt.startIndex);
    const unit = indentAt(ctx.text, block.body.startIndex).slice(outer.length) || indentUnit(ctx.text);
    // The kept statements, one level less indented; a comment that shared a line keeps sharing it.
    let textOut = '';
    kept.forEach((c, i) => {
      const prev = kept[i - 1];
      if (prev) textOut += c.type === 'comment' && !/[\r\n]/.test(ctx.text.slice(prev.endIndex, c.startIndex)) ? ctx.text.slice(prev.endIndex, c.startIndex) : nl + outer;
      textOut += shiftedText(ctx, c, { remove: unit });
    });
    const shimItem = withParts(block.stmt)
      .clause?.namedChildren.find((c) => c?.type === 'with_item')
      ?.childForFieldName('value');
    ctx.report(ASY604, {
      start: block.stmt.startIndex,
      token: shimItem ? nameToken(shimItem) : undefined,
      end: block.body.startIndex,
      message: message(ASY604, 'removeFilter'),
      fix: {
        title: fixTitle(ASY604, ctx.target, 'removeFilter'),
        applicability: 'safe',
        edits: [{ start: block.stmt.startIndex, end: beforeCr(ctx.text, block.body.endIndex), text: textOut }],
      },
    });
  }
}

/**
 * ASY605: `r = x.release()` / `if inspect.isawaitable(r): await r` (B7, B8, B14, B15), and the value form of
 * `receive_nowait()` (E2): `item = r.receive_nowait()` / `if inspect.iscoroutine(item): item = await item`.
 */
function checkIsAwaitable(ctx: RuleContext): void {
  for (const cond of ctx.idx.calls) {
    const fn = cond.childForFieldName('function');
    if (!fn || !/(isawaitable|iscoroutine)$/.test(fn.text)) continue;
    const test = ctx.res.qualifiedOf(fn);
    if (test !== 'inspect.isawaitable' && test !== 'inspect.iscoroutine') continue;
    const next = cond.parent;
    if (next?.type !== 'if_statement' || next.childForFieldName('condition')?.id !== cond.id || next.childForFieldName('alternative')) continue;
    const name = singleArg(cond);
    // The assignment, past comment lines between it and the `if` (they are replaced too, and kept).
    let stmt = next.previousNamedSibling;
    while (stmt?.type === 'comment') stmt = stmt.previousNamedSibling;
    const assign = stmt?.type === 'expression_statement' ? stmt.namedChild(0) : undefined;
    if (name?.type !== 'identifier' || assign?.type !== 'assignment' || assign.childForFieldName('left')?.text !== name.text || assign.childForFieldName('type')) continue;
    const value = assign.childForFieldName('right');
    if (!value || value.type !== 'call') continue;
    const anyioCall = isAnyioNowPlainCall(ctx, value);
    if (anyioCall === undefined) continue;
    const body = next.childForFieldName('consequence');
    const only = body?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
    const inner = only.length === 1 && only[0]!.type === 'expression_statement' ? only[0]!.namedChild(0) : undefined;
    // `await r`, or (keeping the value) `r = await r`.
    const keepsValue = inner?.type === 'assignment' && inner.childForFieldName('left')?.text === name.text && !inner.childForFieldName('type');
    const aw = keepsValue ? inner!.childForFieldName('right') : inner;
    if (aw?.type !== 'await' || aw.namedChild(0)?.text !== name.text) continue;
    // Without the value kept, the name must not be used anywhere else in the block.
    const block = stmt!.parent!;
    const uses = (ctx.idx.identifiers.get(name.text) ?? []).filter((x) => x >= block.startIndex && x < block.endIndex).length;
    if (!keepsValue && uses !== 3) continue;
    // Every comment of the replaced statements stays, in order: trailing the call while they trailed
    // code (the assignment, the `if` header, the `await`), then each on a line of its own. Those
    // before the `await` line belong to the `if` node, not to its body.
    const copied = keepsValue ? assign : value;
    const siblings: Node[] = [];
    for (let s: Node | null = stmt!; s && s.startIndex < next.endIndex; s = s.nextNamedSibling) siblings.push(s);
    const nl = lineEnding(ctx.text);
    const outer = indentAt(ctx.text, stmt!.startIndex);
    let replacement = copied.text;
    let ownLine = false;
    for (const c of commentsWithin(ctx, siblings, stmt!.startIndex, next.endIndex, [copied])) {
      ownLine ||= !trailsCode(ctx.text, c.startIndex);
      replacement += ownLine ? nl + outer + c.text : `  ${c.text}`;
    }
    ctx.report(ASY605, {
      start: stmt!.startIndex,
      end: next.endIndex,
      message: message(ASY605, test === 'inspect.iscoroutine' ? 'neverCoroutine' : 'neverAwaitable', { call: value.text.length > 40 ? 'this call' : value.text }),
      fix: {
        title: fixTitle(ASY605, ctx.target, 'callDirectly'),
        applicability: anyioCall ? 'safe' : 'unsafe',
        edits: [{ start: stmt!.startIndex, end: beforeCr(ctx.text, next.endIndex), text: replacement }],
      },
    });
  }
}

const rules: Rule[] = [
  // For code that keeps AnyIO 2 (`anyio2+3`), only `maybe_async(<coroutine>)`: see checkMaybeAsync.
  {
    meta: ASY601,
    check: (ctx) => {
      if (ctx.idx.importsAnyio && mayContain(ctx, 'maybe_async')) checkMaybeAsync(ctx, ctx.target !== 'anyio3');
    },
  },
  { meta: ASY602, check: cleanUp(checkMaybeAsyncCm, 'maybe_async') },
  { meta: ASY603, check: cleanUp(checkCompatImports, 'ImportError', 'ModuleNotFoundError') },
  { meta: ASY604, check: cleanUp(checkSilenced, 'catch_warnings') },
  { meta: ASY605, check: cleanUp(checkIsAwaitable, 'isawaitable', 'iscoroutine') },
  { meta: ASY606, check: cleanUp(checkExceptionGroup, 'ExceptionGroup') },
];

export const asy6 = family(rules);
