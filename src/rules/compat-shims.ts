/**
 * Clean-up for code that dropped AnyIO 2 (target `anyio3`): the cross-version shims that AnyIO 4
 * removes — `maybe_async()`, `maybe_async_cm()`, try/except imports of renamed names, deprecated
 * calls kept under a warnings filter, and the `inspect.isawaitable()` dance (delta section I, T2).
 */
import { NOW_SYNC_FUNCTIONS, NOW_SYNC_METHODS } from '../core/anyio-api';
import { asCompatTry, deleteStatement, indentUnit } from '../core/imports';
import type { Node } from '../core/parser';
import { prefiltersEnabled } from '../core/prefilters';
import { Binding, lookup, unparen } from '../core/scopes';
import { compatImportSource } from '../core/resolve';
import { partitionPoint } from '../core/bisect';
import { indentAt, lineEnding } from '../core/text';
import type { Edit, ImportRequest, RuleMeta } from '../core/types';
import { classifyItems, withParts } from './cancel-scopes';
import { awaitedCall, beforeCr, catchWarningsBlock, dropAwait, findReferences, isLoadReference, commentsWithin, methodCall, RuleContext, RuleFamily, shiftedText, trailsCode } from './context';

const REMOVED_IN_4 = 'AnyIO 4 removed it';

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
};

export const ASY605: RuleMeta = {
  code: 'ASY605',
  name: 'isawaitable-shim',
  summary: '`r = x.release(); if inspect.isawaitable(r): await r` once AnyIO 2 is dropped → `x.release()`',
  rows: ['B7', 'B8', 'B14', 'B15', 'E2', 'I3'],
  fixTitle: 'Call it directly',
  fixAvailability: 'always',
  fixSafety: 'Safe when the call is AnyIO\'s (the function resolved, or the receiver proven): on AnyIO 3 its result is never awaitable. Unsafe for an AnyIO method name on a receiver of unknown type; no finding for a call of user code.',
  defaultSeverity: 'warning',
  deprecated: false,
  docs: {
    why: 'The awaitability test made calls that became synchronous in AnyIO 3 work on AnyIO 2 too. With AnyIO 2 dropped it is dead code.',
    before: '_maybe_awaitable = limiter.release()\nif inspect.isawaitable(_maybe_awaitable):\n    await _maybe_awaitable',
    after: 'limiter.release()',
  },
};

export const ASY606: RuleMeta = {
  code: 'ASY606',
  name: 'anyio-exception-group',
  summary: '`anyio.ExceptionGroup`: removed in AnyIO 4 with no warning in AnyIO 3',
  rows: ['T2', 'T3'],
  fixTitle: 'No automatic fix',
  fixAvailability: 'never',
  fixSafety: 'No automatic fix: AnyIO 3\'s group is not a PEP 654 `ExceptionGroup`, so swapping the name changes which errors are caught.',
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
};

function checkExceptionGroup(ctx: RuleContext): void {
  for (const { node } of findReferences(ctx, new Set(['anyio.ExceptionGroup']))) {
    ctx.report(ASY606, {
      node,
      message: '`anyio.ExceptionGroup` is gone in AnyIO 4 (which raises the built-in `ExceptionGroup`, even for a single failure); AnyIO 3 gives no warning.',
      noFixReason: 'Port this handler when moving to AnyIO 4: `except*` / `exceptiongroup.catch()` on the built-in `ExceptionGroup`. On AnyIO 3 the two are different classes.',
    });
  }
}

/** Edits that turn `f(x)` into `x` (the single argument of the call). */
function unwrapCall(call: Node, arg: Node): Edit[] {
  return [
    { start: call.startIndex, end: arg.startIndex, text: '' },
    { start: arg.endIndex, end: call.endIndex, text: '' },
  ];
}

function singleArg(call: Node): Node | undefined {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
  return args.length === 1 && args[0]!.type !== 'keyword_argument' && !args[0]!.type.includes('splat') ? (args[0] as Node) : undefined;
}

/**
 * What `maybe_async(<arg>)` wraps: a call AnyIO 3 made plain (rows I1: A1–A4, and B2–E1 on a proven
 * receiver), a call of a coroutine function defined in this file (AnyIO 2 awaited it), or unknown.
 */
function maybeAsyncArg(ctx: RuleContext, arg: Node): 'anyio' | 'coroutine' | 'unknown' {
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
      message:
        what === 'coroutine'
          ? `\`maybe_async()\` is only needed to support AnyIO 2, and ${REMOVED_IN_4}: await \`${arg.text.length > 40 ? '...' : arg.text}\` directly (a coroutine: AnyIO 2's \`maybe_async()\` awaited it, AnyIO 3's raises AttributeError).`
          : `\`maybe_async()\` is only needed to support AnyIO 2, and ${REMOVED_IN_4}: call \`${arg.text.length > 40 ? '...' : arg.text}\` directly${what === 'anyio' ? '' : ' (if it is not a coroutine: the fix is marked unsafe)'}.`,
      fix:
        what === 'coroutine'
          ? { title: 'Remove `maybe_async()`', applicability: 'safe', edits: unwrapCall(call, arg) }
          : { title: ASY601.fixTitle, applicability: what === 'anyio' ? 'safe' : 'unsafe', edits: [dropAwait(aw), ...unwrapCall(call, arg)] },
    });
  }
}

function checkMaybeAsyncCm(ctx: RuleContext): void {
  for (const stmt of ctx.idx.withs) {
    const parts = withParts(stmt);
    if (!parts.asyncKw || !parts.withKw || !parts.clause) continue;
    const edits: Edit[] = [];
    for (const it of parts.clause.namedChildren) {
      if (it?.type !== 'with_item') continue;
      const v = it.childForFieldName('value');
      const expr = v ? unparen(v.type === 'as_pattern' ? v.namedChild(0) ?? v : v) : undefined;
      const fn = expr?.type === 'call' ? expr.childForFieldName('function') : undefined;
      if (!expr || !fn || ctx.res.qualifiedOf(fn) !== 'anyio.maybe_async_cm') continue;
      const arg = singleArg(expr);
      if (arg) edits.push(...unwrapCall(expr, arg));
    }
    if (edits.length === 0) continue;
    // Every other item a plain context manager too: `with`. Otherwise ASY203 splits next round.
    const others = classifyItems(ctx, parts.clause).filter((i) => !(i.expr.type === 'call' && ctx.res.qualifiedOf(i.expr.childForFieldName('function')!) === 'anyio.maybe_async_cm'));
    const allSync = others.every((i) => i.sync);
    if (allSync) edits.push({ start: parts.asyncKw.startIndex, end: parts.withKw.startIndex, text: '' });
    ctx.report(ASY602, {
      start: stmt.startIndex,
      end: parts.clause.endIndex,
      message: `\`maybe_async_cm()\` is only needed to support AnyIO 2, and ${REMOVED_IN_4}: ${allSync ? 'use a plain `with`' : 'remove it (the statement then needs splitting into `with` and `async with`)'}.`,
      fix: { title: allSync ? ASY602.fixTitle : 'Remove `maybe_async_cm()`', applicability: 'safe', edits },
    });
  }
}

/** The index in `blocks` (sorted, disjoint statements) of the one holding `node`, or -1. */
function blockHolding(blocks: readonly Node[], node: Node | undefined): number {
  if (!node) return -1;
  // The last block starting at or before the node: the only one that can hold it.
  const k = partitionPoint(blocks.length, (i) => blocks[i]!.startIndex <= node.startIndex) - 1;
  const b = blocks[k];
  const overlaps = b !== undefined && node.endIndex > b.startIndex && node.startIndex < b.endIndex;
  return overlaps && node.startIndex >= b.startIndex && node.endIndex <= b.endIndex ? k : -1;
}

/**
 * The module-level cross-version try/except imports (ASY603). Indexed once per analysis: the
 * bindings each block makes (one pass over the module's names), and the load references of those
 * names (one look-up per occurrence). A reference bound by several blocks is rewritten by the fix of
 * the last one only: deleting any other leaves it bound by that last block, and their fixes (the
 * block alone) no longer overlap its fix (the block to the reference), so all go in one round. (A per-block scan of every name and every
 * occurrence was quadratic in the number of blocks: 256 blocks took 29 s.)
 */
function checkCompatImports(ctx: RuleContext): void {
  const blocks = ctx.idx.tree.rootNode.namedChildren.filter((c): c is Node => c?.type === 'try_statement' && !!asCompatTry(c));
  if (blocks.length === 0) return;
  // Per block: every name it binds, with its bindings there.
  const bound = blocks.map(() => new Map<string, Binding[]>());
  for (const [name, bs] of ctx.idx.module.bindings) {
    for (const b of bs) {
      const i = blockHolding(blocks, b.stmt ?? b.node);
      if (i < 0) continue;
      const mine = bound[i]!.get(name);
      if (mine) mine.push(b);
      else bound[i]!.set(name, [b]);
    }
  }
  // Per block: the load references (outside it) of its names that resolve to a binding inside it.
  const refs = blocks.map(() => new Map<string, Node[]>());
  const names = new Set<string>();
  for (const m of bound) for (const name of m.keys()) names.add(name);
  for (const name of names) {
    for (const o of ctx.idx.identifiers.get(name) ?? []) {
      const node = ctx.idx.tree.rootNode.descendantForIndex(o, o + name.length);
      if (!node || node.type !== 'identifier' || !isLoadReference(node)) continue;
      const own = blockHolding(blocks, node);
      let last = -1;
      for (const b of lookup(ctx.idx, name, node)?.bindings ?? []) {
        const i = blockHolding(blocks, b.stmt ?? b.node);
        if (i >= 0 && i !== own && i > last) last = i;
      }
      if (last < 0) continue;
      const list = refs[last]!.get(name);
      if (list) list.push(node);
      else refs[last]!.set(name, [node]);
    }
  }
  blocks.forEach((child, i) => {
    // Every name the try binds, and what it means on AnyIO 3.
    const meaning = new Map<string, string>();
    for (const [name, mine] of bound[i]!) {
      let q = compatImportSource(mine) ?? (mine.length === 1 && mine[0]!.kind === 'import' ? mine[0]!.source : undefined);
      if (!q) {
        // `create_event = Event` in the body.
        const alias = mine.find((b) => b.kind === 'assign' && b.value?.type === 'identifier');
        q = alias ? ctx.res.qualifiedOfName(alias.value!.text, alias.value!) : undefined;
      }
      if (!q || !q.startsWith('anyio.')) return;
      meaning.set(name, q);
    }
    if (meaning.size === 0) return;
    const edits: Edit[] = [deleteStatement(ctx.text, child)];
    const imports: ImportRequest[] = [];
    for (const [name, q] of meaning) {
      for (const ref of refs[i]!.get(name) ?? []) {
        // `anyio_create_event` stood for `anyio.create_event`: keep the dotted style.
        const spelling = ctx.res.spell(q, ref, !name.startsWith('anyio_'), child);
        if (spelling.text !== ref.text || spelling.imports.length) {
          edits.push({ start: ref.startIndex, end: ref.endIndex, text: spelling.text });
          imports.push(...spelling.imports);
        }
        if (spelling.text === ref.text && !spelling.imports.length) imports.push({ module: q.slice(0, q.lastIndexOf('.')), name: q.slice(q.lastIndexOf('.') + 1) });
      }
    }
    ctx.report(ASY603, {
      start: child.startIndex,
      end: child.childForFieldName('body')?.startIndex ?? child.endIndex,
      message: `This try/except import only serves AnyIO 2: use ${[...new Set(meaning.values())].map((q) => `\`${q}\``).join(', ')} directly.`,
      fix: { title: ASY603.fixTitle, applicability: 'safe', edits, imports },
    });
  });
}

const SILENCED_METHODS = new Set(['spawn', 'spawn_task', 'set_total_tokens']);

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
    ctx.report(ASY604, {
      start: block.stmt.startIndex,
      end: block.body.startIndex,
      message: `This warnings filter only keeps a deprecated call working for AnyIO 2, and ${REMOVED_IN_4}: remove it and use the AnyIO 3 call.`,
      fix: { title: ASY604.fixTitle, applicability: 'safe', edits: [{ start: block.stmt.startIndex, end: beforeCr(ctx.text, block.body.endIndex), text: textOut }] },
    });
  }
}

/**
 * `r = x.release()` / `if inspect.isawaitable(r): await r` (B7, B8, B14, B15), and the value form of
 * `receive_nowait()` (E2): `item = r.receive_nowait()` / `if inspect.iscoroutine(item): item = await item`.
 */
/**
 * Is `call` (tested with `inspect.isawaitable()` / `iscoroutine()`) one of AnyIO's calls that became
 * plain in 3? `true`: proven (the function resolved to AnyIO, or the receiver's type proven);
 * `false`: an AnyIO method name on a receiver of unknown type; `undefined`: not AnyIO's (a user
 * function or class, or a module with its own `async def <method>`), whose coroutine must be awaited.
 */
function isAnyioNowPlainCall(ctx: RuleContext, call: Node): boolean | undefined {
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
    const what = test === 'inspect.iscoroutine' ? 'a coroutine' : 'an awaitable';
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
      message: `On AnyIO 3 \`${value.text.length > 40 ? 'this call' : value.text}\` never returns ${what} (of its own): the \`${test}()\` test only served AnyIO 2.`,
      fix: { title: ASY605.fixTitle, applicability: anyioCall ? 'safe' : 'unsafe', edits: [{ start: stmt!.startIndex, end: beforeCr(ctx.text, next.endIndex), text: replacement }] },
    });
  }
}

const SILENCED_CALL = /\.(spawn|spawn_task|set_total_tokens)\s*$/;

function check(ctx: RuleContext): void {
  if (!ctx.idx.importsAnyio) return;
  const text = ctx.text;
  // Text gates: skip a check whose names do not occur (all off in the prefilter property test).
  const has = (word: string): boolean => !prefiltersEnabled() || text.includes(word);
  if (ctx.target !== 'anyio3') {
    if (has('maybe_async')) checkMaybeAsync(ctx, true);
    return;
  }
  if (has('maybe_async')) {
    checkMaybeAsync(ctx, false);
    checkMaybeAsyncCm(ctx);
  }
  if (has('ImportError') || has('ModuleNotFoundError')) checkCompatImports(ctx);
  if (has('catch_warnings')) checkSilenced(ctx);
  if (has('isawaitable') || has('iscoroutine')) checkIsAwaitable(ctx);
  if (has('ExceptionGroup')) checkExceptionGroup(ctx);
}

export const compatShims: RuleFamily = { rules: [ASY601, ASY602, ASY603, ASY604, ASY605, ASY606], check };
